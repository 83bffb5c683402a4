//! The kiosk's screen: the UI layer drawn again when its scene changes,
//! the picture under it (dressed, frozen, or attract mode's background),
//! the ring and the flash, each frame something moves.

use std::time::Duration;

use super::scene::{self, SceneInputs};
use super::session::{Mode, CAMERA_TARGET};
use super::{AttractBackground, Kiosk, KioskTick, ATTRACT_DIM};
use crate::capture::{Frame, LatestFrame};
use crate::gpu::GpuContext;
use crate::kiosk::{draw_ui, Ring, ScreenParams, UiScene};
use crate::{Mirror, MirrorConfig, Result};

impl Kiosk {
    pub(super) fn poll_attract_background(&mut self) {
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
    pub(super) fn draw(&mut self, at: Duration) -> Result<KioskTick> {
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
    pub(super) fn open(gpu: &GpuContext, path: &std::path::Path) -> Result<AttractBackground> {
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
    pub(super) fn poll(&mut self) -> bool {
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
