//! Terse bind-group layout entries, bind groups, layouts, shader modules
//! and pipelines: every pass declares a few, and the descriptor structs are
//! long.

/// A uniform buffer at `binding`.
pub fn uniform(binding: u32, visibility: wgpu::ShaderStages) -> wgpu::BindGroupLayoutEntry {
    buffer(binding, visibility, wgpu::BufferBindingType::Uniform)
}

/// A storage buffer at `binding`.
pub fn storage(
    binding: u32,
    visibility: wgpu::ShaderStages,
    read_only: bool,
) -> wgpu::BindGroupLayoutEntry {
    buffer(
        binding,
        visibility,
        wgpu::BufferBindingType::Storage { read_only },
    )
}

fn buffer(
    binding: u32,
    visibility: wgpu::ShaderStages,
    ty: wgpu::BufferBindingType,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// A write-only 2D storage texture of `format` at `binding`.
pub fn storage_texture_2d(
    binding: u32,
    visibility: wgpu::ShaderStages,
    format: wgpu::TextureFormat,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::StorageTexture {
            access: wgpu::StorageTextureAccess::WriteOnly,
            format,
            view_dimension: wgpu::TextureViewDimension::D2,
        },
        count: None,
    }
}

/// A filterable float 2D texture at `binding`.
pub fn texture_2d(binding: u32, visibility: wgpu::ShaderStages) -> wgpu::BindGroupLayoutEntry {
    float_texture_2d(binding, visibility, true)
}

/// An unfilterable float 2D texture at `binding`: R32Float masks, read
/// with textureLoad (filtering them needs an optional feature).
pub fn unfilterable_texture_2d(
    binding: u32,
    visibility: wgpu::ShaderStages,
) -> wgpu::BindGroupLayoutEntry {
    float_texture_2d(binding, visibility, false)
}

fn float_texture_2d(
    binding: u32,
    visibility: wgpu::ShaderStages,
    filterable: bool,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Texture {
            sample_type: wgpu::TextureSampleType::Float { filterable },
            view_dimension: wgpu::TextureViewDimension::D2,
            multisampled: false,
        },
        count: None,
    }
}

/// A filtering sampler at `binding`.
pub fn sampler(binding: u32, visibility: wgpu::ShaderStages) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
        count: None,
    }
}

/// A bind group whose entries are numbered in order from 0.
pub fn bind_group(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::BindGroupLayout,
    resources: &[wgpu::BindingResource<'_>],
) -> wgpu::BindGroup {
    let entries: Vec<wgpu::BindGroupEntry<'_>> = resources
        .iter()
        .enumerate()
        .map(|(binding, resource)| wgpu::BindGroupEntry {
            binding: binding as u32,
            resource: resource.clone(),
        })
        .collect();
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(label),
        layout,
        entries: &entries,
    })
}

/// A shader module from WGSL source.
pub fn shader_module(device: &wgpu::Device, label: &str, wgsl: &str) -> wgpu::ShaderModule {
    device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(wgsl.into()),
    })
}

/// A bind group layout of `entries`.
pub fn bind_group_layout(
    device: &wgpu::Device,
    label: &str,
    entries: &[wgpu::BindGroupLayoutEntry],
) -> wgpu::BindGroupLayout {
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(label),
        entries,
    })
}

/// A pipeline layout of `groups` (group 0 first), without immediates.
pub fn pipeline_layout(
    device: &wgpu::Device,
    label: &str,
    groups: &[&wgpu::BindGroupLayout],
) -> wgpu::PipelineLayout {
    let groups: Vec<Option<&wgpu::BindGroupLayout>> = groups.iter().copied().map(Some).collect();
    device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(label),
        bind_group_layouts: &groups,
        immediate_size: 0,
    })
}

/// A compute pipeline with one bind group, entry point `main`.
pub fn compute_pipeline(
    device: &wgpu::Device,
    label: &str,
    wgsl: &str,
    entries: &[wgpu::BindGroupLayoutEntry],
) -> (wgpu::ComputePipeline, wgpu::BindGroupLayout) {
    let ([pipeline], layout) = compute_pipelines(device, label, wgsl, entries, ["main"]);
    (pipeline, layout)
}

/// One compute pipeline per entry point of `wgsl`, all sharing one bind
/// group layout (shaders whose passes run in turn over the same buffers).
pub fn compute_pipelines<const N: usize>(
    device: &wgpu::Device,
    label: &str,
    wgsl: &str,
    entries: &[wgpu::BindGroupLayoutEntry],
    entry_points: [&str; N],
) -> ([wgpu::ComputePipeline; N], wgpu::BindGroupLayout) {
    let module = shader_module(device, label, wgsl);
    let layout = bind_group_layout(device, label, entries);
    let pipeline_layout = pipeline_layout(device, label, &[&layout]);
    let pipelines = entry_points.map(|entry_point| {
        device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(&format!("{label}: {entry_point}")),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some(entry_point),
            compilation_options: Default::default(),
            cache: None,
        })
    });
    (pipelines, layout)
}

/// A render pipeline with one module (vertex entry point `vs_main`) and
/// one colour target: what varies between the render passes here. Start
/// from `new` and change the rest with struct update syntax.
pub struct RenderPipelineSpec<'a> {
    pub label: &'a str,
    pub layout: &'a wgpu::PipelineLayout,
    pub module: &'a wgpu::ShaderModule,
    pub vertex_buffers: &'a [Option<wgpu::VertexBufferLayout<'a>>],
    pub fragment_entry: &'a str,
    pub target: wgpu::ColorTargetState,
    /// A second colour target (the try-on's garment coverage), if any.
    pub second_target: Option<wgpu::ColorTargetState>,
    pub primitive: wgpu::PrimitiveState,
    pub depth_stencil: Option<wgpu::DepthStencilState>,
    pub multisample: wgpu::MultisampleState,
}

impl<'a> RenderPipelineSpec<'a> {
    /// No vertex buffers (the vertex shader makes its own), fragment entry
    /// point `fs_main`, triangle lists, no depth, one sample.
    pub fn new(
        label: &'a str,
        layout: &'a wgpu::PipelineLayout,
        module: &'a wgpu::ShaderModule,
        target: impl Into<wgpu::ColorTargetState>,
    ) -> RenderPipelineSpec<'a> {
        RenderPipelineSpec {
            label,
            layout,
            module,
            vertex_buffers: &[],
            fragment_entry: "fs_main",
            target: target.into(),
            second_target: None,
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
        }
    }

    pub fn create(self, device: &wgpu::Device) -> wgpu::RenderPipeline {
        let both = [Some(self.target.clone()), self.second_target.clone()];
        let targets = if self.second_target.is_some() {
            &both[..]
        } else {
            &both[..1]
        };
        device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some(self.label),
            layout: Some(self.layout),
            vertex: wgpu::VertexState {
                module: self.module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: self.vertex_buffers,
            },
            primitive: self.primitive,
            depth_stencil: self.depth_stencil,
            multisample: self.multisample,
            fragment: Some(wgpu::FragmentState {
                module: self.module,
                entry_point: Some(self.fragment_entry),
                compilation_options: Default::default(),
                targets,
            }),
            multiview_mask: None,
            cache: None,
        })
    }
}

/// What a render pass draws into: one colour attachment (resolved into
/// `resolve_target` when multisampled) and, optionally, a depth buffer
/// cleared to 1 and dropped after the pass. Every render pass here has
/// this shape.
pub struct PassTargets<'a> {
    pub color: &'a wgpu::TextureView,
    pub resolve_target: Option<&'a wgpu::TextureView>,
    pub load: wgpu::LoadOp<wgpu::Color>,
    pub store: wgpu::StoreOp,
    pub depth: Option<&'a wgpu::TextureView>,
}

/// Begins a render pass into `targets`.
pub fn begin_render_pass<'e>(
    encoder: &'e mut wgpu::CommandEncoder,
    label: &str,
    targets: PassTargets<'_>,
) -> wgpu::RenderPass<'e> {
    encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some(label),
        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
            view: targets.color,
            depth_slice: None,
            resolve_target: targets.resolve_target,
            ops: wgpu::Operations {
                load: targets.load,
                store: targets.store,
            },
        })],
        depth_stencil_attachment: targets.depth.map(|view| {
            wgpu::RenderPassDepthStencilAttachment {
                view,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Clear(1.0),
                    store: wgpu::StoreOp::Discard,
                }),
                stencil_ops: None,
            }
        }),
        timestamp_writes: None,
        occlusion_query_set: None,
        multiview_mask: None,
    })
}

/// One full-screen triangle with `pipeline` and `bind_group` into `target`
/// (cleared to black first), submitted: the blit passes (a window's
/// present, the kiosk's screen), whose vertex shader makes the triangle
/// from the vertex index.
pub fn draw_fullscreen(
    gpu: &crate::gpu::GpuContext,
    label: &str,
    pipeline: &wgpu::RenderPipeline,
    bind_group: &wgpu::BindGroup,
    target: &wgpu::TextureView,
) {
    let mut encoder = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
    {
        let mut pass = begin_render_pass(
            &mut encoder,
            label,
            PassTargets {
                color: target,
                resolve_target: None,
                load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                store: wgpu::StoreOp::Store,
                depth: None,
            },
        );
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, bind_group, &[]);
        pass.draw(0..3, 0..1);
    }
    gpu.queue.submit([encoder.finish()]);
}
