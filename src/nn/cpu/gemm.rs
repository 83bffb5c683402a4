//! The matrix multiply behind every CONV_2D: `out = act(A · W + bias)`
//! with A the input pixels (or their im2col patches) as rows and W the
//! filter, packed once at load into panels of `NR` output channels so the
//! inner loop streams one contiguous panel.
//!
//! On x86-64 with AVX2 and FMA (checked at run time) a 6×16 register-tiled
//! micro-kernel does the work; elsewhere a portable loop does.

use super::simd::{activate_into, ClampBounds};
use crate::nn::Activation;

/// Output channels per packed panel (two AVX registers).
pub(super) const NR: usize = 16;

/// A `k × n` weight matrix and its bias, packed in panels of `NR` columns.
#[derive(Debug)]
pub(super) struct PackedWeights {
    k: usize,
    n: usize,
    /// `panels[p * k + kk]` holds W[kk][p*NR .. p*NR+NR], zero past `n`.
    panels: Vec<[f32; NR]>,
    bias: Vec<[f32; NR]>,
}

impl PackedWeights {
    /// `weight(kk, j)` is W[kk][j]; `bias` has `n` values.
    pub fn new(k: usize, n: usize, weight: impl Fn(usize, usize) -> f32, bias: &[f32]) -> Self {
        let panel_count = n.div_ceil(NR);
        let mut panels = vec![[0.0; NR]; panel_count * k];
        let mut bias_panels = vec![[0.0; NR]; panel_count];
        for p in 0..panel_count {
            for i in 0..NR.min(n - p * NR) {
                let j = p * NR + i;
                for kk in 0..k {
                    panels[p * k + kk][i] = weight(kk, j);
                }
                bias_panels[p][i] = bias[j];
            }
        }
        PackedWeights {
            k,
            n,
            panels,
            bias: bias_panels,
        }
    }

    pub fn k(&self) -> usize {
        self.k
    }
}

/// `out[rows × n] = act(a[rows × k] · W + bias)`, both row-major.
/// `avx2` says the CPU has AVX2 and FMA.
pub(super) fn gemm(
    a: &[f32],
    rows: usize,
    w: &PackedWeights,
    act: Activation,
    out: &mut [f32],
    avx2: bool,
) {
    let (a, out) = (&a[..rows * w.k], &mut out[..rows * w.n]);
    #[cfg(target_arch = "x86_64")]
    {
        if avx2 {
            // SAFETY: the CPU has the features the function is compiled for.
            unsafe { avx2::gemm(a, rows, w, act, out) };
            return;
        }
    }
    let _ = avx2;
    gemm_portable(a, rows, w, act, out);
}

/// Any CPU: the same blocking in plain Rust.
fn gemm_portable(a: &[f32], rows: usize, w: &PackedWeights, act: Activation, out: &mut [f32]) {
    let (k, n) = (w.k, w.n);
    for (p, bias) in w.bias.iter().enumerate() {
        let panel = &w.panels[p * k..(p + 1) * k];
        let col = p * NR;
        let width = NR.min(n - col);
        for r in 0..rows {
            let mut acc = *bias;
            for (&x, wk) in a[r * k..(r + 1) * k].iter().zip(panel) {
                for i in 0..NR {
                    acc[i] += x * wk[i];
                }
            }
            activate_into(
                &mut out[r * n + col..r * n + col + width],
                &acc[..width],
                act,
            );
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{activate_into, ClampBounds, PackedWeights, NR};
    use crate::nn::Activation;
    use std::arch::x86_64::*;

    /// Pixels per micro-kernel call: 6 rows × 2 registers = 12
    /// accumulators, leaving 4 of the 16 AVX registers for loads.
    const MR: usize = 6;

    /// # Safety
    /// The CPU must have AVX2 and FMA; `a` holds `rows × k` and `out`
    /// `rows × n` floats.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn gemm(
        a: &[f32],
        rows: usize,
        w: &PackedWeights,
        act: Activation,
        out: &mut [f32],
    ) {
        let (k, n) = (w.k, w.n);
        assert!(a.len() >= rows * k && out.len() >= rows * n && w.panels.len() == w.bias.len() * k);
        let clamp = act.clamp_bounds();
        for (p, bias) in w.bias.iter().enumerate() {
            let panel = w.panels[p * k..(p + 1) * k].as_ptr().cast::<f32>();
            let col = p * NR;
            let width = NR.min(n - col);
            let mut r = 0;
            while r < rows {
                let count = MR.min(rows - r);
                let start = r * n + col;
                // SAFETY: rows r..r+count of `a` and `out` and the panel's
                // k × NR floats are in bounds (asserted above); the direct
                // store writes NR floats of `count == MR` rows.
                unsafe {
                    let a_rows = a.as_ptr().add(r * k);
                    let direct = width == NR || width == NR / 2;
                    match clamp {
                        Some((lo, hi)) if count == MR && direct => {
                            let store = Store::Direct(out.as_mut_ptr().add(start), n, lo, hi);
                            if width > NR / 2 {
                                micro::<2>(a_rows, k, count, panel, bias, store);
                            } else {
                                micro::<1>(a_rows, k, count, panel, bias, store);
                            }
                        }
                        _ => {
                            let mut acc = [[0.0f32; NR]; MR];
                            if width > NR / 2 {
                                micro::<2>(a_rows, k, count, panel, bias, Store::Buffer(&mut acc));
                            } else {
                                micro::<1>(a_rows, k, count, panel, bias, Store::Buffer(&mut acc));
                            }
                            for (i, values) in acc.iter().take(count).enumerate() {
                                let start = start + i * n;
                                activate_into(
                                    &mut out[start..start + width],
                                    &values[..width],
                                    act,
                                );
                            }
                        }
                    }
                }
                r += count;
            }
        }
    }

    /// Where the micro-kernel puts its 6×16 results.
    enum Store<'a> {
        /// Clamped to [lo, hi], straight into the output (row stride n).
        Direct(*mut f32, usize, f32, f32),
        /// As they are, for the caller to finish.
        Buffer(&'a mut [[f32; NR]; MR]),
    }

    /// `bias + a[rows × k] · panel[k × NR]` for rows <= MR, on the first
    /// `8 · W` columns of the panel (W = 2, or 1 for a narrow last panel).
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn micro<const W: usize>(
        a: *const f32,
        k: usize,
        rows: usize,
        panel: *const f32,
        bias: &[f32; NR],
        store: Store,
    ) {
        unsafe {
            let b: [__m256; W] = std::array::from_fn(|j| _mm256_loadu_ps(bias.as_ptr().add(8 * j)));
            let mut acc = [b; MR];
            // Rows past `rows` re-read the last row: harmless, never stored.
            let rows_at: [*const f32; MR] = std::array::from_fn(|i| a.add(i.min(rows - 1) * k));
            for kk in 0..k {
                let w: [__m256; W] =
                    std::array::from_fn(|j| _mm256_loadu_ps(panel.add(kk * NR + 8 * j)));
                for (row, acc) in rows_at.iter().zip(acc.iter_mut()) {
                    let x = _mm256_broadcast_ss(&*row.add(kk));
                    for (c, wj) in acc.iter_mut().zip(w) {
                        *c = _mm256_fmadd_ps(x, wj, *c);
                    }
                }
            }
            match store {
                Store::Direct(out, n, lo, hi) => {
                    let (lo, hi) = (_mm256_set1_ps(lo), _mm256_set1_ps(hi));
                    for (i, regs) in acc.iter().enumerate() {
                        for (j, &c) in regs.iter().enumerate() {
                            _mm256_storeu_ps(
                                out.add(i * n + 8 * j),
                                _mm256_min_ps(_mm256_max_ps(c, lo), hi),
                            );
                        }
                    }
                }
                Store::Buffer(buffer) => {
                    for (dst, regs) in buffer.iter_mut().zip(acc) {
                        for (j, c) in regs.into_iter().enumerate() {
                            _mm256_storeu_ps(dst.as_mut_ptr().add(8 * j), c);
                        }
                    }
                }
            }
        }
    }
}
