//! The XPBD cloth: its constraint colouring, `GpuCloth`
//! (shaders/cloth/xpbd.wgsl) against its plain-Rust twin `CpuCloth`, and
//! the behaviour both must have: settling, convergence with substeps, no
//! particle left inside a capsule, surviving frame gaps, refusing bad input
//! and not allocating per frame.

mod common;

use std::collections::HashSet;

use drape::cloth::{
    Capsule, ClothError, ClothParams, ClothSetup, ClothTopology, ConstraintKind, CpuCloth, GpuCloth,
};
use drape::GpuContext;
use glam::Vec3;

/// The largest GPU−CPU position difference allowed after 10 frames. Both
/// run the same f32 arithmetic in the same order, colour by colour, with
/// h, 1/h, 1/h² and damping computed once on the CPU; what differs is the
/// GPU's sqrt and division (WGSL allows 2.5 ulp) and fused multiply-adds,
/// ~1e-7 relative on a 1 m scene, amplified by the 40 substeps of
/// constraint projections. lavapipe (LLVM 15) matches bit for bit (0 m);
/// the tolerance is for GPUs that fuse and approximate.
const GPU_CPU_TOLERANCE_M: f32 = 1e-4;

/// Spacing of the test grids: a 20×20 sheet is 57 cm a side.
const SPACING_M: f32 = 0.03;
const FRAME_S: f32 = 1.0 / 30.0;

/// A `columns`×`rows` grid of quads' corners, two triangles a quad, in the
/// horizontal plane y = `height_m`, rows along +Z. Row 0 is pinned when
/// `pin_first_row`; every other particle is free.
fn sheet(columns: u32, rows: u32, height_m: f32, pin_first_row: bool) -> ClothSetup {
    let index = |c: u32, r: u32| r * columns + c;
    let mut positions = Vec::new();
    let mut attach_compliance = Vec::new();
    for r in 0..rows {
        for c in 0..columns {
            positions.push(Vec3::new(
                c as f32 * SPACING_M - 0.3,
                height_m,
                r as f32 * SPACING_M,
            ));
            let pinned = pin_first_row && r == 0;
            attach_compliance.push(if pinned { 0.0 } else { f32::INFINITY });
        }
    }
    let mut triangles = Vec::new();
    for r in 0..rows - 1 {
        for c in 0..columns - 1 {
            let (a, b, d, e) = (
                index(c, r),
                index(c + 1, r),
                index(c + 1, r + 1),
                index(c, r + 1),
            );
            triangles.push([a, b, d]);
            triangles.push([a, d, e]);
        }
    }
    let n = positions.len();
    ClothSetup {
        positions,
        triangles,
        attach_compliance,
        tether_radius_m: vec![f32::INFINITY; n],
    }
}

fn build(setup: &ClothSetup, params: &ClothParams) -> ClothTopology {
    ClothTopology::build(setup, params).expect("the test sheet builds")
}

/// `base` moved by `offset`.
fn moved(base: &[Vec3], offset: Vec3) -> Vec<Vec3> {
    base.iter().map(|p| *p + offset).collect()
}

fn max_speed(velocities: &[Vec3]) -> f32 {
    velocities.iter().map(|v| v.length()).fold(0.0, f32::max)
}

/// The GPU side of a test: the cloth and a targets buffer the test writes.
struct GpuScene {
    gpu: GpuContext,
    cloth: GpuCloth,
    targets: wgpu::Buffer,
}

impl GpuScene {
    fn new(topology: &ClothTopology, params: ClothParams, targets: &[Vec3]) -> GpuScene {
        let gpu = common::gpu();
        let cloth = GpuCloth::new(&gpu, topology, params).expect("the GPU cloth builds");
        let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("test cloth targets"),
            size: targets.len() as u64 * 16,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut scene = GpuScene {
            gpu,
            cloth,
            targets: buffer,
        };
        scene.upload(targets);
        let mut encoder = scene.encoder();
        scene
            .cloth
            .encode_reset(&mut encoder, &scene.targets)
            .expect("reset encodes");
        scene.gpu.queue.submit([encoder.finish()]);
        scene
    }

    fn encoder(&self) -> wgpu::CommandEncoder {
        self.gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("test cloth"),
            })
    }

    fn upload(&self, targets: &[Vec3]) {
        let vec4s: Vec<[f32; 4]> = targets.iter().map(|t| t.extend(0.0).to_array()).collect();
        self.gpu
            .queue
            .write_buffer(&self.targets, 0, bytemuck::cast_slice(&vec4s));
    }

    fn step(&mut self, dt_s: f32, targets: &[Vec3], capsules: &[Capsule]) {
        self.upload(targets);
        let mut encoder = self.encoder();
        self.cloth
            .encode_step(&self.gpu, &mut encoder, &self.targets, dt_s, capsules)
            .expect("the step encodes");
        self.gpu.queue.submit([encoder.finish()]);
    }

    fn positions(&self) -> Vec<Vec3> {
        self.cloth
            .read_positions(&self.gpu)
            .expect("positions read back")
    }
}

fn max_difference(a: &[Vec3], b: &[Vec3]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (*x - *y).length())
        .fold(0.0, f32::max)
}

#[test]
fn colours_are_independent_and_cover_every_edge() {
    let (columns, rows) = (5, 4);
    let setup = sheet(columns, rows, 0.0, false);
    let topology = build(&setup, &ClothParams::default());
    assert!(topology.colours_are_independent());
    for colour in 0..topology.colour_count() {
        let constraints = topology
            .colour(colour)
            .expect("colours below the count exist");
        assert!(!constraints.is_empty(), "colour {colour} is empty");
    }
    assert!(topology.colour(topology.colour_count()).is_none());

    let edges: HashSet<(u32, u32)> = setup
        .triangles
        .iter()
        .flat_map(|t| [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])])
        .map(|(a, b)| (a.min(b), a.max(b)))
        .collect();
    let stretch: HashSet<(u32, u32)> = topology
        .constraints()
        .iter()
        .filter(|c| c.kind == ConstraintKind::Stretch)
        .map(|c| (c.a.min(c.b), c.a.max(c.b)))
        .collect();
    assert_eq!(stretch, edges, "one stretch constraint per edge");

    // Every edge not on the border is shared by two triangles and gives one
    // bending pair: horizontal, vertical and diagonal edges less the border.
    let (c, r) = (columns as usize, rows as usize);
    let edge_count = (c - 1) * r + c * (r - 1) + (c - 1) * (r - 1);
    let border = 2 * (c - 1) + 2 * (r - 1);
    let bends = topology
        .constraints()
        .iter()
        .filter(|c| c.kind == ConstraintKind::Bend)
        .count();
    assert_eq!(edges.len(), edge_count);
    assert_eq!(bends, edge_count - border);
    assert_eq!(topology.constraint_count(), edge_count + bends);
    // Greedy colouring of a grid (vertex degree 6, plus bending) stays small.
    assert!(
        topology.colour_count() <= 16,
        "{} colours",
        topology.colour_count()
    );
}

#[test]
fn gpu_matches_cpu_on_a_moving_pinned_sheet() {
    let params = ClothParams::default();
    let setup = sheet(20, 20, 1.5, true);
    let topology = build(&setup, &params);
    let base = setup.positions.clone();
    // Under the free part of the sheet, across it: the sheet swings onto it.
    let capsules = [Capsule::new(
        Vec3::new(-0.5, 1.35, 0.3),
        Vec3::new(0.5, 1.35, 0.3),
        0.08,
    )];
    let mut cpu = CpuCloth::new(&topology, params, &base).unwrap();
    let mut gpu = GpuScene::new(&topology, params, &base);
    let mut worst = 0.0f32;
    for frame in 1..=10 {
        let time_s = frame as f32 * FRAME_S;
        let offset = Vec3::new(0.1 * (5.0 * time_s).sin(), 0.05 * time_s, 0.0);
        let targets = moved(&base, offset);
        cpu.step(FRAME_S, &targets, &capsules).unwrap();
        gpu.step(FRAME_S, &targets, &capsules);
        let difference = max_difference(cpu.positions(), &gpu.positions());
        worst = worst.max(difference);
        assert!(
            difference <= GPU_CPU_TOLERANCE_M,
            "frame {frame}: GPU and CPU differ by {difference} m"
        );
    }
    // The scene is not trivial: the sheet moved well away from its targets.
    let targets = moved(
        &base,
        Vec3::new(0.1 * (5.0f32 / 3.0).sin(), 0.05 / 3.0, 0.0),
    );
    let displacement = max_difference(cpu.positions(), &targets);
    assert!(
        displacement > 0.1,
        "the sheet barely moved: {displacement} m"
    );
    println!("GPU vs CPU after 10 frames: worst {worst:e} m, sheet moved {displacement} m");
}

#[test]
fn a_moving_frame_leaves_the_loose_part_behind_on_both() {
    // The body-space origin walks along x: the pinned row goes with it,
    // the loose rest keeps its place in the world for a while.
    let params = ClothParams::default();
    let setup = sheet(12, 12, 1.5, true);
    let topology = build(&setup, &params);
    let targets = setup.positions.clone();
    let mut cpu = CpuCloth::new(&topology, params, &targets).unwrap();
    let mut gpu = GpuScene::new(&topology, params, &targets);
    let step_m = Vec3::new(0.03, 0.0, 0.0);
    for frame in 1..=10 {
        cpu.shift_frame(step_m).unwrap();
        gpu.cloth.shift_frame(step_m).unwrap();
        cpu.step(FRAME_S, &targets, &[]).unwrap();
        gpu.step(FRAME_S, &targets, &[]);
        let difference = max_difference(cpu.positions(), &gpu.positions());
        assert!(
            difference <= GPU_CPU_TOLERANCE_M,
            "frame {frame}: GPU and CPU differ by {difference} m"
        );
    }
    // In body space the bottom row now lags towards -x.
    let mean_x = |p: &[Vec3]| p.iter().map(|v| v.x).sum::<f32>() / p.len() as f32;
    let lag = mean_x(&targets) - mean_x(cpu.positions());
    assert!(lag > 0.005, "the sheet did not lag: {lag} m");
    assert!(cpu.shift_frame(Vec3::NAN).is_err());
}

#[test]
fn a_pinned_sheet_comes_to_rest() {
    const REST_SPEED_M_PER_S: f32 = 0.02;
    let params = ClothParams::default();
    let setup = sheet(12, 12, 1.5, true);
    let topology = build(&setup, &params);
    let targets = setup.positions.clone();
    let mut cpu = CpuCloth::new(&topology, params, &targets).unwrap();
    let mut gpu = GpuScene::new(&topology, params, &targets);
    // It falls from horizontal, swinging at over a metre per second.
    let mut fastest = 0.0f32;
    for _ in 0..150 {
        cpu.step(FRAME_S, &targets, &[]).unwrap();
        gpu.step(FRAME_S, &targets, &[]);
        fastest = fastest.max(max_speed(cpu.velocities()));
    }
    assert!(fastest > 1.0, "the sheet never swung: {fastest} m/s");
    let cpu_speed = max_speed(cpu.velocities());
    let gpu_speed = max_speed(&gpu.cloth.read_velocities(&gpu.gpu).unwrap());
    assert!(
        cpu_speed < REST_SPEED_M_PER_S && gpu_speed < REST_SPEED_M_PER_S,
        "after 5 s: CPU {cpu_speed} m/s, GPU {gpu_speed} m/s"
    );
    // At rest it hangs below its pinned row.
    let lowest = cpu.positions().iter().map(|p| p.y).fold(f32::MAX, f32::min);
    assert!(
        lowest < 1.5 - 0.25,
        "the sheet did not fall: lowest y {lowest}"
    );
}

#[test]
fn constraint_error_shrinks_with_substeps() {
    let setup = sheet(16, 16, 1.5, true);
    let targets = setup.positions.clone();
    let errors: Vec<f32> = [1, 4, 16]
        .into_iter()
        .map(|substeps| {
            let params = ClothParams {
                substeps,
                ..ClothParams::default()
            };
            let topology = build(&setup, &params);
            let mut cloth = CpuCloth::new(&topology, params, &targets).unwrap();
            // A third of a second: mid-swing, where stretching is worst.
            let mut worst = 0.0f32;
            for _ in 0..10 {
                cloth.step(FRAME_S, &targets, &[]).unwrap();
                worst = worst.max(cloth.max_constraint_error_m(&targets).unwrap());
            }
            worst
        })
        .collect();
    println!("max stretch error at 1, 4, 16 substeps: {errors:?} m");
    assert!(
        errors[0] > errors[1] && errors[1] > errors[2],
        "errors do not shrink: {errors:?}"
    );
    // Small steps converge fast: each 4× more substeps cuts the error well.
    assert!(errors[2] < 0.5 * errors[1], "{errors:?}");
}

/// The smallest distance from any particle to a capsule's axis, less the
/// capsule's radius and the cloth's thickness (negative: inside).
fn clearance_m(positions: &[Vec3], capsule: &Capsule, thickness_m: f32) -> f32 {
    positions
        .iter()
        .map(|p| capsule.axis_distance_m(*p) - capsule.radius_m() - thickness_m)
        .fold(f32::MAX, f32::min)
}

#[test]
fn no_particle_stays_inside_a_capsule() {
    // Float rounding of the push-out, on a 1 m scale.
    const EPSILON_M: f32 = 1e-5;
    let params = ClothParams::default();
    // A free sheet falls onto a capsule across it, while a second capsule
    // sweeps up through it from below.
    let setup = sheet(16, 16, 1.2, false);
    let topology = build(&setup, &params);
    let targets = setup.positions.clone();
    let mut cpu = CpuCloth::new(&topology, params, &targets).unwrap();
    let mut gpu = GpuScene::new(&topology, params, &targets);
    let mut touched = false;
    for frame in 0..40 {
        let rising_y = 0.6 + 0.02 * frame as f32;
        let capsules = [
            Capsule::new(Vec3::new(-0.4, 1.0, 0.22), Vec3::new(0.4, 1.0, 0.22), 0.1),
            Capsule::new(
                Vec3::new(-0.1, rising_y, 0.0),
                Vec3::new(-0.1, rising_y, 0.45),
                0.05,
            ),
        ];
        cpu.step(FRAME_S, &targets, &capsules).unwrap();
        gpu.step(FRAME_S, &targets, &capsules);
        let gpu_positions = gpu.positions();
        for (i, capsule) in capsules.iter().enumerate() {
            for (who, positions) in [("CPU", cpu.positions()), ("GPU", &gpu_positions[..])] {
                let clearance = clearance_m(positions, capsule, params.thickness_m);
                assert!(
                    clearance >= -EPSILON_M,
                    "{who} frame {frame}: a particle is {} m inside capsule {i}",
                    -clearance
                );
                touched |= clearance < 1e-3;
            }
        }
    }
    assert!(touched, "the sheet never reached a capsule");
}

#[test]
fn survives_frame_gaps_and_settles_again() {
    const TETHER_M: f32 = 0.1;
    // The tether projection's rounding.
    const SLACK_M: f32 = 1e-4;
    const REST_SPEED_M_PER_S: f32 = 0.02;
    let params = ClothParams::default();
    let mut setup = sheet(12, 12, 1.5, true);
    for (attach, tether) in setup
        .attach_compliance
        .iter_mut()
        .zip(&mut setup.tether_radius_m)
    {
        if attach.is_infinite() {
            *attach = 1e-3;
            *tether = TETHER_M;
        }
    }
    let topology = build(&setup, &params);
    let base = setup.positions.clone();
    let mut cpu = CpuCloth::new(&topology, params, &base).unwrap();
    let mut gpu = GpuScene::new(&topology, params, &base);

    let check = |who: &str, positions: &[Vec3], targets: &[Vec3], when: &str| {
        for (i, (p, t)) in positions.iter().zip(targets).enumerate() {
            assert!(p.is_finite(), "{who} {when}: particle {i} is {p}");
            let distance = (*p - *t).length();
            assert!(
                distance <= TETHER_M + SLACK_M,
                "{who} {when}: particle {i} is {distance} m from its target"
            );
        }
    };
    let mut targets = base.clone();
    let sequence: Vec<(f32, Vec3, &str)> = (0..20)
        .map(|_| (FRAME_S, Vec3::ZERO, "normal frames"))
        .chain([
            (0.1, Vec3::new(0.5, 0.3, -0.2), "a 100 ms gap"),
            (1.0, Vec3::new(-1.0, 0.0, 0.4), "a 1 s gap"),
            (FRAME_S, Vec3::new(0.0, -0.8, 0.0), "a jump"),
        ])
        .collect();
    for (dt_s, jump, when) in sequence {
        targets = moved(&targets, jump);
        cpu.step(dt_s, &targets, &[]).unwrap();
        gpu.step(dt_s, &targets, &[]);
        check("CPU", cpu.positions(), &targets, when);
        check("GPU", &gpu.positions(), &targets, when);
    }
    for _ in 0..150 {
        cpu.step(FRAME_S, &targets, &[]).unwrap();
        gpu.step(FRAME_S, &targets, &[]);
    }
    let cpu_speed = max_speed(cpu.velocities());
    let gpu_speed = max_speed(&gpu.cloth.read_velocities(&gpu.gpu).unwrap());
    assert!(
        cpu_speed < REST_SPEED_M_PER_S && gpu_speed < REST_SPEED_M_PER_S,
        "5 s after the gaps: CPU {cpu_speed} m/s, GPU {gpu_speed} m/s"
    );
}

#[test]
fn reset_puts_the_cloth_on_its_targets() {
    let params = ClothParams::default();
    let setup = sheet(8, 8, 1.5, true);
    let topology = build(&setup, &params);
    let base = setup.positions.clone();
    let mut cpu = CpuCloth::new(&topology, params, &base).unwrap();
    let mut gpu = GpuScene::new(&topology, params, &base);
    for _ in 0..10 {
        cpu.step(FRAME_S, &base, &[]).unwrap();
        gpu.step(FRAME_S, &base, &[]);
    }
    let elsewhere = moved(&base, Vec3::new(0.3, -0.2, 0.1));
    cpu.reset(&elsewhere).unwrap();
    assert_eq!(cpu.positions(), &elsewhere[..]);
    assert_eq!(max_speed(cpu.velocities()), 0.0);
    gpu.upload(&elsewhere);
    let mut encoder = gpu.encoder();
    gpu.cloth.encode_reset(&mut encoder, &gpu.targets).unwrap();
    gpu.gpu.queue.submit([encoder.finish()]);
    assert_eq!(gpu.positions(), elsewhere);
    // And both carry on from there alike.
    cpu.step(FRAME_S, &elsewhere, &[]).unwrap();
    gpu.step(FRAME_S, &elsewhere, &[]);
    let difference = max_difference(cpu.positions(), &gpu.positions());
    assert!(difference <= GPU_CPU_TOLERANCE_M, "{difference} m");
}

#[test]
fn bad_input_is_an_error() {
    let params = ClothParams::default();
    let good = sheet(4, 4, 0.0, true);
    let expect_err =
        |setup: &ClothSetup, params: &ClothParams, what: &str| match ClothTopology::build(
            setup, params,
        ) {
            Err(e) => println!("{what}: {e}"),
            Ok(_) => panic!("{what} was accepted"),
        };
    let mut out_of_range = good.clone();
    out_of_range.triangles.push([0, 1, 16]);
    expect_err(&out_of_range, &params, "an index out of range");
    let mut short = good.clone();
    short.tether_radius_m.pop();
    expect_err(&short, &params, "a short tether list");
    let mut nan = good.clone();
    nan.positions[3].y = f32::NAN;
    expect_err(&nan, &params, "a NaN position");
    let mut negative = good.clone();
    negative.attach_compliance[2] = -1.0;
    expect_err(&negative, &params, "a negative compliance");
    expect_err(&ClothSetup::default(), &params, "no particles");
    let bad_params = ClothParams {
        substeps: 0,
        ..params
    };
    expect_err(&good, &bad_params, "zero substeps");
    let bad_params = ClothParams {
        mass_kg_per_m2: -0.1,
        ..params
    };
    expect_err(&good, &bad_params, "a negative density");

    let topology = build(&good, &params);
    let targets = good.positions.clone();
    assert!(matches!(
        CpuCloth::new(&topology, params, &targets[1..]),
        Err(ClothError::LengthMismatch { .. })
    ));
    assert!(matches!(
        CpuCloth::new(&topology, bad_params, &targets),
        Err(ClothError::InvalidParam { .. })
    ));
    let mut cpu = CpuCloth::new(&topology, params, &targets).unwrap();
    let mut nan_targets = targets.clone();
    nan_targets[5].x = f32::INFINITY;
    assert!(matches!(
        cpu.step(FRAME_S, &nan_targets, &[]),
        Err(ClothError::NonFinite { .. })
    ));
    assert!(matches!(
        cpu.step(f32::NAN, &targets, &[]),
        Err(ClothError::NonFinite { .. })
    ));
    let capsule = Capsule::new(Vec3::ZERO, Vec3::Y, 0.1);
    assert!(matches!(
        cpu.step(FRAME_S, &targets, &[capsule; 17]),
        Err(ClothError::TooManyCapsules { count: 17 })
    ));
    assert!(matches!(
        cpu.step(FRAME_S, &targets, &[Capsule::new(Vec3::NAN, Vec3::Y, 0.1)]),
        Err(ClothError::InvalidCapsule { index: 0 })
    ));
    // A refused step changed nothing.
    assert_eq!(cpu.positions(), &targets[..]);

    let gpu = common::gpu();
    let mut cloth = GpuCloth::new(&gpu, &topology, params).unwrap();
    let small = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("too small"),
        size: 16 * 3,
        usage: wgpu::BufferUsages::STORAGE,
        mapped_at_creation: false,
    });
    let mut encoder = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
    assert!(matches!(
        cloth.encode_step(&gpu, &mut encoder, &small, FRAME_S, &[]),
        Err(ClothError::TargetsBuffer(_))
    ));
    let not_storage = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("not storage"),
        size: 16 * 16,
        usage: wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    assert!(matches!(
        cloth.encode_reset(&mut encoder, &not_storage),
        Err(ClothError::TargetsBuffer(_))
    ));
    assert!(matches!(
        GpuCloth::new(&gpu, &topology, bad_params),
        Err(ClothError::InvalidParam { .. })
    ));
}

/// Live wgpu objects of the kinds a step could leak.
fn live_objects(gpu: &GpuContext) -> [usize; 2] {
    let report = gpu
        .instance
        .generate_report()
        .expect("wgpu-core backends report their objects");
    let hub = report.hub_report();
    [
        hub.buffers.num_kept_from_user,
        hub.bind_groups.num_kept_from_user,
    ]
}

#[test]
fn steps_allocate_no_buffers_or_bind_groups() {
    let params = ClothParams::default();
    let setup = sheet(10, 10, 1.5, true);
    let topology = build(&setup, &params);
    let base = setup.positions.clone();
    let mut scene = GpuScene::new(&topology, params, &base);
    let capsules = [Capsule::new(Vec3::ZERO, Vec3::X, 0.1)];
    scene.step(FRAME_S, &base, &capsules);
    scene.gpu.wait_idle().unwrap();
    let before = live_objects(&scene.gpu);
    for frame in 0..100 {
        let targets = moved(&base, Vec3::new(0.0, 0.001 * frame as f32, 0.0));
        scene.step(FRAME_S, &targets, &capsules);
    }
    scene.gpu.wait_idle().unwrap();
    assert_eq!(
        live_objects(&scene.gpu),
        before,
        "[buffers, bind groups] grew over 100 steps"
    );
}
