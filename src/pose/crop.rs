//! The landmark model's input: the rotated region of interest cut out of the
//! frame and resampled to 256×256, as MediaPipe's ImageToTensorCalculator
//! does it on the CPU (OpenCV converter, `keep_aspect_ratio: true`,
//! values in [0, 1]).
//!
//! MediaPipe's crop is `cv::warpPerspective` on 8-bit pixels with
//! INTER_LINEAR: an output pixel's index (x, y) maps to source pixel
//! coordinates with pixel centres at integers, the position is rounded to
//! 1/32 pixel, the four taps are blended with integer weights and the result
//! is rounded to 8 bits. Reproducing that, rather than a textbook bilinear
//! with half-pixel centres, keeps the network's input bit-identical.
//!
//! Two twins do the arithmetic: `crop_cpu` here and shaders/pose/crop.wgsl
//! (`RoiCropper`), which reads the working texture and writes the GPU
//! executor's input buffer directly.

use super::types::NormalizedRect;
use super::PoseError;
use crate::gpu::{layout, shaders, GpuContext};

/// The side of the landmark models' square input, in pixels.
pub const LANDMARK_INPUT_SIZE: u32 = 256;

/// What the crop reads outside the frame (the region often extends beyond
/// it: half-body photos, people at the edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CropBorder {
    /// The nearest edge pixel (OpenCV's BORDER_REPLICATE): what MediaPipe's
    /// landmark graph uses, its ImageToTensorCalculator's default (the graph
    /// sets no border_mode). On the reference stills a black border moves
    /// the landmarks by up to 0.09 of the image; this one matches to 5e-4.
    #[default]
    Replicate,
    /// Black (BORDER_ZERO, OpenCV's BORDER_CONSTANT with 0).
    Zero,
}

impl CropBorder {
    /// The code crop.wgsl knows it by (BORDER_*).
    fn code(self) -> u32 {
        match self {
            CropBorder::Replicate => 0,
            CropBorder::Zero => 1,
        }
    }
}

/// Where a crop samples: the affine map from output pixels to source
/// pixels, and the letterbox padding that keeping the aspect ratio added.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CropGeometry {
    /// Source pixel coordinates of output pixel index (x, y), pixel centres
    /// at integers: `sx = m[0]·x + m[1]·y + m[2]`, `sy = m[3]·x + m[4]·y + m[5]`.
    pub source_from_output: [f32; 6],
    /// Padding [left, top, right, bottom] around the region, as fractions of
    /// the padded crop (MediaPipe's LETTERBOX_PADDING); 0 for a region that
    /// is square in pixels.
    pub letterbox: [f32; 4],
    pub source_width: u32,
    pub source_height: u32,
    pub output_width: u32,
    pub output_height: u32,
}

impl CropGeometry {
    /// The crop of `rect` (normalised to a `source_width`×`source_height`
    /// image) into `output_width`×`output_height`, the region first widened
    /// or heightened to the output's aspect ratio as MediaPipe's `PadRoi`.
    pub fn new(
        rect: &NormalizedRect,
        source_width: u32,
        source_height: u32,
        output_width: u32,
        output_height: u32,
    ) -> Result<CropGeometry, PoseError> {
        let finite = [rect.x_center, rect.y_center, rect.width, rect.height]
            .iter()
            .chain([&rect.rotation])
            .all(|v| v.is_finite());
        if !finite || rect.width <= 0.0 || rect.height <= 0.0 {
            return Err(PoseError::Crop(format!("invalid region {rect:?}")));
        }
        if source_width == 0 || source_height == 0 || output_width == 0 || output_height == 0 {
            return Err(PoseError::Crop(format!(
                "a {source_width}x{source_height} image into {output_width}x{output_height}"
            )));
        }
        // MediaPipe's GetRoi and PadRoi, in f32 as there.
        let mut width_px = rect.width * source_width as f32;
        let mut height_px = rect.height * source_height as f32;
        let tensor_aspect = output_height as f32 / output_width as f32;
        let roi_aspect = height_px / width_px;
        let mut letterbox = [0.0f32; 4];
        if tensor_aspect > roi_aspect {
            height_px = width_px * tensor_aspect;
            let vertical = (1.0 - roi_aspect / tensor_aspect) / 2.0;
            letterbox[1] = vertical;
            letterbox[3] = vertical;
        } else {
            width_px = height_px / tensor_aspect;
            let horizontal = (1.0 - tensor_aspect / roi_aspect) / 2.0;
            letterbox[0] = horizontal;
            letterbox[2] = horizontal;
        }
        // Output (0, 0) is the region's top-left corner and (W, H) its
        // bottom-right (OpenCV's boxPoints onto the output's corners); the
        // rotation turns the region's x axis towards the image's +y.
        let (sin, cos) = (rect.rotation as f64).sin_cos();
        let (w, h) = (width_px as f64, height_px as f64);
        let cx = rect.x_center as f64 * source_width as f64;
        let cy = rect.y_center as f64 * source_height as f64;
        let (ow, oh) = (output_width as f64, output_height as f64);
        let m = [
            cos * w / ow,
            -sin * h / oh,
            cx - 0.5 * cos * w + 0.5 * sin * h,
            sin * w / ow,
            cos * h / oh,
            cy - 0.5 * sin * w - 0.5 * cos * h,
        ];
        Ok(CropGeometry {
            source_from_output: m.map(|v| v as f32),
            letterbox,
            source_width,
            source_height,
            output_width,
            output_height,
        })
    }

    /// The inverse of `source_from_output`: output pixel coordinates of a
    /// source pixel, in the same layout. Fails for a region with no area.
    pub fn output_from_source(&self) -> Result<[f32; 6], PoseError> {
        let m = self.source_from_output;
        let det = m[0] * m[4] - m[1] * m[3];
        if det.abs() < f32::EPSILON {
            return Err(PoseError::Crop("the region has no area".into()));
        }
        Ok([
            m[4] / det,
            -m[1] / det,
            (m[1] * m[5] - m[4] * m[2]) / det,
            -m[3] / det,
            m[0] / det,
            (m[3] * m[2] - m[0] * m[5]) / det,
        ])
    }
}

/// MediaPipe's crop of `rect` from an RGBA8 image (alpha ignored) into an
/// `output_size`² RGB tensor in [0, 1], NHWC: the landmark model's input.
pub fn crop_roi_cpu(
    rgba: &[u8],
    width: u32,
    height: u32,
    rect: &NormalizedRect,
    output_size: u32,
) -> Result<Vec<f32>, PoseError> {
    let geometry = CropGeometry::new(rect, width, height, output_size, output_size)?;
    crop_cpu(rgba, &geometry, CropBorder::default(), false)
}

/// The plain-Rust twin of crop.wgsl: the crop `geometry` describes, RGB
/// per output pixel, or with `padded` RGB0 (the GPU executor's layout).
pub fn crop_cpu(
    rgba: &[u8],
    geometry: &CropGeometry,
    border: CropBorder,
    padded: bool,
) -> Result<Vec<f32>, PoseError> {
    let mut out = Vec::new();
    crop_cpu_into(rgba, geometry, border, padded, &mut out)?;
    Ok(out)
}

/// A source coordinate in OpenCV's 1/32-pixel fixed point, rounded half
/// to even. Adding and taking away 1.5·2²³ rounds an f32 of magnitude
/// below 2²² to an integer in the FPU's own round-to-even mode: the same
/// result as `round_ties_even`, which baseline x86-64 can only call out
/// for. Coordinates beyond ±2¹⁷ px are clamped there; they lie so far
/// outside any image that every tap is a border tap either way.
fn round_fixed_point(source_px: f32) -> i32 {
    const MAGIC: f32 = 12_582_912.0;
    const LIMIT: f32 = 4_194_304.0;
    let scaled = (source_px * 32.0).clamp(-LIMIT, LIMIT);
    ((scaled + MAGIC) - MAGIC) as i32
}

/// `crop_cpu` into a buffer kept from frame to frame (no allocation once
/// it has the right size).
pub fn crop_cpu_into(
    rgba: &[u8],
    geometry: &CropGeometry,
    border: CropBorder,
    padded: bool,
    out: &mut Vec<f32>,
) -> Result<(), PoseError> {
    let (width, height) = (geometry.source_width, geometry.source_height);
    let expected = width as usize * height as usize * 4;
    if rgba.len() != expected {
        return Err(PoseError::ImageSize {
            width: width as usize,
            height: height as usize,
            expected,
            actual: rgba.len(),
        });
    }
    let channels = if padded { 4 } else { 3 };
    let (w, h) = (width as i32, height as i32);
    let tap = |x: i32, y: i32| -> [i32; 3] {
        let inside = x >= 0 && y >= 0 && x < w && y < h;
        let (x, y) = match border {
            CropBorder::Zero if !inside => return [0; 3],
            _ => (x.clamp(0, w - 1) as usize, y.clamp(0, h - 1) as usize),
        };
        let at = (y * width as usize + x) * 4;
        [rgba[at] as i32, rgba[at + 1] as i32, rgba[at + 2] as i32]
    };
    // u8 → [0, 1] by table: the same values as `/ 255.0`, without a
    // division per channel.
    let unit: [f32; 256] = std::array::from_fn(|v| v as f32 / 255.0);
    let m = geometry.source_from_output;
    let (ow, oh) = (
        geometry.output_width as usize,
        geometry.output_height as usize,
    );
    out.clear();
    out.resize(ow * oh * channels, 0.0);
    let row_bytes = width as usize * 4;
    for (oy, row) in out.chunks_exact_mut(ow * channels).enumerate() {
        let y = oy as f32;
        for (ox, pixel) in row.chunks_exact_mut(channels).enumerate() {
            let x = ox as f32;
            let fixed_x = round_fixed_point(m[0] * x + m[1] * y + m[2]);
            let fixed_y = round_fixed_point(m[3] * x + m[4] * y + m[5]);
            let (sx, sy, fx, fy) = (fixed_x >> 5, fixed_y >> 5, fixed_x & 31, fixed_y & 31);
            let weights = [
                (32 - fx) * (32 - fy),
                fx * (32 - fy),
                (32 - fx) * fy,
                fx * fy,
            ];
            let mut sums = [0i32; 3];
            if sx >= 0 && sy >= 0 && sx + 1 < w && sy + 1 < h {
                // All four taps inside: read the two rows directly.
                let top = sy as usize * row_bytes + sx as usize * 4;
                let bottom = top + row_bytes;
                let quad = [top, top + 4, bottom, bottom + 4];
                for (at, weight) in quad.into_iter().zip(weights) {
                    for (c, sum) in sums.iter_mut().enumerate() {
                        *sum += rgba[at + c] as i32 * weight;
                    }
                }
            } else {
                let taps = [
                    tap(sx, sy),
                    tap(sx + 1, sy),
                    tap(sx, sy + 1),
                    tap(sx + 1, sy + 1),
                ];
                for (rgb, weight) in taps.into_iter().zip(weights) {
                    for (c, sum) in sums.iter_mut().enumerate() {
                        *sum += rgb[c] * weight;
                    }
                }
            }
            for (value, sum) in pixel.iter_mut().zip(sums) {
                *value = unit[((sum + 512) >> 10).min(255) as usize];
            }
        }
    }
    Ok(())
}

/// A point in the region's frame ([0, 1]², y down, as the landmark model
/// sees it) → the image's normalised frame: MediaPipe's
/// LandmarkProjectionCalculator with a NORM_RECT.
pub fn image_from_roi(rect: &NormalizedRect, roi_point: [f32; 2]) -> [f32; 2] {
    let (sin, cos) = rect.rotation.sin_cos();
    let (x, y) = (roi_point[0] - 0.5, roi_point[1] - 0.5);
    [
        (cos * x - sin * y) * rect.width + rect.x_center,
        (sin * x + cos * y) * rect.height + rect.y_center,
    ]
}

/// The inverse of `image_from_roi`: a normalised image point → the region's
/// [0, 1]² frame.
pub fn roi_from_image(rect: &NormalizedRect, image_point: [f32; 2]) -> [f32; 2] {
    let (sin, cos) = rect.rotation.sin_cos();
    let x = (image_point[0] - rect.x_center) / rect.width;
    let y = (image_point[1] - rect.y_center) / rect.height;
    [cos * x + sin * y + 0.5, -sin * x + cos * y + 0.5]
}

/// Uniforms of crop.wgsl.
// This must be kept in sync with CropParams in shaders/pose/crop.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
struct CropParams {
    source_x: [f32; 4],
    source_y: [f32; 4],
    source_size: [u32; 2],
    output_size: [u32; 2],
    border: u32,
    _pad: [u32; 3],
}

/// The GPU crop: samples the working texture (`upload::FrameUploader`'s
/// Rgba8Unorm) and writes an NHWC f32 buffer with 4 channels, such as
/// `GpuExecutor::input_buffer(0)`, so the frame never leaves the GPU.
/// Made once; the bind group is kept while the texture and buffer are.
pub struct RoiCropper {
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    params: wgpu::Buffer,
    bound: Option<(wgpu::Texture, wgpu::Buffer, wgpu::BindGroup)>,
    /// What the crop reads outside the frame.
    pub border: CropBorder,
}

impl RoiCropper {
    pub fn new(gpu: &GpuContext) -> RoiCropper {
        let device = &gpu.device;
        let compute = wgpu::ShaderStages::COMPUTE;
        let (pipeline, layout) = layout::compute_pipeline(
            device,
            "pose crop",
            shaders::POSE_CROP,
            &[
                layout::uniform(0, compute),
                layout::texture_2d(1, compute),
                layout::storage(2, compute, false),
            ],
        );
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pose crop params"),
            size: std::mem::size_of::<CropParams>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        RoiCropper {
            pipeline,
            layout,
            params,
            bound: None,
            border: CropBorder::default(),
        }
    }

    /// Records the crop of `rect` from `source` into `output`
    /// (`output_size`² pixels × 4 f32) and returns its geometry. The
    /// parameters are written through the queue, so submit `encoder` before
    /// encoding the next crop with this cropper.
    pub fn encode(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        source: &wgpu::Texture,
        rect: &NormalizedRect,
        output: &wgpu::Buffer,
        output_size: u32,
    ) -> Result<CropGeometry, PoseError> {
        let geometry = CropGeometry::new(
            rect,
            source.width(),
            source.height(),
            output_size,
            output_size,
        )?;
        let needed = output_size as u64 * output_size as u64 * 16;
        if output.size() < needed {
            return Err(PoseError::Crop(format!(
                "its output buffer holds {} bytes, {output_size}x{output_size}x4 f32 need {needed}",
                output.size()
            )));
        }
        let m = geometry.source_from_output;
        let params = CropParams {
            source_x: [m[0], m[1], m[2], 0.0],
            source_y: [m[3], m[4], m[5], 0.0],
            source_size: [source.width(), source.height()],
            output_size: [output_size, output_size],
            border: self.border.code(),
            _pad: [0; 3],
        };
        gpu.queue
            .write_buffer(&self.params, 0, bytemuck::bytes_of(&params));
        let bind_group = match &self.bound {
            Some((texture, buffer, group)) if texture == source && buffer == output => {
                group.clone()
            }
            _ => {
                let view = source.create_view(&wgpu::TextureViewDescriptor::default());
                let group = layout::bind_group(
                    &gpu.device,
                    "pose crop",
                    &self.layout,
                    &[
                        self.params.as_entire_binding(),
                        wgpu::BindingResource::TextureView(&view),
                        output.as_entire_binding(),
                    ],
                );
                self.bound = Some((source.clone(), output.clone(), group.clone()));
                group
            }
        };
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("pose crop"),
            timestamp_writes: None,
        });
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(output_size.div_ceil(8), output_size.div_ceil(8), 1);
        Ok(geometry)
    }
}

#[cfg(test)]
mod tests {
    use super::round_fixed_point;

    #[test]
    fn fixed_point_rounding_is_half_to_even() {
        for v in [
            0.0f32,
            0.5 / 32.0,
            1.5 / 32.0,
            -0.5 / 32.0,
            2.5 / 32.0,
            123.456,
            -77.7,
        ] {
            let expected = (v * 32.0).round_ties_even() as i32;
            assert_eq!(round_fixed_point(v), expected, "{v}");
        }
        let mut v = -1000.0f32;
        while v < 1000.0 {
            assert_eq!(
                round_fixed_point(v),
                (v * 32.0).round_ties_even() as i32,
                "{v}"
            );
            v += 0.013;
        }
    }
}
