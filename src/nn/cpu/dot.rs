//! CONV_2D with very few output channels (a final 1-channel mask, say) as
//! dot products straight from the input rows: the GEMM would spend most of
//! a 16-wide panel on nothing and first copy every patch (im2col).

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
        avx2: bool,
    ) {
        let c = w.in_c;
        let n = w.out_c;
        let k = w.kernel_h * w.kernel_w * c;
        assert!(self.filter.len() == n * k && input.len() >= w.batch * w.in_h * w.in_w * c);
        #[cfg(target_arch = "x86_64")]
        {
            if avx2 && c.is_multiple_of(8) && n <= MAX_DOT_CHANNELS {
                // SAFETY: the CPU has AVX2 and FMA; sizes asserted above.
                unsafe {
                    match n {
                        1 => self.run_blocks_avx2::<1>(w, act, input, first, out),
                        2 => self.run_blocks_avx2::<2>(w, act, input, first, out),
                        3 => self.run_blocks_avx2::<3>(w, act, input, first, out),
                        _ => self.run_blocks_avx2::<4>(w, act, input, first, out),
                    }
                }
                return;
            }
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
                *value = act.apply(self.bias[o] + dot_runs(input, taps, &runs, avx2));
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
    /// `run` for input channels in whole blocks of 8: per pixel, one
    /// vector multiply-add per tap and block for each output channel,
    /// and one horizontal sum per output at the end. No per-pixel lists.
    ///
    /// # Safety
    /// AVX2 and FMA; `in_c % 8 == 0`, `out_c == N`, the
    /// filter and input as long as `run` asserts.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn run_blocks_avx2<const N: usize>(
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
                unsafe { self.pixels_avx2::<N, GROUP>(w, act, input, b, oy, ox, dst) };
                GROUP
            } else {
                // SAFETY: as this function's.
                unsafe { self.pixels_avx2::<N, 1>(w, act, input, b, oy, ox, dst) };
                1
            };
        }
    }

    /// `G` output pixels from (b, oy, ox) that share their column taps
    /// (G > 1 only for interior pixels) into `dst` (at least `G · N`).
    ///
    /// # Safety
    /// As `run_blocks_avx2`.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    #[allow(clippy::too_many_arguments)]
    unsafe fn pixels_avx2<const N: usize, const G: usize>(
        &self,
        w: &Window,
        act: Activation,
        input: &[f32],
        b: usize,
        oy: usize,
        ox: usize,
        dst: &mut [f32],
    ) {
        use std::arch::x86_64::*;
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
            let mut acc = [[_mm256_setzero_ps(); N]; G];
            for ky in ky0..ky1 {
                let iy = (y_origin + (ky * w.dilation[0]) as isize) as usize;
                let row = (b * w.in_h + iy) * w.in_w;
                for kx in kx0..kx1 {
                    let ix = (x_origin + (kx * w.dilation[1]) as isize) as usize;
                    let x = input.as_ptr().add((row + ix) * c);
                    let tap = (ky * w.kernel_w + kx) * c;
                    for block in (0..c).step_by(8) {
                        for o in 0..N {
                            let f = _mm256_loadu_ps(filter.add(o * k + tap + block));
                            for (j, sums) in acc.iter_mut().enumerate() {
                                let v = _mm256_loadu_ps(x.add(j * step + block));
                                sums[o] = _mm256_fmadd_ps(v, f, sums[o]);
                            }
                        }
                    }
                }
            }
            for (j, sums) in acc.into_iter().enumerate() {
                for (o, v) in sums.into_iter().enumerate() {
                    let half = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
                    let pair = _mm_add_ps(half, _mm_movehl_ps(half, half));
                    let one = _mm_add_ss(pair, _mm_shuffle_ps(pair, pair, 1));
                    dst[j * N + o] = act.apply(self.bias[o] + _mm_cvtss_f32(one));
                }
            }
        }
    }
}

/// `Σ input[x + i]·taps[t + i]` over every run `(x, t, len)`.
#[inline]
fn dot_runs(input: &[f32], taps: &[f32], runs: &[(usize, usize, usize)], avx2: bool) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if avx2 {
            // SAFETY: `avx2` is only true where the CPU has AVX2 and FMA.
            return unsafe { dot_runs_avx2(input, taps, runs) };
        }
    }
    let _ = avx2;
    runs.iter()
        .map(|&(x, t, len)| dot_portable(&input[x..x + len], &taps[t..t + len]))
        .sum()
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

/// # Safety
/// The CPU must have AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_runs_avx2(input: &[f32], taps: &[f32], runs: &[(usize, usize, usize)]) -> f32 {
    use std::arch::x86_64::*;
    let mut tail = 0.0;
    // SAFETY: each run is checked to lie inside both slices; every load
    // reads 8 floats below the run's end.
    unsafe {
        let mut acc = _mm256_setzero_ps();
        for &(x, t, len) in runs {
            let (a, b) = (&input[x..x + len], &taps[t..t + len]);
            // Two chains per run, summed at its end: the FMA latency, not
            // the loads, would otherwise set the pace.
            let (mut even, mut odd) = (_mm256_setzero_ps(), _mm256_setzero_ps());
            let mut i = 0;
            while i + 16 <= len {
                let v = _mm256_loadu_ps(a.as_ptr().add(i));
                even = _mm256_fmadd_ps(v, _mm256_loadu_ps(b.as_ptr().add(i)), even);
                let v = _mm256_loadu_ps(a.as_ptr().add(i + 8));
                odd = _mm256_fmadd_ps(v, _mm256_loadu_ps(b.as_ptr().add(i + 8)), odd);
                i += 16;
            }
            if i + 8 <= len {
                let v = _mm256_loadu_ps(a.as_ptr().add(i));
                even = _mm256_fmadd_ps(v, _mm256_loadu_ps(b.as_ptr().add(i)), even);
                i += 8;
            }
            for j in i..len {
                tail += a[j] * b[j];
            }
            acc = _mm256_add_ps(acc, _mm256_add_ps(even, odd));
        }
        let half = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
        let pair = _mm_add_ps(half, _mm_movehl_ps(half, half));
        let one = _mm_add_ss(pair, _mm_shuffle_ps(pair, pair, 1));
        _mm_cvtss_f32(one) + tail
    }
}
