//! The session on scripted shoppers, frames 40 ms apart, each frame's body
//! then the clock (as `Kiosk::tick` feeds them), with short timings: idle
//! 2 s, countdown 3 s, flash 400 ms, snapshot shown 5 s, pointer dwell 1 s.
//! A shopper standing from 0 is entered at 320 ms (the tracker's 300 ms).

use super::*;
use crate::kiosk::gesture::Rect;
use crate::kiosk::test_bodies::{frames, lerp, ms, progress, Arm, Person, ASPECT};
use Action::{Log, ResetOutfit, Step, TakeSnapshot, WearSlot};
use KioskEvent::{Attract, PersonEntered, PersonLeft};

const FRAME: Duration = Duration::from_millis(40);
/// Two carousel slots right of the shopper, the camera button left.
const SLOT_0_CENTER: [f32; 2] = [0.72, 0.2];
const SLOT_1_CENTER: [f32; 2] = [0.72, 0.35];
const CAMERA_CENTER: [f32; 2] = [0.28, 0.2];
/// A raised hand's height while swiping, clear of the slots.
const SWIPE_Y: f32 = 0.3;

fn timings() -> Timings {
    Timings {
        idle: Duration::from_secs(2),
        countdown: Duration::from_secs(3),
        flash: ms(400),
        snapshot_shown: Duration::from_secs(5),
        pointer_dwell: Duration::from_secs(1),
    }
}

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
        around(0, SLOT_0_CENTER),
        around(1, SLOT_1_CENTER),
        around(CAMERA_TARGET, CAMERA_CENTER),
    ]
}

fn shopper() -> Person {
    Person::new(0.5, 0.1, 0.85)
}

fn both_hands_up() -> Person {
    let person = shopper();
    person
        .left(Arm::Raised(person.at(-0.15, -0.1)))
        .right(Arm::Raised(person.at(0.15, -0.1)))
}

/// A session with the test targets, fed frame by frame; every action is
/// kept with its time.
struct Script {
    session: Session,
    actions: Vec<(Duration, Action)>,
}

impl Script {
    fn new(gestures: bool) -> Script {
        let (mut session, actions) = Session::new(timings(), gestures);
        assert_eq!(actions, [Log(Attract)]);
        session.set_targets(targets());
        Script {
            session,
            actions: Vec::new(),
        }
    }

    /// A shopper stood in front from 0 to 400 ms: entered at 320 ms.
    fn entered(gestures: bool) -> Script {
        let mut script = Script::new(gestures);
        script.run(0, 400, |_| Some(shopper()));
        assert_eq!(script.take(), [(ms(320), Log(PersonEntered))]);
        assert_eq!(script.mode(), Mode::Dressed);
        script
    }

    /// One frame at `at`: its body, then the clock.
    fn frame(&mut self, at: Duration, person: Option<Person>) {
        let body = person.map(|person| person.body());
        let mut actions = self.session.on_frame(body.as_ref(), ASPECT, at);
        actions.extend(self.session.on_time(at));
        self.actions
            .extend(actions.into_iter().map(|action| (at, action)));
    }

    /// Frames from `from_ms` (included) to `to_ms` (excluded).
    fn run(&mut self, from_ms: u64, to_ms: u64, scene: impl Fn(Duration) -> Option<Person>) {
        for at in frames(ms(from_ms), ms(to_ms), FRAME) {
            self.frame(at, scene(at));
        }
    }

    /// The actions since the last call, with their times.
    fn take(&mut self) -> Vec<(Duration, Action)> {
        std::mem::take(&mut self.actions)
    }

    fn mode(&self) -> Mode {
        self.session.mode()
    }
}

/// The hover's fraction after `hovered` of the 1 s dwell, as the hover
/// detector computes it.
fn dwell_fraction(hovered: Duration) -> f32 {
    hovered.as_secs_f64() as f32
}

#[test]
fn it_starts_in_attract_mode_and_logs_it() {
    let (session, actions) = Session::new(timings(), true);
    assert_eq!(actions, [Log(Attract)]);
    assert_eq!(session.mode(), Mode::Attract);
    assert!(!session.person_present());
    assert_eq!(session.ring(ms(0)), None);
    assert_eq!(session.countdown_digit(ms(0)), None);
    assert_eq!(session.flash(ms(0)), 0.0);
}

#[test]
fn a_shopper_is_dressed_300_ms_after_stepping_in_and_attract_is_back_idle_after_leaving() {
    let mut script = Script::new(true);
    script.run(0, 320, |_| Some(shopper()));
    assert_eq!(script.take(), []);
    assert_eq!(script.mode(), Mode::Attract);
    script.run(320, 3000, |_| Some(shopper()));
    assert_eq!(script.take(), [(ms(320), Log(PersonEntered))]);
    assert_eq!(script.mode(), Mode::Dressed);
    assert!(script.session.person_present());
    // Last seen at 2960: gone for the idle 2 s at 4960.
    script.run(3000, 4960, |_| None);
    assert_eq!(script.take(), []);
    assert_eq!(script.mode(), Mode::Dressed);
    script.run(4960, 8000, |_| None);
    assert_eq!(
        script.take(),
        [
            (ms(4960), Log(PersonLeft { dwell: ms(2640) })),
            (ms(4960), ResetOutfit),
            (ms(4960), Log(Attract)),
        ]
    );
    assert_eq!(script.mode(), Mode::Attract);
    assert!(!script.session.person_present());
}

#[test]
fn a_hand_held_over_a_slot_for_a_second_wears_it_once_and_fills_the_ring() {
    let mut script = Script::entered(true);
    let scene = |at: Duration| {
        let arm = match at < ms(600) {
            true => Arm::Down,
            false => Arm::Raised(SLOT_1_CENTER),
        };
        Some(shopper().right(arm))
    };
    script.run(400, 600, scene);
    assert_eq!(script.session.ring(ms(560)), None);
    // The ring follows the hand's hover frame by frame, filling up.
    let hovered = frames(ms(600), ms(1600), FRAME);
    let rings: Vec<_> = hovered
        .iter()
        .map(|&at| {
            script.frame(at, scene(at));
            script.session.ring(at)
        })
        .collect();
    let expected: Vec<_> = hovered
        .iter()
        .map(|&at| Some((1, dwell_fraction(at - ms(600)))))
        .collect();
    assert_eq!(rings, expected);
    assert_eq!(rings[10], Some((1, 0.4)), "400 ms in at 1000 ms");
    assert_eq!(script.take(), []);
    // Held on for 3 s more: one pick, no ring after it.
    script.frame(ms(1600), scene(ms(1600)));
    assert_eq!(script.session.ring(ms(1600)), None);
    script.run(1640, 4600, scene);
    assert_eq!(script.take(), [(ms(1600), WearSlot(1))]);
    assert_eq!(script.mode(), Mode::Dressed);
}

#[test]
fn a_hand_held_over_the_camera_button_starts_the_countdown() {
    let mut script = Script::entered(true);
    // The left hand this time.
    let on_camera = |_| Some(shopper().left(Arm::Raised(CAMERA_CENTER)));
    script.run(400, 1400, on_camera);
    assert_eq!(script.mode(), Mode::Dressed);
    assert_eq!(
        script.session.ring(ms(1360)),
        Some((CAMERA_TARGET, dwell_fraction(ms(960))))
    );
    script.frame(ms(1400), on_camera(ms(1400)));
    assert_eq!(script.take(), []);
    assert_eq!(script.mode(), Mode::Countdown { started: ms(1400) });
    assert_eq!(script.session.ring(ms(1400)), None);
}

#[test]
fn raising_both_hands_for_600_ms_starts_the_countdown() {
    let mut script = Script::entered(true);
    let scene = |at: Duration| {
        Some(if at < ms(1000) {
            shopper()
        } else {
            both_hands_up()
        })
    };
    script.run(400, 1600, scene);
    assert_eq!(script.mode(), Mode::Dressed);
    script.frame(ms(1600), scene(ms(1600)));
    assert_eq!(script.take(), []);
    assert_eq!(script.mode(), Mode::Countdown { started: ms(1600) });
}

#[test]
fn the_countdown_shows_3_2_1_then_takes_the_snapshot_with_a_fading_flash() {
    let mut script = Script::entered(true);
    script.run(400, 1000, |_| Some(shopper()));
    script.run(1000, 1640, |_| Some(both_hands_up()));
    assert_eq!(script.mode(), Mode::Countdown { started: ms(1600) });
    let digit = |at_ms| script.session.countdown_digit(ms(at_ms));
    let digits = [1600, 2599, 2600, 3599, 3600, 4599].map(digit);
    assert_eq!(
        digits,
        [Some(3), Some(3), Some(2), Some(2), Some(1), Some(1)]
    );
    assert_eq!(script.session.flash(ms(2000)), 0.0);

    script.run(1640, 4600, |_| Some(shopper()));
    assert_eq!(script.take(), []);
    script.frame(ms(4600), Some(shopper()));
    assert_eq!(script.take(), [(ms(4600), TakeSnapshot)]);
    assert_eq!(script.mode(), Mode::Snapshot { taken: ms(4600) });
    assert_eq!(script.session.countdown_digit(ms(4600)), None);
    let flash = [4600, 4700, 4800, 5000, 6000].map(|at_ms| script.session.flash(ms(at_ms)));
    assert_eq!(flash, [1.0, 0.75, 0.5, 0.0, 0.0]);
    assert_eq!(script.session.ring(ms(4600)), None);

    // Shown for 5 s, then dressed again.
    script.run(4640, 9600, |_| Some(shopper()));
    assert_eq!(script.mode(), Mode::Snapshot { taken: ms(4600) });
    script.frame(ms(9600), Some(shopper()));
    assert_eq!(script.mode(), Mode::Dressed);
    assert_eq!(script.take(), []);
}

#[test]
fn a_click_elsewhere_or_a_step_leaves_the_snapshot_at_once() {
    let mut script = Script::entered(true);
    assert_eq!(script.session.request_snapshot(ms(400)), []);
    assert_eq!(script.mode(), Mode::Countdown { started: ms(400) });
    script.run(400, 3440, |_| Some(shopper()));
    assert_eq!(script.take(), [(ms(3400), TakeSnapshot)]);
    assert_eq!(script.session.click(None, ms(3500)), []);
    assert_eq!(script.mode(), Mode::Dressed);

    assert_eq!(script.session.request_snapshot(ms(3600)), []);
    script.run(3600, 6640, |_| Some(shopper()));
    assert_eq!(script.take(), [(ms(6600), TakeSnapshot)]);
    assert_eq!(script.session.step(-1, ms(6700)), [Step(-1)]);
    assert_eq!(script.mode(), Mode::Dressed);
}

/// The snapshot and attract screens show no carousel and no camera
/// button: a click where one would be is a click elsewhere.
#[test]
fn a_click_where_a_hidden_slot_would_be_picks_nothing() {
    let (mut session, _) = Session::new(timings(), true);
    assert_eq!(session.click(Some(1), ms(100)), []);
    assert_eq!(session.mode(), Mode::Dressed);
    assert_eq!(session.request_snapshot(ms(200)), []);
    assert_eq!(session.click(Some(0), ms(1000)), []);
    assert_eq!(session.mode(), Mode::Countdown { started: ms(200) });
    assert_eq!(session.on_time(ms(3200)), [TakeSnapshot]);
    assert_eq!(session.click(Some(CAMERA_TARGET), ms(3500)), []);
    assert_eq!(session.mode(), Mode::Dressed);
    // Dressed, the carousel is there: a click wears at once.
    assert_eq!(session.click(Some(1), ms(3600)), [WearSlot(1)]);
}

#[test]
fn swiping_a_raised_hand_steps_to_the_next_and_back() {
    let mut script = Script::entered(true);
    let scene = |at: Duration| {
        let x = if at < ms(2600) {
            lerp(
                [0.45, SWIPE_Y],
                [0.65, SWIPE_Y],
                progress(at, ms(1000), ms(1400)),
            )
        } else {
            lerp(
                [0.65, SWIPE_Y],
                [0.45, SWIPE_Y],
                progress(at, ms(2600), ms(3000)),
            )
        };
        let arm = match at < ms(1000) {
            true => Arm::Down,
            false => Arm::Raised(x),
        };
        Some(shopper().right(arm))
    };
    script.run(400, 4000, scene);
    // 0.25 frame heights is 0.1406 of the width: passed 320 ms into each
    // 400 ms sweep of 0.2.
    assert_eq!(script.take(), [(ms(1320), Step(1)), (ms(2920), Step(-1))]);
    assert_eq!(script.mode(), Mode::Dressed);
}

#[test]
fn with_gestures_off_bodies_pick_nothing_but_presence_still_counts() {
    let mut script = Script::entered(false);
    let scene = |at: Duration| {
        let person = if at < ms(2000) {
            shopper().right(Arm::Raised(SLOT_1_CENTER))
        } else if at < ms(3000) {
            both_hands_up()
        } else {
            let t = progress(at, ms(3000), ms(3400));
            shopper().right(Arm::Raised(lerp([0.45, SWIPE_Y], [0.65, SWIPE_Y], t)))
        };
        (at < ms(4000)).then_some(person)
    };
    for at in frames(ms(400), ms(8000), FRAME) {
        script.frame(at, scene(at));
        assert_eq!(script.session.ring(at), None, "at {at:?}");
    }
    assert_eq!(
        script.take(),
        [
            (ms(5960), Log(PersonLeft { dwell: ms(3640) })),
            (ms(5960), ResetOutfit),
            (ms(5960), Log(Attract)),
        ]
    );
    assert_eq!(script.mode(), Mode::Attract);
}

#[test]
fn a_small_passer_by_never_wakes_it() {
    let mut script = Script::new(true);
    // 0.15 frame heights tall (the least that counts is 0.25), hands up.
    let passer_by = Person::new(0.3, 0.5, 0.15);
    let passer_by = passer_by
        .left(Arm::Raised(passer_by.at(-0.15, -0.1)))
        .right(Arm::Raised(passer_by.at(0.15, -0.1)));
    script.run(0, 5000, |_| Some(passer_by));
    assert_eq!(script.take(), []);
    assert_eq!(script.mode(), Mode::Attract);
    assert!(!script.session.person_present());
}

#[test]
fn a_key_wakes_it_and_it_sleeps_again_idle_after_the_last_key_with_nobody_there() {
    let mut script = Script::new(true);
    script.run(0, 1000, |_| None);
    assert_eq!(script.session.step(1, ms(1000)), [Step(1)]);
    assert_eq!(script.mode(), Mode::Dressed);
    script.run(1000, 2500, |_| None);
    assert_eq!(script.session.step(-1, ms(2500)), [Step(-1)]);
    script.run(2520, 4500, |_| None);
    assert_eq!(script.take(), []);
    assert_eq!(script.session.on_time(ms(4499)), []);
    assert_eq!(script.mode(), Mode::Dressed);
    assert_eq!(
        script.session.on_time(ms(4500)),
        [ResetOutfit, Log(Attract)]
    );
    assert_eq!(script.mode(), Mode::Attract);
    assert_eq!(script.session.on_time(ms(9000)), []);
}

#[test]
fn a_snapshot_asked_for_with_nobody_in_view_is_shown_for_its_time() {
    let (mut session, _) = Session::new(timings(), true);
    assert_eq!(session.request_snapshot(ms(0)), []);
    assert_eq!(session.mode(), Mode::Countdown { started: ms(0) });
    // Past the idle time since the key: the countdown goes on.
    assert_eq!(session.on_time(ms(2500)), []);
    assert_eq!(session.on_time(ms(3000)), [TakeSnapshot]);
    assert_eq!(session.on_time(ms(7999)), []);
    assert_eq!(session.mode(), Mode::Snapshot { taken: ms(3000) });
    // Shown for its 5 s; nobody there and the key long ago: attract.
    assert_eq!(session.on_time(ms(8000)), [ResetOutfit, Log(Attract)]);
    assert_eq!(session.mode(), Mode::Attract);
}

#[test]
fn a_pointer_resting_on_a_slot_for_the_dwell_wears_it_once() {
    let mut script = Script::new(true);
    script.session.pointer_over(Some(0), ms(500));
    // Like a key, the pointer wakes the kiosk.
    assert_eq!(script.mode(), Mode::Dressed);
    assert_eq!(script.session.ring(ms(500)), Some((0, 0.0)));
    // Moving within the same slot does not start over.
    script.session.pointer_over(Some(0), ms(900));
    assert_eq!(script.session.ring(ms(1000)), Some((0, 0.5)));
    assert_eq!(script.session.on_time(ms(1499)), []);
    assert_eq!(script.session.on_time(ms(1500)), [WearSlot(0)]);
    assert_eq!(script.session.ring(ms(1600)), None);
    assert_eq!(script.session.on_time(ms(1800)), []);

    // Off and onto the camera button: a countdown, as a hand's.
    script.session.pointer_over(None, ms(1900));
    script.session.pointer_over(Some(CAMERA_TARGET), ms(2000));
    assert_eq!(script.session.ring(ms(2250)), Some((CAMERA_TARGET, 0.25)));
    assert_eq!(script.session.on_time(ms(3000)), []);
    assert_eq!(script.mode(), Mode::Countdown { started: ms(3000) });
}

#[test]
fn a_hand_over_a_slot_during_the_countdown_picks_nothing() {
    let mut script = Script::entered(true);
    assert_eq!(script.session.request_snapshot(ms(400)), []);
    let scene = |at: Duration| {
        let arm = match at < ms(3400) {
            true => Arm::Raised(SLOT_0_CENTER),
            false => Arm::Down,
        };
        Some(shopper().right(arm))
    };
    for at in frames(ms(400), ms(3440), FRAME) {
        script.frame(at, scene(at));
        assert_eq!(script.session.ring(at), None, "at {at:?}");
    }
    assert_eq!(script.take(), [(ms(3400), TakeSnapshot)]);
}
