//! Scripted hands, frames 40 ms apart. The shopper's shoulders are 0.5
//! across; 0.25 frame heights is 0.1406 of the 16:9 frame's width.

use super::*;
use crate::kiosk::test_bodies::{frames, lerp, ms, progress, Arm, Person};

const FRAME: Duration = Duration::from_millis(40);
/// Raised hand height (index fingertip), above the chest.
const HAND_Y: f32 = 0.3;

fn shopper() -> Person {
    Person::new(0.5, 0.1, 0.85)
}

/// Every swipe of `scene` from 0 to `end_ms`, with its time.
fn run(end_ms: u64, scene: impl Fn(Duration) -> Person) -> Vec<(Duration, Swipe)> {
    let mut detector = SwipeDetector::new(SwipeConfig::default());
    let mut swipes = Vec::new();
    for at in frames(ms(0), ms(end_ms), FRAME) {
        if let Some(swipe) = detector.update(Some(&scene(at).body()), at) {
            swipes.push((at, swipe));
        }
    }
    swipes
}

/// The right index fingertip at `HAND_Y` going from `from_x` to `to_x`
/// between `start_ms` and `end_ms`.
fn sweep(at: Duration, start_ms: u64, end_ms: u64, from_x: f32, to_x: f32) -> [f32; 2] {
    let t = progress(at, ms(start_ms), ms(end_ms));
    lerp([from_x, HAND_Y], [to_x, HAND_Y], t)
}

#[test]
fn a_right_hand_swipe_over_400_ms_is_one_right() {
    let swipes = run(3000, |at| {
        shopper().right(Arm::Raised(sweep(at, 200, 600, 0.45, 0.65)))
    });
    // At 480 the hand has moved 0.14 of the width (0.249 frame heights),
    // at 520 0.16.
    assert_eq!(swipes, [(ms(520), Swipe::Right)]);
}

#[test]
fn the_same_motion_over_2_s_is_no_swipe() {
    let swipes = run(4000, |at| {
        shopper().right(Arm::Raised(sweep(at, 200, 2200, 0.45, 0.65)))
    });
    assert_eq!(swipes, []);
}

#[test]
fn arms_swinging_while_walking_across_are_no_swipe() {
    // Walking across in 4 s, both hands swinging 0.1 of the width either
    // side of the shoulders once a second, hanging at thigh height.
    let walker = |raised: bool| {
        move |at: Duration| {
            let t = at.as_secs_f32();
            let mut person = Person::new(0.1 + 0.8 * progress(at, ms(0), ms(4000)), 0.1, 0.85);
            let swing = 0.1 * (std::f32::consts::TAU * t).sin();
            let (y, arm): (f32, fn([f32; 2]) -> Arm) = if raised {
                (HAND_Y, Arm::Raised)
            } else {
                (0.61, Arm::Low)
            };
            person.right = arm([person.center_x + swing, y]);
            person.left = arm([person.center_x - swing, y]);
            person
        }
    };
    assert_eq!(run(4000, walker(false)), []);
    // The same hand motion held up would be swipes: the arms' height is
    // what tells them apart.
    assert!(!run(4000, walker(true)).is_empty());
}

#[test]
fn the_whole_body_moving_with_a_hand_up_is_no_swipe() {
    // 0.6 of the width in a second: the hand moves 0.43 frame heights in
    // 400 ms, but not relative to the shoulders.
    let swipes = run(2000, |at| {
        let x = 0.2 + 0.6 * progress(at, ms(200), ms(1200));
        let person = Person::new(x, 0.1, 0.85);
        person.right(Arm::Raised([x + 0.1, HAND_Y]))
    });
    assert_eq!(swipes, []);
}

#[test]
fn two_swipes_further_apart_than_the_cooldown_are_two() {
    let swipes = run(3000, |at| {
        let x = if at < ms(1480) {
            sweep(at, 200, 600, 0.45, 0.65)
        } else {
            sweep(at, 1480, 1880, 0.65, 0.45)
        };
        shopper().right(Arm::Raised(x))
    });
    assert_eq!(swipes, [(ms(520), Swipe::Right), (ms(1800), Swipe::Left)]);
}

#[test]
fn the_hand_returning_right_after_a_swipe_is_no_swipe_back() {
    let swipes = run(3000, |at| {
        let x = if at < ms(600) {
            sweep(at, 200, 600, 0.45, 0.65)
        } else {
            sweep(at, 600, 1000, 0.65, 0.45)
        };
        shopper().right(Arm::Raised(x))
    });
    assert_eq!(swipes, [(ms(520), Swipe::Right)]);
}

#[test]
fn a_diagonal_motion_is_no_swipe() {
    // 0.267 frame heights across, 0.2 down: not twice as far across.
    let swipes = run(2000, |at| {
        let t = progress(at, ms(200), ms(600));
        shopper().right(Arm::Raised(lerp([0.45, 0.2], [0.6, 0.4], t)))
    });
    assert_eq!(swipes, []);
}

#[test]
fn a_hand_with_low_visibility_is_ignored() {
    let swipes = run(3000, |at| Person {
        right_visibility: 0.3,
        ..shopper().right(Arm::Raised(sweep(at, 200, 600, 0.45, 0.65)))
    });
    assert_eq!(swipes, []);
}

#[test]
fn the_left_hand_swipes_too() {
    let swipes = run(3000, |at| {
        shopper().left(Arm::Raised(sweep(at, 200, 600, 0.55, 0.35)))
    });
    assert_eq!(swipes, [(ms(520), Swipe::Left)]);
}
