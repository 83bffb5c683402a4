//! The try-on's size-dependent render targets, and the bind groups made
//! for the frame and mask textures they are drawn with.

use super::{srgb_view, COLOR_FORMAT, COVERAGE_FORMAT, DEPTH_FORMAT, OUTPUT_FORMAT};
use crate::gpu::{texture_2d_descriptor, GpuContext};

/// Targets for one frame size.
pub(super) struct Targets {
    /// The frame's size.
    pub width: u32,
    pub height: u32,
    /// The main pass's size: the frame's, or at economy quality the
    /// frame's divided by the garment scale, rounded up (the main pass
    /// then draws the garments alone into a premultiplied layer).
    pub color_size: (u32, u32),
    /// The main pass's colour, coverage and depth; multisampled on a GPU
    /// (then resolved into `dressed` and `coverage`), else the same
    /// textures as those.
    pub color: wgpu::TextureView,
    pub coverage_samples: wgpu::TextureView,
    pub depth: wgpu::TextureView,
    /// The frame with its garments (Rgba8Unorm, drawn and read through an
    /// sRGB view), before the last pass; at economy quality the garments'
    /// layer alone, `color_size`.
    pub dressed: wgpu::Texture,
    pub dressed_view: wgpu::TextureView,
    /// R8: 1 where a garment is seen.
    pub coverage_view: wgpu::TextureView,
    pub output: wgpu::Texture,
    pub output_view: wgpu::TextureView,
    /// Bind groups for the frame and mask textures seen lately (the mask
    /// alternates between two textures), newest last.
    pub bound: Vec<BoundTextures>,
}

/// The bind groups that read one frame texture and one mask texture.
pub(super) struct BoundTextures {
    pub frame: wgpu::Texture,
    pub mask: wgpu::Texture,
    pub frame_group: wgpu::BindGroup,
    pub background_group: wgpu::BindGroup,
    /// The silhouette scan of `mask`.
    pub silhouette_group: wgpu::BindGroup,
    /// The last pass, with `mask`.
    pub compose_group: wgpu::BindGroup,
}

/// How many `BoundTextures` a renderer keeps (a bounded cache: both mask
/// textures and the empty mask, for one working texture).
pub(super) const BOUND_TEXTURES_KEPT: usize = 4;

impl Targets {
    pub fn new(gpu: &GpuContext, width: u32, height: u32, samples: u32, scale: u32) -> Targets {
        let device = &gpu.device;
        let attachment = wgpu::TextureUsages::RENDER_ATTACHMENT;
        let sampled = wgpu::TextureUsages::TEXTURE_BINDING;
        let scale = scale.max(1);
        let size = (width.div_ceil(scale), height.div_ceil(scale));
        let single = |label, format, usage| {
            device.create_texture(&texture_2d_descriptor(label, size, format, usage))
        };
        let srgb_texture = |label, size, usage| {
            device.create_texture(&wgpu::TextureDescriptor {
                view_formats: &[COLOR_FORMAT],
                ..texture_2d_descriptor(label, size, OUTPUT_FORMAT, usage)
            })
        };
        let dressed = srgb_texture(
            "try-on dressed",
            size,
            attachment | sampled | wgpu::TextureUsages::COPY_SRC,
        );
        let output = srgb_texture(
            "try-on output",
            (width, height),
            attachment | sampled | wgpu::TextureUsages::COPY_SRC | wgpu::TextureUsages::COPY_DST,
        );
        let dressed_view = srgb_view(&dressed, attachment | sampled);
        let coverage_view = single("garment coverage", COVERAGE_FORMAT, attachment | sampled)
            .create_view(&Default::default());
        let view = |t: wgpu::Texture| t.create_view(&Default::default());
        let (color, coverage_samples, depth) = if samples > 1 {
            let multisampled = |label, format| {
                device.create_texture(&wgpu::TextureDescriptor {
                    sample_count: samples,
                    ..texture_2d_descriptor(label, size, format, attachment)
                })
            };
            (
                view(multisampled("try-on colour", COLOR_FORMAT)),
                view(multisampled("garment coverage samples", COVERAGE_FORMAT)),
                view(multisampled("try-on depth", DEPTH_FORMAT)),
            )
        } else {
            (
                dressed_view.clone(),
                coverage_view.clone(),
                view(single("try-on depth", DEPTH_FORMAT, attachment)),
            )
        };
        Targets {
            width,
            height,
            color_size: size,
            color,
            coverage_samples,
            depth,
            output_view: srgb_view(&output, attachment),
            output,
            dressed,
            dressed_view,
            coverage_view,
            bound: Vec::new(),
        }
    }

    /// The main pass over these targets: colour and coverage cleared,
    /// resolved when multisampled, depth cleared.
    pub fn begin_main_pass<'e>(
        &self,
        encoder: &'e mut wgpu::CommandEncoder,
        samples: u32,
    ) -> wgpu::RenderPass<'e> {
        encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("try-on"),
            color_attachments: &[
                color_attachment(&self.color, &self.dressed_view, samples),
                color_attachment(&self.coverage_samples, &self.coverage_view, samples),
            ],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: &self.depth,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Clear(1.0),
                    store: wgpu::StoreOp::Discard,
                }),
                stencil_ops: None,
            }),
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        })
    }
}

/// A cleared colour attachment: `view` resolved into `resolved` when
/// multisampled (and dropped), else `view` kept.
fn color_attachment<'a>(
    view: &'a wgpu::TextureView,
    resolved: &'a wgpu::TextureView,
    samples: u32,
) -> Option<wgpu::RenderPassColorAttachment<'a>> {
    let resolve = samples > 1;
    Some(wgpu::RenderPassColorAttachment {
        view,
        depth_slice: None,
        resolve_target: resolve.then_some(resolved),
        ops: wgpu::Operations {
            load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
            store: if resolve {
                wgpu::StoreOp::Discard
            } else {
                wgpu::StoreOp::Store
            },
        },
    })
}
