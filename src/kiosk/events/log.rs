//! The JSON lines file, and [`EventLog`], which writes it and the database.

use std::fs::{File, Metadata, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::db::EventDb;
use super::{check_folder, dwell_ms, event_from_parts, rfc3339_ms, EventLogError, KioskEvent};

/// Appends each [`KioskEvent`] as one JSON line to a file and/or one row to
/// a SQLite database (see the [module docs](super) for both formats).
///
/// A kiosk runs for days, so:
/// - each line goes out in one `write_all` on a file opened in append mode:
///   readers never see half a line, and a crash loses at most the line
///   being written (no `fsync` per event: the OS keeps what was written
///   when the kiosk crashes; a power cut may lose its last seconds);
/// - when a write fails (a full disk), the part written is cut off again
///   (or, failing that, the next line starts on a new line), so later lines
///   stay whole; the kiosk logs the error and goes on;
/// - before each line, the path is checked (one `stat`, microseconds, for an
///   event every few seconds at most): when logrotate has moved the file
///   away, the path is opened afresh and the line goes to the new file. On
///   Unix "moved" means the path no longer names the open file (device and
///   inode); elsewhere, that nothing is at the path.
#[derive(Debug)]
pub struct EventLog {
    jsonl: Option<JsonlFile>,
    db: Option<EventDb>,
}

impl EventLog {
    /// Opens (creating if missing, appending if present) the JSON lines file
    /// `jsonl` and/or the SQLite database `db`. Folders are not created: a
    /// missing one is an [`EventLogError::MissingFolder`]. With neither
    /// path, the log records nothing.
    pub fn open(jsonl: Option<&Path>, db: Option<&Path>) -> Result<EventLog, EventLogError> {
        let jsonl = jsonl.map(JsonlFile::open).transpose()?;
        let db = db.map(EventDb::open).transpose()?;
        Ok(EventLog { jsonl, db })
    }

    /// Records `event`, which happened at `at`, in the file and the
    /// database. A failure in one still writes the other; the first error
    /// is returned. Never panics; the log stays usable after an error.
    pub fn record(&mut self, event: &KioskEvent, at: SystemTime) -> Result<(), EventLogError> {
        let to_file = self
            .jsonl
            .as_mut()
            .map_or(Ok(()), |file| file.append(event, at));
        let to_db = self.db.as_mut().map_or(Ok(()), |db| db.insert(event, at));
        to_file.and(to_db)
    }
}

/// Reads a JSON lines event log: each event with its time, in file order.
/// A line that is not an event is an [`EventLogError::MalformedLine`]
/// naming the file and the line number.
pub fn read_jsonl(path: &Path) -> Result<Vec<(SystemTime, KioskEvent)>, EventLogError> {
    let bytes = std::fs::read(path).map_err(|source| EventLogError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let malformed = |line: usize, reason: String| EventLogError::MalformedLine {
        path: path.to_path_buf(),
        line,
        reason,
    };
    text.split(|&byte| byte == b'\n')
        .enumerate()
        .map(|(index, line)| {
            let line_text =
                std::str::from_utf8(line).map_err(|e| malformed(index + 1, e.to_string()))?;
            decode_line(line_text).map_err(|reason| malformed(index + 1, reason))
        })
        .collect()
}

/// One JSON line as written: fields in this order, absent ones left out.
#[derive(Serialize)]
struct LineOut<'a> {
    ts: String,
    event: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    dwell_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    garment: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    garments: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

/// One JSON line as read (fields a newer drape adds are ignored).
#[derive(Deserialize)]
struct LineIn {
    ts: String,
    event: String,
    dwell_s: Option<f64>,
    garment: Option<String>,
    garments: Option<Vec<String>>,
    url: Option<String>,
}

/// `event` at `at` as one JSON line for the file `path`, newline included.
fn encode_line(path: &Path, event: &KioskEvent, at: SystemTime) -> Result<Vec<u8>, EventLogError> {
    let mut line = LineOut {
        ts: rfc3339_ms(at)?,
        event: event.name(),
        dwell_s: None,
        garment: None,
        garments: None,
        url: None,
    };
    match event {
        // Whole milliseconds over 1000: the shortest decimal, e.g. 12.4.
        KioskEvent::PersonLeft { dwell } => line.dwell_s = Some(dwell_ms(*dwell) as f64 / 1000.0),
        KioskEvent::GarmentWorn { garment } => line.garment = Some(garment),
        KioskEvent::Snapshot { garments } => line.garments = Some(garments),
        KioskEvent::QrShown { url } => line.url = Some(url),
        KioskEvent::PersonEntered | KioskEvent::Attract => {}
    }
    // Strings and finite numbers always serialise; the error arm is for form.
    let mut bytes = serde_json::to_vec(&line).map_err(|e| EventLogError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The event a JSON line holds, or why it holds none.
fn decode_line(text: &str) -> Result<(SystemTime, KioskEvent), String> {
    let line: LineIn = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let at = humantime::parse_rfc3339(&line.ts).map_err(|e| format!("ts {:?}: {e}", line.ts))?;
    let dwell = match line.dwell_s {
        Some(dwell_s) if dwell_s.is_finite() && dwell_s >= 0.0 => {
            Some(Duration::from_millis((dwell_s * 1000.0).round() as u64))
        }
        Some(dwell_s) => return Err(format!("dwell_s {dwell_s} is not a duration")),
        None => None,
    };
    let event = event_from_parts(&line.event, dwell, line.garment, line.garments, line.url)?;
    Ok((at, event))
}

/// The JSON lines file being appended to.
#[derive(Debug)]
struct JsonlFile {
    path: PathBuf,
    file: File,
    /// The open file's (device, inode) on Unix, to notice rotation.
    identity: Option<(u64, u64)>,
    /// A failed write left part of a line that could not be cut off: the
    /// next line starts with a newline to stay whole.
    torn: bool,
}

impl JsonlFile {
    fn open(path: &Path) -> Result<JsonlFile, EventLogError> {
        check_folder(path)?;
        let open_error = |source| EventLogError::Open {
            path: path.to_path_buf(),
            source,
        };
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .map_err(open_error)?;
        let identity = identity(&file.metadata().map_err(open_error)?);
        Ok(JsonlFile {
            path: path.to_path_buf(),
            file,
            identity,
            torn: false,
        })
    }

    fn append(&mut self, event: &KioskEvent, at: SystemTime) -> Result<(), EventLogError> {
        let mut line = encode_line(&self.path, event, at)?;
        self.reopen_if_moved()?;
        if self.torn {
            line.insert(0, b'\n');
        }
        let len_before = self.file.metadata().map(|meta| meta.len());
        match self.file.write_all(&line) {
            Ok(()) => {
                self.torn = false;
                Ok(())
            }
            Err(source) => {
                let cut_off = matches!(len_before, Ok(len) if self.file.set_len(len).is_ok());
                self.torn = !cut_off;
                Err(EventLogError::Write {
                    path: self.path.clone(),
                    source,
                })
            }
        }
    }

    /// Opens the path afresh when it no longer names the open file
    /// (logrotate moved it away).
    fn reopen_if_moved(&mut self) -> Result<(), EventLogError> {
        let moved = match std::fs::metadata(&self.path) {
            Ok(on_disk) => identity(&on_disk) != self.identity,
            // Moved and not yet recreated (or unreadable: opening says why).
            Err(_) => true,
        };
        if moved {
            *self = JsonlFile::open(&self.path)?;
        }
        Ok(())
    }
}

#[cfg(unix)]
fn identity(meta: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_meta: &Metadata) -> Option<(u64, u64)> {
    None
}
