//! The pose detector stage (MediaPipe's pose_detection_cpu.pbtxt): the
//! frame letterboxed into the 224×224 detector input, the network, SSD
//! decoding against 2254 anchors, score threshold 0.5, weighted
//! non-max suppression, and the letterbox removed. The pose graph keeps the
//! first (best-scoring) detection.
//!
//! Each step is a pure function in a submodule; `PoseDetector` keeps the
//! anchors and the input buffer so that a frame allocates little.

pub mod anchors;
pub mod decode;
pub mod letterbox;
pub mod nms;

pub use anchors::{generate_anchors, Anchor, AnchorOptions, POSE_DETECTOR_ANCHORS};
pub use decode::{decode_detections, score_from_logit, DecodeOptions};
pub use letterbox::{
    letterbox_for_detector, warp_region_to_tensor, Letterbox, PixelRect, ValueRange,
    DETECTOR_INPUT_SIZE,
};
pub use nms::{
    intersection_over_union, weighted_non_max_suppression, POSE_MIN_SUPPRESSION_THRESHOLD,
};

use super::types::{Detection, RgbaImage};
use super::PoseError;
use crate::nn::Executor;

/// The detector's pre- and post-processing around a network executor
/// built from `PoseModel::Detector`.
#[derive(Debug, Clone)]
pub struct PoseDetector {
    anchors: Vec<Anchor>,
    input: Vec<f32>,
}

impl Default for PoseDetector {
    fn default() -> Self {
        PoseDetector::new()
    }
}

impl PoseDetector {
    pub fn new() -> PoseDetector {
        PoseDetector {
            anchors: generate_anchors(&AnchorOptions::pose_detector()),
            input: vec![0.0; DETECTOR_INPUT_SIZE * DETECTOR_INPUT_SIZE * 3],
        }
    }

    pub fn anchors(&self) -> &[Anchor] {
        &self.anchors
    }

    /// Letterboxes `image` into the network input (`input()`, NHWC
    /// 1×224×224×3 in [-1, 1]) and returns the letterbox to undo.
    pub fn prepare_input(&mut self, image: RgbaImage<'_>) -> Result<Letterbox, PoseError> {
        letterbox_for_detector(image, &mut self.input)
    }

    /// The input tensor the last `prepare_input` made.
    pub fn input(&self) -> &[f32] {
        &self.input
    }

    /// Decodes the network's outputs (boxes: 2254×12, score logits: 2254),
    /// suppresses overlaps and removes `letterbox`: the detections in the
    /// image, normalised to it, best first.
    pub fn detections_from_outputs(
        &self,
        raw_boxes: &[f32],
        raw_scores: &[f32],
        letterbox: &Letterbox,
    ) -> Result<Vec<Detection>, PoseError> {
        let decoded = decode_detections(
            raw_boxes,
            raw_scores,
            &self.anchors,
            &DecodeOptions::POSE_DETECTOR,
        )?;
        let merged = weighted_non_max_suppression(&decoded, POSE_MIN_SUPPRESSION_THRESHOLD);
        Ok(merged
            .iter()
            .map(|detection| letterbox.detection_in_image(detection))
            .collect())
    }

    /// Every detection in `image`, best first, normalised to the image.
    pub fn detect_all(
        &mut self,
        executor: &mut Executor,
        image: RgbaImage<'_>,
    ) -> Result<Vec<Detection>, PoseError> {
        let letterbox = self.prepare_input(image)?;
        executor.run(&[&self.input])?;
        let raw_boxes = executor.output(0)?;
        let raw_scores = executor.output(1)?;
        self.detections_from_outputs(&raw_boxes, &raw_scores, &letterbox)
    }

    /// The detection the pose graph uses (the first after suppression), or
    /// `None` when nobody scores 0.5.
    pub fn detect(
        &mut self,
        executor: &mut Executor,
        image: RgbaImage<'_>,
    ) -> Result<Option<Detection>, PoseError> {
        Ok(self.detect_all(executor, image)?.into_iter().next())
    }
}

/// One-shot detection on a tightly packed RGBA8 image: the best person, or
/// `None`. `executor` must run `PoseModel::Detector`. Keep a
/// `PoseDetector` instead when detecting on every frame.
pub fn detect(
    executor: &mut Executor,
    rgba: &[u8],
    width: usize,
    height: usize,
) -> Result<Option<Detection>, PoseError> {
    let image = RgbaImage::new(rgba, width, height)?;
    PoseDetector::new().detect(executor, image)
}
