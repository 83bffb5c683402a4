//! Dress a person in a photo: the smallest complete try-on.
//!
//! ```text
//! cargo run --release --example 03_tryon_on_image -- photo.png out.png [garment-id ...]
//! ```
//!
//! Without arguments it dresses the bundled astronaut photo in the sample
//! catalog's default garment and writes `out/tryon_astronaut.png`.
//!
//! The steps are the ones `drape` runs on every video frame:
//! 1. `Mirror` uploads the frame to the GPU (and converts its pixel format),
//! 2. `TryOn` finds the body (`PoseTracker`), fits each worn garment's rig
//!    to it (`garment::fit::Fitter`) and renders the garments over the
//!    frame (`render::TryOnRenderer`),
//! 3. the dressed frame is read back and saved.

use std::path::PathBuf;

use drape::tryon::{TryOn, TryOnConfig};
use drape::{GpuContext, Mirror, MirrorConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let input = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("tests/data/reference/media/astronaut.png"));
    let output = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("out/tryon_astronaut.png"));
    let wear: Vec<String> = args.collect();

    // The GPU (a real one, or lavapipe on a machine without).
    let gpu = GpuContext::headless()?;

    // A photo is one frame: static mode runs the detector on it and does
    // not smooth over time.
    let mut config = TryOnConfig::sample();
    config.pose.static_mode = true;
    config.wear = wear;
    let tryon = TryOn::new(&gpu, config)?;
    println!("wearing {:?}", tryon.outfit());

    let mut mirror = Mirror::new(&gpu, MirrorConfig { mirror: false });
    mirror.set_tryon(Some(tryon));

    let image = image::open(&input)?.into_rgba8();
    let (width, height) = image.dimensions();
    let frame = drape::Frame::new(image.into_raw(), drape::PixelFormat::Rgba8, width, height)?;
    let dressed = mirror.process_to_cpu(&frame)?;
    if let Some(parent) = output.parent() {
        std::fs::create_dir_all(parent)?;
    }
    image::save_buffer(
        &output,
        dressed.data,
        width,
        height,
        image::ColorType::Rgba8,
    )?;
    let found = mirror.tryon().and_then(|t| t.body()).is_some();
    println!(
        "{} → {} ({})",
        input.display(),
        output.display(),
        if found {
            "person found"
        } else {
            "no person found: frame unchanged"
        }
    );
    Ok(())
}
