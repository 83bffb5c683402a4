//! Raising both hands (for a snapshot).

use std::time::Duration;

use super::{fraction_of, Hand, DEFAULT_MIN_VISIBILITY};
use crate::pose::{Body, BodyLandmark};

/// How long both hands must stay up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RaiseHandsConfig {
    /// How long both wrists must stay above the nose; default 0.6 s.
    pub hold: Duration,
    /// The smallest wrist visibility that counts; default 0.5.
    pub min_visibility: f32,
}

impl Default for RaiseHandsConfig {
    fn default() -> Self {
        RaiseHandsConfig {
            hold: Duration::from_millis(600),
            min_visibility: DEFAULT_MIN_VISIBILITY,
        }
    }
}

/// Both hands were raised and held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RaisedHands;

/// Finds both wrists raised above the nose (each visible at least
/// `min_visibility`) and held for `hold`. Fires once per raise: it
/// re-arms only when both wrists are below their shoulders again (the
/// wrists' estimated positions count even when they are not visible, so a
/// close-up whose lowered hands leave the frame re-arms too).
#[derive(Debug, Clone)]
pub struct RaiseHandsDetector {
    config: RaiseHandsConfig,
    raised_since: Option<Duration>,
    armed: bool,
}

impl RaiseHandsDetector {
    /// An armed detector.
    pub fn new(config: RaiseHandsConfig) -> Self {
        RaiseHandsDetector {
            config,
            raised_since: None,
            armed: true,
        }
    }

    /// How far through the hold the hands are at `at`, 0..=1 (for a
    /// filling ring); 0 while the hands are down or after the gesture
    /// fired until it re-arms.
    pub fn progress(&self, at: Duration) -> f32 {
        match self.raised_since {
            Some(since) if self.armed => fraction_of(at.saturating_sub(since), self.config.hold),
            _ => 0.0,
        }
    }

    /// Takes the frame at `at` (`body` is `None` when nobody was found);
    /// `Some` on the frame where the hold completes.
    pub fn update(&mut self, body: Option<&Body>, at: Duration) -> Option<RaisedHands> {
        let Some(body) = body else {
            self.raised_since = None;
            return None;
        };
        let nose_y = body.landmark(BodyLandmark::Nose).y;
        let both_up = Hand::BOTH.iter().all(|hand| {
            let wrist = body.landmark(hand.wrist());
            wrist.visibility >= self.config.min_visibility && wrist.y < nose_y
        });
        if !both_up {
            self.raised_since = None;
            let both_down = Hand::BOTH
                .iter()
                .all(|hand| body.landmark(hand.wrist()).y > body.landmark(hand.shoulder()).y);
            if both_down {
                self.armed = true;
            }
            return None;
        }
        let since = *self.raised_since.get_or_insert(at);
        if self.armed && at.saturating_sub(since) >= self.config.hold {
            self.armed = false;
            return Some(RaisedHands);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kiosk::test_bodies::{frames, ms, Arm, Person};

    const FRAME: Duration = Duration::from_millis(40);

    /// Hands down, one up, or both up (wrists above the head's top).
    #[derive(Clone, Copy)]
    enum Pose {
        Down,
        OneUp,
        BothUp,
        /// Wrists at the chin: below the nose, above the shoulders.
        Chin,
    }

    fn shopper(pose: Pose) -> Person {
        let person = Person::new(0.5, 0.1, 0.85);
        let (left, right) = match pose {
            Pose::Down => (Arm::Down, Arm::Down),
            Pose::OneUp => (Arm::Down, Arm::Raised(person.at(0.15, -0.1))),
            Pose::BothUp => (
                Arm::Raised(person.at(-0.15, -0.1)),
                Arm::Raised(person.at(0.15, -0.1)),
            ),
            Pose::Chin => (
                Arm::Raised(person.at(-0.05, 0.05)),
                Arm::Raised(person.at(0.05, 0.05)),
            ),
        };
        person.left(left).right(right)
    }

    /// Every event of `script` (the pose at each time) from 0 to `end_ms`.
    fn run(end_ms: u64, script: impl Fn(Duration) -> Pose) -> Vec<Duration> {
        let mut detector = RaiseHandsDetector::new(RaiseHandsConfig::default());
        frames(ms(0), ms(end_ms), FRAME)
            .into_iter()
            .filter(|&at| {
                let body = shopper(script(at)).body();
                detector.update(Some(&body), at) == Some(RaisedHands)
            })
            .collect()
    }

    /// Both hands up between `from_ms` and `to_ms`, down otherwise.
    fn up_between(from_ms: u64, to_ms: u64) -> impl Fn(Duration) -> Pose {
        move |at| {
            if (ms(from_ms)..ms(to_ms)).contains(&at) {
                Pose::BothUp
            } else {
                Pose::Down
            }
        }
    }

    #[test]
    fn raising_and_holding_fires_once_at_the_hold() {
        assert_eq!(run(3000, up_between(400, 1500)), [ms(1000)]);
    }

    #[test]
    fn one_hand_up_does_not_fire() {
        assert_eq!(run(3000, |_| Pose::OneUp), []);
    }

    #[test]
    fn raising_for_300_ms_does_not_fire() {
        assert_eq!(run(3000, up_between(400, 700)), []);
    }

    #[test]
    fn holding_for_5_s_still_fires_once() {
        assert_eq!(run(6000, up_between(0, 5000)), [ms(600)]);
    }

    #[test]
    fn lowering_and_raising_again_fires_again() {
        let script = |at: Duration| {
            if (ms(0)..ms(1000)).contains(&at) || (ms(1520)..ms(2520)).contains(&at) {
                Pose::BothUp
            } else {
                Pose::Down
            }
        };
        assert_eq!(run(3000, script), [ms(600), ms(2120)]);
    }

    #[test]
    fn lowering_only_to_the_chin_does_not_re_arm() {
        let script = |at: Duration| {
            if (ms(1000)..ms(1500)).contains(&at) {
                Pose::Chin
            } else {
                Pose::BothUp
            }
        };
        assert_eq!(run(3000, script), [ms(600)]);
    }

    #[test]
    fn progress_fills_over_the_hold_and_empties_after_firing() {
        let mut detector = RaiseHandsDetector::new(RaiseHandsConfig::default());
        let up = shopper(Pose::BothUp).body();
        assert_eq!(detector.progress(ms(0)), 0.0);
        assert_eq!(detector.update(Some(&up), ms(100)), None);
        assert_eq!(detector.progress(ms(400)), 0.5);
        assert_eq!(detector.update(Some(&up), ms(700)), Some(RaisedHands));
        assert_eq!(detector.progress(ms(800)), 0.0);
        assert_eq!(detector.update(None, ms(840)), None);
        assert_eq!(detector.update(Some(&up), ms(880)), None);
        assert_eq!(detector.progress(ms(2000)), 0.0);
    }
}
