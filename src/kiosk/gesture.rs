//! Touchless gestures from body landmarks: hovering a hand over a target
//! to pick it ([`HoverDetector`]), swiping a raised hand left or right
//! ([`SwipeDetector`]) and raising both hands for a snapshot
//! ([`RaiseHandsDetector`]).
//!
//! Each detector takes every frame's [`Body`] (or `None`) in time order
//! with the caller's time `at` (a `Duration` since any fixed start), and
//! says when its gesture happened. Points are in the shown (mirrored)
//! picture's normalised coordinates; detectors that measure distances take
//! the frame's aspect ratio so that distances across and down are both in
//! frame heights. Hysteresis, holds and cooldowns keep natural movement
//! (walking, turning, touching one's face, crossing arms) from triggering
//! anything.

mod hover;
mod raise;
mod swipe;

pub use hover::{HoverConfig, HoverDetector, HoverEvent, HoverTarget, Rect};
pub use raise::{RaiseHandsConfig, RaiseHandsDetector, RaisedHands};
pub use swipe::{Swipe, SwipeConfig, SwipeDetector};

use crate::pose::{Body, BodyLandmark};

/// The smallest landmark visibility that counts as a seen hand, the
/// detectors' default `min_visibility`.
pub const DEFAULT_MIN_VISIBILITY: f32 = 0.5;

/// One of the person's hands (their own left or right; in the mirrored
/// picture the left hand shows on the left).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hand {
    /// The person's left hand.
    Left,
    /// The person's right hand.
    Right,
}

impl Hand {
    /// Both hands, right first: when both do the same at the same moment,
    /// the right hand (most people's pointing hand) wins.
    pub const BOTH: [Hand; 2] = [Hand::Right, Hand::Left];

    /// The wrist landmark.
    pub fn wrist(self) -> BodyLandmark {
        match self {
            Hand::Left => BodyLandmark::LeftWrist,
            Hand::Right => BodyLandmark::RightWrist,
        }
    }

    /// The index fingertip landmark.
    pub fn index(self) -> BodyLandmark {
        match self {
            Hand::Left => BodyLandmark::LeftIndex,
            Hand::Right => BodyLandmark::RightIndex,
        }
    }

    /// The elbow landmark.
    pub fn elbow(self) -> BodyLandmark {
        match self {
            Hand::Left => BodyLandmark::LeftElbow,
            Hand::Right => BodyLandmark::RightElbow,
        }
    }

    /// The shoulder landmark.
    pub fn shoulder(self) -> BodyLandmark {
        match self {
            Hand::Left => BodyLandmark::LeftShoulder,
            Hand::Right => BodyLandmark::RightShoulder,
        }
    }
}

/// Where `hand` points, normalised: the index fingertip if its visibility
/// is at least `min_visibility`, else the wrist if that one is, else
/// `None` (the hand does not count).
pub fn hand_point(body: &Body, hand: Hand, min_visibility: f32) -> Option<[f32; 2]> {
    [hand.index(), hand.wrist()]
        .into_iter()
        .map(|which| body.landmark(which))
        .find(|landmark| landmark.visibility >= min_visibility)
        .map(|landmark| [landmark.x, landmark.y])
}

/// `part / whole` as a fraction in 0..=1 (1 when `whole` is zero).
fn fraction_of(part: std::time::Duration, whole: std::time::Duration) -> f32 {
    if whole.is_zero() {
        1.0
    } else {
        (part.as_secs_f64() / whole.as_secs_f64()).min(1.0) as f32
    }
}

#[cfg(test)]
mod tests;
