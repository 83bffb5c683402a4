//! Size suggestions: the shopper's shoulder width and torso length from the
//! pose, steadied over a short window, compared with the garment's size
//! chart (`[[garment.size_chart]]` in the catalog).
//!
//! # How far to trust it
//!
//! - BlazePose's world landmarks are metric *estimates*: the network infers
//!   them from one picture and a prior of human proportions, not from a
//!   depth camera. An unusually broad or narrow person is pulled towards
//!   the average.
//! - The landmarks are joint centres (the shoulder and hip joints), not the
//!   bony edges a tailor measures, so the numbers are smaller than a tape
//!   measure's; the catalog's charts must be in the same terms.
//! - Clothing, hair, posture (shoulders rolled forward, turned sideways)
//!   and the camera's distance all move the estimate. Expect an error of
//!   several centimetres from frame to frame and from person to person.
//! - Fit is also a matter of taste and of the cut: a loose-fit garment
//!   fits a wide range of bodies.
//!
//! So the kiosk says "try M", never "your size is M", says "M or L" when
//! the shopper is between two sizes, and says nothing until the whole
//! upper body and the knees are in view ([`fully_in_view`]), when the
//! estimate is at its steadiest.

use std::collections::VecDeque;
use std::fmt;

use crate::garment::catalog::SizeRow;
use crate::pose::{Body, BodyLandmark};

/// Lowest landmark visibility for a point to count as seen.
pub const MIN_VISIBILITY: f32 = 0.7;

/// How much the torso length counts in the distance to a chart row,
/// relative to the shoulder width: half. The shoulder width sets how a top
/// sits and is the steadier measure; the torso's lower end, the hip joints,
/// is hidden under clothing and placed largely from proportions.
pub const TORSO_WEIGHT: f32 = 0.5;

/// Two sizes are suggested together ("M or L") when the second-nearest
/// row is less than this much further away than the nearest (weighted
/// centimetres): the measure cannot choose between them.
pub const BETWEEN_MARGIN_CM: f32 = 1.0;

/// No suggestion when even the nearest row is further than this (weighted
/// centimetres): the chart does not cover this body (a child, or a measure
/// gone wrong), and its end size would be a poor guess.
pub const OUT_OF_CHART_CM: f32 = 6.0;

/// The landmarks that must be seen for a measure: the nose, shoulders,
/// hips and knees.
const IN_VIEW: [BodyLandmark; 7] = [
    BodyLandmark::Nose,
    BodyLandmark::LeftShoulder,
    BodyLandmark::RightShoulder,
    BodyLandmark::LeftHip,
    BodyLandmark::RightHip,
    BodyLandmark::LeftKnee,
    BodyLandmark::RightKnee,
];

/// A body's measures as the catalog's size charts give them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BodyMeasures {
    /// From one shoulder joint's centre to the other's (landmarks 11 and
    /// 12), centimetres.
    pub shoulder_cm: f32,
    /// From the point between the shoulder joints to the point between
    /// the hip joints, centimetres.
    pub torso_cm: f32,
}

/// Whether the person is far enough back and turned to the camera for a
/// measure: the nose, both shoulders, both hips and both knees each have a
/// visibility of at least [`MIN_VISIBILITY`] and lie inside the frame
/// (x and y in [0, 1]). The knees make sure the whole torso is in view
/// with room around it; BlazePose's world landmarks are least reliable for
/// a body cut off by the frame's edge.
pub fn fully_in_view(body: &Body) -> bool {
    IN_VIEW.iter().all(|&which| {
        let point = body.landmark(which);
        point.visibility >= MIN_VISIBILITY
            && (0.0..=1.0).contains(&point.x)
            && (0.0..=1.0).contains(&point.y)
    })
}

/// The body's measures from its world landmarks (metres); `None` unless
/// [`fully_in_view`], or if the landmarks give no finite, positive measure.
pub fn measure(body: &Body) -> Option<BodyMeasures> {
    if !fully_in_view(body) {
        return None;
    }
    let world = |which: BodyLandmark| body.world_landmarks[which as usize];
    let midpoint = |a: [f32; 3], b: [f32; 3]| std::array::from_fn(|i| (a[i] + b[i]) / 2.0);
    let shoulders: [f32; 3] = midpoint(
        world(BodyLandmark::LeftShoulder),
        world(BodyLandmark::RightShoulder),
    );
    let hips: [f32; 3] = midpoint(world(BodyLandmark::LeftHip), world(BodyLandmark::RightHip));
    let torso_m = shoulders
        .iter()
        .zip(&hips)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f32>()
        .sqrt();
    let shoulder_m = body.world_distance_m(BodyLandmark::LeftShoulder, BodyLandmark::RightShoulder);
    let measures = BodyMeasures {
        shoulder_cm: shoulder_m * 100.0,
        torso_cm: torso_m * 100.0,
    };
    let usable = |cm: f32| cm.is_finite() && cm > 0.0;
    (usable(measures.shoulder_cm) && usable(measures.torso_cm)).then_some(measures)
}

/// What the kiosk suggests trying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SizeSuggestion {
    /// One size: shown as "try M".
    Size(String),
    /// Between two sizes, the smaller first (chart order): "M or L".
    Between(String, String),
}

impl SizeSuggestion {
    /// The sizes alone, for a sentence of the store's own (`try_size`'s
    /// `{size}`): "M", or "M or L" with `or` the store's word for it.
    pub fn sizes(&self, or: &str) -> String {
        match self {
            Self::Size(size) => size.clone(),
            Self::Between(smaller, larger) => format!("{smaller} {or} {larger}"),
        }
    }
}

impl fmt::Display for SizeSuggestion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Size(size) => write!(f, "try {size}"),
            Self::Between(smaller, larger) => write!(f, "{smaller} or {larger}"),
        }
    }
}

/// The distance from `measures` to a chart row in weighted centimetres:
/// `sqrt(Δshoulder² + (TORSO_WEIGHT · Δtorso)²)`.
pub fn weighted_distance_cm(measures: &BodyMeasures, row: &SizeRow) -> f32 {
    let shoulder = measures.shoulder_cm - row.shoulder_cm;
    let torso = TORSO_WEIGHT * (measures.torso_cm - row.torso_cm);
    (shoulder * shoulder + torso * torso).sqrt()
}

/// The chart row nearest `measures` by [`weighted_distance_cm`];
/// [`SizeSuggestion::Between`] the two nearest when the second is less
/// than [`BETWEEN_MARGIN_CM`] further; `None` for an empty chart, or when
/// the nearest row is more than [`OUT_OF_CHART_CM`] away.
pub fn suggest(measures: &BodyMeasures, chart: &[SizeRow]) -> Option<SizeSuggestion> {
    let mut by_distance: Vec<(f32, usize)> = chart
        .iter()
        .enumerate()
        .map(|(index, row)| (weighted_distance_cm(measures, row), index))
        .filter(|(distance, _)| distance.is_finite())
        .collect();
    by_distance.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let &(nearest_cm, nearest) = by_distance.first()?;
    if nearest_cm > OUT_OF_CHART_CM {
        return None;
    }
    match by_distance.get(1) {
        Some(&(second_cm, second)) if second_cm - nearest_cm < BETWEEN_MARGIN_CM => {
            let (smaller, larger) = (nearest.min(second), nearest.max(second));
            Some(SizeSuggestion::Between(
                chart[smaller].size.clone(),
                chart[larger].size.clone(),
            ))
        }
        _ => Some(SizeSuggestion::Size(chart[nearest].size.clone())),
    }
}

/// Steadies measures over the last few frames so the suggestion does not
/// flicker: the median of each measure over a window of recent frames,
/// which a few wild frames (an arm across the chest, a turn) do not move.
/// Call [`SizeSmoother::reset`] when the person changes.
#[derive(Debug, Clone)]
pub struct SizeSmoother {
    window: usize,
    recent: VecDeque<BodyMeasures>,
}

impl SizeSmoother {
    /// The default window: 15 frames, half a second at 30 frames a second.
    pub const DEFAULT_WINDOW: usize = 15;
    /// The longest window (3 s at 30 frames a second): longer would keep
    /// the last person's measures long after they moved.
    pub const MAX_WINDOW: usize = 90;

    /// A smoother over the last `window` measures, clamped to
    /// 1..=[`Self::MAX_WINDOW`].
    pub fn new(window: usize) -> Self {
        let window = window.clamp(1, Self::MAX_WINDOW);
        Self {
            window,
            recent: VecDeque::with_capacity(window),
        }
    }

    /// The window, in measures.
    pub fn window(&self) -> usize {
        self.window
    }

    /// How many measures it holds (at most the window).
    pub fn len(&self) -> usize {
        self.recent.len()
    }

    /// Whether it holds no measure (new, or just reset).
    pub fn is_empty(&self) -> bool {
        self.recent.is_empty()
    }

    /// Adds this frame's measures (the oldest drops out of a full window)
    /// and returns [`Self::measures`].
    pub fn push(&mut self, measures: BodyMeasures) -> Option<BodyMeasures> {
        if self.recent.len() == self.window {
            self.recent.pop_front();
        }
        self.recent.push_back(measures);
        self.measures()
    }

    /// The median of each measure over the window; `None` until it holds
    /// at least half a window (rounded up), so a first frame or two alone
    /// never decide.
    pub fn measures(&self) -> Option<BodyMeasures> {
        if self.recent.len() < self.window.div_ceil(2) {
            return None;
        }
        Some(BodyMeasures {
            shoulder_cm: median(self.recent.iter().map(|m| m.shoulder_cm)),
            torso_cm: median(self.recent.iter().map(|m| m.torso_cm)),
        })
    }

    /// Forgets every measure: call it when the person changes.
    pub fn reset(&mut self) {
        self.recent.clear();
    }
}

impl Default for SizeSmoother {
    fn default() -> Self {
        Self::new(Self::DEFAULT_WINDOW)
    }
}

/// The median of a non-empty set; the mean of the two middle values for
/// an even count.
fn median(values: impl Iterator<Item = f32>) -> f32 {
    let mut values: Vec<f32> = values.collect();
    values.sort_by(f32::total_cmp);
    let middle = values.len() / 2;
    match values.len() {
        0 => f32::NAN,
        n if n % 2 == 1 => values[middle],
        _ => (values[middle - 1] + values[middle]) / 2.0,
    }
}

#[cfg(test)]
mod tests;
