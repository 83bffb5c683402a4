//! CONV_2D as a matrix multiply: a 1×1, stride-1 convolution multiplies the
//! input pixels directly; any other one first gathers each output pixel's
//! receptive field (im2col) into a small per-thread tile. Mostly-zero 1×1
//! weights use the sparse kernel, a few output channels dot products.

use super::dot::{DotConv, MAX_DOT_CHANNELS};
use super::gemm::{gemm, row_tile, PackedWeights};
use super::isa::Isa;
use super::parallel::{split_blocks, split_units, OutBlock, Workers};
use super::simd::{activate_in_place, ClampBounds};
use super::sparse::{SparseWeights, TILE_PIXELS};
use super::window::Window;
use crate::nn::Activation;

/// Output channels per block of a sparse convolution split across
/// threads: the AVX2 kernel's group.
const SPARSE_CHANNEL_GROUP: usize = 8;

/// Pixels per im2col tile and GEMM call: the tile of A stays in L1/L2
/// while every weight panel passes over it.
const TILE_FLOATS: usize = 8192;

/// How a convolution computes its output.
#[derive(Debug)]
enum Method {
    /// Packed-weight GEMM, on the input itself when `direct` (1×1,
    /// stride 1, no padding), else on im2col tiles of `tile_pixels`.
    Gemm {
        weights: PackedWeights,
        direct: bool,
        tile_pixels: usize,
    },
    /// Direct 1×1 with mostly-zero weights.
    Sparse(SparseWeights),
    /// Few output channels: dot products.
    Dot(DotConv),
}

#[derive(Debug)]
pub(super) struct Conv {
    window: Window,
    method: Method,
    activation: Activation,
    /// A residual ADD fused into this convolution: each block of output,
    /// while still in cache, gets the other operand added and the ADD's
    /// activation applied (the same arithmetic as the ADD step it
    /// replaces, so results are bit-identical).
    residual: Option<Activation>,
}

impl Conv {
    /// `filter` is OHWI, `bias` has `out_c` values (both checked by the
    /// caller).
    /// Weights are packed for `isa`'s kernels.
    pub fn new(
        window: Window,
        filter: &[f32],
        bias: &[f32],
        activation: Activation,
        isa: Isa,
    ) -> Conv {
        let k = window.kernel_h * window.kernel_w * window.in_c;
        let n = window.out_c;
        let direct = window.kernel_h == 1
            && window.kernel_w == 1
            && window.stride == [1, 1]
            && window.pad_top == 0
            && window.pad_left == 0
            && window.in_h == window.out_h
            && window.in_w == window.out_w;
        // OHWI rows are already in im2col's (ky, kx, c) order.
        let weight = |kk: usize, o: usize| filter[o * k + kk];
        let sparse = match activation.clamp_bounds() {
            Some(_) if direct => SparseWeights::new(k, n, weight, bias),
            _ => None,
        };
        let method = if n <= MAX_DOT_CHANNELS {
            Method::Dot(DotConv::new(filter, bias))
        } else if let Some(sparse) = sparse {
            Method::Sparse(sparse)
        } else {
            Method::Gemm {
                weights: PackedWeights::new(k, n, weight, bias, isa),
                direct,
                tile_pixels: (TILE_FLOATS / k.max(1)).clamp(8, 256) / 4 * 4,
            }
        };
        Conv {
            window,
            method,
            activation,
            residual: None,
        }
    }

    /// Takes over the elementwise ADD that alone reads this convolution's
    /// output: `run` is then given the ADD's other operand. Only for a
    /// convolution without activation (a block's linear projection).
    pub fn fuse_residual_add(&mut self, add_activation: Activation) -> bool {
        let fusable = self.activation == Activation::None && self.residual.is_none();
        if fusable {
            self.residual = Some(add_activation);
        }
        fusable
    }

    /// Whether an ADD is fused in (`run` then needs its operand).
    pub fn has_residual(&self) -> bool {
        self.residual.is_some()
    }

    /// Floats of scratch one worker needs.
    pub fn scratch_len(&self) -> usize {
        match &self.method {
            Method::Gemm {
                weights,
                direct: false,
                tile_pixels,
            } => tile_pixels * weights.k(),
            Method::Sparse(sparse) => sparse.scratch_len(),
            _ => 0,
        }
    }

    pub fn describe(&self) -> String {
        let method = match &self.method {
            Method::Gemm { direct: true, .. } => "gemm",
            Method::Gemm { .. } => "im2col gemm",
            Method::Sparse(_) => "sparse",
            Method::Dot(_) => "dot",
        };
        let add = if self.residual.is_some() { " + ADD" } else { "" };
        format!("{} {method}{add}", self.window.describe())
    }

    pub fn macs(&self) -> usize {
        let w = &self.window;
        w.batch * w.out_h * w.out_w * w.kernel_h * w.kernel_w * w.in_c * w.out_c
    }

    /// `residual`: the fused ADD's other operand (`has_residual`), as long
    /// as the output.
    pub fn run(
        &self,
        input: &[f32],
        residual: Option<&[f32]>,
        out: &mut [f32],
        workers: &mut Workers,
    ) {
        let w = &self.window;
        let k = w.kernel_h * w.kernel_w * w.in_c;
        let n = w.out_c;
        let pixels = w.batch * w.out_h * w.out_w;
        let parallel = self.macs() >= super::parallel::MIN_PARALLEL_MACS;
        let isa = workers.isa;
        let act = self.activation;
        let scratch_len = self.scratch_len();
        // The fused ADD: its operand and activation (none when not fused).
        let residual = match (self.residual, residual) {
            (Some(add_act), Some(values)) => {
                assert_eq!(values.len(), pixels * n, "the fused ADD's operand");
                Some((values, add_act))
            }
            _ => None,
        };
        let add_residual = |first: usize, first_col: usize, out: &mut OutBlock<'_>| {
            let Some((values, add_act)) = residual else {
                return;
            };
            let add = |out: &mut [f32], at: usize| {
                let len = out.len();
                out.iter_mut()
                    .zip(&values[at..at + len])
                    .for_each(|(o, &x)| *o += x);
                activate_in_place(out, add_act);
            };
            // Narrow outputs (8 channels) have short rows: add whole
            // blocks at once where they are.
            if let Some(all) = out.contiguous() {
                return add(all, first * n);
            }
            for r in 0..out.rows() {
                add(out.row(r), (first + r) * n + first_col);
            }
        };
        match &self.method {
            Method::Dot(dot) => {
                split_units(workers, parallel, out, n, pixels, 0, |first, out, _| {
                    dot.run(w, act, input, first, out, isa);
                    add_residual(first, 0, &mut OutBlock::whole(out, n));
                })
            }
            Method::Sparse(sparse) => {
                // Built only for activations that are clamps.
                let bounds = act
                    .clamp_bounds()
                    .unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
                // Whole pixel tiles; channels in groups of eight (the AVX2
                // kernel's), split at most one way per thread, since each
                // block transposes its tiles again.
                let grid = (TILE_PIXELS, SPARSE_CHANNEL_GROUP, workers.threads());
                split_blocks(
                    workers,
                    parallel,
                    out,
                    n,
                    pixels,
                    grid,
                    scratch_len,
                    |first, first_col, mut out, scratch| {
                        let a = &input[first * k..(first + out.rows()) * k];
                        let rows = out.rows();
                        sparse.run(a, rows, bounds, out.rows_between(0, rows), first_col, scratch, isa);
                        add_residual(first, first_col, &mut out);
                    },
                )
            }
            Method::Gemm {
                weights,
                direct,
                tile_pixels,
            } => {
                // Whole micro-kernel tiles of rows and whole weight panels;
                // an im2col convolution by rows alone (each block would
                // gather its patches again).
                let col_splits = if *direct { usize::MAX } else { 1 };
                let grid = (row_tile(isa), weights.panel_width(), col_splits);
                split_blocks(
                    workers,
                    parallel,
                    out,
                    n,
                    pixels,
                    grid,
                    scratch_len,
                    |first, first_col, mut out, scratch| {
                        let count = out.rows();
                        let mut t0 = 0;
                        while t0 < count {
                            let rows = (*tile_pixels).min(count - t0);
                            let mut dst: OutBlock<'_> = out.rows_between(t0, t0 + rows);
                            let pixel = first + t0;
                            if *direct {
                                let a = &input[pixel * k..(pixel + rows) * k];
                                gemm(a, rows, weights, act, dst.rows_between(0, rows), first_col, isa);
                            } else {
                                let tile = &mut scratch[..rows * k];
                                self.im2col(input, pixel, rows, tile);
                                gemm(tile, rows, weights, act, dst.rows_between(0, rows), first_col, isa);
                            }
                            // While the tile is in cache.
                            add_residual(pixel, first_col, &mut dst);
                            t0 += rows;
                        }
                    },
                )
            }
        }
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
