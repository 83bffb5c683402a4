//! The kiosk runs for days: over hundreds of frames of a shopper,
//! with garments switched and photos taken and shared, the process's
//! resident memory and wgpu's live resources stay flat (the kiosk's screen,
//! UI layer, snapshot and share server each hold a bounded amount).

use std::path::PathBuf;
use std::time::{Duration, Instant};

mod common;

use common::sources::StillCamera;
use drape::app::kiosk::{Kiosk, KioskTick};
use drape::app::soak::resident_memory_bytes;
use drape::kiosk::KioskConfig;
use drape::GpuContext;

/// Frames before the first measure: pipelines, caches, every garment
/// worn once (the catalog's assets stay cached, one per file), the first
/// photo.
const WARM_UP_FRAMES: u64 = 60;
const FRAMES: u64 = 300;
/// A garment every this many frames; the sample catalog has three (and two
/// accessories the steps pass by).
const FRAMES_PER_GARMENT: u64 = 12;
const GARMENTS: u64 = 3;
/// Growth allowed between the two measures: allocator noise, and the
/// photos the share server holds (PNGs of 320×240, at most 64).
const MAX_GROWTH_BYTES: u64 = 16 << 20;

#[test]
fn the_kiosk_stays_flat_over_hundreds_of_frames_of_switching_and_photos() {
    let gpu = GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let mut config = KioskConfig {
        catalog: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/garments/catalog.toml"),
        ..KioskConfig::default()
    };
    config.share.url = Some("http://192.0.2.1:8090".into());
    config.share.listen = "127.0.0.1:0".parse().unwrap();
    let mut kiosk = Kiosk::new(
        &gpu,
        Box::new(StillCamera::open(
            &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/samples/astronaut.png"),
            Duration::ZERO,
        )),
        config,
        (270, 480),
        false,
    )
    .unwrap();
    let measure = || {
        // Uploads still in flight (the UI layer's, a frame's) hold staging
        // memory until the GPU is done with them: measure at rest.
        gpu.wait_idle().unwrap();
        let counters = gpu.device.get_internal_counters().hal;
        (
            resident_memory_bytes().expect("/proc/self/status (Linux)"),
            [
                counters.buffers.read(),
                counters.bind_groups.read(),
                counters.buffer_memory.read(),
                counters.texture_memory.read(),
            ],
        )
    };
    let (mut first, mut photos_asked, mut steps) = (None, 0u64, 0u64);
    let mut modes = std::collections::BTreeSet::new();
    let started = Instant::now();
    let mut last = None;
    while last.is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the kiosk stalled"
        );
        let now = Instant::now();
        assert_ne!(kiosk.tick(now).unwrap(), KioskTick::GpuLost);
        modes.insert(kiosk.mode().name());
        let frames = kiosk.live().frames();
        // A shopper's session: garment after garment, a photo every 100
        // frames. Measures are taken wearing the same garment.
        if frames >= FRAMES_PER_GARMENT * (steps + 1) {
            steps += 1;
            kiosk.step(1, now);
            let same_garment = steps % GARMENTS == 0;
            if first.is_none()
                && frames >= WARM_UP_FRAMES
                && same_garment
                && modes.contains("snapshot")
            {
                first = Some(measure());
            } else if first.is_some() && frames >= FRAMES && same_garment {
                last = Some(measure());
            }
        }
        if frames >= 10 + 100 * photos_asked {
            photos_asked += 1;
            kiosk.request_snapshot(now);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let (rss_before, wgpu_before) = first.expect("a photo was taken during the warm-up");
    let (rss_after, wgpu_after) = last.unwrap();
    println!(
        "resident {:.1} → {:.1} MB; wgpu buffers, bind groups, buffer and texture bytes {wgpu_before:?} → {wgpu_after:?}; modes {modes:?}",
        rss_before as f64 / 1048576.0,
        rss_after as f64 / 1048576.0,
    );
    assert!(
        modes.contains("countdown") && modes.contains("dressed"),
        "{modes:?}"
    );
    assert!(
        rss_after.saturating_sub(rss_before) <= MAX_GROWTH_BYTES,
        "resident memory grew by {:.1} MB",
        (rss_after - rss_before) as f64 / 1048576.0
    );
    assert_eq!(wgpu_before, wgpu_after, "wgpu's live resources changed");
}
