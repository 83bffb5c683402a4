// CONV_2D over NHWC f32 tensors, with the bias and activation fused, for
// filters too large for conv2d.wgsl (one block of 8 output channels over
// more than 64 KiB of weights): the weights stay in a storage buffer.
//
// Tensors use the padded layout of src/nn/gpu/shape.rs: channels in vec4
// groups (`in_c4`, `out_c4`). src/nn/gpu/conv.rs packs the OHWI filter as
// rows of vec4s over output channels, one row per (tap, input channel):
// w[((ky·KW + kx)·in_c4·4 + ic)·w_row + oc4].
//
// Each invocation computes 2 output pixels × 8 output channels, so every
// input vec4 it loads feeds 8 multiply-adds and every weight vec4 feeds 2.
// Lanes of a workgroup run along pixels and the workgroup's y index picks
// the 8 output channels: all lanes read the same weights.

// This must be kept in sync with ConvStorageParams in src/nn/gpu/conv.rs.
struct ConvParams {
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
    // vec4s per weight row: out_c4 rounded up to a multiple of 2.
    w_row: u32,
    pad0: u32,
    pad1: u32,
}

override KH: u32 = 1u;
override KW: u32 = 1u;
override STRIDE_H: u32 = 1u;
override STRIDE_W: u32 = 1u;
override DILATION_H: u32 = 1u;
override DILATION_W: u32 = 1u;
// 0 none, 1 relu, 2 relu_n1_to_1, 3 relu6, 4 tanh (src/nn/gpu/pipelines.rs).
override ACTIVATION: u32 = 0u;

const PIXELS: u32 = 2u;

@group(0) @binding(0) var<uniform> p: ConvParams;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> w: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> y: array<vec4<f32>>;

fn activate(v: vec4<f32>) -> vec4<f32> {
    switch ACTIVATION {
        case 1u: { return max(v, vec4<f32>(0.0)); }
        case 2u: { return clamp(v, vec4<f32>(-1.0), vec4<f32>(1.0)); }
        case 3u: { return clamp(v, vec4<f32>(0.0), vec4<f32>(6.0)); }
        case 4u: { return tanh(v); }
        default: { return v; }
    }
}

// The input position of an output pixel's top-left tap:
// (first input row of its image, row, column); row and column may be
// negative inside the padding.
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

// The vec4 index of a tap's first input channel group, or -1 in padding.
fn tap(o: vec3<i32>, ky: u32, kx: u32) -> i32 {
    let iy = o.y + i32(ky * DILATION_H);
    let ix = o.z + i32(kx * DILATION_W);
    let inside = iy >= 0 && iy < i32(p.in_h) && ix >= 0 && ix < i32(p.in_w);
    return select(-1, ((o.x + iy) * i32(p.in_w) + ix) * i32(p.in_c4), inside);
}

fn load(t: i32, ic4: u32) -> vec4<f32> {
    return select(vec4<f32>(0.0), x[u32(max(t, 0)) + ic4], t >= 0);
}

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
    // A second pixel past the end repeats the first and is not stored.
    let second = min(first + 1u, p.out_pixels - 1u);
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
    let second = min(first + 1u, p.out_pixels - 1u);
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
