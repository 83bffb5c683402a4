//! Materials (metallic-roughness, normal and occlusion textures, plus
//! KHR_materials_sheen) and the texture images they use, decoded to RGBA8
//! within the texture limits.

use super::accessor::view_bytes;
use super::source::Loader;
use super::{
    AlphaMode, Filter, GltfError, Material, SamplerInfo, Sheen, TextureImage, TextureRef, Wrap,
};
use glam::{Vec3, Vec4};
use gltf::json;
use gltf::json::texture::{MagFilter, MinFilter, WrappingMode};
use gltf::json::validation::Checked;
use std::borrow::Cow;

/// Textures in first-use order: (glTF texture index, sRGB). The same
/// glTF texture used as colour and as data becomes two entries.
struct TextureTable<'r> {
    root: &'r json::Root,
    entries: Vec<(usize, bool)>,
}

impl TextureTable<'_> {
    fn add(
        &mut self,
        loader: &Loader,
        info: Option<(json::Index<json::Texture>, u32)>,
        srgb: bool,
        what: &str,
    ) -> Result<Option<TextureRef>, GltfError> {
        let Some((index, uv_set)) = info else {
            return Ok(None);
        };
        let texture = index.value();
        if texture >= self.root.textures.len() {
            return Err(loader.invalid(format!(
                "{what} uses texture {texture}, which does not exist"
            )));
        }
        let entry = (texture, srgb);
        let slot = match self.entries.iter().position(|&e| e == entry) {
            Some(slot) => slot,
            None => {
                let wanted = self.entries.len() + 1;
                loader.check_limit(
                    "the number of textures",
                    "max_textures",
                    wanted as u64,
                    loader.limits.max_textures as u64,
                )?;
                self.entries.push(entry);
                wanted - 1
            }
        };
        Ok(Some(TextureRef {
            texture: slot,
            uv_set,
        }))
    }
}

/// KHR_materials_sheen as written in a material's `extensions`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SheenJson {
    #[serde(default)]
    sheen_color_factor: [f32; 3],
    #[serde(default)]
    sheen_roughness_factor: f32,
    sheen_color_texture: Option<json::texture::Info>,
    sheen_roughness_texture: Option<json::texture::Info>,
}

/// Every material of the file (in file order) and the textures they use.
pub(super) fn load_materials(
    loader: &mut Loader,
    root: &json::Root,
    buffers: &[Cow<[u8]>],
) -> Result<(Vec<Material>, Vec<TextureImage>), GltfError> {
    let mut table = TextureTable {
        root,
        entries: Vec::new(),
    };
    let mut materials = Vec::with_capacity(root.materials.len());
    for (index, json) in root.materials.iter().enumerate() {
        materials.push(material(loader, &mut table, index, json)?);
    }
    let mut textures = Vec::with_capacity(table.entries.len());
    for &(texture, srgb) in &table.entries {
        textures.push(texture_image(loader, root, buffers, texture, srgb)?);
    }
    Ok((materials, textures))
}

fn material(
    loader: &Loader,
    table: &mut TextureTable,
    index: usize,
    json: &json::Material,
) -> Result<Material, GltfError> {
    let name = json
        .name
        .clone()
        .unwrap_or_else(|| format!("material {index}"));
    let what = format!("material {name:?}");
    let info = |i: &Option<json::texture::Info>| i.as_ref().map(|i| (i.index, i.tex_coord));
    let pbr = &json.pbr_metallic_roughness;
    let alpha_mode = match json.alpha_mode {
        Checked::Valid(json::material::AlphaMode::Opaque) => AlphaMode::Opaque,
        Checked::Valid(json::material::AlphaMode::Mask) => {
            AlphaMode::Mask(json.alpha_cutoff.map_or(0.5, |c| c.0))
        }
        Checked::Valid(json::material::AlphaMode::Blend) => AlphaMode::Blend,
        Checked::Invalid => return Err(loader.invalid(format!("{what} has an invalid alphaMode"))),
    };
    let normal = json.normal_texture.as_ref();
    let occlusion = json.occlusion_texture.as_ref();
    let sheen = match json
        .extensions
        .as_ref()
        .and_then(|e| e.others.get("KHR_materials_sheen"))
    {
        None => None,
        Some(value) => {
            let sheen: SheenJson = serde_json::from_value(value.clone()).map_err(|e| {
                loader.invalid(format!("{what} has a bad KHR_materials_sheen: {e}"))
            })?;
            Some(Sheen {
                color_factor: Vec3::from(sheen.sheen_color_factor),
                roughness_factor: sheen.sheen_roughness_factor,
                color_texture: table.add(loader, info(&sheen.sheen_color_texture), true, &what)?,
                roughness_texture: table.add(
                    loader,
                    info(&sheen.sheen_roughness_texture),
                    false,
                    &what,
                )?,
            })
        }
    };
    let mut material = Material {
        base_color_factor: Vec4::from(pbr.base_color_factor.0),
        base_color_texture: table.add(loader, info(&pbr.base_color_texture), true, &what)?,
        metallic: pbr.metallic_factor.0,
        roughness: pbr.roughness_factor.0,
        metallic_roughness_texture: table.add(
            loader,
            info(&pbr.metallic_roughness_texture),
            false,
            &what,
        )?,
        normal_texture: table.add(loader, normal.map(|n| (n.index, n.tex_coord)), false, &what)?,
        normal_scale: normal.map_or(1.0, |n| n.scale),
        // The same texture as metallic-roughness (an ORM image) is one
        // linear entry in the table, shared.
        occlusion_texture: table.add(
            loader,
            occlusion.map(|o| (o.index, o.tex_coord)),
            false,
            &what,
        )?,
        occlusion_strength: occlusion.map_or(1.0, |o| o.strength.0),
        alpha_mode,
        double_sided: json.double_sided,
        sheen,
        name,
    };
    // JSON numbers are finite, but large ones overflow f32.
    let mut factors = vec![
        material.metallic,
        material.roughness,
        material.normal_scale,
        material.occlusion_strength,
    ];
    factors.extend(material.base_color_factor.to_array());
    if let AlphaMode::Mask(cutoff) = material.alpha_mode {
        factors.push(cutoff);
    }
    if let Some(sheen) = &material.sheen {
        factors.extend(sheen.color_factor.to_array());
        factors.push(sheen.roughness_factor);
    }
    if factors.iter().any(|f| !f.is_finite()) {
        return Err(loader.invalid(format!("{what} has a non-finite factor")));
    }
    // glTF's range for the strength; outside it means nothing more.
    material.occlusion_strength = material.occlusion_strength.clamp(0.0, 1.0);
    Ok(material)
}

fn texture_image(
    loader: &mut Loader,
    root: &json::Root,
    buffers: &[Cow<[u8]>],
    texture_index: usize,
    srgb: bool,
) -> Result<TextureImage, GltfError> {
    let texture = &root.textures[texture_index]; // checked by TextureTable::add
    let image_index = texture.source.value();
    let image = root.images.get(image_index).ok_or_else(|| {
        loader.invalid(format!(
            "texture {texture_index} uses image {image_index}, which does not exist"
        ))
    })?;
    let name = image
        .name
        .clone()
        .or_else(|| {
            image
                .uri
                .as_ref()
                .filter(|u| !u.starts_with("data:"))
                .cloned()
        })
        .unwrap_or_else(|| format!("image {image_index}"));
    let what = format!("image {name:?}");
    let bytes: Cow<[u8]> = match (&image.uri, image.buffer_view) {
        (Some(uri), _) => Cow::Owned(loader.resolve_uri(uri, &what)?),
        (None, Some(view)) => {
            Cow::Borrowed(view_bytes(loader, root, buffers, view.value(), &what)?.0)
        }
        (None, None) => {
            return Err(loader.invalid(format!("{what} has neither uri nor bufferView")))
        }
    };
    let (width, height, rgba8) = decode_image(loader, &bytes, &name)?;
    let sampler = match texture.sampler {
        None => SamplerInfo::default(),
        Some(index) => {
            let json = root.samplers.get(index.value()).ok_or_else(|| {
                loader.invalid(format!(
                    "texture {texture_index} uses a sampler that does not exist"
                ))
            })?;
            sampler(loader, json, texture_index)?
        }
    };
    Ok(TextureImage {
        name,
        width,
        height,
        rgba8,
        srgb,
        sampler,
    })
}

fn decode_image(
    loader: &Loader,
    bytes: &[u8],
    name: &str,
) -> Result<(u32, u32, Vec<u8>), GltfError> {
    let image_error = |source| GltfError::Image {
        path: loader.path.clone(),
        image: name.to_string(),
        source,
    };
    let reader = || {
        image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| image_error(image::ImageError::IoError(e)))
    };
    // The header alone gives the size: refuse big images before decoding.
    let (width, height) = reader()?.into_dimensions().map_err(image_error)?;
    let side = loader.limits.max_texture_side;
    let what = format!("the size of image {name:?}");
    loader.check_limit(
        &what,
        "max_texture_side",
        u64::from(width.max(height)),
        u64::from(side),
    )?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(side);
    limits.max_image_height = Some(side);
    // RGBA8 output plus the decoder's own buffers.
    limits.max_alloc = Some(u64::from(side) * u64::from(side) * 4 * 3);
    let mut reader = reader()?;
    reader.limits(limits);
    let rgba = reader.decode().map_err(image_error)?.into_rgba8();
    Ok((rgba.width(), rgba.height(), rgba.into_raw()))
}

fn sampler(
    loader: &Loader,
    json: &json::texture::Sampler,
    texture: usize,
) -> Result<SamplerInfo, GltfError> {
    let bad = || {
        loader.invalid(format!(
            "texture {texture}'s sampler has an invalid filter or wrap mode"
        ))
    };
    let wrap = |mode: Checked<WrappingMode>| match mode {
        Checked::Valid(WrappingMode::Repeat) => Ok(Wrap::Repeat),
        Checked::Valid(WrappingMode::ClampToEdge) => Ok(Wrap::ClampToEdge),
        Checked::Valid(WrappingMode::MirroredRepeat) => Ok(Wrap::MirroredRepeat),
        Checked::Invalid => Err(bad()),
    };
    let defaults = SamplerInfo::default();
    let mag_filter = match json.mag_filter {
        None => defaults.mag_filter,
        Some(Checked::Valid(MagFilter::Nearest)) => Filter::Nearest,
        Some(Checked::Valid(MagFilter::Linear)) => Filter::Linear,
        Some(Checked::Invalid) => return Err(bad()),
    };
    let (min_filter, mipmap_filter) = match json.min_filter {
        None => (defaults.min_filter, defaults.mipmap_filter),
        Some(Checked::Valid(filter)) => match filter {
            MinFilter::Nearest => (Filter::Nearest, None),
            MinFilter::Linear => (Filter::Linear, None),
            MinFilter::NearestMipmapNearest => (Filter::Nearest, Some(Filter::Nearest)),
            MinFilter::LinearMipmapNearest => (Filter::Linear, Some(Filter::Nearest)),
            MinFilter::NearestMipmapLinear => (Filter::Nearest, Some(Filter::Linear)),
            MinFilter::LinearMipmapLinear => (Filter::Linear, Some(Filter::Linear)),
        },
        Some(Checked::Invalid) => return Err(bad()),
    };
    Ok(SamplerInfo {
        wrap_u: wrap(json.wrap_s)?,
        wrap_v: wrap(json.wrap_t)?,
        mag_filter,
        min_filter,
        mipmap_filter,
    })
}
