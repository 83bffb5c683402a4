//! `CpuCloth`: the plain-Rust solver, the reference for `GpuCloth`. Each
//! function here does the arithmetic of the xpbd.wgsl entry point it names,
//! in the same order, so the two agree to rounding.

use glam::Vec3;

use super::topology::{ClothTopology, ConstraintKind};
use super::{
    check_capsules, check_shift, closest_on_segment, substep_fraction, Capsule, ClothError,
    ClothParams, FrameConstants,
};

/// Below this length (m) a direction cannot be taken from a difference of
/// positions.
const MIN_DIRECTION_M: f32 = 1e-9;
/// Passes over the capsules in one substep: pushing a particle out of one
/// capsule can push it into an overlapping one (elbows, shoulders).
pub(super) const COLLISION_SWEEPS: u32 = 3;

/// The cloth's state on the CPU, stepped frame by frame.
#[derive(Clone, Debug)]
pub struct CpuCloth {
    topology: ClothTopology,
    params: ClothParams,
    positions: Vec<Vec3>,
    velocities: Vec<Vec3>,
    /// Positions at the start of the current substep.
    substep_start: Vec<Vec3>,
    /// The targets of the last simulated frame.
    previous_targets: Vec<Vec3>,
    /// The current substep's targets.
    substep_targets: Vec<Vec3>,
}

impl CpuCloth {
    /// A cloth at rest on `targets` (one per particle). Compliances, damping
    /// and the rest come from `params`; masses from the topology.
    pub fn new(
        topology: &ClothTopology,
        params: ClothParams,
        targets: &[Vec3],
    ) -> Result<CpuCloth, ClothError> {
        params.validate()?;
        check_targets(targets, topology.particle_count())?;
        let n = targets.len();
        Ok(CpuCloth {
            topology: topology.clone(),
            params,
            positions: targets.to_vec(),
            velocities: vec![Vec3::ZERO; n],
            substep_start: targets.to_vec(),
            previous_targets: targets.to_vec(),
            substep_targets: targets.to_vec(),
        })
    }

    /// Advances the cloth by `dt_s` (clamped to `[0, max_frame_s]`) towards
    /// this frame's `targets`, colliding with `capsules`. A frame shorter
    /// than `MIN_FRAME_S` changes nothing.
    pub fn step(
        &mut self,
        dt_s: f32,
        targets: &[Vec3],
        capsules: &[Capsule],
    ) -> Result<(), ClothError> {
        check_targets(targets, self.positions.len())?;
        check_capsules(capsules)?;
        let frame_s = self.params.frame_s(dt_s)?;
        if frame_s == 0.0 {
            return Ok(());
        }
        let frame = FrameConstants::new(&self.params, frame_s);
        for k in 0..self.params.substeps {
            let t = substep_fraction(k, self.params.substeps);
            self.predict(&frame, targets, t);
            self.solve_constraints(&frame);
            self.finalize(&frame, capsules);
        }
        self.previous_targets.copy_from_slice(targets);
        Ok(())
    }

    /// Puts the cloth at rest on `targets`: a new person, or a jump in pose.
    pub fn reset(&mut self, targets: &[Vec3]) -> Result<(), ClothError> {
        check_targets(targets, self.positions.len())?;
        self.positions.copy_from_slice(targets);
        self.previous_targets.copy_from_slice(targets);
        self.velocities.fill(Vec3::ZERO);
        Ok(())
    }

    /// The body-space origin moved by `shift_m` in the world since the last
    /// step: the cloth and last frame's targets move back by it, so the
    /// loose parts lag behind (what `GpuCloth::shift_frame` does in the
    /// next step's first substep).
    pub fn shift_frame(&mut self, shift_m: Vec3) -> Result<(), ClothError> {
        check_shift(shift_m)?;
        for (x, previous) in self.positions.iter_mut().zip(&mut self.previous_targets) {
            *x -= shift_m;
            *previous -= shift_m;
        }
        Ok(())
    }

    /// Body-space positions (m), one per particle.
    pub fn positions(&self) -> &[Vec3] {
        &self.positions
    }

    /// Velocities (m/s) over the last substep, one per particle.
    pub fn velocities(&self) -> &[Vec3] {
        &self.velocities
    }

    /// The settings the cloth steps with.
    pub fn params(&self) -> &ClothParams {
        &self.params
    }

    /// The largest |length − rest length| (m) over the stretch constraints,
    /// rest lengths taken from `targets`.
    pub fn max_constraint_error_m(&self, targets: &[Vec3]) -> Result<f32, ClothError> {
        check_targets(targets, self.positions.len())?;
        let error = self
            .topology
            .constraints()
            .iter()
            .filter(|c| c.kind == ConstraintKind::Stretch)
            .map(|c| {
                let (a, b) = (c.a as usize, c.b as usize);
                let length = (self.positions[a] - self.positions[b]).length();
                (length - (targets[a] - targets[b]).length()).abs()
            })
            .fold(0.0, f32::max);
        Ok(error)
    }

    /// xpbd.wgsl `predict`: interpolated targets, gravity, damping, speed
    /// clamp, the explicit move and the attachment.
    fn predict(&mut self, frame: &FrameConstants, targets: &[Vec3], t: f32) {
        let topology = &self.topology;
        let gravity = self.params.gravity_m_per_s2;
        let max_speed = self.params.max_speed_m_per_s;
        for (i, &this_frame) in targets.iter().enumerate() {
            let previous = self.previous_targets[i];
            let target = previous + (this_frame - previous) * t;
            self.substep_targets[i] = target;
            let x = self.positions[i];
            self.substep_start[i] = x;
            let w = topology.inverse_mass[i];
            if w == 0.0 {
                self.positions[i] = target;
                continue;
            }
            let mut v = self.velocities[i] + gravity * frame.h_s;
            v *= frame.damping_factor;
            let speed = v.length();
            if speed > max_speed {
                v *= max_speed / speed;
            }
            let mut x = x + v * frame.h_s;
            let attach = topology.attach_compliance[i];
            if attach.is_finite() {
                let alpha = attach * frame.inv_h2_per_s2;
                x += (target - x) * (w / (w + alpha));
            }
            self.positions[i] = x;
        }
    }

    /// xpbd.wgsl `solve_colour`, colour after colour.
    fn solve_constraints(&mut self, frame: &FrameConstants) {
        let topology = &self.topology;
        for range in topology.colour_ranges() {
            for c in &topology.constraints()[range.clone()] {
                let (a, b) = (c.a as usize, c.b as usize);
                let (wa, wb) = (topology.inverse_mass[a], topology.inverse_mass[b]);
                let w = wa + wb;
                let d = self.positions[a] - self.positions[b];
                let length = d.length();
                if w == 0.0 || length < MIN_DIRECTION_M {
                    continue;
                }
                let rest = (self.substep_targets[a] - self.substep_targets[b]).length();
                let alpha = match c.kind {
                    ConstraintKind::Stretch => frame.stretch_alpha,
                    ConstraintKind::Bend => frame.bend_alpha,
                };
                // λ starts at 0 every substep (one iteration), so Δλ is the
                // whole of λ.
                let delta_lambda = -(length - rest) / (w + alpha);
                let n = d * (1.0 / length);
                self.positions[a] += n * (wa * delta_lambda);
                self.positions[b] -= n * (wb * delta_lambda);
            }
        }
    }

    /// xpbd.wgsl `finalize`: tether, capsules, velocity.
    fn finalize(&mut self, frame: &FrameConstants, capsules: &[Capsule]) {
        let thickness = self.params.thickness_m;
        for i in 0..self.positions.len() {
            let mut x = self.positions[i];
            if self.topology.inverse_mass[i] != 0.0 {
                let radius = self.topology.tether_radius_m[i];
                if radius.is_finite() {
                    x = tether(x, self.substep_targets[i], radius);
                }
                x = collide(x, capsules, thickness);
                self.positions[i] = x;
            }
            self.velocities[i] = (x - self.substep_start[i]) * frame.inv_h_per_s;
        }
    }
}

/// `x` projected into the ball of `radius_m` around `target`.
fn tether(x: Vec3, target: Vec3, radius_m: f32) -> Vec3 {
    let d = x - target;
    let distance = d.length();
    if distance > radius_m {
        target + d * (radius_m / distance)
    } else {
        x
    }
}

/// `x` pushed out of every capsule inflated by `thickness_m`, radially from
/// its axis.
fn collide(mut x: Vec3, capsules: &[Capsule], thickness_m: f32) -> Vec3 {
    for _ in 0..COLLISION_SWEEPS {
        let mut pushed = false;
        for capsule in capsules {
            let (a, b) = (Vec3::from_slice(&capsule.a), Vec3::from_slice(&capsule.b));
            let reach = capsule.radius_m() + thickness_m;
            let closest = closest_on_segment(a, b, x);
            let d = x - closest;
            let distance = d.length();
            if distance < reach {
                let n = if distance > MIN_DIRECTION_M {
                    d * (1.0 / distance)
                } else {
                    perpendicular(b - a)
                };
                x = closest + n * reach;
                pushed = true;
            }
        }
        if !pushed {
            break;
        }
    }
    x
}

/// A unit vector perpendicular to `axis` (+Y for a zero axis): where to
/// push a particle that sits exactly on a capsule's axis.
fn perpendicular(axis: Vec3) -> Vec3 {
    let helper = if axis.x.abs() < 0.9 * axis.length() {
        Vec3::X
    } else {
        Vec3::Z
    };
    let n = axis.cross(helper);
    let length = n.length();
    if length > MIN_DIRECTION_M {
        n * (1.0 / length)
    } else {
        Vec3::Y
    }
}

/// Fails unless there is one finite target per particle.
fn check_targets(targets: &[Vec3], particle_count: usize) -> Result<(), ClothError> {
    if targets.len() != particle_count {
        return Err(ClothError::LengthMismatch {
            what: "targets",
            expected: particle_count,
            actual: targets.len(),
        });
    }
    match targets.iter().position(|t| !t.is_finite()) {
        Some(index) => Err(ClothError::NonFinite {
            what: "targets",
            index,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tether_projects_onto_the_sphere() {
        let x = tether(Vec3::new(2.0, 0.0, 0.0), Vec3::ZERO, 0.5);
        assert!((x - Vec3::new(0.5, 0.0, 0.0)).length() < 1e-6);
        let inside = Vec3::new(0.1, 0.2, 0.0);
        assert_eq!(tether(inside, Vec3::ZERO, 0.5), inside);
    }

    #[test]
    fn collide_pushes_out_radially_and_off_the_axis() {
        let capsule = Capsule::new(Vec3::ZERO, Vec3::Y, 0.1);
        let x = collide(Vec3::new(0.05, 0.5, 0.0), &[capsule], 0.01);
        assert!((x - Vec3::new(0.11, 0.5, 0.0)).length() < 1e-6);
        // On the axis: pushed out perpendicular to it.
        let x = collide(Vec3::new(0.0, 0.5, 0.0), &[capsule], 0.01);
        assert!((capsule.axis_distance_m(x) - 0.11).abs() < 1e-6);
        assert!((x.y - 0.5).abs() < 1e-6);
        // Outside: untouched.
        let far = Vec3::new(1.0, 0.5, 0.0);
        assert_eq!(collide(far, &[capsule], 0.01), far);
    }

    #[test]
    fn perpendicular_is_unit_and_orthogonal() {
        for axis in [Vec3::X, Vec3::Y, Vec3::new(1.0, 1e-3, 0.0), Vec3::ZERO] {
            let n = perpendicular(axis);
            assert!((n.length() - 1.0).abs() < 1e-6);
            assert!(n.dot(axis).abs() < 1e-6);
        }
    }
}
