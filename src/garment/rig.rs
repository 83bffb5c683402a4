//! The rig every skinned garment is authored against: 20 bones with
//! Blender's left/right naming, so an artist exports an armature with
//! these names and the fitter (`garment::fit`) can pose it from a `Body`.
//!
//! Conventions (glTF's): metres, +Y up, the body faces +Z, its left side is
//! at +X. The rest pose is a T-pose: arms straight out along ±X, legs
//! straight down, the hips joint at the origin's height the artist chose.
//! Bones are named after the joint at their head (the `forearm.L` bone
//! starts at the left elbow).

/// One bone of the rig.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RigJoint {
    Hips,
    Spine,
    Chest,
    Neck,
    Head,
    ShoulderL,
    UpperArmL,
    ForearmL,
    HandL,
    ShoulderR,
    UpperArmR,
    ForearmR,
    HandR,
    ThighL,
    ShinL,
    FootL,
    ThighR,
    ShinR,
    FootR,
}

impl RigJoint {
    /// Every joint, parents before children.
    pub const ALL: [RigJoint; 19] = [
        RigJoint::Hips,
        RigJoint::Spine,
        RigJoint::Chest,
        RigJoint::Neck,
        RigJoint::Head,
        RigJoint::ShoulderL,
        RigJoint::UpperArmL,
        RigJoint::ForearmL,
        RigJoint::HandL,
        RigJoint::ShoulderR,
        RigJoint::UpperArmR,
        RigJoint::ForearmR,
        RigJoint::HandR,
        RigJoint::ThighL,
        RigJoint::ShinL,
        RigJoint::FootL,
        RigJoint::ThighR,
        RigJoint::ShinR,
        RigJoint::FootR,
    ];

    /// The bone's name in the glTF file (Blender's convention).
    pub fn name(self) -> &'static str {
        match self {
            RigJoint::Hips => "hips",
            RigJoint::Spine => "spine",
            RigJoint::Chest => "chest",
            RigJoint::Neck => "neck",
            RigJoint::Head => "head",
            RigJoint::ShoulderL => "shoulder.L",
            RigJoint::UpperArmL => "upper_arm.L",
            RigJoint::ForearmL => "forearm.L",
            RigJoint::HandL => "hand.L",
            RigJoint::ShoulderR => "shoulder.R",
            RigJoint::UpperArmR => "upper_arm.R",
            RigJoint::ForearmR => "forearm.R",
            RigJoint::HandR => "hand.R",
            RigJoint::ThighL => "thigh.L",
            RigJoint::ShinL => "shin.L",
            RigJoint::FootL => "foot.L",
            RigJoint::ThighR => "thigh.R",
            RigJoint::ShinR => "shin.R",
            RigJoint::FootR => "foot.R",
        }
    }

    /// The joint named `name`, if it is one of the rig's.
    pub fn from_name(name: &str) -> Option<RigJoint> {
        RigJoint::ALL.into_iter().find(|j| j.name() == name)
    }

    /// The bone's parent (`None` for the root, `hips`).
    pub fn parent(self) -> Option<RigJoint> {
        use RigJoint::*;
        Some(match self {
            Hips => return None,
            Spine => Hips,
            Chest => Spine,
            Neck => Chest,
            Head => Neck,
            ShoulderL => Chest,
            UpperArmL => ShoulderL,
            ForearmL => UpperArmL,
            HandL => ForearmL,
            ShoulderR => Chest,
            UpperArmR => ShoulderR,
            ForearmR => UpperArmR,
            HandR => ForearmR,
            ThighL => Hips,
            ShinL => ThighL,
            FootL => ShinL,
            ThighR => Hips,
            ShinR => ThighR,
            FootR => ShinR,
        })
    }
}

/// The reference body the sample garments are modelled on (1.75 m tall),
/// in the rest T-pose: each bone's head, and for leaf bones their tail.
/// Artists may use other proportions: the fitter measures the garment's
/// own bind pose, not this one.
#[derive(Debug, Clone, PartialEq)]
pub struct RestSkeleton {
    /// Head position of each bone, indexed like `RigJoint::ALL`.
    pub heads: [glam::Vec3; 19],
}

impl RestSkeleton {
    pub fn reference() -> RestSkeleton {
        use glam::vec3;
        let side = |x: f32, y: f32, z: f32| [vec3(x, y, z), vec3(-x, y, z)];
        let [shoulder_l, shoulder_r] = side(0.03, 1.46, 0.0);
        let [upper_arm_l, upper_arm_r] = side(0.19, 1.45, 0.0);
        let [forearm_l, forearm_r] = side(0.47, 1.45, 0.0);
        let [hand_l, hand_r] = side(0.73, 1.45, 0.0);
        let [thigh_l, thigh_r] = side(0.10, 0.97, 0.0);
        let [shin_l, shin_r] = side(0.10, 0.52, 0.0);
        let [foot_l, foot_r] = side(0.10, 0.08, 0.0);
        RestSkeleton {
            heads: [
                vec3(0.0, 1.00, 0.0), // hips
                vec3(0.0, 1.10, 0.0), // spine
                vec3(0.0, 1.28, 0.0), // chest
                vec3(0.0, 1.50, 0.0), // neck
                vec3(0.0, 1.60, 0.0), // head
                shoulder_l,
                upper_arm_l,
                forearm_l,
                hand_l,
                shoulder_r,
                upper_arm_r,
                forearm_r,
                hand_r,
                thigh_l,
                shin_l,
                foot_l,
                thigh_r,
                shin_r,
                foot_r,
            ],
        }
    }

    pub fn head(&self, joint: RigJoint) -> glam::Vec3 {
        self.heads[joint as usize]
    }

    /// Where a leaf bone ends (top of the head, fingertips, toes); for
    /// other bones, the head of their first child.
    pub fn tail(&self, joint: RigJoint) -> glam::Vec3 {
        use RigJoint::*;
        let head = self.head(joint);
        match joint {
            Head => head + glam::Vec3::Y * 0.20,
            HandL => head + glam::Vec3::X * 0.18,
            HandR => head - glam::Vec3::X * 0.18,
            FootL | FootR => head + glam::vec3(0.0, -0.06, 0.16),
            Hips => self.head(Spine),
            Spine => self.head(Chest),
            Chest => self.head(Neck),
            Neck => self.head(Head),
            ShoulderL => self.head(UpperArmL),
            UpperArmL => self.head(ForearmL),
            ForearmL => self.head(HandL),
            ShoulderR => self.head(UpperArmR),
            UpperArmR => self.head(ForearmR),
            ForearmR => self.head(HandR),
            ThighL => self.head(ShinL),
            ShinL => self.head(FootL),
            ThighR => self.head(ShinR),
            ShinR => self.head(FootR),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_parents_come_first() {
        for (index, joint) in RigJoint::ALL.into_iter().enumerate() {
            assert_eq!(joint as usize, index);
            assert_eq!(RigJoint::from_name(joint.name()), Some(joint));
            if let Some(parent) = joint.parent() {
                assert!((parent as usize) < index, "{joint:?}");
            }
        }
        assert_eq!(RigJoint::from_name("upper_arm.X"), None);
    }

    #[test]
    fn reference_skeleton_is_a_symmetric_t_pose() {
        let rest = RestSkeleton::reference();
        let mirror = |v: glam::Vec3| glam::vec3(-v.x, v.y, v.z);
        for (l, r) in [
            (RigJoint::UpperArmL, RigJoint::UpperArmR),
            (RigJoint::HandL, RigJoint::HandR),
            (RigJoint::FootL, RigJoint::FootR),
        ] {
            assert!((rest.head(l) - mirror(rest.head(r))).length() < 1e-6);
            assert!(rest.head(l).x > 0.0, "the left side is at +X");
        }
        // Arms straight out: the elbow is level with the shoulder.
        assert!((rest.head(RigJoint::ForearmL).y - rest.head(RigJoint::UpperArmL).y).abs() < 1e-6);
    }
}
