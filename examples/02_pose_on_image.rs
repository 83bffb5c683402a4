//! 02 — find the body in a photo.
//!
//! Loads an image, runs MediaPipe's BlazePose pipeline (detector → region →
//! landmark model) on drape's runtime, and prints where the shoulders and
//! hips are, how wide the shoulders are, and how much of the picture the
//! person covers.
//!
//! ```sh
//! cargo run --release --example 02_pose_on_image -- [IMAGE]
//! ```

use drape::capture::{open_source, InputOptions, SourceSpec};
use drape::pose::{BodyLandmark, PoseConfig, PoseTracker};
use drape::upload::cpu::convert_to_rgba;
use drape::GpuContext;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or("tests/data/reference/media/astronaut.png".into());

    // Any source works; a photo yields one frame.
    let options = InputOptions::default();
    let mut source = open_source(&SourceSpec::parse(&path, &options)?, &options)?;
    let frame = source.next_frame()?.ok_or("the image has no frame")?;
    // The pose stage takes RGBA; the CPU twin of the upload shader makes it.
    let rgba = convert_to_rgba(&frame, false);

    // Static mode: the detector runs on this frame, nothing is smoothed.
    // The executor is chosen for the GPU at hand (the CPU on a software one).
    let gpu = GpuContext::headless()?;
    let config = PoseConfig {
        static_mode: true,
        ..PoseConfig::default()
    };
    let mut tracker = PoseTracker::new(&gpu, config)?;
    let Some(body) = tracker.process(&rgba, frame.width, frame.height, frame.timestamp)? else {
        println!("{path}: no person found");
        return Ok(());
    };

    // Landmarks are normalised to the image: multiply by its size for pixels.
    let px = |[x, y]: [f32; 2]| (x * frame.width as f32, y * frame.height as f32);
    println!("{path}: pose score {:.2}", body.pose_score);
    println!(
        "  shoulder centre {:?} px, hip centre {:?} px",
        px(body.shoulder_center()),
        px(body.hip_center())
    );
    println!(
        "  shoulder width {:.2} m (world landmarks)",
        body.shoulder_width_m()
    );
    let nose = body.landmark(BodyLandmark::Nose);
    println!(
        "  nose at ({:.3}, {:.3}), visibility {:.2}",
        nose.x, nose.y, nose.visibility
    );
    if let Some(mask) = &body.mask {
        println!(
            "  the person covers {:.0} % of the image",
            mask.area_fraction() * 100.0
        );
    }
    Ok(())
}
