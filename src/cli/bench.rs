//! `drape bench`: the networks, the pose pipeline and the whole try-on,
//! each next to its yardstick (TFLite, MediaPipe) measured in the same run.

use super::*;

pub(super) fn bench(args: BenchArgs) -> drape::Result<()> {
    match args.target {
        BenchTarget::Frame {
            passes,
            sizes,
            no_mediapipe,
            also_quality,
            tryon,
        } => {
            let Some(config) = tryon.config(false) else {
                return Err(output::OutputError::BadSpec(
                    "bench frame measures the try-on: drop --no-tryon".into(),
                )
                .into());
            };
            let clip = sample_clip();
            let mut source = capture::open_source(
                &SourceSpec::parse(&clip.display().to_string(), &InputOptions::default())?,
                &InputOptions::default(),
            )?;
            let mut frames = Vec::new();
            while let Some(frame) = source.next_frame()? {
                frames.push(frame);
            }
            let gpu = GpuContext::headless()?;
            let also: Vec<drape::tryon::QualityMode> =
                also_quality.into_iter().map(Into::into).collect();
            let mut result =
                app::bench_frame::bench_frame(&gpu, &config, &also, &frames, &sizes, passes)?;
            result.mediapipe = if no_mediapipe {
                None
            } else {
                app::bench::measure_mediapipe("lite", passes)
            };
            if result.mediapipe.is_none() {
                result.mediapipe = app::bench::reference_mediapipe();
            }
            print!("{result}");
            Ok(())
        }
        BenchTarget::Soak {
            minutes,
            every,
            size,
            tryon,
        } => {
            let Some(config) = tryon.config(false) else {
                return Err(output::OutputError::BadSpec(
                    "bench soak runs the try-on: drop --no-tryon".into(),
                )
                .into());
            };
            let clip = sample_clip();
            let options = InputOptions::default();
            let mut source = capture::open_source(
                &SourceSpec::parse(&clip.display().to_string(), &options)?,
                &options,
            )?;
            let mut frames = Vec::new();
            while let Some(frame) = source.next_frame()? {
                frames.push(frame);
            }
            let frames = app::bench_frame::scaled_frames(&frames, size.0, size.1)?;
            let gpu = GpuContext::headless()?;
            println!(
                "soak: the try-on on {} looped at {}x{} for {minutes} min on {}",
                clip.display(),
                size.0,
                size.1,
                gpu.info.name
            );
            let reports = app::soak::soak(
                &gpu,
                &config,
                &frames,
                std::time::Duration::from_secs_f64(minutes * 60.0),
                std::time::Duration::from_secs_f64(every),
                |report| println!("{report}"),
            )?;
            if let (Some(first), Some(last)) = (reports.first(), reports.last()) {
                let growth = match (first.resident_bytes, last.resident_bytes) {
                    (Some(a), Some(b)) => {
                        format!("{:+.1} MB", (b as f64 - a as f64) / (1 << 20) as f64)
                    }
                    _ => "n/a".into(),
                };
                println!(
                    "soak: resident memory {growth} from the first report to the last; median frame {:.2} → {:.2} ms",
                    first.median_frame_ms, last.median_frame_ms
                );
            }
            Ok(())
        }
        BenchTarget::Pose {
            passes,
            rounds,
            model,
            no_mediapipe,
            nn,
            threads,
        } => {
            let model = PoseModel::from(model);
            let model_name = match model {
                PoseModel::LandmarkFull => "full",
                PoseModel::LandmarkHeavy => "heavy",
                _ => "lite",
            };
            let frames = pan_clip()?;
            let gpu = GpuContext::headless()?;
            let config = drape::pose::PoseConfig {
                model,
                backend: nn,
                threads,
                ..Default::default()
            };
            let mut tracker = drape::pose::PoseTracker::new(&gpu, config)?;
            let mut mirror = Mirror::new(&gpu, MirrorConfig::default());
            print_cpu();
            let mut peer = if no_mediapipe {
                None
            } else {
                app::bench::mediapipe_peer()
            };
            let mut result = app::bench::bench_pose(
                &mut mirror,
                &mut tracker,
                &frames,
                passes,
                rounds as usize,
                peer.as_mut().map(|peer| (peer, model_name)),
            )?;
            if result.mediapipe.is_none() && model == PoseModel::LandmarkLite {
                result.mediapipe = app::bench::reference_mediapipe();
            }
            print!("{result}");
            Ok(())
        }
        BenchTarget::Jitter {
            frames,
            noise,
            flicker,
            seed,
            models,
            no_mediapipe,
            json,
        } => bench_jitter(frames, noise, flicker, seed, &models, no_mediapipe, json),
        BenchTarget::Nn {
            runs,
            rounds,
            no_gpu,
            no_tflite,
            models,
        } => {
            let models: Vec<PoseModel> = if models.is_empty() {
                app::bench::default_models()
            } else {
                models.into_iter().map(PoseModel::from).collect()
            };
            let gpu = if no_gpu {
                None
            } else {
                Some(GpuContext::headless()?)
            };
            let options = app::bench::BenchOptions {
                warmup: (runs / 5).max(2),
                runs,
                rounds: rounds as usize,
                gpu: !no_gpu,
                tflite: !no_tflite,
            };
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            eprintln!(
                "drape: timing the networks ({rounds} round{} of {runs} run{} each after warm-up, \
                 alternating with TFLite; the CPU has {cores} core{})",
                if rounds == 1 { "" } else { "s" },
                if runs == 1 { "" } else { "s" },
                if cores == 1 { "" } else { "s" },
            );
            print_cpu();
            let bench = app::bench::bench_nn(&models, gpu.as_ref(), &options)?;
            print!("{bench}");
            Ok(())
        }
    }
}

/// The CPU the figures are for (machines differ from day to day), from
/// /proc/cpuinfo where there is one.
fn print_cpu() {
    if let Some(name) = app::bench::cpu_model() {
        println!("CPU: {name}");
    }
}

/// `drape bench jitter` on basketball1.png.
fn bench_jitter(
    frames: usize,
    noise_levels: f64,
    flicker_percent: f64,
    seed: u64,
    models: &[LandmarkArg],
    no_mediapipe: bool,
    json: bool,
) -> drape::Result<()> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/reference/media/basketball1.png");
    let photo = capture::ImageFileSource::open(&path)?
        .next_frame()?
        .ok_or_else(|| capture::CaptureError::NoImages(path.display().to_string()))?;
    let settings = app::bench_jitter::clip::ClipSettings {
        frames,
        noise_levels,
        flicker_percent,
        seed,
    };
    let models: Vec<PoseModel> = models.iter().map(|&m| PoseModel::from(m)).collect();
    let python = std::env::var("DRAPE_MEDIAPIPE_PYTHON").unwrap_or_else(|_| "python3".into());
    let gpu = GpuContext::headless()?;
    let report = app::bench_jitter::bench_jitter(
        &gpu,
        (
            &photo.to_rgba8(),
            photo.width,
            photo.height,
            "basketball1.png",
        ),
        &settings,
        &models,
        (!no_mediapipe).then_some(python.as_str()),
    )?;
    if let (Some(why), false) = (&report.mediapipe_not_run, no_mediapipe) {
        eprintln!(
            "MediaPipe not run: {why} (pip install mediapipe==0.10.21 pillow; \
             DRAPE_MEDIAPIPE_PYTHON picks the interpreter)"
        );
    }
    if json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| output::OutputError::BadSpec(e.to_string()))?;
        println!("{text}");
    } else {
        print!("{report}");
    }
    Ok(())
}

/// The reference panning clip: basketball1.png cropped to 600×480 at
/// x0 = round(20 − 20·cos(2πt/30)), 30 fps (tests/data/reference/README.md).
fn pan_clip() -> drape::Result<Vec<drape::Frame>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/reference/media/basketball1.png");
    let mut source = capture::ImageFileSource::open(&path)?;
    let photo = source
        .next_frame()?
        .ok_or_else(|| capture::CaptureError::NoImages(path.display().to_string()))?;
    let rgba = photo.to_rgba8();
    let (w, h) = (photo.width as usize, photo.height as usize);
    let (crop_w, crop_h) = (600usize.min(w), 480usize.min(h));
    (0..60u32)
        .map(|t| {
            let x0 = (20.0 - 20.0 * (2.0 * std::f64::consts::PI * t as f64 / 30.0).cos()).round()
                as usize;
            let x0 = x0.min(w - crop_w);
            let mut data = Vec::with_capacity(crop_w * crop_h * 4);
            for y in 0..crop_h {
                let row = (y * w + x0) * 4;
                data.extend_from_slice(&rgba[row..row + crop_w * 4]);
            }
            let frame = drape::Frame::new(data, PixelFormat::Rgba8, crop_w as u32, crop_h as u32)?;
            Ok(frame.with_timestamp(
                std::time::Duration::from_micros(33_333 * (t as u64 + 1)),
                t as u64,
            ))
        })
        .collect()
}
