//! One cloth frame (4 substeps) of a 60×50 sheet, 3,000 particles pinned
//! along one edge, with two capsules: `CpuCloth::step`, and `GpuCloth`
//! encode + submit + wait (on lavapipe, the wall clock is the only timer
//! that works).
//!
//! `cargo bench --bench cloth`.

use criterion::{criterion_group, criterion_main, Criterion};
use drape::cloth::{Capsule, ClothParams, ClothSetup, ClothTopology, CpuCloth, GpuCloth};
use drape::GpuContext;
use glam::Vec3;

const COLUMNS: u32 = 60;
const ROWS: u32 = 50;
const SPACING_M: f32 = 0.01;
const FRAME_S: f32 = 1.0 / 30.0;

/// A horizontal sheet, row 0 pinned.
fn sheet() -> ClothSetup {
    let index = |c: u32, r: u32| r * COLUMNS + c;
    let positions: Vec<Vec3> = (0..ROWS)
        .flat_map(|r| (0..COLUMNS).map(move |c| Vec3::new(c as f32, 0.0, r as f32) * SPACING_M))
        .map(|p| p + Vec3::new(-0.3, 1.4, 0.0))
        .collect();
    let triangles = (0..ROWS - 1)
        .flat_map(|r| (0..COLUMNS - 1).map(move |c| (c, r)))
        .flat_map(|(c, r)| {
            let (a, b, d, e) = (
                index(c, r),
                index(c + 1, r),
                index(c + 1, r + 1),
                index(c, r + 1),
            );
            [[a, b, d], [a, d, e]]
        })
        .collect();
    let n = positions.len();
    ClothSetup {
        attach_compliance: (0..n)
            .map(|i| {
                if i < COLUMNS as usize {
                    0.0
                } else {
                    f32::INFINITY
                }
            })
            .collect(),
        tether_radius_m: vec![0.3; n],
        positions,
        triangles,
    }
}

fn capsules() -> [Capsule; 2] {
    [
        Capsule::new(Vec3::new(-0.4, 1.2, 0.25), Vec3::new(0.4, 1.2, 0.25), 0.08),
        Capsule::new(Vec3::new(0.0, 0.8, 0.1), Vec3::new(0.0, 1.3, 0.1), 0.12),
    ]
}

fn cloth(c: &mut Criterion) {
    let params = ClothParams::default();
    let setup = sheet();
    let topology = ClothTopology::build(&setup, &params).expect("the bench sheet builds");
    eprintln!(
        "{} particles, {} constraints, {} colours",
        topology.particle_count(),
        topology.constraint_count(),
        topology.colour_count()
    );
    let targets = setup.positions.clone();
    let capsules = capsules();
    let mut group = c.benchmark_group("cloth");

    let mut cpu = CpuCloth::new(&topology, params, &targets).expect("the CPU cloth builds");
    group.bench_function("cpu_step", |b| {
        b.iter(|| {
            cpu.step(FRAME_S, &targets, &capsules)
                .expect("the step runs")
        })
    });

    match GpuContext::headless() {
        Ok(gpu) => {
            eprintln!("GPU: {}", gpu.info.name);
            let mut cloth = GpuCloth::new(&gpu, &topology, params).expect("the GPU cloth builds");
            let vec4s: Vec<[f32; 4]> = targets.iter().map(|t| t.extend(0.0).to_array()).collect();
            let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("bench cloth targets"),
                size: vec4s.len() as u64 * 16,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            gpu.queue
                .write_buffer(&buffer, 0, bytemuck::cast_slice(&vec4s));
            group.bench_function("gpu_step", |b| {
                b.iter(|| {
                    let mut encoder = gpu
                        .device
                        .create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
                    cloth
                        .encode_step(&gpu, &mut encoder, &buffer, FRAME_S, &capsules)
                        .expect("the step encodes");
                    gpu.queue.submit([encoder.finish()]);
                    gpu.wait_idle().expect("the GPU finishes");
                })
            });
        }
        Err(e) => eprintln!("skipping the GPU bench: {e}"),
    }
    group.finish();
}

criterion_group!(benches, cloth);
criterion_main!(benches);
