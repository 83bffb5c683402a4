//! The crate's error: one enum per subsystem, gathered here.

/// Anything that can stop a drape pipeline. Each subsystem's error says
/// which thing failed and what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Capture: a source could not be opened or give a frame.
    #[error(transparent)]
    Capture(#[from] crate::capture::CaptureError),
    /// The GPU: no adapter, device or window surface, a failed readback, a
    /// frame or size it cannot take, or the device lost.
    #[error(transparent)]
    Gpu(#[from] crate::gpu::GpuError),
    /// Output: a frame could not be written.
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    /// The neural-network runtime: a model could not be loaded or run.
    #[error(transparent)]
    Nn(#[from] crate::nn::NnError),
    /// Pose tracking could not run.
    #[error(transparent)]
    Pose(#[from] crate::pose::PoseError),
    /// The garment catalog could not be read or is invalid.
    #[error(transparent)]
    Catalog(#[from] crate::garment::catalog::CatalogError),
    /// A garment or accessory glTF model could not be loaded.
    #[error(transparent)]
    Gltf(#[from] crate::garment::GltfError),
    /// A photo garment could not be made from its PNG.
    #[error(transparent)]
    Photo(#[from] crate::garment::PhotoError),
    /// The product card overlay could not be shown.
    #[error(transparent)]
    Overlay(#[from] crate::render::OverlayError),
    /// The try-on could not choose or wear a garment.
    #[error(transparent)]
    TryOn(#[from] crate::tryon::TryOnError),
    /// A garment's cloth simulation could not be built or stepped.
    #[error(transparent)]
    Cloth(#[from] crate::cloth::ClothError),
    /// The kiosk: its configuration, event log, share server or logo.
    #[error(transparent)]
    #[cfg(not(target_arch = "wasm32"))]
    Kiosk(#[from] crate::kiosk::KioskError),
    /// The livestream studio: its catalog, its address, its server.
    #[error(transparent)]
    #[cfg(not(target_arch = "wasm32"))]
    Serve(#[from] crate::serve::ServeError),
}

#[cfg(not(target_arch = "wasm32"))]
impl From<crate::kiosk::KioskConfigError> for Error {
    fn from(e: crate::kiosk::KioskConfigError) -> Error {
        Error::Kiosk(e.into())
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl From<crate::kiosk::events::EventLogError> for Error {
    fn from(e: crate::kiosk::events::EventLogError) -> Error {
        Error::Kiosk(e.into())
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl From<crate::kiosk::share::ShareError> for Error {
    fn from(e: crate::kiosk::share::ShareError) -> Error {
        Error::Kiosk(e.into())
    }
}

/// A `Result` whose error defaults to drape's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether this is the GPU device going away (`GpuError::DeviceLost`):
    /// a long-lived program rebuilds on a new device rather than stop.
    pub fn is_device_lost(&self) -> bool {
        matches!(self, Error::Gpu(crate::gpu::GpuError::DeviceLost { .. }))
    }
}
