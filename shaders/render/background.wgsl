// The camera frame as the try-on's background, with a soft contact shadow
// where a garment lies on the body. Drawn as one full-screen triangle
// into the multisampled target, before garments.

// This must be kept in sync with BackgroundUniform in src/render/tryon.rs.
struct BackgroundUniform {
    image_size: vec2<f32>,
    // Shadow offset in pixels (away from the light) and blur radius.
    shadow_offset_px: vec2<f32>,
    shadow_radius_px: f32,
    // 0: no shadow.
    shadow_strength: f32,
    has_mask: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> params: BackgroundUniform;
// The working texture through its sRGB view: samples are linear.
@group(0) @binding(1) var camera_frame: texture_2d<f32>;
@group(0) @binding(2) var person_mask: texture_2d<f32>;
// Garment coverage (1 where a garment is), at the frame's size.
@group(0) @binding(3) var coverage: texture_2d<f32>;

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> @builtin(position) vec4<f32> {
    let x = f32(index & 1u) * 4.0 - 1.0;
    let y = f32(index >> 1u) * 4.0 - 1.0;
    // Depth just inside the far plane; the pass compares Always anyway.
    return vec4<f32>(x, y, 0.999, 1.0);
}

fn load_clamped(t: texture_2d<f32>, p: vec2<f32>) -> vec4<f32> {
    let size = vec2<i32>(params.image_size);
    return textureLoad(t, clamp(vec2<i32>(p), vec2<i32>(0), size - vec2<i32>(1)), 0);
}

@fragment
fn fs_main(@builtin(position) pixel: vec4<f32>) -> @location(0) vec4<f32> {
    var color = load_clamped(camera_frame, pixel.xy).rgb;
    var person = 0.0;
    if params.has_mask == 1u {
        person = load_clamped(person_mask, pixel.xy).r;
    }
    // Only on the person: most of the frame skips the twelve taps.
    if params.shadow_strength > 0.0 && person > 0.01 {
        // A blurred, offset garment silhouette darkens the body next to the
        // garment's edges; under the garment it is hidden anyway.
        let centre = pixel.xy - params.shadow_offset_px;
        var shade = 0.0;
        for (var i = 0; i < 12; i = i + 1) {
            let angle = f32(i) * 0.5235988;
            let ring = select(0.45, 1.0, (i & 1) == 0);
            let offset = vec2<f32>(cos(angle), sin(angle)) * params.shadow_radius_px * ring;
            shade += load_clamped(coverage, centre + offset).r;
        }
        shade = shade / 12.0;
        color *= 1.0 - params.shadow_strength * shade * person;
    }
    return vec4<f32>(color, 1.0);
}
