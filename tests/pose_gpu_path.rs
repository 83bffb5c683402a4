//! The tracker's GPU-resident path (crop from the working texture → GPU
//! network → mask on the GPU, one submission) against its CPU path on the
//! first tracked frames of the panning clip.

use std::path::PathBuf;
use std::time::Duration;

use drape::nn::Backend;
use drape::pose::{PoseConfig, PoseTracker};
use drape::{Frame, Mirror, MirrorConfig, PixelFormat};

/// The GPU executor against the CPU one moves landmarks by float noise;
/// the region then follows from them.
const MAX_LANDMARK_DIFFERENCE: f32 = 2e-3;
/// Mask probabilities after two slightly different networks.
const MAX_MASK_AREA_DIFFERENCE: f32 = 2e-3;

#[test]
fn gpu_resident_tracking_matches_the_cpu_path() {
    let gpu = drape::GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let config = |backend| PoseConfig {
        backend,
        gpu_mask: true,
        ..PoseConfig::default()
    };
    let mut on_cpu = PoseTracker::new(&gpu, config(Backend::Cpu)).unwrap();
    let mut on_gpu = PoseTracker::new(&gpu, config(Backend::Gpu)).unwrap();
    let mut mirror = Mirror::new(&gpu, MirrorConfig { mirror: false });
    let photo = image::open(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/reference/media/basketball1.png"),
    )
    .unwrap()
    .into_rgba8();
    for t in 0..3u32 {
        let crop = image::imageops::crop_imm(&photo, t * 2, 0, 600, 480).to_image();
        let timestamp = Duration::from_micros(33_333 * (t as u64 + 1));
        let frame = Frame::new(crop.into_raw(), PixelFormat::Rgba8, 600, 480)
            .unwrap()
            .with_timestamp(timestamp, t as u64);
        let texture = mirror.process(&frame).unwrap();
        let expected = on_cpu
            .process(&frame.data, 600, 480, timestamp)
            .unwrap()
            .expect("a person on the CPU path");
        let expected_mask = on_cpu.read_mask().unwrap().expect("a mask");
        // The CPU frame is given on the last frame only: on the first the
        // detector must run, so the tracker reads the texture back; on the
        // second it tracks and needs no CPU pixels at all.
        assert_eq!(on_gpu.needs_cpu_frame(), t == 0, "frame {t}");
        let cpu_frame = (t == 2).then_some(frame.data.as_slice());
        let actual = on_gpu
            .process_with_texture(cpu_frame, &texture, timestamp)
            .unwrap()
            .expect("a person on the GPU path");
        let worst = actual
            .landmarks
            .iter()
            .zip(&expected.landmarks)
            .map(|(a, b)| (a.x - b.x).abs().max((a.y - b.y).abs()))
            .fold(0.0f32, f32::max);
        assert!(worst <= MAX_LANDMARK_DIFFERENCE, "frame {t}: {worst}");
        let mask = on_gpu.read_mask().unwrap().expect("a GPU mask");
        let area_difference = (mask.area_fraction() - expected_mask.area_fraction()).abs();
        assert!(
            area_difference <= MAX_MASK_AREA_DIFFERENCE,
            "frame {t}: mask area {area_difference}"
        );
    }
}
