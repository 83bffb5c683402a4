//! DEPTHWISE_CONV_2D: each output pixel's channels in blocks of `LANES`,
//! so the tap loop is one vector multiply-add per block.

use super::parallel::{split_units, Workers};
use super::simd::{activate_into, ClampBounds};
use super::window::Window;
use crate::nn::Activation;

const LANES: usize = 8;

#[derive(Debug)]
pub(super) struct Depthwise {
    window: Window,
    multiplier: usize,
    /// `weights[tap * blocks + block]`, zero past the last channel.
    weights: Vec<[f32; LANES]>,
    bias: Vec<[f32; LANES]>,
    activation: Activation,
}

impl Depthwise {
    /// `filter` is `[1, kh, kw, out_c]`, `bias` has `out_c` values.
    pub fn new(
        window: Window,
        multiplier: usize,
        filter: &[f32],
        bias: &[f32],
        activation: Activation,
    ) -> Depthwise {
        let c = window.out_c;
        let blocks = c.div_ceil(LANES);
        let taps = window.kernel_h * window.kernel_w;
        let mut weights = vec![[0.0; LANES]; taps * blocks];
        let mut bias_blocks = vec![[0.0; LANES]; blocks];
        for ch in 0..c {
            let (block, lane) = (ch / LANES, ch % LANES);
            for tap in 0..taps {
                weights[tap * blocks + block][lane] = filter[tap * c + ch];
            }
            bias_blocks[block][lane] = bias[ch];
        }
        Depthwise {
            window,
            multiplier,
            weights,
            bias: bias_blocks,
            activation,
        }
    }

    pub fn describe(&self) -> String {
        self.window.describe()
    }

    pub fn macs(&self) -> usize {
        let w = &self.window;
        w.batch * w.out_h * w.out_w * w.out_c * w.kernel_h * w.kernel_w
    }

    pub fn run(&self, input: &[f32], out: &mut [f32], workers: &mut Workers) {
        let w = &self.window;
        assert!(
            input.len() >= w.batch * w.in_h * w.in_w * w.in_c,
            "depthwise input too short"
        );
        let row_len = w.out_w * w.out_c;
        let parallel = self.macs() >= super::parallel::MIN_PARALLEL_MACS;
        // Read only where the AVX2 kernel exists (x86_64).
        #[cfg_attr(not(target_arch = "x86_64"), allow(unused_variables))]
        let avx2 = workers.avx2;
        split_units(
            workers,
            parallel,
            out,
            row_len,
            w.batch * w.out_h,
            0,
            |first, part, _| {
                for (r, out_row) in part.chunks_exact_mut(row_len).enumerate() {
                    let (b, oy) = ((first + r) / w.out_h, (first + r) % w.out_h);
                    if self.multiplier != 1 {
                        self.row_multiplier(input, b, oy, out_row);
                        continue;
                    }
                    #[cfg(target_arch = "x86_64")]
                    {
                        if avx2 {
                            // SAFETY: the CPU has AVX2 and FMA; the input is
                            // as long as the window says (asserted above).
                            unsafe { self.row_avx2(input, b, oy, out_row) };
                            continue;
                        }
                    }
                    for ox in 0..w.out_w {
                        self.pixel_portable(input, b, oy, ox, 0, out_row);
                    }
                }
            },
        );
    }

    /// Channels `from..` of output pixel (b, oy, ox), one at a time.
    fn pixel_portable(
        &self,
        input: &[f32],
        b: usize,
        oy: usize,
        ox: usize,
        from: usize,
        out_row: &mut [f32],
    ) {
        let w = &self.window;
        let c = w.out_c;
        let blocks = c.div_ceil(LANES);
        let (ky0, ky1, y_origin) = w.rows_taps(oy);
        let (kx0, kx1, x_origin) = w.cols_taps(ox);
        for ch in from..c {
            let (block, lane) = (ch / LANES, ch % LANES);
            let mut acc = self.bias[block][lane];
            for ky in ky0..ky1 {
                let iy = (y_origin + (ky * w.dilation[0]) as isize) as usize;
                for kx in kx0..kx1 {
                    let ix = (x_origin + (kx * w.dilation[1]) as isize) as usize;
                    let x = input[((b * w.in_h + iy) * w.in_w + ix) * c + ch];
                    acc += x * self.weights[(ky * w.kernel_w + kx) * blocks + block][lane];
                }
            }
            out_row[ox * c + ch] = self.activation.apply(acc);
        }
    }

    /// One output row, multiplier 1: four interior pixels at a time (four
    /// independent FMA chains per 8-channel block), border pixels alone.
    ///
    /// # Safety
    /// AVX2 and FMA; `input` covers the window's whole input.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn row_avx2(&self, input: &[f32], b: usize, oy: usize, out_row: &mut [f32]) {
        const GROUP: usize = 4;
        const WIDE: usize = 8;
        let w = &self.window;
        let c = w.out_c;
        let full_blocks = c / LANES;
        let interior = |ox: usize| {
            let (kx0, kx1, _) = w.cols_taps(ox);
            kx0 == 0 && kx1 == w.kernel_w
        };
        let mut ox = 0;
        while ox < w.out_w {
            let group = if full_blocks <= 2
                && ox + WIDE <= w.out_w
                && interior(ox)
                && interior(ox + WIDE - 1)
            {
                // Few channel blocks: eight chains per block, or the FMA
                // latency sets the pace.
                // SAFETY: as this function's.
                unsafe { self.pixels_avx2::<WIDE>(input, b, oy, ox, out_row) };
                WIDE
            } else if ox + GROUP <= w.out_w && interior(ox) && interior(ox + GROUP - 1) {
                // SAFETY: as this function's.
                unsafe { self.pixels_avx2::<GROUP>(input, b, oy, ox, out_row) };
                GROUP
            } else {
                // SAFETY: as this function's.
                unsafe { self.pixels_avx2::<1>(input, b, oy, ox, out_row) };
                1
            };
            if full_blocks * LANES < c {
                for j in 0..group {
                    self.pixel_portable(input, b, oy, ox + j, full_blocks * LANES, out_row);
                }
            }
            ox += group;
        }
    }

    /// Full 8-channel blocks of `G` pixels from `ox` that share their
    /// column taps (G > 1 only for interior pixels).
    ///
    /// # Safety
    /// AVX2 and FMA; `input` covers the window's whole input.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn pixels_avx2<const G: usize>(
        &self,
        input: &[f32],
        b: usize,
        oy: usize,
        ox: usize,
        out_row: &mut [f32],
    ) {
        use std::arch::x86_64::*;
        let w = &self.window;
        let c = w.out_c;
        let blocks = c.div_ceil(LANES);
        let (ky0, ky1, y_origin) = w.rows_taps(oy);
        let (kx0, kx1, x_origin) = w.cols_taps(ox);
        let step = w.stride[1] * c;
        let clamp = self.activation.clamp_bounds();
        for block in 0..c / LANES {
            // SAFETY: every (iy, ix) below comes from the window's taps, so
            // it lies inside the input; weights and bias have `blocks`
            // entries per tap.
            unsafe {
                let mut acc = [_mm256_loadu_ps(self.bias[block].as_ptr()); G];
                for ky in ky0..ky1 {
                    let iy = (y_origin + (ky * w.dilation[0]) as isize) as usize;
                    let row = input
                        .as_ptr()
                        .add((b * w.in_h + iy) * w.in_w * c + block * LANES);
                    let taps = self.weights.as_ptr().add(ky * w.kernel_w * blocks + block);
                    for kx in kx0..kx1 {
                        let wt = _mm256_loadu_ps((*taps.add(kx * blocks)).as_ptr());
                        let ix = (x_origin + (kx * w.dilation[1]) as isize) as usize;
                        let x = row.add(ix * c);
                        for (j, a) in acc.iter_mut().enumerate() {
                            *a = _mm256_fmadd_ps(_mm256_loadu_ps(x.add(j * step)), wt, *a);
                        }
                    }
                }
                match clamp {
                    Some((lo, hi)) => {
                        let (lo, hi) = (_mm256_set1_ps(lo), _mm256_set1_ps(hi));
                        for (j, a) in acc.into_iter().enumerate() {
                            let at = (ox + j) * c + block * LANES;
                            assert!(at + LANES <= out_row.len());
                            _mm256_storeu_ps(
                                out_row.as_mut_ptr().add(at),
                                _mm256_min_ps(_mm256_max_ps(a, lo), hi),
                            );
                        }
                    }
                    None => {
                        for (j, a) in acc.into_iter().enumerate() {
                            let mut lanes = [0.0f32; LANES];
                            _mm256_storeu_ps(lanes.as_mut_ptr(), a);
                            let at = (ox + j) * c + block * LANES;
                            activate_into(&mut out_row[at..at + LANES], &lanes, self.activation);
                        }
                    }
                }
            }
        }
    }

    /// One output row for any depth multiplier: output channel `oc` reads
    /// input channel `oc / multiplier`. Straight loops; no model in use
    /// needs it fast.
    fn row_multiplier(&self, input: &[f32], b: usize, oy: usize, out_row: &mut [f32]) {
        let w = &self.window;
        let (c_in, c_out) = (w.in_c, w.out_c);
        let blocks = c_out.div_ceil(LANES);
        let (ky0, ky1, y_origin) = w.rows_taps(oy);
        for (ox, dst) in out_row.chunks_exact_mut(c_out).enumerate() {
            let (kx0, kx1, x_origin) = w.cols_taps(ox);
            for (oc, value) in dst.iter_mut().enumerate() {
                let (block, lane) = (oc / LANES, oc % LANES);
                let mut acc = self.bias[block][lane];
                for ky in ky0..ky1 {
                    let iy = (y_origin + (ky * w.dilation[0]) as isize) as usize;
                    for kx in kx0..kx1 {
                        let ix = (x_origin + (kx * w.dilation[1]) as isize) as usize;
                        let x =
                            input[((b * w.in_h + iy) * w.in_w + ix) * c_in + oc / self.multiplier];
                        acc += x * self.weights[(ky * w.kernel_w + kx) * blocks + block][lane];
                    }
                }
                *value = self.activation.apply(acc);
            }
        }
    }
}
