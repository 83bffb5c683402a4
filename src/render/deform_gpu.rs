//! The garment deformation on the GPU: the silhouette profile once per
//! frame (`SilhouettePass`, shaders/render/silhouette.wgsl), then per
//! garment skinning, the fit and normals (`GpuDeform`,
//! shaders/render/deform.wgsl and normals.wgsl). Twins on the CPU:
//! `garment::silhouette::scan_profile` and `garment::deform::deform_cpu`.

use wgpu::util::DeviceExt;

use crate::garment::deform::DeformMesh;
use crate::garment::silhouette::{SilhouetteUniform, BANDS, REGIONS};
use crate::gpu::{layout, read_mapped, shaders, GpuContext, GpuError};

const WORKGROUP: u32 = 64;
/// Bytes of the profile (and of one garment's extents): region × band × side.
const PROFILE_BYTES: u64 = (REGIONS * BANDS * 2 * 4) as u64;

fn groups(count: usize) -> u32 {
    (count as u32).div_ceil(WORKGROUP)
}

/// The silhouette scan: a uniform and the profile buffer every garment's
/// fit reads, refilled each frame.
pub struct SilhouettePass {
    scan_arms: wgpu::ComputePipeline,
    resolve_arms: wgpu::ComputePipeline,
    scan_torso: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    pub uniform: wgpu::Buffer,
    pub profile: wgpu::Buffer,
    /// The arms' own scans, before they are resolved into `profile`.
    raw: wgpu::Buffer,
}

impl SilhouettePass {
    pub fn new(device: &wgpu::Device) -> SilhouettePass {
        let compute = wgpu::ShaderStages::COMPUTE;
        let ([scan_arms, resolve_arms, scan_torso], layout) = layout::compute_pipelines(
            device,
            "silhouette profile",
            shaders::RENDER_SILHOUETTE,
            &[
                layout::uniform(0, compute),
                layout::unfilterable_texture_2d(1, compute),
                layout::storage(2, compute, false),
                layout::storage(3, compute, false),
            ],
            ["scan_arms", "resolve_arms", "scan_torso"],
        );
        let profile = |label| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: PROFILE_BYTES,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            })
        };
        SilhouettePass {
            scan_arms,
            resolve_arms,
            scan_torso,
            layout,
            uniform: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("silhouette frames"),
                size: std::mem::size_of::<SilhouetteUniform>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            profile: profile("silhouette profile"),
            raw: profile("silhouette arm scans"),
        }
    }

    /// The bind group that scans `mask` (R32Float, the frame's size); the
    /// caller keeps it while the mask texture lives.
    pub fn bind_group(&self, device: &wgpu::Device, mask: &wgpu::Texture) -> wgpu::BindGroup {
        let view = mask.create_view(&Default::default());
        layout::bind_group(
            device,
            "silhouette profile",
            &self.layout,
            &[
                self.uniform.as_entire_binding(),
                wgpu::BindingResource::TextureView(&view),
                self.profile.as_entire_binding(),
                self.raw.as_entire_binding(),
            ],
        )
    }

    /// This frame's frames (`SilhouetteFrames::uniform`).
    pub fn write(&self, queue: &wgpu::Queue, uniform: &SilhouetteUniform) {
        queue.write_buffer(&self.uniform, 0, bytemuck::bytes_of(uniform));
    }

    /// The three steps of the scan into `pass`.
    pub fn dispatch(&self, pass: &mut wgpu::ComputePass<'_>, group: &wgpu::BindGroup) {
        pass.set_bind_group(0, group, &[]);
        pass.set_pipeline(&self.scan_arms);
        pass.dispatch_workgroups(groups(REGIONS * BANDS * 2), 1, 1);
        pass.set_pipeline(&self.resolve_arms);
        pass.dispatch_workgroups(groups(REGIONS * BANDS), 1, 1);
        pass.set_pipeline(&self.scan_torso);
        pass.dispatch_workgroups(groups(BANDS * 2), 1, 1);
    }

    /// Copies the profile to the CPU (tests and tools; waits for the GPU).
    pub fn read_profile(&self, gpu: &GpuContext) -> Result<Vec<f32>, GpuError> {
        read_buffer_f32(gpu, &self.profile, PROFILE_BYTES)
    }
}

/// The deform and normals pipelines, made once per renderer.
pub struct DeformPipelines {
    skin: wgpu::ComputePipeline,
    band_maps: wgpu::ComputePipeline,
    warp: wgpu::ComputePipeline,
    deform_layout: wgpu::BindGroupLayout,
    normals: wgpu::ComputePipeline,
    normals_layout: wgpu::BindGroupLayout,
}

impl DeformPipelines {
    pub fn new(device: &wgpu::Device) -> DeformPipelines {
        let compute = wgpu::ShaderStages::COMPUTE;
        let ([skin, band_maps, warp], deform_layout) = layout::compute_pipelines(
            device,
            "garment deform",
            shaders::RENDER_DEFORM,
            &[
                layout::uniform(0, compute),
                layout::uniform(1, compute),
                layout::storage(2, compute, true),
                layout::storage(3, compute, true),
                layout::storage(4, compute, false),
                layout::storage(5, compute, false),
                layout::storage(6, compute, false),
                layout::storage(7, compute, false),
            ],
            ["skin", "band_maps", "warp"],
        );
        let (normals, normals_layout) = layout::compute_pipeline(
            device,
            "garment normals",
            shaders::RENDER_NORMALS,
            &[
                layout::uniform(0, compute),
                layout::storage(1, compute, true),
                layout::storage(2, compute, true),
                layout::storage(3, compute, true),
                layout::storage(4, compute, true),
                layout::storage(5, compute, false),
            ],
        );
        DeformPipelines {
            skin,
            band_maps,
            warp,
            deform_layout,
            normals,
            normals_layout,
        }
    }
}

/// What a garment's deformation reads that is not its own.
pub struct DeformInputs<'a> {
    pub pipelines: &'a DeformPipelines,
    pub silhouette: &'a SilhouettePass,
    /// The garment's instance uniform (`InstanceUniform`).
    pub instance: &'a wgpu::Buffer,
}

/// One garment's particles on the GPU and the buffers its deformation
/// writes each frame (made once; nothing is allocated per frame).
pub struct GpuDeform {
    particle_count: u32,
    extents: wgpu::Buffer,
    /// Skinned then fitted positions (`array<vec4<f32>>`): what is drawn,
    /// or the cloth's targets.
    pub positions: wgpu::Buffer,
    /// Normals of what is drawn (`array<vec4<f32>>`).
    pub normals: wgpu::Buffer,
    skinned: wgpu::Buffer,
    adjacency_offsets: wgpu::Buffer,
    adjacency: wgpu::Buffer,
    deform_group: wgpu::BindGroup,
}

/// Extents start each frame at i32 min, the neutral element of max.
const EXTENTS_CLEARED: [i32; REGIONS * BANDS * 2] = [i32::MIN; REGIONS * BANDS * 2];

impl GpuDeform {
    pub fn new(gpu: &GpuContext, inputs: &DeformInputs<'_>, mesh: &DeformMesh) -> GpuDeform {
        let device = &gpu.device;
        let count = mesh.particles.len().max(1);
        let init = |label: &str, contents: &[u8]| {
            device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents,
                usage: wgpu::BufferUsages::STORAGE,
            })
        };
        let storage = |label: &str, bytes: usize, extra: wgpu::BufferUsages| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: bytes as u64,
                usage: wgpu::BufferUsages::STORAGE | extra,
                mapped_at_creation: false,
            })
        };
        // Empty meshes still get non-empty buffers (bindings cannot be
        // zero-sized).
        let particles = if mesh.particles.is_empty() {
            init("garment particles", &[0u8; 64])
        } else {
            init("garment particles", bytemuck::cast_slice(&mesh.particles))
        };
        let adjacency_offsets = init(
            "garment adjacency offsets",
            bytemuck::cast_slice(&mesh.adjacency_offsets),
        );
        let adjacency = if mesh.adjacency.is_empty() {
            init("garment adjacency", &[0u8; 8])
        } else {
            init("garment adjacency", bytemuck::cast_slice(&mesh.adjacency))
        };
        let copy = wgpu::BufferUsages::COPY_SRC;
        let skinned = storage("garment skinned", count * 32, copy);
        let extents = storage(
            "garment extents",
            PROFILE_BYTES as usize,
            wgpu::BufferUsages::COPY_DST | copy,
        );
        let maps = storage("garment band maps", REGIONS * BANDS * 8, copy);
        let positions = storage("garment positions", count * 16, copy);
        let normals = storage("garment normals", count * 16, copy);
        let deform_group = layout::bind_group(
            device,
            "garment deform",
            &inputs.pipelines.deform_layout,
            &[
                inputs.instance.as_entire_binding(),
                inputs.silhouette.uniform.as_entire_binding(),
                inputs.silhouette.profile.as_entire_binding(),
                particles.as_entire_binding(),
                skinned.as_entire_binding(),
                extents.as_entire_binding(),
                maps.as_entire_binding(),
                positions.as_entire_binding(),
            ],
        );
        GpuDeform {
            particle_count: mesh.particles.len() as u32,
            extents,
            positions,
            normals,
            skinned,
            adjacency_offsets,
            adjacency,
            deform_group,
        }
    }

    /// The normals pass's bind group over `positions` (this garment's
    /// fitted positions, or its cloth's).
    pub fn normals_group(
        &self,
        device: &wgpu::Device,
        pipelines: &DeformPipelines,
        instance: &wgpu::Buffer,
        positions: &wgpu::Buffer,
    ) -> wgpu::BindGroup {
        layout::bind_group(
            device,
            "garment normals",
            &pipelines.normals_layout,
            &[
                instance.as_entire_binding(),
                positions.as_entire_binding(),
                self.skinned.as_entire_binding(),
                self.adjacency_offsets.as_entire_binding(),
                self.adjacency.as_entire_binding(),
                self.normals.as_entire_binding(),
            ],
        )
    }

    pub fn particle_count(&self) -> u32 {
        self.particle_count
    }

    /// Clears the extents for this frame (a queue write, done before the
    /// frame's commands run).
    pub fn clear(&self, queue: &wgpu::Queue) {
        queue.write_buffer(&self.extents, 0, bytemuck::cast_slice(&EXTENTS_CLEARED));
    }

    /// Skin and fit: three dispatches into `pass`, leaving `positions`.
    pub fn dispatch_fit(&self, pass: &mut wgpu::ComputePass<'_>, pipelines: &DeformPipelines) {
        if self.particle_count == 0 {
            return;
        }
        let particles = groups(self.particle_count as usize);
        pass.set_bind_group(0, &self.deform_group, &[]);
        pass.set_pipeline(&pipelines.skin);
        pass.dispatch_workgroups(particles, 1, 1);
        pass.set_pipeline(&pipelines.band_maps);
        pass.dispatch_workgroups(groups(REGIONS * BANDS), 1, 1);
        pass.set_pipeline(&pipelines.warp);
        pass.dispatch_workgroups(particles, 1, 1);
    }

    /// The normals of the positions `group` (from `normals_group`) reads.
    pub fn dispatch_normals(
        &self,
        pass: &mut wgpu::ComputePass<'_>,
        pipelines: &DeformPipelines,
        group: &wgpu::BindGroup,
    ) {
        if self.particle_count == 0 {
            return;
        }
        pass.set_bind_group(0, group, &[]);
        pass.set_pipeline(&pipelines.normals);
        pass.dispatch_workgroups(groups(self.particle_count as usize), 1, 1);
    }

    /// Copies the fitted positions and normals to the CPU (tests; waits
    /// for the GPU).
    pub fn read(&self, gpu: &GpuContext) -> Result<DeformReadback, GpuError> {
        let bytes = self.particle_count as u64 * 16;
        let xyz = |v: Vec<f32>| {
            v.chunks_exact(4)
                .map(|c| glam::Vec3::new(c[0], c[1], c[2]))
                .collect()
        };
        Ok(DeformReadback {
            positions: xyz(read_buffer_f32(gpu, &self.positions, bytes)?),
            normals: xyz(read_buffer_f32(gpu, &self.normals, bytes)?),
        })
    }
}

/// A garment's particles as the GPU left them.
#[derive(Debug, Clone, PartialEq)]
pub struct DeformReadback {
    pub positions: Vec<glam::Vec3>,
    pub normals: Vec<glam::Vec3>,
}

/// Copies the first `bytes` of a COPY_SRC buffer to the CPU as f32s.
fn read_buffer_f32(
    gpu: &GpuContext,
    buffer: &wgpu::Buffer,
    bytes: u64,
) -> Result<Vec<f32>, GpuError> {
    let staging = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("deform read-back"),
        size: bytes.max(4),
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("deform read-back"),
        });
    encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, bytes);
    gpu.queue.submit([encoder.finish()]);
    read_mapped(gpu, &staging, 0..bytes, |b| {
        bytemuck::pod_collect_to_vec::<u8, f32>(b)
    })
}
