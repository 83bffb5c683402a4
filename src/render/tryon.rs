//! `TryOnRenderer`: one frame of the try-on. The camera frame is drawn as
//! the background (with a soft contact shadow next to the garments), body
//! proxies go into depth, then the garments are drawn skinned and lit,
//! multisampled, and resolved into an sRGB-correct output texture.

use glam::{Mat4, Vec2, Vec3};

use super::edges::EdgeSoftener;
use super::garment_gpu::{FrameUniform, GarmentLayouts, GarmentSurface, GpuGarment, VERTEX_LAYOUT};
use super::lighting::{LightEstimator, LightParams, LightUniform};
use super::proxies::{BodyProxies, GpuProxies};
use crate::garment::fit::{PosedRig, FACE_CORNERS};
use crate::garment::silhouette::SilhouetteFrames;
use crate::gpu::layout::{self, RenderPipelineSpec};
use crate::gpu::{shaders, texture_2d, texture_2d_descriptor, GpuContext, GpuError};
use crate::pose::Body;

/// Samples per pixel of the main pass on a GPU. A software adapter (the
/// CPU rasterising) gets 1: multisampling there costs more than the whole
/// pose pipeline.
pub const MSAA_SAMPLES: u32 = 4;
const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;
const COLOR_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;
/// The output's storage format; rendered through its sRGB view.
pub const OUTPUT_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;
const COVERAGE_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::R8Unorm;

/// Light for shading garments: irradiance SH (L0, L1 x y z; linear RGB,
/// cosine-convolved) and a dominant directional light.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShadingLight {
    pub sh: [[f32; 3]; 4],
    /// Towards the light, body space.
    pub direction: Vec3,
    pub color: [f32; 3],
}

impl Default for ShadingLight {
    /// A neutral room: even irradiance (a white diffuse surface facing the
    /// camera shows white: the shader doubles the frame's light, see
    /// SCENE_ALBEDO_COMPENSATION in garment.wgsl) and a soft light from
    /// above the camera for highlights.
    fn default() -> Self {
        let pi = std::f32::consts::PI;
        ShadingLight {
            sh: [[pi * 0.5; 3], [0.0; 3], [0.0; 3], [0.0; 3]],
            direction: Vec3::new(0.0, 0.5, 1.0).normalize(),
            color: [0.3; 3],
        }
    }
}

/// What one frame draws.
pub struct TryOnScene<'a> {
    /// The camera frame: `upload::FrameUploader`'s working texture
    /// (Rgba8Unorm with an sRGB view format).
    pub frame: &'a wgpu::Texture,
    /// The person mask (R32Float probabilities at the frame's size), from
    /// `PoseTracker::mask_texture`.
    pub mask: Option<&'a wgpu::Texture>,
    /// The fitted body; `None` draws the frame alone.
    pub rig: Option<&'a PosedRig>,
    /// The body `rig` was fitted on, when there is one: its face places
    /// the head's occluder (glasses' temples go behind the head).
    pub body: Option<&'a Body>,
    /// Garments already posed (`GpuGarment::pose` / `place`) for `rig`,
    /// each drawn from its fitted particles or its cloth's.
    pub garments: &'a [SceneGarment<'a>],
    /// A fixed light; `None` estimates it from the frame on the GPU
    /// (`render::lighting`), smoothed over frames.
    pub light: Option<ShadingLight>,
}

/// One garment of a scene and the particles it is drawn from.
#[derive(Clone, Copy)]
pub struct SceneGarment<'a> {
    pub garment: &'a GpuGarment,
    /// `&garment.surface` (fitted), or a cloth's surface.
    pub surface: &'a GarmentSurface,
}

impl<'a> From<&'a GpuGarment> for SceneGarment<'a> {
    /// Drawn as fitted.
    fn from(garment: &'a GpuGarment) -> SceneGarment<'a> {
        SceneGarment {
            garment,
            surface: &garment.surface,
        }
    }
}

// This must be kept in sync with BackgroundUniform in
// shaders/render/background.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
struct BackgroundUniform {
    image_size: [f32; 2],
    shadow_offset_px: [f32; 2],
    shadow_radius_px: f32,
    shadow_strength: f32,
    has_mask: u32,
    _pad: u32,
}

/// Size-dependent render targets.
struct Targets {
    width: u32,
    height: u32,
    color: wgpu::TextureView,
    depth: wgpu::TextureView,
    coverage_view: wgpu::TextureView,
    /// The coverage pass's depth (single-sampled): the proxies, so that
    /// only the garment's visible part casts the contact shadow.
    coverage_depth: wgpu::TextureView,
    output: wgpu::Texture,
    output_view: wgpu::TextureView,
    /// The frame with its garments, before their edges are softened into
    /// `output` (single-sampled; the MSAA target resolves into it).
    dressed_view: wgpu::TextureView,
    /// The soft-edges pass reading `dressed_view` and the coverage.
    edges_group: wgpu::BindGroup,
    /// Bind groups for the frame and mask textures seen lately (the mask
    /// alternates between two textures), newest last.
    bound: Vec<BoundTextures>,
}

/// The bind groups that read one frame texture and one mask texture.
struct BoundTextures {
    frame: wgpu::Texture,
    mask: wgpu::Texture,
    frame_group: wgpu::BindGroup,
    background_group: wgpu::BindGroup,
    /// The silhouette scan of `mask`.
    silhouette_group: wgpu::BindGroup,
}

/// How many `BoundTextures` a renderer keeps: both mask textures and the
/// empty mask, for one working texture.
const BOUND_TEXTURES_KEPT: usize = 4;

/// The try-on renderer: pipelines made once, targets per frame size.
pub struct TryOnRenderer {
    layouts: GarmentLayouts,
    background_layout: wgpu::BindGroupLayout,
    background: wgpu::RenderPipeline,
    proxy: wgpu::RenderPipeline,
    /// The proxies into the coverage pass's depth.
    coverage_proxy: wgpu::RenderPipeline,
    /// [double-sided][blend]
    garment: [[wgpu::RenderPipeline; 2]; 2],
    coverage: wgpu::RenderPipeline,
    frame_buffer: wgpu::Buffer,
    background_buffer: wgpu::Buffer,
    proxies: GpuProxies,
    empty_mask: wgpu::Texture,
    light_estimator: LightEstimator,
    edges: EdgeSoftener,
    targets: Option<Targets>,
    samples: u32,
    /// Strength of the contact shadow (0 turns it off).
    pub shadow_strength: f32,
}

/// An sRGB view of an Rgba8Unorm texture, used only as `usage` (the
/// working texture is also a storage texture, which sRGB views cannot be).
fn srgb_view(texture: &wgpu::Texture, usage: wgpu::TextureUsages) -> wgpu::TextureView {
    texture.create_view(&wgpu::TextureViewDescriptor {
        format: Some(wgpu::TextureFormat::Rgba8UnormSrgb),
        usage: Some(usage),
        ..Default::default()
    })
}

impl TryOnRenderer {
    pub fn new(gpu: &GpuContext) -> TryOnRenderer {
        let device = &gpu.device;
        let layouts = GarmentLayouts::new(device);
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let background_layout = layout::bind_group_layout(
            device,
            "try-on background",
            &[
                layout::uniform(0, fragment),
                layout::texture_2d(1, fragment),
                layout::unfilterable_texture_2d(2, fragment),
                layout::texture_2d(3, fragment),
            ],
        );
        let garment_module = layout::shader_module(device, "garment", shaders::RENDER_GARMENT);
        let proxy_module = layout::shader_module(device, "proxy", shaders::RENDER_PROXY);
        let background_module =
            layout::shader_module(device, "background", shaders::RENDER_BACKGROUND);
        let garment_layout = layout::pipeline_layout(
            device,
            "garment",
            &[&layouts.frame, &layouts.material, &layouts.instance],
        );
        let proxy_layout = layout::pipeline_layout(device, "proxy", &[&layouts.frame]);
        let background_pipeline_layout =
            layout::pipeline_layout(device, "background", &[&background_layout]);
        let samples = if gpu.is_software() { 1 } else { MSAA_SAMPLES };
        let multisample = wgpu::MultisampleState {
            count: samples,
            ..Default::default()
        };
        let depth = |write: bool, compare| {
            Some(wgpu::DepthStencilState {
                format: DEPTH_FORMAT,
                depth_write_enabled: Some(write),
                depth_compare: Some(compare),
                stencil: Default::default(),
                bias: Default::default(),
            })
        };
        let background = RenderPipelineSpec {
            depth_stencil: depth(false, wgpu::CompareFunction::Always),
            multisample,
            ..RenderPipelineSpec::new(
                "try-on background",
                &background_pipeline_layout,
                &background_module,
                COLOR_FORMAT,
            )
        }
        .create(device);
        // The proxies write depth only: they hide what is behind the body.
        let depth_only = wgpu::ColorTargetState {
            format: COLOR_FORMAT,
            blend: None,
            write_mask: wgpu::ColorWrites::empty(),
        };
        let proxy_pipeline = |label, target, multisample| {
            RenderPipelineSpec {
                vertex_buffers: &GpuProxies::VERTEX_LAYOUTS.map(Some),
                depth_stencil: depth(true, wgpu::CompareFunction::Less),
                multisample,
                ..RenderPipelineSpec::new(label, &proxy_layout, &proxy_module, target)
            }
            .create(device)
        };
        let proxy = proxy_pipeline("body proxies", depth_only.clone(), multisample);
        let coverage_proxy = proxy_pipeline(
            "body proxies (coverage)",
            wgpu::ColorTargetState {
                format: COVERAGE_FORMAT,
                ..depth_only
            },
            wgpu::MultisampleState::default(),
        );
        // The garment pipelines and the coverage one share the vertex stage
        // and layout; each has its own fragment entry point and target.
        let garment_spec = |label, fragment_entry, target| RenderPipelineSpec {
            vertex_buffers: &[Some(VERTEX_LAYOUT)],
            fragment_entry,
            ..RenderPipelineSpec::new(label, &garment_layout, &garment_module, target)
        };
        let garment_pipeline = |double_sided: bool, blend: bool| {
            let target = wgpu::ColorTargetState {
                format: COLOR_FORMAT,
                blend: blend.then_some(wgpu::BlendState::ALPHA_BLENDING),
                write_mask: wgpu::ColorWrites::ALL,
            };
            RenderPipelineSpec {
                primitive: wgpu::PrimitiveState {
                    cull_mode: (!double_sided).then_some(wgpu::Face::Back),
                    ..Default::default()
                },
                depth_stencil: depth(!blend, wgpu::CompareFunction::Less),
                multisample,
                ..garment_spec("garment", "fs_main", target)
            }
            .create(device)
        };
        let garment = [
            [
                garment_pipeline(false, false),
                garment_pipeline(false, true),
            ],
            [garment_pipeline(true, false), garment_pipeline(true, true)],
        ];
        // Where the garment shows: behind an arm it casts no shadow (on the
        // arm in front of it least of all).
        let coverage = RenderPipelineSpec {
            depth_stencil: depth(false, wgpu::CompareFunction::Less),
            ..garment_spec("garment coverage", "fs_coverage", COVERAGE_FORMAT.into())
        }
        .create(device);
        let uniform = |label: &str, size: usize| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: size as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        };
        let empty_mask = texture_2d(
            device,
            "no person mask",
            (1, 1),
            wgpu::TextureFormat::R32Float,
            wgpu::TextureUsages::TEXTURE_BINDING,
        );
        TryOnRenderer {
            frame_buffer: uniform("try-on frame", std::mem::size_of::<FrameUniform>()),
            background_buffer: uniform(
                "try-on background",
                std::mem::size_of::<BackgroundUniform>(),
            ),
            proxies: GpuProxies::new(device),
            layouts,
            background_layout,
            background,
            proxy,
            coverage_proxy,
            garment,
            coverage,
            empty_mask,
            // The room's light changes slowly and is smoothed anyway: a
            // software rasteriser samples it more sparsely.
            light_estimator: LightEstimator::with_params(
                gpu,
                LightParams {
                    stride_px: if gpu.is_software() { 8 } else { 4 },
                    ..LightParams::default()
                },
            ),
            edges: EdgeSoftener::new(device, COLOR_FORMAT),
            targets: None,
            samples,
            shadow_strength: 0.35,
        }
    }

    /// The layouts `GpuGarment::upload` needs.
    pub fn layouts(&self) -> &GarmentLayouts {
        &self.layouts
    }

    fn targets(&mut self, gpu: &GpuContext, width: u32, height: u32) -> &Targets {
        if self
            .targets
            .as_ref()
            .is_none_or(|t| (t.width, t.height) != (width, height))
        {
            let device = &gpu.device;
            let attachment = wgpu::TextureUsages::RENDER_ATTACHMENT;
            let sampled = wgpu::TextureUsages::TEXTURE_BINDING;
            let size = (width, height);
            let multisampled = |label, format| {
                device.create_texture(&wgpu::TextureDescriptor {
                    sample_count: self.samples,
                    ..texture_2d_descriptor(label, size, format, attachment)
                })
            };
            let color = multisampled("try-on colour", COLOR_FORMAT);
            let depth = multisampled("try-on depth", DEPTH_FORMAT);
            let output = device.create_texture(&wgpu::TextureDescriptor {
                view_formats: &[wgpu::TextureFormat::Rgba8UnormSrgb],
                ..texture_2d_descriptor(
                    "try-on output",
                    size,
                    OUTPUT_FORMAT,
                    attachment | sampled | wgpu::TextureUsages::COPY_SRC,
                )
            });
            let coverage_view = texture_2d(
                device,
                "garment coverage",
                size,
                COVERAGE_FORMAT,
                attachment | sampled,
            )
            .create_view(&Default::default());
            let dressed_view = texture_2d(
                device,
                "try-on dressed",
                size,
                COLOR_FORMAT,
                attachment | sampled,
            )
            .create_view(&Default::default());
            self.targets = Some(Targets {
                width,
                height,
                color: color.create_view(&Default::default()),
                depth: depth.create_view(&Default::default()),
                edges_group: self.edges.bind_group(device, &dressed_view, &coverage_view),
                dressed_view,
                coverage_view,
                coverage_depth: texture_2d(
                    device,
                    "garment coverage depth",
                    size,
                    DEPTH_FORMAT,
                    attachment,
                )
                .create_view(&Default::default()),
                output_view: srgb_view(&output, attachment),
                output,
                bound: Vec::new(),
            });
        }
        self.targets.as_ref().expect("made above")
    }

    /// The frame and background bind groups for `frame` and `mask`, made
    /// once per pair and kept while the targets' size holds.
    fn bind_groups(
        &mut self,
        gpu: &GpuContext,
        frame: &wgpu::Texture,
        mask: &wgpu::Texture,
    ) -> (wgpu::BindGroup, wgpu::BindGroup, wgpu::BindGroup) {
        let targets = self.targets.as_mut().expect("targets made first");
        if let Some(bound) = targets
            .bound
            .iter()
            .find(|b| &b.frame == frame && &b.mask == mask)
        {
            return (
                bound.frame_group.clone(),
                bound.background_group.clone(),
                bound.silhouette_group.clone(),
            );
        }
        let device = &gpu.device;
        let mask_view = mask.create_view(&Default::default());
        let frame_view = srgb_view(frame, wgpu::TextureUsages::TEXTURE_BINDING);
        let frame_group = layout::bind_group(
            device,
            "try-on frame",
            &self.layouts.frame,
            &[
                self.frame_buffer.as_entire_binding(),
                wgpu::BindingResource::TextureView(&mask_view),
            ],
        );
        let background_group = layout::bind_group(
            device,
            "try-on background",
            &self.background_layout,
            &[
                self.background_buffer.as_entire_binding(),
                wgpu::BindingResource::TextureView(&frame_view),
                wgpu::BindingResource::TextureView(&mask_view),
                wgpu::BindingResource::TextureView(&targets.coverage_view),
            ],
        );
        let silhouette_group = self.layouts.silhouette.bind_group(device, mask);
        if targets.bound.len() == BOUND_TEXTURES_KEPT {
            targets.bound.remove(0);
        }
        targets.bound.push(BoundTextures {
            frame: frame.clone(),
            mask: mask.clone(),
            frame_group: frame_group.clone(),
            background_group: background_group.clone(),
            silhouette_group: silhouette_group.clone(),
        });
        (frame_group, background_group, silhouette_group)
    }

    /// Records one frame into `encoder`: `encode_fit` then `encode_draw`.
    /// Returns the output texture (Rgba8Unorm holding sRGB bytes, like the
    /// working texture), valid until the next call.
    pub fn encode(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        scene: &TryOnScene<'_>,
    ) -> Result<wgpu::Texture, GpuError> {
        self.encode_fit(gpu, encoder, scene)?;
        self.encode_draw(gpu, encoder, scene)
    }

    /// Checks the scene's sizes, makes the targets and returns the frame,
    /// background and silhouette bind groups.
    fn prepare(
        &mut self,
        gpu: &GpuContext,
        scene: &TryOnScene<'_>,
    ) -> Result<(wgpu::BindGroup, wgpu::BindGroup, wgpu::BindGroup), GpuError> {
        let (width, height) = (scene.frame.width(), scene.frame.height());
        gpu.check_texture_size("try-on frame", width, height)?;
        if let Some(mask) = scene.mask {
            if (mask.width(), mask.height()) != (width, height) {
                return Err(GpuError::InvalidFrame(format!(
                    "the person mask is {}x{} but the frame is {width}x{height}",
                    mask.width(),
                    mask.height()
                )));
            }
        }
        self.targets(gpu, width, height);
        let mask = scene.mask.unwrap_or(&self.empty_mask).clone();
        Ok(self.bind_groups(gpu, scene.frame, &mask))
    }

    /// The first half of a frame: the silhouette's profile, then every
    /// garment skinned and fitted to it (their `deform.positions`, which a
    /// cloth steps towards before `encode_draw`).
    pub fn encode_fit(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        scene: &TryOnScene<'_>,
    ) -> Result<(), GpuError> {
        let (_, _, silhouette_group) = self.prepare(gpu, scene)?;
        let Some(rig) = scene.rig.filter(|_| !scene.garments.is_empty()) else {
            return Ok(());
        };
        let frames = SilhouetteFrames::from_rig(rig);
        self.layouts
            .silhouette
            .write(&gpu.queue, &frames.uniform(scene.mask.is_some()));
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("garment fit"),
            timestamp_writes: None,
        });
        self.layouts
            .silhouette
            .dispatch(&mut pass, &silhouette_group);
        for g in scene.garments {
            g.garment
                .deform
                .dispatch_fit(&mut pass, &self.layouts.deform);
        }
        Ok(())
    }

    /// The second half: normals of what each garment is drawn from, then
    /// the frame, proxies, garments and the contact shadow.
    pub fn encode_draw(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        scene: &TryOnScene<'_>,
    ) -> Result<wgpu::Texture, GpuError> {
        let (frame_group, background_group, _) = self.prepare(gpu, scene)?;
        let (width, height) = (scene.frame.width(), scene.frame.height());
        let queue = gpu.queue.clone();
        let rig = scene.rig;
        let fixed_light = scene.light.unwrap_or_default();
        let (clip_from_body, light_offset) = match rig {
            Some(rig) => {
                let camera = rig.camera;
                // The shadow falls away from the light, about 1 cm.
                let light = fixed_light.direction;
                let offset = -Vec2::new(light.x, -light.y).normalize_or_zero()
                    * 0.01
                    * camera.pixels_per_metre;
                (camera.clip_from_body(), offset)
            }
            None => (Mat4::IDENTITY, Vec2::ZERO),
        };
        let pixels_per_metre = rig.map_or(1.0, |r| r.camera.pixels_per_metre);
        let mut face_corners_px = [[0.0; 4]; FACE_CORNERS / 2];
        let mut face_corner_count = 0;
        if let Some(face) = rig.and_then(|r| r.face.as_ref()) {
            for (i, corner) in face.corners_px.iter().take(FACE_CORNERS).enumerate() {
                face_corners_px[i / 2][2 * (i % 2)..2 * (i % 2) + 2]
                    .copy_from_slice(&corner.to_array());
            }
            face_corner_count = face.corners_px.len().min(FACE_CORNERS) as u32;
        }
        let sh = fixed_light.sh.map(|c| [c[0], c[1], c[2], 0.0]);
        let frame = FrameUniform {
            clip_from_body: clip_from_body.to_cols_array_2d(),
            image_size: [width as f32, height as f32],
            // Garments may stand 2.5 cm off the body's outline.
            mask_radius_px: (0.025 * pixels_per_metre).clamp(1.0, 40.0),
            has_mask: u32::from(scene.mask.is_some()),
            sh,
            light_direction: fixed_light
                .direction
                .normalize_or(Vec3::Z)
                .extend(0.0)
                .to_array(),
            light_color: [
                fixed_light.color[0],
                fixed_light.color[1],
                fixed_light.color[2],
                0.0,
            ],
            face_corners_px,
            face_corner_count,
            _pad: [0; 3],
        };
        queue.write_buffer(&self.frame_buffer, 0, bytemuck::bytes_of(&frame));
        if scene.light.is_none() {
            // The estimate stays on the GPU: its SH and dominant light are
            // copied over the frame uniform's (the same layout there).
            self.light_estimator
                .encode(gpu, encoder, scene.frame, scene.mask)?;
            let light_bytes = std::mem::offset_of!(LightUniform, ambient_color) as u64;
            encoder.copy_buffer_to_buffer(
                self.light_estimator.light_buffer(),
                0,
                &self.frame_buffer,
                std::mem::offset_of!(FrameUniform, sh) as u64,
                light_bytes,
            );
        }
        let draw_garments = rig.is_some() && !scene.garments.is_empty();
        let background = BackgroundUniform {
            image_size: [width as f32, height as f32],
            shadow_offset_px: light_offset.to_array(),
            shadow_radius_px: (0.02 * pixels_per_metre).clamp(1.0, 40.0),
            shadow_strength: if draw_garments {
                self.shadow_strength
            } else {
                0.0
            },
            has_mask: u32::from(scene.mask.is_some()),
            _pad: 0,
        };
        queue.write_buffer(&self.background_buffer, 0, bytemuck::bytes_of(&background));
        let proxies = match (rig, scene.body) {
            (Some(rig), Some(body)) => BodyProxies::from_body(rig, body),
            (Some(rig), None) => BodyProxies::from_rig(rig),
            (None, _) => BodyProxies::default(),
        };
        self.proxies.update(&queue, &proxies);

        if draw_garments {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("garment normals"),
                timestamp_writes: None,
            });
            for g in scene.garments {
                g.garment.deform.dispatch_normals(
                    &mut pass,
                    &self.layouts.deform,
                    &g.surface.normals_group,
                );
            }
        }
        let targets = self.targets.as_ref().expect("made above");
        let coverage_view = targets.coverage_view.clone();
        let (output, output_view) = (targets.output.clone(), targets.output_view.clone());
        let (color_view, depth_view) = (targets.color.clone(), targets.depth.clone());
        let coverage_depth_view = targets.coverage_depth.clone();
        let (dressed_view, edges_group) =
            (targets.dressed_view.clone(), targets.edges_group.clone());

        // Pass 1: where garments show past the body proxies, for the
        // contact shadow and the soft edges.
        {
            let mut pass = layout::begin_render_pass(
                encoder,
                "garment coverage",
                layout::PassTargets {
                    color: &coverage_view,
                    resolve_target: None,
                    load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                    store: wgpu::StoreOp::Store,
                    depth: Some(&coverage_depth_view),
                },
            );
            if draw_garments {
                pass.set_pipeline(&self.coverage_proxy);
                pass.set_bind_group(0, &frame_group, &[]);
                self.proxies.draw(&mut pass);
                pass.set_pipeline(&self.coverage);
                for g in scene.garments.iter().filter(|g| g.garment.skinned) {
                    draw_garment(&mut pass, g, None);
                }
            }
        }

        // Pass 2: background, proxies into depth, garments. Multisampled:
        // into the MSAA target, resolved; single-sampled: directly. With
        // garments into `dressed` (pass 3 softens their edges into the
        // output), without straight into the output.
        let target = if draw_garments {
            &dressed_view
        } else {
            &output_view
        };
        let (view, resolve_target, store) = if self.samples > 1 {
            (&color_view, Some(target), wgpu::StoreOp::Discard)
        } else {
            (target, None, wgpu::StoreOp::Store)
        };
        let mut pass = layout::begin_render_pass(
            encoder,
            "try-on",
            layout::PassTargets {
                color: view,
                resolve_target,
                load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                store,
                depth: Some(&depth_view),
            },
        );
        pass.set_pipeline(&self.background);
        pass.set_bind_group(0, &background_group, &[]);
        pass.draw(0..3, 0..1);
        if draw_garments {
            pass.set_pipeline(&self.proxy);
            pass.set_bind_group(0, &frame_group, &[]);
            self.proxies.draw(&mut pass);
            pass.set_bind_group(0, &frame_group, &[]);
            // Opaque first, then blended (lenses) over them.
            for blend in [false, true] {
                for garment in scene.garments {
                    for double_sided in [false, true] {
                        pass.set_pipeline(
                            &self.garment[usize::from(double_sided)][usize::from(blend)],
                        );
                        draw_garment(&mut pass, garment, Some((double_sided, blend)));
                    }
                }
            }
        }
        drop(pass);
        if draw_garments {
            // Pass 3: the garments' edges softened into the output.
            let mut pass = layout::begin_render_pass(
                encoder,
                "soft edges",
                layout::PassTargets {
                    color: &output_view,
                    resolve_target: None,
                    // The full-screen triangle writes every pixel.
                    load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                    store: wgpu::StoreOp::Store,
                    depth: None,
                },
            );
            self.edges.draw(&mut pass, &edges_group);
        }
        Ok(output)
    }
}

/// Draws the primitives of `garment` whose material matches `filter`
/// (double-sided, blended); all of them for `None`.
fn draw_garment(
    pass: &mut wgpu::RenderPass<'_>,
    scene_garment: &SceneGarment<'_>,
    filter: Option<(bool, bool)>,
) {
    let garment = scene_garment.garment;
    pass.set_bind_group(2, &scene_garment.surface.render_group, &[]);
    for primitive in &garment.primitives {
        let Some(material) = garment.materials.get(primitive.material) else {
            continue;
        };
        if filter.is_some_and(|f| f != (material.double_sided, material.blend)) {
            continue;
        }
        pass.set_bind_group(1, &material.bind_group, &[]);
        pass.set_vertex_buffer(0, primitive.vertices.slice(..));
        pass.set_index_buffer(primitive.indices.slice(..), wgpu::IndexFormat::Uint32);
        pass.draw_indexed(0..primitive.index_count, 0, 0..1);
    }
}
