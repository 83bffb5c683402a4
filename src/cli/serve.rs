//! `drape serve`: the livestream studio. The program feed (the input
//! dressed in what is on air) goes to `--output` at the input's rate; the
//! producer's API, the events and the metrics listen on `--listen`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use drape::app::StopFlag;
use drape::capture::{self, FrameSource, InputOptions, Looping, SourceSpec};
use drape::output::{self, OutputFormat, SinkOptions, SinkSpec};
use drape::serve::program::{run_program, ProgramOptions};
use drape::serve::{
    RedisConfig, Replica, ReplicaConfig, ReplicaServer, ServeServer, Studio, StudioConfig,
    DEFAULT_REDIS_PREFIX,
};
use drape::tryon::TryOnConfig;
use drape::GpuContext;

use crate::values::parse_output_format;

/// The environment variable holding the producer's token.
const TOKEN_ENV: &str = "DRAPE_TOKEN";

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// `camera[:N]`, a clip (y4m, mp4 …), `-` (y4m or raw on stdin).
    #[arg(short, long, default_value = "camera:0")]
    input: String,
    /// Play a clip again and again.
    #[arg(long = "loop")]
    loop_input: bool,
    /// Where the program feed goes: `-` (y4m on stdout, for ffmpeg), a
    /// .y4m file, or a folder of PNGs.
    #[arg(short, long, default_value = "-")]
    output: String,
    /// png, jpg, y4m or rgba; by default from --output.
    #[arg(long, value_parser = parse_output_format)]
    output_format: Option<OutputFormat>,
    /// The output's frame rate (default: the input's).
    #[arg(long)]
    fps: Option<f64>,
    /// Where the API, the events and the pages listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// The garment catalog (TOML).
    #[arg(long, default_value = "assets/garments/catalog.toml")]
    catalog: PathBuf,
    /// A file holding the producer's token (else `DRAPE_TOKEN`); without
    /// one every change is refused.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Flip the picture left-right.
    #[arg(long)]
    mirror: bool,
    /// Changes a client may make a minute.
    #[arg(long, default_value_t = 120)]
    rate_per_minute: u32,
    /// A folder of the pages' files (viewer.html, overlay.html, pages.css …)
    /// that replace the built-in ones of the same names: a store's own look.
    #[arg(long, value_name = "DIR")]
    pages: Option<PathBuf>,
    /// The browser try-on scripts/build-web.sh built, served at /try
    /// (default: target/web/try in drape's source tree, when built).
    #[arg(long, value_name = "DIR")]
    try_dir: Option<PathBuf>,
    /// The most `/events` streams held at once (one more is answered 503).
    #[arg(long, value_name = "N", default_value_t = drape::serve::DEFAULT_MAX_EVENT_CLIENTS)]
    max_event_clients: usize,
    /// Publish every live change to this Redis (`redis://host:6379/`) for
    /// viewer-only replicas; with --viewer-only, follow it.
    #[arg(long, value_name = "URL")]
    redis: Option<String>,
    /// What the Redis keys and channel start with: one per show when
    /// several share a Redis.
    #[arg(long, value_name = "WORD", default_value = DEFAULT_REDIS_PREFIX)]
    redis_prefix: String,
    /// Run a stateless replica for viewers: `/`, `/events`, `/api/live`
    /// (and the catalog and thumbnails the page reads) from --redis; no
    /// camera, no program, no changes.
    #[arg(long, requires = "redis", conflicts_with_all = ["input", "output", "loop_input", "output_format", "fps", "catalog", "token_file", "mirror", "rate_per_minute", "try_dir"])]
    viewer_only: bool,
}

fn token(args: &ServeArgs) -> drape::Result<Option<String>> {
    if let Some(path) = &args.token_file {
        let text = std::fs::read_to_string(path).map_err(|source| output::OutputError::Io {
            path: path.clone(),
            source,
        })?;
        return Ok(Some(text.trim().to_string()).filter(|t| !t.is_empty()));
    }
    Ok(std::env::var(TOKEN_ENV)
        .ok()
        .filter(|t| !t.trim().is_empty()))
}

/// `--try-dir`, or the source tree's build when there is one.
fn try_dir(args: &ServeArgs) -> Option<PathBuf> {
    args.try_dir.clone().or_else(|| {
        let built = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/web/try");
        built.join("drape_web_bg.wasm").is_file().then_some(built)
    })
}

/// `--redis` and `--redis-prefix`, if given.
fn redis(args: &ServeArgs) -> Option<RedisConfig> {
    args.redis.as_ref().map(|url| RedisConfig {
        prefix: args.redis_prefix.clone(),
        ..RedisConfig::new(url.clone())
    })
}

/// `drape serve --viewer-only`: serves until Ctrl-C.
fn serve_viewers(args: &ServeArgs, redis: RedisConfig, stop: &StopFlag) -> drape::Result<()> {
    let redacted = redis.redacted_url();
    let replica = Replica::new(ReplicaConfig {
        pages_dir: args.pages.clone(),
        max_event_clients: args.max_event_clients,
        ..ReplicaConfig::new(redis, args.listen)
    })?;
    let server = ReplicaServer::start(replica)?;
    eprintln!(
        "drape: viewer-only replica on http://{} following {redacted} (prefix `{}`); Ctrl-C ends it",
        server.local_addr(),
        args.redis_prefix
    );
    while !stop.is_raised() {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    drop(server);
    eprintln!("drape: replica stopped");
    Ok(())
}

pub(crate) fn serve(args: ServeArgs) -> drape::Result<()> {
    // From the start: a Ctrl-C while the studio opens ends it cleanly too.
    let stop = StopFlag::new().on_ctrl_c();
    let redis = redis(&args);
    if args.viewer_only {
        // clap makes sure --redis is there.
        if let Some(redis) = redis {
            return serve_viewers(&args, redis, &stop);
        }
    }
    let catalog = if args.catalog.exists() {
        args.catalog.clone()
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(&args.catalog)
    };
    let token = token(&args)?;
    if token.is_none() {
        eprintln!(
            "drape: warning: no producer token ({TOKEN_ENV} or --token-file): every change through the API is refused"
        );
    }
    let studio = Studio::new(StudioConfig {
        token,
        rate_per_minute: args.rate_per_minute,
        pages_dir: args.pages.clone(),
        max_event_clients: args.max_event_clients,
        redis: redis.clone(),
        try_dir: try_dir(&args),
        ..StudioConfig::new(catalog.clone(), args.listen)
    })?;
    let server = ServeServer::start(Arc::clone(&studio))?;
    eprintln!("drape: studio API on http://{}", server.local_addr());
    if let Some(redis) = &redis {
        eprintln!(
            "drape: publishing live changes to {} (prefix `{}`)",
            redis.redacted_url(),
            redis.prefix
        );
    }

    let options = InputOptions {
        wait_for_camera: true,
        ..InputOptions::default()
    };
    let spec = SourceSpec::parse(&args.input, &options)?;
    let source = capture::open_source(&spec, &options)?;
    let finite = source.info().frame_count.is_some();
    let source: Box<dyn FrameSource> = if args.loop_input && finite {
        let again = spec.clone();
        Box::new(Looping::new(
            source,
            Box::new(move || capture::open_source(&again, &options)),
        ))
    } else {
        source
    };
    let fps = args.fps.or(source.info().fps).unwrap_or(30.0);
    let sink_spec = SinkSpec::parse(&args.output, args.output_format)?;
    let mut sink = output::open_sink(
        &sink_spec,
        &SinkOptions {
            fps,
            frame_count: None,
        },
    )?;
    eprintln!(
        "drape: program {} → {} at {fps} fps",
        source.info().description,
        sink.description()
    );
    let gpu = GpuContext::headless()?;
    let mut tryon = TryOnConfig::sample();
    tryon.catalog = catalog;
    let summary = run_program(
        &gpu,
        studio,
        source,
        sink.as_mut(),
        ProgramOptions {
            tryon,
            mirror: args.mirror,
            fps: Some(fps),
            exit_at_end: finite && !args.loop_input,
        },
        &stop,
    )?;
    drop(server);
    eprintln!(
        "drape: program wrote {} frames in {:.1} s ({} dressed, {} dropped, {} repeated)",
        summary.frames_out,
        summary.elapsed.as_secs_f64(),
        summary.frames_dressed,
        summary.frames_dropped,
        summary.repeated
    );
    Ok(())
}
