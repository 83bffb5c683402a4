// CONCATENATION, one input at a time: each dispatch copies one input into
// its slice of the output, applying the fused activation. Tensors use the
// padded layout of src/nn/gpu/shape.rs; values are written one by one
// because a channel offset need not be a multiple of 4. One invocation
// copies one input vec4.

// This must be kept in sync with CopyParams in src/nn/gpu/ops.rs.
struct ConcatParams {
    // Input batch, height, width and channels (logical).
    in_dims: vec4<u32>,
    // Output batch, height, width and channels (logical).
    out_dims: vec4<u32>,
    // Where the input starts in the output (non-zero on the axis only).
    offset: vec4<u32>,
    // Input vec4s.
    count: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

// #import nn_activation

@group(0) @binding(0) var<uniform> p: ConcatParams;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;


@compute @workgroup_size(64)
fn concatenate(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    if i >= p.count {
        return;
    }
    let in_c4 = (p.in_dims.w + 3u) / 4u;
    let out_stride = (p.out_dims.w + 3u) / 4u * 4u;
    let c4 = i % in_c4;
    let pixel = i / in_c4;
    let iw = pixel % p.in_dims.z;
    let ih = (pixel / p.in_dims.z) % p.in_dims.y;
    let n = pixel / (p.in_dims.z * p.in_dims.y);
    let at = vec3<u32>(n, ih, iw) + p.offset.xyz;
    let base = ((at.x * p.out_dims.y + at.y) * p.out_dims.z + at.z) * out_stride + p.offset.w;
    let v = activate(x[i]);
    for (var lane = 0u; lane < 4u; lane++) {
        let c = c4 * 4u + lane;
        if c < p.in_dims.w {
            y[base + c] = v[lane];
        }
    }
}
