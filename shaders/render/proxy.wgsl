// Body proxies (capsules for the arms, spheres for hands and head, a
// cylinder for the neck) written to depth only, where the person mask says
// there is a person: an arm in front of the torso then hides the shirt
// behind it, and the back of a collar hides behind the neck.

// This must be kept in sync with FrameUniform in src/render/garment_gpu.rs
// (only the fields this shader reads come first and match).
struct FrameUniform {
    clip_from_body: mat4x4<f32>,
    image_size: vec2<f32>,
    mask_radius_px: f32,
    has_mask: u32,
}

@group(0) @binding(0) var<uniform> frame: FrameUniform;
@group(0) @binding(1) var person_mask: texture_2d<f32>;

struct VertexIn {
    @location(0) position: vec3<f32>,
    // The proxy's model matrix (unit shape → body space), by columns.
    @location(1) model_0: vec4<f32>,
    @location(2) model_1: vec4<f32>,
    @location(3) model_2: vec4<f32>,
    @location(4) model_3: vec4<f32>,
}

@vertex
fn vs_main(v: VertexIn) -> @builtin(position) vec4<f32> {
    let model = mat4x4<f32>(v.model_0, v.model_1, v.model_2, v.model_3);
    return frame.clip_from_body * model * vec4<f32>(v.position, 1.0);
}

// The main pass's two targets; the pipeline writes neither (depth is what
// counts).
struct FragmentOut {
    @location(0) color: vec4<f32>,
    @location(1) coverage: vec4<f32>,
}

@fragment
fn fs_main(@builtin(position) pixel: vec4<f32>) -> FragmentOut {
    if frame.has_mask == 1u {
        // `image_size` is the target's; the mask is the frame's size
        // (larger at economy quality, the same at full).
        let mask_size = vec2<f32>(textureDimensions(person_mask));
        let size = vec2<i32>(mask_size);
        let at = pixel.xy * (mask_size / frame.image_size);
        let p = clamp(vec2<i32>(at), vec2<i32>(0), size - vec2<i32>(1));
        if textureLoad(person_mask, p, 0).r < 0.5 {
            discard;
        }
    }
    return FragmentOut(vec4<f32>(0.0), vec4<f32>(0.0));
}
