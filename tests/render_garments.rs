//! Every garment kind rendered on a fixed body, against small golden
//! images; occlusion by an arm crossing the torso; the background outside
//! the person mask left alone.
//!
//! A golden image that differs is written beside the expected one as
//! `<name>.actual.png`. `DRAPE_BLESS=1 cargo test --test render_garments`
//! rewrites the goldens (look at them before committing). The comparison
//! and its tolerances are `common::golden`'s.

mod common;

use std::path::{Path, PathBuf};

use drape::garment::accessory::accessory_transform;
use drape::garment::catalog::{AttachAnchor, Attachment};
use drape::garment::deform::FitParams;
use drape::garment::fit::{posed_reference_body, BodyCamera, FitOptions, Fitter};
use drape::garment::gltf_load::{load_garment, GltfOptions};
use drape::garment::RigJoint;
use drape::gpu::{texture_2d_descriptor, TextureReadback};
use drape::pose::Body;
use drape::render::{GpuGarment, ShadingLight, TryOnRenderer, TryOnScene};
use drape::upload::{FrameUploader, UploadOptions};
use drape::{Frame, GpuContext, PixelFormat};
use glam::{Quat, Vec2, Vec3};

const SIZE: u32 = 160;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A light grey backdrop with a soft vertical gradient.
fn backdrop() -> Vec<u8> {
    (0..SIZE * SIZE)
        .flat_map(|i| {
            let v = 210 - (i / SIZE * 40 / SIZE) as u8;
            [v, v, v, 255]
        })
        .collect()
}

fn camera(pixels_per_metre: f32, origin: Vec2) -> BodyCamera {
    BodyCamera {
        pixels_per_metre,
        origin_px: origin,
        image_width: SIZE,
        image_height: SIZE,
    }
}

/// Upper body framing: hips at the bottom, head at the top.
fn torso_camera() -> BodyCamera {
    camera(165.0, Vec2::new(80.0, 152.0))
}

/// Both arms lowered by `angle` from the T-pose (about the shoulders).
fn arms_lowered(angle: f32) -> impl Fn(RigJoint, Vec3) -> Vec3 {
    move |joint, p| {
        let (shoulder, turn) = match joint {
            RigJoint::UpperArmL | RigJoint::ForearmL | RigJoint::HandL => {
                (Vec3::new(0.19, 0.48, 0.0), -angle)
            }
            RigJoint::UpperArmR | RigJoint::ForearmR | RigJoint::HandR => {
                (Vec3::new(-0.19, 0.48, 0.0), angle)
            }
            _ => return p,
        };
        shoulder + Quat::from_rotation_z(turn) * (p - shoulder)
    }
}

struct Scene {
    gpu: GpuContext,
    renderer: TryOnRenderer,
    frame: wgpu::Texture,
    frame_rgba: Vec<u8>,
}

impl Scene {
    fn new() -> Scene {
        let gpu = GpuContext::headless().expect("a GPU adapter (lavapipe)");
        let frame_rgba = backdrop();
        let frame = Frame::new(frame_rgba.clone(), PixelFormat::Rgba8, SIZE, SIZE).unwrap();
        let texture = FrameUploader::new(&gpu)
            .upload(&gpu, &frame, &UploadOptions { mirror: false })
            .unwrap();
        Scene {
            renderer: TryOnRenderer::new(&gpu),
            gpu,
            frame: texture,
            frame_rgba,
        }
    }

    fn garment(&self, file: &str, skinned: bool) -> GpuGarment {
        let options = if skinned {
            GltfOptions::garment()
        } else {
            GltfOptions::accessory()
        };
        let model = load_garment(root().join("assets/garments").join(file), options).unwrap();
        GpuGarment::upload(&self.gpu, self.renderer.layouts(), &model)
    }

    /// Renders `garment` on `body` (fitted to it, or placed by `attach`).
    fn render(
        &mut self,
        body: &Body,
        garment: &GpuGarment,
        attach: Option<Attachment>,
        mask: Option<&wgpu::Texture>,
    ) -> Vec<u8> {
        let rig = Fitter::new().fit(body, SIZE, SIZE, &garment.bind, &FitOptions::default());
        match attach {
            Some(attachment) => garment.place(
                &self.gpu,
                accessory_transform(body, &rig, SIZE, SIZE, &attachment),
            ),
            None => garment.pose(&self.gpu, &rig, &FitParams::garment(1.0)),
        }
        let scene = TryOnScene {
            frame: &self.frame,
            mask,
            rig: Some(&rig),
            body: Some(body),
            garments: &[garment.into()],
            light: Some(ShadingLight::default()),
        };
        let mut encoder = self.gpu.device.create_command_encoder(&Default::default());
        let output = self
            .renderer
            .encode(&self.gpu, &mut encoder, &scene)
            .unwrap();
        self.gpu.queue.submit([encoder.finish()]);
        TextureReadback::new().read(&self.gpu, &output).unwrap()
    }

    /// An R32Float person mask, 1 where `person(x, y)`.
    fn mask(&self, person: impl Fn(u32, u32) -> bool) -> wgpu::Texture {
        use wgpu::util::DeviceExt;
        let values: Vec<f32> = (0..SIZE * SIZE)
            .map(|i| f32::from(u8::from(person(i % SIZE, i / SIZE))))
            .collect();
        self.gpu.device.create_texture_with_data(
            &self.gpu.queue,
            &texture_2d_descriptor(
                "test mask",
                (SIZE, SIZE),
                wgpu::TextureFormat::R32Float,
                wgpu::TextureUsages::TEXTURE_BINDING,
            ),
            wgpu::util::TextureDataOrder::LayerMajor,
            bytemuck::cast_slice(&values),
        )
    }
}

fn pixel(rgba: &[u8], p: Vec2) -> [u8; 3] {
    let i = ((p.y as u32).min(SIZE - 1) * SIZE + (p.x as u32).min(SIZE - 1)) as usize * 4;
    [rgba[i], rgba[i + 1], rgba[i + 2]]
}

fn differs(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).any(|(x, y)| x.abs_diff(y) > 12)
}

/// Compares with `tests/data/golden/<name>.png`; writes the actual image
/// beside it when they differ (or blesses it with DRAPE_BLESS=1).
fn assert_golden(name: &str, rgba: &[u8]) {
    let actual = image::RgbaImage::from_raw(SIZE, SIZE, rgba.to_vec())
        .expect("the render is SIZE x SIZE RGBA");
    common::golden::assert_golden(&root().join("tests/data/golden"), name, &actual);
}

fn exists(path: &Path) -> bool {
    path.exists()
}

#[test]
fn tshirt_golden() {
    let mut scene = Scene::new();
    let garment = scene.garment("tshirt.glb", true);
    let body = posed_reference_body(arms_lowered(1.1), &torso_camera());
    let rgba = scene.render(&body, &garment, None, None);
    assert_golden("tshirt", &rgba);
}

/// CIELAB (D65) of an sRGB byte colour.
fn lab(srgb: [u8; 3]) -> [f32; 3] {
    let linear = srgb.map(|c| {
        let c = c as f32 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    });
    let [r, g, b] = linear;
    let xyz = [
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    ];
    let f = xyz.map(|t| {
        if t > 0.008856 {
            t.cbrt()
        } else {
            7.787 * t + 16.0 / 116.0
        }
    });
    [
        116.0 * f[1] - 16.0,
        500.0 * (f[0] - f[1]),
        200.0 * (f[1] - f[2]),
    ]
}

/// The bar: the worn product within ΔE (CIE76) 10 of its colour.
const MAX_COLOUR_DELTA_E: f32 = 10.0;

#[test]
fn the_indigo_tee_shows_its_catalog_colour_under_neutral_light() {
    let catalog =
        drape::garment::catalog::Catalog::load(root().join("assets/garments/catalog.toml"))
            .unwrap();
    let product = catalog
        .get("tee-indigo")
        .and_then(|e| e.color)
        .expect("the tee's catalog colour");
    let mut scene = Scene::new();
    let garment = scene.garment("tshirt.glb", true);
    let body = posed_reference_body(arms_lowered(1.1), &torso_camera());
    let rgba = scene.render(&body, &garment, None, None);
    // The front of the shirt, from the chest down to the belly, around the
    // middle: the median of each channel.
    let camera = torso_camera();
    let chest = camera.project(Vec3::new(0.0, 0.30, 0.0));
    let belly = camera.project(Vec3::new(0.0, 0.08, 0.0));
    let mut channels = [Vec::new(), Vec::new(), Vec::new()];
    for y in chest.y as u32..belly.y as u32 {
        for x in (chest.x - 12.0) as u32..(chest.x + 12.0) as u32 {
            let p = pixel(&rgba, Vec2::new(x as f32, y as f32));
            for c in 0..3 {
                channels[c].push(p[c]);
            }
        }
    }
    let median = channels.map(|mut v| {
        v.sort_unstable();
        v[v.len() / 2]
    });
    let (a, b) = (lab(median), lab(product));
    let delta_e = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt();
    assert!(
        delta_e <= MAX_COLOUR_DELTA_E,
        "the tee renders {median:?}, its product colour is {product:?}: ΔE {delta_e:.1}"
    );
}

#[test]
fn jacket_golden() {
    let mut scene = Scene::new();
    let garment = scene.garment("jacket.glb", true);
    let body = posed_reference_body(arms_lowered(0.8), &torso_camera());
    let rgba = scene.render(&body, &garment, None, None);
    assert_golden("jacket", &rgba);
}

#[test]
fn glasses_golden() {
    let mut scene = Scene::new();
    let garment = scene.garment("glasses.glb", false);
    // Close on the face.
    let body = posed_reference_body(
        |_, p| p,
        &camera(900.0, Vec2::new(80.0, 80.0 + 0.71 * 900.0)),
    );
    let attach = Attachment {
        anchor: AttachAnchor::Eyes,
        offset_m: Vec3::ZERO,
        scale: 1.0,
    };
    let rgba = scene.render(&body, &garment, Some(attach), None);
    assert_golden("glasses", &rgba);
}

#[test]
fn watch_golden() {
    let mut scene = Scene::new();
    let garment = scene.garment("watch.glb", false);
    // Close on the left wrist of a T-pose.
    let wrist = Vec2::new(0.73, 0.48);
    let body = posed_reference_body(
        |_, p| p,
        &camera(
            900.0,
            Vec2::new(80.0 - wrist.x * 900.0, 80.0 + wrist.y * 900.0),
        ),
    );
    let attach = Attachment {
        anchor: AttachAnchor::LeftWrist,
        offset_m: Vec3::ZERO,
        scale: 1.0,
    };
    let rgba = scene.render(&body, &garment, Some(attach), None);
    assert_golden("watch", &rgba);
}

/// The left forearm crosses the belly in front of the shirt: the shirt is
/// hidden there (the camera's pixels show), and drawn beside it.
#[test]
fn an_arm_crossing_the_torso_hides_the_shirt() {
    let mut scene = Scene::new();
    let garment = scene.garment("tshirt.glb", true);
    let shoulder = Vec3::new(0.19, 0.48, 0.0);
    let elbow = shoulder + Vec3::new(0.03, -0.27, 0.12);
    let wrist = elbow + Vec3::new(-0.27, 0.03, 0.06);
    let pose = move |joint: RigJoint, p: Vec3| match joint {
        RigJoint::ForearmL => elbow,
        RigJoint::HandL if p.x < 0.8 => wrist,
        RigJoint::HandL => wrist + Vec3::new(-0.1, 0.0, 0.0),
        _ => arms_lowered(1.2)(joint, p),
    };
    let camera = torso_camera();
    let body = posed_reference_body(pose, &camera);
    let rgba = scene.render(&body, &garment, None, None);
    let on_forearm = camera.project(elbow.lerp(wrist, 0.5));
    let frame = pixel(&scene.frame_rgba, on_forearm);
    assert!(
        !differs(pixel(&rgba, on_forearm), frame),
        "the forearm at {on_forearm} should show the camera's pixels, not the shirt"
    );
    // The other side of the chest, clear of the arm: shirt.
    let chest = camera.project(Vec3::new(-0.09, 0.38, 0.1));
    assert!(
        differs(pixel(&rgba, chest), pixel(&scene.frame_rgba, chest)),
        "the shirt should be drawn at {chest}"
    );
}

/// Where the person mask says background, the shirt does not spill: only
/// the left half of the image is "person".
#[test]
fn the_background_outside_the_person_stays_as_it_was() {
    let mut scene = Scene::new();
    let garment = scene.garment("tshirt.glb", true);
    let camera = torso_camera();
    let body = posed_reference_body(arms_lowered(1.1), &camera);
    let mask = scene.mask(|x, _| x < SIZE / 2);
    let rgba = scene.render(&body, &garment, None, Some(&mask));
    let mask_radius = (0.025 * camera.pixels_per_metre).ceil() as u32 + 2;
    // Right of the mask's edge (plus the search radius): the frame itself.
    for y in 40..150 {
        for x in SIZE / 2 + mask_radius..SIZE {
            let p = Vec2::new(x as f32, y as f32);
            assert!(
                !differs(pixel(&rgba, p), pixel(&scene.frame_rgba, p)),
                "pixel {p} is outside the person but changed"
            );
        }
    }
    // Inside the mask the shirt is there.
    let chest = camera.project(Vec3::new(-0.1, 0.35, 0.1));
    assert!(chest.x < (SIZE / 2) as f32);
    assert!(differs(
        pixel(&rgba, chest),
        pixel(&scene.frame_rgba, chest)
    ));
    assert!(exists(&root().join("assets/garments/tshirt.glb")));
}

#[test]
fn photo_garment_golden() {
    let mut scene = Scene::new();
    let photo = drape::garment::photo::load_photo_garment(
        root().join("assets/garments/photo_tee.png"),
        None,
    )
    .unwrap();
    let garment = GpuGarment::upload(&scene.gpu, scene.renderer.layouts(), &photo.model);
    let body = posed_reference_body(arms_lowered(1.0), &torso_camera());
    let rgba = scene.render(&body, &garment, None, None);
    assert_golden("photo_tee", &rgba);
}
