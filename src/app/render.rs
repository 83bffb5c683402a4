//! `drape render`: every frame of a source through the mirror into a sink,
//! with a progress bar on a terminal and a one-line summary at the end.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::StopFlag;
use crate::capture::FrameSource;
use crate::gpu::GpuContext;
use crate::output::{FrameSink, OutputError};
use crate::tryon::{TryOn, TryOnConfig};
use crate::{Mirror, Result};

/// Whether to draw a progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Progress {
    /// When stderr is a terminal.
    #[default]
    Auto,
    /// Never.
    Never,
}

/// How much to render, and how.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Stop after this many frames.
    pub max_frames: Option<u64>,
    /// Whether to draw a progress bar on stderr.
    pub progress: Progress,
    /// Reload the try-on's catalog when its file changes, looked at
    /// before every frame (a live source: staff edit it while it runs, as
    /// with `drape run`).
    pub watch_catalog: bool,
    /// The source's frames are unrelated stills (`FrameSource::stills`):
    /// each is dressed by a try-on made afresh from this config, so that
    /// nothing of one photo (a tracked body, a limb held in place, a
    /// swinging cloth) reaches the next.
    pub stills: Option<StillsTryOn>,
}

/// What a fresh try-on for each still is made from.
#[derive(Debug, Clone)]
pub struct StillsTryOn {
    /// The GPU each try-on is made on.
    pub gpu: GpuContext,
    /// The try-on's settings, the same for every still.
    pub config: TryOnConfig,
}

/// What a render did.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderSummary {
    /// Frames written to the sink.
    pub frames: u64,
    /// Wall-clock time of the whole run, the sink's finish included.
    pub elapsed: Duration,
    /// Frames the source dropped because rendering was slower than it.
    pub dropped: u64,
    /// Ended by the stop flag (Ctrl-C) rather than by the source's end.
    pub interrupted: bool,
    /// The reader of the output pipe went away (an ffmpeg that exited, a
    /// `head`), during the frames or at the end: the pipe's name. What came
    /// after it was not written.
    pub output_closed: Option<String>,
}

impl RenderSummary {
    /// Frames written per second of `elapsed`.
    pub fn fps(&self) -> f64 {
        self.frames as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl std::fmt::Display for RenderSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} in {:.2} s ({:.1} fps), {} dropped",
            count(self.frames, "frame", "frames"),
            self.elapsed.as_secs_f64(),
            self.fps(),
            self.dropped
        )?;
        if self.interrupted {
            write!(f, ", stopped by Ctrl-C")?;
        }
        if let Some(pipe) = &self.output_closed {
            write!(
                f,
                "; then the reader of {pipe} closed the pipe (did the command reading it exit?), \
                 so what came after was not written"
            )?;
        }
        Ok(())
    }
}

/// Runs `source` through `mirror` into `sink` until the source ends, `stop`
/// is raised or `max_frames` is reached. On an error the sink is still
/// finished, so what was written stays complete.
pub fn render(
    source: &mut dyn FrameSource,
    mirror: &mut Mirror,
    sink: &mut dyn FrameSink,
    options: &RenderOptions,
    stop: &StopFlag,
) -> Result<RenderSummary> {
    let total = match (source.info().frame_count, options.max_frames) {
        (Some(n), Some(m)) => Some(n.min(m)),
        (n, m) => n.or(m),
    };
    let bar = progress_bar(total, options.progress);
    let started = Instant::now();
    let mut summary = RenderSummary {
        frames: 0,
        elapsed: Duration::ZERO,
        dropped: 0,
        interrupted: false,
        output_closed: None,
    };
    // A broken catalog edit is said once, not every frame until fixed.
    let mut last_catalog_error = None;
    let outcome = (|| -> Result<()> {
        while options.max_frames.is_none_or(|m| summary.frames < m) {
            if stop.is_raised() {
                summary.interrupted = true;
                break;
            }
            let Some(frame) = source.next_frame()? else {
                break;
            };
            if options.watch_catalog {
                poll_catalog(mirror, &mut last_catalog_error);
            }
            if let (Some(stills), true) = (&options.stills, summary.frames > 0) {
                if mirror.tryon().is_some() {
                    let fresh = TryOn::new(&stills.gpu, stills.config.clone())?;
                    mirror.set_tryon(Some(fresh));
                }
            }
            let rgba = mirror.process_to_cpu(&frame)?;
            match sink.write_frame(&rgba) {
                Err(OutputError::Closed(pipe)) => {
                    summary.output_closed = Some(pipe);
                    break;
                }
                written => written?,
            }
            summary.frames += 1;
            bar.inc(1);
        }
        Ok(())
    })();
    bar.finish_and_clear();
    let finished = match sink.finish() {
        // The reader left before the last bytes: said in the summary.
        Err(OutputError::Closed(pipe)) => {
            summary.output_closed.get_or_insert(pipe);
            Ok(())
        }
        other => other,
    };
    summary.elapsed = started.elapsed();
    summary.dropped = source.dropped_frames();
    outcome?;
    finished?;
    Ok(summary)
}

/// Reloads the try-on's catalog if its file changed, saying so on stderr
/// (where `render`'s summary goes): a good edit once, a broken one once
/// until it changes, while the last good catalog stays in use.
fn poll_catalog(mirror: &mut Mirror, last_error: &mut Option<String>) {
    let Some(tryon) = mirror.tryon_mut() else {
        return;
    };
    match tryon.poll_catalog() {
        None => {}
        Some(Ok(_)) => {
            *last_error = None;
            eprintln!(
                "drape: catalog {} reloaded; wearing {}",
                tryon.catalog().path.display(),
                tryon.outfit().join(", ")
            );
        }
        Some(Err(e)) => {
            let message = e.to_string();
            if last_error.as_deref() != Some(message.as_str()) {
                eprintln!(
                    "drape: warning: catalog not reloaded, keeping the last good one: {message}"
                );
            }
            *last_error = Some(message);
        }
    }
}

/// `1 frame`, `2 frames`: a count with its noun in the right number.
pub(crate) fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) fn progress_bar(total: Option<u64>, progress: Progress) -> ProgressBar {
    if progress == Progress::Never || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (bar, template) = match total {
        Some(n) => (
            ProgressBar::new(n),
            "{bar:40} {pos}/{len} frames  {per_sec:.1}  ETA {eta}",
        ),
        None => (
            ProgressBar::no_length(),
            "{spinner} {pos} frames  {per_sec:.1}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar
}
