//! Skinning against the drape rig: the joint nodes and inverse bind
//! matrices of the reference T-pose, and smooth per-vertex weights.

use drape::garment::{RestSkeleton, RigJoint};
use glam::{Mat4, Vec3};
use serde_json::json;

use crate::glb::{num, Glb};
use crate::mesh::{smoothstep, Primitive};

/// Adds the 19 joint nodes (hierarchy after `RigJoint::parent`, placed at
/// the reference heads) and a skin listing them in `RigJoint::ALL` order,
/// so a JOINTS_0 value is `RigJoint as u8`. Returns (skin, root node).
pub fn add_skeleton(glb: &mut Glb) -> (usize, usize) {
    let rest = RestSkeleton::reference();
    let first = glb.nodes.len();
    let node_of = |joint: RigJoint| first + joint as usize;
    for joint in RigJoint::ALL {
        // No rotations in the bind pose: a joint's local transform is the
        // offset from its parent's head.
        let local = rest.head(joint) - joint.parent().map_or(Vec3::ZERO, |p| rest.head(p));
        let children: Vec<usize> = RigJoint::ALL
            .into_iter()
            .filter(|c| c.parent() == Some(joint))
            .map(node_of)
            .collect();
        let mut node = json!({ "name": joint.name(), "translation": local.to_array().map(num) });
        if !children.is_empty() {
            node["children"] = json!(children);
        }
        glb.node(node);
    }
    let inverse_binds: Vec<Mat4> = RigJoint::ALL
        .into_iter()
        .map(|j| Mat4::from_translation(-rest.head(j)))
        .collect();
    let matrices = glb.matrices(&inverse_binds);
    let joints: Vec<usize> = RigJoint::ALL.into_iter().map(node_of).collect();
    glb.skins.push(json!({
        "name": "drape_rig",
        "inverseBindMatrices": matrices,
        "joints": joints,
        "skeleton": node_of(RigJoint::Hips),
    }));
    (glb.skins.len() - 1, node_of(RigJoint::Hips))
}

/// The rig weights of a point of a sewn garment on the reference body,
/// given how much it follows the arm (`arm`: 0 on the body, 0.5 on the
/// armhole seam, 1 down the sleeve; the garment knows from its pattern).
///
/// Up the torso the chain hips → spine → chest blends over ~20 cm around
/// each joint; the shoulder yoke takes a share of `shoulder`; the arm's
/// share goes to `upper_arm` and, across the elbow (x ≈ 0.47), to
/// `forearm`. A collar standing up at the back of the neck follows the
/// neck a little.
pub fn garment_weights(p: Vec3, arm: f32) -> Vec<(RigJoint, f32)> {
    let s = p.x.abs();
    let left = p.x >= 0.0;
    let pick = |l: RigJoint, r: RigJoint| if left { l } else { r };
    let shoulder = 0.45 * smoothstep(0.05, 0.17, s) * smoothstep(1.38, 1.50, p.y) * (1.0 - arm);
    let torso = 1.0 - arm - shoulder;
    let elbow = smoothstep(0.41, 0.53, s);
    let chest = smoothstep(1.16, 1.36, p.y);
    let spine = (1.0 - chest) * smoothstep(0.98, 1.14, p.y);
    let hips = 1.0 - chest - spine;
    let neck = 0.4 * smoothstep(1.53, 1.60, p.y) * (1.0 - smoothstep(0.06, 0.12, s));
    vec![
        (RigJoint::Hips, torso * hips),
        (RigJoint::Spine, torso * spine),
        (RigJoint::Chest, torso * chest * (1.0 - neck)),
        (RigJoint::Neck, torso * chest * neck),
        (pick(RigJoint::ShoulderL, RigJoint::ShoulderR), shoulder),
        (
            pick(RigJoint::UpperArmL, RigJoint::UpperArmR),
            arm * (1.0 - elbow),
        ),
        (pick(RigJoint::ForearmL, RigJoint::ForearmR), arm * elbow),
    ]
}

/// Keeps the four largest influences and normalises them to sum 1.
pub fn pack_weights(mut influences: Vec<(RigJoint, f32)>) -> ([u8; 4], [f32; 4]) {
    influences.retain(|(_, w)| *w > 1e-4);
    // Largest first; ties by joint order so the output is deterministic.
    influences.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    influences.truncate(4);
    let total: f32 = influences.iter().map(|(_, w)| w).sum();
    let (mut joints, mut weights) = ([0u8; 4], [0f32; 4]);
    for (k, (joint, w)) in influences.iter().enumerate() {
        joints[k] = *joint as u8;
        weights[k] = w / total;
    }
    // Put the rounding error on the largest weight so the sum is 1.
    weights[0] += 1.0 - weights.iter().sum::<f32>();
    (joints, weights)
}

/// The primitive with both arms lowered by `shoulder_rad` at the shoulder
/// joints and the forearms bent forward by `elbow_rad`, by linear blend
/// skinning with its own weights: how the thumbnails show tops, and a
/// visual check that sleeves bend cleanly.
pub fn pose_arms(prim: &Primitive, shoulder_rad: f32, elbow_rad: f32) -> Primitive {
    let mut posed = prim.clone();
    let (positions, normals) = pose_points(
        &prim.positions,
        &prim.normals,
        &prim.joints,
        &prim.weights,
        shoulder_rad,
        elbow_rad,
    );
    posed.positions = positions;
    posed.normals = normals;
    posed
}

/// `pose_arms` on bare arrays: posed positions and normals.
pub fn pose_points(
    positions: &[Vec3],
    normals: &[Vec3],
    joints: &[[u8; 4]],
    weights: &[[f32; 4]],
    shoulder_rad: f32,
    elbow_rad: f32,
) -> (Vec<Vec3>, Vec<Vec3>) {
    let rest = RestSkeleton::reference();
    let about = |pivot: RigJoint, rotation: Mat4| {
        let p = rest.head(pivot);
        Mat4::from_translation(p) * rotation * Mat4::from_translation(-p)
    };
    // The left arm is at +x: a negative turn about z lowers it, a negative
    // turn about y swings it forward (+z). The right arm mirrors.
    let upper_l = about(RigJoint::UpperArmL, Mat4::from_rotation_z(-shoulder_rad));
    let upper_r = about(RigJoint::UpperArmR, Mat4::from_rotation_z(shoulder_rad));
    let fore_l = upper_l * about(RigJoint::ForearmL, Mat4::from_rotation_y(-elbow_rad));
    let fore_r = upper_r * about(RigJoint::ForearmR, Mat4::from_rotation_y(elbow_rad));
    let skinning: Vec<Mat4> = RigJoint::ALL
        .into_iter()
        .map(|joint| match joint {
            RigJoint::UpperArmL => upper_l,
            RigJoint::UpperArmR => upper_r,
            RigJoint::ForearmL | RigJoint::HandL => fore_l,
            RigJoint::ForearmR | RigJoint::HandR => fore_r,
            _ => Mat4::IDENTITY,
        })
        .collect();
    positions
        .iter()
        .zip(normals)
        .enumerate()
        .map(|(k, (p, n))| {
            let blend: Mat4 = (0..4)
                .map(|i| skinning[joints[k][i] as usize] * weights[k][i])
                .fold(Mat4::ZERO, |a, b| a + b);
            (
                blend.transform_point3(*p),
                blend.transform_vector3(*n).normalize_or_zero(),
            )
        })
        .unzip()
}
