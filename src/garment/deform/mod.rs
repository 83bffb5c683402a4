//! A garment's mesh as it is deformed each frame: skinned to the rig,
//! fitted to the silhouette (`garment::silhouette`), optionally simulated
//! as cloth, then drawn.
//!
//! The deformation works on **particles**: a garment's vertices welded by
//! position across primitives and UV seams, so that a seam stays sewn
//! when the mesh is warped or simulated. Render vertices keep their own
//! UVs and point at their particle. Rigid accessories are not welded
//! (their hard edges keep their own normals) and not fitted.
//!
//! The GPU does this in `shaders/render/deform.wgsl` and `normals.wgsl`
//! (`render::deform_gpu`); `deform_cpu` is the plain-Rust twin.

mod cpu;

pub use cpu::{band_maps, deform_cpu, region_weights, Deformed, FitParams};

use std::collections::HashMap;

use super::gltf_load::GarmentModel;
use super::rig::RigJoint;

/// Positions closer than this are one particle (metres): the same point
/// written twice by an exporter, not two points of the cloth.
pub const WELD_TOLERANCE_M: f32 = 1e-5;

/// One particle's rest data, as deform.wgsl reads it.
// This must be kept in sync with Particle in shaders/render/deform.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Particle {
    /// Bind-pose position (model space, metres); w unused.
    pub position: [f32; 4],
    /// Bind-pose unit normal; w unused.
    pub normal: [f32; 4],
    /// Rig joints (`RigJoint as u32`).
    pub joints: [u32; 4],
    /// Skin weights, summing to 1.
    pub weights: [f32; 4],
}

/// One render vertex: its texture coordinate and its particle.
// This must be kept in sync with VertexIn in shaders/render/garment.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct RenderVertex {
    pub uv: [f32; 2],
    pub particle: u32,
}

/// One drawable of the garment.
#[derive(Debug, Clone, PartialEq)]
pub struct DeformPrimitive {
    pub name: String,
    pub vertices: Vec<RenderVertex>,
    /// Triangles over `vertices`.
    pub indices: Vec<u32>,
    pub material: usize,
}

/// A garment's particles, its primitives' render vertices and the
/// triangles over particles (for normals and cloth).
#[derive(Debug, Clone, PartialEq)]
pub struct DeformMesh {
    pub particles: Vec<Particle>,
    pub primitives: Vec<DeformPrimitive>,
    /// Every primitive's triangles in particle indices (degenerate ones,
    /// whose corners welded together, left out).
    pub triangles: Vec<[u32; 3]>,
    /// For particle `p`, `adjacency[adjacency_offsets[p]..adjacency_offsets[p + 1]]`
    /// are the other two corners of each triangle around it, in winding
    /// order: what the normals pass sums.
    pub adjacency_offsets: Vec<u32>,
    pub adjacency: Vec<[u32; 2]>,
    /// Whether vertices were welded (garments) or kept (rigid models).
    pub welded: bool,
}

impl DeformMesh {
    /// Builds the particles of `model`; `weld` merges vertices at the same
    /// position. A skinned model's joint indices become rig joints; a
    /// rigid one has every vertex on joint 0 (`hips`), which the caller
    /// places.
    pub fn build(model: &GarmentModel, weld: bool) -> DeformMesh {
        let skin_to_rig: Vec<u32> = model.skin.as_ref().map_or_else(Vec::new, |skin| {
            skin.joints.iter().map(|j| *j as u32).collect()
        });
        let mut particles: Vec<Particle> = Vec::new();
        let mut by_position: HashMap<[i64; 3], u32> = HashMap::new();
        let mut primitives = Vec::with_capacity(model.primitives.len());
        let mut triangles = Vec::new();
        for primitive in &model.primitives {
            let mut vertices = Vec::with_capacity(primitive.positions.len());
            for (i, position) in primitive.positions.iter().enumerate() {
                let (joints, weights) = match (primitive.joints.get(i), primitive.weights.get(i)) {
                    (Some(joints), Some(weights)) => (
                        joints.map(|j| {
                            skin_to_rig
                                .get(j as usize)
                                .copied()
                                .unwrap_or(RigJoint::Hips as u32)
                        }),
                        *weights,
                    ),
                    _ => ([0; 4], [1.0, 0.0, 0.0, 0.0]),
                };
                let particle = Particle {
                    position: position.extend(1.0).to_array(),
                    normal: primitive
                        .normals
                        .get(i)
                        .map_or([0.0, 0.0, 1.0, 0.0], |n| n.extend(0.0).to_array()),
                    joints,
                    weights,
                };
                let key = position
                    .to_array()
                    .map(|c| (c / WELD_TOLERANCE_M).round() as i64);
                let index = if weld {
                    *by_position.entry(key).or_insert_with(|| {
                        particles.push(particle);
                        particles.len() as u32 - 1
                    })
                } else {
                    particles.push(particle);
                    particles.len() as u32 - 1
                };
                vertices.push(RenderVertex {
                    uv: primitive.uvs.get(i).map_or([0.0; 2], |uv| uv.to_array()),
                    particle: index,
                });
            }
            for corners in primitive.indices.chunks_exact(3) {
                let p: [u32; 3] = std::array::from_fn(|k| vertices[corners[k] as usize].particle);
                if p[0] != p[1] && p[1] != p[2] && p[0] != p[2] {
                    triangles.push([p[0], p[1], p[2]]);
                }
            }
            primitives.push(DeformPrimitive {
                name: primitive.name.clone(),
                vertices,
                indices: primitive.indices.clone(),
                material: primitive.material,
            });
        }
        let (adjacency_offsets, adjacency) = adjacency(particles.len(), &triangles);
        DeformMesh {
            particles,
            primitives,
            triangles,
            adjacency_offsets,
            adjacency,
            welded: weld,
        }
    }
}

/// Each particle's triangles as the other two corners in winding order.
fn adjacency(particle_count: usize, triangles: &[[u32; 3]]) -> (Vec<u32>, Vec<[u32; 2]>) {
    let mut counts = vec![0u32; particle_count + 1];
    for t in triangles {
        for &p in t {
            counts[p as usize + 1] += 1;
        }
    }
    for i in 1..counts.len() {
        counts[i] += counts[i - 1];
    }
    let offsets = counts.clone();
    let mut fill = counts;
    let mut adjacency = vec![[0u32; 2]; triangles.len() * 3];
    for &[a, b, c] in triangles {
        for (p, q, r) in [(a, b, c), (b, c, a), (c, a, b)] {
            adjacency[fill[p as usize] as usize] = [q, r];
            fill[p as usize] += 1;
        }
    }
    (offsets, adjacency)
}

#[cfg(test)]
mod tests;
