//! Putting garments on and taking them off: loading their assets (and
//! remembering those that fail), building their cloths, choosing the next
//! one and keeping the product card on the one worn.

use std::path::Path;
use std::sync::Arc;

use crate::garment::catalog::{AssetFiles, CatalogEntry, FileStamp, GarmentKind};
use crate::garment::fit::Fitter;
use crate::garment::gltf_load::{load_garment_from, GltfOptions};
use crate::gpu::GpuContext;
use crate::render::overlay::ProductCard;
use crate::render::GpuGarment;

use super::{TryOn, TryOnError, Worn};

/// A garment whose asset failed to load: `next_garment` passes it by until
/// its file changes or the catalog is reloaded.
#[derive(Debug, Clone)]
pub(super) struct Unusable {
    /// The asset file's modification time and length at the failure.
    stamp: Option<FileStamp>,
    message: String,
}

impl TryOn {
    /// Puts on the catalog's default garment or, when it fails to load,
    /// the first garment that loads (each failure reported once). Returns
    /// whether one went on.
    pub(super) fn dress_default(&mut self) -> bool {
        let catalog = self.catalog.current();
        let mut candidates: Vec<String> = catalog
            .default_entry()
            .map(|e| e.id.clone())
            .into_iter()
            .collect();
        candidates.extend(
            catalog
                .garments
                .iter()
                .filter(|g| g.kind != GarmentKind::Accessory && g.id != catalog.default_id)
                .map(|g| g.id.clone()),
        );
        for id in candidates {
            if self.is_unusable(&id) {
                continue;
            }
            match self.wear(&id) {
                Ok(_) => return true,
                Err(e) => tracing::warn!("{id}: {e}; trying the next garment"),
            }
        }
        false
    }

    /// Puts on garment `id`: a garment replaces the worn garment, an
    /// accessory replaces the one at the same anchor. Returns the ids it
    /// took off to make room (not `id` itself, worn again). On error the
    /// outfit is unchanged.
    pub fn wear(&mut self, id: &str) -> crate::Result<Vec<String>> {
        let catalog = self.catalog.current();
        let Some(entry) = catalog.get(id).cloned() else {
            if let Some(left_out) = catalog
                .left_out
                .iter()
                .find(|l| l.id.as_deref() == Some(id))
            {
                return Err(TryOnError::Asset {
                    id: id.to_owned(),
                    message: left_out.to_string(),
                }
                .into());
            }
            return Err(TryOnError::UnknownGarment {
                id: id.to_owned(),
                catalog: catalog.path.clone(),
                available: catalog
                    .garments
                    .iter()
                    .map(|g| g.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }
            .into());
        };
        self.wear_entry(entry)
    }

    /// `wear` with the entry given (a worn garment's own, on `recover`).
    pub(super) fn wear_entry(&mut self, entry: CatalogEntry) -> crate::Result<Vec<String>> {
        let garment = match self.load(&entry) {
            Ok(garment) => {
                self.unusable.remove(&entry.id);
                garment
            }
            Err(e) => {
                let message = e.to_string();
                let stamp = self.files.stamp(&entry.asset).ok();
                let known = self
                    .unusable
                    .get(&entry.id)
                    .is_some_and(|u| u.stamp == stamp && u.message == message);
                // Reported once per asset version, however often it is tried.
                if !known {
                    tracing::warn!("{}: cannot be worn: {message}", entry.id);
                    self.unusable
                        .insert(entry.id.clone(), Unusable { stamp, message });
                }
                return Err(e);
            }
        };
        let slot = |w: &Worn| match (w.entry.kind, entry.kind) {
            (GarmentKind::Accessory, GarmentKind::Accessory) => {
                w.entry.attach.as_ref().map(|a| a.anchor) == entry.attach.as_ref().map(|a| a.anchor)
            }
            (GarmentKind::Accessory, _) | (_, GarmentKind::Accessory) => false,
            _ => true,
        };
        let cloth = self.make_cloth(&entry, &garment);
        let replaced = self
            .outfit
            .iter()
            .filter(|w| slot(w) && w.entry.id != entry.id)
            .map(|w| w.entry.id.clone())
            .collect();
        self.outfit.retain(|w| !slot(w));
        self.outfit.push(Worn {
            entry,
            garment,
            fitter: Fitter::new(),
            cloth,
        });
        // Garments under accessories: draw order follows the list.
        self.outfit
            .sort_by_key(|w| w.entry.kind == GarmentKind::Accessory);
        self.update_card()?;
        Ok(replaced)
    }

    /// The product card shows the worn garment or, with none worn, the
    /// accessory put on last.
    pub(super) fn update_card(&mut self) -> crate::Result<()> {
        let Some(overlay) = self.overlay.as_mut() else {
            return Ok(());
        };
        let shown = self
            .outfit
            .iter()
            .find(|w| w.entry.kind != GarmentKind::Accessory)
            .or(self.outfit.last())
            .map(|w| ProductCard {
                name: w.entry.name.clone(),
                price: w.entry.price.to_string(),
                url: w.entry.buy_url.clone(),
                sizes: w.entry.sizes.clone(),
            });
        overlay.set_card(&self.gpu, shown.as_ref())?;
        Ok(())
    }

    /// Whether garment `id`'s asset failed to load and its file has not
    /// changed since.
    pub fn is_unusable(&self, id: &str) -> bool {
        let Some(unusable) = self.unusable.get(id) else {
            return false;
        };
        let asset = self.catalog.current().get(id).map(|e| e.asset.as_path());
        asset.is_some_and(|path| self.files.stamp(path).ok() == unusable.stamp)
    }

    /// Garments of the catalog that cannot be worn now, with why: those
    /// left out of the catalog for their own problems and those whose
    /// asset failed to load.
    pub fn unusable_garments(&self) -> Vec<(String, String)> {
        let catalog = self.catalog.current();
        let left_out = catalog.left_out.iter().map(|l| {
            let id = l.id.clone().unwrap_or_else(|| format!("line {}", l.line));
            (id, l.to_string())
        });
        let failed = self
            .unusable
            .iter()
            .filter(|(id, _)| self.is_unusable(id))
            .map(|(id, u)| (id.clone(), u.message.clone()));
        let mut all: Vec<(String, String)> = left_out.chain(failed).collect();
        all.sort();
        all
    }

    /// Wears the next (`step` 1) or previous (-1) garment of the catalog
    /// in place of the worn one (accessories stay), passing by garments
    /// whose asset failed to load; returns its id.
    pub fn next_garment(&mut self, step: isize) -> crate::Result<String> {
        let catalog = self.catalog.current();
        let worn_id = self
            .outfit
            .iter()
            .find(|w| w.entry.kind != GarmentKind::Accessory)
            .map(|w| w.entry.id.as_str());
        let garments: Vec<&CatalogEntry> = catalog
            .garments
            .iter()
            .filter(|g| g.kind != GarmentKind::Accessory)
            .filter(|g| Some(g.id.as_str()) == worn_id || !self.is_unusable(&g.id))
            .collect();
        if garments.is_empty() {
            return Err(TryOnError::NothingToWear {
                catalog: catalog.path.clone(),
            }
            .into());
        }
        let worn = self
            .outfit
            .iter()
            .find(|w| w.entry.kind != GarmentKind::Accessory)
            .and_then(|w| garments.iter().position(|g| g.id == w.entry.id));
        let next = match worn {
            Some(at) => (at as isize + step).rem_euclid(garments.len() as isize) as usize,
            None => 0,
        };
        let id = garments[next].id.clone();
        self.wear(&id)?;
        Ok(id)
    }

    /// Takes off garment `id` (nothing if it is not worn).
    pub fn take_off(&mut self, id: &str) {
        self.outfit.retain(|w| w.entry.id != id);
        if let Err(e) = self.update_card() {
            tracing::warn!("product card: {e}");
        }
    }

    fn load(&mut self, entry: &CatalogEntry) -> crate::Result<Arc<GpuGarment>> {
        let (gpu, layouts, files) = (&self.gpu, self.renderer.layouts(), &self.files);
        let garment = self
            .assets
            .get_or_load_from(files, &entry.asset, |path: &Path| {
                load_gpu_garment(gpu, layouts, files, entry, path)
            })?;
        Ok(garment)
    }
}

/// Loads a catalog entry's asset and uploads it.
fn load_gpu_garment(
    gpu: &GpuContext,
    layouts: &crate::render::garment_gpu::GarmentLayouts,
    files: &AssetFiles,
    entry: &CatalogEntry,
    path: &Path,
) -> crate::Result<GpuGarment> {
    use crate::garment::photo::load_photo_garment_from;
    let model = match entry.kind {
        GarmentKind::Mesh => load_garment_from(files, path, GltfOptions::garment())?,
        GarmentKind::Accessory => load_garment_from(files, path, GltfOptions::accessory())?,
        GarmentKind::Photo => load_photo_garment_from(files, path, entry.anchors.as_ref())?.model,
    };
    Ok(GpuGarment::upload(gpu, layouts, &model))
}
