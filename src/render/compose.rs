//! The try-on's last pass (shaders/render/compose.wgsl): soft garment
//! edges and the contact shadow, from the dressed frame and the garments'
//! coverage that the main pass wrote beside it. At economy quality
//! (`render::quality`) its `fs_layer` entry point instead blends the
//! garments' low-resolution layer over the full-resolution camera frame.

use crate::gpu::layout::{self, RenderPipelineSpec};
use crate::gpu::shaders;
use crate::render::quality::Quality;

/// The pass's parameters.
// This must be kept in sync with ComposeUniform in shaders/render/compose.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ComposeUniform {
    /// Where the shadow falls, pixels (away from the light).
    pub shadow_offset_px: [f32; 2],
    /// The shadow's blur radius, pixels.
    pub shadow_radius_px: f32,
    /// 0 turns the shadow off.
    pub shadow_strength: f32,
    /// 1 when a person mask is bound (the shadow falls only on the person).
    pub has_mask: u32,
    pub _pad: [u32; 3],
}

/// The pass: a full-screen triangle into the output.
pub struct Composer {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    uniform: wgpu::Buffer,
    /// Economy only: scales the garments' layer up.
    layer_sampler: Option<wgpu::Sampler>,
}

/// What one frame's pass reads.
pub struct ComposeInputs<'a> {
    /// The frame with its garments (sRGB, sampled as linear); at economy
    /// quality the garments' layer alone (premultiplied, smaller).
    pub dressed: &'a wgpu::TextureView,
    /// The garments' coverage (R8: 1 where a garment is seen), the size
    /// of `dressed`.
    pub coverage: &'a wgpu::TextureView,
    /// The person mask (R32Float), or any 1×1 float texture without one.
    pub person_mask: &'a wgpu::TextureView,
}

impl Composer {
    /// Writes into a target of `format`, at full quality.
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Composer {
        Composer::with_quality(device, format, Quality::Full)
    }

    /// Writes into a target of `format`, for frames drawn at `quality`.
    pub fn with_quality(
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        quality: Quality,
    ) -> Composer {
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let economy = quality == Quality::Economy;
        // The economy pass filters the layer and its coverage.
        let layer_texture = if economy {
            layout::texture_2d
        } else {
            layout::unfilterable_texture_2d
        };
        let mut entries = vec![
            layout::uniform(0, fragment),
            layer_texture(1, fragment),
            layer_texture(2, fragment),
            layout::unfilterable_texture_2d(3, fragment),
        ];
        if economy {
            entries.push(layout::unfilterable_texture_2d(4, fragment));
            entries.push(layout::sampler(5, fragment));
        }
        let layout = layout::bind_group_layout(device, "compose", &entries);
        let module = layout::shader_module(device, "compose", shaders::RENDER_COMPOSE);
        let pipeline_layout = layout::pipeline_layout(device, "compose", &[&layout]);
        let pipeline = RenderPipelineSpec {
            fragment_entry: if economy { "fs_layer" } else { "fs_main" },
            ..RenderPipelineSpec::new("compose", &pipeline_layout, &module, format)
        }
        .create(device);
        let layer_sampler = economy.then(|| {
            device.create_sampler(&wgpu::SamplerDescriptor {
                label: Some("garment layer"),
                mag_filter: wgpu::FilterMode::Linear,
                min_filter: wgpu::FilterMode::Linear,
                ..Default::default()
            })
        });
        Composer {
            pipeline,
            layout,
            layer_sampler,
            uniform: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("compose"),
                size: std::mem::size_of::<ComposeUniform>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
        }
    }

    /// The bind group reading `inputs`; the caller keeps it while they
    /// live.
    /// The bind group reading `inputs`, for a full-quality composer (an
    /// economy one needs the frame: `bind_group_over`).
    pub fn bind_group(&self, device: &wgpu::Device, inputs: &ComposeInputs<'_>) -> wgpu::BindGroup {
        self.bind_group_over(device, inputs, inputs.dressed)
    }

    /// The bind group reading `inputs` and, at economy quality, the camera
    /// frame (an sRGB view) the garments' layer goes over (full quality
    /// ignores it: the frame is in `inputs.dressed`).
    pub fn bind_group_over(
        &self,
        device: &wgpu::Device,
        inputs: &ComposeInputs<'_>,
        camera_frame: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        let mut entries = vec![
            self.uniform.as_entire_binding(),
            wgpu::BindingResource::TextureView(inputs.dressed),
            wgpu::BindingResource::TextureView(inputs.coverage),
            wgpu::BindingResource::TextureView(inputs.person_mask),
        ];
        if let Some(sampler) = &self.layer_sampler {
            entries.push(wgpu::BindingResource::TextureView(camera_frame));
            entries.push(wgpu::BindingResource::Sampler(sampler));
        }
        layout::bind_group(device, "compose", &self.layout, &entries)
    }

    /// This frame's parameters.
    pub fn write(&self, queue: &wgpu::Queue, params: &ComposeUniform) {
        queue.write_buffer(&self.uniform, 0, bytemuck::bytes_of(params));
    }

    pub fn draw(&self, pass: &mut wgpu::RenderPass<'_>, group: &wgpu::BindGroup) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, group, &[]);
        pass.draw(0..3, 0..1);
    }
}

/// The pass on the CPU, the twin of compose.wgsl: `dressed` (linear RGBA,
/// row-major), `covered` and `person` (probabilities, or `None`) all
/// `width × height`.
pub fn compose_cpu(
    dressed: &[[f32; 4]],
    covered: &[bool],
    person: Option<&[f32]>,
    params: &ComposeUniform,
    width: usize,
    height: usize,
) -> Vec<[f32; 4]> {
    let at = |x: i64, y: i64| {
        let x = x.clamp(0, width as i64 - 1) as usize;
        let y = y.clamp(0, height as i64 - 1) as usize;
        y * width + x
    };
    let mut out = dressed.to_vec();
    for y in 0..height as i64 {
        for x in 0..width as i64 {
            let centre = covered[at(x, y)];
            let mut color = dressed[at(x, y)];
            let edge = (-1..=1).any(|dy| (-1..=1).any(|dx| covered[at(x + dx, y + dy)] != centre));
            if edge && centre {
                let mut sum = [0.0f32; 4];
                for dy in -1..=1i64 {
                    for dx in -1..=1i64 {
                        let w = ((2 - dx.abs()) * (2 - dy.abs())) as f32;
                        let p = dressed[at(x + dx, y + dy)];
                        for c in 0..4 {
                            sum[c] += w * p[c];
                        }
                    }
                }
                color = sum.map(|s| s / 16.0);
            }
            if let (Some(person), true, false) = (person, params.shadow_strength > 0.0, centre) {
                let on_person = person[at(x, y)];
                if on_person > 0.01 {
                    let origin = [
                        x as f32 + 0.5 - params.shadow_offset_px[0],
                        y as f32 + 0.5 - params.shadow_offset_px[1],
                    ];
                    let shade = (0..12)
                        .map(|i| {
                            let angle = i as f32 * std::f32::consts::FRAC_PI_6;
                            let ring = if i % 2 == 0 { 1.0 } else { 0.45 };
                            let r = params.shadow_radius_px * ring;
                            let (sx, sy) =
                                (origin[0] + angle.cos() * r, origin[1] + angle.sin() * r);
                            f32::from(u8::from(covered[at(sx as i64, sy as i64)]))
                        })
                        .sum::<f32>()
                        / 12.0;
                    let dim = 1.0 - params.shadow_strength * shade * on_person;
                    for c in color.iter_mut().take(3) {
                        *c *= dim;
                    }
                }
            }
            out[at(x, y)] = color;
        }
    }
    out
}
