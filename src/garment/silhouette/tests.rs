//! The profile scan on drawn masks: a torso with arms at its sides, a
//! forearm across it, nobody.

use glam::{Quat, Vec2, Vec3};

use super::*;
use crate::garment::fit::{posed_reference_body, BindPose, FitOptions, Fitter};
use crate::garment::rig::RestSkeleton;
use crate::pose::mask::PersonMask;

const W: u32 = 640;
const H: u32 = 480;

fn camera() -> BodyCamera {
    BodyCamera {
        pixels_per_metre: 200.0,
        origin_px: Vec2::new(320.0, 300.0),
        image_width: W,
        image_height: H,
    }
}

/// The reference body with its arms hanging down; `forearm_across`
/// bends the left forearm across the belly.
fn rig(forearm_across: bool) -> PosedRig {
    let rest = RestSkeleton::reference();
    let hips = (rest.head(RigJoint::ThighL) + rest.head(RigJoint::ThighR)) * 0.5;
    let body = posed_reference_body(
        |joint, p| {
            let (shoulder, angle) = match joint {
                RigJoint::UpperArmL | RigJoint::ForearmL | RigJoint::HandL => (
                    rest.head(RigJoint::UpperArmL) - hips,
                    -std::f32::consts::FRAC_PI_2,
                ),
                RigJoint::UpperArmR | RigJoint::ForearmR | RigJoint::HandR => (
                    rest.head(RigJoint::UpperArmR) - hips,
                    std::f32::consts::FRAC_PI_2,
                ),
                _ => return p,
            };
            let down = shoulder + Quat::from_rotation_z(angle) * (p - shoulder);
            if forearm_across && matches!(joint, RigJoint::HandL) {
                // From the elbow, across to the body's other side.
                let elbow = shoulder + Vec3::new(0.0, -0.28, 0.0);
                return elbow + Vec3::new(-0.16, 0.0, 0.0);
            }
            down
        },
        &camera(),
    );
    let bind = BindPose::from(&RestSkeleton::reference());
    Fitter::new().fit(&body, W, H, &bind, &FitOptions::default())
}

/// A mask with the person drawn as capsules (body space, metres).
fn mask(parts: &[(Vec2, Vec2, f32)]) -> PersonMask {
    let camera = camera();
    let mut probabilities = vec![0.0; (W * H) as usize];
    for y in 0..H {
        for x in 0..W {
            let p = camera
                .unproject(Vec2::new(x as f32 + 0.5, y as f32 + 0.5), 0.0)
                .truncate();
            let inside = parts.iter().any(|&(a, b, r)| {
                let ab = b - a;
                let t = ((p - a).dot(ab) / ab.length_squared().max(1e-9)).clamp(0.0, 1.0);
                p.distance(a + ab * t) < r
            });
            if inside {
                probabilities[(y * W + x) as usize] = 1.0;
            }
        }
    }
    PersonMask {
        width: W,
        height: H,
        probabilities,
    }
}

fn xy(rig: &PosedRig, joint: RigJoint) -> Vec2 {
    rig.joint(joint).head.truncate()
}

/// The torso (a 0.32 m wide slab from hips to neck) and both arms as
/// 4 cm thick capsules along their bones.
fn person(rig: &PosedRig) -> PersonMask {
    let mut parts = vec![(Vec2::new(0.0, -0.05), Vec2::new(0.0, 0.5), 0.16)];
    for (upper, fore, hand) in [
        (RigJoint::UpperArmL, RigJoint::ForearmL, RigJoint::HandL),
        (RigJoint::UpperArmR, RigJoint::ForearmR, RigJoint::HandR),
    ] {
        parts.push((xy(rig, upper), xy(rig, fore), 0.04));
        parts.push((xy(rig, fore), xy(rig, hand), 0.04));
    }
    mask(&parts)
}

/// Bands of `region` whose centre lies between `from` and `to` (in the
/// region's lengths).
fn bands_between(frames: &SilhouetteFrames, region: FitRegion, from: f32, to: f32) -> Vec<usize> {
    let frame = &frames.regions[region as usize];
    (0..BANDS)
        .filter(|&b| {
            let (t, _) = frame.coordinates(frame.band_centre(b));
            (from..=to).contains(&t)
        })
        .collect()
}

#[test]
fn the_torso_ends_where_an_arm_hanging_beside_it_begins() {
    let rig = rig(false);
    let frames = SilhouetteFrames::from_rig(&rig);
    let profile = scan_profile(&person(&rig), &frames);
    let tolerance = 2.0 * frames.step_m;
    // The upper arms: 4 cm half widths, measured on their outer side.
    for region in [FitRegion::UpperArmL, FitRegion::UpperArmR] {
        for b in bands_between(&frames, region, 0.3, 0.9) {
            let radius = profile.region(region)[b][0];
            assert!(
                (radius - 0.04).abs() <= tolerance,
                "{region:?} band {b}: {radius}"
            );
        }
    }
    // The arms hang at x = ±0.19 m, 4 cm thick: the torso (0.16 m half
    // wide) touches them, and ends at their inner edge, 0.15 m.
    for b in bands_between(&frames, FitRegion::Torso, 0.2, 0.6) {
        for side in 0..2 {
            let extent = profile.region(FitRegion::Torso)[b][side];
            assert!(
                (extent - 0.15).abs() <= tolerance,
                "torso band {b} side {side}: {extent}"
            );
        }
    }
}

#[test]
fn a_forearm_across_the_torso_does_not_end_it() {
    let rig = rig(true);
    let frames = SilhouetteFrames::from_rig(&rig);
    let profile = scan_profile(&person(&rig), &frames);
    // At the forearm's height the scan towards the wearer's right (image
    // left, -side) starts on the forearm, crosses it and goes on to the
    // torso's edge at 0.16 m.
    let elbow_y = xy(&rig, RigJoint::ForearmL).y;
    let torso = &frames.regions[FitRegion::Torso as usize];
    let band = (0..BANDS)
        .min_by(|&a, &b| {
            let da = (torso.band_centre(a).y - elbow_y).abs();
            let db = (torso.band_centre(b).y - elbow_y).abs();
            da.total_cmp(&db)
        })
        .unwrap();
    let extent = profile.region(FitRegion::Torso)[band][0];
    assert!(
        (extent - 0.16).abs() <= 2.0 * frames.step_m,
        "torso band {band} behind the forearm: {extent}"
    );
}

#[test]
fn nobody_in_the_mask_finds_nothing() {
    let rig = rig(false);
    let frames = SilhouetteFrames::from_rig(&rig);
    let profile = scan_profile(&mask(&[]), &frames);
    for region in FitRegion::ALL {
        if region == FitRegion::Torso {
            assert!(profile.region(region).iter().flatten().all(|e| *e < 0.0));
        } else {
            // Arms with no edge anywhere get the default half width.
            assert!(profile
                .region(region)
                .iter()
                .flatten()
                .all(|e| (*e - frames.default_arm_radius_m).abs() < 1e-6));
        }
    }
}
