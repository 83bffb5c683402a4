//! The GPU executor: a `Model` compiled once into WGSL compute steps
//! (shaders/nn/), run with one command buffer per inference.
//!
//! Compiling plans the buffers (`plan.rs`: aliases, folded PADs, reuse by
//! tensor lifetime), uploads the weights packed as the kernels read them
//! (`conv.rs`, `depthwise.rs`, with one step builder in `conv_step.rs`), and
//! makes every pipeline and bind group (`pipelines.rs`).
//! An inference then only writes the inputs, encodes the steps and submits.
//!
//! Activations live in the padded layout of `shape.rs`: NHWC f32 with the
//! last dimension padded to a multiple of 4. `input_buffer` and
//! `output_buffer` expose that layout to other GPU stages.

mod conv;
mod conv_step;
mod depthwise;
mod ops;
mod pipelines;
mod plan;
mod sampling;
mod shape;

use std::time::Duration;

use web_time::Instant;

use crate::gpu::{read_mapped, GpuContext};
use crate::nn::{Model, NnError, OpKind};
use pipelines::{check_binding, Compiler, Step};
use plan::Plan;
use shape::{pad_channels, strip_channels, Shape4};

/// A graph input or output: its buffer and shapes.
#[derive(Debug)]
struct Port {
    buffer: wgpu::Buffer,
    shape: Shape4,
    /// The model's shape for it.
    dims: Vec<usize>,
}

/// Runs one model on the GPU. Made once per model; `run` as often as
/// needed without allocating or creating GPU objects.
#[derive(Debug)]
pub struct GpuExecutor {
    gpu: GpuContext,
    steps: Vec<Step>,
    inputs: Vec<Port>,
    outputs: Vec<Port>,
    /// Read-back buffer, sized for the largest output.
    staging: wgpu::Buffer,
    /// Channel-padded copy of an input whose channels are not a multiple
    /// of 4.
    scratch: Vec<f32>,
    pipeline_count: usize,
}

impl GpuExecutor {
    /// Compiles `model` for `gpu`: plans and allocates every buffer,
    /// uploads the weights and builds the pipelines and bind groups.
    pub fn new(gpu: &GpuContext, model: &Model) -> Result<GpuExecutor, NnError> {
        let plan = Plan::new(model)?;
        let device = &gpu.device;
        // Validation errors of what follows are drape's bugs; catch them
        // here rather than at the first inference.
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let mut buffers = Vec::with_capacity(plan.buffer_bytes.len());
        for (index, &bytes) in plan.buffer_bytes.iter().enumerate() {
            check_binding(device, &format!("activation buffer {index}"), bytes)?;
            buffers.push(device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("nn activations"),
                size: bytes,
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_DST
                    | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            }));
        }
        let port = |t: usize| -> Result<Port, NnError> {
            let buffer = plan.buffer_of[t]
                .and_then(|b| buffers.get(b))
                .ok_or_else(|| shape::malformed(format!("graph tensor #{t} has no buffer")))?;
            Ok(Port {
                buffer: buffer.clone(),
                shape: plan.shapes[t],
                dims: model.tensors[t].shape.clone(),
            })
        };
        let inputs = model
            .inputs
            .iter()
            .map(|&t| port(t))
            .collect::<Result<Vec<_>, _>>()?;
        let outputs = model
            .outputs
            .iter()
            .map(|&t| port(t))
            .collect::<Result<Vec<_>, _>>()?;

        let mut compiler = Compiler::new(device, model, &plan, &buffers);
        for (index, op) in model.ops.iter().enumerate() {
            if plan.runs[index] {
                compile_op(&mut compiler, index, op)?;
            }
        }
        let pipeline_count = compiler.pipeline_count();
        let steps = compiler.finish();

        let staging_bytes = outputs.iter().map(|p| p.shape.bytes()).max().unwrap_or(16);
        let staging = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("nn readback"),
            size: staging_bytes,
            usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
            mapped_at_creation: false,
        });
        if let Some(error) = pollster::block_on(scope.pop()) {
            return Err(NnError::GpuUnsupported(error.to_string()));
        }
        let scratch_len = inputs
            .iter()
            .map(|p| p.shape.vec4s() * 4)
            .max()
            .unwrap_or(0);
        tracing::debug!(
            "nn GPU executor: {} steps, {pipeline_count} pipelines, {} activation buffers ({} KiB)",
            steps.len(),
            buffers.len(),
            plan.buffer_bytes.iter().sum::<u64>() / 1024
        );
        Ok(GpuExecutor {
            gpu: gpu.clone(),
            steps,
            inputs,
            outputs,
            staging,
            scratch: vec![0.0; scratch_len],
            pipeline_count,
        })
    }

    /// Uploads `inputs` (dense NHWC f32, one slice per model input) and
    /// submits one inference. Results are read with `read_output` or used
    /// on the GPU through `output_buffer`.
    pub fn run(&mut self, inputs: &[&[f32]]) -> Result<(), NnError> {
        for index in 0..self.inputs.len().max(inputs.len()) {
            let port = self.inputs.get(index);
            let expected = port.map_or(0, |p| p.shape.len());
            let actual = inputs.get(index).map_or(0, |values| values.len());
            if port.is_none() || inputs.get(index).is_none() || actual != expected {
                return Err(NnError::InputShape {
                    index,
                    shape: port.map(|p| p.dims.clone()).unwrap_or_default(),
                    expected,
                    actual,
                });
            }
        }
        for (port, values) in self.inputs.iter().zip(inputs) {
            if port.shape.c % 4 == 0 {
                self.gpu
                    .queue
                    .write_buffer(&port.buffer, 0, bytemuck::cast_slice(values));
            } else {
                let padded = &mut self.scratch[..port.shape.vec4s() * 4];
                pad_channels(port.shape, values, padded);
                self.gpu
                    .queue
                    .write_buffer(&port.buffer, 0, bytemuck::cast_slice(padded));
            }
        }
        let mut encoder = self
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("nn inference"),
            });
        self.encode(&mut encoder);
        self.gpu.queue.submit([encoder.finish()]);
        Ok(())
    }

    /// Records one inference into `encoder`, reading whatever the input
    /// buffers hold when it executes: a GPU stage can fill
    /// `input_buffer` earlier in the same encoder.
    pub fn encode(&self, encoder: &mut wgpu::CommandEncoder) {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("nn inference"),
            timestamp_writes: None,
        });
        for step in &self.steps {
            pass.set_pipeline(&step.pipeline);
            pass.set_bind_group(0, &step.bind_group, &[]);
            let [x, y, z] = step.workgroups;
            pass.dispatch_workgroups(x, y, z);
        }
    }

    /// Input `index`'s storage buffer: NHWC f32 with the channels padded to
    /// a multiple of 4; the pad lanes must hold finite values (write 0).
    ///
    /// Panics if `index` is not an input of the model.
    pub fn input_buffer(&self, index: usize) -> &wgpu::Buffer {
        &self.inputs[index].buffer
    }

    /// Output `index`'s storage buffer, valid until the next inference:
    /// NHWC f32 (rank below 4 padded with leading 1s) with the last
    /// dimension padded to a multiple of 4.
    ///
    /// Panics if `index` is not an output of the model.
    pub fn output_buffer(&self, index: usize) -> &wgpu::Buffer {
        &self.outputs[index].buffer
    }

    /// The model's shape of input `index`. Panics if there is none.
    pub fn input_shape(&self, index: usize) -> &[usize] {
        &self.inputs[index].dims
    }

    /// The model's shape of output `index`. Panics if there is none.
    pub fn output_shape(&self, index: usize) -> &[usize] {
        &self.outputs[index].dims
    }

    pub fn output_count(&self) -> usize {
        self.outputs.len()
    }

    /// Dispatches per inference.
    pub fn step_count(&self) -> usize {
        self.steps.len()
    }

    /// Distinct compute pipelines the model needed.
    pub fn pipeline_count(&self) -> usize {
        self.pipeline_count
    }

    /// Runs one inference step by step, each in its own submission, and
    /// returns every step's label and wall-clock time (a diagnostic: the
    /// per-step submits and waits add overhead that `run` does not have).
    pub fn profile(&mut self, inputs: &[&[f32]]) -> Result<Vec<(String, Duration)>, NnError> {
        self.run(inputs)?;
        self.gpu.wait_idle()?;
        let mut times = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let started = Instant::now();
            let mut encoder =
                self.gpu
                    .device
                    .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                        label: Some("nn profile"),
                    });
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some(&step.label),
                    timestamp_writes: None,
                });
                pass.set_pipeline(&step.pipeline);
                pass.set_bind_group(0, &step.bind_group, &[]);
                let [x, y, z] = step.workgroups;
                pass.dispatch_workgroups(x, y, z);
            }
            self.gpu.queue.submit([encoder.finish()]);
            self.gpu.wait_idle()?;
            times.push((step.label.clone(), started.elapsed()));
        }
        Ok(times)
    }

    /// Waits for the last inference and copies output `index` back, dense
    /// (padding stripped). Panics if there is no such output.
    pub fn read_output(&mut self, index: usize) -> Result<Vec<f32>, NnError> {
        let port = &self.outputs[index];
        let bytes = port.shape.bytes();
        let mut encoder = self
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("nn readback"),
            });
        encoder.copy_buffer_to_buffer(&port.buffer, 0, &self.staging, 0, bytes);
        self.gpu.queue.submit([encoder.finish()]);
        let padded: Vec<f32> = read_mapped(
            &self.gpu,
            &self.staging,
            0..bytes,
            bytemuck::pod_collect_to_vec,
        )?;
        let mut out = Vec::new();
        strip_channels(port.shape, &padded, &mut out);
        Ok(out)
    }
}

fn compile_op(c: &mut Compiler<'_>, index: usize, op: &crate::nn::Op) -> Result<(), NnError> {
    match &op.kind {
        &OpKind::Conv2d {
            stride,
            dilation,
            padding,
            activation,
        } => conv::conv2d(
            c,
            index,
            op,
            &conv_step::Geometry {
                stride,
                dilation,
                padding,
                activation,
            },
        ),
        &OpKind::DepthwiseConv2d {
            stride,
            dilation,
            padding,
            activation,
            depth_multiplier: _,
        } => depthwise::depthwise_conv2d(
            c,
            index,
            op,
            &conv_step::Geometry {
                stride,
                dilation,
                padding,
                activation,
            },
        ),
        &OpKind::Add { activation } => ops::add(c, index, op, activation),
        OpKind::Pad { paddings } => ops::pad(c, index, op, paddings),
        &OpKind::MaxPool2d {
            filter,
            stride,
            padding,
            activation,
        } => sampling::max_pool2d(
            c,
            index,
            op,
            &sampling::Pool {
                filter,
                stride,
                padding,
                activation,
            },
        ),
        &OpKind::ResizeBilinear {
            size,
            align_corners,
            half_pixel_centers,
        } => sampling::resize_bilinear(c, index, op, size, align_corners, half_pixel_centers),
        OpKind::Reshape => ops::reshape(c, index, op),
        OpKind::Logistic => ops::logistic(c, index, op),
        &OpKind::Concatenation { axis, activation } => {
            ops::concatenation(c, index, op, axis, activation)
        }
        &OpKind::DepthToSpace { block_size } => ops::depth_to_space(c, index, op, block_size),
    }
}
