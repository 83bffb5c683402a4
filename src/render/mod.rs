//! Rendering garments onto the frame: the camera image as background,
//! body proxies and the person mask for occlusion, skinned garments lit by
//! the room's light estimated from the frame, overlays.

pub mod cloth_gpu;
pub mod compose;
pub mod deform_gpu;
pub mod garment_gpu;
pub mod lighting;
pub mod mipmaps;
pub mod overlay;
pub mod proxies;
pub mod srgb;
pub mod tryon;

pub use garment_gpu::GpuGarment;
pub use tryon::{SceneGarment, ShadingLight, TryOnRenderer, TryOnScene};
