//! Fitting: a posed rig and a camera from a `Body`, so that a garment
//! skinned to `RigJoint`s lands on the person.
//!
//! The body is "lifted" into body space (metres, +Y up, +Z towards the
//! camera, origin at the hips): x and y come from the 2D landmarks divided
//! by the image's pixels per metre, z from the world landmarks. The camera
//! is then an orthographic projection that puts every lifted landmark
//! exactly back on its 2D landmark, so a garment's shoulders and hips land
//! where the person's are, while depth (for occlusion) stays metric.
//!
//! Bones get a rotation from the rig's T-pose to the observed direction and
//! a scale (length along the bone, the body's width across it). A limb
//! whose end landmark is unsure holds its previous pose, blended by
//! visibility, so a flickering elbow does not make a sleeve pop; legs out
//! of frame (a half-body kiosk shot) hang straight down.

use glam::{Mat4, Quat, Vec2, Vec3};

use super::rig::RigJoint;
use crate::pose::{Body, BodyLandmark};

/// Visibility below which a landmark is not trusted at all, and above which
/// it is trusted fully; in between the pose blends.
const VISIBILITY_RAMP: (f32, f32) = (0.3, 0.7);

/// The rig's bind pose as a garment file has it: each joint's head in the
/// garment's model space (metres, T-pose).
#[derive(Debug, Clone, PartialEq)]
pub struct BindPose {
    pub heads: [Vec3; 19],
}

impl BindPose {
    pub fn head(&self, joint: RigJoint) -> Vec3 {
        self.heads[joint as usize]
    }

    fn shoulder_width(&self) -> f32 {
        self.head(RigJoint::UpperArmL)
            .distance(self.head(RigJoint::UpperArmR))
    }

    fn hip_centre(&self) -> Vec3 {
        (self.head(RigJoint::ThighL) + self.head(RigJoint::ThighR)) * 0.5
    }

    fn shoulder_centre(&self) -> Vec3 {
        (self.head(RigJoint::UpperArmL) + self.head(RigJoint::UpperArmR)) * 0.5
    }
}

impl From<&super::rig::RestSkeleton> for BindPose {
    fn from(rest: &super::rig::RestSkeleton) -> BindPose {
        BindPose { heads: rest.heads }
    }
}

/// Orthographic projection from body space to the image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BodyCamera {
    /// Image pixels per metre of body space.
    pub pixels_per_metre: f32,
    /// Where the body-space origin (between the hips) is, in pixels.
    pub origin_px: Vec2,
    pub image_width: u32,
    pub image_height: u32,
}

impl BodyCamera {
    /// Metres of depth in front of and behind the hips the depth buffer
    /// covers.
    pub const DEPTH_RANGE_M: f32 = 2.0;

    /// A body-space point's pixel position.
    pub fn project(&self, point: Vec3) -> Vec2 {
        self.origin_px + Vec2::new(point.x, -point.y) * self.pixels_per_metre
    }

    /// The inverse of `project` for a pixel at depth `z`.
    pub fn unproject(&self, pixel: Vec2, z: f32) -> Vec3 {
        let p = (pixel - self.origin_px) / self.pixels_per_metre;
        Vec3::new(p.x, -p.y, z)
    }

    /// Clip space from body space (wgpu: y up, depth 0 near to 1 far): the
    /// matrix a vertex shader applies.
    pub fn clip_from_body(&self) -> Mat4 {
        let (w, h) = (self.image_width as f32, self.image_height as f32);
        let s = self.pixels_per_metre;
        let depth = 0.5 / Self::DEPTH_RANGE_M;
        Mat4::from_cols_array(&[
            2.0 * s / w,
            0.0,
            0.0,
            0.0,
            0.0,
            2.0 * s / h,
            0.0,
            0.0,
            0.0,
            0.0,
            -depth,
            0.0,
            2.0 * self.origin_px.x / w - 1.0,
            1.0 - 2.0 * self.origin_px.y / h,
            0.5,
            1.0,
        ])
    }
}

/// One posed joint: where its head is, how its bone turned from the T-pose,
/// and how it is stretched (in the T-pose's axes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JointPose {
    pub head: Vec3,
    pub rotation: Quat,
    pub scale: Vec3,
}

impl JointPose {
    /// The skinning matrix for a garment whose joint head is `bind_head`
    /// in its bind pose: bind space → body space.
    pub fn skinning_matrix(&self, bind_head: Vec3) -> Mat4 {
        Mat4::from_translation(self.head)
            * Mat4::from_quat(self.rotation)
            * Mat4::from_scale(self.scale)
            * Mat4::from_translation(-bind_head)
    }
}

/// The rig posed on one frame's body.
#[derive(Debug, Clone, PartialEq)]
pub struct PosedRig {
    pub joints: [JointPose; 19],
    /// How much each joint's pose comes from what was seen (1) rather than
    /// held or guessed (0): limbs follow their landmarks' visibility, the
    /// torso is always 1. Occluders are drawn only for seen limbs.
    pub confidence: [f32; 19],
    pub camera: BodyCamera,
    /// The body's measures in metres (from the lifted landmarks).
    pub shoulder_width_m: f32,
    pub torso_length_m: f32,
    pub hip_width_m: f32,
    /// The face in the image, when seen: garments never cover it.
    pub face: Option<FaceOutline>,
}

impl PosedRig {
    pub fn joint(&self, joint: RigJoint) -> &JointPose {
        &self.joints[joint as usize]
    }

    /// Skinning matrices for a garment with bind pose `bind`, in
    /// `RigJoint::ALL` order.
    pub fn skinning_matrices(&self, bind: &BindPose) -> [Mat4; 19] {
        std::array::from_fn(|i| self.joints[i].skinning_matrix(bind.heads[i]))
    }
}

/// How a garment sits (a catalog entry's `[garment.fit]`); all three factors
/// are unitless scales.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// Scale across the body (1: the garment's own size relative to its
    /// bind pose's body); the catalog allows 0.8..=1.5.
    pub ease: f32,
    /// Stretch below the waist (the `hips` bone along the body): above 1
    /// the hem hangs lower; the shoulders stay where they are. Photo
    /// garments; the catalog allows 0.5..=2.
    pub length: f32,
    /// Stretch along the upper arms: above 1 short sleeves reach further
    /// down the arm (a sleeve that goes on past the elbow would part from
    /// its forearm, so leave it at 1 for long sleeves); the catalog allows
    /// 0.5..=2.
    pub sleeve: f32,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            ease: 1.0,
            length: 1.0,
            sleeve: 1.0,
        }
    }
}

/// Fits the rig frame after frame, holding unsure limbs.
#[derive(Debug, Clone, Default)]
pub struct Fitter {
    previous: Option<[Quat; 19]>,
}

/// A limb bone: the joint, the landmark at its head and at its end.
const LIMBS: [(RigJoint, BodyLandmark, BodyLandmark); 12] = [
    (
        RigJoint::UpperArmL,
        BodyLandmark::LeftShoulder,
        BodyLandmark::LeftElbow,
    ),
    (
        RigJoint::ForearmL,
        BodyLandmark::LeftElbow,
        BodyLandmark::LeftWrist,
    ),
    (
        RigJoint::HandL,
        BodyLandmark::LeftWrist,
        BodyLandmark::LeftIndex,
    ),
    (
        RigJoint::UpperArmR,
        BodyLandmark::RightShoulder,
        BodyLandmark::RightElbow,
    ),
    (
        RigJoint::ForearmR,
        BodyLandmark::RightElbow,
        BodyLandmark::RightWrist,
    ),
    (
        RigJoint::HandR,
        BodyLandmark::RightWrist,
        BodyLandmark::RightIndex,
    ),
    (
        RigJoint::ThighL,
        BodyLandmark::LeftHip,
        BodyLandmark::LeftKnee,
    ),
    (
        RigJoint::ShinL,
        BodyLandmark::LeftKnee,
        BodyLandmark::LeftAnkle,
    ),
    (
        RigJoint::FootL,
        BodyLandmark::LeftAnkle,
        BodyLandmark::LeftFootIndex,
    ),
    (
        RigJoint::ThighR,
        BodyLandmark::RightHip,
        BodyLandmark::RightKnee,
    ),
    (
        RigJoint::ShinR,
        BodyLandmark::RightKnee,
        BodyLandmark::RightAnkle,
    ),
    (
        RigJoint::FootR,
        BodyLandmark::RightAnkle,
        BodyLandmark::RightFootIndex,
    ),
];

/// How much a landmark is trusted, 0..1.
fn trust(body: &Body, landmark: BodyLandmark) -> f32 {
    let v = body.landmarks[landmark as usize].visibility;
    let (low, high) = VISIBILITY_RAMP;
    ((v - low) / (high - low)).clamp(0.0, 1.0)
}

/// The rotation taking the T-pose's axes to a frame whose X axis points
/// along `right` (the body's left) and Y along `up`.
fn frame_rotation(right: Vec3, up: Vec3) -> Quat {
    let y = up.normalize_or(Vec3::Y);
    let x = (right - y * right.dot(y)).normalize_or(Vec3::X);
    let z = x.cross(y);
    Quat::from_mat3(&glam::Mat3::from_cols(x, y, z)).normalize()
}

impl Fitter {
    pub fn new() -> Fitter {
        Fitter::default()
    }

    /// Forgets the held pose (a new person).
    pub fn reset(&mut self) {
        self.previous = None;
    }

    /// Poses the rig on `body` (in a `image_width × image_height` frame)
    /// for a garment authored on `bind`.
    pub fn fit(
        &mut self,
        body: &Body,
        image_width: u32,
        image_height: u32,
        bind: &BindPose,
        options: &FitOptions,
    ) -> PosedRig {
        let (w, h) = (image_width as f32, image_height as f32);
        let pixel = |l: BodyLandmark| {
            let lm = &body.landmarks[l as usize];
            Vec2::new(lm.x * w, lm.y * h)
        };
        // World landmarks in body space: y up, z towards the camera.
        let world = |l: BodyLandmark| {
            let [x, y, z] = body.world_landmarks[l as usize];
            Vec3::new(x, -y, -z)
        };
        let camera = fit_camera(body, image_width, image_height);
        let lifted = |l: BodyLandmark| camera.unproject(pixel(l), world(l).z);
        use BodyLandmark as B;
        let hip_mid = (lifted(B::LeftHip) + lifted(B::RightHip)) * 0.5;
        let shoulder_mid = (lifted(B::LeftShoulder) + lifted(B::RightShoulder)) * 0.5;
        let shoulder_width = lifted(B::LeftShoulder).distance(lifted(B::RightShoulder));
        let hip_width = lifted(B::LeftHip).distance(lifted(B::RightHip));
        let torso_length = shoulder_mid.distance(hip_mid);

        let up = shoulder_mid - hip_mid;
        let hips_rotation = frame_rotation(lifted(B::LeftHip) - lifted(B::RightHip), up);
        let chest_rotation = frame_rotation(lifted(B::LeftShoulder) - lifted(B::RightShoulder), up);
        let spine_rotation = hips_rotation.slerp(chest_rotation, 0.5);
        let ear_mid = (lifted(B::LeftEar) + lifted(B::RightEar)) * 0.5;
        let eye_mid = (lifted(B::LeftEye) + lifted(B::RightEye)) * 0.5;
        let mouth_mid = (lifted(B::MouthLeft) + lifted(B::MouthRight)) * 0.5;
        let neck_rotation = frame_rotation(
            lifted(B::LeftShoulder) - lifted(B::RightShoulder),
            ear_mid - shoulder_mid,
        );
        let head_rotation = frame_rotation(
            lifted(B::LeftEar) - lifted(B::RightEar),
            eye_mid - mouth_mid,
        );

        let width_scale = options.ease * shoulder_width / bind.shoulder_width().max(1e-6);
        let bind_torso = bind.shoulder_centre().distance(bind.hip_centre()).max(1e-6);
        let length_scale = torso_length / bind_torso;
        let torso_scale = Vec3::new(width_scale, length_scale, width_scale);

        let mut rotations = [Quat::IDENTITY; 19];
        let mut scales = [torso_scale; 19];
        scales[RigJoint::Hips as usize].y *= options.length;
        let mut heads = [Vec3::ZERO; 19];
        let mut confidences = [1.0f32; 19];
        use RigJoint as J;
        for (joint, rotation) in [
            (J::Hips, hips_rotation),
            (J::Spine, spine_rotation),
            (J::Chest, chest_rotation),
            (J::ShoulderL, chest_rotation),
            (J::ShoulderR, chest_rotation),
            (J::Neck, neck_rotation),
            (J::Head, head_rotation),
        ] {
            rotations[joint as usize] = rotation;
        }
        // The torso chain hangs from the hips' centre.
        let place = |joint: RigJoint, heads: &[Vec3; 19], rotations: &[Quat; 19]| {
            let parent = joint.parent().unwrap_or(joint);
            let offset = bind.head(joint) - bind.head(parent);
            heads[parent as usize] + rotations[parent as usize] * (torso_scale * offset)
        };
        heads[J::Hips as usize] =
            hip_mid + hips_rotation * (torso_scale * (bind.head(J::Hips) - bind.hip_centre()));
        for joint in [
            J::Spine,
            J::Chest,
            J::Neck,
            J::Head,
            J::ShoulderL,
            J::ShoulderR,
        ] {
            heads[joint as usize] = place(joint, &heads, &rotations);
        }

        // Limbs: heads on their landmarks, directions from the landmarks,
        // held or relaxed when the end landmark is unsure.
        let limb_width = width_scale;
        let reference = super::rig::RestSkeleton::reference();
        for (joint, start, end) in LIMBS {
            let i = joint as usize;
            // Hands and feet end at no joint: their direction is the
            // reference skeleton's.
            let child_bind_tail = match joint {
                J::HandL | J::HandR | J::FootL | J::FootR => {
                    reference.tail(joint) - reference.head(joint)
                }
                _ => limb_child_head(bind, joint) - bind.head(joint),
            };
            let rest_direction = child_bind_tail.normalize_or(Vec3::NEG_Y);
            let observed = lifted(end) - lifted(start);
            let observed_rotation =
                Quat::from_rotation_arc(rest_direction, observed.normalize_or(rest_direction));
            let fallback = self.previous.map_or_else(
                || relaxed_rotation(joint, rest_direction, hips_rotation),
                |previous| previous[i],
            );
            let confidence = trust(body, end).min(trust(body, start));
            confidences[i] = confidence;
            rotations[i] = fallback.slerp(observed_rotation, confidence).normalize();
            let length_ratio = if confidence > 0.0 {
                observed.length() / child_bind_tail.length().max(1e-6)
            } else {
                length_scale
            };
            let mut along = length_ratio * confidence + length_scale * (1.0 - confidence);
            if matches!(joint, J::UpperArmL | J::UpperArmR) {
                along *= options.sleeve;
            }
            scales[i] = limb_scale(rest_direction, along, limb_width);
            // The head: its landmark when trusted, else hanging from the
            // parent's end.
            let parent_end = match joint.parent() {
                Some(parent) if LIMBS.iter().any(|(j, _, _)| *j == parent) => {
                    heads[parent as usize]
                        + rotations[parent as usize]
                            * (scales[parent as usize] * (bind.head(joint) - bind.head(parent)))
                }
                _ => lifted(start),
            };
            let head_trust = trust(body, start);
            heads[i] = parent_end.lerp(lifted(start), head_trust);
        }
        self.previous = Some(rotations);
        let joints = std::array::from_fn(|i| JointPose {
            head: heads[i],
            rotation: rotations[i],
            scale: scales[i],
        });
        PosedRig {
            joints,
            confidence: confidences,
            camera,
            shoulder_width_m: shoulder_width,
            torso_length_m: torso_length,
            hip_width_m: hip_width,
            face: FaceOutline::from_body(body, image_width, image_height),
        }
    }
}

/// The bind-pose head of a limb bone's child (the elbow for the upper arm).
fn limb_child_head(bind: &BindPose, joint: RigJoint) -> Vec3 {
    let child = RigJoint::ALL
        .into_iter()
        .find(|c| c.parent() == Some(joint));
    child.map_or(bind.head(joint), |c| bind.head(c))
}

/// Scale in the T-pose's axes: `along` the bone's rest direction, `across`
/// it on the other two axes.
fn limb_scale(rest_direction: Vec3, along: f32, across: f32) -> Vec3 {
    let d = rest_direction.abs();
    Vec3::new(
        d.x * along + (1.0 - d.x) * across,
        d.y * along + (1.0 - d.y) * across,
        d.z * along + (1.0 - d.z) * across,
    )
}

/// Where an untrusted limb rests: arms and legs hanging down along the
/// hips' up axis.
fn relaxed_rotation(joint: RigJoint, rest_direction: Vec3, hips: Quat) -> Quat {
    let down = hips * Vec3::NEG_Y;
    match joint {
        RigJoint::FootL | RigJoint::FootR => hips,
        _ => Quat::from_rotation_arc(rest_direction, down),
    }
}

/// The orthographic camera: pixels per metre from the torso's landmarks
/// (2D against world), the origin at the 2D hips' centre.
pub fn fit_camera(body: &Body, image_width: u32, image_height: u32) -> BodyCamera {
    use BodyLandmark as B;
    let (w, h) = (image_width as f32, image_height as f32);
    let points = [B::LeftShoulder, B::RightShoulder, B::LeftHip, B::RightHip];
    let pixel = |l: BodyLandmark| {
        let lm = &body.landmarks[l as usize];
        Vec2::new(lm.x * w, lm.y * h)
    };
    let world = |l: BodyLandmark| {
        let [x, y, _] = body.world_landmarks[l as usize];
        Vec2::new(x, y)
    };
    let pixel_mean = points.iter().map(|&l| pixel(l)).sum::<Vec2>() / 4.0;
    let world_mean = points.iter().map(|&l| world(l)).sum::<Vec2>() / 4.0;
    let pixel_spread: f32 = points
        .iter()
        .map(|&l| (pixel(l) - pixel_mean).length_squared())
        .sum();
    let world_spread: f32 = points
        .iter()
        .map(|&l| (world(l) - world_mean).length_squared())
        .sum();
    // A degenerate body (all points together) still gets a usable scale.
    let pixels_per_metre = if world_spread > 1e-8 && pixel_spread > 1e-6 {
        (pixel_spread / world_spread).sqrt()
    } else {
        h
    };
    let origin_px = (pixel(B::LeftHip) + pixel(B::RightHip)) * 0.5;
    BodyCamera {
        pixels_per_metre,
        origin_px,
        image_width,
        image_height,
    }
}

mod face;
mod reference_body;
pub use face::{FaceOutline, FACE_CORNERS};
pub use reference_body::posed_reference_body;

#[cfg(test)]
mod tests;
