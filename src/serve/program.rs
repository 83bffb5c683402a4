//! The program feed: the studio's camera (or clip) dressed in what is on
//! air, written at the input's frame rate to a sink (y4m on stdout for
//! ffmpeg, a file, a folder). It runs on its own thread; the HTTP side
//! changes what is on air through the studio's watch channel and never
//! waits for it.
//!
//! The feed holds its rate: frames are written on a wall clock, one per
//! frame interval. When dressing a frame takes longer than an interval,
//! the source keeps only its newest frame (the others are dropped and
//! counted) and the last program frame is written again for the missed
//! ticks, so the stream never falls behind real time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{LiveState, Studio};
use crate::app::live::ReportOnce;
use crate::app::StopFlag;
use crate::capture::{FrameSource, LatestFrame};
use crate::output::{FrameSink, RgbaFrame};
use crate::tryon::{TryOn, TryOnConfig};
use crate::{GpuContext, Mirror, MirrorConfig, Result};

/// How often the program picture is handed to the studio (the producer's
/// preview, `POST /api/snapshot`): a copy of the frame each time.
const PREVIEW_INTERVAL: Duration = Duration::from_millis(100);
/// How long the loop sleeps at most between looks at the source.
const POLL: Duration = Duration::from_millis(2);

/// What a program run did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProgramSummary {
    /// Frames written to the sink.
    pub frames_out: u64,
    /// Source frames dressed.
    pub frames_dressed: u64,
    /// Source frames dropped (a newer one came before they were dressed).
    pub frames_dropped: u64,
    /// Ticks that wrote the last program frame again (dressing was late).
    pub repeated: u64,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

/// How the program runs.
#[derive(Debug, Clone)]
pub struct ProgramOptions {
    /// The try-on (its catalog must be the studio's).
    pub tryon: TryOnConfig,
    /// Flip the picture left-right (a presenter facing a mirror-like
    /// monitor); off for a broadcast.
    pub mirror: bool,
    /// The output's frame rate; `None`: the input's (else 30).
    pub fps: Option<f64>,
    /// End when a finite source ends (a clip not looped).
    pub exit_at_end: bool,
}

/// Runs the program until `stop` is raised or (with `exit_at_end`) the
/// source ends; every frame written is whole and the sink is finished.
pub fn run_program(
    gpu: &GpuContext,
    studio: Arc<Studio>,
    source: Box<dyn FrameSource>,
    sink: &mut dyn FrameSink,
    options: ProgramOptions,
    stop: &StopFlag,
) -> Result<ProgramSummary> {
    let info = source.info().clone();
    let fps = options
        .fps
        .or(info.fps)
        .filter(|f| f.is_finite() && *f > 0.0)
        .unwrap_or(30.0);
    let interval = Duration::from_secs_f64(1.0 / fps);
    let mut source = LatestFrame::spawn(source, !info.live);
    let mut mirror = Mirror::new(
        gpu,
        MirrorConfig {
            mirror: options.mirror,
        },
    );
    mirror.set_tryon(Some(TryOn::new(gpu, options.tryon.clone())?));
    let mut live = studio.subscribe_live();
    let mut reported = ReportOnce::default();
    apply_live(&mut mirror, &live.borrow_and_update(), &mut reported);

    let started = Instant::now();
    let mut summary = ProgramSummary::default();
    // The last program frame, owned: written again on late ticks.
    let mut program: Option<(Vec<u8>, u32, u32)> = None;
    let mut first_tick: Option<Instant> = None;
    let mut last_preview: Option<Instant> = None;
    let mut fps_window = (Instant::now(), 0u64);
    while !stop.is_raised() {
        if live.has_changed().unwrap_or(false) {
            let state = live.borrow_and_update().clone();
            apply_live(&mut mirror, &state, &mut reported);
        }
        match source.try_latest()? {
            Some(frame) => {
                let dressed = mirror.process_to_cpu(&frame)?;
                let pictured = (dressed.data.to_vec(), dressed.width, dressed.height);
                summary.frames_dressed += 1;
                let metrics = studio.metrics();
                if mirror.tryon().and_then(|t| t.body()).is_some() {
                    metrics.count_pose_found();
                }
                if last_preview.is_none_or(|t| t.elapsed() >= PREVIEW_INTERVAL) {
                    last_preview = Some(Instant::now());
                    studio.set_program_frame(pictured.0.clone(), pictured.1, pictured.2);
                }
                program = Some(pictured);
                first_tick.get_or_insert_with(Instant::now);
                let (since, count) = &mut fps_window;
                *count += 1;
                if since.elapsed() >= Duration::from_secs(1) {
                    metrics.set_fps(*count as f64 / since.elapsed().as_secs_f64());
                    fps_window = (Instant::now(), 0);
                }
            }
            None if options.exit_at_end && source.is_finished() => break,
            None => {}
        }
        let dropped = source.dropped_frames();
        for _ in summary.frames_dropped..dropped {
            studio.metrics().count_frame_dropped();
        }
        summary.frames_dropped = summary.frames_dropped.max(dropped);
        // Every tick that is due writes the program frame; more than one
        // due means dressing was late: the frame is repeated.
        if let (Some((rgba, width, height)), Some(first)) = (&program, first_tick) {
            let due = (first.elapsed().as_secs_f64() / interval.as_secs_f64()) as u64 + 1;
            let behind = due.saturating_sub(summary.frames_out);
            for k in 0..behind {
                let index = summary.frames_out;
                sink.write_frame(&RgbaFrame {
                    data: rgba,
                    width: *width,
                    height: *height,
                    index,
                    timestamp: interval.mul_f64(index as f64),
                })?;
                summary.frames_out += 1;
                studio.metrics().count_frame_out();
                if k > 0 {
                    summary.repeated += 1;
                }
            }
        }
        std::thread::sleep(POLL);
    }
    sink.finish()?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Puts on what `state` says is on air and takes off the rest; the card
/// follows. A garment that cannot be worn is logged once and skipped: the
/// show goes on.
fn apply_live(mirror: &mut Mirror, state: &LiveState, reported: &mut ReportOnce) {
    let Some(tryon) = mirror.tryon_mut() else {
        return;
    };
    let wanted: Vec<&str> = state
        .garment
        .iter()
        .chain(state.accessories.iter())
        .map(String::as_str)
        .collect();
    let worn: Vec<String> = tryon.outfit().into_iter().map(str::to_string).collect();
    for id in worn.iter().filter(|id| !wanted.contains(&id.as_str())) {
        tryon.take_off(id);
    }
    for id in wanted.iter().filter(|id| !worn.iter().any(|w| w == *id)) {
        if let Err(e) = tryon.wear(id) {
            let message = e.to_string();
            if reported.first_time(&message) {
                tracing::warn!("cannot put {id} on air: {message}");
            }
        }
    }
    tryon.set_card_shown(state.card);
    tracing::info!(
        "on air: {} (card {})",
        if wanted.is_empty() {
            "nothing".to_string()
        } else {
            wanted.join(" + ")
        },
        if state.card { "on" } else { "off" }
    );
}
