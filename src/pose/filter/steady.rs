//! `Smoothing::Steady`: One-Euro filters whose cut-off follows the body's
//! common motion rather than each landmark's own speed.
//!
//! Camera noise is independent from landmark to landmark, while a person
//! moving mostly moves every landmark at once. MediaPipe's filter reads
//! each landmark's own noisy speed, so on a still person the noise itself
//! opens the filter. Here the speed that opens it is the larger of the
//! speed of the landmarks' mean (noise averaged over all of them, times
//! [`COMMON_SPEED_GAIN`]) and a
//! fraction of the landmark's own speed (so a limb moving alone still
//! opens its own filter, later than the body would).

use std::time::Duration;

use super::{LowPassFilter, OneEuroParams};

/// The weight of a landmark's own speed against the body's common speed:
/// a quarter keeps noise from opening the filter on a still body, while a
/// limb swinging alone (tens of body sizes per second at its tip) still
/// opens its filter within a frame or two.
pub const OWN_SPEED_WEIGHT: f64 = 0.25;

/// The low-pass weight of a new value for `cutoff_hz` at `frequency_hz`.
fn alpha(cutoff_hz: f64, frequency_hz: f64) -> f64 {
    let tau = 1.0 / (2.0 * std::f64::consts::PI * cutoff_hz);
    1.0 / (1.0 + tau * frequency_hz)
}

/// The weight of the body's common speed. MediaPipe's `beta` was tuned on
/// a speed that noise inflates; the common speed is clean, so it gets half
/// as much again to open the filter at least as fast as MediaPipe's when
/// the body moves (measured with `drape bench jitter`: 1 gave a little
/// more lag than MediaPipe, 1.5 less, 2 and 3 less still for more jitter).
pub const COMMON_SPEED_GAIN: f64 = 1.5;

/// One coordinate of one landmark.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct CoordinateFilter {
    value: LowPassFilter,
    speed: LowPassFilter,
}

/// The state of a set of landmarks smoothed together.
#[derive(Debug, Clone)]
pub struct SteadyFilter {
    params: OneEuroParams,
    frequency_hz: f64,
    last_time: Option<Duration>,
    /// The landmarks' mean on each axis, and its smoothed speed.
    common: [LowPassFilter; 3],
    common_speed: [LowPassFilter; 3],
    coordinates: Vec<[CoordinateFilter; 3]>,
}

impl SteadyFilter {
    /// A filter with no history, assuming `params.frequency_hz` until two
    /// timestamps give the real rate.
    pub fn new(params: OneEuroParams) -> SteadyFilter {
        SteadyFilter {
            params,
            frequency_hz: params.frequency_hz,
            last_time: None,
            common: Default::default(),
            common_speed: Default::default(),
            coordinates: Vec::new(),
        }
    }

    /// Filters `points` (each `[x, y, z]` in one unit) in place at
    /// `timestamp`; `value_scale` turns speeds into body sizes per second,
    /// as in [`super::OneEuroFilter::apply`]. A timestamp that does not
    /// advance leaves the points unfiltered; a new number of points
    /// restarts the filter.
    pub fn apply(&mut self, timestamp: Duration, value_scale: f64, points: &mut [[f64; 3]]) {
        if points.is_empty() || self.last_time.is_some_and(|last| timestamp <= last) {
            return;
        }
        if self.coordinates.len() != points.len() {
            *self = SteadyFilter::new(self.params);
            self.coordinates = vec![Default::default(); points.len()];
        }
        if let Some(last) = self.last_time {
            self.frequency_hz = 1.0 / (timestamp - last).as_secs_f64();
        }
        self.last_time = Some(timestamp);
        let alpha_speed = alpha(self.params.derivative_cutoff_hz, self.frequency_hz);
        let to_speed = value_scale * self.frequency_hz;
        let mut common_speed = [0.0; 3];
        for (axis, speed) in common_speed.iter_mut().enumerate() {
            let mean = points.iter().map(|p| p[axis]).sum::<f64>() / points.len() as f64;
            let raw = self.common[axis]
                .last_raw()
                .map_or(0.0, |last| (mean - last) * to_speed);
            self.common[axis].apply(mean, 1.0);
            *speed = self.common_speed[axis].apply(raw, alpha_speed).abs();
        }
        for (point, filters) in points.iter_mut().zip(&mut self.coordinates) {
            for axis in 0..3 {
                let filter = &mut filters[axis];
                let value = point[axis];
                let raw = filter
                    .value
                    .last_raw()
                    .map_or(0.0, |last| (value - last) * to_speed);
                let own_speed = filter.speed.apply(raw, alpha_speed).abs();
                let speed =
                    (COMMON_SPEED_GAIN * common_speed[axis]).max(OWN_SPEED_WEIGHT * own_speed);
                let cutoff = self.params.min_cutoff_hz + self.params.beta * speed;
                point[axis] = filter.value.apply(value, alpha(cutoff, self.frequency_hz));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{LandmarkSmoother, Smoothing};
    use super::*;

    const FRAME: Duration = Duration::from_micros(33_333);
    const FRAMES: usize = 120;
    /// Frames left for the filters to settle before measuring.
    const SETTLE: usize = 30;
    const LANDMARKS: usize = 33;
    const WIDTH: u32 = 640;
    const HEIGHT: u32 = 480;
    /// The body's size in pixels, as the tracker would give it.
    const BODY_PX: f64 = 300.0;
    /// Per-landmark noise, standard deviation in pixels (about what the
    /// lite model shows on a noisy still camera).
    const NOISE_PX: f64 = 2.0;

    /// Deterministic noise of unit standard deviation (a uniform value
    /// scaled), from a fixed xorshift sequence.
    struct Noise(u64);
    impl Noise {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            ((self.0 >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 12f64.sqrt()
        }
    }

    /// Smooths a track of `FRAMES` frames: landmark `i`'s x at frame `t` is
    /// `rest_x(i) + motion_px(i, t)` plus noise; returns the smoothed x in
    /// pixels, `[frame][landmark]`.
    fn smooth_x(smoothing: Smoothing, motion_px: impl Fn(usize, usize) -> f64) -> Vec<Vec<f64>> {
        let mut smoother = LandmarkSmoother::with_smoothing(OneEuroParams::LANDMARKS, smoothing);
        let mut noise = Noise(0x2545_f491_4f6c_dd1d);
        (0..FRAMES)
            .map(|t| {
                let mut frame: Vec<[f32; 5]> = (0..LANDMARKS)
                    .map(|i| {
                        let x = 100.0 + 10.0 * i as f64 + motion_px(i, t) + NOISE_PX * noise.next();
                        let y = 100.0 + 5.0 * i as f64 + NOISE_PX * noise.next();
                        [
                            (x / f64::from(WIDTH)) as f32,
                            (y / f64::from(HEIGHT)) as f32,
                            0.0,
                            1.0,
                            1.0,
                        ]
                    })
                    .collect();
                smoother.apply(
                    FRAME * (t as u32 + 1),
                    WIDTH,
                    HEIGHT,
                    Some(BODY_PX),
                    &mut frame,
                );
                frame
                    .iter()
                    .map(|l| f64::from(l[0]) * f64::from(WIDTH))
                    .collect()
            })
            .collect()
    }

    /// RMS of the frame-to-frame acceleration after `SETTLE`, in pixels.
    fn jitter_px(track: &[Vec<f64>]) -> f64 {
        let mut sum = 0.0;
        let mut count = 0;
        for window in track[SETTLE..].windows(3) {
            for ((before, now), after) in window[0].iter().zip(&window[1]).zip(&window[2]) {
                let a = after - 2.0 * now + before;
                sum += a * a;
                count += 1;
            }
        }
        (sum / count as f64).sqrt()
    }

    /// Mean lag of `landmark` behind a motion of `speed_px` per frame after
    /// `SETTLE`, in frames: how far it trails, over the distance of a frame.
    fn lag_frames(track: &[Vec<f64>], landmark: usize, speed_px: f64) -> f64 {
        let rest = 100.0 + 10.0 * landmark as f64;
        let trail: f64 = (SETTLE..FRAMES)
            .map(|t| rest + speed_px * t as f64 - track[t][landmark])
            .sum();
        trail / (FRAMES - SETTLE) as f64 / speed_px
    }

    #[test]
    fn a_still_noisy_body_is_smoothed_more_than_by_mediapipe() {
        let still = |_: usize, _: usize| 0.0;
        let mediapipe = jitter_px(&smooth_x(Smoothing::MediaPipe, still));
        let steady = jitter_px(&smooth_x(Smoothing::Steady, still));
        // Noise no longer opens the filter: well under MediaPipe's jitter.
        const MOST_OF_MEDIAPIPE: f64 = 0.5;
        assert!(
            steady < MOST_OF_MEDIAPIPE * mediapipe,
            "steady {steady:.3} px, MediaPipe {mediapipe:.3} px"
        );
    }

    #[test]
    fn a_body_moving_at_constant_speed_lags_no_more_than_with_mediapipe() {
        // 2 px a frame: 0.2 body sizes a second, a slow sway.
        const SPEED_PX: f64 = 2.0;
        let moving = |_: usize, t: usize| SPEED_PX * t as f64;
        let mediapipe = smooth_x(Smoothing::MediaPipe, moving);
        let steady = smooth_x(Smoothing::Steady, moving);
        // The noise makes both lags wobble a little around each other.
        const LAG_TOLERANCE_FRAMES: f64 = 0.05;
        for landmark in [0, LANDMARKS / 2, LANDMARKS - 1] {
            let (m, s) = (
                lag_frames(&mediapipe, landmark, SPEED_PX),
                lag_frames(&steady, landmark, SPEED_PX),
            );
            assert!(
                s <= m + LAG_TOLERANCE_FRAMES,
                "landmark {landmark}: steady {s:.3} frames, MediaPipe {m:.3}"
            );
        }
    }

    #[test]
    fn a_limb_moving_alone_still_follows() {
        // One landmark moving at 6 px a frame (0.6 body sizes a second, a
        // hand waving), the rest still: the common motion is a 33rd of it,
        // so only the landmark's own speed opens its filter.
        const SPEED_PX: f64 = 6.0;
        const HAND: usize = 15;
        let waving = |i: usize, t: usize| if i == HAND { SPEED_PX * t as f64 } else { 0.0 };
        let mediapipe = lag_frames(&smooth_x(Smoothing::MediaPipe, waving), HAND, SPEED_PX);
        let steady = lag_frames(&smooth_x(Smoothing::Steady, waving), HAND, SPEED_PX);
        // Its own speed counts a quarter: the cut-off is about a quarter of
        // MediaPipe's, so it trails more, but well under a frame.
        const MOST_LAG_FRAMES: f64 = 1.0;
        assert!(
            steady < MOST_LAG_FRAMES && steady >= mediapipe,
            "steady {steady:.3} frames, MediaPipe {mediapipe:.3}"
        );
    }
}
