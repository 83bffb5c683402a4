//! Mesh primitives into flat vertex arrays: attributes read through checked
//! accessors, indices validated, node transforms baked into unskinned
//! meshes, skin weights validated and normalised.

use super::accessor::Accessor;
use super::source::Loader;
use super::{GltfError, Primitive};
use glam::{Mat3, Mat4, Vec2, Vec3, Vec4};
use gltf::json;
use gltf::json::accessor::Type;
use gltf::json::mesh::{Mode, Semantic};
use gltf::json::validation::Checked;
use std::borrow::Cow;

/// Up to this many JOINTS_n/WEIGHTS_n sets are merged (the 4 strongest
/// influences are kept).
const MAX_WEIGHT_SETS: u32 = 4;

/// Weight sums below this mean "no influence" (the vertex goes to hips).
const MIN_WEIGHT_SUM: f32 = 1e-6;

/// One JOINTS_n / WEIGHTS_n pair, per vertex.
type WeightSet = (Vec<[u32; 4]>, Vec<[f32; 4]>);

/// `Primitive::joints` and `Primitive::weights`.
type SkinAttributes = (Vec<[u16; 4]>, Vec<[f32; 4]>);

/// How a mesh node's vertices follow the skeleton.
#[derive(Clone, Copy)]
pub(super) enum Binding {
    /// The file has no skin: the node's transform is baked in, no weights.
    Static,
    /// The node is skinned: vertices stay as stored (glTF ignores the
    /// mesh node's transform); weights come from JOINTS_n/WEIGHTS_n.
    Skinned { joint_count: usize, hips: u16 },
    /// An unskinned node in a skinned file: the transform is baked in and
    /// every vertex is carried rigidly by one joint.
    Rigid { joint: u16 },
}

/// Vertices and indices already produced, for the totals in `Limits`.
#[derive(Default)]
pub(super) struct Totals {
    pub vertices: usize,
    pub indices: usize,
}

/// Everything `load_primitive` needs besides the primitive itself.
pub(super) struct PrimitiveInput<'p> {
    pub label: String,
    pub primitive: &'p json::mesh::Primitive,
    pub model_from_node: Mat4,
    pub binding: Binding,
    pub default_material: usize,
}

pub(super) fn load_primitive(
    loader: &Loader,
    root: &json::Root,
    buffers: &[Cow<[u8]>],
    input: PrimitiveInput,
    totals: &mut Totals,
) -> Result<Primitive, GltfError> {
    let PrimitiveInput {
        label, primitive, ..
    } = &input;
    match primitive.mode {
        Checked::Valid(Mode::Triangles) => {}
        Checked::Valid(mode) => {
            return Err(loader.unsupported(
                format!("{label}: mode {mode:?}"),
                "only TRIANGLES meshes load: triangulate it in Blender (Triangulate modifier, or \
                 export without loose edges and points)",
            ))
        }
        Checked::Invalid => return Err(loader.invalid(format!("{label} has an invalid mode"))),
    }
    let attribute = |semantic| {
        primitive
            .attributes
            .get(&Checked::Valid(semantic))
            .map(|i| i.value())
    };
    let position_index = attribute(Semantic::Positions)
        .ok_or_else(|| loader.invalid(format!("{label} has no POSITION")))?;
    let vertex_budget = loader
        .limits
        .max_vertices
        .saturating_sub(totals.vertices)
        .min(u32::MAX as usize);
    // The limit is on totals: say what earlier primitives used.
    let earlier = |used: usize, what: &str| match used {
        0 => String::new(),
        n => format!(" (after {n} {what} in earlier primitives)"),
    };
    let what = format!("{label} POSITION{}", earlier(totals.vertices, "vertices"));
    let positions = Accessor::resolve(
        loader,
        root,
        buffers,
        position_index,
        &what,
        &[Type::Vec3],
        "max_vertices",
        vertex_budget,
    )?;
    let vertex_count = positions.count;
    totals.vertices += vertex_count;
    let mut positions: Vec<Vec3> = positions
        .read_f32::<3>(loader)?
        .into_iter()
        .map(Vec3::from)
        .collect();

    // Other attributes must have exactly one element per vertex.
    let exact = |semantic: Semantic, types: &[Type]| -> Result<Option<Accessor>, GltfError> {
        let Some(index) = attribute(semantic.clone()) else {
            return Ok(None);
        };
        let what = format!("{label} {}", semantic_name(&semantic));
        // Checked before `resolve`, whose count check is a limit.
        let count = root.accessors.get(index).map(|a| a.count.0);
        if let Some(count) = count.filter(|&c| c != vertex_count as u64) {
            return Err(loader.invalid(format!(
                "{what} (accessor {index}) has {count} elements for {vertex_count} vertices"
            )));
        }
        let accessor = Accessor::resolve(
            loader,
            root,
            buffers,
            index,
            &what,
            types,
            "max_vertices",
            vertex_count,
        )?;
        Ok(Some(accessor))
    };
    let mut normals = match exact(Semantic::Normals, &[Type::Vec3])? {
        Some(a) => Some(
            a.read_f32::<3>(loader)?
                .into_iter()
                .map(Vec3::from)
                .collect::<Vec<_>>(),
        ),
        None => None,
    };
    let uvs: Vec<Vec2> = match exact(Semantic::TexCoords(0), &[Type::Vec2])? {
        Some(a) => a
            .read_f32::<2>(loader)?
            .into_iter()
            .map(Vec2::from)
            .collect(),
        None => vec![Vec2::ZERO; vertex_count],
    };
    let mut tangents = match exact(Semantic::Tangents, &[Type::Vec4])? {
        Some(a) => Some(
            a.read_f32::<4>(loader)?
                .into_iter()
                .map(Vec4::from)
                .collect::<Vec<_>>(),
        ),
        None => None,
    };

    let index_budget = loader.limits.max_indices.saturating_sub(totals.indices);
    let mut indices: Vec<u32> = match primitive.indices {
        Some(index) => {
            let what = format!("{label} indices{}", earlier(totals.indices, "indices"));
            let accessor = Accessor::resolve(
                loader,
                root,
                buffers,
                index.value(),
                &what,
                &[Type::Scalar],
                "max_indices",
                index_budget,
            )?;
            let indices: Vec<u32> = accessor
                .read_u32::<1>(loader)?
                .into_iter()
                .map(|[i]| i)
                .collect();
            if let Some(bad) = indices.iter().find(|&&i| i as usize >= vertex_count) {
                return Err(loader.invalid(format!(
                    "{} holds index {bad}, but there are only {vertex_count} vertices",
                    accessor.what()
                )));
            }
            indices
        }
        None => {
            loader.check_limit(
                format!("{label} (unindexed) vertex count"),
                "max_indices",
                vertex_count as u64,
                index_budget as u64,
            )?;
            (0..vertex_count as u32).collect()
        }
    };
    totals.indices += indices.len();
    if !indices.len().is_multiple_of(3) {
        return Err(loader.invalid(format!(
            "{label} has {} indices, not whole triangles",
            indices.len()
        )));
    }

    let (joints, weights) = match input.binding {
        Binding::Static => (Vec::new(), Vec::new()),
        Binding::Rigid { joint } => (
            vec![[joint, 0, 0, 0]; vertex_count],
            vec![[1.0, 0.0, 0.0, 0.0]; vertex_count],
        ),
        Binding::Skinned { joint_count, hips } => {
            let mut sets = Vec::new();
            for set in 0..MAX_WEIGHT_SETS {
                let (Some(j), Some(w)) = (
                    exact(Semantic::Joints(set), &[Type::Vec4])?,
                    exact(Semantic::Weights(set), &[Type::Vec4])?,
                ) else {
                    break;
                };
                sets.push((j.read_u32::<4>(loader)?, w.read_f32::<4>(loader)?));
            }
            if sets.is_empty() {
                return Err(
                    loader.invalid(format!("{label} is skinned but has no JOINTS_0/WEIGHTS_0"))
                );
            }
            skin_weights(loader, label, &sets, joint_count, hips)?
        }
    };

    if let Binding::Static | Binding::Rigid { .. } = input.binding {
        bake(
            input.model_from_node,
            &mut positions,
            normals.as_deref_mut(),
            tangents.as_deref_mut(),
            &mut indices,
        );
    }
    let finite = |ok: bool, what: &str| match ok {
        true => Ok(()),
        false => Err(loader.invalid(format!("{label} has NaN or infinite {what}"))),
    };
    finite(positions.iter().all(|p| p.is_finite()), "positions")?;
    finite(normals.iter().flatten().all(|n| n.is_finite()), "normals")?;
    finite(uvs.iter().all(|t| t.is_finite()), "texture coordinates")?;
    finite(tangents.iter().flatten().all(|t| t.is_finite()), "tangents")?;
    let normals = normals.unwrap_or_else(|| smooth_normals(&positions, &indices));

    let material = match primitive.material {
        None => input.default_material,
        Some(m) if m.value() < root.materials.len() => m.value(),
        Some(m) => {
            return Err(loader.invalid(format!(
                "{label} uses material {}, which does not exist",
                m.value()
            )))
        }
    };
    Ok(Primitive {
        name: label.clone(),
        positions,
        normals,
        uvs,
        tangents,
        joints,
        weights,
        indices,
        material,
    })
}

fn semantic_name(semantic: &Semantic) -> String {
    match semantic {
        Semantic::Positions => "POSITION".into(),
        Semantic::Normals => "NORMAL".into(),
        Semantic::Tangents => "TANGENT".into(),
        Semantic::TexCoords(n) => format!("TEXCOORD_{n}"),
        Semantic::Joints(n) => format!("JOINTS_{n}"),
        Semantic::Weights(n) => format!("WEIGHTS_{n}"),
        Semantic::Colors(n) => format!("COLOR_{n}"),
        Semantic::Extras(name) => format!("_{name}"),
    }
}

/// The 4 strongest influences of each vertex, normalised to sum 1.
/// Vertices with no weight at all go to the hips, so they follow the body.
fn skin_weights(
    loader: &Loader,
    label: &str,
    sets: &[WeightSet],
    joint_count: usize,
    hips: u16,
) -> Result<SkinAttributes, GltfError> {
    let vertex_count = sets[0].0.len();
    let mut joints = Vec::with_capacity(vertex_count);
    let mut weights = Vec::with_capacity(vertex_count);
    let mut unweighted = 0usize;
    let mut pairs = [(0u16, 0f32); 4 * MAX_WEIGHT_SETS as usize];
    for vertex in 0..vertex_count {
        let mut len = 0;
        for (set, (set_joints, set_weights)) in sets.iter().enumerate() {
            for (&joint, &weight) in set_joints[vertex].iter().zip(&set_weights[vertex]) {
                if joint as usize >= joint_count {
                    return Err(loader.invalid(format!(
                        "{label} JOINTS_{set} of vertex {vertex} names joint {joint}, but the skin has \
                         {joint_count} joints"
                    )));
                }
                if !(weight.is_finite() && weight >= 0.0) {
                    return Err(loader.invalid(format!(
                        "{label} WEIGHTS_{set} of vertex {vertex} is {weight} (weights must be >= 0)"
                    )));
                }
                pairs[len] = (joint as u16, weight); // joint_count <= u16::MAX
                len += 1;
            }
        }
        if sets.len() > 1 {
            pairs[..len].sort_by(|a, b| b.1.total_cmp(&a.1));
        }
        let sum: f32 = pairs[..4].iter().map(|p| p.1).sum();
        if sum < MIN_WEIGHT_SUM {
            unweighted += 1;
            joints.push([hips, 0, 0, 0]);
            weights.push([1.0, 0.0, 0.0, 0.0]);
            continue;
        }
        joints.push([pairs[0].0, pairs[1].0, pairs[2].0, pairs[3].0]);
        weights.push([
            pairs[0].1 / sum,
            pairs[1].1 / sum,
            pairs[2].1 / sum,
            pairs[3].1 / sum,
        ]);
    }
    if unweighted > 0 {
        tracing::warn!(
            "{}: {label}: {unweighted} vertices have no skin weights; bound to hips",
            loader.path.display()
        );
    }
    Ok((joints, weights))
}

/// Applies `model_from_node` to vertex data; a mirroring transform
/// (negative determinant) also flips triangle winding and tangent sign so
/// front faces stay front.
fn bake(
    model_from_node: Mat4,
    positions: &mut [Vec3],
    normals: Option<&mut [Vec3]>,
    tangents: Option<&mut [Vec4]>,
    indices: &mut [u32],
) {
    if model_from_node == Mat4::IDENTITY {
        return;
    }
    for p in positions.iter_mut() {
        *p = model_from_node.transform_point3(*p);
    }
    let linear = Mat3::from_mat4(model_from_node);
    // A zero scale (artists hide parts that way) has no inverse.
    let normal_matrix = match linear.determinant() {
        det if det.abs() > f32::MIN_POSITIVE => linear.inverse().transpose(),
        _ => linear,
    };
    for n in normals.into_iter().flatten() {
        *n = (normal_matrix * *n).normalize_or(Vec3::Y);
    }
    let mirrored = linear.determinant() < 0.0;
    for t in tangents.into_iter().flatten() {
        let xyz = (linear * t.truncate()).normalize_or(Vec3::X);
        *t = xyz.extend(if mirrored { -t.w } else { t.w });
    }
    if mirrored {
        for triangle in indices.chunks_exact_mut(3) {
            triangle.swap(1, 2);
        }
    }
}

/// Area-weighted vertex normals for meshes exported without any.
fn smooth_normals(positions: &[Vec3], indices: &[u32]) -> Vec<Vec3> {
    let mut normals = vec![Vec3::ZERO; positions.len()];
    for triangle in indices.chunks_exact(3) {
        let [a, b, c] = [triangle[0], triangle[1], triangle[2]].map(|i| i as usize);
        // Unnormalised: its length is twice the triangle's area.
        let face = (positions[b] - positions[a]).cross(positions[c] - positions[a]);
        for v in [a, b, c] {
            normals[v] += face;
        }
    }
    normals
        .into_iter()
        .map(|n| n.normalize_or(Vec3::Y))
        .collect()
}
