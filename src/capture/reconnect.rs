//! `Reconnecting`: a live source that survives its device going away.
//!
//! A kiosk's camera gets unplugged, a USB hub resets: the error is reported
//! once as an event, and the source is reopened until the device is back.
//! A kiosk may also boot before its USB camera is there:
//! `Reconnecting::waiting` opens nothing up front and keeps trying. Its
//! `LiveStatus` tells a window what to show meanwhile.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use web_time::Instant;

use super::{CaptureError, Frame, FrameSource, SourceInfo};

/// What happened to a `Reconnecting` source's device.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceEvent {
    /// The device is not there yet (a `waiting` source's first attempt
    /// failed, with why); it is tried again until it is.
    Waiting(String),
    /// The device failed; frames stop until it is reopened.
    Lost(String),
    /// The device is back (or, for a `waiting` source, there at last).
    Reopened(String),
}

/// Where a live device stands, for a status screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveState {
    /// Being opened for the first time.
    Opening,
    /// Not there yet; tried again every retry interval. Says why.
    Waiting(String),
    /// Frames are coming.
    Streaming,
    /// It was there and failed (unplugged); being reopened. Says why.
    Reconnecting(String),
    /// Given up on (`give_up_after`) or closed.
    Stopped,
}

#[derive(Debug)]
struct StatusShared {
    state: Mutex<LiveState>,
    closed: AtomicBool,
}

/// A live source's state, readable from any thread while another reads the
/// frames (the source itself usually sits on a capture thread). Clones
/// share it.
#[derive(Debug, Clone)]
pub struct LiveStatus(Arc<StatusShared>);

impl LiveStatus {
    /// A status starting at `state`, not closed.
    pub fn new(state: LiveState) -> LiveStatus {
        LiveStatus(Arc::new(StatusShared {
            state: Mutex::new(state),
            closed: AtomicBool::new(false),
        }))
    }

    /// The device's state now.
    pub fn get(&self) -> LiveState {
        self.0
            .state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Records the device's new state, for every clone to see.
    pub fn set(&self, state: LiveState) {
        *self.0.state.lock().unwrap_or_else(|p| p.into_inner()) = state;
    }

    /// Tells the source that nobody reads it any more: a source waiting for
    /// its device stops trying (its `next_frame` returns the end), and the
    /// state is `Stopped`.
    pub fn close(&self) {
        self.0.closed.store(true, Ordering::SeqCst);
        self.set(LiveState::Stopped);
    }

    /// Whether `close` was called on this status or a clone of it.
    pub fn is_closed(&self) -> bool {
        self.0.closed.load(Ordering::SeqCst)
    }
}

type Opener = Box<dyn FnMut() -> Result<Box<dyn FrameSource>, CaptureError> + Send>;
type EventHandler = Box<dyn FnMut(&SourceEvent) + Send>;

/// Reopens a live source whenever it fails.
pub struct Reconnecting {
    open: Opener,
    current: Option<Box<dyn FrameSource>>,
    /// A `waiting` source before its first successful open.
    never_opened: bool,
    status: LiveStatus,
    info: SourceInfo,
    retry_interval: Duration,
    give_up_after: Option<Duration>,
    on_event: EventHandler,
    started: Instant,
    frames: u64,
    dropped_before: u64,
}

impl Reconnecting {
    /// Opens the source once (an error here is returned: a camera that is
    /// not there at start is a configuration problem, not an unplug).
    pub fn new(
        mut open: impl FnMut() -> Result<Box<dyn FrameSource>, CaptureError> + Send + 'static,
    ) -> Result<Reconnecting, CaptureError> {
        let first = open()?;
        let info = first.info().clone();
        let mut source = Reconnecting::waiting(info, open);
        source.current = Some(first);
        source.never_opened = false;
        source.status.set(LiveState::Streaming);
        Ok(source)
    }

    /// A source that opens nothing now: the first `next_frame` opens the
    /// device, waiting for it (retrying every `retry_interval`, reported
    /// once as `SourceEvent::Waiting`) as for an unplugged one. `info`
    /// stands for the device until it is there (what was asked for: the
    /// window is made before the camera answers); `info()` keeps it.
    pub fn waiting(
        info: SourceInfo,
        open: impl FnMut() -> Result<Box<dyn FrameSource>, CaptureError> + Send + 'static,
    ) -> Reconnecting {
        Reconnecting {
            open: Box::new(open),
            current: None,
            never_opened: true,
            status: LiveStatus::new(LiveState::Opening),
            info,
            retry_interval: Duration::from_millis(500),
            give_up_after: None,
            on_event: Box::new(|event| match event {
                SourceEvent::Waiting(why) => {
                    tracing::warn!("waiting for the capture device: {why}; retrying")
                }
                SourceEvent::Lost(why) => tracing::error!("capture lost: {why}; retrying"),
                SourceEvent::Reopened(what) => tracing::info!("capture back: {what}"),
            }),
            started: Instant::now(),
            frames: 0,
            dropped_before: 0,
        }
    }

    /// The device's state, shared with whoever shows it.
    pub fn status(&self) -> LiveStatus {
        self.status.clone()
    }

    /// How long to wait between attempts to reopen.
    pub fn retry_interval(mut self, interval: Duration) -> Reconnecting {
        self.retry_interval = interval;
        self
    }

    /// Return the error after this long without a device (default: never).
    pub fn give_up_after(mut self, limit: Duration) -> Reconnecting {
        self.give_up_after = Some(limit);
        self
    }

    /// Called on every `SourceEvent` (the default logs it).
    pub fn on_event(mut self, handler: impl FnMut(&SourceEvent) + Send + 'static) -> Reconnecting {
        self.on_event = Box::new(handler);
        self
    }

    /// Opens the device, retrying until it opens (`Ok(true)`), the status
    /// is closed (`Ok(false)`) or `give_up_after` passes (the last error).
    /// `lost` is why it is being opened again, `None` for a first open,
    /// which is tried at once.
    fn reopen(&mut self, lost: Option<CaptureError>) -> Result<bool, CaptureError> {
        let since = Instant::now();
        let mut last_error = lost;
        let mut first_attempt = last_error.is_none();
        loop {
            if let Some(limit) = self.give_up_after {
                if since.elapsed() >= limit {
                    if let Some(error) = last_error.take() {
                        self.status.set(LiveState::Stopped);
                        return Err(error);
                    }
                }
            }
            if !first_attempt {
                // Sleep in short steps: a closed status ends the wait soon.
                let deadline = Instant::now() + self.retry_interval;
                while Instant::now() < deadline {
                    if self.status.is_closed() {
                        return Ok(false);
                    }
                    thread::sleep(self.retry_interval.min(Duration::from_millis(50)));
                }
            }
            if self.status.is_closed() {
                return Ok(false);
            }
            match (self.open)() {
                Ok(source) => {
                    (self.on_event)(&SourceEvent::Reopened(source.info().description.clone()));
                    self.current = Some(source);
                    self.never_opened = false;
                    self.status.set(LiveState::Streaming);
                    return Ok(true);
                }
                Err(e) => {
                    if first_attempt {
                        // Reported once, not at every retry.
                        (self.on_event)(&SourceEvent::Waiting(e.to_string()));
                        self.status.set(LiveState::Waiting(e.to_string()));
                    } else if self.never_opened {
                        self.status.set(LiveState::Waiting(e.to_string()));
                    }
                    last_error = Some(e);
                }
            }
            first_attempt = false;
        }
    }
}

impl FrameSource for Reconnecting {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        loop {
            if self.never_opened && self.current.is_none() && !self.reopen(None)? {
                return Ok(None);
            }
            let Some(source) = self.current.as_mut() else {
                return Ok(None);
            };
            match source.next_frame() {
                Ok(Some(frame)) => {
                    // Timestamps and indices continue across reopenings.
                    let frame = frame.with_timestamp(self.started.elapsed(), self.frames);
                    self.frames += 1;
                    return Ok(Some(frame));
                }
                Ok(None) => return Ok(None),
                Err(e) => {
                    (self.on_event)(&SourceEvent::Lost(e.to_string()));
                    self.status.set(LiveState::Reconnecting(e.to_string()));
                    if let Some(old) = self.current.take() {
                        self.dropped_before += old.dropped_frames();
                    }
                    if !self.reopen(Some(e))? {
                        return Ok(None);
                    }
                }
            }
        }
    }

    fn dropped_frames(&self) -> u64 {
        self.dropped_before + self.current.as_ref().map_or(0, |s| s.dropped_frames())
    }

    fn live_status(&self) -> Option<LiveStatus> {
        Some(self.status.clone())
    }
}
