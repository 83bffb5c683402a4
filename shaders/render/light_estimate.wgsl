// The room's light from the camera frame: irradiance spherical harmonics
// (bands 0 and 1), a dominant directional light and an ambient term.
//
// The GPU twin of `estimate_cpu` and `AmbientLight::blended` in
// src/render/lighting.rs (`LightEstimator` runs it; tests/render_lighting.rs
// compares them). The model and its derivation are documented there.
//
// Two entry points share one bind group:
// - `reduce`: each 8×8 workgroup sums a 32×32 tile of samples (every
//   `stride_px`-th pixel in each direction) into 4 vec4 partial sums, a
//   tree reduction in workgroup memory.
// - `finalize`: one workgroup adds the partial sums, turns them into the
//   irradiance SH, blends with the previous estimate and derives the
//   dominant light, written to `light` (the renderer binds it as a uniform).

// This must be kept in sync with EstimateParams in src/render/lighting.rs.
struct EstimateParams {
    frame_size: vec2<u32>,
    stride_px: u32,
    // 1 when `mask` holds the person probability of each frame pixel.
    has_mask: u32,
    // tan(half the field of view): x horizontally, y vertically.
    tan_half_fov: vec2<f32>,
    // Workgroups of the `reduce` dispatch in x and y.
    group_count: vec2<u32>,
    // 1 when `light` holds the previous frame's estimate to blend with.
    has_previous: u32,
    // The newest frame's weight in the exponential moving average.
    new_frame_weight: f32,
    _pad0: vec2<u32>,
}

// This must be kept in sync with LightUniform in src/render/lighting.rs.
struct LightUniform {
    // Irradiance SH with the basis constants folded in, per colour in .rgb:
    // E(n) = sh[0] + sh[1]·n.x + sh[2]·n.y + sh[3]·n.z.
    sh: array<vec4<f32>, 4>,
    // Unit vector towards the dominant light (garment space), .w unused.
    dominant_direction: vec4<f32>,
    // Irradiance at normal incidence from the dominant light, .rgb.
    dominant_color: vec4<f32>,
    // Irradiance from the uniform ambient part, .rgb.
    ambient_color: vec4<f32>,
}

@group(0) @binding(0) var<uniform> params: EstimateParams;
@group(0) @binding(1) var frame: texture_2d<f32>;
@group(0) @binding(2) var mask: texture_2d<f32>;
// 4 vec4s per `reduce` workgroup, row-major over the dispatch grid.
@group(0) @binding(3) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> light: LightUniform;

const GROUP_SIDE: u32 = 8u;
const GROUP_THREADS: u32 = 64u;
// Samples per thread in each direction, so 32×32 per workgroup.
const THREAD_SAMPLES: u32 = 4u;
// Keep in sync with FLAT_RELATIVE and LUMINANCE in src/render/lighting.rs.
const FLAT_RELATIVE: f32 = 1e-4;
const LUMINANCE: vec3<f32> = vec3<f32>(0.2126, 0.7152, 0.0722);

// Per thread: Σ w·(r, g, b, 1)·f for f = 1, d.x, d.y, d.z.
var<workgroup> scratch: array<array<vec4<f32>, 4>, GROUP_THREADS>;

fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    let low = c / 12.92;
    let high = pow((c + 0.055) / 1.055, vec3<f32>(2.4));
    return select(high, low, c <= vec3<f32>(0.04045));
}

// Adds the lanes of `scratch` into scratch[0]. Call from uniform control
// flow with every lane's sums stored.
fn tree_sum(lane: u32) {
    workgroupBarrier();
    for (var width = GROUP_THREADS / 2u; width > 0u; width = width / 2u) {
        if lane < width {
            for (var k = 0u; k < 4u; k++) {
                scratch[lane][k] += scratch[lane + width][k];
            }
        }
        workgroupBarrier();
    }
}

@compute @workgroup_size(GROUP_SIDE, GROUP_SIDE)
fn reduce(
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(local_invocation_id) local: vec3<u32>,
    @builtin(local_invocation_index) lane: u32,
) {
    let size = params.frame_size;
    let stride = params.stride_px;
    let k = params.tan_half_fov;
    // dω of one pixel at |p| = 1: (2k_x/w)(2k_y/h).
    let pixel_solid_angle = 4.0 * k.x * k.y / (f32(size.x) * f32(size.y));
    var sums = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
    let first = (group.xy * GROUP_SIDE + local.xy) * THREAD_SAMPLES;
    let mask_last = vec2<u32>(textureDimensions(mask)) - vec2<u32>(1u);
    let mask_weight = f32(params.has_mask != 0u);
    for (var j = 0u; j < THREAD_SAMPLES; j++) {
        for (var i = 0u; i < THREAD_SAMPLES; i++) {
            let pixel = (first + vec2<u32>(i, j)) * stride;
            if any(pixel >= size) {
                continue;
            }
            // The pixels this sample stands for (fewer at the far edges).
            let covered = vec2<f32>(min(vec2<u32>(stride), size - pixel));
            let uv = (vec2<f32>(pixel) + 0.5) / vec2<f32>(size);
            let p = vec3<f32>((2.0 * uv.x - 1.0) * k.x, (1.0 - 2.0 * uv.y) * k.y, 1.0);
            let length_p = length(p);
            // Read whether or not a mask is bound (the 1×1 stand-in then,
            // weighted 0): lavapipe (Mesa 22.3, Debian 12) keeps about half a
            // megabyte for every frame whose dispatch loads a texture under
            // a branch inside this loop.
            let mask_texel = vec2<i32>(min(pixel, mask_last));
            let person = clamp(textureLoad(mask, mask_texel, 0).r, 0.0, 1.0) * mask_weight;
            let weight = pixel_solid_angle * covered.x * covered.y / (length_p * length_p * length_p)
                * (1.0 - person);
            let radiance = srgb_to_linear(textureLoad(frame, vec2<i32>(pixel), 0).rgb);
            let value = vec4<f32>(radiance, 1.0) * weight;
            let d = p / length_p;
            sums[0] += value;
            sums[1] += value * d.x;
            sums[2] += value * d.y;
            sums[3] += value * d.z;
        }
    }
    scratch[lane] = sums;
    tree_sum(lane);
    if lane == 0u {
        let base = (group.y * params.group_count.x + group.x) * 4u;
        for (var m = 0u; m < 4u; m++) {
            partials[base + m] = scratch[0][m];
        }
    }
}

@compute @workgroup_size(GROUP_THREADS)
fn finalize(@builtin(local_invocation_index) lane: u32) {
    var sums = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
    let groups = params.group_count.x * params.group_count.y;
    for (var g = lane; g < groups; g += GROUP_THREADS) {
        for (var m = 0u; m < 4u; m++) {
            sums[m] += partials[g * 4u + m];
        }
    }
    scratch[lane] = sums;
    tree_sum(lane);
    if lane != 0u {
        return;
    }
    let total = scratch[0];
    // Unseen directions radiate the frame's mean radiance: band 0 is that
    // mean, band 1 only what deviates from it (see src/render/lighting.rs).
    var mean = vec3<f32>(0.0);
    if total[0].w > 0.0 {
        mean = total[0].rgb / total[0].w;
    }
    var sh = array<vec3<f32>, 4>(
        3.14159265 * mean,
        0.5 * (total[1].rgb - mean * total[1].w),
        0.5 * (total[2].rgb - mean * total[2].w),
        0.5 * (total[3].rgb - mean * total[3].w),
    );
    if params.has_previous != 0u {
        for (var m = 0u; m < 4u; m++) {
            let previous = light.sh[m].rgb;
            sh[m] = previous + (sh[m] - previous) * params.new_frame_weight;
        }
    }

    // The directional light + uniform ambient with the same L0 and L1.
    let towards = vec3<f32>(dot(LUMINANCE, sh[1]), dot(LUMINANCE, sh[2]), dot(LUMINANCE, sh[3]));
    let strength = length(towards);
    var direction = vec3<f32>(0.0, 0.0, 1.0);
    var dominant = vec3<f32>(0.0);
    var ambient = sh[0];
    if strength > FLAT_RELATIVE * dot(LUMINANCE, sh[0]) && strength > 0.0 {
        direction = towards / strength;
        dominant = max(vec3<f32>(0.0), 2.0 * (sh[1] * direction.x + sh[2] * direction.y + sh[3] * direction.z));
        ambient = max(vec3<f32>(0.0), sh[0] - 0.25 * dominant);
    }
    for (var m = 0u; m < 4u; m++) {
        light.sh[m] = vec4<f32>(sh[m], 0.0);
    }
    light.dominant_direction = vec4<f32>(direction, 0.0);
    light.dominant_color = vec4<f32>(dominant, 0.0);
    light.ambient_color = vec4<f32>(ambient, 0.0);
}
