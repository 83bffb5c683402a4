//! Rendering garments onto the frame: the camera image as background,
//! body proxies and the person mask for occlusion, skinned garments lit by
//! the room's light estimated from the frame, overlays.

internal_mod!(
    cloth_gpu,
    compose,
    deform_gpu,
    garment_gpu,
    lighting,
    mipmaps,
    overlay,
    proxies,
    srgb,
    tryon
);

pub mod quality;

pub use overlay::{OverlayCorner, OverlayError, ProductCard, StatusScreen};
internal_use!(garment_gpu::GpuGarment);
pub use quality::{Quality, QualityMode};
pub use tryon::ShadingLight;
internal_use!(tryon::{SceneGarment, TryOnRenderer, TryOnScene});
