//! `ScreenRenderer`: the kiosk's whole screen in one pass on the GPU (see
//! shaders/kiosk/screen.wgsl): the picture covering the canvas, the UI
//! layer over it, the hover ring, the flash, all turned by the monitor's
//! rotation. `screen_cpu` draws the same pixels in plain Rust for the
//! tests.

use glam::Vec2;
use wgpu::util::DeviceExt;

use super::layout::{PictureFit, Rotation};
use crate::gpu::{layout, shaders, texture_2d_descriptor, GpuContext, GpuError};

/// The hover ring: where, how big, how full.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ring {
    /// Centre, canvas pixels.
    pub centre_px: Vec2,
    /// Radius to the middle of the stroke, canvas pixels.
    pub radius_px: f32,
    /// Stroke width, canvas pixels.
    pub stroke_px: f32,
    /// How much is filled, 0..1, clockwise from twelve o'clock.
    pub fraction: f32,
    /// The filled part's colour (sRGB).
    pub colour: [u8; 3],
}

/// What one screen shows besides the UI layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScreenParams {
    /// How the canvas is turned on the screen.
    pub rotation: Rotation,
    /// How much the picture is darkened, 0..1 (attract mode dims it).
    pub dim: f32,
    /// The snapshot's flash: white over everything, 0..1.
    pub flash: f32,
    /// The hover ring, if a hand (or the pointer) hovers an item.
    pub ring: Option<Ring>,
    /// The colour where there is no picture (sRGB).
    pub background: [u8; 3],
}

/// Uniforms of screen.wgsl.
// This must be kept in sync with ScreenParams in shaders/kiosk/screen.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct ScreenUniforms {
    mode: [f32; 4],
    picture_scale_canvas_px: [f32; 4],
    ring_geometry: [f32; 4],
    ring_colour_fraction: [f32; 4],
    background: [f32; 4],
}

fn unit(c: [u8; 3]) -> [f32; 3] {
    c.map(|v| f32::from(v) / 255.0)
}

impl ScreenUniforms {
    fn new(params: &ScreenParams, fit: Option<&PictureFit>, canvas: (u32, u32)) -> ScreenUniforms {
        let quarter_turns = (params.rotation.degrees() / 90) as f32;
        let scale = fit.map_or(Vec2::ONE, |f| f.scale);
        let (ring_geometry, ring_colour_fraction) = match &params.ring {
            Some(r) => {
                let [cr, cg, cb] = unit(r.colour);
                (
                    [r.centre_px.x, r.centre_px.y, r.radius_px, r.stroke_px],
                    [cr, cg, cb, r.fraction.clamp(0.0, 1.0)],
                )
            }
            None => ([0.0; 4], [0.0, 0.0, 0.0, -1.0]),
        };
        let [br, bg, bb] = unit(params.background);
        ScreenUniforms {
            mode: [
                quarter_turns,
                if fit.is_some() { 1.0 } else { 0.0 },
                params.dim.clamp(0.0, 1.0),
                params.flash.clamp(0.0, 1.0),
            ],
            picture_scale_canvas_px: [scale.x, scale.y, canvas.0 as f32, canvas.1 as f32],
            ring_geometry,
            ring_colour_fraction,
            background: [br, bg, bb, 0.0],
        }
    }
}

/// The UI layer on the GPU, replaced when the CPU draws a new one.
struct UiLayer {
    texture: wgpu::Texture,
}

/// Draws the kiosk's screen (see the module's documentation). Keeps one
/// output texture and one UI texture, each made again only when the size
/// changes: nothing grows with time.
pub struct ScreenRenderer {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    uniforms: wgpu::Buffer,
    sampler: wgpu::Sampler,
    ui: UiLayer,
    /// Stands in for the picture when there is none.
    no_picture: wgpu::Texture,
    output: Option<wgpu::Texture>,
}

/// The format of the screen texture; read through an sRGB view when the
/// window's surface is sRGB, as every working texture is.
pub const SCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

impl ScreenRenderer {
    /// The pipeline and an empty UI layer.
    pub fn new(gpu: &GpuContext) -> ScreenRenderer {
        let device = &gpu.device;
        let module = layout::shader_module(device, "kiosk/screen.wgsl", shaders::KIOSK_SCREEN);
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let bind_layout = layout::bind_group_layout(
            device,
            "kiosk screen",
            &[
                layout::uniform(0, fragment),
                layout::texture_2d(1, fragment),
                layout::texture_2d(2, fragment),
                layout::sampler(3, fragment),
            ],
        );
        let pipeline_layout = layout::pipeline_layout(device, "kiosk screen", &[&bind_layout]);
        let pipeline = layout::RenderPipelineSpec::new(
            "kiosk screen",
            &pipeline_layout,
            &module,
            SCREEN_FORMAT,
        )
        .create(device);
        let uniforms = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("kiosk screen params"),
            size: std::mem::size_of::<ScreenUniforms>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("kiosk screen"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        let pixel = |label| {
            device.create_texture_with_data(
                &gpu.queue,
                &texture_2d_descriptor(
                    label,
                    (1, 1),
                    wgpu::TextureFormat::Rgba8Unorm,
                    wgpu::TextureUsages::TEXTURE_BINDING,
                ),
                wgpu::util::TextureDataOrder::LayerMajor,
                &[0, 0, 0, 0],
            )
        };
        ScreenRenderer {
            pipeline,
            layout: bind_layout,
            uniforms,
            sampler,
            ui: UiLayer {
                texture: pixel("kiosk ui (empty)"),
            },
            no_picture: pixel("kiosk no picture"),
            output: None,
        }
    }

    /// Replaces the UI layer: `rgba` is premultiplied, `size` the canvas.
    pub fn set_ui(
        &mut self,
        gpu: &GpuContext,
        rgba: &[u8],
        size: (u32, u32),
    ) -> Result<(), GpuError> {
        gpu.check_texture_size("the kiosk's UI layer", size.0, size.1)?;
        let texture = &self.ui.texture;
        if (texture.width(), texture.height()) != size {
            self.ui.texture = gpu.device.create_texture(&texture_2d_descriptor(
                "kiosk ui",
                size,
                wgpu::TextureFormat::Rgba8Unorm,
                wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            ));
        }
        gpu.queue.write_texture(
            self.ui.texture.as_image_copy(),
            rgba,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(size.0 * 4),
                rows_per_image: Some(size.1),
            },
            wgpu::Extent3d {
                width: size.0,
                height: size.1,
                depth_or_array_layers: 1,
            },
        );
        Ok(())
    }

    /// Draws the screen, `screen` pixels, from `picture` (any working
    /// texture) and the UI layer; returns the screen texture (the same one
    /// each time while the size stays).
    pub fn render(
        &mut self,
        gpu: &GpuContext,
        picture: Option<&wgpu::Texture>,
        screen: (u32, u32),
        params: &ScreenParams,
    ) -> Result<wgpu::Texture, GpuError> {
        gpu.check_texture_size("the kiosk's screen", screen.0, screen.1)?;
        let canvas = params.rotation.canvas_size(screen);
        let fit = picture.map(|p| PictureFit::cover((p.width(), p.height()), canvas));
        let uniforms = ScreenUniforms::new(params, fit.as_ref(), canvas);
        gpu.queue
            .write_buffer(&self.uniforms, 0, bytemuck::bytes_of(&uniforms));
        let output = match &self.output {
            Some(t) if (t.width(), t.height()) == screen => t.clone(),
            _ => {
                let texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
                    view_formats: &[wgpu::TextureFormat::Rgba8UnormSrgb],
                    ..texture_2d_descriptor(
                        "kiosk screen",
                        screen,
                        SCREEN_FORMAT,
                        wgpu::TextureUsages::RENDER_ATTACHMENT
                            | wgpu::TextureUsages::TEXTURE_BINDING
                            | wgpu::TextureUsages::COPY_SRC,
                    )
                });
                self.output = Some(texture.clone());
                texture
            }
        };
        let picture_view =
            picture
                .unwrap_or(&self.no_picture)
                .create_view(&wgpu::TextureViewDescriptor {
                    format: Some(wgpu::TextureFormat::Rgba8Unorm),
                    usage: Some(wgpu::TextureUsages::TEXTURE_BINDING),
                    ..Default::default()
                });
        let ui_view = self.ui.texture.create_view(&Default::default());
        let bind_group = layout::bind_group(
            &gpu.device,
            "kiosk screen",
            &self.layout,
            &[
                self.uniforms.as_entire_binding(),
                wgpu::BindingResource::TextureView(&picture_view),
                wgpu::BindingResource::TextureView(&ui_view),
                wgpu::BindingResource::Sampler(&self.sampler),
            ],
        );
        let target = output.create_view(&Default::default());
        layout::draw_fullscreen(gpu, "kiosk screen", &self.pipeline, &bind_group, &target);
        Ok(output)
    }
}

internal! {
/// screen.wgsl in plain Rust, sampling with nearest neighbours (the
/// shader filters linearly: compare away from edges, with a tolerance):
/// `picture` is tightly packed RGBA (`picture_size`), `ui` premultiplied
/// RGBA at the canvas size. Returns the screen's RGBA.
pub fn screen_cpu(
    picture: Option<(&[u8], (u32, u32))>,
    ui: &[u8],
    screen: (u32, u32),
    params: &ScreenParams,
) -> Vec<u8> {
    let canvas = params.rotation.canvas_size(screen);
    let fit = picture.map(|(_, size)| PictureFit::cover(size, canvas));
    let mut out = vec![0u8; screen.0 as usize * screen.1 as usize * 4];
    let sample = |rgba: &[u8], size: (u32, u32), uv: Vec2| -> [f32; 4] {
        let x = ((uv.x * size.0 as f32) as i64).clamp(0, i64::from(size.0) - 1) as usize;
        let y = ((uv.y * size.1 as f32) as i64).clamp(0, i64::from(size.1) - 1) as usize;
        let i = (y * size.0 as usize + x) * 4;
        [0, 1, 2, 3].map(|c| f32::from(rgba[i + c]) / 255.0)
    };
    for sy in 0..screen.1 {
        for sx in 0..screen.0 {
            let screen_uv = Vec2::new(
                (sx as f32 + 0.5) / screen.0 as f32,
                (sy as f32 + 0.5) / screen.1 as f32,
            );
            let canvas_uv = params.rotation.canvas_from_screen(screen_uv);
            let mut colour = unit(params.background);
            if let (Some((rgba, size)), Some(fit)) = (picture, &fit) {
                let s = sample(rgba, size, fit.picture_from_canvas(canvas_uv));
                colour = [0, 1, 2].map(|c| s[c] * (1.0 - params.dim.clamp(0.0, 1.0)));
            }
            let layer = sample(ui, canvas, canvas_uv);
            colour = [0, 1, 2].map(|c| layer[c] + colour[c] * (1.0 - layer[3]));
            if let Some(ring) = &params.ring {
                let p = canvas_uv * Vec2::new(canvas.0 as f32, canvas.1 as f32);
                let offset = p - ring.centre_px;
                let edge = (offset.length() - ring.radius_px).abs() - 0.5 * ring.stroke_px;
                let cover = (0.5 - edge).clamp(0.0, 1.0);
                let turn = (offset.x.atan2(-offset.y) / std::f32::consts::TAU + 1.0).fract();
                let filled = if turn <= ring.fraction.clamp(0.0, 1.0) { cover } else { 0.0 };
                let ink = unit(ring.colour);
                colour = [0, 1, 2].map(|c| {
                    let tracked = colour[c] + (1.0 - colour[c]) * 0.35 * (cover - filled);
                    tracked + (ink[c] - tracked) * filled
                });
            }
            let flash = params.flash.clamp(0.0, 1.0);
            let i = (sy as usize * screen.0 as usize + sx as usize) * 4;
            for c in 0..3 {
                let v = colour[c] + (1.0 - colour[c]) * flash;
                out[i + c] = (v * 255.0).round().clamp(0.0, 255.0) as u8;
            }
            out[i + 3] = 255;
        }
    }
    out
}
}
