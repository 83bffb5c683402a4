//! What the page's `<output id="drape-status">` says: frames, frames with a
//! person, what is worn, the frame rate over the last second.

use std::collections::VecDeque;

/// How far back the frame rate looks, milliseconds.
const FPS_WINDOW_MS: f64 = 1000.0;

/// Frames seen so far and the recent ones' times (bounded: one second's).
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) frames: u64,
    pub(crate) with_pose: u64,
    recent_ms: VecDeque<f64>,
}

impl Counters {
    /// Counts a frame shown at `timestamp_ms`, with or without a person.
    pub(crate) fn count(&mut self, found: bool, timestamp_ms: f64) {
        self.frames += 1;
        self.with_pose += u64::from(found);
        self.recent_ms.push_back(timestamp_ms);
        while self
            .recent_ms
            .front()
            .is_some_and(|&first| timestamp_ms - first > FPS_WINDOW_MS)
        {
            self.recent_ms.pop_front();
        }
    }

    /// Frames per second over the last second (0 before two frames).
    pub(crate) fn fps(&self) -> f64 {
        match (self.recent_ms.front(), self.recent_ms.back()) {
            (Some(&first), Some(&last)) if last > first => {
                (self.recent_ms.len() - 1) as f64 * 1e3 / (last - first)
            }
            _ => 0.0,
        }
    }

    /// `frames 120, pose 112, wearing tee-indigo, 14.2 fps`.
    pub(crate) fn describe(&self, outfit: &[String]) -> String {
        let wearing = if outfit.is_empty() {
            "nothing".to_string()
        } else {
            outfit.join(" + ")
        };
        format!(
            "frames {}, pose {}, wearing {wearing}, {:.1} fps",
            self.frames,
            self.with_pose,
            self.fps()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_counts_frames_poses_and_the_last_seconds_rate() {
        let mut counters = Counters::default();
        assert_eq!(
            counters.describe(&[]),
            "frames 0, pose 0, wearing nothing, 0.0 fps"
        );
        // 20 frames 50 ms apart, a person in every other one.
        for i in 0..20 {
            counters.count(i % 2 == 0, f64::from(i) * 50.0);
        }
        let outfit = ["tee-indigo".to_string(), "glasses-round".to_string()];
        assert_eq!(
            counters.describe(&outfit),
            "frames 20, pose 10, wearing tee-indigo + glasses-round, 20.0 fps"
        );
        // After a stall only the last second counts.
        counters.count(true, 5000.0);
        counters.count(true, 5100.0);
        assert!((counters.fps() - 10.0).abs() < 1e-9, "{}", counters.fps());
    }
}
