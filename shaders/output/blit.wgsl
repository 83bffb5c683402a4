// Working texture → window: one full-screen triangle, the frame scaled to
// fit with its aspect ratio kept, black bars elsewhere.

// This must be kept in sync with BlitParams in src/output/window.rs.
struct BlitParams {
    // The part of the window the frame covers, per axis, in 0..1.
    scale: vec2<f32>,
    _padding: vec2<f32>,
}

@group(0) @binding(0) var<uniform> params: BlitParams;
@group(0) @binding(1) var frame: texture_2d<f32>;
@group(0) @binding(2) var frame_sampler: sampler;

struct VertexOutput {
    @builtin(position) position: vec4<f32>,
    // 0..1 across the window, y down.
    @location(0) window_uv: vec2<f32>,
}

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> VertexOutput {
    // (0,0), (2,0), (0,2): a triangle that covers the whole viewport.
    let uv = vec2<f32>(f32((index << 1u) & 2u), f32(index & 2u));
    var out: VertexOutput;
    out.position = vec4<f32>(uv.x * 2.0 - 1.0, 1.0 - uv.y * 2.0, 0.0, 1.0);
    out.window_uv = uv;
    return out;
}

@fragment
fn fs_main(in: VertexOutput) -> @location(0) vec4<f32> {
    let frame_uv = (in.window_uv - 0.5) / params.scale + 0.5;
    if (any(frame_uv < vec2<f32>(0.0)) || any(frame_uv > vec2<f32>(1.0))) {
        return vec4<f32>(0.0, 0.0, 0.0, 1.0);
    }
    return vec4<f32>(textureSampleLevel(frame, frame_sampler, frame_uv, 0.0).rgb, 1.0);
}
