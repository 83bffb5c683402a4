//! Live-source behaviour without a camera: a fake device that fails and
//! comes back, and a fast producer with a slow consumer.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use drape::capture::{
    CaptureError, Frame, FrameSource, LatestFrame, LiveState, PixelFormat, Reconnecting,
    SourceEvent, SourceInfo,
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

/// A device that is not there for its first `absent_opens` opens (a kiosk
/// booted before its USB camera), then yields frames.
fn late_device(
    absent_opens: u32,
    opens: Arc<AtomicU32>,
) -> impl FnMut() -> Result<Box<dyn FrameSource>, CaptureError> + Send + 'static {
    move || {
        let n = opens.fetch_add(1, Ordering::SeqCst);
        if n < absent_opens {
            return Err(CaptureError::NoCamera {
                index: 3,
                available: 0,
            });
        }
        Ok(Box::new(FlakyCamera {
            info: info(true),
            left: 1000,
            generation: n,
        }) as Box<dyn FrameSource>)
    }
}

#[test]
fn a_waiting_source_waits_for_its_device_and_reports_it_once() {
    let opens = Arc::new(AtomicU32::new(0));
    let events = Arc::new(Mutex::new(Vec::new()));
    let events_in = Arc::clone(&events);
    let mut asked = info(true);
    asked.description = "camera 3".into();
    // Nothing is opened up front: no error for a missing device.
    let mut source = Reconnecting::waiting(asked.clone(), late_device(4, Arc::clone(&opens)))
        .retry_interval(Duration::from_millis(5))
        .on_event(move |e| events_in.lock().unwrap().push(e.clone()));
    let status = source.status();
    assert_eq!(status.get(), LiveState::Opening);
    assert_eq!(opens.load(Ordering::SeqCst), 0);
    assert_eq!(
        source.info(),
        &asked,
        "stands for the device until it is there"
    );

    let frame = source.next_frame().unwrap().expect("the device came");
    assert_eq!(frame.data[0], 4, "the fifth open worked");
    assert_eq!(opens.load(Ordering::SeqCst), 5);
    assert_eq!(status.get(), LiveState::Streaming);
    let events = events.lock().unwrap();
    assert_eq!(
        events.len(),
        2,
        "one Waiting, not one per retry: {events:?}"
    );
    assert!(matches!(&events[0], SourceEvent::Waiting(why) if why.contains("camera 3")));
    assert!(matches!(&events[1], SourceEvent::Reopened(_)));
}

#[test]
fn the_status_says_waiting_then_streaming_then_reconnecting() {
    let plugged = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let plugged_in = Arc::clone(&plugged);
    let source = Reconnecting::waiting(info(true), move || {
        if !plugged_in.load(Ordering::SeqCst) {
            return Err(CaptureError::NoCamera {
                index: 0,
                available: 0,
            });
        }
        Ok(Box::new(Unpluggable {
            info: info(true),
            plugged: Arc::clone(&plugged_in),
        }) as Box<dyn FrameSource>)
    })
    .retry_interval(Duration::from_millis(5))
    .on_event(|_| {});
    let mut latest = LatestFrame::spawn(Box::new(source), false);
    let status = latest.live_status().expect("a device source has a status");
    let wait_for = |wanted: fn(&LiveState) -> bool| {
        let started = Instant::now();
        while !wanted(&status.get()) {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{:?}",
                status.get()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    wait_for(|s| matches!(s, LiveState::Waiting(why) if why.contains("not found")));
    plugged.store(true, Ordering::SeqCst);
    wait_for(|s| *s == LiveState::Streaming);
    assert!(latest
        .wait_latest(Duration::from_secs(5))
        .unwrap()
        .is_some());
    plugged.store(false, Ordering::SeqCst);
    wait_for(|s| matches!(s, LiveState::Reconnecting(why) if why.contains("unplugged")));
    plugged.store(true, Ordering::SeqCst);
    wait_for(|s| *s == LiveState::Streaming);
    // Frames flow again after the replug.
    let _ = latest.try_latest();
    assert!(latest
        .wait_latest(Duration::from_secs(5))
        .unwrap()
        .is_some());
}

/// Frames while `plugged`, an unplug error when not.
struct Unpluggable {
    info: SourceInfo,
    plugged: Arc<std::sync::atomic::AtomicBool>,
}

impl FrameSource for Unpluggable {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        std::thread::sleep(Duration::from_millis(2));
        if !self.plugged.load(Ordering::SeqCst) {
            return Err(CaptureError::Camera {
                index: 0,
                message: "device unplugged".into(),
            });
        }
        Ok(Some(Frame::new(vec![7; 4], PixelFormat::Rgba8, 1, 1)?))
    }
}

#[test]
fn dropping_the_reader_stops_a_source_that_waits_forever() {
    let opens = Arc::new(AtomicU32::new(0));
    let source = Reconnecting::waiting(info(true), late_device(u32::MAX, Arc::clone(&opens)))
        .retry_interval(Duration::from_millis(5))
        .on_event(|_| {});
    let latest = LatestFrame::spawn(Box::new(source), false);
    std::thread::sleep(Duration::from_millis(50));
    assert!(opens.load(Ordering::SeqCst) > 1, "it keeps trying");
    drop(latest);
    std::thread::sleep(Duration::from_millis(100));
    let after_drop = opens.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        opens.load(Ordering::SeqCst),
        after_drop,
        "no more tries once nobody reads it"
    );
}

/// Closing a status (nobody reads the source any more) says so to every
/// clone: the state is `Stopped`, as its documentation promises.
#[test]
fn a_closed_status_is_stopped() {
    let status =
        drape::capture::LiveStatus::new(drape::capture::LiveState::Waiting("no camera 3".into()));
    let seen_elsewhere = status.clone();
    status.close();
    assert!(seen_elsewhere.is_closed());
    assert_eq!(seen_elsewhere.get(), drape::capture::LiveState::Stopped);
}
