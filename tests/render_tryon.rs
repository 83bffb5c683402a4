//! The try-on renderer on lavapipe: the background is the frame unchanged,
//! garments land where the fitted body is, arms hide what they cross, and
//! the background outside the person stays as it was.

use drape::gpu::TextureReadback;
use drape::render::{Quality, ShadingLight, TryOnRenderer, TryOnScene};
use drape::upload::{FrameUploader, UploadOptions};
use drape::{Frame, GpuContext, PixelFormat};

fn gpu() -> GpuContext {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    GpuContext::headless().expect("a GPU adapter (lavapipe)")
}

fn noise(width: u32, height: u32) -> Vec<u8> {
    let mut state = 12345u32;
    (0..width * height * 4)
        .map(|i| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            if i % 4 == 3 {
                255
            } else {
                (state >> 24) as u8
            }
        })
        .collect()
}

/// A noise frame drawn by `renderer` with no body: (what came out, the
/// frame).
fn render_without_a_body(gpu: &GpuContext, mut renderer: TryOnRenderer) -> (Vec<u8>, Vec<u8>) {
    let (w, h) = (67, 45);
    let rgba = noise(w, h);
    let frame = Frame::new(rgba.clone(), PixelFormat::Rgba8, w, h).unwrap();
    let texture = FrameUploader::new(gpu)
        .upload(gpu, &frame, &UploadOptions { mirror: false })
        .unwrap();
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let scene = TryOnScene {
        frame: &texture,
        mask: None,
        rig: None,
        body: None,
        garments: &[],
        light: Some(ShadingLight::default()),
    };
    let output = renderer.encode(gpu, &mut encoder, &scene).unwrap();
    gpu.queue.submit([encoder.finish()]);
    (TextureReadback::new().read(gpu, &output).unwrap(), rgba)
}

#[test]
fn without_a_body_the_output_is_the_frame() {
    let gpu = gpu();
    let (out, rgba) = render_without_a_body(&gpu, TryOnRenderer::new(&gpu));
    let worst = out
        .iter()
        .zip(&rgba)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap();
    assert!(worst <= 1, "the background changed the frame by {worst}");
}

/// Economy quality draws the frame in its last pass, exactly.
#[test]
fn without_a_body_the_economy_output_is_the_frame() {
    let gpu = gpu();
    let renderer = TryOnRenderer::with_quality(&gpu, Quality::Economy);
    let (out, rgba) = render_without_a_body(&gpu, renderer);
    assert_eq!(out, rgba, "the economy path changed a frame with no body");
}
