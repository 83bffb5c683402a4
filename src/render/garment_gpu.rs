//! A loaded garment on the GPU: vertex and index buffers per primitive,
//! materials with their textures, and the per-draw uniforms garment.wgsl
//! reads.

use glam::{Mat4, Vec3};
use wgpu::util::DeviceExt;

use super::deform_gpu::{DeformInputs, DeformPipelines, GpuDeform, SilhouettePass};
use crate::garment::deform::{DeformMesh, FitParams, RenderVertex};
use crate::garment::fit::{BindPose, PosedRig, FACE_CORNERS};
use crate::garment::gltf_load::{AlphaMode, GarmentModel, Material, TextureImage, TextureRef};
use crate::gpu::{layout, texture_2d_descriptor, GpuContext};
use crate::render::mipmaps::{mip_chain, mip_level_count};

/// The vertex buffer layout of `RenderVertex` as garment.wgsl reads it.
pub const VERTEX_LAYOUT: wgpu::VertexBufferLayout<'static> = wgpu::VertexBufferLayout {
    array_stride: std::mem::size_of::<RenderVertex>() as u64,
    step_mode: wgpu::VertexStepMode::Vertex,
    attributes: &wgpu::vertex_attr_array![0 => Float32x2, 1 => Uint32],
};

/// What every draw of a frame shares.
// This must be kept in sync with FrameUniform in shaders/render/garment.wgsl
// (and its prefix in proxy.wgsl).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct FrameUniform {
    pub clip_from_body: [[f32; 4]; 4],
    /// The target's size in pixels: the frame's, or the garment layer's at
    /// economy quality (the person mask is read scaled).
    pub image_size: [f32; 2],
    /// Frame pixels searched around a garment pixel for the person.
    pub mask_radius_px: f32,
    pub has_mask: u32,
    pub sh: [[f32; 4]; 4],
    pub light_direction: [f32; 4],
    pub light_color: [f32; 4],
    /// The face's outline in target pixels (`garment::fit::FaceOutline`), two
    /// corners per vec4: garments clipped to the person never cover it.
    pub face_corners_px: [[f32; 4]; FACE_CORNERS / 2],
    /// 0: no face seen.
    pub face_corner_count: u32,
    pub _pad: [u32; 3],
}

/// One garment instance's pose and fit for this frame.
// This must be kept in sync with Instance in shaders/render/garment.wgsl,
// deform.wgsl and normals.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct InstanceUniform {
    pub joints: [[[f32; 4]; 4]; 19],
    pub normals: [[[f32; 4]; 4]; 19],
    /// 1: clip to the person mask and the face (garments); 0: do not
    /// (accessories).
    pub clip_to_person: u32,
    /// 1: fit to the silhouette (`FitParams::fit`).
    pub fit_to_silhouette: u32,
    /// 1: normals from the deformed surface (welded garments); 0: skinned
    /// normals (rigid models keep their hard edges).
    pub geometric_normals: u32,
    pub particle_count: u32,
    pub ease: f32,
    pub margin_m: f32,
    pub _pad: [u32; 2],
}

impl InstanceUniform {
    /// From skinning matrices (bind space → body space) in `RigJoint::ALL`
    /// order.
    pub fn new(
        matrices: &[Mat4; 19],
        fit: &FitParams,
        geometric_normals: bool,
        particle_count: u32,
    ) -> InstanceUniform {
        InstanceUniform {
            joints: matrices.map(|m| m.to_cols_array_2d()),
            normals: matrices.map(|m| m.inverse().transpose().to_cols_array_2d()),
            clip_to_person: u32::from(fit.fit),
            fit_to_silhouette: u32::from(fit.fit),
            geometric_normals: u32::from(geometric_normals),
            particle_count,
            ease: fit.ease,
            margin_m: fit.margin_m,
            _pad: [0; 2],
        }
    }
}

/// A material's factors.
// This must be kept in sync with MaterialUniform in shaders/render/garment.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct MaterialUniform {
    pub base_color: [f32; 4],
    pub sheen: [f32; 4],
    pub metallic: f32,
    pub roughness: f32,
    pub normal_scale: f32,
    pub alpha_mode: u32,
    pub alpha_cutoff: f32,
    pub has_normal_map: u32,
    pub occlusion_strength: f32,
    pub _pad: u32,
}

impl MaterialUniform {
    pub fn from_material(material: &Material) -> MaterialUniform {
        let (alpha_mode, alpha_cutoff) = match material.alpha_mode {
            AlphaMode::Opaque => (0, 0.0),
            AlphaMode::Mask(cutoff) => (1, cutoff),
            AlphaMode::Blend => (2, 0.0),
        };
        let sheen = material.sheen.as_ref().map_or([0.0; 4], |s| {
            [
                s.color_factor.x,
                s.color_factor.y,
                s.color_factor.z,
                s.roughness_factor,
            ]
        });
        MaterialUniform {
            base_color: material.base_color_factor.to_array(),
            sheen,
            metallic: material.metallic,
            roughness: material.roughness,
            normal_scale: material.normal_scale,
            alpha_mode,
            alpha_cutoff,
            has_normal_map: u32::from(material.normal_texture.is_some()),
            occlusion_strength: if material.occlusion_texture.is_some() {
                material.occlusion_strength
            } else {
                0.0
            },
            _pad: 0,
        }
    }
}

/// What garments share, made once per renderer: the bind-group layouts
/// garment.wgsl uses, the deformation's pipelines and the silhouette pass
/// whose profile every garment's fit reads.
pub struct GarmentLayouts {
    pub frame: wgpu::BindGroupLayout,
    pub material: wgpu::BindGroupLayout,
    pub instance: wgpu::BindGroupLayout,
    pub deform: DeformPipelines,
    pub silhouette: SilhouettePass,
}

impl GarmentLayouts {
    pub fn new(device: &wgpu::Device) -> GarmentLayouts {
        let both = wgpu::ShaderStages::VERTEX_FRAGMENT;
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let group = |label, entries: &[_]| layout::bind_group_layout(device, label, entries);
        GarmentLayouts {
            frame: group(
                "garment frame",
                &[
                    layout::uniform(0, both),
                    layout::unfilterable_texture_2d(1, fragment),
                ],
            ),
            material: group(
                "garment material",
                &[
                    layout::uniform(0, fragment),
                    layout::texture_2d(1, fragment),
                    layout::texture_2d(2, fragment),
                    layout::texture_2d(3, fragment),
                    layout::texture_2d(4, fragment),
                    layout::sampler(5, fragment),
                    layout::texture_2d(6, fragment),
                ],
            ),
            instance: group(
                "garment instance",
                &[
                    layout::uniform(0, both),
                    layout::storage(1, wgpu::ShaderStages::VERTEX, true),
                    layout::storage(2, wgpu::ShaderStages::VERTEX, true),
                ],
            ),
            deform: DeformPipelines::new(device),
            silhouette: SilhouettePass::new(device),
        }
    }
}

/// One primitive's buffers.
pub struct GpuPrimitive {
    pub vertices: wgpu::Buffer,
    pub indices: wgpu::Buffer,
    pub index_count: u32,
    pub material: usize,
}

/// One material's uniform and textures, bound.
pub struct GpuMaterial {
    pub bind_group: wgpu::BindGroup,
    pub blend: bool,
    pub double_sided: bool,
}

/// A garment (or accessory) uploaded once, drawn every frame.
pub struct GpuGarment {
    pub primitives: Vec<GpuPrimitive>,
    pub materials: Vec<GpuMaterial>,
    /// Joint heads of the file's bind pose, for the fitter.
    pub bind: BindPose,
    /// Whether the file has a skin (garments) or is rigid (accessories:
    /// every vertex on joint 0, which the caller sets to the anchor).
    pub skinned: bool,
    instance_buffer: wgpu::Buffer,
    /// The particles and what their deformation writes each frame.
    pub deform: GpuDeform,
    /// Drawing the fitted particles.
    pub surface: GarmentSurface,
    /// The particles on the CPU, for a cloth made when the garment is worn.
    pub mesh: DeformMesh,
}

/// What draws a garment's particles from one positions buffer (fitted, or
/// a cloth's): the normals pass over them and the render bind group.
pub struct GarmentSurface {
    pub normals_group: wgpu::BindGroup,
    pub render_group: wgpu::BindGroup,
}

fn texture_format(image: &TextureImage) -> wgpu::TextureFormat {
    if image.srgb {
        wgpu::TextureFormat::Rgba8UnormSrgb
    } else {
        wgpu::TextureFormat::Rgba8Unorm
    }
}

fn upload_texture(gpu: &GpuContext, image: &TextureImage, srgb: bool) -> wgpu::TextureView {
    let format = if srgb {
        wgpu::TextureFormat::Rgba8UnormSrgb
    } else {
        texture_format(image)
    };
    let levels = mip_level_count(image.width, image.height);
    let texture = gpu.device.create_texture_with_data(
        &gpu.queue,
        &wgpu::TextureDescriptor {
            mip_level_count: levels,
            ..texture_2d_descriptor(
                &image.name,
                (image.width, image.height),
                format,
                wgpu::TextureUsages::TEXTURE_BINDING,
            )
        },
        wgpu::util::TextureDataOrder::LayerMajor,
        &mip_chain(&image.rgba8, image.width, image.height, srgb),
    );
    texture.create_view(&wgpu::TextureViewDescriptor::default())
}

/// A 1×1 texture of one colour, for a material slot with no texture.
fn solid_texture(gpu: &GpuContext, rgba: [u8; 4], srgb: bool) -> wgpu::TextureView {
    let image = TextureImage {
        name: "solid".into(),
        width: 1,
        height: 1,
        rgba8: rgba.to_vec(),
        srgb,
        sampler: Default::default(),
    };
    upload_texture(gpu, &image, srgb)
}

/// The bind pose's joint heads in `RigJoint::ALL` order, from the skin's
/// inverse bind matrices (what skinning uses), or the reference skeleton
/// for a rigid model.
fn bind_pose(model: &GarmentModel) -> BindPose {
    let mut bind = BindPose::from(&crate::garment::RestSkeleton::reference());
    if let Some(skin) = &model.skin {
        for (joint, inverse_bind) in skin.joints.iter().zip(&skin.inverse_bind) {
            bind.heads[*joint as usize] = inverse_bind.inverse().transform_point3(Vec3::ZERO);
        }
    }
    bind
}

impl GpuGarment {
    /// Uploads `model`. A skinned model's joint indices are remapped from
    /// the file's order to the rig's.
    pub fn upload(gpu: &GpuContext, layouts: &GarmentLayouts, model: &GarmentModel) -> GpuGarment {
        let device = &gpu.device;
        // Garments are welded into one surface (fitted, maybe simulated);
        // rigid accessories keep their vertices and hard edges.
        let skinned = model.skin.is_some();
        let mesh = DeformMesh::build(model, skinned);
        let primitives = mesh
            .primitives
            .iter()
            .map(|primitive| GpuPrimitive {
                vertices: device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(&primitive.name),
                    contents: bytemuck::cast_slice(&primitive.vertices),
                    usage: wgpu::BufferUsages::VERTEX,
                }),
                indices: device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(&primitive.name),
                    contents: bytemuck::cast_slice(&primitive.indices),
                    usage: wgpu::BufferUsages::INDEX,
                }),
                index_count: primitive.indices.len() as u32,
                material: primitive.material,
            })
            .collect();
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("garment"),
            address_mode_u: wgpu::AddressMode::Repeat,
            address_mode_v: wgpu::AddressMode::Repeat,
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            mipmap_filter: wgpu::MipmapFilterMode::Linear,
            ..Default::default()
        });
        let white_srgb = solid_texture(gpu, [255; 4], true);
        let white = solid_texture(gpu, [255; 4], false);
        let flat_normal = solid_texture(gpu, [128, 128, 255, 255], false);
        let view = |texture: Option<TextureRef>, srgb: bool, fallback: &wgpu::TextureView| {
            texture
                .and_then(|t| model.textures.get(t.texture))
                .map_or_else(
                    || fallback.clone(),
                    |image| upload_texture(gpu, image, srgb),
                )
        };
        let materials = model
            .materials
            .iter()
            .map(|material| {
                let uniform = MaterialUniform::from_material(material);
                let buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(&material.name),
                    contents: bytemuck::bytes_of(&uniform),
                    usage: wgpu::BufferUsages::UNIFORM,
                });
                let base = view(material.base_color_texture, true, &white_srgb);
                let metallic_roughness = view(material.metallic_roughness_texture, false, &white);
                let normal = view(material.normal_texture, false, &flat_normal);
                let sheen = view(
                    material.sheen.as_ref().and_then(|s| s.color_texture),
                    true,
                    &white_srgb,
                );
                let occlusion = view(material.occlusion_texture, false, &white);
                GpuMaterial {
                    bind_group: layout::bind_group(
                        device,
                        "garment material",
                        &layouts.material,
                        &[
                            buffer.as_entire_binding(),
                            wgpu::BindingResource::TextureView(&base),
                            wgpu::BindingResource::TextureView(&metallic_roughness),
                            wgpu::BindingResource::TextureView(&normal),
                            wgpu::BindingResource::TextureView(&sheen),
                            wgpu::BindingResource::Sampler(&sampler),
                            wgpu::BindingResource::TextureView(&occlusion),
                        ],
                    ),
                    blend: material.alpha_mode == AlphaMode::Blend,
                    double_sided: material.double_sided,
                }
            })
            .collect();
        let instance_buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("garment instance"),
            size: std::mem::size_of::<InstanceUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let deform = GpuDeform::new(
            gpu,
            &DeformInputs {
                pipelines: &layouts.deform,
                silhouette: &layouts.silhouette,
                instance: &instance_buffer,
            },
            &mesh,
        );
        let mut garment = GpuGarment {
            primitives,
            materials,
            bind: bind_pose(model),
            skinned,
            surface: GarmentSurface {
                normals_group: deform.normals_group(
                    device,
                    &layouts.deform,
                    &instance_buffer,
                    &deform.positions,
                ),
                render_group: layout::bind_group(
                    device,
                    "garment instance",
                    &layouts.instance,
                    &[
                        instance_buffer.as_entire_binding(),
                        deform.positions.as_entire_binding(),
                        deform.normals.as_entire_binding(),
                    ],
                ),
            },
            instance_buffer,
            deform,
            mesh,
        };
        garment.mesh.primitives.iter_mut().for_each(|p| {
            // Drawn from their GPU buffers; only particles and triangles are
            // kept.
            p.vertices = Vec::new();
            p.indices = Vec::new();
        });
        garment
    }

    /// A surface drawing this garment's particles from `positions` (a
    /// cloth's, `array<vec4<f32>>` like `deform.positions`).
    pub fn surface_over(
        &self,
        gpu: &GpuContext,
        layouts: &GarmentLayouts,
        positions: &wgpu::Buffer,
    ) -> GarmentSurface {
        let device = &gpu.device;
        GarmentSurface {
            normals_group: self.deform.normals_group(
                device,
                &layouts.deform,
                &self.instance_buffer,
                positions,
            ),
            render_group: layout::bind_group(
                device,
                "garment instance (cloth)",
                &layouts.instance,
                &[
                    self.instance_buffer.as_entire_binding(),
                    positions.as_entire_binding(),
                    self.deform.normals.as_entire_binding(),
                ],
            ),
        }
    }

    /// Poses a skinned garment on `rig` for this frame, fitted as `fit`
    /// says.
    pub fn pose(&self, gpu: &GpuContext, rig: &PosedRig, fit: &FitParams) {
        let matrices = rig.skinning_matrices(&self.bind);
        self.set_instance(
            gpu,
            &InstanceUniform::new(&matrices, fit, true, self.deform.particle_count()),
        );
    }

    /// Places a rigid accessory: model space → body space.
    pub fn place(&self, gpu: &GpuContext, body_from_model: Mat4) {
        let matrices = [body_from_model; 19];
        let rigid = FitParams {
            fit: false,
            ease: 1.0,
            margin_m: 0.0,
        };
        self.set_instance(
            gpu,
            &InstanceUniform::new(&matrices, &rigid, false, self.deform.particle_count()),
        );
    }

    fn set_instance(&self, gpu: &GpuContext, uniform: &InstanceUniform) {
        gpu.queue
            .write_buffer(&self.instance_buffer, 0, bytemuck::bytes_of(uniform));
        self.deform.clear(&gpu.queue);
    }
}
