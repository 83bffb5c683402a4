//! The fitter on known bodies.

use super::*;
use crate::garment::rig::RestSkeleton;

const W: u32 = 640;
const H: u32 = 480;

fn body_from(pose: impl Fn(RigJoint, Vec3) -> Vec3) -> Body {
    let camera = BodyCamera {
        pixels_per_metre: 200.0,
        origin_px: Vec2::new(320.0, 300.0),
        image_width: W,
        image_height: H,
    };
    posed_reference_body(pose, &camera)
}

fn pixel(body: &Body, l: BodyLandmark) -> Vec2 {
    let lm = body.landmarks[l as usize];
    Vec2::new(lm.x * W as f32, lm.y * H as f32)
}

#[test]
fn t_pose_fits_the_bind_pose_and_lands_on_the_landmarks() {
    let body = body_from(|_, p| p);
    let bind = BindPose::from(&RestSkeleton::reference());
    let rig = Fitter::new().fit(&body, W, H, &bind, &FitOptions::default());
    assert!(
        (rig.camera.pixels_per_metre - 200.0).abs() < 0.5,
        "{:?}",
        rig.camera
    );
    let matrices = rig.skinning_matrices(&bind);
    for (joint, landmark) in [
        (RigJoint::UpperArmL, BodyLandmark::LeftShoulder),
        (RigJoint::UpperArmR, BodyLandmark::RightShoulder),
        (RigJoint::ThighL, BodyLandmark::LeftHip),
        (RigJoint::ForearmR, BodyLandmark::RightElbow),
    ] {
        let posed = matrices[joint as usize].transform_point3(bind.head(joint));
        let error = rig.camera.project(posed).distance(pixel(&body, landmark));
        assert!(error < 0.5, "{joint:?}: {error} px");
    }
    for joint in RigJoint::ALL {
        let angle = rig.joint(joint).rotation.angle_between(Quat::IDENTITY);
        assert!(angle < 0.05, "{joint:?} turned {angle} rad in a T-pose");
    }
}

#[test]
fn arms_down_turn_the_upper_arms_and_sleeves_follow() {
    // Rotate each arm about its shoulder so it hangs down.
    let rest = RestSkeleton::reference();
    let body = body_from(|joint, p| {
        let hips = (rest.head(RigJoint::ThighL) + rest.head(RigJoint::ThighR)) * 0.5;
        let (shoulder, angle) = match joint {
            RigJoint::UpperArmL | RigJoint::ForearmL | RigJoint::HandL => (
                rest.head(RigJoint::UpperArmL) - hips,
                -std::f32::consts::FRAC_PI_2,
            ),
            RigJoint::UpperArmR | RigJoint::ForearmR | RigJoint::HandR => (
                rest.head(RigJoint::UpperArmR) - hips,
                std::f32::consts::FRAC_PI_2,
            ),
            _ => return p,
        };
        shoulder + Quat::from_rotation_z(angle) * (p - shoulder)
    });
    let bind = BindPose::from(&rest);
    let rig = Fitter::new().fit(&body, W, H, &bind, &FitOptions::default());
    let arm = rig.joint(RigJoint::UpperArmL).rotation * Vec3::X;
    assert!(arm.dot(Vec3::NEG_Y) > 0.99, "left upper arm points {arm}");
    // A point half way down the bind-pose upper arm lands half way
    // between shoulder and elbow in the image.
    let matrices = rig.skinning_matrices(&bind);
    let mid_bind = (bind.head(RigJoint::UpperArmL) + bind.head(RigJoint::ForearmL)) * 0.5;
    let mid = rig
        .camera
        .project(matrices[RigJoint::UpperArmL as usize].transform_point3(mid_bind));
    let expected =
        (pixel(&body, BodyLandmark::LeftShoulder) + pixel(&body, BodyLandmark::LeftElbow)) * 0.5;
    assert!(mid.distance(expected) < 1.0, "{mid} vs {expected}");
}

#[test]
fn an_unsure_wrist_holds_the_forearm_instead_of_popping() {
    let bind = BindPose::from(&RestSkeleton::reference());
    let mut fitter = Fitter::new();
    let body = body_from(|_, p| p);
    let before = fitter.fit(&body, W, H, &bind, &FitOptions::default());
    // The wrist jumps somewhere absurd but is invisible: the forearm
    // keeps its pose.
    let mut glitch = body.clone();
    let wrist = BodyLandmark::LeftWrist as usize;
    glitch.landmarks[wrist].y -= 0.4;
    glitch.world_landmarks[wrist][1] -= 1.0;
    glitch.landmarks[wrist].visibility = 0.1;
    let after = fitter.fit(&glitch, W, H, &bind, &FitOptions::default());
    let turned = before
        .joint(RigJoint::ForearmL)
        .rotation
        .angle_between(after.joint(RigJoint::ForearmL).rotation);
    assert!(turned < 1e-3, "forearm turned {turned} rad");
    // Half trusted: half way.
    glitch.landmarks[wrist].visibility = 0.5;
    let half = fitter.fit(&glitch, W, H, &bind, &FitOptions::default());
    let turned = before
        .joint(RigJoint::ForearmL)
        .rotation
        .angle_between(half.joint(RigJoint::ForearmL).rotation);
    assert!(
        turned > 0.1,
        "a half-trusted wrist moves the forearm some: {turned}"
    );
}

#[test]
fn length_lowers_the_hem_and_keeps_the_shoulders() {
    let body = body_from(|_, p| p);
    let bind = BindPose::from(&RestSkeleton::reference());
    let fit = |length| {
        let options = FitOptions {
            ease: 1.0,
            length,
            ..FitOptions::default()
        };
        let rig = Fitter::new().fit(&body, W, H, &bind, &options);
        let m = rig.skinning_matrices(&bind);
        let hem = m[RigJoint::Hips as usize].transform_point3(Vec3::new(0.0, 0.9, 0.1));
        let shoulder =
            m[RigJoint::UpperArmL as usize].transform_point3(bind.head(RigJoint::UpperArmL));
        (rig.camera.project(hem), rig.camera.project(shoulder))
    };
    let ((hem, shoulder), (long_hem, long_shoulder)) = (fit(1.0), fit(1.3));
    assert!(long_hem.y > hem.y + 1.0, "hem {hem} → {long_hem}");
    assert!(shoulder.distance(long_shoulder) < 1e-3);
}

#[test]
fn legs_out_of_frame_hang_down() {
    let mut body = body_from(|_, p| p);
    for l in [
        BodyLandmark::LeftKnee,
        BodyLandmark::RightKnee,
        BodyLandmark::LeftAnkle,
        BodyLandmark::RightAnkle,
    ] {
        body.landmarks[l as usize].visibility = 0.0;
        body.landmarks[l as usize].x = 5.0; // nonsense far away
    }
    let bind = BindPose::from(&RestSkeleton::reference());
    let rig = Fitter::new().fit(&body, W, H, &bind, &FitOptions::default());
    let thigh = rig.joint(RigJoint::ThighL).rotation * Vec3::NEG_Y;
    assert!(thigh.dot(Vec3::NEG_Y) > 0.99, "thigh points {thigh}");
}

#[test]
fn clip_space_matches_the_pixel_projection() {
    let camera = BodyCamera {
        pixels_per_metre: 150.0,
        origin_px: Vec2::new(100.0, 200.0),
        image_width: W,
        image_height: H,
    };
    let point = Vec3::new(0.3, 0.4, 0.5);
    let px = camera.project(point);
    let clip = camera.clip_from_body() * point.extend(1.0);
    let from_clip = Vec2::new(
        (clip.x + 1.0) * 0.5 * W as f32,
        (1.0 - clip.y) * 0.5 * H as f32,
    );
    assert!(px.distance(from_clip) < 1e-3, "{px} vs {from_clip}");
    // Nearer (larger z) is smaller depth, inside [0, 1].
    let near = camera.clip_from_body() * Vec3::new(0.0, 0.0, 1.0).extend(1.0);
    let far = camera.clip_from_body() * Vec3::new(0.0, 0.0, -1.0).extend(1.0);
    assert!(near.z < far.z && near.z > 0.0 && far.z < 1.0);
    assert!(camera.unproject(px, 0.5).distance(point) < 1e-5);
}
