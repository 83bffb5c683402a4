//! Weighted non-max suppression, as MediaPipe's NonMaxSuppressionCalculator
//! does it with `algorithm: WEIGHTED` and `overlap_type:
//! INTERSECTION_OVER_UNION`: the best-scoring detection absorbs every
//! detection overlapping it by more than the threshold (itself included),
//! and its box and keypoints become their score-weighted mean; its score
//! stays its own.

use crate::pose::types::{Detection, RelativeBox};

/// The pose detector's suppression threshold (pose_detection_cpu.pbtxt).
pub const POSE_MIN_SUPPRESSION_THRESHOLD: f32 = 0.3;

/// Intersection over union of two boxes; 0 when they do not touch or the
/// union is empty. Touching edges count as intersecting (with area 0).
pub fn intersection_over_union(a: &RelativeBox, b: &RelativeBox) -> f32 {
    let is_empty = |r: &RelativeBox| r.xmin > r.xmax() || r.ymin > r.ymax();
    if is_empty(a)
        || is_empty(b)
        || b.xmax() < a.xmin
        || a.xmax() < b.xmin
        || b.ymax() < a.ymin
        || a.ymax() < b.ymin
    {
        return 0.0;
    }
    let width = a.xmax().min(b.xmax()) - a.xmin.max(b.xmin);
    let height = a.ymax().min(b.ymax()) - a.ymin.max(b.ymin);
    let intersection = width * height;
    // Areas from the corners, as MediaPipe's Rectangle_f stores them.
    let area = |r: &RelativeBox| (r.xmax() - r.xmin) * (r.ymax() - r.ymin);
    let union = area(a) + area(b) - intersection;
    if union > 0.0 {
        intersection / union
    } else {
        0.0
    }
}

/// Weighted NMS over `detections` (any order); returns the merged
/// detections, best score first.
pub fn weighted_non_max_suppression(
    detections: &[Detection],
    min_suppression_threshold: f32,
) -> Vec<Detection> {
    let mut remaining: Vec<usize> = (0..detections.len()).collect();
    // Highest score first; NaN scores (never produced by the decoder) last.
    remaining.sort_by(|&a, &b| {
        detections[b]
            .score
            .partial_cmp(&detections[a].score)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut merged = Vec::new();
    while let Some(&best_index) = remaining.first() {
        let best = &detections[best_index];
        let (candidates, rest): (Vec<usize>, Vec<usize>) = remaining.iter().partition(|&&index| {
            intersection_over_union(&detections[index].bbox, &best.bbox) > min_suppression_threshold
        });
        merged.push(weighted_mean(detections, best, &candidates));
        // A box that does not even overlap itself (zero area) absorbs
        // nothing; MediaPipe stops there rather than loop forever.
        if candidates.is_empty() {
            break;
        }
        remaining = rest;
    }
    merged
}

/// `best` with its box corners and keypoints replaced by the score-weighted
/// mean over `candidates` (accumulated in f32, in order, as MediaPipe
/// does).
fn weighted_mean(detections: &[Detection], best: &Detection, candidates: &[usize]) -> Detection {
    if candidates.is_empty() {
        return *best;
    }
    let mut total_score = 0.0f32;
    let mut corners = [0.0f32; 4];
    let mut keypoints = [[0.0f32; 2]; 4];
    for &index in candidates {
        let candidate = &detections[index];
        let weight = candidate.score;
        total_score += weight;
        let bbox = &candidate.bbox;
        corners[0] += bbox.xmin * weight;
        corners[1] += bbox.ymin * weight;
        corners[2] += (bbox.xmin + bbox.width) * weight;
        corners[3] += (bbox.ymin + bbox.height) * weight;
        for (sum, point) in keypoints.iter_mut().zip(&candidate.keypoints) {
            sum[0] += point[0] * weight;
            sum[1] += point[1] * weight;
        }
    }
    let xmin = corners[0] / total_score;
    let ymin = corners[1] / total_score;
    Detection {
        score: best.score,
        bbox: RelativeBox {
            xmin,
            ymin,
            width: corners[2] / total_score - xmin,
            height: corners[3] / total_score - ymin,
        },
        keypoints: keypoints.map(|[x, y]| [x / total_score, y / total_score]),
    }
}
