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
    /// Width in pixels, equal to the source image's.
    pub width: u32,
    /// Height in pixels, equal to the source image's.
    pub height: u32,
    /// `width × height` person probabilities in [0, 1], top row first.
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
    // Image pixel → mask pixel.
    let inverse = geometry.output_from_source()?;
    // One sigmoid per mask pixel (65k), not four per image pixel, into a
    // zero-bordered copy (1 texel left and top, 2 right and bottom) so
    // that every bilinear tap is a plain load.
    let padded_width = mw + 3;
    let mut padded = vec![0.0f32; padded_width * (mh + 3)];
    for (row, logits_row) in logits.chunks_exact(mw).enumerate() {
        let start = (row + 1) * padded_width + 1;
        for (p, &l) in padded[start..start + mw].iter_mut().zip(logits_row) {
            *p = sigmoid(l);
        }
    }
    let (w, h) = (
        geometry.source_width as usize,
        geometry.source_height as usize,
    );
    // Mask coordinates clamp to [-1, size]: beyond that every tap is in
    // the zero border, as it is at the clamped value.
    let (max_x, max_y) = (mw as f32, mh as f32);
    let mut probabilities = vec![0.0f32; w * h];
    for (py, out_row) in probabilities.chunks_exact_mut(w).enumerate() {
        let y = py as f32;
        for (px, out) in out_row.iter_mut().enumerate() {
            let x = px as f32;
            let mx = (inverse[0] * x + inverse[1] * y + inverse[2]).clamp(-1.0, max_x);
            let my = (inverse[3] * x + inverse[4] * y + inverse[5]).clamp(-1.0, max_y);
            // Truncation is floor for the non-negative mx + 1 (and avoids
            // a libm call on baseline x86-64).
            let (x0, y0) = ((mx + 1.0) as usize, (my + 1.0) as usize);
            let (fx, fy) = (mx + 1.0 - x0 as f32, my + 1.0 - y0 as f32);
            let at = y0 * padded_width + x0;
            let top = padded[at] * (1.0 - fx) + padded[at + 1] * fx;
            let bottom =
                padded[at + padded_width] * (1.0 - fx) + padded[at + padded_width + 1] * fx;
            *out = top * (1.0 - fy) + bottom * fy;
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
