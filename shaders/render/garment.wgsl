// Skinned garments (and rigid accessories, skinned to one joint), drawn
// over the camera frame: linear-blend skinning, metallic-roughness PBR with
// fabric sheen, lit by the light estimated from the frame, clipped to the
// person's mask so a garment never spills far over the background.
//
// Body space: metres, +Y up, +Z towards the camera, orthographic camera
// (src/garment/fit.rs BodyCamera), so the view direction is +Z everywhere.

const PI: f32 = 3.14159265;

// This must be kept in sync with FrameUniform in src/render/garment_gpu.rs.
struct FrameUniform {
    clip_from_body: mat4x4<f32>,
    // The size of the target drawn into, pixels: the frame's, or smaller
    // at economy quality (src/render/quality.rs), where the person mask
    // (always the frame's size) is read scaled.
    image_size: vec2<f32>,
    // Frame pixels around a fragment searched for the person (garments may
    // be a little wider than the body).
    mask_radius_px: f32,
    // 1 when a person mask is bound, 0 to draw unclipped.
    has_mask: u32,
    // Irradiance SH (L0, L1 x y z), rgb in xyz, already convolved with the
    // cosine lobe (src/render/lighting.rs AmbientLight::sh).
    sh: array<vec4<f32>, 4>,
    // Dominant light: direction (towards the light) and colour.
    light_direction: vec4<f32>,
    light_color: vec4<f32>,
    // The face's convex outline in target pixels, two corners per vec4 (xy, zw),
    // counter-clockwise; 0 corners: no face seen. Garments clipped to the
    // person never cover it (a collar stays below the chin whatever the
    // posture).
    face_corners_px: array<vec4<f32>, 8>,
    face_corner_count: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

// This must be kept in sync with InstanceUniform in src/render/garment_gpu.rs
// (and Instance in deform.wgsl).
struct InstanceUniform {
    // Bind space → body space per joint (RigJoint::ALL order), used by the
    // deformation (deform.wgsl) that wrote `positions` and `normals`.
    joints: array<mat4x4<f32>, 19>,
    normals: array<mat4x4<f32>, 19>,
    // 1: clip to the person mask and the face (garments); 0: do not
    // (accessories).
    clip_to_person: u32,
    fit_to_silhouette: u32,
    geometric_normals: u32,
    particle_count: u32,
    ease: f32,
    margin_m: f32,
    _pad0: u32,
    _pad1: u32,
}

// This must be kept in sync with MaterialUniform in src/render/garment_gpu.rs.
struct MaterialUniform {
    base_color: vec4<f32>,
    // rgb: sheen colour; a: sheen roughness.
    sheen: vec4<f32>,
    metallic: f32,
    roughness: f32,
    normal_scale: f32,
    // ALPHA_* below.
    alpha_mode: u32,
    alpha_cutoff: f32,
    has_normal_map: u32,
    // How much of the occlusion texture applies (glTF's strength, 0..1).
    occlusion_strength: f32,
    _pad0: u32,
}

const ALPHA_OPAQUE: u32 = 0u;
const ALPHA_MASK: u32 = 1u;
const ALPHA_BLEND: u32 = 2u;

@group(0) @binding(0) var<uniform> frame: FrameUniform;
@group(0) @binding(1) var person_mask: texture_2d<f32>;

@group(1) @binding(0) var<uniform> material: MaterialUniform;
@group(1) @binding(1) var base_color_texture: texture_2d<f32>;
@group(1) @binding(2) var metallic_roughness_texture: texture_2d<f32>;
@group(1) @binding(3) var normal_texture: texture_2d<f32>;
@group(1) @binding(4) var sheen_texture: texture_2d<f32>;
@group(1) @binding(5) var material_sampler: sampler;
// Ambient occlusion in R (glTF occlusionTexture); white without one.
@group(1) @binding(6) var occlusion_texture: texture_2d<f32>;

@group(2) @binding(0) var<uniform> instance: InstanceUniform;
// The garment's particles this frame, body space (deform.wgsl or the cloth).
@group(2) @binding(1) var<storage, read> positions: array<vec4<f32>>;
@group(2) @binding(2) var<storage, read> normals: array<vec4<f32>>;

// This must be kept in sync with RenderVertex in src/garment/deform/mod.rs.
struct VertexIn {
    @location(0) uv: vec2<f32>,
    @location(1) particle: u32,
}

struct VertexOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) body_position: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) uv: vec2<f32>,
}

@vertex
fn vs_main(v: VertexIn) -> VertexOut {
    let position = positions[v.particle].xyz;
    var out: VertexOut;
    out.clip = frame.clip_from_body * vec4<f32>(position, 1.0);
    out.body_position = position;
    out.normal = normals[v.particle].xyz;
    out.uv = v.uv;
    return out;
}

fn face_corner(i: u32) -> vec2<f32> {
    let pair = frame.face_corners_px[i / 2u];
    return select(pair.xy, pair.zw, (i % 2u) == 1u);
}

// Whether a pixel lies on the face (inside its outline).
fn on_face(pixel: vec2<f32>) -> bool {
    let n = min(frame.face_corner_count, 16u);
    if n < 3u {
        return false;
    }
    for (var i = 0u; i < n; i = i + 1u) {
        let a = face_corner(i);
        let b = face_corner((i + 1u) % n);
        let edge = b - a;
        let to_pixel = pixel - a;
        if edge.x * to_pixel.y - edge.y * to_pixel.x < 0.0 {
            return false;
        }
    }
    return true;
}

// A share of the room's light comes as a soft key light from above, a
// little to the left and in front of the person: the frame's own estimate
// has almost no direction (src/render/lighting.rs), and without one the
// folds and the garment's form do not read. The share keeps the level: a
// surface facing the camera gets what it got from the room alone.
const KEY_DIRECTION: vec3<f32> = vec3<f32>(-0.3, 0.6, 0.75);
const KEY_SHARE: f32 = 0.45;
// Light wrapping past the terminator, as through thin cloth.
const KEY_WRAP: f32 = 0.3;

fn key_wrap(n: vec3<f32>) -> f32 {
    return max((dot(n, normalize(KEY_DIRECTION)) + KEY_WRAP) / (1.0 + KEY_WRAP), 0.0);
}

// The frame shows light after the room reflected it: a room's surfaces
// return about half of what falls on them, so the light falling on the
// garment is about twice what the frame's pixels average. Without this a
// white shirt would come out darker than the white wall behind it.
const SCENE_ALBEDO_COMPENSATION: f32 = 2.0;

// Irradiance from the L0 + L1 SH (already cosine-convolved).
fn irradiance(n: vec3<f32>) -> vec3<f32> {
    let e = frame.sh[0].xyz + frame.sh[1].xyz * n.x + frame.sh[2].xyz * n.y + frame.sh[3].xyz * n.z;
    return max(e, vec3<f32>(0.0)) * SCENE_ALBEDO_COMPENSATION;
}

// The largest person probability within the search radius: the centre
// and four diagonal taps (a garment edge is never thinner than that).
// `target_pixel` is in the target's pixels (the mask's times 1 at full
// quality: then the scaling below changes nothing).
fn person_near(target_pixel: vec2<f32>) -> f32 {
    let mask_size = vec2<f32>(textureDimensions(person_mask));
    let pixel = target_pixel * (mask_size / frame.image_size);
    let size = vec2<i32>(mask_size);
    let r = frame.mask_radius_px;
    var best = 0.0;
    for (var i = 0; i < 5; i = i + 1) {
        var offset = vec2<f32>(0.0);
        if i > 0 {
            offset = vec2<f32>(select(-r, r, (i & 1) == 1), select(-r, r, i > 2));
        }
        let p = clamp(vec2<i32>(pixel + offset), vec2<i32>(0), size - vec2<i32>(1));
        best = max(best, textureLoad(person_mask, p, 0).r);
    }
    return best;
}

// The shading normal: the vertex normal, perturbed by the normal map in
// the tangent frame solved from screen derivatives (no tangents needed):
// dp = T·du + B·dv over a pixel in x and in y gives T and B exactly, also
// on mirrored UVs. glTF's maps are +X along +u and +Y "up" in the image,
// which is −v (v runs down the image).
fn shading_normal(in: VertexOut, front: bool) -> vec3<f32> {
    var n = normalize(in.normal);
    if !front {
        n = -n;
    }
    if material.has_normal_map == 0u {
        return n;
    }
    // Sampled before any branch on per-pixel values (implicit derivatives
    // need uniform control flow).
    var m = textureSample(normal_texture, material_sampler, in.uv).xyz * 2.0 - 1.0;
    m = vec3<f32>(m.xy * material.normal_scale, m.z);
    let dp_dx = dpdx(in.body_position);
    let dp_dy = dpdy(in.body_position);
    let duv_dx = dpdx(in.uv);
    let duv_dy = dpdy(in.uv);
    let det = duv_dx.x * duv_dy.y - duv_dy.x * duv_dx.y;
    let s = select(-1.0, 1.0, det >= 0.0);
    let t = (dp_dx * duv_dy.y - dp_dy * duv_dx.y) * s;
    let b = (dp_dy * duv_dx.x - dp_dx * duv_dy.x) * s;
    // Onto the surface, unit length (only directions matter); a pixel
    // whose UVs do not change keeps the vertex normal.
    let t_n = t - n * dot(n, t);
    let b_n = b - n * dot(n, b);
    if abs(det) < 1e-14 || dot(t_n, t_n) < 1e-20 || dot(b_n, b_n) < 1e-20 {
        return n;
    }
    return normalize(normalize(t_n) * m.x - normalize(b_n) * m.y + n * m.z);
}

// The main pass's two targets: the colour, and where garments are seen
// (the last pass softens their edges and casts their contact shadow).
struct FragmentOut {
    @location(0) color: vec4<f32>,
    @location(1) coverage: vec4<f32>,
}

@fragment
fn fs_main(in: VertexOut, @builtin(front_facing) front: bool) -> FragmentOut {
    var base = material.base_color * textureSample(base_color_texture, material_sampler, in.uv);
    if material.alpha_mode == ALPHA_MASK && base.a < material.alpha_cutoff {
        discard;
    }
    if instance.clip_to_person == 1u && on_face(in.clip.xy) {
        discard;
    }
    var coverage = 1.0;
    if frame.has_mask == 1u && instance.clip_to_person == 1u {
        coverage = smoothstep(0.15, 0.5, person_near(in.clip.xy));
        if material.alpha_mode != ALPHA_BLEND && coverage < 0.5 {
            discard;
        }
    }
    let mr = textureSample(metallic_roughness_texture, material_sampler, in.uv);
    let metallic = clamp(material.metallic * mr.b, 0.0, 1.0);
    let roughness = clamp(material.roughness * mr.g, 0.04, 1.0);
    let n = shading_normal(in, front);
    let v = vec3<f32>(0.0, 0.0, 1.0);
    let n_dot_v = max(dot(n, v), 1e-3);

    // Diffuse from the room's irradiance, part of it as the key light;
    // occlusion dims the room's share fully and the key's by half (it
    // comes from one side).
    let albedo = base.rgb;
    let ao = mix(1.0, textureSample(occlusion_texture, material_sampler, in.uv).r, material.occlusion_strength);
    let facing_camera = irradiance(v);
    let key = facing_camera * KEY_SHARE * key_wrap(n) / key_wrap(v);
    let light_in = irradiance(n) * (1.0 - KEY_SHARE) * ao + key * mix(1.0, ao, 0.5);
    // Surfaces turning away from the camera darken a little, as cloth does
    // at its sides (the orthographic view has no other cue).
    let facing = mix(0.8, 1.0, n_dot_v);
    let diffuse = albedo * (1.0 - metallic) * light_in / PI * facing;

    // Specular from the dominant light (GGX, Smith, Schlick).
    let l = normalize(frame.light_direction.xyz);
    let h = normalize(l + v);
    let n_dot_l = max(dot(n, l), 0.0);
    let n_dot_h = max(dot(n, h), 0.0);
    let a2 = roughness * roughness * roughness * roughness;
    let d = a2 / (PI * pow(n_dot_h * n_dot_h * (a2 - 1.0) + 1.0, 2.0));
    let k = (roughness + 1.0) * (roughness + 1.0) / 8.0;
    let g = (n_dot_l / (n_dot_l * (1.0 - k) + k)) * (n_dot_v / (n_dot_v * (1.0 - k) + k));
    let f0 = mix(vec3<f32>(0.04), albedo, metallic);
    let fresnel = f0 + (1.0 - f0) * pow(1.0 - max(dot(h, v), 0.0), 5.0);
    let specular = d * g * fresnel / max(4.0 * n_dot_l * n_dot_v, 1e-3) * n_dot_l * frame.light_color.rgb;
    // Ambient specular: the irradiance towards the reflection, dimmed by
    // roughness.
    let reflected = reflect(-v, n);
    let ambient_specular = fresnel * irradiance(reflected) / PI * (1.0 - roughness) * 0.5 * ao;

    // Fabric sheen: a soft rim that brightens at grazing angles.
    let sheen_color = material.sheen.rgb * textureSample(sheen_texture, material_sampler, in.uv).rgb;
    let rim = pow(1.0 - n_dot_v, 2.0 + 3.0 * (1.0 - material.sheen.a));
    let sheen = sheen_color * rim * ao * (irradiance(n) / PI + frame.light_color.rgb * n_dot_l * 0.25);

    let color = diffuse + specular + ambient_specular + sheen;
    var alpha = 1.0;
    if material.alpha_mode == ALPHA_BLEND {
        alpha = base.a * coverage;
    }
    var out: FragmentOut;
    out.color = vec4<f32>(color, alpha);
    // Garments count, accessories (unclipped) do not.
    out.coverage = vec4<f32>(f32(instance.clip_to_person));
    return out;
}
