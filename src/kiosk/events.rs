//! The kiosk's event log: what a retailer's analytics read.
//!
//! Each [`KioskEvent`] is appended as one JSON line to a file and/or one row
//! to a SQLite database ([`EventLog`]); [`KioskStats`] sums a day of them up
//! for `drape kiosk stats`.
//!
//! A JSON line, one per event (`ts` is RFC 3339 UTC with milliseconds;
//! durations are kept to the millisecond):
//!
//! ```text
//! {"ts":"2026-12-05T20:31:02.123Z","event":"person_entered"}
//! {"ts":"2026-12-05T20:31:14.523Z","event":"person_left","dwell_s":12.4}
//! {"ts":"2026-12-05T20:31:05.000Z","event":"garment_worn","garment":"tee-indigo"}
//! {"ts":"2026-12-05T20:31:09.000Z","event":"snapshot","garments":["tee-indigo","glasses-round"]}
//! {"ts":"2026-12-05T20:31:10.000Z","event":"qr_shown","url":"http://192.168.1.20:8090/p/…"}
//! {"ts":"2026-12-05T20:40:00.000Z","event":"attract"}
//! ```
//!
//! The SQLite table, schema version 1 (`PRAGMA user_version`), WAL journal:
//!
//! ```sql
//! CREATE TABLE events(id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, event TEXT NOT NULL,
//!                     garment TEXT, dwell_ms INTEGER, detail TEXT)
//! ```
//!
//! `ts_ms` is milliseconds since the Unix epoch; `garment` is set for
//! `garment_worn`, `dwell_ms` for `person_left`; `detail` holds a snapshot's
//! garments as a JSON array and a `qr_shown` URL.

mod db;
mod log;
mod stats;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use db::read_db;
pub use log::{read_jsonl, EventLog};
pub use stats::{GarmentStats, KioskStats};

/// Something that happened in front of the kiosk.
#[derive(Debug, Clone, PartialEq)]
pub enum KioskEvent {
    /// A person stepped in front of the mirror: a session starts.
    PersonEntered,
    /// The person walked away: the session ends after `dwell` in front of
    /// the mirror (logged to the millisecond).
    PersonLeft {
        /// How long the person stayed.
        dwell: Duration,
    },
    /// The person put a garment on (one try).
    GarmentWorn {
        /// The garment's catalog id, e.g. `tee-indigo`.
        garment: String,
    },
    /// A photo was taken of the person wearing these garments.
    Snapshot {
        /// The catalog ids of the garments worn in the photo.
        garments: Vec<String>,
    },
    /// A QR code was shown that opens the photo at `url`.
    QrShown {
        /// The photo's address on the store network.
        url: String,
    },
    /// Nobody is in front of the mirror: the attract loop started.
    Attract,
}

impl KioskEvent {
    /// The event's name in the log: `person_entered`, `person_left`,
    /// `garment_worn`, `snapshot`, `qr_shown` or `attract`.
    pub fn name(&self) -> &'static str {
        match self {
            KioskEvent::PersonEntered => "person_entered",
            KioskEvent::PersonLeft { .. } => "person_left",
            KioskEvent::GarmentWorn { .. } => "garment_worn",
            KioskEvent::Snapshot { .. } => "snapshot",
            KioskEvent::QrShown { .. } => "qr_shown",
            KioskEvent::Attract => "attract",
        }
    }
}

/// An event log that could not be opened, written or read. Each message
/// names the file and says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventLogError {
    /// The folder the log file should be in does not exist (the log does
    /// not create folders: a typo should not scatter logs).
    #[error("cannot open the event log {path}: the folder {folder} does not exist; create it or choose another path")]
    MissingFolder {
        /// The log file.
        path: PathBuf,
        /// Its missing folder.
        folder: PathBuf,
    },
    /// The log file could not be opened.
    #[error("cannot open the event log {path}: {source}; check the path and its permissions")]
    Open {
        /// The log file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An event could not be written (a full disk, a removed folder). The
    /// log stays usable: later events are written whole.
    #[error("cannot write an event to {path}: {source}; check free disk space and permissions")]
    Write {
        /// The log file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The log file could not be read.
    #[error("cannot read the event log {path}: {source}")]
    Read {
        /// The log file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A JSON line is not a kiosk event.
    #[error("{path} line {line}: not a kiosk event ({reason}); fix or delete that line")]
    MalformedLine {
        /// The log file.
        path: PathBuf,
        /// The line's number, from 1.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A database row is not a kiosk event.
    #[error("{path} row id {id}: not a kiosk event ({reason}); fix or delete that row")]
    MalformedRow {
        /// The database file.
        path: PathBuf,
        /// The row's `id`.
        id: i64,
        /// What is wrong with it.
        reason: String,
    },
    /// The event's time cannot be logged (before 1970 or after 9999).
    #[error("the event time {at:?} is outside 1970-9999; check the system clock")]
    TimeOutOfRange {
        /// The time given.
        at: SystemTime,
    },
    /// The database file exists but is not a SQLite database.
    #[error(
        "{path} is not a SQLite database; move it away or choose another file for the event log"
    )]
    NotADatabase {
        /// The file.
        path: PathBuf,
    },
    /// The database was written by a newer drape with a newer schema.
    #[error("{path} has event log schema version {found}, newer than version {supported} that this drape knows; update drape or choose another file")]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its `PRAGMA user_version`.
        found: i64,
        /// The newest version this drape reads and writes.
        supported: i64,
    },
    /// SQLite failed on the database.
    #[error("event database {path}: {source}; check the file, its folder's permissions and free disk space")]
    Database {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
}

/// The latest time a log can hold: 9999-12-31T23:59:59.999Z, as seconds
/// since the Unix epoch (RFC 3339 has four-digit years).
const LAST_LOGGABLE_S: u64 = 253_402_300_799;

/// `at` as milliseconds since the Unix epoch, or an error for a time a log
/// cannot hold (checked here so formatting it never panics).
fn epoch_ms(at: SystemTime) -> Result<i64, EventLogError> {
    match at.duration_since(UNIX_EPOCH) {
        Ok(since) if since.as_secs() <= LAST_LOGGABLE_S => Ok(since.as_millis() as i64),
        _ => Err(EventLogError::TimeOutOfRange { at }),
    }
}

/// The time `ms` milliseconds after the Unix epoch; `None` before it.
fn time_from_epoch_ms(ms: i64) -> Option<SystemTime> {
    let ms = u64::try_from(ms).ok()?;
    UNIX_EPOCH.checked_add(Duration::from_millis(ms))
}

/// A dwell in whole milliseconds (saturating: no dwell lasts 292 million years).
fn dwell_ms(dwell: Duration) -> i64 {
    i64::try_from(dwell.as_millis()).unwrap_or(i64::MAX)
}

/// `at` in RFC 3339 UTC with milliseconds (`2026-12-05T20:31:02.123Z`), or
/// an error for a time a log cannot hold.
fn rfc3339_ms(at: SystemTime) -> Result<String, EventLogError> {
    let ms = epoch_ms(at)?;
    let whole_ms = UNIX_EPOCH + Duration::from_millis(ms.unsigned_abs());
    Ok(humantime::format_rfc3339_millis(whole_ms).to_string())
}

/// Fails with [`EventLogError::MissingFolder`] when `path`'s folder does
/// not exist.
fn check_folder(path: &std::path::Path) -> Result<(), EventLogError> {
    match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() && !folder.is_dir() => {
            Err(EventLogError::MissingFolder {
                path: path.to_path_buf(),
                folder: folder.to_path_buf(),
            })
        }
        _ => Ok(()),
    }
}

/// An event from the fields a line or row holds, or why they make none.
/// `dwell` is for `person_left`, `garment` for `garment_worn`, `garments`
/// for `snapshot`, `url` for `qr_shown`; others are ignored.
fn event_from_parts(
    name: &str,
    dwell: Option<Duration>,
    garment: Option<String>,
    garments: Option<Vec<String>>,
    url: Option<String>,
) -> Result<KioskEvent, String> {
    let missing = |field: &str| format!("{name} without {field}");
    Ok(match name {
        "person_entered" => KioskEvent::PersonEntered,
        "person_left" => KioskEvent::PersonLeft {
            dwell: dwell.ok_or_else(|| missing("its dwell"))?,
        },
        "garment_worn" => KioskEvent::GarmentWorn {
            garment: garment.ok_or_else(|| missing("its garment"))?,
        },
        "snapshot" => KioskEvent::Snapshot {
            garments: garments.ok_or_else(|| missing("its garments"))?,
        },
        "qr_shown" => KioskEvent::QrShown {
            url: url.ok_or_else(|| missing("its url"))?,
        },
        "attract" => KioskEvent::Attract,
        other => return Err(format!("unknown event {other:?}")),
    })
}
