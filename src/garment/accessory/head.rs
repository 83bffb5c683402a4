//! The head as the face landmarks show it: where the eyes are, how the
//! head is turned and how big it is. Glasses and hats are placed with it,
//! and the head occluder (`render::proxies`) is built from it, so the
//! occluder always lies just behind the glasses' front and never in front
//! of it.
//!
//! Head space: metres of a reference head, origin between the pupils, +X
//! the wearer's left, +Y up, +Z out of the face. The pose is
//! `Rz(roll) · Ry(yaw) · Rx(pitch)`, each angle from the cue that shows it
//! best:
//! - roll from the eye line in the image, so the glasses' lens line is the
//!   eye line;
//! - yaw from the world landmarks' eye and ear lines (their depth is
//!   metric); once they see a clear turn, averaged with how much narrower
//!   the eyes are than the face is high in the image (a turned face's eye
//!   distance foreshortens, its eye-to-mouth distance does not);
//! - pitch from how far the eyes sit above the ears in the image (the eyes
//!   are 9 cm in front of the ears, so nodding moves them past each other).
//!
//! The size comes from the eye distance in the image, corrected for the
//! yaw's foreshortening, and from the eye-to-mouth distance when the head
//! is turned so far that the eye distance says little.

use glam::{Mat4, Quat, Vec2, Vec3};

use crate::garment::fit::{BodyCamera, PosedRig};
use crate::garment::rig::RigJoint;
use crate::pose::{Body, BodyLandmark};

/// The reference head's distance between the pupils, metres.
pub const REFERENCE_EYE_DISTANCE_M: f32 = 0.063;
/// From the pupils' midpoint down to the mouth corners' midpoint, metres.
pub const REFERENCE_EYE_TO_MOUTH_M: f32 = 0.063;
/// The midpoint of the ear landmarks in head space: a little below the
/// eyes and well behind them. Hats sit here.
pub const EARS_CENTRE: Vec3 = Vec3::new(0.0, -0.010, -0.090);
/// How far in front of the pupils a glasses model's lenses are (its
/// origin is between the pupils): the lenses' centres land on the eye
/// landmarks in the image whichever way the head turns.
pub const LENS_AHEAD_OF_EYES_M: f32 = 0.012;
/// The head occluder in head space: an ellipsoid's centre and half axes,
/// its widest (17 cm, the ears included) at the ears' depth. It holds the
/// skull behind the eyes: its front reaches the pupils' plane only at the
/// nose bridge and falls back from there (12 cm wide 3 cm behind the
/// eyes), so the lenses and the front of a frame (12 mm ahead) stay in
/// front of it, while temples running back to the ears go into it and
/// behind it.
pub const OCCLUDER_CENTRE: Vec3 = Vec3::new(0.0, 0.010, -0.095);
pub const OCCLUDER_RADII: Vec3 = Vec3::new(0.085, 0.12, 0.095);
/// The rig's own head proxy (half widths across, up, front to back,
/// metres on the reference body; it scales with the body), placed by the
/// torso chain: what the renderer draws when it has no face landmarks.
pub const RIG_HEAD_RADII_M: Vec3 = Vec3::new(0.08, 0.11, 0.095);
/// Turns beyond these are clamped: a face seen edge-on has no eye line to
/// follow, and pitch estimates beyond this are noise.
const MAX_YAW_RAD: f32 = 70.0 * std::f32::consts::PI / 180.0;
const MAX_PITCH_RAD: f32 = 30.0 * std::f32::consts::PI / 180.0;
/// World-landmark yaws from which the eye-to-face ratio starts to count,
/// and from which it counts half.
const RATIO_YAW_FROM_RAD: (f32, f32) = (
    10.0 * std::f32::consts::PI / 180.0,
    25.0 * std::f32::consts::PI / 180.0,
);
/// How far in front of the rig's head proxy the lenses stay at least, in
/// reference-head metres (the rig of another garment places it a little
/// differently).
const RIG_HEAD_CLEARANCE_M: f32 = 0.008;

/// One frame's head pose, in body space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadPose {
    /// Between the pupils: x and y on the eye landmarks' midpoint in the
    /// image, z the face's depth.
    pub eyes: Vec3,
    /// Head space → body space.
    pub rotation: Quat,
    /// Body metres per head-space metre.
    pub scale: f32,
}

impl HeadPose {
    /// The head of `body` as fitted by `rig` (its camera, and its head
    /// proxy, which the face is kept in front of).
    pub fn from_body(body: &Body, rig: &PosedRig) -> HeadPose {
        use BodyLandmark as B;
        let camera = &rig.camera;
        let flat = |l: BodyLandmark| image_point(body, camera, l);
        let (left_eye, right_eye) = (flat(B::LeftEye), flat(B::RightEye));
        let eye_line = left_eye - right_eye;
        let eye_distance = eye_line.length();
        let across = eye_line.try_normalize().unwrap_or(Vec2::X);
        let up = across.perp();
        let roll = across.y.atan2(across.x);

        let eyes_2d = (left_eye + right_eye) * 0.5;
        let mouth = (flat(B::MouthLeft) + flat(B::MouthRight)) * 0.5;
        let ears = (flat(B::LeftEar) + flat(B::RightEar)) * 0.5;
        // Across the face the eye distance foreshortens with the yaw; down
        // it the eye-to-mouth distance does not, so their ratio is a
        // second measure of the yaw (its size, not its side). Faces differ
        // in proportions by more than a small turn foreshortens them, so
        // it is averaged in only once the world landmarks see a clear
        // turn.
        let from_height = (eyes_2d - mouth).dot(up).abs() / REFERENCE_EYE_TO_MOUTH_M;
        let world = world_yaw(body);
        let facing = (eye_distance / REFERENCE_EYE_DISTANCE_M / from_height).min(1.0);
        let (clear_from, clear_at) = RATIO_YAW_FROM_RAD;
        let weight = 0.5 * ((world.abs() - clear_from) / (clear_at - clear_from)).clamp(0.0, 1.0);
        let yaw = if facing.is_finite() {
            world + world.signum() * weight * (facing.acos() - world.abs())
        } else {
            world
        }
        .clamp(-MAX_YAW_RAD, MAX_YAW_RAD);
        // The more the head turns the more the face's height is trusted
        // for its size.
        let facing = yaw.cos();
        let from_width = eye_distance / (REFERENCE_EYE_DISTANCE_M * facing);
        let weight = facing * facing;
        let mut scale = from_width * weight + from_height * (1.0 - weight);
        if !(scale.is_finite() && scale > 1e-3) {
            // No face to measure: the body's size.
            scale = super::body_scale(rig);
        }
        let scale = scale.max(1e-3);

        // Pitch: the eyes' height above the ears, in head metres, is
        // a·cos(pitch) − b·sin(pitch) for eyes a above and b in front.
        let (a, b) = (-EARS_CENTRE.y, -EARS_CENTRE.z);
        let height = (eyes_2d - ears).dot(up) / scale;
        let reach = a.hypot(b);
        let pitch = (a.atan2(b) - (height / reach).clamp(-1.0, 1.0).asin())
            .clamp(-MAX_PITCH_RAD, MAX_PITCH_RAD);

        let rotation = (Quat::from_rotation_z(roll)
            * Quat::from_rotation_y(yaw)
            * Quat::from_rotation_x(pitch))
        .normalize();
        let mut head = HeadPose {
            eyes: eyes_2d.extend(0.0),
            rotation,
            scale,
        };
        // Depth: the eyes' world depth, but never behind the front of the
        // rig's head proxy around the eyes, which a renderer without the
        // face landmarks draws.
        let world_z = -(body.world_landmarks[B::LeftEye as usize][2]
            + body.world_landmarks[B::RightEye as usize][2])
            * 0.5;
        let rig_head = rig_head_ellipsoid(rig);
        let lens_radius = 0.5 * REFERENCE_EYE_DISTANCE_M * scale;
        let rig_front = [left_eye, right_eye, eyes_2d]
            .into_iter()
            .flat_map(|p| {
                [Vec2::ZERO, Vec2::X, Vec2::NEG_X, Vec2::Y, Vec2::NEG_Y]
                    .map(|d| p + d * lens_radius)
            })
            .filter_map(|p| ellipsoid_front_z(&rig_head, p))
            .fold(f32::NEG_INFINITY, f32::max);
        head.eyes.z = world_z.max(rig_front + RIG_HEAD_CLEARANCE_M * scale);
        if !head.eyes.z.is_finite() {
            head.eyes.z = 0.0;
        }
        head
    }

    /// A head-space point in body space.
    pub fn to_body(self, head_point: Vec3) -> Vec3 {
        self.eyes + self.rotation * (head_point * self.scale)
    }

    /// Where a glasses model's origin goes: between the pupils, moved so
    /// that the lenses (`LENS_AHEAD_OF_EYES_M` in front) are seen over the
    /// pupils, i.e. pushed along the camera's axis rather than the face's.
    pub fn glasses_origin(&self) -> Vec3 {
        let ahead = LENS_AHEAD_OF_EYES_M * self.scale;
        self.eyes - self.rotation * Vec3::Z * ahead + Vec3::Z * ahead
    }

    /// The head occluder: unit sphere → body space.
    pub fn occluder(&self) -> Mat4 {
        Mat4::from_scale_rotation_translation(
            OCCLUDER_RADII * self.scale,
            self.rotation,
            self.to_body(OCCLUDER_CENTRE),
        )
    }
}

/// The rig's head proxy (unit sphere → body space): the `head` joint's
/// frame from the torso chain, the body's size.
pub fn rig_head_ellipsoid(rig: &PosedRig) -> Mat4 {
    let head = rig.joint(RigJoint::Head);
    let radii = RIG_HEAD_RADII_M * super::body_scale(rig);
    let centre = head.head + head.rotation * Vec3::Y * radii.y * 0.8;
    Mat4::from_scale_rotation_translation(radii, head.rotation, centre)
}

/// The depth of the front of an ellipsoid (unit sphere → body space) along
/// the camera's ray through body-space `point` (x, y); `None` where the ray
/// misses it.
pub fn ellipsoid_front_z(ellipsoid: &Mat4, point: Vec2) -> Option<f32> {
    let inverse = ellipsoid.inverse();
    let origin = inverse.transform_point3(point.extend(0.0));
    let direction = inverse.transform_vector3(Vec3::Z);
    let a = direction.length_squared();
    let b = 2.0 * origin.dot(direction);
    let c = origin.length_squared() - 1.0;
    let discriminant = b * b - 4.0 * a * c;
    (discriminant >= 0.0 && a > 0.0).then(|| (-b + discriminant.sqrt()) / (2.0 * a))
}

/// A landmark's image position in body space (x, y; metres).
fn image_point(body: &Body, camera: &BodyCamera, landmark: BodyLandmark) -> Vec2 {
    let lm = &body.landmarks[landmark as usize];
    let pixel = Vec2::new(
        lm.x * camera.image_width as f32,
        lm.y * camera.image_height as f32,
    );
    camera.unproject(pixel, 0.0).truncate()
}

/// The head's yaw (about its up axis, positive turning to the wearer's
/// left) from the world landmarks' eye and ear lines seen from above. Both
/// are measured in the world landmarks alone: their depth and their width
/// share one scale, which the image's width does not.
fn world_yaw(body: &Body) -> f32 {
    use BodyLandmark as B;
    // (x, z) in body space: z towards the camera.
    let top = |l: BodyLandmark| {
        let [x, _, z] = body.world_landmarks[l as usize];
        Vec2::new(x, -z)
    };
    let sum: Vec2 = [(B::LeftEye, B::RightEye), (B::LeftEar, B::RightEar)]
        .into_iter()
        .filter_map(|(l, r)| (top(l) - top(r)).try_normalize())
        .sum();
    // The head's +X is (cos yaw, −sin yaw) seen from above.
    if sum.length_squared() < 1e-6 {
        return 0.0;
    }
    (-sum.y).atan2(sum.x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_front_of_a_sphere_is_found_along_the_camera_ray() {
        let sphere = Mat4::from_scale_rotation_translation(
            Vec3::splat(2.0),
            Quat::IDENTITY,
            Vec3::new(1.0, 0.0, -3.0),
        );
        let front = ellipsoid_front_z(&sphere, Vec2::new(1.0, 0.0)).unwrap();
        assert!((front - -1.0).abs() < 1e-5, "{front}");
        let off_centre = ellipsoid_front_z(&sphere, Vec2::new(1.0, 2.0f32.sqrt())).unwrap();
        assert!((off_centre - (-3.0 + 2.0f32.sqrt())).abs() < 1e-4);
        assert_eq!(ellipsoid_front_z(&sphere, Vec2::new(3.5, 0.0)), None);
    }
}
