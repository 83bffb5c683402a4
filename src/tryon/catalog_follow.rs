//! Following the catalog file: a reload takes over the new catalog, takes
//! off what it no longer allows and reports what changed.

use std::path::Path;

use crate::garment::catalog::{Catalog, CatalogError, CatalogWatcher, GarmentKind, LeftOut};

use super::TryOn;

/// The try-on's catalog: a manifest on disk, watched for edits, or one
/// given in memory, which does not change (nothing to watch, and nothing
/// looks at the disk).
#[derive(Debug)]
pub(super) enum CatalogSource {
    /// Reloaded when its file changes.
    Watched(CatalogWatcher),
    /// Read once from memory files.
    Fixed(Catalog),
}

impl CatalogSource {
    /// The catalog in use.
    pub(super) fn current(&self) -> &Catalog {
        match self {
            CatalogSource::Watched(watcher) => watcher.current(),
            CatalogSource::Fixed(catalog) => catalog,
        }
    }

    /// The manifest's path (on disk, or in the memory files).
    pub(super) fn path(&self) -> &Path {
        &self.current().path
    }

    /// A new catalog after an edit (see `CatalogWatcher::poll`); never for
    /// a catalog in memory.
    fn poll(&mut self) -> Option<Result<&Catalog, CatalogError>> {
        match self {
            CatalogSource::Watched(watcher) => watcher.poll(),
            CatalogSource::Fixed(_) => None,
        }
    }
}

/// What a catalog reload did, for a status line (each item is also logged,
/// once).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CatalogChange {
    /// Garments the new catalog leaves out for their own problems, that
    /// were not left out in the same way before (a garment that stays
    /// broken is reported once, not on every edit).
    pub left_out: Vec<LeftOut>,
    /// Worn garments that came off, with why: gone from the catalog, or
    /// their asset failed to load.
    pub taken_off: Vec<(String, String)>,
}

impl TryOn {
    /// Reloads the catalog if its file changed (looking at most every
    /// 500 ms; a catalog given in memory never changes: always `None`). An edit that breaks the file as a whole is returned as an
    /// error, once, and the last good catalog stays in use. Otherwise the
    /// new catalog takes over: garments with problems of their own are left
    /// out of it (reported once each), worn garments that vanished from it
    /// or no longer load come off (the default garment goes on when that
    /// leaves nothing worn), and a worn garment that is merely left out
    /// stays on as it was until another is chosen, so a typo in its entry
    /// does not undress the shopper.
    pub fn poll_catalog(&mut self) -> Option<Result<CatalogChange, CatalogError>> {
        let previous_left_out = self.catalog.current().left_out.clone();
        let catalog = match self.catalog.poll()? {
            Err(e) => return Some(Err(e)),
            Ok(catalog) => catalog.clone(),
        };
        let mut change = CatalogChange::default();
        // Lines move with every edit: a garment is "still broken the same
        // way" when its id and messages are unchanged.
        let same = |a: &LeftOut, b: &LeftOut| {
            a.id == b.id
                && a.problems
                    .iter()
                    .map(|p| &p.message)
                    .eq(b.problems.iter().map(|p| &p.message))
        };
        for left_out in &catalog.left_out {
            if !previous_left_out.iter().any(|old| same(old, left_out)) {
                tracing::warn!("{}: {left_out}", catalog.path.display());
                change.left_out.push(left_out.clone());
            }
        }
        let is_left_out = |id: &str| catalog.left_out.iter().any(|l| l.id.as_deref() == Some(id));
        let was_dressed = self
            .outfit
            .iter()
            .any(|w| w.entry.kind != GarmentKind::Accessory);
        let before: Vec<String> = self.outfit.iter().map(|w| w.entry.id.clone()).collect();
        self.outfit
            .retain(|w| catalog.get(&w.entry.id).is_some() || is_left_out(&w.entry.id));
        for id in before
            .iter()
            .filter(|id| !self.outfit.iter().any(|w| &w.entry.id == *id))
        {
            tracing::info!("{id}: no longer in the catalog; taken off");
            change
                .taken_off
                .push((id.clone(), "no longer in the catalog".into()));
        }
        self.assets.evict_missing(&catalog);
        // Bounded by the catalog; a garment whose asset changed is tried
        // again anyway (`is_unusable` compares the file's stamp).
        self.unusable.retain(|id, _| catalog.get(id).is_some());
        // Entries may have changed (fit, prices): refresh them.
        let ids: Vec<String> = self
            .outfit
            .iter()
            .map(|w| w.entry.id.clone())
            .filter(|id| catalog.get(id).is_some())
            .collect();
        for id in ids {
            if let Err(e) = self.wear(&id) {
                self.take_off(&id);
                change.taken_off.push((id, e.to_string()));
            }
        }
        let dressed = self
            .outfit
            .iter()
            .any(|w| w.entry.kind != GarmentKind::Accessory);
        if was_dressed && !dressed {
            self.dress_default();
        }
        if let Err(e) = self.update_card() {
            tracing::warn!("product card: {e}");
        }
        Some(Ok(change))
    }
}
