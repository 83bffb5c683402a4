//! The try-on's last pass (soft garment edges, the contact shadow): the
//! GPU pass against its CPU twin on a drawn coverage and mask.

use drape::gpu::{texture_2d_descriptor, TextureReadback};
use drape::render::compose::{compose_cpu, ComposeInputs, ComposeUniform, Composer};
use drape::GpuContext;
use wgpu::util::DeviceExt;

/// 8-bit sRGB in and out on both sides: a level of rounding (two where
/// the shadow's twelve taps add up floats in another order).
const TOLERANCE_LEVELS: u8 = 2;

fn srgb_to_linear(c: u8) -> f32 {
    let c = c as f32 / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn linear_to_srgb(c: f32) -> u8 {
    let c = if c <= 0.0031308 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    };
    (c.clamp(0.0, 1.0) * 255.0).round() as u8
}

#[test]
fn the_gpu_composes_exactly_as_the_cpu_does() {
    let gpu = GpuContext::headless().expect("a GPU adapter (lavapipe)");
    let (w, h) = (48u32, 40u32);
    // A diagonal garment edge over a striped background.
    let covered: Vec<bool> = (0..w * h)
        .map(|i| {
            let (x, y) = ((i % w) as i32, (i / w) as i32);
            2 * x + y > 50
        })
        .collect();
    let rgba: Vec<u8> = (0..w * h)
        .flat_map(|i| {
            let (x, y) = (i % w, i / w);
            if covered[i as usize] {
                [40, 50, 110, 255]
            } else if (x + y) % 4 < 2 {
                [230, 220, 200, 255]
            } else {
                [90, 140, 60, 255]
            }
        })
        .collect();
    let texture = |label, format, data: &[u8]| {
        gpu.device.create_texture_with_data(
            &gpu.queue,
            &texture_2d_descriptor(label, (w, h), format, wgpu::TextureUsages::TEXTURE_BINDING),
            wgpu::util::TextureDataOrder::LayerMajor,
            data,
        )
    };
    let dressed = texture("dressed", wgpu::TextureFormat::Rgba8UnormSrgb, &rgba);
    let coverage_bytes: Vec<u8> = covered.iter().map(|c| if *c { 255 } else { 0 }).collect();
    let coverage = texture("coverage", wgpu::TextureFormat::R8Unorm, &coverage_bytes);
    // The person: everything left of x = 30.
    let person: Vec<f32> = (0..w * h)
        .map(|i| f32::from(u8::from(i % w < 30)))
        .collect();
    let mask = texture(
        "mask",
        wgpu::TextureFormat::R32Float,
        bytemuck::cast_slice(&person),
    );
    let params = ComposeUniform {
        shadow_offset_px: [-1.5, 2.0],
        shadow_radius_px: 3.0,
        shadow_strength: 0.4,
        has_mask: 1,
        _pad: [0; 3],
    };
    let output = gpu.device.create_texture(&wgpu::TextureDescriptor {
        view_formats: &[wgpu::TextureFormat::Rgba8UnormSrgb],
        ..texture_2d_descriptor(
            "output",
            (w, h),
            wgpu::TextureFormat::Rgba8Unorm,
            wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
        )
    });
    let output_view = output.create_view(&wgpu::TextureViewDescriptor {
        format: Some(wgpu::TextureFormat::Rgba8UnormSrgb),
        ..Default::default()
    });
    let composer = Composer::new(&gpu.device, wgpu::TextureFormat::Rgba8UnormSrgb);
    composer.write(&gpu.queue, &params);
    let group = composer.bind_group(
        &gpu.device,
        &ComposeInputs {
            dressed: &dressed.create_view(&Default::default()),
            coverage: &coverage.create_view(&Default::default()),
            person_mask: &mask.create_view(&Default::default()),
        },
    );
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: None,
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &output_view,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        composer.draw(&mut pass, &group);
    }
    gpu.queue.submit([encoder.finish()]);
    let gpu_out = TextureReadback::new().read(&gpu, &output).unwrap();

    let linear: Vec<[f32; 4]> = rgba
        .chunks_exact(4)
        .map(|p| {
            [
                srgb_to_linear(p[0]),
                srgb_to_linear(p[1]),
                srgb_to_linear(p[2]),
                p[3] as f32 / 255.0,
            ]
        })
        .collect();
    let cpu_out = compose_cpu(
        &linear,
        &covered,
        Some(&person),
        &params,
        w as usize,
        h as usize,
    );
    let mut changed = 0;
    for (i, (cpu, gpu_px)) in cpu_out.iter().zip(gpu_out.chunks_exact(4)).enumerate() {
        let expected = [cpu[0], cpu[1], cpu[2]].map(linear_to_srgb);
        for c in 0..3 {
            assert!(
                expected[c].abs_diff(gpu_px[c]) <= TOLERANCE_LEVELS,
                "pixel {i} channel {c}: CPU {} GPU {}",
                expected[c],
                gpu_px[c]
            );
        }
        changed += usize::from(gpu_px[..3] != rgba[i * 4..i * 4 + 3]);
    }
    // The band along the edge, and the person's pixels near the garment
    // (in its shadow), changed; the rest did not.
    assert!(
        changed >= h as usize && changed <= 10 * h as usize,
        "{changed} pixels changed"
    );
}
