//! Live-source behaviour without a camera: a fake device that fails and
//! comes back, and a fast producer with a slow consumer.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use drape::capture::{
    CaptureError, Frame, FrameSource, LatestFrame, PixelFormat, Reconnecting, SourceEvent,
    SourceInfo,
};

/// A fake camera: yields `frames_before_failure` frames, then fails like an
/// unplugged device. Each open is counted.
struct FlakyCamera {
    info: SourceInfo,
    left: u32,
    generation: u32,
}

impl FrameSource for FlakyCamera {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        if self.left == 0 {
            return Err(CaptureError::Camera {
                index: 0,
                message: "device unplugged".into(),
            });
        }
        self.left -= 1;
        // The pixel value tells which opening produced the frame.
        let frame = Frame::new(vec![self.generation as u8; 4], PixelFormat::Rgba8, 1, 1)?;
        Ok(Some(frame))
    }
}

fn info(live: bool) -> SourceInfo {
    SourceInfo {
        description: "fake".into(),
        width: 1,
        height: 1,
        fps: Some(30.0),
        frame_count: None,
        live,
    }
}

#[test]
fn reconnecting_reports_the_loss_and_reopens() {
    let opens = Arc::new(AtomicU32::new(0));
    let opens_in = Arc::clone(&opens);
    // The second attempt to reopen fails (device still away), the third works.
    let mut source = Reconnecting::new(move || {
        let n = opens_in.fetch_add(1, Ordering::SeqCst);
        if n == 1 {
            return Err(CaptureError::NoCamera {
                index: 0,
                available: 0,
            });
        }
        Ok(Box::new(FlakyCamera {
            info: info(true),
            left: 3,
            generation: n,
        }) as Box<dyn FrameSource>)
    })
    .expect("first open works")
    .retry_interval(Duration::from_millis(5));
    let events = Arc::new(Mutex::new(Vec::new()));
    let events_in = Arc::clone(&events);
    source = source.on_event(move |e| events_in.lock().unwrap().push(e.clone()));

    let mut generations = Vec::new();
    let mut indices = Vec::new();
    for _ in 0..6 {
        let frame = source
            .next_frame()
            .expect("frames keep coming")
            .expect("live");
        generations.push(frame.data[0]);
        indices.push(frame.index);
    }
    assert_eq!(generations, [0, 0, 0, 2, 2, 2]);
    assert_eq!(
        indices,
        [0, 1, 2, 3, 4, 5],
        "indices continue across reopenings"
    );
    assert_eq!(opens.load(Ordering::SeqCst), 3);
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(&events[0], SourceEvent::Lost(why) if why.contains("unplugged")));
    assert!(matches!(&events[1], SourceEvent::Reopened(_)));
}

#[test]
fn reconnecting_gives_up_when_asked() {
    let mut first = true;
    let mut source = Reconnecting::new(move || {
        if std::mem::take(&mut first) {
            Ok(Box::new(FlakyCamera {
                info: info(true),
                left: 1,
                generation: 0,
            }) as Box<dyn FrameSource>)
        } else {
            Err(CaptureError::NoCamera {
                index: 0,
                available: 0,
            })
        }
    })
    .unwrap()
    .retry_interval(Duration::from_millis(5))
    .give_up_after(Duration::from_millis(50))
    .on_event(|_| {});
    assert!(source.next_frame().unwrap().is_some());
    let started = Instant::now();
    let error = source.next_frame().expect_err("gives up");
    assert!(matches!(error, CaptureError::NoCamera { .. }), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// Produces numbered frames as fast as it can.
struct Counter {
    info: SourceInfo,
    next: u32,
    limit: u32,
}

impl FrameSource for Counter {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        if self.next == self.limit {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(1));
        let frame = Frame::new(self.next.to_le_bytes().to_vec(), PixelFormat::Rgba8, 1, 1)?
            .with_timestamp(Duration::ZERO, self.next as u64);
        self.next += 1;
        Ok(Some(frame))
    }
}

#[test]
fn latest_frame_keeps_only_the_newest_and_counts_drops() {
    let counter = Counter {
        info: info(true),
        next: 0,
        limit: 200,
    };
    let mut latest = LatestFrame::spawn(Box::new(counter), false);
    let mut seen = Vec::new();
    // A consumer 20x slower than the producer.
    while let Some(frame) = latest.next_frame().expect("no error") {
        seen.push(frame.index);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        seen.len() < 100,
        "a slow consumer sees few frames: {}",
        seen.len()
    );
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "in order: {seen:?}");
    assert_eq!(*seen.last().unwrap(), 199, "the newest frame is never lost");
    assert_eq!(latest.dropped_frames(), 200 - seen.len() as u64);
}

#[test]
fn latest_frame_passes_errors_on() {
    let camera = FlakyCamera {
        info: info(true),
        left: 0,
        generation: 0,
    };
    let mut latest = LatestFrame::spawn(Box::new(camera), false);
    let error = latest.next_frame().expect_err("the device error arrives");
    assert!(error.to_string().contains("unplugged"), "{error}");
}
