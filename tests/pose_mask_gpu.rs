//! The GPU person mask (`GpuMask`, shaders/pose/mask.wgsl) against its
//! plain-Rust twin (`mask_in_image` + `PersonMask::smooth_with`) on random
//! logits: rotated regions partly outside the image, odd sizes, blending
//! across frames, frame-size changes and reset.

mod common;

use drape::gpu::GpuContext;
use drape::pose::crop::{CropGeometry, LANDMARK_INPUT_SIZE};
use drape::pose::mask::{mask_in_image, PersonMask};
use drape::pose::mask_gpu::{GpuMask, MASK_FORMAT};
use drape::pose::{NormalizedRect, PoseError};

/// The largest difference allowed between GPU and CPU probabilities: both
/// compute in f32, but the GPU's exp() and fused multiply-adds round
/// differently, which moves a bilinear weight by a few ulps of the mask
/// coordinate (~256).
const PROBABILITY_TOLERANCE: f32 = 1e-4;

const SIDE: u32 = LANDMARK_INPUT_SIZE;

/// Logits in [-8, 8] from a seeded generator, so failures reproduce.
fn random_logits(seed: u32) -> Vec<f32> {
    common::noise_bytes((SIDE * SIDE) as usize, seed)
        .iter()
        .map(|&b| (b as f32 - 127.5) / 16.0)
        .collect()
}

fn rect(x_center: f32, y_center: f32, width: f32, height: f32, rotation: f32) -> NormalizedRect {
    NormalizedRect {
        x_center,
        y_center,
        width,
        height,
        rotation,
    }
}

fn geometry(rect: &NormalizedRect, width: u32, height: u32) -> CropGeometry {
    CropGeometry::new(rect, width, height, SIDE, SIDE).expect("a valid region")
}

/// Encodes and submits one frame, then reads the mask back.
fn gpu_frame(
    gpu: &GpuContext,
    mask: &mut GpuMask,
    logits: &[f32],
    geometry: &CropGeometry,
) -> PersonMask {
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    mask.encode(gpu, &mut encoder, logits, geometry).unwrap();
    gpu.queue.submit([encoder.finish()]);
    let texture = mask.texture().expect("a mask after encode");
    assert_eq!(texture.format(), MASK_FORMAT);
    assert_eq!(
        (texture.width(), texture.height()),
        (geometry.source_width, geometry.source_height)
    );
    mask.read_to_cpu(gpu).unwrap().expect("a mask after encode")
}

fn assert_close(gpu: &PersonMask, cpu: &PersonMask, what: &str) {
    assert_eq!((gpu.width, gpu.height), (cpu.width, cpu.height), "{what}");
    let (mut worst, mut at) = (0.0f32, 0);
    for (i, (g, c)) in gpu.probabilities.iter().zip(&cpu.probabilities).enumerate() {
        let diff = (g - c).abs();
        if diff > worst || diff.is_nan() {
            (worst, at) = (diff, i);
        }
    }
    let (x, y) = (at % gpu.width as usize, at / gpu.width as usize);
    println!("{what}: largest difference {worst:e} at ({x}, {y})");
    assert!(
        worst <= PROBABILITY_TOLERANCE,
        "{what}: GPU and CPU differ by {worst} at ({x}, {y}): {} vs {}",
        gpu.probabilities[at],
        cpu.probabilities[at]
    );
    // Random logits must leave a mask worth comparing.
    assert!(
        cpu.probabilities.iter().any(|p| *p > 0.1),
        "{what}: empty mask"
    );
}

/// Blending must change the mask by far more than the tolerance, or the
/// blending tests could not tell a blended mask from an unblended one.
fn assert_blending_shows(unblended: &PersonMask, blended: &PersonMask) {
    let change = unblended
        .probabilities
        .iter()
        .zip(&blended.probabilities)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        change > 100.0 * PROBABILITY_TOLERANCE,
        "blending changed the mask by only {change}"
    );
}

#[test]
fn single_frames_match_the_cpu_warp() {
    let gpu = common::gpu();
    let mut mask = GpuMask::new(&gpu);
    let cases = [
        // Rotated and partly outside the image.
        (
            "rotated, partly outside",
            rect(0.8, 0.35, 0.9, 0.7, 0.6),
            173,
            131,
        ),
        // Odd sizes, not multiples of the 8×8 workgroup.
        ("odd size, tall", rect(0.5, 0.5, 0.6, 0.8, -0.3), 61, 97),
        ("odd size, small", rect(0.4, 0.6, 1.2, 1.1, 2.5), 7, 5),
        (
            "region inside, magnified",
            rect(0.5, 0.5, 0.2, 0.2, 0.0),
            301,
            203,
        ),
    ];
    for (i, (what, rect, width, height)) in cases.iter().enumerate() {
        let logits = random_logits(i as u32 + 1);
        let geometry = geometry(rect, *width, *height);
        // A fresh start for each case; sizes differ anyway.
        mask.reset();
        let ours = gpu_frame(&gpu, &mut mask, &logits, &geometry);
        let reference = mask_in_image(&logits, &geometry).unwrap();
        assert_close(&ours, &reference, what);
    }
}

#[test]
fn frames_blend_until_the_size_changes_or_a_reset() {
    let gpu = common::gpu();
    let mut mask = GpuMask::new(&gpu);
    let (w, h) = (157, 99);
    let rects = [
        rect(0.5, 0.5, 0.7, 0.9, 0.2),
        rect(0.55, 0.45, 0.75, 0.85, 0.3),
        rect(0.45, 0.5, 0.8, 0.8, 0.1),
    ];

    // Frames 1–3 at one size: each blends with the previous blended mask.
    let mut previous: Option<PersonMask> = None;
    for (i, r) in rects.iter().enumerate() {
        let logits = random_logits(10 + i as u32);
        let geometry = geometry(r, w, h);
        let ours = gpu_frame(&gpu, &mut mask, &logits, &geometry);
        let mut reference = mask_in_image(&logits, &geometry).unwrap();
        if let Some(previous) = &previous {
            let unblended = reference.clone();
            reference.smooth_with(previous);
            assert_blending_shows(&unblended, &reference);
        }
        assert_close(&ours, &reference, &format!("frame {}", i + 1));
        previous = Some(reference);
    }

    // A new frame size: nothing to blend with.
    let logits = random_logits(20);
    let resized = geometry(&rects[0], h, w);
    let ours = gpu_frame(&gpu, &mut mask, &logits, &resized);
    let unblended = mask_in_image(&logits, &resized).unwrap();
    assert_close(&ours, &unblended, "after a size change");

    // The next frame at that size blends again.
    let logits = random_logits(21);
    let next = geometry(&rects[1], h, w);
    let ours = gpu_frame(&gpu, &mut mask, &logits, &next);
    let mut last = mask_in_image(&logits, &next).unwrap();
    last.smooth_with(&unblended);
    assert_close(&ours, &last, "after a size change, blended");

    // Reset: no mask until the next frame, which is not blended.
    mask.reset();
    assert!(mask.texture().is_none());
    assert!(mask.read_to_cpu(&gpu).unwrap().is_none());
    let logits = random_logits(22);
    let ours = gpu_frame(&gpu, &mut mask, &logits, &next);
    let reference = mask_in_image(&logits, &next).unwrap();
    assert_close(&ours, &reference, "after reset");
    let mut wrongly_blended = reference.clone();
    wrongly_blended.smooth_with(&last);
    assert_blending_shows(&reference, &wrongly_blended);
}

#[test]
fn logits_in_a_padded_gpu_buffer_match() {
    // The GPU executor leaves the segmentation output with its last
    // dimension padded to 4: read every 4th f32.
    let gpu = common::gpu();
    let mut mask = GpuMask::new(&gpu);
    let logits = random_logits(30);
    let padded: Vec<f32> = logits.iter().flat_map(|&l| [l, 9.0, -9.0, 9.0]).collect();
    let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("padded logits"),
        size: (padded.len() * 4) as u64,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    gpu.queue
        .write_buffer(&buffer, 0, bytemuck::cast_slice(&padded));
    let geometry = geometry(&rect(0.3, 0.6, 0.8, 0.6, -0.8), 123, 85);
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    mask.encode_buffer(&gpu, &mut encoder, &buffer, 4, &geometry)
        .unwrap();
    gpu.queue.submit([encoder.finish()]);
    let ours = mask.read_to_cpu(&gpu).unwrap().unwrap();
    let reference = mask_in_image(&logits, &geometry).unwrap();
    assert_close(&ours, &reference, "stride 4");

    // A buffer too small for its stride is refused.
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let result = mask.encode_buffer(&gpu, &mut encoder, &buffer, 5, &geometry);
    assert!(
        matches!(result, Err(PoseError::OutputSize { .. })),
        "{result:?}"
    );
}

#[test]
fn bad_inputs_are_errors() {
    let gpu = common::gpu();
    let mut mask = GpuMask::new(&gpu);
    let mut encoder = gpu.device.create_command_encoder(&Default::default());

    let geometry = geometry(&rect(0.5, 0.5, 0.5, 0.5, 0.0), 64, 48);
    let short = vec![0.0f32; (SIDE * SIDE - 1) as usize];
    let result = mask.encode(&gpu, &mut encoder, &short, &geometry);
    assert!(
        matches!(
            result,
            Err(PoseError::OutputSize {
                expected: 65536,
                actual: 65535,
                ..
            })
        ),
        "{result:?}"
    );

    // An image beyond the device's texture limit.
    let limit = gpu.device.limits().max_texture_dimension_2d;
    let huge =
        CropGeometry::new(&rect(0.5, 0.5, 0.5, 0.5, 0.0), limit + 1, 16, SIDE, SIDE).unwrap();
    let result = mask.encode(&gpu, &mut encoder, &random_logits(1), &huge);
    assert!(result.is_err(), "a {}x16 mask was accepted", limit + 1);

    // Nothing was encoded.
    assert!(mask.texture().is_none());
}
