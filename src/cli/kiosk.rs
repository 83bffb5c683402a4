//! `drape kiosk`'s flags: `--config kiosk.toml` and one flag per option of
//! the file, each overriding its key; and `drape kiosk stats`'s. Flag values
//! are checked as clap parses them, with the library's checks, so a bad one
//! is refused naming the flag before anything starts.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use drape::kiosk::config::{
    self, KioskConfig, KioskConfigError, LandmarkModel, MonitorChoice, Rotation,
    EXPIRE_MINUTES_RANGE, IDLE_SECONDS_RANGE,
};

/// `drape kiosk [FLAGS]` runs the kiosk; `drape kiosk stats` sums up its
/// events.
#[derive(Args, Clone, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct KioskCommand {
    #[command(subcommand)]
    pub(crate) action: Option<KioskAction>,
    #[command(flatten)]
    pub(crate) run: KioskArgs,
}

#[derive(Subcommand, Clone, Debug)]
pub(crate) enum KioskAction {
    /// Sum up a kiosk's events: visits, garments worn, photos, scans.
    Stats(KioskStatsArgs),
}

/// The kiosk: a configuration file, and flags over it.
#[derive(Args, Clone, Debug, Default)]
pub(crate) struct KioskArgs {
    /// The kiosk's configuration file (kiosk.toml); the flags below
    /// override its keys. Without it, the defaults.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Garment catalog (`catalog`; default assets/garments/catalog.toml).
    #[arg(long, value_name = "TOML", value_parser = existing(&["toml"]))]
    pub(crate) catalog: Option<PathBuf>,
    /// Picture source (`input`): camera, camera:N, or a .y4m video, an
    /// image or a folder of frames, as `drape run --input` (default: camera).
    #[arg(long, value_name = "SOURCE", value_parser = parse_input)]
    pub(crate) input: Option<String>,
    /// Start a file input over when it ends (`loop = true`).
    #[arg(long = "loop")]
    pub(crate) loop_input: bool,
    /// Do not flip the picture left-right (`mirror = false`).
    #[arg(long)]
    pub(crate) no_mirror: bool,
    /// Nobody there this long: attract mode (`idle_seconds`, 1..3600, default 8).
    #[arg(long, value_name = "SECONDS", value_parser = parse_idle_seconds)]
    pub(crate) idle_seconds: Option<f64>,
    /// No hover and swipe gestures (`gestures = false`).
    #[arg(long)]
    pub(crate) no_gestures: bool,
    /// Save the photos taken in this folder (`snapshot_dir`).
    #[arg(long, value_name = "DIR")]
    pub(crate) snapshot_dir: Option<PathBuf>,
    /// Write an event log, one JSON line each (`events`).
    #[arg(long, value_name = "FILE")]
    pub(crate) events: Option<PathBuf>,
    /// Write the events to a database (`events_db`).
    #[arg(long, value_name = "FILE")]
    pub(crate) events_db: Option<PathBuf>,
    /// Pose model (`model`; default lite).
    #[arg(long, value_enum)]
    pub(crate) model: Option<ModelArg>,
    /// The monitor: its number (0: the first) or part of its name
    /// (`[display] monitor`).
    #[arg(long, value_name = "INDEX|NAME", value_parser = parse_monitor)]
    pub(crate) monitor: Option<MonitorChoice>,
    /// How the monitor is mounted, degrees clockwise: 0, 90, 180 or 270
    /// (`[display] rotation`).
    #[arg(long, value_name = "DEGREES", value_parser = parse_rotation)]
    pub(crate) rotation: Option<Rotation>,
    /// The window's size when not full screen (`[display] size`).
    #[arg(long, value_name = "WxH", value_parser = config::parse_window_size)]
    pub(crate) size: Option<(u32, u32)>,
    /// A window instead of full screen (`[display] fullscreen = false`).
    #[arg(long)]
    pub(crate) windowed: bool,
    /// What shows while nobody is there: an image or a .y4m video
    /// (`[attract] background`; default: the camera picture dimmed).
    #[arg(long, value_name = "FILE", value_parser = existing(&["png", "jpg", "jpeg", "webp", "y4m"]))]
    pub(crate) attract_background: Option<PathBuf>,
    /// How long attract mode previews each garment (`[attract]
    /// cycle_seconds`, 1..3600, default 4).
    #[arg(long, value_name = "SECONDS", value_parser = parse_idle_seconds)]
    pub(crate) attract_cycle_seconds: Option<f64>,
    /// The address phones reach this kiosk at, e.g. http://192.168.1.20:8090;
    /// adds a QR code for the photo (`[share] url`).
    #[arg(long, value_name = "URL", value_parser = parse_share_url)]
    pub(crate) share_url: Option<String>,
    /// Where the share server listens (`[share] listen`; default 0.0.0.0:8090).
    #[arg(long, value_name = "IP:PORT", value_parser = config::parse_listen)]
    pub(crate) share_listen: Option<SocketAddr>,
    /// A shared photo is deleted after this long (`[share] expire_minutes`,
    /// 1..1440, default 15).
    #[arg(long, value_name = "MINUTES", value_parser = parse_expire_minutes)]
    pub(crate) share_expire_minutes: Option<f64>,
    /// Highlight colour (`[brand] accent`; default #e4002b).
    #[arg(long, value_name = "#RRGGBB", value_parser = config::parse_colour)]
    pub(crate) accent: Option<[u8; 3]>,
    /// Panel and attract screen colour (`[brand] background`; default #111114).
    #[arg(long, value_name = "#RRGGBB", value_parser = config::parse_colour)]
    pub(crate) brand_background: Option<[u8; 3]>,
    /// Text colour (`[brand] text`; default #ffffff).
    #[arg(long, value_name = "#RRGGBB", value_parser = config::parse_colour, alias = "text-color")]
    pub(crate) text_colour: Option<[u8; 3]>,
    /// The shop's logo, .png, .jpg or .webp (`[brand] logo`).
    #[arg(long, value_name = "FILE", value_parser = existing(&["png", "jpg", "jpeg", "webp"]))]
    pub(crate) logo: Option<PathBuf>,
}

/// `--model`: the landmark models a kiosk can run.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum ModelArg {
    /// The fastest.
    Lite,
    /// Steadier landmarks, about twice the work.
    Full,
}

/// `drape kiosk stats`: which record of a kiosk's events to read.
#[derive(Args, Clone, Debug)]
#[group(required = true, multiple = false)]
pub(crate) struct KioskStatsArgs {
    /// The kiosk's event log (JSON lines, as `events` writes it).
    #[arg(long, value_name = "FILE")]
    pub(crate) events: Option<PathBuf>,
    /// The kiosk's event database (as `events_db` writes it).
    #[arg(long, value_name = "FILE")]
    pub(crate) events_db: Option<PathBuf>,
}

impl KioskArgs {
    /// The kiosk's configuration: the `--config` file's (the defaults
    /// without one), with every flag given put over it.
    pub(crate) fn config(&self) -> Result<KioskConfig, KioskConfigError> {
        let mut config = match &self.config {
            Some(path) => KioskConfig::load(path)?,
            None => KioskConfig::default(),
        };
        self.apply(&mut config);
        Ok(config)
    }

    /// Puts the flags given over `config`. Switches only turn their
    /// setting away from the default (`--no-mirror`, `--windowed`).
    fn apply(&self, config: &mut KioskConfig) {
        let path = |flag: &Option<PathBuf>, slot: &mut Option<PathBuf>| {
            if let Some(path) = flag {
                *slot = Some(path.clone());
            }
        };
        if let Some(catalog) = &self.catalog {
            config.catalog = catalog.clone();
        }
        if let Some(input) = &self.input {
            config.input = input.clone();
        }
        config.loop_input |= self.loop_input;
        config.mirror &= !self.no_mirror;
        if let Some(seconds) = self.idle_seconds {
            config.idle_after = Duration::from_secs_f64(seconds);
        }
        config.gestures &= !self.no_gestures;
        path(&self.snapshot_dir, &mut config.snapshot_dir);
        path(&self.events, &mut config.events);
        path(&self.events_db, &mut config.events_db);
        if let Some(model) = self.model {
            config.model = match model {
                ModelArg::Lite => LandmarkModel::Lite,
                ModelArg::Full => LandmarkModel::Full,
            };
        }
        let display = &mut config.display;
        if let Some(monitor) = &self.monitor {
            display.monitor = monitor.clone();
        }
        display.rotation = self.rotation.unwrap_or(display.rotation);
        display.window_size = self.size.or(display.window_size);
        display.fullscreen &= !self.windowed;
        path(&self.attract_background, &mut config.attract.background);
        if let Some(seconds) = self.attract_cycle_seconds {
            config.attract.cycle = Duration::from_secs_f64(seconds);
        }
        let share = &mut config.share;
        share.url = self.share_url.clone().or(share.url.take());
        share.listen = self.share_listen.unwrap_or(share.listen);
        if let Some(minutes) = self.share_expire_minutes {
            share.expire_after = Duration::from_secs_f64(minutes * 60.0);
        }
        let brand = &mut config.brand;
        brand.accent = self.accent.unwrap_or(brand.accent);
        brand.background = self.brand_background.unwrap_or(brand.background);
        brand.text = self.text_colour.unwrap_or(brand.text);
        path(&self.logo, &mut brand.logo);
    }
}

fn parse_idle_seconds(text: &str) -> Result<f64, String> {
    config::parse_in_range(text, IDLE_SECONDS_RANGE, "seconds")
}

fn parse_expire_minutes(text: &str) -> Result<f64, String> {
    config::parse_in_range(text, EXPIRE_MINUTES_RANGE, "minutes")
}

fn parse_rotation(text: &str) -> Result<Rotation, String> {
    text.parse()
}

fn parse_monitor(text: &str) -> Result<MonitorChoice, String> {
    text.parse()
}

fn parse_share_url(text: &str) -> Result<String, String> {
    config::check_share_url(text).map(|()| text.to_string())
}

/// `camera`, `camera:N`, a pattern, or a file or folder that exists.
fn parse_input(text: &str) -> Result<String, String> {
    if let Some(index) = text.strip_prefix("camera:") {
        return match index.parse::<u32>() {
            Ok(_) => Ok(text.to_string()),
            Err(_) => Err(format!(
                "camera number `{index}` is not a number; write camera:0 for the first camera"
            )),
        };
    }
    let special = ["camera", "synthetic", "-"].contains(&text);
    if special || text.contains(['*', '?', '[']) || Path::new(text).exists() {
        return Ok(text.to_string());
    }
    Err(format!(
        "`{text}` is not a camera (camera, camera:1) and no such file or folder exists"
    ))
}

/// A parser for a file that exists and has one of `extensions`.
fn existing(
    extensions: &'static [&'static str],
) -> impl Fn(&str) -> Result<PathBuf, String> + Clone {
    move |text: &str| {
        let path = PathBuf::from(text);
        let extension = path
            .extension()
            .map(|ext| ext.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if !extensions.contains(&extension.as_str()) {
            let mut wanted: Vec<String> = extensions.iter().map(|ext| format!(".{ext}")).collect();
            let last = wanted.pop().unwrap_or_default();
            let wanted = match wanted.is_empty() {
                true => last,
                false => format!("{} or {last}", wanted.join(", ")),
            };
            return Err(format!("must be a {wanted} file"));
        }
        match path.is_file() {
            true => Ok(path),
            false => Err(format!("no such file: {text}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(clap::Subcommand)]
    enum Command {
        Kiosk(KioskCommand),
    }

    fn parse(args: &[&str]) -> Result<KioskCommand, clap::Error> {
        let args = ["drape", "kiosk"].iter().chain(args);
        Cli::try_parse_from(args).map(|cli| match cli.command {
            Command::Kiosk(kiosk) => kiosk,
        })
    }

    fn config(args: &[&str]) -> KioskConfig {
        let kiosk = parse(args).unwrap_or_else(|e| panic!("{e}"));
        kiosk.run.config().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_flags_are_a_valid_clap_command() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn no_flags_no_file_is_the_defaults() {
        assert_eq!(config(&[]), KioskConfig::default());
    }

    #[test]
    fn flags_override_the_file_and_the_file_fills_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path();
        for file in ["a.toml", "b.toml", "logo.png", "logo2.webp", "idle.y4m"] {
            std::fs::write(folder.join(file), "placeholder").unwrap();
        }
        let kiosk_toml = folder.join("kiosk.toml");
        let text = "catalog = \"a.toml\"\nidle_seconds = 20\nevents = \"ev.jsonl\"\n\
                    [display]\nrotation = 90\nmonitor = 1\n[brand]\naccent = \"#000001\"\n\
                    logo = \"logo.png\"\n[strings]\nswipe = \"Wischen\"\n";
        std::fs::write(&kiosk_toml, text).unwrap();
        let from_file = config(&["--config", kiosk_toml.to_str().unwrap()]);
        assert_eq!(from_file.catalog, folder.join("a.toml"));
        assert_eq!(from_file.display.rotation, Rotation::Deg90);
        assert_eq!(from_file.brand.logo, Some(folder.join("logo.png")));

        let b_toml = folder.join("b.toml");
        let logo2 = folder.join("logo2.webp");
        let idle = folder.join("idle.y4m");
        let flags = [
            "--config",
            kiosk_toml.to_str().unwrap(),
            "--catalog",
            b_toml.to_str().unwrap(),
            "--input",
            "camera:2",
            "--loop",
            "--no-mirror",
            "--no-gestures",
            "--windowed",
            "--idle-seconds",
            "5",
            "--snapshot-dir",
            "shots",
            "--events-db",
            "k.db",
            "--model",
            "full",
            "--monitor",
            "HDMI",
            "--rotation",
            "270",
            "--size",
            "800x600",
            "--attract-background",
            idle.to_str().unwrap(),
            "--share-url",
            "https://kiosk.example",
            "--share-listen",
            "127.0.0.1:9000",
            "--share-expire-minutes",
            "2.5",
            "--accent",
            "#ff0000",
            "--brand-background",
            "#00ff00",
            "--text-colour",
            "#0000ff",
            "--logo",
            logo2.to_str().unwrap(),
        ];
        let mut expected = from_file.clone();
        expected.catalog = b_toml.clone();
        expected.input = "camera:2".into();
        (expected.loop_input, expected.mirror, expected.gestures) = (true, false, false);
        expected.idle_after = Duration::from_secs(5);
        expected.snapshot_dir = Some("shots".into());
        expected.events_db = Some("k.db".into());
        expected.model = LandmarkModel::Full;
        expected.display = config::DisplaySettings {
            monitor: MonitorChoice::Name("HDMI".into()),
            rotation: Rotation::Deg270,
            window_size: Some((800, 600)),
            fullscreen: false,
        };
        expected.attract.background = Some(idle.clone());
        expected.share = config::ShareSettings {
            url: Some("https://kiosk.example".into()),
            listen: "127.0.0.1:9000".parse().unwrap(),
            expire_after: Duration::from_secs(150),
        };
        expected.brand = config::BrandSettings {
            accent: [255, 0, 0],
            background: [0, 255, 0],
            text: [0, 0, 255],
            logo: Some(logo2.clone()),
        };
        assert_eq!(config(&flags), expected);
        // What no flag set stays as the file has it.
        assert_eq!(expected.events, Some(folder.join("ev.jsonl")));
        assert_eq!(expected.strings.swipe, "Wischen");
    }

    #[test]
    fn bad_flag_values_are_refused_naming_the_flag() {
        for (args, expected) in [
            (
                &["--rotation", "45"][..],
                "invalid value '45' for '--rotation <DEGREES>': must be 0, 90",
            ),
            (
                &["--accent", "red"],
                "for '--accent <#RRGGBB>': must be a colour written #rrggbb",
            ),
            (
                &["--idle-seconds", "0"],
                "for '--idle-seconds <SECONDS>': must be from 1 to 3600 seconds",
            ),
            (
                &["--share-url", "kiosk.local"],
                "for '--share-url <URL>': must start with http://",
            ),
            (
                &["--share-listen", "localhost"],
                "for '--share-listen <IP:PORT>': must be an IP address",
            ),
            (
                &["--size", "big"],
                "for '--size <WxH>': must be WIDTHxHEIGHT",
            ),
            (
                &["--monitor", ""],
                "for '--monitor <INDEX|NAME>': must be a monitor's number",
            ),
            (
                &["--model", "heavy"],
                "invalid value 'heavy' for '--model <MODEL>'",
            ),
            (
                &["--logo", "logo.gif"],
                "for '--logo <FILE>': must be a .png, .jpg, .jpeg or .webp file",
            ),
            (
                &["--catalog", "/nonexistent/shop.toml"],
                "for '--catalog <TOML>': no such file",
            ),
            (
                &["--input", "camera:one"],
                "for '--input <SOURCE>': camera number `one` is not a number",
            ),
            (
                &["--input", "/nonexistent.y4m"],
                "no such file or folder exists",
            ),
        ] {
            let error = parse(args).expect_err(expected).to_string();
            assert!(error.contains(expected), "{args:?}: {error}");
        }
    }

    #[test]
    fn a_bad_config_file_is_an_error() {
        let missing = parse(&["--config", "/nonexistent/kiosk.toml"]).unwrap();
        let error = missing.run.config().unwrap_err();
        assert!(matches!(error, KioskConfigError::Read { .. }), "{error}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(&path, "idel_seconds = 8\n").unwrap();
        let kiosk = parse(&["--config", path.to_str().unwrap(), "--idle-seconds", "9"]).unwrap();
        let shown = kiosk.run.config().unwrap_err().to_string();
        let expected = format!("{}:1:1: unknown key `idel_seconds`", path.display());
        assert!(shown.starts_with(&expected), "{shown}");
    }

    #[test]
    fn stats_reads_one_record() {
        let stats = |args: &[&str]| match parse(args).map(|kiosk| kiosk.action) {
            Ok(Some(KioskAction::Stats(stats))) => Ok((stats.events, stats.events_db)),
            Ok(None) => panic!("no stats for {args:?}"),
            Err(error) => Err(error.kind()),
        };
        assert_eq!(
            stats(&["stats", "--events", "e.jsonl"]),
            Ok((Some("e.jsonl".into()), None))
        );
        assert_eq!(
            stats(&["stats", "--events-db", "k.db"]),
            Ok((None, Some("k.db".into())))
        );
        let neither = stats(&["stats"]);
        assert_eq!(
            neither,
            Err(clap::error::ErrorKind::MissingRequiredArgument)
        );
        let both = stats(&["stats", "--events", "e", "--events-db", "k"]);
        assert_eq!(both, Err(clap::error::ErrorKind::ArgumentConflict));
        // The kiosk's own flags do not mix with `stats`.
        assert!(parse(&["--windowed", "stats", "--events", "e"]).is_err());
        assert!(parse(&["--windowed"]).unwrap().action.is_none());
    }
}
