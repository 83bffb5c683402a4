//! `drape pose`: one JSON line a frame with the body the tracker found
//! (landmarks, world landmarks, scores, region), for analysis and tests,
//! and optionally every frame with the body drawn on it.

use std::io::Write;
use std::time::{Duration, Instant};

use super::render::{count, progress_bar, Progress};
use super::StopFlag;
use crate::capture::FrameSource;
use crate::output::{FrameSink, OutputError, RgbaFrame};
use crate::pose::draw::{draw_body, DrawStyle};
use crate::pose::{Body, PoseTracker};
use crate::{Mirror, Result};

/// One line of the output.
#[derive(serde::Serialize)]
struct PoseLine<'a> {
    frame: u64,
    timestamp_ms: f64,
    pose_found: bool,
    #[serde(flatten)]
    body: Option<&'a Body>,
}

/// What a pose run did.
#[derive(Debug, Clone, PartialEq)]
pub struct PoseSummary {
    /// Frames processed, one JSON line each.
    pub frames: u64,
    /// Of those, frames in which a body was found.
    pub frames_with_pose: u64,
    /// Wall-clock time of the whole run.
    pub elapsed: Duration,
    /// Ended by the stop flag (Ctrl-C) rather than by the source's end.
    pub interrupted: bool,
}

impl std::fmt::Display for PoseSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({} with a pose) in {:.2} s ({:.1} fps)",
            count(self.frames, "frame", "frames"),
            self.frames_with_pose,
            self.elapsed.as_secs_f64(),
            self.frames as f64 / self.elapsed.as_secs_f64().max(1e-9)
        )?;
        if self.interrupted {
            write!(f, ", stopped by Ctrl-C")?;
        }
        Ok(())
    }
}

/// Where the JSON lines go and how much to do.
pub struct PoseOutput<'a> {
    /// Where the JSON lines are written.
    pub out: &'a mut dyn Write,
    /// Names `out` in errors (`stdout`, a path).
    pub name: &'a str,
    /// Stop after this many frames.
    pub max_frames: Option<u64>,
    /// Whether to draw a progress bar on stderr.
    pub progress: Progress,
    /// Where each frame goes with the body drawn on it (`--draw`), if
    /// anywhere. Frames without a body go there unchanged, so the n-th
    /// image goes with the n-th line.
    pub draw: Option<PoseDrawing<'a>>,
}

/// The drawn frames' sink and style.
pub struct PoseDrawing<'a> {
    /// Where the drawn frames go.
    pub sink: &'a mut dyn FrameSink,
    /// How the body is drawn.
    pub style: DrawStyle,
}

/// Runs `tracker` on every frame of `source` (converted and mirrored by
/// `mirror`) and writes one JSON line a frame.
pub fn pose_to_jsonl(
    source: &mut dyn FrameSource,
    mirror: &mut Mirror,
    tracker: &mut PoseTracker,
    output: PoseOutput<'_>,
    stop: &StopFlag,
) -> Result<PoseSummary> {
    let PoseOutput {
        out,
        name: out_name,
        max_frames,
        progress,
        mut draw,
    } = output;
    let total = match (source.info().frame_count, max_frames) {
        (Some(n), Some(m)) => Some(n.min(m)),
        (n, m) => n.or(m),
    };
    let bar = progress_bar(total, progress);
    let started = Instant::now();
    let mut summary = PoseSummary {
        frames: 0,
        frames_with_pose: 0,
        elapsed: Duration::ZERO,
        interrupted: false,
    };
    // Reused frame copy to draw on (the converted frame is borrowed).
    let mut canvas: Vec<u8> = Vec::new();
    let io = |source: std::io::Error| OutputError::Io {
        path: out_name.into(),
        source,
    };
    while max_frames.is_none_or(|m| summary.frames < m) {
        if stop.is_raised() {
            summary.interrupted = true;
            break;
        }
        let Some(frame) = source.next_frame()? else {
            break;
        };
        // A GPU network crops from the working texture; a CPU one needs
        // only the CPU conversion (no GPU round trip).
        let texture = match tracker.wants_texture() {
            true => Some(mirror.process(&frame)?),
            false => None,
        };
        let rgba = mirror.frame_to_cpu(&frame);
        let body = match &texture {
            Some(texture) => {
                tracker.process_with_texture(Some(rgba.data), texture, frame.timestamp)?
            }
            None => tracker.process(rgba.data, rgba.width, rgba.height, frame.timestamp)?,
        };
        if let Some(PoseDrawing { sink, style }) = draw.as_mut() {
            canvas.clear();
            canvas.extend_from_slice(rgba.data);
            if let Some(body) = &body {
                draw_body(&mut canvas, rgba.width, rgba.height, body, style)?;
            }
            sink.write_frame(&RgbaFrame {
                data: &canvas,
                ..rgba
            })?;
        }
        let line = PoseLine {
            frame: frame.index,
            timestamp_ms: frame.timestamp.as_secs_f64() * 1e3,
            pose_found: body.is_some(),
            body: body.as_ref(),
        };
        let written = serde_json::to_writer(&mut *out, &line)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"));
        match written {
            // The reader went away (`drape pose ... | head`): a normal end.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => break,
            written => written.map_err(io)?,
        }
        summary.frames += 1;
        summary.frames_with_pose += u64::from(body.is_some());
        bar.inc(1);
    }
    bar.finish_and_clear();
    if let Some(PoseDrawing { sink, .. }) = draw.as_mut() {
        sink.finish()?;
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        flushed => flushed.map_err(io)?,
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}
