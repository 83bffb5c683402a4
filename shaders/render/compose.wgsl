// The try-on's last pass, from the dressed frame and the garments'
// coverage (both written by the main pass) into the output:
// - soft edges: a garment pixel whose 3×3 neighbourhood is not all
//   garment becomes a small blur (a 3×3 tent) of it, so outlines are not
//   staircases without multisampling and the person mask's clip is not a
//   hard cut; pixels off the garment (the wearer's face and arms, the
//   background) stay as the camera saw them;
// - the contact shadow: on the person, next to a garment (its coverage
//   blurred and offset away from the light), the frame darkens a little.
// Samples are linear (an sRGB texture), so blends are in linear light.
//
// The CPU twin is `compose_cpu` in src/render/compose.rs.
//
// `fs_layer` is the economy path's pass (src/render/quality.rs): the
// garments were drawn alone, at a lower resolution, into a premultiplied
// layer; it draws the camera frame, its contact shadow and the layer
// scaled up bilinearly over it (the scaled coverage softens the edges).

// This must be kept in sync with ComposeUniform in src/render/compose.rs.
struct ComposeUniform {
    // Shadow offset in pixels (away from the light) and blur radius.
    shadow_offset_px: vec2<f32>,
    shadow_radius_px: f32,
    // 0: no shadow.
    shadow_strength: f32,
    has_mask: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: ComposeUniform;
@group(0) @binding(1) var dressed: texture_2d<f32>;
// 1 where a garment is seen, 0 elsewhere.
@group(0) @binding(2) var coverage: texture_2d<f32>;
@group(0) @binding(3) var person_mask: texture_2d<f32>;

// fs_layer only: the garments' layer (premultiplied linear RGBA; binding
// 1 above holds it, binding 2 its coverage, both at the layer's size),
// the camera frame at full size, and a bilinear sampler.
@group(0) @binding(4) var camera_frame: texture_2d<f32>;
@group(0) @binding(5) var layer_sampler: sampler;

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> @builtin(position) vec4<f32> {
    let x = f32(index & 1u) * 4.0 - 1.0;
    let y = f32(index >> 1u) * 4.0 - 1.0;
    return vec4<f32>(x, y, 0.0, 1.0);
}

fn clamped(p: vec2<i32>) -> vec2<i32> {
    return clamp(p, vec2<i32>(0), vec2<i32>(textureDimensions(dressed)) - vec2<i32>(1));
}

fn covered(p: vec2<i32>) -> bool {
    return textureLoad(coverage, clamped(p), 0).r > 0.5;
}

@fragment
fn fs_main(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let p = vec2<i32>(position.xy);
    let centre = covered(p);
    var edge = false;
    for (var i = 0; i < 9; i = i + 1) {
        if covered(p + vec2<i32>(i % 3 - 1, i / 3 - 1)) != centre {
            edge = true;
        }
    }
    var color = textureLoad(dressed, clamped(p), 0);
    if edge && centre {
        // A 3×3 tent (1 2 1 / 2 4 2 / 1 2 1) / 16.
        var sum = vec4<f32>(0.0);
        for (var i = 0; i < 9; i = i + 1) {
            let dx = i % 3 - 1;
            let dy = i / 3 - 1;
            let w = f32((2 - abs(dx)) * (2 - abs(dy)));
            sum += w * textureLoad(dressed, clamped(p + vec2<i32>(dx, dy)), 0);
        }
        color = sum / 16.0;
    }
    if params.shadow_strength > 0.0 && params.has_mask == 1u && !centre {
        let person = textureLoad(person_mask, clamped(p), 0).r;
        // Only on the person: most of the frame skips the twelve taps.
        if person > 0.01 {
            let origin = position.xy - params.shadow_offset_px;
            var shade = 0.0;
            for (var i = 0; i < 12; i = i + 1) {
                let angle = f32(i) * 0.5235988;
                let ring = select(0.45, 1.0, (i & 1) == 0);
                let offset = vec2<f32>(cos(angle), sin(angle)) * params.shadow_radius_px * ring;
                shade += textureLoad(coverage, clamped(vec2<i32>(origin + offset)), 0).r;
            }
            shade = shade / 12.0;
            color = vec4<f32>(color.rgb * (1.0 - params.shadow_strength * shade * person), color.a);
        }
    }
    return color;
}

// The shadow's darkening of a frame pixel at `position`, from the layer's
// coverage: the same twelve taps as fs_main, read bilinearly.
fn layer_shadow(position: vec2<f32>, frame_size: vec2<f32>) -> f32 {
    let origin = position - params.shadow_offset_px;
    var shade = 0.0;
    for (var i = 0; i < 12; i = i + 1) {
        let angle = f32(i) * 0.5235988;
        let ring = select(0.45, 1.0, (i & 1) == 0);
        let offset = vec2<f32>(cos(angle), sin(angle)) * params.shadow_radius_px * ring;
        shade += textureSampleLevel(coverage, layer_sampler, (origin + offset) / frame_size, 0.0).r;
    }
    return shade / 12.0;
}

@fragment
fn fs_layer(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    let frame_size = vec2<f32>(textureDimensions(camera_frame));
    let p = vec2<i32>(position.xy);
    let uv = position.xy / frame_size;
    let layer = textureSampleLevel(dressed, layer_sampler, uv, 0.0);
    var background = textureLoad(camera_frame, p, 0).rgb;
    // Fully covered pixels skip the shadow's taps.
    if params.shadow_strength > 0.0 && params.has_mask == 1u && layer.a < 0.999 {
        let person = textureLoad(person_mask, p, 0).r;
        if person > 0.01 {
            let shade = layer_shadow(position.xy, frame_size);
            background = background * (1.0 - params.shadow_strength * shade * person);
        }
    }
    return vec4<f32>(layer.rgb + background * (1.0 - layer.a), 1.0);
}
