//! `CpuExecutor`: runs a `Model` in plain Rust. It is the reference the GPU
//! executor is tested against and the backend used when the only GPU is a
//! software one, so it follows TFLite's kernels exactly and is fast:
//! convolutions are packed-weight GEMMs, depthwise convolutions vectorise
//! over channels, a spatial PAD is folded into the convolution reading it,
//! RESHAPE is an alias, and every activation buffer is made in `new`.

mod build;
mod check;
mod conv;
mod depthwise;
mod elementwise;
mod gemm;
mod layout;
mod parallel;
mod plan;
mod resample;
mod simd;
mod window;

use std::sync::Arc;

use crate::nn::{Model, NnError};

/// An error for a model whose graph or shapes make no sense to run.
fn malformed(message: String) -> NnError {
    NnError::Malformed {
        what: "model".to_owned(),
        message,
    }
}

/// What an op computes, with everything fixed at load prepared.
#[derive(Debug)]
enum Kernel {
    Conv(conv::Conv),
    Depthwise(depthwise::Depthwise),
    Add(elementwise::Add),
    Pad(layout::Pad),
    MaxPool(resample::MaxPool),
    Resize(resample::ResizeBilinear),
    Logistic,
    Concat(layout::Concat),
    DepthToSpace(layout::DepthToSpace),
}

/// Where a step reads a tensor: an activation buffer or a constant.
#[derive(Debug, Clone)]
enum Operand {
    Buffer { buffer: usize, len: usize },
    Constant(Arc<[f32]>),
}

impl Operand {
    fn slice<'a>(&'a self, buffers: &'a [Vec<f32>]) -> &'a [f32] {
        match self {
            Operand::Buffer { buffer, len } => &buffers[*buffer][..*len],
            Operand::Constant(values) => values,
        }
    }
}

/// One ready step: a kernel, its inputs, the buffer it writes.
#[derive(Debug)]
struct Step {
    kernel: Kernel,
    inputs: Vec<Operand>,
    output: usize,
    output_len: usize,
}

/// A model input or output: where it lives and its shape.
#[derive(Debug)]
struct Port {
    operand: Operand,
    shape: Vec<usize>,
}

/// Runs a `Model` on the CPU. Build once with `new`, then `run` per
/// inference; `run` allocates nothing.
#[derive(Debug)]
pub struct CpuExecutor {
    steps: Vec<Step>,
    buffers: Vec<Vec<f32>>,
    inputs: Vec<Port>,
    outputs: Vec<Port>,
    workers: parallel::Workers,
}

impl CpuExecutor {
    /// Prepares `model` for `threads` threads (at least 1; 1 spawns none):
    /// checks every op's shapes, packs weights, plans and makes buffers.
    pub fn new(model: &Model, threads: usize) -> Result<CpuExecutor, NnError> {
        build::build(model, threads.max(1))
    }

    /// Runs one inference. `inputs` are the model's inputs in order, NHWC
    /// f32, each exactly as long as its tensor.
    pub fn run(&mut self, inputs: &[&[f32]]) -> Result<(), NnError> {
        if inputs.len() != self.inputs.len() {
            let index = inputs.len().min(self.inputs.len());
            let shape = self
                .inputs
                .get(index)
                .map(|p| p.shape.clone())
                .unwrap_or_default();
            return Err(NnError::InputShape {
                index,
                expected: shape.iter().product(),
                shape,
                actual: inputs.get(index).map_or(0, |x| x.len()),
            });
        }
        for (index, (port, values)) in self.inputs.iter().zip(inputs).enumerate() {
            let Operand::Buffer { buffer, len } = port.operand else {
                continue;
            };
            if values.len() != len {
                return Err(NnError::InputShape {
                    index,
                    shape: port.shape.clone(),
                    expected: len,
                    actual: values.len(),
                });
            }
            self.buffers[buffer][..len].copy_from_slice(values);
        }
        let CpuExecutor {
            steps,
            buffers,
            workers,
            ..
        } = self;
        for step in steps.iter() {
            // The output buffer is taken out while the step runs so its
            // inputs (other buffers, by the plan) can be borrowed.
            let mut out_buffer = std::mem::take(&mut buffers[step.output]);
            let out = &mut out_buffer[..step.output_len];
            let input = |i: usize| step.inputs[i].slice(buffers);
            match &step.kernel {
                Kernel::Conv(conv) => conv.run(input(0), out, workers),
                Kernel::Depthwise(dw) => dw.run(input(0), out, workers),
                Kernel::Add(add) => add.run(input(0), input(1), out),
                Kernel::Pad(pad) => pad.run(input(0), out),
                Kernel::MaxPool(pool) => pool.run(input(0), out),
                Kernel::Resize(resize) => resize.run(input(0), out),
                Kernel::Logistic => elementwise::logistic(input(0), out),
                Kernel::Concat(concat) => concat.run(input, out),
                Kernel::DepthToSpace(d2s) => d2s.run(input(0), out),
            }
            buffers[step.output] = out_buffer;
        }
        Ok(())
    }

    /// Output `index` of the last `run` (row-major, NHWC for images).
    /// Panics if `index` is not below the model's output count.
    pub fn output(&self, index: usize) -> &[f32] {
        self.outputs[index].operand.slice(&self.buffers)
    }

    /// The shape of output `index`.
    pub fn output_shape(&self, index: usize) -> &[usize] {
        &self.outputs[index].shape
    }

    /// The number of model outputs.
    pub fn output_count(&self) -> usize {
        self.outputs.len()
    }

    /// Floats held by activation buffers (for the memory plan's tests).
    pub fn activation_floats(&self) -> usize {
        self.buffers.iter().map(Vec::len).sum()
    }
}
