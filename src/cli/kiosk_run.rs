//! `drape kiosk`: the kiosk in a full-screen window, and `drape kiosk
//! stats`: a summary of its events.

use drape::app::kiosk::run_kiosk;
use drape::app::StopFlag;
use drape::capture::{self, FrameSource, InputOptions, Looping, SourceSpec};
use drape::garment::catalog::Catalog;
use drape::kiosk::events::{read_jsonl, KioskStats};

use crate::display::{check_display, without_source_location};
use crate::kiosk_command::{KioskAction, KioskArgs, KioskCommand, KioskStatsArgs};

pub(crate) fn kiosk(command: KioskCommand) -> drape::Result<()> {
    match command.action {
        Some(KioskAction::Stats(args)) => stats(args),
        None => run(command.run),
    }
}

fn run(args: KioskArgs) -> drape::Result<()> {
    let mut config = args.config()?;
    // The sample catalog, found from anywhere as `drape run` finds it.
    if config.catalog == std::path::Path::new(drape::kiosk::config::DEFAULT_CATALOG)
        && !config.catalog.exists()
    {
        config.catalog = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(&config.catalog);
    }
    // A broken catalog fails here, before the screen goes dark.
    Catalog::load(&config.catalog)?;
    check_display()?;
    // A kiosk may boot before its USB camera: it waits for it.
    let options = InputOptions {
        wait_for_camera: true,
        ..InputOptions::default()
    };
    let input = match config.input.as_str() {
        "camera" => "camera:0",
        other => other,
    };
    let spec = SourceSpec::parse(input, &options)?;
    let source = capture::open_source(&spec, &options)?;
    let finite = !spec.is_live() && source.info().frame_count.is_some();
    let source: Box<dyn FrameSource> = if config.loop_input && finite {
        let again = spec.clone();
        Box::new(Looping::new(
            source,
            Box::new(move || capture::open_source(&again, &options)),
        ))
    } else {
        source
    };
    // A clip that is not looped ends the run when it ends (demos, tests);
    // a still photo or a camera runs until Escape or Ctrl-C.
    let exit_at_end = finite && !config.loop_input && source.info().frame_count != Some(1);
    eprintln!("drape: kiosk showing {}", source.info().description);
    let stop = StopFlag::new().on_ctrl_c();
    let summary = match run_kiosk(source, config, exit_at_end, &stop) {
        Err(drape::Error::Output(drape::output::OutputError::Window(message))) => {
            return Err(
                drape::output::OutputError::Window(without_source_location(&message)).into(),
            )
        }
        other => other?,
    };
    eprintln!(
        "drape: kiosk ran {:.1} s, {} frames",
        summary.elapsed.as_secs_f64(),
        summary.frames
    );
    Ok(())
}

fn stats(args: KioskStatsArgs) -> drape::Result<()> {
    let stats = match (&args.events, &args.events_db) {
        (Some(jsonl), _) => KioskStats::from_events(&read_jsonl(jsonl)?),
        (None, Some(db)) => KioskStats::from_db(db)?,
        // clap asks for one of the two; with neither there is nothing to sum.
        (None, None) => KioskStats::from_events(&[]),
    };
    print!("{stats}");
    Ok(())
}
