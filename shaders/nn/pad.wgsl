// PAD with zeros, for the PADs not folded into a convolution (any of the
// four dimensions). One invocation writes one output vec4 of the padded
// layout (src/nn/gpu/shape.rs), gathering its 4 channels one by one
// because a channel offset need not be a multiple of 4.

// This must be kept in sync with CopyParams in src/nn/gpu/ops.rs.
struct PadParams {
    // Input batch, height, width and channels (logical).
    in_dims: vec4<u32>,
    // Output batch, height, width and channels (logical).
    out_dims: vec4<u32>,
    // Zeros before each dimension.
    before: vec4<u32>,
    // Output vec4s.
    count: u32,
    pad0: u32,
    pad1: u32,
    pad2: u32,
}

@group(0) @binding(0) var<uniform> p: PadParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4<f32>>;

@compute @workgroup_size(64)
fn pad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    if i >= p.count {
        return;
    }
    let out_c4 = (p.out_dims.w + 3u) / 4u;
    let in_stride = (p.in_dims.w + 3u) / 4u * 4u;
    let c4 = i % out_c4;
    let pixel = i / out_c4;
    let ow = pixel % p.out_dims.z;
    let oh = (pixel / p.out_dims.z) % p.out_dims.y;
    let on = pixel / (p.out_dims.z * p.out_dims.y);
    // Unsigned wrap-around makes coordinates before the input huge, so one
    // comparison per dimension tests both ends.
    let at = vec3<u32>(on, oh, ow) - p.before.xyz;
    let inside = all(at < p.in_dims.xyz);
    var v = vec4<f32>(0.0);
    if inside {
        let base = ((at.x * p.in_dims.y + at.y) * p.in_dims.z + at.z) * in_stride;
        for (var lane = 0u; lane < 4u; lane++) {
            let c = c4 * 4u + lane - p.before.w;
            if c4 * 4u + lane < p.out_dims.w && c < p.in_dims.w {
                v[lane] = x[base + c];
            }
        }
    }
    y[i] = v;
}
