//! The person mask on the GPU: the landmark model's segmentation logits
//! warped into the whole image and blended with the previous frame's mask
//! (shaders/pose/mask.wgsl), kept in a texture the renderer can read.
//!
//! The plain-Rust reference is `mask_in_image` + `PersonMask::smooth_with`
//! in src/pose/mask.rs; tests/pose_mask_gpu.rs compares the two.

use super::crop::{CropGeometry, LANDMARK_INPUT_SIZE};
use super::mask::{PersonMask, COMBINE_WITH_PREVIOUS_RATIO};
use super::PoseError;
use crate::gpu::{layout, shaders, texture_2d, GpuContext, GpuError, TextureReadback};
use crate::nn::NnError;

/// The mask textures' format: one probability in [0, 1] per image pixel.
pub const MASK_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::R32Float;

/// The side of mask.wgsl's square workgroups.
const WORKGROUP_SIDE: u32 = 8;

/// Uniforms of mask.wgsl.
// This must be kept in sync with MaskParams in shaders/pose/mask.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
struct MaskParams {
    mask_from_image_x: [f32; 4],
    mask_from_image_y: [f32; 4],
    mask_size: [u32; 2],
    image_size: [u32; 2],
    logits_stride: u32,
    has_previous: u32,
    combine_with_previous_ratio: f32,
    _pad0: u32,
}

/// The two full-frame mask textures, used in turn: one written this frame,
/// the other holding the previous frame's mask to blend with.
struct MaskFrames {
    textures: [wgpu::Texture; 2],
    /// Which texture the latest mask is in.
    latest: usize,
    /// Whether `textures[latest]` holds a mask (false after `reset`).
    has_mask: bool,
    /// Bind groups for the logits buffer they were made with: index i
    /// writes `textures[i]` and reads the other.
    bound: Option<(wgpu::Buffer, [wgpu::BindGroup; 2])>,
}

/// The GPU person mask: made once, then `encode` per frame. The renderer
/// reads `texture()` with textureLoad; `read_to_cpu` copies it back.
pub struct GpuMask {
    /// mask.wgsl's `probabilities` entry point, then its `main`.
    probabilities: wgpu::ComputePipeline,
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    params: wgpu::Buffer,
    /// Where `encode` uploads logits given as a slice (packed f32).
    logits: wgpu::Buffer,
    /// The mask texels' probabilities (packed f32), between the passes.
    mask_probabilities: wgpu::Buffer,
    frames: Option<MaskFrames>,
    readback: TextureReadback,
}

impl GpuMask {
    pub fn new(gpu: &GpuContext) -> GpuMask {
        let device = &gpu.device;
        let compute = wgpu::ShaderStages::COMPUTE;
        let ([probabilities, pipeline], layout) = layout::compute_pipelines(
            device,
            "pose mask",
            shaders::POSE_MASK,
            &[
                layout::uniform(0, compute),
                layout::storage(1, compute, true),
                // R32Float is not filterable without FLOAT32_FILTERABLE,
                // which the context does not request.
                layout::unfilterable_texture_2d(2, compute),
                layout::storage_texture_2d(3, compute, MASK_FORMAT),
                layout::storage(4, compute, false),
            ],
            ["probabilities", "main"],
        );
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pose mask params"),
            size: std::mem::size_of::<MaskParams>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let side = LANDMARK_INPUT_SIZE as u64;
        GpuMask {
            probabilities,
            pipeline,
            layout,
            params,
            logits: texel_buffer(gpu, "pose mask logits", side * side),
            mask_probabilities: texel_buffer(gpu, "pose mask probabilities", side * side),
            frames: None,
            readback: TextureReadback::new(),
        }
    }

    /// Records this frame's mask from `logits` (the model's
    /// `geometry.output_width × output_height` segmentation output for the
    /// crop `geometry` describes), blended with the previous mask when there
    /// is one of the same image size. Parameters and logits go through the
    /// queue, so submit `encoder` before encoding the next frame.
    pub fn encode(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        logits: &[f32],
        geometry: &CropGeometry,
    ) -> Result<(), PoseError> {
        let expected = mask_texels(geometry);
        if logits.len() != expected {
            return Err(PoseError::OutputSize {
                what: "segmentation",
                expected,
                actual: logits.len(),
            });
        }
        if self.logits.size() < (expected * 4) as u64 {
            self.logits = texel_buffer(gpu, "pose mask logits", expected as u64);
        }
        gpu.queue
            .write_buffer(&self.logits, 0, bytemuck::cast_slice(logits));
        let buffer = self.logits.clone();
        self.encode_buffer(gpu, encoder, &buffer, 1, geometry)
    }

    /// Like `encode`, with logits already on the GPU: mask texel (x, y) is
    /// f32 number `(y·width + x)·stride` of `logits` (a STORAGE buffer).
    /// `stride` is 1 for packed logits and 4 for `GpuExecutor`'s output,
    /// whose last dimension is padded to 4.
    pub fn encode_buffer(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        logits: &wgpu::Buffer,
        stride: u32,
        geometry: &CropGeometry,
    ) -> Result<(), PoseError> {
        let texels = mask_texels(geometry);
        let needed = texels * stride.max(1) as usize;
        let held = (logits.size() / 4) as usize;
        if stride == 0 || held < needed {
            return Err(PoseError::OutputSize {
                what: "segmentation buffer",
                expected: needed,
                actual: held,
            });
        }
        let (width, height) = (geometry.source_width, geometry.source_height);
        gpu.check_texture_size("the person mask", width, height)
            .map_err(gpu_error)?;
        if self.mask_probabilities.size() < (texels * 4) as u64 {
            self.mask_probabilities = texel_buffer(gpu, "pose mask probabilities", texels as u64);
            // The bind groups hold the old buffer.
            if let Some(frames) = &mut self.frames {
                frames.bound = None;
            }
        }
        // Image pixel → mask pixel, the same f32 map as `mask_in_image`.
        let inverse = geometry.output_from_source()?;

        let frames = match &mut self.frames {
            Some(frames)
                if frames.textures[0].width() == width && frames.textures[0].height() == height =>
            {
                frames
            }
            // A new frame size: nothing to blend with, as `smooth_with`.
            stale => stale.insert(MaskFrames {
                textures: [0, 1].map(|_| mask_texture(gpu, width, height)),
                latest: 1,
                has_mask: false,
                bound: None,
            }),
        };
        let params = MaskParams {
            mask_from_image_x: [inverse[0], inverse[1], inverse[2], 0.0],
            mask_from_image_y: [inverse[3], inverse[4], inverse[5], 0.0],
            mask_size: [geometry.output_width, geometry.output_height],
            image_size: [width, height],
            logits_stride: stride,
            has_previous: u32::from(frames.has_mask),
            combine_with_previous_ratio: COMBINE_WITH_PREVIOUS_RATIO,
            _pad0: 0,
        };
        gpu.queue
            .write_buffer(&self.params, 0, bytemuck::bytes_of(&params));
        let target = 1 - frames.latest;
        let groups = match &frames.bound {
            Some((buffer, groups)) if buffer == logits => groups.clone(),
            _ => {
                let views = frames
                    .textures
                    .each_ref()
                    .map(|t| t.create_view(&wgpu::TextureViewDescriptor::default()));
                let group = |write: usize| {
                    layout::bind_group(
                        &gpu.device,
                        "pose mask",
                        &self.layout,
                        &[
                            self.params.as_entire_binding(),
                            logits.as_entire_binding(),
                            wgpu::BindingResource::TextureView(&views[1 - write]),
                            wgpu::BindingResource::TextureView(&views[write]),
                            self.mask_probabilities.as_entire_binding(),
                        ],
                    )
                };
                let groups = [group(0), group(1)];
                frames.bound = Some((logits.clone(), groups.clone()));
                groups
            }
        };
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("pose mask"),
            timestamp_writes: None,
        });
        pass.set_bind_group(0, &groups[target], &[]);
        // wgpu orders the dispatches: `main` reads what `probabilities`
        // wrote.
        pass.set_pipeline(&self.probabilities);
        pass.dispatch_workgroups(
            geometry.output_width.div_ceil(WORKGROUP_SIDE),
            geometry.output_height.div_ceil(WORKGROUP_SIDE),
            1,
        );
        pass.set_pipeline(&self.pipeline);
        pass.dispatch_workgroups(
            width.div_ceil(WORKGROUP_SIDE),
            height.div_ceil(WORKGROUP_SIDE),
            1,
        );
        frames.latest = target;
        frames.has_mask = true;
        Ok(())
    }

    /// The latest mask (R32Float, image size, probabilities in [0, 1]), or
    /// None before the first `encode` and after `reset`. Not filterable:
    /// read it with textureLoad.
    pub fn texture(&self) -> Option<&wgpu::Texture> {
        let frames = self.frames.as_ref()?;
        frames.has_mask.then(|| &frames.textures[frames.latest])
    }

    /// Forgets the previous mask: the next frame is not blended (tracking
    /// lost, a new video).
    pub fn reset(&mut self) {
        if let Some(frames) = &mut self.frames {
            frames.has_mask = false;
        }
    }

    /// Copies the latest mask to the CPU (waits for the GPU): None when
    /// there is none. Submit the `encode` encoder first.
    pub fn read_to_cpu(&mut self, gpu: &GpuContext) -> Result<Option<PersonMask>, PoseError> {
        let Some(texture) = self.texture().cloned() else {
            return Ok(None);
        };
        let bytes = self.readback.read(gpu, &texture).map_err(gpu_error)?;
        let probabilities = bytes
            .chunks_exact(4)
            .map(|b| f32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Ok(Some(PersonMask {
            width: texture.width(),
            height: texture.height(),
            probabilities,
        }))
    }
}

/// The number of logits the crop's output holds.
fn mask_texels(geometry: &CropGeometry) -> usize {
    geometry.output_width as usize * geometry.output_height as usize
}

// PoseError has no GPU variant; the GPU failing under a pose stage is what
// NnError::Gpu already carries.
fn gpu_error(error: GpuError) -> PoseError {
    PoseError::Nn(NnError::Gpu(error))
}

/// A storage buffer of one f32 per mask texel.
fn texel_buffer(gpu: &GpuContext, label: &str, texels: u64) -> wgpu::Buffer {
    gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: texels * 4,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

fn mask_texture(gpu: &GpuContext, width: u32, height: u32) -> wgpu::Texture {
    texture_2d(
        &gpu.device,
        "pose mask",
        (width, height),
        MASK_FORMAT,
        wgpu::TextureUsages::STORAGE_BINDING
            | wgpu::TextureUsages::TEXTURE_BINDING
            | wgpu::TextureUsages::COPY_SRC,
    )
}
