//! The economy quality (garments shaded at half resolution and blended
//! over the full-resolution frame, the light estimated every few frames)
//! on lavapipe: it puts the T-shirt on the chest of a photo and stays
//! close to the full-quality render (that it draws the frame unchanged
//! where there is nothing to wear is in tests/render_tryon.rs). `auto` picks it for video on a software adapter
//! and keeps full quality for a still photo.

use std::path::PathBuf;

use drape::render::Quality;
use drape::tryon::{ClothMode, QualityMode, TryOn, TryOnConfig};
use drape::{Frame, GpuContext, Mirror, MirrorConfig, PixelFormat};

/// Mean absolute difference per channel allowed between the economy and
/// the full render of a dressed photo (most pixels are the frame itself
/// in both; the garment's shading and edges differ a little).
const MAX_MEAN_DIFFERENCE: f64 = 1.0;
/// The share of pixels allowed to differ by more than 40 in a channel
/// (edges of the garment, half a frame pixel off).
const MAX_LOUD_SHARE: f64 = 0.01;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn gpu() -> GpuContext {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    GpuContext::headless().expect("a GPU adapter (lavapipe)")
}

#[test]
fn auto_is_economy_for_video_on_a_software_adapter_only() {
    let gpu = gpu();
    let mut config = TryOnConfig::sample();
    config.pose.backend = drape::nn::Backend::Cpu;
    config.overlay = false;
    let video = TryOn::new(&gpu, config.clone()).unwrap();
    let expected = if gpu.is_software() {
        Quality::Economy
    } else {
        Quality::Full
    };
    assert_eq!(video.quality(), expected);
    config.pose.static_mode = true;
    assert_eq!(
        TryOn::new(&gpu, config.clone()).unwrap().quality(),
        Quality::Full
    );
    config.quality = QualityMode::Economy;
    assert_eq!(
        TryOn::new(&gpu, config).unwrap().quality(),
        Quality::Economy
    );
}

/// The astronaut photo dressed in the sample T-shirt at `quality`, with
/// the photo itself.
fn dressed_astronaut(gpu: &GpuContext, quality: QualityMode) -> (Vec<u8>, Vec<u8>, u32, u32) {
    let photo = image::open(root().join("tests/data/reference/media/astronaut.png"))
        .unwrap()
        .into_rgba8();
    let (w, h) = photo.dimensions();
    let mut config = TryOnConfig::sample();
    config.pose.backend = drape::nn::Backend::Cpu;
    config.pose.static_mode = true;
    config.overlay = false;
    config.cloth = ClothMode::Auto;
    config.wear = vec!["tee-indigo".into()];
    config.quality = quality;
    let mut mirror = Mirror::new(gpu, MirrorConfig { mirror: false });
    mirror.set_tryon(Some(TryOn::new(gpu, config).unwrap()));
    let frame = Frame::new(photo.as_raw().clone(), PixelFormat::Rgba8, w, h).unwrap();
    let out = mirror.process_to_cpu(&frame).unwrap().data.to_vec();
    assert!(
        mirror.tryon().and_then(TryOn::body).is_some(),
        "no person found in the astronaut photo"
    );
    (photo.into_raw(), out, w, h)
}

#[test]
fn the_economy_tshirt_is_on_the_chest_and_close_to_full_quality() {
    let gpu = gpu();
    let (photo, full, w, h) = dressed_astronaut(&gpu, QualityMode::Full);
    let (_, economy, ..) = dressed_astronaut(&gpu, QualityMode::Economy);

    // The chest: a box a fifth of the way from MediaPipe's shoulder line
    // to its hip line (tests/data/reference), a tenth of the shoulder
    // width across. Every pixel there is the shirt's.
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/reference/ref/static.json")).unwrap(),
    )
    .unwrap();
    let image = reference["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "astronaut")
        .unwrap();
    let landmark = |i: usize| {
        let p = &image["runs"]["c0"]["landmarks"][i];
        glam::Vec2::new(
            p[0].as_f64().unwrap() as f32 * w as f32,
            p[1].as_f64().unwrap() as f32 * h as f32,
        )
    };
    let shoulders = (landmark(11) + landmark(12)) * 0.5;
    let hips = (landmark(23) + landmark(24)) * 0.5;
    let chest = shoulders + (hips - shoulders) * 0.2;
    let half_side = (landmark(11) - landmark(12)).length() * 0.05;
    let mut chest_pixels = 0;
    let mut chest_changed = 0;
    for y in (chest.y - half_side) as u32..=(chest.y + half_side) as u32 {
        for x in (chest.x - half_side) as u32..=(chest.x + half_side) as u32 {
            let i = ((y * w + x) * 4) as usize;
            let change: u32 = (0..3)
                .map(|c| u32::from(photo[i + c].abs_diff(economy[i + c])))
                .sum();
            chest_pixels += 1;
            chest_changed += u32::from(change > 36);
        }
    }
    assert!(
        chest_changed == chest_pixels,
        "the economy shirt covers {chest_changed} of {chest_pixels} chest pixels"
    );

    let (mut sum, mut loud) = (0u64, 0usize);
    for (a, b) in full.chunks_exact(4).zip(economy.chunks_exact(4)) {
        let worst = (0..3).map(|c| a[c].abs_diff(b[c])).max().unwrap();
        sum += (0..3).map(|c| u64::from(a[c].abs_diff(b[c]))).sum::<u64>();
        loud += usize::from(worst > 40);
    }
    let pixels = (w * h) as f64;
    let mean = sum as f64 / (pixels * 3.0);
    let loud_share = loud as f64 / pixels;
    println!("economy vs full: mean {mean:.3} per channel, {loud_share:.4} of pixels off by > 40");
    assert!(
        mean <= MAX_MEAN_DIFFERENCE && loud_share <= MAX_LOUD_SHARE,
        "economy differs from full by {mean:.3} per channel on average, \
         {loud_share:.4} of pixels by more than 40"
    );
}
