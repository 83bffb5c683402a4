//! Small types the pose stages share: the rotated region of interest and
//! the detector's result, both normalised to the image they refer to.

/// A rotated rectangle normalised to an image, MediaPipe's
/// `NormalizedRect`: `x_center` and `width` are fractions of the image
/// width, `y_center` and `height` of its height; `rotation` is in radians,
/// clockwise on screen (y points down), in [-π, π).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct NormalizedRect {
    /// Centre, across, as a fraction of the image width.
    pub x_center: f32,
    /// Centre, down, as a fraction of the image height.
    pub y_center: f32,
    /// Side along the rectangle's own x axis, as a fraction of the image
    /// width.
    pub width: f32,
    /// Side along the rectangle's own y axis, as a fraction of the image
    /// height.
    pub height: f32,
    /// Radians, clockwise on screen, in [-π, π).
    pub rotation: f32,
}

/// An axis-aligned box normalised to an image (fractions of its width and
/// height); it may extend beyond [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct RelativeBox {
    /// Left edge, as a fraction of the image width.
    pub xmin: f32,
    /// Top edge, as a fraction of the image height.
    pub ymin: f32,
    /// Width, as a fraction of the image width.
    pub width: f32,
    /// Height, as a fraction of the image height.
    pub height: f32,
}

impl RelativeBox {
    /// Right edge, `xmin + width`, as a fraction of the image width.
    pub fn xmax(&self) -> f32 {
        self.xmin + self.width
    }

    /// Bottom edge, `ymin + height`, as a fraction of the image height.
    pub fn ymax(&self) -> f32 {
        self.ymin + self.height
    }

    /// Area as a fraction of the image's area (`width × height`).
    pub fn area(&self) -> f32 {
        self.width * self.height
    }
}

/// Index of the mid-hip keypoint in `Detection::keypoints`: the ROI's
/// centre.
pub const KEYPOINT_MID_HIP: usize = 0;
/// Index of the full-body keypoint: its distance from the mid hip is half
/// the body's size, and the hip-to-it direction is the body's "up".
pub const KEYPOINT_FULL_BODY: usize = 1;
/// Index of the mid-shoulder keypoint.
pub const KEYPOINT_MID_SHOULDER: usize = 2;
/// Index of the upper-body size and rotation keypoint.
pub const KEYPOINT_UPPER_BODY: usize = 3;

/// One person found by the pose detector. Which frame the coordinates are
/// normalised to depends on the stage: the decoder and NMS give them in the
/// letterboxed detector input, `detect` in the original image.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Detection {
    /// Sigmoid of the detector's logit, in [0, 1].
    pub score: f32,
    /// The box of the face (the detector is trained on faces plus body
    /// keypoints), normalised.
    pub bbox: RelativeBox,
    /// Four keypoints `[x, y]`, normalised: mid hip, full-body point, mid
    /// shoulder, upper-body point (see the `KEYPOINT_*` constants).
    pub keypoints: [[f32; 2]; 4],
}

/// A borrowed RGBA8 image, rows tightly packed, top row first.
#[derive(Debug, Clone, Copy)]
pub struct RgbaImage<'a> {
    pixels: &'a [u8],
    width: usize,
    height: usize,
}

impl<'a> RgbaImage<'a> {
    /// Checks that `pixels` holds exactly `width × height` RGBA pixels and
    /// that neither side is zero.
    pub fn new(
        pixels: &'a [u8],
        width: usize,
        height: usize,
    ) -> Result<RgbaImage<'a>, super::PoseError> {
        let expected = width.checked_mul(height).and_then(|n| n.checked_mul(4));
        match expected {
            Some(expected) if expected == pixels.len() && expected > 0 => Ok(RgbaImage {
                pixels,
                width,
                height,
            }),
            _ => Err(super::PoseError::ImageSize {
                width,
                height,
                expected: expected.unwrap_or(usize::MAX),
                actual: pixels.len(),
            }),
        }
    }

    /// The RGBA8 bytes, `width × height × 4` of them, rows tightly packed,
    /// top row first.
    pub fn pixels(&self) -> &'a [u8] {
        self.pixels
    }

    /// Width in pixels (never zero).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels (never zero).
    pub fn height(&self) -> usize {
        self.height
    }
}
