//! Frame-by-frame comparison of drape's tracker with MediaPipe's recorded
//! run of a clip (tests/data/reference/ref/video_*.json): on each frame
//! whether a person was found, whether the detector ran and what it gave
//! (score, box, keypoints), the region the landmarks came from, the region
//! for the next frame, the landmarks, their visibility and presence. The
//! first frame where the two disagree, and on what, is what to look at
//! when a clip drifts.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use drape::nn::models::PoseModel;
use drape::nn::Backend;
use drape::pose::{NormalizedRect, PoseConfig, PoseTracker};
use serde_json::Value;

pub fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference")
}

pub fn reference_json(name: &str) -> Value {
    let text = std::fs::read_to_string(reference().join("ref").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A tracker on the CPU executor with the default options (MediaPipe's).
pub fn tracker(model: PoseModel) -> PoseTracker {
    tracker_with(PoseConfig {
        model,
        backend: Backend::Cpu,
        ..PoseConfig::default()
    })
}

pub fn tracker_with(config: PoseConfig) -> PoseTracker {
    let gpu = drape::GpuContext::headless().expect("a GPU adapter (lavapipe)");
    PoseTracker::new(&gpu, config).unwrap()
}

/// One frame's comparison. Errors are absolute, in normalised image units.
#[derive(Debug, Clone, Default)]
pub struct FrameComparison {
    pub frame: usize,
    pub expected_found: bool,
    pub found: bool,
    /// Whether each side ran the detector and it found someone.
    pub expected_detection: bool,
    pub detection: bool,
    /// When both detected: |score|, box corners, keypoints.
    pub detection_score_error: f32,
    pub detection_box_error: f32,
    pub detection_keypoint_error: f32,
    /// The region the landmarks were estimated in: centre and size, and
    /// rotation (radians).
    pub roi_error: f32,
    pub roi_rotation_error: f32,
    /// The region derived for the next frame (`None` on either side: NaN).
    pub next_roi_error: f32,
    /// max(|dx|, |dy|) per landmark, over all 33: mean, max and which.
    pub landmark_mean_error: f32,
    pub landmark_max_error: f32,
    pub worst_landmark: usize,
    pub visibility_max_error: f32,
    pub presence_max_error: f32,
}

impl FrameComparison {
    /// Whether this frame agrees with MediaPipe within `mean_bound`.
    pub fn agrees(&self, mean_bound: f32) -> bool {
        self.found == self.expected_found && (!self.found || self.landmark_mean_error <= mean_bound)
    }

    /// The first thing that differs, for the report.
    pub fn difference(&self, mean_bound: f32) -> Option<String> {
        if self.detection != self.expected_detection {
            return Some(format!(
                "detection: ours {} MediaPipe {}",
                self.detection, self.expected_detection
            ));
        }
        if self.found != self.expected_found {
            return Some(format!(
                "found: ours {} MediaPipe {}",
                self.found, self.expected_found
            ));
        }
        if self.found && self.landmark_mean_error > mean_bound {
            return Some(format!(
                "landmarks: mean {:.4} (region {:.4}, rotation {:.4})",
                self.landmark_mean_error, self.roi_error, self.roi_rotation_error
            ));
        }
        None
    }
}

/// A whole clip's comparison.
#[derive(Debug, Clone, Default)]
pub struct ClipComparison {
    pub label: String,
    pub frames: Vec<FrameComparison>,
}

impl ClipComparison {
    pub fn found_agreeing(&self) -> usize {
        self.frames
            .iter()
            .filter(|f| f.found == f.expected_found)
            .count()
    }

    /// Mean and worst per-frame mean landmark error over frames both found.
    pub fn mean_and_worst(&self) -> (f32, f32) {
        let both: Vec<f32> = self
            .frames
            .iter()
            .filter(|f| f.found && f.expected_found)
            .map(|f| f.landmark_mean_error)
            .collect();
        let mean = both.iter().sum::<f32>() / both.len().max(1) as f32;
        (mean, both.iter().copied().fold(0.0, f32::max))
    }

    /// The first frame that differs beyond `mean_bound`, and how.
    pub fn first_difference(&self, mean_bound: f32) -> Option<(usize, String)> {
        self.frames
            .iter()
            .find_map(|f| f.difference(mean_bound).map(|why| (f.frame, why)))
    }

    pub fn summary(&self) -> String {
        let (mean, worst) = self.mean_and_worst();
        format!(
            "{}: found agrees on {} of {} frames; landmark error mean {:.5}, worst frame {:.5}",
            self.label,
            self.found_agreeing(),
            self.frames.len(),
            mean,
            worst
        )
    }

    pub fn print(&self) {
        println!(
            "{}: frame found det   det score  box     kpts    | roi     rot     next    | lm mean  lm max (at) vis    pres",
            self.label
        );
        for f in &self.frames {
            let yn = |ours: bool, theirs: bool| match (ours, theirs) {
                (true, true) => "y ",
                (false, false) => "n ",
                (true, false) => "y!",
                (false, true) => "n!",
            };
            println!(
                "{}: {:>5} {}    {}    {:.5}  {:.5} {:.5} | {:.5} {:.5} {:.5} | {:.5}  {:.5} ({:>2}) {:.4} {:.4}",
                self.label,
                f.frame,
                yn(f.found, f.expected_found),
                yn(f.detection, f.expected_detection),
                f.detection_score_error,
                f.detection_box_error,
                f.detection_keypoint_error,
                f.roi_error,
                f.roi_rotation_error,
                f.next_roi_error,
                f.landmark_mean_error,
                f.landmark_max_error,
                f.worst_landmark,
                f.visibility_max_error,
                f.presence_max_error
            );
        }
        println!("{}", self.summary());
    }
}

fn number(value: &Value) -> f32 {
    value.as_f64().unwrap() as f32
}

fn rect(value: &Value) -> Option<NormalizedRect> {
    if value.is_null() {
        return None;
    }
    Some(NormalizedRect {
        x_center: number(&value["x_center"]),
        y_center: number(&value["y_center"]),
        width: number(&value["width"]),
        height: number(&value["height"]),
        rotation: number(&value["rotation"]),
    })
}

fn rect_error(a: &NormalizedRect, b: &NormalizedRect) -> f32 {
    [
        a.x_center - b.x_center,
        a.y_center - b.y_center,
        a.width - b.width,
        a.height - b.height,
    ]
    .iter()
    .fold(0.0, |m, d| m.max(d.abs()))
}

/// How the tracker's regions are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loop {
    /// The tracker follows its own regions, as in use.
    Closed,
    /// Each tracked frame is given MediaPipe's region (the detector runs
    /// where MediaPipe's did), so one frame's difference does not carry
    /// into the next: this checks each frame's work (crop, model,
    /// decoding, smoothing, next region) on its own.
    Open,
}

/// Runs `tracker` over a vtest clip's frames (media/vtest/f000NNN.webp,
/// the indices the JSON lists) with MediaPipe's timestamps and compares
/// run `run_key` ("c0" lite, "c1" full) frame by frame.
pub fn compare_vtest_clip(
    tracker: &mut PoseTracker,
    json_name: &str,
    run_key: &str,
    mode: Loop,
) -> ClipComparison {
    let json = reference_json(json_name);
    let frames = json["frames"].as_array().unwrap();
    let runs = json["runs"][run_key].as_array().unwrap();
    let images = frames.iter().map(|frame| {
        let file = frame["file"].as_str().unwrap();
        image::open(reference().join(Path::new(file)))
            .unwrap()
            .into_rgba8()
    });
    let label = match mode {
        Loop::Closed => format!("{json_name} {run_key}"),
        Loop::Open => format!("{json_name} {run_key} open"),
    };
    compare_frames(tracker, images, runs, label, mode)
}

/// The comparison over given frames and MediaPipe's runs on them.
pub fn compare_frames(
    tracker: &mut PoseTracker,
    images: impl Iterator<Item = image::RgbaImage>,
    runs: &[Value],
    label: String,
    mode: Loop,
) -> ClipComparison {
    let mut report = ClipComparison {
        label,
        frames: Vec::new(),
    };
    let mut expected_previous_next: Option<NormalizedRect> = None;
    for (index, (image, run)) in images.zip(runs).enumerate() {
        let timestamp = Duration::from_micros(run["timestamp_us"].as_u64().unwrap());
        if mode == Loop::Open {
            let detected = !run["roi_from_detection"].is_null();
            tracker.set_next_roi(expected_previous_next.filter(|_| !detected));
        }
        let body = tracker
            .process(image.as_raw(), image.width(), image.height(), timestamp)
            .unwrap();
        let expected_found = run["pose_found"].as_bool().unwrap();
        let expected_detection = &run["detection"];
        let expected_roi = rect(&run["roi_from_detection"]).or(expected_previous_next);
        let expected_next = rect(&run["roi_from_landmarks"]);
        expected_previous_next = expected_next;
        let mut frame = FrameComparison {
            frame: index,
            expected_found,
            found: body.is_some(),
            expected_detection: !expected_detection.is_null(),
            next_roi_error: f32::NAN,
            ..FrameComparison::default()
        };
        if let (Some(next), Some(expected)) = (tracker.next_roi(), expected_next) {
            frame.next_roi_error = rect_error(&next, &expected);
        }
        let detection = tracker.last_detection();
        frame.detection = detection.is_some();
        if let (Some(ours), false) = (&detection, expected_detection.is_null()) {
            frame.detection_score_error = (ours.score - number(&expected_detection["score"])).abs();
            let xywh: Vec<f32> = expected_detection["bbox_xywh"]
                .as_array()
                .unwrap()
                .iter()
                .map(number)
                .collect();
            let b = &ours.bbox;
            frame.detection_box_error = [
                b.xmin - xywh[0],
                b.ymin - xywh[1],
                b.width - xywh[2],
                b.height - xywh[3],
            ]
            .iter()
            .fold(0.0, |m, d| m.max(d.abs()));
            for (point, expected) in ours
                .keypoints
                .iter()
                .zip(expected_detection["keypoints"].as_array().unwrap())
            {
                let e = expected.as_array().unwrap();
                frame.detection_keypoint_error = frame
                    .detection_keypoint_error
                    .max((point[0] - number(&e[0])).abs())
                    .max((point[1] - number(&e[1])).abs());
            }
        }
        let Some(body) = body else {
            report.frames.push(frame);
            continue;
        };
        if let Some(expected) = expected_roi {
            frame.roi_error = rect_error(&body.roi, &expected);
            frame.roi_rotation_error = (body.roi.rotation - expected.rotation).abs();
        }
        if expected_found {
            let expected = run["landmarks"].as_array().unwrap();
            let mut sum = 0.0;
            for (i, (ours, theirs)) in body.landmarks.iter().zip(expected).enumerate() {
                let v: Vec<f32> = theirs.as_array().unwrap().iter().map(number).collect();
                let error = (ours.x - v[0]).abs().max((ours.y - v[1]).abs());
                sum += error;
                if error > frame.landmark_max_error {
                    frame.landmark_max_error = error;
                    frame.worst_landmark = i;
                }
                frame.visibility_max_error = frame
                    .visibility_max_error
                    .max((ours.visibility - v[3]).abs());
                frame.presence_max_error =
                    frame.presence_max_error.max((ours.presence - v[4]).abs());
            }
            frame.landmark_mean_error = sum / expected.len().max(1) as f32;
        }
        report.frames.push(frame);
    }
    report
}
