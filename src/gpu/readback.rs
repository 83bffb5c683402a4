//! Copies results back to the CPU: any mappable buffer, and RGBA8 textures
//! for the sinks that must encode a frame (files, pipes).

use std::ops::Range;

use super::{GpuContext, GpuError};

/// Maps `range` of `buffer` (a `MAP_READ` buffer whose copies are already
/// submitted), waits for the GPU, hands the mapped bytes to `read` and
/// unmaps the buffer again.
pub fn read_mapped<T>(
    gpu: &GpuContext,
    buffer: &wgpu::Buffer,
    range: Range<u64>,
    read: impl FnOnce(&[u8]) -> T,
) -> Result<T, GpuError> {
    let (sender, receiver) = std::sync::mpsc::channel();
    buffer.map_async(wgpu::MapMode::Read, range.clone(), move |result| {
        let _ = sender.send(result);
    });
    gpu.wait_idle()?;
    receiver
        .recv()
        .map_err(|e| GpuError::Readback(e.to_string()))?
        .map_err(|e| GpuError::Readback(e.to_string()))?;
    let value = {
        let mapped = buffer
            .get_mapped_range(range)
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        read(&mapped)
    };
    buffer.unmap();
    Ok(value)
}

/// A reusable texture-to-CPU copier (the staging buffer is kept between
/// frames) for 4-byte-per-pixel textures.
#[derive(Default)]
pub struct TextureReadback {
    staging: Option<(wgpu::Buffer, u64)>,
}

impl TextureReadback {
    /// A readback with no staging buffer yet (made on the first read).
    pub fn new() -> TextureReadback {
        TextureReadback::default()
    }

    /// Reads the whole of `texture` (a 4-byte format such as `Rgba8Unorm`)
    /// into `out` as tightly packed rows.
    pub fn read_into(
        &mut self,
        gpu: &GpuContext,
        texture: &wgpu::Texture,
        out: &mut Vec<u8>,
    ) -> Result<(), GpuError> {
        let (width, height) = (texture.width(), texture.height());
        let row_bytes = width * 4;
        // Copies need rows aligned to 256 bytes; padding is dropped below.
        let padded_row_bytes = row_bytes.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT)
            * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
        let size = padded_row_bytes as u64 * height as u64;
        let staging = match &self.staging {
            Some((buffer, capacity)) if *capacity >= size => buffer.clone(),
            _ => {
                let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("readback staging"),
                    size,
                    usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
                    mapped_at_creation: false,
                });
                self.staging = Some((buffer.clone(), size));
                buffer
            }
        };
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("readback"),
            });
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &staging,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded_row_bytes),
                    rows_per_image: Some(height),
                },
            },
            texture.size(),
        );
        gpu.queue.submit([encoder.finish()]);

        read_mapped(gpu, &staging, 0..size, |mapped| {
            out.clear();
            out.reserve(row_bytes as usize * height as usize);
            for row in mapped.chunks_exact(padded_row_bytes as usize) {
                out.extend_from_slice(&row[..row_bytes as usize]);
            }
        })
    }

    /// Like `read_into`, into a new vector.
    pub fn read(&mut self, gpu: &GpuContext, texture: &wgpu::Texture) -> Result<Vec<u8>, GpuError> {
        let mut out = Vec::new();
        self.read_into(gpu, texture, &mut out)?;
        Ok(out)
    }
}
