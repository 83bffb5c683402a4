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
///
/// A frame whose bytes do not fit one storage-buffer binding (6000×6000
/// RGBA is 144 MB; many GPUs bind 128 MB) is converted in bands of rows,
/// each from a buffer of its own into a band texture copied into place.
pub struct FrameUploader {
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    params: wgpu::Buffer,
    bytes: Option<wgpu::Buffer>,
    working: Option<wgpu::Texture>,
    bind_group: Option<wgpu::BindGroup>,
    /// The resources of a banded conversion, kept while the frame's size
    /// and format stay.
    bands: Option<Bands>,
    /// The most bytes one conversion may bind (`None`: the device's limit).
    max_binding_bytes: Option<u64>,
}

/// A band of rows of a frame converted on its own.
struct Band {
    first_row: u32,
    rows: u32,
    params: wgpu::Buffer,
    bytes: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
}

/// Every band of one frame size and format, and the texture each band is
/// converted into before it is copied into the working texture.
struct Bands {
    key: (u32, u32, PixelFormat, u64),
    texture: wgpu::Texture,
    bands: Vec<Band>,
    /// Reused buffer for a planar band's bytes gathered from its planes.
    gathered: Vec<u8>,
}

/// The rows of each band when a `width`×`height` frame in `format` is
/// converted at most `limit_bytes` at a time: even counts, so that 4:2:0
/// chroma rows are never split; one band when the whole frame fits.
/// `None` when not even two rows fit.
pub fn plan_bands(
    format: PixelFormat,
    width: u32,
    height: u32,
    limit_bytes: u64,
) -> Option<Vec<(u32, u32)>> {
    // Buffer writes are whole words: a band's bytes are rounded up to 4.
    let limit = limit_bytes & !3;
    if (format.frame_len(width, height) as u64).div_ceil(4) * 4 <= limit_bytes {
        return Some(vec![(0, height)]);
    }
    // Every format's bytes grow by the same amount for each 2 rows.
    let pair_len = format.frame_len(width, 2) as u64;
    let rows = u32::try_from(limit / pair_len * 2).unwrap_or(u32::MAX);
    if rows == 0 {
        return None;
    }
    Some(
        (0..height)
            .step_by(rows as usize)
            .map(|first| (first, rows.min(height - first)))
            .collect(),
    )
}

/// The bytes of rows `first..first + rows` of `frame`, laid out as a frame
/// of that many rows (each plane's share of them, plane after plane).
/// `first` is even.
fn band_bytes<'a>(frame: &'a Frame, first: u32, rows: u32, gathered: &'a mut Vec<u8>) -> &'a [u8] {
    let (w, h) = (frame.width as usize, frame.height as usize);
    let (first, rows) = (first as usize, rows as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    // (plane start, plane row length, first row, rows) of each plane.
    let planes: Vec<(usize, usize, usize, usize)> = match frame.format {
        PixelFormat::I420 => vec![
            (0, w, first, rows),
            (w * h, cw, first / 2, rows.div_ceil(2)),
            (w * h + cw * ch, cw, first / 2, rows.div_ceil(2)),
        ],
        PixelFormat::Nv12 => vec![
            (0, w, first, rows),
            (w * h, cw * 2, first / 2, rows.div_ceil(2)),
        ],
        PixelFormat::Yuv444 => (0..3).map(|p| (p * w * h, w, first, rows)).collect(),
        packed => {
            let row = packed.frame_len(frame.width, 1);
            return &frame.data[first * row..(first + rows) * row];
        }
    };
    gathered.clear();
    for (start, row, first, rows) in planes {
        gathered.extend_from_slice(&frame.data[start + first * row..start + (first + rows) * row]);
    }
    gathered
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
            bands: None,
            max_binding_bytes: None,
        }
    }

    /// Converts at most `bytes` of a frame at a time (tests use it to run
    /// the banded conversion on small frames); `None`: as much as the
    /// device binds in one storage buffer.
    pub fn set_max_binding_bytes(&mut self, bytes: Option<u64>) {
        self.max_binding_bytes = bytes;
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
        if frame.format == PixelFormat::Rgba8 && !options.mirror {
            // Already the working format: copy it in, no conversion pass
            // and no storage buffer (decoded images and files; cameras
            // send YUV).
            let working = self.ensure_working(gpu, frame.width, frame.height);
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
        let limits = gpu.device.limits();
        let limit = self
            .max_binding_bytes
            .unwrap_or(limits.max_storage_buffer_binding_size)
            .min(limits.max_buffer_size);
        let bands =
            plan_bands(frame.format, frame.width, frame.height, limit).ok_or_else(|| {
                GpuError::InvalidFrame(format!(
                "two rows of a {}x{} {} frame take more than this GPU's storage-buffer limit of \
                 {limit} bytes: give a smaller --size, or scale it first (ffmpeg -vf scale=W:H)",
                frame.width, frame.height, frame.format
            ))
            })?;
        if bands.len() > 1 {
            return Ok(self.encode_bands(gpu, encoder, frame, options, &bands, limit));
        }
        let byte_capacity = (expected as u64).div_ceil(4) * 4;
        let (bytes, working, bind_group) =
            self.ensure_resources(gpu, frame.width, frame.height, byte_capacity);

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

    /// Records the conversion of `frame` band by band (`bands` from
    /// `plan_bands`): each band's bytes and parameters go to buffers of
    /// its own (queued writes all land before the encoder runs), it is
    /// converted into the band texture, then copied to its rows of the
    /// working texture. Mirroring flips within rows, so bands do not
    /// change it.
    fn encode_bands(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        frame: &Frame,
        options: &UploadOptions,
        bands: &[(u32, u32)],
        limit: u64,
    ) -> wgpu::Texture {
        let working = self.ensure_working(gpu, frame.width, frame.height);
        let key = (frame.width, frame.height, frame.format, limit);
        if self.bands.as_ref().is_none_or(|b| b.key != key) {
            self.bands = Some(self.make_bands(gpu, frame, bands, key));
        }
        let Some(set) = self.bands.as_mut() else {
            return working;
        };
        let mut params = ConvertParams::new(frame, options.mirror);
        for band in &set.bands {
            params.height = band.rows;
            gpu.queue
                .write_buffer(&band.params, 0, bytemuck::bytes_of(&params));
            let bytes = band_bytes(frame, band.first_row, band.rows, &mut set.gathered);
            let whole = bytes.len() & !3;
            if whole > 0 {
                gpu.queue.write_buffer(&band.bytes, 0, &bytes[..whole]);
            }
            if whole < bytes.len() {
                let mut tail = [0u8; 4];
                tail[..bytes.len() - whole].copy_from_slice(&bytes[whole..]);
                gpu.queue.write_buffer(&band.bytes, whole as u64, &tail);
            }
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("convert band"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(&self.pipeline);
                pass.set_bind_group(0, &band.bind_group, &[]);
                pass.dispatch_workgroups(frame.width.div_ceil(8), band.rows.div_ceil(8), 1);
            }
            encoder.copy_texture_to_texture(
                set.texture.as_image_copy(),
                wgpu::TexelCopyTextureInfo {
                    texture: &working,
                    mip_level: 0,
                    origin: wgpu::Origin3d {
                        x: 0,
                        y: band.first_row,
                        z: 0,
                    },
                    aspect: wgpu::TextureAspect::All,
                },
                wgpu::Extent3d {
                    width: frame.width,
                    height: band.rows,
                    depth_or_array_layers: 1,
                },
            );
        }
        working
    }

    fn make_bands(
        &self,
        gpu: &GpuContext,
        frame: &Frame,
        bands: &[(u32, u32)],
        key: (u32, u32, PixelFormat, u64),
    ) -> Bands {
        let device = &gpu.device;
        let rows_max = bands.iter().map(|&(_, rows)| rows).max().unwrap_or(1);
        let texture = device.create_texture(&texture_2d_descriptor(
            "frame band",
            (frame.width, rows_max),
            WORKING_FORMAT,
            wgpu::TextureUsages::STORAGE_BINDING | wgpu::TextureUsages::COPY_SRC,
        ));
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let bands = bands
            .iter()
            .map(|&(first_row, rows)| {
                let params = device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("convert band params"),
                    size: std::mem::size_of::<ConvertParams>() as u64,
                    usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                });
                let bytes = device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("frame band bytes"),
                    size: (frame.format.frame_len(frame.width, rows) as u64).div_ceil(4) * 4,
                    usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                });
                let bind_group = layout::bind_group(
                    device,
                    "convert band",
                    &self.layout,
                    &[
                        params.as_entire_binding(),
                        bytes.as_entire_binding(),
                        wgpu::BindingResource::TextureView(&view),
                    ],
                );
                Band {
                    first_row,
                    rows,
                    params,
                    bytes,
                    bind_group,
                }
            })
            .collect();
        Bands {
            key,
            texture,
            bands,
            gathered: Vec::new(),
        }
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

    /// The working texture for this frame size, made anew only when the
    /// size changes (which also drops the bind group that writes it).
    fn ensure_working(&mut self, gpu: &GpuContext, width: u32, height: u32) -> wgpu::Texture {
        match &self.working {
            Some(t) if (t.width(), t.height()) == (width, height) => t.clone(),
            _ => {
                self.bind_group = None;
                let usage = wgpu::TextureUsages::STORAGE_BINDING
                    | wgpu::TextureUsages::TEXTURE_BINDING
                    | wgpu::TextureUsages::COPY_SRC
                    | wgpu::TextureUsages::COPY_DST
                    | wgpu::TextureUsages::RENDER_ATTACHMENT;
                let working = gpu.device.create_texture(&wgpu::TextureDescriptor {
                    view_formats: &[wgpu::TextureFormat::Rgba8UnormSrgb],
                    ..texture_2d_descriptor("working frame", (width, height), WORKING_FORMAT, usage)
                });
                self.working = Some(working.clone());
                working
            }
        }
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
        let working = self.ensure_working(gpu, width, height);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_whole_row_pairs_within_the_limit() {
        // 6000x6000 RGBA is 144 MB: two bands under 128 MiB.
        let bands = plan_bands(PixelFormat::Rgba8, 6000, 6000, 128 << 20).unwrap();
        assert_eq!(bands.len(), 2);
        assert_eq!(bands.iter().map(|b| b.1).sum::<u32>(), 6000);
        for (format, width, height, limit) in [
            (PixelFormat::I420, 37, 23, 300),
            (PixelFormat::Nv12, 64, 48, 1000),
            (PixelFormat::Rgb8, 5, 7, 64),
            (PixelFormat::Yuyv, 10, 9, 100),
        ] {
            let bands = plan_bands(format, width, height, limit).unwrap();
            let mut next = 0;
            for &(first, rows) in &bands {
                assert_eq!(first, next, "{format} bands follow on");
                assert_eq!(first % 2, 0, "{format} bands start on an even row");
                assert!(
                    (format.frame_len(width, rows) as u64).div_ceil(4) * 4 <= limit,
                    "{format} {rows} rows fit {limit} bytes"
                );
                next = first + rows;
            }
            assert_eq!(next, height);
        }
        assert_eq!(
            plan_bands(PixelFormat::Gray8, 4, 4, 64),
            Some(vec![(0, 4)]),
            "a frame that fits is one band"
        );
        assert_eq!(plan_bands(PixelFormat::Rgba8, 100, 4, 700), None);
    }
}
