//! Hovering scripted hands over two targets on the right of a shopper,
//! frames 40 ms apart.

use super::*;
use crate::kiosk::test_bodies::{frames, ms, Arm, Person};
use HoverEvent::{Cancelled, Picked, Progress};

const FRAME: Duration = Duration::from_millis(40);
const A: usize = 7;
const B: usize = 8;
/// On the shopper's left (the picture's left), for the other hand.
const C: usize = 9;
const A_CENTER: [f32; 2] = [0.72, 0.2];
const B_CENTER: [f32; 2] = [0.72, 0.35];
const C_CENTER: [f32; 2] = [0.28, 0.2];

fn targets() -> Vec<HoverTarget> {
    let around = |id, [x, y]: [f32; 2]| HoverTarget {
        id,
        rect: Rect {
            x0: x - 0.05,
            y0: y - 0.06,
            x1: x + 0.05,
            y1: y + 0.06,
        },
    };
    vec![
        around(A, A_CENTER),
        around(B, B_CENTER),
        around(C, C_CENTER),
    ]
}

fn shopper() -> Person {
    Person::new(0.5, 0.1, 0.85)
}

/// The shopper with the right index fingertip at `point`.
fn right_hand_at(point: [f32; 2]) -> Option<Person> {
    Some(shopper().right(Arm::Raised(point)))
}

/// Every event of `scene` from 0 to `end_ms`, with its time.
fn run(end_ms: u64, scene: impl Fn(Duration) -> Option<Person>) -> Vec<(Duration, HoverEvent)> {
    let mut detector = HoverDetector::new(HoverConfig::default());
    detector.set_targets(targets());
    let mut events = Vec::new();
    for at in frames(ms(0), ms(end_ms), FRAME) {
        let body = scene(at).map(|person| person.body());
        if let Some(event) = detector.update(body.as_ref(), at) {
            events.push((at, event));
        }
    }
    events
}

fn picks(events: &[(Duration, HoverEvent)]) -> Vec<(Duration, usize)> {
    events
        .iter()
        .filter_map(|&(at, event)| match event {
            Picked { id } => Some((at, id)),
            _ => None,
        })
        .collect()
}

fn cancels(events: &[(Duration, HoverEvent)]) -> Vec<Duration> {
    events
        .iter()
        .filter(|(_, event)| *event == Cancelled)
        .map(|&(at, _)| at)
        .collect()
}

#[test]
fn rect_contains_its_edges_and_grows_on_each_axis() {
    let rect = Rect {
        x0: 0.1,
        y0: 0.2,
        x1: 0.3,
        y1: 0.4,
    };
    assert!(rect.contains([0.1, 0.4]));
    assert!(!rect.contains([0.09, 0.3]));
    let grown = rect.grown(0.05, 0.1);
    assert!(grown.contains([0.06, 0.45]));
    assert!(!grown.contains([0.06, 0.55]));
    assert!(!rect.grown(-0.11, 0.0).contains([0.2, 0.3]));
}

#[test]
fn hovering_for_the_dwell_picks_once_with_rising_progress() {
    let events = run(3000, |_| right_hand_at(A_CENTER));
    assert_eq!(picks(&events), [(ms(1000), A)]);
    // Progress on every frame before the pick (0, 40, …, 960), rising.
    let progress: Vec<(Duration, f32)> = events
        .iter()
        .filter_map(|&(at, event)| match event {
            Progress { id: A, fraction } => Some((at, fraction)),
            _ => None,
        })
        .collect();
    assert_eq!(progress.len(), 25);
    assert_eq!(progress[0], (ms(0), 0.0));
    assert!(progress.windows(2).all(|pair| pair[1].1 > pair[0].1));
    assert!((progress[24].1 - 0.96).abs() < 1e-6, "{progress:?}");
    // Nothing after the pick while the hand stays.
    assert_eq!(events.len(), 26);
}

#[test]
fn hovered_reports_the_target_and_progress() {
    let mut detector = HoverDetector::new(HoverConfig::default());
    detector.set_targets(targets());
    let body = shopper().right(Arm::Raised(A_CENTER)).body();
    assert_eq!(detector.hovered(), None);
    detector.update(Some(&body), ms(100));
    assert_eq!(detector.hovered(), Some((A, 0.0)));
    detector.update(Some(&body), ms(350));
    assert_eq!(detector.hovered(), Some((A, 0.25)));
    assert_eq!(
        detector.update(Some(&body), ms(1100)),
        Some(Picked { id: A })
    );
    assert_eq!(detector.hovered(), None);
}

#[test]
fn leaving_at_half_a_second_cancels_without_a_pick() {
    let events = run(3000, |at| {
        if at < ms(500) {
            right_hand_at(A_CENTER)
        } else {
            Some(shopper())
        }
    });
    assert_eq!(picks(&events), []);
    // Last over it at 480; the grace of 200 ms ends at 680.
    assert_eq!(cancels(&events), [ms(680)]);
    assert_eq!(events.last(), Some(&(ms(680), Cancelled)));
}

#[test]
fn jitter_across_the_border_within_the_margin_keeps_progress() {
    // A's bottom edge is at 0.26; the margin is 0.02.
    let events = run(2000, |at| {
        let frame = at.as_millis() / 40;
        let y = match frame {
            0 => A_CENTER[1],
            _ if frame % 2 == 1 => 0.275,
            _ => 0.255,
        };
        right_hand_at([A_CENTER[0], y])
    });
    assert_eq!(picks(&events), [(ms(1000), A)]);
    assert_eq!(cancels(&events), []);
}

#[test]
fn a_hand_just_inside_the_edge_does_not_start_a_hover() {
    // 0.01 inside A's bottom edge, within the margin.
    let events = run(2000, |_| right_hand_at([A_CENTER[0], 0.25]));
    assert_eq!(events, []);
}

#[test]
fn a_hand_lost_for_100_ms_keeps_progress() {
    let events = run(2000, |at| {
        if (ms(400)..ms(500)).contains(&at) {
            None
        } else {
            right_hand_at(A_CENTER)
        }
    });
    assert_eq!(picks(&events), [(ms(1000), A)]);
    assert_eq!(cancels(&events), []);
}

#[test]
fn a_hand_lost_for_400_ms_starts_again() {
    let events = run(3000, |at| {
        if (ms(400)..ms(800)).contains(&at) {
            None
        } else {
            right_hand_at(A_CENTER)
        }
    });
    // Last seen at 360: cancelled at 560; back at 800, picked a dwell later.
    assert_eq!(cancels(&events), [ms(560)]);
    assert_eq!(picks(&events), [(ms(1800), A)]);
}

#[test]
fn staying_after_a_pick_does_not_pick_again_until_the_hand_leaves() {
    let events = run(6000, |at| {
        let away = (ms(3000)..ms(3100)).contains(&at) || (ms(3600)..ms(4000)).contains(&at);
        if away {
            Some(shopper())
        } else {
            right_hand_at(A_CENTER)
        }
    });
    // Away for 100 ms (less than the grace) does not re-arm; away for
    // 400 ms does, and the hover restarts when the hand is back at 4000.
    assert_eq!(picks(&events), [(ms(1000), A), (ms(5000), A)]);
}

#[test]
fn a_hand_with_low_visibility_is_ignored() {
    let events = run(2000, |_| {
        right_hand_at(A_CENTER).map(|person| Person {
            right_visibility: 0.3,
            ..person
        })
    });
    assert_eq!(events, []);
}

#[test]
fn moving_to_the_next_target_switches_at_once() {
    let events = run(3000, |at| {
        right_hand_at(if at < ms(500) { A_CENTER } else { B_CENTER })
    });
    assert_eq!(cancels(&events), [ms(520)]);
    assert_eq!(picks(&events), [(ms(1560), B)]);
}

#[test]
fn with_both_hands_over_targets_the_first_keeps_the_hover() {
    let events = run(4000, |at| {
        let person = shopper().right(Arm::Raised(A_CENTER));
        Some(if at >= ms(200) {
            person.left(Arm::Raised(C_CENTER))
        } else {
            person
        })
    });
    // The left hand takes over on the update after A's pick; neither is
    // picked again while both hands stay.
    assert_eq!(picks(&events), [(ms(1000), A), (ms(2040), C)]);
    assert_eq!(cancels(&events), []);
}

#[test]
fn a_target_removed_while_hovered_cancels() {
    let mut detector = HoverDetector::new(HoverConfig::default());
    detector.set_targets(targets());
    let body = shopper().right(Arm::Raised(A_CENTER)).body();
    assert_eq!(
        detector.update(Some(&body), ms(0)),
        Some(Progress {
            id: A,
            fraction: 0.0
        })
    );
    detector.set_targets(targets().into_iter().filter(|t| t.id != A).collect());
    assert_eq!(detector.update(Some(&body), ms(40)), Some(Cancelled));
    assert_eq!(detector.update(Some(&body), ms(80)), None);
}
