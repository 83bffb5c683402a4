//! The main pass's pipelines: the frame as background, the body proxies
//! into depth, the garments. All write two targets: the colour and the
//! garments' coverage (which the last pass, `render::compose`, reads).

use super::{COLOR_FORMAT, COVERAGE_FORMAT, DEPTH_FORMAT};
use crate::gpu::layout::{self, RenderPipelineSpec};
use crate::gpu::shaders;
use crate::render::garment_gpu::{GarmentLayouts, VERTEX_LAYOUT};
use crate::render::proxies::GpuProxies;

// This must be kept in sync with BackgroundUniform in
// shaders/render/background.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct BackgroundUniform {
    pub image_size: [f32; 2],
    pub _pad: [f32; 2],
}

/// The main pass's pipelines, made once per renderer.
pub(super) struct Pipelines {
    pub background_layout: wgpu::BindGroupLayout,
    pub background: wgpu::RenderPipeline,
    pub proxy: wgpu::RenderPipeline,
    /// [double-sided][blend]
    pub garment: [[wgpu::RenderPipeline; 2]; 2],
}

impl Pipelines {
    pub fn new(device: &wgpu::Device, layouts: &GarmentLayouts, samples: u32) -> Pipelines {
        let fragment = wgpu::ShaderStages::FRAGMENT;
        let background_layout = layout::bind_group_layout(
            device,
            "try-on background",
            &[
                layout::uniform(0, fragment),
                layout::texture_2d(1, fragment),
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
        let target =
            |format, blend: Option<wgpu::BlendState>, write: bool| wgpu::ColorTargetState {
                format,
                blend,
                write_mask: if write {
                    wgpu::ColorWrites::ALL
                } else {
                    wgpu::ColorWrites::empty()
                },
            };
        let background = RenderPipelineSpec {
            depth_stencil: depth(false, wgpu::CompareFunction::Always),
            multisample,
            second_target: Some(target(COVERAGE_FORMAT, None, true)),
            ..RenderPipelineSpec::new(
                "try-on background",
                &background_pipeline_layout,
                &background_module,
                COLOR_FORMAT,
            )
        }
        .create(device);
        // The proxies write depth only: they hide what is behind the body.
        let proxy = RenderPipelineSpec {
            vertex_buffers: &GpuProxies::VERTEX_LAYOUTS.map(Some),
            depth_stencil: depth(true, wgpu::CompareFunction::Less),
            multisample,
            second_target: Some(target(COVERAGE_FORMAT, None, false)),
            ..RenderPipelineSpec::new(
                "body proxies",
                &proxy_layout,
                &proxy_module,
                target(COLOR_FORMAT, None, false),
            )
        }
        .create(device);
        // Blended materials (lenses) do not count as coverage.
        let garment_pipeline = |double_sided: bool, blend: bool| {
            RenderPipelineSpec {
                vertex_buffers: &[Some(VERTEX_LAYOUT)],
                primitive: wgpu::PrimitiveState {
                    cull_mode: (!double_sided).then_some(wgpu::Face::Back),
                    ..Default::default()
                },
                depth_stencil: depth(!blend, wgpu::CompareFunction::Less),
                multisample,
                second_target: Some(target(COVERAGE_FORMAT, None, !blend)),
                ..RenderPipelineSpec::new(
                    "garment",
                    &garment_layout,
                    &garment_module,
                    target(
                        COLOR_FORMAT,
                        blend.then_some(wgpu::BlendState::ALPHA_BLENDING),
                        true,
                    ),
                )
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
        Pipelines {
            background_layout,
            background,
            proxy,
            garment,
        }
    }
}
