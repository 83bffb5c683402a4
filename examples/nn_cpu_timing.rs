//! Times the CPU executor on the pose models: median latency per
//! inference after warm-up, on 1 and 2 threads, with the GFLOP/s reached.
//!
//! `cargo run --release --example nn_cpu_timing [runs] [threads]`
//! With `NN_CPU_STEPS=1` it also lists the slowest steps (median over the
//! runs) and the time per op kind.
//! (`drape bench nn` is the full comparison with TFLite and the GPU.)

use std::time::Instant;

use drape::nn::cpu::CpuExecutor;
use drape::nn::models::PoseModel;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    #[cfg(target_arch = "x86_64")]
    #[allow(deprecated)]
    if std::env::var_os("NN_FTZ").is_some() {
        unsafe { std::arch::x86_64::_mm_setcsr(std::arch::x86_64::_mm_getcsr() | 0x8040) };
    }
    let runs: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(50);
    let only_threads: Option<usize> = std::env::args().nth(2).map(|s| s.parse()).transpose()?;
    for model_kind in [
        PoseModel::Detector,
        PoseModel::LandmarkLite,
        PoseModel::LandmarkFull,
        PoseModel::LandmarkHeavy,
    ] {
        // Full and heavy are fetched, not bundled: time what is there.
        let model = match model_kind.load() {
            Ok(model) => model,
            Err(e) if !model_kind.is_bundled() => {
                eprintln!("skipping {}: {e}", model_kind.file_name());
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let gflop = 2.0 * model.macs() as f64 / 1e9;
        let input_len = model.tensors[model.inputs[0]].len();
        // A deterministic gradient in [-1, 1].
        let input: Vec<f32> = (0..input_len)
            .map(|i| (i % 255) as f32 / 127.5 - 1.0)
            .collect();
        for threads in [1, 2]
            .into_iter()
            .filter(|&t| only_threads.is_none_or(|o| o == t))
        {
            let mut exec = CpuExecutor::new(&model, threads)?;
            for _ in 0..5 {
                exec.run(&[&input])?;
            }
            let cpu_start_ns = thread_cpu_ns();
            let mut times_ms: Vec<f64> = (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    exec.run(&[&input])
                        .map(|()| start.elapsed().as_secs_f64() * 1e3)
                })
                .collect::<Result<_, _>>()?;
            // On a busy machine the wall clock includes time spent waiting
            // for a core; this thread's own CPU time does not (one thread).
            let cpu_ms = thread_cpu_ns()
                .zip(cpu_start_ns)
                .map(|(end, start)| (end - start) as f64 / 1e6 / runs as f64);
            if std::env::var_os("NN_CPU_STEPS").is_some() {
                print_steps(&mut exec, &input, runs)?;
            }
            times_ms.sort_by(f64::total_cmp);
            let median_ms = times_ms[times_ms.len() / 2];
            println!(
                "{:<28} threads {threads}: median {median_ms:6.2} ms, min {:6.2} ms, {gflop:.2} GFLOP, {:5.1} GFLOP/s{}",
                model_kind.file_name(),
                times_ms[0],
                gflop / (median_ms / 1e3),
                match cpu_ms {
                    Some(ms) if threads == 1 => format!(", calling thread's CPU time {ms:.2} ms/run"),
                    _ => String::new(),
                }
            );
        }
    }
    Ok(())
}

/// Per-step medians over `runs` timed inferences: the slowest steps and
/// the total per op kind.
fn print_steps(
    exec: &mut CpuExecutor,
    input: &[f32],
    runs: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut per_step: Vec<(String, Vec<u64>)> = Vec::new();
    for _ in 0..runs {
        for (i, step) in exec.run_timed(&[input])?.into_iter().enumerate() {
            if per_step.len() <= i {
                per_step.push((step.kind, Vec::new()));
            }
            per_step[i].1.push(step.nanos);
        }
    }
    let mut medians_us: Vec<(usize, &str, f64)> = per_step
        .iter_mut()
        .enumerate()
        .map(|(i, (kind, ns))| {
            ns.sort_unstable();
            (i, kind.as_str(), ns[ns.len() / 2] as f64 / 1e3)
        })
        .collect();
    let mut by_op: Vec<(&str, f64, usize)> = Vec::new();
    for &(_, kind, us) in &medians_us {
        let op = kind.split(' ').next().unwrap_or(kind);
        match by_op.iter_mut().find(|(o, _, _)| *o == op) {
            Some(entry) => {
                entry.1 += us;
                entry.2 += 1;
            }
            None => by_op.push((op, us, 1)),
        }
    }
    by_op.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (op, us, count) in &by_op {
        println!("  {op:<20} x{count:<3} {:8.3} ms", us / 1e3);
    }
    medians_us.sort_by(|a, b| b.2.total_cmp(&a.2));
    for (i, kind, us) in medians_us.iter().take(15) {
        println!("  #{i:<3} {kind:<40} {us:8.1} us");
    }
    Ok(())
}

/// This thread's CPU time in nanoseconds (Linux), if known.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}
