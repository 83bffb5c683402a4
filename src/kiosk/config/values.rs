//! The kiosk configuration's value types and the checks on single values,
//! shared by `kiosk.toml` and `drape kiosk`'s flags. Each error says what
//! is wrong and what to write instead, phrased to follow the option's name
//! ("`accent` must be …", "invalid value for --accent: must be …").

use std::fmt;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::str::FromStr;

use crate::nn::models::PoseModel;

/// `idle_seconds`: from 1 s to an hour.
pub const IDLE_SECONDS_RANGE: RangeInclusive<f64> = 1.0..=3600.0;
/// `[share] expire_minutes`: from 1 minute to a day.
pub const EXPIRE_MINUTES_RANGE: RangeInclusive<f64> = 1.0..=1440.0;
/// The largest window side `[display] size` takes, pixels.
pub const MAX_WINDOW_SIDE: u32 = 16384;

pub use crate::kiosk::layout::Rotation;

impl FromStr for Rotation {
    type Err = String;

    /// `0`, `90`, `180` or `270`.
    fn from_str(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .ok()
            .and_then(Self::from_degrees)
            .ok_or_else(|| rotation_error(text))
    }
}

pub(super) fn rotation_error(found: impl fmt::Display) -> String {
    format!(
        "must be 0, 90, 180 or 270 (degrees clockwise, for a monitor mounted turned), not {found}"
    )
}

/// Which monitor the kiosk fills.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MonitorChoice {
    /// By position in the system's list, 0 first.
    Index(usize),
    /// The first monitor whose name contains this (any case).
    Name(String),
}

impl Default for MonitorChoice {
    fn default() -> Self {
        Self::Index(0)
    }
}

impl MonitorChoice {
    /// Whether a monitor at `index` in the system's list, called `name`,
    /// is this one.
    pub fn matches(&self, index: usize, name: &str) -> bool {
        match self {
            Self::Index(wanted) => *wanted == index,
            Self::Name(part) => name.to_lowercase().contains(&part.to_lowercase()),
        }
    }
}

impl FromStr for MonitorChoice {
    type Err = String;

    /// A number is an index, anything else part of a name.
    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(monitor_error());
        }
        Ok(match text.parse() {
            Ok(index) => Self::Index(index),
            Err(_) => Self::Name(text.to_string()),
        })
    }
}

pub(super) fn monitor_error() -> String {
    "must be a monitor's number (0 for the first) or part of its name, like \"DELL\"".into()
}

/// The landmark model the kiosk runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LandmarkModel {
    /// BlazePose lite: the fastest, enough for a person facing a mirror.
    #[default]
    Lite,
    /// BlazePose full: steadier landmarks, about twice the work.
    Full,
}

impl LandmarkModel {
    /// The configuration's spelling: `lite` or `full`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Lite => "lite",
            Self::Full => "full",
        }
    }

    /// The network it runs.
    pub fn pose_model(self) -> PoseModel {
        match self {
            Self::Lite => PoseModel::LandmarkLite,
            Self::Full => PoseModel::LandmarkFull,
        }
    }
}

impl FromStr for LandmarkModel {
    type Err = String;

    /// `lite` or `full`.
    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim() {
            "lite" => Ok(Self::Lite),
            "full" => Ok(Self::Full),
            other => Err(format!("must be \"lite\" or \"full\", not `{other}`")),
        }
    }
}

/// A colour written `#rrggbb` (sRGB hex, as a web page writes it).
pub fn parse_colour(text: &str) -> Result<[u8; 3], String> {
    let hex = text.trim().strip_prefix('#').unwrap_or("");
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "must be a colour written #rrggbb (sRGB hex, like \"#e4002b\"), not `{text}`"
        ));
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
    Ok([byte(0), byte(2), byte(4)])
}

/// An absolute http(s) URL with a host and no spaces: where shoppers'
/// phones reach the kiosk's share server.
pub fn check_share_url(url: &str) -> Result<(), String> {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = ["https://", "http://"]
        .iter()
        .find(|scheme| lower.starts_with(**scheme))
        .map(|scheme| &url[scheme.len()..])
    else {
        return Err(format!(
            "must start with http:// or https://, like \"http://192.168.1.20:8090\", not `{url}`"
        ));
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("`{url}` contains spaces; write them as %20"));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_char = |c: char| c.is_ascii_alphanumeric() || "-.:[]".contains(c);
    if host.is_empty() || !host.chars().all(host_char) {
        return Err(format!(
            "`{url}` has no valid host after the //; write the address phones reach the \
             kiosk at, like \"http://192.168.1.20:8090\""
        ));
    }
    Ok(())
}

/// An IP address and port to listen on, like `0.0.0.0:8090`.
pub fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "must be an IP address and port, like \"0.0.0.0:8090\" (every network) or \
             \"127.0.0.1:8090\" (this computer only), not `{text}`"
        )
    })
}

/// A window size `WxH` in pixels, each side 1..=[`MAX_WINDOW_SIDE`].
pub fn parse_window_size(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("must be WIDTHxHEIGHT in pixels, like \"1080x1920\", not `{text}`");
    let (width, height) = text.trim().split_once(['x', 'X']).ok_or_else(bad)?;
    let width: u32 = width.trim().parse().map_err(|_| bad())?;
    let height: u32 = height.trim().parse().map_err(|_| bad())?;
    if !(1..=MAX_WINDOW_SIDE).contains(&width) || !(1..=MAX_WINDOW_SIDE).contains(&height) {
        return Err(format!(
            "must be between 1x1 and {MAX_WINDOW_SIDE}x{MAX_WINDOW_SIDE} pixels, not `{text}`"
        ));
    }
    Ok((width, height))
}

/// A number within `range`, `unit` naming what it counts in the message.
pub fn check_range(value: f64, range: RangeInclusive<f64>, unit: &str) -> Result<f64, String> {
    if value.is_finite() && range.contains(&value) {
        return Ok(value);
    }
    Err(format!(
        "must be from {} to {} {unit}, not {value}",
        range.start(),
        range.end()
    ))
}

/// `text` as a number within `range` (for flags).
pub fn parse_in_range(text: &str, range: RangeInclusive<f64>, unit: &str) -> Result<f64, String> {
    let value: f64 = text.trim().parse().map_err(|_| {
        format!(
            "must be a number of {unit} from {} to {}, not `{text}`",
            range.start(),
            range.end()
        )
    })?;
    check_range(value, range, unit)
}

/// `try_size` must show the size: it holds `{size}` and no other
/// placeholder.
pub fn check_try_size(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            break;
        };
        let name = &after[..end];
        if name != "size" {
            return Err(format!(
                "has the placeholder `{{{name}}}`, but the only one is {{size}} (the size \
                 label); write e.g. \"Try {{size}}\""
            ));
        }
        rest = &after[end + 1..];
    }
    if !text.contains("{size}") {
        return Err(format!(
            "must show the size with {{size}}, like \"Try {{size}}\", not `{text}`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_for_flags_too() {
        assert_eq!("90".parse::<Rotation>(), Ok(Rotation::Deg90));
        assert!("45".parse::<Rotation>().unwrap_err().ends_with("not 45"));
        let degrees: Vec<u32> = Rotation::ALL.iter().map(|r| r.degrees()).collect();
        assert_eq!(degrees, [0, 90, 180, 270]);
        assert_eq!("2".parse::<MonitorChoice>(), Ok(MonitorChoice::Index(2)));
        let dell = "dell".parse::<MonitorChoice>().unwrap();
        assert_eq!(dell, MonitorChoice::Name("dell".into()));
        assert!(dell.matches(3, "DELL U2720Q") && !dell.matches(0, "LG"));
        assert!(
            MonitorChoice::Index(1).matches(1, "LG") && !MonitorChoice::Index(1).matches(0, "LG")
        );
        assert!(" ".parse::<MonitorChoice>().is_err());
        assert_eq!("full".parse::<LandmarkModel>(), Ok(LandmarkModel::Full));
        assert_eq!(parse_colour("#E4002b"), Ok([0xe4, 0x00, 0x2b]));
        for bad in ["e4002b", "#e4002", "#e4002g", "red"] {
            assert!(parse_colour(bad).is_err(), "{bad}");
        }
        assert!(check_share_url("https://kiosk.example/p").is_ok());
        assert!(check_share_url("http://").is_err());
        assert!(check_share_url("http://kiosk/a b").is_err());
        assert_eq!(parse_window_size("1280x720"), Ok((1280, 720)));
        assert!(parse_window_size("0x720").is_err() && parse_window_size("20000x1").is_err());
        assert_eq!(parse_in_range("8", IDLE_SECONDS_RANGE, "seconds"), Ok(8.0));
        assert_eq!(
            parse_in_range("eight", IDLE_SECONDS_RANGE, "seconds"),
            Err("must be a number of seconds from 1 to 3600, not `eight`".into())
        );
        assert!(parse_in_range("inf", EXPIRE_MINUTES_RANGE, "minutes").is_err());
    }
}
