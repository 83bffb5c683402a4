//! The silhouette fit: the GPU's profile scan and garment deformation
//! against their plain-Rust twins on real photos, and what the fit does to
//! a garment on them.

use std::path::PathBuf;
use std::time::Duration;

use drape::garment::deform::{deform_cpu, DeformMesh, FitParams};
use drape::garment::fit::{BindPose, FitOptions, Fitter, PosedRig};
use drape::garment::gltf_load::{load_garment, GarmentModel, GltfOptions};
use drape::garment::silhouette::{scan_profile, SilhouetteFrames, SilhouetteProfile};
use drape::nn::Backend;
use drape::pose::{Body, PoseConfig, PoseTracker};
use drape::render::garment_gpu::{GarmentLayouts, GpuGarment};
use drape::GpuContext;
use glam::Vec3;

/// Profile extents: GPU and CPU walk the same pixels, but a multiply-add
/// fused on one side can move a step across a mask edge: two steps.
const PROFILE_STEPS: f32 = 2.0;
/// Fitted positions, metres: a band map from extents a step apart moves a
/// point by about a step's share of the width (a step is ~3 mm here).
const POSITION_TOLERANCE_M: f32 = 4e-3;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn gpu() -> GpuContext {
    GpuContext::headless().expect("a GPU adapter (lavapipe)")
}

/// The body our pose pipeline finds on a reference photo, with its person
/// mask on the CPU.
fn body_on(gpu: &GpuContext, id: &str) -> (Body, u32, u32) {
    let mut tracker = PoseTracker::new(
        gpu,
        PoseConfig {
            static_mode: true,
            segmentation: true,
            backend: Backend::Cpu,
            ..PoseConfig::default()
        },
    )
    .unwrap();
    let rgba = image::open(root().join(format!("tests/data/reference/media/{id}.png")))
        .unwrap()
        .into_rgba8();
    let (w, h) = rgba.dimensions();
    let body = tracker
        .process(rgba.as_raw(), w, h, Duration::ZERO)
        .unwrap()
        .expect("a person in the photo");
    (body, w, h)
}

fn tshirt() -> (GarmentModel, BindPose) {
    let model = load_garment(
        root().join("assets/garments/tshirt.glb"),
        GltfOptions::garment(),
    )
    .unwrap();
    let mut bind = BindPose::from(&drape::garment::RestSkeleton::reference());
    let skin = model.skin.as_ref().unwrap();
    for (joint, inverse_bind) in skin.joints.iter().zip(&skin.inverse_bind) {
        bind.heads[*joint as usize] = inverse_bind.inverse().transform_point3(Vec3::ZERO);
    }
    (model, bind)
}

fn mask_texture(gpu: &GpuContext, body: &Body) -> wgpu::Texture {
    use wgpu::util::DeviceExt;
    let mask = body.mask.as_ref().expect("segmentation on");
    gpu.device.create_texture_with_data(
        &gpu.queue,
        &drape::gpu::texture_2d_descriptor(
            "test mask",
            (mask.width, mask.height),
            wgpu::TextureFormat::R32Float,
            wgpu::TextureUsages::TEXTURE_BINDING,
        ),
        wgpu::util::TextureDataOrder::LayerMajor,
        bytemuck::cast_slice(&mask.probabilities),
    )
}

/// Runs the GPU's scan and the garment's deformation; returns the
/// profile and the fitted positions.
fn gpu_fit(
    gpu: &GpuContext,
    body: &Body,
    rig: &PosedRig,
    model: &GarmentModel,
    params: &FitParams,
) -> (SilhouetteProfile, Vec<Vec3>) {
    let layouts = GarmentLayouts::new(&gpu.device);
    let garment = GpuGarment::upload(gpu, &layouts, model);
    garment.pose(gpu, rig, params);
    let frames = SilhouetteFrames::from_rig(rig);
    layouts.silhouette.write(&gpu.queue, &frames.uniform(true));
    let group = layouts
        .silhouette
        .bind_group(&gpu.device, &mask_texture(gpu, body));
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        layouts.silhouette.dispatch(&mut pass, &group);
        garment.deform.dispatch_fit(&mut pass, &layouts.deform);
    }
    gpu.queue.submit([encoder.finish()]);
    let profile = SilhouetteProfile::from_flat(&layouts.silhouette.read_profile(gpu).unwrap())
        .expect("profile size");
    (profile, garment.deform.read(gpu).unwrap().positions)
}

#[test]
fn the_gpu_fit_matches_its_cpu_twin_on_the_reference_photos() {
    let gpu = gpu();
    let (model, bind) = tshirt();
    let mesh = DeformMesh::build(&model, true);
    let params = FitParams::garment(1.04);
    for id in ["astronaut", "camera", "basketball1"] {
        let (body, w, h) = body_on(&gpu, id);
        let rig = Fitter::new().fit(&body, w, h, &bind, &FitOptions::default());
        let frames = SilhouetteFrames::from_rig(&rig);
        let cpu_profile = scan_profile(body.mask.as_ref().unwrap(), &frames);
        let (gpu_profile, gpu_positions) = gpu_fit(&gpu, &body, &rig, &model, &params);
        let step = frames.step_m;
        let mut worst = 0.0f32;
        for (r, (a, b)) in cpu_profile
            .extents_m
            .iter()
            .zip(&gpu_profile.extents_m)
            .enumerate()
        {
            for (band, (a, b)) in a.iter().zip(b).enumerate() {
                for side in 0..2 {
                    let d = (a[side] - b[side]).abs();
                    assert!(
                        d <= PROFILE_STEPS * step + 1e-6,
                        "{id}: region {r} band {band} side {side}: CPU {} GPU {}",
                        a[side],
                        b[side]
                    );
                    worst = worst.max(d / step);
                }
            }
        }
        let cpu = deform_cpu(
            &mesh,
            &rig.skinning_matrices(&bind),
            &frames,
            &gpu_profile,
            &params,
        );
        let error = cpu
            .positions
            .iter()
            .zip(&gpu_positions)
            .map(|(a, b)| a.distance(*b))
            .fold(0.0f32, f32::max);
        println!("{id}: profile within {worst} steps, positions within {error:.5} m");
        assert!(
            error <= POSITION_TOLERANCE_M,
            "{id}: fitted positions differ by {error} m"
        );
    }
}
