// DEPTH_TO_SPACE in TFLite's (DCR) order: output (y, x, c) reads input
// (y / b, x / b, ((y % b)·b + x % b)·C + c), C the output channels.
// Tensors use the padded layout of src/nn/gpu/shape.rs; one invocation
// writes one output vec4, gathering its channels one by one.

// This must be kept in sync with DepthToSpaceParams in src/nn/gpu/ops.rs.
struct DepthToSpaceParams {
    in_h: u32,
    in_w: u32,
    // Padded input channel stride.
    in_stride: u32,
    block: u32,
    out_h: u32,
    out_w: u32,
    // Output channels (logical), and in vec4s.
    out_c: u32,
    out_c4: u32,
    // Output vec4s.
    count: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

@group(0) @binding(0) var<uniform> p: DepthToSpaceParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4<f32>>;

@compute @workgroup_size(64)
fn depth_to_space(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    if i >= p.count {
        return;
    }
    let c4 = i % p.out_c4;
    let pixel = i / p.out_c4;
    let ox = pixel % p.out_w;
    let oy = (pixel / p.out_w) % p.out_h;
    let image = pixel / (p.out_w * p.out_h);
    let source = ((image * p.in_h + oy / p.block) * p.in_w + ox / p.block) * p.in_stride;
    let first = ((oy % p.block) * p.block + ox % p.block) * p.out_c;
    var v = vec4<f32>(0.0);
    for (var lane = 0u; lane < 4u; lane++) {
        let c = c4 * 4u + lane;
        if c < p.out_c {
            v[lane] = x[source + first + c];
        }
    }
    y[i] = v;
}
