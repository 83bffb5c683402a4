//! Splitting an op's output across threads: contiguous pieces of whole
//! units (pixels, rows), one per thread, each with its own scratch.

use super::isa::Isa;
use super::pool::Pool;

/// Below this many multiply-adds an op runs on the calling thread: even
/// the spinning pool's hand-off (a few cache-line transfers) and the split
/// cost more than they save.
pub(super) const MIN_PARALLEL_MACS: usize = 24_000;

/// From this many output floats an op that only moves or adds values
/// (PAD, CONCATENATION, ADD, ...) is split across the threads: 64 KiB
/// take a few µs to copy, several times the pool's hand-off.
pub(super) const MIN_PARALLEL_FLOATS: usize = 16_384;

/// Chunks an op is split into per thread.
const CHUNKS_PER_THREAD: usize = 2;

/// The threads of an executor and their scratch space, made once.
#[derive(Debug)]
pub(super) struct Workers {
    /// `None` when running on one thread: nothing is ever spawned.
    pool: Option<Pool>,
    parts: usize,
    scratch: Vec<f32>,
    scratch_per_part: usize,
    /// The kernels' instruction set (the builder may pick another that
    /// this CPU runs).
    pub isa: Isa,
}

impl Workers {
    /// `threads >= 1`; `scratch_per_part` floats for each thread.
    pub fn new(threads: usize, scratch_per_part: usize) -> std::io::Result<Workers> {
        // The calling thread does one part itself: the pool has the others.
        let pool = if threads > 1 {
            Some(Pool::new(threads)?)
        } else {
            None
        };
        let scratch_per_part = scratch_per_part.max(1);
        Ok(Workers {
            pool,
            parts: threads,
            scratch: vec![0.0; scratch_per_part * threads],
            scratch_per_part,
            isa: Isa::detect(),
        })
    }

    /// The inference is over: the pool's threads sleep now instead of
    /// spinning (see `Pool::idle`).
    pub fn idle(&self) {
        if let Some(pool) = &self.pool {
            pool.idle();
        }
    }

    /// Pool threads asleep waiting for work (0 on one thread).
    #[cfg(test)]
    pub fn sleeping_threads(&self) -> usize {
        self.pool.as_ref().map_or(0, Pool::sleeping_threads)
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
            // A few chunks per thread: whichever thread is free takes the
            // next, which evens out uneven parts and busy cores.
            let chunks = units.min(workers.parts * CHUNKS_PER_THREAD);
            let units_per_chunk = units.div_ceil(chunks);
            let chunks = units.div_ceil(units_per_chunk);
            let (out_len, out_at) = (out.len(), SendPtr(out.as_mut_ptr()));
            let scratch_at = SendPtr(workers.scratch.as_mut_ptr());
            let threads = workers.parts;
            let job = |thread: usize, chunk: usize| {
                let first = chunk * units_per_chunk;
                let end = (first + units_per_chunk).min(units);
                let (from, to) = (first * unit_len, end * unit_len);
                assert!(thread < threads && from < to && to <= out_len);
                // SAFETY: chunks cover disjoint unit ranges of `out`, each
                // thread has its own `per_part` block of the scratch and
                // runs one chunk at a time, and `pool.run` returns only
                // when every chunk is done, while both borrows are held.
                let (part_out, scratch) = unsafe {
                    (
                        std::slice::from_raw_parts_mut(out_at.get().add(from), to - from),
                        std::slice::from_raw_parts_mut(
                            scratch_at.get().add(thread * per_part),
                            scratch_len,
                        ),
                    )
                };
                f(first, part_out, scratch);
            };
            pool.run(chunks, &job);
        }
        _ => f(0, out, &mut workers.scratch[..scratch_len]),
    }
}

/// A raw pointer the parts of one job share (each touching its own range).
#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
// SAFETY: used only by `split_units`, whose parts write disjoint ranges.
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}

impl SendPtr {
    fn get(self) -> *mut f32 {
        self.0
    }
}
