// CONV_2D over NHWC f32 tensors, with the bias and activation fused, for
// filters too large for conv2d.wgsl (one block of 8 output channels over
// more than 64 KiB of weights): the weights stay in a storage buffer.
//
// The parameters, input, tap maths and activation are shared with the
// other convolutions (shaders/common/nn_conv.wgsl). src/nn/gpu/conv.rs
// packs the OHWI filter as rows of vec4s over output channels, one row per
// (tap, input channel):
// w[((ky·KW + kx)·in_c4·4 + ic)·w_row + oc4].
//
// Each invocation computes 2 output pixels × 8 output channels, so every
// input vec4 it loads feeds 8 multiply-adds and every weight vec4 feeds 2.
// Lanes of a workgroup run along pixels and the workgroup's y index picks
// the 8 output channels: all lanes read the same weights.

// #import nn_conv

@group(0) @binding(2) var<storage, read> w: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> y: array<vec4<f32>>;

fn store(pixel: u32, oc4: u32, a: vec4<f32>, b: vec4<f32>) {
    let base = pixel * p.out_c4 + oc4;
    y[base] = activate(a);
    if oc4 + 1u < p.out_c4 {
        y[base + 1u] = activate(b);
    }
}

// Any kernel size, stride, dilation and padding.
@compute @workgroup_size(64)
fn conv(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
    let first = gid.x * PIXELS;
    if first >= p.out_pixels {
        return;
    }
    let second = second_pixel(first);
    let oc4 = wg.y * 2u;
    let o0 = origin(first);
    let o1 = origin(second);
    var acc0a = bias[oc4];
    var acc0b = bias[oc4 + 1u];
    var acc1a = acc0a;
    var acc1b = acc0b;
    let row = p.w_row;
    for (var ky = 0u; ky < KH; ky++) {
        for (var kx = 0u; kx < KW; kx++) {
            let t0 = tap(o0, ky, kx);
            let t1 = tap(o1, ky, kx);
            var wi = (ky * KW + kx) * p.in_c4 * 4u * row + oc4;
            for (var ic4 = 0u; ic4 < p.in_c4; ic4++) {
                let a0 = load(t0, ic4);
                let a1 = load(t1, ic4);
                let wxa = w[wi];
                let wxb = w[wi + 1u];
                let wya = w[wi + row];
                let wyb = w[wi + row + 1u];
                let wza = w[wi + 2u * row];
                let wzb = w[wi + 2u * row + 1u];
                let wwa = w[wi + 3u * row];
                let wwb = w[wi + 3u * row + 1u];
                wi += 4u * row;
                acc0a += a0.x * wxa + a0.y * wya + a0.z * wza + a0.w * wwa;
                acc0b += a0.x * wxb + a0.y * wyb + a0.z * wzb + a0.w * wwb;
                acc1a += a1.x * wxa + a1.y * wya + a1.z * wza + a1.w * wwa;
                acc1b += a1.x * wxb + a1.y * wyb + a1.z * wzb + a1.w * wwb;
            }
        }
    }
    store(first, oc4, acc0a, acc0b);
    if second != first {
        store(second, oc4, acc1a, acc1b);
    }
}

// 1×1, stride 1, no padding: a matrix product of pixels × channels.
@compute @workgroup_size(64)
fn conv_1x1(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
    let first = gid.x * PIXELS;
    if first >= p.out_pixels {
        return;
    }
    let second = second_pixel(first);
    let oc4 = wg.y * 2u;
    let t0 = first * p.in_c4;
    let t1 = second * p.in_c4;
    var acc0a = bias[oc4];
    var acc0b = bias[oc4 + 1u];
    var acc1a = acc0a;
    var acc1b = acc0b;
    let row = p.w_row;
    var wi = oc4;
    for (var ic4 = 0u; ic4 < p.in_c4; ic4++) {
        let a0 = x[t0 + ic4];
        let a1 = x[t1 + ic4];
        let wxa = w[wi];
        let wxb = w[wi + 1u];
        let wya = w[wi + row];
        let wyb = w[wi + row + 1u];
        let wza = w[wi + 2u * row];
        let wzb = w[wi + 2u * row + 1u];
        let wwa = w[wi + 3u * row];
        let wwb = w[wi + 3u * row + 1u];
        wi += 4u * row;
        acc0a += a0.x * wxa + a0.y * wya + a0.z * wza + a0.w * wwa;
        acc0b += a0.x * wxb + a0.y * wyb + a0.z * wzb + a0.w * wwb;
        acc1a += a1.x * wxa + a1.y * wya + a1.z * wza + a1.w * wwa;
        acc1b += a1.x * wxb + a1.y * wyb + a1.z * wzb + a1.w * wwb;
    }
    store(first, oc4, acc0a, acc0b);
    if second != first {
        store(second, oc4, acc1a, acc1b);
    }
}
