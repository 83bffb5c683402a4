// Soft garment edges: where a garment meets the body or the background
// (the garment coverage changes within a pixel's 3×3 neighbourhood), the
// pixel becomes a small blur of its neighbourhood, so the outline is not a
// staircase and the person mask's clip is not a hard cut. Elsewhere the
// dressed frame passes through unchanged. Samples are linear (an sRGB
// texture), so the blend is in linear light.
//
// The CPU twin is `soften_edges_cpu` in src/render/edges.rs.

@group(0) @binding(0) var dressed: texture_2d<f32>;
// 1 where a garment is drawn (the coverage pass), 0 elsewhere.
@group(0) @binding(1) var coverage: texture_2d<f32>;

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> @builtin(position) vec4<f32> {
    let x = f32(index & 1u) * 4.0 - 1.0;
    let y = f32(index >> 1u) * 4.0 - 1.0;
    return vec4<f32>(x, y, 0.0, 1.0);
}

fn clamped(p: vec2<i32>) -> vec2<i32> {
    return clamp(p, vec2<i32>(0), vec2<i32>(textureDimensions(dressed)) - vec2<i32>(1));
}

@fragment
fn fs_main(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let p = vec2<i32>(position.xy);
    let centre = textureLoad(coverage, clamped(p), 0).r > 0.5;
    var edge = false;
    for (var i = 0; i < 9; i = i + 1) {
        let q = clamped(p + vec2<i32>(i % 3 - 1, i / 3 - 1));
        if (textureLoad(coverage, q, 0).r > 0.5) != centre {
            edge = true;
        }
    }
    if !edge {
        return textureLoad(dressed, clamped(p), 0);
    }
    // A 3×3 tent (1 2 1 / 2 4 2 / 1 2 1) / 16.
    var sum = vec4<f32>(0.0);
    for (var i = 0; i < 9; i = i + 1) {
        let dx = i % 3 - 1;
        let dy = i / 3 - 1;
        let w = f32((2 - abs(dx)) * (2 - abs(dy)));
        sum += w * textureLoad(dressed, clamped(p + vec2<i32>(dx, dy)), 0);
    }
    return sum / 16.0;
}
