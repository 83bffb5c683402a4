//! The sample T-shirt as cloth on a body that walks sideways and stops:
//! its hem swings behind the body, its collar stays on the shoulders, and
//! it settles when the body stands still. Also how the catalog and the
//! cloth mode choose which garments are simulated.

use std::path::PathBuf;

use drape::garment::catalog::ClothOptions;
use drape::garment::cloth::body_capsules;
use drape::garment::deform::FitParams;
use drape::garment::fit::{posed_reference_body, BodyCamera, FitOptions, Fitter};
use drape::garment::gltf_load::{load_garment, GltfOptions};
use drape::render::cloth_gpu::GarmentCloth;
use drape::render::{GpuGarment, SceneGarment, ShadingLight, TryOnRenderer, TryOnScene};
use drape::tryon::{ClothMode, TryOn, TryOnConfig};
use drape::upload::{FrameUploader, UploadOptions};
use drape::{Frame, GpuContext, PixelFormat};
use glam::{Vec2, Vec3};

const SIZE: u32 = 256;
const FRAME_S: f32 = 1.0 / 30.0;
/// Pinned particles follow their targets exactly (GPU float noise only).
const PINNED_TOLERANCE_M: f32 = 1e-4;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn gpu() -> GpuContext {
    GpuContext::headless().expect("a GPU adapter (lavapipe)")
}

fn read(gpu: &GpuContext, buffer: &wgpu::Buffer, count: usize) -> Vec<Vec3> {
    let bytes = (count * 16) as u64;
    let staging = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: bytes,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, bytes);
    gpu.queue.submit([encoder.finish()]);
    drape::gpu::read_mapped(gpu, &staging, 0..bytes, |b| {
        bytemuck::pod_collect_to_vec::<u8, f32>(b)
            .chunks_exact(4)
            .map(|c| Vec3::new(c[0], c[1], c[2]))
            .collect()
    })
    .unwrap()
}

#[test]
fn the_hem_swings_behind_a_moving_body_and_settles_when_it_stops() {
    let gpu = gpu();
    let mut renderer = TryOnRenderer::new(&gpu);
    let model = load_garment(
        root().join("assets/garments/tshirt.glb"),
        GltfOptions::garment(),
    )
    .unwrap();
    let garment = GpuGarment::upload(&gpu, renderer.layouts(), &model);
    let mut cloth =
        GarmentCloth::new(&gpu, renderer.layouts(), &garment, &ClothOptions::default()).unwrap();
    let grey = Frame::new(
        vec![128; (SIZE * SIZE * 4) as usize],
        PixelFormat::Rgba8,
        SIZE,
        SIZE,
    )
    .unwrap();
    let frame = FrameUploader::new(&gpu)
        .upload(&gpu, &grey, &UploadOptions { mirror: false })
        .unwrap();
    let count = garment.deform.particle_count() as usize;
    // Particles low on the shirt (the hem) and at the collar, in the bind
    // pose.
    let hem_y = garment
        .mesh
        .particles
        .iter()
        .map(|p| p.position[1])
        .fold(f32::MAX, f32::min);
    let top_y = garment
        .mesh
        .particles
        .iter()
        .map(|p| p.position[1])
        .fold(f32::MIN, f32::max);
    let hem: Vec<usize> = (0..count)
        .filter(|&i| garment.mesh.particles[i].position[1] < hem_y + 0.03)
        .collect();
    let collar: Vec<usize> = (0..count)
        .filter(|&i| garment.mesh.particles[i].position[1] > top_y - 0.02)
        .collect();
    assert!(!hem.is_empty() && !collar.is_empty());

    let mut fitter = Fitter::new();
    let mut previous: Vec<Vec3> = Vec::new();
    // Per frame: the hem's mean sideways offset from its targets, the
    // collar's largest distance from them, and how far the hem moved
    // since the last frame relative to its targets.
    let mut last_x_m = 0.0;
    let mut step = |x_m: f32, reset: bool| -> (f32, f32, f32) {
        let camera = BodyCamera {
            pixels_per_metre: 100.0,
            origin_px: Vec2::new(128.0 + x_m * 100.0, 200.0),
            image_width: SIZE,
            image_height: SIZE,
        };
        let body = posed_reference_body(|_, p| p, &camera);
        let rig = fitter.fit(&body, SIZE, SIZE, &garment.bind, &FitOptions::default());
        garment.pose(&gpu, &rig, &FitParams::garment(1.0));
        let scene = TryOnScene {
            frame: &frame,
            mask: None,
            rig: Some(&rig),
            body: None,
            garments: &[SceneGarment::from(&garment)],
            light: Some(ShadingLight::default()),
        };
        let mut encoder = gpu.device.create_command_encoder(&Default::default());
        renderer.encode_fit(&gpu, &mut encoder, &scene).unwrap();
        if reset {
            cloth.reset();
        }
        let moved = Vec3::new(x_m - last_x_m, 0.0, 0.0);
        last_x_m = x_m;
        cloth
            .encode_step(
                &gpu,
                &mut encoder,
                &garment,
                FRAME_S,
                moved,
                &body_capsules(&rig),
            )
            .unwrap();
        gpu.queue.submit([encoder.finish()]);
        let targets = read(&gpu, &garment.deform.positions, count);
        let positions = read(&gpu, cloth.solver().positions(), count);
        assert!(positions.iter().all(|p| p.is_finite()));
        let offsets: Vec<Vec3> = positions
            .iter()
            .zip(&targets)
            .map(|(p, t)| *p - *t)
            .collect();
        // The hem's mean offset along the walk (its sides hang in or out
        // at rest, symmetrically).
        let sideways = hem.iter().map(|&i| offsets[i].x).sum::<f32>() / hem.len() as f32;
        let collar = collar
            .iter()
            .map(|&i| offsets[i].length())
            .fold(0.0, f32::max);
        let moved = if previous.is_empty() {
            f32::MAX
        } else {
            hem.iter()
                .map(|&i| offsets[i].distance(previous[i]))
                .fold(0.0, f32::max)
        };
        previous = offsets;
        (sideways, collar, moved)
    };
    step(0.0, true);
    // Half a second standing, then walking sideways at 1 m/s.
    let mut rest = 0.0;
    for _ in 0..15 {
        (rest, _, _) = step(0.0, false);
    }
    assert!(rest.abs() < 1e-3, "at rest the hem is {rest} m to the side");
    let mut swing = 0.0f32;
    for frame in 1..=15 {
        let (sideways, collar, _) = step(frame as f32 * FRAME_S, false);
        swing = swing.max(-sideways);
        assert!(
            collar < PINNED_TOLERANCE_M,
            "the collar left the shoulders: {collar} m"
        );
    }
    assert!(swing > 0.01, "the hem did not lag: {swing} m behind");
    // Standing still for three seconds: the swing dies out.
    let x = 15.0 * FRAME_S;
    let (mut sideways, mut moved) = (f32::MAX, f32::MAX);
    for _ in 0..90 {
        (sideways, _, moved) = step(x, false);
    }
    assert!(
        sideways.abs() < 0.2 * swing && moved < 5e-4,
        "after 3 s still, the hem is {sideways} m to the side and moves {moved} m a frame \
         (it swung {swing} m)"
    );
}

fn config(cloth: ClothMode) -> TryOnConfig {
    let mut config = TryOnConfig::sample();
    config.pose.backend = drape::nn::Backend::Cpu;
    config.cloth = cloth;
    config
}

#[test]
fn the_catalog_and_the_mode_choose_what_hangs_as_cloth() {
    let gpu = gpu();
    // The sample T-shirt says `software = true`: simulated even here.
    let mut tryon = TryOn::new(&gpu, config(ClothMode::Auto)).unwrap();
    assert!(tryon.simulates_cloth("tee-indigo"));
    // The jacket is left to real GPUs unless the mode says on.
    tryon.wear("jacket-charcoal").unwrap();
    assert_eq!(tryon.simulates_cloth("jacket-charcoal"), !gpu.is_software());
    let mut on = TryOn::new(&gpu, config(ClothMode::On)).unwrap();
    on.wear("jacket-charcoal").unwrap();
    assert!(on.simulates_cloth("jacket-charcoal"));
    let off = TryOn::new(&gpu, config(ClothMode::Off)).unwrap();
    assert!(!off.simulates_cloth("tee-indigo"));
    // Accessories and photo garments never do.
    on.wear("glasses-round").unwrap();
    on.wear("photo-tee").unwrap();
    assert!(!on.simulates_cloth("glasses-round") && !on.simulates_cloth("photo-tee"));
}
