//! The crate's error: one enum per subsystem, gathered here.

/// Anything that can stop a drape pipeline. Each subsystem's error says
/// which thing failed and what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Capture(#[from] crate::capture::CaptureError),
    #[error(transparent)]
    Gpu(#[from] crate::gpu::GpuError),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    #[error(transparent)]
    Nn(#[from] crate::nn::NnError),
    #[error(transparent)]
    Pose(#[from] crate::pose::PoseError),
    #[error(transparent)]
    Catalog(#[from] crate::garment::catalog::CatalogError),
    #[error(transparent)]
    Gltf(#[from] crate::garment::GltfError),
    #[error(transparent)]
    Photo(#[from] crate::garment::PhotoError),
    #[error(transparent)]
    Overlay(#[from] crate::render::OverlayError),
    #[error(transparent)]
    TryOn(#[from] crate::tryon::TryOnError),
    #[error(transparent)]
    Cloth(#[from] crate::cloth::ClothError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether this is the GPU device going away (`GpuError::DeviceLost`):
    /// a long-lived program rebuilds on a new device rather than stop.
    pub fn is_device_lost(&self) -> bool {
        matches!(self, Error::Gpu(crate::gpu::GpuError::DeviceLost { .. }))
    }
}
