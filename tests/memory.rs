//! A kiosk runs all day: over a few hundred try-on frames (the sample reel
//! looped, the T-shirt fitted and simulated as cloth, the light estimated
//! from every frame) the process's resident memory and wgpu's live
//! resources stay flat. Resident memory, not a counting allocator: the
//! leak this guards against lived in the Vulkan driver (lavapipe), which
//! Rust's allocator never sees.

use std::path::PathBuf;
use std::time::Duration;

use drape::app::soak::resident_memory_bytes;
use drape::capture::{open_source, InputOptions, SourceSpec};
use drape::tryon::{TryOn, TryOnConfig};
use drape::{Frame, GpuContext, Mirror, MirrorConfig};

/// Frames before the first measure: pipelines, caches and pools fill up.
const WARM_UP_FRAMES: u64 = 60;
const FRAMES: u64 = 300;
/// Growth allowed between the two measures, bytes: allocator noise. The
/// driver leak this caught grew 0.4 MB a frame, 96 MB here.
const MAX_GROWTH_BYTES: u64 = 12 << 20;

/// A mirror wearing the sample catalog's default, pose on the CPU.
fn dressed_mirror() -> (GpuContext, Mirror) {
    let gpu = GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let mut config = TryOnConfig::sample();
    config.pose.backend = drape::nn::Backend::Cpu;
    let mut mirror = Mirror::new(&gpu, MirrorConfig { mirror: true });
    mirror.set_tryon(Some(TryOn::new(&gpu, config).unwrap()));
    (gpu, mirror)
}

/// The bundled reel's frames.
fn sample_reel() -> Vec<Frame> {
    let reel = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/samples/sample_reel.y4m");
    let options = InputOptions::default();
    let spec = SourceSpec::parse(reel.to_str().unwrap(), &options).unwrap();
    let mut source = open_source(&spec, &options).unwrap();
    let mut clip = Vec::new();
    while let Some(frame) = source.next_frame().unwrap() {
        clip.push(frame);
    }
    clip
}

#[test]
fn memory_stays_flat_over_three_hundred_try_on_frames() {
    let (gpu, mut mirror) = dressed_mirror();
    let clip = sample_reel();
    let lap = Duration::from_millis(33) * clip.len() as u32;
    let measure = || {
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
    let mut first = None;
    for i in 0..FRAMES {
        let frame = &clip[i as usize % clip.len()];
        let looped = frame
            .clone()
            .with_timestamp(frame.timestamp + lap * (i / clip.len() as u64) as u32, i);
        mirror.process_to_cpu(&looped).unwrap();
        if i + 1 == WARM_UP_FRAMES {
            first = Some(measure());
        }
    }
    let (rss_before, wgpu_before) = first.unwrap();
    let (rss_after, wgpu_after) = measure();
    let growth = rss_after.saturating_sub(rss_before);
    println!(
        "resident {:.1} → {:.1} MB over {} frames; wgpu buffers, bind groups, buffer and texture bytes {wgpu_before:?} → {wgpu_after:?}",
        rss_before as f64 / 1048576.0,
        rss_after as f64 / 1048576.0,
        FRAMES - WARM_UP_FRAMES
    );
    assert_eq!(wgpu_before, wgpu_after, "wgpu resources grew");
    assert!(
        growth <= MAX_GROWTH_BYTES,
        "resident memory grew {:.1} MB over {} frames",
        growth as f64 / 1048576.0,
        FRAMES - WARM_UP_FRAMES
    );
}

/// An empty clip has nothing to loop: the soak returns at once instead of
/// spinning through empty laps until the clock runs out.
#[test]
fn soak_of_an_empty_clip_returns_at_once() {
    let gpu = GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let reports = drape::app::soak::soak(
        &gpu,
        &TryOnConfig::sample(),
        &[],
        Duration::from_secs(3600),
        Duration::from_secs(60),
        |_| panic!("no report expected"),
    )
    .unwrap();
    assert!(reports.is_empty());
}

/// A livestream's producer switches the outfit all show long: switching
/// garments back and forth (each a load from the asset cache, a cloth, a
/// product card) leaves the process's memory and wgpu's live resources
/// where they were after the first round.
#[test]
fn switching_garments_all_day_keeps_memory_flat() {
    const ROUNDS: usize = 12;
    let (gpu, mut mirror) = dressed_mirror();
    let frame = sample_reel().swap_remove(0);
    let garments = {
        let catalog = mirror.tryon().unwrap().catalog();
        catalog
            .garments
            .iter()
            .filter(|g| g.attach.is_none())
            .count()
    };
    assert!(garments >= 2, "the sample catalog has garments to switch");
    let measure = || {
        let hal = gpu.device.get_internal_counters().hal;
        (
            resident_memory_bytes().expect("/proc/self/status (Linux)"),
            // Not `hal.textures`: on Vulkan it counts down for textures it
            // never counted up (it goes below zero), while the texture bytes
            // it attributes stay exact.
            [
                hal.buffers.read(),
                hal.bind_groups.read(),
                hal.buffer_memory.read(),
                hal.texture_memory.read(),
            ],
        )
    };
    let mut index = 0u64;
    let mut round = |mirror: &mut Mirror| {
        for _ in 0..garments {
            mirror.tryon_mut().unwrap().next_garment(1).unwrap();
            index += 1;
            let looped = frame
                .clone()
                .with_timestamp(Duration::from_millis(33) * index as u32, index);
            mirror.process_to_cpu(&looped).unwrap();
        }
    };
    // The first rounds load every garment into the cache and fill the pools.
    round(&mut mirror);
    round(&mut mirror);
    let (rss_before, wgpu_before) = measure();
    for _ in 0..ROUNDS {
        round(&mut mirror);
    }
    let (rss_after, wgpu_after) = measure();
    let growth = rss_after.saturating_sub(rss_before);
    println!(
        "{} switches: resident {:.1} → {:.1} MB; wgpu buffers, bind groups, buffer and texture bytes {wgpu_before:?} → {wgpu_after:?}",
        ROUNDS * garments,
        rss_before as f64 / 1048576.0,
        rss_after as f64 / 1048576.0,
    );
    assert_eq!(
        wgpu_before, wgpu_after,
        "wgpu resources grew with switching"
    );
    assert!(
        growth <= MAX_GROWTH_BYTES,
        "resident memory grew {:.1} MB over {} switches",
        growth as f64 / 1048576.0,
        ROUNDS * garments
    );
}
