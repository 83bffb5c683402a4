//! `LatestFrame`: runs a source on its own thread and keeps only the newest
//! frame, so a consumer slower than the camera shows the present, not a
//! queue of the past. Frames overwritten before they were taken are counted
//! as dropped.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use web_time::Instant;

use super::{CaptureError, Frame, FrameSource, LiveStatus, SourceInfo};

#[derive(Default)]
struct Slot {
    frame: Option<Frame>,
    error: Option<CaptureError>,
    ended: bool,
}

struct Shared {
    slot: Mutex<Slot>,
    changed: Condvar,
    stop: AtomicBool,
    dropped: AtomicU64,
}

/// A source read ahead on a thread, newest frame wins.
pub struct LatestFrame {
    shared: Arc<Shared>,
    info: SourceInfo,
    /// The source's, taken before it moved to its thread.
    status: Option<LiveStatus>,
}

impl LatestFrame {
    /// Starts reading `source` on a thread. With `paced`, frames are
    /// released at their timestamps (for playing a file as if it were live);
    /// live sources are paced by the device anyway.
    pub fn spawn(mut source: Box<dyn FrameSource>, paced: bool) -> LatestFrame {
        let info = source.info().clone();
        let status = source.live_status();
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot::default()),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
            dropped: AtomicU64::new(0),
        });
        let producer = Arc::clone(&shared);
        // Detached: a blocking read (stdin, a camera) must not hold up the
        // consumer's exit; the thread ends at its next frame after `stop`.
        let spawned = thread::Builder::new()
            .name("drape-capture".into())
            .spawn(move || {
                let started = Instant::now();
                while !producer.stop.load(Ordering::Relaxed) {
                    let result = source.next_frame();
                    if let (true, Ok(Some(frame))) = (paced, &result) {
                        if let Some(wait) = frame.timestamp.checked_sub(started.elapsed()) {
                            thread::sleep(wait);
                        }
                    }
                    let mut slot = producer.slot.lock().unwrap_or_else(|p| p.into_inner());
                    let done = match result {
                        Ok(Some(frame)) => {
                            if slot.frame.replace(frame).is_some() {
                                producer.dropped.fetch_add(1, Ordering::Relaxed);
                            }
                            false
                        }
                        Ok(None) => {
                            slot.ended = true;
                            true
                        }
                        Err(e) => {
                            slot.error = Some(e);
                            true
                        }
                    };
                    producer.changed.notify_all();
                    if done {
                        break;
                    }
                }
            });
        if let Err(e) = spawned {
            let mut slot = shared.slot.lock().unwrap_or_else(|p| p.into_inner());
            slot.error = Some(CaptureError::BadSpec(format!(
                "cannot start the capture thread: {e}"
            )));
        }
        LatestFrame {
            shared,
            info,
            status,
        }
    }

    /// The newest frame if one arrived since the last call; never blocks.
    /// `Ok(None)` means "nothing new yet", see `is_finished` for the end.
    pub fn try_latest(&mut self) -> Result<Option<Frame>, CaptureError> {
        let mut slot = self.lock();
        if let Some(frame) = slot.frame.take() {
            return Ok(Some(frame));
        }
        match slot.error.take() {
            Some(e) => Err(e),
            None => Ok(None),
        }
    }

    /// Whether the source has ended and its last frame was taken.
    pub fn is_finished(&self) -> bool {
        let slot = self.lock();
        slot.ended && slot.frame.is_none()
    }

    /// Waits up to `timeout` for a frame; `Ok(None)` on time-out or at the end.
    pub fn wait_latest(&mut self, timeout: Duration) -> Result<Option<Frame>, CaptureError> {
        let deadline = Instant::now() + timeout;
        let mut slot = self.lock();
        loop {
            if let Some(frame) = slot.frame.take() {
                return Ok(Some(frame));
            }
            if let Some(e) = slot.error.take() {
                return Err(e);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if slot.ended || left.is_zero() {
                return Ok(None);
            }
            slot = match self.shared.changed.wait_timeout(slot, left) {
                Ok((slot, _)) => slot,
                Err(p) => p.into_inner().0,
            };
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.shared.slot.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl FrameSource for LatestFrame {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// Blocks until the newest frame, the end, or an error.
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        loop {
            if let Some(frame) = self.wait_latest(Duration::from_secs(1))? {
                return Ok(Some(frame));
            }
            if self.lock().ended {
                return Ok(None);
            }
        }
    }

    fn dropped_frames(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    fn live_status(&self) -> Option<LiveStatus> {
        self.status.clone()
    }
}

impl Drop for LatestFrame {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        // A source waiting for its device would otherwise keep trying on
        // the detached thread for as long as the process runs.
        if let Some(status) = &self.status {
            status.close();
        }
    }
}
