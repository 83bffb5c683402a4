//! `drape bench nn`: latency of each network on each executor, median of
//! many runs after warm-up, with FLOPs and GFLOP/s, next to TFLite's own
//! interpreter (XNNPACK) measured in the same run when it is installed.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::gpu::GpuContext;
use crate::nn::cpu::CpuExecutor;
use crate::nn::gpu::GpuExecutor;
use crate::nn::models::PoseModel;
use crate::nn::{Model, NnError};

/// How long to measure each configuration.
#[derive(Debug, Clone, Copy)]
pub struct BenchOptions {
    /// Untimed runs before measuring.
    pub warmup: usize,
    /// Timed runs whose median is reported (at least one is made).
    pub runs: usize,
    /// Include the GPU executor (slow on a software adapter).
    pub gpu: bool,
    /// Time TFLite through `scripts/bench_litert.py` too.
    pub tflite: bool,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            warmup: 5,
            runs: 30,
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
    /// Median latency of one inference, in milliseconds.
    pub median_ms: f64,
    /// Throughput in GFLOP/s (2 FLOPs per multiply-accumulate), not a
    /// GFLOP count.
    pub gflops: f64,
}

/// A deterministic input in the model's range; the values do not change
/// the work done.
fn input_for(model: &Model) -> Vec<f32> {
    let len = model.tensors[model.inputs[0]].len();
    (0..len).map(|i| (i % 255) as f32 / 255.0).collect()
}

fn median_ms(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1e3
}

fn time(
    options: &BenchOptions,
    mut run: impl FnMut() -> Result<(), NnError>,
) -> Result<f64, NnError> {
    for _ in 0..options.warmup {
        run()?;
    }
    let mut samples = Vec::with_capacity(options.runs.max(1));
    for _ in 0..options.runs.max(1) {
        let started = Instant::now();
        run()?;
        samples.push(started.elapsed());
    }
    Ok(median_ms(samples))
}

/// The models `drape bench nn` times when none are named: the two in the
/// repository, and full and heavy when they have been fetched.
pub fn default_models() -> Vec<PoseModel> {
    PoseModel::ALL
        .into_iter()
        .filter(|k| matches!(k, PoseModel::Detector | PoseModel::LandmarkLite) || k.path().exists())
        .collect()
}

/// Benchmarks `models` (a missing one is an error that says how to fetch it).
pub fn bench_nn(
    models: &[PoseModel],
    gpu: Option<&GpuContext>,
    options: &BenchOptions,
) -> Result<Vec<BenchRow>, NnError> {
    let mut rows = Vec::new();
    for &kind in models {
        let model = kind.load()?;
        let gflop = 2.0 * model.macs() as f64 / 1e9;
        let input = input_for(&model);
        let row = |executor: String, ms: f64| BenchRow {
            model: kind.file_name(),
            executor,
            median_ms: ms,
            gflops: gflop / (ms / 1e3),
        };
        for threads in [1, 2] {
            let mut cpu = CpuExecutor::new(&model, threads)?;
            let ms = time(options, || cpu.run(&[&input]))?;
            rows.push(row(format!("drape cpu, {threads} thread(s)"), ms));
        }
        if let (Some(gpu), true) = (gpu, options.gpu) {
            let mut executor = GpuExecutor::new(gpu, &model)?;
            let ms = time(options, || {
                executor.run(&[&input])?;
                gpu.wait_idle().map_err(NnError::from)
            })?;
            rows.push(row(format!("drape gpu ({})", gpu.info.name), ms));
        }
    }
    if options.tflite {
        rows.extend(tflite_rows(models, options));
    }
    Ok(rows)
}

/// TFLite's figures from `scripts/bench_litert.py --json`: lines of
/// `{"model": ..., "threads": n, "median_ms": x}`. Missing Python or
/// ai-edge-litert leaves them out (with a note on stderr).
fn tflite_rows(models: &[PoseModel], options: &BenchOptions) -> Vec<BenchRow> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench_litert.py");
    // The same models drape timed, by the script's names for them.
    let names: Vec<&str> = models
        .iter()
        .map(|k| match k {
            PoseModel::Detector => "detector",
            PoseModel::LandmarkLite => "lite",
            PoseModel::LandmarkFull => "full",
            PoseModel::LandmarkHeavy => "heavy",
        })
        .collect();
    let output = Command::new("python3")
        .arg(&script)
        .arg("--json")
        .args(["--runs", &options.runs.to_string()])
        .args(["--warmup", &options.warmup.to_string()])
        .arg("--models")
        .args(&names)
        .output();
    let text = match output {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        Ok(o) => {
            eprintln!(
                "TFLite figures left out: {} (pip install ai-edge-litert)",
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .unwrap_or("failed")
            );
            return Vec::new();
        }
        Err(e) => {
            eprintln!("TFLite figures left out: cannot run python3: {e}");
            return Vec::new();
        }
    };
    parse_tflite_json(&text)
}

/// The script's `--json` report.
#[derive(serde::Deserialize)]
struct TfliteReport {
    results: Vec<TfliteTiming>,
}

/// One TFLite measurement.
#[derive(serde::Deserialize)]
struct TfliteTiming {
    /// The model's file name.
    file: String,
    threads: u32,
    median_ms: f64,
}

fn parse_tflite_json(text: &str) -> Vec<BenchRow> {
    let report: TfliteReport = match serde_json::from_str(text) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("TFLite figures left out: unreadable report from bench_litert.py: {e}");
            return Vec::new();
        }
    };
    report
        .results
        .into_iter()
        .filter_map(|t| {
            let kind = [
                PoseModel::Detector,
                PoseModel::LandmarkLite,
                PoseModel::LandmarkFull,
                PoseModel::LandmarkHeavy,
            ]
            .into_iter()
            .find(|k| t.file == k.file_name())?;
            let gflop = kind
                .load()
                .map(|m| 2.0 * m.macs() as f64 / 1e9)
                .unwrap_or(0.0);
            Some(BenchRow {
                model: kind.file_name(),
                executor: format!("TFLite XNNPACK, {} thread(s)", t.threads),
                median_ms: t.median_ms,
                gflops: gflop / (t.median_ms / 1e3),
            })
        })
        .collect()
}

/// The table, grouped by model.
pub fn format_table(rows: &[BenchRow]) -> String {
    let mut out = format!(
        "{:<28} {:<44} {:>10} {:>9}\n",
        "model", "executor", "median ms", "GFLOP/s"
    );
    // Each model once, in first-seen order (TFLite's rows come last).
    let mut models: Vec<&str> = Vec::new();
    for row in rows {
        if !models.contains(&row.model) {
            models.push(row.model);
        }
    }
    for model in models {
        for row in rows.iter().filter(|r| r.model == model) {
            out += &format!(
                "{:<28} {:<44} {:>10.2} {:>9.2}\n",
                row.model, row.executor, row.median_ms, row.gflops
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_groups_rows_by_model_once() {
        let row = |model, executor: &str| BenchRow {
            model,
            executor: executor.into(),
            median_ms: 1.0,
            gflops: 1.0,
        };
        let rows = [
            row("a.tflite", "drape cpu"),
            row("b.tflite", "drape cpu"),
            row("a.tflite", "TFLite"),
            row("b.tflite", "TFLite"),
        ];
        let table = format_table(&rows);
        let models: Vec<&str> = table.lines().skip(1).map(|l| &l[..8]).collect();
        assert_eq!(models, ["a.tflite", "a.tflite", "b.tflite", "b.tflite"]);
    }
}

/// Median per-stage latency of the pose pipeline on a clip, in ms.
#[derive(Debug, Clone, Default)]
pub struct PoseBench {
    /// Frames in the clip (each pass runs them all).
    pub frames: usize,
    /// Converting the frame to RGBA on the CPU, plus uploading and
    /// converting it on the GPU when the tracker takes a texture.
    pub upload_ms: f64,
    /// The detector (0 on tracked frames).
    pub detect_ms: f64,
    /// Cropping the region into the landmark model's input.
    pub crop_ms: f64,
    /// The landmark model.
    pub inference_ms: f64,
    /// Decoding, smoothing and placing the next region.
    pub decode_ms: f64,
    /// Warping and blending the person mask.
    pub mask_ms: f64,
    /// The median of each frame's sum of stages (not the sum of the
    /// medians).
    pub total_ms: f64,
    /// MediaPipe's median for the same clip, when known.
    pub mediapipe: Option<MediaPipeFigure>,
}

/// MediaPipe's per-frame median on the bench's clip.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaPipeFigure {
    /// MediaPipe's median latency per frame, in milliseconds.
    pub median_ms: f64,
    /// Where the figure comes from: "measured in this run" or the
    /// reference's speed table.
    pub source: String,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// Runs `tracker` over `frames` (RGBA8, tracking mode) `passes` times,
/// restarting the tracker each pass, and reports median stage times. The
/// upload stage is the frame's conversion to RGBA on the CPU, plus its
/// upload and conversion on the GPU when the tracker takes a texture.
pub fn bench_pose(
    mirror: &mut crate::Mirror,
    tracker: &mut crate::pose::PoseTracker,
    frames: &[crate::capture::Frame],
    passes: usize,
) -> crate::Result<PoseBench> {
    let mut stages: [Vec<f64>; 7] = Default::default();
    for _ in 0..passes.max(1) {
        tracker.reset();
        for frame in frames {
            let started = Instant::now();
            let texture = match tracker.wants_texture() {
                true => Some(mirror.process(frame)?),
                false => None,
            };
            let rgba = mirror.frame_to_cpu(frame);
            let upload_ms = started.elapsed().as_secs_f64() * 1e3;
            match &texture {
                Some(texture) => {
                    tracker.process_with_texture(Some(rgba.data), texture, frame.timestamp)?
                }
                None => tracker.process(rgba.data, rgba.width, rgba.height, frame.timestamp)?,
            };
            let t = tracker.stage_times();
            let row = [
                upload_ms,
                t.detect_ms,
                t.crop_ms,
                t.inference_ms,
                t.decode_ms,
                t.mask_ms,
                upload_ms + t.total_ms(),
            ];
            for (stage, value) in stages.iter_mut().zip(row) {
                stage.push(value);
            }
        }
    }
    let [upload, detect, crop, inference, decode, mask, total] = stages.map(median);
    Ok(PoseBench {
        frames: frames.len(),
        upload_ms: upload,
        detect_ms: detect,
        crop_ms: crop,
        inference_ms: inference,
        decode_ms: decode,
        mask_ms: mask,
        total_ms: total,
        mediapipe: None,
    })
}

/// Times MediaPipe itself on the same clip with scripts/bench_mediapipe.py,
/// run by `$DRAPE_MEDIAPIPE_PYTHON` (default `python3`), which needs
/// `mediapipe==0.10.21`. `None` (with a note on stderr) when it cannot run.
pub fn measure_mediapipe(model: &str, passes: usize) -> Option<MediaPipeFigure> {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench_mediapipe.py");
    let python = std::env::var("DRAPE_MEDIAPIPE_PYTHON").unwrap_or_else(|_| "python3".into());
    let output = Command::new(&python)
        .arg(&script)
        .args(["--json", "--model", model, "--passes", &passes.to_string()])
        .output();
    let text = match output {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        Ok(o) => {
            eprintln!(
                "MediaPipe not measured: {} (pip install mediapipe==0.10.21 pillow; \
                 DRAPE_MEDIAPIPE_PYTHON picks the interpreter)",
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .unwrap_or("failed")
            );
            return None;
        }
        Err(e) => {
            eprintln!("MediaPipe not measured: cannot run {python}: {e}");
            return None;
        }
    };
    #[derive(serde::Deserialize)]
    struct Report {
        mediapipe: String,
        median_ms: f64,
    }
    let report: Report = text
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())?;
    Some(MediaPipeFigure {
        median_ms: report.median_ms,
        source: format!("MediaPipe {}, measured in this run", report.mediapipe),
    })
}

/// MediaPipe's lite, tracking-mode median on the panning clip from the
/// reference's speed table, for machines without MediaPipe.
pub fn reference_mediapipe() -> Option<MediaPipeFigure> {
    mediapipe_clip_ms().map(|median_ms| MediaPipeFigure {
        median_ms,
        source: "reference speed.md, not this run".into(),
    })
}

/// MediaPipe's lite, tracking-mode median on the panning clip, from the
/// reference's speed table (`| basketball_pan | 600x480 | 9.8 / ...`).
fn mediapipe_clip_ms() -> Option<f64> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference/speed.md");
    let text = std::fs::read_to_string(path).ok()?;
    let row = text.lines().find(|l| l.starts_with("| basketball_pan"))?;
    let cell = row.split('|').nth(3)?;
    cell.split_whitespace().next()?.parse().ok()
}

impl std::fmt::Display for PoseBench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "pose pipeline, {} frames, median ms per stage:",
            self.frames
        )?;
        for (name, ms) in [
            ("frame to RGBA (+ GPU upload)", self.upload_ms),
            ("detector", self.detect_ms),
            ("crop", self.crop_ms),
            ("landmark model", self.inference_ms),
            ("decode + smooth", self.decode_ms),
            ("mask", self.mask_ms),
            ("total", self.total_ms),
        ] {
            writeln!(f, "  {name:<30} {ms:>8.2}")?;
        }
        match &self.mediapipe {
            Some(m) => writeln!(
                f,
                "  MediaPipe, same clip and mode ({}): {:.2} ms → drape/MediaPipe = {:.2}",
                m.source,
                m.median_ms,
                self.total_ms / m.median_ms
            ),
            None => writeln!(f, "  MediaPipe's figure: not available"),
        }
    }
}
