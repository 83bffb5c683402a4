//! The picture at the top of the README: the bundled sample reel dressed
//! in each outfit of the sample catalog, one column per outfit, one frame
//! of each shot (the astronaut, the basketball player) per row.
//!
//! ```text
//! cargo run --release --example readme_strip              # docs/strip.png
//! cargo run --release --example readme_strip -- strip.png
//! ```
//!
//! Each outfit runs the whole reel in order, as `drape render --input
//! assets/samples/sample_reel.y4m --mirror --no-overlay --wear ID` does:
//! tracking and the cloth need the frames before the one shown. The shown
//! frames are cut to the person (centred on the shoulders) and labelled
//! with what is worn. The same machine makes the same bytes each run
//! (about 6 s on lavapipe).

use std::error::Error;
use std::path::{Path, PathBuf};

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use drape::capture::{open_source, InputOptions, SourceSpec};
use drape::tryon::{TryOn, TryOnConfig};
use drape::{GpuContext, Mirror, MirrorConfig};
use image::{Rgb, RgbImage};

/// The reel's frames shown, by index: the astronaut late in her shot and
/// the player zoomed in with his forearm across his chest, both long
/// after tracking and the cloth settled.
const SHOWN_FRAMES: [u64; 2] = [25, 53];

/// One column per outfit: its label and the catalog ids worn.
const OUTFITS: [(&str, &[&str]); 4] = [
    ("tee-indigo", &["tee-indigo"]),
    ("jacket-charcoal", &["jacket-charcoal"]),
    ("photo-tee", &["photo-tee"]),
    (
        "tee + glasses + watch",
        &["tee-indigo", "glasses-round", "watch-steel"],
    ),
];

/// A tile's width, pixels: the reel's frames (320×240) cut around the
/// person; tiles keep the frame's full height.
const TILE_WIDTH: u32 = 200;
/// White space between tiles and around the picture, pixels.
const GAP: u32 = 4;
/// The label row above the tiles, pixels, and its text's largest size.
const LABEL_HEIGHT: u32 = 22;
const LABEL_SIZE_PX: f32 = 14.0;
const PAPER: Rgb<u8> = Rgb([255, 255, 255]);
const INK: [f32; 3] = [40.0, 40.0, 40.0];

/// DejaVu Sans Bold, the font of the product card.
static FONT_TTF: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

fn main() -> Result<(), Box<dyn Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let output = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("docs/strip.png"));
    let reel = root.join("assets/samples/sample_reel.y4m");
    let gpu = GpuContext::headless()?;
    let font = FontRef::try_from_slice(FONT_TTF)?;

    let mut columns = Vec::new();
    for (label, wear) in OUTFITS {
        columns.push(dress_reel(&gpu, &reel, wear)?);
        println!("{label}: frames {SHOWN_FRAMES:?} dressed");
    }
    let tile_height = columns[0][0].height();
    let (column_count, row_count) = (OUTFITS.len() as u32, SHOWN_FRAMES.len() as u32);
    let mut strip = RgbImage::from_pixel(
        GAP + column_count * (TILE_WIDTH + GAP),
        LABEL_HEIGHT + GAP + row_count * (tile_height + GAP),
        PAPER,
    );
    for (column, ((label, _), tiles)) in OUTFITS.iter().zip(&columns).enumerate() {
        let x = GAP + column as u32 * (TILE_WIDTH + GAP);
        draw_label(&mut strip, &font, label, x, TILE_WIDTH);
        for (row, tile) in tiles.iter().enumerate() {
            let y = LABEL_HEIGHT + GAP + row as u32 * (tile_height + GAP);
            image::imageops::replace(&mut strip, tile, i64::from(x), i64::from(y));
        }
    }
    if let Some(parent) = output.parent() {
        std::fs::create_dir_all(parent)?;
    }
    save_png(&strip, &output)?;
    println!(
        "{} ({}x{}, {} bytes)",
        output.display(),
        strip.width(),
        strip.height(),
        std::fs::metadata(&output)?.len()
    );
    Ok(())
}

/// Runs the whole reel through the mirror wearing `wear`; returns the
/// shown frames, cut around the person.
fn dress_reel(
    gpu: &GpuContext,
    reel: &Path,
    wear: &[&str],
) -> Result<Vec<RgbImage>, Box<dyn Error>> {
    // `drape render`'s try-on, without the product card.
    let mut config = TryOnConfig::sample();
    config.overlay = false;
    config.wear = wear.iter().map(|id| id.to_string()).collect();
    config.pose.threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut mirror = Mirror::new(gpu, MirrorConfig { mirror: true });
    mirror.set_tryon(Some(TryOn::new(gpu, config)?));

    let mut source = open_source(
        &SourceSpec::Y4m(Some(reel.to_owned())),
        &InputOptions::default(),
    )?;
    let mut tiles = Vec::new();
    while let Some(frame) = source.next_frame()? {
        let dressed = mirror.process_to_cpu(&frame)?;
        if !SHOWN_FRAMES.contains(&frame.index) {
            continue;
        }
        let (width, height) = (dressed.width, dressed.height);
        let rgba = dressed.data.to_vec();
        // Centred on the shoulders (landmarks are in the mirrored frame,
        // as the picture is), kept inside the frame.
        let centre_x = mirror
            .tryon()
            .and_then(TryOn::body)
            .map_or(0.5, |body| body.shoulder_center()[0]);
        let tile_width = TILE_WIDTH.min(width);
        let left = (centre_x * width as f32 - tile_width as f32 / 2.0)
            .round()
            .clamp(0.0, (width - tile_width) as f32) as u32;
        tiles.push(RgbImage::from_fn(tile_width, height, |x, y| {
            let i = ((y * width + left + x) * 4) as usize;
            Rgb([rgba[i], rgba[i + 1], rgba[i + 2]])
        }));
    }
    if tiles.len() != SHOWN_FRAMES.len() {
        return Err(format!(
            "{} has {} of the frames {SHOWN_FRAMES:?}",
            reel.display(),
            tiles.len()
        )
        .into());
    }
    Ok(tiles)
}

/// Writes `text` centred over a column `width` wide at `left`, in the
/// label row, shrunk until it fits.
fn draw_label(strip: &mut RgbImage, font: &FontRef, text: &str, left: u32, width: u32) {
    let mut size_px = LABEL_SIZE_PX;
    let measure = |size_px: f32| {
        let font = font.as_scaled(PxScale::from(size_px));
        text.chars()
            .map(|c| font.h_advance(font.glyph_id(c)))
            .sum::<f32>()
    };
    while measure(size_px) > (width - 2 * GAP) as f32 && size_px > 8.0 {
        size_px -= 0.5;
    }
    let scaled = font.as_scaled(PxScale::from(size_px));
    let baseline = GAP as f32 + (LABEL_HEIGHT as f32 + scaled.ascent() + scaled.descent()) / 2.0;
    let mut caret = left as f32 + (width as f32 - measure(size_px)) / 2.0;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        let glyph = id.with_scale_and_position(PxScale::from(size_px), point(caret, baseline));
        caret += scaled.h_advance(id);
        let Some(outlined) = font.outline_glyph(glyph) else {
            continue; // a space
        };
        let bounds = outlined.px_bounds();
        outlined.draw(|x, y, ink| {
            let (px, py) = (
                bounds.min.x as i64 + i64::from(x),
                bounds.min.y as i64 + i64::from(y),
            );
            if px < 0 || py < 0 || px >= i64::from(strip.width()) || py >= i64::from(strip.height())
            {
                return;
            }
            let pixel = strip.get_pixel_mut(px as u32, py as u32);
            let ink = ink.clamp(0.0, 1.0);
            for (channel, target) in pixel.0.iter_mut().zip(INK) {
                *channel = (*channel as f32 * (1.0 - ink) + target * ink).round() as u8;
            }
        });
    }
}

/// The smallest PNG the `image` crate makes (RGB, best compression,
/// adaptive filters).
fn save_png(image: &RgbImage, path: &Path) -> Result<(), Box<dyn Error>> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    PngEncoder::new_with_quality(file, CompressionType::Best, FilterType::Adaptive).write_image(
        image.as_raw(),
        image.width(),
        image.height(),
        image::ExtendedColorType::Rgb8,
    )?;
    Ok(())
}
