//! The face as a convex outline in the image, from the face landmarks:
//! garments never cover it, so a collar stays below the chin whatever the
//! posture (a person leaning forward brings the chin down to the
//! shoulders). The outline follows a head's shape (the chin, the jaw, the
//! ears, the top of the head, the nose) joined with a head-sized disc
//! around the nose, which holds the face where the landmarks foreshorten
//! it (a head tilted down, turned away).

use glam::Vec2;

use crate::pose::{Body, BodyLandmark};

/// The face's size is its eye-to-mouth distance, but at least this many
/// times the distance between the eyes: a face tilted down (or up) is
/// foreshortened from eyes to mouth, not across.
const EYE_SPAN_TO_EYE_MOUTH: f32 = 1.1;
/// The chin lies this many face sizes below the mouth.
const CHIN_BELOW_MOUTH: f32 = 0.85;
/// Half the jaw's width a little above the chin, in half face widths.
const JAW_WIDTH_AT_CHIN: f32 = 0.6;
/// The jaw's angle lies this many face sizes below an ear.
const JAW_BELOW_EAR: f32 = 0.8;
/// The top of the head: this many eye-to-mouth distances above the eyes
/// and the ears.
const TOP_ABOVE_EYES: f32 = 1.2;
/// Half the face's width at least, in face sizes, measured
/// across the face at the eyes (ears seen together, from the side, still
/// leave a face).
const MIN_HALF_WIDTH: f32 = 0.9;
/// Face landmarks seen less surely than this give no outline.
const MIN_VISIBILITY: f32 = 0.5;
/// Corners an outline keeps at most (the GPU's uniform has room for
/// these).
pub const FACE_CORNERS: usize = 16;
/// The head as a disc around the nose, in shoulder widths (the distance
/// between the shoulder joints, about 37 cm, against a head about 11 cm
/// from the nose to its back or to the chin): it holds the face however
/// the landmarks foreshorten it, and the neck just under the chin. Its
/// outline joins the face's.
pub const HEAD_RADIUS_SHOULDERS: f32 = 0.3;
/// Points on the head's disc added to the outline.
const HEAD_DISC_POINTS: usize = 12;

/// A convex polygon in pixels, its corners in counter-clockwise order (in
/// the image's axes: `(b − a) × (p − a) ≥ 0` for every edge `a → b` and
/// every point `p` inside).
#[derive(Debug, Clone, PartialEq)]
pub struct FaceOutline {
    pub corners_px: Vec<Vec2>,
}

impl FaceOutline {
    /// From `body`'s face landmarks in a `width × height` image; `None`
    /// when the face is not seen.
    pub fn from_body(body: &Body, width: u32, height: u32) -> Option<FaceOutline> {
        use BodyLandmark as B;
        let face = [
            B::Nose,
            B::LeftEye,
            B::RightEye,
            B::MouthLeft,
            B::MouthRight,
        ];
        if face
            .iter()
            .any(|&l| body.landmarks[l as usize].visibility < MIN_VISIBILITY)
        {
            return None;
        }
        let pixel = |l: BodyLandmark| {
            let lm = &body.landmarks[l as usize];
            Vec2::new(lm.x * width as f32, lm.y * height as f32)
        };
        let eyes = (pixel(B::LeftEye) + pixel(B::RightEye)) * 0.5;
        let mouth = (pixel(B::MouthLeft) + pixel(B::MouthRight)) * 0.5;
        let eye_to_mouth = mouth.distance(eyes);
        if !(eye_to_mouth >= 1.0 && eye_to_mouth.is_finite()) {
            return None;
        }
        let eye_span = pixel(B::LeftEye).distance(pixel(B::RightEye));
        let size = eye_to_mouth.max(EYE_SPAN_TO_EYE_MOUTH * eye_span);
        // Down the face, one face size long.
        let down = (mouth - eyes) / eye_to_mouth * size;
        let across = down.perp() * MIN_HALF_WIDTH;
        let ears = [pixel(B::LeftEar), pixel(B::RightEar)];
        let chin = mouth + down * CHIN_BELOW_MOUTH;
        let mut points = vec![
            chin,
            eyes - down * TOP_ABOVE_EYES,
            pixel(B::Nose),
            pixel(B::MouthLeft),
            pixel(B::MouthRight),
            eyes + across,
            eyes - across,
            // The jaw's round under the cheeks, either side of the chin.
            mouth + down * (CHIN_BELOW_MOUTH * 0.7) + across * JAW_WIDTH_AT_CHIN,
            mouth + down * (CHIN_BELOW_MOUTH * 0.7) - across * JAW_WIDTH_AT_CHIN,
        ];
        for ear in ears {
            points.extend([ear, ear + down * JAW_BELOW_EAR, ear - down * TOP_ABOVE_EYES]);
        }
        let shoulders = pixel(B::LeftShoulder).distance(pixel(B::RightShoulder));
        let radius = HEAD_RADIUS_SHOULDERS * shoulders;
        if radius.is_finite() {
            let nose = pixel(B::Nose);
            points.extend((0..HEAD_DISC_POINTS).map(|k| {
                let angle = k as f32 / HEAD_DISC_POINTS as f32 * std::f32::consts::TAU;
                // Outside the disc by a little, so its edge between two
                // corners still holds the whole disc.
                nose + Vec2::from_angle(angle) * radius
                    / (std::f32::consts::PI / HEAD_DISC_POINTS as f32).cos()
            }));
        }
        let corners_px = convex_hull(points);
        (corners_px.len() >= 3).then_some(FaceOutline { corners_px })
    }

    /// Whether pixel `p` lies inside.
    pub fn contains(&self, p: Vec2) -> bool {
        let n = self.corners_px.len();
        (0..n).all(|i| {
            let (a, b) = (self.corners_px[i], self.corners_px[(i + 1) % n]);
            (b - a).perp_dot(p - a) >= 0.0
        })
    }
}

/// Andrew's monotone chain: the hull's corners, counter-clockwise, at
/// most `FACE_CORNERS` of them (the longest-spanning ones are kept when a
/// hull has more, which 12 input points rarely give).
fn convex_hull(mut points: Vec<Vec2>) -> Vec<Vec2> {
    points.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    points.dedup();
    if points.len() < 3 {
        return points;
    }
    let turn = |o: Vec2, a: Vec2, b: Vec2| (a - o).perp_dot(b - o);
    let mut hull: Vec<Vec2> = Vec::with_capacity(points.len() * 2);
    for pass in 0..2 {
        let start = hull.len();
        let ordered: Box<dyn Iterator<Item = &Vec2>> = if pass == 0 {
            Box::new(points.iter())
        } else {
            Box::new(points.iter().rev())
        };
        for &p in ordered {
            while hull.len() >= start + 2
                && turn(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    while hull.len() > FACE_CORNERS {
        // Drop the corner whose removal loses the least area.
        let n = hull.len();
        let smallest = (0..n)
            .min_by(|&i, &j| {
                let area = |k: usize| turn(hull[(k + n - 1) % n], hull[k], hull[(k + 1) % n]).abs();
                area(i).total_cmp(&area(j))
            })
            .unwrap_or(0);
        hull.remove(smallest);
    }
    hull
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outline_holds_the_head_and_the_chin_of_a_face_looking_down() {
        use crate::garment::fit::{posed_reference_body, BodyCamera};
        use glam::{Quat, Vec3};
        let camera = BodyCamera {
            pixels_per_metre: 400.0,
            origin_px: Vec2::new(320.0, 700.0),
            image_width: 640,
            image_height: 720,
        };
        // The head pitched 40° down about the neck: eyes to mouth
        // foreshortened in the image.
        let neck = crate::garment::RestSkeleton::reference().head(crate::garment::RigJoint::Neck)
            - Vec3::new(0.0, 0.97, 0.0);
        let body = posed_reference_body(
            |joint, p| match joint {
                crate::garment::RigJoint::Head => neck + Quat::from_rotation_x(0.7) * (p - neck),
                _ => p,
            },
            &camera,
        );
        let outline = FaceOutline::from_body(&body, 640, 720).expect("a face");
        let px = |l: BodyLandmark| {
            let lm = body.landmarks[l as usize];
            Vec2::new(lm.x * 640.0, lm.y * 720.0)
        };
        let shoulders = px(BodyLandmark::LeftShoulder).distance(px(BodyLandmark::RightShoulder));
        let nose = px(BodyLandmark::Nose);
        for k in 0..36 {
            let p = nose + Vec2::from_angle(k as f32 * 10f32.to_radians()) * 0.29 * shoulders;
            assert!(outline.contains(p), "the head disc at {p}");
        }
        let mouth = (px(BodyLandmark::MouthLeft) + px(BodyLandmark::MouthRight)) * 0.5;
        let eyes = (px(BodyLandmark::LeftEye) + px(BodyLandmark::RightEye)) * 0.5;
        assert!(outline.contains(mouth + (mouth - eyes) * 0.8), "the chin");
        assert!(
            !outline.contains(nose + Vec2::new(0.0, 0.6 * shoulders)),
            "the chest"
        );
    }

    #[test]
    fn a_hull_holds_its_points_and_drops_inner_ones() {
        let square = [
            Vec2::new(0.0, 0.0),
            Vec2::new(1.0, 0.0),
            Vec2::new(1.0, 1.0),
            Vec2::new(0.0, 1.0),
        ];
        let mut points = square.to_vec();
        points.push(Vec2::new(0.5, 0.5));
        let outline = FaceOutline {
            corners_px: convex_hull(points),
        };
        assert_eq!(outline.corners_px.len(), 4);
        assert!(outline.contains(Vec2::new(0.5, 0.5)));
        assert!(outline.contains(Vec2::new(0.9, 0.1)));
        assert!(!outline.contains(Vec2::new(1.1, 0.5)));
        assert!(!outline.contains(Vec2::new(0.5, -0.1)));
    }
}
