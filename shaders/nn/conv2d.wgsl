// CONV_2D over NHWC f32 tensors, with the bias and activation fused.
//
// The parameters, input, tap maths and activation are shared with the
// other convolutions (shaders/common/nn_conv.wgsl). The weights come in a
// 64 KiB uniform window holding `OCV`-vec4 blocks of output channels,
// packed by src/nn/gpu/conv.rs as
//   block: [bias: OCV vec4s][(ky·KW + kx)·in_c4·4 + ic: OCV vec4s each].
// Uniform buffers because every lane of a workgroup reads the same weight
// at the same time (the workgroup's y index picks the block): GPUs
// broadcast it, and lavapipe loads it once for 8 lanes, where its storage
// buffer loads go lane by lane. conv2d_storage.wgsl takes the filters
// whose block does not fit in 64 KiB.
//
// Each invocation computes 2 output pixels × OCV·4 output channels: every
// input vec4 it loads feeds OCV·4·4 multiply-adds.

// #import nn_conv

// vec4s of output channels per block: 1, 2 or 4.
override OCV: u32 = 2u;

@group(0) @binding(2) var<uniform> w: array<vec4<f32>, 4096>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;

// Adds one input vec4 of two pixels times the weight rows at `wi`.
fn accumulate(
    a0: vec4<f32>,
    a1: vec4<f32>,
    wi: u32,
    acc0: ptr<function, array<vec4<f32>, 4>>,
    acc1: ptr<function, array<vec4<f32>, 4>>,
) {
    for (var j = 0u; j < OCV; j++) {
        let wx = w[wi + j];
        let wy = w[wi + OCV + j];
        let wz = w[wi + 2u * OCV + j];
        let ww = w[wi + 3u * OCV + j];
        (*acc0)[j] += a0.x * wx + a0.y * wy + a0.z * wz + a0.w * ww;
        (*acc1)[j] += a1.x * wx + a1.y * wy + a1.z * wz + a1.w * ww;
    }
}

fn start(block: u32) -> array<vec4<f32>, 4> {
    var acc: array<vec4<f32>, 4>;
    for (var j = 0u; j < OCV; j++) {
        acc[j] = w[block * p.block_vec4s + j];
    }
    return acc;
}

// Any kernel size, stride, dilation and padding.
@compute @workgroup_size(64)
fn conv(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
    let first = gid.x * PIXELS;
    if first >= p.out_pixels {
        return;
    }
    let second = second_pixel(first);
    let o0 = origin(first);
    let o1 = origin(second);
    var acc0 = start(wg.y);
    var acc1 = acc0;
    var wi = wg.y * p.block_vec4s + OCV;
    for (var ky = 0u; ky < KH; ky++) {
        for (var kx = 0u; kx < KW; kx++) {
            let t0 = tap(o0, ky, kx);
            let t1 = tap(o1, ky, kx);
            for (var ic4 = 0u; ic4 < p.in_c4; ic4++) {
                accumulate(load(t0, ic4), load(t1, ic4), wi, &acc0, &acc1);
                wi += 4u * OCV;
            }
        }
    }
    store_block(wg.y, first, second, acc0, acc1);
}

// 1×1, stride 1, no padding: a matrix product of pixels × channels.
@compute @workgroup_size(64)
fn conv_1x1(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
    let first = gid.x * PIXELS;
    if first >= p.out_pixels {
        return;
    }
    let second = second_pixel(first);
    let t0 = first * p.in_c4;
    let t1 = second * p.in_c4;
    var acc0 = start(wg.y);
    var acc1 = acc0;
    var wi = wg.y * p.block_vec4s + OCV;
    for (var ic4 = 0u; ic4 < p.in_c4; ic4++) {
        accumulate(x[t0 + ic4], x[t1 + ic4], wi, &acc0, &acc1);
        wi += 4u * OCV;
    }
    store_block(wg.y, first, second, acc0, acc1);
}

fn store_block(block: u32, first: u32, second: u32, acc0: array<vec4<f32>, 4>, acc1: array<vec4<f32>, 4>) {
    let oc4 = (p.first_block + block) * OCV;
    for (var j = 0u; j < OCV; j++) {
        let c = oc4 + j;
        if c < p.out_c4 {
            y[first * p.out_c4 + c] = activate(acc0[j]);
            if second != first {
                y[second * p.out_c4 + c] = activate(acc1[j]);
            }
        }
    }
}
