//! Rebuilds `assets/samples/sample_reel.y4m`, the clip `drape` dresses when
//! run with no command: two shots, as a hand-held camera drifting in front
//! of a person.
//!
//! 1. The astronaut photo: a slow pan, zoom and slight roll; frontal,
//!    arms at her sides.
//! 2. Two consecutive frames of a real video (OpenCV's `basketball1.png`
//!    and `basketball2.png`): a man holds a ball with his forearm across
//!    his chest, so the garment must go behind his arm. The camera zooms
//!    in slowly; halfway through, the second frame follows the first.
//!
//! Two black frames between the shots, a cut through black, let tracking
//! lose the first person, so the second is found afresh (straight after a
//! plain cut MediaPipe's tracking, and so drape's, would keep the first
//! person's region for a few frames).
//!
//! ```sh
//! cargo run --release --example make_sample_clip
//! ```

use std::path::Path;

use drape::output::{FrameSink, RgbaFrame, Y4mSink};

const WIDTH: u32 = 320;
const HEIGHT: u32 = 240;
const FPS: f64 = 15.0;
/// Black frames between shots.
const CUT_FRAMES: u32 = 2;

/// A view of a photo: its centre and width in photo pixels (the height
/// follows from the clip's aspect ratio).
#[derive(Clone, Copy)]
struct View {
    centre: (f32, f32),
    width: f32,
}

/// Frames moving the camera from one view to another over `photos`, each
/// photo shown for an equal share of the shot, in order.
struct Shot {
    photos: &'static [&'static str],
    frames: u32,
    from: View,
    to: View,
    /// Peak roll, one way and back over the shot.
    roll_degrees: f32,
}

const SHOTS: [Shot; 2] = [
    Shot {
        photos: &["astronaut.png"],
        frames: 32,
        from: View {
            centre: (256.0, 230.0),
            width: 512.0,
        },
        to: View {
            centre: (307.0, 215.0),
            width: 410.0,
        },
        roll_degrees: 3.0,
    },
    Shot {
        photos: &["basketball1.png", "basketball2.png"],
        frames: 24,
        from: View {
            centre: (180.0, 195.0),
            width: 360.0,
        },
        to: View {
            centre: (165.0, 195.0),
            width: 310.0,
        },
        roll_degrees: -2.0,
    },
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples");
    let out = root.join("sample_reel.y4m");
    let mut sink = Y4mSink::new(Some(&out), FPS)?;
    let mut index = 0u64;
    for (n, shot) in SHOTS.iter().enumerate() {
        if n > 0 {
            let black = image::RgbaImage::from_pixel(WIDTH, HEIGHT, image::Rgba([0, 0, 0, 255]));
            for _ in 0..CUT_FRAMES {
                write(&mut sink, &black, &mut index)?;
            }
        }
        let photos = shot
            .photos
            .iter()
            .map(|name| Ok(image::open(root.join(name))?.into_rgba8()))
            .collect::<Result<Vec<_>, image::ImageError>>()?;
        for i in 0..shot.frames {
            let t = i as f32 / (shot.frames - 1) as f32;
            // Ease in and out, as a hand would.
            let eased = t * t * (3.0 - 2.0 * t);
            let lerp = |a: f32, b: f32| a + (b - a) * eased;
            let width = lerp(shot.from.width, shot.to.width);
            let centre = (
                lerp(shot.from.centre.0, shot.to.centre.0),
                lerp(shot.from.centre.1, shot.to.centre.1),
            );
            let roll = shot.roll_degrees.to_radians() * (std::f32::consts::TAU * t).sin();
            let photo = &photos[(i * photos.len() as u32 / shot.frames) as usize];
            let frame = sample_view(photo, centre, width / WIDTH as f32, roll);
            write(&mut sink, &frame, &mut index)?;
        }
    }
    sink.finish()?;
    println!("wrote {} ({index} frames)", out.display());
    Ok(())
}

fn write(sink: &mut Y4mSink, frame: &image::RgbaImage, index: &mut u64) -> drape::Result<()> {
    sink.write_frame(&RgbaFrame {
        data: frame.as_raw(),
        width: WIDTH,
        height: HEIGHT,
        index: *index,
        timestamp: std::time::Duration::from_secs_f64(*index as f64 / FPS),
    })?;
    *index += 1;
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
