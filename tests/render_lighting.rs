//! The room's light from the frame: `LightEstimator`
//! (shaders/render/light_estimate.wgsl) against its plain-Rust twin
//! `estimate_cpu`, on frames whose answer is known: uniform grey (no
//! direction), bright left (light from −X), bright top (from +Y), with and
//! without a person mask, and the blending over time.

mod common;

use drape::gpu::{texture_2d, GpuContext, GpuError};
use drape::render::lighting::{
    estimate_cpu, AmbientLight, LightEstimator, LightParams, LightUniform, FRAME_FORMAT,
};
use glam::Vec3;

/// The largest GPU−CPU difference of any SH coefficient or colour, as a
/// fraction of the brightest channel of band 0. The GPU sums in f32 over a
/// tree (the CPU in f64 in order) and its pow() rounds differently; band 1
/// is a difference of two sums about as large as band 0. lavapipe: ≤ 3e-7.
const RELATIVE_TOLERANCE: f32 = 1e-5;

/// The largest difference between GPU and CPU dominant directions (unit
/// vectors), where band 1 is well above the flat threshold. lavapipe: ≤ 1e-5
/// (on colour noise, whose band 1 is 1e-3 of band 0).
const DIRECTION_TOLERANCE: f32 = 1e-3;

/// Odd sizes, so the last samples stand for fewer pixels and the last
/// workgroups are partly empty.
const WIDTH: u32 = 203;
const HEIGHT: u32 = 117;

use drape::render::srgb::srgb_byte_to_linear as srgb_to_linear;

/// An RGBA frame whose pixel (x, y) has the grey level `level(x, y)`.
fn frame(width: u32, height: u32, level: impl Fn(u32, u32) -> u8) -> Vec<u8> {
    (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .flat_map(|(x, y)| {
            let v = level(x, y);
            [v, v, v, 255]
        })
        .collect()
}

fn bright_left(width: u32, height: u32) -> Vec<u8> {
    frame(width, height, |x, _| if x < width / 2 { 240 } else { 40 })
}

fn bright_top(width: u32, height: u32) -> Vec<u8> {
    frame(width, height, |_, y| {
        (255 * (height - 1 - y) / (height - 1)) as u8
    })
}

fn texture(
    gpu: &GpuContext,
    format: wgpu::TextureFormat,
    width: u32,
    height: u32,
    bytes: &[u8],
) -> wgpu::Texture {
    let texture = texture_2d(
        &gpu.device,
        "test input",
        (width, height),
        format,
        wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
    );
    gpu.queue.write_texture(
        texture.as_image_copy(),
        bytes,
        wgpu::TexelCopyBufferLayout {
            offset: 0,
            bytes_per_row: Some(width * 4),
            rows_per_image: Some(height),
        },
        texture.size(),
    );
    texture
}

fn frame_texture(gpu: &GpuContext, rgba: &[u8], width: u32, height: u32) -> wgpu::Texture {
    texture(gpu, FRAME_FORMAT, width, height, rgba)
}

fn mask_texture(gpu: &GpuContext, mask: &[f32], width: u32, height: u32) -> wgpu::Texture {
    let format = drape::pose::mask_gpu::MASK_FORMAT;
    texture(gpu, format, width, height, bytemuck::cast_slice(mask))
}

/// Encodes and submits one frame, then reads the running estimate back.
fn gpu_frame(
    gpu: &GpuContext,
    estimator: &mut LightEstimator,
    frame: &wgpu::Texture,
    mask: Option<&wgpu::Texture>,
) -> AmbientLight {
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    estimator.encode(gpu, &mut encoder, frame, mask).unwrap();
    gpu.queue.submit([encoder.finish()]);
    estimator.read(gpu).unwrap()
}

/// One frame through a fresh estimator (no blending) and through the CPU.
fn both(
    gpu: &GpuContext,
    rgba: &[u8],
    mask: Option<&[f32]>,
    params: LightParams,
) -> (AmbientLight, AmbientLight) {
    let mut estimator = LightEstimator::with_params(gpu, params);
    let frame = frame_texture(gpu, rgba, WIDTH, HEIGHT);
    let mask_texture = mask.map(|m| mask_texture(gpu, m, WIDTH, HEIGHT));
    let on_gpu = gpu_frame(gpu, &mut estimator, &frame, mask_texture.as_ref());
    let on_cpu = estimate_cpu(rgba, WIDTH, HEIGHT, mask, &params).unwrap();
    (on_gpu, on_cpu)
}

fn assert_close(gpu: &AmbientLight, cpu: &AmbientLight, what: &str) {
    let scale = cpu.sh[0].iter().fold(1e-6f32, |a, &b| a.max(b.abs()));
    let mut worst = 0.0f32;
    let pairs = gpu
        .sh
        .iter()
        .zip(&cpu.sh)
        .chain([(&gpu.dominant_color, &cpu.dominant_color)])
        .chain([(&gpu.ambient_color, &cpu.ambient_color)]);
    for (g, c) in pairs {
        for (g, c) in g.iter().zip(c) {
            worst = worst.max((g - c).abs() / scale);
        }
    }
    let direction = (gpu.dominant_direction - cpu.dominant_direction)
        .abs()
        .max_element();
    println!("{what}: relative difference {worst:e}, direction {direction:e}\n  gpu {gpu:?}\n  cpu {cpu:?}");
    assert!(
        worst <= RELATIVE_TOLERANCE,
        "{what}: GPU and CPU differ by {worst} of band 0\n  gpu {gpu:?}\n  cpu {cpu:?}"
    );
    assert!(
        direction <= DIRECTION_TOLERANCE,
        "{what}: directions differ by {direction}"
    );
}

fn assert_flat(light: &AmbientLight, expected_radiance: f32, what: &str) {
    let expected = std::f32::consts::PI * expected_radiance;
    assert_eq!(light.dominant_direction, Vec3::Z, "{what}: {light:?}");
    assert_eq!(light.dominant_color, [0.0; 3], "{what}");
    for c in 0..3 {
        assert!(
            (light.sh[0][c] - expected).abs() <= 1e-5 * expected,
            "{what}: {light:?}"
        );
        assert!(
            (light.ambient_color[c] - expected).abs() <= 1e-5 * expected,
            "{what}"
        );
        for m in 1..4 {
            assert!(light.sh[m][c].abs() <= 1e-5 * expected, "{what}: {light:?}");
        }
    }
    for normal in [Vec3::X, -Vec3::X, Vec3::Y, -Vec3::Z] {
        let e = light.irradiance(normal);
        assert!(
            (e[0] - expected).abs() <= 1e-4 * expected,
            "{what}: E({normal}) = {e:?}"
        );
    }
}

#[test]
fn uniform_grey_is_ambient_only() {
    let gpu = common::gpu();
    let rgba = frame(WIDTH, HEIGHT, |_, _| 128);
    for params in [
        LightParams::default(),
        LightParams {
            stride_px: 1,
            horizontal_fov_deg: 90.0,
            ..LightParams::default()
        },
    ] {
        let (on_gpu, on_cpu) = both(&gpu, &rgba, None, params);
        assert_close(&on_gpu, &on_cpu, "grey");
        assert_flat(&on_cpu, srgb_to_linear(128), "grey on the CPU");
        assert_flat(&on_gpu, srgb_to_linear(128), "grey on the GPU");
    }
}

#[test]
fn bright_left_half_is_light_from_minus_x() {
    let gpu = common::gpu();
    let (on_gpu, on_cpu) = both(
        &gpu,
        &bright_left(WIDTH, HEIGHT),
        None,
        LightParams::default(),
    );
    assert_close(&on_gpu, &on_cpu, "bright left");
    for light in [&on_gpu, &on_cpu] {
        let d = light.dominant_direction;
        assert!(d.x < -0.9 && d.y.abs() < 0.05, "{d}");
        assert!(light.dominant_color.iter().all(|&c| c > 0.0));
        let (left, right) = (light.irradiance(-Vec3::X), light.irradiance(Vec3::X));
        assert!(left[1] > right[1], "E(-X) = {left:?}, E(+X) = {right:?}");
    }
}

#[test]
fn bright_top_is_light_from_plus_y() {
    let gpu = common::gpu();
    let params = LightParams {
        stride_px: 3,
        ..LightParams::default()
    };
    let (on_gpu, on_cpu) = both(&gpu, &bright_top(WIDTH, HEIGHT), None, params);
    assert_close(&on_gpu, &on_cpu, "bright top");
    for light in [&on_gpu, &on_cpu] {
        let d = light.dominant_direction;
        assert!(d.y > 0.9 && d.x.abs() < 0.05, "{d}");
        assert!(light.irradiance(Vec3::Y)[0] > light.irradiance(-Vec3::Y)[0]);
    }
}

#[test]
fn the_person_mask_removes_their_pixels() {
    let gpu = common::gpu();
    // A bright shirt in the middle of a grey room, masked out exactly: what
    // remains is a uniform room.
    let shirt = |x: u32, y: u32| (60..140).contains(&x) && y > 30;
    let rgba = frame(WIDTH, HEIGHT, |x, y| if shirt(x, y) { 255 } else { 100 });
    let mask: Vec<f32> = (0..HEIGHT)
        .flat_map(|y| (0..WIDTH).map(move |x| if shirt(x, y) { 1.0 } else { 0.0 }))
        .collect();
    let (on_gpu, on_cpu) = both(&gpu, &rgba, Some(&mask), LightParams::default());
    assert_close(&on_gpu, &on_cpu, "masked shirt");
    assert_flat(&on_cpu, srgb_to_linear(100), "masked shirt on the CPU");
    assert_flat(&on_gpu, srgb_to_linear(100), "masked shirt on the GPU");

    // Unmasked, the shirt brightens the room and tilts it downwards.
    let (unmasked, _) = both(&gpu, &rgba, None, LightParams::default());
    assert!(unmasked.sh[0][0] > on_gpu.sh[0][0] * 1.2, "{unmasked:?}");
    assert!(unmasked.dominant_direction.y < 0.0, "{unmasked:?}");
}

#[test]
fn soft_mask_matches_cpu() {
    let gpu = common::gpu();
    let mask: Vec<f32> = common::noise_bytes((WIDTH * HEIGHT) as usize, 7)
        .iter()
        .map(|&b| b as f32 / 255.0)
        .collect();
    let (on_gpu, on_cpu) = both(
        &gpu,
        &bright_left(WIDTH, HEIGHT),
        Some(&mask),
        LightParams::default(),
    );
    assert_close(&on_gpu, &on_cpu, "bright left, soft mask");
    assert!(on_gpu.dominant_direction.x < -0.9);
    // Colour noise with a noise mask: every channel differs.
    let rgba = common::noise_bytes((WIDTH * HEIGHT * 4) as usize, 11);
    let (on_gpu, on_cpu) = both(&gpu, &rgba, Some(&mask), LightParams::default());
    assert_close(&on_gpu, &on_cpu, "noise, soft mask");
}

#[test]
fn estimates_blend_over_time_until_reset() {
    let gpu = common::gpu();
    let params = LightParams::default();
    let grey = frame(WIDTH, HEIGHT, |_, _| 90);
    let left = bright_left(WIDTH, HEIGHT);
    let grey_cpu = estimate_cpu(&grey, WIDTH, HEIGHT, None, &params).unwrap();
    let left_cpu = estimate_cpu(&left, WIDTH, HEIGHT, None, &params).unwrap();

    let mut estimator = LightEstimator::with_params(&gpu, params);
    let (grey_texture, left_texture) = (
        frame_texture(&gpu, &grey, WIDTH, HEIGHT),
        frame_texture(&gpu, &left, WIDTH, HEIGHT),
    );
    let first = gpu_frame(&gpu, &mut estimator, &grey_texture, None);
    assert_close(&first, &grey_cpu, "first frame");
    let second = gpu_frame(&gpu, &mut estimator, &left_texture, None);
    let expected = AmbientLight::blended(&grey_cpu, &left_cpu, params.new_frame_weight);
    assert_close(&second, &expected, "blended");
    let third = gpu_frame(&gpu, &mut estimator, &left_texture, None);
    let expected = AmbientLight::blended(&expected, &left_cpu, params.new_frame_weight);
    assert_close(&third, &expected, "blended twice");

    estimator.reset();
    let after_reset = gpu_frame(&gpu, &mut estimator, &left_texture, None);
    assert_close(&after_reset, &left_cpu, "after reset");
}

#[test]
fn light_buffer_is_a_uniform_light() {
    let gpu = common::gpu();
    let mut estimator = LightEstimator::new(&gpu);
    let buffer = estimator.light_buffer();
    assert_eq!(buffer.size(), std::mem::size_of::<LightUniform>() as u64);
    assert_eq!(std::mem::size_of::<LightUniform>() % 16, 0);
    assert!(buffer.usage().contains(wgpu::BufferUsages::UNIFORM));
    // Before any frame: no light, from +Z.
    assert_eq!(estimator.read(&gpu).unwrap(), AmbientLight::DARK);
    let light = estimate_cpu(&bright_left(8, 8), 8, 8, None, &LightParams::default()).unwrap();
    assert_eq!(AmbientLight::from(&LightUniform::from(&light)), light);
}

#[test]
fn a_directional_light_decomposes_exactly() {
    // A light of irradiance D from d projects to sh = (D/4, D·d/2).
    let d = Vec3::new(-0.6, 0.64, 0.48);
    let strength = [2.0, 1.0, 0.5];
    let ambient = [0.3, 0.2, 0.1];
    let sh = std::array::from_fn(|m| {
        std::array::from_fn(|c| match m {
            0 => strength[c] / 4.0 + ambient[c],
            _ => strength[c] * d[m - 1] / 2.0,
        })
    });
    let light = AmbientLight::from_irradiance_sh(sh);
    assert!((light.dominant_direction - d).length() < 1e-6, "{light:?}");
    for c in 0..3 {
        assert!((light.dominant_color[c] - strength[c]).abs() < 1e-6);
        assert!((light.ambient_color[c] - ambient[c]).abs() < 1e-6);
    }
    // Facing the light: ambient + D/4 + D/2 (the SH's smooth cosine).
    let e = light.irradiance(d);
    assert!((e[0] - (0.3 + 2.0 * 0.75)).abs() < 1e-5, "{e:?}");
}

#[test]
fn bad_inputs_are_errors() {
    let gpu = common::gpu();
    let params = LightParams::default();
    let rgba = frame(4, 4, |_, _| 10);
    assert!(matches!(
        estimate_cpu(&rgba[..60], 4, 4, None, &params),
        Err(GpuError::InvalidFrame(_))
    ));
    assert!(matches!(
        estimate_cpu(&rgba, 4, 4, Some(&[0.0; 15]), &params),
        Err(GpuError::InvalidFrame(_))
    ));
    assert!(estimate_cpu(&[], 0, 0, None, &params).is_err());

    let mut estimator = LightEstimator::new(&gpu);
    let frame = frame_texture(&gpu, &rgba, 4, 4);
    let small_mask = mask_texture(&gpu, &[0.0; 4], 2, 2);
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    assert!(matches!(
        estimator.encode(&gpu, &mut encoder, &frame, Some(&small_mask)),
        Err(GpuError::InvalidFrame(_))
    ));
    // A mask where the frame should be: wrong format.
    let as_frame = mask_texture(&gpu, &[0.0; 16], 4, 4);
    assert!(matches!(
        estimator.encode(&gpu, &mut encoder, &as_frame, None),
        Err(GpuError::InvalidFrame(_))
    ));
}
