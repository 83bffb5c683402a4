//! MediaPipe's half of `drape bench jitter`: the clips written as PNG
//! files, `scripts/jitter_mediapipe.py` run on them, its landmarks read
//! back in the frame's pixels.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::clip::JitterClips;
use super::metrics::{PointPx, PoseTrack};
use super::{model_name, unscored, JitterRow};
use crate::nn::models::PoseModel;
use crate::output::OutputError;

/// MediaPipe's landmarks on both clips.
pub(super) struct MediaPipeTracks {
    /// MediaPipe's version.
    pub version: String,
    /// Per model, smoothed then unsmoothed: the row to fill and the still
    /// and moving tracks.
    pub runs: Vec<(JitterRow, [PoseTrack; 2])>,
}

/// Writes both clips as `still_0000.png`, …, `moving_0000.png`, … into
/// `dir` (RGB; noise makes them large, so compression is fast).
pub(super) fn write_frames(clips: &JitterClips, dir: &Path) -> Result<(), OutputError> {
    use image::ImageEncoder;
    for (name, frames) in [("still", &clips.still), ("moving", &clips.moving)] {
        for (t, rgba) in frames.iter().enumerate() {
            let path = dir.join(format!("{name}_{t:04}.png"));
            let rgb: Vec<u8> = rgba
                .chunks_exact(4)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect();
            let file = std::fs::File::create(&path).map_err(|source| OutputError::Io {
                path: path.clone(),
                source,
            })?;
            image::codecs::png::PngEncoder::new_with_quality(
                std::io::BufWriter::new(file),
                image::codecs::png::CompressionType::Fast,
                image::codecs::png::FilterType::NoFilter,
            )
            .write_image(
                &rgb,
                clips.width,
                clips.height,
                image::ExtendedColorType::Rgb8,
            )
            .map_err(|e| OutputError::Encode {
                path,
                message: e.to_string(),
            })?;
        }
    }
    Ok(())
}

/// MediaPipe's landmarks from `scripts/jitter_mediapipe.py`, run by
/// `python` on the frames in `dir`: its version and, per model, smoothed
/// then unsmoothed, the still and moving tracks. `Err` says why it could
/// not run.
fn mediapipe_tracks(
    python: &str,
    dir: &Path,
    models: &[PoseModel],
    clips: &JitterClips,
) -> Result<MediaPipeTracks, String> {
    let script = script_path();
    let names: Vec<&str> = models.iter().map(|&m| model_name(m)).collect();
    let output = Command::new(python)
        .arg(&script)
        .arg("--frames-dir")
        .arg(dir)
        .args(["--count", &clips.still.len().to_string()])
        .arg("--models")
        .args(&names)
        .output()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(stderr.lines().last().unwrap_or("failed").to_string());
    }
    parse_mediapipe_report(&String::from_utf8_lossy(&output.stdout), clips)
}

/// The script, in drape's source tree.
fn script_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/jitter_mediapipe.py")
}

/// The script's report: one JSON object on its last line.
#[derive(serde::Deserialize)]
struct MediaPipeReport {
    mediapipe: String,
    runs: Vec<MediaPipeRun>,
}

/// One configuration's landmarks: per frame `null` or `[x, y, visibility]`
/// each, normalised to the frame.
#[derive(serde::Deserialize)]
struct MediaPipeRun {
    model: String,
    smooth: bool,
    still: Vec<Option<Vec<[f64; 3]>>>,
    moving: Vec<Option<Vec<[f64; 3]>>>,
}

fn parse_mediapipe_report(text: &str, clips: &JitterClips) -> Result<MediaPipeTracks, String> {
    let report: MediaPipeReport = text
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .ok_or("no report from jitter_mediapipe.py")?;
    let (w, h) = (f64::from(clips.width), f64::from(clips.height));
    let to_px = |frames: Vec<Option<Vec<[f64; 3]>>>| -> PoseTrack {
        frames
            .into_iter()
            .map(|frame| {
                frame.map(|points| {
                    points
                        .into_iter()
                        .map(|[x, y, visibility]| PointPx {
                            x_px: x * w,
                            y_px: y * h,
                            visibility,
                        })
                        .collect()
                })
            })
            .collect()
    };
    let tracks = report
        .runs
        .into_iter()
        .map(|run| {
            let row = unscored("MediaPipe", &run.model, run.smooth);
            (row, [to_px(run.still), to_px(run.moving)])
        })
        .collect();
    Ok(MediaPipeTracks {
        version: report.mediapipe,
        runs: tracks,
    })
}

/// Writes the frames to a fresh temporary folder, runs the script on them
/// and removes the folder.
pub(super) fn run_mediapipe(
    python: &str,
    models: &[PoseModel],
    clips: &JitterClips,
) -> Result<MediaPipeTracks, String> {
    // Checked first, so a machine without MediaPipe writes no frames.
    let probe = Command::new(python)
        .args(["-c", "import mediapipe"])
        .output()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if !probe.status.success() {
        return Err(format!("{python} cannot import mediapipe"));
    }
    let dir = std::env::temp_dir().join(format!("drape-jitter-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let result = write_frames(clips, &dir)
        .map_err(|e| e.to_string())
        .and_then(|()| mediapipe_tracks(python, &dir, models, clips));
    if let Err(e) = std::fs::remove_dir_all(&dir) {
        tracing::warn!("could not remove {}: {e}", dir.display());
    }
    result
}
