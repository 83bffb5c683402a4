//! The kiosk's state machine: attract → dressed → countdown → snapshot →
//! dressed, and back to attract when the shopper leaves. Fed by `Body`s,
//! the clock and the fallbacks (keys, pointer, touch); it says what to do
//! as `Action`s and never touches the GPU, so it is tested with scripted
//! landmark streams and times.

use std::time::Duration;

use crate::kiosk::events::KioskEvent;
use crate::kiosk::gesture::{
    HoverConfig, HoverDetector, HoverEvent, HoverTarget, RaiseHandsConfig, RaiseHandsDetector,
    Swipe, SwipeConfig, SwipeDetector,
};
use crate::kiosk::presence::{PersonTracker, PresenceConfig, PresenceEvent};
use crate::pose::Body;

/// The hover target id of the camera button; carousel slots are 0, 1, …
pub const CAMERA_TARGET: usize = usize::MAX;

/// How long each timed step lasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timings {
    /// Nobody there this long: back to attract mode.
    pub idle: Duration,
    /// 3-2-1 before the snapshot.
    pub countdown: Duration,
    /// The white flash fading after the snapshot.
    pub flash: Duration,
    /// How long the snapshot and its QR codes stay up.
    pub snapshot_shown: Duration,
    /// How long a pointer (mouse) must rest on an item to pick it, as a
    /// hand must.
    pub pointer_dwell: Duration,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings {
            idle: Duration::from_secs(8),
            countdown: Duration::from_secs(3),
            flash: Duration::from_millis(400),
            snapshot_shown: Duration::from_secs(20),
            pointer_dwell: Duration::from_secs(1),
        }
    }
}

/// What the kiosk shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    /// Nobody there: the invitation.
    Attract,
    /// A shopper, dressed; gestures are on.
    Dressed,
    /// Counting down to a snapshot that started at `started`.
    Countdown {
        /// When the countdown began.
        started: Duration,
    },
    /// The snapshot taken at `taken`, with its QR codes.
    Snapshot {
        /// When it was taken.
        taken: Duration,
    },
}

impl Mode {
    /// A word for the log: `attract`, `dressed`, `countdown`, `snapshot`.
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Attract => "attract",
            Mode::Dressed => "dressed",
            Mode::Countdown { .. } => "countdown",
            Mode::Snapshot { .. } => "snapshot",
        }
    }
}

/// What the kiosk must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Append to the event log.
    Log(KioskEvent),
    /// Wear the garment in carousel slot `n`.
    WearSlot(usize),
    /// Wear the next (+1) or previous (−1) garment.
    Step(isize),
    /// Take the snapshot now (the countdown ended).
    TakeSnapshot,
    /// Back to the catalog's default outfit, for the next shopper.
    ResetOutfit,
}

/// The detectors, made once the picture's aspect is known.
struct Detectors {
    aspect: f32,
    hover: HoverDetector,
    swipe: SwipeDetector,
    raise: RaiseHandsDetector,
}

/// A pointer (mouse) resting on a target.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PointerRest {
    target: usize,
    since: Duration,
    picked: bool,
}

/// The state machine (see the module's documentation).
pub struct Session {
    timings: Timings,
    gestures: bool,
    mode: Mode,
    presence: PersonTracker,
    detectors: Option<Detectors>,
    targets: Vec<HoverTarget>,
    /// The hand's hover now: (target, fraction).
    hand_hover: Option<(usize, f32)>,
    pointer: Option<PointerRest>,
    /// The last key, click or touch: keeps the kiosk awake without a body.
    last_interaction: Option<Duration>,
}

impl Session {
    /// Starts in attract mode; the event log gets `attract` at once.
    pub fn new(timings: Timings, gestures: bool) -> (Session, Vec<Action>) {
        let presence = PersonTracker::new(PresenceConfig {
            leave_after: timings.idle,
            ..PresenceConfig::default()
        });
        let session = Session {
            timings,
            gestures,
            mode: Mode::Attract,
            presence,
            detectors: None,
            targets: Vec::new(),
            hand_hover: None,
            pointer: None,
            last_interaction: None,
        };
        (session, vec![Action::Log(KioskEvent::Attract)])
    }

    /// The mode now.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The carousel slots and camera button, in the picture's coordinates.
    pub fn set_targets(&mut self, targets: Vec<HoverTarget>) {
        if let Some(d) = &mut self.detectors {
            d.hover.set_targets(targets.clone());
        }
        self.targets = targets;
    }

    /// One frame's body (`None`: nobody found) of a picture `aspect` wide
    /// (width / height), at `at`.
    pub fn on_frame(&mut self, body: Option<&Body>, aspect: f32, at: Duration) -> Vec<Action> {
        let mut actions = Vec::new();
        if self.detectors.as_ref().is_none_or(|d| d.aspect != aspect) {
            self.detectors = Some(self.make_detectors(aspect));
            let config = PresenceConfig {
                aspect,
                leave_after: self.timings.idle,
                ..PresenceConfig::default()
            };
            if self.presence.config() != &config {
                self.presence = PersonTracker::new(config);
            }
        }
        for event in self.presence.update(body, at) {
            match event {
                PresenceEvent::Entered => {
                    actions.push(Action::Log(KioskEvent::PersonEntered));
                    if self.mode == Mode::Attract {
                        self.mode = Mode::Dressed;
                    }
                }
                PresenceEvent::Left { dwell } => {
                    actions.push(Action::Log(KioskEvent::PersonLeft { dwell }));
                    actions.extend(self.back_to_attract());
                }
            }
        }
        // Only the dressed, present shopper's gestures count.
        let gesturing = self.gestures && self.presence.is_present() && self.mode == Mode::Dressed;
        let Some(detectors) = self.detectors.as_mut() else {
            return actions;
        };
        let body = body.filter(|_| gesturing);
        match detectors.hover.update(body, at) {
            Some(HoverEvent::Progress { id, fraction }) => self.hand_hover = Some((id, fraction)),
            Some(HoverEvent::Picked { id }) => {
                self.hand_hover = None;
                actions.extend(self.pick(id, at));
            }
            Some(HoverEvent::Cancelled) | None => self.hand_hover = None,
        }
        let Some(detectors) = self.detectors.as_mut() else {
            return actions;
        };
        if let Some(swipe) = detectors.swipe.update(body, at) {
            actions.push(Action::Step(match swipe {
                Swipe::Left => -1,
                Swipe::Right => 1,
            }));
        }
        if detectors.raise.update(body, at).is_some() {
            actions.extend(self.start_countdown(at));
        }
        actions
    }

    /// The clock alone: the countdown ends, the snapshot goes, an idle
    /// kiosk woken by a key goes back to attract.
    pub fn on_time(&mut self, at: Duration) -> Vec<Action> {
        let mut actions = Vec::new();
        match self.mode {
            Mode::Countdown { started } if at >= started + self.timings.countdown => {
                self.mode = Mode::Snapshot { taken: at };
                actions.push(Action::TakeSnapshot);
            }
            Mode::Snapshot { taken } if at >= taken + self.timings.snapshot_shown => {
                self.mode = Mode::Dressed;
            }
            _ => {}
        }
        let woken_by_hand = self
            .last_interaction
            .is_some_and(|t| at < t + self.timings.idle);
        // A countdown and its snapshot run to their end, with or without
        // a body in view (an idle time shorter than them must not throw
        // the photo away).
        let busy = matches!(self.mode, Mode::Countdown { .. } | Mode::Snapshot { .. });
        if self.mode != Mode::Attract && !self.presence.is_present() && !woken_by_hand && !busy {
            actions.extend(self.back_to_attract());
        }
        if let Some(rest) = &mut self.pointer {
            if !rest.picked && at >= rest.since + self.timings.pointer_dwell {
                rest.picked = true;
                let target = rest.target;
                actions.extend(self.pick(target, at));
            }
        }
        actions
    }

    /// A key, click or touch: wakes the kiosk like a shopper stepping in.
    fn interact(&mut self, at: Duration) {
        self.last_interaction = Some(at);
        if self.mode == Mode::Attract {
            self.mode = Mode::Dressed;
        }
    }

    /// Left/right arrow keys (or any other "next" control).
    pub fn step(&mut self, step: isize, at: Duration) -> Vec<Action> {
        self.interact(at);
        if let Mode::Snapshot { .. } = self.mode {
            self.mode = Mode::Dressed;
        }
        vec![Action::Step(step)]
    }

    /// The snapshot key, or a click on the camera button.
    pub fn request_snapshot(&mut self, at: Duration) -> Vec<Action> {
        self.interact(at);
        self.start_countdown(at)
    }

    /// A click or touch on `target` (a slot or `CAMERA_TARGET`): picked at
    /// once in dressed mode. `None` (a click elsewhere), or any click on a
    /// screen without them, wakes the kiosk and dismisses a snapshot.
    pub fn click(&mut self, target: Option<usize>, at: Duration) -> Vec<Action> {
        // Only the dressed screen shows the carousel and the camera button:
        // a click where a hidden one would be is a click elsewhere.
        let shown = self.mode == Mode::Dressed;
        self.interact(at);
        match target.filter(|_| shown) {
            Some(target) => self.pick(target, at),
            None => {
                if let Mode::Snapshot { .. } = self.mode {
                    self.mode = Mode::Dressed;
                }
                Vec::new()
            }
        }
    }

    /// The pointer rests on `target` (or on nothing) at `at`; resting for
    /// the pointer dwell picks it (`on_time` reports the pick).
    pub fn pointer_over(&mut self, target: Option<usize>, at: Duration) {
        match (target, &self.pointer) {
            (Some(t), Some(rest)) if rest.target == t => {}
            (Some(t), _) => {
                self.interact(at);
                self.pointer = Some(PointerRest {
                    target: t,
                    since: at,
                    picked: false,
                });
            }
            (None, _) => self.pointer = None,
        }
    }

    /// The ring to draw: the target hovered and how full, by hand or
    /// pointer; none outside dressed mode.
    pub fn ring(&self, at: Duration) -> Option<(usize, f32)> {
        if self.mode != Mode::Dressed {
            return None;
        }
        if let Some(rest) = self.pointer.filter(|r| !r.picked) {
            let fraction = (at.saturating_sub(rest.since)).as_secs_f32()
                / self.timings.pointer_dwell.as_secs_f32().max(1e-3);
            return Some((rest.target, fraction.min(1.0)));
        }
        self.hand_hover
    }

    /// The countdown's digit (3, 2, 1) during a countdown.
    pub fn countdown_digit(&self, at: Duration) -> Option<u32> {
        let Mode::Countdown { started } = self.mode else {
            return None;
        };
        let left = (started + self.timings.countdown).saturating_sub(at);
        Some((left.as_secs_f32().ceil() as u32).max(1))
    }

    /// The flash's strength (1 at the snapshot, fading to 0).
    pub fn flash(&self, at: Duration) -> f32 {
        let Mode::Snapshot { taken } = self.mode else {
            return 0.0;
        };
        let since = at.saturating_sub(taken).as_secs_f32();
        (1.0 - since / self.timings.flash.as_secs_f32().max(1e-3)).max(0.0)
    }

    /// Whether a shopper is there (as the presence tracker decides).
    pub fn person_present(&self) -> bool {
        self.presence.is_present()
    }

    fn pick(&mut self, target: usize, at: Duration) -> Vec<Action> {
        match self.mode {
            Mode::Dressed | Mode::Attract => {}
            _ => return Vec::new(),
        }
        if target == CAMERA_TARGET {
            return self.start_countdown(at);
        }
        self.mode = Mode::Dressed;
        vec![Action::WearSlot(target)]
    }

    fn start_countdown(&mut self, at: Duration) -> Vec<Action> {
        if matches!(self.mode, Mode::Dressed | Mode::Snapshot { .. }) {
            self.mode = Mode::Countdown { started: at };
            self.hand_hover = None;
        }
        Vec::new()
    }

    fn back_to_attract(&mut self) -> Vec<Action> {
        self.hand_hover = None;
        self.pointer = None;
        self.last_interaction = None;
        if self.mode == Mode::Attract {
            return Vec::new();
        }
        self.mode = Mode::Attract;
        vec![Action::ResetOutfit, Action::Log(KioskEvent::Attract)]
    }

    fn make_detectors(&self, aspect: f32) -> Detectors {
        let mut hover = HoverDetector::new(HoverConfig {
            aspect,
            ..HoverConfig::default()
        });
        hover.set_targets(self.targets.clone());
        Detectors {
            aspect,
            hover,
            swipe: SwipeDetector::new(SwipeConfig {
                aspect,
                ..SwipeConfig::default()
            }),
            raise: RaiseHandsDetector::new(RaiseHandsConfig::default()),
        }
    }
}

#[cfg(test)]
mod tests;
