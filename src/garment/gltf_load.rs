//! Loads skinned glTF 2.0 / GLB garments and rigid glTF accessories into
//! CPU-side arrays the renderer uploads.
//!
//! Files come from artists and customers, so the loader treats them as
//! hostile: every accessor is checked against its buffer view and buffer
//! before it is read, every count against [`Limits`] before anything is
//! allocated, external files must be relative names (no URLs or absolute
//! paths; `..` is allowed) of regular files and count against one byte
//! budget, and every failure is a [`GltfError`] that names the file and
//! says what to do, never a panic. gltf's own validator is not used: it
//! indexes unchecked and panics on some bad indices.
//!
//! Only what drape draws is read: the default scene's TRIANGLES meshes,
//! metallic-roughness materials (with normal and occlusion textures) and
//! KHR_materials_sheen, one skin whose
//! joints are exactly the drape rig's ([`RigJoint`], see `rig.rs`).
//! Animations, cameras, lights, morph targets and vertex colours are
//! ignored.
//!
//! ```no_run
//! use drape::garment::gltf_load::{load_garment, GltfOptions};
//! let shirt = load_garment("garments/shirt.glb", GltfOptions::garment())?;
//! println!("{} triangles", shirt.primitives.iter().map(|p| p.indices.len() / 3).sum::<usize>());
//! # Ok::<(), drape::garment::gltf_load::GltfError>(())
//! ```

mod accessor;
mod error;
mod material;
mod mesh;
mod nodes;
mod skin;
mod source;

pub use error::GltfError;

use crate::garment::catalog::AssetFiles;
use crate::garment::RigJoint;
use glam::{Mat4, Vec2, Vec3, Vec4};
use std::path::{Path, PathBuf};

/// Caps on what one file may make us read or allocate. The defaults suit
/// a kiosk: generous for a detailed garment, small enough that a hostile
/// file cannot exhaust memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Bytes read or decoded for one load: the file, its buffers (external
    /// or `data:` URIs) and its image files together. Default 256 MiB.
    pub max_file_bytes: u64,
    /// Vertices over all primitives. Default 2 M.
    pub max_vertices: usize,
    /// Indices over all primitives (generated ones included). Default 6 M.
    pub max_indices: usize,
    /// Primitives (one per mesh primitive per node). Default 64.
    pub max_primitives: usize,
    /// Largest texture width or height, in pixels. Default 4096.
    pub max_texture_side: u32,
    /// Distinct textures (a texture used both as colour and as data counts
    /// twice). Default 32.
    pub max_textures: usize,
    /// Skin joints. Default 256.
    pub max_joints: usize,
    /// JSON values (objects, arrays and their elements), checked before
    /// parsing: each becomes a struct of up to a few hundred bytes.
    /// Default 250 000 (a garment needs a few thousand).
    pub max_json_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 << 20,
            max_vertices: 2_000_000,
            max_indices: 6_000_000,
            max_primitives: 64,
            max_texture_side: 4096,
            max_textures: 32,
            max_joints: 256,
            max_json_values: 250_000,
        }
    }
}

/// How to load a file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GltfOptions {
    /// Refuse files without a skinned mesh (garments must follow the body).
    pub require_skin: bool,
    pub limits: Limits,
}

impl GltfOptions {
    /// For garments: a skinned mesh is required.
    pub fn garment() -> Self {
        GltfOptions {
            require_skin: true,
            limits: Limits::default(),
        }
    }

    /// For rigid accessories (glasses, hats): a skin is optional.
    pub fn accessory() -> Self {
        GltfOptions {
            require_skin: false,
            limits: Limits::default(),
        }
    }
}

/// A loaded garment or accessory, ready to upload.
#[derive(Debug, Clone, PartialEq)]
pub struct GarmentModel {
    pub primitives: Vec<Primitive>,
    /// The file's materials in file order, plus a default one at the end
    /// if some primitive has none.
    pub materials: Vec<Material>,
    /// Decoded textures, indexed by [`TextureRef::texture`].
    pub textures: Vec<TextureImage>,
    /// `Some` iff the file has a skin (then it has exactly the rig's joints).
    pub skin: Option<Skin>,
    /// Bounds of every primitive's positions, as stored in `positions`.
    pub bounds_min: Vec3,
    pub bounds_max: Vec3,
}

/// One drawable: flat vertex arrays (all the same length) and triangles.
///
/// Positions are in model space: for unskinned meshes the node's global
/// transform is baked in; skinned meshes keep their bind-pose positions
/// (glTF ignores a skinned mesh node's transform; the joints place it).
#[derive(Debug, Clone, PartialEq)]
pub struct Primitive {
    /// "mesh \"name\" (#i) primitive p", for messages.
    pub name: String,
    pub positions: Vec<Vec3>,
    /// Unit normals; smooth area-weighted ones are generated if missing.
    pub normals: Vec<Vec3>,
    /// TEXCOORD_0, zeros if missing (other sets are not loaded).
    pub uvs: Vec<Vec2>,
    /// TANGENT (xyz, w = bitangent sign) if the file has it.
    pub tangents: Option<Vec<Vec4>>,
    /// Skin joint indices (into [`Skin::joints`]) of the 4 strongest
    /// influences. Empty iff the model has no skin. In a skinned file, an
    /// unskinned mesh is carried rigidly: every vertex has weight 1 on its
    /// node's nearest joint ancestor, else on `hips`.
    pub joints: Vec<[u16; 4]>,
    /// Weights of `joints`, normalised to sum 1 (vertices with no weight
    /// are bound to `hips`). Empty iff the model has no skin.
    pub weights: Vec<[f32; 4]>,
    /// Triangle list, three per triangle, each < `positions.len()`;
    /// generated 0..n for unindexed meshes.
    pub indices: Vec<u32>,
    /// Index into [`GarmentModel::materials`].
    pub material: usize,
}

/// A material: glTF metallic-roughness with optional sheen (cloth).
#[derive(Debug, Clone, PartialEq)]
pub struct Material {
    pub name: String,
    /// Linear RGBA multiplier of the base colour texture.
    pub base_color_factor: Vec4,
    /// sRGB.
    pub base_color_texture: Option<TextureRef>,
    pub metallic: f32,
    pub roughness: f32,
    /// Linear; roughness in G, metalness in B.
    pub metallic_roughness_texture: Option<TextureRef>,
    /// Linear tangent-space normal map.
    pub normal_texture: Option<TextureRef>,
    /// Scale of the normal map's XY.
    pub normal_scale: f32,
    /// Linear ambient occlusion in R (glTF `occlusionTexture`); other
    /// channels are ignored. Often the same image as
    /// `metallic_roughness_texture` (an "ORM" texture: occlusion,
    /// roughness, metallic in R, G, B).
    pub occlusion_texture: Option<TextureRef>,
    /// How much of the occlusion applies: lit = mix(1, texture.r,
    /// strength). glTF's `occlusionTexture.strength`, clamped to 0..=1;
    /// 1 when the file gives none.
    pub occlusion_strength: f32,
    pub alpha_mode: AlphaMode,
    pub double_sided: bool,
    /// KHR_materials_sheen, the velvety rim of fabrics.
    pub sheen: Option<Sheen>,
}

impl Default for Material {
    /// glTF's default material (white, fully metallic and rough).
    fn default() -> Self {
        Material {
            name: "default".into(),
            base_color_factor: Vec4::ONE,
            base_color_texture: None,
            metallic: 1.0,
            roughness: 1.0,
            metallic_roughness_texture: None,
            normal_texture: None,
            normal_scale: 1.0,
            occlusion_texture: None,
            occlusion_strength: 1.0,
            alpha_mode: AlphaMode::Opaque,
            double_sided: false,
            sheen: None,
        }
    }
}

/// A material's use of a texture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextureRef {
    /// Index into [`GarmentModel::textures`].
    pub texture: usize,
    /// The TEXCOORD_n set the file asks for; only set 0 is loaded.
    pub uv_set: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AlphaMode {
    Opaque,
    /// Alpha below the cutoff is discarded.
    Mask(f32),
    Blend,
}

/// KHR_materials_sheen.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheen {
    /// Linear RGB.
    pub color_factor: Vec3,
    pub roughness_factor: f32,
    /// sRGB; multiplies `color_factor`.
    pub color_texture: Option<TextureRef>,
    /// Linear; alpha multiplies `roughness_factor`.
    pub roughness_texture: Option<TextureRef>,
}

/// A decoded texture.
#[derive(Debug, Clone, PartialEq)]
pub struct TextureImage {
    /// The image's name or file name, for messages.
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// Row-major RGBA, 4 bytes per pixel, no padding.
    pub rgba8: Vec<u8>,
    /// Colour data (base colour, sheen colour) to sample as sRGB; data
    /// textures (normal, metallic-roughness, occlusion) are linear.
    pub srgb: bool,
    pub sampler: SamplerInfo,
}

/// How a texture is sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SamplerInfo {
    pub wrap_u: Wrap,
    pub wrap_v: Wrap,
    pub mag_filter: Filter,
    pub min_filter: Filter,
    /// `None`: no mipmaps.
    pub mipmap_filter: Option<Filter>,
}

impl Default for SamplerInfo {
    /// What drape uses when the file names no sampler: repeat, trilinear.
    fn default() -> Self {
        SamplerInfo {
            wrap_u: Wrap::Repeat,
            wrap_v: Wrap::Repeat,
            mag_filter: Filter::Linear,
            min_filter: Filter::Linear,
            mipmap_filter: Some(Filter::Linear),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    Repeat,
    ClampToEdge,
    MirroredRepeat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Nearest,
    Linear,
}

/// The garment's armature: exactly the rig's joints, in the file's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Skin {
    /// Skin joint index → rig joint (what `Primitive::joints` index).
    pub joints: Vec<RigJoint>,
    /// `joint_from_model` of each skin joint in the bind pose.
    pub inverse_bind: Vec<Mat4>,
    /// `model_from_joint` of each skin joint: its node's global transform
    /// in the file, the bind pose.
    pub bind_global: Vec<Mat4>,
}

/// Loads a `.glb` or `.gltf` file; external buffers and images are read
/// relative to its folder.
pub fn load_garment(
    path: impl AsRef<Path>,
    options: GltfOptions,
) -> Result<GarmentModel, GltfError> {
    load_garment_from(&AssetFiles::Disk, path, options)
}

/// `load_garment` with the file, its buffers and its images read from
/// `files` (on disk or given in memory).
pub fn load_garment_from(
    files: &AssetFiles,
    path: impl AsRef<Path>,
    options: GltfOptions,
) -> Result<GarmentModel, GltfError> {
    let path = path.as_ref();
    let bytes = read_file(files, path, &options.limits)?;
    load(&bytes, path.to_path_buf(), path.parent(), files, &options)
}

/// The external files (buffers and images, not `data:` URIs) that the
/// glTF at `path` in `files` names, resolved against its folder: what must
/// travel with it. Empty for a self-contained `.glb`.
pub fn external_files(
    files: &AssetFiles,
    path: &Path,
    limits: &Limits,
) -> Result<Vec<PathBuf>, GltfError> {
    let bytes = read_file(files, path, limits)?;
    let loader = source::Loader::new(path.to_path_buf(), path.parent(), files, limits);
    let (json_text, _) = source::split_container(&loader, &bytes)?;
    let root = source::parse_json(&loader, json_text)?;
    let buffers = root.buffers.iter().enumerate().filter_map(|(index, b)| {
        let uri = b.uri.as_deref()?;
        Some((uri, format!("buffer {index}")))
    });
    let images = root.images.iter().enumerate().filter_map(|(index, image)| {
        let uri = image.uri.as_deref()?;
        Some((uri, format!("image {index}")))
    });
    let mut external = Vec::new();
    for (uri, what) in buffers.chain(images) {
        if let Some(file) = loader.external_file(uri, &what)? {
            if !external.contains(&file) {
                external.push(file);
            }
        }
    }
    Ok(external)
}

/// The glTF/GLB file's bytes, refused when over `limits.max_file_bytes`.
fn read_file<'f>(
    files: &'f AssetFiles,
    path: &Path,
    limits: &Limits,
) -> Result<std::borrow::Cow<'f, [u8]>, GltfError> {
    let io = |source| GltfError::Io {
        path: path.to_path_buf(),
        source,
    };
    let len = files.file_len(path).map_err(io)?;
    let limit = limits.max_file_bytes;
    if len > limit {
        return Err(GltfError::Limit {
            path: path.to_path_buf(),
            what: "the file size".into(),
            field: "max_file_bytes",
            actual: len,
            limit,
        });
    }
    files.read_at_most(path, len).map_err(io)
}

/// Loads glTF JSON or GLB bytes. External buffers and images are read
/// relative to `base_dir`; without one, only GLB chunks and `data:` URIs
/// can be used. Errors name the file as `<glTF bytes>` under `base_dir`.
pub fn load_garment_from_slice(
    bytes: &[u8],
    base_dir: Option<&Path>,
    options: GltfOptions,
) -> Result<GarmentModel, GltfError> {
    let label = PathBuf::from("<glTF bytes>");
    let label = base_dir.map_or(label.clone(), |dir| dir.join(label));
    load(bytes, label, base_dir, &AssetFiles::Disk, &options)
}

fn load(
    bytes: &[u8],
    path: PathBuf,
    base_dir: Option<&Path>,
    files: &AssetFiles,
    options: &GltfOptions,
) -> Result<GarmentModel, GltfError> {
    let mut loader = source::Loader::new(path, base_dir, files, &options.limits);
    loader.spend("the glTF file", bytes.len() as u64)?;
    let (json_text, bin) = source::split_container(&loader, bytes)?;
    let root = source::parse_json(&loader, json_text)?;
    let skinned_node = root
        .nodes
        .iter()
        .any(|n| n.skin.is_some() && n.mesh.is_some());
    if options.require_skin && !skinned_node {
        return Err(GltfError::NoSkin {
            path: loader.path.clone(),
        });
    }
    let buffers = source::load_buffers(&mut loader, &root, bin)?;
    let tree = nodes::NodeTree::build(&loader, &root)?;
    let skin = skin::load_skin(&loader, &root, &buffers, &tree)?;

    let default_material = root.materials.len();
    let mut totals = mesh::Totals::default();
    let mut primitives = Vec::new();
    for node in tree.scene_nodes(&loader, &root)? {
        let json_node = &root.nodes[node]; // scene_nodes checked the index
        let Some(mesh_index) = json_node.mesh.map(|m| m.value()) else {
            continue;
        };
        let json_mesh = root.meshes.get(mesh_index).ok_or_else(|| {
            loader.invalid(format!(
                "node {node} uses mesh {mesh_index}, which does not exist"
            ))
        })?;
        let binding = match (json_node.skin.map(|s| s.value()), &skin) {
            (Some(0), Some(skin)) => mesh::Binding::Skinned {
                joint_count: skin.skin.joints.len(),
                hips: skin.hips,
            },
            (Some(other), _) => {
                return Err(loader.invalid(format!(
                    "node {node} uses skin {other}, which does not exist"
                )))
            }
            (None, Some(skin)) => mesh::Binding::Rigid {
                joint: skin.carrier(&tree, node),
            },
            (None, None) => mesh::Binding::Static,
        };
        let count = primitives.len() + json_mesh.primitives.len();
        let limit = loader.limits.max_primitives;
        loader.check_limit(
            "the number of primitives",
            "max_primitives",
            count as u64,
            limit as u64,
        )?;
        let mesh_name = json_mesh.name.as_deref().unwrap_or("");
        for (index, primitive) in json_mesh.primitives.iter().enumerate() {
            let input = mesh::PrimitiveInput {
                label: format!("mesh {mesh_name:?} (#{mesh_index}) primitive {index}"),
                primitive,
                model_from_node: tree.global[node],
                binding,
                default_material,
            };
            primitives.push(mesh::load_primitive(
                &loader,
                &root,
                &buffers,
                input,
                &mut totals,
            )?);
        }
    }
    if primitives.is_empty() {
        return Err(loader.invalid("its scene has no meshes"));
    }
    let (mut materials, textures) = material::load_materials(&mut loader, &root, &buffers)?;
    if primitives.iter().any(|p| p.material == default_material) {
        materials.push(Material::default());
    }
    let all = primitives.iter().flat_map(|p| p.positions.iter().copied());
    let bounds_min = all.clone().fold(Vec3::INFINITY, Vec3::min);
    let bounds_max = all.fold(Vec3::NEG_INFINITY, Vec3::max);
    Ok(GarmentModel {
        primitives,
        materials,
        textures,
        skin: skin.map(|s| s.skin),
        bounds_min,
        bounds_max,
    })
}
