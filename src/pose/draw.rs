//! Drawing a `Body` onto its frame on the CPU: the person mask as a tint,
//! the BlazePose skeleton, the landmarks and the tracked region. For
//! looking at what the pipeline found (`drape pose --draw`), not for speed.

use super::body::{Body, BodyLandmark, BODY_LANDMARKS};
use super::mask::PersonMask;
use super::{NormalizedRect, PoseError};

use BodyLandmark as L;

/// MediaPipe's POSE_CONNECTIONS: the 35 bones of the BlazePose skeleton.
pub const POSE_CONNECTIONS: [(BodyLandmark, BodyLandmark); 35] = [
    (L::Nose, L::LeftEyeInner),
    (L::LeftEyeInner, L::LeftEye),
    (L::LeftEye, L::LeftEyeOuter),
    (L::LeftEyeOuter, L::LeftEar),
    (L::Nose, L::RightEyeInner),
    (L::RightEyeInner, L::RightEye),
    (L::RightEye, L::RightEyeOuter),
    (L::RightEyeOuter, L::RightEar),
    (L::MouthLeft, L::MouthRight),
    (L::LeftShoulder, L::RightShoulder),
    (L::LeftShoulder, L::LeftElbow),
    (L::LeftElbow, L::LeftWrist),
    (L::LeftWrist, L::LeftPinky),
    (L::LeftWrist, L::LeftIndex),
    (L::LeftWrist, L::LeftThumb),
    (L::LeftPinky, L::LeftIndex),
    (L::RightShoulder, L::RightElbow),
    (L::RightElbow, L::RightWrist),
    (L::RightWrist, L::RightPinky),
    (L::RightWrist, L::RightIndex),
    (L::RightWrist, L::RightThumb),
    (L::RightPinky, L::RightIndex),
    (L::LeftShoulder, L::LeftHip),
    (L::RightShoulder, L::RightHip),
    (L::LeftHip, L::RightHip),
    (L::LeftHip, L::LeftKnee),
    (L::RightHip, L::RightKnee),
    (L::LeftKnee, L::LeftAnkle),
    (L::RightKnee, L::RightAnkle),
    (L::LeftAnkle, L::LeftHeel),
    (L::RightAnkle, L::RightHeel),
    (L::LeftHeel, L::LeftFootIndex),
    (L::RightHeel, L::RightFootIndex),
    (L::LeftAnkle, L::LeftFootIndex),
    (L::RightAnkle, L::RightFootIndex),
];

/// How `draw_body` draws. Sizes are in pixels for an image whose shorter
/// side is `reference_size_px`; other images scale them (never below one
/// pixel), so a drawing looks alike at any resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawStyle {
    /// RGB of the person-mask tint.
    pub mask_color: [u8; 3],
    /// Opacity of the tint where the mask probability is 1 (it scales with
    /// the probability); 0 leaves the mask out.
    pub mask_opacity: f32,
    /// Bones that join the two sides or lie on the midline.
    pub bone_color: [u8; 3],
    /// Landmarks and bones of the person's left side.
    pub left_color: [u8; 3],
    /// Landmarks and bones of the person's right side.
    pub right_color: [u8; 3],
    /// The nose.
    pub center_color: [u8; 3],
    /// Line width of the bones, in reference pixels.
    pub bone_width_px: f32,
    /// Radius of the landmark dots, in reference pixels.
    pub joint_radius_px: f32,
    /// The tracked region's outline; `None` leaves it out.
    pub roi_color: Option<[u8; 3]>,
    /// Line width of the region's outline, in reference pixels.
    pub roi_width_px: f32,
    /// Landmarks less visible than this, and bones touching them, are not
    /// drawn.
    pub min_visibility: f32,
    /// The shorter image side, in pixels, at which the `_px` sizes apply
    /// unscaled.
    pub reference_size_px: f32,
}

impl Default for DrawStyle {
    fn default() -> DrawStyle {
        DrawStyle {
            mask_color: [40, 120, 255],
            mask_opacity: 0.4,
            bone_color: [255, 255, 255],
            // MediaPipe's default pose style: orange left, cyan right.
            left_color: [255, 138, 0],
            right_color: [0, 217, 231],
            center_color: [255, 255, 255],
            bone_width_px: 3.0,
            joint_radius_px: 4.0,
            roi_color: Some([255, 255, 0]),
            roi_width_px: 1.0,
            min_visibility: 0.5,
            reference_size_px: 512.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
    Center,
}

/// Which side of the body a landmark index belongs to: after the nose the
/// model alternates left/right within each group, and the groups have
/// lengths 3, 3, then pairs.
fn side(index: usize) -> Side {
    match index {
        0 => Side::Center,
        1..=3 => Side::Left,
        4..=6 => Side::Right,
        _ if index % 2 == 1 => Side::Left,
        _ => Side::Right,
    }
}

/// Draws `body` onto `rgba` (tightly packed RGBA8, `width × height`): the
/// mask tint, the region outline, the bones, then the joints on top. Alpha
/// is left as it is.
pub fn draw_body(
    rgba: &mut [u8],
    width: u32,
    height: u32,
    body: &Body,
    style: &DrawStyle,
) -> Result<(), PoseError> {
    let expected = width as usize * height as usize * 4;
    if width == 0 || height == 0 || rgba.len() != expected {
        return Err(PoseError::ImageSize {
            width: width as usize,
            height: height as usize,
            expected,
            actual: rgba.len(),
        });
    }
    let mut canvas = Canvas {
        rgba,
        width,
        height,
    };
    if let Some(mask) = &body.mask {
        if style.mask_opacity > 0.0 {
            canvas.tint(mask, style.mask_color, style.mask_opacity);
        }
    }
    let scale = (width.min(height) as f32 / style.reference_size_px.max(1.0)).max(f32::EPSILON);
    let size = |px: f32| (px * scale).max(1.0);

    if let Some(color) = style.roi_color {
        for (a, b) in roi_edges_px(&body.roi, width, height) {
            canvas.segment(a, b, size(style.roi_width_px) / 2.0, color);
        }
    }

    let point_px = |i: usize| {
        let l = body.landmarks[i];
        [l.x * width as f32, l.y * height as f32]
    };
    let visible = |i: usize| {
        let l = body.landmarks[i];
        l.visibility >= style.min_visibility && l.x.is_finite() && l.y.is_finite()
    };
    let color_of = |s: Side| match s {
        Side::Left => style.left_color,
        Side::Right => style.right_color,
        Side::Center => style.center_color,
    };

    let bone_radius_px = size(style.bone_width_px) / 2.0;
    for &(a, b) in &POSE_CONNECTIONS {
        let (a, b) = (a as usize, b as usize);
        if !(visible(a) && visible(b)) {
            continue;
        }
        let color = match (side(a), side(b)) {
            (Side::Left, Side::Left) => style.left_color,
            (Side::Right, Side::Right) => style.right_color,
            _ => style.bone_color,
        };
        canvas.segment(point_px(a), point_px(b), bone_radius_px, color);
    }

    let joint_radius_px = size(style.joint_radius_px);
    for i in (0..BODY_LANDMARKS).filter(|&i| visible(i)) {
        let p = point_px(i);
        canvas.segment(p, p, joint_radius_px, color_of(side(i)));
    }
    Ok(())
}

/// The region's four edges in pixels, rotated as the landmark crop rotates
/// it (in pixel space, the region's x axis turned towards the image's +y).
fn roi_edges_px(roi: &NormalizedRect, width: u32, height: u32) -> [([f32; 2], [f32; 2]); 4] {
    let (sin, cos) = roi.rotation.sin_cos();
    let center = [roi.x_center * width as f32, roi.y_center * height as f32];
    let half = [
        roi.width * width as f32 / 2.0,
        roi.height * height as f32 / 2.0,
    ];
    let corner = |sx: f32, sy: f32| {
        let (x, y) = (sx * half[0], sy * half[1]);
        [center[0] + cos * x - sin * y, center[1] + sin * x + cos * y]
    };
    let c = [
        corner(-1.0, -1.0),
        corner(1.0, -1.0),
        corner(1.0, 1.0),
        corner(-1.0, 1.0),
    ];
    [(c[0], c[1]), (c[1], c[2]), (c[2], c[3]), (c[3], c[0])]
}

/// Distance from `p` to the segment `a`–`b` (a point when they coincide).
fn distance_to_segment(p: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f32 {
    let ab = [b[0] - a[0], b[1] - a[1]];
    let ap = [p[0] - a[0], p[1] - a[1]];
    let length_sq = ab[0] * ab[0] + ab[1] * ab[1];
    let t = if length_sq > 0.0 {
        ((ap[0] * ab[0] + ap[1] * ab[1]) / length_sq).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let d = [ap[0] - t * ab[0], ap[1] - t * ab[1]];
    (d[0] * d[0] + d[1] * d[1]).sqrt()
}

struct Canvas<'a> {
    rgba: &'a mut [u8],
    width: u32,
    height: u32,
}

impl Canvas<'_> {
    fn blend(&mut self, x: u32, y: u32, color: [u8; 3], alpha: f32) {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        for (channel, &c) in self.rgba[i..i + 3].iter_mut().zip(&color) {
            let mixed = *channel as f32 + (c as f32 - *channel as f32) * alpha;
            *channel = mixed.round().clamp(0.0, 255.0) as u8;
        }
    }

    /// Alpha-blends `color` with opacity `opacity × probability`. A mask of
    /// another size than the image is sampled at the nearest pixel.
    fn tint(&mut self, mask: &PersonMask, color: [u8; 3], opacity: f32) {
        let (mw, mh) = (mask.width as usize, mask.height as usize);
        if mw == 0 || mh == 0 || mask.probabilities.len() != mw * mh {
            return;
        }
        let (w, h) = (self.width as usize, self.height as usize);
        for y in 0..h {
            let my = (y * mh / h).min(mh - 1);
            for x in 0..w {
                let mx = (x * mw / w).min(mw - 1);
                let p = mask.probabilities[my * mw + mx];
                // NaN fails this test too: it draws nothing.
                if p > 0.0 {
                    self.blend(x as u32, y as u32, color, opacity * p.min(1.0));
                }
            }
        }
    }

    /// A thick segment with round caps (a disc when `a == b`), anti-aliased
    /// over one pixel: coverage falls from 1 to 0 as a pixel centre's
    /// distance goes from `radius_px − ½` to `radius_px + ½`.
    fn segment(&mut self, a: [f32; 2], b: [f32; 2], radius_px: f32, color: [u8; 3]) {
        if !(a.iter().chain(&b).all(|v| v.is_finite()) && radius_px.is_finite()) {
            return;
        }
        let reach = radius_px + 1.0;
        let clamp_x = |v: f32| v.clamp(0.0, self.width as f32) as u32;
        let clamp_y = |v: f32| v.clamp(0.0, self.height as f32) as u32;
        let (x0, x1) = (
            clamp_x(a[0].min(b[0]) - reach),
            clamp_x(a[0].max(b[0]) + reach),
        );
        let (y0, y1) = (
            clamp_y(a[1].min(b[1]) - reach),
            clamp_y(a[1].max(b[1]) + reach),
        );
        for y in y0..y1 {
            for x in x0..x1 {
                let center = [x as f32 + 0.5, y as f32 + 0.5];
                let coverage =
                    (radius_px + 0.5 - distance_to_segment(center, a, b)).clamp(0.0, 1.0);
                if coverage > 0.0 {
                    self.blend(x, y, color, coverage);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::Landmark;

    const W: u32 = 64;
    const H: u32 = 48;
    const GREY: u8 = 100;

    fn grey() -> Vec<u8> {
        vec![GREY; (W * H * 4) as usize]
    }

    fn pixel(rgba: &[u8], x: u32, y: u32) -> [u8; 4] {
        let i = ((y * W + x) * 4) as usize;
        [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]]
    }

    /// Every landmark invisible at the centre, except the two shoulders,
    /// visible on a horizontal line at y = 10.5 px; a small region around
    /// the image's centre; no mask.
    fn body() -> Body {
        let mut landmarks = [Landmark {
            x: 0.5,
            y: 0.5,
            visibility: 0.0,
            ..Default::default()
        }; BODY_LANDMARKS];
        let y = 10.5 / H as f32;
        landmarks[L::LeftShoulder as usize] = Landmark {
            x: 10.0 / W as f32,
            y,
            visibility: 0.9,
            presence: 0.9,
            z: 0.0,
        };
        landmarks[L::RightShoulder as usize] = Landmark {
            x: 50.0 / W as f32,
            y,
            visibility: 0.9,
            presence: 0.9,
            z: 0.0,
        };
        Body {
            landmarks,
            world_landmarks: [[0.0; 3]; BODY_LANDMARKS],
            pose_score: 1.0,
            roi: NormalizedRect {
                x_center: 0.5,
                y_center: 0.5,
                width: 0.2,
                height: 0.2,
                rotation: 0.3,
            },
            detection: None,
            mask: None,
        }
    }

    #[test]
    fn there_are_35_connections_between_distinct_landmarks() {
        assert_eq!(POSE_CONNECTIONS.len(), 35);
        assert!(POSE_CONNECTIONS.iter().all(|(a, b)| a != b));
    }

    #[test]
    fn sides_follow_the_landmark_names() {
        assert_eq!(side(L::Nose as usize), Side::Center);
        for left in [L::LeftEyeOuter, L::LeftEar, L::MouthLeft, L::LeftFootIndex] {
            assert_eq!(side(left as usize), Side::Left, "{left:?}");
        }
        for right in [L::RightEyeInner, L::RightEar, L::MouthRight, L::RightHip] {
            assert_eq!(side(right as usize), Side::Right, "{right:?}");
        }
    }

    #[test]
    fn a_pixel_on_a_bone_takes_the_bone_colour() {
        let mut rgba = grey();
        let style = DrawStyle::default();
        draw_body(&mut rgba, W, H, &body(), &style).unwrap();
        // Midway between the shoulders, far from both joints.
        let [r, g, b, a] = pixel(&rgba, 30, 10);
        assert_eq!([r, g, b], style.bone_color);
        assert_eq!(a, GREY, "alpha is left alone");
        // The joints take their side's colour.
        let [r, g, b, _] = pixel(&rgba, 10, 10);
        assert_eq!([r, g, b], style.left_color);
        let [r, g, b, _] = pixel(&rgba, 50, 10);
        assert_eq!([r, g, b], style.right_color);
    }

    #[test]
    fn invisible_landmarks_and_far_pixels_are_left_alone() {
        let mut rgba = grey();
        draw_body(&mut rgba, W, H, &body(), &DrawStyle::default()).unwrap();
        // The invisible landmarks all sit at the centre; the region's
        // outline passes ~6 px away from it.
        assert_eq!(pixel(&rgba, 32, 24), [GREY; 4]);
        // Far from the bone, the joints and the region.
        assert_eq!(pixel(&rgba, 2, 45), [GREY; 4]);
        assert_eq!(pixel(&rgba, 60, 40), [GREY; 4]);
    }

    #[test]
    fn the_region_outline_is_drawn() {
        let mut rgba = grey();
        let mut body = body();
        body.roi.rotation = 0.0;
        let style = DrawStyle::default();
        draw_body(&mut rgba, W, H, &body, &style).unwrap();
        // Left edge at x = 0.4·64 = 25.6 px, from y = 0.4·48 to 0.6·48.
        let [r, g, b, _] = pixel(&rgba, 25, 24);
        assert_ne!([r, g, b], [GREY; 3]);
        assert_eq!(pixel(&rgba, 28, 24), [GREY; 4]);
    }

    #[test]
    fn the_mask_tints_where_the_probability_is_high() {
        let mut rgba = grey();
        let mut body = body();
        let mut probabilities = vec![0.0; (W * H) as usize];
        // Probability 1 in the bottom-left corner (away from everything
        // else drawn), 0 elsewhere.
        for y in 36..H {
            for x in 0..12 {
                probabilities[(y * W + x) as usize] = 1.0;
            }
        }
        body.mask = Some(PersonMask {
            width: W,
            height: H,
            probabilities,
        });
        let style = DrawStyle::default();
        draw_body(&mut rgba, W, H, &body, &style).unwrap();
        let tinted = pixel(&rgba, 5, 42);
        let expected =
            |c: u8| (GREY as f32 + (c as f32 - GREY as f32) * style.mask_opacity).round() as u8;
        assert_eq!(&tinted[..3], &style.mask_color.map(expected)[..]);
        assert_eq!(pixel(&rgba, 20, 42), [GREY; 4]);
    }

    #[test]
    fn a_wrong_buffer_length_is_an_error() {
        let mut rgba = vec![0u8; (W * H * 4) as usize - 1];
        let result = draw_body(&mut rgba, W, H, &body(), &DrawStyle::default());
        assert!(matches!(result, Err(PoseError::ImageSize { .. })));
        let mut empty: Vec<u8> = Vec::new();
        let result = draw_body(&mut empty, 0, 0, &body(), &DrawStyle::default());
        assert!(matches!(result, Err(PoseError::ImageSize { .. })));
    }
}
