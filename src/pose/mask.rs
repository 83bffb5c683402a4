//! Segmentation: the landmark model's 256×256 person mask (logits, in the
//! region's frame) back into the image, and MediaPipe's temporal blending
//! with the previous frame's mask.

use super::crop::CropGeometry;
use super::PoseError;

/// MediaPipe's weight of the previous mask where the new one is unsure.
pub const COMBINE_WITH_PREVIOUS_RATIO: f32 = 0.7;

/// A person mask over the whole image: probabilities in [0, 1], row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonMask {
    pub width: u32,
    pub height: u32,
    pub probabilities: Vec<f32>,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Warps `logits` (the model's `geometry.output_width × output_height`
/// output for the crop described by `geometry`) into the source image, with
/// a sigmoid and bilinear sampling; outside the region the mask is 0.
pub fn mask_in_image(logits: &[f32], geometry: &CropGeometry) -> Result<PersonMask, PoseError> {
    let (mw, mh) = (
        geometry.output_width as usize,
        geometry.output_height as usize,
    );
    if logits.len() != mw * mh {
        return Err(PoseError::OutputSize {
            what: "segmentation",
            expected: mw * mh,
            actual: logits.len(),
        });
    }
    // Invert the crop's affine map: image pixel → mask pixel.
    let m = geometry.source_from_output;
    let det = m[0] * m[4] - m[1] * m[3];
    if det.abs() < f32::EPSILON {
        return Err(PoseError::Crop("the region has no area".into()));
    }
    let inverse = [
        m[4] / det,
        -m[1] / det,
        (m[1] * m[5] - m[4] * m[2]) / det,
        -m[3] / det,
        m[0] / det,
        (m[3] * m[2] - m[0] * m[5]) / det,
    ];
    // One sigmoid per mask pixel (65k), not four per image pixel.
    let mask: Vec<f32> = logits.iter().map(|&l| sigmoid(l)).collect();
    let probability = |x: isize, y: isize| -> f32 {
        if x < 0 || y < 0 || x >= mw as isize || y >= mh as isize {
            0.0
        } else {
            mask[y as usize * mw + x as usize]
        }
    };
    let (w, h) = (
        geometry.source_width as usize,
        geometry.source_height as usize,
    );
    let mut probabilities = Vec::with_capacity(w * h);
    for py in 0..h {
        for px in 0..w {
            let (x, y) = (px as f32, py as f32);
            let mx = inverse[0] * x + inverse[1] * y + inverse[2];
            let my = inverse[3] * x + inverse[4] * y + inverse[5];
            let (x0, y0) = (mx.floor(), my.floor());
            let (fx, fy) = (mx - x0, my - y0);
            let (x0, y0) = (x0 as isize, y0 as isize);
            let top = probability(x0, y0) * (1.0 - fx) + probability(x0 + 1, y0) * fx;
            let bottom = probability(x0, y0 + 1) * (1.0 - fx) + probability(x0 + 1, y0 + 1) * fx;
            probabilities.push(top * (1.0 - fy) + bottom * fy);
        }
    }
    Ok(PersonMask {
        width: geometry.source_width,
        height: geometry.source_height,
        probabilities,
    })
}

/// MediaPipe's SegmentationSmoothing: where the new value is uncertain
/// (near 0.5) lean on the previous mask; where it is sure, take it.
pub fn blend_with_previous(current: f32, previous: f32, ratio: f32) -> f32 {
    // A polynomial in (p - 0.5)² for 1 - (1 - H(p))², H the binary
    // entropy: MediaPipe's coefficients.
    const C: [f32; 5] = [5.68842, -0.748699, -57.8051, 291.309, -624.717];
    let t = current - 0.5;
    let x = t * t;
    let certainty = x * (C[0] + x * (C[1] + x * (C[2] + x * (C[3] + x * C[4]))));
    let uncertainty = 1.0 - certainty.min(1.0);
    current + (previous - current) * uncertainty * ratio
}

impl PersonMask {
    /// Blends this frame's mask with `previous` in place (same size).
    pub fn smooth_with(&mut self, previous: &PersonMask) {
        if (previous.width, previous.height) != (self.width, self.height) {
            return; // the frame size changed: nothing to blend with
        }
        for (value, prev) in self.probabilities.iter_mut().zip(&previous.probabilities) {
            *value = blend_with_previous(*value, *prev, COMBINE_WITH_PREVIOUS_RATIO);
        }
    }

    /// The fraction of pixels above 0.5.
    pub fn area_fraction(&self) -> f32 {
        let inside = self.probabilities.iter().filter(|p| **p > 0.5).count();
        inside as f32 / self.probabilities.len().max(1) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blending_keeps_sure_values_and_leans_on_the_past_when_unsure() {
        assert!((blend_with_previous(1.0, 0.0, 0.7) - 1.0).abs() < 1e-3);
        assert!((blend_with_previous(0.0, 1.0, 0.7) - 0.0).abs() < 1e-3);
        // At 0.5 the new value is pure doubt: 70 % of the previous.
        let unsure = blend_with_previous(0.5, 1.0, 0.7);
        assert!((unsure - 0.85).abs() < 1e-4, "{unsure}");
    }
}
