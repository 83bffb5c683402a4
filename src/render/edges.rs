//! Soft garment edges (shaders/render/edges.wgsl): the last pass of a
//! try-on frame blurs the few pixels where a garment's coverage changes,
//! so outlines are smooth without multisampling (a software GPU has none)
//! and the person mask's clip is not a hard cut.

use crate::gpu::layout::{self, RenderPipelineSpec};
use crate::gpu::shaders;

/// The pass: a full-screen triangle from the dressed frame and the
/// garment coverage into the output.
pub struct EdgeSoftener {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
}

impl EdgeSoftener {
    /// Writes into a target of `format`.
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> EdgeSoftener {
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let layout = layout::bind_group_layout(
            device,
            "soft edges",
            &[
                layout::unfilterable_texture_2d(0, fragment),
                layout::unfilterable_texture_2d(1, fragment),
            ],
        );
        let module = layout::shader_module(device, "soft edges", shaders::RENDER_EDGES);
        let pipeline_layout = layout::pipeline_layout(device, "soft edges", &[&layout]);
        let pipeline =
            RenderPipelineSpec::new("soft edges", &pipeline_layout, &module, format).create(device);
        EdgeSoftener { pipeline, layout }
    }

    /// The bind group reading `dressed` (the frame with its garments) and
    /// `coverage`; made once per target size.
    pub fn bind_group(
        &self,
        device: &wgpu::Device,
        dressed: &wgpu::TextureView,
        coverage: &wgpu::TextureView,
    ) -> wgpu::BindGroup {
        layout::bind_group(
            device,
            "soft edges",
            &self.layout,
            &[
                wgpu::BindingResource::TextureView(dressed),
                wgpu::BindingResource::TextureView(coverage),
            ],
        )
    }

    pub fn draw(&self, pass: &mut wgpu::RenderPass<'_>, group: &wgpu::BindGroup) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, group, &[]);
        pass.draw(0..3, 0..1);
    }
}

/// The pass on the CPU: `dressed` (linear RGBA, row-major) softened where
/// `covered` changes within a pixel's 3×3 neighbourhood. The twin of
/// edges.wgsl.
pub fn soften_edges_cpu(
    dressed: &[[f32; 4]],
    covered: &[bool],
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
            let edge = (-1..=1).any(|dy| (-1..=1).any(|dx| covered[at(x + dx, y + dy)] != centre));
            if !edge {
                continue;
            }
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
            out[at(x, y)] = sum.map(|s| s / 16.0);
        }
    }
    out
}
