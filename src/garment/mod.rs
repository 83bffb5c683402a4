//! Garments: the catalog, skinned glTF garments, photo garments and
//! accessories, and fitting them to a `Body`.

internal_mod!(accessory, cloth, deform, fit, gltf_load, photo, rig, silhouette);
pub mod catalog;

pub use gltf_load::GltfError;
pub use photo::PhotoError;
internal_use!(rig::{RestSkeleton, RigJoint});
