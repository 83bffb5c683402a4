//! Splitting an op's output across threads: contiguous pieces of whole
//! units (pixels, rows), one per thread, each with its own scratch.

use rayon::prelude::*;

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
}

impl Workers {
    /// `threads >= 1`; `scratch_per_part` floats for each thread.
    pub fn new(
        threads: usize,
        scratch_per_part: usize,
    ) -> Result<Workers, rayon::ThreadPoolBuildError> {
        let pool = if threads > 1 {
            Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
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
        })
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
            let scratch = &mut workers.scratch;
            pool.install(|| {
                out.par_chunks_mut(units_per_part * unit_len)
                    .zip(scratch.par_chunks_mut(per_part))
                    .enumerate()
                    .for_each(|(i, (part, scratch))| {
                        f(i * units_per_part, part, &mut scratch[..scratch_len])
                    });
            });
        }
        _ => f(0, out, &mut workers.scratch[..scratch_len]),
    }
}
