//! The landmark stage against MediaPipe: the region crop (GPU against its
//! CPU twin) and the landmarks decoded from the lite and full models on the
//! reference stills, with MediaPipe's own region (`roi_from_detection`) as
//! input so that detection errors do not leak in.
//!
//! The reference is tests/data/reference/ (see its README: MediaPipe
//! 0.10.21's legacy `solutions.pose` in static mode on photos under
//! permissive licences). `cargo test --test pose_landmarks -- --nocapture`
//! prints the per-image error table.

mod common;

use std::path::{Path, PathBuf};

use drape::capture::{Frame, PixelFormat};
use drape::gpu::read_mapped;
use drape::nn::cpu::CpuExecutor;
use drape::nn::gpu::GpuExecutor;
use drape::nn::models::PoseModel;
use drape::nn::Executor;
use drape::pose::crop::{
    crop_cpu, crop_roi_cpu, image_from_roi, roi_from_image, CropBorder, CropGeometry, RoiCropper,
    LANDMARK_INPUT_SIZE,
};
use drape::pose::landmarks::{estimate, estimate_on_gpu, LandmarkResult, BODY_LANDMARK_COUNT};
use drape::pose::types::NormalizedRect;
use drape::upload::{FrameUploader, UploadOptions};
use serde_json::Value;
use sha2::{Digest, Sha256};

// Tolerances of the issue ("Match MediaPipe"), on the 33 body landmarks.

/// x and y of every visible landmark within this of MediaPipe's, as a
/// fraction of the image's width and height.
const LANDMARK_MAX_ERROR: f32 = 0.005;
/// The mean of those errors over the visible landmarks.
const LANDMARK_MEAN_ERROR: f32 = 0.002;
/// A landmark counts as visible when MediaPipe's visibility is above this.
const VISIBLE: f32 = 0.5;
/// Visibility of every landmark within this.
const VISIBILITY_ERROR: f32 = 0.05;
/// World landmarks within this distance, metres.
const WORLD_ERROR_M: f32 = 0.02;

/// GPU crop against `crop_cpu`: the same integer arithmetic, but the GPU
/// may fuse the affine map into FMAs and divide by 255 approximately, so a
/// position exactly between two 1/32-pixel steps can round the other way.
/// Allowed: one 8-bit step on at most 0.1% of the values.
const CROP_MAX_DIFF: f32 = 1.0 / 255.0 + 1e-6;
const CROP_MAX_DIFFERING_FRACTION: f64 = 0.001;
/// Values closer than this count as equal (f32 rounding of k/255).
const CROP_SAME: f32 = 1e-6;

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference")
}

fn static_reference() -> Value {
    let text = std::fs::read_to_string(reference_dir().join("ref/static.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A still as RGBA8 (grey ones fed as RGB), its decoded RGB bytes checked
/// against the manifest's checksum.
fn load_still(image: &Value) -> (Vec<u8>, u32, u32) {
    let path = reference_dir().join(image["file"].as_str().unwrap());
    let decoded = image::open(&path).unwrap();
    let rgb = decoded.to_rgb8();
    let digest: String = Sha256::digest(rgb.as_raw())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        Some(digest.as_str()),
        image["rgb_sha256"].as_str(),
        "{}: decoded pixels differ from MediaPipe's input",
        path.display()
    );
    let rgba = decoded.to_rgba8();
    (rgba.as_raw().clone(), rgba.width(), rgba.height())
}

fn rect_from(value: &Value) -> NormalizedRect {
    let f = |key: &str| value[key].as_f64().unwrap() as f32;
    NormalizedRect {
        x_center: f("x_center"),
        y_center: f("y_center"),
        width: f("width"),
        height: f("height"),
        rotation: f("rotation"),
    }
}

fn floats(value: &Value) -> Vec<f32> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect()
}

#[test]
fn roi_transforms_are_inverse_and_rotate_clockwise() {
    let rect = NormalizedRect {
        x_center: 0.4,
        y_center: 0.6,
        width: 0.5,
        height: 0.3,
        rotation: std::f32::consts::FRAC_PI_2,
    };
    // The region's centre is the rect's; a quarter turn sends the region's
    // +x (right) to the image's +y (down).
    let centre = image_from_roi(&rect, [0.5, 0.5]);
    assert!((centre[0] - 0.4).abs() < 1e-6 && (centre[1] - 0.6).abs() < 1e-6);
    let right = image_from_roi(&rect, [1.0, 0.5]);
    assert!((right[0] - 0.4).abs() < 1e-6, "{right:?}");
    assert!((right[1] - (0.6 + 0.5 * 0.3)).abs() < 1e-6, "{right:?}");
    for point in [[0.1, 0.2], [0.9, -0.3], [1.4, 0.7]] {
        let back = roi_from_image(&rect, image_from_roi(&rect, point));
        assert!((back[0] - point[0]).abs() < 1e-5 && (back[1] - point[1]).abs() < 1e-5);
    }
}

#[test]
fn crop_of_the_whole_image_samples_pixel_indices() {
    // A 4×4 ramp cropped whole into 8×8: output index x samples source
    // x/2 (OpenCV: pixel centres at integers, no half-pixel offset).
    let (width, height) = (4u32, 4u32);
    let rgba: Vec<u8> = (0..16u32)
        .flat_map(|i| [(i % 4 * 60) as u8, (i / 4 * 60) as u8, 7, 255])
        .collect();
    let rect = NormalizedRect {
        x_center: 0.5,
        y_center: 0.5,
        width: 1.0,
        height: 1.0,
        rotation: 0.0,
    };
    let geometry = CropGeometry::new(&rect, width, height, 8, 8).unwrap();
    let out = crop_cpu(&rgba, &geometry, CropBorder::Replicate, false).unwrap();
    let red = |x: usize, y: usize| (out[(y * 8 + x) * 3] * 255.0).round();
    let green = |x: usize, y: usize| (out[(y * 8 + x) * 3 + 1] * 255.0).round();
    assert_eq!(red(0, 0), 0.0);
    assert_eq!(red(1, 0), 30.0);
    assert_eq!(red(2, 5), 60.0);
    assert_eq!(red(7, 0), 180.0, "replicated past the right edge");
    assert_eq!(green(3, 3), 90.0);
    let zero = crop_cpu(&rgba, &geometry, CropBorder::Zero, false).unwrap();
    // One tap of four inside: 7/4 rounds to 2.
    assert_eq!((zero[(7 * 8 + 7) * 3 + 2] * 255.0).round(), 2.0);
}

/// Crops `rect` from `texture` on the GPU and compares with `crop_cpu` on
/// the same RGBA bytes.
struct GpuCropCheck {
    gpu: drape::GpuContext,
    cropper: RoiCropper,
    output: wgpu::Buffer,
    readback: wgpu::Buffer,
}

impl GpuCropCheck {
    fn new() -> GpuCropCheck {
        let gpu = common::gpu();
        let bytes = LANDMARK_INPUT_SIZE as u64 * LANDMARK_INPUT_SIZE as u64 * 16;
        let buffer = |label, usage| {
            gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: bytes,
                usage,
                mapped_at_creation: false,
            })
        };
        let output = buffer(
            "crop test output",
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        );
        let readback = buffer(
            "crop test readback",
            wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
        );
        GpuCropCheck {
            cropper: RoiCropper::new(&gpu),
            gpu,
            output,
            readback,
        }
    }

    fn check(
        &mut self,
        texture: &wgpu::Texture,
        rgba: &[u8],
        rect: &NormalizedRect,
        border: CropBorder,
    ) {
        let gpu = &self.gpu;
        self.cropper.border = border;
        let mut encoder = gpu.device.create_command_encoder(&Default::default());
        let geometry = self
            .cropper
            .encode(
                gpu,
                &mut encoder,
                texture,
                rect,
                &self.output,
                LANDMARK_INPUT_SIZE,
            )
            .unwrap();
        encoder.copy_buffer_to_buffer(&self.output, 0, &self.readback, 0, self.output.size());
        gpu.queue.submit([encoder.finish()]);
        let actual: Vec<f32> = read_mapped(
            gpu,
            &self.readback,
            0..self.readback.size(),
            bytemuck::pod_collect_to_vec,
        )
        .unwrap();
        let expected = crop_cpu(rgba, &geometry, border, true).unwrap();
        let diffs: Vec<f32> = actual
            .iter()
            .zip(&expected)
            .map(|(a, e)| (a - e).abs())
            .collect();
        let max = diffs.iter().copied().fold(0.0f32, f32::max);
        let differing = diffs.iter().filter(|&&d| d > CROP_SAME).count();
        let fraction = differing as f64 / diffs.len() as f64;
        println!("{border:?} {rect:?}: max diff {max:.2e}, {differing} values differ");
        assert!(max <= CROP_MAX_DIFF, "{border:?} {rect:?}: max diff {max}");
        assert!(
            fraction <= CROP_MAX_DIFFERING_FRACTION,
            "{border:?} {rect:?}: {differing} values differ"
        );
    }
}

#[test]
fn gpu_crop_matches_cpu_twin() {
    let mut check = GpuCropCheck::new();
    let (width, height) = (97u32, 61u32);
    let frame = common::noise_frame(PixelFormat::Rgba8, width, height, 11);
    let texture = FrameUploader::new(&check.gpu)
        .upload(&check.gpu, &frame, &UploadOptions::default())
        .unwrap();
    let rects = [
        // Inside, rotated.
        (0.5, 0.5, 0.6, 0.9, 0.3),
        // Beyond the frame on three sides, rotated the other way.
        (0.3, 0.9, 1.8, 2.9, -2.2),
        // Not square in pixels: letterboxed.
        (0.6, 0.4, 0.3, 0.8, 1.0),
    ];
    for border in [CropBorder::Replicate, CropBorder::Zero] {
        for (x_center, y_center, width, height, rotation) in rects {
            let rect = NormalizedRect {
                x_center,
                y_center,
                width,
                height,
                rotation,
            };
            check.check(&texture, &frame.data, &rect, border);
        }
    }
}

#[test]
fn gpu_crop_of_reference_stills_matches_cpu_twin() {
    let mut check = GpuCropCheck::new();
    let mut uploader = FrameUploader::new(&check.gpu);
    for image in static_reference()["images"].as_array().unwrap() {
        let (rgba, width, height) = load_still(image);
        let frame = Frame::new(rgba, PixelFormat::Rgba8, width, height).unwrap();
        let texture = uploader
            .upload(&check.gpu, &frame, &UploadOptions::default())
            .unwrap();
        let rect = rect_from(&image["runs"]["c0"]["roi_from_detection"]);
        check.check(&texture, &frame.data, &rect, CropBorder::Replicate);
    }
}

#[test]
fn bad_regions_and_images_are_errors() {
    let rgba = vec![0u8; 8 * 8 * 4];
    let good = NormalizedRect {
        x_center: 0.5,
        y_center: 0.5,
        width: 1.0,
        height: 1.0,
        rotation: 0.0,
    };
    for bad in [
        NormalizedRect { width: 0.0, ..good },
        NormalizedRect {
            height: -1.0,
            ..good
        },
        NormalizedRect {
            x_center: f32::NAN,
            ..good
        },
        NormalizedRect {
            rotation: f32::INFINITY,
            ..good
        },
    ] {
        assert!(crop_roi_cpu(&rgba, 8, 8, &bad, 256).is_err(), "{bad:?}");
    }
    assert!(crop_roi_cpu(&rgba[..100], 8, 8, &good, 256).is_err());
    assert!(crop_roi_cpu(&rgba, 0, 8, &good, 256).is_err());
    assert!(crop_roi_cpu(&rgba, 8, 8, &good, 16).is_ok());
}

/// Errors of one image against MediaPipe.
struct Errors {
    visible: usize,
    mean_xy: f32,
    max_xy: f32,
    max_visibility: f32,
    mean_world_m: f32,
    max_world_m: f32,
}

fn compare(result: &LandmarkResult, run: &Value) -> Errors {
    let landmarks: Vec<Vec<f32>> = run["landmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(floats)
        .collect();
    let world: Vec<Vec<f32>> = run["world_landmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(floats)
        .collect();
    assert_eq!(landmarks.len(), BODY_LANDMARK_COUNT);
    let (mut visible, mut sum_xy, mut max_xy, mut max_visibility) = (0, 0.0f32, 0.0f32, 0.0f32);
    let (mut sum_world, mut max_world) = (0.0f32, 0.0f32);
    for i in 0..BODY_LANDMARK_COUNT {
        let (ours, theirs) = (&result.landmarks[i], &landmarks[i]);
        max_visibility = max_visibility.max((ours[3] - theirs[3]).abs());
        if theirs[3] > VISIBLE {
            visible += 1;
            for axis in 0..2 {
                let error = (ours[axis] - theirs[axis]).abs();
                sum_xy += error;
                max_xy = max_xy.max(error);
            }
        }
        let distance = (0..3)
            .map(|axis| (result.world[i][axis] - world[i][axis]).powi(2))
            .sum::<f32>()
            .sqrt();
        sum_world += distance;
        max_world = max_world.max(distance);
    }
    Errors {
        visible,
        mean_xy: sum_xy / (2 * visible.max(1)) as f32,
        max_xy,
        max_visibility,
        mean_world_m: sum_world / BODY_LANDMARK_COUNT as f32,
        max_world_m: max_world,
    }
}

/// Runs `model` on every still with MediaPipe's region for `run_key`,
/// prints the table and checks the tolerances.
fn landmarks_match_mediapipe(model: PoseModel, run_key: &str) {
    let reference = static_reference();
    let mut executor = Executor::Cpu(CpuExecutor::new(&model.load().unwrap(), 2).unwrap());
    println!(
        "{:<13} {} | visible | xy mean  xy max  | vis max | world mean  max (m)",
        "image", run_key
    );
    let mut failures = Vec::new();
    for image in reference["images"].as_array().unwrap() {
        let id = image["id"].as_str().unwrap();
        let run = &image["runs"][run_key];
        if run["pose_found"].as_bool() != Some(true) {
            continue;
        }
        let (rgba, width, height) = load_still(image);
        let roi = rect_from(&run["roi_from_detection"]);
        let result = estimate(&mut executor, &rgba, width, height, &roi).unwrap();
        let e = compare(&result, run);
        println!(
            "{id:<13} {run_key} | {:>7} | {:.5}  {:.5} | {:.4}  | {:.4}     {:.4}",
            e.visible, e.mean_xy, e.max_xy, e.max_visibility, e.mean_world_m, e.max_world_m
        );
        if !result.pose_present() {
            failures.push(format!(
                "{id}: pose score {} (MediaPipe found one)",
                result.pose_score
            ));
        }
        if e.max_xy > LANDMARK_MAX_ERROR || e.mean_xy > LANDMARK_MEAN_ERROR {
            failures.push(format!(
                "{id}: landmark error mean {} max {}",
                e.mean_xy, e.max_xy
            ));
        }
        if e.max_visibility > VISIBILITY_ERROR {
            failures.push(format!("{id}: visibility error {}", e.max_visibility));
        }
        if e.max_world_m > WORLD_ERROR_M {
            failures.push(format!("{id}: world error {} m", e.max_world_m));
        }
    }
    assert!(failures.is_empty(), "{run_key}: {}", failures.join("; "));
}

#[test]
fn lite_landmarks_match_mediapipe() {
    landmarks_match_mediapipe(PoseModel::LandmarkLite, "c0");
}

#[test]
fn full_landmarks_match_mediapipe() {
    landmarks_match_mediapipe(PoseModel::LandmarkFull, "c1");
}

/// The GPU path end to end (working texture → GPU crop → GPU executor →
/// decode) against MediaPipe on every still, lite model.
#[test]
fn gpu_path_matches_mediapipe() {
    let gpu = common::gpu();
    let model = PoseModel::LandmarkLite.load().unwrap();
    let mut executor = Executor::Gpu(GpuExecutor::new(&gpu, &model).unwrap());
    let mut cropper = RoiCropper::new(&gpu);
    let mut uploader = FrameUploader::new(&gpu);
    let reference = static_reference();
    let mut failures = Vec::new();
    for image in reference["images"].as_array().unwrap() {
        let id = image["id"].as_str().unwrap();
        let run = &image["runs"]["c0"];
        let (rgba, width, height) = load_still(image);
        let frame = Frame::new(rgba, PixelFormat::Rgba8, width, height).unwrap();
        let texture = uploader
            .upload(&gpu, &frame, &UploadOptions::default())
            .unwrap();
        let roi = rect_from(&run["roi_from_detection"]);
        let result = estimate_on_gpu(&gpu, &mut cropper, &mut executor, &texture, &roi).unwrap();
        let e = compare(&result, run);
        println!(
            "{id:<13} gpu | {:>7} | {:.5}  {:.5} | {:.4}  | {:.4}     {:.4}",
            e.visible, e.mean_xy, e.max_xy, e.max_visibility, e.mean_world_m, e.max_world_m
        );
        let within = result.pose_present()
            && e.max_xy <= LANDMARK_MAX_ERROR
            && e.mean_xy <= LANDMARK_MEAN_ERROR
            && e.max_visibility <= VISIBILITY_ERROR
            && e.max_world_m <= WORLD_ERROR_M;
        if !within {
            failures.push(id);
        }
    }
    assert!(
        failures.is_empty(),
        "GPU path beyond tolerance on {failures:?}"
    );
}
