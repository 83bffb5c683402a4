//! `Reconnecting`: a live source that survives its device going away.
//!
//! A kiosk's camera gets unplugged, a USB hub resets: the error is reported
//! once as an event, and the source is reopened until the device is back.

use std::thread;
use std::time::{Duration, Instant};

use super::{CaptureError, Frame, FrameSource, SourceInfo};

/// What happened to a `Reconnecting` source's device.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceEvent {
    /// The device failed; frames stop until it is reopened.
    Lost(String),
    /// The device is back.
    Reopened(String),
}

type Opener = Box<dyn FnMut() -> Result<Box<dyn FrameSource>, CaptureError> + Send>;
type EventHandler = Box<dyn FnMut(&SourceEvent) + Send>;

/// Reopens a live source whenever it fails.
pub struct Reconnecting {
    open: Opener,
    current: Option<Box<dyn FrameSource>>,
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
        Ok(Reconnecting {
            open: Box::new(open),
            current: Some(first),
            info,
            retry_interval: Duration::from_millis(500),
            give_up_after: None,
            on_event: Box::new(|event| match event {
                SourceEvent::Lost(why) => tracing::error!("capture lost: {why}; retrying"),
                SourceEvent::Reopened(what) => tracing::info!("capture back: {what}"),
            }),
            started: Instant::now(),
            frames: 0,
            dropped_before: 0,
        })
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

    fn reopen(&mut self, lost: CaptureError) -> Result<(), CaptureError> {
        let since = Instant::now();
        let mut last_error = lost;
        loop {
            if let Some(limit) = self.give_up_after {
                if since.elapsed() >= limit {
                    return Err(last_error);
                }
            }
            thread::sleep(self.retry_interval);
            match (self.open)() {
                Ok(source) => {
                    (self.on_event)(&SourceEvent::Reopened(source.info().description.clone()));
                    self.current = Some(source);
                    return Ok(());
                }
                Err(e) => last_error = e,
            }
        }
    }
}

impl FrameSource for Reconnecting {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        loop {
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
                    if let Some(old) = self.current.take() {
                        self.dropped_before += old.dropped_frames();
                    }
                    self.reopen(e)?;
                }
            }
        }
    }

    fn dropped_frames(&self) -> u64 {
        self.dropped_before + self.current.as_ref().map_or(0, |s| s.dropped_frames())
    }
}
