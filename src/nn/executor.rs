//! `Executor`: the CPU or the GPU runtime behind one interface, chosen
//! automatically: a software adapter (lavapipe, llvmpipe, WARP) runs
//! networks slower than the CPU executor on the same cores, so it gets the
//! CPU; a real GPU gets the GPU.

use std::str::FromStr;

use super::cpu::CpuExecutor;
use super::gpu::GpuExecutor;
use super::{Model, NnError};
use crate::gpu::GpuContext;

/// Which runtime runs the networks (`--nn`, `DRAPE_NN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// The GPU when it is a real one, else the CPU.
    #[default]
    Auto,
    /// The plain-Rust CPU executor (`CpuExecutor`).
    Cpu,
    /// The WGSL compute executor (`GpuExecutor`), even on a software
    /// adapter.
    Gpu,
}

impl FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Backend, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Backend::Auto),
            "cpu" => Ok(Backend::Cpu),
            "gpu" => Ok(Backend::Gpu),
            other => Err(format!(
                "unknown network backend {other:?}: use auto, cpu or gpu"
            )),
        }
    }
}

impl Backend {
    /// `Auto` made concrete for `gpu`.
    pub fn resolve(self, gpu: &GpuContext) -> Backend {
        match self {
            Backend::Auto if gpu.is_software() => Backend::Cpu,
            Backend::Auto => Backend::Gpu,
            chosen => chosen,
        }
    }

    /// From the `DRAPE_NN` environment variable, `Auto` when unset.
    pub fn from_env() -> Result<Backend, String> {
        match std::env::var("DRAPE_NN") {
            Ok(value) => value.parse(),
            Err(_) => Ok(Backend::Auto),
        }
    }
}

/// A model ready to run on one backend.
pub enum Executor {
    Cpu(CpuExecutor),
    Gpu(GpuExecutor),
}

impl Executor {
    /// Builds `model` for `backend` (resolved against `gpu`). `threads` is
    /// the CPU executor's thread count.
    pub fn new(
        gpu: &GpuContext,
        model: &Model,
        backend: Backend,
        threads: usize,
    ) -> Result<Executor, NnError> {
        Ok(match backend.resolve(gpu) {
            Backend::Gpu => Executor::Gpu(GpuExecutor::new(gpu, model)?),
            _ => Executor::Cpu(CpuExecutor::new(model, threads.max(1))?),
        })
    }

    pub fn backend(&self) -> Backend {
        match self {
            Executor::Cpu(_) => Backend::Cpu,
            Executor::Gpu(_) => Backend::Gpu,
        }
    }

    /// One inference. On the GPU this submits the work; `output` (or
    /// `GpuContext::wait_idle`) waits for it.
    pub fn run(&mut self, inputs: &[&[f32]]) -> Result<(), NnError> {
        match self {
            Executor::Cpu(cpu) => cpu.run(inputs),
            Executor::Gpu(gpu) => gpu.run(inputs),
        }
    }

    /// Output `index` on the CPU (a copy back from the GPU there).
    pub fn output(&mut self, index: usize) -> Result<Vec<f32>, NnError> {
        match self {
            Executor::Cpu(cpu) => Ok(cpu.output(index).to_vec()),
            Executor::Gpu(gpu) => gpu.read_output(index),
        }
    }
}
