// The product card over the dressed frame (src/render/overlay.rs): one
// quad per element (card background, QR code, text), drawn through the
// frame's sRGB view with alpha blending. The CPU twin is
// src/render/overlay/cpu.rs.

// This must be kept in sync with ElementUniform in src/render/overlay.rs.
struct ElementUniform {
    frame_size_px: vec2<f32>,
    corner_radius_px: f32,
    // 0: rounded card, 1: QR modules, 2: text coverage.
    kind: u32,
    // min x, min y, max x, max y in frame pixels.
    rect_px: vec4<f32>,
    // Linear RGB and alpha: the card, the dark modules, the text ink.
    color: vec4<f32>,
    // The light modules.
    light_color: vec4<f32>,
    module_px: f32,
    _pad0: f32,
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(0) var<uniform> element: ElementUniform;
// R8: QR modules (1 texel per module, 1 = dark) or text coverage
// (1 texel per pixel). Read with textureLoad: nearest, never filtered.
@group(0) @binding(1) var mask: texture_2d<f32>;

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> @builtin(position) vec4<f32> {
    // A triangle strip over the rectangle's four corners.
    let corner = vec2<f32>(f32(index & 1u), f32(index >> 1u));
    let p = mix(element.rect_px.xy, element.rect_px.zw, corner);
    let ndc = vec2<f32>(p.x / element.frame_size_px.x * 2.0 - 1.0, 1.0 - p.y / element.frame_size_px.y * 2.0);
    return vec4<f32>(ndc, 0.0, 1.0);
}

// Signed distance to the rounded rectangle, negative inside.
fn rounded_rect_distance(p: vec2<f32>) -> f32 {
    let lo = element.rect_px.xy;
    let hi = element.rect_px.zw;
    let half = (hi - lo) * 0.5;
    let radius = min(element.corner_radius_px, min(half.x, half.y));
    let q = abs(p - (lo + hi) * 0.5) - (half - vec2<f32>(radius));
    return length(max(q, vec2<f32>(0.0))) + min(max(q.x, q.y), 0.0) - radius;
}

@fragment
fn fs_main(@builtin(position) pixel: vec4<f32>) -> @location(0) vec4<f32> {
    let local = pixel.xy - element.rect_px.xy;
    if element.kind == 1u {
        // pixel.xy is the pixel's centre: the floor is its module.
        let cell = vec2<i32>(floor(local / element.module_px));
        let dark = textureLoad(mask, cell, 0).r > 0.5;
        return select(element.light_color, element.color, dark);
    }
    var coverage: f32;
    if element.kind == 0u {
        coverage = clamp(0.5 - rounded_rect_distance(pixel.xy), 0.0, 1.0);
    } else {
        coverage = textureLoad(mask, vec2<i32>(floor(local)), 0).r;
    }
    // Leave untouched pixels bit-exact rather than blend them with zero.
    if coverage <= 0.0 {
        discard;
    }
    return vec4<f32>(element.color.rgb, element.color.a * coverage);
}
