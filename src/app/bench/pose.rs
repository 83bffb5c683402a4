//! `drape bench pose`: the pose pipeline per stage on a clip, with
//! MediaPipe (scripts/bench_mediapipe.py) timed in alternating batches of
//! passes when it is installed.

use std::process::Command;
use std::time::Instant;

use super::stats::{self, Ratio, Rounds, Spread};
use super::{python, script, Peer};

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
    /// The frames' totals: median and p10–p90 over all rounds.
    pub total: Spread,
    /// MediaPipe's median for the same clip, when known.
    pub mediapipe: Option<MediaPipeFigure>,
    /// MediaPipe's per-frame spread and drape/MediaPipe per round, when
    /// it ran interleaved with drape.
    pub interleaved: Option<(Spread, Ratio)>,
    /// Rounds of drape's passes (and MediaPipe's between them).
    pub rounds: usize,
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

fn median(values: &[f64]) -> f64 {
    stats::quantile(values, 0.5)
}

/// MediaPipe as a peer for `model` (lite, full or heavy), run by
/// `$DRAPE_MEDIAPIPE_PYTHON` (default `python3`), which needs
/// `mediapipe==0.10.21`; `None` (with a note on stderr) when it cannot run.
pub fn mediapipe_peer() -> Option<Peer> {
    let python = python("DRAPE_MEDIAPIPE_PYTHON");
    match Peer::spawn(&python, &script("bench_mediapipe.py"), &[]) {
        Ok(peer) => Some(peer),
        Err(e) => {
            eprintln!(
                "MediaPipe not measured: {e} (pip install mediapipe==0.10.21 pillow; \
                 DRAPE_MEDIAPIPE_PYTHON picks the interpreter)"
            );
            None
        }
    }
}

/// Runs `tracker` over `frames` (RGBA8, tracking mode) for `rounds`
/// rounds of `passes` passes, restarting the tracker each pass, and
/// reports median stage times. With `mediapipe` (a peer and the model's
/// name), MediaPipe runs as many passes each round, before drape's on odd
/// rounds and after on even ones. The upload stage is the frame's
/// conversion to RGBA on the CPU, plus its upload and conversion on the
/// GPU when the tracker takes a texture.
pub fn bench_pose(
    mirror: &mut crate::Mirror,
    tracker: &mut crate::pose::PoseTracker,
    frames: &[crate::capture::Frame],
    passes: usize,
    rounds: usize,
    mut mediapipe: Option<(&mut Peer, &str)>,
) -> crate::Result<PoseBench> {
    let mut stages: [Vec<f64>; 7] = Default::default();
    let (mut drape_totals, mut peer_totals) = (Rounds::default(), Rounds::default());
    let mut peer_failed = false;
    let rounds = rounds.max(1);
    for round in 0..rounds {
        let mut peer_batch = |peer_failed: &mut bool| {
            let Some((peer, model)) = mediapipe.as_mut().filter(|_| !*peer_failed) else {
                return;
            };
            match peer.request(&format!("run {model} {}", passes.max(1))) {
                Ok(times) => peer_totals.rounds.push(times),
                Err(e) => {
                    eprintln!("MediaPipe left out: {e}");
                    *peer_failed = true;
                }
            }
        };
        if round % 2 == 1 {
            std::thread::sleep(super::SETTLE);
            peer_batch(&mut peer_failed);
        }
        std::thread::sleep(super::SETTLE);
        let before = stages[6].len();
        drape_passes(mirror, tracker, frames, passes, &mut stages)?;
        drape_totals.rounds.push(stages[6][before..].to_vec());
        if round % 2 == 0 {
            std::thread::sleep(super::SETTLE);
            peer_batch(&mut peer_failed);
        }
    }
    let [upload, detect, crop, inference, decode, mask, total] =
        stages.each_ref().map(|s| median(s));
    let (mediapipe, interleaved) = match (&mediapipe, peer_failed) {
        (Some((peer, _)), false) => {
            let spread = peer_totals.spread();
            let figure = MediaPipeFigure {
                median_ms: spread.median,
                source: format!("{}, measured in this run", peer.name),
            };
            let ratio = stats::ratio(&drape_totals, &peer_totals);
            (Some(figure), Some((spread, ratio)))
        }
        _ => (None, None),
    };
    Ok(PoseBench {
        frames: frames.len(),
        upload_ms: upload,
        detect_ms: detect,
        crop_ms: crop,
        inference_ms: inference,
        decode_ms: decode,
        mask_ms: mask,
        total_ms: total,
        total: drape_totals.spread(),
        mediapipe,
        interleaved,
        rounds,
    })
}

/// `passes` passes over `frames`, each stage's per-frame times appended
/// to `stages` (upload, detect, crop, inference, decode, mask, total).
fn drape_passes(
    mirror: &mut crate::Mirror,
    tracker: &mut crate::pose::PoseTracker,
    frames: &[crate::capture::Frame],
    passes: usize,
    stages: &mut [Vec<f64>; 7],
) -> crate::Result<()> {
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
    Ok(())
}

/// Times MediaPipe itself on the same clip with scripts/bench_mediapipe.py,
/// run by `$DRAPE_MEDIAPIPE_PYTHON` (default `python3`), which needs
/// `mediapipe==0.10.21`. `None` (with a note on stderr) when it cannot run.
pub fn measure_mediapipe(model: &str, passes: usize) -> Option<MediaPipeFigure> {
    let python = python("DRAPE_MEDIAPIPE_PYTHON");
    let output = Command::new(&python)
        .arg(script("bench_mediapipe.py"))
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
        writeln!(
            f,
            "  {:<30} {:>8}",
            format!("p10–p90, {} round(s)", self.rounds),
            format!("{:.2}–{:.2}", self.total.p10, self.total.p90)
        )?;
        match (&self.mediapipe, &self.interleaved) {
            (Some(m), Some((spread, ratio))) => writeln!(
                f,
                "  MediaPipe, same clip and mode ({}): {:.2} ms (p10–p90 {:.2}–{:.2}) → \
                 drape/MediaPipe = {:.2} (p10–p90 of the rounds' ratios {:.2}–{:.2})",
                m.source,
                m.median_ms,
                spread.p10,
                spread.p90,
                ratio.of_medians,
                ratio.rounds_p10,
                ratio.rounds_p90
            ),
            (Some(m), None) => writeln!(
                f,
                "  MediaPipe, same clip and mode ({}): {:.2} ms → drape/MediaPipe = {:.2}",
                m.source,
                m.median_ms,
                self.total_ms / m.median_ms
            ),
            (None, _) => writeln!(f, "  MediaPipe's figure: not available"),
        }
    }
}
