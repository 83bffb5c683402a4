// DEPTHWISE_CONV_2D over NHWC f32 tensors, with the bias and activation
// fused.
//
// Tensors use the padded layout of src/nn/gpu/shape.rs (channels in vec4
// groups). The weights come in a 64 KiB uniform window (see conv2d.wgsl
// for why uniform) of blocks, one per output channel group, packed by
// src/nn/gpu/conv.rs as [bias][(ky·KW + kx): one vec4 each].
//
// Each invocation computes 4 output channels of 2 neighbouring pixels. Lanes
// run along pixels and the workgroup's y index picks the channel group, so
// all lanes read the same weights.

// This must be kept in sync with DepthwiseParams in src/nn/gpu/conv.rs.
struct DepthwiseParams {
    in_h: u32,
    in_w: u32,
    in_c4: u32,
    out_h: u32,
    out_w: u32,
    out_c4: u32,
    // Zero rows above and columns left of the input (SAME padding plus
    // folded PADs); reads past the bottom and right are zero too.
    pad_top: u32,
    pad_left: u32,
    // batch · out_h · out_w
    out_pixels: u32,
    // The window's first channel group.
    first_block: u32,
    pad0: u32,
    pad1: u32,
}

override KH: u32 = 3u;
override KW: u32 = 3u;
override STRIDE_H: u32 = 1u;
override STRIDE_W: u32 = 1u;
override DILATION_H: u32 = 1u;
override DILATION_W: u32 = 1u;
// Output channel o reads input channel o / MULTIPLIER.
override MULTIPLIER: u32 = 1u;
// 0 none, 1 relu, 2 relu_n1_to_1, 3 relu6, 4 tanh (src/nn/gpu/pipelines.rs).
override ACTIVATION: u32 = 0u;

const PIXELS: u32 = 2u;

@group(0) @binding(0) var<uniform> p: DepthwiseParams;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> w: array<vec4<f32>, 4096>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;

fn activate(v: vec4<f32>) -> vec4<f32> {
    switch ACTIVATION {
        case 1u: { return max(v, vec4<f32>(0.0)); }
        case 2u: { return clamp(v, vec4<f32>(-1.0), vec4<f32>(1.0)); }
        case 3u: { return clamp(v, vec4<f32>(0.0), vec4<f32>(6.0)); }
        case 4u: { return tanh(v); }
        default: { return v; }
    }
}

// (first input row of the pixel's image, top row, left column) of its
// window; negative inside the padding.
fn origin(pixel: u32) -> vec3<i32> {
    let ox = pixel % p.out_w;
    let rest = pixel / p.out_w;
    let oy = rest % p.out_h;
    let image = rest / p.out_h;
    return vec3<i32>(
        i32(image * p.in_h),
        i32(oy * STRIDE_H) - i32(p.pad_top),
        i32(ox * STRIDE_W) - i32(p.pad_left),
    );
}

// The 4 input channels feeding output channel group `oc4` at one tap.
fn load(o: vec3<i32>, ky: u32, kx: u32, oc4: u32) -> vec4<f32> {
    let iy = o.y + i32(ky * DILATION_H);
    let ix = o.z + i32(kx * DILATION_W);
    if iy < 0 || iy >= i32(p.in_h) || ix < 0 || ix >= i32(p.in_w) {
        return vec4<f32>(0.0);
    }
    let base = u32((o.x + iy) * i32(p.in_w) + ix) * p.in_c4;
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
    // A second pixel past the end repeats the first and is not stored.
    let second = min(first + 1u, p.out_pixels - 1u);
    let oc4 = p.first_block + wg.y;
    let o0 = origin(first);
    let o1 = origin(second);
    let block = wg.y * (KH * KW + 1u);
    var acc0 = w[block];
    var acc1 = acc0;
    for (var ky = 0u; ky < KH; ky++) {
        for (var kx = 0u; kx < KW; kx++) {
            let weight = w[block + 1u + ky * KW + kx];
            acc0 = fma(load(o0, ky, kx, oc4), weight, acc0);
            acc1 = fma(load(o1, ky, kx, oc4), weight, acc1);
        }
    }
    y[first * p.out_c4 + oc4] = activate(acc0);
    if second != first {
        y[second * p.out_c4 + oc4] = activate(acc1);
    }
}
