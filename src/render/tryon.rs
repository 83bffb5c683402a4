//! `TryOnRenderer`: one frame of the try-on. Garments are fitted to the
//! silhouette (compute), then the main pass draws the camera frame as the
//! background, body proxies into depth and the garments skinned and lit,
//! multisampled on a GPU, writing beside the colour where garments are
//! seen; the last pass (`render::compose`) softens the garments' edges and
//! casts their contact shadow into an sRGB-correct output texture.
//!
//! At economy quality (`render::quality`) the main pass draws the garments
//! alone, at half resolution, and the last pass blends them over the
//! frame; the room's light is estimated every few frames.

mod pipelines;
mod targets;

use glam::{Mat4, Vec2, Vec3};

use self::pipelines::{BackgroundUniform, Pipelines};
use self::targets::{BoundTextures, Targets, BOUND_TEXTURES_KEPT};
use super::compose::{ComposeInputs, ComposeUniform, Composer};
use super::garment_gpu::{FrameUniform, GarmentLayouts, GarmentSurface, GpuGarment};
use super::lighting::{LightEstimator, LightParams, LightUniform};
use super::proxies::{BodyProxies, GpuProxies};
use super::quality::Quality;
use crate::garment::fit::{PosedRig, FACE_CORNERS};
use crate::garment::silhouette::SilhouetteFrames;
use crate::gpu::layout;
use crate::gpu::{texture_2d, GpuContext, GpuError};
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
    /// Irradiance coefficients, linear RGB: E(n) = `sh[0]` + `sh[1]`·n.x +
    /// `sh[2]`·n.y + `sh[3]`·n.z for a unit normal n in body space.
    pub sh: [[f32; 3]; 4],
    /// Towards the light, body space.
    pub direction: Vec3,
    /// Colour and strength of the directional light, linear RGB.
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

/// The try-on renderer: pipelines made once, targets per frame size.
pub struct TryOnRenderer {
    layouts: GarmentLayouts,
    pipelines: Pipelines,
    frame_buffer: wgpu::Buffer,
    background_buffer: wgpu::Buffer,
    proxies: GpuProxies,
    empty_mask: wgpu::Texture,
    light_estimator: LightEstimator,
    composer: Composer,
    targets: Option<Targets>,
    samples: u32,
    quality: Quality,
    /// Frames drawn since the light was last estimated (economy quality
    /// estimates it on one frame in `frames_per_light_estimate`).
    frames_since_light: u32,
    /// Strength of the contact shadow (0 turns it off).
    pub shadow_strength: f32,
}

/// An sRGB view of an Rgba8Unorm texture, used only as `usage` (the
/// working texture is also a storage texture, which sRGB views cannot be).
pub(super) fn srgb_view(texture: &wgpu::Texture, usage: wgpu::TextureUsages) -> wgpu::TextureView {
    texture.create_view(&wgpu::TextureViewDescriptor {
        format: Some(wgpu::TextureFormat::Rgba8UnormSrgb),
        usage: Some(usage),
        ..Default::default()
    })
}

impl TryOnRenderer {
    /// A renderer at full quality.
    pub fn new(gpu: &GpuContext) -> TryOnRenderer {
        TryOnRenderer::with_quality(gpu, Quality::Full)
    }

    /// A renderer drawing at `quality`.
    pub fn with_quality(gpu: &GpuContext, quality: Quality) -> TryOnRenderer {
        let device = &gpu.device;
        let layouts = GarmentLayouts::new(device);
        let samples = if gpu.is_software() || quality == Quality::Economy {
            1
        } else {
            MSAA_SAMPLES
        };
        // Estimated on one frame in n, the light blends in as much per
        // estimate as n frames would have: it follows the room as fast.
        let light_defaults = LightParams::default();
        let frames_per_light = quality.frames_per_light_estimate();
        let new_frame_weight = if frames_per_light > 1 {
            1.0 - (1.0 - light_defaults.blend_weight()).powi(frames_per_light as i32)
        } else {
            light_defaults.new_frame_weight
        };
        let pipelines = Pipelines::new(device, &layouts, samples);
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
            pipelines,
            empty_mask,
            // The room's light changes slowly and is smoothed anyway: a
            // software rasteriser samples it more sparsely.
            light_estimator: LightEstimator::with_params(
                gpu,
                LightParams {
                    stride_px: if gpu.is_software() { 8 } else { 4 },
                    new_frame_weight,
                    ..light_defaults
                },
            ),
            composer: Composer::with_quality(device, COLOR_FORMAT, quality),
            targets: None,
            samples,
            quality,
            frames_since_light: 0,
            shadow_strength: 0.35,
        }
    }

    /// The quality frames are drawn at.
    pub fn quality(&self) -> Quality {
        self.quality
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
            self.targets = Some(Targets::new(
                gpu,
                width,
                height,
                self.samples,
                self.quality.garment_scale(),
            ));
        }
        self.targets.as_ref().expect("made above")
    }

    /// The bind groups for `frame` and `mask`, made once per pair and kept
    /// while the targets' size holds.
    fn bind_groups(
        &mut self,
        gpu: &GpuContext,
        frame: &wgpu::Texture,
        mask: &wgpu::Texture,
    ) -> BoundGroups {
        let targets = self.targets.as_mut().expect("targets made first");
        if let Some(bound) = targets
            .bound
            .iter()
            .find(|b| &b.frame == frame && &b.mask == mask)
        {
            return BoundGroups::of(bound);
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
            &self.pipelines.background_layout,
            &[
                self.background_buffer.as_entire_binding(),
                wgpu::BindingResource::TextureView(&frame_view),
            ],
        );
        let silhouette_group = self.layouts.silhouette.bind_group(device, mask);
        let compose_group = self.composer.bind_group_over(
            device,
            &ComposeInputs {
                dressed: &targets.dressed_view,
                coverage: &targets.coverage_view,
                person_mask: &mask_view,
            },
            &frame_view,
        );
        if targets.bound.len() == BOUND_TEXTURES_KEPT {
            targets.bound.remove(0);
        }
        targets.bound.push(BoundTextures {
            frame: frame.clone(),
            mask: mask.clone(),
            frame_group,
            background_group,
            silhouette_group,
            compose_group,
        });
        BoundGroups::of(targets.bound.last().expect("pushed above"))
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

    /// Checks the scene's sizes, makes the targets and returns the bind
    /// groups of its frame and mask.
    fn prepare(
        &mut self,
        gpu: &GpuContext,
        scene: &TryOnScene<'_>,
    ) -> Result<BoundGroups, GpuError> {
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
        let silhouette_group = self.prepare(gpu, scene)?.silhouette;
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
        let groups = self.prepare(gpu, scene)?;
        let (width, height) = (scene.frame.width(), scene.frame.height());
        // The main pass's target: the frame's size, or the smaller layer.
        let scale = self.quality.garment_scale() as f32;
        let (target_width, target_height) = {
            let targets = self.targets.as_ref().expect("made by prepare");
            (targets.color_size.0, targets.color_size.1)
        };
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
                    .copy_from_slice(&(*corner / scale).to_array());
            }
            face_corner_count = face.corners_px.len().min(FACE_CORNERS) as u32;
        }
        let sh = fixed_light.sh.map(|c| [c[0], c[1], c[2], 0.0]);
        let frame = FrameUniform {
            clip_from_body: clip_from_body.to_cols_array_2d(),
            image_size: [target_width as f32, target_height as f32],
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
            // copied over the frame uniform's (the same layout there), also
            // on the frames that do not estimate it.
            if self.frames_since_light == 0 {
                self.light_estimator
                    .encode(gpu, encoder, scene.frame, scene.mask)?;
            }
            self.frames_since_light =
                (self.frames_since_light + 1) % self.quality.frames_per_light_estimate();
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
            _pad: [0.0; 2],
        };
        queue.write_buffer(&self.background_buffer, 0, bytemuck::bytes_of(&background));
        self.composer.write(
            &queue,
            &ComposeUniform {
                shadow_offset_px: light_offset.to_array(),
                shadow_radius_px: (0.02 * pixels_per_metre).clamp(1.0, 40.0),
                shadow_strength: self.shadow_strength,
                has_mask: u32::from(scene.mask.is_some()),
                _pad: [0; 3],
            },
        );
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
        // The main pass: background, proxies into depth, garments.
        let economy = self.quality == Quality::Economy;
        if economy && !draw_garments {
            // No garments: the frame as it is.
            encoder.copy_texture_to_texture(
                scene.frame.as_image_copy(),
                targets.output.as_image_copy(),
                targets.output.size(),
            );
            return Ok(targets.output.clone());
        }
        let mut pass = targets.begin_main_pass(encoder, self.samples);
        // At economy quality the last pass draws the frame under the
        // garments' layer.
        if !economy {
            pass.set_pipeline(&self.pipelines.background);
            pass.set_bind_group(0, &groups.background, &[]);
            pass.draw(0..3, 0..1);
        }
        if draw_garments {
            pass.set_pipeline(&self.pipelines.proxy);
            pass.set_bind_group(0, &groups.frame, &[]);
            self.proxies.draw(&mut pass);
            pass.set_bind_group(0, &groups.frame, &[]);
            // Opaque first, then blended (lenses) over them.
            for blend in [false, true] {
                for garment in scene.garments {
                    for double_sided in [false, true] {
                        pass.set_pipeline(
                            &self.pipelines.garment[usize::from(double_sided)][usize::from(blend)],
                        );
                        draw_garment(&mut pass, garment, Some((double_sided, blend)));
                    }
                }
            }
        }
        drop(pass);
        if draw_garments {
            // The last pass: soft edges and the contact shadow.
            let mut pass = layout::begin_render_pass(
                encoder,
                "compose",
                layout::PassTargets {
                    color: &targets.output_view,
                    resolve_target: None,
                    // The full-screen triangle writes every pixel.
                    load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                    store: wgpu::StoreOp::Store,
                    depth: None,
                },
            );
            self.composer.draw(&mut pass, &groups.compose);
        } else {
            // Nothing to soften or shade: the frame as it is.
            encoder.copy_texture_to_texture(
                targets.dressed.as_image_copy(),
                targets.output.as_image_copy(),
                targets.output.size(),
            );
        }
        Ok(targets.output.clone())
    }
}

/// One frame and mask's bind groups (clones of the cached ones).
struct BoundGroups {
    frame: wgpu::BindGroup,
    background: wgpu::BindGroup,
    silhouette: wgpu::BindGroup,
    compose: wgpu::BindGroup,
}

impl BoundGroups {
    fn of(bound: &BoundTextures) -> BoundGroups {
        BoundGroups {
            frame: bound.frame_group.clone(),
            background: bound.background_group.clone(),
            silhouette: bound.silhouette_group.clone(),
            compose: bound.compose_group.clone(),
        }
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
