//! The node hierarchy: parents, global transforms, and which nodes the
//! scene shows. Hostile hierarchies (cycles, shared children) are errors.

use super::source::Loader;
use super::GltfError;
use glam::{Mat4, Quat, Vec3};
use gltf::json;

/// Parents and global (`model_from_node`) transforms of every node.
pub(super) struct NodeTree {
    pub parent: Vec<Option<usize>>,
    pub global: Vec<Mat4>,
}

impl NodeTree {
    pub fn build(loader: &Loader, root: &json::Root) -> Result<NodeTree, GltfError> {
        let count = root.nodes.len();
        let mut parent = vec![None; count];
        for (index, node) in root.nodes.iter().enumerate() {
            for child in node.children.iter().flatten() {
                let child = child.value();
                let slot = parent.get_mut(child).ok_or_else(|| {
                    loader.invalid(format!(
                        "node {index} has child {child}, which does not exist"
                    ))
                })?;
                if slot.is_some() || child == index {
                    return Err(loader.invalid(format!(
                        "node {child} has two parents or is its own child (glTF nodes form trees)"
                    )));
                }
                *slot = Some(index);
            }
        }
        let local = root
            .nodes
            .iter()
            .enumerate()
            .map(|(index, node)| local_transform(loader, index, node))
            .collect::<Result<Vec<_>, _>>()?;
        // Every node has at most one parent, so walking down from the
        // parentless ones reaches every node unless some form a cycle.
        let mut global = vec![Mat4::IDENTITY; count];
        let mut reached = vec![false; count];
        let mut stack: Vec<usize> = (0..count).filter(|&n| parent[n].is_none()).collect();
        while let Some(node) = stack.pop() {
            reached[node] = true;
            global[node] = match parent[node] {
                Some(p) => global[p] * local[node],
                None => local[node],
            };
            if !global[node].is_finite() {
                return Err(loader.invalid(format!("node {node}'s global transform is not finite")));
            }
            stack.extend(
                root.nodes[node]
                    .children
                    .iter()
                    .flatten()
                    .map(|c| c.value()),
            );
        }
        if let Some(node) = reached.iter().position(|r| !r) {
            return Err(loader.invalid(format!("node {node} is part of a cycle of nodes")));
        }
        Ok(NodeTree { parent, global })
    }

    /// Nodes the scene shows (the default scene, else the first, else
    /// every root), parents before children, each once.
    pub fn scene_nodes(&self, loader: &Loader, root: &json::Root) -> Result<Vec<usize>, GltfError> {
        let scene = root.scene.map_or(0, |s| s.value());
        let roots: Vec<usize> = match root.scenes.get(scene) {
            Some(scene) => scene.nodes.iter().map(|n| n.value()).collect(),
            None if root.scene.is_some() => {
                return Err(loader.invalid(format!("the default scene {scene} does not exist")))
            }
            None => (0..self.parent.len())
                .filter(|&n| self.parent[n].is_none())
                .collect(),
        };
        let mut seen = vec![false; self.parent.len()];
        let mut order = Vec::new();
        for start in roots {
            if start >= seen.len() {
                return Err(loader.invalid(format!(
                    "the scene lists node {start}, which does not exist"
                )));
            }
            let mut stack = vec![start];
            while let Some(node) = stack.pop() {
                if std::mem::replace(&mut seen[node], true) {
                    continue;
                }
                order.push(node);
                stack.extend(
                    root.nodes[node]
                        .children
                        .iter()
                        .flatten()
                        .rev()
                        .map(|c| c.value()),
                );
            }
        }
        Ok(order)
    }
}

/// `parent_from_node`: the node's matrix, or translation · rotation · scale.
fn local_transform(loader: &Loader, index: usize, node: &json::Node) -> Result<Mat4, GltfError> {
    let local = match node.matrix {
        Some(m) => Mat4::from_cols_array(&m),
        None => {
            let [x, y, z, w] = node.rotation.as_ref().map_or([0.0, 0.0, 0.0, 1.0], |r| r.0);
            let rotation = Quat::from_xyzw(x, y, z, w);
            // Exporters write nearly unit quaternions; a zero one is damage.
            let length = rotation.length();
            if !length.is_finite() || length <= 1e-6 {
                return Err(loader.invalid(format!("node {index} has a zero or NaN rotation")));
            }
            Mat4::from_scale_rotation_translation(
                Vec3::from(node.scale.unwrap_or([1.0; 3])),
                rotation.normalize(),
                Vec3::from(node.translation.unwrap_or([0.0; 3])),
            )
        }
    };
    if !local.is_finite() {
        return Err(loader.invalid(format!("node {index} has a non-finite transform")));
    }
    Ok(local)
}
