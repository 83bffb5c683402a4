// The camera frame as the try-on's background: one full-screen triangle
// into the main pass, before the proxies and garments. The contact shadow
// and soft edges come last, in compose.wgsl, once the garments' coverage
// is known.

// This must be kept in sync with BackgroundUniform in src/render/tryon/pipelines.rs.
struct BackgroundUniform {
    image_size: vec2<f32>,
    _pad0: vec2<f32>,
}

@group(0) @binding(0) var<uniform> params: BackgroundUniform;
// The working texture through its sRGB view: samples are linear.
@group(0) @binding(1) var camera_frame: texture_2d<f32>;

struct Out {
    @location(0) color: vec4<f32>,
    // The garment coverage target: nothing here.
    @location(1) coverage: vec4<f32>,
}

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> @builtin(position) vec4<f32> {
    let x = f32(index & 1u) * 4.0 - 1.0;
    let y = f32(index >> 1u) * 4.0 - 1.0;
    // Depth just inside the far plane; the pass compares Always anyway.
    return vec4<f32>(x, y, 0.999, 1.0);
}

@fragment
fn fs_main(@builtin(position) pixel: vec4<f32>) -> Out {
    let size = vec2<i32>(params.image_size);
    let p = clamp(vec2<i32>(pixel.xy), vec2<i32>(0), size - vec2<i32>(1));
    var out: Out;
    out.color = vec4<f32>(textureLoad(camera_frame, p, 0).rgb, 1.0);
    out.coverage = vec4<f32>(0.0);
    return out;
}
