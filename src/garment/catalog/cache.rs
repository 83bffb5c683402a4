//! Garment assets loaded on first use and kept while their file is
//! unchanged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::watch::FileStamp;
use super::{AssetFiles, Catalog};

/// Loaded assets keyed by path (as given, e.g. `CatalogEntry::asset`), each
/// with the file's modification time and length when it was loaded, so an
/// asset that staff replace is loaded again. Bounded: one entry per file
/// (a replaced file replaces its entry), and `evict_missing` drops the
/// files a catalog no longer names, so a kiosk holds at most its
/// catalog's assets however long it runs.
#[derive(Debug)]
pub struct AssetCache<T> {
    entries: HashMap<PathBuf, Cached<T>>,
}

#[derive(Debug)]
struct Cached<T> {
    stamp: FileStamp,
    value: Arc<T>,
}

impl<T> Default for AssetCache<T> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
        }
    }
}

impl<T> AssetCache<T> {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached asset if its file is unchanged, else `loader(path)`'s
    /// result, cached. A failed load is not cached (the next call tries
    /// again) and drops any older copy. If the file cannot be looked at,
    /// the loader runs every time and nothing is cached.
    pub fn get_or_load<E>(
        &mut self,
        path: &Path,
        loader: impl FnOnce(&Path) -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        self.get_or_load_from(&AssetFiles::Disk, path, loader)
    }

    /// `get_or_load` for a file of `files`: with memory files (which do
    /// not change) a loaded asset is kept until it is evicted.
    pub fn get_or_load_from<E>(
        &mut self,
        files: &AssetFiles,
        path: &Path,
        loader: impl FnOnce(&Path) -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        // Stamp before loading: a change during the load shows next time.
        let stamp = files.stamp(path).ok();
        if let (Some(stamp), Some(cached)) = (stamp, self.entries.get(path)) {
            if cached.stamp == stamp {
                return Ok(Arc::clone(&cached.value));
            }
        }
        self.entries.remove(path);
        let value = Arc::new(loader(path)?);
        if let Some(stamp) = stamp {
            let cached = Cached {
                stamp,
                value: Arc::clone(&value),
            };
            self.entries.insert(path.to_path_buf(), cached);
        }
        Ok(value)
    }

    /// The cached asset, without looking at the file.
    pub fn get(&self, path: &Path) -> Option<Arc<T>> {
        self.entries
            .get(path)
            .map(|cached| Arc::clone(&cached.value))
    }

    /// Drops assets the catalog no longer names (after a reload); returns
    /// how many were dropped.
    pub fn evict_missing(&mut self, catalog: &Catalog) -> usize {
        let before = self.entries.len();
        let named: std::collections::HashSet<&Path> = catalog.files().collect();
        self.entries
            .retain(|path, _| named.contains(path.as_path()));
        before - self.entries.len()
    }

    /// Drops the asset cached for `path`, returning it if there was one.
    pub fn remove(&mut self, path: &Path) -> Option<Arc<T>> {
        self.entries.remove(path).map(|cached| cached.value)
    }

    /// Drops every cached asset.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The number of cached assets (one per file).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no asset is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
