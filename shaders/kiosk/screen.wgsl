// The kiosk's screen: the picture (the dressed camera frame, a frozen
// snapshot or the attract background) scaled to cover the canvas, dimmed
// when asked, the UI layer drawn on the CPU (premultiplied) over it, the
// hover ring (it fills every frame, so it is drawn here rather than
// redrawn on the CPU) and the snapshot's flash; the canvas turned onto the
// screen by the monitor's rotation. All in sRGB-encoded values, as UI
// blending is done everywhere else.

// This must be kept in sync with ScreenParams in src/kiosk/screen.rs.
struct ScreenParams {
    // x: rotation in quarter turns clockwise; y: 1 when there is a
    // picture; z: how much the picture is dimmed (0..1); w: the flash's
    // white (0..1).
    mode: vec4<f32>,
    // xy: the part of the picture shown per axis (cover fit); zw: the
    // canvas size in pixels.
    picture_scale_canvas_px: vec4<f32>,
    // xy: the ring's centre, z: its radius, w: its stroke, canvas pixels.
    ring_geometry: vec4<f32>,
    // rgb: the ring's colour; a: how much of it is filled (0..1; below 0:
    // no ring).
    ring_colour_fraction: vec4<f32>,
    // rgb: the colour where there is no picture; a: unused.
    background: vec4<f32>,
}

@group(0) @binding(0) var<uniform> params: ScreenParams;
@group(0) @binding(1) var picture: texture_2d<f32>;
@group(0) @binding(2) var ui: texture_2d<f32>;
@group(0) @binding(3) var linear_sampler: sampler;

struct VertexOutput {
    @builtin(position) position: vec4<f32>,
    // 0..1 across the screen, y down.
    @location(0) screen_uv: vec2<f32>,
}

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> VertexOutput {
    // (0,0), (2,0), (0,2): one triangle over the whole target.
    let uv = vec2<f32>(f32((index << 1u) & 2u), f32(index & 2u));
    var out: VertexOutput;
    out.position = vec4<f32>(uv.x * 2.0 - 1.0, 1.0 - uv.y * 2.0, 0.0, 1.0);
    out.screen_uv = uv;
    return out;
}

// Keep in sync with Rotation::canvas_from_screen in src/kiosk/layout.rs.
fn canvas_from_screen(uv: vec2<f32>, quarter_turns: u32) -> vec2<f32> {
    switch quarter_turns {
        case 1u: { return vec2<f32>(uv.y, 1.0 - uv.x); }
        case 2u: { return vec2<f32>(1.0 - uv.x, 1.0 - uv.y); }
        case 3u: { return vec2<f32>(1.0 - uv.y, uv.x); }
        default: { return uv; }
    }
}

const TAU: f32 = 6.283185307;

// The ring's coverage at canvas pixel `p`: `filled` for the part already
// filled (clockwise from twelve o'clock), a faint track for the rest.
fn ring_cover(p: vec2<f32>) -> vec2<f32> {
    let centre = params.ring_geometry.xy;
    let radius = params.ring_geometry.z;
    let stroke = params.ring_geometry.w;
    let offset = p - centre;
    let edge = abs(length(offset) - radius) - 0.5 * stroke;
    let cover = clamp(0.5 - edge, 0.0, 1.0);
    // y grows downwards: atan2(x, -y) is 0 at twelve o'clock and grows
    // clockwise.
    let turn = fract(atan2(offset.x, -offset.y) / TAU + 1.0);
    let filled = select(0.0, cover, turn <= params.ring_colour_fraction.a);
    return vec2<f32>(filled, cover);
}

@fragment
fn fs_main(in: VertexOutput) -> @location(0) vec4<f32> {
    let canvas_uv = canvas_from_screen(in.screen_uv, u32(params.mode.x + 0.5));
    var colour = params.background.rgb;
    if (params.mode.y > 0.5) {
        let picture_uv = (canvas_uv - 0.5) * params.picture_scale_canvas_px.xy + 0.5;
        let sampled = textureSampleLevel(picture, linear_sampler, picture_uv, 0.0).rgb;
        colour = sampled * (1.0 - params.mode.z);
    }
    let layer = textureSampleLevel(ui, linear_sampler, canvas_uv, 0.0);
    colour = layer.rgb + colour * (1.0 - layer.a);
    if (params.ring_colour_fraction.a >= 0.0) {
        let p = canvas_uv * params.picture_scale_canvas_px.zw;
        let ring = ring_cover(p);
        // The track: a third-strength white under the filled arc.
        colour = mix(colour, vec3<f32>(1.0), 0.35 * (ring.y - ring.x));
        colour = mix(colour, params.ring_colour_fraction.rgb, ring.x);
    }
    colour = mix(colour, vec3<f32>(1.0), params.mode.w);
    return vec4<f32>(colour, 1.0);
}
