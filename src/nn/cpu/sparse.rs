//! 1×1 CONV_2D with mostly-zero weights (the detector's pointwise convs
//! are ~75% zero, stored behind DENSIFY): only the nonzero weights are
//! multiplied. The zeros follow no block pattern, so the vectors run over
//! pixels instead of channels, as XNNPACK's sparse kernels do: a tile of
//! pixels is transposed to channel-major, each output channel adds
//! `weight · input-channel row` for its nonzero weights only, and the
//! results are transposed back to NHWC.

use super::isa::Isa;
use super::parallel::OutBlock;
use super::vector::F32s;

/// Output channels a call computes (the columns of its block).
type Channels = std::ops::Range<usize>;

/// Pixels per tile: four AVX registers per output channel.
pub(super) const TILE_PIXELS: usize = 32;

/// At most this fraction of nonzero weights makes the sparse path pay
/// (it does about half the work per weight that the dense GEMM does).
pub(super) const MAX_DENSITY: f32 = 0.4;

/// Below this many input channels the two transposes cost more than the
/// skipped zeros save.
pub(super) const MIN_INPUT_CHANNELS: usize = 64;

/// The nonzero weights of a `k × n` matrix, by output channel.
#[derive(Debug)]
pub(super) struct SparseWeights {
    k: usize,
    n: usize,
    /// Output channel o's nonzeros are `starts[o]..starts[o + 1]`.
    starts: Vec<usize>,
    /// Input channel of each nonzero, times `TILE_PIXELS` (its row in
    /// the transposed tile).
    rows: Vec<u32>,
    values: Vec<f32>,
    bias: Vec<f32>,
}

impl SparseWeights {
    /// The sparse form of `weight(kk, o)` (W[kk][o]) if at most
    /// `MAX_DENSITY` of it is nonzero.
    pub fn new(
        k: usize,
        n: usize,
        weight: impl Fn(usize, usize) -> f32,
        bias: &[f32],
    ) -> Option<SparseWeights> {
        if k < MIN_INPUT_CHANNELS {
            return None;
        }
        let k_rows = u32::try_from(k.checked_mul(TILE_PIXELS)?).ok()?;
        let mut weights = SparseWeights {
            k,
            n,
            starts: vec![0],
            rows: Vec::new(),
            values: Vec::new(),
            bias: bias.to_vec(),
        };
        for o in 0..n {
            for kk in 0..k {
                let value = weight(kk, o);
                if value != 0.0 {
                    weights.rows.push((kk * TILE_PIXELS) as u32);
                    weights.values.push(value);
                }
            }
            weights.starts.push(weights.values.len());
        }
        let dense = (k * n) as f32;
        (k_rows > 0 && (weights.values.len() as f32) <= MAX_DENSITY * dense).then_some(weights)
    }

    /// Floats of scratch per worker: the transposed input tile.
    pub fn scratch_len(&self) -> usize {
        self.k * TILE_PIXELS
    }

    /// `out = act(a[rows × k] · W + bias)` for output channels
    /// `first_col..` (`out.cols()` of them); `lo..hi` is the activation's
    /// clamp; `scratch` holds `scratch_len()` floats.
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &self,
        a: &[f32],
        rows: usize,
        (lo, hi): (f32, f32),
        mut out: OutBlock<'_>,
        first_col: usize,
        scratch: &mut [f32],
        isa: Isa,
    ) {
        let k = self.k;
        let a = &a[..rows * k];
        let channels = first_col..first_col + out.cols();
        assert!(channels.end <= self.n && out.rows() >= rows);
        let tile = &mut scratch[..k * TILE_PIXELS];
        let mut r = 0;
        while r < rows {
            let count = TILE_PIXELS.min(rows - r);
            // Channel-major: tile[kk * TILE_PIXELS + p] = a[r + p][kk];
            // pixels past `count` stay as they were (never stored).
            let pixels = &a[r * k..(r + count) * k];
            let (dst, channels) = (&mut out.rows_between(r, r + count), channels.clone());
            // SAFETY: each arm runs only where `isa` is available.
            match isa {
                // AVX-512 runs the AVX2 kernel: see `tile_avx2`.
                #[cfg(target_arch = "x86_64")]
                Isa::Avx512 | Isa::Avx2Fma => unsafe {
                    transpose_in_avx2(pixels, k, count, tile);
                    self.tile_avx2(tile, count, lo, hi, dst, channels);
                },
                #[cfg(target_arch = "x86_64")]
                Isa::Sse41 => unsafe {
                    transpose_in(pixels, k, 0, tile);
                    self.tile_sse41(tile, count, lo, hi, dst, channels);
                },
                #[cfg(target_arch = "aarch64")]
                Isa::Neon => unsafe {
                    transpose_in(pixels, k, 0, tile);
                    self.tile_neon(tile, count, lo, hi, dst, channels);
                },
                #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                Isa::Simd128 => unsafe {
                    transpose_in(pixels, k, 0, tile);
                    self.tile_vector::<core::arch::wasm32::v128>(tile, count, lo, hi, dst, channels);
                },
                _ => {
                    transpose_in(pixels, k, 0, tile);
                    self.tile_portable(tile, count, lo, hi, dst, channels);
                }
            }
            r += count;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn tile_portable(
        &self,
        tile: &[f32],
        count: usize,
        lo: f32,
        hi: f32,
        dst: &mut OutBlock<'_>,
        channels: Channels,
    ) {
        let c0 = channels.start;
        for o in channels {
            let mut acc = [self.bias[o]; TILE_PIXELS];
            let range = self.starts[o]..self.starts[o + 1];
            for (&row, &value) in self.rows[range.clone()].iter().zip(&self.values[range]) {
                let x = &tile[row as usize..row as usize + TILE_PIXELS];
                for (a, &x) in acc.iter_mut().zip(x) {
                    *a += value * x;
                }
            }
            for (p, &a) in acc.iter().take(count).enumerate() {
                dst.row(p)[o - c0] = a.max(lo).min(hi);
            }
        }
    }

    /// One output channel at a time into `TILE_PIXELS / LANES` vectors,
    /// written back to NHWC one float at a time (the 4-wide paths).
    ///
    /// # Safety
    /// The CPU runs `V`; `tile` holds `k · TILE_PIXELS` floats.
    #[inline(always)]
    #[allow(dead_code)] // unused on targets without a 4-wide path
    unsafe fn tile_vector<V: F32s>(
        &self,
        tile: &[f32],
        count: usize,
        lo: f32,
        hi: f32,
        dst: &mut OutBlock<'_>,
        channels: Channels,
    ) {
        const MAX_REGS: usize = TILE_PIXELS / 4;
        let n = self.n;
        let regs = TILE_PIXELS / V::LANES;
        assert!(
            regs <= MAX_REGS
                && tile.len() >= self.k * TILE_PIXELS
                && dst.rows() >= count
                && channels.end <= n
                && dst.cols() >= channels.len()
                && self.starts.len() == n + 1
                && self.rows.len() == self.values.len()
                && self.starts[n] == self.values.len()
        );
        // SAFETY: every `row` is below k·TILE_PIXELS (made in `new`), so
        // each tile load of TILE_PIXELS floats is in bounds (asserted).
        unsafe {
            let (lo, hi) = (V::splat(lo), V::splat(hi));
            let mut column = [0.0f32; TILE_PIXELS];
            let c0 = channels.start;
            for o in channels {
                let mut acc = [V::splat(self.bias[o]); MAX_REGS];
                for i in self.starts[o]..self.starts[o + 1] {
                    let x = tile.as_ptr().add(*self.rows.get_unchecked(i) as usize);
                    let w = V::splat(*self.values.get_unchecked(i));
                    for (reg, a) in acc.iter_mut().enumerate().take(regs) {
                        *a = w.mul_add(V::load(x.add(reg * V::LANES)), *a);
                    }
                }
                for (reg, a) in acc.iter().enumerate().take(regs) {
                    a.clamp(lo, hi)
                        .store(column.as_mut_ptr().add(reg * V::LANES));
                }
                for (p, &value) in column.iter().take(count).enumerate() {
                    dst.row(p)[o - c0] = value;
                }
            }
        }
    }

    /// # Safety
    /// SSE4.1; as `tile_vector`.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "sse4.1")]
    unsafe fn tile_sse41(
        &self,
        tile: &[f32],
        count: usize,
        lo: f32,
        hi: f32,
        dst: &mut OutBlock<'_>,
        channels: Channels,
    ) {
        unsafe { self.tile_vector::<std::arch::x86_64::__m128>(tile, count, lo, hi, dst, channels) }
    }

    /// # Safety
    /// NEON (always on aarch64); as `tile_vector`.
    #[cfg(target_arch = "aarch64")]
    #[target_feature(enable = "neon")]
    unsafe fn tile_neon(
        &self,
        tile: &[f32],
        count: usize,
        lo: f32,
        hi: f32,
        dst: &mut OutBlock<'_>,
        channels: Channels,
    ) {
        unsafe { self.tile_vector::<std::arch::aarch64::float32x4_t>(tile, count, lo, hi, dst, channels) }
    }

    /// Eight output channels at a time: each into four registers of
    /// pixels, then one 8×8 transpose per register back to NHWC.
    /// `Isa::Avx512` runs this too (see `run`).
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn tile_avx2(
        &self,
        tile: &[f32],
        count: usize,
        lo: f32,
        hi: f32,
        dst: &mut OutBlock<'_>,
        channels: Channels,
    ) {
        use std::arch::x86_64::*;
        const REGS: usize = TILE_PIXELS / 8;
        let n = self.n;
        let (c0, end) = (channels.start, channels.end);
        assert!(
            tile.len() >= self.k * TILE_PIXELS
                && dst.rows() >= count
                && end <= n
                && dst.cols() >= end - c0
                && self.starts.len() == n + 1
                && self.rows.len() == self.values.len()
                && self.starts[n] == self.values.len()
        );
        // SAFETY: every `row` is below k·TILE_PIXELS (made in `new`), so
        // each tile load of TILE_PIXELS floats is in bounds (asserted);
        // stores go through bounds-checked slices.
        unsafe {
            let (lo, hi) = (_mm256_set1_ps(lo), _mm256_set1_ps(hi));
            let mut o0 = c0;
            while o0 < end {
                let group = 8.min(end - o0);
                // block[j][reg]: output channel o0 + j, pixels 8·reg..
                let mut block = [[_mm256_setzero_ps(); REGS]; 8];
                // Two channels at a time: eight independent FMA chains
                // hide the FMA latency.
                let mut j = 0;
                while j < group {
                    let (o, pair) = (o0 + j, j + 1 < group);
                    let mut acc = [_mm256_set1_ps(self.bias[o]); REGS];
                    let mut acc2 =
                        [_mm256_set1_ps(if pair { self.bias[o + 1] } else { 0.0 }); REGS];
                    let (s0, e0) = (self.starts[o], self.starts[o + 1]);
                    let (s1, e1) = if pair {
                        (self.starts[o + 1], self.starts[o + 2])
                    } else {
                        (e0, e0)
                    };
                    let common = (e0 - s0).min(e1 - s1);
                    let nonzero = |i: usize| {
                        let x = tile.as_ptr().add(*self.rows.get_unchecked(i) as usize);
                        (x, _mm256_set1_ps(*self.values.get_unchecked(i)))
                    };
                    for i in 0..common {
                        let (x, w) = nonzero(s0 + i);
                        let (x2, w2) = nonzero(s1 + i);
                        for reg in 0..REGS {
                            acc[reg] =
                                _mm256_fmadd_ps(w, _mm256_loadu_ps(x.add(8 * reg)), acc[reg]);
                            acc2[reg] =
                                _mm256_fmadd_ps(w2, _mm256_loadu_ps(x2.add(8 * reg)), acc2[reg]);
                        }
                    }
                    for i in s0 + common..e0 {
                        let (x, w) = nonzero(i);
                        for (reg, a) in acc.iter_mut().enumerate() {
                            *a = _mm256_fmadd_ps(w, _mm256_loadu_ps(x.add(8 * reg)), *a);
                        }
                    }
                    for i in s1 + common..e1 {
                        let (x, w) = nonzero(i);
                        for (reg, a) in acc2.iter_mut().enumerate() {
                            *a = _mm256_fmadd_ps(w, _mm256_loadu_ps(x.add(8 * reg)), *a);
                        }
                    }
                    for reg in 0..REGS {
                        block[j][reg] = _mm256_min_ps(_mm256_max_ps(acc[reg], lo), hi);
                        if pair {
                            block[j + 1][reg] = _mm256_min_ps(_mm256_max_ps(acc2[reg], lo), hi);
                        }
                    }
                    j += 2;
                }
                for (reg, first) in (0..count).step_by(8).enumerate() {
                    let rows = transpose8(std::array::from_fn(|j| block[j][reg]));
                    for (p, row) in rows.iter().enumerate().take(count - first) {
                        let at = o0 - c0;
                        let dst = &mut dst.row(first + p)[at..at + group];
                        if group == 8 {
                            _mm256_storeu_ps(dst.as_mut_ptr(), *row);
                        } else {
                            let mut lanes = [0.0f32; 8];
                            _mm256_storeu_ps(lanes.as_mut_ptr(), *row);
                            dst.copy_from_slice(&lanes[..group]);
                        }
                    }
                }
                o0 += group;
            }
        }
    }
}

/// `tile[kk * TILE_PIXELS + p] = pixels[p * k + kk]` for pixels from
/// `first`.
fn transpose_in(pixels: &[f32], k: usize, first: usize, tile: &mut [f32]) {
    for (p, pixel) in pixels.chunks_exact(k).enumerate().skip(first) {
        for (kk, &x) in pixel.iter().enumerate() {
            tile[kk * TILE_PIXELS + p] = x;
        }
    }
}

/// `transpose_in` by 8×8 blocks where eight pixels and channels allow.
///
/// # Safety
/// The CPU must have AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn transpose_in_avx2(pixels: &[f32], k: usize, count: usize, tile: &mut [f32]) {
    use std::arch::x86_64::*;
    let full = if k.is_multiple_of(8) {
        count / 8 * 8
    } else {
        0
    };
    assert!(pixels.len() >= count * k && tile.len() >= k * TILE_PIXELS && count <= TILE_PIXELS);
    for p0 in (0..full).step_by(8) {
        for k0 in (0..k).step_by(8) {
            // SAFETY: pixels p0..p0+8 and channels k0..k0+8 are in bounds
            // (asserted), as are tile rows k0..k0+8.
            unsafe {
                let rows = std::array::from_fn(|i| {
                    _mm256_loadu_ps(pixels.as_ptr().add((p0 + i) * k + k0))
                });
                for (j, column) in transpose8(rows).into_iter().enumerate() {
                    _mm256_storeu_ps(tile.as_mut_ptr().add((k0 + j) * TILE_PIXELS + p0), column);
                }
            }
        }
    }
    transpose_in(&pixels[..count * k], k, full, tile);
}

/// The 8×8 transpose of eight registers (row j in, column j out).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
fn transpose8(r: [std::arch::x86_64::__m256; 8]) -> [std::arch::x86_64::__m256; 8] {
    use std::arch::x86_64::*;
    let t0 = _mm256_unpacklo_ps(r[0], r[1]);
    let t1 = _mm256_unpackhi_ps(r[0], r[1]);
    let t2 = _mm256_unpacklo_ps(r[2], r[3]);
    let t3 = _mm256_unpackhi_ps(r[2], r[3]);
    let t4 = _mm256_unpacklo_ps(r[4], r[5]);
    let t5 = _mm256_unpackhi_ps(r[4], r[5]);
    let t6 = _mm256_unpacklo_ps(r[6], r[7]);
    let t7 = _mm256_unpackhi_ps(r[6], r[7]);
    let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
    let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
    let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
    let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
    let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
    let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
    let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
    let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
    [
        _mm256_permute2f128_ps::<0x20>(u0, u4),
        _mm256_permute2f128_ps::<0x20>(u1, u5),
        _mm256_permute2f128_ps::<0x20>(u2, u6),
        _mm256_permute2f128_ps::<0x20>(u3, u7),
        _mm256_permute2f128_ps::<0x31>(u0, u4),
        _mm256_permute2f128_ps::<0x31>(u1, u5),
        _mm256_permute2f128_ps::<0x31>(u2, u6),
        _mm256_permute2f128_ps::<0x31>(u3, u7),
    ]
}
