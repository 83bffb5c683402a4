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

/// The bundled reel (examples/make_sample_clip.rs): 32 frames of the
/// astronaut, two black frames, 24 of the basketball player.
///
/// The astronaut's shot is half-body (the kiosk's normal case): the hips,
/// where the tracked region is centred, lie below the frame, and tracking
/// must hold anyway rather than run the detector every frame. The black
/// frames lose her; the player is then found afresh and tracked.
#[test]
fn the_sample_reel_is_tracked_through_its_cut() {
    use drape::capture::FrameSource;
    use drape::pose::{BodyLandmark, PoseConfig, PoseTracker};
    const ASTRONAUT: std::ops::Range<usize> = 0..32;
    const BLACK: std::ops::Range<usize> = 32..34;
    const PLAYER: std::ops::Range<usize> = 34..58;
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
    let clip = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/samples/sample_reel.y4m");
    let mut source = drape::capture::Y4mSource::open(&clip).unwrap();
    let mut bodies = Vec::new();
    while let Some(frame) = source.next_frame().unwrap() {
        let rgba = drape::upload::cpu::convert_to_rgba(&frame, false);
        bodies.push(
            tracker
                .process(&rgba, frame.width, frame.height, frame.timestamp)
                .unwrap(),
        );
    }
    assert_eq!(bodies.len(), PLAYER.end, "frames in the reel");
    let detections = |range: std::ops::Range<usize>| {
        bodies[range]
            .iter()
            .filter(|b| b.as_ref().is_some_and(|b| b.detection.is_some()))
            .count()
    };
    let hip_y = |i: usize| {
        let body = bodies[i]
            .as_ref()
            .unwrap_or_else(|| panic!("no body in frame {i}"));
        body.landmark(BodyLandmark::LeftHip).y
    };
    let lowest_hip = ASTRONAUT.map(hip_y).fold(f32::MAX, f32::min);
    assert!(
        lowest_hip > 1.0,
        "the hips are below the frame in every frame ({lowest_hip})"
    );
    let astronaut_detections = detections(ASTRONAUT);
    assert!(
        astronaut_detections <= 2,
        "the detector ran on {astronaut_detections} of {} frames",
        ASTRONAUT.len()
    );
    assert!(
        bodies[BLACK].iter().all(Option::is_none),
        "a body in the black"
    );
    // The player: found on his first frame, then tracked; his hips are in
    // the frame.
    let first = bodies[PLAYER.start].as_ref().expect("the player, at once");
    assert!(first.detection.is_some(), "found by the detector");
    assert_eq!(
        detections(PLAYER),
        1,
        "the detector ran again while tracking"
    );
    let highest_hip = PLAYER.map(hip_y).fold(f32::MIN, f32::max);
    assert!(
        highest_hip < 1.0,
        "the player's hips are in the frame ({highest_hip})"
    );
}
