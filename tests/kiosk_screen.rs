//! The kiosk's screen pass (shaders/kiosk/screen.wgsl) against its plain
//! Rust reference, in every rotation, with a picture, a UI layer, the hover
//! ring and a flash.

mod common;

use drape::gpu::{texture_2d_descriptor, TextureReadback};
use drape::kiosk::screen::screen_cpu;
use drape::kiosk::{CanvasRect, Ring, Rotation, ScreenParams, ScreenRenderer, UiCanvas};
use glam::Vec2;
use wgpu::util::DeviceExt;

/// Nearest (reference) against linear (shader) sampling differs at the
/// picture's block edges and the ring's anti-aliased rim: most pixels
/// agree within a rounding step, a thin seam may not.
const CLOSE: u8 = 3;
/// The share of pixels allowed beyond `CLOSE` (edges, the rim).
const SEAM_SHARE: f64 = 0.06;

fn picture() -> (Vec<u8>, (u32, u32)) {
    // 8×6 blocks of flat colour, 64×48: smooth inside each block.
    let (w, h) = (64u32, 48u32);
    let mut rgba = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let (bx, by) = (x / 8, y / 8);
            rgba.extend([(bx * 30) as u8, (by * 40) as u8, 200 - (bx * 10) as u8, 255]);
        }
    }
    (rgba, (w, h))
}

#[test]
fn the_screen_pass_matches_its_reference_in_every_rotation() {
    let gpu = common::gpu();
    let (rgba, size) = picture();
    let texture = gpu.device.create_texture_with_data(
        &gpu.queue,
        &texture_2d_descriptor(
            "picture",
            size,
            wgpu::TextureFormat::Rgba8Unorm,
            wgpu::TextureUsages::TEXTURE_BINDING,
        ),
        wgpu::util::TextureDataOrder::LayerMajor,
        &rgba,
    );
    let mut renderer = ScreenRenderer::new(&gpu);
    for rotation in [
        Rotation::Deg0,
        Rotation::Deg90,
        Rotation::Deg180,
        Rotation::Deg270,
    ] {
        let screen = (60u32, 100u32);
        let canvas = rotation.canvas_size(screen);
        let mut ui = UiCanvas::new(canvas.0, canvas.1);
        // A panel in the canvas's top-left corner: its place on the screen
        // shows the rotation.
        ui.rounded_rect(
            CanvasRect {
                x: 0,
                y: 0,
                width: canvas.0 / 2,
                height: canvas.1 / 4,
            },
            0.0,
            [250, 250, 0],
            0.8,
        );
        renderer.set_ui(&gpu, &ui.rgba, canvas).unwrap();
        let params = ScreenParams {
            rotation,
            dim: 0.2,
            flash: 0.1,
            ring: Some(Ring {
                centre_px: Vec2::new(canvas.0 as f32 * 0.5, canvas.1 as f32 * 0.6),
                radius_px: 12.0,
                stroke_px: 4.0,
                fraction: 0.4,
                colour: [255, 0, 0],
            }),
            background: [10, 20, 30],
        };
        let shown = renderer
            .render(&gpu, Some(&texture), screen, &params)
            .unwrap();
        assert_eq!((shown.width(), shown.height()), screen);
        let gpu_rgba = TextureReadback::new().read(&gpu, &shown).unwrap();
        let cpu_rgba = screen_cpu(Some((&rgba, size)), &ui.rgba, screen, &params);
        let far = gpu_rgba
            .iter()
            .zip(&cpu_rgba)
            .filter(|(a, b)| a.abs_diff(**b) > CLOSE)
            .count();
        let share = far as f64 / gpu_rgba.len() as f64;
        assert!(
            share <= SEAM_SHARE,
            "{rotation:?}: {:.1}% of channels differ by more than {CLOSE}",
            share * 100.0
        );
        // The panel's yellow lands in the screen corner the rotation says.
        let corner = rotation.screen_from_canvas(Vec2::new(0.05, 0.05));
        let (x, y) = (
            (corner.x * screen.0 as f32) as usize,
            (corner.y * screen.1 as f32) as usize,
        );
        let x = x.min(screen.0 as usize - 1);
        let y = y.min(screen.1 as usize - 1);
        let i = (y * screen.0 as usize + x) * 4;
        assert!(
            gpu_rgba[i] > 200 && gpu_rgba[i + 1] > 200 && gpu_rgba[i + 2] < 120,
            "{rotation:?}: {:?}",
            &gpu_rgba[i..i + 4]
        );
    }
}

#[test]
fn without_a_picture_the_screen_is_the_background_under_the_ui() {
    let gpu = common::gpu();
    let mut renderer = ScreenRenderer::new(&gpu);
    let params = ScreenParams {
        rotation: Rotation::Deg0,
        dim: 0.0,
        flash: 0.0,
        ring: None,
        background: [10, 20, 30],
    };
    let shown = renderer.render(&gpu, None, (16, 16), &params).unwrap();
    let rgba = TextureReadback::new().read(&gpu, &shown).unwrap();
    assert!(
        rgba.chunks_exact(4).all(|p| p == [10, 20, 30, 255]),
        "{:?}",
        &rgba[..8]
    );
}
