//! The person mask warped back into the image against MediaPipe's masks on
//! the reference stills (MediaPipe's own region, so only the mask stage is
//! measured): IoU of the > 0.5 region.

use std::path::PathBuf;

use drape::nn::models::PoseModel;
use drape::nn::{Backend, Executor};
use drape::pose::crop::{CropGeometry, LANDMARK_INPUT_SIZE};
use drape::pose::landmarks::estimate;
use drape::pose::mask::mask_in_image;
use drape::pose::NormalizedRect;

/// The bar for the mask.
const MIN_IOU: f64 = 0.95;

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference")
}

#[test]
fn masks_match_mediapipe_on_the_stills() {
    let gpu = drape::GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let model = PoseModel::LandmarkLite.load().unwrap();
    let mut executor = Executor::new(&gpu, &model, Backend::Cpu, 1).unwrap();
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(reference().join("ref/static.json")).unwrap(),
    )
    .unwrap();
    println!("image          IoU    area ours  area MediaPipe");
    let mut failures = Vec::new();
    for image in json["images"].as_array().unwrap() {
        let run = &image["runs"]["c0"];
        let r = &run["roi_from_detection"];
        let roi = NormalizedRect {
            x_center: r["x_center"].as_f64().unwrap() as f32,
            y_center: r["y_center"].as_f64().unwrap() as f32,
            width: r["width"].as_f64().unwrap() as f32,
            height: r["height"].as_f64().unwrap() as f32,
            rotation: r["rotation"].as_f64().unwrap() as f32,
        };
        let rgba = image::open(reference().join(image["file"].as_str().unwrap()))
            .unwrap()
            .into_rgba8();
        let (w, h) = (rgba.width(), rgba.height());
        let result = estimate(&mut executor, rgba.as_raw(), w, h, &roi).unwrap();
        let size = LANDMARK_INPUT_SIZE;
        let geometry = CropGeometry::new(&roi, w, h, size, size).unwrap();
        let mask = mask_in_image(&result.segmentation_logits_roi, &geometry).unwrap();

        let theirs = image::open(reference().join(run["segmentation"]["png"].as_str().unwrap()))
            .unwrap()
            .into_luma8();
        assert_eq!((theirs.width(), theirs.height()), (w, h));
        let (mut both, mut either, mut ours_n, mut theirs_n) = (0u64, 0u64, 0u64, 0u64);
        for (p, q) in mask.probabilities.iter().zip(theirs.as_raw()) {
            let (a, b) = (*p > 0.5, *q >= 128);
            both += u64::from(a && b);
            either += u64::from(a || b);
            ours_n += u64::from(a);
            theirs_n += u64::from(b);
        }
        let iou = both as f64 / either.max(1) as f64;
        let total = (w * h) as f64;
        let id = image["id"].as_str().unwrap();
        println!(
            "{id:<13} {iou:.4}  {:>9.4}  {:>14.4}",
            ours_n as f64 / total,
            theirs_n as f64 / total
        );
        if iou < MIN_IOU {
            failures.push(format!("{id}: IoU {iou:.4}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The tracker's GPU mask (for renderers) against its CPU mask over three
/// tracked frames of the panning clip, blending included.
#[test]
fn tracker_gpu_mask_matches_its_cpu_mask() {
    use drape::pose::{PoseConfig, PoseTracker};
    use std::time::Duration;
    /// GPU and CPU warp in f32 with the same formulas.
    const PROBABILITY_TOLERANCE: f32 = 1e-4;
    let gpu = drape::GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let config = |gpu_mask| PoseConfig {
        backend: Backend::Cpu,
        gpu_mask,
        ..PoseConfig::default()
    };
    let mut on_cpu = PoseTracker::new(&gpu, config(false)).unwrap();
    let mut on_gpu = PoseTracker::new(&gpu, config(true)).unwrap();
    let photo = image::open(reference().join("media/basketball1.png"))
        .unwrap()
        .into_rgba8();
    for t in 0..3u32 {
        let frame = image::imageops::crop_imm(&photo, t * 2, 0, 600, 480).to_image();
        let timestamp = Duration::from_micros(33_333 * (t as u64 + 1));
        let cpu_body = on_cpu
            .process(frame.as_raw(), 600, 480, timestamp)
            .unwrap()
            .expect("a person");
        let gpu_body = on_gpu
            .process(frame.as_raw(), 600, 480, timestamp)
            .unwrap()
            .expect("a person");
        assert!(gpu_body.mask.is_none(), "the GPU mask stays on the GPU");
        let texture = on_gpu.mask_texture().expect("a mask texture");
        assert_eq!((texture.width(), texture.height()), (600, 480));
        let expected = cpu_body.mask.expect("a CPU mask");
        let actual = on_gpu.read_mask().unwrap().expect("a CPU copy");
        let worst = actual
            .probabilities
            .iter()
            .zip(&expected.probabilities)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst <= PROBABILITY_TOLERANCE, "frame {t}: {worst}");
    }
}
