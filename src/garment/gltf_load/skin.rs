//! The skin: one armature whose joints are exactly the drape rig's.

use super::accessor::Accessor;
use super::nodes::NodeTree;
use super::source::Loader;
use super::{GltfError, Skin};
use crate::garment::RigJoint;
use glam::Mat4;
use gltf::json;
use gltf::json::accessor::Type;
use std::borrow::Cow;

/// The skin and what the mesh loader needs to bind vertices to it.
pub(super) struct LoadedSkin {
    pub skin: Skin,
    /// Node index of each skin joint.
    pub joint_nodes: Vec<usize>,
    /// Skin joint index of the rig's root, `hips`.
    pub hips: u16,
}

impl LoadedSkin {
    /// The skin joint that rigidly carries an unskinned node: its nearest
    /// ancestor (or itself) that is a joint, else the hips.
    pub fn carrier(&self, tree: &NodeTree, node: usize) -> u16 {
        let mut at = Some(node);
        while let Some(n) = at {
            if let Some(joint) = self.joint_nodes.iter().position(|&j| j == n) {
                return joint as u16; // < max_joints <= u16::MAX, checked on load
            }
            at = tree.parent[n];
        }
        self.hips
    }
}

pub(super) fn load_skin(
    loader: &Loader,
    root: &json::Root,
    buffers: &[Cow<[u8]>],
    tree: &NodeTree,
) -> Result<Option<LoadedSkin>, GltfError> {
    let skin = match root.skins.as_slice() {
        [] => return Ok(None),
        [skin] => skin,
        more => {
            return Err(loader.unsupported(
                format!("{} skins", more.len()),
                "export one armature per garment (join the meshes in Blender)",
            ))
        }
    };
    let limit = loader.limits.max_joints.min(u16::MAX as usize);
    loader.check_limit(
        "the skin's joint count",
        "max_joints",
        skin.joints.len() as u64,
        limit as u64,
    )?;
    let mut joint_nodes = Vec::with_capacity(skin.joints.len());
    let mut names = Vec::with_capacity(skin.joints.len());
    for joint in &skin.joints {
        let node = joint.value();
        let json = root
            .nodes
            .get(node)
            .ok_or_else(|| loader.invalid(format!("skin joint node {node} does not exist")))?;
        let name = json
            .name
            .clone()
            .unwrap_or_else(|| format!("<unnamed node {node}>"));
        if joint_nodes.contains(&node) || names.contains(&name) {
            return Err(loader.invalid(format!("the skin lists joint {name:?} twice")));
        }
        joint_nodes.push(node);
        names.push(name);
    }

    let joints: Vec<Option<RigJoint>> = names.iter().map(|n| RigJoint::from_name(n)).collect();
    let missing: Vec<&'static str> = RigJoint::ALL
        .into_iter()
        .filter(|rig| !joints.contains(&Some(*rig)))
        .map(RigJoint::name)
        .collect();
    let unknown: Vec<String> = names
        .iter()
        .zip(&joints)
        .filter(|(_, j)| j.is_none())
        .map(|(n, _)| n.clone())
        .collect();
    if !missing.is_empty() || !unknown.is_empty() {
        return Err(GltfError::Rig {
            path: loader.path.clone(),
            missing,
            unknown,
        });
    }
    let joints: Vec<RigJoint> = joints.into_iter().flatten().collect();
    let hips = joints
        .iter()
        .position(|&j| j == RigJoint::Hips)
        .unwrap_or(0) as u16;

    let inverse_bind = match skin.inverse_bind_matrices {
        None => vec![Mat4::IDENTITY; joints.len()],
        Some(index) => {
            let accessor = Accessor::resolve(
                loader,
                root,
                buffers,
                index.value(),
                "inverse bind matrices",
                &[Type::Mat4],
                "max_joints",
                limit,
            )?;
            let matrices = accessor.read_f32::<16>(loader)?;
            if matrices.len() < joints.len() {
                return Err(loader.invalid(format!(
                    "{} holds {} matrices for {} joints",
                    accessor.what(),
                    matrices.len(),
                    joints.len()
                )));
            }
            let matrices: Vec<Mat4> = matrices
                .iter()
                .take(joints.len())
                .map(Mat4::from_cols_array)
                .collect();
            if matrices.iter().any(|m| !m.is_finite()) {
                return Err(loader.invalid(format!("{} are not finite", accessor.what())));
            }
            matrices
        }
    };
    let bind_global = joint_nodes.iter().map(|&n| tree.global[n]).collect();
    Ok(Some(LoadedSkin {
        skin: Skin {
            joints,
            inverse_bind,
            bind_global,
        },
        joint_nodes,
        hips,
    }))
}
