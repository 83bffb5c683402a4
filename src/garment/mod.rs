//! Garments: the catalog, skinned glTF garments, photo garments and
//! accessories, and fitting them to a `Body`.

pub mod rig;

pub use rig::{RestSkeleton, RigJoint};
