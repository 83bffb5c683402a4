//! The `drape` command line. Every command is a thin layer over the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use drape::app::{self, Progress, RenderOptions, StopFlag, WindowOptions};
use drape::capture::{self, FrameSource, InputOptions, PixelFormat, SourceSpec};
use drape::nn::models::PoseModel;
use drape::output::{self, OutputFormat, SinkOptions, SinkSpec};
use drape::render::OverlayCorner;
use drape::{GpuContext, Mirror, MirrorConfig};

#[path = "cli/bench.rs"]
mod bench_command;
#[path = "cli/display.rs"]
mod display;
#[path = "cli/input.rs"]
mod input;
#[path = "cli/kiosk.rs"]
mod kiosk_command;
#[path = "cli/kiosk_run.rs"]
mod kiosk_run;
#[path = "cli/media.rs"]
mod media;
#[path = "cli/outfit.rs"]
mod outfit;
#[path = "cli/pose.rs"]
mod pose_command;
#[path = "cli/serve.rs"]
mod serve_command;
#[path = "cli/values.rs"]
mod values;

use display::{check_display, without_source_location};
use input::InputArgs;
use media::sample_clip;
use outfit::{outfit_replacements, replaced_warning, wear_outfit};
use values::{parse_output_format, parse_positive_minutes, parse_positive_seconds, parse_size};

/// The clip `drape` renders when run with no command.
const SAMPLE_CLIP: &str = "assets/samples/sample_reel.y4m";
/// The garments it wears.
const SAMPLE_CATALOG: &str = "assets/garments/catalog.toml";

#[derive(Parser)]
#[command(name = "drape", version, about = "A GPU virtual mirror", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// More log output (-v: info, -vv: debug). RUST_LOG also works.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// A folder holding the pose model files, searched first (DRAPE_MODELS
    /// does the same); then <exe dir>/models, <exe dir>/../share/drape/models
    /// and drape's source tree (assets/models).
    #[arg(long, global = true, value_name = "DIR")]
    models_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Show the live mirror in a window (webcam by default).
    Run(RunArgs),
    /// Process a source headless into files or a pipe.
    Render(RenderArgs),
    /// List the GPU adapters wgpu can use.
    Devices,
    /// List the cameras.
    Cameras,
    /// Find the body in every frame: one JSON line a frame.
    Pose(PoseArgs),
    /// Measure speed.
    Bench(BenchArgs),
    /// The mirror kiosk: full screen, touchless (`drape kiosk stats`: its
    /// visits, tries and photos).
    Kiosk(kiosk_command::KioskCommand),
    /// The livestream studio: the program feed dressed in what is on air,
    /// and the producer's API.
    Serve(serve_command::ServeArgs),
}

#[derive(Args)]
struct PoseArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Where the JSON lines go (`-`: stdout).
    #[arg(short, long, default_value = "poses.jsonl")]
    output: String,
    /// Landmark model (heavy: fetch it with scripts/fetch-models.sh).
    #[arg(long, value_enum, default_value = "lite")]
    model: LandmarkArg,
    /// Treat every frame as an unrelated photo (detector every frame, no
    /// tracking, no smoothing).
    #[arg(long = "static")]
    static_mode: bool,
    /// No temporal smoothing of the landmarks.
    #[arg(long)]
    no_smooth: bool,
    /// How landmarks are smoothed: mediapipe (its One-Euro filter, bit for
    /// bit) or steady (the body's common motion opens the filter: less
    /// jitter on a still person, same lag when the body moves).
    #[arg(long, value_enum, default_value = "mediapipe")]
    smoothing: SmoothingArg,
    /// Network executor: auto (CPU on a software GPU), cpu or gpu.
    #[arg(long, default_value = "auto")]
    nn: drape::nn::Backend,
    /// Stop after N frames.
    #[arg(long)]
    frames: Option<u64>,
    /// Also write every frame with the person mask, skeleton and landmarks
    /// drawn, as DIR/frame_000000.png, ... (the folder is created).
    #[arg(long, value_name = "DIR")]
    draw: Option<PathBuf>,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args)]
struct BenchArgs {
    #[command(subcommand)]
    target: BenchTarget,
}

#[derive(Subcommand)]
enum BenchTarget {
    /// The networks on each executor, next to TFLite (XNNPACK).
    Nn {
        /// Timed runs per batch (after warm-up).
        #[arg(long, default_value_t = 10)]
        runs: usize,
        /// Batches per configuration, drape's alternating with TFLite's
        /// (so that both see the same load of a shared machine).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
        rounds: u64,
        /// Leave out the GPU executor.
        #[arg(long)]
        no_gpu: bool,
        /// Leave out TFLite (needs python3 with ai-edge-litert).
        #[arg(long)]
        no_tflite: bool,
        /// Models to time (default: detector, lite, full, and heavy when
        /// fetched by scripts/fetch-models.sh).
        #[arg(long, value_enum, value_delimiter = ',')]
        models: Vec<NetworkArg>,
    },
    /// The whole try-on per stage (upload, pose, fit, render, GPU) on the
    /// bundled clip at 640x480 and 1280x720, next to MediaPipe's pose-only
    /// time (timed in the same run when it is installed).
    Frame {
        /// Passes over the clip.
        #[arg(long, default_value_t = 2)]
        passes: usize,
        /// Frame sizes, e.g. 640x480,1280x720.
        #[arg(long, value_parser = parse_size, value_delimiter = ',', default_value = "640x480,1280x720")]
        sizes: Vec<(u32, u32)>,
        /// Do not run MediaPipe (use its reference figure).
        #[arg(long)]
        no_mediapipe: bool,
        /// Also time these qualities, in turns with --quality's, e.g.
        /// `--also-quality full` beside auto's economy on a software GPU.
        #[arg(long, value_enum, value_delimiter = ',')]
        also_quality: Vec<QualityArg>,
        #[command(flatten)]
        tryon: TryOnArgs,
    },
    /// The whole try-on on the bundled clip, looped, for a long time:
    /// resident memory, GPU memory and frame time at every interval (a
    /// kiosk's day in advance: they must stay flat).
    Soak {
        /// How long to run.
        #[arg(long, default_value_t = 60.0, value_parser = parse_positive_minutes)]
        minutes: f64,
        /// Seconds between reports.
        #[arg(long, default_value_t = 60.0, value_parser = parse_positive_seconds)]
        every: f64,
        /// Frame size, WxH.
        #[arg(long, value_parser = parse_size, default_value = "640x480")]
        size: (u32, u32),
        #[command(flatten)]
        tryon: TryOnArgs,
    },
    /// The pose pipeline per stage on the reference panning clip
    /// (tracking mode, segmentation on), next to MediaPipe timed in the
    /// same run (scripts/bench_mediapipe.py; DRAPE_MEDIAPIPE_PYTHON picks
    /// the Python that has mediapipe), or its reference figure without it.
    Pose {
        /// Passes over the 60-frame clip per batch.
        #[arg(long, default_value_t = 1)]
        passes: usize,
        /// Batches, drape's alternating with MediaPipe's (so that both
        /// see the same load of a shared machine).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
        rounds: u64,
        /// Landmark model.
        #[arg(long, value_enum, default_value = "lite")]
        model: LandmarkArg,
        /// Do not run MediaPipe (use its reference figure).
        #[arg(long)]
        no_mediapipe: bool,
        /// Network executor: auto, cpu or gpu.
        #[arg(long, default_value = "auto")]
        nn: drape::nn::Backend,
        /// CPU executor threads (MediaPipe's figure is for one).
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
    /// Landmark jitter on a still person and lag behind a moving one, on
    /// clips made from a reference photo with seeded camera noise, for
    /// drape and MediaPipe in the same run (scripts/jitter_mediapipe.py;
    /// DRAPE_MEDIAPIPE_PYTHON picks the Python that has mediapipe).
    Jitter {
        /// Frames in each of the two clips (at least 16).
        #[arg(long, default_value_t = 90)]
        frames: usize,
        /// Camera noise, standard deviation in 8-bit levels.
        #[arg(long, default_value_t = 3.0)]
        noise: f64,
        /// Brightness flicker, standard deviation in percent.
        #[arg(long, default_value_t = 0.5)]
        flicker: f64,
        /// Seeds the noise.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Landmark models.
        #[arg(long, value_enum, value_delimiter = ',', default_value = "lite,full")]
        models: Vec<LandmarkArg>,
        /// Do not run MediaPipe.
        #[arg(long)]
        no_mediapipe: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The try-on: which garments, on which body model.
#[derive(Args, Clone)]
struct TryOnArgs {
    /// Garment catalog (TOML manifest); default: the bundled samples
    /// (assets/garments/catalog.toml). Edits are picked up while running.
    #[arg(long, value_name = "TOML")]
    catalog: Option<PathBuf>,
    /// Garment to wear, by catalog id; repeat it to add accessories
    /// (default: the catalog's default garment).
    #[arg(long = "wear", value_name = "ID")]
    wear: Vec<String>,
    /// A plain mirror: no body tracking, no garments.
    #[arg(long)]
    no_tryon: bool,
    /// No product card (name, price, QR code to buy) on the frame.
    #[arg(long)]
    no_overlay: bool,
    /// Where the product card sits.
    #[arg(long, value_enum, default_value = "bottom-left")]
    card_corner: CornerArg,
    /// Landmark model for the try-on (heavy: fetch it with
    /// scripts/fetch-models.sh).
    #[arg(long = "pose-model", value_enum, default_value = "lite")]
    pose_model: LandmarkArg,
    /// How landmarks are smoothed: mediapipe (its One-Euro filter, bit for
    /// bit) or steady (the body's common motion opens the filter: less
    /// jitter on a still person, same lag when the body moves).
    #[arg(long, value_enum, default_value = "mediapipe")]
    smoothing: SmoothingArg,
    /// Network executor: auto (CPU on a software GPU), cpu or gpu.
    #[arg(long, default_value = "auto")]
    nn: drape::nn::Backend,
    /// Garments that hang as cloth: auto (as the catalog says; on a
    /// software GPU only those with `software = true`), on (all with a
    /// [garment.cloth] table) or off (all skinned alone).
    #[arg(long, value_enum, default_value = "auto")]
    cloth: ClothArg,
    /// Drawing quality: auto (economy for video on a software GPU, full
    /// otherwise), full, or economy (garments shaded at half resolution,
    /// the room's light estimated every few frames).
    #[arg(long, value_enum, default_value = "auto")]
    quality: QualityArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum ClothArg {
    Auto,
    On,
    Off,
}

#[derive(Clone, Copy, ValueEnum)]
enum QualityArg {
    Auto,
    Full,
    Economy,
}

impl TryOnArgs {
    /// The try-on to run, or `None` for a plain mirror. `static_mode` for
    /// a single photo (no tracking, no smoothing).
    fn config(&self, static_mode: bool) -> Option<drape::tryon::TryOnConfig> {
        if self.no_tryon {
            return None;
        }
        let catalog = self.catalog.clone().unwrap_or_else(|| {
            [
                PathBuf::from(SAMPLE_CATALOG),
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SAMPLE_CATALOG),
            ]
            .into_iter()
            .find(|p| p.exists())
            .unwrap_or_else(|| PathBuf::from(SAMPLE_CATALOG))
        });
        Some(drape::tryon::TryOnConfig {
            catalog,
            // The command line reads the catalog and the models from disk.
            assets: None,
            models: None,
            wear: self.wear.clone(),
            pose: drape::pose::PoseConfig {
                model: PoseModel::from(self.pose_model),
                static_mode,
                smoothing: self.smoothing.into(),
                gpu_mask: true,
                backend: self.nn,
                threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
                ..Default::default()
            },
            overlay: !self.no_overlay,
            card_corner: match self.card_corner {
                CornerArg::BottomLeft => OverlayCorner::BottomLeft,
                CornerArg::BottomRight => OverlayCorner::BottomRight,
                CornerArg::TopLeft => OverlayCorner::TopLeft,
                CornerArg::TopRight => OverlayCorner::TopRight,
            },
            cloth: match self.cloth {
                ClothArg::Auto => drape::tryon::ClothMode::Auto,
                ClothArg::On => drape::tryon::ClothMode::On,
                ClothArg::Off => drape::tryon::ClothMode::Off,
            },
            quality: self.quality.into(),
        })
    }
}

impl From<QualityArg> for drape::tryon::QualityMode {
    fn from(quality: QualityArg) -> Self {
        match quality {
            QualityArg::Auto => drape::tryon::QualityMode::Auto,
            QualityArg::Full => drape::tryon::QualityMode::Full,
            QualityArg::Economy => drape::tryon::QualityMode::Economy,
        }
    }
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    tryon: TryOnArgs,
    /// Borderless full screen (a kiosk).
    #[arg(long)]
    fullscreen: bool,
    /// Present as fast as possible instead of at the display's refresh.
    #[arg(long)]
    no_vsync: bool,
    /// Close the window when a file source ends.
    #[arg(long)]
    exit_at_end: bool,
    /// The S key saves the picture shown as a PNG in this folder.
    #[arg(long, value_name = "FOLDER")]
    snapshot_dir: Option<PathBuf>,
}

#[derive(Args)]
struct RenderArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    tryon: TryOnArgs,
    /// Also write an animated preview (GIF) of the output, small enough
    /// to open anywhere.
    #[arg(long, value_name = "GIF")]
    preview: Option<PathBuf>,
    /// A folder (PNGs), a pattern (out/f_%04d.jpg), one .png/.jpg, a .y4m
    /// or .rgba file, or `-` (stdout).
    #[arg(short, long, default_value = "out")]
    output: String,
    /// png, jpg, y4m or rgba; by default from --output.
    #[arg(long, value_parser = parse_output_format)]
    output_format: Option<OutputFormat>,
    /// Stop after N frames.
    #[arg(long)]
    frames: Option<u64>,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

/// A landmark model: what the try-on and `drape pose` run after the
/// detector (the detector alone finds no landmarks, so it is no choice).
#[derive(Clone, Copy, ValueEnum)]
enum LandmarkArg {
    Lite,
    Full,
    Heavy,
}

impl From<LandmarkArg> for PoseModel {
    fn from(model: LandmarkArg) -> PoseModel {
        match model {
            LandmarkArg::Lite => PoseModel::LandmarkLite,
            LandmarkArg::Full => PoseModel::LandmarkFull,
            LandmarkArg::Heavy => PoseModel::LandmarkHeavy,
        }
    }
}

/// How landmarks are smoothed over time (`drape::pose::Smoothing`).
#[derive(Clone, Copy, ValueEnum)]
enum SmoothingArg {
    Mediapipe,
    Steady,
}

impl From<SmoothingArg> for drape::pose::Smoothing {
    fn from(smoothing: SmoothingArg) -> drape::pose::Smoothing {
        match smoothing {
            SmoothingArg::Mediapipe => drape::pose::Smoothing::MediaPipe,
            SmoothingArg::Steady => drape::pose::Smoothing::Steady,
        }
    }
}

/// Any network drape runs, the detector included (`bench nn`).
#[derive(Clone, Copy, ValueEnum)]
enum NetworkArg {
    Detector,
    Lite,
    Full,
    Heavy,
}

impl From<NetworkArg> for PoseModel {
    fn from(model: NetworkArg) -> PoseModel {
        match model {
            NetworkArg::Detector => PoseModel::Detector,
            NetworkArg::Lite => PoseModel::LandmarkLite,
            NetworkArg::Full => PoseModel::LandmarkFull,
            NetworkArg::Heavy => PoseModel::LandmarkHeavy,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum CornerArg {
    BottomLeft,
    BottomRight,
    TopLeft,
    TopRight,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    drape::nn::models::set_models_dir(cli.models_dir.clone());
    ensure_runtime_dir();
    // The kiosk says what it does (a shopper came, a photo) for its staff.
    let kiosk = matches!(cli.command, Some(Command::Kiosk(_)));
    init_logging(cli.verbose, kiosk);
    let result = match cli.command {
        Some(Command::Run(args)) => media::run(args),
        Some(Command::Render(args)) => media::render(args),
        Some(Command::Devices) => media::devices(),
        Some(Command::Cameras) => media::cameras(),
        Some(Command::Pose(args)) => pose_command::pose(args),
        Some(Command::Bench(args)) => bench_command::bench(args),
        Some(Command::Kiosk(command)) => kiosk_run::kiosk(command),
        Some(Command::Serve(args)) => serve_command::serve(args),
        None => media::sample(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut lines = error_report(&e).into_iter();
            if let Some(first) = lines.next() {
                eprintln!("drape: error: {first}");
            }
            for cause in lines {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

/// The error, then each cause that adds something. drape's errors put
/// their cause's text in their own message (`cannot read x.png: No such
/// file or directory`) and also return it as `source()`, for callers that
/// walk the chain: a cause whose text has been said already is left out,
/// so nothing is printed twice.
fn error_report(error: &dyn std::error::Error) -> Vec<String> {
    let mut lines = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !lines.iter().any(|line| line.contains(&text)) {
            lines.push(text);
        }
        source = cause.source();
    }
    lines
}

/// The kiosk's default log: what it does (a shopper came, a photo, a GPU
/// rebuilt) for its staff, and warnings.
const KIOSK_LOG: &str =
    "warn,drape::app::kiosk=info,drape::app::window_gpu=info,wgpu_hal::gles=off,winit=error";

fn init_logging(verbose: u8, kiosk: bool) {
    let default = match verbose {
        0 if kiosk => KIOSK_LOG,
        // wgpu probes every backend; a missing EGL driver is not news.
        0 => "warn,wgpu_hal::gles=off,winit=error",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Logs go to stderr: stdout may carry video.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// Mesa's Vulkan drivers print "XDG_RUNTIME_DIR is invalid or not set" on
/// every start when it is unset (servers, containers, CI). Give them a
/// private folder, as a login session would. Runs before any thread starts.
fn ensure_runtime_dir() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt};
        let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
            return;
        };
        let dir = std::env::temp_dir().join(format!("drape-runtime-{uid}"));
        let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
        // Only a folder of our own, closed to others, will do.
        let private = std::fs::metadata(&dir)
            .is_ok_and(|m| m.is_dir() && m.uid() == uid && m.mode() & 0o077 == 0);
        if private {
            std::env::set_var("XDG_RUNTIME_DIR", &dir);
        }
    }
}
