//! Bodies for the kiosk's tests: a person standing facing the camera, built
//! from a place and a size, arms down unless told otherwise, in the shown
//! (mirrored) picture: the person's own left is on the picture's left.

use std::time::Duration;

use crate::pose::body::BODY_LANDMARKS;
use crate::pose::{Body, BodyLandmark as L, Landmark, NormalizedRect};

/// The test frames' width / height.
pub const ASPECT: f32 = 16.0 / 9.0;

/// Where one arm is. Points are normalised image coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arm {
    /// Hanging by the side.
    Down,
    /// Raised: the index fingertip at the point, the wrist a little below
    /// it and the elbow further below (a hand held up).
    Raised([f32; 2]),
    /// Low: the index fingertip at the point, the wrist a little above it
    /// and the elbow above the wrist (a hanging or swinging arm).
    Low([f32; 2]),
    /// Elbow and wrist placed; the index fingertip continues the forearm.
    Joints {
        /// The elbow.
        elbow: [f32; 2],
        /// The wrist.
        wrist: [f32; 2],
    },
}

/// A standing person facing the camera.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Person {
    /// Mid-shoulder x, normalised to the width.
    pub center_x: f32,
    /// Top of the head, normalised to the height.
    pub top_y: f32,
    /// Stature as a fraction of the frame height; `PersonTracker::body_size`
    /// measures this person as exactly this (up to rounding).
    pub height: f32,
    /// Shoulder width as a fraction of its facing width (1 facing the
    /// camera, smaller while turning).
    pub facing: f32,
    /// The person's own left arm.
    pub left: Arm,
    /// The person's own right arm.
    pub right: Arm,
    /// Visibility of the left wrist and fingers.
    pub left_visibility: f32,
    /// Visibility of the right wrist and fingers.
    pub right_visibility: f32,
}

/// Shoulder-to-hip over stature and shoulder width over stature, the
/// proportions `PersonTracker::body_size` assumes.
const TORSO: f32 = 1.0 / 3.4;
const SHOULDER_WIDTH: f32 = 1.0 / 4.5;
const SHOULDER_Y: f32 = 0.18;

impl Person {
    /// A person `height` frame heights tall whose shoulders are centred at
    /// `center_x` and whose head's top is at `top_y`, arms down, hands
    /// fully visible.
    pub fn new(center_x: f32, top_y: f32, height: f32) -> Person {
        Person {
            center_x,
            top_y,
            height,
            facing: 1.0,
            left: Arm::Down,
            right: Arm::Down,
            left_visibility: 0.99,
            right_visibility: 0.99,
        }
    }

    /// The image point `across` statures right of the shoulder centre and
    /// `down` statures below the top of the head.
    pub fn at(&self, across: f32, down: f32) -> [f32; 2] {
        [
            self.center_x + across * self.height / ASPECT,
            self.top_y + down * self.height,
        ]
    }

    /// The person with the left arm placed.
    pub fn left(mut self, arm: Arm) -> Person {
        self.left = arm;
        self
    }

    /// The person with the right arm placed.
    pub fn right(mut self, arm: Arm) -> Person {
        self.right = arm;
        self
    }

    /// The `Body` the pose pipeline would give for this person.
    pub fn body(&self) -> Body {
        let mut landmarks = [Landmark::default(); BODY_LANDMARKS];
        // The person's right is the picture's right (side = +1).
        let mut set = |which: L, point: [f32; 2], visibility: f32| {
            landmarks[which as usize] = Landmark {
                x: point[0],
                y: point[1],
                z: 0.0,
                visibility,
                presence: 0.99,
            };
        };
        let half_shoulders = SHOULDER_WIDTH / 2.0 * self.facing;
        let hip_y = SHOULDER_Y + TORSO;
        let fixed: [(L, f32, f32); 23] = [
            (L::Nose, 0.0, 0.06),
            (L::LeftEyeInner, -0.015, 0.05),
            (L::LeftEye, -0.025, 0.05),
            (L::LeftEyeOuter, -0.035, 0.05),
            (L::RightEyeInner, 0.015, 0.05),
            (L::RightEye, 0.025, 0.05),
            (L::RightEyeOuter, 0.035, 0.05),
            (L::LeftEar, -0.045, 0.06),
            (L::RightEar, 0.045, 0.06),
            (L::MouthLeft, -0.015, 0.085),
            (L::MouthRight, 0.015, 0.085),
            (L::LeftShoulder, -half_shoulders, SHOULDER_Y),
            (L::RightShoulder, half_shoulders, SHOULDER_Y),
            (L::LeftHip, -0.06 * self.facing, hip_y),
            (L::RightHip, 0.06 * self.facing, hip_y),
            (L::LeftKnee, -0.06, 0.72),
            (L::RightKnee, 0.06, 0.72),
            (L::LeftAnkle, -0.06, 0.93),
            (L::RightAnkle, 0.06, 0.93),
            (L::LeftHeel, -0.06, 0.95),
            (L::RightHeel, 0.06, 0.95),
            (L::LeftFootIndex, -0.07, 0.97),
            (L::RightFootIndex, 0.07, 0.97),
        ];
        for (which, across, down) in fixed {
            set(which, self.at(across, down), 0.99);
        }
        let arms = [
            (self.left, -1.0, self.left_visibility, LEFT_ARM),
            (self.right, 1.0, self.right_visibility, RIGHT_ARM),
        ];
        for (arm, side, visibility, [elbow_l, wrist_l, index_l, pinky_l, thumb_l]) in arms {
            let (elbow, wrist, index) = self.arm_joints(arm, side);
            set(elbow_l, elbow, 0.99);
            set(wrist_l, wrist, visibility);
            set(index_l, index, visibility);
            set(pinky_l, [index[0] + side * 0.01, index[1]], visibility);
            set(thumb_l, [index[0] - side * 0.01, index[1]], visibility);
        }
        let world_landmarks = landmarks.map(|l| {
            // Metres for a 1.7 m person, origin near the hips.
            let metres_per_height = 1.7 / self.height;
            [
                (l.x - self.center_x) * ASPECT * metres_per_height,
                (l.y - self.at(0.0, hip_y)[1]) * metres_per_height,
                0.0,
            ]
        });
        let hips = self.at(0.0, hip_y);
        Body {
            landmarks,
            world_landmarks,
            pose_score: 0.99,
            roi: NormalizedRect {
                x_center: hips[0],
                y_center: hips[1],
                width: 1.25 * self.height / ASPECT,
                height: 1.25 * self.height,
                rotation: 0.0,
            },
            detection: None,
            mask: None,
        }
    }

    /// Elbow, wrist and index fingertip of one arm (`side` −1 left, +1 right).
    fn arm_joints(&self, arm: Arm, side: f32) -> ([f32; 2], [f32; 2], [f32; 2]) {
        let h = self.height;
        match arm {
            Arm::Down => (
                self.at(side * 0.125, 0.36),
                self.at(side * 0.13, 0.50),
                self.at(side * 0.125, 0.56),
            ),
            Arm::Raised(index) => {
                let wrist = [index[0], index[1] + 0.05 * h];
                let shoulder = self.at(side * SHOULDER_WIDTH / 2.0, SHOULDER_Y);
                let elbow = [(shoulder[0] + wrist[0]) / 2.0, wrist[1] + 0.15 * h];
                (elbow, wrist, index)
            }
            Arm::Low(index) => {
                let wrist = [index[0], index[1] - 0.05 * h];
                let shoulder = self.at(side * SHOULDER_WIDTH / 2.0, SHOULDER_Y);
                let elbow = [
                    (shoulder[0] + wrist[0]) / 2.0,
                    (shoulder[1] + wrist[1]) / 2.0,
                ];
                (elbow, wrist, index)
            }
            Arm::Joints { elbow, wrist } => {
                let index = [
                    wrist[0] + 0.3 * (wrist[0] - elbow[0]),
                    wrist[1] + 0.3 * (wrist[1] - elbow[1]),
                ];
                (elbow, wrist, index)
            }
        }
    }
}

const LEFT_ARM: [L; 5] = [
    L::LeftElbow,
    L::LeftWrist,
    L::LeftIndex,
    L::LeftPinky,
    L::LeftThumb,
];
const RIGHT_ARM: [L; 5] = [
    L::RightElbow,
    L::RightWrist,
    L::RightIndex,
    L::RightPinky,
    L::RightThumb,
];

/// `n` milliseconds.
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Frame times from `start` (included) to `end` (excluded), `period` apart.
pub fn frames(start: Duration, end: Duration, period: Duration) -> Vec<Duration> {
    let mut times = Vec::new();
    let mut at = start;
    while at < end {
        times.push(at);
        at += period;
    }
    times
}

/// The point a fraction `t` (0..1) of the way from `a` to `b`.
pub fn lerp(a: [f32; 2], b: [f32; 2], t: f32) -> [f32; 2] {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

/// How far through `[start, end]` the time `at` is, clamped to 0..1.
pub fn progress(at: Duration, start: Duration, end: Duration) -> f32 {
    if at <= start {
        0.0
    } else if at >= end {
        1.0
    } else {
        (at - start).as_secs_f32() / (end - start).as_secs_f32()
    }
}
