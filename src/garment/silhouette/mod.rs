//! Fitting a garment to the wearer's silhouette, not to a stick figure.
//!
//! The rig (`garment::fit`) puts a garment's joints on the landmarks and
//! scales it by the shoulder width, so a broad coat or a narrow waist
//! still shows at the garment's sides. Here the person mask decides the
//! width: each body region (torso, upper arms, forearms) is cut into
//! `BANDS` bands across its axis; at every band the mask is scanned
//! sideways from the axis to the body's edge (the **profile**), and the
//! garment's own extent at that band (measured on the skinned garment) is
//! mapped onto it, plus ease. The profile is made once per frame on the
//! GPU (`shaders/render/silhouette.wgsl`); `scan_profile` is its plain-Rust
//! twin. The mapping runs in `shaders/render/deform.wgsl`, twin
//! `garment::deform::deform_cpu`.
//!
//! Arms are scanned first. An arm is fitted symmetrically about its bone
//! with the narrower side's width (the side towards the torso runs into
//! the torso); a side whose scan finds no edge within reach tells
//! nothing, and an arm with no edge anywhere gets a default width. The
//! torso scan then steps over the arms as measured: an arm in front of the
//! torso (the torso goes on beyond it) is crossed, an arm hanging at the
//! side (the mask ends just beyond it) ends the torso where the arm
//! begins, so a shirt never paints over a forearm.
//!
//! Frames: body space (metres, +Y up, `BodyCamera` maps it to pixels).
//! A region's band coordinate `t` runs along its axis in units of its
//! length (0 at its origin joint, 1 at its end joint), the lateral
//! coordinate `s` (metres) along `side`, the axis turned a quarter clockwise.

mod scan;

pub use scan::scan_profile;

use glam::Vec2;

use super::fit::{BodyCamera, PosedRig};
use super::rig::RigJoint;

/// Bands per region.
pub const BANDS: usize = 32;
/// Fitted regions (`FitRegion::ALL`).
pub const REGIONS: usize = 5;

/// A part of the body a garment is fitted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FitRegion {
    Torso,
    UpperArmL,
    ForearmL,
    UpperArmR,
    ForearmR,
}

impl FitRegion {
    pub const ALL: [FitRegion; REGIONS] = [
        FitRegion::Torso,
        FitRegion::UpperArmL,
        FitRegion::ForearmL,
        FitRegion::UpperArmR,
        FitRegion::ForearmR,
    ];

    /// The region a joint's skin weight fits a vertex to; `None` for the
    /// head and legs (not fitted).
    pub fn of_joint(joint: RigJoint) -> Option<FitRegion> {
        use RigJoint as J;
        Some(match joint {
            J::Hips | J::Spine | J::Chest | J::Neck | J::ShoulderL | J::ShoulderR => {
                FitRegion::Torso
            }
            J::UpperArmL => FitRegion::UpperArmL,
            J::ForearmL | J::HandL => FitRegion::ForearmL,
            J::UpperArmR => FitRegion::UpperArmR,
            J::ForearmR | J::HandR => FitRegion::ForearmR,
            _ => return None,
        })
    }
}

/// The torso's bands: from well below the hips (long garments) to above
/// the shoulders (collars), in torso lengths.
pub const TORSO_T_RANGE: (f32, f32) = (-0.7, 1.3);
/// An arm segment's bands, in segment lengths (a little past each joint).
pub const ARM_T_RANGE: (f32, f32) = (-0.25, 1.25);
/// How far the torso scan looks sideways, in shoulder widths.
pub const TORSO_SCAN_SHOULDERS: f32 = 0.9;
/// How far an arm scan looks sideways, in shoulder widths: a bulky sleeve
/// at most; beyond, the side towards the torso would measure the torso.
pub const ARM_SCAN_SHOULDERS: f32 = 0.3;
/// Background crossed before a scan gives up (a thin gap in the mask
/// between the torso and a loose sleeve is not the body's edge), metres.
pub const GAP_MAX_M: f32 = 0.03;
/// Person beyond an arm that makes the torso go on past the arm (a
/// forearm across the chest), metres; less is the arm's own far side.
pub const BEYOND_ARM_MIN_M: f32 = 0.05;
/// Probability above which a mask pixel is the person.
pub const PERSON_THRESHOLD: f32 = 0.5;
/// Limbs seen less surely than this neither stop the torso scan nor get
/// fitted.
pub const MIN_LIMB_CONFIDENCE: f32 = 0.25;
/// The shortest arm segment fitted, as seen in the image (metres): an arm
/// pointing at the camera has no sideways profile worth the name.
pub const MIN_ARM_LENGTH_M: f32 = 0.06;
/// Where an upper arm starts to stop the torso scan, in upper-arm
/// lengths from the shoulder: the shoulder itself belongs to the torso
/// (a shirt's yoke reaches over it).
pub const UPPER_ARM_START_T: f32 = 0.3;
/// Where a forearm stops the torso scan, in forearm lengths from the
/// elbow: past the wrist, the hand.
pub const FOREARM_END_T: f32 = 1.45;
/// An arm's half width where the mask shows no edge, in shoulder widths.
pub const DEFAULT_ARM_RADIUS_SHOULDERS: f32 = 0.12;
/// The torso scan steps over an arm at most this half width, in shoulder
/// widths: a puffy sleeve's outer side says little about the arm inside
/// it, and taking it whole would end the torso well short of the arm.
pub const TORSO_ARM_RADIUS_MAX_SHOULDERS: f32 = 0.16;

/// One region's frame in body space for this frame's body.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegionFrame {
    /// The origin joint, body space x, y (metres).
    pub origin: Vec2,
    /// Unit vector along the region (towards its end joint).
    pub axis: Vec2,
    /// Origin to end joint, metres.
    pub length_m: f32,
    /// Band range in lengths: band `b` covers
    /// `t_min + b·(t_max − t_min)/BANDS` onwards.
    pub t_range: (f32, f32),
    /// How far the scan looks sideways, metres.
    pub scan_max_m: f32,
    /// Seen well enough to fit; unfitted regions leave the garment as
    /// skinned.
    pub valid: bool,
    /// Fitted symmetrically about the axis (arms).
    pub symmetric: bool,
}

impl RegionFrame {
    /// The lateral direction: the axis turned a quarter clockwise.
    pub fn side(&self) -> Vec2 {
        Vec2::new(self.axis.y, -self.axis.x)
    }

    /// `(t, s)` of a body-space point (x, y).
    pub fn coordinates(&self, point: Vec2) -> (f32, f32) {
        let d = point - self.origin;
        (d.dot(self.axis) / self.length_m, d.dot(self.side()))
    }

    /// Band `b`'s centre line point.
    pub fn band_centre(&self, band: usize) -> Vec2 {
        let (t_min, t_max) = self.t_range;
        let t = t_min + (band as f32 + 0.5) * (t_max - t_min) / BANDS as f32;
        self.origin + self.axis * t * self.length_m
    }

    /// The continuous band position of `t` (band `b`'s centre is `b`).
    pub fn band_position(&self, t: f32) -> f32 {
        let (t_min, t_max) = self.t_range;
        (t - t_min) / (t_max - t_min) * BANDS as f32 - 0.5
    }
}

/// Everything the profile scan needs about this frame's body.
#[derive(Debug, Clone, PartialEq)]
pub struct SilhouetteFrames {
    pub regions: [RegionFrame; REGIONS],
    /// An arm's half width where the mask shows none, metres.
    pub default_arm_radius_m: f32,
    /// The widest arm the torso scan steps over, metres.
    pub torso_arm_radius_max_m: f32,
    pub camera: BodyCamera,
    /// Scan step: about one pixel, metres.
    pub step_m: f32,
}

impl SilhouetteFrames {
    /// The frames of the body `rig` was fitted on.
    pub fn from_rig(rig: &PosedRig) -> SilhouetteFrames {
        let xy = |j: RigJoint| rig.joint(j).head.truncate();
        let seen = |j: RigJoint| rig.confidence[j as usize] >= MIN_LIMB_CONFIDENCE;
        let shoulder_width = rig.shoulder_width_m.max(0.05);
        let hips = (xy(RigJoint::ThighL) + xy(RigJoint::ThighR)) * 0.5;
        let shoulders = (xy(RigJoint::UpperArmL) + xy(RigJoint::UpperArmR)) * 0.5;
        let segment = |from: Vec2, to: Vec2, t_range, scan_max_m, symmetric, valid: bool| {
            let length_m = from.distance(to);
            RegionFrame {
                origin: from,
                axis: (to - from).normalize_or(Vec2::NEG_Y),
                length_m: length_m.max(1e-3),
                t_range,
                scan_max_m,
                valid: valid && length_m.is_finite() && length_m >= MIN_ARM_LENGTH_M,
                symmetric,
            }
        };
        let torso = segment(
            hips,
            shoulders,
            TORSO_T_RANGE,
            TORSO_SCAN_SHOULDERS * shoulder_width,
            false,
            true,
        );
        let arm = |from: RigJoint, to: RigJoint| {
            segment(
                xy(from),
                xy(to),
                ARM_T_RANGE,
                ARM_SCAN_SHOULDERS * shoulder_width,
                true,
                seen(from),
            )
        };
        let regions = [
            torso,
            arm(RigJoint::UpperArmL, RigJoint::ForearmL),
            arm(RigJoint::ForearmL, RigJoint::HandL),
            arm(RigJoint::UpperArmR, RigJoint::ForearmR),
            arm(RigJoint::ForearmR, RigJoint::HandR),
        ];
        let camera = rig.camera;
        SilhouetteFrames {
            regions,
            default_arm_radius_m: DEFAULT_ARM_RADIUS_SHOULDERS * shoulder_width,
            torso_arm_radius_max_m: TORSO_ARM_RADIUS_MAX_SHOULDERS * shoulder_width,
            camera,
            step_m: 1.0 / camera.pixels_per_metre.max(1e-3),
        }
    }

    /// The GPU mirror of these frames.
    pub fn uniform(&self, has_mask: bool) -> SilhouetteUniform {
        let region = |r: &RegionFrame| RegionUniform {
            origin: r.origin.to_array(),
            axis: r.axis.to_array(),
            length_m: r.length_m,
            t_min: r.t_range.0,
            t_max: r.t_range.1,
            scan_max_m: r.scan_max_m,
            valid: u32::from(r.valid),
            symmetric: u32::from(r.symmetric),
            _pad: [0; 2],
        };
        SilhouetteUniform {
            regions: self.regions.each_ref().map(region),
            image_width: self.camera.image_width,
            image_height: self.camera.image_height,
            has_mask: u32::from(has_mask),
            origin_px: self.camera.origin_px.to_array(),
            pixels_per_metre: self.camera.pixels_per_metre,
            step_m: self.step_m,
            gap_max_m: GAP_MAX_M,
            beyond_arm_min_m: BEYOND_ARM_MIN_M,
            person_threshold: PERSON_THRESHOLD,
            default_arm_radius_m: self.default_arm_radius_m,
            upper_arm_start_t: UPPER_ARM_START_T,
            forearm_end_t: FOREARM_END_T,
            torso_arm_radius_max_m: self.torso_arm_radius_max_m,
            _pad: [0; 2],
        }
    }
}

/// What the scan found: per region, band and side (0: towards `-side`,
/// 1: towards `side`), how far from the axis the body reaches, metres;
/// negative where nothing was found. Arms hold their resolved half width
/// on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct SilhouetteProfile {
    pub extents_m: [[[f32; 2]; BANDS]; REGIONS],
}

impl SilhouetteProfile {
    /// A profile that found nothing (no mask): garments stay as skinned.
    pub fn empty() -> SilhouetteProfile {
        SilhouetteProfile {
            extents_m: [[[-1.0; 2]; BANDS]; REGIONS],
        }
    }

    /// From the GPU's buffer layout (`[region][band][side]`, f32).
    pub fn from_flat(values: &[f32]) -> Option<SilhouetteProfile> {
        if values.len() != REGIONS * BANDS * 2 {
            return None;
        }
        let mut profile = SilhouetteProfile::empty();
        for (i, v) in values.iter().enumerate() {
            profile.extents_m[i / (BANDS * 2)][(i / 2) % BANDS][i % 2] = *v;
        }
        Some(profile)
    }

    pub fn region(&self, region: FitRegion) -> &[[f32; 2]; BANDS] {
        &self.extents_m[region as usize]
    }
}

// This must be kept in sync with RegionFrame in shaders/render/silhouette.wgsl
// and shaders/render/deform.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct RegionUniform {
    pub origin: [f32; 2],
    pub axis: [f32; 2],
    pub length_m: f32,
    pub t_min: f32,
    pub t_max: f32,
    pub scan_max_m: f32,
    pub valid: u32,
    pub symmetric: u32,
    pub _pad: [u32; 2],
}

// This must be kept in sync with Silhouette in shaders/render/silhouette.wgsl
// and shaders/render/deform.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SilhouetteUniform {
    pub regions: [RegionUniform; REGIONS],
    pub image_width: u32,
    pub image_height: u32,
    pub has_mask: u32,
    pub pixels_per_metre: f32,
    pub origin_px: [f32; 2],
    pub step_m: f32,
    pub gap_max_m: f32,
    pub beyond_arm_min_m: f32,
    pub person_threshold: f32,
    pub default_arm_radius_m: f32,
    pub upper_arm_start_t: f32,
    pub forearm_end_t: f32,
    pub torso_arm_radius_max_m: f32,
    pub _pad: [u32; 2],
}

#[cfg(test)]
mod tests;
