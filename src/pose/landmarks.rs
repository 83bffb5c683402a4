//! The landmark model's outputs → landmarks in the image, as MediaPipe's
//! pose_landmark_by_roi_cpu.pbtxt and tensors_to_pose_landmarks_and_segmentation.pbtxt
//! decode them: TensorsToLandmarks (÷256, sigmoid on visibility and
//! presence), RefineLandmarksFromHeatmap (7×7), LandmarkLetterboxRemoval,
//! LandmarkProjection with the region, and WorldLandmarkProjection.

use super::crop::{
    crop_cpu, image_from_roi, CropBorder, CropGeometry, RoiCropper, LANDMARK_INPUT_SIZE,
};
use super::types::NormalizedRect;
use super::PoseError;
use crate::gpu::GpuContext;
use crate::nn::Executor;

/// Landmarks the model predicts: the 33 of the body, then 6 auxiliary ones
/// (33 and 34 place the next frame's region).
pub const LANDMARK_COUNT: usize = 39;
/// The body's landmarks, BlazePose's order (0 nose … 32 right foot index).
pub const BODY_LANDMARK_COUNT: usize = 33;
/// Values per landmark in the model's first output: x, y, z, visibility
/// and presence logits.
const VALUES_PER_LANDMARK: usize = 5;
/// RefineLandmarksFromHeatmapCalculator's window, in heatmap cells. The
/// repository's pbtxt sets 7, but MediaPipe 0.10.21's pose graph refines as
/// with the calculator's default of 9: on the reference stills 9 matches
/// its landmarks to 5e-4 of the image, 7 misses by up to 0.011.
pub const HEATMAP_KERNEL_SIZE: usize = 9;
/// The calculator's default `min_confidence_to_refine`.
pub const HEATMAP_MIN_CONFIDENCE: f32 = 0.5;
/// The pose is present when its score is above this (ThresholdingCalculator).
pub const POSE_PRESENCE_THRESHOLD: f32 = 0.5;

/// What the landmark model says about one region.
#[derive(Debug, Clone, PartialEq)]
pub struct LandmarkResult {
    /// x, y, z, visibility, presence of the 39 landmarks: x and y normalised
    /// to the image (they may lie outside [0, 1]), z on x's scale with its
    /// origin at the hips, visibility and presence probabilities.
    pub landmarks: [[f32; 5]; LANDMARK_COUNT],
    /// The body's landmarks in metres, origin between the hips, rotated
    /// with the region into the image's axes.
    pub world: [[f32; 3]; BODY_LANDMARK_COUNT],
    /// The pose-presence probability (the model's own output; MediaPipe
    /// applies no activation to it).
    pub pose_score: f32,
    /// The 256×256 segmentation logits in the region's frame, row-major,
    /// for the mask stage.
    pub segmentation_logits_roi: Vec<f32>,
}

impl LandmarkResult {
    /// Whether MediaPipe would keep these landmarks (score above 0.5).
    pub fn pose_present(&self) -> bool {
        self.pose_score > POSE_PRESENCE_THRESHOLD
    }
}

/// The landmark model's five outputs, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct LandmarkOutputs<'a> {
    /// [1, 195]: 39 × (x, y, z, visibility, presence), pixels of the 256²
    /// input and logits.
    pub landmarks: &'a [f32],
    /// [1, 1]: the pose-presence probability.
    pub pose_flag: &'a [f32],
    /// [1, 256, 256, 1]: segmentation logits.
    pub segmentation: &'a [f32],
    /// [1, 64, 64, 39]: per-landmark heatmap logits, HWC.
    pub heatmap: &'a [f32],
    /// `[height, width]` of the heatmap.
    pub heatmap_size: [usize; 2],
    /// [1, 117]: 39 × (x, y, z) in metres.
    pub world: &'a [f32],
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fn check_len(what: &'static str, values: &[f32], expected: usize) -> Result<(), PoseError> {
    if values.len() != expected {
        return Err(PoseError::OutputSize {
            what,
            expected,
            actual: values.len(),
        });
    }
    Ok(())
}

/// TensorsToLandmarksCalculator: raw [x, y, z, visibility, presence] in
/// input pixels and logits → the region's [0, 1]² frame (z on x's scale)
/// and probabilities.
pub fn roi_landmarks_from_tensor(
    raw: &[f32],
    input_size: u32,
) -> Result<[[f32; 5]; LANDMARK_COUNT], PoseError> {
    check_len("landmarks", raw, LANDMARK_COUNT * VALUES_PER_LANDMARK)?;
    let size = input_size as f32;
    let mut out = [[0.0f32; 5]; LANDMARK_COUNT];
    for (landmark, v) in out.iter_mut().zip(raw.chunks_exact(VALUES_PER_LANDMARK)) {
        *landmark = [
            v[0] / size,
            v[1] / size,
            v[2] / size,
            sigmoid(v[3]),
            sigmoid(v[4]),
        ];
    }
    Ok(out)
}

/// RefineLandmarksFromHeatmapCalculator: each landmark's x, y become the
/// sigmoid-weighted mean cell of the `kernel_size`² heatmap window around
/// it, when the window's largest confidence reaches `min_confidence`.
/// As there: the centre cell truncates toward zero, a centre outside the
/// heatmap leaves the landmark as it is, and the mean is of cell indices
/// (no half-cell offset).
pub fn refine_from_heatmap(
    landmarks: &mut [[f32; 5]; LANDMARK_COUNT],
    heatmap: &[f32],
    heatmap_size: [usize; 2],
    kernel_size: usize,
    min_confidence: f32,
) -> Result<(), PoseError> {
    let [rows, cols] = heatmap_size;
    check_len("heatmap", heatmap, rows * cols * LANDMARK_COUNT)?;
    let (rows_i, cols_i) = (rows as i64, cols as i64);
    let offset = (kernel_size as i64 - 1) / 2;
    for (index, landmark) in landmarks.iter_mut().enumerate() {
        // `as i64` truncates toward zero, as C++'s float-to-int does.
        let center_col = (landmark[0] * cols as f32) as i64;
        let center_row = (landmark[1] * rows as f32) as i64;
        if center_col < 0 || center_col >= cols_i || center_row < 0 || center_row >= rows_i {
            continue;
        }
        let (begin_col, end_col) = (
            (center_col - offset).max(0),
            (center_col + offset + 1).min(cols_i),
        );
        let (begin_row, end_row) = (
            (center_row - offset).max(0),
            (center_row + offset + 1).min(rows_i),
        );
        let (mut sum, mut weighted_col, mut weighted_row, mut max_confidence) =
            (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for row in begin_row..end_row {
            for col in begin_col..end_col {
                let at = (row as usize * cols + col as usize) * LANDMARK_COUNT + index;
                let confidence = sigmoid(heatmap[at]);
                sum += confidence;
                max_confidence = max_confidence.max(confidence);
                weighted_col += col as f32 * confidence;
                weighted_row += row as f32 * confidence;
            }
        }
        if max_confidence >= min_confidence && sum > 0.0 {
            landmark[0] = weighted_col / cols as f32 / sum;
            landmark[1] = weighted_row / rows as f32 / sum;
        }
    }
    Ok(())
}

/// LandmarkLetterboxRemovalCalculator: from the padded crop's frame to the
/// region's. `letterbox` is [left, top, right, bottom].
pub fn remove_letterbox(landmarks: &mut [[f32; 5]; LANDMARK_COUNT], letterbox: [f32; 4]) {
    let [left, top, right, bottom] = letterbox;
    for landmark in landmarks.iter_mut() {
        landmark[0] = (landmark[0] - left) / (1.0 - left - right);
        landmark[1] = (landmark[1] - top) / (1.0 - top - bottom);
        landmark[2] /= 1.0 - left - right;
    }
}

/// WorldLandmarkProjectionCalculator: the model's world landmarks rotated
/// by the region's rotation (no scale, no translation); the body's 33.
pub fn world_from_tensor(
    raw: &[f32],
    rect: &NormalizedRect,
) -> Result<[[f32; 3]; BODY_LANDMARK_COUNT], PoseError> {
    check_len("world landmarks", raw, LANDMARK_COUNT * 3)?;
    let (sin, cos) = rect.rotation.sin_cos();
    let mut out = [[0.0f32; 3]; BODY_LANDMARK_COUNT];
    for (world, v) in out.iter_mut().zip(raw.chunks_exact(3)) {
        *world = [cos * v[0] - sin * v[1], sin * v[0] + cos * v[1], v[2]];
    }
    Ok(out)
}

/// Decodes the model's outputs for the region `rect`, cropped with
/// `geometry` (for its letterbox padding and input size).
pub fn decode(
    outputs: &LandmarkOutputs<'_>,
    rect: &NormalizedRect,
    geometry: &CropGeometry,
) -> Result<LandmarkResult, PoseError> {
    check_len("pose flag", outputs.pose_flag, 1)?;
    let input_size = geometry.output_width;
    check_len(
        "segmentation",
        outputs.segmentation,
        input_size as usize * geometry.output_height as usize,
    )?;
    let mut landmarks = roi_landmarks_from_tensor(outputs.landmarks, input_size)?;
    refine_from_heatmap(
        &mut landmarks,
        outputs.heatmap,
        outputs.heatmap_size,
        HEATMAP_KERNEL_SIZE,
        HEATMAP_MIN_CONFIDENCE,
    )?;
    remove_letterbox(&mut landmarks, geometry.letterbox);
    for landmark in landmarks.iter_mut() {
        let [x, y] = image_from_roi(rect, [landmark[0], landmark[1]]);
        // Z is scaled as x: by the region's width.
        *landmark = [x, y, landmark[2] * rect.width, landmark[3], landmark[4]];
    }
    Ok(LandmarkResult {
        landmarks,
        world: world_from_tensor(outputs.world, rect)?,
        pose_score: outputs.pose_flag[0],
        segmentation_logits_roi: outputs.segmentation.to_vec(),
    })
}

/// The landmark model's five outputs as MediaPipe's graph splits them.
const OUTPUT_COUNT: usize = 5;
/// Output 3 is the heatmap.
const HEATMAP_OUTPUT: usize = 3;
/// The landmark models' segmentation logits output (1×256×256×1).
pub const SEGMENTATION_OUTPUT: usize = 2;

/// Reads the outputs of the inference `executor` last ran on the crop
/// `geometry` of `roi`, and decodes them. Works for both executors, so the
/// GPU path can crop and infer in one submission and then call this.
pub fn decode_executor_outputs(
    executor: &mut Executor,
    roi: &NormalizedRect,
    geometry: &CropGeometry,
) -> Result<LandmarkResult, PoseError> {
    let count = match &*executor {
        Executor::Cpu(cpu) => cpu.output_count(),
        Executor::Gpu(gpu) => gpu.output_count(),
    };
    if count != OUTPUT_COUNT {
        return Err(PoseError::OutputSize {
            what: "landmark model outputs",
            expected: OUTPUT_COUNT,
            actual: count,
        });
    }
    let heatmap_shape = match &*executor {
        Executor::Cpu(cpu) => cpu.output_shape(HEATMAP_OUTPUT).to_vec(),
        Executor::Gpu(gpu) => gpu.output_shape(HEATMAP_OUTPUT).to_vec(),
    };
    let heatmap_size = match heatmap_shape.as_slice() {
        [1, rows, cols, LANDMARK_COUNT] => [*rows, *cols],
        _ => {
            return Err(PoseError::OutputSize {
                what: "heatmap channels",
                expected: LANDMARK_COUNT,
                actual: heatmap_shape.last().copied().unwrap_or(0),
            })
        }
    };
    let mut read = |index: usize| executor.output(index);
    let (landmarks, pose_flag, segmentation) = (read(0)?, read(1)?, read(SEGMENTATION_OUTPUT)?);
    let (heatmap, world) = (read(HEATMAP_OUTPUT)?, read(4)?);
    let outputs = LandmarkOutputs {
        landmarks: &landmarks,
        pose_flag: &pose_flag,
        segmentation: &segmentation,
        heatmap: &heatmap,
        heatmap_size,
        world: &world,
    };
    decode(&outputs, roi, geometry)
}

/// Runs the landmark model on the region `roi` of an RGBA8 image, cropping
/// on the CPU: the static-image path, and the reference for the GPU one.
pub fn estimate(
    executor: &mut Executor,
    rgba: &[u8],
    width: u32,
    height: u32,
    roi: &NormalizedRect,
) -> Result<LandmarkResult, PoseError> {
    let size = LANDMARK_INPUT_SIZE;
    let geometry = CropGeometry::new(roi, width, height, size, size)?;
    let input = crop_cpu(rgba, &geometry, CropBorder::default(), false)?;
    executor.run(&[&input])?;
    decode_executor_outputs(executor, roi, &geometry)
}

/// The GPU path: crops `roi` from the working texture straight into the
/// GPU executor's input buffer and runs the model, in one submission; only
/// the outputs come back to the CPU.
pub fn estimate_on_gpu(
    gpu: &GpuContext,
    cropper: &mut RoiCropper,
    executor: &mut Executor,
    texture: &wgpu::Texture,
    roi: &NormalizedRect,
) -> Result<LandmarkResult, PoseError> {
    let Executor::Gpu(gpu_executor) = &*executor else {
        // A CPU executor needs the pixels on the CPU: use `estimate`.
        return Err(PoseError::Crop(
            "the GPU crop needs the GPU executor".to_owned(),
        ));
    };
    let mut encoder = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("pose landmarks"),
        });
    let geometry = cropper.encode(
        gpu,
        &mut encoder,
        texture,
        roi,
        gpu_executor.input_buffer(0),
        LANDMARK_INPUT_SIZE,
    )?;
    gpu_executor.encode(&mut encoder);
    gpu.queue.submit([encoder.finish()]);
    decode_executor_outputs(executor, roi, &geometry)
}
