//! `Kiosk`: the mirror kiosk's frame logic without the window. It wraps a
//! `LiveView` (source, try-on, status screens, GPU recovery, catalog
//! follow), feeds its bodies to the `Session` state machine, does what the
//! session asks (wear, snapshot, log) and draws the screen: the picture
//! under the UI layer (`kiosk::ui`), turned for the monitor
//! (`kiosk::screen`). `app::kiosk::window` shows it full screen.

mod scene;
pub mod session;
mod snapshot;
pub mod window;

use std::time::{Duration, Instant, SystemTime};

use image::RgbaImage;

use self::scene::SceneInputs;
use self::session::{Action, Mode, Session, Timings, CAMERA_TARGET};
use self::snapshot::Snapshot;
use super::live::{LiveOptions, LiveView, ReportOnce, Tick};
use crate::capture::{Frame, FrameSource, LatestFrame};
use crate::garment::catalog::GarmentKind;
use crate::gpu::GpuContext;
use crate::kiosk::config::KioskConfig;
use crate::kiosk::events::{EventLog, KioskEvent};
use crate::kiosk::gesture::{HoverTarget, Rect};
use crate::kiosk::share::{ShareConfig, ShareServer};
use crate::kiosk::size::SizeSmoother;
use crate::kiosk::{
    draw_ui, Brand, KioskLayout, PictureFit, Ring, ScreenParams, ScreenRenderer, Thumbnails,
    UiScene,
};
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

    /// Does what the session asked.
    fn apply(&mut self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Log(event) => {
                    self.log(&event);
                    // A new shopper tries the garment on show first.
                    if event == KioskEvent::PersonEntered {
                        if let Some(garment) = self.main_worn() {
                            self.log(&KioskEvent::GarmentWorn { garment });
                        }
                    }
                }
                Action::WearSlot(slot) => {
                    if let Some(id) = self.visible_ids().get(slot).cloned() {
                        self.wear_or_toggle(&id);
                    }
                }
                Action::Step(step) => {
                    self.live.next_garment(step);
                    if let Some(id) = self.main_worn() {
                        self.log(&KioskEvent::GarmentWorn { garment: id });
                    }
                }
                Action::TakeSnapshot => self.take_snapshot(),
                Action::ResetOutfit => self.reset_outfit(),
            }
            self.dirty = true;
        }
    }

    /// A garment is worn in place of the worn one; an accessory is put on,
    /// or taken off when it is already worn.
    fn wear_or_toggle(&mut self, id: &str) {
        let Some(tryon) = self.live.mirror().tryon() else {
            return;
        };
        let is_accessory = tryon
            .catalog()
            .get(id)
            .is_some_and(|e| e.kind == GarmentKind::Accessory);
        let worn = tryon.outfit().contains(&id);
        if is_accessory && worn {
            self.live.take_off(id);
        } else if self.live.wear(id) {
            self.log(&KioskEvent::GarmentWorn {
                garment: id.to_string(),
            });
        }
    }

    /// The catalog's default outfit again, for the next shopper.
    fn reset_outfit(&mut self) {
        let Some(tryon) = self.live.mirror().tryon() else {
            return;
        };
        let worn: Vec<String> = tryon.outfit().into_iter().map(str::to_string).collect();
        let default = tryon.catalog().default_id.clone();
        for id in worn.iter().filter(|id| **id != default) {
            self.live.take_off(id);
        }
        if !worn.contains(&default) {
            self.live.wear(&default);
        }
        self.size.reset();
    }

    fn log(&mut self, event: &KioskEvent) {
        tracing::info!("kiosk event: {}", event.name());
        let Some(log) = &mut self.events else {
            return;
        };
        if let Err(e) = log.record(event, SystemTime::now()) {
            let message = e.to_string();
            if self.reported.first_time(&message) {
                tracing::error!("event not logged (the kiosk goes on): {message}");
            }
        }
    }

    /// Freezes the dressed picture, saves and shares it, and logs it.
    fn take_snapshot(&mut self) {
        let Some(picture) = self.live.shown().cloned() else {
            return;
        };
        self.snapshots_taken += 1;
        let garments: Vec<String> = self
            .live
            .mirror()
            .tryon()
            .map(|t| t.outfit().into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        let taken = Snapshot::take(
            self.live.gpu(),
            &picture,
            self.snapshots_taken,
            self.config.snapshot_dir.as_deref(),
            self.share.as_ref(),
        );
        match taken {
            Ok((snapshot, problems)) => {
                for problem in problems {
                    if self.reported.first_time(&problem) {
                        tracing::warn!("snapshot: {problem}");
                    }
                }
                self.snapshot = Some(snapshot);
            }
            Err(e) => {
                let message = e.to_string();
                if self.reported.first_time(&message) {
                    tracing::error!("snapshot failed (the kiosk goes on): {message}");
                }
            }
        }
        self.log(&KioskEvent::Snapshot { garments });
        for code in self.snapshot_codes() {
            self.log(&KioskEvent::QrShown { url: code.url });
        }
    }

    fn snapshot_codes(&self) -> Vec<crate::kiosk::LabelledCode> {
        let tryon = self.live.mirror().tryon();
        scene::snapshot_codes(
            tryon.map(|t| t.catalog()),
            &tryon.map(|t| t.outfit()).unwrap_or_default(),
            &self.config.strings,
            self.snapshot.as_ref().and_then(|s| s.share_url.as_deref()),
        )
    }

    fn poll_attract_background(&mut self) {
        if self.session.mode() != Mode::Attract {
            return;
        }
        let Some(attract) = &mut self.attract else {
            return;
        };
        if attract.poll() {
            self.dirty = true;
        }
    }

    /// Draws the screen when anything on it changed.
    fn draw(&mut self, at: Duration) -> Result<KioskTick> {
        self.sync_catalog();
        let inputs = SceneInputs {
            mode: self.session.mode(),
            status: self.live.screen().status(),
            catalog: self.live.mirror().tryon().map(|t| t.catalog()),
            outfit: self
                .live
                .mirror()
                .tryon()
                .map(|t| t.outfit())
                .unwrap_or_default(),
            strings: &self.config.strings,
            visible: self.visible_ids(),
            worn: self.main_worn(),
            size: self.size.measures(),
            countdown: self.session.countdown_digit(at),
            codes: self.snapshot_codes(),
            attract_item: (at.as_secs_f64() / self.config.attract.cycle.as_secs_f64().max(0.1))
                as u64,
            gestures: self.config.gestures,
        };
        let scene = scene::scene(&inputs);
        let canvas = self.layout.canvas;
        let redraw_ui = self.drawn.as_ref() != Some(&(scene.clone(), canvas));
        if redraw_ui {
            let ui = draw_ui(
                &scene,
                &self.layout,
                &self.brand,
                &self.thumbnails,
                self.logo.as_ref(),
            );
            self.screen.set_ui(self.live.gpu(), &ui.rgba, canvas)?;
            self.drawn = Some((scene.clone(), canvas));
            self.dirty = true;
        }
        let ring = self.session.ring(at);
        let flash = self.session.flash(at);
        if !(self.dirty || ring != self.last_ring || flash > 0.0 || self.shown.is_none()) {
            return Ok(KioskTick::Idle);
        }
        self.last_ring = ring;
        self.dirty = flash > 0.0;
        let (picture, dim) = match (&scene, self.session.mode()) {
            (UiScene::Status { .. }, _) => (None, 0.0),
            (_, Mode::Snapshot { .. }) => (self.snapshot.as_ref().map(|s| &s.picture), 0.0),
            (_, Mode::Attract) => match self.attract.as_ref().and_then(|a| a.shown.as_ref()) {
                Some(background) => (Some(background), 0.0),
                None => (self.live.shown(), ATTRACT_DIM),
            },
            _ => (self.live.shown(), 0.0),
        };
        let ring = ring.and_then(|(target, fraction)| {
            let rect = if target == CAMERA_TARGET {
                self.layout.camera_button
            } else {
                *self.layout.carousel.get(target)?
            };
            Some(Ring {
                centre_px: rect.centre(),
                radius_px: rect.width as f32 * 0.42,
                stroke_px: (rect.width as f32 * 0.07).max(3.0),
                fraction,
                colour: self.brand.accent,
            })
        });
        let params = ScreenParams {
            rotation: self.config.display.rotation,
            dim,
            flash,
            ring,
            background: self.brand.background,
        };
        let picture = picture.cloned();
        let shown =
            self.screen
                .render(self.live.gpu(), picture.as_ref(), self.screen_size, &params)?;
        self.shown = Some(shown);
        Ok(KioskTick::Show)
    }
}

impl AttractBackground {
    fn open(gpu: &GpuContext, path: &std::path::Path) -> Result<AttractBackground> {
        let options = crate::capture::InputOptions::default();
        let spec = crate::capture::SourceSpec::parse(&path.to_string_lossy(), &options)?;
        let source = crate::capture::open_source(&spec, &options)?;
        let reopen_spec = spec.clone();
        let looped = crate::capture::Looping::new(
            source,
            Box::new(move || crate::capture::open_source(&reopen_spec, &options)),
        );
        Ok(AttractBackground {
            source: LatestFrame::spawn(Box::new(looped), true),
            mirror: Mirror::new(gpu, MirrorConfig { mirror: false }),
            shown: None,
        })
    }

    /// Takes the newest background frame, if any; true when it changed.
    fn poll(&mut self) -> bool {
        let frame: Option<Frame> = self.source.try_latest().ok().flatten();
        let Some(frame) = frame else {
            return false;
        };
        match self.mirror.process(&frame) {
            Ok(texture) => {
                self.shown = Some(texture);
                true
            }
            Err(e) => {
                tracing::warn!("attract background: {e}");
                false
            }
        }
    }
}
