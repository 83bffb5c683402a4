//! Turning ops into ready steps: the pipeline cache (one pipeline per
//! shader entry point and override constants), the uniform arena and the
//! bind groups, all made once when the model is compiled.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use wgpu::util::DeviceExt;

use super::plan::Plan;
use super::shape::{malformed, Shape4};
use crate::gpu::{layout, shaders};
use crate::nn::{Activation, Model, NnError, TensorId};

/// Invocations per workgroup in every nn shader.
pub(crate) const WORKGROUP: usize = 64;

/// A kernel: its WGSL file (before composition) and entry point.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Kernel {
    pub path: &'static str,
    pub source: &'static str,
    pub entry: &'static str,
}

/// One dispatch, ready to encode.
#[derive(Debug)]
pub(crate) struct Step {
    pub label: String,
    pub pipeline: wgpu::ComputePipeline,
    pub bind_group: wgpu::BindGroup,
    pub workgroups: [u32; 3],
}

/// The size of a uniform weight window: WebGPU's guaranteed minimum of
/// `max_uniform_buffer_binding_size`, and conv2d.wgsl's `w`.
pub(crate) const UNIFORM_WINDOW_BYTES: u64 = 65_536;

/// What a kernel reads, after the params at binding 0.
pub(crate) enum Binding {
    /// A whole read-only storage buffer.
    Storage(wgpu::Buffer),
    /// `UNIFORM_WINDOW_BYTES` of the uniform weight arena from this byte
    /// offset.
    UniformWindow(u64),
}

/// A step before the uniform buffers exist.
struct Draft {
    label: String,
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
    params: Vec<u8>,
    /// The reads, then the output.
    inputs: Vec<Binding>,
    output: wgpu::Buffer,
    workgroups: [u32; 3],
}

type PipelineKey = (&'static str, &'static str, Vec<(&'static str, u32)>);

/// Where a kernel reads an activation.
pub(crate) struct Input {
    pub buffer: wgpu::Buffer,
    /// The stored tensor's shape.
    pub shape: Shape4,
    /// Zero rows and columns of a folded PAD, read around the tensor.
    pub pad_top: usize,
    pub pad_left: usize,
}

/// Builds the steps of one model.
pub(crate) struct Compiler<'a> {
    pub device: &'a wgpu::Device,
    pub model: &'a Model,
    pub plan: &'a Plan,
    buffers: &'a [wgpu::Buffer],
    modules: HashMap<&'static str, wgpu::ShaderModule>,
    /// Per kind of each read binding (true: uniform).
    layouts: HashMap<Vec<bool>, (wgpu::BindGroupLayout, wgpu::PipelineLayout)>,
    pipelines: HashMap<PipelineKey, wgpu::ComputePipeline>,
    drafts: Vec<Draft>,
    /// Weights read through uniform windows, every window 256-byte aligned.
    uniform_weights: Vec<f32>,
}

impl<'a> Compiler<'a> {
    pub fn new(
        device: &'a wgpu::Device,
        model: &'a Model,
        plan: &'a Plan,
        buffers: &'a [wgpu::Buffer],
    ) -> Compiler<'a> {
        Compiler {
            device,
            model,
            plan,
            buffers,
            modules: HashMap::new(),
            layouts: HashMap::new(),
            pipelines: HashMap::new(),
            drafts: Vec::new(),
            uniform_weights: Vec::new(),
        }
    }

    /// The activation `t` as a kernel reads it.
    pub fn input(&self, t: TensorId) -> Result<Input, NnError> {
        let (source, pad_top, pad_left) = match self.plan.folded[t] {
            Some(fold) => (fold.source, fold.top, fold.left),
            None => (t, 0, 0),
        };
        let buffer = self.plan.buffer_of[source]
            .and_then(|b| self.buffers.get(b))
            .ok_or_else(|| {
                malformed(format!(
                    "tensor #{t} is a constant where an activation is expected"
                ))
            })?;
        Ok(Input {
            buffer: buffer.clone(),
            shape: self.plan.shapes[source],
            pad_top,
            pad_left,
        })
    }

    /// The buffer an op writes `t` to.
    pub fn output(&self, t: TensorId) -> Result<wgpu::Buffer, NnError> {
        self.plan.buffer_of[t]
            .and_then(|b| self.buffers.get(b))
            .cloned()
            .ok_or_else(|| malformed(format!("tensor #{t} has no buffer")))
    }

    /// The values of constant `t`, checked to match its shape.
    pub fn constant(&self, t: TensorId) -> Result<&'a [f32], NnError> {
        let tensor = &self.model.tensors[t];
        match &tensor.data {
            Some(data) if data.len() == tensor.len() => Ok(data),
            Some(data) => Err(malformed(format!(
                "constant {:?} holds {} values for shape {:?}",
                tensor.name,
                data.len(),
                tensor.shape
            ))),
            None => Err(malformed(format!(
                "tensor {:?} should be a constant (weights or bias)",
                tensor.name
            ))),
        }
    }

    /// A read-only storage buffer holding `data`.
    pub fn upload(&self, label: &str, data: &[f32]) -> Result<wgpu::Buffer, NnError> {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        check_binding(self.device, label, bytes.len() as u64)?;
        Ok(self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytes,
                usage: wgpu::BufferUsages::STORAGE,
            }))
    }

    /// Appends `data` to the uniform weight arena; returns its byte offset,
    /// a multiple of 256 (the largest uniform offset alignment WebGPU
    /// allows an adapter to demand).
    pub fn add_uniform_weights(&mut self, data: &[f32]) -> u64 {
        let start = self.uniform_weights.len().next_multiple_of(64);
        self.uniform_weights.resize(start, 0.0);
        self.uniform_weights.extend_from_slice(data);
        (start * 4) as u64
    }

    /// Adds a dispatch of `kernel` (specialised by `constants`) reading
    /// `inputs` and writing `output`, with `params` as its uniform.
    pub fn push(
        &mut self,
        label: String,
        (kernel, constants): (Kernel, &[(&'static str, u32)]),
        params: &[u8],
        inputs: Vec<Binding>,
        output: &wgpu::Buffer,
        workgroups: [u32; 3],
    ) -> Result<(), NnError> {
        let limit = self.device.limits().max_compute_workgroups_per_dimension;
        if workgroups.iter().any(|&n| n > limit) {
            return Err(NnError::GpuUnsupported(format!(
                "{label} needs {workgroups:?} workgroups; this adapter allows {limit} a dimension"
            )));
        }
        let kinds: Vec<bool> = inputs
            .iter()
            .map(|b| matches!(b, Binding::UniformWindow(_)))
            .collect();
        let (layout, pipeline) = self.pipeline(kernel, constants, kinds)?;
        self.drafts.push(Draft {
            label,
            pipeline,
            layout,
            params: params.to_vec(),
            inputs,
            output: output.clone(),
            workgroups,
        });
        Ok(())
    }

    fn pipeline(
        &mut self,
        kernel: Kernel,
        constants: &[(&'static str, u32)],
        kinds: Vec<bool>,
    ) -> Result<(wgpu::BindGroupLayout, wgpu::ComputePipeline), NnError> {
        let device = self.device;
        let (layout, pipeline_layout) = self.layouts.entry(kinds).or_insert_with_key(|kinds| {
            let compute = wgpu::ShaderStages::COMPUTE;
            let mut entries = vec![layout::uniform(0, compute)];
            for (binding, &uniform) in (1u32..).zip(kinds) {
                entries.push(if uniform {
                    layout::uniform(binding, compute)
                } else {
                    layout::storage(binding, compute, true)
                });
            }
            entries.push(layout::storage(kinds.len() as u32 + 1, compute, false));
            let bind_layout = layout::bind_group_layout(device, "nn step", &entries);
            let pipeline_layout = layout::pipeline_layout(device, "nn step", &[&bind_layout]);
            (bind_layout, pipeline_layout)
        });
        let key = (kernel.path, kernel.entry, constants.to_vec());
        if let Some(pipeline) = self.pipelines.get(&key) {
            return Ok((layout.clone(), pipeline.clone()));
        }
        let module = match self.modules.entry(kernel.path) {
            Entry::Occupied(module) => module.into_mut(),
            Entry::Vacant(slot) => {
                // Shared WGSL (shaders/common/) is pulled in once per module.
                let source = shaders::composed(kernel.source).map_err(|source| {
                    NnError::ShaderCompose {
                        shader: kernel.path,
                        source,
                    }
                })?;
                slot.insert(layout::shader_module(device, kernel.path, &source))
            }
        };
        let values: Vec<(&str, f64)> = constants
            .iter()
            .map(|&(name, value)| (name, f64::from(value)))
            .collect();
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(kernel.entry),
            layout: Some(pipeline_layout),
            module,
            entry_point: Some(kernel.entry),
            compilation_options: wgpu::PipelineCompilationOptions {
                constants: &values,
                zero_initialize_workgroup_memory: false,
            },
            cache: None,
        });
        self.pipelines.insert(key, pipeline.clone());
        Ok((layout.clone(), pipeline))
    }

    /// The number of distinct pipelines made.
    pub fn pipeline_count(&self) -> usize {
        self.pipelines.len()
    }

    /// Writes every step's uniforms into one buffer, the uniform weights
    /// into another, and makes the bind groups.
    pub fn finish(mut self) -> Vec<Step> {
        let align = self.device.limits().min_uniform_buffer_offset_alignment as usize;
        let mut arena = Vec::new();
        let mut offsets = Vec::with_capacity(self.drafts.len());
        for draft in &self.drafts {
            offsets.push(arena.len() as u64);
            arena.extend_from_slice(&draft.params);
            arena.resize(arena.len().next_multiple_of(align.max(16)), 0);
        }
        if arena.is_empty() {
            arena.resize(16, 0);
        }
        let uniforms = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("nn step params"),
                contents: &arena,
                usage: wgpu::BufferUsages::UNIFORM,
            });
        // Every window reads a full 64 KiB, also the last one.
        let arena_floats = self.uniform_weights.len() + UNIFORM_WINDOW_BYTES as usize / 4;
        self.uniform_weights.resize(arena_floats, 0.0);
        let weights = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("nn uniform weights"),
                contents: bytemuck::cast_slice(&self.uniform_weights),
                usage: wgpu::BufferUsages::UNIFORM,
            });
        self.drafts
            .into_iter()
            .zip(offsets)
            .map(|(draft, offset)| {
                let mut resources = vec![wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: &uniforms,
                    offset,
                    size: wgpu::BufferSize::new(draft.params.len() as u64),
                })];
                resources.extend(draft.inputs.iter().map(|binding| match binding {
                    Binding::Storage(buffer) => buffer.as_entire_binding(),
                    &Binding::UniformWindow(offset) => {
                        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                            buffer: &weights,
                            offset,
                            size: wgpu::BufferSize::new(UNIFORM_WINDOW_BYTES),
                        })
                    }
                }));
                resources.push(draft.output.as_entire_binding());
                let bind_group =
                    layout::bind_group(self.device, &draft.label, &draft.layout, &resources);
                Step {
                    label: draft.label,
                    pipeline: draft.pipeline,
                    bind_group,
                    workgroups: draft.workgroups,
                }
            })
            .collect()
    }
}

/// Fails when one binding of `bytes` exceeds the adapter's limits.
pub(crate) fn check_binding(device: &wgpu::Device, what: &str, bytes: u64) -> Result<(), NnError> {
    let limits = device.limits();
    let limit = limits
        .max_storage_buffer_binding_size
        .min(limits.max_buffer_size);
    if bytes > limit {
        return Err(NnError::GpuUnsupported(format!(
            "{what} needs {bytes} bytes in one buffer; this adapter allows {limit}"
        )));
    }
    Ok(())
}

/// Workgroups for `invocations` one-dimensional invocations, folded into
/// a second dimension past the per-dimension limit (the shaders rebuild
/// the index from `num_workgroups`).
pub(crate) fn linear_grid(invocations: usize) -> [u32; 3] {
    const MAX_X: usize = 65_535;
    let groups = invocations.div_ceil(WORKGROUP).max(1);
    let x = groups.min(MAX_X);
    let y = groups.div_ceil(x);
    [x as u32, y.min(u32::MAX as usize) as u32, 1]
}

/// The shaders' ACTIVATION codes.
pub(crate) fn activation_code(activation: Activation) -> u32 {
    match activation {
        Activation::None => 0,
        Activation::Relu => 1,
        Activation::ReluN1To1 => 2,
        Activation::Relu6 => 3,
        Activation::Tanh => 4,
    }
}

/// A size or index as the shaders' u32, or an error naming it.
pub(crate) fn to_u32(value: usize, what: &str) -> Result<u32, NnError> {
    u32::try_from(value)
        .map_err(|_| NnError::GpuUnsupported(format!("{what} ({value}) does not fit in 32 bits")))
}
