//! `CpuExecutor`: runs a `Model` in plain Rust. It is the reference the GPU
//! executor is tested against and the backend used when the only GPU is a
//! software one, so it follows TFLite's kernels exactly and is fast:
//! convolutions are packed-weight GEMMs (sparse ones skip their zero
//! weights, 1–4 channel ones are dot products), depthwise convolutions vectorise
//! over channels, a spatial PAD is folded into the convolution reading it,
//! RESHAPE is an alias, and every activation buffer is made in `new`.
//! On several threads each op is split into chunks that the caller and
//! the executor's own spinning threads (`pool`) claim, so the hand-off
//! between ops costs about a cache miss, not a thread wake-up.
//! The kernels' instruction set (`Isa`: AVX-512, AVX2+FMA, SSE4.1, NEON,
//! WebAssembly SIMD128 or portable Rust) is picked at run time, the best
//! the CPU has unless `DRAPE_CPU_ISA` or `CpuExecutor::with_isa` names one.

mod build;
mod check;
mod conv;
mod depthwise;
mod dot;
mod elementwise;
mod gemm;
mod isa;
mod layout;
mod parallel;
mod plan;
mod pool;
mod resample;
mod simd;
mod sparse;
mod vector;
mod window;

use std::sync::Arc;

pub use isa::{Isa, ISA_ENV};

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

impl Kernel {
    /// The op and its main sizes, for `run_timed`.
    fn describe(&self) -> String {
        match self {
            Kernel::Conv(conv) => format!("CONV_2D {}", conv.describe()),
            Kernel::Depthwise(dw) => format!("DEPTHWISE_CONV_2D {}", dw.describe()),
            Kernel::Add(_) => "ADD".to_owned(),
            Kernel::Pad(_) => "PAD".to_owned(),
            Kernel::MaxPool(_) => "MAX_POOL_2D".to_owned(),
            Kernel::Resize(_) => "RESIZE_BILINEAR".to_owned(),
            Kernel::Logistic => "LOGISTIC".to_owned(),
            Kernel::Concat(_) => "CONCATENATION".to_owned(),
            Kernel::DepthToSpace(_) => "DEPTH_TO_SPACE".to_owned(),
        }
    }
}

/// One step's share of a `run_timed` inference.
#[derive(Debug, Clone)]
pub struct StepTime {
    /// The op and its sizes, e.g. `CONV_2D 1x1 64x64 24->96`.
    pub kind: String,
    pub nanos: u64,
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
    /// The kernels are the best this CPU runs, or those `DRAPE_CPU_ISA`
    /// names (`Isa::from_env_or_detect`).
    pub fn new(model: &Model, threads: usize) -> Result<CpuExecutor, NnError> {
        CpuExecutor::with_isa(model, threads, Isa::from_env_or_detect())
    }

    /// As `new`, with `isa`'s kernels, or the best this CPU has if it
    /// cannot run `isa` (see `Isa::available`; `isa()` tells which).
    pub fn with_isa(model: &Model, threads: usize, isa: Isa) -> Result<CpuExecutor, NnError> {
        let isa = if isa.available() { isa } else { Isa::detect() };
        build::build(model, threads.max(1), isa)
    }

    /// The instruction set this executor's kernels use.
    pub fn isa(&self) -> Isa {
        self.workers.isa
    }

    /// Runs one inference. `inputs` are the model's inputs in order, NHWC
    /// f32, each exactly as long as its tensor.
    pub fn run(&mut self, inputs: &[&[f32]]) -> Result<(), NnError> {
        self.load_inputs(inputs)?;
        for index in 0..self.steps.len() {
            self.run_step(index);
        }
        self.workers.idle();
        Ok(())
    }

    /// Runs one inference like `run` and returns each step's kind and
    /// wall time in nanoseconds, for finding where the time goes.
    pub fn run_timed(&mut self, inputs: &[&[f32]]) -> Result<Vec<StepTime>, NnError> {
        self.load_inputs(inputs)?;
        let mut times = Vec::with_capacity(self.steps.len());
        for index in 0..self.steps.len() {
            let start = web_time::Instant::now();
            self.run_step(index);
            times.push(StepTime {
                kind: self.steps[index].kernel.describe(),
                nanos: start.elapsed().as_nanos() as u64,
            });
        }
        Ok(times)
    }

    fn load_inputs(&mut self, inputs: &[&[f32]]) -> Result<(), NnError> {
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
        Ok(())
    }

    fn run_step(&mut self, index: usize) {
        let CpuExecutor {
            steps,
            buffers,
            workers,
            ..
        } = self;
        let step = &steps[index];
        // The output buffer is taken out while the step runs so its
        // inputs (other buffers, by the plan) can be borrowed.
        let mut out_buffer = std::mem::take(&mut buffers[step.output]);
        let out = &mut out_buffer[..step.output_len];
        let input = |i: usize| step.inputs[i].slice(buffers);
        match &step.kernel {
            Kernel::Conv(conv) => {
                let residual = conv.has_residual().then(|| input(1));
                conv.run(input(0), residual, out, workers)
            }
            Kernel::Depthwise(dw) => dw.run(input(0), out, workers),
            Kernel::Add(add) => add.run(input(0), input(1), out, workers),
            Kernel::Pad(pad) => pad.run(input(0), out, workers),
            Kernel::MaxPool(pool) => pool.run(input(0), out, workers),
            Kernel::Resize(resize) => resize.run(input(0), out, workers),
            Kernel::Logistic => elementwise::logistic(input(0), out, workers),
            Kernel::Concat(concat) => concat.run(input, out, workers),
            Kernel::DepthToSpace(d2s) => d2s.run(input(0), out, workers),
        }
        buffers[step.output] = out_buffer;
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

    /// Makes this executor use only its portable kernels (which read
    /// weights packed for any `Isa`), so tests cover them on any machine.
    #[doc(hidden)]
    pub fn force_portable(&mut self) {
        self.workers.isa = Isa::Portable;
    }

    /// Floats held by activation buffers (for the memory plan's tests).
    pub fn activation_floats(&self) -> usize {
        self.buffers.iter().map(Vec::len).sum()
    }
}
