//! `LiveView`: what the live window shows, tick by tick, without the
//! window. A kiosk runs all day unattended, so nothing here is a dead end:
//!
//! - a camera that is not there yet, or unplugged, shows a status screen
//!   ("Waiting for camera 0", "Camera disconnected") until frames come
//!   again;
//! - a catalog edit or a garment switch re-renders the last frame, so a
//!   still photo shows it too;
//! - a garment left out of the catalog, a garment that fails to load, a
//!   frame that fails: logged once, shown as a short notice over the
//!   picture, and the mirror goes on;
//! - a lost GPU device is reported (`Tick::GpuLost`) for the caller to make
//!   a new context and `recover`, which rebuilds everything on it;
//! - a snapshot that cannot be written (a read-only or full folder) is a
//!   notice, and the mirror goes on.
//!
//! `app::window` is thin glue around this: it owns the window and the
//! surface, calls `tick` and presents `shown()`. Tests drive a `LiveView`
//! headless with fake sources.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use wgpu::util::DeviceExt;

use super::snapshot::write_snapshot;
use crate::capture::{Frame, FrameSource, LatestFrame, LiveState, LiveStatus, SourceInfo};
use crate::gpu::{texture_2d_descriptor, GpuContext, TextureReadback};
use crate::render::overlay::{
    status_frame, OverlayCorner, OverlayRenderer, ProductCard, StatusScreen,
};
use crate::tryon::{CatalogChange, TryOn, TryOnConfig};
use crate::{Mirror, MirrorConfig, Result};

/// How long a notice (a catalog problem, a garment that failed) stays over
/// the picture. Long enough for staff to read it, short enough not to
/// bother shoppers for long.
pub const NOTICE_SHOWN_FOR: Duration = Duration::from_secs(10);

/// How many distinct problem messages `ReportOnce` remembers.
const REPORTED_MESSAGES_KEPT: usize = 32;

/// How a `LiveView` runs.
#[derive(Debug, Clone, Default)]
pub struct LiveOptions {
    /// How each frame is treated (flipped or not).
    pub mirror: MirrorConfig,
    /// Dress the person; `None`: plain mirror.
    pub tryon: Option<TryOnConfig>,
    /// `tick` says `Ended` when a finite source ends (else its last frame
    /// stays shown), and a failing source is an error instead of a status.
    pub exit_at_end: bool,
    /// Where `snapshot` saves the picture; `None`: snapshots are off.
    pub snapshot_dir: Option<PathBuf>,
}

/// What the view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Nothing yet: the source has not answered.
    Starting,
    /// Frames from the source, dressed.
    Live,
    /// The device is being opened for the first time.
    Opening {
        /// The source's description (`camera 0`).
        what: String,
    },
    /// The device is not there yet; it is looked for again every second.
    Waiting {
        /// The source's description (`camera 0`).
        what: String,
        /// Why the last try to open it failed.
        why: String,
    },
    /// The device went away; it is looked for until it is back.
    Disconnected {
        /// The source's description.
        what: String,
        /// The error that lost it.
        why: String,
    },
    /// The source failed and will give no more frames.
    SourceFailed {
        /// The source's error.
        why: String,
    },
}

impl Screen {
    /// The status screen shown in place of the picture, if any.
    pub fn status(&self) -> Option<StatusScreen> {
        let (title, detail) = match self {
            Screen::Starting | Screen::Live => return None,
            Screen::Opening { what } => (format!("Opening {what}…"), String::new()),
            Screen::Waiting { what, why } => (
                format!("Waiting for {what}"),
                format!("{why}\nLooking for it again every second"),
            ),
            Screen::Disconnected { what, why } => (
                "Camera disconnected".to_string(),
                format!("{what}: {why}\nPlug it back in: it is looked for every second"),
            ),
            Screen::SourceFailed { why } => ("The input stopped".to_string(), why.clone()),
        };
        Some(StatusScreen { title, detail })
    }
}

/// What a `tick` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tick {
    /// Nothing new to show.
    Idle,
    /// A new picture is in `shown()`: present it.
    Show,
    /// The source ended and `exit_at_end` asked to stop.
    Ended,
    /// The GPU device is lost: make a new `GpuContext` (and surface) and
    /// call `recover` with it.
    GpuLost,
}

/// Logs each distinct problem once, however often it repeats (a frame
/// that fails every frame, a garment tried again and again). Bounded: it
/// remembers the last `REPORTED_MESSAGES_KEPT` messages, so a problem
/// forgotten that long ago is logged again.
#[derive(Debug, Default)]
pub struct ReportOnce {
    seen: VecDeque<String>,
}

impl ReportOnce {
    /// True the first time `message` is seen (then log it).
    pub fn first_time(&mut self, message: &str) -> bool {
        if self.seen.iter().any(|m| m == message) {
            return false;
        }
        if self.seen.len() == REPORTED_MESSAGES_KEPT {
            self.seen.pop_front();
        }
        self.seen.push_back(message.to_string());
        true
    }
}

/// A short message over the picture.
struct Notice {
    card: ProductCard,
    until: Instant,
}

/// The status screen on the GPU, made again only when its text or size
/// changes (one at a time).
struct StatusTexture {
    screen: StatusScreen,
    texture: wgpu::Texture,
}

/// The live mirror's frame logic (see the module's documentation).
pub struct LiveView {
    gpu: GpuContext,
    source: LatestFrame,
    status: Option<LiveStatus>,
    info: SourceInfo,
    mirror: Mirror,
    exit_at_end: bool,
    screen: Screen,
    /// The last frame from the source: shown again after a catalog edit or
    /// a garment switch (a still photo gives no next frame).
    last_frame: Option<Frame>,
    /// The picture must be made again from `last_frame`.
    redraw: bool,
    /// The screen `shown` holds.
    shown_screen: Screen,
    shown: Option<wgpu::Texture>,
    status_texture: Option<StatusTexture>,
    notice: Option<Notice>,
    notice_drawn: bool,
    banner: OverlayRenderer,
    reported: ReportOnce,
    frames: u64,
    snapshot_dir: Option<PathBuf>,
    /// Snapshots tried so far: numbers the next one's file.
    snapshots: u64,
}

impl LiveView {
    /// Starts reading `source` (on its own thread, newest frame wins; files
    /// are paced at their frame rate) and builds the mirror on `gpu`.
    pub fn new(
        gpu: &GpuContext,
        source: Box<dyn FrameSource>,
        options: LiveOptions,
    ) -> Result<LiveView> {
        let info = source.info().clone();
        let status = source.live_status();
        // Files play at their own frame rate; live sources pace themselves.
        let paced = !info.live;
        let source = LatestFrame::spawn(source, paced);
        let mut mirror = Mirror::new(gpu, options.mirror.clone());
        let mut banner_corner = OverlayCorner::TopLeft;
        if let Some(config) = &options.tryon {
            if config.card_corner == OverlayCorner::TopLeft {
                banner_corner = OverlayCorner::TopRight;
            }
            let tryon = TryOn::new(gpu, config.clone())?;
            mirror.set_tryon(Some(tryon));
        }
        let mut banner = OverlayRenderer::new(gpu);
        banner.set_corner(banner_corner);
        let mut view = LiveView {
            gpu: gpu.clone(),
            source,
            status,
            info,
            mirror,
            exit_at_end: options.exit_at_end,
            screen: Screen::Starting,
            last_frame: None,
            redraw: false,
            shown_screen: Screen::Starting,
            shown: None,
            status_texture: None,
            notice: None,
            notice_drawn: false,
            banner,
            reported: ReportOnce::default(),
            frames: 0,
            snapshot_dir: options.snapshot_dir,
            snapshots: 0,
        };
        // Garments the catalog left out at start: say so on screen too.
        let unusable = view
            .mirror
            .tryon()
            .map(|t| t.unusable_garments())
            .unwrap_or_default();
        if let Some((id, why)) = unusable.first() {
            let title = match unusable.len() {
                1 => format!("Catalog: `{id}` left out"),
                n => format!("Catalog: {n} garments left out"),
            };
            view.notify(title, why.clone(), Instant::now());
        }
        Ok(view)
    }

    /// What the source said about itself at the start.
    pub fn source_info(&self) -> &SourceInfo {
        &self.info
    }

    /// What the view shows now: the frames or a status screen.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The picture to present (a frame, dressed, or a status screen).
    pub fn shown(&self) -> Option<&wgpu::Texture> {
        self.shown.as_ref()
    }

    /// The GPU context the view draws with (a new one after `recover`).
    pub fn gpu(&self) -> &GpuContext {
        &self.gpu
    }

    /// The mirror that makes each picture, with its try-on if any.
    pub fn mirror(&self) -> &Mirror {
        &self.mirror
    }

    /// Source frames processed (re-renders of the same frame not counted).
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Whether the source has given its last frame (a still photo after its
    /// one frame, a clip at its end): the last picture stays shown.
    pub fn source_finished(&self) -> bool {
        self.source.is_finished()
    }

    /// Source frames dropped because a newer one came before they were
    /// shown.
    pub fn dropped_frames(&self) -> u64 {
        self.source.dropped_frames()
    }

    /// The notice over the picture now, as (title, detail).
    pub fn notice(&self) -> Option<(&str, &str)> {
        self.notice
            .as_ref()
            .map(|n| (n.card.name.as_str(), n.card.price.as_str()))
    }

    /// Wears the next (`step` 1) or previous (-1) garment; the picture is
    /// made again with it. A failure is logged and shown as a notice.
    pub fn next_garment(&mut self, step: isize) {
        let Some(tryon) = self.mirror.tryon_mut() else {
            return;
        };
        match tryon.next_garment(step) {
            Ok(id) => {
                tracing::info!("wearing {id}");
                self.redraw = true;
            }
            Err(e) => {
                let message = e.to_string();
                if self.reported.first_time(&message) {
                    tracing::warn!("cannot switch garments: {message}");
                }
                self.notify("Cannot switch garments".into(), message, Instant::now());
            }
        }
    }

    /// The mirror, to change its try-on's outfit; call `redraw` after.
    pub fn mirror_mut(&mut self) -> &mut Mirror {
        &mut self.mirror
    }

    /// Makes the picture again from the last frame at the next `tick` (after
    /// an outfit change through `mirror_mut`).
    pub fn redraw(&mut self) {
        self.redraw = true;
    }

    /// Wears garment `id` (a garment replaces the worn one, an accessory
    /// the one at its anchor); the picture is made again with it. A
    /// failure is logged once and shown as a notice; false then.
    pub fn wear(&mut self, id: &str) -> bool {
        let Some(tryon) = self.mirror.tryon_mut() else {
            return false;
        };
        match tryon.wear(id) {
            Ok(_) => {
                tracing::info!("wearing {id}");
                self.redraw = true;
                true
            }
            Err(e) => {
                let message = e.to_string();
                if self.reported.first_time(&message) {
                    tracing::warn!("cannot wear {id}: {message}");
                }
                self.notify("Cannot wear this garment".into(), message, Instant::now());
                false
            }
        }
    }

    /// Takes garment `id` off; the picture is made again without it.
    pub fn take_off(&mut self, id: &str) {
        if let Some(tryon) = self.mirror.tryon_mut() {
            tryon.take_off(id);
            self.redraw = true;
        }
    }

    /// Saves the picture shown now (a status screen, or the dressed frame
    /// with any notice on it: what the screen shows) as a PNG in
    /// `LiveOptions::snapshot_dir`; returns its path. Any failure (no
    /// folder set, nothing shown yet, a read-only or full folder) is logged
    /// once and shown as a notice, and the mirror goes on: a kiosk never
    /// stops for a snapshot.
    pub fn snapshot(&mut self, now: Instant) -> Option<PathBuf> {
        let saved = self.try_snapshot();
        match saved {
            Ok(path) => {
                tracing::info!("snapshot saved: {}", path.display());
                self.notify("Snapshot saved".into(), path.display().to_string(), now);
                Some(path)
            }
            Err(message) => {
                if self.reported.first_time(&message) {
                    tracing::warn!("snapshot not saved: {message}");
                }
                self.notify("Snapshot not saved".into(), message, now);
                None
            }
        }
    }

    fn try_snapshot(&mut self) -> std::result::Result<PathBuf, String> {
        let Some(folder) = self.snapshot_dir.clone() else {
            return Err("snapshots are off: start with --snapshot-dir FOLDER".into());
        };
        let Some(texture) = self.shown.as_ref() else {
            return Err("nothing is shown yet".into());
        };
        let (width, height) = (texture.width(), texture.height());
        let rgba = TextureReadback::new()
            .read(&self.gpu, texture)
            .map_err(|e| e.to_string())?;
        self.snapshots += 1;
        write_snapshot(&folder, self.snapshots, &rgba, width, height).map_err(|e| e.to_string())
    }

    /// One step: looks at the GPU, the catalog and the source, and makes
    /// the picture when something changed. Call it often (every few
    /// milliseconds); it never blocks on the source.
    pub fn tick(&mut self, now: Instant) -> Result<Tick> {
        if self.gpu.is_lost() {
            return Ok(Tick::GpuLost);
        }
        self.poll_catalog(now);
        let mut ended = false;
        match self.source.try_latest() {
            Ok(Some(frame)) => {
                self.screen = Screen::Live;
                self.last_frame = Some(frame);
                self.redraw = true;
                self.frames += 1;
            }
            Ok(None) => {
                self.follow_device();
                ended = self.source.is_finished();
            }
            Err(e) => {
                if self.exit_at_end {
                    return Err(e.into());
                }
                let why = e.to_string();
                tracing::error!("the input stopped: {why}");
                self.screen = Screen::SourceFailed { why };
            }
        }
        if self.notice.as_ref().is_some_and(|n| now >= n.until) {
            self.notice = None;
        }
        let tick = self.draw(now)?;
        if ended && self.exit_at_end && tick != Tick::Show {
            return Ok(Tick::Ended);
        }
        Ok(tick)
    }

    /// Rebuilds everything on `gpu`, a new context after the old device was
    /// lost: the mirror and its try-on (same outfit, same catalog), the
    /// notice banner and the status screen. The last frame is shown again
    /// on the next `tick`.
    pub fn recover(&mut self, gpu: &GpuContext) -> Result<()> {
        self.mirror.recover(gpu)?;
        let mut banner = OverlayRenderer::new(gpu);
        banner.set_corner(self.banner.corner());
        self.banner = banner;
        self.gpu = gpu.clone();
        self.status_texture = None;
        self.shown = None;
        self.shown_screen = Screen::Starting;
        self.notice_drawn = false;
        self.redraw = true;
        Ok(())
    }

    /// Reloads the catalog when it changed; the picture follows.
    fn poll_catalog(&mut self, now: Instant) {
        let Some(tryon) = self.mirror.tryon_mut() else {
            return;
        };
        match tryon.poll_catalog() {
            None => {}
            Some(Ok(change)) => {
                self.redraw = true;
                if let Some((title, detail)) = describe_change(&change) {
                    self.notify(title, detail, now);
                }
            }
            Some(Err(e)) => {
                // The watcher reports each bad edit once.
                tracing::warn!("catalog not reloaded, keeping the last good one: {e}");
                let first_line = e.to_string().lines().next().unwrap_or_default().to_string();
                self.notify("Catalog edit not used".into(), first_line, now);
            }
        }
    }

    /// No new frame: the screen follows what the device says.
    fn follow_device(&mut self) {
        let Some(status) = &self.status else {
            return;
        };
        let what = self.info.description.clone();
        let screen = match status.get() {
            LiveState::Opening if self.screen == Screen::Starting => Screen::Opening { what },
            LiveState::Waiting(why) => Screen::Waiting { what, why },
            LiveState::Reconnecting(why) => Screen::Disconnected { what, why },
            // Streaming again: the status stays until the first frame.
            _ => return,
        };
        if screen != self.screen {
            self.screen = screen;
        }
    }

    fn notify(&mut self, title: String, detail: String, now: Instant) {
        self.notice = Some(Notice {
            card: ProductCard {
                name: title,
                price: detail,
                url: String::new(),
                sizes: Vec::new(),
            },
            until: now + NOTICE_SHOWN_FOR,
        });
        self.redraw = true;
    }

    /// Makes the picture when the screen, the frame or the notice changed.
    fn draw(&mut self, now: Instant) -> Result<Tick> {
        if let Some(status) = self.screen.status() {
            if self.shown_screen == self.screen && self.shown.is_some() {
                return Ok(Tick::Idle);
            }
            let texture = self.status_texture(status);
            self.shown = Some(texture);
            self.shown_screen = self.screen.clone();
            return Ok(Tick::Show);
        }
        let notice_changed = self.notice.is_some() != self.notice_drawn;
        let Some(frame) = self.last_frame.as_ref() else {
            return Ok(Tick::Idle);
        };
        if !(self.redraw || notice_changed) {
            return Ok(Tick::Idle);
        }
        self.redraw = false;
        let texture = match self.mirror.process(frame) {
            Ok(texture) => texture,
            Err(e) => {
                if self.gpu.is_lost() {
                    return Ok(Tick::GpuLost);
                }
                let message = e.to_string();
                if self.reported.first_time(&message) {
                    tracing::error!("cannot show a frame: {message}");
                }
                // The last good picture stays; the next frame tries again
                // (not this one again: it would fail every tick).
                if self.notice.is_none() {
                    self.notify("Cannot show this frame".into(), message, now);
                }
                self.redraw = false;
                self.notice_drawn = self.notice.is_some();
                return Ok(Tick::Idle);
            }
        };
        self.draw_notice(&texture)?;
        self.shown = Some(texture);
        self.shown_screen = Screen::Live;
        Ok(Tick::Show)
    }

    /// Draws the notice, if any, over the picture.
    fn draw_notice(&mut self, texture: &wgpu::Texture) -> Result<()> {
        self.notice_drawn = self.notice.is_some();
        let card = self.notice.as_ref().map(|n| &n.card);
        self.banner.set_card(&self.gpu, card)?;
        if card.is_none() {
            return Ok(());
        }
        let mut encoder = self
            .gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("notice"),
            });
        self.banner.encode(&self.gpu, &mut encoder, texture)?;
        self.gpu.queue.submit([encoder.finish()]);
        Ok(())
    }

    /// The status screen as a texture the window can present, the size of
    /// the last frame (else of what the source announced).
    fn status_texture(&mut self, screen: StatusScreen) -> wgpu::Texture {
        let (width, height) = match &self.last_frame {
            Some(frame) => (frame.width, frame.height),
            None => (self.info.width, self.info.height),
        };
        let limit = self.gpu.device.limits().max_texture_dimension_2d;
        let (width, height) = (width.clamp(1, limit), height.clamp(1, limit));
        if let Some(cached) = &self.status_texture {
            let size = (cached.texture.width(), cached.texture.height());
            if cached.screen == screen && size == (width, height) {
                return cached.texture.clone();
            }
        }
        let rgba = status_frame(&screen, width, height);
        let texture = self.gpu.device.create_texture_with_data(
            &self.gpu.queue,
            &wgpu::TextureDescriptor {
                // The window reads frames through an sRGB view when its
                // surface is sRGB, as it does the working texture.
                view_formats: &[wgpu::TextureFormat::Rgba8UnormSrgb],
                ..texture_2d_descriptor(
                    "status screen",
                    (width, height),
                    wgpu::TextureFormat::Rgba8Unorm,
                    wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_SRC,
                )
            },
            wgpu::util::TextureDataOrder::LayerMajor,
            &rgba,
        );
        self.status_texture = Some(StatusTexture {
            screen,
            texture: texture.clone(),
        });
        texture
    }
}

/// A notice for a catalog reload that left garments out or took some off.
fn describe_change(change: &CatalogChange) -> Option<(String, String)> {
    let mut lines: Vec<String> = change.left_out.iter().map(|l| l.to_string()).collect();
    lines.extend(
        change
            .taken_off
            .iter()
            .map(|(id, why)| format!("`{id}` taken off: {why}")),
    );
    let first = lines.first()?.clone();
    let title = match (change.left_out.len(), change.taken_off.len()) {
        (1, 0) => match &change.left_out[0].id {
            Some(id) => format!("Catalog: `{id}` left out"),
            None => "Catalog: a garment left out".to_string(),
        },
        (n, 0) => format!("Catalog: {n} garments left out"),
        (0, 1) => format!("Catalog: `{}` taken off", change.taken_off[0].0),
        _ => format!("Catalog: {} problems", lines.len()),
    };
    Some((title, first))
}
