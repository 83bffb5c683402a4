//! A worn garment simulated as cloth: the solver (`crate::cloth::GpuCloth`)
//! stepping towards the garment's fitted particles each frame, and the
//! surface that draws the cloth's particles instead.

use glam::Vec3;

use super::garment_gpu::{GarmentLayouts, GarmentSurface, GpuGarment};
use crate::cloth::{Capsule, ClothError, ClothTopology, GpuCloth};
use crate::garment::cloth::{cloth_setup, ClothOptions};
use crate::gpu::GpuContext;

/// One worn garment's cloth: its own state, so the same garment file worn
/// again starts from rest.
pub struct GarmentCloth {
    cloth: GpuCloth,
    /// Draws the cloth's particles (pass it in the scene's `SceneGarment`).
    pub surface: GarmentSurface,
    needs_reset: bool,
}

impl GarmentCloth {
    /// Builds the cloth of `garment` (its particles, pinned where it rests
    /// on the body) with `options` from its catalog entry.
    pub fn new(
        gpu: &GpuContext,
        layouts: &GarmentLayouts,
        garment: &GpuGarment,
        options: &ClothOptions,
    ) -> Result<GarmentCloth, ClothError> {
        let params = options.params();
        let setup = cloth_setup(&garment.mesh, &garment.bind, options);
        let topology = ClothTopology::build(&setup, &params)?;
        let cloth = GpuCloth::new(gpu, &topology, params)?;
        let surface = garment.surface_over(gpu, layouts, cloth.positions());
        Ok(GarmentCloth {
            cloth,
            surface,
            needs_reset: true,
        })
    }

    /// The next step puts the cloth on its targets at rest (a new person,
    /// a cut, a long gap).
    pub fn reset(&mut self) {
        self.needs_reset = true;
    }

    /// Steps the cloth `dt_s` towards `garment`'s fitted particles of this
    /// frame (recorded after `TryOnRenderer::encode_fit`), colliding with
    /// `capsules`. `moved_m`: how far the body moved in the world since
    /// the last frame (body space's origin, between the hips): the loose
    /// parts lag behind it.
    pub fn encode_step(
        &mut self,
        gpu: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        garment: &GpuGarment,
        dt_s: f32,
        moved_m: Vec3,
        capsules: &[Capsule],
    ) -> Result<(), ClothError> {
        let targets = &garment.deform.positions;
        if self.needs_reset {
            self.needs_reset = false;
            return self.cloth.encode_reset(encoder, targets);
        }
        self.cloth.shift_frame(moved_m)?;
        self.cloth
            .encode_step(gpu, encoder, targets, dt_s, capsules)
    }

    /// The solver (for tests and tools: its positions and velocities).
    pub fn solver(&self) -> &GpuCloth {
        &self.cloth
    }
}
