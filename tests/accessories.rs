//! Accessories placed on bodies: the reference photos' as MediaPipe found
//! them (`tests/data/reference/ref/static.json`, lite and full models) and
//! synthetic ones.
//!
//! Glasses: the lenses on the eyes, as wide as a face, turned with the head
//! (synthetic heads turned by known angles); the head occluder behind the
//! glasses' front and in front of the temples behind the head; drawn on
//! Grace Hopper by the try-on renderer (lavapipe).
//!
//! Watch: on the wrist along the forearm (also when the elbow is unsure),
//! the dial on the back of the hand, the strap clear of the forearm's
//! proxy.

use std::path::PathBuf;

use drape::garment::accessory::{
    accessory_transform, ellipsoid_front_z, HeadPose, EARS_CENTRE, REFERENCE_EYE_DISTANCE_M,
    REFERENCE_EYE_TO_MOUTH_M,
};
use drape::garment::catalog::{AttachAnchor, Attachment};
use drape::garment::fit::{
    posed_reference_body, BindPose, BodyCamera, FitOptions, Fitter, PosedRig,
};
use drape::garment::gltf_load::{load_garment, AlphaMode, GarmentModel, GltfOptions};
use drape::garment::{RestSkeleton, RigJoint};
use drape::gpu::{texture_2d_descriptor, TextureReadback};
use drape::pose::{Body, BodyLandmark as B, Landmark, NormalizedRect};
use drape::render::proxies::{BodyProxies, FOREARM_RADIUS_M, WRIST_RADIUS_M};
use drape::render::{GpuGarment, ShadingLight, TryOnRenderer, TryOnScene};
use drape::upload::{FrameUploader, UploadOptions};
use drape::{Frame, GpuContext, PixelFormat};
use glam::{Mat4, Quat, Vec2, Vec3};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One reference photo with the landmarks one MediaPipe model found on it.
struct Reference {
    id: String,
    run: &'static str,
    body: Body,
    width: u32,
    height: u32,
}

impl Reference {
    /// A landmark in pixels.
    fn pixel(&self, landmark: B) -> Vec2 {
        let l = self.body.landmarks[landmark as usize];
        Vec2::new(l.x * self.width as f32, l.y * self.height as f32)
    }

    fn rig(&self) -> PosedRig {
        let bind = BindPose::from(&RestSkeleton::reference());
        Fitter::new().fit(
            &self.body,
            self.width,
            self.height,
            &bind,
            &FitOptions::default(),
        )
    }

    fn place(&self, rig: &PosedRig, anchor: AttachAnchor) -> Mat4 {
        let attachment = Attachment {
            anchor,
            offset_m: Vec3::ZERO,
            scale: 1.0,
        };
        accessory_transform(&self.body, rig, self.width, self.height, &attachment)
    }

    fn name(&self) -> String {
        format!("{} ({})", self.id, self.run)
    }
}

/// Every reference photo's body as the lite (c0) and full (c1) models saw
/// it.
fn references() -> Vec<Reference> {
    references_from(&["c0", "c1"])
}

fn references_from(runs: &[&'static str]) -> Vec<Reference> {
    let text =
        std::fs::read_to_string(root().join("tests/data/reference/ref/static.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let number = |v: &serde_json::Value| v.as_f64().unwrap() as f32;
    let mut references = Vec::new();
    for &run in runs {
        for image in json["images"].as_array().unwrap() {
            let result = &image["runs"][run];
            if result["pose_found"] != true {
                continue;
            }
            let rows = |key: &str| -> Vec<Vec<f32>> {
                result[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|row| row.as_array().unwrap().iter().map(number).collect())
                    .collect()
            };
            let landmarks: Vec<Landmark> = rows("landmarks")
                .iter()
                .map(|v| Landmark {
                    x: v[0],
                    y: v[1],
                    z: v[2],
                    visibility: v[3],
                    presence: v[4],
                })
                .collect();
            let world: Vec<[f32; 3]> = rows("world_landmarks")
                .iter()
                .map(|v| [v[0], v[1], v[2]])
                .collect();
            references.push(Reference {
                id: image["id"].as_str().unwrap().to_owned(),
                run,
                body: Body {
                    landmarks: landmarks.try_into().unwrap(),
                    world_landmarks: world.try_into().unwrap(),
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
                },
                width: image["width"].as_u64().unwrap() as u32,
                height: image["height"].as_u64().unwrap() as u32,
            });
        }
    }
    assert_eq!(
        references.len(),
        4 * runs.len(),
        "a body on each of four photos"
    );
    references
}

fn model(file: &str) -> GarmentModel {
    load_garment(
        root().join("assets/garments").join(file),
        GltfOptions::accessory(),
    )
    .unwrap()
}

/// The glasses' geometry in model space: the lenses' centres (left,
/// right), the frame's outermost front points (left, right: its width is
/// between them) and every point of the frame's front (no further back
/// than the hinges), and the temples' far ends (left, right).
struct Glasses {
    lenses: [Vec3; 2],
    sides: [Vec3; 2],
    front: Vec<Vec3>,
    temple_ends: [Vec3; 2],
}

fn glasses() -> Glasses {
    let model = model("glasses.glb");
    let is_lens = |material: usize| model.materials[material].alpha_mode != AlphaMode::Opaque;
    let centroid = |points: Vec<Vec3>| points.iter().sum::<Vec3>() / points.len() as f32;
    let mut lens = [Vec::new(), Vec::new()];
    let mut frame = Vec::new();
    for primitive in &model.primitives {
        for &p in &primitive.positions {
            if is_lens(primitive.material) {
                lens[usize::from(p.x < 0.0)].push(p);
            } else {
                frame.push(p);
            }
        }
    }
    let [left, right] = lens.map(centroid);
    let front: Vec<Vec3> = frame
        .iter()
        .copied()
        .filter(|p| p.z >= left.z - 0.01)
        .collect();
    let extreme = |points: &[Vec3], key: fn(&Vec3) -> f32| {
        *points
            .iter()
            .min_by(|a, b| key(a).total_cmp(&key(b)))
            .unwrap()
    };
    let side = |s: f32| -> Vec<Vec3> { frame.iter().copied().filter(|p| p.x * s > 0.0).collect() };
    Glasses {
        lenses: [left, right],
        sides: [extreme(&front, |p| -p.x), extreme(&front, |p| p.x)],
        front,
        temple_ends: [extreme(&side(1.0), |p| p.z), extreme(&side(-1.0), |p| p.z)],
    }
}

fn angle_deg(a: Vec2, b: Vec2) -> f32 {
    a.angle_to(b).abs().to_degrees()
}

#[test]
fn the_lenses_sit_on_the_eyes_of_every_reference_face() {
    let glasses = glasses();
    let mut failures = Vec::new();
    println!(
        "photo                lens error (× eye distance)  width (× eye distance)  roll error (°)"
    );
    for reference in references() {
        let rig = reference.rig();
        let transform = reference.place(&rig, AttachAnchor::Eyes);
        let seen = |p: Vec3| rig.camera.project(transform.transform_point3(p));
        let eyes = [reference.pixel(B::LeftEye), reference.pixel(B::RightEye)];
        let eye_distance = eyes[0].distance(eyes[1]);
        let lenses = glasses.lenses.map(seen);
        let lens_error = (0..2)
            .map(|i| lenses[i].distance(eyes[i]) / eye_distance)
            .fold(0.0, f32::max);
        let eye_line = eyes[0] - eyes[1];
        let width = seen(glasses.sides[0]).distance(seen(glasses.sides[1])) / eye_distance;
        let roll_error = angle_deg(lenses[0] - lenses[1], eye_line);
        println!(
            "{:<20} {lens_error:>10.3} {width:>28.2} {roll_error:>18.2}",
            reference.name()
        );
        if lens_error > 0.2 {
            failures.push(format!(
                "{}: a lens centre is {lens_error:.2} eye distances off its eye",
                reference.name()
            ));
        }
        if !(1.6..=2.6).contains(&width) {
            failures.push(format!(
                "{}: the glasses are {width:.2} eye distances wide",
                reference.name()
            ));
        }
        if roll_error > 3.0 {
            failures.push(format!(
                "{}: the lenses' line is {roll_error:.1}° off the eye line",
                reference.name()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether the head occluder `head` (unit sphere → body space) hides the
/// body-space point `p` from the camera.
fn hidden_by(head: &Mat4, p: Vec3) -> bool {
    ellipsoid_front_z(head, p.truncate()).is_some_and(|front| front > p.z)
}

/// The head proxy the renderer draws: placed from the face, or from the rig
/// alone.
fn head_proxy(proxies: BodyProxies) -> Mat4 {
    *proxies.spheres.last().expect("a head")
}

#[test]
fn the_head_occluder_hides_the_temples_behind_the_head_but_never_the_front() {
    let glasses = glasses();
    let mut failures = Vec::new();
    for reference in references() {
        let rig = reference.rig();
        let transform = reference.place(&rig, AttachAnchor::Eyes);
        let from_face = head_proxy(BodyProxies::from_body(&rig, &reference.body));
        let from_rig = head_proxy(BodyProxies::from_rig(&rig));
        // The lenses and the frame's front: in front of either head.
        let front: Vec<Vec3> = glasses
            .front
            .iter()
            .chain(&glasses.lenses)
            .map(|&p| transform.transform_point3(p))
            .collect();
        for (head, name) in [(&from_face, "face"), (&from_rig, "rig")] {
            let hidden = front.iter().filter(|&&p| hidden_by(head, p)).count();
            if hidden > 0 {
                failures.push(format!(
                    "{}: the head proxy placed from the {name} hides {hidden} of the {} points of the glasses' front",
                    reference.name(),
                    front.len()
                ));
            }
        }
        // The temples' ends behind the ears: the one further from the
        // camera always behind the head; on the frontal portraits both.
        let mut ends = glasses.temple_ends.map(|p| transform.transform_point3(p));
        ends.sort_by(|a, b| a.z.total_cmp(&b.z));
        let frontal = ["grace_hopper", "astronaut"].contains(&reference.id.as_str());
        for (end, which) in ends.iter().zip(["far", "near"]) {
            if (which == "far" || frontal) && !hidden_by(&from_face, *end) {
                failures.push(format!(
                    "{}: the {which} temple's end is not behind the head",
                    reference.name()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A synthetic face in head space (metres, origin between the pupils):
/// the reference head's eyes and ears, the mouth `eye_to_mouth` below the
/// eyes, and the nose in front.
fn synthetic_face(eye_to_mouth: f32) -> [(B, Vec3); 11] {
    let eye = REFERENCE_EYE_DISTANCE_M / 2.0;
    let mouth = Vec3::new(0.0, -eye_to_mouth, -0.005);
    let ears = EARS_CENTRE;
    [
        (B::Nose, Vec3::new(0.0, -0.035, 0.03)),
        (B::LeftEyeInner, Vec3::new(eye - 0.012, 0.0, -0.004)),
        (B::LeftEye, Vec3::new(eye, 0.0, 0.0)),
        (B::LeftEyeOuter, Vec3::new(eye + 0.012, 0.0, -0.006)),
        (B::RightEyeInner, Vec3::new(-eye + 0.012, 0.0, -0.004)),
        (B::RightEye, Vec3::new(-eye, 0.0, 0.0)),
        (B::RightEyeOuter, Vec3::new(-eye - 0.012, 0.0, -0.006)),
        (B::LeftEar, ears + Vec3::X * 0.075),
        (B::RightEar, ears - Vec3::X * 0.075),
        (B::MouthLeft, mouth + Vec3::X * 0.025),
        (B::MouthRight, mouth - Vec3::X * 0.025),
    ]
}

/// Puts `landmark` at body-space `p` on `body` seen through `camera`: its
/// image position and its world position.
fn set_landmark(body: &mut Body, camera: &BodyCamera, landmark: B, p: Vec3, visibility: f32) {
    let pixel = camera.project(p);
    let l = &mut body.landmarks[landmark as usize];
    l.x = pixel.x / camera.image_width as f32;
    l.y = pixel.y / camera.image_height as f32;
    l.visibility = visibility;
    body.world_landmarks[landmark as usize] = [p.x, -p.y, -p.z];
}

/// A reference body seen close up, 640 × 640.
fn close_camera() -> BodyCamera {
    BodyCamera {
        pixels_per_metre: 800.0,
        origin_px: Vec2::new(320.0, 320.0 + 0.6 * 800.0),
        image_width: 640,
        image_height: 640,
    }
}

#[test]
fn the_glasses_turn_with_the_head() {
    let camera = close_camera();
    let bind = BindPose::from(&RestSkeleton::reference());
    let mut failures = Vec::new();
    // (yaw, pitch, roll in degrees; the face's eye-to-mouth distance)
    let reference = REFERENCE_EYE_TO_MOUTH_M;
    for (yaw, pitch, roll, eye_to_mouth) in [
        (0.0f32, 0.0f32, 0.0f32, reference),
        (35.0, 0.0, 0.0, reference),
        (-50.0, 0.0, 0.0, reference),
        (0.0, 20.0, 0.0, reference),
        (0.0, -15.0, 0.0, reference),
        (0.0, 0.0, 15.0, reference),
        (25.0, -10.0, -12.0, reference),
        // A long face seen from the front is not taken for a turned one.
        (0.0, 0.0, 0.0, 1.25 * reference),
    ] {
        let mut body = posed_reference_body(|_, p| p, &camera);
        let eyes = Vec3::new(0.0, 0.68, 0.09);
        let turn = Quat::from_rotation_z(roll.to_radians())
            * Quat::from_rotation_y(yaw.to_radians())
            * Quat::from_rotation_x(pitch.to_radians());
        for (landmark, p) in synthetic_face(eye_to_mouth) {
            set_landmark(&mut body, &camera, landmark, eyes + turn * p, 0.99);
        }
        let rig = Fitter::new().fit(&body, 640, 640, &bind, &FitOptions::default());
        let head = HeadPose::from_body(&body, &rig);
        let error = head.rotation.angle_between(turn).to_degrees();
        let scale_error = (head.scale - 1.0).abs();
        if error > 3.0 || scale_error > 0.03 {
            failures.push(format!(
                "yaw {yaw}° pitch {pitch}° roll {roll}° (eyes to mouth {eye_to_mouth} m): the head is found {error:.1}° off, scale {:.3}",
                head.scale
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_watch_sits_on_the_wrist_along_the_forearm() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for reference in references() {
        let rig = reference.rig();
        for (anchor, elbow, wrist, towards_hand) in [
            (AttachAnchor::LeftWrist, B::LeftElbow, B::LeftWrist, 1.0),
            (AttachAnchor::RightWrist, B::RightElbow, B::RightWrist, -1.0),
        ] {
            // Wrists out of the frame (Grace Hopper's) carry no watch to
            // look at.
            let at = reference.pixel(wrist);
            let inside = at.x >= 0.0
                && at.y >= 0.0
                && at.x < reference.width as f32
                && at.y < reference.height as f32;
            if !inside || reference.body.landmarks[wrist as usize].presence < 0.5 {
                continue;
            }
            checked += 1;
            let transform = reference.place(&rig, anchor);
            let centre = rig.camera.project(transform.transform_point3(Vec3::ZERO));
            let along = rig
                .camera
                .project(transform.transform_point3(Vec3::X * towards_hand))
                - centre;
            let forearm = at - reference.pixel(elbow);
            let off = centre.distance(at) / forearm.length();
            let turn = angle_deg(along, forearm);
            println!(
                "{:<20} {anchor:?}: centre {off:.2} forearms off the wrist, axis {turn:.1}° off the forearm",
                reference.name()
            );
            if off > 0.3 || turn > 20.0 {
                failures.push(format!(
                    "{} {anchor:?}: centre {off:.2} forearm lengths from the wrist, axis {turn:.1}° off",
                    reference.name()
                ));
            }
        }
    }
    assert!(checked >= 8, "only {checked} wrists in the frame");

    // A forearm raised in front of the chest, the elbow seen unsurely (as
    // MediaPipe often says of an elbow at the body's side): the rig lets
    // that sleeve hang, the watch still follows the wrist and the forearm.
    let camera = close_camera();
    let bind = BindPose::from(&RestSkeleton::reference());
    let elbow = Vec3::new(0.2, 0.2, 0.05);
    let wrist = elbow + Vec3::new(-0.08, 0.24, 0.05);
    let raised = move |joint: RigJoint, p: Vec3| match joint {
        RigJoint::ForearmL => elbow,
        // The wrist, then the fingertips (the rest hand's tail) beyond it.
        RigJoint::HandL if p.x < 0.8 => wrist,
        RigJoint::HandL => wrist + (wrist - elbow).normalize() * 0.18,
        _ => p,
    };
    let mut body = posed_reference_body(raised, &camera);
    body.landmarks[B::LeftElbow as usize].visibility = 0.45;
    let rig = Fitter::new().fit(&body, 640, 640, &bind, &FitOptions::default());
    let transform = accessory_transform(
        &body,
        &rig,
        640,
        640,
        &Attachment {
            anchor: AttachAnchor::LeftWrist,
            offset_m: Vec3::ZERO,
            scale: 1.0,
        },
    );
    let centre = camera.project(transform.transform_point3(Vec3::ZERO));
    let along = camera.project(transform.transform_point3(Vec3::X)) - centre;
    let forearm = camera.project(wrist) - camera.project(elbow);
    let off = centre.distance(camera.project(wrist)) / forearm.length();
    let turn = angle_deg(along, forearm);
    if off > 0.3 || turn > 20.0 {
        failures.push(format!(
            "a raised forearm with an unsure elbow: centre {off:.2} forearm lengths from the wrist, axis {turn:.1}° off"
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The watch's strap stays outside the forearm's proxy (which hides what
/// is behind the arm), so the proxy does not swallow the band.
#[test]
fn the_watch_strap_clears_the_forearm_proxy() {
    let watch = model("watch.glb");
    let strap: Vec<Vec3> = watch
        .primitives
        .iter()
        .filter(|p| watch.materials[p.material].name.contains("strap"))
        .flat_map(|p| p.positions.iter().copied())
        .collect();
    assert!(!strap.is_empty(), "the watch has a strap");
    let mut failures = Vec::new();
    for reference in references() {
        let rig = reference.rig();
        let proxies = BodyProxies::from_rig(&rig);
        for (anchor, forearm, hand) in [
            (AttachAnchor::LeftWrist, RigJoint::ForearmL, RigJoint::HandL),
            (
                AttachAnchor::RightWrist,
                RigJoint::ForearmR,
                RigJoint::HandR,
            ),
        ] {
            let (elbow, wrist) = (rig.joint(forearm).head, rig.joint(hand).head);
            // The proxy drawn for this forearm, if the arm is seen: a
            // frustum from the elbow (its unit radius there) to the wrist.
            let Some(proxy) = proxies.forearms.iter().find(|m| {
                m.transform_point3(Vec3::ZERO).distance(elbow) < 1e-4
                    && m.transform_point3(Vec3::Y).distance(wrist) < 1e-4
            }) else {
                continue;
            };
            let elbow_radius = proxy.transform_vector3(Vec3::X).length();
            let wrist_radius = elbow_radius * WRIST_RADIUS_M / FOREARM_RADIUS_M;
            let transform = reference.place(&rig, anchor);
            let inside = strap
                .iter()
                .map(|&p| transform.transform_point3(p))
                .filter(|&p| {
                    let along =
                        (p - elbow).dot((wrist - elbow).normalize()) / elbow.distance(wrist);
                    let t = along.clamp(0.0, 1.0);
                    let radius = elbow_radius + (wrist_radius - elbow_radius) * t;
                    p.distance(elbow.lerp(wrist, along)) < radius
                })
                .count();
            if inside > 0 {
                failures.push(format!(
                    "{} {anchor:?}: {inside} of the strap's {} points are inside the forearm proxy",
                    reference.name(),
                    strap.len()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_watch_dial_faces_the_back_of_the_hand() {
    let camera = close_camera();
    let bind = BindPose::from(&RestSkeleton::reference());
    // Arms hanging straight down from the shoulders.
    let hanging = |joint: RigJoint, p: Vec3| {
        let (shoulder, turn) = match joint {
            RigJoint::UpperArmL | RigJoint::ForearmL | RigJoint::HandL => {
                (Vec3::new(0.19, 0.48, 0.0), -std::f32::consts::FRAC_PI_2)
            }
            RigJoint::UpperArmR | RigJoint::ForearmR | RigJoint::HandR => {
                (Vec3::new(-0.19, 0.48, 0.0), std::f32::consts::FRAC_PI_2)
            }
            _ => return p,
        };
        shoulder + Quat::from_rotation_z(turn) * (p - shoulder)
    };
    let mut failures = Vec::new();
    // (which hand, where the index knuckle is from the pinky's, hand
    // visibility, where the dial must face)
    for (anchor, knuckles, visibility, expected, pose) in [
        // Palms facing the thighs: the backs of the hands face out.
        (
            AttachAnchor::LeftWrist,
            Vec3::Z,
            0.9,
            Vec3::X,
            "left, palm in",
        ),
        (
            AttachAnchor::RightWrist,
            Vec3::Z,
            0.9,
            Vec3::NEG_X,
            "right, palm in",
        ),
        // Palms forward: the dial faces back.
        (
            AttachAnchor::LeftWrist,
            Vec3::X,
            0.9,
            Vec3::NEG_Z,
            "left, palm forward",
        ),
        (
            AttachAnchor::RightWrist,
            Vec3::NEG_X,
            0.9,
            Vec3::NEG_Z,
            "right, palm forward",
        ),
        // Palms back: the dial faces the camera.
        (
            AttachAnchor::LeftWrist,
            Vec3::NEG_X,
            0.9,
            Vec3::Z,
            "left, palm back",
        ),
        // The hand unseen: the dial turns to the camera.
        (
            AttachAnchor::LeftWrist,
            Vec3::X,
            0.1,
            Vec3::Z,
            "left, hand unseen",
        ),
    ] {
        let mut body = posed_reference_body(hanging, &camera);
        let (wrist, index, pinky) = match anchor {
            AttachAnchor::LeftWrist => (B::LeftWrist, B::LeftIndex, B::LeftPinky),
            _ => (B::RightWrist, B::RightIndex, B::RightPinky),
        };
        let [x, y, z] = body.world_landmarks[wrist as usize];
        let knuckle_row = Vec3::new(x, -y, -z) + Vec3::NEG_Y * 0.09;
        set_landmark(
            &mut body,
            &camera,
            index,
            knuckle_row + knuckles * 0.03,
            visibility,
        );
        set_landmark(
            &mut body,
            &camera,
            pinky,
            knuckle_row - knuckles * 0.03,
            visibility,
        );
        let rig = Fitter::new().fit(&body, 640, 640, &bind, &FitOptions::default());
        let transform = accessory_transform(
            &body,
            &rig,
            640,
            640,
            &Attachment {
                anchor,
                offset_m: Vec3::ZERO,
                scale: 1.0,
            },
        );
        let dial = transform.transform_vector3(Vec3::Y).normalize();
        let off = dial.angle_between(expected).to_degrees();
        if off > 25.0 {
            failures.push(format!(
                "{pose}: the dial faces {dial}, {off:.0}° off {expected}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The glasses drawn on Grace Hopper by the try-on renderer, with
/// MediaPipe's landmarks and person mask (lite model): the lenses cover her
/// eyes (no head proxy in front of them), and nothing of the glasses shows
/// well behind her head, beyond the ears.
#[test]
fn the_glasses_render_over_grace_hoppers_eyes_and_not_behind_her_head() {
    let reference = references_from(&["c0"])
        .into_iter()
        .find(|r| r.id == "grace_hopper")
        .unwrap();
    let (w, h) = (reference.width, reference.height);
    let gpu = GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let photo = image::open(root().join("tests/data/reference/media/grace_hopper.png"))
        .unwrap()
        .into_rgba8();
    assert_eq!(photo.dimensions(), (w, h));
    let frame = Frame::new(photo.as_raw().clone(), PixelFormat::Rgba8, w, h).unwrap();
    let texture = FrameUploader::new(&gpu)
        .upload(&gpu, &frame, &UploadOptions { mirror: false })
        .unwrap();
    let mask_png = image::open(root().join("tests/data/reference/masks/grace_hopper_c0.png"))
        .unwrap()
        .into_luma8();
    let mask_values: Vec<f32> = mask_png
        .as_raw()
        .iter()
        .map(|&v| f32::from(v) / 255.0)
        .collect();
    let mask = {
        use wgpu::util::DeviceExt;
        gpu.device.create_texture_with_data(
            &gpu.queue,
            &texture_2d_descriptor(
                "grace hopper mask",
                (w, h),
                wgpu::TextureFormat::R32Float,
                wgpu::TextureUsages::TEXTURE_BINDING,
            ),
            wgpu::util::TextureDataOrder::LayerMajor,
            bytemuck::cast_slice(&mask_values),
        )
    };
    let mut renderer = TryOnRenderer::new(&gpu);
    let model = model("glasses.glb");
    let garment = GpuGarment::upload(&gpu, renderer.layouts(), &model);
    let rig = reference.rig();
    garment.place(&gpu, reference.place(&rig, AttachAnchor::Eyes));
    let scene = TryOnScene {
        frame: &texture,
        mask: Some(&mask),
        rig: Some(&rig),
        body: Some(&reference.body),
        garments: &[(&garment).into()],
        light: Some(ShadingLight::default()),
    };
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let output = renderer.encode(&gpu, &mut encoder, &scene).unwrap();
    gpu.queue.submit([encoder.finish()]);
    let dressed = TextureReadback::new().read(&gpu, &output).unwrap();
    let change = |x: i32, y: i32| -> u8 {
        let i = (y as u32 * w + x as u32) as usize * 4;
        (0..3)
            .map(|c| photo.as_raw()[i + c].abs_diff(dressed[i + c]))
            .max()
            .unwrap()
    };
    let save = || {
        let path = std::env::temp_dir().join("drape_grace_hopper_glasses.png");
        image::RgbaImage::from_raw(w, h, dressed.clone())
            .unwrap()
            .save(&path)
            .unwrap();
        path
    };

    let eyes = [reference.pixel(B::LeftEye), reference.pixel(B::RightEye)];
    let eye_distance = eyes[0].distance(eyes[1]);
    for eye in eyes {
        let (cx, cy) = (eye.x.round() as i32, eye.y.round() as i32);
        let mean = (-1..=1)
            .flat_map(|dy| (-1..=1).map(move |dx| (dx, dy)))
            .map(|(dx, dy)| f32::from(change(cx + dx, cy + dy)))
            .sum::<f32>()
            / 9.0;
        assert!(
            mean > 12.0,
            "the eye at {eye} is left as the photo (mean change {mean:.1}); render at {}",
            save().display()
        );
    }
    // Well behind the head: beyond each ear by more than half an eye
    // distance, or off the person (the mask) beside the head, from an eye
    // distance above the eyes to an eye distance below them. Temples
    // running back from the frame's hinges end behind the ears.
    let across = (eyes[0] - eyes[1]).normalize();
    let eyes_mid = (eyes[0] + eyes[1]) * 0.5;
    let mut drawn = Vec::new();
    for (ear, side) in [
        (reference.pixel(B::LeftEar), 1.0),
        (reference.pixel(B::RightEar), -1.0),
    ] {
        let ear_out = (ear - eyes_mid).dot(across) * side;
        for y in 0..h as i32 {
            for x in 0..w as i32 {
                let p = Vec2::new(x as f32, y as f32) - eyes_mid;
                let out = p.dot(across) * side;
                let height = p.perp_dot(across).abs();
                let off_person = mask_png.get_pixel(x as u32, y as u32).0[0] < 128;
                let behind = out > ear_out + 0.5 * eye_distance || (out > ear_out && off_person);
                if behind && height < eye_distance && change(x, y) > 12 {
                    drawn.push((x, y));
                }
            }
        }
    }
    assert!(
        drawn.is_empty(),
        "{} pixels well behind the head were drawn (first {:?}); render at {}",
        drawn.len(),
        &drawn[..drawn.len().min(5)],
        save().display()
    );
}
