//! Swiping a raised hand left or right.

use std::collections::VecDeque;
use std::time::Duration;

use super::{hand_point, Hand, DEFAULT_MIN_VISIBILITY};
use crate::pose::Body;

/// A swipe's direction on the shown picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swipe {
    /// Towards the picture's left (x decreasing).
    Left,
    /// Towards the picture's right (x increasing).
    Right,
}

/// What counts as a swipe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwipeConfig {
    /// The frame's width / height (distances are in frame heights); default
    /// 16 / 9.
    pub aspect: f32,
    /// How far the hand must move across, relative to the shoulders, in
    /// frame heights; default 0.25 (about 40 cm for a shopper filling the
    /// frame's height, a deliberate sweep of the forearm).
    pub min_distance: f32,
    /// The longest a swipe may take; default 0.6 s.
    pub max_duration: Duration,
    /// After a swipe, no other for this long (the hand's return is not a
    /// swipe back); default 0.8 s.
    pub cooldown: Duration,
    /// The smallest landmark visibility of a hand that counts; default 0.5.
    pub min_visibility: f32,
}

impl Default for SwipeConfig {
    fn default() -> Self {
        SwipeConfig {
            aspect: 16.0 / 9.0,
            min_distance: 0.25,
            max_duration: Duration::from_millis(600),
            cooldown: Duration::from_millis(800),
            min_visibility: DEFAULT_MIN_VISIBILITY,
        }
    }
}

/// Where a raised hand was, relative to the shoulders' centre, in frame
/// heights.
#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Duration,
    offset: [f32; 2],
}

/// Finds swipes: a hand held up (wrist above its elbow and above the hips,
/// which an arm swinging while walking is not) moving across by at least
/// `min_distance` within `max_duration`, at least twice as far across as
/// up or down. The motion is measured relative to the shoulders' centre,
/// so walking across the frame with a hand up is not a swipe. A hand's
/// point is its index fingertip, or its wrist when the fingertip is not
/// visible enough (see [`hand_point`]). One swipe per motion, then
/// `cooldown`.
#[derive(Debug, Clone)]
pub struct SwipeDetector {
    config: SwipeConfig,
    /// Recent samples of each raised hand, in `Hand::BOTH`'s order; a hand
    /// that drops or is lost starts afresh.
    tracks: [VecDeque<Sample>; 2],
    cooldown_until: Option<Duration>,
}

impl SwipeDetector {
    /// A detector that has seen nothing.
    pub fn new(config: SwipeConfig) -> Self {
        SwipeDetector {
            config,
            tracks: [VecDeque::new(), VecDeque::new()],
            cooldown_until: None,
        }
    }

    /// Takes the frame at `at` (`body` is `None` when nobody was found);
    /// the swipe that ended on this frame, if any.
    pub fn update(&mut self, body: Option<&Body>, at: Duration) -> Option<Swipe> {
        let cooling = self.cooldown_until.is_some_and(|until| at < until);
        let Some(body) = body.filter(|_| !cooling) else {
            self.clear();
            return None;
        };
        let shoulders = body.shoulder_center();
        // Halfway down the torso: a hand swiping is held above it, not
        // hanging.
        let chest_y = 0.5 * (shoulders[1] + body.hip_center()[1]);
        for (hand, track) in Hand::BOTH.into_iter().zip(self.tracks.iter_mut()) {
            let wrist = body.landmark(hand.wrist());
            let elbow = body.landmark(hand.elbow());
            // The forearm points up, at least 30° above the horizontal: a
            // hand held up to swipe. A forearm lying across the body (the
            // sample reel's astronaut holding her helmet at the frame's
            // bottom edge, wrist 0.02 above the elbow) is not one.
            let forearm = [(wrist.x - elbow.x) * self.config.aspect, wrist.y - elbow.y];
            let length = (forearm[0] * forearm[0] + forearm[1] * forearm[1]).sqrt();
            let raised = -forearm[1] >= 0.5 * length && wrist.y < chest_y;
            let in_frame =
                |p: &[f32; 2]| (0.0..=1.0).contains(&p[0]) && (0.0..=1.0).contains(&p[1]);
            let point = hand_point(body, hand, self.config.min_visibility);
            let Some(point) = point.filter(|p| raised && in_frame(p)) else {
                track.clear();
                continue;
            };
            while track
                .front()
                .is_some_and(|old| at.saturating_sub(old.at) > self.config.max_duration)
            {
                track.pop_front();
            }
            let offset = [
                (point[0] - shoulders[0]) * self.config.aspect,
                point[1] - shoulders[1],
            ];
            track.push_back(Sample { at, offset });
            let swipe = track.iter().find_map(|start| {
                let dx = offset[0] - start.offset[0];
                let dy = offset[1] - start.offset[1];
                let swiped = dx.abs() >= self.config.min_distance && dx.abs() >= 2.0 * dy.abs();
                swiped.then_some(if dx < 0.0 { Swipe::Left } else { Swipe::Right })
            });
            if swipe.is_some() {
                self.clear();
                self.cooldown_until = Some(at + self.config.cooldown);
                return swipe;
            }
        }
        None
    }

    fn clear(&mut self) {
        for track in &mut self.tracks {
            track.clear();
        }
    }
}

#[cfg(test)]
mod tests;
