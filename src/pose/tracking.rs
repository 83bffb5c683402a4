//! Tracking: the next frame's region comes from this frame's auxiliary
//! landmarks (MediaPipe's pose_landmarks_to_roi.pbtxt), so the detector
//! runs only when the person is lost.

use super::roi::{rect_from_alignment_points, RectTransform, POSE_TARGET_ANGLE_RAD};
use super::NormalizedRect;

/// The auxiliary landmarks: the body's centre and a point whose distance
/// from it gives the body's size (indices in the model's 39).
pub const AUX_CENTER: usize = 33;
pub const AUX_SCALE: usize = 34;

/// The tracking region's margin. The graph in MediaPipe's repository today
/// says 1.5, but version 0.10.21 (the reference outputs in
/// tests/data/reference) scales by 1.25, as the detector path does.
pub const TRACKING_ROI_TRANSFORM: RectTransform = RectTransform {
    scale_x: 1.25,
    scale_y: 1.25,
    shift_x: 0.0,
    shift_y: 0.0,
    square_long: true,
};

/// The landmark model's region for the next frame, from this frame's
/// landmarks (normalised to a `image_width × image_height` image; the 39
/// of the model, auxiliary points included).
pub fn roi_from_landmarks(
    landmarks: &[[f32; 5]; 39],
    image_width: usize,
    image_height: usize,
) -> NormalizedRect {
    roi_from_auxiliary(
        &[landmarks[AUX_CENTER], landmarks[AUX_SCALE]],
        image_width,
        image_height,
    )
}

/// The same from the two auxiliary landmarks alone (centre, scale point),
/// as the tracker keeps them after smoothing.
pub fn roi_from_auxiliary(
    auxiliary: &[[f32; 5]; 2],
    image_width: usize,
    image_height: usize,
) -> NormalizedRect {
    let raw = rect_from_alignment_points(
        [auxiliary[0][0], auxiliary[0][1]],
        [auxiliary[1][0], auxiliary[1][1]],
        image_width,
        image_height,
        POSE_TARGET_ANGLE_RAD,
    );
    TRACKING_ROI_TRANSFORM.apply(&raw, image_width, image_height)
}

/// The body's size in pixels as MediaPipe's smoothing measures it: the
/// mean side of the (unscaled) region the two auxiliary points span, that
/// is twice their distance.
pub fn object_scale_px(auxiliary: &[[f32; 5]; 2], image_width: u32, image_height: u32) -> f64 {
    let (w, h) = (image_width as usize, image_height as usize);
    let raw = rect_from_alignment_points(
        [auxiliary[0][0], auxiliary[0][1]],
        [auxiliary[1][0], auxiliary[1][1]],
        w,
        h,
        POSE_TARGET_ANGLE_RAD,
    );
    (raw.width as f64 * w as f64 + raw.height as f64 * h as f64) / 2.0
}

/// Whether a region still overlaps the frame, for the tracker's optional
/// `PoseConfig::redetect_off_frame` (MediaPipe itself tracks on whatever
/// the region). Its centre may well lie outside: in a half-body shot (a
/// kiosk's normal case) the hips, where the region is centred, are below
/// the frame. Only a region wholly outside (the person walked out) sends
/// the tracker back to the detector; a person leaving more gently is
/// caught by the pose-presence score.
pub fn roi_in_frame(roi: &NormalizedRect) -> bool {
    if !(roi.width > 0.0 && roi.height > 0.0) {
        return false;
    }
    // A generous half extent that holds at any rotation.
    let half = 0.5 * (roi.width + roi.height);
    let overlaps = |centre: f32| centre + half > 0.0 && centre - half < 1.0;
    overlaps(roi.x_center) && overlaps(roi.y_center)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upright_body_gives_an_unrotated_square_region() {
        let mut landmarks = [[0.0f32; 5]; 39];
        // Centre at the middle of a 200x100 image, scale point 20 px above.
        landmarks[AUX_CENTER] = [0.5, 0.5, 0.0, 1.0, 1.0];
        landmarks[AUX_SCALE] = [0.5, 0.3, 0.0, 1.0, 1.0];
        let roi = roi_from_landmarks(&landmarks, 200, 100);
        assert!((roi.x_center - 0.5).abs() < 1e-6 && (roi.y_center - 0.5).abs() < 1e-6);
        assert!(roi.rotation.abs() < 1e-6, "{roi:?}");
        // Half side 20 px → side 40 px, ×1.25 → 50 px: 0.25 of the width,
        // 0.5 of the height.
        assert!(
            (roi.width - 0.25).abs() < 1e-5 && (roi.height - 0.5).abs() < 1e-5,
            "{roi:?}"
        );
        assert!(roi_in_frame(&roi));
    }

    #[test]
    fn a_body_leaving_the_frame_is_not_tracked() {
        let roi = NormalizedRect {
            x_center: 1.6,
            y_center: 0.5,
            width: 0.5,
            height: 0.5,
            rotation: 0.0,
        };
        assert!(!roi_in_frame(&roi));
    }

    #[test]
    fn a_half_body_shot_with_the_hips_below_the_frame_is_tracked() {
        let roi = NormalizedRect {
            x_center: 0.5,
            y_center: 1.15,
            width: 1.1,
            height: 1.4,
            rotation: 0.05,
        };
        assert!(roi_in_frame(&roi));
    }
}
