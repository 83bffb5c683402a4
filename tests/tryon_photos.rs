//! Every garment of the sample catalog worn on each developer photo
//! (`tests/data/reference/media/`), as `drape render --input PHOTO --wear
//! ID --no-overlay` dresses it, against small golden images in
//! `tests/data/golden/photos/<photo>_<outfit>.png`.
//!
//! The renders are shrunk with a box filter (160 px on the long side) so
//! that a golden is small and a pixel or two of edge moved by another
//! driver stays under the tolerances. A differing render is written beside
//! its golden as `<name>.actual.png`; `DRAPE_BLESS=1 cargo test --test
//! tryon_photos` rewrites the goldens (look at them before committing).

mod common;

use std::path::PathBuf;

use drape::capture::{open_source, InputOptions, SourceSpec};
use drape::tryon::{ClothMode, TryOn, TryOnConfig};
use drape::{GpuContext, Mirror, MirrorConfig};

/// The long side of a golden, pixels.
const GOLDEN_LONG_SIDE: u32 = 160;

/// What is worn, named as in the golden's file name: the three garments,
/// then the T-shirt with both accessories.
const OUTFITS: [(&str, &[&str]); 4] = [
    ("tee-indigo", &["tee-indigo"]),
    ("jacket-charcoal", &["jacket-charcoal"]),
    ("photo-tee", &["photo-tee"]),
    (
        "tee-indigo_glasses-round_watch-steel",
        &["tee-indigo", "glasses-round", "watch-steel"],
    ),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `drape render`'s try-on for a photo: the sample catalog, static pose
/// mode (a photo has no before and after), no product card, cloth as the
/// catalog says. The network runs on the CPU, as `--nn auto` does on the
/// software GPU the tests run on.
fn photo_config(wear: &[&str]) -> TryOnConfig {
    let mut config = TryOnConfig::sample();
    config.pose.static_mode = true;
    config.pose.backend = drape::nn::Backend::Cpu;
    config.overlay = false;
    config.cloth = ClothMode::Auto;
    config.wear = wear.iter().map(|id| id.to_string()).collect();
    config
}

/// `rgba` (`width`×`height`) shrunk so its long side is `long_side`: each
/// output pixel is the mean of the input pixels in its cell.
fn shrink(rgba: &[u8], width: u32, height: u32, long_side: u32) -> image::RgbaImage {
    let scale = long_side as f64 / width.max(height) as f64;
    let out_w = ((width as f64 * scale).round() as u32).max(1);
    let out_h = ((height as f64 * scale).round() as u32).max(1);
    // Cell `i` of `n` over `len` input pixels: [i·len/n, (i+1)·len/n).
    let cell = |i: u32, n: u32, len: u32| {
        let start = (i as u64 * len as u64 / n as u64) as u32;
        let end = ((i as u64 + 1) * len as u64 / n as u64) as u32;
        start..end.max(start + 1)
    };
    image::RgbaImage::from_fn(out_w, out_h, |x, y| {
        let (mut sum, mut count) = ([0u32; 4], 0u32);
        for sy in cell(y, out_h, height) {
            for sx in cell(x, out_w, width) {
                let i = (sy * width + sx) as usize * 4;
                for (c, total) in sum.iter_mut().enumerate() {
                    *total += u32::from(rgba[i + c]);
                }
                count += 1;
            }
        }
        image::Rgba(sum.map(|total| ((total + count / 2) / count) as u8))
    })
}

/// Dresses `photo` in each outfit and compares each with its golden.
fn check_photo(photo: &str) {
    let path = root().join(format!("tests/data/reference/media/{photo}.png"));
    // The frame as `drape render --input PHOTO` reads it (a grey photo
    // stays grey, an RGB one RGB).
    let frame = open_source(&SourceSpec::Image(path.clone()), &InputOptions::default())
        .and_then(|mut source| source.next_frame())
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .unwrap_or_else(|| panic!("{} has no frame", path.display()));
    let gpu = GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let golden_dir = root().join("tests/data/golden/photos");
    let mut failures = Vec::new();
    for (name, wear) in OUTFITS {
        // A fresh try-on per outfit, as each `drape render` run starts.
        let mut mirror = Mirror::new(&gpu, MirrorConfig { mirror: false });
        let tryon = TryOn::new(&gpu, photo_config(wear))
            .unwrap_or_else(|e| panic!("wearing {wear:?}: {e}"));
        mirror.set_tryon(Some(tryon));
        let dressed = mirror
            .process_to_cpu(&frame)
            .unwrap_or_else(|e| panic!("{photo} in {name}: {e}"));
        let small = shrink(
            dressed.data,
            dressed.width,
            dressed.height,
            GOLDEN_LONG_SIDE,
        );
        let found = mirror.tryon().and_then(TryOn::body).is_some();
        // Collect every outfit's verdict, so one run writes every
        // differing render.
        let outcome = std::panic::catch_unwind(|| {
            assert!(found, "{photo}: no person found, nothing worn");
            common::golden::assert_golden(&golden_dir, &format!("{photo}_{name}"), &small);
        });
        if let Err(panic) = outcome {
            failures.push(panic_message(&panic));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panicked".into())
}

#[test]
fn astronaut() {
    check_photo("astronaut");
}

#[test]
fn grace_hopper() {
    check_photo("grace_hopper");
}

#[test]
fn basketball1() {
    check_photo("basketball1");
}

#[test]
fn camera() {
    check_photo("camera");
}
