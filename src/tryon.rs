//! `TryOn`: pose → fit → render for each frame, with an outfit chosen from
//! the catalog. `Mirror` runs it after the upload when a try-on is set, so
//! every way of running drape (files, pipes, windows) shows the garment.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use glam::Vec3;

use crate::garment::accessory::accessory_transform;
use crate::garment::catalog::{
    AssetCache, Catalog, CatalogEntry, CatalogError, CatalogWatcher, GarmentKind, LeftOut,
};
use crate::garment::cloth::body_capsules;
use crate::garment::deform::FitParams;
use crate::garment::fit::{BodyCamera, Fitter};
use crate::garment::gltf_load::{load_garment, GltfOptions};
use crate::gpu::GpuContext;
use crate::pose::{Body, PoseConfig, PoseTracker};
use crate::render::cloth_gpu::GarmentCloth;
use crate::render::overlay::{OverlayCorner, OverlayRenderer, ProductCard};
use crate::render::{GpuGarment, SceneGarment, ShadingLight, TryOnRenderer, TryOnScene};

/// What can go wrong choosing garments.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TryOnError {
    /// A garment id the catalog does not have.
    #[error("no garment {id:?} in {catalog}; it has: {available}")]
    UnknownGarment {
        /// The id asked for.
        id: String,
        /// The catalog's manifest file.
        catalog: PathBuf,
        /// The catalog's garment ids, separated by commas.
        available: String,
    },
    /// A garment that cannot be worn: left out of the catalog for its own
    /// problems.
    #[error("{id}: {message}")]
    Asset {
        /// The garment's id.
        id: String,
        /// Why it cannot be worn.
        message: String,
    },
    /// No garment (other than accessories) that can be worn: switching
    /// has nothing to switch to.
    #[error(
        "{catalog} has no garments to switch to (every one is an accessory or cannot be worn)"
    )]
    NothingToWear {
        /// The catalog's manifest file.
        catalog: PathBuf,
    },
}

/// How the try-on runs.
#[derive(Debug, Clone, PartialEq)]
pub struct TryOnConfig {
    /// The catalog manifest (TOML); it is watched for changes.
    pub catalog: PathBuf,
    /// Garments worn at the start (ids); empty: the catalog's default.
    pub wear: Vec<String>,
    /// How the body is tracked (the GPU person mask is always on).
    pub pose: PoseConfig,
    /// Show the worn garment's product card with a QR code to buy it.
    pub overlay: bool,
    /// Where the card sits.
    pub card_corner: OverlayCorner,
    /// Which garments are simulated as cloth.
    pub cloth: ClothMode,
}

/// Which garments with a `[garment.cloth]` table hang and swing as cloth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ClothMode {
    /// As the catalog says: on a real GPU all of them, on a software one
    /// those that say `software = true`.
    #[default]
    Auto,
    /// All of them, software GPU or not.
    On,
    /// None: every garment skinned alone.
    Off,
}

/// A longer pause between frames than this (seconds) starts the cloth
/// again from rest: a cut, a stall, a paused source.
pub const CLOTH_RESTART_AFTER_S: f32 = 0.5;
/// A body moving further than this between two frames (metres) jumped:
/// the cloth starts again from rest rather than fly after it.
pub const MAX_BODY_MOVE_M: f32 = 0.3;

impl TryOnConfig {
    /// The bundled sample catalog with its default garment.
    pub fn sample() -> TryOnConfig {
        TryOnConfig {
            catalog: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/garments/catalog.toml"),
            wear: Vec::new(),
            pose: PoseConfig {
                gpu_mask: true,
                ..PoseConfig::default()
            },
            overlay: true,
            card_corner: OverlayCorner::default(),
            cloth: ClothMode::Auto,
        }
    }
}

/// Where a frame's time went, in milliseconds. The GPU stages (deform,
/// cloth, render) count recording only, unless `TryOn::set_stage_timing`
/// is on: then each is submitted and waited for, and includes the GPU's
/// work.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TryOnTimes {
    /// Tracking the body: landmarks and the person mask.
    pub pose_ms: f64,
    /// Posing the rigs on the CPU.
    pub fit_ms: f64,
    /// The silhouette's profile and every garment skinned and fitted to it.
    pub deform_ms: f64,
    /// The cloths' steps.
    pub cloth_ms: f64,
    /// Normals, the frame, garments, soft edges and the product card.
    pub render_ms: f64,
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

/// A garment whose asset failed to load: `next_garment` passes it by until
/// its file changes or the catalog is reloaded.
#[derive(Debug, Clone)]
struct Unusable {
    /// The asset file's modification time and length at the failure.
    stamp: Option<(SystemTime, u64)>,
    message: String,
}

fn asset_stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.modified().ok()?, metadata.len()))
}

/// A worn item: its catalog entry, its model on the GPU, its fitter and,
/// when it hangs as cloth, its cloth.
struct Worn {
    entry: CatalogEntry,
    garment: Arc<GpuGarment>,
    fitter: Fitter,
    cloth: Option<GarmentCloth>,
}

/// The try-on stage.
pub struct TryOn {
    gpu: GpuContext,
    tracker: PoseTracker,
    renderer: TryOnRenderer,
    overlay: Option<OverlayRenderer>,
    catalog: CatalogWatcher,
    assets: AssetCache<GpuGarment>,
    /// Garments of the current catalog whose asset failed to load, by id.
    /// Bounded by the catalog: entries for ids it no longer has are
    /// dropped at each reload.
    unusable: HashMap<String, Unusable>,
    outfit: Vec<Worn>,
    /// Kept to build the tracker again on a new device (`recover`).
    pose_config: PoseConfig,
    last_body: Option<Body>,
    /// The last frame's timestamp, while a body is seen: the cloth's step.
    last_timestamp: Option<Duration>,
    /// The last frame's body camera: how far the body moved since.
    last_camera: Option<BodyCamera>,
    cloth_mode: ClothMode,
    times: TryOnTimes,
    /// Submit and wait after each GPU stage to time it (benchmarks).
    stage_timing: bool,
    /// A fixed light for garments; `None` (the default) estimates the
    /// room's light from each frame.
    pub light: Option<ShadingLight>,
}

impl TryOn {
    /// Loads the catalog and puts on `config.wear`, or the catalog's
    /// default garment. Garments the catalog leaves out for their own
    /// problems are logged; a default garment that fails to load is
    /// reported and the next one in the catalog worn instead, while an
    /// explicit `wear` that fails is an error.
    pub fn new(gpu: &GpuContext, config: TryOnConfig) -> crate::Result<TryOn> {
        let catalog = CatalogWatcher::new(&config.catalog)?;
        for left_out in &catalog.current().left_out {
            tracing::warn!("{}: {left_out}", catalog.path().display());
        }
        let pose_config = PoseConfig {
            gpu_mask: true,
            ..config.pose
        };
        let mut tryon = TryOn {
            gpu: gpu.clone(),
            tracker: PoseTracker::new(gpu, pose_config)?,
            renderer: TryOnRenderer::new(gpu),
            overlay: config.overlay.then(|| {
                let mut overlay = OverlayRenderer::new(gpu);
                overlay.set_corner(config.card_corner);
                overlay
            }),
            catalog,
            assets: AssetCache::new(),
            unusable: HashMap::new(),
            outfit: Vec::new(),
            pose_config,
            last_body: None,
            last_timestamp: None,
            last_camera: None,
            cloth_mode: config.cloth,
            times: TryOnTimes::default(),
            stage_timing: false,
            light: None,
        };
        if config.wear.is_empty() {
            tryon.dress_default();
        }
        for id in config.wear {
            tryon.wear(&id)?;
        }
        Ok(tryon)
    }

    /// Puts on the catalog's default garment or, when it fails to load,
    /// the first garment that loads (each failure reported once). Returns
    /// whether one went on.
    fn dress_default(&mut self) -> bool {
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

    /// Rebuilds every GPU resource on `gpu` after the device was lost
    /// (`GpuError::DeviceLost`): the pose tracker, the renderer, the
    /// product card and each worn garment, from the entries worn (so the
    /// outfit and the catalog stay as they were). A worn garment that no
    /// longer loads is reported and left off. Tracking and cloth start
    /// again from rest.
    pub fn recover(&mut self, gpu: &GpuContext) -> crate::Result<()> {
        let tracker = PoseTracker::new(gpu, self.pose_config)?;
        self.gpu = gpu.clone();
        self.tracker = tracker;
        self.renderer = TryOnRenderer::new(gpu);
        if let Some(old) = &self.overlay {
            let mut overlay = OverlayRenderer::new(gpu);
            overlay.set_corner(old.corner());
            self.overlay = Some(overlay);
        }
        // Everything cached lives on the old device.
        self.assets.clear();
        self.last_body = None;
        self.last_timestamp = None;
        self.last_camera = None;
        let worn: Vec<CatalogEntry> = self.outfit.drain(..).map(|w| w.entry).collect();
        for entry in worn {
            if let Err(e) = self.wear_entry(entry.clone()) {
                tracing::warn!("{}: not worn after the GPU came back: {e}", entry.id);
            }
        }
        self.update_card()
    }

    /// The catalog in use: the last one that loaded.
    pub fn catalog(&self) -> &Catalog {
        self.catalog.current()
    }

    /// The ids worn now.
    pub fn outfit(&self) -> Vec<&str> {
        self.outfit.iter().map(|w| w.entry.id.as_str()).collect()
    }

    /// The body found in the last frame.
    pub fn body(&self) -> Option<&Body> {
        self.last_body.as_ref()
    }

    /// Where the last frame's time went.
    pub fn times(&self) -> TryOnTimes {
        self.times
    }

    /// Time each GPU stage by submitting it and waiting for the GPU (for
    /// `drape bench frame`; it costs the GPU its overlap with the CPU).
    pub fn set_stage_timing(&mut self, on: bool) {
        self.stage_timing = on;
    }

    /// Ends a stage: with stage timing, submits `encoder`'s work (leaving a
    /// fresh encoder) and waits for it. Returns the stage's milliseconds
    /// and restarts `clock`.
    fn stage_done(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        clock: &mut Instant,
    ) -> crate::Result<f64> {
        if self.stage_timing {
            let next = self
                .gpu
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("try-on"),
                });
            self.gpu
                .queue
                .submit([std::mem::replace(encoder, next).finish()]);
            self.gpu.wait_idle()?;
        }
        let ms = clock.elapsed().as_secs_f64() * 1e3;
        *clock = Instant::now();
        Ok(ms)
    }

    /// The pose tracker that finds the body in each frame.
    pub fn tracker(&self) -> &PoseTracker {
        &self.tracker
    }

    /// The last frame's person mask copied to the CPU (tests and tools:
    /// it waits for the GPU); `None` when the last frame had nobody.
    pub fn read_person_mask(&mut self) -> crate::Result<Option<crate::pose::mask::PersonMask>> {
        if self.last_body.is_none() {
            return Ok(None);
        }
        Ok(self.tracker.read_mask()?)
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
    fn wear_entry(&mut self, entry: CatalogEntry) -> crate::Result<Vec<String>> {
        let garment = match self.load(&entry) {
            Ok(garment) => {
                self.unusable.remove(&entry.id);
                garment
            }
            Err(e) => {
                let message = e.to_string();
                let stamp = asset_stamp(&entry.asset);
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

    /// The cloth of a garment put on, when its catalog entry and the mode
    /// say so. A cloth that cannot be built (a mesh beyond the solver's
    /// limits) is reported and the garment worn skinned alone.
    fn make_cloth(&self, entry: &CatalogEntry, garment: &GpuGarment) -> Option<GarmentCloth> {
        let options = entry.cloth.as_ref()?;
        let simulate = match self.cloth_mode {
            ClothMode::Off => false,
            ClothMode::On => true,
            ClothMode::Auto => options.software || !self.gpu.is_software(),
        };
        if !simulate || !garment.skinned {
            return None;
        }
        match GarmentCloth::new(&self.gpu, self.renderer.layouts(), garment, options) {
            Ok(cloth) => Some(cloth),
            Err(e) => {
                tracing::warn!("{}: worn without cloth: {e}", entry.id);
                None
            }
        }
    }

    /// Whether garment `id` is worn and hangs as cloth.
    pub fn simulates_cloth(&self, id: &str) -> bool {
        self.outfit
            .iter()
            .any(|w| w.entry.id == id && w.cloth.is_some())
    }

    /// The seconds since the last frame for the cloth, or `None` when it
    /// starts again from rest (the first frame with a body, time going
    /// backwards, a long pause).
    fn frame_interval_s(&mut self, timestamp: Duration, has_body: bool) -> Option<f32> {
        let last = std::mem::replace(&mut self.last_timestamp, has_body.then_some(timestamp));
        let dt_s = timestamp.checked_sub(last?)?.as_secs_f32();
        (dt_s <= CLOTH_RESTART_AFTER_S).then_some(dt_s)
    }

    /// How far the body (the point between its hips) moved in the world
    /// since the last frame, metres, from the body cameras; `None` on the
    /// first frame or after a jump no body makes in a frame (a cut, a
    /// tracking switch to someone else).
    fn body_moved_m(&mut self, camera: &BodyCamera) -> Option<Vec3> {
        let last = self.last_camera.replace(*camera)?;
        let pixels = camera.origin_px - last.origin_px;
        let moved = Vec3::new(pixels.x, -pixels.y, 0.0) / camera.pixels_per_metre.max(1e-3);
        (moved.length() <= MAX_BODY_MOVE_M).then_some(moved)
    }

    /// The product card shows the worn garment or, with none worn, the
    /// accessory put on last.
    fn update_card(&mut self) -> crate::Result<()> {
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
        asset.is_some_and(|path| asset_stamp(path) == unusable.stamp)
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
        let (gpu, layouts) = (&self.gpu, self.renderer.layouts());
        let garment = self.assets.get_or_load(&entry.asset, |path: &Path| {
            load_gpu_garment(gpu, layouts, entry, path)
        })?;
        Ok(garment)
    }

    /// Reloads the catalog if its file changed (looking at most every
    /// 500 ms). An edit that breaks the file as a whole is returned as an
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

    /// Runs pose, fit and render on one frame: `texture` is the working
    /// texture, `rgba` the same pixels on the CPU where the caller has
    /// them (`None`: read back if the pose stage needs them, see
    /// `PoseTracker::needs_cpu_frame`). Returns the dressed frame (valid
    /// until the next call).
    pub fn process(
        &mut self,
        texture: &wgpu::Texture,
        rgba: Option<&[u8]>,
        timestamp: Duration,
    ) -> crate::Result<wgpu::Texture> {
        let clock = Instant::now();
        let body = self
            .tracker
            .process_with_texture(rgba, texture, timestamp)?;
        self.times.pose_ms = clock.elapsed().as_secs_f64() * 1e3;
        let clock = Instant::now();
        let (width, height) = (texture.width(), texture.height());
        let mut rig = None;
        if let Some(body) = &body {
            for worn in &mut self.outfit {
                let fitted =
                    worn.fitter
                        .fit(body, width, height, &worn.garment.bind, &worn.entry.fit);
                // Accessories are placed at their anchor, garments skinned.
                match &worn.entry.attach {
                    Some(attachment) => worn.garment.place(
                        &self.gpu,
                        accessory_transform(body, &fitted, width, height, attachment),
                    ),
                    None => worn.garment.pose(
                        &self.gpu,
                        &fitted,
                        &FitParams::garment(worn.entry.fit.ease),
                    ),
                }
                // The first worn item's rig places the body proxies; with
                // nothing worn there is nothing to occlude or shade.
                rig.get_or_insert(fitted);
            }
        } else {
            self.outfit.iter_mut().for_each(|w| w.fitter.reset());
        }
        self.times.fit_ms = clock.elapsed().as_secs_f64() * 1e3;
        let mut clock = Instant::now();
        let dt_s = self.frame_interval_s(timestamp, body.is_some());
        let mask = body.as_ref().and(self.tracker.mask_texture()).cloned();
        let mut encoder = self
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("try-on"),
            });
        // Fit every garment to the silhouette, step the cloths towards the
        // fitted garments, then draw each from its cloth or as fitted.
        let fitted: Vec<SceneGarment> = self
            .outfit
            .iter()
            .map(|w| SceneGarment::from(w.garment.as_ref()))
            .collect();
        self.renderer.encode_fit(
            &self.gpu,
            &mut encoder,
            &TryOnScene {
                frame: texture,
                mask: mask.as_ref(),
                rig: rig.as_ref(),
                body: body.as_ref(),
                garments: &fitted,
                light: self.light,
            },
        )?;
        drop(fitted);
        self.times.deform_ms = self.stage_done(&mut encoder, &mut clock)?;
        let moved_m = rig.as_ref().and_then(|rig| self.body_moved_m(&rig.camera));
        if let Some(rig) = &rig {
            let capsules = body_capsules(rig);
            for worn in &mut self.outfit {
                if let Some(cloth) = &mut worn.cloth {
                    if dt_s.is_none() || moved_m.is_none() {
                        cloth.reset();
                    }
                    cloth.encode_step(
                        &self.gpu,
                        &mut encoder,
                        &worn.garment,
                        dt_s.unwrap_or(0.0),
                        moved_m.unwrap_or(Vec3::ZERO),
                        &capsules,
                    )?;
                }
            }
        } else {
            self.last_camera = None;
        }
        self.times.cloth_ms = self.stage_done(&mut encoder, &mut clock)?;
        let drawn: Vec<SceneGarment> = self
            .outfit
            .iter()
            .map(|w| match &w.cloth {
                Some(cloth) if rig.is_some() => SceneGarment {
                    garment: &w.garment,
                    surface: &cloth.surface,
                },
                _ => SceneGarment::from(w.garment.as_ref()),
            })
            .collect();
        let output = self.renderer.encode_draw(
            &self.gpu,
            &mut encoder,
            &TryOnScene {
                frame: texture,
                mask: mask.as_ref(),
                rig: rig.as_ref(),
                body: body.as_ref(),
                garments: &drawn,
                light: self.light,
            },
        )?;
        if let Some(overlay) = &self.overlay {
            overlay.encode(&self.gpu, &mut encoder, &output)?;
        }
        self.times.render_ms = self.stage_done(&mut encoder, &mut clock)?;
        self.gpu.queue.submit([encoder.finish()]);
        self.last_body = body;
        Ok(output)
    }
}

/// Loads a catalog entry's asset and uploads it.
fn load_gpu_garment(
    gpu: &GpuContext,
    layouts: &crate::render::garment_gpu::GarmentLayouts,
    entry: &CatalogEntry,
    path: &Path,
) -> crate::Result<GpuGarment> {
    let model = match entry.kind {
        GarmentKind::Mesh => load_garment(path, GltfOptions::garment())?,
        GarmentKind::Accessory => load_garment(path, GltfOptions::accessory())?,
        GarmentKind::Photo => {
            crate::garment::photo::load_photo_garment(path, entry.anchors.as_ref())?.model
        }
    };
    Ok(GpuGarment::upload(gpu, layouts, &model))
}
