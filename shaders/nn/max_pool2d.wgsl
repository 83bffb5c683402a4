// MAX_POOL_2D over NHWC f32 with a fused activation. As in TFLite, taps in
// the padding are skipped, not read as zero.
//
// Tensors use the padded layout of src/nn/gpu/shape.rs (channels in vec4
// groups); one invocation writes one output vec4.

// This must be kept in sync with PoolParams in src/nn/gpu/ops.rs.
struct PoolParams {
    in_h: u32,
    in_w: u32,
    c4: u32,
    out_h: u32,
    out_w: u32,
    pad_top: u32,
    pad_left: u32,
    // Output vec4s.
    count: u32,
}

override KH: u32 = 2u;
override KW: u32 = 2u;
override STRIDE_H: u32 = 2u;
override STRIDE_W: u32 = 2u;
// #import nn_activation

@group(0) @binding(0) var<uniform> p: PoolParams;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4<f32>>;


@compute @workgroup_size(64)
fn max_pool(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    if i >= p.count {
        return;
    }
    let c4 = i % p.c4;
    let pixel = i / p.c4;
    let ox = pixel % p.out_w;
    let oy = (pixel / p.out_w) % p.out_h;
    let image = pixel / (p.out_w * p.out_h);
    let top = i32(oy * STRIDE_H) - i32(p.pad_top);
    let left = i32(ox * STRIDE_W) - i32(p.pad_left);
    // f32's lowest value, TFLite's starting point.
    var best = vec4<f32>(-3.40282347e38);
    for (var ky = 0u; ky < KH; ky++) {
        let iy = top + i32(ky);
        if iy < 0 || iy >= i32(p.in_h) {
            continue;
        }
        for (var kx = 0u; kx < KW; kx++) {
            let ix = left + i32(kx);
            if ix < 0 || ix >= i32(p.in_w) {
                continue;
            }
            let at = ((image * p.in_h + u32(iy)) * p.in_w + u32(ix)) * p.c4 + c4;
            best = max(best, x[at]);
        }
    }
    y[i] = activate(best);
}
