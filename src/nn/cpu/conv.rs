//! CONV_2D as a matrix multiply: a 1×1, stride-1 convolution multiplies the
//! input pixels directly; any other one first gathers each output pixel's
//! receptive field (im2col) into a small per-thread tile.

use super::gemm::{gemm, PackedWeights};
use super::parallel::{split_units, Workers};
use super::window::Window;
use crate::nn::Activation;

/// Pixels per im2col tile and GEMM call: the tile of A stays in L1/L2
/// while every weight panel passes over it.
const TILE_FLOATS: usize = 8192;

#[derive(Debug)]
pub(super) struct Conv {
    window: Window,
    weights: PackedWeights,
    activation: Activation,
    /// 1×1, stride 1, no padding: the input already is the A matrix.
    direct: bool,
    tile_pixels: usize,
}

impl Conv {
    /// `filter` is OHWI, `bias` has `out_c` values (both checked by the
    /// caller).
    pub fn new(window: Window, filter: &[f32], bias: &[f32], activation: Activation) -> Conv {
        let k = window.kernel_h * window.kernel_w * window.in_c;
        // OHWI rows are already in im2col's (ky, kx, c) order.
        let weights = PackedWeights::new(k, window.out_c, |kk, o| filter[o * k + kk], bias);
        let direct = window.kernel_h == 1
            && window.kernel_w == 1
            && window.stride == [1, 1]
            && window.pad_top == 0
            && window.pad_left == 0
            && window.in_h == window.out_h
            && window.in_w == window.out_w;
        let tile_pixels = (TILE_FLOATS / k.max(1)).clamp(8, 256) / 4 * 4;
        Conv {
            window,
            weights,
            activation,
            direct,
            tile_pixels,
        }
    }

    /// Floats of scratch one worker needs.
    pub fn scratch_len(&self) -> usize {
        if self.direct {
            0
        } else {
            self.tile_pixels * self.weights.k()
        }
    }

    pub fn macs(&self) -> usize {
        let w = &self.window;
        w.batch * w.out_h * w.out_w * self.weights.k() * self.weights.n()
    }

    pub fn run(&self, input: &[f32], out: &mut [f32], workers: &mut Workers) {
        let w = &self.window;
        let (k, n) = (self.weights.k(), self.weights.n());
        let pixels = w.batch * w.out_h * w.out_w;
        let parallel = self.macs() >= super::parallel::MIN_PARALLEL_MACS;
        split_units(
            workers,
            parallel,
            out,
            n,
            pixels,
            self.scratch_len(),
            |first, out, scratch| {
                let count = out.len() / n;
                let mut t0 = 0;
                while t0 < count {
                    let rows = self.tile_pixels.min(count - t0);
                    let dst = &mut out[t0 * n..(t0 + rows) * n];
                    let pixel = first + t0;
                    if self.direct {
                        gemm(
                            &input[pixel * k..(pixel + rows) * k],
                            rows,
                            &self.weights,
                            self.activation,
                            dst,
                        );
                    } else {
                        let tile = &mut scratch[..rows * k];
                        self.im2col(input, pixel, rows, tile);
                        gemm(tile, rows, &self.weights, self.activation, dst);
                    }
                    t0 += rows;
                }
            },
        );
    }

    /// Writes the receptive fields of `rows` output pixels from `first`
    /// into `tile` (`rows × k`), zero where the window leaves the input.
    fn im2col(&self, input: &[f32], first: usize, rows: usize, tile: &mut [f32]) {
        let w = &self.window;
        let c = w.in_c;
        let k = w.kernel_h * w.kernel_w * c;
        let tap_row = w.kernel_w * c;
        for (r, patch) in tile.chunks_exact_mut(k).take(rows).enumerate() {
            let pixel = first + r;
            let b = pixel / (w.out_h * w.out_w);
            let oy = pixel / w.out_w % w.out_h;
            let ox = pixel % w.out_w;
            let (ky0, ky1, y_origin) = w.rows_taps(oy);
            let (kx0, kx1, x_origin) = w.cols_taps(ox);
            patch.fill(0.0);
            for ky in ky0..ky1 {
                let iy = (y_origin + (ky * w.dilation[0]) as isize) as usize;
                let row = (b * w.in_h + iy) * w.in_w;
                if w.dilation[1] == 1 && kx1 > kx0 {
                    // Adjacent taps read adjacent pixels: one copy per row.
                    let ix = (x_origin + kx0 as isize) as usize;
                    let len = (kx1 - kx0) * c;
                    let at = ky * tap_row + kx0 * c;
                    patch[at..at + len]
                        .copy_from_slice(&input[(row + ix) * c..(row + ix) * c + len]);
                    continue;
                }
                for kx in kx0..kx1 {
                    let ix = (x_origin + (kx * w.dilation[1]) as isize) as usize;
                    let src = &input[(row + ix) * c..(row + ix + 1) * c];
                    let at = ky * tap_row + kx * c;
                    patch[at..at + c].copy_from_slice(src);
                }
            }
        }
    }
}
