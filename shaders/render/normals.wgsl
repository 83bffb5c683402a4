// Normals of a deformed garment (fitted, or simulated as cloth): each
// particle's area-weighted sum over the triangles around it, turned to
// agree with its skinned normal. Rigid models keep their skinned normals
// (hard edges stay hard). The GPU twin of `normals_cpu` in
// src/garment/deform/cpu.rs.

// The fields of Instance (deform.wgsl, src/render/garment_gpu.rs
// InstanceUniform) this pass reads, at their offsets: after the 38
// matrices.
struct Instance {
    joints: array<mat4x4<f32>, 19>,
    normals: array<mat4x4<f32>, 19>,
    clip_to_person: u32,
    fit_to_silhouette: u32,
    geometric_normals: u32,
    particle_count: u32,
    ease: f32,
    margin_m: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> instance: Instance;
@group(0) @binding(1) var<storage, read> positions: array<vec4<f32>>;
// Per particle: skinned position and normal (deform.wgsl `skinned`).
@group(0) @binding(2) var<storage, read> skinned: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> adjacency_offsets: array<u32>;
@group(0) @binding(4) var<storage, read> adjacency: array<vec2<u32>>;
@group(0) @binding(5) var<storage, read_write> normals: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let p = id.x;
    if p >= instance.particle_count {
        return;
    }
    let skinned_normal = skinned[2u * p + 1u].xyz;
    var fallback = vec3<f32>(0.0, 0.0, 1.0);
    if dot(skinned_normal, skinned_normal) > 0.0 {
        fallback = normalize(skinned_normal);
    }
    if instance.geometric_normals == 0u {
        normals[p] = vec4<f32>(fallback, 0.0);
        return;
    }
    let x = positions[p].xyz;
    var sum = vec3<f32>(0.0);
    for (var k = adjacency_offsets[p]; k < adjacency_offsets[p + 1u]; k = k + 1u) {
        let corners = adjacency[k];
        sum += cross(positions[corners.x].xyz - x, positions[corners.y].xyz - x);
    }
    if dot(sum, sum) < 1e-20 {
        normals[p] = vec4<f32>(fallback, 0.0);
        return;
    }
    var n = normalize(sum);
    if dot(n, fallback) < 0.0 {
        n = -n;
    }
    normals[p] = vec4<f32>(n, 0.0);
}
