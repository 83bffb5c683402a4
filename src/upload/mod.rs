//! Upload: a `Frame`'s bytes go to the GPU as they are, and a compute shader
//! (shaders/upload/convert.wgsl) turns them into the RGBA working texture
//! that every later stage reads. Mirroring happens in the same pass.

pub mod cpu;

use crate::capture::{ColorMatrix, ColorRange, Frame, PixelFormat};
use crate::gpu::{layout, shaders, texture_2d_descriptor, GpuContext, GpuError};

/// The working texture's format. Storage textures cannot be sRGB, so the
/// bytes are the camera's gamma-encoded values, read as-is.
pub const WORKING_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// Uniforms of convert.wgsl.
// This must be kept in sync with ConvertParams in shaders/upload/convert.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ConvertParams {
    pub width: u32,
    pub height: u32,
    pub format: u32,
    pub flags: u32,
    /// R' = Y + x·Cr, G' = Y + y·Cb + z·Cr, B' = Y + w·Cb.
    pub matrix: [f32; 4],
    /// Y = (Y8 - x)·y, C = (C8 - 128)·z.
    pub range: [f32; 4],
}

const FLAG_MIRROR: u32 = 1;

/// The shader's code for each format (FORMAT_* in convert.wgsl).
pub fn format_code(format: PixelFormat) -> u32 {
    match format {
        PixelFormat::Rgba8 => 0,
        PixelFormat::Bgra8 => 1,
        PixelFormat::Rgb8 => 2,
        PixelFormat::Yuyv => 3,
        PixelFormat::Nv12 => 4,
        PixelFormat::I420 => 5,
        PixelFormat::Yuv444 => 6,
        PixelFormat::Gray8 => 7,
    }
}

impl ConvertParams {
    pub fn new(frame: &Frame, mirror: bool) -> ConvertParams {
        // Derived from the luma weights: Kr, Kb (BT.601: 0.299, 0.114;
        // BT.709: 0.2126, 0.0722).
        let (kr, kb) = match frame.color_space.matrix {
            ColorMatrix::Bt601 => (0.299f32, 0.114f32),
            ColorMatrix::Bt709 => (0.2126, 0.0722),
        };
        let kg = 1.0 - kr - kb;
        let matrix = [
            2.0 * (1.0 - kr),
            -2.0 * (1.0 - kb) * kb / kg,
            -2.0 * (1.0 - kr) * kr / kg,
            2.0 * (1.0 - kb),
        ];
        let range = match frame.color_space.range {
            ColorRange::Limited => [16.0, 1.0 / 219.0, 1.0 / 224.0, 0.0],
            ColorRange::Full => [0.0, 1.0 / 255.0, 1.0 / 255.0, 0.0],
        };
        ConvertParams {
            width: frame.width,
            height: frame.height,
            format: format_code(frame.format),
            flags: if mirror { FLAG_MIRROR } else { 0 },
            matrix,
            range,
        }
    }

    /// Y'CbCr bytes → normalised R'G'B', exactly as the shader does it.
    pub fn yuv_to_rgb(&self, y8: f32, u8: f32, v8: f32) -> [f32; 3] {
        let y = (y8 - self.range[0]) * self.range[1];
        let cb = (u8 - 128.0) * self.range[2];
        let cr = (v8 - 128.0) * self.range[2];
        let m = self.matrix;
        [y + m[0] * cr, y + m[1] * cb + m[2] * cr, y + m[3] * cb]
    }
}

/// Options of the upload pass.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct UploadOptions {
    /// Flip left–right, as a mirror shows a person.
    pub mirror: bool,
}

/// Owns the conversion pipeline, the staging buffer for frame bytes and the
/// working texture; all are reused while the frame size stays the same.
pub struct FrameUploader {
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    params: wgpu::Buffer,
    bytes: Option<wgpu::Buffer>,
    working: Option<wgpu::Texture>,
    bind_group: Option<wgpu::BindGroup>,
}

impl FrameUploader {
    pub fn new(gpu: &GpuContext) -> FrameUploader {
        let device = &gpu.device;
        let compute = wgpu::ShaderStages::COMPUTE;
        let (pipeline, layout) = layout::compute_pipeline(
            device,
            "convert",
            shaders::CONVERT,
            &[
                layout::uniform(0, compute),
                layout::storage(1, compute, true),
                layout::storage_texture_2d(2, compute, WORKING_FORMAT),
            ],
        );
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("convert params"),
            size: std::mem::size_of::<ConvertParams>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        FrameUploader {
            pipeline,
            layout,
            params,
            bytes: None,
            working: None,
            bind_group: None,
        }
    }

    /// Uploads `frame` and records its conversion into `encoder`. The
    /// returned working texture holds the frame once `encoder` is submitted.
    pub fn encode(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        frame: &Frame,
        options: &UploadOptions,
    ) -> Result<wgpu::Texture, GpuError> {
        gpu.check_texture_size("the frame", frame.width, frame.height)?;
        let expected = frame.format.frame_len(frame.width, frame.height);
        if frame.data.len() != expected {
            return Err(GpuError::InvalidFrame(format!(
                "a {}x{} {} frame needs {expected} bytes, got {}",
                frame.width,
                frame.height,
                frame.format,
                frame.data.len()
            )));
        }
        let byte_capacity = (expected as u64).div_ceil(4) * 4;
        let max_binding = gpu.device.limits().max_storage_buffer_binding_size;
        if byte_capacity > max_binding {
            return Err(GpuError::TooLarge {
                what: format!("the {} frame", frame.format),
                width: frame.width,
                height: frame.height,
                limit: gpu.device.limits().max_texture_dimension_2d,
            });
        }
        let (bytes, working, bind_group) =
            self.ensure_resources(gpu, frame.width, frame.height, byte_capacity);
        if frame.format == PixelFormat::Rgba8 && !options.mirror {
            // Already the working format: copy it in, no conversion pass
            // (decoded images and files; cameras send YUV).
            gpu.queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &working,
                    mip_level: 0,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                &frame.data,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(frame.width * 4),
                    rows_per_image: Some(frame.height),
                },
                wgpu::Extent3d {
                    width: frame.width,
                    height: frame.height,
                    depth_or_array_layers: 1,
                },
            );
            return Ok(working);
        }

        let params = ConvertParams::new(frame, options.mirror);
        gpu.queue
            .write_buffer(&self.params, 0, bytemuck::bytes_of(&params));
        // Buffer writes must be whole words: the ragged tail goes separately,
        // zero-padded, to avoid copying the frame.
        let whole = frame.data.len() & !3;
        if whole > 0 {
            gpu.queue.write_buffer(&bytes, 0, &frame.data[..whole]);
        }
        if whole < frame.data.len() {
            let mut tail = [0u8; 4];
            tail[..frame.data.len() - whole].copy_from_slice(&frame.data[whole..]);
            gpu.queue.write_buffer(&bytes, whole as u64, &tail);
        }

        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("convert"),
            timestamp_writes: None,
        });
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(frame.width.div_ceil(8), frame.height.div_ceil(8), 1);
        drop(pass);
        Ok(working)
    }

    /// Uploads and converts `frame` in a submission of its own.
    pub fn upload(
        &mut self,
        gpu: &GpuContext,
        frame: &Frame,
        options: &UploadOptions,
    ) -> Result<wgpu::Texture, GpuError> {
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("upload"),
            });
        let texture = self.encode(gpu, &mut encoder, frame, options)?;
        gpu.queue.submit([encoder.finish()]);
        Ok(texture)
    }

    /// The frame-bytes buffer, working texture and bind group for this
    /// frame size, made anew only when the size grows or changes.
    fn ensure_resources(
        &mut self,
        gpu: &GpuContext,
        width: u32,
        height: u32,
        byte_capacity: u64,
    ) -> (wgpu::Buffer, wgpu::Texture, wgpu::BindGroup) {
        let bytes = match &self.bytes {
            Some(b) if b.size() >= byte_capacity => b.clone(),
            _ => {
                self.bind_group = None;
                gpu.device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("frame bytes"),
                    size: byte_capacity,
                    usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                })
            }
        };
        let working = match &self.working {
            Some(t) if (t.width(), t.height()) == (width, height) => t.clone(),
            _ => {
                self.bind_group = None;
                let usage = wgpu::TextureUsages::STORAGE_BINDING
                    | wgpu::TextureUsages::TEXTURE_BINDING
                    | wgpu::TextureUsages::COPY_SRC
                    | wgpu::TextureUsages::COPY_DST
                    | wgpu::TextureUsages::RENDER_ATTACHMENT;
                gpu.device.create_texture(&wgpu::TextureDescriptor {
                    view_formats: &[wgpu::TextureFormat::Rgba8UnormSrgb],
                    ..texture_2d_descriptor("working frame", (width, height), WORKING_FORMAT, usage)
                })
            }
        };
        let bind_group = match &self.bind_group {
            Some(g) => g.clone(),
            None => {
                let view = working.create_view(&wgpu::TextureViewDescriptor::default());
                layout::bind_group(
                    &gpu.device,
                    "convert",
                    &self.layout,
                    &[
                        self.params.as_entire_binding(),
                        bytes.as_entire_binding(),
                        wgpu::BindingResource::TextureView(&view),
                    ],
                )
            }
        };
        self.bytes = Some(bytes.clone());
        self.working = Some(working.clone());
        self.bind_group = Some(bind_group.clone());
        (bytes, working, bind_group)
    }
}
