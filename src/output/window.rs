//! `WindowPresenter`: draws the working texture into a surface, letterboxed:
//! a native window's (the event loop that owns it is in `app::window`) or a
//! web page's `<canvas>`.

use super::OutputError;
use crate::gpu::{layout, shaders, GpuContext};

/// Uniforms of blit.wgsl.
// This must be kept in sync with BlitParams in shaders/output/blit.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct BlitParams {
    scale: [f32; 2],
    _padding: [f32; 2],
}

/// A surface (a window's or a canvas's) and the pipeline that fills it.
pub struct WindowPresenter {
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    params: wgpu::Buffer,
    sampler: wgpu::Sampler,
    /// The working texture's view format that matches the surface's
    /// encoding, so bytes pass through unchanged.
    frame_view_format: wgpu::TextureFormat,
}

impl WindowPresenter {
    /// Configures `surface` (made on `gpu.instance`) at `width`×`height`
    /// pixels (a window's inner size, a canvas's size).
    pub fn new(
        gpu: &GpuContext,
        surface: wgpu::Surface<'static>,
        width: u32,
        height: u32,
        vsync: bool,
    ) -> Result<WindowPresenter, OutputError> {
        let mut config = surface
            .get_default_config(&gpu.adapter, width.max(1), height.max(1))
            .ok_or_else(|| {
                OutputError::Window(format!(
                    "the adapter {} cannot present to this window",
                    gpu.info.name
                ))
            })?;
        config.present_mode = if vsync {
            wgpu::PresentMode::AutoVsync
        } else {
            wgpu::PresentMode::AutoNoVsync
        };
        surface.configure(&gpu.device, &config);
        let frame_view_format = if config.format.is_srgb() {
            wgpu::TextureFormat::Rgba8UnormSrgb
        } else {
            wgpu::TextureFormat::Rgba8Unorm
        };

        let device = &gpu.device;
        let module = layout::shader_module(device, "output/blit.wgsl", shaders::BLIT);
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let layout = layout::bind_group_layout(
            device,
            "blit",
            &[
                layout::uniform(0, fragment),
                layout::texture_2d(1, fragment),
                layout::sampler(2, fragment),
            ],
        );
        let pipeline_layout = layout::pipeline_layout(device, "blit", &[&layout]);
        let pipeline =
            layout::RenderPipelineSpec::new("blit", &pipeline_layout, &module, config.format)
                .create(device);
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("blit params"),
            size: std::mem::size_of::<BlitParams>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("blit"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        Ok(WindowPresenter {
            surface,
            config,
            pipeline,
            layout,
            params,
            sampler,
            frame_view_format,
        })
    }

    /// Follows a window resize.
    pub fn resize(&mut self, gpu: &GpuContext, width: u32, height: u32) {
        if width == 0 || height == 0 {
            return; // minimised
        }
        self.config.width = width;
        self.config.height = height;
        self.surface.configure(&gpu.device, &self.config);
    }

    /// Draws `frame` (a working texture) and presents it. A surface that is
    /// lost or outdated is reconfigured and the frame skipped.
    pub fn present(&mut self, gpu: &GpuContext, frame: &wgpu::Texture) -> Result<(), OutputError> {
        let surface_texture = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(t)
            | wgpu::CurrentSurfaceTexture::Suboptimal(t) => t,
            wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => {
                return Ok(());
            }
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                self.surface.configure(&gpu.device, &self.config);
                return Ok(());
            }
            wgpu::CurrentSurfaceTexture::Validation => {
                return Err(OutputError::Window(
                    "the surface reported a validation error".into(),
                ));
            }
        };
        let (fw, fh) = (frame.width() as f32, frame.height() as f32);
        let (ww, wh) = (self.config.width as f32, self.config.height as f32);
        let fit = (ww / fw).min(wh / fh);
        let params = BlitParams {
            scale: [fw * fit / ww, fh * fit / wh],
            _padding: [0.0; 2],
        };
        gpu.queue
            .write_buffer(&self.params, 0, bytemuck::bytes_of(&params));
        let frame_view = frame.create_view(&wgpu::TextureViewDescriptor {
            format: Some(self.frame_view_format),
            // sRGB views cannot be storage views: ask for sampling only.
            usage: Some(wgpu::TextureUsages::TEXTURE_BINDING),
            ..Default::default()
        });
        let bind_group = layout::bind_group(
            &gpu.device,
            "blit",
            &self.layout,
            &[
                self.params.as_entire_binding(),
                wgpu::BindingResource::TextureView(&frame_view),
                wgpu::BindingResource::Sampler(&self.sampler),
            ],
        );
        let target = surface_texture
            .texture
            .create_view(&wgpu::TextureViewDescriptor::default());
        layout::draw_fullscreen(gpu, "blit", &self.pipeline, &bind_group, &target);
        gpu.queue.present(surface_texture);
        Ok(())
    }
}
