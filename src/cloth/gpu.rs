//! `GpuCloth`: the solver in shaders/cloth/xpbd.wgsl. Everything it binds
//! is made in `new`; a step only writes one uniform and encodes one compute
//! pass, so nothing grows however long the engine runs (the bind group is
//! made again only when the caller hands over a different targets buffer).

use std::num::NonZeroU64;

use glam::Vec3;
use wgpu::util::DeviceExt;

use super::gpu_data::{self, ColourRange, FrameParams, SubstepParams, WORKGROUP_SIZE};
use super::topology::ClothTopology;
use super::{check_capsules, check_shift, Capsule, ClothError, ClothParams};
use crate::gpu::{layout, read_mapped, shaders, GpuContext};
/// Bytes of one particle's `vec4<f32>` in the targets and positions buffers.
const VEC4_BYTES: u64 = 16;

/// xpbd.wgsl's entry points.
struct Pipelines {
    reset: wgpu::ComputePipeline,
    predict: wgpu::ComputePipeline,
    solve_colour: wgpu::ComputePipeline,
    finalize: wgpu::ComputePipeline,
}

/// The cloth on the GPU: built once, then `encode_step` per frame.
pub struct GpuCloth {
    device: wgpu::Device,
    params: ClothParams,
    particle_count: u32,
    pipelines: Pipelines,
    layout: wgpu::BindGroupLayout,
    frame: wgpu::Buffer,
    /// `SubstepParams` per substep, `uniform_stride` bytes apart.
    substep_table: wgpu::Buffer,
    /// `ColourRange` per colour, `uniform_stride` bytes apart.
    colour_table: wgpu::Buffer,
    uniform_stride: u32,
    /// Workgroups of each colour's dispatch.
    colour_groups: Vec<u32>,
    particles: wgpu::Buffer,
    constraints: wgpu::Buffer,
    previous_targets: wgpu::Buffer,
    substep_targets: wgpu::Buffer,
    positions: wgpu::Buffer,
    substep_start: wgpu::Buffer,
    velocities: wgpu::Buffer,
    staging: wgpu::Buffer,
    /// The targets buffer the bind group was made for, and the group.
    bound: Option<(wgpu::Buffer, wgpu::BindGroup)>,
    /// Whether `positions` holds a state (after a reset).
    initialised: bool,
    /// Origin moves not yet applied (`shift_frame`), metres.
    pending_shift_m: Vec3,
}

impl GpuCloth {
    /// Uploads `topology` and makes every buffer and pipeline. The state
    /// is set from the targets by `encode_reset` or, failing that, by the
    /// first `encode_step`.
    pub fn new(
        gpu: &GpuContext,
        topology: &ClothTopology,
        params: ClothParams,
    ) -> Result<GpuCloth, ClothError> {
        params.validate()?;
        let device = &gpu.device;
        let compute = wgpu::ShaderStages::COMPUTE;
        let ([reset, predict, solve_colour, finalize], layout) = layout::compute_pipelines(
            device,
            "cloth",
            shaders::CLOTH_XPBD,
            &[
                layout::uniform(0, compute),
                gpu_data::dynamic_uniform::<SubstepParams>(1),
                gpu_data::dynamic_uniform::<ColourRange>(2),
                layout::storage(3, compute, true),
                layout::storage(4, compute, true),
                layout::storage(5, compute, true),
                layout::storage(6, compute, false),
                layout::storage(7, compute, false),
                layout::storage(8, compute, false),
                layout::storage(9, compute, false),
                layout::storage(10, compute, false),
            ],
            ["reset", "predict", "solve_colour", "finalize"],
        );
        let particle_count = topology.particle_count() as u32;
        let uniform_stride = device.limits().min_uniform_buffer_offset_alignment.max(16);

        let (colour_table, colour_groups) = gpu_data::colour_table(topology, uniform_stride);
        let init = |label: &str, contents: &[u8], usage: wgpu::BufferUsages| {
            device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents,
                usage,
            })
        };
        let uniform = wgpu::BufferUsages::UNIFORM;
        let storage = wgpu::BufferUsages::STORAGE;
        let state_bytes = particle_count as u64 * VEC4_BYTES;
        let state = |label: &str, usage: wgpu::BufferUsages| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: state_bytes,
                usage,
                mapped_at_creation: false,
            })
        };
        Ok(GpuCloth {
            device: device.clone(),
            params,
            particle_count,
            pipelines: Pipelines {
                reset,
                predict,
                solve_colour,
                finalize,
            },
            layout,
            frame: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("cloth frame params"),
                size: std::mem::size_of::<FrameParams>() as u64,
                usage: uniform | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            substep_table: init(
                "cloth substeps",
                &gpu_data::substep_table(&params, uniform_stride),
                uniform,
            ),
            colour_table: init("cloth colours", &colour_table, uniform),
            uniform_stride,
            colour_groups,
            particles: init("cloth particles", &gpu_data::particles(topology), storage),
            constraints: init(
                "cloth constraints",
                &gpu_data::constraints(topology),
                storage,
            ),
            previous_targets: state("cloth previous targets", storage),
            substep_targets: state("cloth substep targets", storage),
            positions: state("cloth positions", storage | wgpu::BufferUsages::COPY_SRC),
            substep_start: state("cloth substep start", storage),
            velocities: state("cloth velocities", storage | wgpu::BufferUsages::COPY_SRC),
            staging: state(
                "cloth readback",
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            ),
            bound: None,
            initialised: false,
            pending_shift_m: Vec3::ZERO,
        })
    }

    /// Records one frame: `dt_s` (clamped to `[0, max_frame_s]`) towards
    /// `targets` (a STORAGE buffer of one `vec4<f32>` per particle, xyz in
    /// metres, written by the caller before this pass runs), colliding
    /// with `capsules`. The first step after `new` starts at rest on
    /// `targets`. The parameters go through the queue: submit `encoder`
    /// before encoding the next step.
    pub fn encode_step(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        targets: &wgpu::Buffer,
        dt_s: f32,
        capsules: &[Capsule],
    ) -> Result<(), ClothError> {
        check_capsules(capsules)?;
        let frame_s = self.params.frame_s(dt_s)?;
        let group = self.bind_group(targets)?;
        let reset = !self.initialised;
        if frame_s == 0.0 && !reset {
            return Ok(());
        }
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("cloth step"),
            timestamp_writes: None,
        });
        let particle_groups = self.particle_count.div_ceil(WORKGROUP_SIZE);
        if reset {
            pass.set_bind_group(0, &group, &[0, 0]);
            pass.set_pipeline(&self.pipelines.reset);
            pass.dispatch_workgroups(particle_groups, 1, 1);
            self.initialised = true;
        }
        if frame_s == 0.0 {
            return Ok(());
        }
        gpu.queue.write_buffer(
            &self.frame,
            0,
            bytemuck::bytes_of(&FrameParams::new(
                &self.params,
                frame_s,
                capsules,
                self.pending_shift_m,
            )),
        );
        self.pending_shift_m = Vec3::ZERO;
        // wgpu puts a barrier between dispatches that share a read-write
        // buffer, so each pass sees the previous one's writes.
        for k in 0..self.params.substeps {
            let substep_offset = k * self.uniform_stride;
            pass.set_bind_group(0, &group, &[substep_offset, 0]);
            pass.set_pipeline(&self.pipelines.predict);
            pass.dispatch_workgroups(particle_groups, 1, 1);
            pass.set_pipeline(&self.pipelines.solve_colour);
            for (colour, &groups) in self.colour_groups.iter().enumerate() {
                let colour_offset = colour as u32 * self.uniform_stride;
                pass.set_bind_group(0, &group, &[substep_offset, colour_offset]);
                pass.dispatch_workgroups(groups, 1, 1);
            }
            pass.set_pipeline(&self.pipelines.finalize);
            pass.dispatch_workgroups(particle_groups, 1, 1);
        }
        Ok(())
    }

    /// Records putting the cloth at rest on `targets` (a new person, a
    /// jump in pose): positions = targets, velocities 0, and `targets`
    /// kept as the previous frame's.
    pub fn encode_reset(
        &mut self,
        encoder: &mut wgpu::CommandEncoder,
        targets: &wgpu::Buffer,
    ) -> Result<(), ClothError> {
        let group = self.bind_group(targets)?;
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("cloth reset"),
            timestamp_writes: None,
        });
        pass.set_bind_group(0, &group, &[0, 0]);
        pass.set_pipeline(&self.pipelines.reset);
        pass.dispatch_workgroups(self.particle_count.div_ceil(WORKGROUP_SIZE), 1, 1);
        self.initialised = true;
        self.pending_shift_m = Vec3::ZERO;
        Ok(())
    }

    /// The body-space origin moved by `shift_m` in the world since the last
    /// step (the person walked): the next step first moves the cloth back
    /// by it, so its loose parts lag behind as real cloth would. Shifts
    /// add up until a step applies them.
    pub fn shift_frame(&mut self, shift_m: Vec3) -> Result<(), ClothError> {
        check_shift(shift_m)?;
        self.pending_shift_m += shift_m;
        Ok(())
    }

    /// Body-space positions: one `vec4<f32>` per particle (xyz in metres,
    /// w = 1), STORAGE | COPY_SRC.
    pub fn positions(&self) -> &wgpu::Buffer {
        &self.positions
    }

    /// Velocities (m/s): one `vec4<f32>` per particle (w = 0), STORAGE |
    /// COPY_SRC.
    pub fn velocities(&self) -> &wgpu::Buffer {
        &self.velocities
    }

    /// Particles, and `vec4<f32>`s in the targets and positions buffers.
    pub fn particle_count(&self) -> usize {
        self.particle_count as usize
    }

    /// The settings the cloth steps with.
    pub fn params(&self) -> &ClothParams {
        &self.params
    }

    /// Copies the positions to the CPU (waits for the GPU). Submit the
    /// step's encoder first.
    pub fn read_positions(&self, gpu: &GpuContext) -> Result<Vec<Vec3>, ClothError> {
        self.read_vec4s(gpu, &self.positions)
    }

    /// Copies the velocities (m/s) to the CPU (waits for the GPU).
    pub fn read_velocities(&self, gpu: &GpuContext) -> Result<Vec<Vec3>, ClothError> {
        self.read_vec4s(gpu, &self.velocities)
    }

    fn read_vec4s(&self, gpu: &GpuContext, buffer: &wgpu::Buffer) -> Result<Vec<Vec3>, ClothError> {
        let size = self.staging.size();
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("cloth readback"),
            });
        encoder.copy_buffer_to_buffer(buffer, 0, &self.staging, 0, size);
        gpu.queue.submit([encoder.finish()]);
        let values = read_mapped(gpu, &self.staging, 0..size, |mapped| {
            bytemuck::cast_slice::<u8, [f32; 4]>(mapped)
                .iter()
                .map(|v| Vec3::new(v[0], v[1], v[2]))
                .collect()
        })?;
        Ok(values)
    }

    /// The bind group for `targets`, made again only when it changes.
    fn bind_group(&mut self, targets: &wgpu::Buffer) -> Result<wgpu::BindGroup, ClothError> {
        if let Some((buffer, group)) = &self.bound {
            if buffer == targets {
                return Ok(group.clone());
            }
        }
        let needed = self.particle_count as u64 * VEC4_BYTES;
        if !targets.usage().contains(wgpu::BufferUsages::STORAGE) {
            return Err(ClothError::TargetsBuffer(format!(
                "it needs STORAGE usage, it has {:?}",
                targets.usage()
            )));
        }
        if targets.size() < needed {
            return Err(ClothError::TargetsBuffer(format!(
                "{} bytes for {} particles, which need {needed}",
                targets.size(),
                self.particle_count
            )));
        }
        let group = layout::bind_group(
            &self.device,
            "cloth",
            &self.layout,
            &[
                self.frame.as_entire_binding(),
                gpu_data::uniform_slot::<SubstepParams>(&self.substep_table),
                gpu_data::uniform_slot::<ColourRange>(&self.colour_table),
                self.particles.as_entire_binding(),
                self.constraints.as_entire_binding(),
                wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: targets,
                    offset: 0,
                    size: NonZeroU64::new(needed),
                }),
                self.previous_targets.as_entire_binding(),
                self.substep_targets.as_entire_binding(),
                self.positions.as_entire_binding(),
                self.substep_start.as_entire_binding(),
                self.velocities.as_entire_binding(),
            ],
        );
        self.bound = Some((targets.clone(), group.clone()));
        Ok(group)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloth::ClothSetup;

    /// A step reuses its bind group while the targets buffer stays the
    /// same: the per-frame work makes no wgpu objects (tests/cloth.rs
    /// checks that live buffers and bind groups do not grow either).
    #[test]
    fn steps_reuse_the_bind_group() {
        let gpu = GpuContext::headless().expect(
            "tests need a GPU adapter; on Debian: apt-get install mesa-vulkan-drivers libvulkan1",
        );
        let setup = ClothSetup {
            positions: vec![Vec3::ZERO, Vec3::X, Vec3::Y],
            triangles: vec![[0, 1, 2]],
            attach_compliance: vec![0.0, f32::INFINITY, f32::INFINITY],
            tether_radius_m: vec![f32::INFINITY; 3],
        };
        let params = ClothParams::default();
        let topology = ClothTopology::build(&setup, &params).expect("a triangle builds");
        let mut cloth = GpuCloth::new(&gpu, &topology, params).expect("the cloth builds");
        let targets = |label| {
            gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: 3 * VEC4_BYTES,
                usage: wgpu::BufferUsages::STORAGE,
                mapped_at_creation: false,
            })
        };
        let (first, second) = (targets("first targets"), targets("second targets"));
        let bound = |cloth: &GpuCloth| cloth.bound.as_ref().map(|(_, group)| group.clone());
        let step = |cloth: &mut GpuCloth, buffer: &wgpu::Buffer| {
            let mut encoder = gpu
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
            cloth
                .encode_step(&gpu, &mut encoder, buffer, 1.0 / 30.0, &[])
                .expect("the step encodes");
            gpu.queue.submit([encoder.finish()]);
        };
        step(&mut cloth, &first);
        let group = bound(&cloth).expect("a step binds");
        for _ in 0..10 {
            step(&mut cloth, &first);
            assert_eq!(bound(&cloth).as_ref(), Some(&group));
        }
        step(&mut cloth, &second);
        assert_ne!(bound(&cloth).as_ref(), Some(&group));
    }
}
