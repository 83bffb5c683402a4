//! `drape bench nn`: latency of each network on each executor, next to
//! TFLite's own interpreter (XNNPACK) when it is installed. Other tenants
//! of a shared machine change single runs by up to 2×, so drape and
//! TFLite alternate in batches (`runs` inferences each) for a number of
//! rounds, and each figure is the median of the pooled samples with its
//! p10–p90 beside it; the ratio is that of the medians, with the p10–p90
//! of the rounds' own ratios.

mod peer;
mod pose;
pub mod stats;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::gpu::GpuContext;
use crate::nn::cpu::CpuExecutor;
use crate::nn::gpu::GpuExecutor;
use crate::nn::models::PoseModel;
use crate::nn::{Model, NnError};
pub use peer::{parse_hello, parse_reply, Peer};
pub use pose::{
    bench_pose, measure_mediapipe, mediapipe_peer, reference_mediapipe, MediaPipeFigure, PoseBench,
};
use stats::{Ratio, Rounds, Spread};

/// How long to measure each configuration.
#[derive(Debug, Clone, Copy)]
pub struct BenchOptions {
    /// Untimed runs before measuring (TFLite's too).
    pub warmup: usize,
    /// Timed runs per batch (at least one is made).
    pub runs: usize,
    /// Batches per configuration, drape's alternating with TFLite's.
    pub rounds: usize,
    /// Include the GPU executor (slow on a software adapter).
    pub gpu: bool,
    /// Time TFLite through `scripts/bench_litert.py --serve` too.
    pub tflite: bool,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            warmup: 5,
            runs: 10,
            rounds: 5,
            gpu: true,
            tflite: true,
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct BenchRow {
    /// The model's file name, e.g. `"pose_landmark_lite.tflite"`.
    pub model: &'static str,
    /// What ran it, with thread count or GPU name, e.g. `"drape cpu, 2 thread(s)"`.
    pub executor: String,
    /// Latency of one inference over all rounds, in milliseconds.
    pub ms: Spread,
    /// Throughput at the median in GFLOP/s (2 FLOPs per
    /// multiply-accumulate), not a GFLOP count.
    pub gflops: f64,
}

/// drape's CPU executor against TFLite on one model and thread count.
#[derive(Debug, Clone)]
pub struct RatioRow {
    /// The model's file name.
    pub model: &'static str,
    /// Threads of both drape and TFLite.
    pub threads: usize,
    /// drape ÷ TFLite.
    pub ratio: Ratio,
}

/// What `drape bench nn` prints.
#[derive(Debug, Clone, Default)]
pub struct NnBench {
    /// Every configuration's latency, grouped by model.
    pub rows: Vec<BenchRow>,
    /// drape/TFLite per model and thread count (none without TFLite).
    pub ratios: Vec<RatioRow>,
    /// TFLite's package and version, when it ran.
    pub peer: Option<String>,
    /// Batches per configuration.
    pub rounds: usize,
}

/// A deterministic input in the model's range; the values do not change
/// the work done.
fn input_for(model: &Model) -> Vec<f32> {
    let len = model.tensors[model.inputs[0]].len();
    (0..len).map(|i| (i % 255) as f32 / 255.0).collect()
}

/// `runs` timed calls of `run`, in ms.
/// The pause before each batch of the interleaved benches. The threads
/// of the side that just ran may still be spinning (XNNPACK's pool spins
/// for several milliseconds after a run; drape's sleeps at once), and a
/// spinning thread takes one of the two cores from the side that runs
/// next; after this pause both start on idle cores.
pub(crate) const SETTLE: std::time::Duration = std::time::Duration::from_millis(40);

fn batch(runs: usize, mut run: impl FnMut() -> Result<(), NnError>) -> Result<Vec<f64>, NnError> {
    (0..runs.max(1))
        .map(|_| {
            let started = Instant::now();
            run().map(|()| started.elapsed().as_secs_f64() * 1e3)
        })
        .collect()
}

/// The models `drape bench nn` times when none are named: the two in the
/// repository, and full and heavy when they have been fetched.
pub fn default_models() -> Vec<PoseModel> {
    PoseModel::ALL
        .into_iter()
        .filter(|k| matches!(k, PoseModel::Detector | PoseModel::LandmarkLite) || k.path().exists())
        .collect()
}

/// The CPU's model name from /proc/cpuinfo (Linux), e.g. `AMD EPYC`.
pub fn cpu_model() -> Option<String> {
    let text = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_owned())
}

/// scripts/NAME in the source tree.
fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// The Python that runs a peer: `$var`, or `python3`.
fn python(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| "python3".into())
}

/// scripts/bench_litert.py's name for a model.
fn litert_name(kind: PoseModel) -> &'static str {
    match kind {
        PoseModel::Detector => "detector",
        PoseModel::LandmarkLite => "lite",
        PoseModel::LandmarkFull => "full",
        PoseModel::LandmarkHeavy => "heavy",
    }
}

/// TFLite as a peer (`$DRAPE_LITERT_PYTHON`, default `python3`), or
/// `None` with a note on stderr when it cannot run.
fn tflite_peer(options: &BenchOptions) -> Option<Peer> {
    let python = python("DRAPE_LITERT_PYTHON");
    let warmup = options.warmup.to_string();
    match Peer::spawn(&python, &script("bench_litert.py"), &["--warmup", &warmup]) {
        Ok(peer) => Some(peer),
        Err(e) => {
            eprintln!(
                "TFLite figures left out: {e} (pip install ai-edge-litert; \
                 DRAPE_LITERT_PYTHON picks the interpreter)"
            );
            None
        }
    }
}

/// One TFLite batch, or `None` (and the peer dropped, with a note) when
/// it fails.
fn peer_batch(peer: &mut Option<Peer>, request: &str) -> Option<Vec<f64>> {
    let result = peer.as_mut()?.request(request);
    match result {
        Ok(times) => Some(times),
        Err(e) => {
            eprintln!("TFLite figures left out from here on: {e}");
            *peer = None;
            None
        }
    }
}

/// Benchmarks `models` (a missing one is an error that says how to fetch
/// it): for each, `rounds` rounds of a drape batch and a TFLite batch per
/// thread count, in alternating order, then the GPU executor alone.
pub fn bench_nn(
    models: &[PoseModel],
    gpu: Option<&GpuContext>,
    options: &BenchOptions,
) -> Result<NnBench, NnError> {
    let mut peer = if options.tflite {
        tflite_peer(options)
    } else {
        None
    };
    let mut bench = NnBench {
        peer: peer.as_ref().map(|p| p.name.clone()),
        rounds: options.rounds.max(1),
        ..NnBench::default()
    };
    for &kind in models {
        let model = kind.load()?;
        let gflop = 2.0 * model.macs() as f64 / 1e9;
        let input = input_for(&model);
        let row = |executor: String, rounds: &Rounds| {
            let ms = rounds.spread();
            BenchRow {
                model: kind.file_name(),
                executor,
                ms,
                gflops: gflop / (ms.median / 1e3),
            }
        };
        for threads in [1, 2] {
            let mut cpu = CpuExecutor::new(&model, threads)?;
            batch(options.warmup, || cpu.run(&[&input]))?;
            let request = format!(
                "run {} {threads} {}",
                litert_name(kind),
                options.runs.max(1)
            );
            let (mut drape, mut tflite) = (Rounds::default(), Rounds::default());
            for round in 0..bench.rounds {
                // Alternate who goes first, so that a load that grows or
                // fades within a round favours neither.
                if round % 2 == 1 {
                    std::thread::sleep(SETTLE);
                    tflite.rounds.extend(peer_batch(&mut peer, &request));
                }
                std::thread::sleep(SETTLE);
                drape
                    .rounds
                    .push(batch(options.runs, || cpu.run(&[&input]))?);
                if round % 2 == 0 {
                    std::thread::sleep(SETTLE);
                    tflite.rounds.extend(peer_batch(&mut peer, &request));
                }
            }
            bench
                .rows
                .push(row(format!("drape cpu, {threads} thread(s)"), &drape));
            if tflite.rounds.len() == bench.rounds {
                bench
                    .rows
                    .push(row(format!("TFLite XNNPACK, {threads} thread(s)"), &tflite));
                bench.ratios.push(RatioRow {
                    model: kind.file_name(),
                    threads,
                    ratio: stats::ratio(&drape, &tflite),
                });
            }
        }
        if let (Some(gpu), true) = (gpu, options.gpu) {
            let mut executor = GpuExecutor::new(gpu, &model)?;
            let mut run = || {
                executor.run(&[&input])?;
                gpu.wait_idle().map_err(NnError::from)
            };
            batch(options.warmup, &mut run)?;
            let rounds = (0..bench.rounds)
                .map(|_| batch(options.runs, &mut run))
                .collect::<Result<_, _>>()?;
            bench.rows.push(row(
                format!("drape gpu ({})", gpu.info.name),
                &Rounds { rounds },
            ));
        }
    }
    Ok(bench)
}

impl std::fmt::Display for NnBench {
    /// The table (rows grouped by model, as measured), then the ratios.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(peer) = &self.peer {
            writeln!(f, "TFLite: {peer}, timed in alternating batches")?;
        }
        writeln!(
            f,
            "{:<28} {:<48} {:>10} {:>8} {:>8} {:>9}",
            "model", "executor", "median ms", "p10 ms", "p90 ms", "GFLOP/s"
        )?;
        for row in &self.rows {
            writeln!(
                f,
                "{:<28} {:<48} {:>10.2} {:>8.2} {:>8.2} {:>9.2}",
                row.model, row.executor, row.ms.median, row.ms.p10, row.ms.p90, row.gflops
            )?;
        }
        if self.ratios.is_empty() {
            return Ok(());
        }
        writeln!(
            f,
            "drape/TFLite: ratio of the medians (p10–p90 of the {} rounds' ratios)",
            self.rounds
        )?;
        for r in &self.ratios {
            writeln!(
                f,
                "  {:<28} {} thread(s) {:>6.2} ({:.2}–{:.2})",
                r.model, r.threads, r.ratio.of_medians, r.ratio.rounds_p10, r.ratio.rounds_p90
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_spreads_and_ratios() {
        let row = |executor: &str, median| BenchRow {
            model: "a.tflite",
            executor: executor.into(),
            ms: Spread {
                median,
                p10: median - 1.0,
                p90: median + 2.0,
            },
            gflops: 10.0 / median,
        };
        let bench = NnBench {
            rows: vec![row("drape cpu, 1 thread(s)", 5.0), row("TFLite", 4.0)],
            ratios: vec![RatioRow {
                model: "a.tflite",
                threads: 1,
                ratio: Ratio {
                    of_medians: 1.25,
                    rounds_p10: 1.1,
                    rounds_p90: 1.4,
                },
            }],
            peer: Some("ai-edge-litert 2.3.0".into()),
            rounds: 3,
        };
        let table = bench.to_string();
        let lines: Vec<Vec<&str>> = table
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(
            lines[0],
            [
                "TFLite:",
                "ai-edge-litert",
                "2.3.0,",
                "timed",
                "in",
                "alternating",
                "batches"
            ]
        );
        assert_eq!(lines[2][..2], ["a.tflite", "drape"]);
        assert_eq!(lines[2][5..], ["5.00", "4.00", "7.00", "2.00"]);
        assert_eq!(lines[3][2..], ["4.00", "3.00", "6.00", "2.50"]);
        assert!(lines[4].join(" ").contains("3 rounds"), "{table}");
        assert_eq!(
            lines[5],
            ["a.tflite", "1", "thread(s)", "1.25", "(1.10–1.40)"]
        );
    }
}
