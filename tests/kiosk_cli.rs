//! `drape kiosk` end to end without a display: `drape kiosk stats` on a
//! scripted day of events (JSON lines and the database), and the ways a
//! kiosk refuses to start (a bad kiosk.toml, a bad flag, a missing
//! catalog, no display), each a clear message and no panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use drape::kiosk::{EventLog, KioskEvent};

fn drape() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_drape"));
    command
        .env_remove("RUST_LOG")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("drape runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Fails unless the run failed cleanly (non-zero exit, no panic); returns
/// its stderr.
fn clean_failure(output: &Output) -> String {
    let text = stderr(output);
    assert!(!output.status.success(), "should fail: {text}");
    assert!(!text.contains("panicked"), "panicked: {text}");
    text
}

/// A day: three shoppers (30 s, 12.4 s and 5.2 s), five tries of two
/// garments, two photos (one with an accessory never tried), one QR code.
const DAY_JSONL: &str = r#"{"ts":"2026-12-05T10:00:00.000Z","event":"attract"}
{"ts":"2026-12-05T10:01:00.000Z","event":"person_entered"}
{"ts":"2026-12-05T10:01:02.000Z","event":"garment_worn","garment":"tee-indigo"}
{"ts":"2026-12-05T10:01:10.000Z","event":"garment_worn","garment":"dress-red"}
{"ts":"2026-12-05T10:01:15.000Z","event":"snapshot","garments":["dress-red","glasses-round"]}
{"ts":"2026-12-05T10:01:15.500Z","event":"qr_shown","url":"http://192.168.1.20:8090/p/00ff"}
{"ts":"2026-12-05T10:01:30.000Z","event":"person_left","dwell_s":30.0}
{"ts":"2026-12-05T10:01:38.000Z","event":"attract"}
{"ts":"2026-12-05T11:00:00.000Z","event":"person_entered"}
{"ts":"2026-12-05T11:00:01.000Z","event":"garment_worn","garment":"tee-indigo"}
{"ts":"2026-12-05T11:00:05.000Z","event":"garment_worn","garment":"dress-red"}
{"ts":"2026-12-05T11:00:06.000Z","event":"garment_worn","garment":"tee-indigo"}
{"ts":"2026-12-05T11:00:09.000Z","event":"snapshot","garments":["tee-indigo"]}
{"ts":"2026-12-05T11:00:12.400Z","event":"person_left","dwell_s":12.4}
{"ts":"2026-12-05T12:00:00.000Z","event":"person_entered"}
{"ts":"2026-12-05T12:00:05.000Z","event":"person_left","dwell_s":5.2}
"#;

/// The same day as events.
fn day() -> Vec<(SystemTime, KioskEvent)> {
    let at = |rfc3339: &str| humantime::parse_rfc3339(rfc3339).expect("a test time");
    let worn = |garment: &str| KioskEvent::GarmentWorn {
        garment: garment.into(),
    };
    let snapshot = |garments: &[&str]| KioskEvent::Snapshot {
        garments: garments.iter().map(|g| g.to_string()).collect(),
    };
    let left = |dwell_ms| KioskEvent::PersonLeft {
        dwell: Duration::from_millis(dwell_ms),
    };
    vec![
        (at("2026-12-05T10:00:00Z"), KioskEvent::Attract),
        (at("2026-12-05T10:01:00Z"), KioskEvent::PersonEntered),
        (at("2026-12-05T10:01:02Z"), worn("tee-indigo")),
        (at("2026-12-05T10:01:10Z"), worn("dress-red")),
        (
            at("2026-12-05T10:01:15Z"),
            snapshot(&["dress-red", "glasses-round"]),
        ),
        (
            at("2026-12-05T10:01:15.5Z"),
            KioskEvent::QrShown {
                url: "http://192.168.1.20:8090/p/00ff".into(),
            },
        ),
        (at("2026-12-05T10:01:30Z"), left(30_000)),
        (at("2026-12-05T10:01:38Z"), KioskEvent::Attract),
        (at("2026-12-05T11:00:00Z"), KioskEvent::PersonEntered),
        (at("2026-12-05T11:00:01Z"), worn("tee-indigo")),
        (at("2026-12-05T11:00:05Z"), worn("dress-red")),
        (at("2026-12-05T11:00:06Z"), worn("tee-indigo")),
        (at("2026-12-05T11:00:09Z"), snapshot(&["tee-indigo"])),
        (at("2026-12-05T11:00:12.4Z"), left(12_400)),
        (at("2026-12-05T12:00:00Z"), KioskEvent::PersonEntered),
        (at("2026-12-05T12:00:05Z"), left(5_200)),
    ]
}

/// What `drape kiosk stats` prints for the day: 47.6 s in all, a mean of
/// 15.87 s, a median of 12.4 s.
const DAY_STATS: &str = "\
Kiosk events 2026-12-05T10:00:00.000Z to 2026-12-05T12:00:05.000Z
Sessions   3
Dwell      total 47s, mean 15.9 s, median 12.4 s
Snapshots  2
QR shown   1

Garment        Tries  Snapshots
tee-indigo         3          1
dress-red          2          1
glasses-round      0          1
";

#[test]
fn stats_sums_up_a_day_of_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    std::fs::write(&path, DAY_JSONL).unwrap();
    let output = run(drape().args(["kiosk", "stats", "--events"]).arg(&path));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), DAY_STATS);
}

#[test]
fn stats_sums_up_the_same_day_from_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kiosk.db");
    let mut log = EventLog::open(None, Some(&db)).unwrap();
    for (at, event) in day() {
        log.record(&event, at).unwrap();
    }
    drop(log);
    let output = run(drape().args(["kiosk", "stats", "--events-db"]).arg(&db));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), DAY_STATS);
}

#[test]
fn a_kiosk_toml_with_two_problems_names_both_places() {
    let dir = tempfile::tempdir().unwrap();
    let text = "idle_seconds = 0\n[brand]\naccent = \"red\"\n";
    std::fs::write(dir.path().join("bad.toml"), text).unwrap();
    let output = run(drape()
        .args(["kiosk", "--config", "bad.toml"])
        .current_dir(dir.path()));
    let text = clean_failure(&output);
    assert!(text.contains("bad.toml:1:16: "), "{text}");
    assert!(text.contains("bad.toml:3:10: "), "{text}");
}

#[test]
fn a_bad_rotation_is_refused_naming_the_flag() {
    let output = run(drape().args(["kiosk", "--rotation", "45"]));
    let text = clean_failure(&output);
    assert!(text.contains("'--rotation <DEGREES>'"), "{text}");
}

#[test]
fn a_missing_catalog_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    let output = run(drape().args(["kiosk", "--catalog"]).arg(&missing));
    let text = clean_failure(&output);
    assert!(text.contains(&missing.display().to_string()), "{text}");
}

#[test]
fn without_a_display_the_kiosk_says_so() {
    let photo: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples/astronaut.png");
    let output = run(drape()
        .args(["kiosk", "--input"])
        .arg(&photo)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET"));
    let text = clean_failure(&output);
    assert!(text.contains("no display: set DISPLAY"), "{text}");
}
