//! `kiosk.toml`: every field, the defaults, and each problem with its place.

use super::*;

/// A folder holding a configuration's files: a catalog, a logo, an attract
/// video and a clip.
fn kiosk_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["shop.toml", "logo.png", "attract.y4m", "clip.y4m"] {
        std::fs::write(dir.path().join(file), "placeholder").unwrap();
    }
    dir
}

/// `text` checked as `kiosk.toml` in `dir`.
fn parse_in(dir: &Path, text: &str) -> Result<KioskConfig, KioskConfigError> {
    KioskConfig::parse(text, &dir.join("kiosk.toml"))
}

/// The problems of `text` (in a folder with no files) as (line, column,
/// message).
fn problems(text: &str) -> Vec<(usize, usize, String)> {
    match KioskConfig::parse(text, Path::new("kiosk.toml")) {
        Ok(_) => panic!("expected problems in:\n{text}"),
        Err(error) => error
            .problems()
            .iter()
            .map(|p| (p.line, p.column, p.message.clone()))
            .collect(),
    }
}

/// The one problem of `text`.
fn only_problem(text: &str) -> (usize, usize, String) {
    let mut all = problems(text);
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

const FULL: &str = r##"catalog = "shop.toml"
input = "clip.y4m"
loop = true
mirror = false
idle_seconds = 12.5
gestures = false
snapshot_dir = "snapshots"
events = "/var/log/kiosk-events.jsonl"
events_db = "kiosk.db"
model = "full"

[display]
monitor = "DELL"
rotation = 270
size = "1080x1920"
fullscreen = false

[attract]
background = "attract.y4m"
cycle_seconds = 6

[share]
url = "http://192.168.1.20:8090"
listen = "127.0.0.1:9000"
expire_minutes = 30

[brand]
accent = "#00A0E4"
background = "#000000"
text = "#fafafa"
logo = "logo.png"

[strings]
step_in = "Entrez pour essayer"
hover_to_wear = "Main sur un vêtement pour le porter"
swipe = "Glissez pour parcourir"
raise_hands = "Levez les mains pour une photo"
scan_to_buy = "Scannez pour acheter"
scan_for_photo = "Scannez pour votre photo"
try_size = "Essayez {size}"
waiting_for_camera = "En attente de la caméra"
camera_disconnected = "Caméra débranchée"
size_or = "ou"
"##;

#[test]
fn every_field_is_read() {
    let dir = kiosk_folder();
    let folder = dir.path();
    let config = parse_in(folder, FULL).unwrap_or_else(|e| panic!("{e}"));
    let expected = KioskConfig {
        catalog: folder.join("shop.toml"),
        input: folder.join("clip.y4m").to_str().unwrap().to_string(),
        loop_input: true,
        mirror: false,
        idle_after: Duration::from_millis(12_500),
        gestures: false,
        snapshot_dir: Some(folder.join("snapshots")),
        events: Some(PathBuf::from("/var/log/kiosk-events.jsonl")),
        events_db: Some(folder.join("kiosk.db")),
        model: LandmarkModel::Full,
        display: DisplaySettings {
            monitor: MonitorChoice::Name("DELL".into()),
            rotation: Rotation::Deg270,
            window_size: Some((1080, 1920)),
            fullscreen: false,
        },
        attract: AttractSettings {
            background: Some(folder.join("attract.y4m")),
            cycle: Duration::from_secs(6),
        },
        share: ShareSettings {
            url: Some("http://192.168.1.20:8090".into()),
            listen: "127.0.0.1:9000".parse().unwrap(),
            expire_after: Duration::from_secs(30 * 60),
        },
        brand: BrandSettings {
            accent: [0x00, 0xa0, 0xe4],
            background: [0, 0, 0],
            text: [0xfa, 0xfa, 0xfa],
            logo: Some(folder.join("logo.png")),
        },
        strings: KioskStrings {
            step_in: "Entrez pour essayer".into(),
            hover_to_wear: "Main sur un vêtement pour le porter".into(),
            swipe: "Glissez pour parcourir".into(),
            raise_hands: "Levez les mains pour une photo".into(),
            scan_to_buy: "Scannez pour acheter".into(),
            scan_for_photo: "Scannez pour votre photo".into(),
            try_size: "Essayez {size}".into(),
            waiting_for_camera: "En attente de la caméra".into(),
            camera_disconnected: "Caméra débranchée".into(),
            size_or: "ou".into(),
        },
    };
    assert_eq!(config, expected);
    assert_eq!(config.strings.try_size_for("M"), "Essayez M");
    assert_eq!(config.display.rotation.degrees(), 270);
    assert_eq!(
        config.model.pose_model(),
        crate::nn::models::PoseModel::LandmarkFull
    );
}

#[test]
fn an_empty_file_is_the_defaults() {
    let config = KioskConfig::parse("# nothing set\n", Path::new("kiosk.toml")).unwrap();
    assert_eq!(config, KioskConfig::default());
    assert_eq!(config.catalog, Path::new("assets/garments/catalog.toml"));
    assert_eq!(config.input, "camera");
    assert!(!config.loop_input && config.mirror && config.gestures);
    assert_eq!(config.idle_after, Duration::from_secs(8));
    assert_eq!(
        (config.snapshot_dir, config.events, config.events_db),
        (None, None, None)
    );
    assert_eq!(config.model, LandmarkModel::Lite);
    assert_eq!(config.display.monitor, MonitorChoice::Index(0));
    assert_eq!(config.display.rotation, Rotation::Deg0);
    assert_eq!(config.display.window_size, None);
    assert!(config.display.fullscreen);
    assert_eq!(config.attract.background, None);
    assert_eq!(config.share.url, None);
    assert_eq!(config.share.listen.to_string(), "0.0.0.0:8090");
    assert_eq!(config.share.expire_after, Duration::from_secs(900));
    assert_eq!(config.brand.accent, [0xe4, 0x00, 0x2b]);
    assert_eq!(config.brand.background, [0x11, 0x11, 0x14]);
    assert_eq!(config.brand.text, [0xff; 3]);
    assert_eq!(config.brand.logo, None);
    assert_eq!(config.strings.try_size_for("L"), "Try L");
    assert_eq!(config.strings.step_in, "Step in to try");
}

#[test]
fn cameras_and_patterns_are_kept_as_written() {
    let dir = kiosk_folder();
    for (input, expected) in [
        ("camera", "camera".to_string()),
        ("camera:1", "camera:1".to_string()),
        (
            "frames/*.png",
            dir.path()
                .join("frames/*.png")
                .to_str()
                .unwrap()
                .to_string(),
        ),
    ] {
        let config = parse_in(dir.path(), &format!("input = \"{input}\"\n")).unwrap();
        assert_eq!(config.input, expected);
    }
    assert_eq!(
        only_problem("input = \"camera:x\"\n"),
        (
            1,
            9,
            "`input` camera number `x` is not a number; write \"camera\" or \"camera:0\" for the \
             first camera, \"camera:1\" for the second"
                .into()
        )
    );
    let (line, column, message) = only_problem("input = \"gone.y4m\"\n");
    assert_eq!((line, column), (1, 9));
    assert!(
        message.starts_with("input `gone.y4m` not found in ."),
        "{message}"
    );
}

#[test]
fn unknown_keys_are_typos_or_misplaced() {
    assert_eq!(
        only_problem("mirror = true\nidel_seconds = 8\n"),
        (
            2,
            1,
            "unknown key `idel_seconds`; did you mean `idle_seconds`?".into()
        )
    );
    assert_eq!(
        only_problem("[display]\nrotaton = 90\n").2,
        "unknown key `rotaton` in [display]; did you mean `rotation`?"
    );
    assert_eq!(
        only_problem("[display]\nrotation = 90\nmirror = false\n").2,
        "unknown key `mirror` in [display]; `mirror` belongs at the top level: move it above \
         the first [section] line"
    );
    assert_eq!(
        only_problem("accent = \"#ffffff\"\n").2,
        "unknown key `accent`; `accent` belongs in [brand]: move it below that line"
    );
    assert_eq!(
        only_problem("background = \"#ffffff\"\n").2,
        "unknown key `background`; `background` belongs in [attract] or [brand]: move it \
         below that line"
    );
    assert_eq!(
        only_problem("[brnad]\naccent = \"#ffffff\"\n"),
        (1, 2, "unknown key `brnad`; did you mean `brand`?".into())
    );
    assert!(only_problem("colour = 1\n")
        .2
        .starts_with("unknown key `colour`; allowed here: catalog, input, loop"));
    assert_eq!(
        only_problem("display = 1\n").2,
        "`display` must be a section: write [display] on its own line and its keys below it"
    );
}

#[test]
fn every_problem_is_reported_at_once_with_its_place() {
    let text = "\
idle_seconds = 0
mirror = \"yes\"
model = \"heavy\"

[display]
rotation = 45
monitor = -1
size = \"big\"

[share]
url = \"ftp://kiosk\"
listen = \"localhost:8090\"
expire_minutes = 0

[brand]
accent = \"red\"
logo = \"logo.gif\"

[strings]
try_size = \"Try it\"
swipe = \"\"
";
    let found = problems(text);
    let expected: &[(usize, usize, &str)] = &[
        (
            1,
            16,
            "`idle_seconds` must be from 1 to 3600 seconds, not 0",
        ),
        (
            2,
            10,
            "`mirror` must be true or false, like `mirror = true`; found a string",
        ),
        (3, 9, "`model` must be \"lite\" or \"full\", not `heavy`"),
        (
            6,
            12,
            "`rotation` must be 0, 90, 180 or 270 (degrees clockwise, for a monitor mounted \
             turned), not 45",
        ),
        (
            7,
            11,
            "`monitor` must be a monitor's number (0 for the first) or part of its name, like \
             \"DELL\"",
        ),
        (
            8,
            8,
            "`size` must be WIDTHxHEIGHT in pixels, like \"1080x1920\", not `big`",
        ),
        (
            11,
            7,
            "`url` must start with http:// or https://, like \"http://192.168.1.20:8090\", not \
             `ftp://kiosk`",
        ),
        (
            12,
            10,
            "`listen` must be an IP address and port, like \"0.0.0.0:8090\" (every network) or \
             \"127.0.0.1:8090\" (this computer only), not `localhost:8090`",
        ),
        (
            13,
            18,
            "`expire_minutes` must be from 1 to 1440 minutes, not 0",
        ),
        (
            16,
            10,
            "`accent` must be a colour written #rrggbb (sRGB hex, like \"#e4002b\"), not `red`",
        ),
        (
            17,
            8,
            "`logo` must be a .png, .jpg, .jpeg or .webp file, not `logo.gif`",
        ),
        (
            20,
            12,
            "`try_size` must show the size with {size}, like \"Try {size}\", not `Try it`",
        ),
        (
            21,
            9,
            "`swipe` is empty; write e.g. `swipe = \"Swipe to browse\"`, or remove the line",
        ),
    ];
    let expected: Vec<(usize, usize, String)> = expected
        .iter()
        .map(|&(line, column, message)| (line, column, message.to_string()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn try_size_takes_only_the_size_placeholder() {
    assert_eq!(
        only_problem("[strings]\ntry_size = \"Essayez {taille}\"\n").2,
        "`try_size` has the placeholder `{taille}`, but the only one is {size} (the size \
         label); write e.g. \"Try {size}\""
    );
    let config =
        KioskConfig::parse("[strings]\ntry_size = \"{size}?\"\n", Path::new("k.toml")).unwrap();
    assert_eq!(config.strings.try_size_for("XL"), "XL?");
}

#[test]
fn files_must_exist_beside_the_configuration() {
    let dir = kiosk_folder();
    let text = "catalog = \"gone.toml\"\n[attract]\nbackground = \"attract.mp4\"\n";
    let error = parse_in(dir.path(), text).unwrap_err();
    let messages: Vec<&str> = error
        .problems()
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    let folder = dir.path().display();
    assert_eq!(
        messages,
        [
            format!(
                "catalog `gone.toml` not found in {folder}; put it there or fix the path \
                 (paths are relative to the configuration's folder)"
            ),
            "`background` must be a .png, .jpg, .jpeg, .webp or .y4m file, not `attract.mp4`"
                .to_string(),
        ]
    );
    // Each problem on its own line, as path:line:column: message.
    let shown = error.to_string();
    let path = dir.path().join("kiosk.toml");
    assert_eq!(shown.lines().count(), 2, "{shown}");
    assert!(
        shown.starts_with(&format!("{}:1:11: catalog `gone.toml`", path.display())),
        "{shown}"
    );
    assert!(
        shown
            .lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("{}:3:14: ", path.display())),
        "{shown}"
    );
}

#[test]
fn syntax_errors_come_alone_with_their_place() {
    let (line, column, message) = only_problem("mirror = true\nidle_seconds = \n");
    assert_eq!(line, 2, "{message}");
    assert!(column >= 15, "{column}");
    assert!(message.starts_with("TOML syntax error: "), "{message}");
    assert_eq!(
        only_problem("mirror = true\nmirror = false\n"),
        (
            2,
            1,
            "duplicate key `mirror`: a key may appear once per section".into()
        )
    );
}

#[test]
fn a_missing_file_is_a_read_error() {
    let error = KioskConfig::load(Path::new("/nonexistent/kiosk.toml")).unwrap_err();
    assert!(matches!(error, KioskConfigError::Read { .. }), "{error}");
    assert!(error.problems().is_empty());
    assert!(error
        .to_string()
        .starts_with("cannot read the kiosk configuration /nonexistent/kiosk.toml: "));
    let dir = kiosk_folder();
    let path = dir.path().join("kiosk.toml");
    std::fs::write(&path, "rotation = 1\n").unwrap();
    let error = KioskConfig::load(&path).unwrap_err();
    assert_eq!(error.problems().len(), 1, "{error}");
}

#[test]
fn the_sample_configuration_reads_as_the_defaults() {
    // assets/kiosk/kiosk.toml documents every key with its default: it
    // must read, and mean what the code does without it.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/kiosk/kiosk.toml");
    let config = KioskConfig::load(&path).unwrap();
    let defaults = KioskConfig::default();
    assert_eq!(
        config.catalog.canonicalize().unwrap(),
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/garments/catalog.toml")
            .canonicalize()
            .unwrap()
    );
    assert_eq!(config.input, defaults.input);
    assert_eq!(config.idle_after, defaults.idle_after);
    assert_eq!(config.gestures, defaults.gestures);
    assert_eq!(config.mirror, defaults.mirror);
    assert_eq!(config.model, defaults.model);
    assert_eq!(config.attract, defaults.attract);
    assert_eq!(config.share, defaults.share);
    assert_eq!(config.brand, defaults.brand);
    assert_eq!(config.strings, defaults.strings);
    assert_eq!(config.display.rotation, defaults.display.rotation);
    assert_eq!(config.display.fullscreen, defaults.display.fullscreen);
}
