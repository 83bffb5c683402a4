//! The cloths of garments that hang and swing: which garments get one,
//! and how far each frame steps them (or starts them again from rest).

use std::time::Duration;

use glam::Vec3;

use crate::garment::catalog::CatalogEntry;
use crate::garment::fit::BodyCamera;
use crate::render::cloth_gpu::GarmentCloth;
use crate::render::GpuGarment;

use super::{ClothMode, TryOn, CLOTH_RESTART_AFTER_S, MAX_BODY_MOVE_M};

impl TryOn {
    /// The cloth of a garment put on, when its catalog entry and the mode
    /// say so. A cloth that cannot be built (a mesh beyond the solver's
    /// limits) is reported and the garment worn skinned alone.
    pub(super) fn make_cloth(
        &self,
        entry: &CatalogEntry,
        garment: &GpuGarment,
    ) -> Option<GarmentCloth> {
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
    pub(super) fn frame_interval_s(&mut self, timestamp: Duration, has_body: bool) -> Option<f32> {
        let last = std::mem::replace(&mut self.last_timestamp, has_body.then_some(timestamp));
        let dt_s = timestamp.checked_sub(last?)?.as_secs_f32();
        (dt_s <= CLOTH_RESTART_AFTER_S).then_some(dt_s)
    }

    /// How far the body (the point between its hips) moved in the world
    /// since the last frame, metres, from the body cameras; `None` on the
    /// first frame or after a jump no body makes in a frame (a cut, a
    /// tracking switch to someone else).
    pub(super) fn body_moved_m(&mut self, camera: &BodyCamera) -> Option<Vec3> {
        let last = self.last_camera.replace(*camera)?;
        let pixels = camera.origin_px - last.origin_px;
        let moved = Vec3::new(pixels.x, -pixels.y, 0.0) / camera.pixels_per_metre.max(1e-3);
        (moved.length() <= MAX_BODY_MOVE_M).then_some(moved)
    }
}
