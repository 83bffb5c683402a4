//! Fit accuracy on the reference photos: a garment fitted to the body our
//! pose pipeline finds puts its shoulder and hip anchor points on
//! MediaPipe's landmarks, within 2 % of the image diagonal. Also the
//! accessories' anchors: the glasses' origin between the eyes.

use std::path::PathBuf;
use std::time::Duration;

use drape::garment::accessory::accessory_transform;
use drape::garment::catalog::{AttachAnchor, Attachment};
use drape::garment::fit::{BindPose, FitOptions, Fitter};
use drape::garment::gltf_load::{load_garment, GltfOptions};
use drape::garment::RigJoint;
use drape::nn::Backend;
use drape::pose::{BodyLandmark, PoseConfig, PoseTracker};
use glam::{Vec2, Vec3};

/// The bar: anchor error as a fraction of the image diagonal.
const MAX_ANCHOR_ERROR: f32 = 0.02;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn garment_anchors_land_on_the_landmarks_of_the_reference_photos() {
    let gpu = drape::GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let mut tracker = PoseTracker::new(
        &gpu,
        PoseConfig {
            static_mode: true,
            segmentation: false,
            backend: Backend::Cpu,
            ..PoseConfig::default()
        },
    )
    .unwrap();
    let shirt = load_garment(
        root().join("assets/garments/tshirt.glb"),
        GltfOptions::garment(),
    )
    .unwrap();
    let skin = shirt.skin.as_ref().unwrap();
    let mut bind = BindPose::from(&drape::garment::RestSkeleton::reference());
    for (joint, inverse_bind) in skin.joints.iter().zip(&skin.inverse_bind) {
        bind.heads[*joint as usize] = inverse_bind.inverse().transform_point3(Vec3::ZERO);
    }
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/reference/ref/static.json")).unwrap(),
    )
    .unwrap();
    println!("image          anchor          error (fraction of diagonal)");
    let mut failures = Vec::new();
    for image in reference["images"].as_array().unwrap() {
        let id = image["id"].as_str().unwrap();
        let rgba = image::open(
            root()
                .join("tests/data/reference")
                .join(image["file"].as_str().unwrap()),
        )
        .unwrap()
        .into_rgba8();
        let (w, h) = rgba.dimensions();
        let body = tracker
            .process(rgba.as_raw(), w, h, Duration::ZERO)
            .unwrap()
            .expect("a person in every reference photo");
        let rig = Fitter::new().fit(&body, w, h, &bind, &FitOptions::default());
        let matrices = rig.skinning_matrices(&bind);
        let theirs = image["runs"]["c0"]["landmarks"].as_array().unwrap();
        let landmark = |l: BodyLandmark| {
            let v = theirs[l as usize].as_array().unwrap();
            Vec2::new(
                v[0].as_f64().unwrap() as f32 * w as f32,
                v[1].as_f64().unwrap() as f32 * h as f32,
            )
        };
        let diagonal = ((w * w + h * h) as f32).sqrt();
        let mut check = |name: &str, at: Vec2, expected: Vec2| {
            let error = at.distance(expected) / diagonal;
            println!("{id:<14} {name:<15} {error:.4}");
            if error > MAX_ANCHOR_ERROR {
                failures.push(format!("{id} {name}: {error:.4}"));
            }
        };
        for (joint, l, name) in [
            (
                RigJoint::UpperArmL,
                BodyLandmark::LeftShoulder,
                "left shoulder",
            ),
            (
                RigJoint::UpperArmR,
                BodyLandmark::RightShoulder,
                "right shoulder",
            ),
            (RigJoint::ThighL, BodyLandmark::LeftHip, "left hip"),
            (RigJoint::ThighR, BodyLandmark::RightHip, "right hip"),
        ] {
            let posed = matrices[joint as usize].transform_point3(bind.head(joint));
            check(name, rig.camera.project(posed), landmark(l));
        }
        let glasses = accessory_transform(
            &body,
            &rig,
            w,
            h,
            &Attachment {
                anchor: AttachAnchor::Eyes,
                offset_m: Vec3::ZERO,
                scale: 1.0,
            },
        );
        let between_eyes =
            (landmark(BodyLandmark::LeftEye) + landmark(BodyLandmark::RightEye)) * 0.5;
        check(
            "glasses",
            rig.camera.project(glasses.transform_point3(Vec3::ZERO)),
            between_eyes,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
