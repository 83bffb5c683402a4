//! Splitting an op's output across threads: contiguous pieces of whole
//! units (pixels, rows), one per thread, each with its own scratch.

/// Below this many multiply-adds an op runs on the calling thread: waking
/// the pool costs more than it saves.
pub(super) const MIN_PARALLEL_MACS: usize = 200_000;

/// The threads of an executor and their scratch space, made once.
#[derive(Debug)]
pub(super) struct Workers {
    /// `None` when running on one thread: nothing is ever spawned.
    pool: Option<rayon::ThreadPool>,
    parts: usize,
    scratch: Vec<f32>,
    scratch_per_part: usize,
    /// Whether the kernels may use AVX2 and FMA: the CPU has them and the
    /// portable code was not asked for.
    pub avx2: bool,
}

impl Workers {
    /// `threads >= 1`; `scratch_per_part` floats for each thread.
    pub fn new(
        threads: usize,
        scratch_per_part: usize,
    ) -> Result<Workers, rayon::ThreadPoolBuildError> {
        // The calling thread does one part itself: the pool has the others.
        let pool = if threads > 1 {
            Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads - 1)
                    .build()?,
            )
        } else {
            None
        };
        let scratch_per_part = scratch_per_part.max(1);
        Ok(Workers {
            pool,
            parts: threads,
            scratch: vec![0.0; scratch_per_part * threads],
            scratch_per_part,
            avx2: avx2_available(),
        })
    }
}

/// Whether this CPU has AVX2 and FMA (always false off x86-64).
pub(super) fn avx2_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Runs `f(first_unit, out_part, scratch)` over `out` (`units × unit_len`
/// floats) split into one contiguous part per thread, or as one part when
/// `parallel` is false or there is one thread.
pub(super) fn split_units<F>(
    workers: &mut Workers,
    parallel: bool,
    out: &mut [f32],
    unit_len: usize,
    units: usize,
    scratch_len: usize,
    f: F,
) where
    F: Fn(usize, &mut [f32], &mut [f32]) + Sync,
{
    let out = &mut out[..units * unit_len];
    if out.is_empty() {
        return;
    }
    let per_part = workers.scratch_per_part;
    let scratch_len = scratch_len.min(per_part);
    match &workers.pool {
        Some(pool) if parallel && units > 1 => {
            let units_per_part = units.div_ceil(workers.parts);
            let f = &f;
            let mut parts = out
                .chunks_mut(units_per_part * unit_len)
                .zip(workers.scratch.chunks_mut(per_part))
                .enumerate();
            // The first part runs here, in place, while the pool's threads
            // take the rest: no hand-off and wake-up of the caller's share.
            pool.in_place_scope(|scope| {
                let first = parts.next();
                for (i, (part, scratch)) in parts {
                    scope.spawn(move |_| f(i * units_per_part, part, &mut scratch[..scratch_len]));
                }
                if let Some((_, (part, scratch))) = first {
                    f(0, part, &mut scratch[..scratch_len]);
                }
            });
        }
        _ => f(0, out, &mut workers.scratch[..scratch_len]),
    }
}
