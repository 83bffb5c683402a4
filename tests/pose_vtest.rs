//! The tracker against MediaPipe on two clips with several people in view
//! (vtest frames 120–179: a person found in the last 19 frames; 560–619:
//! one detection, then 59 tracked frames while others walk past), lite and
//! full. Run `cargo test --test pose_vtest -- --nocapture` for the
//! frame-by-frame tables (detection, regions, landmarks, presence).
//!
//! Each clip runs twice. Open loop, each frame is given MediaPipe's region:
//! every frame's landmarks must then be within `MEAN_ERROR_BOUND`, which
//! checks the per-frame work (crop, model, decoding, smoothing, the next
//! region) and the detector's decisions. Closed loop, the tracker follows
//! its own regions, as in use: found / not found and the detector's runs
//! must agree on every frame, but the landmarks may drift further on
//! 560–619. There the landmark model is chaotic in the region: moving
//! MediaPipe's region by 2e-5 of the image (0.015 px) moves hand points
//! and the auxiliary centre by up to 0.003, and our network's outputs
//! differ from XNNPACK's by ~1e-5 (summation order), so the two tracks part
//! after a few frames (first at frame 1 with full, frame 2–3 with lite) and
//! the difference grows while a second person crosses the region (frames
//! 7–18). No logic difference is involved: given MediaPipe's regions, the
//! same frames match (the open-loop run).

mod pose_parity;

use drape::nn::models::PoseModel;
use pose_parity::{compare_vtest_clip, tracker, ClipComparison, Loop};

/// Per frame, the mean over the 33 landmarks of max(|dx|, |dy|), as a
/// fraction of the image.
const MEAN_ERROR_BOUND: f32 = 0.005;
/// Closed loop, where the tracks part (see the module's note): the bound
/// on any frame, and on the clip's mean.
const CLOSED_LOOP_FRAME_BOUND: f32 = 0.03;
const CLOSED_LOOP_CLIP_MEAN_BOUND: f32 = 0.005;

fn run(json_name: &str, model: PoseModel, run_key: &str, mode: Loop) -> ClipComparison {
    let mut tracker = tracker(model);
    let report = compare_vtest_clip(&mut tracker, json_name, run_key, mode);
    report.print();
    report
}

fn check(json_name: &str, model: PoseModel, run_key: &str) {
    let mut failures = Vec::new();
    let open = run(json_name, model, run_key, Loop::Open);
    for f in &open.frames {
        if let Some(why) = f.difference(MEAN_ERROR_BOUND) {
            failures.push(format!("open loop, frame {}: {why}", f.frame));
        }
    }
    let closed = run(json_name, model, run_key, Loop::Closed);
    for f in &closed.frames {
        if let Some(why) = f.difference(CLOSED_LOOP_FRAME_BOUND) {
            failures.push(format!("closed loop, frame {}: {why}", f.frame));
        }
    }
    let (mean, _) = closed.mean_and_worst();
    if mean > CLOSED_LOOP_CLIP_MEAN_BOUND {
        failures.push(format!("closed loop: clip mean {mean:.5}"));
    }
    assert!(
        failures.is_empty(),
        "{}\n{}\n{}",
        open.summary(),
        closed.summary(),
        failures.join("\n")
    );
}

#[test]
fn vtest_120_179_matches_mediapipe_lite() {
    check("video_vtest_120_179.json", PoseModel::LandmarkLite, "c0");
}

#[test]
fn vtest_120_179_matches_mediapipe_full() {
    check("video_vtest_120_179.json", PoseModel::LandmarkFull, "c1");
}

#[test]
fn vtest_560_619_matches_mediapipe_lite() {
    check("video_vtest_560_619.json", PoseModel::LandmarkLite, "c0");
}

#[test]
fn vtest_560_619_matches_mediapipe_full() {
    check("video_vtest_560_619.json", PoseModel::LandmarkFull, "c1");
}
