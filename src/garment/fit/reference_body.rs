//! A known body for tests, demos and garment previews.

use glam::Vec3;

use super::BodyCamera;
use crate::garment::rig::{RestSkeleton, RigJoint};
use crate::pose::{Body, BodyLandmark};

/// A `Body` whose landmarks sit on the reference skeleton's joints, moved
/// by `pose` (joint, position relative to the hips → new position; body
/// space) and seen through `camera`: a known body for tests, demos and
/// garment previews. Face points are placed on the head; every landmark is
/// fully visible.
pub fn posed_reference_body(pose: impl Fn(RigJoint, Vec3) -> Vec3, camera: &BodyCamera) -> Body {
    use crate::pose::{Landmark, NormalizedRect};
    let rest = RestSkeleton::reference();
    let hips = (rest.head(RigJoint::ThighL) + rest.head(RigJoint::ThighR)) * 0.5;
    let at = |j: RigJoint| pose(j, rest.head(j) - hips);
    let tail = |j: RigJoint| pose(j, rest.tail(j) - hips);
    use BodyLandmark as B;
    use RigJoint as J;
    let mut points = [Vec3::ZERO; 33];
    let head = at(J::Head);
    for (l, p) in [
        (B::Nose, head + Vec3::new(0.0, 0.05, 0.10)),
        (B::LeftEyeInner, head + Vec3::new(0.015, 0.08, 0.09)),
        (B::LeftEye, head + Vec3::new(0.03, 0.08, 0.08)),
        (B::LeftEyeOuter, head + Vec3::new(0.045, 0.08, 0.07)),
        (B::RightEyeInner, head + Vec3::new(-0.015, 0.08, 0.09)),
        (B::RightEye, head + Vec3::new(-0.03, 0.08, 0.08)),
        (B::RightEyeOuter, head + Vec3::new(-0.045, 0.08, 0.07)),
        (B::LeftEar, head + Vec3::new(0.07, 0.06, 0.0)),
        (B::RightEar, head + Vec3::new(-0.07, 0.06, 0.0)),
        (B::MouthLeft, head + Vec3::new(0.02, 0.0, 0.08)),
        (B::MouthRight, head + Vec3::new(-0.02, 0.0, 0.08)),
        (B::LeftShoulder, at(J::UpperArmL)),
        (B::RightShoulder, at(J::UpperArmR)),
        (B::LeftElbow, at(J::ForearmL)),
        (B::RightElbow, at(J::ForearmR)),
        (B::LeftWrist, at(J::HandL)),
        (B::RightWrist, at(J::HandR)),
        (B::LeftPinky, tail(J::HandL)),
        (B::RightPinky, tail(J::HandR)),
        (B::LeftIndex, tail(J::HandL)),
        (B::RightIndex, tail(J::HandR)),
        (B::LeftThumb, tail(J::HandL)),
        (B::RightThumb, tail(J::HandR)),
        (B::LeftHip, at(J::ThighL)),
        (B::RightHip, at(J::ThighR)),
        (B::LeftKnee, at(J::ShinL)),
        (B::RightKnee, at(J::ShinR)),
        (B::LeftAnkle, at(J::FootL)),
        (B::RightAnkle, at(J::FootR)),
        (B::LeftHeel, at(J::FootL)),
        (B::RightHeel, at(J::FootR)),
        (B::LeftFootIndex, tail(J::FootL)),
        (B::RightFootIndex, tail(J::FootR)),
    ] {
        points[l as usize] = p;
    }
    let (w, h) = (camera.image_width as f32, camera.image_height as f32);
    let landmarks = points.map(|p| {
        let px = camera.project(p);
        Landmark {
            x: px.x / w,
            y: px.y / h,
            z: 0.0,
            visibility: 0.95,
            presence: 0.99,
        }
    });
    Body {
        landmarks,
        world_landmarks: points.map(|p| [p.x, -p.y, -p.z]),
        pose_score: 1.0,
        roi: NormalizedRect {
            x_center: 0.5,
            y_center: 0.5,
            width: 1.0,
            height: 1.0,
            rotation: 0.0,
        },
        detection: None,
        mask: None,
    }
}
