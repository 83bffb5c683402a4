//! `drape bench jitter`: how much the landmarks shake on a still person and
//! how many frames they trail a moving one, for drape and for MediaPipe on
//! the same synthetic frames in the same run.
//!
//! Both clips come from one photo (`clip`): the still one is the photo
//! under seeded camera noise, the moving one the photo panned along a
//! known path. Every pipeline is scored against the same truth, the known
//! motion (`metrics`): jitter is the frame-to-frame acceleration on the
//! still clip, lag the shift that best aligns the moving clip's landmarks
//! with the motion, error the distance from each landmark's resting place
//! (its mean on the still clip) moved by the motion.

pub mod clip;
mod mediapipe;
pub mod metrics;

use std::time::Duration;

use serde::Serialize;

use crate::gpu::GpuContext;
use crate::nn::models::PoseModel;
use crate::output::OutputError;
use crate::pose::{PoseConfig, PoseTracker, Smoothing};
use clip::{ClipSettings, JitterClips};
use metrics::{Jitter, LagRange, PointPx, PoseTrack};

/// Frames left out at the start of each clip: the first runs the detector
/// and the next few settle from its region to the tracked one, in every
/// pipeline alike.
pub const SETTLE_FRAMES: usize = 5;

/// Fewest frames per clip: the lag search needs frames past its longest
/// shift.
pub const MIN_FRAMES: usize = 16;

/// One line of the table: one pipeline on both clips.
#[derive(Debug, Clone, Serialize)]
pub struct JitterRow {
    /// `"drape"` or `"MediaPipe"`.
    pub pipeline: String,
    /// The landmark model: `"lite"`, `"full"` or `"heavy"`.
    pub model: String,
    /// Whether the landmarks were smoothed (as the pipeline does by
    /// default) or raw.
    pub smoothed: bool,
    /// Whether drape smoothed with `Smoothing::Steady` instead of
    /// MediaPipe's filter.
    pub steady: bool,
    /// Acceleration on the still clip; `None` without a visible landmark.
    pub jitter: Option<Jitter>,
    /// Frames the landmarks trail the motion on the moving clip.
    pub lag_frames: Option<f64>,
    /// Mean distance from the true position on the moving clip, in pixels.
    pub error_px: Option<f64>,
    /// Frames with a person found, still clip.
    pub still_found: usize,
    /// Frames with a person found, moving clip.
    pub moving_found: usize,
}

/// What was run and the rows, as `--json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct JitterReport {
    /// The photo both clips are made from.
    pub photo: String,
    /// The clips' frame width, in pixels.
    pub width: u32,
    /// The clips' frame height, in pixels.
    pub height: u32,
    /// Frames in each clip.
    pub frames: usize,
    /// Camera noise, standard deviation in 8-bit levels.
    pub noise_levels: f64,
    /// Brightness flicker, standard deviation in percent.
    pub flicker_percent: f64,
    /// The noise's seed.
    pub seed: u64,
    /// MediaPipe's version, when it ran.
    pub mediapipe: Option<String>,
    /// Why MediaPipe did not run.
    pub mediapipe_not_run: Option<String>,
    /// drape's rows and MediaPipe's, each model's together.
    pub rows: Vec<JitterRow>,
}

impl JitterRow {
    /// `"drape lite"`, `"drape lite, steady"`, `"MediaPipe full, unsmoothed"`.
    pub fn name(&self) -> String {
        match (self.smoothed, self.steady) {
            (true, false) => format!("{} {}", self.pipeline, self.model),
            (true, true) => format!("{} {}, steady", self.pipeline, self.model),
            (false, _) => format!("{} {}, unsmoothed", self.pipeline, self.model),
        }
    }
}

/// Scores one pipeline's tracks on the two clips against the known motion
/// (`row` names the pipeline; its figures are replaced).
pub fn score(
    row: JitterRow,
    still: &PoseTrack,
    moving: &PoseTrack,
    clips: &JitterClips,
) -> JitterRow {
    let rest = metrics::resting_positions(still, SETTLE_FRAMES);
    let steady = metrics::steadily_visible(moving, SETTLE_FRAMES);
    JitterRow {
        jitter: metrics::acceleration_jitter(still, SETTLE_FRAMES),
        lag_frames: metrics::estimate_lag(
            &steady,
            &clips.motion_px,
            SETTLE_FRAMES,
            LagRange::DEFAULT,
        ),
        error_px: metrics::mean_error_px(moving, &rest, &clips.motion_px, SETTLE_FRAMES),
        still_found: still.iter().flatten().count(),
        moving_found: moving.iter().flatten().count(),
        ..row
    }
}

/// A row for `pipeline` with no figures yet.
pub(super) fn unscored(pipeline: &str, model: &str, smoothed: bool) -> JitterRow {
    JitterRow {
        pipeline: pipeline.into(),
        model: model.into(),
        smoothed,
        steady: false,
        jitter: None,
        lag_frames: None,
        error_px: None,
        still_found: 0,
        moving_found: 0,
    }
}

/// The model's short name, as MediaPipe's script takes it.
pub fn model_name(model: PoseModel) -> &'static str {
    match model {
        PoseModel::LandmarkFull => "full",
        PoseModel::LandmarkHeavy => "heavy",
        _ => "lite",
    }
}

/// Frame `t`'s timestamp: 30 fps from 33 333 µs, as MediaPipe's legacy
/// solution stamps the frames it is given.
fn timestamp(t: usize) -> Duration {
    Duration::from_micros(33_333 * (t as u64 + 1))
}

/// drape's landmarks on both clips (tracking mode, one tracker restarted
/// per clip), smoothed with `smoothing` or (`None`) not smoothed.
pub fn drape_tracks(
    gpu: &GpuContext,
    model: PoseModel,
    smoothing: Option<Smoothing>,
    clips: &JitterClips,
) -> crate::Result<[PoseTrack; 2]> {
    let config = PoseConfig {
        model,
        smooth: smoothing.is_some(),
        smoothing: smoothing.unwrap_or_default(),
        segmentation: false,
        ..Default::default()
    };
    let mut tracker = PoseTracker::new(gpu, config)?;
    let (w, h) = (clips.width, clips.height);
    let mut run = |frames: &[Vec<u8>]| -> crate::Result<PoseTrack> {
        tracker.reset();
        frames
            .iter()
            .enumerate()
            .map(|(t, rgba)| {
                let body = tracker.process(rgba, w, h, timestamp(t))?;
                Ok(body.map(|body| {
                    body.landmarks
                        .iter()
                        .map(|l| PointPx {
                            x_px: f64::from(l.x) * f64::from(w),
                            y_px: f64::from(l.y) * f64::from(h),
                            visibility: f64::from(l.visibility),
                        })
                        .collect()
                }))
            })
            .collect()
    };
    Ok([run(&clips.still)?, run(&clips.moving)?])
}

/// Makes the clips from `photo` (RGBA8), runs drape (smoothed as MediaPipe
/// does, smoothed with `Smoothing::Steady`, and not smoothed) and
/// MediaPipe through `python` (when given and able) on them, and scores
/// every pipeline. MediaPipe's failure is reported, not an error.
pub fn bench_jitter(
    gpu: &GpuContext,
    photo: (&[u8], u32, u32, &str),
    settings: &ClipSettings,
    models: &[PoseModel],
    python: Option<&str>,
) -> crate::Result<JitterReport> {
    let (pixels, photo_width, photo_height, photo_name) = photo;
    if settings.frames < MIN_FRAMES {
        return Err(OutputError::BadSpec(format!(
            "bench jitter needs at least {MIN_FRAMES} frames a clip, not {}",
            settings.frames
        ))
        .into());
    }
    let clips = clip::make_clips(pixels, photo_width, photo_height, settings)?;
    let mut drape_rows = Vec::new();
    for &model in models {
        for smoothing in [Some(Smoothing::MediaPipe), Some(Smoothing::Steady), None] {
            let [still, moving] = drape_tracks(gpu, model, smoothing, &clips)?;
            let row = JitterRow {
                steady: smoothing == Some(Smoothing::Steady),
                ..unscored("drape", model_name(model), smoothing.is_some())
            };
            drape_rows.push(score(row, &still, &moving, &clips));
        }
    }
    let mediapipe = match python {
        Some(python) => mediapipe::run_mediapipe(python, models, &clips),
        None => Err("not asked for".to_string()),
    };
    let (mediapipe, mediapipe_rows) = match mediapipe {
        Ok(mediapipe::MediaPipeTracks {
            version,
            runs: tracks,
        }) => {
            let rows = tracks
                .into_iter()
                .map(|(row, [still, moving])| score(row, &still, &moving, &clips))
                .collect();
            (Ok(version), rows)
        }
        Err(why) => (Err(why), Vec::new()),
    };
    // Each model's rows together: drape's, then MediaPipe's.
    let mut rows = Vec::new();
    for &model in models {
        let name = model_name(model);
        let of_model = |r: &&JitterRow| r.model == name;
        rows.extend(drape_rows.iter().filter(of_model).cloned());
        rows.extend(mediapipe_rows.iter().filter(of_model).cloned());
    }
    Ok(JitterReport {
        photo: photo_name.to_string(),
        width: clips.width,
        height: clips.height,
        frames: settings.frames,
        noise_levels: settings.noise_levels,
        flicker_percent: settings.flicker_percent,
        seed: settings.seed,
        mediapipe_not_run: mediapipe.as_ref().err().cloned(),
        mediapipe: mediapipe.ok(),
        rows,
    })
}

/// A figure with two decimals, or `–` when there is none.
fn cell(value: Option<f64>) -> String {
    value.map_or("–".into(), |v| format!("{v:.2}"))
}

impl std::fmt::Display for JitterReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "jitter and lag: {} cropped to {}x{}, {} frames a clip at 30 fps, noise σ {} levels, \
             flicker {} %, seed {}; lag and error on a pan of up to 32x24 px every 60 frames",
            self.photo,
            self.width,
            self.height,
            self.frames,
            self.noise_levels,
            self.flicker_percent,
            self.seed
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "| pipeline | jitter RMS px | jitter p95 px | lag frames | error px | frames with a pose (still, moving) |"
        )?;
        writeln!(f, "|---|---|---|---|---|---|")?;
        for row in &self.rows {
            writeln!(
                f,
                "| {} | {} | {} | {} | {} | {}, {} of {} |",
                row.name(),
                cell(row.jitter.map(|j| j.rms_px)),
                cell(row.jitter.map(|j| j.p95_px)),
                cell(row.lag_frames),
                cell(row.error_px),
                row.still_found,
                row.moving_found,
                self.frames
            )?;
        }
        match &self.mediapipe {
            Some(version) => writeln!(f, "\nMediaPipe {version}, run on the same frames."),
            // The caller says why on stderr.
            None => writeln!(f, "\nMediaPipe not run."),
        }
    }
}
