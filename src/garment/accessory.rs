//! Accessories: rigid models anchored to the body. Each anchor is a point
//! and a frame on the posed body (the eyes with the head's orientation, a
//! wrist with the forearm's); the model's origin goes to the point, its
//! axes follow the frame, and it scales with the body.
//!
//! Model conventions (as for garments): metres, +Y up, facing +Z, the
//! wearer's left at +X. Glasses: origin between the pupils, the lenses
//! `LENS_AHEAD_OF_EYES_M` (12 mm) in front of it, centred 63 mm apart
//! (`REFERENCE_EYE_DISTANCE_M`). Hats: origin at the centre of the head,
//! at ear height. Watches: origin at the wrist's centre, the forearm along
//! X (towards the hand for the left wrist, away from it for the right, as
//! in the T-pose), the dial up (+Y). Bags at a hand or shoulder: origin at
//! the grip.
//!
//! Glasses and hats follow the face (`HeadPose`: the eye landmarks, turned
//! and sized by the face); watches the forearm and the hand
//! (`wrist`); the rest the fitted rig's joints.

mod head;
mod wrist;

use glam::{Mat4, Quat, Vec2, Vec3};

pub use head::{
    ellipsoid_front_z, rig_head_ellipsoid, HeadPose, EARS_CENTRE, LENS_AHEAD_OF_EYES_M,
    OCCLUDER_CENTRE, OCCLUDER_RADII, REFERENCE_EYE_DISTANCE_M, REFERENCE_EYE_TO_MOUTH_M,
    RIG_HEAD_RADII_M,
};

use super::catalog::{AttachAnchor, Attachment};
use super::fit::PosedRig;
use super::rig::{RestSkeleton, RigJoint};
use crate::pose::{Body, BodyLandmark};
use wrist::Side;

/// How far past the wrist a hand's grip is, metres.
const GRIP_FROM_WRIST_M: f32 = 0.08;

/// The body's size against the reference skeleton's (unitless), from the
/// shoulders: accessories and the body proxies scale with it.
pub fn body_scale(rig: &PosedRig) -> f32 {
    let reference = RestSkeleton::reference();
    let reference_shoulders = reference
        .head(RigJoint::UpperArmL)
        .distance(reference.head(RigJoint::UpperArmR));
    rig.shoulder_width_m / reference_shoulders
}

/// Model space → body space for an accessory attached by `attachment` to
/// the body fitted as `rig` (from `body` in a `image_width × image_height`
/// frame).
pub fn accessory_transform(
    body: &Body,
    rig: &PosedRig,
    image_width: u32,
    image_height: u32,
    attachment: &Attachment,
) -> Mat4 {
    let (w, h) = (image_width as f32, image_height as f32);
    let lifted = |l: BodyLandmark| {
        let lm = &body.landmarks[l as usize];
        let [_, _, z] = body.world_landmarks[l as usize];
        rig.camera.unproject(Vec2::new(lm.x * w, lm.y * h), -z)
    };
    let body_scale = body_scale(rig);
    let joint = |j: RigJoint| rig.joint(j);
    use AttachAnchor as A;
    use BodyLandmark as B;
    let (origin, rotation, scale) = match attachment.anchor {
        A::Eyes => {
            let head = HeadPose::from_body(body, rig);
            (head.glasses_origin(), head.rotation, head.scale)
        }
        A::Head => {
            let head = HeadPose::from_body(body, rig);
            (head.to_body(EARS_CENTRE), head.rotation, head.scale)
        }
        A::LeftWrist => wrist::watch_frame(body, rig, Side::Left, lifted, body_scale),
        A::RightWrist => wrist::watch_frame(body, rig, Side::Right, lifted, body_scale),
        A::LeftHand => {
            let hand = joint(RigJoint::HandL);
            let grip = lifted(B::LeftWrist) + hand.rotation * Vec3::X * GRIP_FROM_WRIST_M;
            (grip, hand.rotation, body_scale)
        }
        A::RightHand => {
            let hand = joint(RigJoint::HandR);
            let grip = lifted(B::RightWrist) + hand.rotation * Vec3::NEG_X * GRIP_FROM_WRIST_M;
            (grip, hand.rotation, body_scale)
        }
        A::LeftShoulder => (
            lifted(B::LeftShoulder),
            joint(RigJoint::Chest).rotation,
            body_scale,
        ),
        A::RightShoulder => (
            lifted(B::RightShoulder),
            joint(RigJoint::Chest).rotation,
            body_scale,
        ),
    };
    let scale = scale * attachment.scale;
    let rotation: Quat = rotation.normalize();
    Mat4::from_scale_rotation_translation(
        Vec3::splat(scale),
        rotation,
        origin + rotation * (attachment.offset_m * scale),
    )
}
