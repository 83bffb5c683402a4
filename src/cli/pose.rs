//! `drape pose`: the body in every frame as JSON lines, optionally drawn.

use super::*;

pub(super) fn pose(args: PoseArgs) -> drape::Result<()> {
    use drape::pose::{PoseConfig, PoseTracker};
    let model = PoseModel::from(args.model);
    // A bad --draw folder fails before any work is done.
    let mut draw_sink = match &args.draw {
        Some(dir) if dir.exists() && !dir.is_dir() => {
            return Err(drape::output::OutputError::BadSpec(format!(
                "--draw {}: that is a file, not a folder",
                dir.display()
            ))
            .into())
        }
        Some(dir) => Some(output::open_sink(
            &SinkSpec::Folder(dir.clone(), output::ImageFormat::Png),
            &SinkOptions {
                fps: 30.0,
                frame_count: None,
            },
        )?),
        None => None,
    };
    let mut source = args.input.open("camera:0")?;
    let gpu = GpuContext::headless()?;
    let config = PoseConfig {
        model,
        // A batch of unrelated photos is a set of stills, as `render` reads it.
        static_mode: args.static_mode || source.stills(),
        smooth: !args.no_smooth,
        smoothing: args.smoothing.into(),
        // The JSON lines carry no mask: pay for it only when drawing.
        segmentation: draw_sink.is_some(),
        gpu_mask: false,
        backend: args.nn,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        person: drape::pose::PersonChoice::BestScore,
        redetect_off_frame: false,
    };
    let mut tracker = PoseTracker::new(&gpu, config)?;
    let mut mirror = Mirror::new(
        &gpu,
        MirrorConfig {
            mirror: args.input.mirror,
        },
    );
    let (mut out, out_name): (Box<dyn std::io::Write>, String) = if args.output == "-" {
        (
            Box::new(std::io::BufWriter::new(std::io::stdout())),
            "stdout".into(),
        )
    } else {
        let file = std::fs::File::create(&args.output).map_err(|source| {
            drape::output::OutputError::Io {
                path: args.output.clone().into(),
                source,
            }
        })?;
        (Box::new(std::io::BufWriter::new(file)), args.output.clone())
    };
    let stop = StopFlag::new().on_ctrl_c();
    let progress = if args.quiet {
        Progress::Never
    } else {
        Progress::Auto
    };
    let output = app::pose::PoseOutput {
        out: out.as_mut(),
        name: &out_name,
        max_frames: args.frames,
        progress,
        draw: draw_sink.as_mut().map(|sink| app::pose::PoseDrawing {
            sink: sink.as_mut(),
            style: drape::pose::draw::DrawStyle::default(),
        }),
    };
    let summary = app::pose::pose_to_jsonl(&mut source, &mut mirror, &mut tracker, output, &stop)?;
    match &draw_sink {
        Some(sink) => eprintln!(
            "drape: {summary} → {out_name}, drawn frames: {}",
            sink.description()
        ),
        None => eprintln!("drape: {summary} → {out_name}"),
    }
    Ok(())
}
