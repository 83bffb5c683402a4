//! A watch's frame on a wrist: its axis along the forearm (elbow → wrist),
//! its dial on the back of the wrist as the hand's landmarks show it (the
//! knuckles' line across the hand, crossed with the forearm), facing the
//! camera as far as it can when the hand is unsure.
//!
//! Watch space (as in the T-pose): origin at the wrist's centre, +X along
//! the left forearm towards the hand (on the right forearm away from it),
//! +Y the dial's normal.

use glam::{Mat3, Quat, Vec3};

use crate::garment::fit::PosedRig;
use crate::garment::rig::{RestSkeleton, RigJoint};
use crate::pose::{Body, BodyLandmark};

/// How far up the forearm from the wrist landmark a watch sits (it is worn
/// above the wrist bone), as a fraction of the forearm's length.
const UP_THE_FOREARM: f32 = 0.12;
/// Visibility from which the hand's landmarks turn the dial fully, and
/// below which not at all.
const HAND_TRUST: (f32, f32) = (0.3, 0.6);
/// The forearm's length may scale the watch this much off the body's size
/// (it is foreshortened and its depth noisy; the geometric mean of the two
/// is taken): a watch at scale 1 has its strap 30 mm from the axis, which
/// then stays outside the forearm's proxy (`render::proxies`, 25 mm there
/// on the reference body).
const FOREARM_SCALE_RANGE: (f32, f32) = (0.8, 1.25);

/// Which arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Left,
    Right,
}

/// Origin, rotation (watch space → body space) and scale for a watch on
/// `side`'s wrist; `lifted` puts a landmark in body space.
pub(super) fn watch_frame(
    body: &Body,
    rig: &PosedRig,
    side: Side,
    lifted: impl Fn(BodyLandmark) -> Vec3,
    body_scale: f32,
) -> (Vec3, Quat, f32) {
    use BodyLandmark as B;
    let (elbow, wrist, index, pinky, along_x) = match side {
        Side::Left => (B::LeftElbow, B::LeftWrist, B::LeftIndex, B::LeftPinky, 1.0),
        Side::Right => (
            B::RightElbow,
            B::RightWrist,
            B::RightIndex,
            B::RightPinky,
            -1.0,
        ),
    };
    let forearm_joint = match side {
        Side::Left => RigJoint::ForearmL,
        Side::Right => RigJoint::ForearmR,
    };
    let forearm = lifted(wrist) - lifted(elbow);
    // An arm folded onto the camera's axis has no direction in the image:
    // the rig's (held or relaxed) forearm then gives it.
    let rig_direction = rig.joint(forearm_joint).rotation * Vec3::X * along_x;
    let axis = forearm.try_normalize().unwrap_or(rig_direction);

    // The back of the hand: the knuckles' line (pinky → index) crossed
    // with the forearm, flipped for the right hand. In the T-pose, palms
    // down, the knuckles' line points forward and the back of the hand up.
    let knuckles = lifted(index) - lifted(pinky);
    let back = (knuckles.cross(axis) * along_x).reject_from_normalized(axis);
    let trust = |l: BodyLandmark| {
        let (low, high) = HAND_TRUST;
        ((body.landmarks[l as usize].visibility - low) / (high - low)).clamp(0.0, 1.0)
    };
    // Knuckles nearly along the forearm say little about the turn.
    let conditioning = (back.length() / knuckles.length().max(1e-6)).clamp(0.0, 1.0);
    let weight = trust(index).min(trust(pinky)) * conditioning;
    let towards_camera = Vec3::Z.reject_from_normalized(axis);
    let fallback = towards_camera
        .try_normalize()
        .unwrap_or_else(|| axis.any_orthonormal_vector());
    let dial = back
        .try_normalize()
        .map_or(fallback, |b| fallback.lerp(b, weight))
        .try_normalize()
        .unwrap_or(fallback);

    let x = axis * along_x;
    let z = x.cross(dial);
    let rotation = Quat::from_mat3(&Mat3::from_cols(x, dial, z)).normalize();

    let reference = RestSkeleton::reference();
    let reference_forearm = reference
        .head(RigJoint::ForearmL)
        .distance(reference.head(RigJoint::HandL));
    let (low, high) = FOREARM_SCALE_RANGE;
    let forearm_scale =
        (forearm.length() / reference_forearm).clamp(low * body_scale, high * body_scale);
    let scale = (forearm_scale * body_scale).sqrt();
    let origin = lifted(wrist) - forearm * UP_THE_FOREARM;
    (origin, rotation, scale)
}
