//! Where the catalog's files come from: the disk, or a set of files given
//! in memory (a browser has no file system; an app may embed its assets).
//! Every reader of catalog files (the manifest, garment assets with a glTF's
//! buffers and images, photo garments) goes through [`AssetFiles`], so with
//! memory files nothing touches the file system.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read};
use std::path::{Component, Path};
use std::sync::Arc;

use super::watch::FileStamp;

/// Files held in memory by path: a folder given as bytes.
///
/// Paths are relative to the root of the set and resolved as URLs are:
/// `.` and `..` are taken lexically (`..` stops at the root), a leading
/// `/` is the root, and `\` works as a separator where the platform takes
/// it. Put the catalog's manifest in the set (e.g. at `catalog.toml`) with
/// its files at the paths the manifest names, relative to the manifest's
/// folder (`tshirt.glb`, `thumbs/tee-indigo.png`), and a `.gltf`'s buffers
/// and images next to it as it names them; then give the manifest's path
/// in the set where a catalog path is asked for (`TryOnConfig::catalog`).
/// [`MemoryFiles::from_catalog_dir`] builds the set from a catalog on disk.
///
/// ```
/// use drape::garment::catalog::{AssetFiles, Catalog, MemoryFiles};
/// use std::sync::Arc;
/// let mut files = MemoryFiles::new();
/// files.insert("catalog.toml", std::fs::read("assets/garments/catalog.toml")?);
/// for name in ["tshirt.glb", "jacket.glb", "photo_tee.png", "glasses.glb", "watch.glb"] {
///     files.insert(name, std::fs::read(format!("assets/garments/{name}"))?);
/// }
/// for id in ["tee-indigo", "jacket-charcoal", "photo-tee", "glasses-round", "watch-steel"] {
///     let name = format!("thumbs/{id}.png");
///     files.insert(&name, std::fs::read(format!("assets/garments/{name}"))?);
/// }
/// let catalog = Catalog::load_from("catalog.toml", &AssetFiles::Memory(Arc::new(files)))?;
/// assert_eq!(catalog.default_id, "tee-indigo");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MemoryFiles {
    /// By the path's key (see [`memory_key`]).
    files: BTreeMap<String, Arc<[u8]>>,
}

impl MemoryFiles {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the file at `path` (replacing one there); returns the bytes it
    /// replaced.
    pub fn insert(
        &mut self,
        path: impl AsRef<Path>,
        bytes: impl Into<Arc<[u8]>>,
    ) -> Option<Arc<[u8]>> {
        self.files.insert(memory_key(path.as_ref()), bytes.into())
    }

    /// The file at `path`, if given.
    pub fn get(&self, path: impl AsRef<Path>) -> Option<&Arc<[u8]>> {
        self.files.get(&memory_key(path.as_ref()))
    }

    /// Whether a file was given at `path`.
    pub fn contains(&self, path: impl AsRef<Path>) -> bool {
        self.get(path).is_some()
    }

    /// Removes the file at `path`, returning its bytes if there was one.
    pub fn remove(&mut self, path: impl AsRef<Path>) -> Option<Arc<[u8]>> {
        self.files.remove(&memory_key(path.as_ref()))
    }

    /// Every path in the set, `/`-separated, in sorted order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the set holds no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Whether `path` is a folder of the set: some file lies under it.
    fn is_folder(&self, path: &Path) -> bool {
        let key = memory_key(path);
        let prefix = if key.is_empty() { key } else { key + "/" };
        self.files
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
    }
}

impl fmt::Debug for MemoryFiles {
    /// Paths and sizes, not the bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.files
                    .iter()
                    .map(|(path, bytes)| (path, format!("{} bytes", bytes.len()))),
            )
            .finish()
    }
}

/// `path` as a key of the set: its normal components joined with `/`,
/// `.` dropped, `..` taking one off (none past the root), roots and
/// prefixes ignored.
fn memory_key(path: &Path) -> String {
    let mut parts: Vec<Cow<str>> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy()),
            Component::ParentDir => {
                parts.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    parts.join("/")
}

/// Where catalog files are read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AssetFiles {
    /// The file system: paths as the operating system takes them.
    #[default]
    Disk,
    /// The files given, by their path in the set; nothing is read from
    /// disk and nothing changes while in use.
    Memory(Arc<MemoryFiles>),
}

/// Why a file is not in memory: the message of the `NotFound` error a
/// missing memory file gives.
const NOT_GIVEN: &str = "not given: no such file among the files given in memory";

impl AssetFiles {
    /// Whether the files are in memory.
    pub fn is_memory(&self) -> bool {
        matches!(self, AssetFiles::Memory(_))
    }

    /// Where a missing file was looked for, for messages: the folder on
    /// disk, or the files given in memory.
    pub(crate) fn place(&self, folder: &Path) -> String {
        match self {
            AssetFiles::Disk if folder.as_os_str().is_empty() => ".".to_owned(),
            AssetFiles::Disk => folder.display().to_string(),
            AssetFiles::Memory(_) => "the files given in memory (it was not given)".to_owned(),
        }
    }

    /// The length of the file at `path` in bytes. A folder is an
    /// `IsADirectory` error; a file missing from memory a `NotFound` one
    /// saying it was not given.
    pub fn file_len(&self, path: &Path) -> io::Result<u64> {
        match self {
            AssetFiles::Disk => {
                let metadata = std::fs::metadata(path)?;
                if metadata.is_dir() {
                    return Err(io::Error::new(io::ErrorKind::IsADirectory, "a folder"));
                }
                if !metadata.is_file() {
                    return Err(io::Error::other("not a regular file"));
                }
                Ok(metadata.len())
            }
            AssetFiles::Memory(files) => match files.get(path) {
                Some(bytes) => Ok(bytes.len() as u64),
                None if files.is_folder(path) => {
                    Err(io::Error::new(io::ErrorKind::IsADirectory, "a folder"))
                }
                None => Err(io::Error::new(io::ErrorKind::NotFound, NOT_GIVEN)),
            },
        }
    }

    /// The bytes of the file at `path` (borrowed from memory files).
    pub fn read(&self, path: &Path) -> io::Result<Cow<'_, [u8]>> {
        match self {
            AssetFiles::Disk => std::fs::read(path).map(Cow::Owned),
            AssetFiles::Memory(_) => self.read_at_most(path, u64::MAX),
        }
    }

    /// At most `len` bytes of the file at `path` (the length `file_len`
    /// gave), so a file that grows while it is read cannot exceed a budget.
    pub(crate) fn read_at_most(&self, path: &Path, len: u64) -> io::Result<Cow<'_, [u8]>> {
        match self {
            AssetFiles::Disk => {
                let file = std::fs::File::open(path)?;
                let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
                file.take(len).read_to_end(&mut bytes)?;
                Ok(Cow::Owned(bytes))
            }
            AssetFiles::Memory(files) => {
                self.file_len(path)?;
                let bytes = files.get(path).map_or(&[][..], |bytes| &bytes[..]);
                let end = usize::try_from(len).unwrap_or(usize::MAX).min(bytes.len());
                Ok(Cow::Borrowed(&bytes[..end]))
            }
        }
    }

    /// The file's text (UTF-8).
    pub(crate) fn read_to_string(&self, path: &Path) -> io::Result<String> {
        let bytes = self.read(path)?;
        String::from_utf8(bytes.into_owned())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.utf8_error()))
    }

    /// What tells an edited file from the one read before: its length and
    /// modification time on disk; in memory, where files do not change,
    /// its length.
    pub(crate) fn stamp(&self, path: &Path) -> io::Result<FileStamp> {
        match self {
            AssetFiles::Disk => FileStamp::of(path),
            AssetFiles::Memory(_) => self.file_len(path).map(FileStamp::in_memory),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory(paths: &[&str]) -> AssetFiles {
        let mut files = MemoryFiles::new();
        for path in paths {
            files.insert(path, path.as_bytes().to_vec());
        }
        AssetFiles::Memory(Arc::new(files))
    }

    #[test]
    fn paths_resolve_as_urls_do() {
        assert_eq!(memory_key(Path::new("a/./b/../c.bin")), "a/c.bin");
        assert_eq!(memory_key(Path::new("/catalog.toml")), "catalog.toml");
        assert_eq!(memory_key(Path::new("../../x.png")), "x.png");
        let files = memory(&["garments/thumbs/a.png"]);
        let read = files.read(Path::new("garments/./thumbs/a.png")).unwrap();
        assert_eq!(&read[..], b"garments/thumbs/a.png");
    }

    #[test]
    fn a_missing_file_says_it_was_not_given_and_a_folder_is_a_folder() {
        let files = memory(&["thumbs/a.png"]);
        let missing = files.read(Path::new("thumbs/b.png")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        assert!(missing.to_string().contains("not given"), "{missing}");
        let folder = files.file_len(Path::new("thumbs")).unwrap_err();
        assert_eq!(folder.kind(), io::ErrorKind::IsADirectory);
        // A name that merely starts like a folder's files is no folder.
        assert_eq!(
            files.file_len(Path::new("thumb")).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
    }

    #[test]
    fn reads_stop_at_the_length_given() {
        let files = memory(&["abcdef"]);
        let read = files.read_at_most(Path::new("abcdef"), 3).unwrap();
        assert_eq!(&read[..], b"abc");
        assert_eq!(files.file_len(Path::new("abcdef")).unwrap(), 6);
    }
}
