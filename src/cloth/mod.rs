//! Cloth that follows a moving, skinned target shape: small-steps XPBD
//! (Macklin et al. 2019, "Small Steps in Physics Simulation").
//!
//! Space is body space: metres, +Y up. Every frame the caller gives one
//! target position per particle (the garment as skinned and fitted onto the
//! person). The target shape is the cloth's natural shape: each distance
//! constraint's rest length is the distance between its particles' current
//! targets, so the solver only adds dynamics (swing, lag, settling) on top
//! of the skinning.
//!
//! - [`ClothTopology`] is built once from the triangles: masses,
//!   constraints (stretch along edges, bending across shared edges) and a
//!   graph colouring of them.
//! - [`CpuCloth`] is the plain-Rust solver, [`GpuCloth`] its WGSL twin
//!   (shaders/cloth/xpbd.wgsl); both run the same steps in the same order,
//!   and tests/cloth.rs compares them.

mod capsule;
mod cpu;
mod gpu;
mod gpu_data;
mod topology;

use glam::Vec3;

use capsule::{check_capsules, closest_on_segment};

pub use capsule::Capsule;
pub use cpu::CpuCloth;
pub use gpu::GpuCloth;
pub use topology::{ClothTopology, Constraint, ConstraintKind};

/// The most capsules one step collides with (the GPU's uniform holds this
/// many).
pub const MAX_CAPSULES: usize = 16;
/// The most particles a cloth may have: 64 Ki keeps every per-particle
/// buffer at 1 MiB and a step's dispatches small.
pub const MAX_PARTICLES: usize = 65_536;
/// The most constraints a cloth may have (a closed triangle mesh has about
/// 3 edges and 3 bending pairs per particle, so 6 × `MAX_PARTICLES` leaves
/// room for any mesh that fits the particle cap).
pub const MAX_CONSTRAINTS: usize = 6 * MAX_PARTICLES;
/// Frames shorter than this are not simulated (1/h² would overflow as h
/// goes to 0): the step does nothing and the next one starts from the
/// targets of the last frame that was simulated.
pub const MIN_FRAME_S: f32 = 1e-5;
/// The most substeps a frame may be split into.
pub const MAX_SUBSTEPS: u32 = 64;

/// Why a cloth could not be built or stepped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClothError {
    /// A `ClothParams` field out of its range.
    #[error("cloth parameter {name} = {value} is out of range: {expected}")]
    InvalidParam {
        /// The `ClothParams` field's name.
        name: &'static str,
        /// The value it had, formatted.
        value: String,
        /// The allowed range, in words (e.g. `"1 to 64"`).
        expected: &'static str,
    },
    /// Two per-particle inputs of different lengths.
    #[error("{what} has {actual} entries, expected {expected} (one per particle)")]
    LengthMismatch {
        /// The input that is too short or too long, e.g. `"targets"`.
        what: &'static str,
        /// The number of particles.
        expected: usize,
        /// The number of entries it has.
        actual: usize,
    },
    /// A triangle names a particle that does not exist.
    #[error("triangle {triangle} uses particle {index}, but there are only {particle_count}")]
    IndexOutOfRange {
        /// Index of the triangle in the triangle list.
        triangle: usize,
        /// The particle index it names.
        index: u32,
        /// The number of particles.
        particle_count: usize,
    },
    /// A NaN or infinite value where a finite one is needed.
    #[error("{what}[{index}] is not finite")]
    NonFinite {
        /// The input that holds it, e.g. `"positions"` or `"dt_s"`.
        what: &'static str,
        /// Index of the first bad entry (0 for a single value).
        index: usize,
    },
    /// A per-particle value out of its range (negative compliance or radius).
    #[error("{what}[{index}] = {value} is out of range: {expected}")]
    InvalidParticle {
        /// The per-particle input, e.g. `"tether_radius_m"`.
        what: &'static str,
        /// Index of the first bad particle.
        index: usize,
        /// Its value, in the input's unit.
        value: f32,
        /// The allowed range, in words.
        expected: &'static str,
    },
    /// A cloth with no particles.
    #[error("the cloth has no particles")]
    Empty,
    /// More particles or constraints than the solver takes.
    #[error("the cloth has {count} {what}, more than the {max} allowed")]
    TooLarge {
        /// `"particles"` or `"constraints"`.
        what: &'static str,
        /// How many the cloth has.
        count: usize,
        /// The cap: `MAX_PARTICLES` or `MAX_CONSTRAINTS`.
        max: usize,
    },
    /// More capsules than `MAX_CAPSULES`.
    #[error("{count} capsules given, at most {max} are supported per step", max = MAX_CAPSULES)]
    TooManyCapsules {
        /// The number of capsules given.
        count: usize,
    },
    /// A capsule with a non-finite end or a negative radius.
    #[error("capsule {index} is invalid: its ends must be finite and its radius finite and ≥ 0")]
    InvalidCapsule {
        /// Index of the first invalid capsule in the list given.
        index: usize,
    },
    /// The targets buffer handed to `GpuCloth` cannot be bound or is too small.
    #[error("the cloth targets buffer is invalid: {0}")]
    TargetsBuffer(String),
    /// Reading positions back from the GPU failed.
    #[error(transparent)]
    Gpu(#[from] crate::gpu::GpuError),
}

/// The material and solver settings of a cloth.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClothParams {
    /// Compliance (inverse stiffness, m/N) of the edge constraints.
    pub stretch_compliance: f32,
    /// Compliance (m/N) of the bending constraints (across shared edges).
    pub bend_compliance: f32,
    /// Velocity damping: `v *= exp(-damping_per_s · h)` each substep.
    pub damping_per_s: f32,
    /// Areal density of the fabric; particle masses come from it.
    pub mass_kg_per_m2: f32,
    /// Gravity in body space.
    pub gravity_m_per_s2: Vec3,
    /// Substeps per frame (one constraint iteration each).
    pub substeps: u32,
    /// The longest frame simulated: a longer `dt_s` is clamped to this, so
    /// a hitch does not blow the cloth up.
    pub max_frame_s: f32,
    /// Particle speed is clamped to this before each substep's prediction.
    pub max_speed_m_per_s: f32,
    /// Gap kept between cloth particles and capsule surfaces.
    pub thickness_m: f32,
}

impl Default for ClothParams {
    /// Cotton jersey of about 180 g/m²: nearly inextensible under its own
    /// weight (the 4 substeps, not the compliance, bound how much it
    /// stretches), soft to bend. Air drag on so light a fabric is strong
    /// (falling flat it would not pass g / 2 s⁻¹ ≈ 5 m/s): a swinging hem
    /// settles within a few seconds, as a shirt's does.
    fn default() -> ClothParams {
        ClothParams {
            stretch_compliance: 1e-6,
            bend_compliance: 0.1,
            damping_per_s: 2.0,
            mass_kg_per_m2: 0.18,
            gravity_m_per_s2: Vec3::new(0.0, -9.81, 0.0),
            substeps: 4,
            max_frame_s: 1.0 / 20.0,
            max_speed_m_per_s: 10.0,
            thickness_m: 0.005,
        }
    }
}

impl ClothParams {
    /// Fails with `ClothError::InvalidParam` naming the first field out of
    /// range.
    pub fn validate(&self) -> Result<(), ClothError> {
        fn check(
            name: &'static str,
            value: f32,
            ok: bool,
            expected: &'static str,
        ) -> Result<(), ClothError> {
            if value.is_finite() && ok {
                Ok(())
            } else {
                Err(ClothError::InvalidParam {
                    name,
                    value: value.to_string(),
                    expected,
                })
            }
        }
        let p = self;
        check(
            "stretch_compliance",
            p.stretch_compliance,
            p.stretch_compliance >= 0.0,
            "finite, ≥ 0",
        )?;
        check(
            "bend_compliance",
            p.bend_compliance,
            p.bend_compliance >= 0.0,
            "finite, ≥ 0",
        )?;
        check(
            "damping_per_s",
            p.damping_per_s,
            p.damping_per_s >= 0.0,
            "finite, ≥ 0",
        )?;
        check(
            "mass_kg_per_m2",
            p.mass_kg_per_m2,
            p.mass_kg_per_m2 > 0.0,
            "finite, > 0",
        )?;
        if !p.gravity_m_per_s2.is_finite() {
            return Err(ClothError::InvalidParam {
                name: "gravity_m_per_s2",
                value: format!("{:?}", p.gravity_m_per_s2),
                expected: "finite",
            });
        }
        if p.substeps == 0 || p.substeps > MAX_SUBSTEPS {
            return Err(ClothError::InvalidParam {
                name: "substeps",
                value: p.substeps.to_string(),
                expected: "1 to 64",
            });
        }
        check(
            "max_frame_s",
            p.max_frame_s,
            p.max_frame_s > 0.0 && p.max_frame_s <= 1.0,
            "in (0, 1]",
        )?;
        check(
            "max_speed_m_per_s",
            p.max_speed_m_per_s,
            p.max_speed_m_per_s > 0.0,
            "finite, > 0",
        )?;
        check(
            "thickness_m",
            p.thickness_m,
            p.thickness_m >= 0.0,
            "finite, ≥ 0",
        )
    }

    /// `dt_s` clamped to `[0, max_frame_s]`, and 0 below `MIN_FRAME_S`;
    /// NaN is an error.
    fn frame_s(&self, dt_s: f32) -> Result<f32, ClothError> {
        if dt_s.is_nan() {
            return Err(ClothError::NonFinite {
                what: "dt_s",
                index: 0,
            });
        }
        let frame_s = dt_s.clamp(0.0, self.max_frame_s);
        Ok(if frame_s < MIN_FRAME_S { 0.0 } else { frame_s })
    }
}

/// The mesh and per-particle settings a cloth is built from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClothSetup {
    /// Build-time positions (body space, m): masses are measured on them.
    pub positions: Vec<Vec3>,
    /// Counter-clockwise or not, it does not matter; degenerate ones are
    /// skipped.
    pub triangles: Vec<[u32; 3]>,
    /// Per particle, compliance (m/N) of the pull to its target each
    /// substep: `0.0` pins it to the target, `f32::INFINITY` leaves it free.
    pub attach_compliance: Vec<f32>,
    /// Per particle, the farthest it may end a substep from its target
    /// (m); `f32::INFINITY` for no limit.
    pub tether_radius_m: Vec<f32>,
}

/// The numbers every substep of one frame shares, computed once here for
/// both solvers so that GPU and CPU start from bitwise the same values
/// (and multiply by reciprocals rather than divide: GPU division is only
/// accurate to 2.5 ulp).
#[derive(Clone, Copy, Debug, PartialEq)]
struct FrameConstants {
    /// Substep length.
    h_s: f32,
    /// 1 / h.
    inv_h_per_s: f32,
    /// 1 / h², turning compliance into XPBD's α̃ = α / h².
    inv_h2_per_s2: f32,
    /// exp(−damping_per_s · h): what velocity keeps each substep.
    damping_factor: f32,
    /// α̃ of the stretch and bending constraints.
    stretch_alpha: f32,
    bend_alpha: f32,
}

impl FrameConstants {
    /// For a frame of `frame_s` > 0 seconds (already clamped).
    fn new(params: &ClothParams, frame_s: f32) -> FrameConstants {
        let h_s = frame_s / params.substeps as f32;
        let inv_h2_per_s2 = 1.0 / (h_s * h_s);
        FrameConstants {
            h_s,
            inv_h_per_s: 1.0 / h_s,
            inv_h2_per_s2,
            damping_factor: (-params.damping_per_s * h_s).exp(),
            stretch_alpha: params.stretch_compliance * inv_h2_per_s2,
            bend_alpha: params.bend_compliance * inv_h2_per_s2,
        }
    }
}

/// Where substep `k` of `substeps` takes the targets, from last frame's
/// (0) to this frame's (1).
fn substep_fraction(k: u32, substeps: u32) -> f32 {
    (k + 1) as f32 / substeps as f32
}

/// Fails unless a frame shift (`shift_frame`) is finite.
fn check_shift(shift_m: Vec3) -> Result<(), ClothError> {
    if shift_m.is_finite() {
        Ok(())
    } else {
        Err(ClothError::NonFinite {
            what: "frame shift",
            index: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_params_are_valid() {
        ClothParams::default()
            .validate()
            .expect("defaults are valid");
    }

    #[test]
    fn out_of_range_params_are_named() {
        let bad = [
            ClothParams {
                stretch_compliance: -1.0,
                ..Default::default()
            },
            ClothParams {
                damping_per_s: f32::NAN,
                ..Default::default()
            },
            ClothParams {
                substeps: 0,
                ..Default::default()
            },
            ClothParams {
                max_frame_s: f32::INFINITY,
                ..Default::default()
            },
            ClothParams {
                gravity_m_per_s2: Vec3::new(0.0, f32::NAN, 0.0),
                ..Default::default()
            },
        ];
        let names = [
            "stretch_compliance",
            "damping_per_s",
            "substeps",
            "max_frame_s",
            "gravity_m_per_s2",
        ];
        for (params, expected) in bad.iter().zip(names) {
            match params.validate() {
                Err(ClothError::InvalidParam { name, .. }) => assert_eq!(name, expected),
                other => panic!("{expected}: expected InvalidParam, got {other:?}"),
            }
        }
    }

    #[test]
    fn frame_time_is_clamped() {
        let params = ClothParams::default();
        assert_eq!(params.frame_s(1.0).unwrap(), params.max_frame_s);
        assert_eq!(params.frame_s(-0.5).unwrap(), 0.0);
        assert_eq!(params.frame_s(0.01).unwrap(), 0.01);
        assert_eq!(params.frame_s(MIN_FRAME_S / 2.0).unwrap(), 0.0);
        assert!(params.frame_s(f32::NAN).is_err());
    }
}
