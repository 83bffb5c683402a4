//! Reloading the manifest while the kiosk runs, so staff can edit it in
//! place. A garment with problems of its own is left out (see
//! `Catalog::load_usable`); an edit that breaks the whole file is reported
//! once and the last good catalog stays.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use web_time::Instant;

use super::{Catalog, CatalogError};

/// How often [`CatalogWatcher::poll`] looks at the file.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(500);

/// What a `stat` says about a file: enough to notice an edit without
/// reading it. An edit that keeps both the length and the modification
/// time (possible on file systems with coarse timestamps) goes unnoticed
/// until the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
}

impl FileStamp {
    /// A file in memory: it never changes, so its length is enough.
    pub(super) fn in_memory(len: u64) -> Self {
        Self {
            modified: None,
            len,
        }
    }

    pub(super) fn of(path: &Path) -> io::Result<Self> {
        let metadata = std::fs::metadata(path)?;
        Ok(Self {
            modified: metadata.modified().ok(),
            len: metadata.len(),
        })
    }
}

/// What the last look at the file found; a poll reports only changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    File(FileStamp),
    Unreadable(io::ErrorKind),
}

/// Keeps a catalog in step with its manifest file.
///
/// ```no_run
/// # use drape::garment::catalog::CatalogWatcher;
/// # fn main() -> Result<(), drape::garment::catalog::CatalogError> {
/// let mut watcher = CatalogWatcher::new("assets/garments/catalog.toml")?;
/// loop {
///     // Every frame: cheap, it looks at the file at most every 500 ms.
///     match watcher.poll() {
///         Some(Ok(catalog)) => println!("catalog reloaded: {} garments", catalog.garments.len()),
///         Some(Err(error)) => eprintln!("{error}"), // still showing watcher.current()
///         None => {}
///     }
/// #   break;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct CatalogWatcher {
    path: PathBuf,
    current: Catalog,
    seen: Seen,
    interval: Duration,
    last_check: Instant,
}

impl CatalogWatcher {
    /// Loads the catalog (leaving out broken garments, see
    /// `Catalog::load_usable`); fails if this first load fails.
    pub fn new(path: impl AsRef<Path>) -> Result<Self, CatalogError> {
        Self::with_interval(path, DEFAULT_POLL_INTERVAL)
    }

    /// Like `new`, looking at the file at most every `interval`.
    pub fn with_interval(path: impl AsRef<Path>, interval: Duration) -> Result<Self, CatalogError> {
        let path = path.as_ref().to_path_buf();
        // Stamp before reading: an edit during the read then shows as a change.
        let stamp = FileStamp::of(&path).map_err(|source| CatalogError::Io {
            path: path.clone(),
            source,
        })?;
        let current = Catalog::load_usable(&path)?;
        Ok(Self {
            path,
            current,
            seen: Seen::File(stamp),
            interval,
            last_check: Instant::now(),
        })
    }

    /// The last catalog that loaded (its `left_out` lists the garments
    /// that were not usable).
    pub fn current(&self) -> &Catalog {
        &self.current
    }

    /// The manifest file watched.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Call every frame. `None` when nothing changed (or it is too soon to
    /// look again); `Some(Ok)` with the new catalog after an edit that left
    /// it usable (its `left_out` lists garments dropped for their own
    /// problems); `Some(Err)` once per bad edit or deletion, keeping
    /// `current()`.
    pub fn poll(&mut self) -> Option<Result<&Catalog, CatalogError>> {
        self.poll_at(Instant::now())
    }

    /// `poll` with the clock given, for tests and callers with a frame clock.
    pub fn poll_at(&mut self, now: Instant) -> Option<Result<&Catalog, CatalogError>> {
        if now.saturating_duration_since(self.last_check) < self.interval {
            return None;
        }
        self.check(now)
    }

    /// Looks at the file now, whatever the interval.
    pub fn poll_now(&mut self) -> Option<Result<&Catalog, CatalogError>> {
        self.check(Instant::now())
    }

    fn check(&mut self, now: Instant) -> Option<Result<&Catalog, CatalogError>> {
        self.last_check = now;
        let stamp = FileStamp::of(&self.path);
        let seen = match &stamp {
            Ok(stamp) => Seen::File(*stamp),
            Err(error) => Seen::Unreadable(error.kind()),
        };
        if seen == self.seen {
            return None;
        }
        self.seen = seen;
        if let Err(source) = stamp {
            return Some(Err(CatalogError::Io {
                path: self.path.clone(),
                source,
            }));
        }
        match Catalog::load_usable(&self.path) {
            Ok(catalog) => {
                self.current = catalog;
                Some(Ok(&self.current))
            }
            Err(error) => Some(Err(error)),
        }
    }
}
