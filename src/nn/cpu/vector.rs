//! One vector of floats per `Isa`, behind one trait, so each kernel is
//! written once and compiled per instruction set: a `#[target_feature]`
//! entry function calls the kernel's `#[inline(always)]` body with its
//! vector type, and the body (with the trait's methods) is inlined into
//! it, so every intrinsic is compiled with that entry's features.
//!
//! Every method is `unsafe`: the CPU must have the vector's features, and
//! pointers must cover `LANES` floats.

/// A register of `LANES` f32 lanes.
pub(super) trait F32s: Copy {
    const LANES: usize;
    unsafe fn splat(x: f32) -> Self;
    unsafe fn load(from: *const f32) -> Self;
    unsafe fn store(self, to: *mut f32);
    /// `self · b + c`, fused where the instruction set has it.
    unsafe fn mul_add(self, b: Self, c: Self) -> Self;
    unsafe fn add(self, b: Self) -> Self;
    unsafe fn min(self, b: Self) -> Self;
    unsafe fn max(self, b: Self) -> Self;
    /// The sum of the lanes.
    unsafe fn sum(self) -> f32;

    /// `self` clamped to `[lo, hi]` (max first, as the portable code).
    #[inline(always)]
    unsafe fn clamp(self, lo: Self, hi: Self) -> Self {
        unsafe { self.max(lo).min(hi) }
    }

    /// The first `len < LANES` lanes stored to `to`.
    #[inline(always)]
    unsafe fn store_partial(self, to: *mut f32, len: usize) {
        let mut lanes = [0.0f32; 16];
        debug_assert!(Self::LANES <= 16 && len <= Self::LANES);
        unsafe {
            self.store(lanes.as_mut_ptr());
            std::ptr::copy_nonoverlapping(lanes.as_ptr(), to, len);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::F32s;
    use std::arch::x86_64::*;

    /// SSE4.1 has no FMA: multiply, then add.
    impl F32s for __m128 {
        const LANES: usize = 4;
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self {
            unsafe { _mm_set1_ps(x) }
        }
        #[inline(always)]
        unsafe fn load(from: *const f32) -> Self {
            unsafe { _mm_loadu_ps(from) }
        }
        #[inline(always)]
        unsafe fn store(self, to: *mut f32) {
            unsafe { _mm_storeu_ps(to, self) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, b: Self, c: Self) -> Self {
            unsafe { _mm_add_ps(_mm_mul_ps(self, b), c) }
        }
        #[inline(always)]
        unsafe fn add(self, b: Self) -> Self {
            unsafe { _mm_add_ps(self, b) }
        }
        #[inline(always)]
        unsafe fn min(self, b: Self) -> Self {
            unsafe { _mm_min_ps(self, b) }
        }
        #[inline(always)]
        unsafe fn max(self, b: Self) -> Self {
            unsafe { _mm_max_ps(self, b) }
        }
        #[inline(always)]
        unsafe fn sum(self) -> f32 {
            unsafe {
                let pair = _mm_add_ps(self, _mm_movehl_ps(self, self));
                _mm_cvtss_f32(_mm_add_ss(pair, _mm_shuffle_ps(pair, pair, 1)))
            }
        }
    }

    /// AVX2 with FMA.
    impl F32s for __m256 {
        const LANES: usize = 8;
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self {
            unsafe { _mm256_set1_ps(x) }
        }
        #[inline(always)]
        unsafe fn load(from: *const f32) -> Self {
            unsafe { _mm256_loadu_ps(from) }
        }
        #[inline(always)]
        unsafe fn store(self, to: *mut f32) {
            unsafe { _mm256_storeu_ps(to, self) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, b: Self, c: Self) -> Self {
            unsafe { _mm256_fmadd_ps(self, b, c) }
        }
        #[inline(always)]
        unsafe fn add(self, b: Self) -> Self {
            unsafe { _mm256_add_ps(self, b) }
        }
        #[inline(always)]
        unsafe fn min(self, b: Self) -> Self {
            unsafe { _mm256_min_ps(self, b) }
        }
        #[inline(always)]
        unsafe fn max(self, b: Self) -> Self {
            unsafe { _mm256_max_ps(self, b) }
        }
        #[inline(always)]
        unsafe fn sum(self) -> f32 {
            unsafe {
                let half = _mm_add_ps(_mm256_castps256_ps128(self), _mm256_extractf128_ps(self, 1));
                half.sum()
            }
        }
    }

    /// AVX-512F: masked stores make partial stores one instruction.
    impl F32s for __m512 {
        const LANES: usize = 16;
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self {
            unsafe { _mm512_set1_ps(x) }
        }
        #[inline(always)]
        unsafe fn load(from: *const f32) -> Self {
            unsafe { _mm512_loadu_ps(from) }
        }
        #[inline(always)]
        unsafe fn store(self, to: *mut f32) {
            unsafe { _mm512_storeu_ps(to, self) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, b: Self, c: Self) -> Self {
            unsafe { _mm512_fmadd_ps(self, b, c) }
        }
        #[inline(always)]
        unsafe fn add(self, b: Self) -> Self {
            unsafe { _mm512_add_ps(self, b) }
        }
        #[inline(always)]
        unsafe fn min(self, b: Self) -> Self {
            unsafe { _mm512_min_ps(self, b) }
        }
        #[inline(always)]
        unsafe fn max(self, b: Self) -> Self {
            unsafe { _mm512_max_ps(self, b) }
        }
        #[inline(always)]
        unsafe fn sum(self) -> f32 {
            unsafe { _mm512_reduce_add_ps(self) }
        }
        #[inline(always)]
        unsafe fn store_partial(self, to: *mut f32, len: usize) {
            unsafe { _mm512_mask_storeu_ps(to, ((1u32 << len) - 1) as u16, self) }
        }
    }
}

#[cfg(target_arch = "aarch64")]
mod neon {
    use super::F32s;
    use std::arch::aarch64::*;

    impl F32s for float32x4_t {
        const LANES: usize = 4;
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self {
            unsafe { vdupq_n_f32(x) }
        }
        #[inline(always)]
        unsafe fn load(from: *const f32) -> Self {
            unsafe { vld1q_f32(from) }
        }
        #[inline(always)]
        unsafe fn store(self, to: *mut f32) {
            unsafe { vst1q_f32(to, self) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, b: Self, c: Self) -> Self {
            unsafe { vfmaq_f32(c, self, b) }
        }
        #[inline(always)]
        unsafe fn add(self, b: Self) -> Self {
            unsafe { vaddq_f32(self, b) }
        }
        #[inline(always)]
        unsafe fn min(self, b: Self) -> Self {
            unsafe { vminq_f32(self, b) }
        }
        #[inline(always)]
        unsafe fn max(self, b: Self) -> Self {
            unsafe { vmaxq_f32(self, b) }
        }
        #[inline(always)]
        unsafe fn sum(self) -> f32 {
            unsafe { vaddvq_f32(self) }
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::F32s;
    use core::arch::wasm32::*;

    /// SIMD128 has no FMA (relaxed-simd's is not deterministic): multiply,
    /// then add. Its min/max propagate NaN, as the portable code's do not,
    /// which only matters for NaN inputs.
    impl F32s for v128 {
        const LANES: usize = 4;
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self {
            f32x4_splat(x)
        }
        #[inline(always)]
        unsafe fn load(from: *const f32) -> Self {
            unsafe { v128_load(from.cast()) }
        }
        #[inline(always)]
        unsafe fn store(self, to: *mut f32) {
            unsafe { v128_store(to.cast(), self) }
        }
        #[inline(always)]
        unsafe fn mul_add(self, b: Self, c: Self) -> Self {
            f32x4_add(f32x4_mul(self, b), c)
        }
        #[inline(always)]
        unsafe fn add(self, b: Self) -> Self {
            f32x4_add(self, b)
        }
        #[inline(always)]
        unsafe fn min(self, b: Self) -> Self {
            f32x4_pmin(self, b)
        }
        #[inline(always)]
        unsafe fn max(self, b: Self) -> Self {
            f32x4_pmax(self, b)
        }
        /// In SSE4.1's order, (0 + 2) + (1 + 3), so that this path and
        /// SSE4.1's, which the x86 tests check, compute the same floats.
        #[inline(always)]
        unsafe fn sum(self) -> f32 {
            let (l0, l1) = (f32x4_extract_lane::<0>(self), f32x4_extract_lane::<1>(self));
            let (l2, l3) = (f32x4_extract_lane::<2>(self), f32x4_extract_lane::<3>(self));
            (l0 + l2) + (l1 + l3)
        }
    }
}
