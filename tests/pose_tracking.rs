//! The tracking region from our own landmarks against MediaPipe's
//! `roi_from_landmarks` on the reference stills: detection → region →
//! landmarks → next region, all drape's.

use std::path::PathBuf;

use drape::nn::models::PoseModel;
use drape::nn::{Backend, Executor};
use drape::pose::landmarks::estimate;
use drape::pose::tracking::roi_from_landmarks;
use drape::pose::{detect, roi_from_detection};

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference")
}

#[test]
fn tracking_region_matches_mediapipe_on_the_stills() {
    let gpu = drape::GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let mut detector =
        Executor::new(&gpu, &PoseModel::Detector.load().unwrap(), Backend::Cpu, 1).unwrap();
    let mut landmarker = Executor::new(
        &gpu,
        &PoseModel::LandmarkLite.load().unwrap(),
        Backend::Cpu,
        1,
    )
    .unwrap();
    let text = std::fs::read_to_string(reference().join("ref/static.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    println!("image         centre diff  size diff (rel)  rotation diff (rad)");
    for image in json["images"].as_array().unwrap() {
        let run = &image["runs"]["c0"];
        if run["pose_found"] != true {
            continue;
        }
        let path = reference().join(image["file"].as_str().unwrap());
        let rgba = image::open(&path).unwrap().into_rgba8();
        let (w, h) = (rgba.width(), rgba.height());
        let detection = detect(&mut detector, rgba.as_raw(), w as usize, h as usize)
            .unwrap()
            .expect("MediaPipe found a person here");
        let roi = roi_from_detection(&detection, w as usize, h as usize);
        let result = estimate(&mut landmarker, rgba.as_raw(), w, h, &roi).unwrap();
        let next = roi_from_landmarks(&result.landmarks, w as usize, h as usize);

        let expected = &run["roi_from_landmarks"];
        let get = |k: &str| expected[k].as_f64().unwrap() as f32;
        let centre = (next.x_center - get("x_center"))
            .abs()
            .max((next.y_center - get("y_center")).abs());
        let size = ((next.width - get("width")) / get("width")).abs();
        let rotation = (next.rotation - get("rotation")).abs();
        println!(
            "{:<13} {centre:>11.6} {size:>16.6} {rotation:>20.6}",
            image["id"].as_str().unwrap()
        );
        // Named tolerances: centre 0.005 of the image, size 1 %, 0.02 rad.
        assert!(centre < 0.005, "{}: centre off by {centre}", path.display());
        assert!(size < 0.01, "{}: size off by {size}", path.display());
        assert!(
            rotation < 0.02,
            "{}: rotation off by {rotation}",
            path.display()
        );
    }
}

/// A half-body shot (the kiosk's normal case): the hips, where the
/// tracked region is centred, lie below the frame, and tracking must hold
/// anyway rather than run the detector every frame.
#[test]
fn a_half_body_clip_is_tracked_not_detected_every_frame() {
    use drape::capture::FrameSource;
    use drape::pose::{PoseConfig, PoseTracker};
    let gpu = drape::GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let mut tracker = PoseTracker::new(
        &gpu,
        PoseConfig {
            backend: Backend::Cpu,
            segmentation: false,
            ..PoseConfig::default()
        },
    )
    .unwrap();
    let clip = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/samples/astronaut_pan.y4m");
    let mut source = drape::capture::Y4mSource::open(&clip).unwrap();
    let (mut frames, mut detections, mut lowest_hip) = (0, 0, f32::MAX);
    while let Some(frame) = source.next_frame().unwrap() {
        let rgba = drape::upload::cpu::convert_to_rgba(&frame, false);
        let body = tracker
            .process(&rgba, frame.width, frame.height, frame.timestamp)
            .unwrap()
            .expect("the astronaut in every frame");
        lowest_hip = lowest_hip.min(body.landmarks[drape::pose::BodyLandmark::LeftHip as usize].y);
        frames += 1;
        detections += usize::from(body.detection.is_some());
    }
    assert!(frames >= 30);
    assert!(
        lowest_hip > 1.0,
        "the hips are below the frame in every frame ({lowest_hip})"
    );
    assert!(
        detections <= 2,
        "the detector ran on {detections} of {frames} frames"
    );
}
