//! A kiosk of your own, headless, on the public parts `drape kiosk` uses.
//!
//! ```text
//! cargo run --example 05_my_kiosk -- [clip.y4m | camera:0]
//! ```
//!
//! Each frame is dressed (`Mirror` with a `TryOn`); its body goes to the
//! person tracker (a shopper stepped in, left), a swipe detector (the next
//! garment) and a raised-hands detector. A photo is saved into
//! `out/my_kiosk/` as each shopper steps in and when they raise both hands:
//! on the sample reel (the default), two people, two photos.

use std::path::{Path, PathBuf};
use std::time::Duration;

use drape::capture::{open_source, InputOptions, SourceSpec};
use drape::kiosk::{
    PersonTracker, PresenceConfig, PresenceEvent, RaiseHandsConfig, RaiseHandsDetector, Swipe,
    SwipeConfig, SwipeDetector,
};
use drape::pose::PersonChoice;
use drape::tryon::{TryOn, TryOnConfig};
use drape::{FrameSource, GpuContext, Mirror, MirrorConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let reel = root.join("assets/samples/sample_reel.y4m");
    let input = std::env::args().nth(1).map_or(reel, PathBuf::from);
    let options = InputOptions::default();
    let spec = SourceSpec::parse(&input.to_string_lossy(), &options)?;
    let mut source = open_source(&spec, &options)?;
    let out = root.join("out/my_kiosk");
    std::fs::create_dir_all(&out)?;

    // The sample catalog, worn by the person in the middle of the picture
    // (the shopper, not someone passing behind them).
    let gpu = GpuContext::headless()?;
    let mut tryon = TryOnConfig::sample();
    tryon.pose.person = PersonChoice::CentreAndLargest;
    let mut mirror = Mirror::new(&gpu, MirrorConfig { mirror: true });
    mirror.set_tryon(Some(TryOn::new(&gpu, tryon)?));

    // Distances are measured in frame heights: the detectors need the
    // picture's width / height.
    let aspect = source.info().width as f32 / source.info().height as f32;
    let leave_after = Duration::from_secs(2);
    let mut presence = PersonTracker::new(PresenceConfig {
        aspect,
        leave_after,
        ..PresenceConfig::default()
    });
    let mut swipes = SwipeDetector::new(SwipeConfig {
        aspect,
        ..SwipeConfig::default()
    });
    let mut raised_hands = RaiseHandsDetector::new(RaiseHandsConfig::default());

    let (mut photos, mut at) = (0, Duration::ZERO);
    while let Some(frame) = source.next_frame()? {
        at = frame.timestamp;
        let dressed = mirror.process_to_cpu(&frame)?;
        let (width, height) = (dressed.width, dressed.height);
        let picture = image::RgbaImage::from_raw(width, height, dressed.data.to_vec())
            .ok_or("the dressed frame has the wrong size")?;
        let body = mirror.tryon().and_then(|t| t.body()).cloned();
        let entered = report(presence.update(body.as_ref(), at));
        // Only the shopper's gestures count, not a passer-by's.
        let shopper = body.as_ref().filter(|_| presence.is_present());
        let raised = raised_hands.update(shopper, at).is_some();
        if let (Some(swipe), Some(tryon)) = (swipes.update(shopper, at), mirror.tryon_mut()) {
            let step = if swipe == Swipe::Right { 1 } else { -1 };
            println!("wearing {}", tryon.next_garment(step)?);
        }
        if entered || raised {
            photos += 1;
            let path = out.join(format!("photo-{photos}.png"));
            picture.save(&path)?;
            println!("photo saved: {}", path.display());
        }
    }
    // The clip ended: nobody is there any more.
    report(presence.update(None, at + leave_after));
    Ok(())
}

/// Says what the person tracker saw; true when a shopper stepped in.
fn report(events: Vec<PresenceEvent>) -> bool {
    for event in &events {
        if let PresenceEvent::Left { dwell } = event {
            println!("person left after {:.1} s", dwell.as_secs_f64());
        }
    }
    let entered = events.contains(&PresenceEvent::Entered);
    if entered {
        println!("person entered");
    }
    entered
}
