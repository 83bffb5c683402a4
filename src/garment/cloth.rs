//! A garment as cloth: which of its particles follow the body rigidly and
//! which swing (the pin map), the solver's parameters from the catalog's
//! `[garment.cloth]`, and the body's colliders.
//!
//! The solver (`crate::cloth`) pulls every particle towards its target
//! (the garment as skinned and fitted). Where a garment rests on the body
//! (collar, shoulders, the top of the sleeves) the particles are pinned to
//! it; further down they follow more loosely and may swing further away:
//! the attachment's compliance and the tether's radius grow with the
//! distance below the armpits (torso) or down the sleeve from the shoulder
//! (arms). The map is made from the bind pose, so it suits any garment
//! authored on the rig.

use glam::{Vec3, Vec4};

use super::deform::{region_weights, DeformMesh};
use super::fit::{BindPose, PosedRig};
use super::rig::RigJoint;
use super::silhouette::FitRegion;
use crate::cloth::{Capsule, ClothParams, ClothSetup};

/// How a garment moves as cloth (a catalog entry's `[garment.cloth]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClothOptions {
    /// Also simulate on a software GPU (lavapipe, llvmpipe, WARP), where a
    /// frame's cloth costs milliseconds of CPU; off: the garment is drawn
    /// skinned alone there.
    pub software: bool,
    /// Fabric weight, kg/m² (jersey about 0.18, denim 0.4); the catalog
    /// allows 0.05..=1.5.
    pub mass_kg_per_m2: f32,
    /// Resistance to bending and stretching, relative to cotton jersey
    /// (1); the catalog allows 0.1..=10.
    pub stiffness: f32,
    /// How fast a swing dies out, per second; the catalog allows 0..=20.
    pub damping_per_s: f32,
    /// How far the loose parts may swing from where the body puts them,
    /// relative to the default (1); the catalog allows 0..=3.
    pub swing: f32,
}

impl Default for ClothOptions {
    fn default() -> Self {
        ClothOptions {
            software: false,
            mass_kg_per_m2: 0.18,
            stiffness: 1.0,
            damping_per_s: 2.0,
            swing: 1.0,
        }
    }
}

impl ClothOptions {
    /// The solver's parameters for these options.
    pub(crate) fn params(&self) -> ClothParams {
        let jersey = ClothParams::default();
        let stiffness = self.stiffness.max(1e-3);
        ClothParams {
            stretch_compliance: jersey.stretch_compliance / stiffness,
            bend_compliance: jersey.bend_compliance / stiffness,
            damping_per_s: self.damping_per_s,
            mass_kg_per_m2: self.mass_kg_per_m2,
            ..jersey
        }
    }
}

/// Below this (metres under the armpit line, or down a sleeve past its
/// cap) a particle is pinned to the body.
const PINNED_WITHIN_M: f32 = 0.0;
/// How far below the armpits (into the body) the yoke reaches, metres
/// under the shoulder joints: the part that rests on the shoulders.
const YOKE_DEPTH_M: f32 = 0.09;
/// A sleeve's cap (pinned), metres from the shoulder joint along the arm.
const SLEEVE_CAP_M: f32 = 0.07;
/// The attachment's compliance per metre of hanging length, m/N per m:
/// at the hem of a shirt (about 0.4 m down) a particle is held by a
/// spring of about 0.25 N/m, enough to sag a few millimetres and swing.
const ATTACH_COMPLIANCE_PER_M: f32 = 100.0;
/// The tether's radius: a base and a growth per metre of hanging length.
const TETHER_BASE_M: f32 = 0.01;
const TETHER_PER_M: f32 = 0.1;

/// The cloth setup of a garment's particles: pinned where it rests on the
/// body, looser further down.
pub fn cloth_setup(mesh: &DeformMesh, bind: &BindPose, options: &ClothOptions) -> ClothSetup {
    let shoulder_y = (bind.head(RigJoint::UpperArmL).y + bind.head(RigJoint::UpperArmR).y) * 0.5;
    let pin_line_y = shoulder_y - YOKE_DEPTH_M;
    let swing = options.swing.max(0.0);
    let mut attach_compliance = Vec::with_capacity(mesh.particles.len());
    let mut tether_radius_m = Vec::with_capacity(mesh.particles.len());
    for particle in &mesh.particles {
        let position = Vec4::from_array(particle.position).truncate();
        let shares = region_weights(particle.joints, particle.weights);
        let (region, share) = shares
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or((0, 0.0), |(r, s)| (r, *s));
        let hanging_m = if share <= 0.0 {
            // Head or legs: rigid with them.
            PINNED_WITHIN_M
        } else if region == FitRegion::Torso as usize {
            pin_line_y - position.y
        } else {
            let shoulder = if position.x >= 0.0 {
                bind.head(RigJoint::UpperArmL)
            } else {
                bind.head(RigJoint::UpperArmR)
            };
            position.distance(shoulder) - SLEEVE_CAP_M
        };
        if hanging_m <= PINNED_WITHIN_M || swing == 0.0 {
            attach_compliance.push(0.0);
            tether_radius_m.push(0.0);
        } else {
            attach_compliance.push(ATTACH_COMPLIANCE_PER_M * hanging_m * swing);
            tether_radius_m.push((TETHER_BASE_M + TETHER_PER_M * hanging_m) * swing);
        }
    }
    ClothSetup {
        positions: mesh
            .particles
            .iter()
            .map(|p| Vec4::from_array(p.position).truncate())
            .collect(),
        triangles: mesh.triangles.clone(),
        attach_compliance,
        tether_radius_m,
    }
}

/// Capsules inside the body that the cloth may not enter: the spine, the
/// hips and the chest across, the arms. Smaller than the body (the fitted
/// garment already sits on it; the capsules only stop a swing going in).
pub fn body_capsules(rig: &PosedRig) -> Vec<Capsule> {
    let head = |j: RigJoint| rig.joint(j).head;
    let size = rig.shoulder_width_m.max(0.1);
    let hips = (head(RigJoint::ThighL) + head(RigJoint::ThighR)) * 0.5;
    let shoulders = (head(RigJoint::UpperArmL) + head(RigJoint::UpperArmR)) * 0.5;
    let inset = |a: Vec3, b: Vec3, t: f32| a.lerp(b, t);
    let mut capsules = vec![
        Capsule::new(hips, shoulders, 0.22 * size),
        Capsule::new(
            inset(head(RigJoint::ThighL), head(RigJoint::ThighR), 0.2),
            inset(head(RigJoint::ThighR), head(RigJoint::ThighL), 0.2),
            0.2 * size,
        ),
        Capsule::new(
            inset(head(RigJoint::UpperArmL), head(RigJoint::UpperArmR), 0.3),
            inset(head(RigJoint::UpperArmR), head(RigJoint::UpperArmL), 0.3),
            0.2 * size,
        ),
    ];
    for (upper, fore, hand) in [
        (RigJoint::UpperArmL, RigJoint::ForearmL, RigJoint::HandL),
        (RigJoint::UpperArmR, RigJoint::ForearmR, RigJoint::HandR),
    ] {
        if rig.confidence[upper as usize] >= 0.5 {
            capsules.push(Capsule::new(head(upper), head(fore), 0.08 * size));
        }
        if rig.confidence[fore as usize] >= 0.5 {
            capsules.push(Capsule::new(head(fore), head(hand), 0.07 * size));
        }
    }
    capsules
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::garment::deform::Particle;
    use crate::garment::rig::RestSkeleton;

    fn particle(position: Vec3, joint: RigJoint) -> Particle {
        Particle {
            position: position.extend(1.0).to_array(),
            normal: [0.0, 0.0, 1.0, 0.0],
            joints: [joint as u32, 0, 0, 0],
            weights: [1.0, 0.0, 0.0, 0.0],
        }
    }

    #[test]
    fn the_yoke_and_sleeve_caps_are_pinned_and_the_hem_swings_most() {
        let bind = BindPose::from(&RestSkeleton::reference());
        let mesh = DeformMesh {
            particles: vec![
                particle(Vec3::new(0.0, 1.50, 0.1), RigJoint::Chest), // collar
                particle(Vec3::new(0.0, 1.20, 0.1), RigJoint::Spine), // chest
                particle(Vec3::new(0.0, 0.95, 0.1), RigJoint::Hips),  // hem
                particle(Vec3::new(0.22, 1.45, 0.0), RigJoint::UpperArmL), // cap
                particle(Vec3::new(0.35, 1.40, 0.0), RigJoint::UpperArmL), // sleeve end
            ],
            primitives: Vec::new(),
            triangles: Vec::new(),
            adjacency_offsets: vec![0; 6],
            adjacency: Vec::new(),
            welded: true,
        };
        let setup = cloth_setup(&mesh, &bind, &ClothOptions::default());
        assert_eq!(setup.attach_compliance[0], 0.0, "collar pinned");
        assert_eq!(setup.attach_compliance[3], 0.0, "sleeve cap pinned");
        assert!(setup.attach_compliance[2] > setup.attach_compliance[1]);
        assert!(setup.tether_radius_m[2] > setup.tether_radius_m[1]);
        assert!(setup.attach_compliance[4] > 0.0, "the sleeve's end swings");
        let still = cloth_setup(
            &mesh,
            &bind,
            &ClothOptions {
                swing: 0.0,
                ..ClothOptions::default()
            },
        );
        assert!(still.attach_compliance.iter().all(|c| *c == 0.0));
    }
}
