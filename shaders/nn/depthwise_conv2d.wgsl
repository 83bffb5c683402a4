// DEPTHWISE_CONV_2D over NHWC f32 tensors, with the bias and activation
// fused.
//
// The parameters, input, tap maths and activation are shared with the
// other convolutions (shaders/common/nn_conv.wgsl). The weights come in a
// 64 KiB uniform window (see conv2d.wgsl for why uniform) of blocks of
// `block_vec4s`, one per output channel group, packed by
// src/nn/gpu/depthwise.rs as [bias][(ky·KW + kx): one vec4 each].
//
// Each invocation computes 4 output channels of 2 neighbouring pixels. Lanes
// run along pixels and the workgroup's y index picks the channel group, so
// all lanes read the same weights.

// #import nn_conv

// Output channel o reads input channel o / MULTIPLIER.
override MULTIPLIER: u32 = 1u;

@group(0) @binding(2) var<uniform> w: array<vec4<f32>, 4096>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;

// The 4 input channels feeding output channel group `oc4` at one tap.
fn load_group(o: vec3<i32>, ky: u32, kx: u32, oc4: u32) -> vec4<f32> {
    let t = tap(o, ky, kx);
    if t < 0 {
        return vec4<f32>(0.0);
    }
    let base = u32(t);
    if MULTIPLIER == 1u {
        return x[base + oc4];
    }
    var v = vec4<f32>(0.0);
    for (var lane = 0u; lane < 4u; lane++) {
        let ic = min((oc4 * 4u + lane) / MULTIPLIER, p.in_c4 * 4u - 1u);
        v[lane] = x[base + ic / 4u][ic % 4u];
    }
    return v;
}

@compute @workgroup_size(64)
fn depthwise(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
    let first = gid.x * PIXELS;
    if first >= p.out_pixels {
        return;
    }
    let second = second_pixel(first);
    let oc4 = p.first_block + wg.y;
    let o0 = origin(first);
    let o1 = origin(second);
    let block = wg.y * p.block_vec4s;
    var acc0 = w[block];
    var acc1 = acc0;
    for (var ky = 0u; ky < KH; ky++) {
        for (var kx = 0u; kx < KW; kx++) {
            let weight = w[block + 1u + ky * KW + kx];
            acc0 = fma(load_group(o0, ky, kx, oc4), weight, acc0);
            acc1 = fma(load_group(o1, ky, kx, oc4), weight, acc1);
        }
    }
    y[first * p.out_c4 + oc4] = activate(acc0);
    if second != first {
        y[second * p.out_c4 + oc4] = activate(acc1);
    }
}
