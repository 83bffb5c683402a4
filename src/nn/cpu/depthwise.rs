//! DEPTHWISE_CONV_2D: each output pixel's channels in blocks of a vector's
//! lanes, so the tap loop is one vector multiply-add per block; one body
//! (`row`) compiled per `Isa`.

use super::isa::Isa;
use super::parallel::{split_units, Workers};
use super::simd::{activate_into, ClampBounds};
use super::vector::F32s;
use super::window::Window;
use crate::nn::Activation;

/// Channels are padded to a multiple of this (the widest vector), so a
/// block's weight and bias loads stay in bounds.
const PAD_CHANNELS: usize = 16;

#[derive(Debug)]
pub(super) struct Depthwise {
    window: Window,
    multiplier: usize,
    /// Channels padded to `PAD_CHANNELS`.
    padded_c: usize,
    /// `weights[tap * padded_c + ch]`, zero past the last channel.
    weights: Vec<f32>,
    /// `padded_c` values, zero past the last channel.
    bias: Vec<f32>,
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
        let padded_c = c.div_ceil(PAD_CHANNELS) * PAD_CHANNELS;
        let taps = window.kernel_h * window.kernel_w;
        let mut weights = vec![0.0; taps * padded_c];
        let mut padded_bias = vec![0.0; padded_c];
        for ch in 0..c {
            for tap in 0..taps {
                weights[tap * padded_c + ch] = filter[tap * c + ch];
            }
            padded_bias[ch] = bias[ch];
        }
        Depthwise {
            window,
            multiplier,
            padded_c,
            weights,
            bias: padded_bias,
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
        let isa = workers.isa;
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
                    } else {
                        self.row_any(isa, input, b, oy, out_row);
                    }
                }
            },
        );
    }

    /// One output row, multiplier 1, with `isa`'s kernel.
    fn row_any(&self, isa: Isa, input: &[f32], b: usize, oy: usize, out_row: &mut [f32]) {
        // SAFETY: each arm runs only where `isa` is available, and the
        // input covers the window (asserted by `run`).
        match isa {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => unsafe { x86::row_avx512(self, input, b, oy, out_row) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2Fma => unsafe { x86::row_avx2(self, input, b, oy, out_row) },
            #[cfg(target_arch = "x86_64")]
            Isa::Sse41 => unsafe { x86::row_sse41(self, input, b, oy, out_row) },
            #[cfg(target_arch = "aarch64")]
            Isa::Neon => unsafe { row_neon(self, input, b, oy, out_row) },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Isa::Simd128 => unsafe {
                use core::arch::wasm32::v128;
                self.row::<v128, v128>(input, b, oy, out_row)
            },
            _ => {
                for ox in 0..self.window.out_w {
                    self.pixel_portable(input, b, oy, ox, 0, out_row);
                }
            }
        }
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
        let (ky0, ky1, y_origin) = w.rows_taps(oy);
        let (kx0, kx1, x_origin) = w.cols_taps(ox);
        for ch in from..c {
            let mut acc = self.bias[ch];
            for ky in ky0..ky1 {
                let iy = (y_origin + (ky * w.dilation[0]) as isize) as usize;
                for kx in kx0..kx1 {
                    let ix = (x_origin + (kx * w.dilation[1]) as isize) as usize;
                    let x = input[((b * w.in_h + iy) * w.in_w + ix) * c + ch];
                    acc += x * self.weights[(ky * w.kernel_w + kx) * self.padded_c + ch];
                }
            }
            out_row[ox * c + ch] = self.activation.apply(acc);
        }
    }

    /// One output row, multiplier 1: channels in blocks of `V`, then of
    /// the narrower `H`, then one at a time; four interior pixels at a
    /// time (four independent multiply-add chains per block), eight when
    /// there are few blocks, border pixels alone.
    ///
    /// # Safety
    /// The CPU runs `V` and `H`; `input` covers the window's whole input.
    #[inline(always)]
    #[allow(dead_code)] // unused on targets without a vector path
    unsafe fn row<V: F32s, H: F32s>(&self, input: &[f32], b: usize, oy: usize, out_row: &mut [f32]) {
        const GROUP: usize = 4;
        const WIDE: usize = 8;
        let w = &self.window;
        let c = w.out_c;
        let wide_end = c / V::LANES * V::LANES;
        let narrow_end = wide_end + (c - wide_end) / H::LANES * H::LANES;
        let interior = |ox: usize| {
            let (kx0, kx1, _) = w.cols_taps(ox);
            kx0 == 0 && kx1 == w.kernel_w
        };
        let mut ox = 0;
        while ox < w.out_w {
            // SAFETY (each call): as this function's.
            let group = if c <= 2 * V::LANES
                && ox + WIDE <= w.out_w
                && interior(ox)
                && interior(ox + WIDE - 1)
            {
                // Few channel blocks: eight chains per block, or the
                // multiply-add latency sets the pace.
                unsafe {
                    self.pixels::<V, WIDE>(input, b, oy, ox, 0, wide_end, out_row);
                    self.pixels::<H, WIDE>(input, b, oy, ox, wide_end, narrow_end, out_row);
                }
                WIDE
            } else if ox + GROUP <= w.out_w && interior(ox) && interior(ox + GROUP - 1) {
                unsafe {
                    self.pixels::<V, GROUP>(input, b, oy, ox, 0, wide_end, out_row);
                    self.pixels::<H, GROUP>(input, b, oy, ox, wide_end, narrow_end, out_row);
                }
                GROUP
            } else {
                unsafe {
                    self.pixels::<V, 1>(input, b, oy, ox, 0, wide_end, out_row);
                    self.pixels::<H, 1>(input, b, oy, ox, wide_end, narrow_end, out_row);
                }
                1
            };
            if narrow_end < c {
                for j in 0..group {
                    self.pixel_portable(input, b, oy, ox + j, narrow_end, out_row);
                }
            }
            ox += group;
        }
    }

    /// Channels `from..to` (whole blocks of `V`) of `G` pixels from `ox`
    /// that share their column taps (G > 1 only for interior pixels).
    ///
    /// # Safety
    /// As `row`; `from` and `to` are multiples of `V::LANES`, `to <= c`.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn pixels<V: F32s, const G: usize>(
        &self,
        input: &[f32],
        b: usize,
        oy: usize,
        ox: usize,
        from: usize,
        to: usize,
        out_row: &mut [f32],
    ) {
        let w = &self.window;
        let c = w.out_c;
        let (ky0, ky1, y_origin) = w.rows_taps(oy);
        let (kx0, kx1, x_origin) = w.cols_taps(ox);
        let step = w.stride[1] * c;
        let clamp = self.activation.clamp_bounds();
        assert!(to <= c && (ox + G) * c <= out_row.len());
        for ch in (from..to).step_by(V::LANES) {
            // SAFETY: every (iy, ix) below comes from the window's taps, so
            // it lies inside the input; channels ch..ch+LANES are below c;
            // weights and bias have `padded_c >= c` entries per tap.
            unsafe {
                let mut acc = [V::load(self.bias.as_ptr().add(ch)); G];
                for ky in ky0..ky1 {
                    let iy = (y_origin + (ky * w.dilation[0]) as isize) as usize;
                    let row = input.as_ptr().add((b * w.in_h + iy) * w.in_w * c + ch);
                    let taps = self
                        .weights
                        .as_ptr()
                        .add(ky * w.kernel_w * self.padded_c + ch);
                    for kx in kx0..kx1 {
                        let wt = V::load(taps.add(kx * self.padded_c));
                        let ix = (x_origin + (kx * w.dilation[1]) as isize) as usize;
                        let x = row.add(ix * c);
                        for (j, a) in acc.iter_mut().enumerate() {
                            *a = V::load(x.add(j * step)).mul_add(wt, *a);
                        }
                    }
                }
                match clamp {
                    Some((lo, hi)) => {
                        let (lo, hi) = (V::splat(lo), V::splat(hi));
                        for (j, a) in acc.into_iter().enumerate() {
                            let at = (ox + j) * c + ch;
                            a.clamp(lo, hi).store(out_row.as_mut_ptr().add(at));
                        }
                    }
                    None => {
                        for (j, a) in acc.into_iter().enumerate() {
                            let mut lanes = [0.0f32; 16];
                            a.store(lanes.as_mut_ptr());
                            let at = (ox + j) * c + ch;
                            activate_into(
                                &mut out_row[at..at + V::LANES],
                                &lanes[..V::LANES],
                                self.activation,
                            );
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
        let (ky0, ky1, y_origin) = w.rows_taps(oy);
        for (ox, dst) in out_row.chunks_exact_mut(c_out).enumerate() {
            let (kx0, kx1, x_origin) = w.cols_taps(ox);
            for (oc, value) in dst.iter_mut().enumerate() {
                let mut acc = self.bias[oc];
                for ky in ky0..ky1 {
                    let iy = (y_origin + (ky * w.dilation[0]) as isize) as usize;
                    for kx in kx0..kx1 {
                        let ix = (x_origin + (kx * w.dilation[1]) as isize) as usize;
                        let x =
                            input[((b * w.in_h + iy) * w.in_w + ix) * c_in + oc / self.multiplier];
                        acc += x * self.weights[(ky * w.kernel_w + kx) * self.padded_c + oc];
                    }
                }
                *value = self.activation.apply(acc);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Depthwise;
    use std::arch::x86_64::*;

    /// # Safety
    /// AVX-512F, AVX2 and FMA; as `Depthwise::row`.
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) unsafe fn row_avx512(
        dw: &Depthwise,
        input: &[f32],
        b: usize,
        oy: usize,
        out_row: &mut [f32],
    ) {
        unsafe { dw.row::<__m512, __m256>(input, b, oy, out_row) }
    }

    /// # Safety
    /// AVX2 and FMA; as `Depthwise::row`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn row_avx2(
        dw: &Depthwise,
        input: &[f32],
        b: usize,
        oy: usize,
        out_row: &mut [f32],
    ) {
        unsafe { dw.row::<__m256, __m128>(input, b, oy, out_row) }
    }

    /// # Safety
    /// SSE4.1; as `Depthwise::row`.
    #[target_feature(enable = "sse4.1")]
    pub(super) unsafe fn row_sse41(
        dw: &Depthwise,
        input: &[f32],
        b: usize,
        oy: usize,
        out_row: &mut [f32],
    ) {
        unsafe { dw.row::<__m128, __m128>(input, b, oy, out_row) }
    }
}

/// # Safety
/// NEON (always on aarch64); as `Depthwise::row`.
#[cfg(target_arch = "aarch64")]
#[target_feature(enable = "neon")]
unsafe fn row_neon(dw: &Depthwise, input: &[f32], b: usize, oy: usize, out_row: &mut [f32]) {
    use std::arch::aarch64::float32x4_t;
    unsafe { dw.row::<float32x4_t, float32x4_t>(input, b, oy, out_row) }
}
