// What the nn convolutions share (conv2d.wgsl, conv2d_storage.wgsl,
// depthwise_conv2d.wgsl import it with `// #import nn_conv`, see
// src/gpu/compose.rs): their parameters, the window's override constants,
// the input, the index maths of a tap, and (imported in turn) the fused
// activation.
//
// Tensors use the padded layout of src/nn/gpu/shape.rs: NHWC with
// channels in vec4 groups (`in_c4`, `out_c4`). Each invocation computes
// PIXELS neighbouring output pixels.

// This must be kept in sync with ConvParams in src/nn/gpu/conv_step.rs.
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
    // Weights in uniform windows (conv2d, depthwise): vec4s per block.
    block_vec4s: u32,
    // Weights in uniform windows: the window's first block, counted from
    // output channel 0.
    first_block: u32,
    // Weights in storage (conv2d_storage): vec4s per weight row, out_c4
    // rounded up to a multiple of 2.
    w_row: u32,
}

override KH: u32 = 1u;
override KW: u32 = 1u;
override STRIDE_H: u32 = 1u;
override STRIDE_W: u32 = 1u;
override DILATION_H: u32 = 1u;
override DILATION_W: u32 = 1u;
// #import nn_activation

// Output pixels per invocation (PIXELS in src/nn/gpu/conv_step.rs).
const PIXELS: u32 = 2u;

@group(0) @binding(0) var<uniform> p: ConvParams;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;


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

// Input channel group `ic4` of a tap, zero in padding.
fn load(t: i32, ic4: u32) -> vec4<f32> {
    return select(vec4<f32>(0.0), x[u32(max(t, 0)) + ic4], t >= 0);
}

// The second output pixel of an invocation whose first is `first` (below
// out_pixels): a second pixel past the end repeats the first and is not
// stored.
fn second_pixel(first: u32) -> u32 {
    return min(first + 1u, p.out_pixels - 1u);
}
