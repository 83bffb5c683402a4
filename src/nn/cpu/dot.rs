//! CONV_2D with very few output channels (a final 1-channel mask, say) as
//! dot products straight from the input rows: the GEMM would spend most of
//! a 16-wide panel on nothing and first copy every patch (im2col).

use super::isa::Isa;
use super::vector::F32s;
use super::window::Window;
use crate::nn::Activation;

/// At most this many output channels go through dot products.
pub(super) const MAX_DOT_CHANNELS: usize = 4;

#[derive(Debug)]
pub(super) struct DotConv {
    /// OHWI as in the model: output channel o's taps are contiguous, in
    /// the order of the input rows they meet.
    filter: Vec<f32>,
    bias: Vec<f32>,
}

impl DotConv {
    pub fn new(filter: &[f32], bias: &[f32]) -> DotConv {
        DotConv {
            filter: filter.to_vec(),
            bias: bias.to_vec(),
        }
    }

    /// Output pixels `first..` into `out` (whole pixels of `out_c` floats).
    pub fn run(
        &self,
        w: &Window,
        act: Activation,
        input: &[f32],
        first: usize,
        out: &mut [f32],
        isa: Isa,
    ) {
        let c = w.in_c;
        let n = w.out_c;
        let k = w.kernel_h * w.kernel_w * c;
        assert!(self.filter.len() == n * k && input.len() >= w.batch * w.in_h * w.in_w * c);
        if self.run_vector(isa, w, act, input, first, out) {
            return;
        }
        // Running coordinates: no divisions per pixel.
        let mut b = first / (w.out_h * w.out_w);
        let mut oy = first / w.out_w % w.out_h;
        let mut ox = first % w.out_w;
        // Per tap row: (input offset, tap offset, length) of each run of
        // adjacent taps that lands inside the input.
        let mut runs: Vec<(usize, usize, usize)> = Vec::with_capacity(w.kernel_h * w.kernel_w);
        for dst in out.chunks_exact_mut(n) {
            let (ky0, ky1, y_origin) = w.rows_taps(oy);
            let (kx0, kx1, x_origin) = w.cols_taps(ox);
            runs.clear();
            for ky in ky0..ky1 {
                let iy = (y_origin + (ky * w.dilation[0]) as isize) as usize;
                let row = (b * w.in_h + iy) * w.in_w;
                if w.dilation[1] == 1 {
                    // Adjacent taps read adjacent pixels: one run (none
                    // when the window lies wholly in the padding).
                    if kx1 == kx0 {
                        continue;
                    }
                    let ix = (x_origin + kx0 as isize) as usize;
                    runs.push(((row + ix) * c, (ky * w.kernel_w + kx0) * c, (kx1 - kx0) * c));
                    continue;
                }
                for kx in kx0..kx1 {
                    let ix = (x_origin + (kx * w.dilation[1]) as isize) as usize;
                    runs.push(((row + ix) * c, (ky * w.kernel_w + kx) * c, c));
                }
            }
            for (o, value) in dst.iter_mut().enumerate() {
                let taps = &self.filter[o * k..(o + 1) * k];
                *value = act.apply(self.bias[o] + dot_runs(input, taps, &runs, isa));
            }
            ox += 1;
            if ox == w.out_w {
                ox = 0;
                oy += 1;
                if oy == w.out_h {
                    oy = 0;
                    b += 1;
                }
            }
        }
    }
}

impl DotConv {
    /// `run` with `isa`'s vectors where the input channels are whole
    /// vectors (8 or 16 on x86-64, 4 elsewhere); false where it did not.
    #[allow(unused_variables)] // on targets without a vector path
    fn run_vector(
        &self,
        isa: Isa,
        w: &Window,
        act: Activation,
        input: &[f32],
        first: usize,
        out: &mut [f32],
    ) -> bool {
        let c = w.in_c;
        // SAFETY: each arm runs only where `isa` is available, with input
        // channels in whole vectors; sizes were asserted by `run`.
        match isa {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 if c.is_multiple_of(16) => {
                unsafe { x86::blocks_avx512(self, w, act, input, first, out) };
                true
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 | Isa::Avx2Fma if c.is_multiple_of(8) => {
                unsafe { x86::blocks_avx2(self, w, act, input, first, out) };
                true
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Sse41 if c.is_multiple_of(4) => {
                unsafe { x86::blocks_sse41(self, w, act, input, first, out) };
                true
            }
            #[cfg(target_arch = "aarch64")]
            Isa::Neon if c.is_multiple_of(4) => {
                unsafe { blocks_neon(self, w, act, input, first, out) };
                true
            }
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Isa::Simd128 if c.is_multiple_of(4) => {
                unsafe { self.run_blocks::<core::arch::wasm32::v128>(w, act, input, first, out) };
                true
            }
            _ => false,
        }
    }

    /// `run` for input channels in whole vectors `V`: per pixel, one
    /// vector multiply-add per tap and block for each output channel,
    /// and one horizontal sum per output at the end. No per-pixel lists.
    ///
    /// # Safety
    /// The CPU runs `V`; `in_c % V::LANES == 0`, `out_c <= 4`, the
    /// filter and input as long as `run` asserts.
    #[inline(always)]
    #[allow(dead_code)] // unused on targets without a vector path
    unsafe fn run_blocks<V: F32s>(
        &self,
        w: &Window,
        act: Activation,
        input: &[f32],
        first: usize,
        out: &mut [f32],
    ) {
        // SAFETY: as this function's.
        unsafe {
            match w.out_c {
                1 => self.blocks_n::<V, 1>(w, act, input, first, out),
                2 => self.blocks_n::<V, 2>(w, act, input, first, out),
                3 => self.blocks_n::<V, 3>(w, act, input, first, out),
                _ => self.blocks_n::<V, 4>(w, act, input, first, out),
            }
        }
    }

    /// `run_blocks` for `N` output channels.
    ///
    /// # Safety
    /// As `run_blocks`.
    #[inline(always)]
    unsafe fn blocks_n<V: F32s, const N: usize>(
        &self,
        w: &Window,
        act: Activation,
        input: &[f32],
        first: usize,
        out: &mut [f32],
    ) {
        let k = w.kernel_h * w.kernel_w * w.in_c;
        assert!(w.out_c == N && self.filter.len() >= N * k && self.bias.len() >= N);
        const GROUP: usize = 8;
        let interior = |ox: usize| {
            let (kx0, kx1, _) = w.cols_taps(ox);
            kx0 == 0 && kx1 == w.kernel_w
        };
        let pixels = out.len() / N;
        let mut p = 0;
        while p < pixels {
            let pixel = first + p;
            let b = pixel / (w.out_h * w.out_w);
            let oy = pixel / w.out_w % w.out_h;
            let ox = pixel % w.out_w;
            let dst = &mut out[p * N..];
            // Eight interior pixels of a row share their taps: eight
            // independent chains of multiply-adds hide their latency.
            p += if p + GROUP <= pixels
                && ox + GROUP <= w.out_w
                && interior(ox)
                && interior(ox + GROUP - 1)
            {
                // SAFETY: as this function's.
                unsafe { self.pixels::<V, N, GROUP>(w, act, input, b, oy, ox, dst) };
                GROUP
            } else {
                // SAFETY: as this function's.
                unsafe { self.pixels::<V, N, 1>(w, act, input, b, oy, ox, dst) };
                1
            };
        }
    }

    /// `G` output pixels from (b, oy, ox) that share their column taps
    /// (G > 1 only for interior pixels) into `dst` (at least `G · N`).
    ///
    /// # Safety
    /// As `run_blocks`.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn pixels<V: F32s, const N: usize, const G: usize>(
        &self,
        w: &Window,
        act: Activation,
        input: &[f32],
        b: usize,
        oy: usize,
        ox: usize,
        dst: &mut [f32],
    ) {
        let c = w.in_c;
        let k = w.kernel_h * w.kernel_w * c;
        let filter = self.filter.as_ptr();
        let (ky0, ky1, y_origin) = w.rows_taps(oy);
        let (kx0, kx1, x_origin) = w.cols_taps(ox);
        let step = w.stride[1] * c;
        // SAFETY: every (iy, ix) comes from the window's in-bounds taps
        // (for all G pixels, which share them), so `c` floats from it are
        // in the input; tap offsets are below k and o < N, so filter reads
        // are below N·k (asserted by the caller).
        unsafe {
            let mut acc = [[V::splat(0.0); N]; G];
            for ky in ky0..ky1 {
                let iy = (y_origin + (ky * w.dilation[0]) as isize) as usize;
                let row = (b * w.in_h + iy) * w.in_w;
                for kx in kx0..kx1 {
                    let ix = (x_origin + (kx * w.dilation[1]) as isize) as usize;
                    let x = input.as_ptr().add((row + ix) * c);
                    let tap = (ky * w.kernel_w + kx) * c;
                    for block in (0..c).step_by(V::LANES) {
                        for o in 0..N {
                            let f = V::load(filter.add(o * k + tap + block));
                            for (j, sums) in acc.iter_mut().enumerate() {
                                let v = V::load(x.add(j * step + block));
                                sums[o] = v.mul_add(f, sums[o]);
                            }
                        }
                    }
                }
            }
            for (j, sums) in acc.into_iter().enumerate() {
                for (o, v) in sums.into_iter().enumerate() {
                    dst[j * N + o] = act.apply(self.bias[o] + v.sum());
                }
            }
        }
    }
}

/// `Σ input[x + i]·taps[t + i]` over every run `(x, t, len)`.
#[inline]
fn dot_runs(input: &[f32], taps: &[f32], runs: &[(usize, usize, usize)], isa: Isa) -> f32 {
    // SAFETY: each arm runs only where `isa` is available.
    match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { x86::dot_runs_avx512(input, taps, runs) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2Fma => unsafe { x86::dot_runs_avx2(input, taps, runs) },
        #[cfg(target_arch = "x86_64")]
        Isa::Sse41 => unsafe { x86::dot_runs_sse41(input, taps, runs) },
        #[cfg(target_arch = "aarch64")]
        Isa::Neon => unsafe { dot_runs_neon(input, taps, runs) },
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Isa::Simd128 => unsafe { dot_runs_vector::<core::arch::wasm32::v128>(input, taps, runs) },
        _ => runs
            .iter()
            .map(|&(x, t, len)| dot_portable(&input[x..x + len], &taps[t..t + len]))
            .sum(),
    }
}

fn dot_portable(a: &[f32], b: &[f32]) -> f32 {
    // Eight partial sums, as the vector code keeps, so the loop vectorises.
    let mut sums = [0.0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for i in 0..8 {
            sums[i] += x[i] * y[i];
        }
    }
    sums.iter().sum::<f32>() + tail
}

/// `dot_runs` with vectors `V`.
///
/// # Safety
/// The CPU runs `V`.
#[inline(always)]
#[allow(dead_code)] // unused on targets without a vector path
unsafe fn dot_runs_vector<V: F32s>(
    input: &[f32],
    taps: &[f32],
    runs: &[(usize, usize, usize)],
) -> f32 {
    let lanes = V::LANES;
    let mut tail = 0.0;
    // SAFETY: each run is checked to lie inside both slices; every load
    // reads `lanes` floats below the run's end.
    unsafe {
        let mut acc = V::splat(0.0);
        for &(x, t, len) in runs {
            let (a, b) = (&input[x..x + len], &taps[t..t + len]);
            // Two chains per run, summed at its end: the multiply-add
            // latency, not the loads, would otherwise set the pace.
            let (mut even, mut odd) = (V::splat(0.0), V::splat(0.0));
            let mut i = 0;
            while i + 2 * lanes <= len {
                let v = V::load(a.as_ptr().add(i));
                even = v.mul_add(V::load(b.as_ptr().add(i)), even);
                let v = V::load(a.as_ptr().add(i + lanes));
                odd = v.mul_add(V::load(b.as_ptr().add(i + lanes)), odd);
                i += 2 * lanes;
            }
            if i + lanes <= len {
                let v = V::load(a.as_ptr().add(i));
                even = v.mul_add(V::load(b.as_ptr().add(i)), even);
                i += lanes;
            }
            for j in i..len {
                tail += a[j] * b[j];
            }
            acc = acc.add(even.add(odd));
        }
        acc.sum() + tail
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{dot_runs_vector, Activation, DotConv, Window};
    use std::arch::x86_64::*;

    /// # Safety
    /// AVX-512F, AVX2 and FMA; as `DotConv::run_blocks` for 16 lanes.
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) unsafe fn blocks_avx512(
        dot: &DotConv,
        w: &Window,
        act: Activation,
        input: &[f32],
        first: usize,
        out: &mut [f32],
    ) {
        unsafe { dot.run_blocks::<__m512>(w, act, input, first, out) }
    }

    /// # Safety
    /// AVX2 and FMA; as `DotConv::run_blocks` for 8 lanes.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn blocks_avx2(
        dot: &DotConv,
        w: &Window,
        act: Activation,
        input: &[f32],
        first: usize,
        out: &mut [f32],
    ) {
        unsafe { dot.run_blocks::<__m256>(w, act, input, first, out) }
    }

    /// # Safety
    /// SSE4.1; as `DotConv::run_blocks` for 4 lanes.
    #[target_feature(enable = "sse4.1")]
    pub(super) unsafe fn blocks_sse41(
        dot: &DotConv,
        w: &Window,
        act: Activation,
        input: &[f32],
        first: usize,
        out: &mut [f32],
    ) {
        unsafe { dot.run_blocks::<__m128>(w, act, input, first, out) }
    }

    /// # Safety
    /// AVX-512F, AVX2 and FMA.
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) unsafe fn dot_runs_avx512(
        input: &[f32],
        taps: &[f32],
        runs: &[(usize, usize, usize)],
    ) -> f32 {
        unsafe { dot_runs_vector::<__m512>(input, taps, runs) }
    }

    /// # Safety
    /// AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn dot_runs_avx2(
        input: &[f32],
        taps: &[f32],
        runs: &[(usize, usize, usize)],
    ) -> f32 {
        unsafe { dot_runs_vector::<__m256>(input, taps, runs) }
    }

    /// # Safety
    /// SSE4.1.
    #[target_feature(enable = "sse4.1")]
    pub(super) unsafe fn dot_runs_sse41(
        input: &[f32],
        taps: &[f32],
        runs: &[(usize, usize, usize)],
    ) -> f32 {
        unsafe { dot_runs_vector::<__m128>(input, taps, runs) }
    }
}

/// # Safety
/// NEON (always on aarch64); as `DotConv::run_blocks` for 4 lanes.
#[cfg(target_arch = "aarch64")]
#[target_feature(enable = "neon")]
unsafe fn blocks_neon(
    dot: &DotConv,
    w: &Window,
    act: Activation,
    input: &[f32],
    first: usize,
    out: &mut [f32],
) {
    unsafe { dot.run_blocks::<std::arch::aarch64::float32x4_t>(w, act, input, first, out) }
}

/// # Safety
/// NEON (always on aarch64).
#[cfg(target_arch = "aarch64")]
#[target_feature(enable = "neon")]
unsafe fn dot_runs_neon(input: &[f32], taps: &[f32], runs: &[(usize, usize, usize)]) -> f32 {
    unsafe { dot_runs_vector::<std::arch::aarch64::float32x4_t>(input, taps, runs) }
}
