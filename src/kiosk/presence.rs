//! Who is in front of the kiosk: [`PersonTracker`] turns the pose
//! pipeline's per-frame [`Body`] into "a shopper arrived" and "the shopper
//! left" events, with hysteresis so a dropped frame, a passer-by in the
//! distance or a brief occlusion changes nothing.
//!
//! Time is the caller's (`at`, a [`Duration`] since any fixed start), so
//! the tracker is deterministic and testable.

use std::collections::VecDeque;
use std::time::Duration;

use crate::pose::{Body, BodyLandmark};

/// How [`PersonTracker`] decides that someone is there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PresenceConfig {
    /// The frame's width / height, so that distances across and down are
    /// both measured in frame heights; default 16 / 9.
    pub aspect: f32,
    /// The smallest body that counts, as [`PersonTracker::body_size`] (about
    /// the person's standing height) in frame heights; default 0.25. A
    /// passer-by in the background is smaller.
    pub min_person_height: f32,
    /// How long a qualifying person must be seen continuously before
    /// [`PresenceEvent::Entered`]; default 300 ms.
    pub enter_after: Duration,
    /// How long without a qualifying person before [`PresenceEvent::Left`]
    /// (the kiosk's idle time); default 8 s.
    pub leave_after: Duration,
    /// A jump of the body that means another person (a cut in a video):
    /// the shoulders' centre moving more than this many frame heights, or
    /// the body size changing by more than this fraction of the larger
    /// size, between two consecutive qualifying frames less than 250 ms
    /// apart (or any two less than 100 ms apart); default 0.25.
    pub switch_jump: f32,
}

impl Default for PresenceConfig {
    fn default() -> Self {
        PresenceConfig {
            aspect: 16.0 / 9.0,
            min_person_height: 0.25,
            enter_after: Duration::from_millis(300),
            leave_after: Duration::from_secs(8),
            switch_jump: 0.25,
        }
    }
}

/// What changed in front of the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresenceEvent {
    /// A shopper has been there for [`PresenceConfig::enter_after`].
    Entered,
    /// The shopper is gone (or another person replaced them).
    Left {
        /// From the `Entered` event to the shopper's last qualifying frame.
        dwell: Duration,
    },
}

/// Qualifying frames at most this far apart are one continuous sighting:
/// a dropped frame or two does not restart the count towards `Entered`.
const MAX_GAP: Duration = Duration::from_millis(150);
/// A jump is looked for between a qualifying frame and the previous one
/// when they are less than this far apart.
const SWITCH_WINDOW: Duration = Duration::from_millis(250);
/// ... and between a qualifying frame and every earlier one less than this
/// far back, which catches a cut that the landmark smoothing spreads over a
/// few frames while natural movement (a fast walk moves the shoulders about
/// 0.04 frame heights a frame at 30 fps) stays far below the jump.
const SMOOTHED_CUT_WINDOW: Duration = Duration::from_millis(100);
/// Stature over the shoulder-to-hip distance (both measured between the
/// landmarks' midpoints) for an average adult.
const STATURE_PER_TORSO: f32 = 3.4;
/// Stature over the distance between the shoulder landmarks.
const STATURE_PER_SHOULDER_WIDTH: f32 = 4.5;

/// Where a qualifying body was, for telling a cut from movement.
#[derive(Debug, Clone, Copy)]
struct Sighting {
    at: Duration,
    /// The shoulders' centre, in frame heights from the top-left corner.
    center: [f32; 2],
    size: f32,
}

/// Decides whether a shopper is in front of the kiosk; see the module
/// docs. Feed it every frame's body (or `None`) in time order.
#[derive(Debug, Clone)]
pub struct PersonTracker {
    config: PresenceConfig,
    /// When `Entered` was emitted, while someone is present.
    entered_at: Option<Duration>,
    /// Start of the current continuous run of qualifying frames.
    run_start: Option<Duration>,
    last_qualifying: Option<Duration>,
    /// Qualifying sightings of the last `SWITCH_WINDOW`, oldest first.
    recent: VecDeque<Sighting>,
}

impl PersonTracker {
    /// A tracker with nobody present.
    pub fn new(config: PresenceConfig) -> Self {
        PersonTracker {
            config,
            entered_at: None,
            run_start: None,
            last_qualifying: None,
            recent: VecDeque::new(),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &PresenceConfig {
        &self.config
    }

    /// Changes how long the kiosk waits without a person before `Left`
    /// (the staff's idle setting); takes effect at the next update.
    pub fn set_leave_after(&mut self, leave_after: Duration) {
        self.config.leave_after = leave_after;
    }

    /// Whether a shopper is present (between `Entered` and `Left`).
    pub fn is_present(&self) -> bool {
        self.entered_at.is_some()
    }

    /// The body's size in frame heights: an estimate of the person's
    /// standing height, the larger of the shoulder-to-hip distance × 3.4
    /// and the shoulder width × 4.5 (distances across scaled by `aspect`,
    /// the frame's width / height). Only shoulders and hips are used, so it
    /// works on half-body shots (the model still places hips just out of
    /// frame) and is steadier than the region of interest, which follows
    /// the predicted full-body extent. Taking the larger keeps it steady
    /// while the person turns (narrow shoulders) or bends (short torso).
    pub fn body_size(body: &Body, aspect: f32) -> f32 {
        let distance = |a: [f32; 2], b: [f32; 2]| ((a[0] - b[0]) * aspect).hypot(a[1] - b[1]);
        let point = |which: BodyLandmark| {
            let landmark = body.landmark(which);
            [landmark.x, landmark.y]
        };
        let torso = distance(body.shoulder_center(), body.hip_center());
        let shoulders = distance(
            point(BodyLandmark::LeftShoulder),
            point(BodyLandmark::RightShoulder),
        );
        (torso * STATURE_PER_TORSO).max(shoulders * STATURE_PER_SHOULDER_WIDTH)
    }

    /// Takes the frame at `at` (`body` is `None` when nobody was found) and
    /// returns what changed: nothing, `Entered`, `Left`, or `Left` then
    /// `Entered` (at most two events). `Left` comes on the first update at
    /// least `leave_after` after the last qualifying frame, so keep calling
    /// while nobody is there.
    pub fn update(&mut self, body: Option<&Body>, at: Duration) -> Vec<PresenceEvent> {
        let mut events = Vec::new();
        if let (Some(entered), Some(last)) = (self.entered_at, self.last_qualifying) {
            if at.saturating_sub(last) >= self.config.leave_after {
                events.push(PresenceEvent::Left {
                    dwell: last.saturating_sub(entered),
                });
                self.entered_at = None;
                self.run_start = None;
            }
        }
        let Some(sighting) = body.and_then(|body| self.sighting(body, at)) else {
            return events;
        };
        while self
            .recent
            .front()
            .is_some_and(|old| at.saturating_sub(old.at) >= SWITCH_WINDOW)
        {
            self.recent.pop_front();
        }
        let continuous = self
            .last_qualifying
            .is_some_and(|last| at.saturating_sub(last) < MAX_GAP);
        let last = self.recent.len().wrapping_sub(1);
        let switched = self.recent.iter().enumerate().any(|(i, old)| {
            (i == last || at.saturating_sub(old.at) < SMOOTHED_CUT_WINDOW)
                && self.jumped(old, &sighting)
        });
        if switched {
            if let (Some(entered), Some(last)) = (self.entered_at.take(), self.last_qualifying) {
                events.push(PresenceEvent::Left {
                    dwell: last.saturating_sub(entered),
                });
            }
            self.recent.clear();
        }
        if switched || !continuous || self.run_start.is_none() {
            self.run_start = Some(at);
        }
        self.recent.push_back(sighting);
        self.last_qualifying = Some(at);
        let run_start = self.run_start.unwrap_or(at);
        if self.entered_at.is_none() && at.saturating_sub(run_start) >= self.config.enter_after {
            events.push(PresenceEvent::Entered);
            self.entered_at = Some(at);
        }
        events
    }

    /// The body as a sighting if it qualifies: big enough, shoulders in
    /// the frame.
    fn sighting(&self, body: &Body, at: Duration) -> Option<Sighting> {
        let size = Self::body_size(body, self.config.aspect);
        let in_frame = |which: BodyLandmark| {
            let landmark = body.landmark(which);
            (0.0..=1.0).contains(&landmark.x) && (0.0..=1.0).contains(&landmark.y)
        };
        let qualifies = size >= self.config.min_person_height
            && in_frame(BodyLandmark::LeftShoulder)
            && in_frame(BodyLandmark::RightShoulder);
        let center = body.shoulder_center();
        qualifies.then_some(Sighting {
            at,
            center: [center[0] * self.config.aspect, center[1]],
            size,
        })
    }

    /// Whether `new` is too far from `old` to be the same person.
    fn jumped(&self, old: &Sighting, new: &Sighting) -> bool {
        let moved = (new.center[0] - old.center[0]).hypot(new.center[1] - old.center[1]);
        let resized = (new.size - old.size).abs() / new.size.max(old.size);
        moved > self.config.switch_jump || resized > self.config.switch_jump
    }
}

#[cfg(test)]
mod tests;
