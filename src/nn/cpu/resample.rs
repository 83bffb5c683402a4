//! Ops that change the spatial grid: MAX_POOL_2D and RESIZE_BILINEAR.

use super::malformed;
use super::parallel::{split_units, Workers, MIN_PARALLEL_MACS};
use super::simd::activate_in_place;
use super::window::Window;
use crate::nn::{Activation, NnError};

/// MAX_POOL_2D: the largest value under the window; padded cells are
/// ignored, not zero.
#[derive(Debug)]
pub(super) struct MaxPool {
    window: Window,
    activation: Activation,
}

impl MaxPool {
    pub fn new(window: Window, activation: Activation) -> MaxPool {
        MaxPool { window, activation }
    }

    /// Output rows are independent: split across the workers when big
    /// (the comparisons count as the multiply-adds of the threshold).
    pub fn run(&self, input: &[f32], out: &mut [f32], workers: &mut Workers) {
        let w = &self.window;
        let row_len = w.out_w * w.in_c;
        let rows = w.batch * w.out_h;
        let parallel = rows * row_len * w.kernel_h * w.kernel_w >= MIN_PARALLEL_MACS;
        split_units(
            workers,
            parallel,
            out,
            row_len,
            rows,
            0,
            |first, part, _| {
                for (r, dst_row) in part.chunks_exact_mut(row_len).enumerate() {
                    let (b, oy) = ((first + r) / w.out_h, (first + r) % w.out_h);
                    self.row(input, b, oy, dst_row);
                }
                activate_in_place(part, self.activation);
            },
        );
    }

    fn row(&self, input: &[f32], b: usize, oy: usize, dst_row: &mut [f32]) {
        let w = &self.window;
        let c = w.in_c;
        let (ky0, ky1, y_origin) = w.rows_taps(oy);
        for (ox, dst) in dst_row.chunks_exact_mut(c).enumerate() {
            let (kx0, kx1, x_origin) = w.cols_taps(ox);
            dst.fill(f32::MIN);
            for ky in ky0..ky1 {
                let iy = (y_origin + ky as isize) as usize;
                for kx in kx0..kx1 {
                    let ix = (x_origin + kx as isize) as usize;
                    let at = ((b * w.in_h + iy) * w.in_w + ix) * c;
                    dst.iter_mut()
                        .zip(&input[at..at + c])
                        .for_each(|(d, &x)| *d = d.max(x));
                }
            }
        }
    }
}

/// One output coordinate's source: the two input indices and the weight
/// of the second (TFLite's `input_y - y0`).
#[derive(Debug, Clone, Copy)]
struct Source {
    lower: usize,
    upper: usize,
    frac: f32,
}

/// TFLite's `ComputeInterpolationValues` for every output coordinate.
fn sources(
    input: usize,
    output: usize,
    align_corners: bool,
    half_pixel_centers: bool,
) -> Vec<Source> {
    let scale = if align_corners && output > 1 {
        (input - 1) as f32 / (output - 1) as f32
    } else {
        input as f32 / output as f32
    };
    (0..output)
        .map(|o| {
            let scaled = if half_pixel_centers {
                (o as f32 + 0.5) * scale - 0.5
            } else {
                o as f32 * scale
            };
            let lower = (scaled.floor() as isize).max(0) as usize;
            let upper = (scaled.ceil() as isize).min(input as isize - 1).max(0) as usize;
            Source {
                lower,
                upper,
                frac: scaled - lower as f32,
            }
        })
        .collect()
}

/// RESIZE_BILINEAR as TFLite's reference kernel computes it.
#[derive(Debug)]
pub(super) struct ResizeBilinear {
    batch: usize,
    in_h: usize,
    in_w: usize,
    channels: usize,
    rows: Vec<Source>,
    cols: Vec<Source>,
}

impl ResizeBilinear {
    pub fn new(
        input: &[usize],
        output: &[usize],
        size: [usize; 2],
        align_corners: bool,
        half_pixel_centers: bool,
    ) -> Result<ResizeBilinear, NnError> {
        let (&[b, h, w, c], &[ob, oh, ow, oc]) = (input, output) else {
            return Err(malformed(format!(
                "RESIZE_BILINEAR: {input:?} and {output:?} must be 4-D"
            )));
        };
        if ob != b || oc != c || [oh, ow] != size || h == 0 || w == 0 {
            return Err(malformed(format!(
                "RESIZE_BILINEAR: input {input:?} resized to {size:?} is not {output:?}"
            )));
        }
        Ok(ResizeBilinear {
            batch: b,
            in_h: h,
            in_w: w,
            channels: c,
            rows: sources(h, oh, align_corners, half_pixel_centers),
            cols: sources(w, ow, align_corners, half_pixel_centers),
        })
    }

    /// Output rows are independent: split across the workers when big.
    pub fn run(&self, input: &[f32], out: &mut [f32], workers: &mut Workers) {
        let c = self.channels;
        let row_len = self.cols.len() * c;
        let rows = self.batch * self.rows.len();
        let parallel = rows * row_len * 4 >= MIN_PARALLEL_MACS;
        split_units(
            workers,
            parallel,
            out,
            row_len,
            rows,
            0,
            |first, part, _| {
                for (r, dst_row) in part.chunks_exact_mut(row_len).enumerate() {
                    let (b, oy) = ((first + r) / self.rows.len(), (first + r) % self.rows.len());
                    self.row(input, b, &self.rows[oy], dst_row);
                }
            },
        );
    }

    fn row(&self, input: &[f32], b: usize, y: &Source, dst_row: &mut [f32]) {
        let c = self.channels;
        let plane = b * self.in_h;
        let (wy0, wy1) = (1.0 - y.frac, y.frac);
        let row0 = &input[(plane + y.lower) * self.in_w * c..][..self.in_w * c];
        let row1 = &input[(plane + y.upper) * self.in_w * c..][..self.in_w * c];
        for (x, dst) in self.cols.iter().zip(dst_row.chunks_exact_mut(c)) {
            let (wx0, wx1) = (1.0 - x.frac, x.frac);
            // The reference's four terms in its order; the weights are
            // multiplied first (a rounding apart) so the loop vectorises.
            let (w00, w10, w01, w11) = (wy0 * wx0, wy1 * wx0, wy0 * wx1, wy1 * wx1);
            let p00 = &row0[x.lower * c..][..c];
            let p10 = &row1[x.lower * c..][..c];
            let p01 = &row0[x.upper * c..][..c];
            let p11 = &row1[x.upper * c..][..c];
            for ((d, (&a, &b)), (&e, &f)) in dst
                .iter_mut()
                .zip(p00.iter().zip(p10))
                .zip(p01.iter().zip(p11))
            {
                *d = a * w00 + b * w10 + e * w01 + f * w11;
            }
        }
    }
}
