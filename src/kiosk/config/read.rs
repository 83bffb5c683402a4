//! From `kiosk.toml` text to a [`KioskConfig`], collecting every problem on
//! the way. The TOML is parsed into spanned values (`toml::de::DeTable`)
//! and walked by hand, as the garment catalog is, rather than through
//! serde, which stops at the first problem.

use std::path::Path;
use std::time::Duration;

use toml::de::{DeTable, DeValue};

use super::reader::{Keys, Layout, Reader, Table};
use super::values::{
    check_range, check_share_url, check_try_size, monitor_error, parse_colour, parse_listen,
    parse_window_size, rotation_error, LandmarkModel, MonitorChoice, Rotation,
    EXPIRE_MINUTES_RANGE, IDLE_SECONDS_RANGE,
};
use super::{ConfigProblem, KioskConfig, KioskStrings};

const TOP: Keys = &[
    ("catalog", "catalog = \"assets/garments/catalog.toml\""),
    ("input", "input = \"camera\""),
    ("loop", "loop = false"),
    ("mirror", "mirror = true"),
    ("idle_seconds", "idle_seconds = 8"),
    ("gestures", "gestures = true"),
    ("snapshot_dir", "snapshot_dir = \"snapshots\""),
    ("events", "events = \"kiosk-events.jsonl\""),
    ("events_db", "events_db = \"kiosk.db\""),
    ("model", "model = \"lite\""),
    ("display", "[display]"),
    ("attract", "[attract]"),
    ("share", "[share]"),
    ("brand", "[brand]"),
    ("strings", "[strings]"),
];
const DISPLAY: Keys = &[
    ("monitor", "monitor = 0"),
    ("rotation", "rotation = 90"),
    ("size", "size = \"1080x1920\""),
    ("fullscreen", "fullscreen = true"),
];
const ATTRACT: Keys = &[
    ("background", "background = \"attract.png\""),
    ("cycle_seconds", "cycle_seconds = 4"),
];
const SHARE: Keys = &[
    ("url", "url = \"http://192.168.1.20:8090\""),
    ("listen", "listen = \"0.0.0.0:8090\""),
    ("expire_minutes", "expire_minutes = 15"),
];
const BRAND: Keys = &[
    ("accent", "accent = \"#e4002b\""),
    ("background", "background = \"#111114\""),
    ("text", "text = \"#ffffff\""),
    ("logo", "logo = \"logo.png\""),
];
const STRINGS: Keys = &[
    ("step_in", "step_in = \"Step in to try\""),
    (
        "hover_to_wear",
        "hover_to_wear = \"Hold your hand over a garment to wear it\"",
    ),
    ("swipe", "swipe = \"Swipe to browse\""),
    (
        "raise_hands",
        "raise_hands = \"Raise both hands for a photo\"",
    ),
    ("scan_to_buy", "scan_to_buy = \"Scan to buy\""),
    (
        "scan_for_photo",
        "scan_for_photo = \"Scan to get your photo\"",
    ),
    ("try_size", "try_size = \"Try {size}\""),
    (
        "waiting_for_camera",
        "waiting_for_camera = \"Waiting for the camera\"",
    ),
    (
        "camera_disconnected",
        "camera_disconnected = \"Camera disconnected\"",
    ),
    ("size_or", "size_or = \"or\""),
];
const LAYOUT: Layout = Layout {
    sections: &[
        ("", TOP),
        ("display", DISPLAY),
        ("attract", ATTRACT),
        ("share", SHARE),
        ("brand", BRAND),
        ("strings", STRINGS),
    ],
};

const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "webp"];
const BACKGROUND_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "webp", "y4m"];

pub(super) fn read_config(text: &str, path: &Path) -> Result<KioskConfig, Vec<ConfigProblem>> {
    let base_dir = path.parent().unwrap_or(Path::new(""));
    let mut r = Reader::new(text, base_dir);
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    // After a syntax error the recovered tree is partial; checking it would
    // add confusing follow-on problems, so report the syntax alone.
    if !syntax_errors.is_empty() {
        for error in &syntax_errors {
            let span = error.span().unwrap_or(0..0);
            let message = match error.message() {
                "duplicate key" => format!(
                    "duplicate key `{}`: a key may appear once per section",
                    r.source(&span)
                ),
                other => format!("TOML syntax error: {other}"),
            };
            r.add(&span, message);
        }
        return Err(r.problems);
    }
    let top = Table {
        section: "",
        keys: TOP,
        table: root.get_ref(),
    };
    r.reject_unknown(&top, &LAYOUT);
    let mut config = KioskConfig::default();
    read_top(&mut r, &top, &mut config);
    if let Some(display) = r.section(&top, "display", &LAYOUT) {
        read_display(&mut r, &display, &mut config);
    }
    if let Some(attract) = r.section(&top, "attract", &LAYOUT) {
        let background = r.path(&attract, "background", Some(BACKGROUND_EXTENSIONS));
        config.attract.background = background;
        let cycle_s = r.number(
            &attract,
            "cycle_seconds",
            "a number of seconds",
            |seconds| check_range(seconds, IDLE_SECONDS_RANGE, "seconds"),
        );
        if let Some(cycle_s) = cycle_s {
            config.attract.cycle = Duration::from_secs_f64(cycle_s);
        }
    }
    if let Some(share) = r.section(&top, "share", &LAYOUT) {
        read_share(&mut r, &share, &mut config);
    }
    if let Some(brand) = r.section(&top, "brand", &LAYOUT) {
        for (key, slot) in [
            ("accent", &mut config.brand.accent),
            ("background", &mut config.brand.background),
            ("text", &mut config.brand.text),
        ] {
            if let Some(colour) = r.parsed(&brand, key, parse_colour) {
                *slot = colour;
            }
        }
        config.brand.logo = r.path(&brand, "logo", Some(IMAGE_EXTENSIONS));
    }
    if let Some(strings) = r.section(&top, "strings", &LAYOUT) {
        read_strings(&mut r, &strings, &mut config.strings);
    }
    match r.problems.is_empty() {
        true => Ok(config),
        false => Err(r.problems),
    }
}

fn read_top(r: &mut Reader, top: &Table, config: &mut KioskConfig) {
    if let Some(catalog) = r.path(top, "catalog", Some(&["toml"])) {
        config.catalog = catalog;
    }
    if let Some(input) = read_input(r, top) {
        config.input = input;
    }
    for (key, slot) in [
        ("loop", &mut config.loop_input),
        ("mirror", &mut config.mirror),
        ("gestures", &mut config.gestures),
    ] {
        if let Some(value) = r.boolean(top, key) {
            *slot = value;
        }
    }
    let idle_s = r.number(top, "idle_seconds", "a number of seconds", |seconds| {
        check_range(seconds, IDLE_SECONDS_RANGE, "seconds")
    });
    if let Some(idle_s) = idle_s {
        config.idle_after = Duration::from_secs_f64(idle_s);
    }
    config.snapshot_dir = r.path(top, "snapshot_dir", None);
    config.events = r.path(top, "events", None);
    config.events_db = r.path(top, "events_db", None);
    if let Some(model) = r.parsed(top, "model", |text| text.parse::<LandmarkModel>()) {
        config.model = model;
    }
}

/// `input`: a camera as written, a file resolved against the folder.
fn read_input(r: &mut Reader, top: &Table) -> Option<String> {
    let (text, span) = r.string(top, "input")?;
    let text = text.trim();
    if text == "-" || text == "synthetic" {
        return Some(text.to_string());
    }
    if let Some(rest) = text.strip_prefix("camera") {
        if rest.is_empty() {
            return Some(text.to_string());
        }
        if let Some(index) = rest.strip_prefix(':') {
            if index.parse::<u32>().is_ok() {
                return Some(text.to_string());
            }
            r.add(
                &span,
                format!(
                    "`input` camera number `{index}` is not a number; write \"camera\" or \
                     \"camera:0\" for the first camera, \"camera:1\" for the second"
                ),
            );
            return None;
        }
    }
    // A file, a folder of frames or a pattern (`frames/*.png`).
    let resolved = r.base_dir.join(text);
    if !text.contains(['*', '?', '[']) && !r.existing("input", text, &resolved, &span) {
        return None;
    }
    Some(resolved.to_str().unwrap_or(text).to_string())
}

fn read_display(r: &mut Reader, display: &Table, config: &mut KioskConfig) {
    if let Some(value) = display.get("monitor") {
        let monitor = match value.get_ref() {
            DeValue::Integer(index) => i64::from_str_radix(index.as_str(), index.radix())
                .ok()
                .and_then(|index| usize::try_from(index).ok())
                .map(MonitorChoice::Index),
            DeValue::String(name) => name.parse().ok(),
            _ => None,
        };
        match monitor {
            Some(monitor) => config.display.monitor = monitor,
            None => r.add(&value.span(), format!("`monitor` {}", monitor_error())),
        }
    }
    if let Some(value) = display.get("rotation") {
        let span = value.span();
        match value.get_ref() {
            DeValue::Integer(degrees) => {
                let rotation = i64::from_str_radix(degrees.as_str(), degrees.radix())
                    .ok()
                    .and_then(Rotation::from_degrees);
                match rotation {
                    Some(rotation) => config.display.rotation = rotation,
                    None => {
                        let message = rotation_error(r.source(&span));
                        r.add(&span, format!("`rotation` {message}"));
                    }
                }
            }
            _ => r.wrong_type(display, "rotation", "0, 90, 180 or 270", value),
        }
    }
    config.display.window_size = r.parsed(display, "size", parse_window_size);
    if let Some(fullscreen) = r.boolean(display, "fullscreen") {
        config.display.fullscreen = fullscreen;
    }
}

fn read_share(r: &mut Reader, share: &Table, config: &mut KioskConfig) {
    config.share.url = r.parsed(share, "url", |url| {
        check_share_url(url).map(|()| url.trim().to_string())
    });
    if let Some(listen) = r.parsed(share, "listen", parse_listen) {
        config.share.listen = listen;
    }
    let expire_minutes = r.number(share, "expire_minutes", "a number of minutes", |minutes| {
        check_range(minutes, EXPIRE_MINUTES_RANGE, "minutes")
    });
    if let Some(minutes) = expire_minutes {
        config.share.expire_after = Duration::from_secs_f64(minutes * 60.0);
    }
}

fn read_strings(r: &mut Reader, strings: &Table, texts: &mut KioskStrings) {
    let KioskStrings {
        step_in,
        hover_to_wear,
        swipe,
        raise_hands,
        scan_to_buy,
        scan_for_photo,
        try_size,
        waiting_for_camera,
        camera_disconnected,
        size_or,
    } = texts;
    for (key, slot) in [
        ("step_in", step_in),
        ("hover_to_wear", hover_to_wear),
        ("swipe", swipe),
        ("raise_hands", raise_hands),
        ("scan_to_buy", scan_to_buy),
        ("scan_for_photo", scan_for_photo),
        ("waiting_for_camera", waiting_for_camera),
        ("camera_disconnected", camera_disconnected),
        ("size_or", size_or),
    ] {
        if let Some((text, _)) = r.string(strings, key) {
            *slot = text.to_string();
        }
    }
    if let Some(text) = r.parsed(strings, "try_size", |text| {
        check_try_size(text).map(|()| text.to_string())
    }) {
        *try_size = text;
    }
}
