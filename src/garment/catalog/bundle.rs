//! A catalog as a set of files: which files a copy of it needs (for a web
//! page's build script), and that set read into memory.

use std::path::{Path, PathBuf};

use super::{AssetFiles, Catalog, GarmentKind};
#[cfg(not(target_arch = "wasm32"))]
use super::{CatalogError, MemoryFiles};
use crate::garment::gltf_load::{external_files, Limits};

impl Catalog {
    /// Every file a copy of this catalog needs, relative to the manifest's
    /// folder (as the manifest names them): the manifest's own file name
    /// first, then for each garment its asset, the buffers and images a
    /// `.gltf` asset names (read from `files` to find them) and its
    /// thumbnail. Each is listed once. Garments left out of the catalog
    /// are not listed; load it with `load`, not `load_usable`, to have
    /// every garment.
    pub fn needed_files(&self, files: &AssetFiles) -> crate::Result<Vec<PathBuf>> {
        let base_dir = self.path.parent().unwrap_or(Path::new(""));
        let relative = |path: &Path| path.strip_prefix(base_dir).unwrap_or(path).to_path_buf();
        let mut needed: Vec<PathBuf> = self
            .path
            .file_name()
            .map(PathBuf::from)
            .into_iter()
            .collect();
        let mut add = |path: PathBuf| {
            if !needed.contains(&path) {
                needed.push(path);
            }
        };
        for entry in &self.garments {
            add(relative(&entry.asset));
            if matches!(entry.kind, GarmentKind::Mesh | GarmentKind::Accessory) {
                for file in external_files(files, &entry.asset, &Limits::default())? {
                    add(relative(&file));
                }
            }
            if let Some(thumbnail) = &entry.thumbnail {
                add(relative(thumbnail));
            }
        }
        Ok(needed)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl MemoryFiles {
    /// The catalog whose manifest is `manifest_path` on disk, read into
    /// memory: the manifest at its file name (`catalog.toml`) and every
    /// file of [`Catalog::needed_files`] at its path relative to the
    /// manifest's folder. The catalog is checked in full first (`Catalog::load`):
    /// a garment with a problem is an error rather than left behind.
    pub fn from_catalog_dir(manifest_path: impl AsRef<Path>) -> crate::Result<MemoryFiles> {
        let manifest_path = manifest_path.as_ref();
        let catalog = Catalog::load(manifest_path)?;
        let base_dir = manifest_path.parent().unwrap_or(Path::new(""));
        let mut files = MemoryFiles::new();
        for relative in catalog.needed_files(&AssetFiles::Disk)? {
            let path = base_dir.join(&relative);
            let bytes = std::fs::read(&path).map_err(|source| CatalogError::FileIo {
                path: path.clone(),
                source,
            })?;
            files.insert(relative, bytes);
        }
        Ok(files)
    }
}
