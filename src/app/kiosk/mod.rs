//! `Kiosk`: the mirror kiosk's frame logic without the window. It wraps a
//! `LiveView` (source, try-on, status screens, GPU recovery, catalog
//! follow), feeds its bodies to the `Session` state machine, does what the
//! session asks (wear, snapshot, log) and draws the screen: the picture
//! under the UI layer (`kiosk::ui`), turned for the monitor
//! (`kiosk::screen`). `app::kiosk::window` shows it full screen.

mod actions;
mod draw;
mod scene;
pub mod session;
mod snapshot;
pub mod window;

use std::time::{Duration, Instant};

use image::RgbaImage;

use self::session::{Mode, Session, Timings, CAMERA_TARGET};
use self::snapshot::Snapshot;
use super::live::{LiveOptions, LiveView, ReportOnce, Tick};
use crate::capture::{FrameSource, LatestFrame};
use crate::garment::catalog::GarmentKind;
use crate::gpu::GpuContext;
use crate::kiosk::config::KioskConfig;
use crate::kiosk::events::EventLog;
use crate::kiosk::gesture::{HoverTarget, Rect};
use crate::kiosk::share::{ShareConfig, ShareServer};
use crate::kiosk::size::SizeSmoother;
use crate::kiosk::{Brand, KioskLayout, PictureFit, ScreenRenderer, Thumbnails, UiScene};
use crate::pose::PersonChoice;
use crate::tryon::TryOnConfig;
use crate::{Mirror, MirrorConfig, Result};

pub use self::window::{run_kiosk, KioskSummary};

/// How much attract mode darkens the live picture behind its invitation.
pub const ATTRACT_DIM: f32 = 0.55;

/// How often the body of a still picture is given to the session again.
const STILL_BODY_INTERVAL: Duration = Duration::from_millis(33);

/// Measures kept for the size suggestion: half a second at 30 fps, so
/// one bad frame does not flip it.
const SIZE_WINDOW: usize = 15;

/// What a `tick` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KioskTick {
    /// The screen is unchanged.
    Idle,
    /// A new screen is in `shown()`: present it.
    Show,
    /// The (finite, not looped) source ended.
    Ended,
    /// The GPU device is lost: make a new context and call `recover`.
    GpuLost,
}

/// The attract mode's own background: a still or a looped video.
struct AttractBackground {
    source: LatestFrame,
    mirror: Mirror,
    shown: Option<wgpu::Texture>,
}

/// The kiosk (see the module's documentation).
pub struct Kiosk {
    live: LiveView,
    config: KioskConfig,
    session: Session,
    screen: ScreenRenderer,
    screen_size: (u32, u32),
    layout: KioskLayout,
    brand: Brand,
    logo: Option<RgbaImage>,
    thumbnails: Thumbnails,
    attract: Option<AttractBackground>,
    started: Instant,
    frames_seen: u64,
    /// When the session last got a body (or none).
    last_body_at: Duration,
    picture_size: Option<(u32, u32)>,
    /// The scene the UI layer holds, and the layout it was drawn for.
    drawn: Option<(UiScene, (u32, u32))>,
    last_ring: Option<(usize, f32)>,
    /// The screen must be drawn again (something under the UI changed).
    dirty: bool,
    shown: Option<wgpu::Texture>,
    snapshot: Option<Snapshot>,
    snapshots_taken: u64,
    size: SizeSmoother,
    events: Option<EventLog>,
    share: Option<ShareServer>,
    reported: ReportOnce,
    /// The mode last written to the log.
    logged_mode: Option<Mode>,
}

impl Kiosk {
    /// Builds the kiosk on `gpu` for a screen of `screen_size` pixels,
    /// reading `source` (opened by the caller from `config.input`). Opens
    /// the event log and the share server when the config asks; a bad path
    /// or a port in use is an error here, before anything shows.
    pub fn new(
        gpu: &GpuContext,
        source: Box<dyn FrameSource>,
        config: KioskConfig,
        screen_size: (u32, u32),
        exit_at_end: bool,
    ) -> Result<Kiosk> {
        let mut tryon = TryOnConfig::sample();
        tryon.catalog = config.catalog.clone();
        tryon.pose.model = config.model.pose_model();
        tryon.pose.person = PersonChoice::CentreAndLargest;
        // A shopper who walks out is let go at once, not after the landmark
        // model gives up.
        tryon.pose.redetect_off_frame = true;
        // The kiosk draws its own card, at the screen's size.
        tryon.overlay = false;
        let live = LiveView::new(
            gpu,
            source,
            LiveOptions {
                mirror: MirrorConfig {
                    mirror: config.mirror,
                },
                tryon: Some(tryon),
                exit_at_end,
                snapshot_dir: None,
            },
        )?;
        let events = match (&config.events, &config.events_db) {
            (None, None) => None,
            (jsonl, db) => Some(EventLog::open(jsonl.as_deref(), db.as_deref())?),
        };
        let share = match &config.share.url {
            Some(url) => Some(ShareServer::start(ShareConfig {
                expire_after: config.share.expire_after,
                ..ShareConfig::new(config.share.listen, url.clone())
            })?),
            None => None,
        };
        let logo = match &config.brand.logo {
            Some(path) => Some(
                image::open(path)
                    .map_err(|source| crate::kiosk::KioskError::Logo {
                        path: path.clone(),
                        source,
                    })?
                    .to_rgba8(),
            ),
            None => None,
        };
        let attract = match &config.attract.background {
            Some(path) => Some(AttractBackground::open(gpu, path)?),
            None => None,
        };
        let timings = Timings {
            idle: config.idle_after,
            ..Timings::default()
        };
        let (session, actions) = Session::new(timings, config.gestures);
        let brand = Brand {
            accent: config.brand.accent,
            background: config.brand.background,
            text: config.brand.text,
        };
        let canvas = config.display.rotation.canvas_size(screen_size);
        let mut kiosk = Kiosk {
            screen: ScreenRenderer::new(gpu),
            layout: KioskLayout::new(canvas, 0),
            live,
            session,
            screen_size,
            brand,
            logo,
            thumbnails: Thumbnails::default(),
            attract,
            started: Instant::now(),
            frames_seen: 0,
            last_body_at: Duration::ZERO,
            picture_size: None,
            drawn: None,
            last_ring: None,
            dirty: true,
            shown: None,
            snapshot: None,
            snapshots_taken: 0,
            size: SizeSmoother::new(SIZE_WINDOW),
            events,
            share,
            reported: ReportOnce::default(),
            logged_mode: None,
            config,
        };
        kiosk.sync_catalog();
        kiosk.apply(actions);
        Ok(kiosk)
    }

    /// The screen to present.
    pub fn shown(&self) -> Option<&wgpu::Texture> {
        self.shown.as_ref()
    }

    /// The GPU context the kiosk draws with.
    pub fn gpu(&self) -> &GpuContext {
        self.live.gpu()
    }

    /// The state machine's mode now.
    pub fn mode(&self) -> Mode {
        self.session.mode()
    }

    /// The live view under the kiosk (source, try-on, status).
    pub fn live(&self) -> &LiveView {
        &self.live
    }

    /// The layout of the canvas now.
    pub fn layout(&self) -> &KioskLayout {
        &self.layout
    }

    /// The configuration the kiosk runs with.
    pub fn config(&self) -> &KioskConfig {
        &self.config
    }

    /// Time since the kiosk started, as the session counts it.
    fn at(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.started)
    }

    /// Follows a resized window.
    pub fn set_screen_size(&mut self, size: (u32, u32)) {
        if size != self.screen_size && size.0 > 0 && size.1 > 0 {
            self.screen_size = size;
            self.relayout();
        }
    }

    /// Where the pointer is, in screen pixels (`None`: it left): resting on
    /// an item for a second picks it, as a hand does.
    pub fn pointer_moved(&mut self, position: Option<(f32, f32)>, now: Instant) {
        let target = position.and_then(|p| self.target_at(p));
        let at = self.at(now);
        self.session.pointer_over(target, at);
    }

    /// A click or touch at `position` (screen pixels).
    pub fn clicked(&mut self, position: (f32, f32), now: Instant) {
        let target = self.target_at(position);
        let at = self.at(now);
        let actions = self.session.click(target, at);
        self.apply(actions);
    }

    /// The next (+1) or previous (−1) garment (arrow keys).
    pub fn step(&mut self, step: isize, now: Instant) {
        let at = self.at(now);
        let actions = self.session.step(step, at);
        self.apply(actions);
    }

    /// Starts the snapshot countdown (space bar, the camera button).
    pub fn request_snapshot(&mut self, now: Instant) {
        let at = self.at(now);
        let actions = self.session.request_snapshot(at);
        self.apply(actions);
    }

    /// Rebuilds everything on `gpu` after the old device was lost.
    pub fn recover(&mut self, gpu: &GpuContext) -> Result<()> {
        self.live.recover(gpu)?;
        self.screen = ScreenRenderer::new(gpu);
        if let Some(attract) = &mut self.attract {
            attract.mirror.recover(gpu)?;
            attract.shown = None;
        }
        self.snapshot = None;
        self.drawn = None;
        self.shown = None;
        self.dirty = true;
        Ok(())
    }

    /// One step: the live view, the session, the screen. Call it often.
    pub fn tick(&mut self, now: Instant) -> Result<KioskTick> {
        let at = self.at(now);
        let live_tick = self.live.tick(now)?;
        match live_tick {
            Tick::GpuLost => return Ok(KioskTick::GpuLost),
            Tick::Ended => return Ok(KioskTick::Ended),
            Tick::Show => self.dirty = true,
            Tick::Idle => {}
        }
        let live = self.live.screen().status().is_none();
        if self.live.frames() != self.frames_seen && live {
            self.frames_seen = self.live.frames();
            self.last_body_at = at;
            self.on_new_frame(at);
        } else if live
            && self.live.source_finished()
            && at >= self.last_body_at + STILL_BODY_INTERVAL
        {
            // A still photo (or a clip's last frame) stays in front of the
            // kiosk: its person stays too, as a camera's would.
            self.last_body_at = at;
            self.on_new_frame(at);
        }
        let actions = self.session.on_time(at);
        self.apply(actions);
        self.poll_attract_background();
        let mode = self.session.mode();
        let logged = self.logged_mode.map(|m| std::mem::discriminant(&m));
        if logged != Some(std::mem::discriminant(&mode)) {
            // Staff (and the window tests) follow the kiosk in its log.
            tracing::info!("kiosk mode: {}", mode.name());
            self.logged_mode = Some(mode);
        }
        self.draw(at)
    }

    /// A new source frame was dressed: its body goes to the session.
    fn on_new_frame(&mut self, at: Duration) {
        let Some(picture) = self.live.shown() else {
            return;
        };
        let size = (picture.width(), picture.height());
        if self.picture_size != Some(size) {
            self.picture_size = Some(size);
            self.relayout();
        }
        let body = self.live.mirror().tryon().and_then(|t| t.body()).cloned();
        match body.as_ref().and_then(crate::kiosk::size::measure) {
            Some(measures) => {
                self.size.push(measures);
            }
            None => self.size.reset(),
        }
        let aspect = size.0 as f32 / size.1.max(1) as f32;
        let actions = self.session.on_frame(body.as_ref(), aspect, at);
        self.apply(actions);
    }

    /// The layout and the hover targets follow the screen and picture.
    fn relayout(&mut self) {
        let canvas = self.config.display.rotation.canvas_size(self.screen_size);
        let items = self.carousel_ids().len();
        self.layout = KioskLayout::new(canvas, items);
        self.drawn = None;
        self.dirty = true;
        let Some(picture) = self.picture_size else {
            return;
        };
        let fit = PictureFit::cover(picture, canvas);
        let to_rect = |corners: [glam::Vec2; 2]| Rect {
            x0: corners[0].x,
            y0: corners[0].y,
            x1: corners[1].x,
            y1: corners[1].y,
        };
        let mut targets: Vec<HoverTarget> = self
            .layout
            .carousel
            .iter()
            .enumerate()
            .map(|(id, slot)| HoverTarget {
                id,
                rect: to_rect(self.layout.rect_in_picture(slot, &fit)),
            })
            .collect();
        targets.push(HoverTarget {
            id: CAMERA_TARGET,
            rect: to_rect(
                self.layout
                    .rect_in_picture(&self.layout.camera_button, &fit),
            ),
        });
        self.session.set_targets(targets);
    }

    /// The carousel's garment ids, in catalog order.
    fn carousel_ids(&self) -> Vec<String> {
        self.live
            .mirror()
            .tryon()
            .map(|t| t.catalog().garments.iter().map(|g| g.id.clone()).collect())
            .unwrap_or_default()
    }

    /// The catalog ids shown in the carousel's slots now.
    fn visible_ids(&self) -> Vec<String> {
        let ids = self.carousel_ids();
        let worn = self
            .main_worn()
            .and_then(|w| ids.iter().position(|id| *id == w));
        KioskLayout::carousel_window(ids.len(), worn)
            .map(|i| ids[i].clone())
            .collect()
    }

    /// The worn garment (not an accessory), if any.
    fn main_worn(&self) -> Option<String> {
        let tryon = self.live.mirror().tryon()?;
        let catalog = tryon.catalog();
        tryon
            .outfit()
            .into_iter()
            .find(|id| {
                catalog
                    .get(id)
                    .is_some_and(|e| e.kind != GarmentKind::Accessory)
            })
            .map(str::to_string)
    }

    /// The screen slot or button under screen pixel `position`.
    fn target_at(&self, position: (f32, f32)) -> Option<usize> {
        let (w, h) = self.screen_size;
        let screen_uv = glam::Vec2::new(position.0 / w.max(1) as f32, position.1 / h.max(1) as f32);
        let canvas_uv = self.config.display.rotation.canvas_from_screen(screen_uv);
        let (cw, ch) = self.layout.canvas;
        let (x, y) = (canvas_uv.x * cw as f32, canvas_uv.y * ch as f32);
        if self.layout.camera_button.contains(x, y) {
            return Some(CAMERA_TARGET);
        }
        self.layout
            .carousel
            .iter()
            .position(|slot| slot.contains(x, y))
    }

    /// Thumbnails and layout follow the catalog (an edit may add or drop
    /// garments, or change a thumbnail).
    fn sync_catalog(&mut self) {
        if let Some(tryon) = self.live.mirror().tryon() {
            self.thumbnails.sync(tryon.catalog());
        }
        let slots = self
            .carousel_ids()
            .len()
            .min(crate::kiosk::layout::CAROUSEL_VISIBLE);
        if slots != self.layout.carousel.len() {
            self.relayout();
        }
    }
}
