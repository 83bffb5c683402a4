//! `drape bench frame`: the whole try-on per frame (upload, pose, fit,
//! render, GPU finish) at several frame sizes and drawing qualities, next
//! to MediaPipe's pose-only time on the same machine. Qualities are timed
//! in turns, pass by pass, so that a neighbour's load falls on each alike.

use std::time::Instant;

use super::bench::MediaPipeFigure;
use crate::capture::Frame;
use crate::gpu::GpuContext;
use crate::tryon::{Quality, QualityMode, TryOn, TryOnConfig};
use crate::{Mirror, MirrorConfig, PixelFormat, Result};

/// Median milliseconds per stage for one frame size.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameBenchRow {
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// The quality the frames were drawn at.
    pub quality: Quality,
    /// Frames timed for `total_ms`: the clip's frames times the passes.
    pub frames: usize,
    /// Upload and colour conversion, and the CPU copy for the pose stage.
    pub upload_ms: f64,
    /// Finding the body (the pose tracker).
    pub pose_ms: f64,
    /// Posing the rigs (CPU).
    pub fit_ms: f64,
    /// The silhouette fit. This and the two GPU stages after it are each
    /// submitted and waited for in a timed pass of its own
    /// (`TryOn::set_stage_timing`).
    pub deform_ms: f64,
    /// The cloths' steps (GPU).
    pub cloth_ms: f64,
    /// The rendering (GPU), with the wait for the GPU to finish the frame.
    pub render_ms: f64,
    /// A whole frame as it normally runs (stages overlapping, one submit,
    /// then the wait for the GPU).
    pub total_ms: f64,
    /// Frames in which a person was found.
    pub with_person: usize,
}

/// The frame bench's result.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameBench {
    /// One row per frame size, in the order asked for.
    pub rows: Vec<FrameBenchRow>,
    /// The GPU adapter's name.
    pub adapter: String,
    /// Where the pose network ran: `GPU` or `CPU`.
    pub executor: String,
    /// MediaPipe's pose-only time to compare with, when known (the caller
    /// fills it in; [`bench_frame`] leaves it `None`).
    pub mediapipe: Option<MediaPipeFigure>,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// `frames` scaled to `width × height` (RGBA), keeping their timestamps.
pub fn scaled_frames(frames: &[Frame], width: u32, height: u32) -> Result<Vec<Frame>> {
    frames
        .iter()
        .map(|frame| {
            let rgba = crate::upload::cpu::convert_to_rgba(frame, false);
            let image =
                image::RgbaImage::from_raw(frame.width, frame.height, rgba).ok_or_else(|| {
                    crate::gpu::GpuError::InvalidFrame(format!(
                        "a {}x{} frame",
                        frame.width, frame.height
                    ))
                })?;
            let scaled = image::imageops::resize(
                &image,
                width,
                height,
                image::imageops::FilterType::Triangle,
            );
            Ok(
                Frame::new(scaled.into_raw(), PixelFormat::Rgba8, width, height)?
                    .with_timestamp(frame.timestamp, frame.index),
            )
        })
        .collect()
}

/// One quality's figures for one frame size, gathered over the passes.
#[derive(Default)]
struct Samples {
    stages: [Vec<f64>; 6],
    totals: Vec<f64>,
    with_person: usize,
    quality: Quality,
}

/// Runs the try-on on `frames` at each size in `sizes`, `passes` times,
/// once with `config` as it is and then with each of `also` (`qualities`
/// other than the config's, e.g. full beside auto's economy): one row per
/// size and quality.
pub fn bench_frame(
    gpu: &GpuContext,
    config: &TryOnConfig,
    also: &[QualityMode],
    frames: &[Frame],
    sizes: &[(u32, u32)],
    passes: usize,
) -> Result<FrameBench> {
    let mut configs = vec![config.clone()];
    for &quality in also {
        configs.push(TryOnConfig {
            quality,
            ..config.clone()
        });
    }
    let mut rows = Vec::new();
    let mut executor = String::new();
    for &(width, height) in sizes {
        let scaled = scaled_frames(frames, width, height)?;
        let mut samples: Vec<Samples> = configs.iter().map(|_| Samples::default()).collect();
        // Normal passes for the whole frame's time, then one pass that
        // submits and waits after each GPU stage for the breakdown.
        for pass in 0..passes.max(1) + 1 {
            let timed = pass == passes.max(1);
            for (config, samples) in configs.iter().zip(&mut samples) {
                executor = bench_pass(gpu, config, &scaled, timed, samples)?;
            }
        }
        for samples in samples {
            let [upload_ms, pose_ms, fit_ms, deform_ms, cloth_ms, render_ms] =
                samples.stages.map(median);
            rows.push(FrameBenchRow {
                width,
                height,
                quality: samples.quality,
                frames: scaled.len() * passes.max(1),
                upload_ms,
                pose_ms,
                fit_ms,
                deform_ms,
                cloth_ms,
                render_ms,
                total_ms: median(samples.totals),
                with_person: samples.with_person,
            });
        }
    }
    Ok(FrameBench {
        rows,
        adapter: gpu.info.name.clone(),
        executor,
        mediapipe: None,
    })
}

/// One pass over `frames` with a fresh try-on of `config`, into
/// `samples`: whole frames, or with `timed` each stage on its own.
/// Returns where the network ran (`GPU` or `CPU`).
fn bench_pass(
    gpu: &GpuContext,
    config: &TryOnConfig,
    frames: &[Frame],
    timed: bool,
    samples: &mut Samples,
) -> Result<String> {
    let Samples {
        stages,
        totals,
        with_person,
        quality,
    } = samples;
    // A fresh try-on per pass: the first frame detects again.
    let mut tryon = TryOn::new(gpu, config.clone())?;
    *quality = tryon.quality();
    tryon.set_stage_timing(timed);
    let executor = if tryon.tracker().wants_texture() {
        "GPU"
    } else {
        "CPU"
    };
    let mut mirror = Mirror::new(gpu, MirrorConfig { mirror: true });
    mirror.set_tryon(Some(tryon));
    for frame in frames {
        let started = Instant::now();
        mirror.process(frame)?;
        let recorded = started.elapsed().as_secs_f64() * 1e3;
        gpu.wait_idle()?;
        let total = started.elapsed().as_secs_f64() * 1e3;
        let tryon = mirror.tryon().expect("set above");
        if !timed {
            totals.push(total);
            *with_person += usize::from(tryon.body().is_some());
            continue;
        }
        let t = tryon.times();
        let stages_ms = t.pose_ms + t.fit_ms + t.deform_ms + t.cloth_ms + t.render_ms;
        let row = [
            (recorded - stages_ms).max(0.0),
            t.pose_ms,
            t.fit_ms,
            t.deform_ms,
            t.cloth_ms,
            t.render_ms + (total - recorded),
        ];
        for (stage, value) in stages.iter_mut().zip(row) {
            stage.push(value);
        }
    }
    Ok(executor.to_owned())
}

impl std::fmt::Display for FrameBench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "try-on per frame on {} (network on the {}), median ms (the last column: a ratio):",
            self.adapter, self.executor
        )?;
        writeln!(
            f,
            "  stages timed one by one (each submitted and waited for); total: frames as they normally run"
        )?;
        writeln!(
            f,
            "  {:<10} {:<8} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}  {:>11}",
            "size",
            "quality",
            "upload",
            "pose",
            "fit",
            "deform",
            "cloth",
            "render",
            "total",
            "÷ MediaPipe"
        )?;
        for row in &self.rows {
            let ratio = self.mediapipe.as_ref().map_or(String::from("—"), |m| {
                format!("{:.2}", row.total_ms / m.median_ms)
            });
            writeln!(
                f,
                "  {:<10} {:<8} {:>7.2} {:>7.2} {:>7.2} {:>7.2} {:>7.2} {:>7.2} {:>7.2}  {:>11}",
                format!("{}x{}", row.width, row.height),
                row.quality.name(),
                row.upload_ms,
                row.pose_ms,
                row.fit_ms,
                row.deform_ms,
                row.cloth_ms,
                row.render_ms,
                row.total_ms,
                ratio
            )?;
        }
        match &self.mediapipe {
            Some(m) => writeln!(
                f,
                "  MediaPipe pose alone (lite, tracking, segmentation; {}): {:.2} ms; the last column is drape's whole try-on ÷ that",
                m.source, m.median_ms
            ),
            None => writeln!(f, "  MediaPipe's figure: not available"),
        }
    }
}
