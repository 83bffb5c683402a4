//! The commands that show or write frames: the bundled sample (no
//! arguments), `run` (a window), `render` (files and pipes), and the
//! listings of GPUs and cameras.

use super::*;

/// The bundled clip, from the working folder or the source tree.
pub(crate) fn sample_clip() -> PathBuf {
    [
        PathBuf::from(SAMPLE_CLIP),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SAMPLE_CLIP),
    ]
    .into_iter()
    .find(|p| p.exists())
    .unwrap_or_else(|| PathBuf::from(SAMPLE_CLIP))
}

/// `drape` alone: the main job on the bundled sample.
pub(crate) fn sample() -> drape::Result<()> {
    let clip = sample_clip();
    eprintln!(
        "drape: no command given, dressing the person in the bundled sample {} into out/ \
         (see `drape --help`)",
        clip.display()
    );
    render(RenderArgs {
        tryon: TryOnArgs {
            catalog: None,
            wear: Vec::new(),
            no_tryon: false,
            no_overlay: false,
            card_corner: CornerArg::BottomLeft,
            pose_model: LandmarkArg::Lite,
            smoothing: SmoothingArg::Mediapipe,
            nn: drape::nn::Backend::Auto,
            cloth: ClothArg::Auto,
            quality: QualityArg::Auto,
        },
        preview: Some(PathBuf::from("out/preview.gif")),
        input: InputArgs {
            input: Some(clip.display().to_string()),
            camera: None,
            input_format: None,
            size: None,
            fps: None,
            sequence: false,
            batch: false,
            color_matrix: None,
            color_range: None,
            mirror: true,
        },
        output: "out".into(),
        output_format: None,
        frames: None,
        quiet: false,
    })
}

pub(crate) fn render(args: RenderArgs) -> drape::Result<()> {
    // The output first: a place that cannot be written fails before any
    // work (and before a camera or ffmpeg starts).
    let sink_spec = SinkSpec::parse(&args.output, args.output_format)?;
    sink_spec.check()?;
    let spec = args.input.spec("camera:0")?;
    let mut source = capture::open_source(&spec, &args.input.options())?;
    let info = source.info().clone();
    let stills = source.stills();
    if stills {
        eprintln!(
            "drape: {} (--sequence reads them as the frames of a video)",
            info.description
        );
    }
    let mut sink = output::open_sink(
        &sink_spec,
        &SinkOptions {
            fps: info.fps.unwrap_or(30.0),
            frame_count: info.frame_count,
        },
    )?;
    if let Some(preview) = &args.preview {
        sink = Box::new(output::TeeSink {
            first: sink,
            second: Box::new(output::PreviewSink::create(preview, Default::default())?),
        });
    }
    let gpu = GpuContext::headless()?;
    let mut mirror = Mirror::new(
        &gpu,
        MirrorConfig {
            mirror: args.input.mirror,
        },
    );
    // A photo, or a batch of them, has no before and after: no tracking,
    // no smoothing.
    let tryon = args.tryon.config(info.frame_count == Some(1) || stills);
    if let Some(config) = &tryon {
        let tryon = wear_outfit(&gpu, config.clone())?;
        eprintln!("drape: wearing {}", tryon.outfit().join(", "));
        mirror.set_tryon(Some(tryon));
    }
    let stop = StopFlag::new().on_ctrl_c();
    let options = RenderOptions {
        max_frames: args.frames,
        progress: if args.quiet {
            Progress::Never
        } else {
            Progress::Auto
        },
        // As `run` does: staff may edit the catalog while a camera runs.
        watch_catalog: spec.is_stream(),
        stills: tryon.filter(|_| stills).map(|config| app::StillsTryOn {
            gpu: gpu.clone(),
            config,
        }),
    };
    tracing::info!(
        "{} → {} on {}",
        info.description,
        sink.description(),
        gpu.info.name
    );
    let summary = app::render(&mut source, &mut mirror, sink.as_mut(), &options, &stop)?;
    eprintln!("drape: {summary} → {}", sink.description());
    Ok(())
}

pub(crate) fn run(args: RunArgs) -> drape::Result<()> {
    let tryon = args.tryon.config(false);
    if let Some(config) = &tryon {
        // A broken catalog fails here, before the window opens.
        let catalog = drape::garment::catalog::Catalog::load(&config.catalog)?;
        for (worn, replaced) in outfit_replacements(&catalog, &config.wear) {
            eprintln!("{}", replaced_warning(&catalog, &worn, &replaced));
        }
    }
    check_display()?;
    // A kiosk may boot before its USB camera: the window waits for it.
    let source = args.input.open_waiting("camera:0")?;
    // For a camera this names the format it negotiated.
    eprintln!("drape: showing {}", source.info().description);
    let stop = StopFlag::new().on_ctrl_c();
    let options = WindowOptions {
        fullscreen: args.fullscreen,
        vsync: !args.no_vsync,
        exit_at_end: args.exit_at_end,
        mirror: MirrorConfig {
            mirror: args.input.mirror,
        },
        tryon,
        snapshot_dir: args.snapshot_dir,
        ..WindowOptions::default()
    };
    let summary = match app::run_window(source, options, &stop) {
        Err(drape::Error::Output(output::OutputError::Window(message))) => {
            return Err(output::OutputError::Window(without_source_location(&message)).into())
        }
        other => other?,
    };
    eprintln!(
        "drape: {} shown in {:.2} s ({:.1} fps), {} dropped",
        count(summary.frames, "frame", "frames"),
        summary.elapsed.as_secs_f64(),
        summary.frames as f64 / summary.elapsed.as_secs_f64().max(1e-9),
        summary.dropped
    );
    Ok(())
}

/// `1 frame`, `2 frames`: a count with its noun in the right number.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) fn devices() -> drape::Result<()> {
    let adapters = drape::gpu::describe_adapters();
    if adapters.is_empty() {
        return Err(drape::gpu::GpuError::NoAdapter {
            backends: String::new(),
        }
        .into());
    }
    for adapter in adapters {
        print!("{adapter}");
    }
    match GpuContext::headless() {
        Ok(gpu) => println!("default: {} ({:?})", gpu.info.name, gpu.info.backend),
        Err(e) => println!("default: none ({e})"),
    }
    Ok(())
}

pub(crate) fn cameras() -> drape::Result<()> {
    let cameras = capture::list_cameras()?;
    if cameras.is_empty() {
        println!("no cameras found (on Linux: is a /dev/video* device present and readable?)");
    }
    for camera in cameras {
        println!("{}: {} ({})", camera.index, camera.name, camera.description);
    }
    Ok(())
}
