//! The SQLite event database (schema in the [module docs](super)).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rusqlite::{params, Connection, ErrorCode, OpenFlags};

use super::{
    check_folder, dwell_ms, epoch_ms, event_from_parts, time_from_epoch_ms, EventLogError,
    KioskEvent,
};

/// The schema version this drape writes and reads (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;

/// Version 1: one row per event; a snapshot's garments as a JSON array in
/// `detail` (one row, not one per garment, so a snapshot counts once).
const CREATE_SCHEMA: &str = "BEGIN;
CREATE TABLE events(id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL, event TEXT NOT NULL,
                    garment TEXT, dwell_ms INTEGER, detail TEXT);
PRAGMA user_version = 1;
COMMIT;";

/// How long a write waits for an analytics reader holding a lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// An open event database being appended to.
#[derive(Debug)]
pub(super) struct EventDb {
    path: PathBuf,
    conn: Connection,
}

impl EventDb {
    /// Opens (creating if missing) the database at `path`, sets WAL mode
    /// (analytics can read while the kiosk writes) and creates the table in
    /// a new file.
    pub(super) fn open(path: &Path) -> Result<EventDb, EventLogError> {
        check_folder(path)?;
        let error = |e| db_error(path, e);
        let conn = Connection::open(path).map_err(error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(error)?;
        // The first statement reads the file: a file that is not a database
        // fails here, before anything is written to it.
        let version = schema_version(&conn, path)?;
        // WAL where the file system allows it; SQLite keeps its old journal
        // otherwise, which still works, only with readers blocking writes.
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
            .map_err(error)?;
        // In WAL mode NORMAL survives a crash of the kiosk; a power cut may
        // lose the last events, as with the JSON lines file.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(error)?;
        if version == 0 {
            conn.execute_batch(CREATE_SCHEMA).map_err(error)?;
        }
        Ok(EventDb {
            path: path.to_path_buf(),
            conn,
        })
    }

    /// Appends `event` at `at` as one row.
    pub(super) fn insert(
        &mut self,
        event: &KioskEvent,
        at: SystemTime,
    ) -> Result<(), EventLogError> {
        let ts_ms = epoch_ms(at)?;
        let (garment, dwell, detail) = match event {
            KioskEvent::PersonLeft { dwell } => (None, Some(dwell_ms(*dwell)), None),
            KioskEvent::GarmentWorn { garment } => (Some(garment.as_str()), None, None),
            KioskEvent::Snapshot { garments } => (None, None, Some(json_array(garments))),
            KioskEvent::QrShown { url } => (None, None, Some(url.clone())),
            KioskEvent::PersonEntered | KioskEvent::Attract => (None, None, None),
        };
        self.conn
            .prepare_cached("INSERT INTO events(ts_ms, event, garment, dwell_ms, detail) VALUES (?1, ?2, ?3, ?4, ?5)")
            .and_then(|mut insert| insert.execute(params![ts_ms, event.name(), garment, dwell, detail]))
            .map(drop)
            .map_err(|e| db_error(&self.path, e))
    }
}

/// Reads an event database (opened read-only): each event with its time,
/// by time, then in the order written.
pub fn read_db(path: &Path) -> Result<Vec<(SystemTime, KioskEvent)>, EventLogError> {
    // SQLite would report a missing file as "unable to open": say it plainly.
    std::fs::metadata(path).map_err(|source| EventLogError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let error = |e| db_error(path, e);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(error)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(error)?;
    schema_version(&conn, path)?;
    let mut select = conn
        .prepare(
            "SELECT id, ts_ms, event, garment, dwell_ms, detail FROM events ORDER BY ts_ms, id",
        )
        .map_err(error)?;
    let rows = select
        .query_map([], |row| {
            Ok(Row {
                id: row.get(0)?,
                ts_ms: row.get(1)?,
                event: row.get(2)?,
                garment: row.get(3)?,
                dwell_ms: row.get(4)?,
                detail: row.get(5)?,
            })
        })
        .map_err(error)?;
    rows.map(|row| {
        let row = row.map_err(error)?;
        let id = row.id;
        row.into_event()
            .map_err(|reason| EventLogError::MalformedRow {
                path: path.to_path_buf(),
                id,
                reason,
            })
    })
    .collect()
}

/// One `events` row as stored.
struct Row {
    id: i64,
    ts_ms: i64,
    event: String,
    garment: Option<String>,
    dwell_ms: Option<i64>,
    detail: Option<String>,
}

impl Row {
    fn into_event(self) -> Result<(SystemTime, KioskEvent), String> {
        let at = time_from_epoch_ms(self.ts_ms)
            .ok_or_else(|| format!("ts_ms {} is before 1970", self.ts_ms))?;
        let dwell = match self.dwell_ms {
            Some(ms) => Some(Duration::from_millis(
                u64::try_from(ms).map_err(|_| format!("dwell_ms {ms} is negative"))?,
            )),
            None => None,
        };
        let (garments, url) = match (self.event.as_str(), self.detail) {
            ("snapshot", Some(detail)) => {
                let garments = serde_json::from_str(&detail).map_err(|e| {
                    format!("detail {detail:?} is not a JSON array of garments: {e}")
                })?;
                (Some(garments), None)
            }
            ("qr_shown", url) => (None, url),
            _ => (None, None),
        };
        Ok((
            at,
            event_from_parts(&self.event, dwell, self.garment, garments, url)?,
        ))
    }
}

/// The database's schema version, or an error for one newer than this
/// drape's.
fn schema_version(conn: &Connection, path: &Path) -> Result<i64, EventLogError> {
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|e| db_error(path, e))?;
    if found > SCHEMA_VERSION {
        return Err(EventLogError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(found)
}

/// A SQLite error on `path`, with "not a database" told apart.
fn db_error(path: &Path, source: rusqlite::Error) -> EventLogError {
    if source.sqlite_error_code() == Some(ErrorCode::NotADatabase) {
        EventLogError::NotADatabase {
            path: path.to_path_buf(),
        }
    } else {
        EventLogError::Database {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// `garments` as a JSON array (strings always serialise).
fn json_array(garments: &[String]) -> String {
    serde_json::to_string(garments).unwrap_or_else(|_| String::from("[]"))
}
