//! The presence tracker and the gestures on real landmarks: the sample
//! reel's two people (the astronaut, two black frames, the basketball
//! player) enter in turn, and their natural movements make no gesture.

use std::path::PathBuf;
use std::time::Duration;

use drape::capture::FrameSource;
use drape::kiosk::{
    PersonTracker, PresenceConfig, PresenceEvent, RaiseHandsConfig, RaiseHandsDetector,
    SwipeConfig, SwipeDetector,
};
use drape::nn::Backend;
use drape::pose::{PersonChoice, PoseConfig, PoseTracker};

#[test]
fn the_sample_reel_brings_two_people_in_turn() {
    let gpu = drape::GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let mut tracker = PoseTracker::new(
        &gpu,
        PoseConfig {
            backend: Backend::Cpu,
            segmentation: false,
            person: PersonChoice::CentreAndLargest,
            ..PoseConfig::default()
        },
    )
    .unwrap();
    let clip = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/samples/sample_reel.y4m");
    let mut source = drape::capture::Y4mSource::open(&clip).unwrap();
    let aspect = 320.0 / 240.0;
    let mut presence = PersonTracker::new(PresenceConfig {
        aspect,
        leave_after: Duration::from_secs(2),
        ..PresenceConfig::default()
    });
    let mut swipes = SwipeDetector::new(SwipeConfig {
        aspect,
        ..SwipeConfig::default()
    });
    let mut raised = RaiseHandsDetector::new(RaiseHandsConfig::default());
    let mut gestures = Vec::new();
    let mut events = Vec::new();
    let mut last = Duration::ZERO;
    while let Some(frame) = source.next_frame().unwrap() {
        let rgba = drape::upload::cpu::convert_to_rgba(&frame, true);
        let body = tracker
            .process(&rgba, frame.width, frame.height, frame.timestamp)
            .unwrap();
        // Mirrored, as the kiosk shows it. The astronaut holds her helmet at the frame's bottom edge: her
        // hands jitter there, which once read as a swipe.
        if let Some(swipe) = swipes.update(body.as_ref(), frame.timestamp) {
            gestures.push(format!("{swipe:?} at frame {}", frame.index));
        }
        if raised.update(body.as_ref(), frame.timestamp).is_some() {
            gestures.push(format!("raised hands at frame {}", frame.index));
        }
        for event in presence.update(body.as_ref(), frame.timestamp) {
            events.push((frame.index, event));
        }
        last = frame.timestamp;
    }
    // Nobody after the end: the player leaves too.
    for event in presence.update(None, last + Duration::from_secs(3)) {
        events.push((u64::MAX, event));
    }
    assert!(gestures.is_empty(), "{gestures:?}");
    let kinds: Vec<bool> = events
        .iter()
        .map(|(_, e)| matches!(e, PresenceEvent::Entered))
        .collect();
    assert_eq!(kinds, [true, false, true, false], "{events:?}");
    // The astronaut enters within her first half second, the player after
    // the cut (frame 34 on).
    assert!(events[0].0 < 8, "{events:?}");
    assert!((32..34 + 8).contains(&events[2].0), "{events:?}");
}
