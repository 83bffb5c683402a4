// RESIZE_BILINEAR over NHWC f32, exactly as TFLite's reference kernel
// computes it (align_corners and half_pixel_centers are folded into
// `scale` and `half_pixel` by src/nn/gpu/ops.rs).
//
// Tensors use the padded layout of src/nn/gpu/shape.rs (channels in vec4
// groups); one invocation writes one output vec4.

// This must be kept in sync with ResizeParams in src/nn/gpu/ops.rs.
struct ResizeParams {
    in_h: u32,
    in_w: u32,
    c4: u32,
    out_h: u32,
    out_w: u32,
    // 1: sample at pixel centres ((o + 0.5)·scale - 0.5).
    half_pixel: u32,
    // Output vec4s.
    count: u32,
    pad0: u32,
    // Input pixels per output pixel, height then width.
    scale: vec2<f32>,
    pad1: vec2<f32>,
}

@group(0) @binding(0) var<uniform> p: ResizeParams;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4<f32>>;

// TFLite's ComputeInterpolationValues: (position, lower, upper).
fn interpolation(o: u32, scale: f32, size: u32) -> vec3<f32> {
    var at = f32(o) * scale;
    if p.half_pixel != 0u {
        at = (f32(o) + 0.5) * scale - 0.5;
    }
    let lower = max(floor(at), 0.0);
    let upper = min(ceil(at), f32(size - 1u));
    return vec3<f32>(at, lower, upper);
}

@compute @workgroup_size(64)
fn resize_bilinear(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    if i >= p.count {
        return;
    }
    let c4 = i % p.c4;
    let pixel = i / p.c4;
    let ox = pixel % p.out_w;
    let oy = (pixel / p.out_w) % p.out_h;
    let image = pixel / (p.out_w * p.out_h);
    let vy = interpolation(oy, p.scale.x, p.in_h);
    let vx = interpolation(ox, p.scale.y, p.in_w);
    let dy = vy.x - vy.y;
    let dx = vx.x - vx.y;
    let row0 = (image * p.in_h + u32(vy.y)) * p.in_w;
    let row1 = (image * p.in_h + u32(vy.z)) * p.in_w;
    let x0 = u32(vx.y);
    let x1 = u32(vx.z);
    let top_left = x[(row0 + x0) * p.c4 + c4];
    let bottom_left = x[(row1 + x0) * p.c4 + c4];
    let top_right = x[(row0 + x1) * p.c4 + c4];
    let bottom_right = x[(row1 + x1) * p.c4 + c4];
    // The same products, in the same order, as the reference kernel.
    y[i] = top_left * (1.0 - dy) * (1.0 - dx) + bottom_left * dy * (1.0 - dx)
        + top_right * (1.0 - dy) * dx + bottom_right * dy * dx;
}
