//! The hand's point, and all detectors on natural movement.

use std::f32::consts::TAU;
use std::time::Duration;

use super::*;
use crate::kiosk::test_bodies::{frames, lerp, ms, progress, Arm, Person};

#[test]
fn the_hand_point_is_the_index_fingertip_else_the_wrist() {
    let mut body = Person::new(0.5, 0.1, 0.85)
        .right(Arm::Raised([0.7, 0.3]))
        .body();
    assert_eq!(hand_point(&body, Hand::Right, 0.5), Some([0.7, 0.3]));
    body.landmarks[BodyLandmark::RightIndex as usize].visibility = 0.2;
    let wrist = body.landmark(BodyLandmark::RightWrist);
    assert_eq!(
        hand_point(&body, Hand::Right, 0.5),
        Some([wrist.x, wrist.y])
    );
    body.landmarks[BodyLandmark::RightWrist as usize].visibility = 0.4;
    assert_eq!(hand_point(&body, Hand::Right, 0.5), None);
    assert_eq!(hand_point(&body, Hand::Right, 0.1), Some([0.7, 0.3]));
}

/// Arms at `t` (0..1) of the way from down by the sides to crossed over
/// the chest, each wrist at the other elbow's height near the other side.
fn crossing(person: &Person, t: f32) -> (Arm, Arm) {
    let arm = |side: f32| Arm::Joints {
        elbow: lerp(
            person.at(side * 0.125, 0.36),
            person.at(side * 0.13, 0.37),
            t,
        ),
        wrist: lerp(
            person.at(side * 0.13, 0.50),
            person.at(-side * 0.08, 0.34),
            t,
        ),
    };
    (arm(-1.0), arm(1.0))
}

/// A shopper who steps in from the right with swinging arms (0–2 s),
/// scratches their head with the right hand (2–4 s), crosses their arms
/// (4–6 s), turns half away (6–8 s) and walks out to the left (8–10 s).
fn natural_movement(at: Duration) -> Option<Person> {
    let t = at.as_secs_f32();
    let walked_in = progress(at, ms(0), ms(2000));
    let walked_out = progress(at, ms(8000), ms(10_000));
    let x = 0.95 - 0.45 * walked_in - 0.6 * walked_out;
    let mut person = Person::new(x, 0.1, 0.85);
    let swing = 0.08 * (TAU * t).sin();
    let walking = Arm::Low([x + swing, 0.61]);
    if !(2.0..8.0).contains(&t) {
        person.left = Arm::Low([x - swing, 0.61]);
        person.right = walking;
    } else if t < 4.0 {
        // Fingertips circling on the crown of the head, 3 times a second.
        let phase = TAU * 3.0 * t;
        let crown = person.at(0.04 + 0.015 * phase.cos(), 0.01 + 0.015 * phase.sin());
        person.right = Arm::Raised(crown);
    } else if t < 6.0 {
        let t = progress(at, ms(4000), ms(4500)) - progress(at, ms(5500), ms(6000));
        (person.left, person.right) = crossing(&person, t);
    } else {
        person.facing = 1.0 - 0.6 * progress(at, ms(6000), ms(7000));
    }
    Some(person)
}

#[test]
fn natural_movement_triggers_no_gesture() {
    // The kiosk's targets: a carousel column beside the shopper's raised
    // right hand and a camera icon beside their head on the left, where
    // hands go only on purpose.
    let target = |id, x0, y0| HoverTarget {
        id,
        rect: Rect {
            x0,
            y0,
            x1: x0 + 0.1,
            y1: y0 + 0.1,
        },
    };
    let targets = vec![
        target(0, 0.66, 0.06),
        target(1, 0.66, 0.18),
        target(2, 0.66, 0.30),
        target(3, 0.24, 0.06),
    ];
    let mut hover = HoverDetector::new(HoverConfig::default());
    hover.set_targets(targets.clone());
    let mut swipe = SwipeDetector::new(SwipeConfig::default());
    let mut raise = RaiseHandsDetector::new(RaiseHandsConfig::default());
    let mut events = Vec::new();
    for at in frames(ms(0), ms(11_000), Duration::from_micros(33_333)) {
        let body = natural_movement(at).map(|person| person.body());
        let body = body.as_ref();
        if let Some(event) = hover.update(body, at) {
            events.push(format!("{at:?} hover {event:?}"));
        }
        if let Some(event) = swipe.update(body, at) {
            events.push(format!("{at:?} swipe {event:?}"));
        }
        if let Some(event) = raise.update(body, at) {
            events.push(format!("{at:?} raise {event:?}"));
        }
    }
    assert_eq!(events, Vec::<String>::new());
    // The same stream with the right hand held over carousel item 1 for a
    // second in the middle of the turn does pick it: the targets are in
    // reach.
    let mut hover = HoverDetector::new(HoverConfig::default());
    hover.set_targets(targets);
    let mut picks = Vec::new();
    for at in frames(ms(0), ms(11_000), Duration::from_micros(33_333)) {
        let mut person = natural_movement(at);
        if let Some(person) = person
            .as_mut()
            .filter(|_| (ms(6000)..ms(7500)).contains(&at))
        {
            person.right = Arm::Raised([0.71, 0.23]);
        }
        let body = person.map(|person| person.body());
        if let Some(HoverEvent::Picked { id }) = hover.update(body.as_ref(), at) {
            picks.push(id);
        }
    }
    assert_eq!(picks, [1]);
}
