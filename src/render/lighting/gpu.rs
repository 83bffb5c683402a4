//! `LightEstimator`: shaders/render/light_estimate.wgsl on the working
//! texture, the result kept in a buffer the garment shader binds.

use super::{AmbientLight, LightParams, FRAME_FORMAT};
use crate::gpu::{layout, read_mapped, shaders, texture_2d, GpuContext, GpuError};
use crate::pose::mask_gpu::MASK_FORMAT;
use glam::Vec3;
use wgpu::util::DeviceExt;

/// Samples one `reduce` workgroup covers in each direction (8 threads × 4).
const TILE_SAMPLES: u32 = 32;
/// Bytes of one workgroup's partial sums: 4 vec4<f32>.
const PARTIAL_BYTES: u64 = 64;
/// Bind groups kept (a bounded cache): both mask textures and none, for
/// one frame texture.
const BOUND_KEPT: usize = 3;

/// The light as the garment shader reads it (a uniform or storage buffer):
/// the irradiance SH and the dominant light of [`AmbientLight`], each in
/// the .rgb / .xyz of a vec4 whose .w is 0.
// This must be kept in sync with LightUniform in
// shaders/render/light_estimate.wgsl (and any shader that binds it).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct LightUniform {
    /// `E(n) = sh[0] + sh[1]·n.x + sh[2]·n.y + sh[3]·n.z` (rgb).
    pub sh: [[f32; 4]; 4],
    pub dominant_direction: [f32; 4],
    pub dominant_color: [f32; 4],
    pub ambient_color: [f32; 4],
}

impl From<&AmbientLight> for LightUniform {
    fn from(light: &AmbientLight) -> LightUniform {
        let pad = |c: [f32; 3]| [c[0], c[1], c[2], 0.0];
        LightUniform {
            sh: light.sh.map(pad),
            dominant_direction: pad(light.dominant_direction.to_array()),
            dominant_color: pad(light.dominant_color),
            ambient_color: pad(light.ambient_color),
        }
    }
}

impl From<&LightUniform> for AmbientLight {
    fn from(uniform: &LightUniform) -> AmbientLight {
        let rgb = |c: [f32; 4]| [c[0], c[1], c[2]];
        AmbientLight {
            sh: uniform.sh.map(rgb),
            dominant_direction: Vec3::from_array(rgb(uniform.dominant_direction)),
            dominant_color: rgb(uniform.dominant_color),
            ambient_color: rgb(uniform.ambient_color),
        }
    }
}

/// Uniforms of light_estimate.wgsl.
// This must be kept in sync with EstimateParams in
// shaders/render/light_estimate.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
struct EstimateParams {
    frame_size: [u32; 2],
    stride_px: u32,
    has_mask: u32,
    tan_half_fov: [f32; 2],
    group_count: [u32; 2],
    has_previous: u32,
    new_frame_weight: f32,
    _pad0: [u32; 2],
}

/// The textures a bind group was made for.
struct Bound {
    frame: wgpu::Texture,
    mask: Option<wgpu::Texture>,
    group: wgpu::BindGroup,
}

/// Estimates the room's light from each frame on the GPU: made once, then
/// `encode` per frame; `light_buffer` holds the running estimate for the
/// garment shader, `read` copies it to the CPU.
pub struct LightEstimator {
    params: LightParams,
    reduce: wgpu::ComputePipeline,
    finalize: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    uniforms: wgpu::Buffer,
    /// 4 vec4 partial sums per `reduce` workgroup; grows with the frame
    /// (bounded by the largest frame seen).
    partials: wgpu::Buffer,
    /// The running estimate, a `LightUniform` (STORAGE | UNIFORM).
    light: wgpu::Buffer,
    staging: wgpu::Buffer,
    /// Bound when no mask is given, with `has_mask` 0.
    no_mask: wgpu::Texture,
    /// Bind groups for the frame and mask textures seen lately, newest
    /// last; at most `BOUND_KEPT` (the pose stage's mask alternates
    /// between two textures, so one entry would be rebuilt every frame).
    bound: Vec<Bound>,
    /// Whether `light` holds an estimate to blend the next frame with.
    has_previous: bool,
}

impl LightEstimator {
    /// An estimator with the default [`LightParams`].
    pub fn new(gpu: &GpuContext) -> LightEstimator {
        LightEstimator::with_params(gpu, LightParams::default())
    }

    pub fn with_params(gpu: &GpuContext, params: LightParams) -> LightEstimator {
        let device = &gpu.device;
        let compute = wgpu::ShaderStages::COMPUTE;
        // Both textures are read with textureLoad; R32Float is not
        // filterable without an optional feature.
        let ([reduce, finalize], layout) = layout::compute_pipelines(
            device,
            "light estimate",
            shaders::RENDER_LIGHT_ESTIMATE,
            &[
                layout::uniform(0, compute),
                layout::unfilterable_texture_2d(1, compute),
                layout::unfilterable_texture_2d(2, compute),
                layout::storage(3, compute, false),
                layout::storage(4, compute, false),
            ],
            ["reduce", "finalize"],
        );
        let light = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("light estimate"),
            contents: bytemuck::bytes_of(&LightUniform::from(&AmbientLight::DARK)),
            usage: wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::UNIFORM
                | wgpu::BufferUsages::COPY_SRC,
        });
        let light_bytes = std::mem::size_of::<LightUniform>() as u64;
        LightEstimator {
            params,
            reduce,
            finalize,
            layout,
            uniforms: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("light estimate params"),
                size: std::mem::size_of::<EstimateParams>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            partials: partials_buffer(gpu, 1),
            light,
            staging: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("light estimate readback"),
                size: light_bytes,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            no_mask: texture_2d(
                device,
                "light estimate no mask",
                (1, 1),
                MASK_FORMAT,
                wgpu::TextureUsages::TEXTURE_BINDING,
            ),
            bound: Vec::new(),
            has_previous: false,
        }
    }

    pub fn params(&self) -> &LightParams {
        &self.params
    }

    /// Records this frame's estimate, blended into the running one (unless
    /// this is the first frame or follows `reset`). `frame` is an
    /// `Rgba8Unorm` texture of sRGB-encoded bytes (the working texture);
    /// `mask`, if any, an `R32Float` person probability of the same size
    /// (`GpuMask::texture`). Parameters go through the queue, so submit
    /// `encoder` before encoding the next frame.
    pub fn encode(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        frame: &wgpu::Texture,
        mask: Option<&wgpu::Texture>,
    ) -> Result<(), GpuError> {
        let (width, height) = (frame.width(), frame.height());
        check_texture("frame", frame, FRAME_FORMAT)?;
        if let Some(mask) = mask {
            check_texture("person mask", mask, MASK_FORMAT)?;
            if (mask.width(), mask.height()) != (width, height) {
                return Err(GpuError::InvalidFrame(format!(
                    "the person mask is {}x{}, the frame {width}x{height}",
                    mask.width(),
                    mask.height()
                )));
            }
        }
        let stride = self.params.stride();
        let group_count = [width, height].map(|side| side.div_ceil(stride).div_ceil(TILE_SAMPLES));
        let groups = group_count[0] as u64 * group_count[1] as u64;
        if self.partials.size() < groups * PARTIAL_BYTES {
            self.partials = partials_buffer(gpu, groups);
            self.bound.clear();
        }
        let uniforms = EstimateParams {
            frame_size: [width, height],
            stride_px: stride,
            has_mask: u32::from(mask.is_some()),
            tan_half_fov: self.params.tan_half_fov(width, height),
            group_count,
            has_previous: u32::from(self.has_previous),
            new_frame_weight: self.params.blend_weight(),
            _pad0: [0; 2],
        };
        gpu.queue
            .write_buffer(&self.uniforms, 0, bytemuck::bytes_of(&uniforms));
        let group = self.bind_group(gpu, frame, mask);

        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("light estimate"),
            timestamp_writes: None,
        });
        pass.set_bind_group(0, &group, &[]);
        // wgpu orders the two dispatches: the second reads what the first
        // wrote to `partials`.
        pass.set_pipeline(&self.reduce);
        pass.dispatch_workgroups(group_count[0], group_count[1], 1);
        pass.set_pipeline(&self.finalize);
        pass.dispatch_workgroups(1, 1, 1);
        self.has_previous = true;
        Ok(())
    }

    /// The running estimate as a [`LightUniform`]: STORAGE | UNIFORM usage,
    /// `size_of::<LightUniform>()` bytes. Holds `AmbientLight::DARK` until
    /// the first `encode` is submitted.
    pub fn light_buffer(&self) -> &wgpu::Buffer {
        &self.light
    }

    /// Forgets the running estimate: the next frame is not blended (a cut,
    /// a new video). The buffer keeps the old estimate until then.
    pub fn reset(&mut self) {
        self.has_previous = false;
    }

    /// Copies the running estimate to the CPU (waits for the GPU). Submit
    /// the `encode` encoder first.
    pub fn read(&mut self, gpu: &GpuContext) -> Result<AmbientLight, GpuError> {
        let size = self.staging.size();
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("light estimate readback"),
            });
        encoder.copy_buffer_to_buffer(&self.light, 0, &self.staging, 0, size);
        gpu.queue.submit([encoder.finish()]);
        let uniform = read_mapped(gpu, &self.staging, 0..size, |mapped| {
            bytemuck::pod_read_unaligned::<LightUniform>(mapped)
        })?;
        Ok(AmbientLight::from(&uniform))
    }

    /// The bind group for these textures, made again only when they change.
    fn bind_group(
        &mut self,
        gpu: &GpuContext,
        frame: &wgpu::Texture,
        mask: Option<&wgpu::Texture>,
    ) -> wgpu::BindGroup {
        if let Some(bound) = self
            .bound
            .iter()
            .find(|b| &b.frame == frame && b.mask.as_ref() == mask)
        {
            return bound.group.clone();
        }
        let view = |t: &wgpu::Texture| t.create_view(&wgpu::TextureViewDescriptor::default());
        let frame_view = view(frame);
        let mask_view = view(mask.unwrap_or(&self.no_mask));
        let group = layout::bind_group(
            &gpu.device,
            "light estimate",
            &self.layout,
            &[
                self.uniforms.as_entire_binding(),
                wgpu::BindingResource::TextureView(&frame_view),
                wgpu::BindingResource::TextureView(&mask_view),
                self.partials.as_entire_binding(),
                self.light.as_entire_binding(),
            ],
        );
        if self.bound.len() == BOUND_KEPT {
            self.bound.remove(0);
        }
        self.bound.push(Bound {
            frame: frame.clone(),
            mask: mask.cloned(),
            group: group.clone(),
        });
        group
    }
}

/// Fails unless `texture` is a sampled 2D texture of `format`.
fn check_texture(
    what: &str,
    texture: &wgpu::Texture,
    format: wgpu::TextureFormat,
) -> Result<(), GpuError> {
    if texture.format() != format
        || texture.dimension() != wgpu::TextureDimension::D2
        || !texture
            .usage()
            .contains(wgpu::TextureUsages::TEXTURE_BINDING)
    {
        return Err(GpuError::InvalidFrame(format!(
            "the light estimate needs the {what} as a sampled 2D {format:?} texture, got {:?} {:?} with {:?}",
            texture.dimension(),
            texture.format(),
            texture.usage()
        )));
    }
    Ok(())
}

fn partials_buffer(gpu: &GpuContext, groups: u64) -> wgpu::Buffer {
    gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("light estimate partial sums"),
        size: groups.max(1) * PARTIAL_BYTES,
        usage: wgpu::BufferUsages::STORAGE,
        mapped_at_creation: false,
    })
}
