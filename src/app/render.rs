//! `drape render`: every frame of a source through the mirror into a sink,
//! with a progress bar on a terminal and a one-line summary at the end.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::StopFlag;
use crate::capture::FrameSource;
use crate::output::{FrameSink, OutputError};
use crate::{Mirror, Result};

/// Whether to draw a progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Progress {
    /// When stderr is a terminal.
    #[default]
    Auto,
    Never,
}

#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Stop after this many frames.
    pub max_frames: Option<u64>,
    pub progress: Progress,
}

/// What a render did.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderSummary {
    pub frames: u64,
    pub elapsed: Duration,
    /// Frames the source dropped because rendering was slower than it.
    pub dropped: u64,
    /// Ended by the stop flag (Ctrl-C) rather than by the source's end.
    pub interrupted: bool,
    /// The reader of the output pipe went away.
    pub output_closed: bool,
}

impl RenderSummary {
    pub fn fps(&self) -> f64 {
        self.frames as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl std::fmt::Display for RenderSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} frames in {:.2} s ({:.1} fps), {} dropped",
            self.frames,
            self.elapsed.as_secs_f64(),
            self.fps(),
            self.dropped
        )?;
        if self.interrupted {
            write!(f, ", stopped by Ctrl-C")?;
        }
        if self.output_closed {
            write!(f, ", output closed by its reader")?;
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
        output_closed: false,
    };
    let outcome = (|| -> Result<()> {
        while options.max_frames.is_none_or(|m| summary.frames < m) {
            if stop.is_raised() {
                summary.interrupted = true;
                break;
            }
            let Some(frame) = source.next_frame()? else {
                break;
            };
            follow_catalog(mirror);
            let rgba = mirror.process_to_cpu(&frame)?;
            match sink.write_frame(&rgba) {
                Err(OutputError::Closed(_)) => {
                    summary.output_closed = true;
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
        Err(OutputError::Closed(_)) => Ok(()),
        other => other,
    };
    summary.elapsed = started.elapsed();
    summary.dropped = source.dropped_frames();
    outcome?;
    finished?;
    Ok(summary)
}

/// A long render (a camera, a stream into a pipe) follows catalog edits
/// as the window does: the next frame shows them. The watcher looks at the
/// file at most every 500 ms, so this costs nothing per frame.
fn follow_catalog(mirror: &mut Mirror) {
    let Some(tryon) = mirror.tryon_mut() else {
        return;
    };
    // Garments left out or taken off are logged by the try-on; a broken
    // file is returned once per edit.
    if let Some(Err(e)) = tryon.poll_catalog() {
        tracing::warn!("catalog not reloaded, keeping the last good one: {e}");
    }
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
