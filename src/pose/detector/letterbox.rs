//! The detector's input as MediaPipe's ImageToTensorCalculator makes it on
//! the CPU: the image, kept whole and its aspect kept, scaled into the
//! 224×224 square with zero (black) padding, then mapped to [-1, 1], so the
//! padding reads -1.
//!
//! MediaPipe does this with OpenCV's `warpPerspective` (INTER_LINEAR,
//! BORDER_CONSTANT 0) on the 8-bit pixels, then converts to float. We
//! reproduce OpenCV's fixed-point arithmetic (source positions quantised to
//! 1/32 pixel, 15-bit weights, rounding to 8 bits) because the detector's
//! scores near its 0.5 threshold depend on the exact pixels.

use crate::pose::types::{Detection, RgbaImage};
use crate::pose::PoseError;

/// The detector's input side in pixels.
pub const DETECTOR_INPUT_SIZE: usize = 224;

/// A rotated rectangle in image pixels (MediaPipe's `RotatedRect`): centre,
/// size, and rotation in radians, clockwise on screen.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PixelRect {
    pub center_x: f32,
    pub center_y: f32,
    pub width: f32,
    pub height: f32,
    pub rotation: f32,
}

/// The range 8-bit values 0..=255 are mapped to in a tensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueRange {
    pub min: f32,
    pub max: f32,
}

impl ValueRange {
    /// The pose detector's input range.
    pub const DETECTOR: ValueRange = ValueRange {
        min: -1.0,
        max: 1.0,
    };
    /// The landmark models' input range.
    pub const LANDMARK: ValueRange = ValueRange { min: 0.0, max: 1.0 };
}

/// OpenCV's sub-pixel resolution for bilinear warps: 2^5 steps a pixel.
const INTER_BITS: u32 = 5;
const INTER_TAB_SIZE: i32 = 1 << INTER_BITS;
/// OpenCV's fixed-point weight scale: the four weights sum to 2^15.
const COEF_BITS: u32 = 15;

/// Warps `region` of `image` into an `out_width × out_height × 3` NHWC
/// tensor in `range`, as MediaPipe's OpenCV converter does: the region's
/// corners go to the tensor's corners (its left edge to x = 0, its right
/// edge to x = `out_width`), pixels outside the image are black, alpha is
/// dropped. `tensor` must hold exactly `out_width × out_height × 3` values.
pub fn warp_region_to_tensor(
    image: RgbaImage<'_>,
    region: &PixelRect,
    out_width: usize,
    out_height: usize,
    range: ValueRange,
    tensor: &mut [f32],
) -> Result<(), PoseError> {
    let expected = out_width * out_height * 3;
    if tensor.len() != expected {
        return Err(PoseError::OutputSize {
            what: "input tensor buffer",
            expected,
            actual: tensor.len(),
        });
    }
    // The corners as OpenCV's RotatedRect::points computes them (f32,
    // angle through degrees): 0 bottom-left, 1 top-left, 2 top-right.
    let angle_deg = (f64::from(region.rotation * 180.0) / std::f64::consts::PI) as f32;
    let angle = f64::from(angle_deg) * std::f64::consts::PI / 180.0;
    let b = angle.cos() as f32 * 0.5;
    let a = angle.sin() as f32 * 0.5;
    let (cx, cy, w, h) = (
        region.center_x,
        region.center_y,
        region.width,
        region.height,
    );
    let bottom_left = [cx - a * h - b * w, cy + b * h - a * w];
    let top_left = [cx + a * h - b * w, cy - b * h - a * w];
    let top_right = [2.0 * cx - bottom_left[0], 2.0 * cy - bottom_left[1]];
    // image_from_tensor: tensor (x, y) ↦ top_left + x·u + y·v, in f64 as
    // OpenCV's warp matrix is.
    let u = [
        (f64::from(top_right[0]) - f64::from(top_left[0])) / out_width as f64,
        (f64::from(top_right[1]) - f64::from(top_left[1])) / out_width as f64,
    ];
    let v = [
        (f64::from(bottom_left[0]) - f64::from(top_left[0])) / out_height as f64,
        (f64::from(bottom_left[1]) - f64::from(top_left[1])) / out_height as f64,
    ];
    let origin = [f64::from(top_left[0]), f64::from(top_left[1])];
    let scale = (range.max - range.min) / 255.0;
    for y in 0..out_height {
        for x in 0..out_width {
            let source_x = origin[0] + x as f64 * u[0] + y as f64 * v[0];
            let source_y = origin[1] + x as f64 * u[1] + y as f64 * v[1];
            let rgb = sample_bilinear_fixed(image, to_fixed(source_x), to_fixed(source_y));
            let out = &mut tensor[(y * out_width + x) * 3..][..3];
            for (o, value) in out.iter_mut().zip(rgb) {
                *o = f32::from(value) * scale + range.min;
            }
        }
    }
    Ok(())
}

/// A source coordinate in 1/32 pixels, rounded to nearest (ties to even)
/// and saturated as OpenCV's `saturate_cast<int>` does.
fn to_fixed(coordinate: f64) -> i32 {
    let scaled = (coordinate * f64::from(INTER_TAB_SIZE)).round_ties_even();
    scaled.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
}

/// OpenCV's fixed-point bilinear sample of RGB at (x, y) in 1/32 pixels;
/// taps outside the image read 0.
fn sample_bilinear_fixed(image: RgbaImage<'_>, x_fixed: i32, y_fixed: i32) -> [u8; 3] {
    // OpenCV stores the integer part as i16.
    let x0 = (x_fixed >> INTER_BITS).clamp(i16::MIN.into(), i16::MAX.into());
    let y0 = (y_fixed >> INTER_BITS).clamp(i16::MIN.into(), i16::MAX.into());
    let fx = x_fixed & (INTER_TAB_SIZE - 1);
    let fy = y_fixed & (INTER_TAB_SIZE - 1);
    // Each weight is (1 - f)·(1 - g)·2^15 etc., exact for steps of 1/32;
    // OpenCV saturates the full weight 2^15 to i16::MAX.
    let scale = (1 << COEF_BITS) / (INTER_TAB_SIZE * INTER_TAB_SIZE);
    let mut weights = [
        (INTER_TAB_SIZE - fx) * (INTER_TAB_SIZE - fy) * scale,
        fx * (INTER_TAB_SIZE - fy) * scale,
        (INTER_TAB_SIZE - fx) * fy * scale,
        fx * fy * scale,
    ];
    weights[0] = weights[0].min(i32::from(i16::MAX));
    let taps = [(x0, y0), (x0 + 1, y0), (x0, y0 + 1), (x0 + 1, y0 + 1)];
    let (width, height) = (image.width() as i64, image.height() as i64);
    let mut sums = [0i32; 3];
    for ((tx, ty), weight) in taps.into_iter().zip(weights) {
        let (tx, ty) = (i64::from(tx), i64::from(ty));
        if weight == 0 || tx < 0 || ty < 0 || tx >= width || ty >= height {
            continue;
        }
        let offset = ((ty * width + tx) * 4) as usize;
        let pixel = &image.pixels()[offset..offset + 3];
        for (sum, &p) in sums.iter_mut().zip(pixel) {
            *sum += weight * i32::from(p);
        }
    }
    sums.map(|sum| ((sum + (1 << (COEF_BITS - 1))) >> COEF_BITS).clamp(0, 255) as u8)
}

/// Where the image lies in the letterboxed tensor (MediaPipe's
/// LETTERBOX_PADDING): the padding on each side as a fraction of the
/// tensor's width (left, right) or height (top, bottom).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Letterbox {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
    /// The letterboxed square in image pixels: the region warped.
    pub region_in_image: PixelRect,
}

impl Letterbox {
    /// The letterbox of a `image_width × image_height` image in a
    /// `tensor_width × tensor_height` tensor, computed as MediaPipe's
    /// `PadRoi` does (in f32). Sizes must be non-zero.
    pub fn new(
        image_width: usize,
        image_height: usize,
        tensor_width: usize,
        tensor_height: usize,
    ) -> Letterbox {
        let (width, height) = (image_width as f32, image_height as f32);
        let tensor_aspect = tensor_height as f32 / tensor_width as f32;
        let image_aspect = height / width;
        let (region_width, region_height, horizontal, vertical) = if tensor_aspect > image_aspect {
            let vertical = (1.0 - image_aspect / tensor_aspect) / 2.0;
            (width, width * tensor_aspect, 0.0, vertical)
        } else {
            let horizontal = (1.0 - tensor_aspect / image_aspect) / 2.0;
            (height / tensor_aspect, height, horizontal, 0.0)
        };
        Letterbox {
            left: horizontal,
            top: vertical,
            right: horizontal,
            bottom: vertical,
            region_in_image: PixelRect {
                center_x: 0.5 * width,
                center_y: 0.5 * height,
                width: region_width,
                height: region_height,
                rotation: 0.0,
            },
        }
    }

    /// A point normalised to the letterboxed tensor, normalised to the
    /// image instead (DetectionLetterboxRemovalCalculator).
    pub fn image_from_letterboxed(&self, point: [f32; 2]) -> [f32; 2] {
        [
            (point[0] - self.left) / (1.0 - (self.left + self.right)),
            (point[1] - self.top) / (1.0 - (self.top + self.bottom)),
        ]
    }

    /// The inverse of `image_from_letterboxed`.
    pub fn letterboxed_from_image(&self, point: [f32; 2]) -> [f32; 2] {
        [
            point[0] * (1.0 - (self.left + self.right)) + self.left,
            point[1] * (1.0 - (self.top + self.bottom)) + self.top,
        ]
    }

    /// A detection in the letterboxed tensor's frame, moved to the image's.
    pub fn detection_in_image(&self, detection: &Detection) -> Detection {
        let bbox = &detection.bbox;
        let [xmin, ymin] = self.image_from_letterboxed([bbox.xmin, bbox.ymin]);
        let mut moved = *detection;
        moved.bbox.xmin = xmin;
        moved.bbox.ymin = ymin;
        moved.bbox.width = bbox.width / (1.0 - (self.left + self.right));
        moved.bbox.height = bbox.height / (1.0 - (self.top + self.bottom));
        for keypoint in &mut moved.keypoints {
            *keypoint = self.image_from_letterboxed(*keypoint);
        }
        moved
    }
}

/// Fills `tensor` (224·224·3 values) with the detector's input for `image`
/// and returns the letterbox that undoes it.
pub fn letterbox_for_detector(
    image: RgbaImage<'_>,
    tensor: &mut [f32],
) -> Result<Letterbox, PoseError> {
    let letterbox = Letterbox::new(
        image.width(),
        image.height(),
        DETECTOR_INPUT_SIZE,
        DETECTOR_INPUT_SIZE,
    );
    warp_region_to_tensor(
        image,
        &letterbox.region_in_image,
        DETECTOR_INPUT_SIZE,
        DETECTOR_INPUT_SIZE,
        ValueRange::DETECTOR,
        tensor,
    )?;
    Ok(letterbox)
}
