//! The tracker on scripted streams of bodies, frames 40 ms apart unless
//! said otherwise.

use super::*;
use crate::kiosk::test_bodies::{frames, ms, progress, Person};
use PresenceEvent::{Entered, Left};

const FRAME: Duration = Duration::from_millis(40);

/// Runs `scene` (the body at each time, or `None`) through a default
/// tracker at `FRAME` intervals from 0 to `end_ms`; every event with its
/// time.
fn run(end_ms: u64, scene: impl Fn(Duration) -> Option<Person>) -> Vec<(Duration, PresenceEvent)> {
    let mut tracker = PersonTracker::new(PresenceConfig::default());
    run_on(&mut tracker, frames(ms(0), ms(end_ms), FRAME), scene)
}

fn run_on(
    tracker: &mut PersonTracker,
    times: Vec<Duration>,
    scene: impl Fn(Duration) -> Option<Person>,
) -> Vec<(Duration, PresenceEvent)> {
    let mut events = Vec::new();
    for at in times {
        let body = scene(at).map(|person| person.body());
        for event in tracker.update(body.as_ref(), at) {
            events.push((at, event));
        }
    }
    events
}

fn shopper() -> Person {
    Person::new(0.5, 0.1, 0.85)
}

/// Present from `from_ms` (included) to `to_ms` (excluded).
fn between(from_ms: u64, to_ms: u64, person: Person) -> impl Fn(Duration) -> Option<Person> {
    move |at| (ms(from_ms) <= at && at < ms(to_ms)).then_some(person)
}

#[test]
fn body_size_is_the_stature_facing_turned_and_half_out_of_frame() {
    let aspect = PresenceConfig::default().aspect;
    let size = |person: Person| PersonTracker::body_size(&person.body(), aspect);
    assert!((size(shopper()) - 0.85).abs() < 1e-4, "{}", size(shopper()));
    let turned = Person {
        facing: 0.3,
        ..shopper()
    };
    assert!((size(turned) - 0.85).abs() < 1e-4, "{}", size(turned));
    // Close up: hips (y 0.2 + 1.6 × 0.474 = 0.96) and below out of frame.
    let close = Person::new(0.5, 0.2, 1.6);
    assert!((size(close) - 1.6).abs() < 1e-4, "{}", size(close));
}

#[test]
fn nobody_gives_no_events() {
    let mut tracker = PersonTracker::new(PresenceConfig::default());
    let events = run_on(&mut tracker, frames(ms(0), ms(20_000), FRAME), |_| None);
    assert_eq!(events, []);
    assert!(!tracker.is_present());
}

#[test]
fn a_person_for_one_second_enters_once_after_enter_after() {
    let mut tracker = PersonTracker::new(PresenceConfig::default());
    let events = run_on(
        &mut tracker,
        frames(ms(0), ms(1000), FRAME),
        between(0, 1000, shopper()),
    );
    // The first frame at least 300 ms after the first sighting.
    assert_eq!(events, [(ms(320), Entered)]);
    assert!(tracker.is_present());
    // Gone, but not for `leave_after` yet.
    let events = run_on(&mut tracker, frames(ms(1000), ms(8960), FRAME), |_| None);
    assert_eq!(events, []);
    assert!(tracker.is_present());
}

#[test]
fn a_100_ms_flicker_does_not_enter() {
    assert_eq!(run(10_000, between(2000, 2100, shopper())), []);
}

#[test]
fn a_dropped_frame_keeps_the_count_a_longer_gap_restarts_it() {
    // 120 and 160 missing: the frames at 80 and 200 are 120 ms apart.
    let two_dropped = |at: Duration| (at != ms(120) && at != ms(160)).then_some(shopper());
    assert_eq!(run(1000, two_dropped), [(ms(320), Entered)]);
    // 120 to 200 missing: 160 ms between sightings, the count restarts at
    // 240 and reaches 300 ms at 540, the next frame being 560.
    let three_dropped = |at: Duration| (at < ms(120) || at > ms(200)).then_some(shopper());
    assert_eq!(run(1000, three_dropped), [(ms(560), Entered)]);
}

#[test]
fn a_small_passer_by_walking_across_never_enters() {
    let passer_by = |at: Duration| {
        let walked = progress(at, ms(0), ms(5000));
        Some(Person::new(0.05 + 0.9 * walked, 0.5, 0.1))
    };
    assert_eq!(run(5000, passer_by), []);
}

#[test]
fn leaving_gives_left_after_leave_after_with_the_dwell() {
    let mut tracker = PersonTracker::new(PresenceConfig::default());
    let events = run_on(
        &mut tracker,
        frames(ms(0), ms(20_000), FRAME),
        between(0, 5000, shopper()),
    );
    // Last seen at 4960, entered at 320; left 8 s after 4960.
    assert_eq!(
        events,
        [(ms(320), Entered), (ms(12_960), Left { dwell: ms(4640) })]
    );
    assert!(!tracker.is_present());
}

#[test]
fn set_leave_after_shortens_the_wait() {
    let mut tracker = PersonTracker::new(PresenceConfig::default());
    tracker.set_leave_after(ms(2000));
    assert_eq!(tracker.config().leave_after, ms(2000));
    let events = run_on(
        &mut tracker,
        frames(ms(0), ms(10_000), FRAME),
        between(0, 1000, shopper()),
    );
    assert_eq!(
        events,
        [(ms(320), Entered), (ms(2960), Left { dwell: ms(640) })]
    );
}

#[test]
fn a_one_second_loss_while_present_changes_nothing() {
    let mut tracker = PersonTracker::new(PresenceConfig::default());
    let scene = |at: Duration| (at < ms(3000) || at >= ms(4000)).then_some(shopper());
    let events = run_on(&mut tracker, frames(ms(0), ms(6000), FRAME), scene);
    assert_eq!(events, [(ms(320), Entered)]);
    assert!(tracker.is_present());
}

#[test]
fn a_cut_to_another_person_leaves_then_enters() {
    let first = Person::new(0.35, 0.1, 0.85);
    let second = Person::new(0.7, 0.12, 0.8);
    let scene = |at: Duration| Some(if at < ms(3000) { first } else { second });
    assert_eq!(
        run(5000, scene),
        [
            (ms(320), Entered),
            (ms(3000), Left { dwell: ms(2640) }),
            (ms(3320), Entered),
        ]
    );
}

#[test]
fn a_cut_to_a_person_of_another_size_in_the_same_place_leaves_then_enters() {
    // 0.85 to 0.6 is 29 % smaller; the shoulders' centre moves 0.023.
    let first = Person::new(0.5, 0.1, 0.85);
    let second = Person::new(0.5, 0.15, 0.6);
    let scene = |at: Duration| Some(if at < ms(2000) { first } else { second });
    assert_eq!(
        run(3000, scene),
        [
            (ms(320), Entered),
            (ms(2000), Left { dwell: ms(1640) }),
            (ms(2320), Entered),
        ]
    );
}

#[test]
fn a_cut_smoothed_over_three_frames_is_still_a_switch() {
    // The landmark filter may spread the jump: three steps of 0.12 of the
    // width (0.21 frame heights), each under `switch_jump`, at 2000, 2040
    // and 2080. Two steps within 100 ms are over it.
    let scene = |at: Duration| {
        let steps = (at.saturating_sub(ms(1960)).as_millis() / 40).min(3);
        Some(Person::new(0.2 + 0.12 * steps as f32, 0.1, 0.85))
    };
    assert_eq!(
        run(3000, scene),
        [
            (ms(320), Entered),
            (ms(2040), Left { dwell: ms(1680) }),
            (ms(2360), Entered),
        ]
    );
}

#[test]
fn natural_movement_is_not_a_switch() {
    // 30 fps; walking across at 0.02 of the width a frame (about 1 frame
    // height a second), then stepping closer, turning and bending.
    let period = Duration::from_micros(33_333);
    let times = frames(ms(0), ms(6000), period);
    let scene = |at: Duration| {
        let frame = (at.as_micros() / 33_333) as f32;
        let walked = (0.1 + 0.02 * frame).min(0.7);
        let closer = progress(at, ms(1500), ms(2500));
        let turned = progress(at, ms(2500), ms(3500));
        let bent = progress(at, ms(3500), ms(4500)) - progress(at, ms(4500), ms(5500));
        let mut person = Person::new(walked, 0.1 + 0.2 * bent, 0.7 + 0.3 * closer);
        person.facing = 1.0 - 0.7 * turned;
        Some(person)
    };
    let mut tracker = PersonTracker::new(PresenceConfig::default());
    let events = run_on(&mut tracker, times, scene);
    // Frame 9 (299.997 ms) is just short of 300 ms; frame 10 enters.
    assert_eq!(events, [(Duration::from_micros(333_330), Entered)]);
}
