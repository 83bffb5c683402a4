//! The pose detector stage against MediaPipe 0.10.21's own results on the
//! reference stills and the no-pose clip (tests/data/reference/, see its
//! README for the provenance and licences of the media), plus unit checks
//! of anchors, suppression, the letterbox and the ROI.

use std::path::{Path, PathBuf};

use drape::nn::cpu::CpuExecutor;
use drape::nn::models::PoseModel;
use drape::nn::Executor;
use drape::pose::detector::{
    generate_anchors, intersection_over_union, warp_region_to_tensor, weighted_non_max_suppression,
    AnchorOptions, Letterbox, ValueRange, POSE_DETECTOR_ANCHORS,
};
use drape::pose::{
    roi_from_detection, Detection, NormalizedRect, PoseDetector, RelativeBox, RgbaImage,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

const SCORE_TOL: f32 = 0.01;
/// Box corners and keypoints, as a fraction of the image.
const POSITION_TOL: f32 = 0.01;
const ROI_CENTER_TOL: f32 = 0.005;
const ROI_SIZE_REL_TOL: f32 = 0.01;
const ROI_ROTATION_TOL_RAD: f32 = 0.02;

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference")
}

fn read_json(relative: &str) -> Value {
    let path = reference_dir().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The media file as RGBA, after checking its RGB bytes are the ones
/// MediaPipe was given (`rgb_sha256`).
fn load_rgba(relative: &str, rgb_sha256: &str) -> (Vec<u8>, usize, usize) {
    let path = reference_dir().join(relative);
    let decoded = image::open(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let rgb = decoded.to_rgb8();
    let digest: String = Sha256::digest(rgb.as_raw())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        digest, rgb_sha256,
        "{relative}: decoded RGB differs from MediaPipe's input"
    );
    let (width, height) = (rgb.width() as usize, rgb.height() as usize);
    (decoded.to_rgba8().into_raw(), width, height)
}

fn cpu_detector() -> Executor {
    let model = PoseModel::Detector
        .load()
        .expect("the detector model is in assets/models");
    Executor::Cpu(CpuExecutor::new(&model, 2).expect("the CPU runtime builds the detector"))
}

fn f32_at(value: &Value) -> f32 {
    value.as_f64().expect("a number") as f32
}

fn reference_detection(value: &Value) -> Detection {
    let bbox: Vec<f32> = value["bbox_xywh"]
        .as_array()
        .expect("bbox")
        .iter()
        .map(f32_at)
        .collect();
    let mut keypoints = [[0.0f32; 2]; 4];
    for (k, point) in value["keypoints"]
        .as_array()
        .expect("keypoints")
        .iter()
        .enumerate()
    {
        keypoints[k] = [f32_at(&point[0]), f32_at(&point[1])];
    }
    Detection {
        score: f32_at(&value["score"]),
        bbox: RelativeBox {
            xmin: bbox[0],
            ymin: bbox[1],
            width: bbox[2],
            height: bbox[3],
        },
        keypoints,
    }
}

fn reference_rect(value: &Value) -> NormalizedRect {
    NormalizedRect {
        x_center: f32_at(&value["x_center"]),
        y_center: f32_at(&value["y_center"]),
        width: f32_at(&value["width"]),
        height: f32_at(&value["height"]),
        rotation: f32_at(&value["rotation"]),
    }
}

/// Largest differences of two rects: centre, relative size, rotation
/// (wrapped).
fn rect_errors(actual: &NormalizedRect, expected: &NormalizedRect) -> (f32, f32, f32) {
    let center = (actual.x_center - expected.x_center)
        .abs()
        .max((actual.y_center - expected.y_center).abs());
    let size = ((actual.width - expected.width) / expected.width)
        .abs()
        .max(((actual.height - expected.height) / expected.height).abs());
    let mut rotation = (actual.rotation - expected.rotation).abs();
    if rotation > std::f32::consts::PI {
        rotation = 2.0 * std::f32::consts::PI - rotation;
    }
    (center, size, rotation)
}

fn box_and_keypoint_errors(actual: &Detection, expected: &Detection) -> (f32, f32) {
    let (a, e) = (&actual.bbox, &expected.bbox);
    let bbox = [
        a.xmin - e.xmin,
        a.ymin - e.ymin,
        a.xmax() - e.xmax(),
        a.ymax() - e.ymax(),
    ]
    .iter()
    .fold(0.0f32, |m, d| m.max(d.abs()));
    let keypoints = actual
        .keypoints
        .iter()
        .zip(&expected.keypoints)
        .flat_map(|(p, q)| [p[0] - q[0], p[1] - q[1]])
        .fold(0.0f32, |m, d| m.max(d.abs()));
    (bbox, keypoints)
}

#[test]
fn anchors_match_the_models_output_rows() {
    let anchors = generate_anchors(&AnchorOptions::pose_detector());
    assert_eq!(anchors.len(), POSE_DETECTOR_ANCHORS);
    // Stride 8: a 28×28 grid, two anchors (aspect 1 and interpolated) per cell.
    let close = |a: f32, b: f32| (a - b).abs() < 1e-6;
    assert!(close(anchors[0].x_center, 0.5 / 28.0) && close(anchors[0].y_center, 0.5 / 28.0));
    assert_eq!(anchors[0], anchors[1]);
    assert!(close(anchors[2].x_center, 1.5 / 28.0) && close(anchors[2].y_center, 0.5 / 28.0));
    assert!(close(anchors[56].y_center, 1.5 / 28.0));
    // Stride 16 starts after 28·28·2 = 1568 anchors; the three stride-32
    // layers share a 7×7 grid with 6 anchors per cell.
    assert!(close(anchors[1568].x_center, 0.5 / 14.0));
    assert!(close(anchors[1568 + 392].x_center, 0.5 / 7.0));
    assert_eq!(anchors[1960], anchors[1965]);
    let last = anchors[POSE_DETECTOR_ANCHORS - 1];
    assert!(close(last.x_center, 6.5 / 7.0) && close(last.y_center, 6.5 / 7.0));
    assert!(anchors.iter().all(|a| a.width == 1.0 && a.height == 1.0));
}

fn boxed(score: f32, xmin: f32, ymin: f32, size: f32, keypoint: f32) -> Detection {
    Detection {
        score,
        bbox: RelativeBox {
            xmin,
            ymin,
            width: size,
            height: size,
        },
        keypoints: [[keypoint; 2]; 4],
    }
}

#[test]
fn weighted_nms_merges_overlaps_and_keeps_the_rest() {
    let a = boxed(0.6, 0.10, 0.10, 0.20, 0.2);
    let b = boxed(0.9, 0.12, 0.12, 0.20, 0.4);
    let far = boxed(0.7, 0.60, 0.60, 0.20, 0.8);
    // Overlap 0.18² over 2·0.2² − 0.18²: about 0.681.
    let iou = intersection_over_union(&a.bbox, &b.bbox);
    assert!((iou - 0.0324 / 0.0476).abs() < 1e-5, "{iou}");
    assert_eq!(intersection_over_union(&a.bbox, &far.bbox), 0.0);

    let merged = weighted_non_max_suppression(&[a, far, b], 0.3);
    assert_eq!(merged.len(), 2);
    // The best keeps its score; box and keypoints are the score-weighted mean.
    assert_eq!(merged[0].score, 0.9);
    let mean = |x: f32, y: f32| (x * 0.6 + y * 0.9) / 1.5;
    assert!((merged[0].bbox.xmin - mean(0.10, 0.12)).abs() < 1e-6);
    assert!((merged[0].bbox.xmax() - mean(0.30, 0.32)).abs() < 1e-6);
    assert!((merged[0].keypoints[3][1] - mean(0.2, 0.4)).abs() < 1e-6);
    // A lone detection is its own weighted mean, up to rounding.
    assert_eq!(merged[1].score, far.score);
    assert!((merged[1].bbox.width - far.bbox.width).abs() < 1e-6);
    assert_eq!(merged[1].keypoints, far.keypoints);
    // Below the threshold nothing merges.
    let apart = boxed(0.5, 0.25, 0.25, 0.20, 0.0);
    assert_eq!(weighted_non_max_suppression(&[a, apart], 0.3).len(), 2);
    assert!(weighted_non_max_suppression(&[], 0.3).is_empty());
}

#[test]
fn letterbox_round_trips_and_pads_with_minus_one() {
    // 640×480 in 224×224: 1/8 of the height padded above and below.
    let letterbox = Letterbox::new(640, 480, 224, 224);
    assert_eq!(
        (letterbox.left, letterbox.top, letterbox.bottom),
        (0.0, 0.125, 0.125)
    );
    for point in [[0.0, 0.0], [0.3, 0.7], [1.2, -0.4]] {
        let there = letterbox.letterboxed_from_image(point);
        let back = letterbox.image_from_letterboxed(there);
        assert!((back[0] - point[0]).abs() < 1e-6 && (back[1] - point[1]).abs() < 1e-6);
    }
    let portrait = Letterbox::new(300, 600, 224, 224);
    assert_eq!(
        (portrait.left, portrait.right, portrait.top),
        (0.25, 0.25, 0.0)
    );
    let detection = boxed(0.8, 0.25, 0.5, 0.25, 0.5);
    let moved = portrait.detection_in_image(&detection);
    assert_eq!(
        (moved.bbox.xmin, moved.bbox.width, moved.bbox.ymin),
        (0.0, 0.5, 0.5)
    );
    assert_eq!(moved.keypoints[0], [0.5, 0.5]);

    // A grey 448×224 image: rows 0..56 and 168.. are padding (-1), the
    // middle is grey; the edge rows blend grey with black.
    let (width, height) = (448, 224);
    let rgba: Vec<u8> = (0..width * height)
        .flat_map(|_| [200, 200, 200, 255])
        .collect();
    let image = RgbaImage::new(&rgba, width, height).expect("valid image");
    let mut tensor = vec![0.0; 224 * 224 * 3];
    let letterbox =
        drape::pose::detector::letterbox_for_detector(image, &mut tensor).expect("fits");
    assert_eq!(letterbox.top, 0.25);
    let at = |x: usize, y: usize| tensor[(y * 224 + x) * 3];
    let grey = 200.0 * 2.0 / 255.0 - 1.0;
    assert_eq!(at(10, 0), -1.0);
    assert_eq!(at(10, 55), -1.0);
    assert!((at(10, 56) - grey).abs() < 1e-6 && (at(223, 167) - grey).abs() < 1e-6);
    assert_eq!(at(10, 168), -1.0);

    // Same size and no rotation: the tensor is the image itself.
    let pattern: Vec<u8> = (0..224 * 224 * 4).map(|i| (i * 7 % 251) as u8).collect();
    let image = RgbaImage::new(&pattern, 224, 224).expect("valid image");
    let region = letterbox_region(224, 224);
    warp_region_to_tensor(image, &region, 224, 224, ValueRange::LANDMARK, &mut tensor)
        .expect("fits");
    for (i, value) in tensor.iter().enumerate() {
        let (pixel, channel) = (i / 3, i % 3);
        let expected = f32::from(pattern[pixel * 4 + channel]) / 255.0;
        assert!(
            (value - expected).abs() < 1e-6,
            "value {i}: {value} vs {expected}"
        );
    }
    assert!(RgbaImage::new(&pattern, 225, 224).is_err());
}

fn letterbox_region(width: usize, height: usize) -> drape::pose::detector::PixelRect {
    Letterbox::new(width, height, 224, 224).region_in_image
}

#[test]
fn roi_from_mediapipes_detection_is_mediapipes_roi() {
    let reference = read_json("ref/static.json");
    for image in reference["images"].as_array().expect("images") {
        let (width, height) = (
            image["width"].as_u64().unwrap() as usize,
            image["height"].as_u64().unwrap() as usize,
        );
        for (run, result) in image["runs"].as_object().expect("runs") {
            if !result["pose_found"].as_bool().unwrap_or(false) {
                continue;
            }
            let detection = reference_detection(&result["detection"]);
            let expected = reference_rect(&result["roi_from_detection"]);
            let actual = roi_from_detection(&detection, width, height);
            let (center, size, rotation) = rect_errors(&actual, &expected);
            let label = format!("{} {run}", image["id"]);
            assert!(
                center < 1e-5 && size < 1e-5 && rotation < 1e-5,
                "{label}: {actual:?} vs {expected:?}"
            );
        }
    }
}

#[test]
fn detections_match_mediapipe_on_the_stills() {
    let reference = read_json("ref/static.json");
    let mut executor = cpu_detector();
    let mut detector = PoseDetector::new();
    let mut failures = Vec::new();
    println!(
        "{:<16} {:>7} {:>7} {:>9} {:>9} {:>9} {:>10} {:>9} {:>9}",
        "image run",
        "score",
        "mp",
        "d_score",
        "max_bbox",
        "max_kp",
        "roi_centre",
        "roi_size",
        "roi_rot"
    );
    for image in reference["images"].as_array().expect("images") {
        let id = image["id"].as_str().expect("id");
        let (rgba, width, height) = load_rgba(
            image["file"].as_str().expect("file"),
            image["rgb_sha256"].as_str().expect("sha"),
        );
        let found = detector
            .detect(
                &mut executor,
                RgbaImage::new(&rgba, width, height).expect("valid image"),
            )
            .expect("the detector runs");
        // Every model complexity runs the same detector: compare with each.
        for (run_name, run) in image["runs"].as_object().expect("runs") {
            let label = format!("{id} {run_name}");
            let expected_found = !run["detection"].is_null();
            let (Some(actual), true) = (found, expected_found) else {
                println!(
                    "{label:<16} found {} where MediaPipe found {expected_found}",
                    found.is_some()
                );
                if found.is_some() != expected_found {
                    failures.push(format!(
                        "{label}: found {} vs {expected_found}",
                        found.is_some()
                    ));
                }
                continue;
            };
            let expected = reference_detection(&run["detection"]);
            let d_score = (actual.score - expected.score).abs();
            let (d_bbox, d_keypoints) = box_and_keypoint_errors(&actual, &expected);
            let roi = roi_from_detection(&actual, width, height);
            let expected_roi = reference_rect(&run["roi_from_detection"]);
            let (d_center, d_size, d_rotation) = rect_errors(&roi, &expected_roi);
            println!(
                "{label:<16} {:>7.4} {:>7.4} {d_score:>9.2e} {d_bbox:>9.2e} {d_keypoints:>9.2e} {d_center:>10.2e} {d_size:>9.2e} {d_rotation:>9.2e}",
                actual.score, expected.score
            );
            let checks = [
                ("score", d_score, SCORE_TOL),
                ("bbox", d_bbox, POSITION_TOL),
                ("keypoints", d_keypoints, POSITION_TOL),
                ("roi centre", d_center, ROI_CENTER_TOL),
                ("roi size", d_size, ROI_SIZE_REL_TOL),
                ("roi rotation", d_rotation, ROI_ROTATION_TOL_RAD),
            ];
            for (what, error, tolerance) in checks {
                if error > tolerance {
                    failures.push(format!(
                        "{label}: {what} off by {error} (tolerance {tolerance})"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn no_detection_on_the_no_pose_clip() {
    let reference = read_json("ref/video_vtest_0_9.json");
    let mut executor = cpu_detector();
    let mut detector = PoseDetector::new();
    let frames = reference["frames"].as_array().expect("frames");
    let runs = reference["runs"]["c0"].as_array().expect("c0 run");
    for (frame, run) in frames.iter().zip(runs) {
        let file = frame["file"].as_str().expect("file");
        let (rgba, width, height) = load_rgba(file, frame["rgb_sha256"].as_str().expect("sha"));
        let image = RgbaImage::new(&rgba, width, height).expect("valid image");
        let all = detector
            .detect_all(&mut executor, image)
            .expect("the detector runs");
        let best = all.first().map_or(0.0, |d| d.score);
        println!("{file}: {} detections, best score {best:.4}", all.len());
        assert_eq!(
            all.is_empty(),
            run["detection"].is_null(),
            "{file}: MediaPipe's detection {}",
            run["detection"]
        );
    }
}
