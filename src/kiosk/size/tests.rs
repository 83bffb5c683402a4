//! Measures on a hand-built body, suggestions at their boundaries, the
//! smoother against outliers.

use super::*;
use crate::pose::body::BODY_LANDMARKS;
use crate::pose::{Landmark, NormalizedRect};

/// A person standing square to the camera: every landmark seen, in the
/// frame, with world landmarks that give exact measures in f32: shoulders
/// 43.75 cm apart, 46.875 cm above the hips' midpoint (the hips are
/// turned a little, which moves neither midpoint).
fn standing_body() -> Body {
    let seen = Landmark {
        x: 0.5,
        y: 0.5,
        z: 0.0,
        visibility: 0.9,
        presence: 0.9,
    };
    let mut world = [[0.0; 3]; BODY_LANDMARKS];
    world[BodyLandmark::LeftShoulder as usize] = [0.21875, -0.46875, 0.0];
    world[BodyLandmark::RightShoulder as usize] = [-0.21875, -0.46875, 0.0];
    world[BodyLandmark::LeftHip as usize] = [0.125, 0.0, 0.0625];
    world[BodyLandmark::RightHip as usize] = [-0.125, 0.0, -0.0625];
    Body {
        landmarks: [seen; BODY_LANDMARKS],
        world_landmarks: world,
        pose_score: 1.0,
        roi: NormalizedRect::default(),
        detection: None,
        mask: None,
    }
}

fn row(size: &str, shoulder_cm: f32, torso_cm: f32) -> SizeRow {
    SizeRow {
        size: size.into(),
        shoulder_cm,
        torso_cm,
    }
}

fn measures(shoulder_cm: f32, torso_cm: f32) -> BodyMeasures {
    BodyMeasures {
        shoulder_cm,
        torso_cm,
    }
}

fn shown(suggestion: Option<SizeSuggestion>) -> String {
    suggestion.map_or("none".into(), |s| s.to_string())
}

#[test]
fn measures_come_from_the_world_landmarks_in_cm() {
    assert_eq!(measure(&standing_body()), Some(measures(43.75, 46.875)));
}

#[test]
fn no_measure_unless_fully_in_view() {
    assert!(fully_in_view(&standing_body()));
    for which in IN_VIEW {
        let mut hidden = standing_body();
        hidden.landmarks[which as usize].visibility = 0.69;
        assert!(!fully_in_view(&hidden), "{which:?} hidden");
        assert_eq!(measure(&hidden), None, "{which:?} hidden");
        let mut outside = standing_body();
        outside.landmarks[which as usize].y = 1.01;
        assert!(!fully_in_view(&outside), "{which:?} below the frame");
        let mut outside = standing_body();
        outside.landmarks[which as usize].x = -0.01;
        assert!(!fully_in_view(&outside), "{which:?} left of the frame");
    }
    // Exactly the threshold and the frame's edges count; ankles don't matter.
    let mut edge = standing_body();
    edge.landmarks[BodyLandmark::LeftKnee as usize] = Landmark {
        x: 1.0,
        y: 1.0,
        visibility: MIN_VISIBILITY,
        ..edge.landmarks[0]
    };
    edge.landmarks[BodyLandmark::LeftAnkle as usize].visibility = 0.0;
    assert!(fully_in_view(&edge));
}

#[test]
fn a_body_with_no_extent_gives_no_measure() {
    let mut flat = standing_body();
    flat.world_landmarks = [[0.0; 3]; BODY_LANDMARKS];
    assert_eq!(measure(&flat), None);
    let mut broken = standing_body();
    broken.world_landmarks[BodyLandmark::LeftHip as usize][1] = f32::NAN;
    assert_eq!(measure(&broken), None);
}

/// M and L differ by 3 cm across the shoulders alone, so a shopper with
/// M's torso and x cm more shoulder is x from M and 3 − x from L.
fn m_and_l() -> Vec<SizeRow> {
    vec![
        row("S", 42.0, 52.0),
        row("M", 45.0, 52.0),
        row("L", 48.0, 52.0),
    ]
}

#[test]
fn the_nearest_size_is_suggested() {
    let chart = m_and_l();
    assert_eq!(shown(suggest(&measures(45.0, 52.0), &chart)), "try M");
    assert_eq!(shown(suggest(&measures(45.75, 52.0), &chart)), "try M");
    assert_eq!(shown(suggest(&measures(47.25, 52.0), &chart)), "try L");
    assert_eq!(
        suggest(&measures(45.0, 52.0), &chart),
        Some(SizeSuggestion::Size("M".into()))
    );
}

#[test]
fn between_two_sizes_when_nearly_equally_near() {
    let chart = m_and_l();
    // 1.25 from M, 1.75 from L: 0.5 apart, under the 1 cm margin.
    assert_eq!(
        suggest(&measures(46.25, 52.0), &chart),
        Some(SizeSuggestion::Between("M".into(), "L".into()))
    );
    // Nearer L, still the smaller size first.
    assert_eq!(shown(suggest(&measures(46.75, 52.0), &chart)), "M or L");
    assert_eq!(shown(suggest(&measures(46.5, 52.0), &chart)), "M or L");
    // Exactly the margin apart (1 from M, 2 from L) is no longer between.
    assert_eq!(shown(suggest(&measures(46.0, 52.0), &chart)), "try M");
    assert_eq!(shown(suggest(&measures(47.0, 52.0), &chart)), "try L");
}

#[test]
fn the_torso_counts_half() {
    // X: 1 across the shoulders and 4 along the torso away, √(1 + 2²) ≈ 2.24
    // weighted; Y: 3.5 across the shoulders alone. Unweighted (√17 ≈ 4.12
    // for X), Y would be nearer.
    let chart = [row("X", 45.0, 56.0), row("Y", 49.5, 52.0)];
    assert_eq!(shown(suggest(&measures(46.0, 52.0), &chart)), "try X");
    assert_eq!(weighted_distance_cm(&measures(46.0, 52.0), &chart[1]), 3.5);
    assert_eq!(weighted_distance_cm(&measures(45.0, 60.0), &chart[0]), 2.0);
}

#[test]
fn no_suggestion_off_the_chart_or_without_one() {
    let chart = m_and_l();
    assert_eq!(suggest(&measures(45.0, 52.0), &[]), None);
    // 6 cm beyond L is the limit; further is off the chart.
    assert_eq!(shown(suggest(&measures(54.0, 52.0), &chart)), "try L");
    assert_eq!(shown(suggest(&measures(54.5, 52.0), &chart)), "none");
    assert_eq!(shown(suggest(&measures(30.0, 40.0), &chart)), "none");
    let one_row = [row("ONE", 45.0, 52.0)];
    assert_eq!(shown(suggest(&measures(47.0, 52.0), &one_row)), "try ONE");
}

#[test]
fn the_smoother_rejects_an_outlier() {
    let mut smoother = SizeSmoother::new(5);
    assert_eq!(smoother.push(measures(45.0, 52.0)), None);
    assert_eq!(smoother.push(measures(45.5, 52.5)), None);
    // Half the window (3 of 5) gives a median.
    assert_eq!(
        smoother.push(measures(44.5, 51.5)),
        Some(measures(45.0, 52.0))
    );
    // An arm across the chest: one wild frame does not move it.
    assert_eq!(
        smoother.push(measures(70.0, 30.0)),
        Some(measures(45.25, 51.75))
    );
    assert_eq!(
        smoother.push(measures(45.0, 52.0)),
        Some(measures(45.0, 52.0))
    );
    assert_eq!(smoother.len(), 5);
    // The window slides: the first three frames drop out.
    for _ in 0..3 {
        smoother.push(measures(48.0, 55.0));
    }
    assert_eq!(smoother.len(), 5);
    assert_eq!(smoother.measures(), Some(measures(48.0, 55.0)));
}

#[test]
fn the_smoother_forgets_the_last_person_and_has_bounds() {
    let mut smoother = SizeSmoother::default();
    assert_eq!(smoother.window(), 15);
    for _ in 0..20 {
        smoother.push(measures(45.0, 52.0));
    }
    assert_eq!(smoother.len(), 15);
    smoother.reset();
    assert!(smoother.is_empty());
    assert_eq!(smoother.measures(), None);
    for _ in 0..7 {
        smoother.push(measures(40.0, 48.0));
    }
    assert_eq!(smoother.measures(), None, "7 of 15 is under half a window");
    assert_eq!(
        smoother.push(measures(40.0, 48.0)),
        Some(measures(40.0, 48.0))
    );
    assert_eq!(SizeSmoother::new(0).window(), 1);
    assert_eq!(SizeSmoother::new(1000).window(), SizeSmoother::MAX_WINDOW);
}
