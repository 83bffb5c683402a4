// A garment's particles, each frame: skinned to the rig, then fitted to the
// wearer's silhouette. The GPU twin of `deform_cpu` in
// src/garment/deform/cpu.rs (tests compare them); src/garment/silhouette/
// explains the fit.
//
// Three entry points share one bind group, dispatched in turn:
// - `skin`: linear-blend skinning; each particle also widens its region's
//   band extents (fixed-point atomics, cleared to i32 min before);
// - `band_maps`: one invocation per region and band: the lateral map
//   taking the garment's extent onto the silhouette's, with ease;
// - `warp`: each particle moved sideways by its regions' maps, blended by
//   skin weight. The result is what is drawn, or the cloth's targets.

const BANDS: u32 = 32u;
const REGIONS: u32 = 5u;
const EXTENT_UNITS_PER_M: f32 = 10000.0;
// Keep in sync with WARP_SCALE_RANGE and MIN_GARMENT_WIDTH_M in src/garment/deform/cpu.rs.
const WARP_SCALE_MIN: f32 = 0.6;
const WARP_SCALE_MAX: f32 = 2.5;
const MIN_GARMENT_WIDTH_M: f32 = 1e-3;
const NONE: i32 = -2147483647 - 1;

// This must be kept in sync with RegionUniform in src/garment/silhouette/mod.rs.
struct RegionFrame {
    origin: vec2<f32>,
    axis: vec2<f32>,
    length_m: f32,
    t_min: f32,
    t_max: f32,
    scan_max_m: f32,
    valid: u32,
    symmetric: u32,
    _pad0: u32,
    _pad1: u32,
}

// The frame's regions: the prefix of Silhouette in silhouette.wgsl
// (src/garment/silhouette/mod.rs SilhouetteUniform); the rest is unused here.
struct Regions {
    regions: array<RegionFrame, 5>,
}

// This must be kept in sync with InstanceUniform in src/render/garment_gpu.rs.
struct Instance {
    // Bind space → body space per joint (RigJoint::ALL order).
    joints: array<mat4x4<f32>, 19>,
    // Their inverse transposes, for normals.
    normals: array<mat4x4<f32>, 19>,
    clip_to_person: u32,
    fit_to_silhouette: u32,
    geometric_normals: u32,
    particle_count: u32,
    ease: f32,
    margin_m: f32,
    _pad0: u32,
    _pad1: u32,
}

// This must be kept in sync with Particle in src/garment/deform/mod.rs.
struct Particle {
    position: vec4<f32>,
    normal: vec4<f32>,
    joints: vec4<u32>,
    weights: vec4<f32>,
}

// The region of each rig joint (FitRegion::of_joint): 0 torso, 1 left
// upper arm, 2 left forearm, 3 right upper arm, 4 right forearm, 5 none.
const JOINT_REGION = array<u32, 19>(
    0u, 0u, 0u, 0u, 5u,      // hips spine chest neck head
    0u, 1u, 2u, 2u,          // shoulder.L upper_arm.L forearm.L hand.L
    0u, 3u, 4u, 4u,          // shoulder.R upper_arm.R forearm.R hand.R
    5u, 5u, 5u, 5u, 5u, 5u,  // legs
);

@group(0) @binding(0) var<uniform> instance: Instance;
@group(0) @binding(1) var<uniform> frame: Regions;
@group(0) @binding(2) var<storage, read> profile: array<f32>;
@group(0) @binding(3) var<storage, read> particles: array<Particle>;
// Per particle: skinned position (xyz) and normal (the next vec4).
@group(0) @binding(4) var<storage, read_write> skinned: array<vec4<f32>>;
// [region][band][side] garment extents, fixed point.
@group(0) @binding(5) var<storage, read_write> extents: array<atomic<i32>>;
// [region][band]: (scale, offset) of the lateral map.
@group(0) @binding(6) var<storage, read_write> maps: array<vec2<f32>>;
@group(0) @binding(7) var<storage, read_write> fitted: array<vec4<f32>>;

fn region_weights(p: Particle) -> array<f32, 6> {
    var shares = array<f32, 6>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for (var k = 0u; k < 4u; k = k + 1u) {
        let region = JOINT_REGION[min(p.joints[k], 18u)];
        shares[region] = shares[region] + p.weights[k];
    }
    return shares;
}

fn side(f: RegionFrame) -> vec2<f32> {
    return vec2<f32>(f.axis.y, -f.axis.x);
}

// (t, s) of a body-space point in a region's frame.
fn coordinates(f: RegionFrame, point: vec2<f32>) -> vec2<f32> {
    let d = point - f.origin;
    return vec2<f32>(dot(d, f.axis) / f.length_m, dot(d, side(f)));
}

fn band_position(f: RegionFrame, t: f32) -> f32 {
    return (t - f.t_min) / (f.t_max - f.t_min) * f32(BANDS) - 0.5;
}

fn fixed(metres: f32) -> i32 {
    return i32(round(metres * EXTENT_UNITS_PER_M));
}

@compute @workgroup_size(64)
fn skin(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if i >= instance.particle_count {
        return;
    }
    let p = particles[i];
    let rest = vec4<f32>(p.position.xyz, 1.0);
    let rest_normal = vec4<f32>(p.normal.xyz, 0.0);
    var position = vec3<f32>(0.0);
    var normal = vec3<f32>(0.0);
    for (var k = 0u; k < 4u; k = k + 1u) {
        let j = min(p.joints[k], 18u);
        let w = p.weights[k];
        position += w * (instance.joints[j] * rest).xyz;
        normal += w * (instance.normals[j] * rest_normal).xyz;
    }
    skinned[2u * i] = vec4<f32>(position, 1.0);
    skinned[2u * i + 1u] = vec4<f32>(normal, 0.0);
    if instance.fit_to_silhouette == 0u {
        return;
    }
    let shares = region_weights(p);
    for (var r = 0u; r < REGIONS; r = r + 1u) {
        let f = frame.regions[r];
        if shares[r] < 0.5 || f.valid == 0u {
            continue;
        }
        let ts = coordinates(f, position.xy);
        let band = i32(round(band_position(f, ts.x)));
        for (var b = band - 1; b <= band + 1; b = b + 1) {
            if b >= 0 && b < i32(BANDS) {
                let at = (r * BANDS + u32(b)) * 2u;
                atomicMax(&extents[at], fixed(-ts.y));
                atomicMax(&extents[at + 1u], fixed(ts.y));
            }
        }
    }
}

// The garment's extents at band b of region r, or none (x > y flags it).
fn garment_extents(r: u32, b: u32) -> vec2<i32> {
    let at = (r * BANDS + b) * 2u;
    return vec2<i32>(atomicLoad(&extents[at]), atomicLoad(&extents[at + 1u]));
}

fn has_garment(e: vec2<i32>) -> bool {
    return e.x != NONE && e.y != NONE;
}

fn median3(a: f32, b: f32, c: f32) -> f32 {
    return max(min(a, b), min(max(a, b), c));
}

// Band b's body extent on one side: the median of it and its neighbours
// (fewer where the scan found fewer); < 0 when none.
fn smoothed_side(r: u32, b: u32, s: u32) -> f32 {
    var found = array<f32, 3>(0.0, 0.0, 0.0);
    var n = 0u;
    let first = select(b - 1u, 0u, b == 0u);
    let last = min(b + 1u, BANDS - 1u);
    for (var i = first; i <= last; i = i + 1u) {
        let v = profile[(r * BANDS + i) * 2u + s];
        if v >= 0.0 {
            found[n] = v;
            n = n + 1u;
        }
    }
    if n == 0u {
        return -1.0;
    }
    if n == 1u {
        return found[0];
    }
    if n == 2u {
        return (found[0] + found[1]) * 0.5;
    }
    return median3(found[0], found[1], found[2]);
}

@compute @workgroup_size(64)
fn band_maps(@builtin(global_invocation_id) id: vec3<u32>) {
    let index = id.x;
    if index >= REGIONS * BANDS {
        return;
    }
    let r = index / BANDS;
    let b = index % BANDS;
    maps[index] = vec2<f32>(1.0, 0.0);
    let f = frame.regions[r];
    if instance.fit_to_silhouette == 0u || f.valid == 0u {
        return;
    }
    // The nearest bands (b, b−1, b+1, b−2, …) with a garment extent and
    // with a body extent.
    var garment = vec2<i32>(NONE, NONE);
    var found_garment = false;
    var body = vec2<f32>(-1.0);
    var found_body = false;
    for (var d = 0u; d < BANDS && !(found_garment && found_body); d = d + 1u) {
        for (var k = 0u; k < 2u; k = k + 1u) {
            var i = 0u;
            if k == 0u {
                if d > b {
                    continue;
                }
                i = b - d;
            } else {
                if b + d >= BANDS {
                    continue;
                }
                i = b + d;
            }
            if !found_garment {
                let e = garment_extents(r, i);
                if has_garment(e) {
                    garment = e;
                    found_garment = true;
                }
            }
            if !found_body {
                let left = smoothed_side(r, i, 0u);
                let right = smoothed_side(r, i, 1u);
                if left >= 0.0 && right >= 0.0 {
                    body = vec2<f32>(left, right);
                    found_body = true;
                }
            }
        }
    }
    if !found_garment || !found_body {
        return;
    }
    if f.symmetric == 1u {
        body = vec2<f32>(min(body.x, body.y));
    }
    let left = body.x * instance.ease + instance.margin_m;
    let right = body.y * instance.ease + instance.margin_m;
    let g_left = -f32(garment.x) / EXTENT_UNITS_PER_M;
    let g_right = f32(garment.y) / EXTENT_UNITS_PER_M;
    if g_right - g_left < MIN_GARMENT_WIDTH_M {
        return;
    }
    let scale = clamp((left + right) / (g_right - g_left), WARP_SCALE_MIN, WARP_SCALE_MAX);
    let garment_centre = (g_left + g_right) * 0.5;
    let body_centre = (right - left) * 0.5;
    maps[index] = vec2<f32>(scale, body_centre - scale * garment_centre);
}

@compute @workgroup_size(64)
fn warp(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if i >= instance.particle_count {
        return;
    }
    let position = skinned[2u * i].xyz;
    if instance.fit_to_silhouette == 0u {
        fitted[i] = vec4<f32>(position, 1.0);
        return;
    }
    let shares = region_weights(particles[i]);
    var offset = vec2<f32>(0.0);
    for (var r = 0u; r < REGIONS; r = r + 1u) {
        let f = frame.regions[r];
        if shares[r] <= 0.0 || f.valid == 0u {
            continue;
        }
        let ts = coordinates(f, position.xy);
        let u = clamp(band_position(f, ts.x), 0.0, f32(BANDS - 1u));
        let b0 = min(u32(floor(u)), BANDS - 2u);
        let t = u - f32(b0);
        let m = mix(maps[r * BANDS + b0], maps[r * BANDS + b0 + 1u], t);
        offset += side(f) * ((m.x * ts.y + m.y - ts.y) * shares[r]);
    }
    fitted[i] = vec4<f32>(position + vec3<f32>(offset, 0.0), 1.0);
}
