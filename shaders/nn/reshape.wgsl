// RESHAPE when it moves data: the padded layout (src/nn/gpu/shape.rs)
// pads the last dimension, so a reshape that changes it from or to a size
// that is not a multiple of 4 must repack. (Others alias their input and
// run no kernel.) One invocation writes one output vec4.

// This must be kept in sync with ReshapeParams in src/nn/gpu/ops.rs.
struct ReshapeParams {
    // Last dimension of the input, and its padded stride.
    in_c: u32,
    in_stride: u32,
    // Last dimension of the output, in values and in vec4s.
    out_c: u32,
    out_c4: u32,
    // Output vec4s.
    count: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

@group(0) @binding(0) var<uniform> p: ReshapeParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4<f32>>;

@compute @workgroup_size(64)
fn reshape(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    if i >= p.count {
        return;
    }
    let c4 = i % p.out_c4;
    let row = i / p.out_c4;
    var v = vec4<f32>(0.0);
    for (var lane = 0u; lane < 4u; lane++) {
        let c = c4 * 4u + lane;
        if c < p.out_c {
            // The value's index in the dense (unpadded) order, which a
            // reshape keeps.
            let flat = row * p.out_c + c;
            v[lane] = x[flat / p.in_c * p.in_stride + flat % p.in_c];
        }
    }
    y[i] = v;
}
