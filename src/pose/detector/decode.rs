//! The detector's raw outputs to detections, as MediaPipe's
//! TensorsToDetectionsCalculator decodes them for the pose detector: per
//! anchor 12 values (box centre x, y, width, height, then 4 keypoints x, y,
//! all in input pixels relative to the anchor) and one score logit.

use super::anchors::Anchor;
use crate::pose::types::{Detection, RelativeBox};
use crate::pose::PoseError;

/// TensorsToDetectionsCalculatorOptions for the pose detector
/// (pose_detection_cpu.pbtxt).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeOptions {
    /// Values per anchor in the box tensor.
    pub num_coords: usize,
    pub box_coord_offset: usize,
    pub keypoint_coord_offset: usize,
    pub num_values_per_keypoint: usize,
    /// Divisors of the raw offsets (the input size in pixels).
    pub x_scale: f32,
    pub y_scale: f32,
    pub w_scale: f32,
    pub h_scale: f32,
    /// Logits are clamped to ±this before the sigmoid.
    pub score_clipping_thresh: f32,
    /// Detections scoring below are dropped.
    pub min_score_thresh: f32,
}

impl DecodeOptions {
    /// The pose detector's decoding. `reverse_output_order: true` there
    /// means the box is x, y, w, h and keypoints x, y.
    pub const POSE_DETECTOR: DecodeOptions = DecodeOptions {
        num_coords: 12,
        box_coord_offset: 0,
        keypoint_coord_offset: 4,
        num_values_per_keypoint: 2,
        x_scale: 224.0,
        y_scale: 224.0,
        w_scale: 224.0,
        h_scale: 224.0,
        score_clipping_thresh: 100.0,
        min_score_thresh: 0.5,
    };
}

/// The score of a logit: clamped, then the logistic function, in f32 as
/// MediaPipe computes it.
pub fn score_from_logit(logit: f32, clipping: f32) -> f32 {
    let clipped = logit.clamp(-clipping, clipping);
    1.0 / (1.0 + (-clipped).exp())
}

/// Decodes every anchor's box, keypoints and score and keeps those scoring
/// at least `min_score_thresh` with a non-negative, finite size. The
/// detections are normalised to the detector input (the letterboxed
/// frame), in anchor order. `raw_boxes` holds `anchors.len() ×
/// num_coords` values and `raw_scores` one logit per anchor.
pub fn decode_detections(
    raw_boxes: &[f32],
    raw_scores: &[f32],
    anchors: &[Anchor],
    options: &DecodeOptions,
) -> Result<Vec<Detection>, PoseError> {
    let expected_boxes = anchors.len() * options.num_coords;
    if raw_boxes.len() != expected_boxes {
        return Err(PoseError::OutputSize {
            what: "detector boxes",
            expected: expected_boxes,
            actual: raw_boxes.len(),
        });
    }
    if raw_scores.len() != anchors.len() {
        return Err(PoseError::OutputSize {
            what: "detector scores",
            expected: anchors.len(),
            actual: raw_scores.len(),
        });
    }
    let keypoints_end = options.keypoint_coord_offset + 4 * options.num_values_per_keypoint;
    if options.box_coord_offset + 4 > options.num_coords
        || keypoints_end > options.num_coords
        || options.num_values_per_keypoint < 2
    {
        return Err(PoseError::OutputSize {
            what: "values per anchor for a box and 4 keypoints",
            expected: keypoints_end.max(options.box_coord_offset + 4),
            actual: options.num_coords,
        });
    }
    let mut detections = Vec::new();
    for ((raw, &logit), anchor) in raw_boxes
        .chunks_exact(options.num_coords)
        .zip(raw_scores)
        .zip(anchors)
    {
        let score = score_from_logit(logit, options.score_clipping_thresh);
        // Below the threshold, or NaN: dropped.
        if score.is_nan() || score < options.min_score_thresh {
            continue;
        }
        let values = &raw[options.box_coord_offset..];
        let x_center = values[0] / options.x_scale * anchor.width + anchor.x_center;
        let y_center = values[1] / options.y_scale * anchor.height + anchor.y_center;
        let width = values[2] / options.w_scale * anchor.width;
        let height = values[3] / options.h_scale * anchor.height;
        let (xmin, ymin) = (x_center - width / 2.0, y_center - height / 2.0);
        let (xmax, ymax) = (x_center + width / 2.0, y_center + height / 2.0);
        let bbox = RelativeBox {
            xmin,
            ymin,
            width: xmax - xmin,
            height: ymax - ymin,
        };
        // Boxes of negative or NaN size are model noise (b/171391719).
        if bbox.width.is_nan() || bbox.height.is_nan() || bbox.width < 0.0 || bbox.height < 0.0 {
            continue;
        }
        let mut keypoints = [[0.0f32; 2]; 4];
        for (k, keypoint) in keypoints.iter_mut().enumerate() {
            let offset = options.keypoint_coord_offset + k * options.num_values_per_keypoint;
            *keypoint = [
                raw[offset] / options.x_scale * anchor.width + anchor.x_center,
                raw[offset + 1] / options.y_scale * anchor.height + anchor.y_center,
            ];
        }
        detections.push(Detection {
            score,
            bbox,
            keypoints,
        });
    }
    Ok(detections)
}
