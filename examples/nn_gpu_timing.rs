//! Times the GPU executor on the bundled pose models.
//!
//! `cargo run --release --example nn_gpu_timing [runs]` compiles each model
//! once, warms up, then times `runs` inferences (default 20), each one
//! submit plus a wait for the GPU, and prints the median. Wall-clock time
//! is used because timestamp queries are unreliable on lavapipe.

use std::error::Error;
use std::time::{Duration, Instant};

use drape::nn::gpu::GpuExecutor;
use drape::nn::models::PoseModel;
use drape::GpuContext;

/// A deterministic RGB gradient in [0, 1], NHWC.
fn gradient(shape: &[usize]) -> Vec<f32> {
    let (h, w, c) = (shape[1], shape[2], shape[3]);
    let mut out = Vec::with_capacity(h * w * c);
    for y in 0..h {
        for x in 0..w {
            for channel in 0..c {
                out.push(match channel {
                    0 => x as f32 / w as f32,
                    1 => y as f32 / h as f32,
                    _ => (x + y) as f32 / (w + h) as f32,
                });
            }
        }
    }
    out
}

fn main() -> Result<(), Box<dyn Error>> {
    let runs: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 20,
    };
    let gpu = GpuContext::headless()?;
    let limits = gpu.device.limits();
    println!(
        "adapter: {} ({:?}); uniform binding {} KiB, storage binding {} MiB",
        gpu.info.name,
        gpu.info.backend,
        limits.max_uniform_buffer_binding_size / 1024,
        limits.max_storage_buffer_binding_size >> 20
    );
    for which in [PoseModel::Detector, PoseModel::LandmarkLite] {
        let model = which.load()?;
        let compile_started = Instant::now();
        let mut executor = GpuExecutor::new(&gpu, &model)?;
        gpu.wait_idle()?;
        let compile = compile_started.elapsed();
        let input = gradient(&model.tensors[model.inputs[0]].shape);
        for _ in 0..3 {
            executor.run(&[&input])?;
            gpu.wait_idle()?;
        }
        let mut times: Vec<Duration> = (0..runs.max(1))
            .map(|_| {
                let started = Instant::now();
                executor.run(&[&input])?;
                gpu.wait_idle()?;
                Ok(started.elapsed())
            })
            .collect::<Result<_, Box<dyn Error>>>()?;
        times.sort();
        if std::env::var_os("NN_PROFILE").is_some() {
            let mut steps = executor.profile(&[&input])?;
            steps.sort_by_key(|(_, time)| std::cmp::Reverse(*time));
            for (label, time) in steps.iter().take(25) {
                println!("  {:8.2} ms  {label}", time.as_secs_f64() * 1e3);
            }
            let total: Duration = steps.iter().map(|(_, t)| *t).sum();
            println!(
                "  {:8.2} ms  all steps, one submit each",
                total.as_secs_f64() * 1e3
            );
        }
        let median = times[times.len() / 2];
        let gflop = 2.0 * model.macs() as f64 / 1e9;
        println!(
            "{}: {} steps, {} pipelines, compiled in {:.0} ms; median {:.2} ms over {} runs (min {:.2}), {gflop:.2} GFLOP, {:.1} GFLOP/s",
            which.file_name(),
            executor.step_count(),
            executor.pipeline_count(),
            compile.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e3,
            times.len(),
            times[0].as_secs_f64() * 1e3,
            gflop / median.as_secs_f64(),
        );
    }
    Ok(())
}
