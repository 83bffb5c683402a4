//! The measures behind `drape bench jitter`: how much landmarks shake on a
//! still person (frame-to-frame acceleration), how many frames they trail
//! a known motion, and how far they sit from where that motion puts them.

use serde::Serialize;

/// Landmarks whose visibility is above this count (MediaPipe's own
/// threshold for drawing a point).
pub const VISIBLE: f64 = 0.5;

/// One landmark in one frame, in the frame's pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointPx {
    /// Across from the left edge.
    pub x_px: f64,
    /// Down from the top edge.
    pub y_px: f64,
    /// The pipeline's visibility, 0 to 1.
    pub visibility: f64,
}

/// One pipeline's landmarks over a clip: per frame, `None` where it found
/// no person, else every landmark (33 for the body).
pub type PoseTrack = Vec<Option<Vec<PointPx>>>;

/// Frame-to-frame acceleration `|x[t+1] − 2x[t] + x[t−1]|` (2-D, pixels)
/// over the visible landmarks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Jitter {
    /// Root mean square, in pixels.
    pub rms_px: f64,
    /// 95th percentile (nearest rank), in pixels.
    pub p95_px: f64,
    /// How many (landmark, frame) accelerations went in.
    pub samples: usize,
}

/// The acceleration statistics of `track` from frame `first_frame` on: a
/// sample needs the person in frames t−1, t and t+1 and the landmark
/// visible in all three. `None` without any sample.
pub fn acceleration_jitter(track: &PoseTrack, first_frame: usize) -> Option<Jitter> {
    let mut accelerations = Vec::new();
    for t in first_frame.max(1)..track.len().saturating_sub(1) {
        let (Some(before), Some(now), Some(after)) = (&track[t - 1], &track[t], &track[t + 1])
        else {
            continue;
        };
        for ((a, b), c) in before.iter().zip(now).zip(after) {
            if a.visibility.min(b.visibility).min(c.visibility) <= VISIBLE {
                continue;
            }
            let ax = c.x_px - 2.0 * b.x_px + a.x_px;
            let ay = c.y_px - 2.0 * b.y_px + a.y_px;
            accelerations.push(ax.hypot(ay));
        }
    }
    if accelerations.is_empty() {
        return None;
    }
    let mean_square = accelerations.iter().map(|a| a * a).sum::<f64>() / accelerations.len() as f64;
    accelerations.sort_by(f64::total_cmp);
    // Nearest rank: the smallest value with at least 95 % at or below it.
    let rank = ((0.95 * accelerations.len() as f64).ceil() as usize).max(1);
    Some(Jitter {
        rms_px: mean_square.sqrt(),
        p95_px: accelerations[rank - 1],
        samples: accelerations.len(),
    })
}

/// `motion` (one 2-D value a frame) at a fractional frame, linear between
/// frames; `None` outside the clip.
fn motion_at(motion: &[[f64; 2]], frame: f64) -> Option<[f64; 2]> {
    if frame < 0.0 || frame > (motion.len() - 1) as f64 {
        return None;
    }
    let below = (frame.floor() as usize).min(motion.len() - 1);
    let above = (below + 1).min(motion.len() - 1);
    let f = frame - below as f64;
    let [a, b] = [motion[below], motion[above]];
    Some([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f])
}

/// The shifts `estimate_lag` tries: from `min_frames` to `max_frames`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LagRange {
    /// The largest lead (negative lag) tried.
    pub min_frames: f64,
    /// The largest lag tried.
    pub max_frames: f64,
}

impl LagRange {
    /// A lead of 2 frames to a lag of 8: smoothing filters sit well inside.
    pub const DEFAULT: LagRange = LagRange {
        min_frames: -2.0,
        max_frames: 8.0,
    };
}

/// Steps of the search, in frames; a parabola through the best step and
/// its neighbours refines it.
const LAG_STEP_FRAMES: f64 = 0.01;

/// How many frames `series` trails `motion`: the shift `s` that minimises
/// `Σ |series[l][t] − c_l − motion(t − s)|²` over every series `l` (each
/// with its own constant offset `c_l`, fitted) and the frames from
/// `first_frame` on where `motion(t − s)` is inside the clip for every
/// candidate (so each candidate is scored on the same frames). `motion` is
/// interpolated linearly between frames. `None` when no frame or series is
/// left.
pub fn estimate_lag(
    series: &[Vec<[f64; 2]>],
    motion: &[[f64; 2]],
    first_frame: usize,
    range: LagRange,
) -> Option<f64> {
    if motion.len() < 2 || series.is_empty() {
        return None;
    }
    let first = first_frame.max(range.max_frames.max(0.0).ceil() as usize);
    let end = motion
        .len()
        .saturating_sub((-range.min_frames).max(0.0).ceil() as usize);
    if first >= end || series.iter().any(|s| s.len() < end) {
        return None;
    }
    let cost = |shift: f64| -> f64 {
        let mut total = 0.0;
        for s in series {
            let residuals: Vec<[f64; 2]> = (first..end)
                .map(|t| {
                    let m = motion_at(motion, t as f64 - shift).unwrap_or(motion[t]);
                    [s[t][0] - m[0], s[t][1] - m[1]]
                })
                .collect();
            let n = residuals.len() as f64;
            let mean_x = residuals.iter().map(|r| r[0]).sum::<f64>() / n;
            let mean_y = residuals.iter().map(|r| r[1]).sum::<f64>() / n;
            total += residuals
                .iter()
                .map(|r| (r[0] - mean_x).powi(2) + (r[1] - mean_y).powi(2))
                .sum::<f64>();
        }
        total
    };
    let steps = ((range.max_frames - range.min_frames) / LAG_STEP_FRAMES).round() as usize;
    let shift_at = |i: usize| range.min_frames + i as f64 * LAG_STEP_FRAMES;
    let costs: Vec<f64> = (0..=steps).map(|i| cost(shift_at(i))).collect();
    let best = (0..costs.len()).min_by(|&a, &b| costs[a].total_cmp(&costs[b]))?;
    if best == 0 || best == steps {
        return Some(shift_at(best));
    }
    // The vertex of the parabola through the best step and its neighbours.
    let (left, mid, right) = (costs[best - 1], costs[best], costs[best + 1]);
    let curvature = left - 2.0 * mid + right;
    let offset = if curvature > 0.0 {
        (0.5 * (left - right) / curvature).clamp(-0.5, 0.5)
    } else {
        0.0
    };
    Some(shift_at(best) + offset * LAG_STEP_FRAMES)
}

/// The mean distance, in pixels, from each visible landmark to where the
/// known motion puts it: `rest_px[l] + motion[t]`, from `first_frame` on
/// and only for landmarks with a resting place. `None` without any.
pub fn mean_error_px(
    track: &PoseTrack,
    rest_px: &[Option<[f64; 2]>],
    motion: &[[f64; 2]],
    first_frame: usize,
) -> Option<f64> {
    let mut sum = 0.0;
    let mut count = 0usize;
    for (t, frame) in track.iter().enumerate().skip(first_frame) {
        let (Some(points), Some(m)) = (frame, motion.get(t)) else {
            continue;
        };
        for (point, rest) in points.iter().zip(rest_px) {
            let Some(rest) = rest else { continue };
            if point.visibility <= VISIBLE {
                continue;
            }
            sum += (point.x_px - rest[0] - m[0]).hypot(point.y_px - rest[1] - m[1]);
            count += 1;
        }
    }
    (count > 0).then(|| sum / count as f64)
}

/// Each landmark's mean position over the frames from `first_frame` on
/// where it is visible; `None` for one visible in fewer than half of them.
pub fn resting_positions(track: &PoseTrack, first_frame: usize) -> Vec<Option<[f64; 2]>> {
    let landmarks = track.iter().flatten().map(Vec::len).max().unwrap_or(0);
    let frames = track.len().saturating_sub(first_frame);
    (0..landmarks)
        .map(|l| {
            let visible: Vec<&PointPx> = track
                .iter()
                .skip(first_frame)
                .flatten()
                .filter_map(|points| points.get(l))
                .filter(|p| p.visibility > VISIBLE)
                .collect();
            if visible.is_empty() || 2 * visible.len() < frames {
                return None;
            }
            let n = visible.len() as f64;
            Some([
                visible.iter().map(|p| p.x_px).sum::<f64>() / n,
                visible.iter().map(|p| p.y_px).sum::<f64>() / n,
            ])
        })
        .collect()
}

/// The tracks of the landmarks that are visible in every frame of `track`
/// from `first_frame` on (the person present throughout), for
/// `estimate_lag`; frames before `first_frame` are copied as they are.
pub fn steadily_visible(track: &PoseTrack, first_frame: usize) -> Vec<Vec<[f64; 2]>> {
    let Some(frames) = track[first_frame.min(track.len())..]
        .iter()
        .map(Option::as_ref)
        .collect::<Option<Vec<_>>>()
    else {
        return Vec::new();
    };
    let landmarks = frames.first().map_or(0, |points| points.len());
    (0..landmarks)
        .filter(|&l| {
            frames
                .iter()
                .all(|points| points.get(l).is_some_and(|p| p.visibility > VISIBLE))
        })
        .map(|l| {
            track
                .iter()
                .map(|frame| {
                    frame
                        .as_ref()
                        .and_then(|points| points.get(l))
                        .map_or([f64::NAN; 2], |p| [p.x_px, p.y_px])
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(x_px: f64, y_px: f64, visibility: f64) -> PointPx {
        PointPx {
            x_px,
            y_px,
            visibility,
        }
    }

    #[test]
    fn acceleration_of_a_parabola_and_a_zigzag() {
        // Landmark 0: x = t², acceleration 2 every frame. Landmark 1:
        // y = (−1)^t, acceleration 4. Landmark 2 leaps but is hidden.
        let track: PoseTrack = (0..10)
            .map(|t| {
                let t = t as f64;
                Some(vec![
                    point(t * t, 5.0, 0.9),
                    point(3.0, if t % 2.0 == 0.0 { 1.0 } else { -1.0 }, 0.9),
                    point(100.0 * t * t * t, 0.0, 0.2),
                ])
            })
            .collect();
        let jitter = acceleration_jitter(&track, 1).unwrap();
        assert_eq!(jitter.samples, 16); // frames 1..=8, two landmarks
        assert!((jitter.rms_px - 10f64.sqrt()).abs() < 1e-12, "{jitter:?}");
        assert_eq!(jitter.p95_px, 4.0);
        // From frame 5: frames 5..=8 only.
        assert_eq!(acceleration_jitter(&track, 5).unwrap().samples, 8);
    }

    #[test]
    fn acceleration_needs_the_person_in_three_frames_running() {
        let mut track: PoseTrack = (0..6)
            .map(|t| Some(vec![point((t * t) as f64, 0.0, 0.9)]))
            .collect();
        track[3] = None;
        // t = 1 only: t = 2, 3, 4 each touch frame 3.
        assert_eq!(acceleration_jitter(&track, 0).unwrap().samples, 1);
        track[1] = None;
        assert_eq!(acceleration_jitter(&track, 0), None);
    }

    /// A diagonal out-and-back pan like the bench's, sampled at frames.
    fn pan(frames: usize) -> Vec<[f64; 2]> {
        (0..frames)
            .map(|t| {
                let phase = 1.0 - (std::f64::consts::TAU * t as f64 / 60.0).cos();
                [-32.0 * phase, -24.0 * phase]
            })
            .collect()
    }

    #[test]
    fn lag_of_a_track_shifted_by_two_and_a_half_frames() {
        let motion = pan(90);
        // Three landmarks, each at its own place, 2.5 frames behind.
        let series: Vec<Vec<[f64; 2]>> = [[100.0, 50.0], [300.0, 80.0], [-5.0, 7.0]]
            .iter()
            .map(|rest| {
                (0..motion.len())
                    .map(|t| {
                        let m = motion_at(&motion, t as f64 - 2.5).unwrap_or([f64::NAN; 2]);
                        [rest[0] + m[0], rest[1] + m[1]]
                    })
                    .collect()
            })
            .collect();
        let lag = estimate_lag(&series, &motion, 5, LagRange::DEFAULT).unwrap();
        assert!((lag - 2.5).abs() < 1e-9, "{lag}");
        // The motion itself trails by nothing. At a whole frame the
        // interpolated motion bends, so the refining parabola is a little
        // off there (well under a step).
        let lag =
            estimate_lag(std::slice::from_ref(&motion), &motion, 5, LagRange::DEFAULT).unwrap();
        assert!(lag.abs() < 1e-4, "{lag}");
    }

    #[test]
    fn lag_of_the_continuous_motion_delayed() {
        // The true sinusoid delayed by 2.5 frames (not the sampled one):
        // linear interpolation between frames costs little.
        let motion = pan(60);
        let delayed: Vec<[f64; 2]> = (0..60)
            .map(|t| {
                let phase = 1.0 - (std::f64::consts::TAU * (t as f64 - 2.5) / 60.0).cos();
                [10.0 - 32.0 * phase, 20.0 - 24.0 * phase]
            })
            .collect();
        let lag = estimate_lag(&[delayed], &motion, 0, LagRange::DEFAULT).unwrap();
        assert!((lag - 2.5).abs() < 0.01, "{lag}");
    }

    #[test]
    fn error_is_the_distance_from_the_moved_resting_place() {
        let motion = pan(10);
        let rest = [Some([50.0, 60.0]), None];
        let track: PoseTrack = motion
            .iter()
            .map(|m| {
                Some(vec![
                    point(50.0 + m[0] + 3.0, 60.0 + m[1] + 4.0, 0.9),
                    point(0.0, 0.0, 0.9),
                ])
            })
            .collect();
        let error = mean_error_px(&track, &rest, &motion, 2).unwrap();
        assert!((error - 5.0).abs() < 1e-12, "{error}");
    }

    #[test]
    fn resting_places_and_steady_landmarks() {
        let track: PoseTrack = (0..4)
            .map(|t| {
                Some(vec![
                    point(10.0 + t as f64, 20.0, 0.9),
                    point(0.0, 0.0, if t == 3 { 0.1 } else { 0.9 }),
                    point(0.0, 0.0, 0.1),
                ])
            })
            .collect();
        let rest = resting_positions(&track, 0);
        assert_eq!(rest, [Some([11.5, 20.0]), Some([0.0, 0.0]), None]);
        let steady = steadily_visible(&track, 0);
        assert_eq!(steady.len(), 1);
        assert_eq!(steady[0][3], [13.0, 20.0]);
    }
}
