//! The region of interest from a detection (pose_detection_to_roi.pbtxt):
//! centred on the mid hip, rotated so the hip-to-full-body-point vector
//! points up, sized twice that vector, then squared and scaled 1.25.
//!
//! The pieces are MediaPipe's AlignmentPointsRectsCalculator and
//! RectTransformationCalculator, computed in f32 in pixels of the image as
//! MediaPipe does, so that non-square images come out the same.

use super::types::{Detection, NormalizedRect, KEYPOINT_FULL_BODY, KEYPOINT_MID_HIP};

/// The rotation the alignment vector is turned to: straight up (90°).
pub const POSE_TARGET_ANGLE_RAD: f32 = std::f64::consts::FRAC_PI_2 as f32;
/// The ROI's margin around the body (pose_detection_to_roi.pbtxt).
pub const POSE_ROI_SCALE: f32 = 1.25;

/// `angle` wrapped into [-π, π) (MediaPipe's `NormalizeRadians`, in f64).
pub fn normalize_radians(angle: f32) -> f32 {
    use std::f64::consts::PI;
    let angle = f64::from(angle);
    (angle - 2.0 * PI * ((angle + PI) / (2.0 * PI)).floor()) as f32
}

/// The rotated square centred on `center` whose half side is the distance
/// to `scale_point`, rotated so the `center → scale_point` vector turns to
/// `target_angle_rad` (counter-clockwise from +x with y up). Points are
/// normalised to a `image_width × image_height` image; distances and
/// angles are taken in its pixels.
pub fn rect_from_alignment_points(
    center: [f32; 2],
    scale_point: [f32; 2],
    image_width: usize,
    image_height: usize,
    target_angle_rad: f32,
) -> NormalizedRect {
    let (width, height) = (image_width as f32, image_height as f32);
    let (x_center, y_center) = (center[0] * width, center[1] * height);
    let (x_scale, y_scale) = (scale_point[0] * width, scale_point[1] * height);
    let (dx, dy) = (x_scale - x_center, y_scale - y_center);
    let box_size = (dx * dx + dy * dy).sqrt() * 2.0;
    NormalizedRect {
        x_center: x_center / width,
        y_center: y_center / height,
        width: box_size / width,
        height: box_size / height,
        rotation: normalize_radians(target_angle_rad - (-dy).atan2(dx)),
    }
}

/// RectTransformationCalculator's options that pose graphs use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RectTransform {
    pub scale_x: f32,
    pub scale_y: f32,
    /// Shifts along the rect's own axes, as fractions of its size.
    pub shift_x: f32,
    pub shift_y: f32,
    /// Make the rect square (in pixels) with its longer side first.
    pub square_long: bool,
}

impl RectTransform {
    /// The pose ROI's transformation: square_long, ×1.25.
    pub const POSE_ROI: RectTransform = RectTransform {
        scale_x: POSE_ROI_SCALE,
        scale_y: POSE_ROI_SCALE,
        shift_x: 0.0,
        shift_y: 0.0,
        square_long: true,
    };

    /// Applies the transformation to `rect`, normalised to a
    /// `image_width × image_height` image.
    pub fn apply(
        &self,
        rect: &NormalizedRect,
        image_width: usize,
        image_height: usize,
    ) -> NormalizedRect {
        let (image_w, image_h) = (image_width as f32, image_height as f32);
        let (mut width, mut height) = (rect.width, rect.height);
        let rotation = rect.rotation;
        let mut out = *rect;
        if rotation == 0.0 {
            out.x_center += width * self.shift_x;
            out.y_center += height * self.shift_y;
        } else {
            let (sin, cos) = rotation.sin_cos();
            let x_shift = (image_w * width * self.shift_x * cos
                - image_h * height * self.shift_y * sin)
                / image_w;
            let y_shift = (image_w * width * self.shift_x * sin
                + image_h * height * self.shift_y * cos)
                / image_h;
            out.x_center += x_shift;
            out.y_center += y_shift;
        }
        if self.square_long {
            let long_side = (width * image_w).max(height * image_h);
            width = long_side / image_w;
            height = long_side / image_h;
        }
        out.width = width * self.scale_x;
        out.height = height * self.scale_y;
        out
    }
}

/// The landmark model's region for `detection` (normalised to a
/// `image_width × image_height` image): MediaPipe's PoseDetectionToRoi.
pub fn roi_from_detection(
    detection: &Detection,
    image_width: usize,
    image_height: usize,
) -> NormalizedRect {
    let raw = rect_from_alignment_points(
        detection.keypoints[KEYPOINT_MID_HIP],
        detection.keypoints[KEYPOINT_FULL_BODY],
        image_width,
        image_height,
        POSE_TARGET_ANGLE_RAD,
    );
    RectTransform::POSE_ROI.apply(&raw, image_width, image_height)
}
