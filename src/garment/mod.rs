//! Garments: the catalog, skinned glTF garments, photo garments and
//! accessories, and fitting them to a `Body`.

pub mod accessory;
pub mod catalog;
pub mod cloth;
pub mod deform;
pub mod fit;
pub mod gltf_load;
pub mod photo;
pub mod rig;
pub mod silhouette;

pub use rig::{RestSkeleton, RigJoint};
