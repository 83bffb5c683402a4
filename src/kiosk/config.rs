//! The kiosk's configuration: `kiosk.toml`, read by `drape kiosk --config
//! kiosk.toml`. Every option is also a flag of `drape kiosk`, and a flag
//! overrides the file.
//!
//! # The file (reference for kiosk staff)
//!
//! Every key is optional; the values shown are the defaults, and keys
//! marked "optional" are off when left out. Paths written in the file are
//! relative to the file's folder (defaults and flags: to the folder
//! `drape` runs in).
//!
//! ```toml
//! catalog = "assets/garments/catalog.toml"   # the garment catalog
//! input = "camera"          # "camera" (the first), "camera:1", or a file: .y4m video,
//!                           # an image, a folder of frames (as `drape run --input`)
//! loop = false              # start a file input over when it ends
//! mirror = true             # flip the picture left-right, as a mirror does
//! idle_seconds = 8          # nobody there this long → attract mode (1..3600)
//! gestures = true           # hover and swipe with the hands
//! snapshot_dir = "snapshots"         # optional: save the photos taken there
//! events = "kiosk-events.jsonl"      # optional: an event log, one JSON line each
//! events_db = "kiosk.db"             # optional: the same events in a database
//! model = "lite"            # the pose model: lite, or full (steadier, slower)
//!
//! [display]
//! monitor = 0               # the monitor's number (0: the first) or part of its name
//! rotation = 0              # 0, 90, 180 or 270: degrees clockwise, for a monitor
//!                           # mounted turned (a portrait screen on its side)
//! size = "1080x1920"        # optional: the window's size when not full screen
//! fullscreen = true
//!
//! [attract]                 # what shows while nobody is there
//! background = "attract.png"   # optional: an image (.png, .jpg, .webp) or a .y4m
//!                              # video; default: the camera picture dimmed
//!
//! [share]                   # the photo on the shopper's phone
//! url = "http://192.168.1.20:8090"   # optional: the address phones reach this kiosk at;
//!                                    # when set, a second QR code opens the photo
//! listen = "0.0.0.0:8090"   # where the share server listens (IP address and port)
//! expire_minutes = 15       # a photo is deleted this long after it was taken (1..1440)
//!
//! [brand]                   # colours are #rrggbb
//! accent = "#e4002b"
//! background = "#111114"
//! text = "#ffffff"
//! logo = "logo.png"         # optional: .png, .jpg or .webp
//!
//! [strings]                 # every text on screen, e.g. in another language
//! step_in = "Step in to try"
//! hover_to_wear = "Hold your hand over a garment to wear it"
//! swipe = "Swipe to browse"
//! raise_hands = "Raise both hands for a photo"
//! scan_to_buy = "Scan to buy"
//! scan_for_photo = "Scan to get your photo"
//! try_size = "Try {size}"   # {size} becomes the suggested size, e.g. "Try M"
//! waiting_for_camera = "Waiting for the camera"
//! camera_disconnected = "Camera disconnected"
//! size_or = "or"             # between two sizes: "Try M or L"
//! ```
//!
//! Misspelt and misplaced keys are errors, so a typo never silently drops
//! a setting. The catalog, logo and attract background files and a file
//! input must exist. When something is wrong, every problem is listed at
//! once, one per line, as `path:line:column: message`, and each message
//! says what to write instead.

mod read;
mod reader;
mod values;

pub use values::{
    check_range, check_share_url, check_try_size, parse_colour, parse_in_range, parse_listen,
    parse_window_size, LandmarkModel, MonitorChoice, Rotation, EXPIRE_MINUTES_RANGE,
    IDLE_SECONDS_RANGE, MAX_WINDOW_SIDE,
};

use crate::garment::catalog::{PlacedProblem, ProblemList};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The catalog a kiosk shows when its configuration names none.
pub const DEFAULT_CATALOG: &str = "assets/garments/catalog.toml";

/// Everything `kiosk.toml` sets, checked; `Default` is a kiosk with no file.
#[derive(Debug, Clone, PartialEq)]
pub struct KioskConfig {
    /// The garment catalog.
    pub catalog: PathBuf,
    /// The picture source as `drape run --input` takes it: `camera`,
    /// `camera:N`, or a file, folder or pattern (relative ones resolved
    /// against the configuration's folder).
    pub input: String,
    /// Start a file input over when it ends (`loop`).
    pub loop_input: bool,
    /// Flip the picture left-right, as a mirror does.
    pub mirror: bool,
    /// Nobody in front of the kiosk this long: attract mode (`idle_seconds`).
    pub idle_after: Duration,
    /// Hover and swipe gestures on.
    pub gestures: bool,
    /// Where photos are saved; `None`: not saved.
    pub snapshot_dir: Option<PathBuf>,
    /// The event log (JSON lines); `None`: none.
    pub events: Option<PathBuf>,
    /// The event database; `None`: none.
    pub events_db: Option<PathBuf>,
    /// The landmark model.
    pub model: LandmarkModel,
    /// `[display]`.
    pub display: DisplaySettings,
    /// `[attract]`.
    pub attract: AttractSettings,
    /// `[share]`.
    pub share: ShareSettings,
    /// `[brand]`.
    pub brand: BrandSettings,
    /// `[strings]`: every text on screen.
    pub strings: KioskStrings,
}

/// `[display]`: where and how the kiosk is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct DisplaySettings {
    /// The monitor to fill.
    pub monitor: MonitorChoice,
    /// How the monitor is mounted (the picture is turned to match).
    pub rotation: Rotation,
    /// The window's size in pixels (width, height) when not full screen;
    /// `None`: the windowing system's choice.
    pub window_size: Option<(u32, u32)>,
    /// Borderless full screen on the monitor.
    pub fullscreen: bool,
}

/// `[attract]`: what shows while nobody is there.
#[derive(Debug, Clone, PartialEq)]
pub struct AttractSettings {
    /// An image or .y4m video; `None`: the camera picture, dimmed.
    pub background: Option<PathBuf>,
    /// How long each garment of the catalog is previewed
    /// (`cycle_seconds`, 1..3600, default 4).
    pub cycle: Duration,
}

impl Default for AttractSettings {
    fn default() -> Self {
        Self {
            background: None,
            cycle: Duration::from_secs(4),
        }
    }
}

/// `[share]`: the photo share server.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareSettings {
    /// The http(s) address phones reach the kiosk at; `None`: no share QR
    /// code.
    pub url: Option<String>,
    /// Where the share server listens.
    pub listen: SocketAddr,
    /// How long a shared photo stays available (`expire_minutes`).
    pub expire_after: Duration,
}

/// `[brand]`: the shop's colours (sRGB) and logo.
#[derive(Debug, Clone, PartialEq)]
pub struct BrandSettings {
    /// Highlights: the hovered garment, progress rings.
    pub accent: [u8; 3],
    /// Panels and the attract screen.
    pub background: [u8; 3],
    /// Text on `background`.
    pub text: [u8; 3],
    /// An image shown in a corner; `None`: no logo.
    pub logo: Option<PathBuf>,
}

/// `[strings]`: every text the kiosk shows, so it can speak the shop's
/// language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskStrings {
    /// Attract mode's invitation.
    pub step_in: String,
    /// How to choose a garment.
    pub hover_to_wear: String,
    /// How to browse.
    pub swipe: String,
    /// How to take a photo.
    pub raise_hands: String,
    /// Under the buy QR code.
    pub scan_to_buy: String,
    /// Under the photo QR code.
    pub scan_for_photo: String,
    /// The size suggestion; `{size}` is replaced by the size (see
    /// [`KioskStrings::try_size_for`]).
    pub try_size: String,
    /// While the camera is starting.
    pub waiting_for_camera: String,
    /// When the camera is lost.
    pub camera_disconnected: String,
    /// Between two sizes: "M or L" (`{size}` of `try_size` is then the two
    /// sizes joined by this word).
    pub size_or: String,
}

impl KioskStrings {
    /// `try_size` with `{size}` replaced: "Try M".
    pub fn try_size_for(&self, size: &str) -> String {
        self.try_size.replace("{size}", size)
    }
}

impl Default for KioskStrings {
    fn default() -> Self {
        Self {
            step_in: "Step in to try".into(),
            hover_to_wear: "Hold your hand over a garment to wear it".into(),
            swipe: "Swipe to browse".into(),
            raise_hands: "Raise both hands for a photo".into(),
            scan_to_buy: "Scan to buy".into(),
            scan_for_photo: "Scan to get your photo".into(),
            try_size: "Try {size}".into(),
            waiting_for_camera: "Waiting for the camera".into(),
            camera_disconnected: "Camera disconnected".into(),
            size_or: "or".into(),
        }
    }
}

impl Default for DisplaySettings {
    fn default() -> Self {
        Self {
            monitor: MonitorChoice::Index(0),
            rotation: Rotation::Deg0,
            window_size: None,
            fullscreen: true,
        }
    }
}

impl Default for ShareSettings {
    fn default() -> Self {
        Self {
            url: None,
            listen: SocketAddr::from((Ipv4Addr::UNSPECIFIED, 8090)),
            expire_after: Duration::from_secs(15 * 60),
        }
    }
}

impl Default for BrandSettings {
    fn default() -> Self {
        Self {
            accent: [0xe4, 0x00, 0x2b],
            background: [0x11, 0x11, 0x14],
            text: [0xff, 0xff, 0xff],
            logo: None,
        }
    }
}

impl Default for KioskConfig {
    fn default() -> Self {
        Self {
            catalog: PathBuf::from(DEFAULT_CATALOG),
            input: "camera".into(),
            loop_input: false,
            mirror: true,
            idle_after: Duration::from_secs(8),
            gestures: true,
            snapshot_dir: None,
            events: None,
            events_db: None,
            model: LandmarkModel::Lite,
            display: DisplaySettings::default(),
            attract: AttractSettings::default(),
            share: ShareSettings::default(),
            brand: BrandSettings::default(),
            strings: KioskStrings::default(),
        }
    }
}

impl KioskConfig {
    /// Reads and checks the configuration at `path`.
    pub fn load(path: &Path) -> Result<KioskConfig, KioskConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| KioskConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Checks configuration `text` as if read from `path`: relative paths
    /// resolve against its folder (files named must exist there) and
    /// errors name it. The file itself need not exist.
    pub fn parse(text: &str, path: &Path) -> Result<KioskConfig, KioskConfigError> {
        read::read_config(text, path).map_err(|mut problems| {
            problems.sort_by_key(|problem| (problem.line, problem.column));
            KioskConfigError::Invalid {
                path: path.to_path_buf(),
                problems,
            }
        })
    }
}

/// Why a kiosk configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KioskConfigError {
    /// The file could not be read (missing, no permission).
    #[error("cannot read the kiosk configuration {}: {source}", path.display())]
    Read {
        /// The configuration file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is wrong; every problem found is listed.
    #[error("{}", ProblemList { path, problems })]
    Invalid {
        /// The configuration file.
        path: PathBuf,
        /// Sorted by position in the file.
        problems: Vec<ConfigProblem>,
    },
}

impl KioskConfigError {
    /// The problems of an `Invalid` error; empty for `Read`.
    pub fn problems(&self) -> &[ConfigProblem] {
        match self {
            Self::Invalid { problems, .. } => problems,
            Self::Read { .. } => &[],
        }
    }
}

/// One thing wrong in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl PlacedProblem for ConfigProblem {
    fn place(&self) -> (usize, usize, &str) {
        (self.line, self.column, &self.message)
    }
}

#[cfg(test)]
mod tests;
