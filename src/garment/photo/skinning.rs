//! Where a photo garment sits in bind space, its bind pose, and each
//! vertex's skin weights.
//!
//! Bind space is the rig's (metres, +Y up, the body faces +Z, its left at
//! +X). The photo is scaled so its shoulders are as far apart as the
//! reference body's and its shoulder midpoint lands on the reference
//! shoulder centre; image y down becomes +Y up, the image's right (the
//! wearer's left) +X.

use glam::{Vec2, Vec3};

use super::silhouette::Side;
use crate::garment::catalog::PhotoAnchors;
use crate::garment::fit::BindPose;
use crate::garment::rig::{RestSkeleton, RigJoint};

/// Depth of the sheet in front of the body's centre line, at the middle.
const SHEET_Z_M: f32 = 0.11;
/// The sheet bends back with |x| like a cylinder of this radius near the
/// middle...
const BEND_RADIUS_M: f32 = 0.2;
/// ...but never more than this, so sleeves stay in front of the arms
/// (proxy radius 0.042 m).
const BEND_MAX_DEPTH_M: f32 = 0.05;
/// Farthest the upper arm's joint lies below the shoulder anchor.
const SHOULDER_DROP_MAX_M: f32 = 0.07;
/// How far the shoulder joint lies below the top of the shoulder, when
/// no sleeve says.
const SHOULDER_DEPTH_M: f32 = 0.05;
/// Width of the blend between torso and sleeve weights (half each side of
/// the seam).
const SEAM_BLEND_M: f32 = 0.04;
/// Width of the blend from upper arm to forearm at the elbow.
const ELBOW_BLEND_M: f32 = 0.06;
/// Widest blend between torso bones at the spine and chest joints.
const TORSO_BLEND_M: f32 = 0.08;
/// Influences per vertex (glTF's JOINTS_0).
const MAX_INFLUENCES: usize = 4;

fn smoothstep(edge0: f32, edge1: f32, x: f32) -> f32 {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Photo pixels → bind space.
#[derive(Debug, Clone, Copy)]
pub(super) struct PhotoFrame {
    pub metres_per_px: f32,
    shoulder_mid_px: Vec2,
    shoulder_centre_m: Vec2,
}

impl PhotoFrame {
    pub fn new(anchors: &PhotoAnchors) -> PhotoFrame {
        let rest = RestSkeleton::reference();
        let (left, right) = (
            rest.head(RigJoint::UpperArmL),
            rest.head(RigJoint::UpperArmR),
        );
        let shoulder_px = anchors.left_shoulder.distance(anchors.right_shoulder);
        PhotoFrame {
            metres_per_px: left.distance(right) / shoulder_px.max(1e-6),
            shoulder_mid_px: (anchors.left_shoulder + anchors.right_shoulder) * 0.5,
            shoulder_centre_m: ((left + right) * 0.5).truncate(),
        }
    }

    /// A pixel position's bind-space x and y.
    pub fn bind_xy(&self, px: Vec2) -> Vec2 {
        let d = (px - self.shoulder_mid_px) * self.metres_per_px;
        self.shoulder_centre_m + Vec2::new(d.x, -d.y)
    }

    /// The sheet's point and normal over a bind-space x, y.
    pub fn surface(&self, xy: Vec2) -> (Vec3, Vec3) {
        let x = xy.x - self.shoulder_centre_m.x;
        // depth(x) = D (1 - exp(-x² / 2RD)): a cylinder of radius R near
        // the middle (x²/2R), flattening out at D.
        let k = 2.0 * BEND_RADIUS_M * BEND_MAX_DEPTH_M;
        let fall = (-x * x / k).exp();
        let depth = BEND_MAX_DEPTH_M * (1.0 - fall);
        let slope = fall * x / BEND_RADIUS_M; // d depth / dx
        let position = Vec3::new(xy.x, xy.y, SHEET_Z_M - depth);
        (position, Vec3::new(slope, 0.0, 1.0).normalize())
    }
}

/// One sleeve in bind space (metres, x and y).
#[derive(Debug, Clone, Copy)]
pub(super) struct Sleeve {
    side: Side,
    shoulder: Vec2,
    armpit: Vec2,
    hip: Vec2,
    /// Unit, from the armhole's centre to the sleeve end.
    direction: Vec2,
    /// The upper arm's head: below the shoulder anchor, on the sleeve's
    /// axis.
    joint: Vec2,
    upper_arm_m: f32,
}

impl Sleeve {
    /// `armpit`, `hip` and `end` in bind space; without an end the arm
    /// points down and out at 45°.
    pub fn new(side: Side, shoulder: Vec2, armpit: Vec2, hip: Vec2, end: Option<Vec2>) -> Sleeve {
        let rest = RestSkeleton::reference();
        let upper_arm_m = rest
            .head(RigJoint::UpperArmL)
            .distance(rest.head(RigJoint::ForearmL));
        let default = Vec2::new(side.sign(), -1.0).normalize();
        let armhole = (shoulder + armpit) * 0.5;
        let direction = end.map_or(default, |end| (end - armhole).normalize_or(default));
        // The shoulder anchor is the garment's shoulder corner, on the
        // sleeve's top edge; the arm runs along the sleeve's middle. The
        // joint goes straight below the anchor onto the sleeve's axis, so
        // a sleeve turned with the arm stays centred on it.
        // Without a sleeve (or with one hanging straight down), the
        // reference body's shoulder depth.
        let drop = match end {
            Some(_) if direction.x.abs() > 0.2 => {
                let axis_y = armhole.y + (shoulder.x - armhole.x) * direction.y / direction.x;
                shoulder.y - axis_y
            }
            _ => SHOULDER_DEPTH_M,
        };
        let joint = shoulder - Vec2::Y * drop.clamp(0.0, SHOULDER_DROP_MAX_M);
        Sleeve {
            side,
            shoulder,
            armpit,
            hip,
            direction,
            joint,
            upper_arm_m,
        }
    }

    fn elbow(&self) -> Vec2 {
        self.joint + self.direction * self.upper_arm_m
    }

    /// How much of a point belongs to the sleeve (0 torso, 1 sleeve):
    /// beyond the shoulder–armpit seam, and on the sleeve's side of the
    /// line halving the angle between the torso's side and the sleeve's
    /// underside at the armpit.
    fn membership(&self, p: Vec2) -> f32 {
        let outward = Vec2::X * self.side.sign();
        let seam = (self.armpit - self.shoulder).normalize_or(Vec2::NEG_Y);
        let mut seam_normal = seam.perp();
        if seam_normal.dot(outward) < 0.0 {
            seam_normal = -seam_normal;
        }
        let down_side = (self.hip - self.armpit).normalize_or(Vec2::NEG_Y);
        let bisector = (down_side + self.direction).normalize_or(outward);
        let mut under_normal = bisector.perp();
        if under_normal.dot(self.direction) < 0.0 {
            under_normal = -under_normal;
        }
        let half = 0.5 * SEAM_BLEND_M;
        let beyond_seam = smoothstep(-half, half, (p - self.shoulder).dot(seam_normal));
        let above_underarm = smoothstep(-half, half, (p - self.armpit).dot(under_normal));
        beyond_seam * above_underarm
    }

    /// The share of a sleeve point on the forearm.
    fn forearm_share(&self, p: Vec2) -> f32 {
        let along = (p - self.joint).dot(self.direction);
        let half = 0.5 * ELBOW_BLEND_M;
        smoothstep(self.upper_arm_m - half, self.upper_arm_m + half, along)
    }

    fn joints(&self) -> (RigJoint, RigJoint) {
        match self.side {
            Side::Left => (RigJoint::UpperArmL, RigJoint::ForearmL),
            Side::Right => (RigJoint::UpperArmR, RigJoint::ForearmR),
        }
    }
}

/// The photo's rig: bind pose and sleeves, all in bind space.
pub(super) struct PhotoRig {
    pub bind: BindPose,
    /// Indexed by `Side::index`.
    sleeves: [Sleeve; 2],
}

impl PhotoRig {
    /// `anchors` in bind space; `neckline` is required here (the caller
    /// estimates a missing one).
    pub fn new(
        shoulders: [Vec2; 2],
        hips: [Vec2; 2],
        armpits: [Vec2; 2],
        neckline: Vec2,
        sleeve_ends: [Option<Vec2>; 2],
    ) -> PhotoRig {
        use RigJoint as J;
        let rest = RestSkeleton::reference();
        let sleeves = Side::BOTH.map(|side| {
            let i = side.index();
            Sleeve::new(side, shoulders[i], armpits[i], hips[i], sleeve_ends[i])
        });
        let mut heads = rest.heads;
        let at = |xy: Vec2| xy.extend(0.0);
        // The torso chain on the line from the hips' centre to the
        // neckline, at the reference's proportions.
        let hip_centre = (hips[0] + hips[1]) * 0.5;
        let rest_hip_y = rest.head(J::ThighL).y;
        let rest_neck_y = rest.head(J::Neck).y;
        for joint in [J::Hips, J::Spine, J::Chest, J::Neck] {
            let f = (rest.head(joint).y - rest_hip_y) / (rest_neck_y - rest_hip_y);
            heads[joint as usize] = at(hip_centre.lerp(neckline, f));
        }
        heads[J::Head as usize] =
            heads[J::Neck as usize] + (rest.head(J::Head) - rest.head(J::Neck));
        for sleeve in &sleeves {
            let (upper, fore) = sleeve.joints();
            let (shoulder, hand, thigh, shin, foot) = match sleeve.side {
                Side::Left => (J::ShoulderL, J::HandL, J::ThighL, J::ShinL, J::FootL),
                Side::Right => (J::ShoulderR, J::HandR, J::ThighR, J::ShinR, J::FootR),
            };
            let forearm_m = rest.head(J::ForearmL).distance(rest.head(J::HandL));
            heads[upper as usize] = at(sleeve.joint);
            heads[fore as usize] = at(sleeve.elbow());
            heads[hand as usize] = at(sleeve.elbow() + sleeve.direction * forearm_m);
            // The collarbone starts beside the chain, level with the shoulder.
            let chain_x = heads[J::Chest as usize].x;
            heads[shoulder as usize] = Vec3::new(
                chain_x + sleeve.side.sign() * rest.head(J::ShoulderL).x,
                sleeve.joint.y + (rest.head(J::ShoulderL).y - rest.head(J::UpperArmL).y),
                0.0,
            );
            // Legs hang straight down from the hips, reference lengths.
            let hip = at(hips[sleeve.side.index()]);
            heads[thigh as usize] = hip;
            heads[shin as usize] = hip + (rest.head(shin) - rest.head(thigh));
            heads[foot as usize] = hip + (rest.head(foot) - rest.head(thigh));
        }
        PhotoRig {
            bind: BindPose { heads },
            sleeves,
        }
    }

    /// Skin joints (`RigJoint` indices) and weights of a bind-space point:
    /// up to four, summing to one.
    pub fn weights(&self, p: Vec2) -> ([u16; 4], [f32; 4]) {
        use RigJoint as J;
        let mut influences: Vec<(RigJoint, f32)> = Vec::with_capacity(7);
        let mut sleeve_total = 0.0;
        for sleeve in &self.sleeves {
            let m = sleeve.membership(p);
            let fore = sleeve.forearm_share(p);
            let (upper, forearm) = sleeve.joints();
            influences.push((upper, m * (1.0 - fore)));
            influences.push((forearm, m * fore));
            sleeve_total += m;
        }
        if sleeve_total > 1.0 {
            influences.iter_mut().for_each(|(_, w)| *w /= sleeve_total);
            sleeve_total = 1.0;
        }
        // The torso by height: hips below the spine joint, spine up to the
        // chest joint, chest above, blended across each joint.
        let y = |j: RigJoint| self.bind.head(j).y;
        let blend = (0.4 * (y(J::Chest) - y(J::Spine)).abs()).min(TORSO_BLEND_M) * 0.5;
        let above_spine = smoothstep(y(J::Spine) - blend, y(J::Spine) + blend, p.y);
        let above_chest = smoothstep(y(J::Chest) - blend, y(J::Chest) + blend, p.y);
        let torso = 1.0 - sleeve_total;
        influences.push((J::Hips, torso * (1.0 - above_spine)));
        influences.push((J::Spine, torso * (above_spine - above_chest).max(0.0)));
        influences.push((J::Chest, torso * above_chest));

        influences.sort_by(|a, b| b.1.total_cmp(&a.1));
        influences.truncate(MAX_INFLUENCES);
        let sum: f32 = influences.iter().map(|(_, w)| w).sum();
        let mut joints = [J::Hips as u16; 4];
        let mut weights = [0.0; 4];
        if sum <= 1e-6 {
            weights[0] = 1.0;
            return (joints, weights);
        }
        for (k, (joint, weight)) in influences.into_iter().enumerate() {
            joints[k] = joint as u16;
            weights[k] = weight / sum;
        }
        (joints, weights)
    }
}
