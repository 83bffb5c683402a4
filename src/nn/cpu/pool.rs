//! The executor's own threads. An inference is ~100-200 short ops, each
//! split across the threads; a pool that parks its threads between ops
//! (rayon, a condvar) pays a 5-50 µs wake-up per op, which at two threads
//! costs more than many ops take. These threads instead spin for a while
//! after each job, so the next op of the same run starts within a cache
//! miss; only after `SPIN` without work do they sleep on a condvar.
//!
//! When an inference ends, the executor calls `idle`: the threads stop
//! spinning and sleep at once, so between camera frames they leave the
//! cores to the renderer instead of burning `SPIN` after the last op.
//!
//! A job is a number of chunks that every thread, the caller included,
//! claims one at a time from a shared counter. A thread that the OS has
//! not scheduled (a busy machine) therefore never holds up the caller: it
//! finds the job closed when it wakes, and the caller did its chunks.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use web_time::Instant;

/// How long an idle thread spins before it sleeps: longer than the gap
/// between two ops of one inference, even one that a busy machine
/// stretches. The end of an inference (`Pool::idle`) ends the spin at
/// once, so this does not cost the time between camera frames.
pub(super) const SPIN: Duration = Duration::from_millis(2);

/// A job: `f(thread, chunk)`, thread 0 being the caller. Type- and
/// lifetime-erased; a pool thread dereferences it only while registered
/// in `active` for a job not yet `closed`, and `run` waits for `active`
/// to drop to zero after closing, while the real closure is alive.
type Job = *const (dyn Fn(usize, usize) + Sync);

struct Shared {
    /// Bumped once per job (and at shutdown); threads wait for a change.
    epoch: AtomicUsize,
    /// The epoch of the last job whose chunks are all claimed.
    closed: AtomicUsize,
    /// The current job and its chunk count, written before `epoch` moves.
    job: Mutex<Option<(JobPtr, usize)>>,
    /// The next unclaimed chunk of the current job.
    next: AtomicUsize,
    /// Pool threads inside the current job.
    active: AtomicUsize,
    /// Threads asleep (or about to sleep) on `wake`.
    sleepers: AtomicUsize,
    /// Set by `Pool::idle`, cleared by the next job: spinning threads go
    /// to sleep without waiting for `SPIN` to pass.
    idle: AtomicBool,
    sleep_lock: Mutex<()>,
    wake: Condvar,
    shutdown: AtomicBool,
    /// A job panicked on a pool thread.
    panicked: AtomicBool,
}

#[derive(Clone, Copy)]
struct JobPtr(Job);
// SAFETY: the pointee is `Sync`, and `run` keeps it alive while any thread
// can use it (see `Job`).
unsafe impl Send for JobPtr {}

/// `threads - 1` spinning threads; the caller of `run` is the other one.
pub(super) struct Pool {
    shared: Arc<Shared>,
    handles: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pool({} threads)", self.handles.len() + 1)
    }
}

impl Pool {
    /// A pool for `threads >= 2` parts.
    pub fn new(threads: usize) -> std::io::Result<Pool> {
        let shared = Arc::new(Shared {
            epoch: AtomicUsize::new(0),
            closed: AtomicUsize::new(0),
            job: Mutex::new(None),
            next: AtomicUsize::new(0),
            active: AtomicUsize::new(0),
            sleepers: AtomicUsize::new(0),
            idle: AtomicBool::new(false),
            sleep_lock: Mutex::new(()),
            wake: Condvar::new(),
            shutdown: AtomicBool::new(false),
            panicked: AtomicBool::new(false),
        });
        let mut pool = Pool {
            shared: shared.clone(),
            handles: Vec::new(),
        };
        for part in 1..threads {
            let shared = shared.clone();
            let handle = std::thread::Builder::new()
                .name(format!("nn-cpu-{part}"))
                .spawn(move || worker(&shared, part))?;
            pool.handles.push(handle);
        }
        Ok(pool)
    }

    /// Calls `f(thread, chunk)` once for every chunk in `0..chunks`,
    /// spread over whichever threads are free (`thread` < the pool's
    /// thread count, 0 here), and returns when all are done.
    pub fn run(&self, chunks: usize, f: &(dyn Fn(usize, usize) + Sync)) {
        let shared = &*self.shared;
        // SAFETY (lifetime erasure): see `Job`; this function does not
        // return before every thread that may use the pointer is done.
        let job: Job = unsafe {
            std::mem::transmute::<*const (dyn Fn(usize, usize) + Sync + '_), Job>(f as *const _)
        };
        *lock(&shared.job) = Some((JobPtr(job), chunks));
        shared.next.store(0, Ordering::SeqCst);
        // Before the epoch moves: a thread that sees this job spins after
        // it again.
        shared.idle.store(false, Ordering::SeqCst);
        let epoch = shared.epoch.fetch_add(1, Ordering::SeqCst) + 1;
        if shared.sleepers.load(Ordering::SeqCst) > 0 {
            let _guard = lock(&shared.sleep_lock);
            shared.wake.notify_all();
        }
        // A panic here must still wait for the threads before unwinding
        // past the closure they use.
        let mine = catch_unwind(AssertUnwindSafe(|| claim_chunks(shared, 0, chunks, f)));
        shared.closed.store(epoch, Ordering::SeqCst);
        let mut spins = 0u32;
        while shared.active.load(Ordering::SeqCst) != 0 {
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(1024) {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
        if let Err(payload) = mine {
            std::panic::resume_unwind(payload);
        }
        if shared.panicked.swap(false, Ordering::SeqCst) {
            panic!("an nn::cpu worker thread panicked");
        }
    }
}

impl Pool {
    /// Ends the spinning: threads waiting for work sleep now, not after
    /// `SPIN`. For the end of an inference; the next `run` wakes them
    /// (a condvar wake-up, once per inference).
    pub fn idle(&self) {
        self.shared.idle.store(true, Ordering::SeqCst);
    }

    /// Pool threads asleep (or about to sleep) waiting for work.
    #[cfg(test)]
    pub fn sleeping_threads(&self) -> usize {
        self.shared.sleepers.load(Ordering::SeqCst)
    }
}

/// Runs chunks of the current job until none is left.
fn claim_chunks(shared: &Shared, thread: usize, chunks: usize, f: &(dyn Fn(usize, usize) + Sync)) {
    loop {
        let chunk = shared.next.fetch_add(1, Ordering::Relaxed);
        if chunk >= chunks {
            return;
        }
        f(thread, chunk);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let shared = &*self.shared;
        shared.shutdown.store(true, Ordering::SeqCst);
        shared.epoch.fetch_add(1, Ordering::SeqCst);
        {
            let _guard = lock(&shared.sleep_lock);
            shared.wake.notify_all();
        }
        for handle in self.handles.drain(..) {
            let _ = handle.join();
        }
    }
}

/// A mutex's guard, poisoned or not (the data is a plain pointer or unit).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn worker(shared: &Shared, thread: usize) {
    // The epoch at spawn (no job yet): a job or shutdown published before
    // this thread first runs is still seen as new.
    let mut seen = 0;
    loop {
        wait_for_new_epoch(shared, seen);
        if shared.shutdown.load(Ordering::SeqCst) {
            return;
        }
        // Register, then check the job is still open: either `run` sees
        // the registration after closing and waits, or this thread sees
        // the job closed and leaves it alone (all SeqCst). While
        // registered, the epoch cannot move, so `job` is this epoch's.
        shared.active.fetch_add(1, Ordering::SeqCst);
        let epoch = shared.epoch.load(Ordering::SeqCst);
        if shared.closed.load(Ordering::SeqCst) != epoch {
            let job = *lock(&shared.job);
            if let Some((JobPtr(job), chunks)) = job {
                // SAFETY: see `Job`.
                let f = unsafe { &*job };
                let done =
                    catch_unwind(AssertUnwindSafe(|| claim_chunks(shared, thread, chunks, f)));
                if done.is_err() {
                    shared.panicked.store(true, Ordering::SeqCst);
                }
            }
        }
        seen = epoch;
        shared.active.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Spins, then sleeps, until `epoch` differs from `seen`.
fn wait_for_new_epoch(shared: &Shared, seen: usize) {
    let start = Instant::now();
    let mut spins = 0u32;
    loop {
        let now = shared.epoch.load(Ordering::Acquire);
        if now != seen || shared.shutdown.load(Ordering::Relaxed) {
            return;
        }
        if shared.idle.load(Ordering::Relaxed) {
            break;
        }
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(256) {
            if start.elapsed() > SPIN {
                break;
            }
            // On a machine with more runnable threads than cores, a
            // spinning thread holds the core the caller needs to publish
            // the next job: give it up now and then (a no-op when no
            // other thread waits for the core).
            std::thread::yield_now();
        }
        std::hint::spin_loop();
    }
    let mut guard = lock(&shared.sleep_lock);
    shared.sleepers.fetch_add(1, Ordering::SeqCst);
    loop {
        let now = shared.epoch.load(Ordering::SeqCst);
        if now != seen || shared.shutdown.load(Ordering::SeqCst) {
            shared.sleepers.fetch_sub(1, Ordering::SeqCst);
            return;
        }
        guard = shared.wake.wait(guard).unwrap_or_else(|e| e.into_inner());
    }
}

#[cfg(test)]
mod tests {
    use super::{Pool, SPIN};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    /// How soon after `idle` the threads must be asleep: well under
    /// `SPIN`, so only `idle` can have put them there.
    const ASLEEP_WITHIN: Duration = Duration::from_millis(1);

    /// Whether all `threads` pool threads are asleep within
    /// `ASLEEP_WITHIN` of `start`. A busy machine may not schedule a
    /// thread in time, so callers try a few times.
    fn asleep_soon(sleeping: impl Fn() -> usize, threads: usize, start: Instant) -> bool {
        while start.elapsed() < ASLEEP_WITHIN {
            if sleeping() == threads {
                return true;
            }
            std::hint::spin_loop();
        }
        false
    }

    #[test]
    fn every_chunk_runs_once() {
        let pool = Pool::new(3).unwrap();
        let counts: Vec<AtomicUsize> = (0..100).map(|_| AtomicUsize::new(0)).collect();
        pool.run(100, &|_, chunk| {
            counts[chunk].fetch_add(1, Ordering::Relaxed);
        });
        assert!(counts.iter().all(|c| c.load(Ordering::Relaxed) == 1));
    }

    /// After a job and `idle`, the threads sleep at once instead of
    /// spinning for `SPIN`; the next job wakes them.
    #[test]
    fn idle_puts_the_threads_to_sleep_at_once() {
        assert!(SPIN >= ASLEEP_WITHIN * 2);
        let pool = Pool::new(2).unwrap();
        let done = AtomicUsize::new(0);
        let mut asleep = false;
        for _ in 0..20 {
            pool.run(4, &|_, _| {
                done.fetch_add(1, Ordering::Relaxed);
            });
            pool.idle();
            if asleep_soon(|| pool.sleeping_threads(), 1, Instant::now()) {
                asleep = true;
                break;
            }
        }
        assert!(asleep, "the pool thread was still awake 1 ms after idle()");
        pool.run(4, &|_, _| {
            done.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(done.load(Ordering::Relaxed) % 4, 0);
    }

    /// `CpuExecutor::run` ends with `idle`: its threads are asleep within
    /// a millisecond of the inference.
    #[test]
    fn an_inference_ends_with_the_threads_asleep() {
        let model = crate::nn::models::PoseModel::Detector.load().unwrap();
        let input = vec![0.5; model.tensors[model.inputs[0]].len()];
        let mut exec = super::super::CpuExecutor::new(&model, 2).unwrap();
        let mut asleep = false;
        for _ in 0..20 {
            exec.run(&[&input]).unwrap();
            let start = Instant::now();
            if asleep_soon(|| exec.workers.sleeping_threads(), 1, start) {
                asleep = true;
                break;
            }
        }
        assert!(asleep, "the executor's thread was still awake 1 ms after run()");
    }
}
