//! Temporal smoothing of landmarks, as MediaPipe's pose graph does it
//! (pose_landmark_filtering.pbtxt): a One-Euro filter on every coordinate,
//! in pixels and scaled by the body's size, and an exponential low-pass on
//! visibility. Timestamps drive the filters, so a dropped frame is a longer
//! step, not a jump.

mod steady;

use std::time::Duration;

pub use steady::{SteadyFilter, COMMON_SPEED_GAIN, OWN_SPEED_WEIGHT};

/// How landmarks are smoothed over time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Smoothing {
    /// MediaPipe's One-Euro filter, bit for bit: each landmark's own speed
    /// opens its filter.
    #[default]
    MediaPipe,
    /// The body's common motion opens the filters ([`SteadyFilter`]): less
    /// jitter on a still person at the same lag when the body moves; a limb
    /// moving alone opens its filter a little later.
    Steady,
}

/// Parameters of a One-Euro filter (Casiez et al. 2012).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OneEuroParams {
    /// Sampling rate assumed until two timestamps give the real one (Hz).
    pub frequency_hz: f64,
    /// Cut-off at rest (Hz): lower is smoother and laggier.
    pub min_cutoff_hz: f64,
    /// How fast the cut-off rises with speed.
    pub beta: f64,
    /// Cut-off of the speed estimate (Hz).
    pub derivative_cutoff_hz: f64,
}

impl OneEuroParams {
    /// MediaPipe's parameters for the 33 body landmarks
    /// (pose_landmark_filtering.pbtxt).
    pub const LANDMARKS: OneEuroParams = OneEuroParams {
        frequency_hz: 30.0,
        min_cutoff_hz: 0.05,
        beta: 80.0,
        derivative_cutoff_hz: 1.0,
    };
    /// MediaPipe's parameters for the auxiliary landmarks that place the
    /// next frame's region: much smoother, so the crop holds still.
    pub const AUXILIARY: OneEuroParams = OneEuroParams {
        frequency_hz: 30.0,
        min_cutoff_hz: 0.01,
        beta: 10.0,
        derivative_cutoff_hz: 1.0,
    };
    /// MediaPipe's parameters for world landmarks (metres, not scaled by
    /// the body's size in the image).
    pub const WORLD: OneEuroParams = OneEuroParams {
        frequency_hz: 30.0,
        min_cutoff_hz: 0.1,
        beta: 40.0,
        derivative_cutoff_hz: 1.0,
    };
}

/// An exponential low-pass filter; the first value passes unchanged.
/// Values are stored in `f32` with MediaPipe's mixed-precision blend, so
/// that tracking, which feeds on its own output, follows MediaPipe's.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LowPassFilter {
    last_raw: Option<f32>,
    last_filtered: f32,
}

impl LowPassFilter {
    /// `alpha` is the weight of the new value (1: no smoothing).
    pub fn apply(&mut self, value: f64, alpha: f64) -> f64 {
        let (value, alpha) = (value as f32, alpha as f32);
        let filtered = match self.last_raw {
            Some(_) => {
                ((alpha * value) as f64 + (1.0 - alpha as f64) * self.last_filtered as f64) as f32
            }
            None => value,
        };
        self.last_raw = Some(value);
        self.last_filtered = filtered;
        filtered as f64
    }

    /// The last value given to `apply`, before filtering; `None` before the
    /// first.
    pub fn last_raw(&self) -> Option<f64> {
        self.last_raw.map(f64::from)
    }
}

/// One coordinate's One-Euro filter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OneEuroFilter {
    params: OneEuroParams,
    frequency_hz: f64,
    last_time: Option<Duration>,
    value: LowPassFilter,
    speed: LowPassFilter,
}

impl OneEuroFilter {
    /// A filter with no history, assuming `params.frequency_hz` until two
    /// timestamps give the real rate.
    pub fn new(params: OneEuroParams) -> OneEuroFilter {
        OneEuroFilter {
            params,
            frequency_hz: params.frequency_hz,
            last_time: None,
            value: LowPassFilter::default(),
            speed: LowPassFilter::default(),
        }
    }

    fn alpha(&self, cutoff_hz: f64) -> f64 {
        let sample_period = 1.0 / self.frequency_hz;
        let tau = 1.0 / (2.0 * std::f64::consts::PI * cutoff_hz);
        1.0 / (1.0 + tau / sample_period)
    }

    /// Filters `value` at `timestamp`. `value_scale` turns the speed into
    /// body sizes per second, so big and small bodies smooth alike. A
    /// timestamp that does not advance returns the value unfiltered.
    pub fn apply(&mut self, timestamp: Duration, value_scale: f64, value: f64) -> f64 {
        if self.last_time.is_some_and(|last| timestamp <= last) {
            return value;
        }
        if let Some(last) = self.last_time {
            self.frequency_hz = 1.0 / (timestamp - last).as_secs_f64();
        }
        self.last_time = Some(timestamp);
        let speed = self
            .value
            .last_raw()
            .map_or(0.0, |last| (value - last) * value_scale * self.frequency_hz);
        let smoothed_speed = self
            .speed
            .apply(speed, self.alpha(self.params.derivative_cutoff_hz));
        let cutoff = self.params.min_cutoff_hz + self.params.beta * smoothed_speed.abs();
        self.value.apply(value, self.alpha(cutoff))
    }
}

/// Smallest body size (pixels) for which smoothing makes sense; below it
/// landmarks pass unchanged, as in MediaPipe.
const MIN_OBJECT_SCALE_PX: f64 = 1e-6;

/// Smooths a set of normalised landmarks `[x, y, z, ...]` over time.
#[derive(Debug, Clone)]
pub struct LandmarkSmoother {
    params: OneEuroParams,
    filters: Vec<[OneEuroFilter; 3]>,
    /// `Some` in `Smoothing::Steady`, replacing `filters`.
    steady: Option<SteadyFilter>,
}

impl LandmarkSmoother {
    /// A smoother with no history; its filters, one per coordinate, are made
    /// when the first landmarks arrive.
    pub fn new(params: OneEuroParams) -> LandmarkSmoother {
        LandmarkSmoother::with_smoothing(params, Smoothing::MediaPipe)
    }

    /// Like [`LandmarkSmoother::new`], smoothing the way `smoothing` says.
    pub fn with_smoothing(params: OneEuroParams, smoothing: Smoothing) -> LandmarkSmoother {
        LandmarkSmoother {
            params,
            filters: Vec::new(),
            steady: (smoothing == Smoothing::Steady).then(|| SteadyFilter::new(params)),
        }
    }

    /// Forgets the past (the person was lost).
    pub fn reset(&mut self) {
        self.filters.clear();
        if let Some(steady) = &mut self.steady {
            *steady = SteadyFilter::new(self.params);
        }
    }

    /// Smooths `landmarks` (x, y normalised to the image, z scaled like x)
    /// in place. Filtering happens in pixels so that x and y are treated
    /// alike on non-square frames. `object_scale_px` is the body's size
    /// that turns speeds into body sizes per second: MediaPipe takes it
    /// from the region of the raw auxiliary points; `None` uses the
    /// landmarks' bounding box.
    pub fn apply(
        &mut self,
        timestamp: Duration,
        image_width: u32,
        image_height: u32,
        object_scale_px: Option<f64>,
        landmarks: &mut [[f32; 5]],
    ) {
        if landmarks.is_empty() {
            return;
        }
        let (w, h) = (image_width as f64, image_height as f64);
        let pixels = |l: &[f32; 5]| [l[0] as f64 * w, l[1] as f64 * h, l[2] as f64 * w];
        let object_scale = object_scale_px.unwrap_or_else(|| {
            // The mean of the landmarks' bounding box sides.
            let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
            for l in landmarks.iter() {
                let p = pixels(l);
                for axis in 0..2 {
                    min[axis] = min[axis].min(p[axis]);
                    max[axis] = max[axis].max(p[axis]);
                }
            }
            ((max[0] - min[0]) + (max[1] - min[1])) / 2.0
        });
        if object_scale < MIN_OBJECT_SCALE_PX {
            return;
        }
        let value_scale = 1.0 / object_scale as f32;
        self.apply_scaled(timestamp, value_scale as f64, [w, h, w], landmarks);
    }

    /// Smooths landmarks already in their own unit (world landmarks in
    /// metres): no image scaling and no body-size scaling.
    pub fn apply_unscaled(&mut self, timestamp: Duration, landmarks: &mut [[f32; 5]]) {
        self.apply_scaled(timestamp, 1.0, [1.0; 3], landmarks);
    }

    fn apply_scaled(
        &mut self,
        timestamp: Duration,
        value_scale: f64,
        axis_scales: [f64; 3],
        landmarks: &mut [[f32; 5]],
    ) {
        if let Some(steady) = &mut self.steady {
            let mut points: Vec<[f64; 3]> = landmarks
                .iter()
                .map(|l| std::array::from_fn(|axis| f64::from(l[axis]) * axis_scales[axis]))
                .collect();
            steady.apply(timestamp, value_scale, &mut points);
            for (landmark, point) in landmarks.iter_mut().zip(&points) {
                for axis in 0..3 {
                    landmark[axis] = (point[axis] / axis_scales[axis]) as f32;
                }
            }
            return;
        }
        if self.filters.len() != landmarks.len() {
            self.filters = vec![[OneEuroFilter::new(self.params); 3]; landmarks.len()];
        }
        for (landmark, filters) in landmarks.iter_mut().zip(&mut self.filters) {
            for axis in 0..3 {
                // f32 throughout, as MediaPipe's landmark lists are.
                let scale = axis_scales[axis] as f32;
                let value = landmark[axis] * scale;
                let smoothed = filters[axis].apply(timestamp, value_scale, value as f64) as f32;
                landmark[axis] = smoothed / scale;
            }
        }
    }
}

/// MediaPipe's low-pass weight for visibility.
pub const VISIBILITY_ALPHA: f64 = 0.1;

/// Smooths the visibility (index 3) of each landmark.
#[derive(Debug, Clone, Default)]
pub struct VisibilitySmoother {
    filters: Vec<LowPassFilter>,
}

impl VisibilitySmoother {
    /// Forgets the past (the person was lost).
    pub fn reset(&mut self) {
        self.filters.clear();
    }

    /// Smooths each landmark's visibility (index 3) in place, with weight
    /// [`VISIBILITY_ALPHA`] on the new value.
    pub fn apply(&mut self, landmarks: &mut [[f32; 5]]) {
        if self.filters.len() != landmarks.len() {
            self.filters = vec![LowPassFilter::default(); landmarks.len()];
        }
        for (landmark, filter) in landmarks.iter_mut().zip(&mut self.filters) {
            landmark[3] = filter.apply(landmark[3] as f64, VISIBILITY_ALPHA) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: Duration = Duration::from_micros(33_333);

    #[test]
    fn low_pass_passes_the_first_value_and_blends_the_rest() {
        let mut f = LowPassFilter::default();
        assert_eq!(f.apply(10.0, 0.1), 10.0);
        // f32 storage, as MediaPipe's filter keeps it.
        assert!((f.apply(20.0, 0.1) - 11.0).abs() < 1e-5);
        assert!((f.apply(20.0, 0.1) - 11.9).abs() < 1e-5);
    }

    #[test]
    fn one_euro_holds_still_values_and_follows_fast_ones() {
        // A still value with a little noise stays near its mean.
        let mut still = OneEuroFilter::new(OneEuroParams::LANDMARKS);
        let mut out = 0.0;
        for i in 0..60 {
            let noise = if i % 2 == 0 { 0.5 } else { -0.5 };
            out = still.apply(FRAME * (i + 1), 1.0 / 200.0, 100.0 + noise);
        }
        assert!((out - 100.0).abs() < 0.2, "jitter removed: {out}");

        // A fast move is followed closely within a few frames.
        let mut moving = OneEuroFilter::new(OneEuroParams::LANDMARKS);
        for i in 0..10u32 {
            out = moving.apply(FRAME * (i + 1), 1.0 / 200.0, 100.0 + 20.0 * i as f64);
        }
        assert!((out - 280.0).abs() < 40.0, "keeps up with motion: {out}");
    }

    #[test]
    fn one_euro_matches_its_formula_for_two_samples() {
        let params = OneEuroParams::LANDMARKS;
        let mut f = OneEuroFilter::new(params);
        assert_eq!(f.apply(FRAME, 0.01, 5.0), 5.0);
        let out = f.apply(FRAME * 2, 0.01, 6.0);
        // By hand: rate from the timestamps, speed = 1 · 0.01 · rate; the
        // speed filter saw 0 first, so it blends: alpha_d · speed; then
        // cutoff = 0.1 + 40 · smoothed speed.
        let rate = 1.0 / FRAME.as_secs_f64();
        let alpha_of =
            |cutoff: f64| 1.0 / (1.0 + (1.0 / (2.0 * std::f64::consts::PI * cutoff)) * rate);
        let speed = alpha_of(params.derivative_cutoff_hz) * 0.01 * rate;
        let cutoff = params.min_cutoff_hz + params.beta * speed;
        let alpha = alpha_of(cutoff);
        assert!((out - (alpha * 6.0 + (1.0 - alpha) * 5.0)).abs() < 1e-6);
        // A repeated timestamp passes the value through.
        assert_eq!(f.apply(FRAME * 2, 0.01, 9.0), 9.0);
    }

    #[test]
    fn landmark_smoother_reduces_jitter_in_image_coordinates() {
        let mut smoother = LandmarkSmoother::new(OneEuroParams::LANDMARKS);
        let base = [[0.3, 0.4, 0.0, 0.9, 0.9], [0.6, 0.8, 0.1, 0.9, 0.9]];
        let mut last = base;
        for i in 0..30u32 {
            let jitter = if i % 2 == 0 { 0.004 } else { -0.004 };
            let mut frame = base;
            frame.iter_mut().for_each(|l| l[0] += jitter);
            smoother.apply(FRAME * (i + 1), 640, 480, None, &mut frame);
            last = frame;
        }
        for (smoothed, raw) in last.iter().zip(&base) {
            assert!((smoothed[0] - raw[0]).abs() < 0.002, "{smoothed:?}");
            assert_eq!(
                smoothed[3], raw[3],
                "visibility is not this filter's business"
            );
        }
    }

    #[test]
    fn visibility_low_pass() {
        let mut smoother = VisibilitySmoother::default();
        let mut a = [[0.0, 0.0, 0.0, 1.0, 1.0]];
        smoother.apply(&mut a);
        assert_eq!(a[0][3], 1.0);
        let mut b = [[0.0, 0.0, 0.0, 0.0, 1.0]];
        smoother.apply(&mut b);
        assert!((b[0][3] - 0.9).abs() < 1e-6);
    }
}
