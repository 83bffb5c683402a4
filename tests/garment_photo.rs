//! Photo garments: a T-shirt silhouette drawn here (rectangle torso, two
//! angled rectangular sleeves, a round neck notch) becomes a skinned model;
//! its found anchors, mesh, skin and bind pose are checked, and posed on a
//! synthetic body by the real fitter, its sleeves follow the arms.

use std::path::Path;

use drape::garment::catalog::{Catalog, GarmentKind, PhotoAnchors};
use drape::garment::fit::{posed_reference_body, BodyCamera, FitOptions, Fitter, PosedRig};
use drape::garment::gltf_load::AlphaMode;
use drape::garment::photo::{load_photo_garment, photo_garment, PhotoError, PhotoGarment};
use drape::garment::{RestSkeleton, RigJoint};
use drape::pose::Body;
use glam::{Mat4, Quat, Vec2, Vec3};
use image::RgbaImage;

/// Found anchors lie within this fraction of the image's larger side of
/// the drawn ones.
const ANCHOR_TOLERANCE: f32 = 0.03;
/// Skin weights sum to one this closely.
const WEIGHT_SUM_TOLERANCE: f32 = 1e-5;
/// A sleeve-end vertex lies this close to the posed arm's line, metres
/// (the grid corner nearest the sleeve end is up to ~2 cm off its axis).
const ARM_LINE_TOLERANCE_M: f32 = 0.035;

const W: u32 = 400;
const H: u32 = 320;
const SHOULDER_L: Vec2 = Vec2::new(270.0, 70.0);
const TORSO_BOTTOM: f32 = 280.0;
const NECK_CENTRE: Vec2 = Vec2::new(200.0, 70.0);
const NECK_RADIUS: f32 = 30.0;
const SLEEVE_WIDTH: f32 = 40.0;

/// A sleeve: its top edge's length and angle below horizontal.
#[derive(Clone, Copy)]
struct SleeveShape {
    length_px: f32,
    angle_deg: f32,
}

/// A T-shirt's short sleeve.
const SHORT: SleeveShape = SleeveShape {
    length_px: 90.0,
    angle_deg: 35.0,
};
/// A sweater's long sleeve, hanging lower, ending past the elbow.
const LONG: SleeveShape = SleeveShape {
    length_px: 170.0,
    angle_deg: 55.0,
};

fn mirror(p: Vec2) -> Vec2 {
    Vec2::new(2.0 * NECK_CENTRE.x - p.x, p.y)
}

/// The left sleeve's axes in the image: along (out and down) and across
/// (from the top edge into the sleeve).
fn sleeve_axes(sleeve: SleeveShape) -> (Vec2, Vec2) {
    let angle = sleeve.angle_deg.to_radians();
    let along = Vec2::new(angle.cos(), angle.sin());
    (along, Vec2::new(-along.y, along.x))
}

fn in_left_sleeve(sleeve: SleeveShape, p: Vec2) -> bool {
    let (along, across) = sleeve_axes(sleeve);
    let d = p - SHOULDER_L;
    (0.0..=sleeve.length_px).contains(&d.dot(along))
        && (0.0..=SLEEVE_WIDTH).contains(&d.dot(across))
}

fn in_tee(sleeve: SleeveShape, p: Vec2) -> bool {
    let torso = (mirror(SHOULDER_L).x..SHOULDER_L.x).contains(&p.x)
        && (SHOULDER_L.y..TORSO_BOTTOM).contains(&p.y)
        && p.distance(NECK_CENTRE) >= NECK_RADIUS;
    torso || in_left_sleeve(sleeve, p) || in_left_sleeve(sleeve, mirror(p))
}

/// The drawn T-shirt, anti-aliased (4×4 samples a pixel), and its anchors.
fn drawn_tee() -> (RgbaImage, PhotoAnchors) {
    drawn(SHORT)
}

/// A drawn top with `sleeve`s, and its anchors.
fn drawn(sleeve: SleeveShape) -> (RgbaImage, PhotoAnchors) {
    let image = RgbaImage::from_fn(W, H, |x, y| {
        let mut hits = 0u32;
        for sy in 0..4 {
            for sx in 0..4 {
                let p = Vec2::new(
                    x as f32 + (sx as f32 + 0.5) / 4.0,
                    y as f32 + (sy as f32 + 0.5) / 4.0,
                );
                hits += in_tee(sleeve, p) as u32;
            }
        }
        let alpha = (hits * 255 / 16) as u8;
        if alpha == 0 {
            image::Rgba([0, 0, 0, 0])
        } else {
            image::Rgba([40 + (x % 50) as u8, 90 + (y % 60) as u8, 160, alpha])
        }
    });
    let (along, across) = sleeve_axes(sleeve);
    let sleeve_end = SHOULDER_L + along * sleeve.length_px + across * (SLEEVE_WIDTH * 0.5);
    let anchors = PhotoAnchors {
        left_shoulder: SHOULDER_L,
        right_shoulder: mirror(SHOULDER_L),
        left_hip: Vec2::new(SHOULDER_L.x, TORSO_BOTTOM),
        right_hip: mirror(Vec2::new(SHOULDER_L.x, TORSO_BOTTOM)),
        neckline: Some(NECK_CENTRE),
        left_sleeve_end: Some(sleeve_end),
        right_sleeve_end: Some(mirror(sleeve_end)),
    };
    (image, anchors)
}

fn assert_anchors_near(found: &PhotoAnchors, expected: &PhotoAnchors, tolerance_px: f32) {
    for ((name, found), (_, expected)) in found.named().into_iter().zip(expected.named()) {
        let (Some(found), Some(expected)) = (found, expected) else {
            panic!("{name}: found {found:?}, expected {expected:?}");
        };
        let error = found.distance(expected);
        assert!(
            error <= tolerance_px,
            "{name}: found {found}, drawn {expected}: {error:.1} px > {tolerance_px:.1} px"
        );
    }
}

#[test]
fn found_anchors_match_the_drawn_ones() {
    for sleeve in [SHORT, LONG] {
        let (image, drawn) = drawn(sleeve);
        let tee = photo_garment(&image, None, "drawn tee").expect("the drawn tee loads");
        assert_anchors_near(&tee.anchors, &drawn, ANCHOR_TOLERANCE * W.max(H) as f32);
    }
}

#[test]
fn given_anchors_are_used_as_is_and_missing_ones_found() {
    let (image, drawn) = drawn_tee();
    // Deliberately off the found ones, but valid.
    let given = PhotoAnchors {
        left_shoulder: drawn.left_shoulder + Vec2::new(-6.0, 4.0),
        right_shoulder: drawn.right_shoulder + Vec2::new(5.0, 3.0),
        left_hip: drawn.left_hip - Vec2::Y * 10.0,
        ..drawn
    };
    let tee = photo_garment(&image, Some(&given), "given").expect("valid anchors");
    assert_eq!(tee.anchors, given);

    let partial = PhotoAnchors {
        neckline: None,
        left_sleeve_end: None,
        right_sleeve_end: None,
        ..given
    };
    let tee = photo_garment(&image, Some(&partial), "partial").expect("valid anchors");
    assert_eq!(tee.anchors.left_shoulder, partial.left_shoulder);
    assert_eq!(tee.anchors.left_hip, partial.left_hip);
    let tolerance = ANCHOR_TOLERANCE * W.max(H) as f32;
    for (name, found, drawn) in [
        ("neckline", tee.anchors.neckline, drawn.neckline),
        (
            "left_sleeve_end",
            tee.anchors.left_sleeve_end,
            drawn.left_sleeve_end,
        ),
        (
            "right_sleeve_end",
            tee.anchors.right_sleeve_end,
            drawn.right_sleeve_end,
        ),
    ] {
        let (found, drawn) = (found.expect(name), drawn.expect(name));
        assert!(
            found.distance(drawn) <= tolerance,
            "{name}: {found} vs {drawn}"
        );
    }
}

/// Marks the pixels whose centres lie in a triangle (pixel coordinates).
fn rasterise(coverage: &mut [bool], triangle: [Vec2; 3]) {
    let min = triangle[0].min(triangle[1]).min(triangle[2]);
    let max = triangle[0].max(triangle[1]).max(triangle[2]);
    let edge = |a: Vec2, b: Vec2, p: Vec2| (b - a).perp_dot(p - a);
    let area = edge(triangle[0], triangle[1], triangle[2]);
    for y in (min.y.floor().max(0.0) as u32)..(max.y.ceil() as u32).min(H) {
        for x in (min.x.floor().max(0.0) as u32)..(max.x.ceil() as u32).min(W) {
            let p = Vec2::new(x as f32 + 0.5, y as f32 + 0.5);
            let inside = (0..3)
                .all(|k| edge(triangle[k], triangle[(k + 1) % 3], p) * area.signum() >= -1e-3);
            if inside {
                coverage[(y * W + x) as usize] = true;
            }
        }
    }
}

#[test]
fn the_mesh_covers_every_garment_pixel_and_no_empty_cell() {
    let (image, _) = drawn_tee();
    let tee = photo_garment(&image, None, "mesh").unwrap();
    let [primitive] = tee.model.primitives.as_slice() else {
        panic!("one primitive expected");
    };
    let size = Vec2::new(W as f32, H as f32);
    let mut coverage = vec![false; (W * H) as usize];
    for triangle in primitive.indices.chunks_exact(3) {
        let corners = [0, 1, 2].map(|k| primitive.uvs[triangle[k] as usize] * size);
        rasterise(&mut coverage, corners);
        // The triangle's cell (its bounding box) holds some garment pixel.
        let (min, max) = (
            corners[0].min(corners[1]).min(corners[2]),
            corners[0].max(corners[1]).max(corners[2]),
        );
        let touched = (min.y as u32..max.y as u32)
            .any(|y| (min.x as u32..max.x as u32).any(|x| image.get_pixel(x, y)[3] > 0));
        assert!(touched, "a triangle over the empty cell {min}..{max}");
        // Counter-clockwise seen from +Z.
        let p = [0, 1, 2].map(|k| primitive.positions[triangle[k] as usize].truncate());
        assert!(
            (p[1] - p[0]).perp_dot(p[2] - p[0]) > 0.0,
            "a clockwise triangle"
        );
    }
    for (index, pixel) in image.pixels().enumerate() {
        if pixel[3] > 0 {
            let (x, y) = (index as u32 % W, index as u32 / W);
            assert!(coverage[index], "garment pixel ({x}, {y}) has no triangle");
        }
    }
    let cells = primitive.indices.len() / 6;
    assert!(cells > 300 && cells < 48 * 48, "{cells} cells");
    // The sheet is in front of the body and bends back at the sides.
    assert!(primitive
        .positions
        .iter()
        .all(|p| p.z > 0.05 && p.z <= 0.11 + 1e-6));
    for (p, n) in primitive.positions.iter().zip(&primitive.normals) {
        assert!((n.length() - 1.0).abs() < 1e-4 && n.z > 0.8);
        assert!(p.x * n.x >= -1e-6, "normals lean outwards");
    }
}

#[test]
fn material_texture_and_skin_are_consistent() {
    let (image, _) = drawn_tee();
    let tee = photo_garment(&image, None, "consistent").unwrap();
    let model = &tee.model;
    let [material] = model.materials.as_slice() else {
        panic!("one material")
    };
    assert_eq!(material.alpha_mode, AlphaMode::Mask(0.5));
    assert!(material.double_sided && material.metallic == 0.0);
    assert!((material.roughness - 0.8).abs() < 1e-6);
    assert_eq!(material.base_color_texture.map(|t| t.texture), Some(0));
    let [texture] = model.textures.as_slice() else {
        panic!("one texture")
    };
    assert!(texture.srgb && texture.width == W && texture.height == H);
    // The photo itself: garment pixels unchanged, alpha everywhere unchanged.
    for (texel, pixel) in texture.rgba8.chunks_exact(4).zip(image.pixels()) {
        assert_eq!(texel[3], pixel[3]);
        if pixel[3] > 0 {
            assert_eq!(texel, &pixel.0);
        }
    }

    let skin = model.skin.as_ref().expect("skinned");
    assert_eq!(skin.joints, RigJoint::ALL.to_vec());
    for (i, joint) in RigJoint::ALL.into_iter().enumerate() {
        let identity = skin.inverse_bind[i] * skin.bind_global[i];
        assert!(identity.abs_diff_eq(Mat4::IDENTITY, 1e-5), "{joint:?}");
        let head = skin.inverse_bind[i].inverse().transform_point3(Vec3::ZERO);
        assert!(head.distance(tee.bind.head(joint)) < 1e-5, "{joint:?}");
    }
    let primitive = &model.primitives[0];
    assert_eq!(primitive.joints.len(), primitive.positions.len());
    for (joints, weights) in primitive.joints.iter().zip(&primitive.weights) {
        let sum: f32 = weights.iter().sum();
        assert!(
            (sum - 1.0).abs() < WEIGHT_SUM_TOLERANCE,
            "weights {weights:?}"
        );
        assert!(weights.iter().all(|&w| (0.0..=1.0).contains(&w)));
        assert!(joints.iter().all(|&j| (j as usize) < RigJoint::ALL.len()));
        for a in 0..4 {
            for b in a + 1..4 {
                let both = weights[a] > 0.0 && weights[b] > 0.0;
                assert!(!both || joints[a] != joints[b], "joint twice: {joints:?}");
            }
        }
    }
    for p in &primitive.positions {
        assert!(p.cmpge(model.bounds_min).all() && p.cmple(model.bounds_max).all());
    }
}

/// Weight of `joint` at vertex `v`.
fn weight(tee: &PhotoGarment, v: usize, joint: RigJoint) -> f32 {
    let primitive = &tee.model.primitives[0];
    (0..4)
        .filter(|&k| primitive.joints[v][k] == joint as u16)
        .map(|k| primitive.weights[v][k])
        .sum()
}

/// The vertex nearest a pixel position.
fn vertex_near(tee: &PhotoGarment, px: Vec2) -> usize {
    let uv = px / Vec2::new(W as f32, H as f32);
    let uvs = &tee.model.primitives[0].uvs;
    (0..uvs.len())
        .min_by(|&a, &b| uvs[a].distance(uv).total_cmp(&uvs[b].distance(uv)))
        .unwrap()
}

#[test]
fn bind_pose_follows_the_photo_and_weights_follow_the_parts() {
    let (image, _) = drawn_tee();
    let tee = photo_garment(&image, None, "bind").unwrap();
    let bind = &tee.bind;
    let (l, r) = (
        bind.head(RigJoint::UpperArmL),
        bind.head(RigJoint::UpperArmR),
    );
    // Shoulders as far apart as the reference body's, centred on it.
    let rest = RestSkeleton::reference();
    let rest_width = rest.head(RigJoint::UpperArmL).x - rest.head(RigJoint::UpperArmR).x;
    assert!(((l.x - r.x) - rest_width).abs() < 2e-3, "{l} {r}");
    assert!(
        (l.x + r.x).abs() < 2e-3 && l.x > 0.0,
        "the wearer's left at +X"
    );
    // Arms down and outwards along the sleeves, reference upper-arm length.
    for (upper, fore, sign) in [
        (RigJoint::UpperArmL, RigJoint::ForearmL, 1.0),
        (RigJoint::UpperArmR, RigJoint::ForearmR, -1.0),
    ] {
        let arm = bind.head(fore) - bind.head(upper);
        assert!((arm.length() - 0.28).abs() < 1e-4);
        let angle = (-arm.y).atan2(arm.x * sign).to_degrees();
        assert!(
            (angle - SHORT.angle_deg).abs() < 4.0,
            "{upper:?} at {angle}° below horizontal"
        );
    }
    // The torso chain between the hips and the neckline.
    let hips = (bind.head(RigJoint::ThighL) + bind.head(RigJoint::ThighR)) * 0.5;
    let chain = [
        RigJoint::Hips,
        RigJoint::Spine,
        RigJoint::Chest,
        RigJoint::Neck,
    ]
    .map(|j| bind.head(j));
    assert!(chain.windows(2).all(|w| w[1].y > w[0].y) && chain[0].y > hips.y);
    assert!(chain.iter().all(|p| p.x.abs() < 2e-3));

    // A sleeve end is all arm, the chest's middle all torso.
    let end = vertex_near(&tee, tee.anchors.left_sleeve_end.unwrap());
    let arm = weight(&tee, end, RigJoint::UpperArmL) + weight(&tee, end, RigJoint::ForearmL);
    assert!(arm > 0.99, "sleeve end: {arm} on the left arm");
    let chest = vertex_near(&tee, Vec2::new(200.0, 150.0));
    assert!(weight(&tee, chest, RigJoint::Chest) + weight(&tee, chest, RigJoint::Spine) > 0.99);
    let hem = vertex_near(&tee, Vec2::new(200.0, 276.0));
    assert!(weight(&tee, hem, RigJoint::Hips) > 0.99);
    // The torso's side below the armpit is torso.
    let side = vertex_near(&tee, Vec2::new(264.0, 200.0));
    assert!(weight(&tee, side, RigJoint::UpperArmL) < 0.01);
}

/// The reference body posed by `pose`, seen by a camera with 200 px/m and
/// the hips at (320, 300) in a 640×480 frame (as `garment::fit`'s own
/// tests build it).
fn body_from(pose: impl Fn(RigJoint, Vec3) -> Vec3) -> Body {
    let camera = BodyCamera {
        pixels_per_metre: 200.0,
        origin_px: Vec2::new(320.0, 300.0),
        image_width: 640,
        image_height: 480,
    };
    posed_reference_body(pose, &camera)
}

/// The arms rotated about their shoulders by `angle` and the forearms
/// further about the elbows by `bend` (radians, anticlockwise seen from
/// the front for the left arm, mirrored for the right); the rest of the
/// body as the reference.
fn body_with_arms(angle: f32, bend: f32) -> Body {
    let rest = RestSkeleton::reference();
    let hips = (rest.head(RigJoint::ThighL) + rest.head(RigJoint::ThighR)) * 0.5;
    body_from(|joint, p| {
        use RigJoint as J;
        let (upper, fore, sign) = match joint {
            J::UpperArmL | J::ForearmL | J::HandL => (J::UpperArmL, J::ForearmL, 1.0),
            J::UpperArmR | J::ForearmR | J::HandR => (J::UpperArmR, J::ForearmR, -1.0),
            _ => return p,
        };
        let (shoulder, elbow) = (rest.head(upper) - hips, rest.head(fore) - hips);
        let p = if joint == upper || joint == fore {
            p
        } else {
            elbow + Quat::from_rotation_z(sign * bend) * (p - elbow)
        };
        shoulder + Quat::from_rotation_z(sign * angle) * (p - shoulder)
    })
}

/// Vertex `v` of the garment skinned by `rig`, in body space.
fn posed(tee: &PhotoGarment, rig: &PosedRig, v: usize) -> Vec3 {
    let primitive = &tee.model.primitives[0];
    let matrices = rig.skinning_matrices(&tee.bind);
    (0..4)
        .map(|k| {
            let joint = primitive.joints[v][k] as usize;
            matrices[joint].transform_point3(primitive.positions[v]) * primitive.weights[v][k]
        })
        .sum()
}

/// Distance from `p` to the line through `a` and `b`, in the image plane.
fn distance_to_line(p: Vec3, a: Vec3, b: Vec3) -> f32 {
    let (p, a, b) = (p.truncate(), a.truncate(), b.truncate());
    (b - a).normalize().perp_dot(p - a).abs()
}

#[test]
fn posed_sleeves_follow_the_arms_while_the_torso_stays() {
    let (image, _) = drawn_tee();
    let tee = photo_garment(&image, None, "posed").unwrap();
    let sleeve_ends = [
        tee.anchors.left_sleeve_end.unwrap(),
        tee.anchors.right_sleeve_end.unwrap(),
    ];
    let ends = sleeve_ends.map(|px| vertex_near(&tee, px));
    let torso = vertex_near(&tee, Vec2::new(200.0, 180.0));
    let fit = |body: &Body| Fitter::new().fit(body, 640, 480, &tee.bind, &FitOptions::default());

    let t_pose = fit(&body_with_arms(0.0, 0.0));
    let arms_down = fit(&body_with_arms(-std::f32::consts::FRAC_PI_2, 0.0));
    let sides = [
        (RigJoint::UpperArmL, RigJoint::ForearmL, 1.0),
        (RigJoint::UpperArmR, RigJoint::ForearmR, -1.0),
    ];
    for (&end, (upper, fore, sign)) in ends.iter().zip(sides) {
        for (rig, pose, expected) in [
            (&t_pose, "T-pose", Vec2::X * sign),
            (&arms_down, "arms down", Vec2::NEG_Y),
        ] {
            let shoulder = rig.joint(upper).head;
            let elbow = rig.joint(fore).head;
            let p = posed(&tee, rig, end);
            // In the image plane: the sheet lies in front of the bones.
            let direction = (p - shoulder).truncate().normalize();
            assert!(
                direction.dot(expected) > 0.95,
                "{pose}: {upper:?}'s sleeve end points {direction}, the arm {expected}"
            );
            let off = distance_to_line(p, shoulder, elbow);
            assert!(
                off < ARM_LINE_TOLERANCE_M,
                "{pose}: {upper:?}'s sleeve end {off} m off the arm"
            );
        }
        let moved = posed(&tee, &t_pose, end).distance(posed(&tee, &arms_down, end));
        assert!(moved > 0.1, "{upper:?}'s sleeve end moved only {moved} m");
    }
    let (a, b) = (posed(&tee, &t_pose, torso), posed(&tee, &arms_down, torso));
    assert!(
        a.distance(b) < 1e-4,
        "the torso moved with the arms: {a} vs {b}"
    );
    assert!(
        a.x.abs() < 0.01,
        "the chest's middle lands on the body's middle: {a}"
    );
}

#[test]
fn long_sleeves_follow_the_forearms() {
    let (image, _) = drawn(LONG);
    let tee = photo_garment(&image, None, "sweater").unwrap();
    let cuff = vertex_near(&tee, tee.anchors.left_sleeve_end.unwrap());
    let fore = weight(&tee, cuff, RigJoint::ForearmL);
    assert!(fore > 0.99, "the cuff is {fore} on the forearm");
    // Between armhole and elbow the sleeve is all upper arm.
    let (along, across) = sleeve_axes(LONG);
    let upper_px = SHOULDER_L + along * 70.0 + across * (SLEEVE_WIDTH * 0.5);
    let upper = weight(&tee, vertex_near(&tee, upper_px), RigJoint::UpperArmL);
    assert!(upper > 0.99, "the upper sleeve is {upper} on the upper arm");

    // Arms down, elbows bent 60° (forearms swinging out to the sides).
    let body = body_with_arms(-std::f32::consts::FRAC_PI_2, 1.05);
    let rig = Fitter::new().fit(&body, 640, 480, &tee.bind, &FitOptions::default());
    let elbow = rig.joint(RigJoint::ForearmL).head;
    let wrist = rig.joint(RigJoint::HandL).head;
    let p = posed(&tee, &rig, cuff);
    let direction = (p - elbow).truncate().normalize();
    let forearm = (wrist - elbow).truncate().normalize();
    assert!(
        direction.dot(forearm) > 0.9,
        "the cuff points {direction} from the elbow, the forearm {forearm}"
    );
    let off = distance_to_line(p, elbow, wrist);
    assert!(
        off < ARM_LINE_TOLERANCE_M,
        "the cuff is {off} m off the forearm"
    );
}

fn expect_error(result: Result<PhotoGarment, PhotoError>) -> PhotoError {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(error) => error,
    }
}

#[test]
fn images_without_a_transparent_background_are_refused() {
    let opaque = RgbaImage::from_pixel(64, 64, image::Rgba([200, 30, 30, 255]));
    let error = expect_error(photo_garment(&opaque, None, "opaque.png"));
    assert!(matches!(error, PhotoError::FullyOpaque { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("opaque.png") && message.contains("transparent background"),
        "{message}"
    );

    let clear = RgbaImage::from_pixel(64, 64, image::Rgba([200, 30, 30, 0]));
    let error = expect_error(photo_garment(&clear, None, "clear.png"));
    assert!(
        matches!(error, PhotoError::FullyTransparent { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("clear.png"));

    let huge = RgbaImage::new(4097, 2);
    let error = expect_error(photo_garment(&huge, None, "huge.png"));
    assert!(
        matches!(error, PhotoError::TooLarge { width: 4097, .. }),
        "{error:?}"
    );

    // A speck is no garment.
    let mut speck = RgbaImage::new(64, 64);
    for (x, y) in [(10, 10), (11, 10), (10, 11)] {
        speck.put_pixel(x, y, image::Rgba([255, 255, 255, 255]));
    }
    let error = expect_error(photo_garment(&speck, None, "speck.png"));
    assert!(
        matches!(error, PhotoError::AnchorsNotFound { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("[garment.anchors]"), "{error}");
}

#[test]
fn bad_anchors_are_refused_with_what_is_wrong() {
    let (image, drawn) = drawn_tee();
    let cases = [
        (
            PhotoAnchors {
                left_shoulder: drawn.right_shoulder,
                right_shoulder: drawn.left_shoulder,
                ..drawn
            },
            "swap",
        ),
        (
            PhotoAnchors {
                left_hip: drawn.right_hip,
                right_hip: drawn.left_hip,
                ..drawn
            },
            "swap",
        ),
        (
            PhotoAnchors {
                left_hip: Vec2::new(270.0, 40.0),
                right_hip: Vec2::new(130.0, 40.0),
                ..drawn
            },
            "below the shoulders",
        ),
        (
            PhotoAnchors {
                left_shoulder: Vec2::new(500.0, 70.0),
                ..drawn
            },
            "outside",
        ),
        (
            PhotoAnchors {
                neckline: Some(Vec2::new(f32::NAN, 70.0)),
                ..drawn
            },
            "outside",
        ),
        (
            PhotoAnchors {
                left_sleeve_end: drawn.right_sleeve_end,
                ..drawn
            },
            "wrong side",
        ),
    ];
    for (anchors, says) in cases {
        let error = expect_error(photo_garment(&image, Some(&anchors), "tee.png"));
        assert!(
            matches!(error, PhotoError::InvalidAnchors { .. }),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains(says) && message.contains("tee.png"),
            "{message}"
        );
    }
}

#[test]
fn files_load_and_file_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (image, _) = drawn_tee();
    let png = dir.path().join("tee.png");
    image.save(&png).unwrap();
    let loaded = load_photo_garment(&png, None).expect("the PNG loads");
    let direct = photo_garment(&image, None, "tee").unwrap();
    assert_eq!(loaded.anchors, direct.anchors);
    assert_eq!(
        loaded.model.primitives[0].positions,
        direct.model.primitives[0].positions
    );

    let missing = dir.path().join("missing.png");
    let error = expect_error(load_photo_garment(&missing, None));
    assert!(matches!(error, PhotoError::Io { .. }) && error.to_string().contains("missing.png"));

    let garbage = dir.path().join("garbage.png");
    std::fs::write(&garbage, b"not a picture at all").unwrap();
    let error = expect_error(load_photo_garment(&garbage, None));
    assert!(matches!(error, PhotoError::Decode { .. }), "{error:?}");
    assert!(error.to_string().contains("garbage.png"));

    let rgb = dir.path().join("rgb.png");
    image::DynamicImage::ImageRgba8(image)
        .to_rgb8()
        .save(&rgb)
        .unwrap();
    let error = expect_error(load_photo_garment(&rgb, None));
    assert!(matches!(error, PhotoError::NoAlpha { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("rgb.png") && message.contains("transparent background"),
        "{message}"
    );
}

/// The sample garment the catalog generator writes
/// (`cargo run --release --example make_garments`): it loads, and the
/// anchors found from its silhouette are near the catalog's.
#[test]
fn sample_photo_tee_matches_its_catalog_anchors() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/garments/catalog.toml");
    let catalog = Catalog::load(&manifest).expect("assets/garments/catalog.toml loads");
    let entry = catalog
        .garments
        .iter()
        .find(|entry| entry.kind == GarmentKind::Photo)
        .expect("the catalog has a photo garment");
    let listed = entry.anchors.expect("the photo garment lists its anchors");
    let found = load_photo_garment(&entry.asset, None).expect("the sample photo loads");
    let size = image::image_dimensions(&entry.asset).unwrap();
    assert_anchors_near(
        &found.anchors,
        &listed,
        ANCHOR_TOLERANCE * size.0.max(size.1) as f32,
    );
    let given = load_photo_garment(&entry.asset, Some(&listed)).expect("its anchors are valid");
    assert_eq!(given.anchors, listed);
}
