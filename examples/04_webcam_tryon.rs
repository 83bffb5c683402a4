//! A live dressed mirror from the webcam, in a window: the public API's
//! shortest path from a camera to a try-on.
//!
//! ```text
//! cargo run --release --example 04_webcam_tryon -- [camera index] [garment-id ...]
//! ```
//!
//! ← and → switch garments, S saves a snapshot into `snapshots/`, Escape
//! closes. A camera that is not plugged in yet is waited for.

use drape::app::{run_window, StopFlag, WindowOptions};
use drape::capture::{open_source, InputOptions, SourceSpec};
use drape::tryon::TryOnConfig;
use drape::MirrorConfig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let camera = args.next().unwrap_or_else(|| "0".into());
    // The camera, read on its own thread; `wait_for_camera` shows a
    // "waiting" screen instead of failing when it is not there yet.
    let options = InputOptions {
        wait_for_camera: true,
        ..InputOptions::default()
    };
    let source = open_source(
        &SourceSpec::parse(&format!("camera:{camera}"), &options)?,
        &options,
    )?;
    // The sample catalog, wearing the garments named (else its default).
    let mut tryon = TryOnConfig::sample();
    tryon.wear = args.collect();
    let options = WindowOptions {
        title: "drape webcam".into(),
        mirror: MirrorConfig { mirror: true },
        tryon: Some(tryon),
        snapshot_dir: Some("snapshots".into()),
        ..WindowOptions::default()
    };
    let summary = run_window(source, options, &StopFlag::new().on_ctrl_c())?;
    println!("{summary}");
    Ok(())
}
