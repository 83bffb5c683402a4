//! `TryOn`: pose → fit → render for each frame, with an outfit chosen from
//! the catalog. `Mirror` runs it after the upload when a try-on is set, so
//! every way of running drape (files, pipes, windows) shows the garment.

mod catalog_follow;
mod cloth;
mod outfit;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use web_time::Instant;

use glam::Vec3;

use crate::garment::accessory::accessory_transform;
use crate::garment::catalog::{
    AssetCache, AssetFiles, Catalog, CatalogEntry, CatalogWatcher, MemoryFiles,
};
use crate::garment::cloth::body_capsules;
use crate::garment::deform::FitParams;
use crate::garment::fit::{BodyCamera, Fitter};
use crate::gpu::GpuContext;
use crate::nn::models::PoseModelBytes;
use crate::pose::{Body, PoseConfig, PoseTracker};
use crate::render::cloth_gpu::GarmentCloth;
use crate::render::overlay::{OverlayCorner, OverlayRenderer};
use crate::render::{GpuGarment, SceneGarment, ShadingLight, TryOnRenderer, TryOnScene};

pub use crate::render::{Quality, QualityMode};
pub use catalog_follow::CatalogChange;
use catalog_follow::CatalogSource;
use outfit::Unusable;

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
    /// The catalog manifest (TOML); on disk it is watched for changes.
    /// With `assets`, the manifest's path in those files
    /// (`catalog.toml`).
    pub catalog: PathBuf,
    /// The catalog's files given in memory (the manifest and every file it
    /// names, see `MemoryFiles`): nothing is then read from disk and the
    /// catalog is not watched. `None`: the catalog is read from disk.
    pub assets: Option<Arc<MemoryFiles>>,
    /// The pose models given as bytes (`models.landmarks` is the file of
    /// `pose.model`). `None`: read from the model folders
    /// (`nn::models::model_dirs`).
    pub models: Option<PoseModelBytes>,
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
    /// How much work a frame's drawing gets (`render::quality`): `Auto`
    /// economises video on a software adapter.
    pub quality: QualityMode,
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
            assets: None,
            models: None,
            wear: Vec::new(),
            pose: PoseConfig {
                gpu_mask: true,
                ..PoseConfig::default()
            },
            overlay: true,
            card_corner: OverlayCorner::default(),
            cloth: ClothMode::Auto,
            quality: QualityMode::Auto,
        }
    }
}

/// The pose tracker, from the models given as bytes or from the model
/// folders.
fn make_tracker(
    gpu: &GpuContext,
    config: PoseConfig,
    models: Option<&PoseModelBytes>,
) -> crate::Result<PoseTracker> {
    Ok(match models {
        Some(models) => PoseTracker::with_models(gpu, config, models)?,
        None => PoseTracker::new(gpu, config)?,
    })
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
    /// Whether the product card is drawn (a show's producer takes it off
    /// and puts it back; the card keeps following the outfit meanwhile).
    card_shown: bool,
    catalog: CatalogSource,
    /// Where the catalog's files are read from.
    files: AssetFiles,
    assets: AssetCache<GpuGarment>,
    /// Garments of the current catalog whose asset failed to load, by id.
    /// Bounded by the catalog: entries for ids it no longer has are
    /// dropped at each reload.
    unusable: HashMap<String, Unusable>,
    outfit: Vec<Worn>,
    /// Kept to build the tracker again on a new device (`recover`).
    pose_config: PoseConfig,
    /// The models given as bytes, kept for `recover`; `None`: from files.
    models: Option<PoseModelBytes>,
    last_body: Option<Body>,
    /// The last frame's timestamp, while a body is seen: the cloth's step.
    last_timestamp: Option<Duration>,
    /// The last frame's body camera: how far the body moved since.
    last_camera: Option<BodyCamera>,
    cloth_mode: ClothMode,
    /// The quality frames are drawn at (kept for `recover`).
    quality: Quality,
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
        let (catalog, files) = match config.assets {
            None => (
                CatalogSource::Watched(CatalogWatcher::new(&config.catalog)?),
                AssetFiles::Disk,
            ),
            Some(memory) => {
                let files = AssetFiles::Memory(memory);
                let catalog = Catalog::load_usable_from(&config.catalog, &files)?;
                (CatalogSource::Fixed(catalog), files)
            }
        };
        for left_out in &catalog.current().left_out {
            tracing::warn!("{}: {left_out}", catalog.path().display());
        }
        let pose_config = PoseConfig {
            gpu_mask: true,
            ..config.pose
        };
        let quality = config.quality.resolve(gpu, pose_config.static_mode);
        let mut tryon = TryOn {
            gpu: gpu.clone(),
            tracker: make_tracker(gpu, pose_config, config.models.as_ref())?,
            renderer: TryOnRenderer::with_quality(gpu, quality),
            overlay: config.overlay.then(|| {
                let mut overlay = OverlayRenderer::new(gpu);
                overlay.set_corner(config.card_corner);
                overlay
            }),
            card_shown: true,
            catalog,
            files,
            assets: AssetCache::new(),
            unusable: HashMap::new(),
            outfit: Vec::new(),
            pose_config,
            models: config.models,
            last_body: None,
            last_timestamp: None,
            last_camera: None,
            cloth_mode: config.cloth,
            quality,
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

    /// Rebuilds every GPU resource on `gpu` after the device was lost
    /// (`GpuError::DeviceLost`): the pose tracker, the renderer, the
    /// product card and each worn garment, from the entries worn (so the
    /// outfit and the catalog stay as they were). A worn garment that no
    /// longer loads is reported and left off. Tracking and cloth start
    /// again from rest.
    pub fn recover(&mut self, gpu: &GpuContext) -> crate::Result<()> {
        let tracker = make_tracker(gpu, self.pose_config, self.models.as_ref())?;
        self.gpu = gpu.clone();
        self.tracker = tracker;
        self.renderer = TryOnRenderer::with_quality(gpu, self.quality);
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

    /// Shows or hides the product card (with `TryOnConfig::overlay`; without
    /// it there is no card to show).
    pub fn set_card_shown(&mut self, shown: bool) {
        self.card_shown = shown;
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

    /// The quality frames are drawn at (`TryOnConfig::quality` resolved
    /// for the adapter).
    pub fn quality(&self) -> Quality {
        self.quality
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
        if let Some(overlay) = self.overlay.as_ref().filter(|_| self.card_shown) {
            overlay.encode(&self.gpu, &mut encoder, &output)?;
        }
        self.times.render_ms = self.stage_done(&mut encoder, &mut clock)?;
        self.gpu.queue.submit([encoder.finish()]);
        self.last_body = body;
        Ok(output)
    }
}
