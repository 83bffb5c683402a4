//! Photo garments: a retailer's product photo (an RGBA image whose alpha
//! is the garment, seen from the front) turned into a skinned
//! [`GarmentModel`] that the skinned-garment renderer draws like any glTF
//! garment.
//!
//! The photo becomes a sheet in front of the chest: a grid over the image
//! restricted to the cells the garment touches, textured with the photo
//! (alpha MASK at 0.5 cuts the exact outline). Its bind pose puts the rig's
//! joints on the photo's anchors (shoulders, hips, neckline, sleeve ends;
//! given by the catalog or found from the silhouette, see `silhouette.rs`)
//! with the arms along the photo's sleeves: the upper arms start below the
//! shoulder anchors (the garment's shoulder corners), on the sleeves' axes,
//! at most 7 cm down, so a turned sleeve stays centred on its arm and the
//! shoulder line rests above the shoulder joints (`skinning.rs`). Every
//! vertex is skinned to the bones whose part of the garment it lies in,
//! with smooth blends between them, so linear blend skinning warps the
//! photo piecewise-affinely onto the body every frame and the sleeves
//! follow the arms.
//!
//! ```no_run
//! use drape::garment::photo::load_photo_garment;
//! let tee = load_photo_garment("assets/garments/photo_tee.png", None)?;
//! println!("shoulders at {} and {}", tee.anchors.left_shoulder, tee.anchors.right_shoulder);
//! # Ok::<(), drape::garment::photo::PhotoError>(())
//! ```

mod mesh;
mod silhouette;
mod skinning;

pub use mesh::GRID_CELLS_ACROSS;

use std::path::{Path, PathBuf};

use glam::{Mat4, Vec2, Vec4};

use self::silhouette::{Mask, Side, Silhouette};
use self::skinning::{PhotoFrame, PhotoRig};
use crate::garment::catalog::{AssetFiles, PhotoAnchors};
use crate::garment::fit::BindPose;
use crate::garment::gltf_load::{AlphaMode, GarmentModel, Material, Skin, TextureRef};
use crate::garment::rig::RigJoint;

/// Largest photo width or height, in pixels.
pub const MAX_PHOTO_SIDE_PX: u32 = 4096;
/// Fewest pixels between the shoulder anchors.
const MIN_SHOULDER_DISTANCE_PX: f32 = 8.0;

/// A photo turned into a garment.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoGarment {
    /// One skinned, textured primitive; its skin's joints are
    /// `RigJoint::ALL` in order, bound at `bind`.
    pub model: GarmentModel,
    /// The anchors used: the given ones, with any missing optional ones
    /// found from the silhouette; or all found.
    pub anchors: PhotoAnchors,
    /// The rig's joint heads in the model's space (what `model.skin`
    /// encodes), for the fitter.
    pub bind: BindPose,
}

/// Why a photo could not become a garment. Each names the file (or the
/// name given to `photo_garment`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PhotoError {
    /// The file could not be read.
    #[error("cannot read the photo garment {}: {source}", path.display())]
    Io {
        /// The photo's file, or the name given to `photo_garment`.
        path: PathBuf,
        /// The read error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are no image the `image` crate decodes.
    #[error("cannot decode the photo garment {}: {source}; save it as an RGBA PNG", path.display())]
    Decode {
        /// The photo's file, or the name given to `photo_garment`.
        path: PathBuf,
        /// The decoder's error.
        #[source]
        source: image::ImageError,
    },
    /// A format without transparency (e.g. JPEG, RGB PNG).
    #[error(
        "the photo garment {} has no alpha channel; a product photo needs a transparent \
         background: save it as an RGBA PNG with the background cut out",
        path.display()
    )]
    NoAlpha {
        /// The photo's file, or the name given to `photo_garment`.
        path: PathBuf,
    },
    /// Every pixel is at least half opaque.
    #[error(
        "the photo garment {} is fully opaque; a product photo needs a transparent \
         background: cut the background out (alpha 0) and keep the garment opaque",
        path.display()
    )]
    FullyOpaque {
        /// The photo's file, or the name given to `photo_garment`.
        path: PathBuf,
    },
    /// No pixel is at least half opaque.
    #[error(
        "the photo garment {} is fully transparent; a product photo needs the garment \
         opaque on a transparent background",
        path.display()
    )]
    FullyTransparent {
        /// The photo's file, or the name given to `photo_garment`.
        path: PathBuf,
    },
    /// Wider or taller than 4,096 pixels (`MAX_PHOTO_SIDE_PX`).
    #[error(
        "the photo garment {} is {width}×{height} px; at most {max} px a side is allowed: scale it down",
        path.display()
    )]
    TooLarge {
        /// The photo's file, or the name given to `photo_garment`.
        path: PathBuf,
        /// The photo's width in pixels.
        width: u32,
        /// The photo's height in pixels.
        height: u32,
        /// The largest side allowed, 4,096 pixels (`MAX_PHOTO_SIDE_PX`).
        max: u32,
    },
    /// Given anchors that cannot be right.
    #[error("the photo garment {} has invalid anchors: {problem}", path.display())]
    InvalidAnchors {
        /// The photo's file, or the name given to `photo_garment`.
        path: PathBuf,
        /// What is wrong with them, and how to fix it.
        problem: String,
    },
    /// The silhouette did not give the anchors.
    #[error(
        "cannot find the anchors of the photo garment {} from its silhouette: {problem}; \
         give them in the catalog's [garment.anchors]",
        path.display()
    )]
    AnchorsNotFound {
        /// The photo's file, or the name given to `photo_garment`.
        path: PathBuf,
        /// Why the silhouette gave no usable anchors.
        problem: String,
    },
}

/// Reads an RGBA image file (PNG) and makes it a garment; `anchors` as in
/// `photo_garment`.
pub fn load_photo_garment(
    path: impl AsRef<Path>,
    anchors: Option<&PhotoAnchors>,
) -> Result<PhotoGarment, PhotoError> {
    load_photo_garment_from(&AssetFiles::Disk, path, anchors)
}

/// `load_photo_garment` with the image read from `files` (on disk or given
/// in memory).
pub fn load_photo_garment_from(
    files: &AssetFiles,
    path: impl AsRef<Path>,
    anchors: Option<&PhotoAnchors>,
) -> Result<PhotoGarment, PhotoError> {
    let path = path.as_ref();
    let bytes = files.read(path).map_err(|source| PhotoError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let decode = |source| PhotoError::Decode {
        path: path.to_path_buf(),
        source,
    };
    let reader = image::ImageReader::new(std::io::Cursor::new(&bytes))
        .with_guessed_format()
        .map_err(|e| decode(image::ImageError::IoError(e)))?;
    // Refuse huge images before decoding them.
    let (width, height) = reader.into_dimensions().map_err(decode)?;
    check_size(path, width, height)?;
    let decoded = image::load_from_memory(&bytes).map_err(decode)?;
    if !decoded.color().has_alpha() {
        return Err(PhotoError::NoAlpha {
            path: path.to_path_buf(),
        });
    }
    build(&decoded.to_rgba8(), anchors, path)
}

/// Makes a garment from an RGBA photo (straight alpha). With `anchors`
/// `None` they are all found from the silhouette; given ones are checked
/// and used as they are, missing optional ones (neckline, sleeve ends)
/// found. `name` names the garment in messages.
pub fn photo_garment(
    image: &image::RgbaImage,
    anchors: Option<&PhotoAnchors>,
    name: &str,
) -> Result<PhotoGarment, PhotoError> {
    build(image, anchors, Path::new(name))
}

fn check_size(path: &Path, width: u32, height: u32) -> Result<(), PhotoError> {
    if width > MAX_PHOTO_SIDE_PX || height > MAX_PHOTO_SIDE_PX {
        return Err(PhotoError::TooLarge {
            path: path.to_path_buf(),
            width,
            height,
            max: MAX_PHOTO_SIDE_PX,
        });
    }
    Ok(())
}

fn build(
    image: &image::RgbaImage,
    given: Option<&PhotoAnchors>,
    path: &Path,
) -> Result<PhotoGarment, PhotoError> {
    check_size(path, image.width(), image.height())?;
    let path_buf = || path.to_path_buf();
    let opaque = |p: &image::Rgba<u8>| p[3] >= silhouette::OPAQUE_ALPHA;
    // (An empty image counts as transparent.)
    if !image.pixels().any(opaque) {
        return Err(PhotoError::FullyTransparent { path: path_buf() });
    }
    if image.pixels().all(opaque) {
        return Err(PhotoError::FullyOpaque { path: path_buf() });
    }
    let not_found = |problem: String| PhotoError::AnchorsNotFound {
        path: path_buf(),
        problem,
    };
    let mask = Mask::new(image);
    let (width, height) = (image.width(), image.height());
    let shape = Silhouette::analyse(&mask);
    let anchors = match given {
        Some(given) => {
            validate(given, width, height).map_err(|problem| PhotoError::InvalidAnchors {
                path: path_buf(),
                problem,
            })?;
            let mut anchors = *given;
            if let Ok(shape) = &shape {
                anchors.neckline = anchors.neckline.or_else(|| shape.neckline());
                anchors.left_sleeve_end = anchors
                    .left_sleeve_end
                    .or_else(|| shape.sleeve_end(&mask, Side::Left, given.left_shoulder));
                anchors.right_sleeve_end = anchors
                    .right_sleeve_end
                    .or_else(|| shape.sleeve_end(&mask, Side::Right, given.right_shoulder));
            }
            // Found ones that disagree with the given ones are dropped.
            match validate(&anchors, width, height) {
                Ok(()) => anchors,
                Err(_) => *given,
            }
        }
        None => {
            let shape = shape.as_ref().map_err(|p| not_found(p.clone()))?;
            let anchors = shape.find_anchors(&mask).map_err(not_found)?;
            validate(&anchors, width, height).map_err(not_found)?;
            anchors
        }
    };

    let frame = PhotoFrame::new(&anchors);
    let shoulders = [anchors.left_shoulder, anchors.right_shoulder];
    let hips = [anchors.left_hip, anchors.right_hip];
    let armpits = Side::BOTH.map(|side| {
        let (shoulder, hip) = (shoulders[side.index()], hips[side.index()]);
        let armpit = match &shape {
            Ok(shape) => shape.armpit_or_estimate(side, shoulder, hip),
            Err(_) => shoulder.lerp(hip, 0.27),
        };
        frame.bind_xy(armpit)
    });
    // No neckline: the reference body's neck sits 0.05 m above its shoulders.
    let shoulder_mid = (anchors.left_shoulder + anchors.right_shoulder) * 0.5;
    let neckline = anchors
        .neckline
        .map_or(frame.bind_xy(shoulder_mid) + Vec2::Y * 0.05, |n| {
            frame.bind_xy(n)
        });
    let rig = PhotoRig::new(
        shoulders.map(|p| frame.bind_xy(p)),
        hips.map(|p| frame.bind_xy(p)),
        armpits,
        neckline,
        [anchors.left_sleeve_end, anchors.right_sleeve_end].map(|e| e.map(|p| frame.bind_xy(p))),
    );

    let name = path.display().to_string();
    let primitive = mesh::sheet(image, &frame, &rig, &name);
    let (bounds_min, bounds_max) = mesh::bounds(&primitive.positions);
    let model = GarmentModel {
        primitives: vec![primitive],
        materials: vec![material(&name)],
        textures: vec![mesh::texture(image, &name)],
        skin: Some(skin(&rig.bind)),
        bounds_min,
        bounds_max,
    };
    Ok(PhotoGarment {
        model,
        anchors,
        bind: rig.bind,
    })
}

/// Matte cloth showing the photo; its alpha cuts the outline. The photo
/// carries its own shading, so no sheen on top.
fn material(name: &str) -> Material {
    Material {
        name: name.to_string(),
        base_color_factor: Vec4::ONE,
        base_color_texture: Some(TextureRef {
            texture: 0,
            uv_set: 0,
        }),
        metallic: 0.0,
        roughness: 0.8,
        metallic_roughness_texture: None,
        normal_texture: None,
        normal_scale: 1.0,
        occlusion_texture: None,
        occlusion_strength: 1.0,
        alpha_mode: AlphaMode::Mask(0.5),
        double_sided: true,
        sheen: None,
    }
}

/// The rig's joints in `RigJoint::ALL` order, each joint's frame a pure
/// translation to its head (the T-pose's axes).
fn skin(bind: &BindPose) -> Skin {
    let at = |joint: RigJoint| Mat4::from_translation(bind.head(joint));
    Skin {
        joints: RigJoint::ALL.to_vec(),
        inverse_bind: RigJoint::ALL.iter().map(|&j| at(j).inverse()).collect(),
        bind_global: RigJoint::ALL.iter().map(|&j| at(j)).collect(),
    }
}

/// Checks anchors against the image and each other; says what is wrong.
fn validate(anchors: &PhotoAnchors, width: u32, height: u32) -> Result<(), String> {
    let (w, h) = (width as f32, height as f32);
    for (name, point) in anchors.named() {
        let Some(p) = point else { continue };
        if !(p.is_finite() && (0.0..=w).contains(&p.x) && (0.0..=h).contains(&p.y)) {
            return Err(format!(
                "{name} [{}, {}] lies outside the {width}×{height} image",
                p.x, p.y
            ));
        }
    }
    let mirrored = "(the wearer's left is the image's right in a front photo): swap them";
    if anchors.left_shoulder.x <= anchors.right_shoulder.x {
        return Err(format!(
            "left_shoulder must lie right of right_shoulder in the image {mirrored}"
        ));
    }
    if anchors.left_hip.x <= anchors.right_hip.x {
        return Err(format!(
            "left_hip must lie right of right_hip in the image {mirrored}"
        ));
    }
    let shoulder_distance = anchors.left_shoulder.distance(anchors.right_shoulder);
    if shoulder_distance < MIN_SHOULDER_DISTANCE_PX {
        return Err(format!(
            "the shoulders are only {shoulder_distance:.1} px apart; they need at least \
             {MIN_SHOULDER_DISTANCE_PX} px"
        ));
    }
    let lowest_shoulder = anchors.left_shoulder.y.max(anchors.right_shoulder.y);
    let highest_hip = anchors.left_hip.y.min(anchors.right_hip.y);
    if highest_hip <= lowest_shoulder {
        return Err("the hips must lie below the shoulders (image y grows downwards)".into());
    }
    if let Some(neck) = anchors.neckline {
        if neck.y >= highest_hip {
            return Err("the neckline must lie above the hips".into());
        }
        if !(anchors.right_shoulder.x < neck.x && neck.x < anchors.left_shoulder.x) {
            return Err("the neckline must lie between the shoulders".into());
        }
    }
    let centre_x = (anchors.left_shoulder.x + anchors.right_shoulder.x) * 0.5;
    for (name, end, shoulder, side) in [
        (
            "left_sleeve_end",
            anchors.left_sleeve_end,
            anchors.left_shoulder,
            Side::Left,
        ),
        (
            "right_sleeve_end",
            anchors.right_sleeve_end,
            anchors.right_shoulder,
            Side::Right,
        ),
    ] {
        let Some(end) = end else { continue };
        if (end.x - centre_x) * side.sign() <= 0.0 {
            return Err(format!(
                "{name} lies on the wrong side of the garment {mirrored}"
            ));
        }
        if end.distance(shoulder) < 0.1 * shoulder_distance {
            return Err(format!(
                "{name} lies on its shoulder; put it at the sleeve's end"
            ));
        }
    }
    Ok(())
}
