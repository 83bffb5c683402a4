// Small-steps XPBD cloth that follows per-particle targets (src/cloth/gpu.rs).
// Its CPU twin is src/cloth/cpu.rs: every entry point here does the same
// arithmetic in the same order as the function of the same name there.
//
// One step of one frame, all in one compute pass, per substep:
//   predict       one thread per particle: interpolated target, gravity,
//                 damping, speed clamp, explicit move, attachment
//   solve_colour  once per colour, one thread per constraint; no two
//                 constraints of a colour share a particle
//   finalize      one thread per particle: tether, capsules, velocity (and,
//                 in the last substep, this frame's targets kept as the next
//                 frame's previous ones)
// `reset` puts the cloth at rest on the targets.

// This must be kept in sync with Capsule in src/cloth/capsule.rs.
struct Capsule {
    // xyz: first end (m); w: radius (m).
    a: vec4<f32>,
    // xyz: second end (m).
    b: vec4<f32>,
}

// This must be kept in sync with FrameParams in src/cloth/gpu.rs.
struct FrameParams {
    // xyz: gravity (m/s²).
    gravity: vec4<f32>,
    h_s: f32,
    inv_h_per_s: f32,
    inv_h2_per_s2: f32,
    damping_factor: f32,
    // Compliance / h² of the two constraint kinds.
    stretch_alpha: f32,
    bend_alpha: f32,
    max_speed_m_per_s: f32,
    thickness_m: f32,
    capsule_count: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
    // xyz: how far the body-space origin moved in the world since the last
    // frame (m); the first substep moves the particles and last frame's
    // targets back by it, so they keep their place in the world (inertia).
    frame_shift: vec4<f32>,
    capsules: array<Capsule, 16>,
}

// One per substep, at dynamic offsets. This must be kept in sync with
// SubstepParams in src/cloth/gpu.rs.
struct SubstepParams {
    // Where this substep's targets lie between last frame's (0) and this
    // frame's (1).
    t: f32,
    // 1 in the last substep of a frame.
    is_last: u32,
    // 1 in the first substep of a frame.
    is_first: u32,
    _pad0: u32,
}

// One per colour, at dynamic offsets. This must be kept in sync with
// ColourRange in src/cloth/gpu.rs.
struct ColourRange {
    start: u32,
    end: u32,
    _pad0: u32,
    _pad1: u32,
}

// This must be kept in sync with GpuParticle in src/cloth/gpu.rs.
struct Particle {
    // 1/kg; 0: the particle follows its target exactly.
    inverse_mass: f32,
    // m/N; negative: no attachment.
    attach_compliance: f32,
    // m; negative: no tether.
    tether_radius_m: f32,
    _pad0: f32,
}

// This must be kept in sync with GpuConstraint in src/cloth/gpu.rs.
struct Constraint {
    a: u32,
    b: u32,
    // KIND_STRETCH or KIND_BEND.
    kind: u32,
    _pad0: u32,
}

const KIND_BEND: u32 = 1u;
// Below this length (m) a direction cannot be taken from a difference.
const MIN_DIRECTION_M: f32 = 1e-9;
// Passes over the capsules: leaving one may enter an overlapping one.
const COLLISION_SWEEPS: u32 = 3u;

@group(0) @binding(0) var<uniform> frame: FrameParams;
@group(0) @binding(1) var<uniform> substep: SubstepParams;
@group(0) @binding(2) var<uniform> colour: ColourRange;
@group(0) @binding(3) var<storage, read> particles: array<Particle>;
@group(0) @binding(4) var<storage, read> constraints: array<Constraint>;
// The caller's: this frame's targets (xyz, m).
@group(0) @binding(5) var<storage, read> targets: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> previous_targets: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> substep_targets: array<vec4<f32>>;
// Exactly one per particle: its length is the particle count.
@group(0) @binding(8) var<storage, read_write> positions: array<vec4<f32>>;
@group(0) @binding(9) var<storage, read_write> substep_start: array<vec4<f32>>;
@group(0) @binding(10) var<storage, read_write> velocities: array<vec4<f32>>;

@compute @workgroup_size(64)
fn reset(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if i >= arrayLength(&positions) {
        return;
    }
    let goal = targets[i].xyz;
    positions[i] = vec4<f32>(goal, 1.0);
    previous_targets[i] = vec4<f32>(goal, 0.0);
    velocities[i] = vec4<f32>(0.0);
}

@compute @workgroup_size(64)
fn predict(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if i >= arrayLength(&positions) {
        return;
    }
    var previous = previous_targets[i].xyz;
    var x0 = positions[i].xyz;
    if substep.is_first == 1u {
        previous = previous - frame.frame_shift.xyz;
        previous_targets[i] = vec4<f32>(previous, 0.0);
        x0 = x0 - frame.frame_shift.xyz;
    }
    let goal = previous + (targets[i].xyz - previous) * substep.t;
    substep_targets[i] = vec4<f32>(goal, 0.0);
    substep_start[i] = vec4<f32>(x0, 1.0);
    let p = particles[i];
    if p.inverse_mass == 0.0 {
        positions[i] = vec4<f32>(goal, 1.0);
        return;
    }
    var v = velocities[i].xyz + frame.gravity.xyz * frame.h_s;
    v = v * frame.damping_factor;
    let speed = length(v);
    if speed > frame.max_speed_m_per_s {
        v = v * (frame.max_speed_m_per_s / speed);
    }
    var x = x0 + v * frame.h_s;
    if p.attach_compliance >= 0.0 {
        let alpha = p.attach_compliance * frame.inv_h2_per_s2;
        x = x + (goal - x) * (p.inverse_mass / (p.inverse_mass + alpha));
    }
    positions[i] = vec4<f32>(x, 1.0);
}

@compute @workgroup_size(64)
fn solve_colour(@builtin(global_invocation_id) id: vec3<u32>) {
    let index = colour.start + id.x;
    if index >= colour.end {
        return;
    }
    let c = constraints[index];
    let wa = particles[c.a].inverse_mass;
    let wb = particles[c.b].inverse_mass;
    let w = wa + wb;
    let xa = positions[c.a].xyz;
    let xb = positions[c.b].xyz;
    let d = xa - xb;
    let len = length(d);
    if w == 0.0 || len < MIN_DIRECTION_M {
        return;
    }
    let rest = length(substep_targets[c.a].xyz - substep_targets[c.b].xyz);
    let alpha = select(frame.stretch_alpha, frame.bend_alpha, c.kind == KIND_BEND);
    // λ starts at 0 every substep (one iteration), so Δλ is the whole of λ.
    let delta_lambda = -(len - rest) / (w + alpha);
    let n = d * (1.0 / len);
    positions[c.a] = vec4<f32>(xa + n * (wa * delta_lambda), 1.0);
    positions[c.b] = vec4<f32>(xb - n * (wb * delta_lambda), 1.0);
}

@compute @workgroup_size(64)
fn finalize(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if i >= arrayLength(&positions) {
        return;
    }
    let p = particles[i];
    var x = positions[i].xyz;
    if p.inverse_mass != 0.0 {
        if p.tether_radius_m >= 0.0 {
            x = tether(x, substep_targets[i].xyz, p.tether_radius_m);
        }
        x = collide(x);
        positions[i] = vec4<f32>(x, 1.0);
    }
    velocities[i] = vec4<f32>((x - substep_start[i].xyz) * frame.inv_h_per_s, 0.0);
    if substep.is_last != 0u {
        previous_targets[i] = targets[i];
    }
}

// `x` projected into the ball of `radius_m` around `goal`.
fn tether(x: vec3<f32>, goal: vec3<f32>, radius_m: f32) -> vec3<f32> {
    let d = x - goal;
    let distance = length(d);
    if distance > radius_m {
        return goal + d * (radius_m / distance);
    }
    return x;
}

// `x` pushed out of every capsule inflated by the thickness, radially.
fn collide(x_in: vec3<f32>) -> vec3<f32> {
    var x = x_in;
    for (var sweep = 0u; sweep < COLLISION_SWEEPS; sweep++) {
        var pushed = false;
        for (var k = 0u; k < frame.capsule_count; k++) {
            let capsule = frame.capsules[k];
            let a = capsule.a.xyz;
            let b = capsule.b.xyz;
            let reach = capsule.a.w + frame.thickness_m;
            let closest = closest_on_segment(a, b, x);
            let d = x - closest;
            let distance = length(d);
            if distance < reach {
                var n = perpendicular(b - a);
                if distance > MIN_DIRECTION_M {
                    n = d * (1.0 / distance);
                }
                x = closest + n * reach;
                pushed = true;
            }
        }
        if !pushed {
            break;
        }
    }
    return x;
}

fn closest_on_segment(a: vec3<f32>, b: vec3<f32>, p: vec3<f32>) -> vec3<f32> {
    let ab = b - a;
    let len2 = dot(ab, ab);
    var s = 0.0;
    if len2 > 1e-12 {
        s = clamp(dot(p - a, ab) / len2, 0.0, 1.0);
    }
    return a + ab * s;
}

// A unit vector perpendicular to `axis` (+Y for a zero axis).
fn perpendicular(axis: vec3<f32>) -> vec3<f32> {
    var helper = vec3<f32>(0.0, 0.0, 1.0);
    if abs(axis.x) < 0.9 * length(axis) {
        helper = vec3<f32>(1.0, 0.0, 0.0);
    }
    let n = cross(axis, helper);
    let len = length(n);
    if len > MIN_DIRECTION_M {
        return n * (1.0 / len);
    }
    return vec3<f32>(0.0, 1.0, 0.0);
}
