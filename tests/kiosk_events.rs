//! The kiosk's event log: exact JSON lines, the SQLite table, reading both
//! back, stats of a scripted day, and the failures a kiosk meets (a file
//! that is not a database, a newer schema, a missing folder, logrotate).

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use drape::kiosk::events::{
    read_db, read_jsonl, EventLog, EventLogError, GarmentStats, KioskEvent, KioskStats,
};
use serde_json::json;

fn at(rfc3339: &str) -> SystemTime {
    humantime::parse_rfc3339(rfc3339).expect("a test time")
}

fn worn(garment: &str) -> KioskEvent {
    KioskEvent::GarmentWorn {
        garment: garment.to_string(),
    }
}

fn snapshot(garments: &[&str]) -> KioskEvent {
    KioskEvent::Snapshot {
        garments: garments.iter().map(|g| g.to_string()).collect(),
    }
}

fn left(dwell_ms: u64) -> KioskEvent {
    KioskEvent::PersonLeft {
        dwell: Duration::from_millis(dwell_ms),
    }
}

/// One of each kind, a few seconds apart.
fn every_kind() -> Vec<(SystemTime, KioskEvent)> {
    vec![
        (at("2026-12-05T20:31:02.123Z"), KioskEvent::PersonEntered),
        (at("2026-12-05T20:31:05Z"), worn("tee-indigo")),
        (
            at("2026-12-05T20:31:09.5Z"),
            snapshot(&["tee-indigo", "glasses-round"]),
        ),
        (
            at("2026-12-05T20:31:10Z"),
            KioskEvent::QrShown {
                url: "http://192.168.1.20:8090/p/00ff".to_string(),
            },
        ),
        (at("2026-12-05T20:31:14.523Z"), left(12_400)),
        (at("2026-12-05T20:40:00Z"), KioskEvent::Attract),
    ]
}

fn record_all(log: &mut EventLog, events: &[(SystemTime, KioskEvent)]) {
    for (time, event) in events {
        log.record(event, *time).expect("record");
    }
}

fn lines_of(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("read the log")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn event_names_are_the_logged_ones() {
    let names: Vec<&str> = every_kind().iter().map(|(_, event)| event.name()).collect();
    assert_eq!(
        names,
        [
            "person_entered",
            "garment_worn",
            "snapshot",
            "qr_shown",
            "person_left",
            "attract"
        ]
    );
}

#[test]
fn every_kind_is_one_exact_json_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let mut log = EventLog::open(Some(&path), None).unwrap();
    record_all(&mut log, &every_kind());

    let lines = lines_of(&path);
    // Field order and timestamp format, byte for byte.
    assert_eq!(
        lines[0],
        r#"{"ts":"2026-12-05T20:31:02.123Z","event":"person_entered"}"#
    );
    assert_eq!(
        lines[4],
        r#"{"ts":"2026-12-05T20:31:14.523Z","event":"person_left","dwell_s":12.4}"#
    );
    let parsed: Vec<serde_json::Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        parsed,
        [
            json!({"ts": "2026-12-05T20:31:02.123Z", "event": "person_entered"}),
            json!({"ts": "2026-12-05T20:31:05.000Z", "event": "garment_worn", "garment": "tee-indigo"}),
            json!({"ts": "2026-12-05T20:31:09.500Z", "event": "snapshot", "garments": ["tee-indigo", "glasses-round"]}),
            json!({"ts": "2026-12-05T20:31:10.000Z", "event": "qr_shown", "url": "http://192.168.1.20:8090/p/00ff"}),
            json!({"ts": "2026-12-05T20:31:14.523Z", "event": "person_left", "dwell_s": 12.4}),
            json!({"ts": "2026-12-05T20:40:00.000Z", "event": "attract"}),
        ]
    );
}

#[test]
fn jsonl_and_db_read_back_what_was_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (jsonl, db) = (
        dir.path().join("events.jsonl"),
        dir.path().join("events.db"),
    );
    let mut log = EventLog::open(Some(&jsonl), Some(&db)).unwrap();
    record_all(&mut log, &every_kind());
    drop(log);
    assert_eq!(read_jsonl(&jsonl).unwrap(), every_kind());
    assert_eq!(read_db(&db).unwrap(), every_kind());
}

#[test]
fn a_malformed_line_is_an_error_naming_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let good = r#"{"ts":"2026-12-05T20:31:02.123Z","event":"person_entered"}"#;
    for (bad, reason) in [
        (
            r#"{"ts":"2026-12-05T20:31:02.123Z","event":"person_le"#,
            "EOF",
        ),
        (
            r#"{"ts":"2026-12-05T20:31:02.123Z","event":"dance"}"#,
            "unknown event \"dance\"",
        ),
        (
            r#"{"ts":"2026-12-05T20:31:02.123Z","event":"garment_worn"}"#,
            "garment_worn without its garment",
        ),
        (
            r#"{"ts":"yesterday","event":"attract"}"#,
            "ts \"yesterday\"",
        ),
    ] {
        std::fs::write(&path, format!("{good}\n{good}\n{bad}\n{good}\n")).unwrap();
        let error = read_jsonl(&path).unwrap_err();
        assert!(
            matches!(error, EventLogError::MalformedLine { line: 3, .. }),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("{} line 3: not a kiosk event (", path.display())),
            "{message}"
        );
        assert!(message.contains(reason), "{message}");
    }
}

/// Three sessions: 30.5 s, 12.4 s and 75.1 s; three tees tried, two
/// jackets, one pair of glasses; three snapshots (one listing a garment
/// twice), two QR codes.
fn scripted_day() -> Vec<(SystemTime, KioskEvent)> {
    let qr = || KioskEvent::QrShown {
        url: "http://kiosk/p/1".to_string(),
    };
    vec![
        (at("2026-12-05T09:00:00Z"), KioskEvent::Attract),
        (at("2026-12-05T09:10:00Z"), KioskEvent::PersonEntered),
        (at("2026-12-05T09:10:05Z"), worn("tee-indigo")),
        (at("2026-12-05T09:10:12Z"), worn("glasses-round")),
        (
            at("2026-12-05T09:10:20Z"),
            snapshot(&["tee-indigo", "glasses-round"]),
        ),
        (at("2026-12-05T09:10:22Z"), qr()),
        (at("2026-12-05T09:10:30.5Z"), left(30_500)),
        (at("2026-12-05T11:00:00Z"), KioskEvent::PersonEntered),
        (at("2026-12-05T11:00:02Z"), worn("tee-indigo")),
        (at("2026-12-05T11:00:05Z"), worn("jacket-olive")),
        (at("2026-12-05T11:00:08Z"), worn("tee-indigo")),
        (at("2026-12-05T11:00:10Z"), snapshot(&["tee-indigo"])),
        (at("2026-12-05T11:00:12.4Z"), left(12_400)),
        (at("2026-12-05T15:00:00Z"), KioskEvent::PersonEntered),
        (at("2026-12-05T15:00:30Z"), worn("jacket-olive")),
        (
            at("2026-12-05T15:01:00Z"),
            snapshot(&["jacket-olive", "glasses-round", "jacket-olive"]),
        ),
        (at("2026-12-05T15:01:02Z"), qr()),
        (at("2026-12-05T15:01:15.1Z"), left(75_100)),
        (at("2026-12-05T15:05:00Z"), KioskEvent::Attract),
    ]
}

fn scripted_day_stats() -> KioskStats {
    let garment = |garment: &str, tries, snapshots| GarmentStats {
        garment: garment.to_string(),
        tries,
        snapshots,
    };
    KioskStats {
        sessions: 3,
        total_dwell: Duration::from_millis(118_000),
        mean_dwell: Some(Duration::from_nanos(39_333_333_333)),
        median_dwell: Some(Duration::from_millis(30_500)),
        garments: vec![
            garment("tee-indigo", 3, 2),
            garment("jacket-olive", 2, 1),
            garment("glasses-round", 1, 2),
        ],
        snapshots: 3,
        qr_shown: 2,
        first_event: Some(at("2026-12-05T09:00:00Z")),
        last_event: Some(at("2026-12-05T15:05:00Z")),
    }
}

#[test]
fn stats_of_a_scripted_day_are_exact_from_jsonl_and_db() {
    let dir = tempfile::tempdir().unwrap();
    let (jsonl, db) = (
        dir.path().join("events.jsonl"),
        dir.path().join("events.db"),
    );
    let mut log = EventLog::open(Some(&jsonl), Some(&db)).unwrap();
    record_all(&mut log, &scripted_day());
    drop(log);
    assert_eq!(
        KioskStats::from_events(&scripted_day()),
        scripted_day_stats()
    );
    assert_eq!(
        KioskStats::from_events(&read_jsonl(&jsonl).unwrap()),
        scripted_day_stats()
    );
    assert_eq!(KioskStats::from_db(&db).unwrap(), scripted_day_stats());
}

#[test]
fn stats_table_lists_garments_most_tried_first() {
    let expected = "\
Kiosk events 2026-12-05T09:00:00.000Z to 2026-12-05T15:05:00.000Z
Sessions   3
Dwell      total 1m 58s, mean 39.3 s, median 30.5 s
Snapshots  3
QR shown   2

Garment        Tries  Snapshots
tee-indigo         3          2
jacket-olive       2          1
glasses-round      1          2
";
    assert_eq!(scripted_day_stats().to_string(), expected);
}

#[test]
fn stats_of_no_sessions_and_an_even_count() {
    let empty = KioskStats::from_events(&[]);
    assert_eq!(empty, KioskStats::default());
    assert_eq!(empty.mean_dwell, None);
    assert_eq!(
        empty.to_string(),
        "No kiosk events\nSessions   0\nDwell      total 0s\nSnapshots  0\nQR shown   0\n"
    );
    let two = [
        (at("2026-12-05T10:00:00Z"), left(10_000)),
        (at("2026-12-05T10:01:00Z"), left(21_000)),
    ];
    let stats = KioskStats::from_events(&two);
    assert_eq!(stats.median_dwell, Some(Duration::from_millis(15_500)));
    assert_eq!(stats.mean_dwell, Some(Duration::from_millis(15_500)));
}

#[test]
fn a_reopened_db_appends_to_one_versioned_wal_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("events.db");
    let day = scripted_day();
    let mut log = EventLog::open(None, Some(&db)).unwrap();
    record_all(&mut log, &day[..7]);
    drop(log);
    let mut log = EventLog::open(None, Some(&db)).unwrap();
    record_all(&mut log, &day[7..]);
    drop(log);
    assert_eq!(read_db(&db).unwrap(), day);

    let conn = rusqlite::Connection::open(&db).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!((version, journal.as_str()), (1, "wal"));
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM events", [], |row| row.get(0))
        .unwrap();
    assert_eq!(rows, day.len() as i64);
    let snapshot: (i64, Option<String>, Option<i64>, String) = conn
        .query_row("SELECT ts_ms, garment, dwell_ms, detail FROM events WHERE event = 'snapshot' ORDER BY id", [], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap();
    let ts_ms = at("2026-12-05T09:10:20Z")
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert_eq!(
        snapshot,
        (
            ts_ms,
            None,
            None,
            r#"["tee-indigo","glasses-round"]"#.to_string()
        )
    );
    let dwell: (Option<String>, i64) = conn
        .query_row(
            "SELECT garment, dwell_ms FROM events WHERE event = 'person_left' ORDER BY id",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(dwell, (None, 30_500));
}

#[test]
fn a_file_that_is_not_a_database_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    let text = "these are not the events you are looking for\n".repeat(100);
    std::fs::write(&path, &text).unwrap();
    let error = EventLog::open(None, Some(&path)).unwrap_err();
    assert!(
        matches!(&error, EventLogError::NotADatabase { path: named } if *named == path),
        "{error:?}"
    );
    assert!(error
        .to_string()
        .starts_with(&format!("{} is not a SQLite database", path.display())));
    assert!(matches!(
        read_db(&path),
        Err(EventLogError::NotADatabase { .. })
    ));
    // Left as it was.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("events.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA user_version = 2;")
        .unwrap();
    let error = EventLog::open(None, Some(&db)).unwrap_err();
    assert!(
        matches!(
            error,
            EventLogError::NewerSchema {
                found: 2,
                supported: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("update drape"), "{error}");
    assert!(matches!(
        KioskStats::from_db(&db),
        Err(EventLogError::NewerSchema { found: 2, .. })
    ));
}

#[test]
fn a_missing_folder_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("no-such-folder");
    for (jsonl, db) in [
        (Some(folder.join("events.jsonl")), None),
        (None, Some(folder.join("events.db"))),
    ] {
        let error = EventLog::open(jsonl.as_deref(), db.as_deref()).unwrap_err();
        assert!(
            matches!(&error, EventLogError::MissingFolder { folder: named, .. } if *named == folder),
            "{error:?}"
        );
        assert!(error
            .to_string()
            .contains(&format!("the folder {} does not exist", folder.display())));
    }
    assert!(!folder.exists());
}

#[test]
fn a_rotated_file_is_reopened_at_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let rotated = dir.path().join("events.jsonl.1");
    let day = scripted_day();
    let mut log = EventLog::open(Some(&path), None).unwrap();
    record_all(&mut log, &day[..3]);
    std::fs::rename(&path, &rotated).unwrap();
    record_all(&mut log, &day[3..4]);
    assert_eq!(read_jsonl(&rotated).unwrap(), day[..3]);
    assert_eq!(read_jsonl(&path).unwrap(), day[3..4]);
    // Moved away and a fresh file put at the path (logrotate's `create`).
    std::fs::rename(&path, dir.path().join("events.jsonl.2")).unwrap();
    std::fs::write(&path, "").unwrap();
    record_all(&mut log, &day[4..6]);
    assert_eq!(read_jsonl(&path).unwrap(), day[4..6]);
}

#[test]
fn a_time_before_1970_is_an_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let mut log = EventLog::open(Some(&path), None).unwrap();
    let before = UNIX_EPOCH - Duration::from_secs(1);
    let error = log.record(&KioskEvent::Attract, before).unwrap_err();
    assert!(
        matches!(error, EventLogError::TimeOutOfRange { at } if at == before),
        "{error:?}"
    );
    record_all(&mut log, &every_kind()[..1]);
    assert_eq!(read_jsonl(&path).unwrap(), every_kind()[..1]);
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_error_not_a_panic() {
    // /dev/full: every write fails with "No space left on device".
    let full = Path::new("/dev/full");
    let mut log = EventLog::open(Some(full), None).unwrap();
    for _ in 0..2 {
        let error = log
            .record(&KioskEvent::PersonEntered, at("2026-12-05T20:31:02Z"))
            .unwrap_err();
        assert!(
            matches!(&error, EventLogError::Write { path, .. } if path == full),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .starts_with("cannot write an event to /dev/full: "),
            "{error}"
        );
    }
}
