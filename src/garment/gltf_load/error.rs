//! The loader's error: each variant names the file and says what to do.

use std::path::{Path, PathBuf};

/// Why a glTF garment or accessory could not be loaded. Every variant
/// carries `path`, the glTF/GLB file (for `load_garment_from_slice`, a
/// label under its base directory), and its message says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GltfError {
    /// The glTF/GLB file itself could not be read.
    #[error("could not read glTF file {}: {source}", path.display())]
    Io {
        /// The glTF/GLB file.
        path: PathBuf,
        /// The read error.
        #[source]
        source: std::io::Error,
    },
    /// Not a glTF 2.0 file: bad GLB container, truncated, or bad JSON.
    #[error(
        "{} is not a valid glTF 2.0 / GLB file ({detail}); re-export it \
         (Blender: File > Export > glTF 2.0)",
        path.display()
    )]
    Format {
        /// The glTF/GLB file.
        path: PathBuf,
        /// What is wrong with the container or JSON.
        detail: String,
    },
    /// Something is over a `Limits` field; nothing that large was allocated.
    #[error(
        "{}: {what} is {actual}, over the limit of {limit} (Limits::{field}); \
         simplify the garment (decimate the mesh, shrink or merge textures) \
         or raise the limit",
        path.display()
    )]
    Limit {
        /// The glTF/GLB file.
        path: PathBuf,
        /// What is over the limit, e.g. `"the file size"`.
        what: String,
        /// The `Limits` field that sets the limit, e.g. `"max_file_bytes"`.
        field: &'static str,
        /// The amount found, in the field's unit (bytes, or a count).
        actual: u64,
        /// The field's value, in the same unit.
        limit: u64,
    },
    /// The file breaks the glTF rules (out-of-range index, data past the
    /// end of a buffer, NaN positions, ...).
    #[error(
        "{}: {detail}; the file is damaged or its exporter wrote bad data: \
         re-export it",
        path.display()
    )]
    Invalid {
        /// The glTF/GLB file.
        path: PathBuf,
        /// Which rule is broken, and where.
        detail: String,
    },
    /// Valid glTF that drape does not handle.
    #[error("{}: {detail} is not supported; {hint}", path.display())]
    Unsupported {
        /// The glTF/GLB file.
        path: PathBuf,
        /// The feature the file uses.
        detail: String,
        /// How to export the file so that drape can load it.
        hint: &'static str,
    },
    /// A buffer or image the file refers to could not be read.
    #[error(
        "{}: could not read {uri:?} (looked at {}): {source}; keep the .bin \
         and texture files next to the .gltf, or export a single .glb",
        path.display(),
        resolved.display()
    )]
    MissingFile {
        /// The glTF/GLB file.
        path: PathBuf,
        /// The URI as the glTF file writes it.
        uri: String,
        /// Where it was looked for: the URI resolved against the glTF's
        /// directory (just the URI's path when there is no directory).
        resolved: PathBuf,
        /// The read error.
        #[source]
        source: std::io::Error,
    },
    /// A texture image could not be decoded.
    #[error(
        "{}: could not decode image {image}: {source}; use PNG, JPEG or WebP",
        path.display()
    )]
    Image {
        /// The glTF/GLB file.
        path: PathBuf,
        /// The image's name, else its URI, else `"image N"` (its index).
        image: String,
        /// The decoder's error.
        #[source]
        source: image::ImageError,
    },
    /// `GltfOptions::require_skin` is set and no mesh in the file is skinned.
    #[error(
        "{}: has no skinned mesh (a mesh with an armature); garments must be \
         skinned to the drape rig (see src/garment/rig.rs and the README's \
         rig section); rigid accessories load with require_skin: false",
        path.display()
    )]
    NoSkin {
        /// The glTF/GLB file.
        path: PathBuf,
    },
    /// The skin's joints are not the drape rig's.
    #[error("{}", rig_message(path, missing, unknown))]
    Rig {
        /// The glTF/GLB file.
        path: PathBuf,
        /// Rig joints the skin lacks.
        missing: Vec<&'static str>,
        /// Skin joint names that are not rig joints.
        unknown: Vec<String>,
    },
}

impl GltfError {
    /// The glTF/GLB file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            GltfError::Io { path, .. }
            | GltfError::Format { path, .. }
            | GltfError::Limit { path, .. }
            | GltfError::Invalid { path, .. }
            | GltfError::Unsupported { path, .. }
            | GltfError::MissingFile { path, .. }
            | GltfError::Image { path, .. }
            | GltfError::NoSkin { path }
            | GltfError::Rig { path, .. } => path,
        }
    }
}

fn rig_message(path: &Path, missing: &[&'static str], unknown: &[String]) -> String {
    let list = |names: Vec<&str>| {
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    format!(
        "{}: the armature does not match the drape rig: missing joints: {}; \
         unknown joints: {}. Name the bones exactly as the rig does \
         (src/garment/rig.rs, the README's rig section: hips, spine, chest, \
         neck, head, shoulder.L, upper_arm.L, ...) and export the whole \
         armature",
        path.display(),
        list(missing.to_vec()),
        list(unknown.iter().map(String::as_str).collect()),
    )
}
