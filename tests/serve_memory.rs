//! A show runs for hours: over hundreds of program frames, with the
//! producer switching garments and the card, the process's resident memory
//! and wgpu's live resources stay flat.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

mod common;

use common::sources::StillCamera;
use drape::app::soak::resident_memory_bytes;
use drape::app::StopFlag;
use drape::output::{FrameSink, OutputError, RgbaFrame};
use drape::serve::program::{run_program, ProgramOptions};
use drape::serve::{LiveChange, Studio, StudioConfig};
use drape::tryon::TryOnConfig;
use drape::GpuContext;

/// Output frames at 60 fps (dressing is slower: late ticks repeat).
const FPS: f64 = 60.0;
/// A garment change every this many output frames, through three.
const CHANGE_EVERY: u64 = 60;
const GARMENTS: [&str; 3] = ["tee-indigo", "jacket-charcoal", "photo-tee"];
/// Measures at the same point of the garment cycle (180 frames).
const FIRST_MEASURE: u64 = 240;
const LAST_MEASURE: u64 = 960;
const MAX_GROWTH_BYTES: u64 = 12 << 20;

/// Counts frames, switches what is on air, measures, stops the run.
struct Producer {
    studio: Arc<Studio>,
    gpu: GpuContext,
    stop: StopFlag,
    frames: u64,
    measures: Vec<(u64, [isize; 4])>,
}

impl FrameSink for Producer {
    fn write_frame(&mut self, _frame: &RgbaFrame<'_>) -> Result<(), OutputError> {
        self.frames += 1;
        if self.frames.is_multiple_of(CHANGE_EVERY) {
            let k = (self.frames / CHANGE_EVERY) as usize;
            let change = LiveChange {
                garment: Some(Some(GARMENTS[k % GARMENTS.len()].to_string())),
                card: Some(k.is_multiple_of(2)),
                ..LiveChange::default()
            };
            self.studio.change(&change).unwrap();
        }
        if self.frames == FIRST_MEASURE || self.frames == LAST_MEASURE {
            // Work in flight holds staging memory: measure at rest.
            self.gpu.wait_idle().unwrap();
            let counters = self.gpu.device.get_internal_counters().hal;
            self.measures.push((
                resident_memory_bytes().unwrap(),
                [
                    counters.buffers.read(),
                    counters.bind_groups.read(),
                    counters.buffer_memory.read(),
                    counters.texture_memory.read(),
                ],
            ));
        }
        if self.frames >= LAST_MEASURE {
            self.stop.raise();
        }
        Ok(())
    }
    fn description(&self) -> String {
        "the test's producer".into()
    }
}

#[test]
fn the_program_stays_flat_while_the_producer_switches_garments() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let catalog = root.join("assets/garments/catalog.toml");
    let studio = Studio::new(StudioConfig::new(&catalog, "127.0.0.1:0".parse().unwrap())).unwrap();
    let camera = StillCamera::open(
        &root.join("assets/samples/astronaut.png"),
        Duration::from_millis(5),
    );
    let gpu = GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let stop = StopFlag::new();
    let mut producer = Producer {
        studio: Arc::clone(&studio),
        gpu: gpu.clone(),
        stop: stop.clone(),
        frames: 0,
        measures: Vec::new(),
    };
    let mut tryon = TryOnConfig::sample();
    tryon.catalog = catalog;
    let summary = run_program(
        &gpu,
        Arc::clone(&studio),
        Box::new(camera),
        &mut producer,
        ProgramOptions {
            tryon,
            mirror: false,
            fps: Some(FPS),
            exit_at_end: false,
        },
        &stop,
    )
    .unwrap();
    let [(rss_before, wgpu_before), (rss_after, wgpu_after)] = producer.measures[..] else {
        panic!("two measures, got {:?}", producer.measures);
    };
    println!(
        "{summary:?}; resident {:.1} → {:.1} MB; wgpu {wgpu_before:?} → {wgpu_after:?}",
        rss_before as f64 / 1048576.0,
        rss_after as f64 / 1048576.0
    );
    assert!(summary.frames_dressed > 100, "{summary:?}");
    assert!(
        rss_after.saturating_sub(rss_before) <= MAX_GROWTH_BYTES,
        "resident memory grew by {:.1} MB",
        (rss_after - rss_before) as f64 / 1048576.0
    );
    assert_eq!(wgpu_before, wgpu_after, "wgpu's live resources changed");
}
