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

    /// Threads an op is split across (the caller included).
    pub fn threads(&self) -> usize {
        self.parts
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
// SAFETY: used only by `split_units` and `split_blocks`, whose parts
// write disjoint ranges.
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}

impl SendPtr {
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// A block of a row-major output matrix: `rows` rows of `cols` floats,
/// `stride` apart. Blocks that `split_blocks` hands out share rows but
/// never columns, so each hands out only its own row segments.
pub(super) struct OutBlock<'a> {
    ptr: *mut f32,
    stride: usize,
    rows: usize,
    cols: usize,
    _out: std::marker::PhantomData<&'a mut [f32]>,
}

impl<'a> OutBlock<'a> {
    /// All of `out`, rows of `cols` floats.
    pub fn whole(out: &'a mut [f32], cols: usize) -> OutBlock<'a> {
        let rows = out.len().checked_div(cols).unwrap_or(0);
        OutBlock {
            ptr: out.as_mut_ptr(),
            stride: cols,
            rows,
            cols,
            _out: std::marker::PhantomData,
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Floats from one row's start to the next's.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Row `r`'s `cols` floats.
    pub fn row(&mut self, r: usize) -> &mut [f32] {
        assert!(r < self.rows);
        // SAFETY: row r's columns of this block, which no other block
        // holds (see the type); the borrow of `self` keeps it unique here.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(r * self.stride), self.cols) }
    }

    /// The whole block as one slice, when its rows are whole rows of the
    /// matrix (nothing of another block lies between them).
    pub fn contiguous(&mut self) -> Option<&mut [f32]> {
        (self.cols == self.stride).then(|| {
            // SAFETY: rows × cols floats from `ptr`, all this block's.
            unsafe { std::slice::from_raw_parts_mut(self.ptr, self.rows * self.cols) }
        })
    }

    /// Rows `from..to` of this block.
    pub fn rows_between(&mut self, from: usize, to: usize) -> OutBlock<'_> {
        assert!(from <= to && to <= self.rows);
        OutBlock {
            // SAFETY: `from` rows in (or one past the end, when empty).
            ptr: unsafe { self.ptr.add(from * self.stride) },
            stride: self.stride,
            rows: to - from,
            cols: self.cols,
            _out: std::marker::PhantomData,
        }
    }

    /// Where row 0, column 0 is, for kernels that store through raw
    /// pointers: they may write `cols` floats of each of `rows` rows,
    /// `stride` apart, and nothing else.
    pub fn as_mut_ptr(&mut self) -> *mut f32 {
        self.ptr
    }
}

/// How `split_blocks` cuts `row_units × col_units` for `parts` threads:
/// (row units, column units) per chunk. Ops with plenty of rows are cut
/// by rows alone (each chunk then reads all the weights once); those with
/// few (the late, small layers) also by columns, at most `max_col_splits`
/// ways, so that every thread gets a share of whole tiles.
pub(super) fn block_grid(
    parts: usize,
    row_units: usize,
    col_units: usize,
    max_col_splits: usize,
) -> (usize, usize) {
    let want = parts * CHUNKS_PER_THREAD;
    let (row_units, col_units) = (row_units.max(1), col_units.max(1));
    if row_units >= 4 * want || col_units == 1 || max_col_splits <= 1 {
        return (row_units.div_ceil(want.min(row_units)), col_units);
    }
    // Twice the chunks: few rows rarely divide evenly, and the chunks are
    // claimed one at a time, which evens out unequal ones.
    let col_splits = (2 * want)
        .div_ceil(row_units)
        .clamp(1, col_units.min(max_col_splits));
    let row_splits = row_units.min((2 * want).div_ceil(col_splits));
    (
        row_units.div_ceil(row_splits),
        col_units.div_ceil(col_splits),
    )
}

/// Runs `f(first_row, first_col, block, scratch)` over the `rows × n`
/// row-major `out` cut into blocks of whole row tiles (`row_align` rows)
/// and column groups (`col_align` columns), as `block_grid` chooses; one
/// block on one thread or when `parallel` is false.
#[allow(clippy::too_many_arguments)]
pub(super) fn split_blocks<F>(
    workers: &mut Workers,
    parallel: bool,
    out: &mut [f32],
    n: usize,
    rows: usize,
    (row_align, col_align, max_col_splits): (usize, usize, usize),
    scratch_len: usize,
    f: F,
) where
    F: Fn(usize, usize, OutBlock<'_>, &mut [f32]) + Sync,
{
    let out = &mut out[..rows * n];
    if out.is_empty() {
        return;
    }
    let per_part = workers.scratch_per_part;
    let scratch_len = scratch_len.min(per_part);
    let (row_align, col_align) = (row_align.max(1), col_align.max(1));
    let (row_units, col_units) = (rows.div_ceil(row_align), n.div_ceil(col_align));
    match &workers.pool {
        Some(pool) if parallel && row_units * col_units > 1 => {
            let (row_step, col_step) =
                block_grid(workers.parts, row_units, col_units, max_col_splits);
            let (row_step, col_step) = (row_step * row_align, col_step * col_align);
            let (row_blocks, col_blocks) = (rows.div_ceil(row_step), n.div_ceil(col_step));
            let out_at = SendPtr(out.as_mut_ptr());
            let scratch_at = SendPtr(workers.scratch.as_mut_ptr());
            let threads = workers.parts;
            let job = |thread: usize, chunk: usize| {
                let (first_row, first_col) =
                    (chunk / col_blocks * row_step, chunk % col_blocks * col_step);
                let block_rows = row_step.min(rows - first_row);
                let block_cols = col_step.min(n - first_col);
                assert!(thread < threads && block_rows > 0 && block_cols > 0);
                // SAFETY: chunks are disjoint blocks of `out` (rows
                // `first_row..` × columns `first_col..`, inside it), each
                // thread has its own `per_part` block of the scratch and
                // runs one chunk at a time, and `pool.run` returns only
                // when every chunk is done, while both borrows are held.
                let (block, scratch) = unsafe {
                    (
                        OutBlock {
                            ptr: out_at.get().add(first_row * n + first_col),
                            stride: n,
                            rows: block_rows,
                            cols: block_cols,
                            _out: std::marker::PhantomData,
                        },
                        std::slice::from_raw_parts_mut(
                            scratch_at.get().add(thread * per_part),
                            scratch_len,
                        ),
                    )
                };
                f(first_row, first_col, block, scratch);
            };
            pool.run(row_blocks * col_blocks, &job);
        }
        _ => f(
            0,
            0,
            OutBlock::whole(out, n),
            &mut workers.scratch[..scratch_len],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::block_grid;

    /// Many rows: rows alone, about two chunks per thread.
    #[test]
    fn plenty_of_rows_are_cut_by_rows() {
        assert_eq!(block_grid(2, 342, 6, 4), (86, 6));
        assert_eq!(block_grid(2, 16, 6, 4), (4, 6));
    }

    /// The detector's 7×7 1152→192 (two 32-pixel tiles, 24 groups of 8
    /// channels): each tile's channels in two, four equal chunks.
    #[test]
    fn few_rows_are_cut_by_columns_too() {
        assert_eq!(block_grid(2, 2, 24, 2), (1, 12));
        // 8×8 rows of 12-row tiles (6), 6 panels: 3 row blocks × 2.
        assert_eq!(block_grid(2, 6, 6, 4), (2, 3));
        // One tile of rows: columns alone.
        assert_eq!(block_grid(2, 1, 9, 4), (1, 3));
    }

    /// Never more column splits than columns or than allowed.
    #[test]
    fn column_splits_are_bounded() {
        assert_eq!(block_grid(2, 1, 1, 4), (1, 1));
        assert_eq!(block_grid(2, 1, 2, 4), (1, 1));
        assert_eq!(block_grid(2, 3, 24, 1), (1, 24));
    }
}
