//! The profile scan on the CPU: the plain-Rust twin of
//! `shaders/render/silhouette.wgsl` (tests compare the two), in the same
//! three steps: scan the arms, resolve each arm band's half width, scan
//! the torso stepping over the arms.

use glam::Vec2;

use super::{
    FitRegion, RegionFrame, SilhouetteFrames, SilhouetteProfile, BANDS, BEYOND_ARM_MIN_M,
    FOREARM_END_T, GAP_MAX_M, PERSON_THRESHOLD, REGIONS, UPPER_ARM_START_T,
};
use crate::pose::mask::PersonMask;

/// Scans `mask` (the frame's person mask) at every band of every valid
/// region of `frames`.
pub fn scan_profile(mask: &PersonMask, frames: &SilhouetteFrames) -> SilhouetteProfile {
    // Step 1: the arms, each side on its own.
    let mut raw = SilhouetteProfile::empty();
    for r in 1..REGIONS {
        let frame = &frames.regions[r];
        if frame.valid {
            for band in 0..BANDS {
                for (side, sign) in [(0, -1.0), (1, 1.0)] {
                    raw.extents_m[r][band][side] = scan_side(mask, frames, None, frame, band, sign);
                }
            }
        }
    }
    // Step 2: each arm band's half width.
    let mut profile = SilhouetteProfile::empty();
    for r in 1..REGIONS {
        if frames.regions[r].valid {
            for band in 0..BANDS {
                let radius = arm_radius(&raw.extents_m[r], band, frames.default_arm_radius_m);
                profile.extents_m[r][band] = [radius; 2];
            }
        }
    }
    // Step 3: the torso, stepping over the arms.
    let torso = &frames.regions[FitRegion::Torso as usize];
    if torso.valid {
        for band in 0..BANDS {
            for (side, sign) in [(0, -1.0), (1, 1.0)] {
                profile.extents_m[0][band][side] =
                    scan_side(mask, frames, Some(&profile), torso, band, sign);
            }
        }
    }
    profile
}

/// An arm band's half width: its narrower side where both found an edge,
/// the one side that did, else the nearest band's, else the default.
fn arm_radius(raw: &[[f32; 2]; BANDS], band: usize, default_m: f32) -> f32 {
    let at = |b: usize| {
        let [left, right] = raw[b];
        match (left >= 0.0, right >= 0.0) {
            (true, true) => Some(left.min(right)),
            (true, false) => Some(left),
            (false, true) => Some(right),
            (false, false) => None,
        }
    };
    (0..BANDS)
        .find_map(|d| {
            let below = band.checked_sub(d).and_then(at);
            below.or_else(|| (band + d < BANDS).then(|| at(band + d)).flatten())
        })
        .unwrap_or(default_m)
}

/// Whether body-space point `point` lies on an arm, as resolved in
/// `arms` (the upper arms from `UPPER_ARM_START_T` down, the forearms with
/// the hand): within the arm's half width of its bone, round at the ends.
pub(super) fn on_arm(frames: &SilhouetteFrames, arms: &SilhouetteProfile, point: Vec2) -> bool {
    (1..REGIONS).any(|r| {
        let frame = &frames.regions[r];
        if !frame.valid {
            return false;
        }
        let (t_from, t_to) = match FitRegion::ALL[r] {
            FitRegion::UpperArmL | FitRegion::UpperArmR => (UPPER_ARM_START_T, 1.0),
            _ => (0.0, FOREARM_END_T),
        };
        let (t, _) = frame.coordinates(point);
        let t = t.clamp(t_from, t_to);
        let band = frame
            .band_position(t)
            .round()
            .clamp(0.0, (BANDS - 1) as f32) as usize;
        let radius = arms.extents_m[r][band][0].min(frames.torso_arm_radius_max_m);
        let on_axis = frame.origin + frame.axis * (t * frame.length_m);
        point.distance_squared(on_axis) < radius * radius
    })
}

/// How far the body reaches from band `band`'s centre towards
/// `sign · side`, metres; -1 when the scan finds no body near the axis,
/// or (arms) no edge within reach. With `arms`, the scan steps over them.
fn scan_side(
    mask: &PersonMask,
    frames: &SilhouetteFrames,
    arms: Option<&SilhouetteProfile>,
    frame: &RegionFrame,
    band: usize,
    sign: f32,
) -> f32 {
    let centre = frame.band_centre(band);
    let direction = frame.side() * sign;
    let step = frames.step_m;
    let steps = (frame.scan_max_m / step).ceil() as usize;
    let mut extent = -1.0f32;
    let mut gap = 0.0f32;
    let mut edge_found = false;
    // Past an arm, the torso goes on only where enough person lies beyond
    // it without a break (a forearm across the chest); less is the arm's
    // own far side.
    let mut after_arm = false;
    let mut beyond_arm_from: Option<f32> = None;
    for i in 0..=steps {
        let d = i as f32 * step;
        let point = centre + direction * d;
        let Some(probability) = sample(mask, frames, point) else {
            // The image ends: the body goes on out of sight.
            edge_found = true;
            break;
        };
        if probability <= PERSON_THRESHOLD {
            gap += step;
            if gap > GAP_MAX_M {
                edge_found = true;
                break;
            }
            beyond_arm_from = None;
            continue;
        }
        gap = 0.0;
        if arms.is_some_and(|arms| on_arm(frames, arms, point)) {
            after_arm = true;
            beyond_arm_from = None;
            continue;
        }
        if after_arm {
            let from = *beyond_arm_from.get_or_insert(d);
            if d - from < BEYOND_ARM_MIN_M {
                continue;
            }
            after_arm = false;
            beyond_arm_from = None;
        }
        extent = d;
    }
    // An arm whose scan ran out of reach measured something else (the
    // torso beside it).
    if frame.symmetric && !edge_found {
        return -1.0;
    }
    extent
}

/// The mask's probability at body-space point `point` (nearest pixel);
/// `None` outside the image.
fn sample(mask: &PersonMask, frames: &SilhouetteFrames, point: Vec2) -> Option<f32> {
    let camera = &frames.camera;
    let pixel = camera.origin_px + Vec2::new(point.x, -point.y) * camera.pixels_per_metre;
    if !(pixel.x >= 0.0 && pixel.y >= 0.0) {
        return None;
    }
    let (x, y) = (pixel.x as u32, pixel.y as u32);
    if x >= mask.width || y >= mask.height {
        return None;
    }
    mask.probabilities
        .get((y * mask.width + x) as usize)
        .copied()
}
