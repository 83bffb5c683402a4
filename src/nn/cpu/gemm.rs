//! The matrix multiply behind every CONV_2D: `out = act(A · W + bias)`
//! with A the input pixels (or their im2col patches) as rows and W the
//! filter, packed once at load into panels of `nr` output channels so the
//! inner loop streams one contiguous panel.
//!
//! One register-tiled micro-kernel (`micro`), compiled per `Isa` with its
//! vector type: `MR` rows × `W` registers of accumulators, sized to the
//! register file (AVX-512: 12 × 2 zmm = 24 of its 32 registers; AVX2:
//! 6 × 2 ymm = 12 of 16; SSE4.1 and SIMD128: 3 × 4 xmm; NEON: 6 × 4 of 32).

use super::isa::Isa;
use super::parallel::OutBlock;
use super::simd::{activate_in_place, activate_into, ClampBounds};
use super::vector::F32s;
use crate::nn::Activation;

/// Output channels per packed panel for kernels of `isa`: `W` registers.
pub(super) fn panel_width(isa: Isa) -> usize {
    match isa {
        Isa::Avx512 => 32,
        _ => 16,
    }
}

/// A `k × n` weight matrix and its bias, packed in panels of `nr` columns.
#[derive(Debug)]
pub(super) struct PackedWeights {
    k: usize,
    n: usize,
    nr: usize,
    /// `panels[(p * k + kk) * nr + i]` holds W[kk][p*nr + i], zero past `n`.
    panels: Vec<f32>,
    /// `bias[p * nr + i]`, zero past `n`.
    bias: Vec<f32>,
}

impl PackedWeights {
    /// `weight(kk, j)` is W[kk][j]; `bias` has `n` values; panels as wide
    /// as `isa`'s kernel wants.
    pub fn new(
        k: usize,
        n: usize,
        weight: impl Fn(usize, usize) -> f32,
        bias: &[f32],
        isa: Isa,
    ) -> Self {
        let nr = panel_width(isa);
        let panel_count = n.div_ceil(nr);
        let mut panels = vec![0.0; panel_count * k * nr];
        let mut bias_panels = vec![0.0; panel_count * nr];
        for j in 0..n {
            let (p, i) = (j / nr, j % nr);
            for kk in 0..k {
                panels[(p * k + kk) * nr + i] = weight(kk, j);
            }
            bias_panels[j] = bias[j];
        }
        PackedWeights {
            k,
            n,
            nr,
            panels,
            bias: bias_panels,
        }
    }

    pub fn k(&self) -> usize {
        self.k
    }

    /// Output channels per panel: a block of output columns must start
    /// at a multiple of it.
    pub fn panel_width(&self) -> usize {
        self.nr
    }

    fn panel_count(&self) -> usize {
        self.bias.len() / self.nr
    }
}

/// Rows per micro-kernel tile of `isa`'s GEMM: a block of output rows
/// best holds a multiple of it.
pub(super) fn row_tile(isa: Isa) -> usize {
    match isa {
        Isa::Avx512 => 12,
        Isa::Avx2Fma | Isa::Neon => 6,
        Isa::Sse41 | Isa::Simd128 => 3,
        Isa::Portable => 1,
    }
}

/// The output channels of `w` that `out` holds: `first_col` (a multiple
/// of the panel width) and the `out.cols()` after it.
fn panel_range(w: &PackedWeights, first_col: usize, cols: usize) -> std::ops::Range<usize> {
    assert!(first_col.is_multiple_of(w.nr) && first_col + cols <= w.n);
    first_col / w.nr..(first_col + cols).div_ceil(w.nr)
}

/// `out = act(a[rows × k] · W + bias)` for output channels `first_col..`
/// (`out` has `rows` rows of `out.cols()` of them), with `isa`'s kernels
/// (portable ones where `w` was packed for another).
pub(super) fn gemm(
    a: &[f32],
    rows: usize,
    w: &PackedWeights,
    act: Activation,
    mut out: OutBlock<'_>,
    first_col: usize,
    isa: Isa,
) {
    let a = &a[..rows * w.k];
    assert!(out.rows() >= rows);
    let panels = panel_range(w, first_col, out.cols());
    let out = &mut out;
    if w.nr != panel_width(isa) {
        return gemm_portable(a, rows, w, act, out, panels);
    }
    // SAFETY: each arm runs only where `isa` is available (an `Isa` is
    // only chosen after `Isa::available`), and `w` is packed for it.
    match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { x86::gemm_avx512(a, rows, w, act, out, panels) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2Fma => unsafe { x86::gemm_avx2(a, rows, w, act, out, panels) },
        #[cfg(target_arch = "x86_64")]
        Isa::Sse41 => unsafe { x86::gemm_sse41(a, rows, w, act, out, panels) },
        #[cfg(target_arch = "aarch64")]
        Isa::Neon => unsafe { gemm_neon(a, rows, w, act, out, panels) },
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Isa::Simd128 => unsafe {
            tiles::<core::arch::wasm32::v128, 4, 3>(a, rows, w, act, out, panels)
        },
        _ => gemm_portable(a, rows, w, act, out, panels),
    }
}

/// Output channels of panels `panels`, a block whose first column is
/// the first panel's.
type Panels = std::ops::Range<usize>;

/// Any CPU: the same blocking in plain Rust.
fn gemm_portable(
    a: &[f32],
    rows: usize,
    w: &PackedWeights,
    act: Activation,
    out: &mut OutBlock<'_>,
    panels: Panels,
) {
    // A constant panel width, so the compiler unrolls and vectorises.
    match w.nr {
        32 => portable_panels::<32>(a, rows, w, act, out, panels),
        _ => portable_panels::<16>(a, rows, w, act, out, panels),
    }
}

fn portable_panels<const NR: usize>(
    a: &[f32],
    rows: usize,
    w: &PackedWeights,
    act: Activation,
    out: &mut OutBlock<'_>,
    panels: Panels,
) {
    let (k, n) = (w.k, w.n);
    assert_eq!(w.nr, NR);
    let first_col = panels.start * NR;
    for p in panels {
        let panel = &w.panels[p * k * NR..(p + 1) * k * NR];
        let col = p * NR;
        let width = NR.min(n - col);
        let at = col - first_col;
        let bias: [f32; NR] = std::array::from_fn(|i| w.bias[col + i]);
        for r in 0..rows {
            let mut acc = bias;
            for (&x, wk) in a[r * k..(r + 1) * k].iter().zip(panel.chunks_exact(NR)) {
                for i in 0..NR {
                    acc[i] += x * wk[i];
                }
            }
            activate_into(&mut out.row(r)[at..at + width], &acc[..width], act);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{tiles, Activation, OutBlock, PackedWeights, Panels};
    use std::arch::x86_64::*;

    /// # Safety
    /// AVX-512F, AVX2 and FMA; `w` packed for `Isa::Avx512`.
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) unsafe fn gemm_avx512(
        a: &[f32],
        rows: usize,
        w: &PackedWeights,
        act: Activation,
        out: &mut OutBlock<'_>,
        panels: Panels,
    ) {
        unsafe { tiles::<__m512, 2, 12>(a, rows, w, act, out, panels) }
    }

    /// # Safety
    /// AVX2 and FMA; `w` packed for `Isa::Avx2Fma`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn gemm_avx2(
        a: &[f32],
        rows: usize,
        w: &PackedWeights,
        act: Activation,
        out: &mut OutBlock<'_>,
        panels: Panels,
    ) {
        unsafe { tiles::<__m256, 2, 6>(a, rows, w, act, out, panels) }
    }

    /// # Safety
    /// SSE4.1; `w` packed for `Isa::Sse41`.
    #[target_feature(enable = "sse4.1")]
    pub(super) unsafe fn gemm_sse41(
        a: &[f32],
        rows: usize,
        w: &PackedWeights,
        act: Activation,
        out: &mut OutBlock<'_>,
        panels: Panels,
    ) {
        unsafe { tiles::<__m128, 4, 3>(a, rows, w, act, out, panels) }
    }
}

/// # Safety
/// NEON (always on aarch64); `w` packed for `Isa::Neon`.
#[cfg(target_arch = "aarch64")]
#[target_feature(enable = "neon")]
unsafe fn gemm_neon(
    a: &[f32],
    rows: usize,
    w: &PackedWeights,
    act: Activation,
    out: &mut OutBlock<'_>,
    panels: Panels,
) {
    unsafe { tiles::<std::arch::aarch64::float32x4_t, 4, 6>(a, rows, w, act, out, panels) }
}

/// The product for `panels` in `MR`-row tiles of each panel (`W`
/// registers of `V` wide, `W · V::LANES == w.nr`).
///
/// # Safety
/// The CPU runs `V`; `a` holds `rows × k` floats and `out` at least
/// `rows` rows of the panels' columns.
#[inline(always)]
#[allow(dead_code)] // unused on targets without a vector path
unsafe fn tiles<V: F32s, const W: usize, const MR: usize>(
    a: &[f32],
    rows: usize,
    w: &PackedWeights,
    act: Activation,
    out: &mut OutBlock<'_>,
    panels: Panels,
) {
    let (k, n, nr) = (w.k, w.n, w.nr);
    let first_col = panels.start * nr;
    assert!(
        W * V::LANES == nr
            && a.len() >= rows * k
            && out.rows() >= rows
            && panels.end <= w.panel_count()
            && out.cols() >= (n.min(panels.end * nr)).saturating_sub(first_col)
            && w.panels.len() == w.panel_count() * k * nr
    );
    let clamp = act.clamp_bounds();
    let (lo, hi) = clamp.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
    let stride = out.stride();
    for p in panels {
        let col = p * nr;
        let width = nr.min(n - col);
        let at = col - first_col;
        // Registers that hold live columns: fewer for a narrow last panel.
        let regs = width.div_ceil(V::LANES);
        let mut r = 0;
        while r < rows {
            let count = MR.min(rows - r);
            // SAFETY: rows r..r+count of `a` and `out`, the panel's k × nr
            // floats and its nr biases are in bounds (asserted above);
            // stores write `width` columns of `count` rows, all inside
            // the block (its columns `at..at + width`).
            unsafe {
                let tile = Tile {
                    a: a.as_ptr().add(r * k),
                    k,
                    rows: count,
                    panel: w.panels.as_ptr().add(p * k * nr),
                    nr,
                    bias: w.bias.as_ptr().add(col),
                    out: out.as_mut_ptr().add(r * stride + at),
                    n: stride,
                    width,
                    lo,
                    hi,
                };
                match regs {
                    1 => micro::<V, 1, MR>(&tile),
                    2 if W >= 2 => micro::<V, 2, MR>(&tile),
                    3 if W >= 3 => micro::<V, 3, MR>(&tile),
                    _ if W >= 4 => micro::<V, 4, MR>(&tile),
                    _ => micro::<V, W, MR>(&tile),
                }
            }
            if clamp.is_none() {
                for i in r..r + count {
                    activate_in_place(&mut out.row(i)[at..at + width], act);
                }
            }
            r += count;
        }
    }
}

/// One micro-kernel call's operands.
struct Tile {
    /// The first of `rows <= MR` rows of A, `k` apart.
    a: *const f32,
    k: usize,
    rows: usize,
    /// `k × nr` packed weights and `nr` biases.
    panel: *const f32,
    nr: usize,
    bias: *const f32,
    /// Where output row 0, column 0 goes; rows `n` apart, `width` columns
    /// of each written.
    out: *mut f32,
    n: usize,
    width: usize,
    /// The activation's clamp (infinite for none, or for Tanh, which the
    /// caller applies after).
    lo: f32,
    hi: f32,
}

/// `clamp(bias + a[rows × k] · panel[k × R·LANES])` into `out`.
///
/// # Safety
/// As `tiles`; `R · V::LANES >= t.width` and `<= t.nr`.
#[inline(always)]
unsafe fn micro<V: F32s, const R: usize, const MR: usize>(t: &Tile) {
    unsafe {
        let b: [V; R] = std::array::from_fn(|j| V::load(t.bias.add(j * V::LANES)));
        let mut acc = [b; MR];
        // Rows past `rows` re-read the last row: harmless, never stored.
        let rows_at: [*const f32; MR] = std::array::from_fn(|i| t.a.add(i.min(t.rows - 1) * t.k));
        let mut panel = t.panel;
        for kk in 0..t.k {
            let w: [V; R] = std::array::from_fn(|j| V::load(panel.add(j * V::LANES)));
            for (row, acc) in rows_at.iter().zip(acc.iter_mut()) {
                let x = V::splat(*row.add(kk));
                for (c, &wj) in acc.iter_mut().zip(&w) {
                    *c = x.mul_add(wj, *c);
                }
            }
            panel = panel.add(t.nr);
        }
        let (lo, hi) = (V::splat(t.lo), V::splat(t.hi));
        for (i, regs) in acc.iter().enumerate().take(t.rows) {
            let row = t.out.add(i * t.n);
            for (j, &c) in regs.iter().enumerate() {
                let c = c.clamp(lo, hi);
                let left = t.width - j * V::LANES;
                if left >= V::LANES {
                    c.store(row.add(j * V::LANES));
                } else {
                    c.store_partial(row.add(j * V::LANES), left);
                }
            }
        }
    }
}
