//! Rebuilds `assets/samples/astronaut_pan.y4m`, the clip `drape` renders
//! when run with no command: a slow pan, zoom and slight roll over a still
//! photo, as a hand-held camera drifting in front of a person.
//!
//! ```sh
//! cargo run --release --example make_sample_clip
//! ```

use std::path::Path;

use drape::output::{FrameSink, RgbaFrame, Y4mSink};

const WIDTH: u32 = 320;
const HEIGHT: u32 = 240;
const FRAMES: u32 = 40;
const FPS: f64 = 15.0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples");
    let photo = image::open(root.join("astronaut.png"))?.into_rgba8();
    let out = root.join("astronaut_pan.y4m");
    let mut sink = Y4mSink::new(Some(&out), FPS)?;
    for i in 0..FRAMES {
        let t = i as f32 / (FRAMES - 1) as f32;
        // Zoom from the whole width to 80 % of it while panning right and
        // rolling a few degrees one way and back.
        let view_w = photo.width() as f32 * (1.0 - 0.2 * t);
        let view_h = view_w * HEIGHT as f32 / WIDTH as f32;
        let centre_x = view_w / 2.0 + (photo.width() as f32 - view_w) * t;
        let centre_y = view_h / 2.0 + (photo.height() as f32 - view_h) * 0.3;
        let roll = 3f32.to_radians() * (std::f32::consts::TAU * t).sin();
        let frame = sample_view(&photo, (centre_x, centre_y), view_w / WIDTH as f32, roll);
        sink.write_frame(&RgbaFrame {
            data: frame.as_raw(),
            width: WIDTH,
            height: HEIGHT,
            index: i as u64,
            timestamp: std::time::Duration::from_secs_f64(i as f64 / FPS),
        })?;
    }
    sink.finish()?;
    println!("wrote {}", out.display());
    Ok(())
}

/// The `WIDTH × HEIGHT` view of `photo` centred on `centre`, `scale` photo
/// pixels per view pixel, rolled by `roll` radians; bilinear, edges
/// clamped.
fn sample_view(
    photo: &image::RgbaImage,
    centre: (f32, f32),
    scale: f32,
    roll: f32,
) -> image::RgbaImage {
    let (sin, cos) = roll.sin_cos();
    let (pw, ph) = (photo.width() as i64, photo.height() as i64);
    let texel = |x: i64, y: i64| {
        photo
            .get_pixel(x.clamp(0, pw - 1) as u32, y.clamp(0, ph - 1) as u32)
            .0
    };
    image::RgbaImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let (dx, dy) = (
            (x as f32 + 0.5 - WIDTH as f32 / 2.0) * scale,
            (y as f32 + 0.5 - HEIGHT as f32 / 2.0) * scale,
        );
        let sx = centre.0 + cos * dx - sin * dy - 0.5;
        let sy = centre.1 + sin * dx + cos * dy - 0.5;
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let mut out = [0u8; 4];
        for (c, value) in out.iter_mut().enumerate() {
            let top = texel(x0, y0)[c] as f32 * (1.0 - fx) + texel(x0 + 1, y0)[c] as f32 * fx;
            let bottom =
                texel(x0, y0 + 1)[c] as f32 * (1.0 - fx) + texel(x0 + 1, y0 + 1)[c] as f32 * fx;
            *value = (top * (1.0 - fy) + bottom * fy).round() as u8;
        }
        image::Rgba(out)
    })
}
