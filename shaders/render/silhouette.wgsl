// The silhouette profile: how far the person reaches sideways from each
// body region's axis, band by band, read from the person mask. Garments
// are then fitted onto it (deform.wgsl).
//
// The GPU twin of `scan_profile` in src/garment/silhouette/scan.rs (tests
// compare them); src/garment/silhouette/mod.rs explains the scan. Three
// entry points share one bind group, dispatched in turn:
// - `scan_arms`: per arm region, band and side, a short walk sideways
//   from the bone to the mask's edge (into `raw`);
// - `resolve_arms`: per arm band, its half width (into `profile`);
// - `scan_torso`: per torso band and side, the walk stepping over the arms.

const BANDS: u32 = 32u;
const REGIONS: u32 = 5u;

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

// This must be kept in sync with SilhouetteUniform in src/garment/silhouette/mod.rs.
struct Silhouette {
    regions: array<RegionFrame, 5>,
    image_width: u32,
    image_height: u32,
    has_mask: u32,
    pixels_per_metre: f32,
    origin_px: vec2<f32>,
    step_m: f32,
    gap_max_m: f32,
    beyond_arm_min_m: f32,
    person_threshold: f32,
    default_arm_radius_m: f32,
    upper_arm_start_t: f32,
    forearm_end_t: f32,
    // The widest arm the torso scan steps over.
    torso_arm_radius_max_m: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> silhouette: Silhouette;
@group(0) @binding(1) var mask: texture_2d<f32>;
// [region][band][side] extents in metres, -1 where nothing was found;
// arms hold their resolved half width on both sides.
@group(0) @binding(2) var<storage, read_write> profile: array<f32>;
// The arms' own scans, before `resolve_arms`.
@group(0) @binding(3) var<storage, read_write> raw: array<f32>;

fn band_position(f: RegionFrame, t: f32) -> f32 {
    return (t - f.t_min) / (f.t_max - f.t_min) * f32(BANDS) - 0.5;
}

// Whether a body-space point lies on an arm as resolved in `profile`.
fn on_arm(point: vec2<f32>) -> bool {
    for (var r = 1u; r < REGIONS; r = r + 1u) {
        let f = silhouette.regions[r];
        if f.valid == 0u {
            continue;
        }
        var t_from = 0.0;
        var t_to = silhouette.forearm_end_t;
        if r == 1u || r == 3u {
            t_from = silhouette.upper_arm_start_t;
            t_to = 1.0;
        }
        let t = clamp(dot(point - f.origin, f.axis) / f.length_m, t_from, t_to);
        let band = u32(clamp(round(band_position(f, t)), 0.0, f32(BANDS - 1u)));
        let radius = min(profile[(r * BANDS + band) * 2u], silhouette.torso_arm_radius_max_m);
        let d = point - (f.origin + f.axis * (t * f.length_m));
        if dot(d, d) < radius * radius {
            return true;
        }
    }
    return false;
}

// How far the body reaches from band `band`'s centre of region `r`
// towards `sign · side`; -1 when the scan finds no body near the axis, or
// (arms) no edge within reach. The torso steps over the arms.
fn scan_side(r: u32, band: u32, sign: f32) -> f32 {
    let frame = silhouette.regions[r];
    let t = frame.t_min + (f32(band) + 0.5) * (frame.t_max - frame.t_min) / f32(BANDS);
    let centre = frame.origin + frame.axis * t * frame.length_m;
    let direction = vec2<f32>(frame.axis.y, -frame.axis.x) * sign;
    let step = silhouette.step_m;
    let steps = u32(ceil(frame.scan_max_m / step));
    let size = vec2<f32>(f32(silhouette.image_width), f32(silhouette.image_height));

    var extent = -1.0;
    var gap = 0.0;
    var edge_found = false;
    var after_arm = false;
    // < 0: not yet past an arm into more person.
    var beyond_arm_from = -1.0;
    for (var i = 0u; i <= steps; i = i + 1u) {
        let d = f32(i) * step;
        let point = centre + direction * d;
        let pixel = silhouette.origin_px + vec2<f32>(point.x, -point.y) * silhouette.pixels_per_metre;
        if !(pixel.x >= 0.0 && pixel.y >= 0.0 && pixel.x < size.x && pixel.y < size.y) {
            edge_found = true;
            break;
        }
        let probability = textureLoad(mask, vec2<i32>(pixel), 0).r;
        if probability <= silhouette.person_threshold {
            gap = gap + step;
            if gap > silhouette.gap_max_m {
                edge_found = true;
                break;
            }
            beyond_arm_from = -1.0;
            continue;
        }
        gap = 0.0;
        if r == 0u && on_arm(point) {
            after_arm = true;
            beyond_arm_from = -1.0;
            continue;
        }
        if after_arm {
            if beyond_arm_from < 0.0 {
                beyond_arm_from = d;
            }
            if d - beyond_arm_from < silhouette.beyond_arm_min_m {
                continue;
            }
            after_arm = false;
            beyond_arm_from = -1.0;
        }
        extent = d;
    }
    if frame.symmetric == 1u && !edge_found {
        return -1.0;
    }
    return extent;
}

fn usable(r: u32) -> bool {
    return silhouette.has_mask == 1u && silhouette.regions[r].valid == 1u;
}

@compute @workgroup_size(64)
fn scan_arms(@builtin(global_invocation_id) id: vec3<u32>) {
    let index = id.x;
    if index >= REGIONS * BANDS * 2u {
        return;
    }
    let r = index / (BANDS * 2u);
    raw[index] = -1.0;
    if r == 0u || !usable(r) {
        return;
    }
    raw[index] = scan_side(r, (index / 2u) % BANDS, select(-1.0, 1.0, (index % 2u) == 1u));
}

// An arm band's half width from `raw`, or none (< 0).
fn raw_radius(r: u32, b: u32) -> f32 {
    let left = raw[(r * BANDS + b) * 2u];
    let right = raw[(r * BANDS + b) * 2u + 1u];
    if left >= 0.0 && right >= 0.0 {
        return min(left, right);
    }
    return max(left, right);
}

@compute @workgroup_size(64)
fn resolve_arms(@builtin(global_invocation_id) id: vec3<u32>) {
    let index = id.x;
    if index >= REGIONS * BANDS {
        return;
    }
    let r = index / BANDS;
    let b = index % BANDS;
    if r == 0u {
        return;
    }
    var radius = -1.0;
    if usable(r) {
        radius = silhouette.default_arm_radius_m;
        // The nearest band with a width: b, b − 1, b + 1, b − 2, …
        for (var d = 0u; d < BANDS; d = d + 1u) {
            if d <= b {
                let v = raw_radius(r, b - d);
                if v >= 0.0 {
                    radius = v;
                    break;
                }
            }
            if b + d < BANDS {
                let v = raw_radius(r, b + d);
                if v >= 0.0 {
                    radius = v;
                    break;
                }
            }
        }
    }
    profile[index * 2u] = radius;
    profile[index * 2u + 1u] = radius;
}

@compute @workgroup_size(64)
fn scan_torso(@builtin(global_invocation_id) id: vec3<u32>) {
    let index = id.x;
    if index >= BANDS * 2u {
        return;
    }
    profile[index] = -1.0;
    if !usable(0u) {
        return;
    }
    profile[index] = scan_side(0u, index / 2u, select(-1.0, 1.0, (index % 2u) == 1u));
}
