//! Rebuilds `assets/samples/astronaut_pan.y4m`, the clip `drape` renders
//! when run with no command: a slow pan and zoom over a still photo, as a
//! camera drifting in front of a person.
//!
//! ```sh
//! cargo run --release --example make_sample_clip
//! ```

use std::path::Path;

use drape::output::{FrameSink, RgbaFrame, Y4mSink};
use image::imageops::{self, FilterType};

const WIDTH: u32 = 320;
const HEIGHT: u32 = 240;
const FRAMES: u32 = 30;
const FPS: f64 = 15.0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples");
    let photo = image::open(root.join("astronaut.png"))?.into_rgba8();
    let out = root.join("astronaut_pan.y4m");
    let mut sink = Y4mSink::new(Some(&out), FPS)?;
    for i in 0..FRAMES {
        let t = i as f32 / (FRAMES - 1) as f32;
        // Zoom from the whole width to 80 % of it while panning right.
        let crop_w = (photo.width() as f32 * (1.0 - 0.2 * t)) as u32;
        let crop_h = crop_w * HEIGHT / WIDTH;
        let x = ((photo.width() - crop_w) as f32 * t) as u32;
        let y = ((photo.height() - crop_h) as f32 * 0.3) as u32;
        let crop = imageops::crop_imm(&photo, x, y, crop_w, crop_h).to_image();
        let frame = imageops::resize(&crop, WIDTH, HEIGHT, FilterType::Triangle);
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
