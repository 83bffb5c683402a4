//! Rebuilds the sample garments in `assets/garments/`: two skinned tops
//! (T-shirt, jacket) on the drape rig, two rigid accessories (glasses,
//! watch), a product-photo T-shirt, picker thumbnails and `catalog.toml`.
//!
//! ```sh
//! cargo run --release --example make_garments
//! # also write larger renders from several sides, to look at changes:
//! cargo run --release --example make_garments -- --preview /tmp/garment_preview
//! ```
//!
//! Everything is procedural and deterministic: the same toolchain writes
//! the same bytes on every run. Each GLB is read back with the `gltf`
//! crate and checked before the generator reports success.

mod accessories;
mod bake;
mod body;
mod catalog;
mod check;
mod cloth;
mod clothes;
mod cut;
mod fabric;
mod glb;
mod jacket;
mod mesh;
mod occlusion;
mod pattern;
mod photo;
mod raster;
mod sew;
mod skin;
mod tee;
mod texture;

use std::error::Error;
use std::fs;
use std::path::Path;

use glam::Mat3;
use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage, RgbaImage};

use crate::bake::Maps;
use crate::mesh::Primitive;
use crate::raster::{render, srgb_byte, Look, BACKGROUND, THUMB};

/// One generated .glb, with what its thumbnail needs.
pub struct Asset {
    pub file: &'static str,
    pub bytes: Vec<u8>,
    pub prims: Vec<Primitive>,
    pub looks: Vec<Look>,
    pub skinned: bool,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let preview = match args.as_slice() {
        [] => None,
        [flag, dir] if flag == "--preview" => Some(Path::new(dir).to_path_buf()),
        _ => return Err("usage: make_garments [--preview DIR]".into()),
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/garments");
    fs::create_dir_all(dir.join("thumbs"))?;
    let mut written = Vec::new();

    // Garments face the camera; accessories turn a little to show depth.
    let three_quarter = Mat3::from_rotation_x(0.2) * Mat3::from_rotation_y(-0.6);
    let dial_up = Mat3::from_rotation_y(0.35) * Mat3::from_rotation_x(1.05);
    let tshirt = clothes::tshirt();
    let jacket = clothes::jacket();
    for (file, garment) in [("tshirt.glb", &tshirt), ("jacket.glb", &jacket)] {
        let parts: Vec<String> = garment
            .parts
            .iter()
            .map(|(name, n)| format!("{name} {n}"))
            .collect();
        written.push(format!("{file:<14} parts (vertices): {}", parts.join(", ")));
        // The texture only modulates the colour factor: its mean stays
        // near 1 so the factor is the product's colour.
        if !(MIN_BASE_MEAN..=1.0).contains(&garment.base_mean) {
            return Err(format!(
                "{file}: base-colour texture mean {}, want {MIN_BASE_MEAN} to 1",
                garment.base_mean
            )
            .into());
        }
        written.push(format!(
            "{file:<14} base-colour texture mean {:.3} (linear)",
            garment.base_mean
        ));
    }
    let textures: Vec<(String, Vec<u8>)> = [&tshirt, &jacket]
        .iter()
        .flat_map(|g| g.textures.clone())
        .collect();
    let meshes = [
        ("tee-indigo", tshirt.asset, Mat3::IDENTITY, tshirt.maps),
        ("jacket-charcoal", jacket.asset, Mat3::IDENTITY, jacket.maps),
        (
            "glasses-round",
            accessories::glasses(),
            three_quarter,
            vec![],
        ),
        ("watch-steel", accessories::watch(), dial_up, vec![]),
    ];
    let kinds = [
        check::Kind::Garment {
            vertices: 2000..=3500,
        },
        check::Kind::Garment {
            vertices: 3000..=6500,
        },
        check::Kind::Accessory,
        check::Kind::Accessory,
    ];
    for ((id, asset, view, maps), kind) in meshes.iter().zip(&kinds) {
        let stats = check::glb(asset.file, &asset.bytes, kind)?;
        fs::write(dir.join(asset.file), &asset.bytes)?;
        written.push(format!(
            "{:<14} {:>6} triangles {:>6} vertices {:>8} bytes",
            asset.file,
            stats.triangles,
            stats.vertices,
            asset.bytes.len()
        ));
        if let check::Kind::Garment { .. } = kind {
            written.push(format!(
                "{:<14} fabric: {} particles welded, edges {:.1}–{:.1} cm, textures {:?}",
                "",
                stats.particles,
                stats.edges_m.0 * 100.0,
                stats.edges_m.1 * 100.0,
                stats.textures
            ));
        }
        // Tops show on the picker as in a shop: arms lowered (A-pose),
        // posed with their own skin weights.
        let shown: Vec<Primitive> = if asset.skinned {
            asset
                .prims
                .iter()
                .map(|p| skin::pose_arms(p, A_POSE_SHOULDER_RAD, A_POSE_ELBOW_RAD))
                .collect()
        } else {
            asset.prims.clone()
        };
        let maps: Vec<Option<&Maps>> = maps.iter().map(Option::as_ref).collect();
        let pixels = render(&shown, &asset.looks, &maps, *view, THUMB);
        let png = texture::png_rgba(&pixels, THUMB as u32, THUMB as u32);
        fs::write(dir.join(format!("thumbs/{id}.png")), &png)?;
        written.push(format!("thumbs/{id}.png {:>8} bytes", png.len()));
    }

    if let Some(preview) = &preview {
        write_previews(preview, &meshes)?;
        for (name, png) in &textures {
            fs::write(preview.join(name), png)?;
        }
    }

    let photo = photo::photo_tee();
    let png = texture::png_rgba(&photo, photo::WIDTH, photo::HEIGHT);
    fs::write(dir.join("photo_tee.png"), &png)?;
    written.push(format!("photo_tee.png {:>8} bytes", png.len()));
    let thumb = photo_thumbnail(&photo)?;
    let png = texture::png_rgba(thumb.as_raw(), THUMB as u32, THUMB as u32);
    fs::write(dir.join("thumbs/photo-tee.png"), &png)?;
    written.push(format!("thumbs/photo-tee.png {:>8} bytes", png.len()));

    fs::write(
        dir.join("catalog.toml"),
        catalog::catalog(&photo::anchors()),
    )?;
    check::catalog(&dir, &photo, (photo::WIDTH, photo::HEIGHT))?;
    written.push("catalog.toml".into());

    for line in written {
        println!("{line}");
    }
    println!("wrote {} (self-check passed)", dir.display());
    Ok(())
}

/// A generated asset, its thumbnail view and its materials' baked maps.
type Mesh = (&'static str, Asset, Mat3, Vec<Option<Maps>>);

/// The least linear mean a garment's base-colour texture may have.
const MIN_BASE_MEAN: f32 = 0.94;

/// How far the thumbnails lower the arms from the T-pose and bend the elbows.
const A_POSE_SHOULDER_RAD: f32 = 1.05;
const A_POSE_ELBOW_RAD: f32 = 0.35;

/// Preview renders are this many pixels square: enough to see the weave.
const PREVIEW: usize = 1024;

/// Renders of each mesh from the front (T- and A-pose), the side, above
/// and behind, and the garments' baked textures.
fn write_previews(dir: &Path, meshes: &[Mesh]) -> Result<(), Box<dyn Error>> {
    fs::create_dir_all(dir)?;
    let views = [
        ("front", Mat3::IDENTITY),
        ("side", Mat3::from_rotation_y(-std::f32::consts::FRAC_PI_2)),
        (
            "three_quarter_back",
            Mat3::from_rotation_x(0.3) * Mat3::from_rotation_y(2.4),
        ),
        ("top", Mat3::from_rotation_x(std::f32::consts::FRAC_PI_2)),
    ];
    for (id, asset, _, maps) in meshes {
        let maps: Vec<Option<&Maps>> = maps.iter().map(Option::as_ref).collect();
        let mut poses = vec![("", asset.prims.clone())];
        if asset.skinned {
            poses.push((
                "_a_pose",
                asset
                    .prims
                    .iter()
                    .map(|p| skin::pose_arms(p, A_POSE_SHOULDER_RAD, A_POSE_ELBOW_RAD))
                    .collect(),
            ));
        }
        for (pose, prims) in &poses {
            for (name, view) in &views {
                let pixels = render(prims, &asset.looks, &maps, *view, PREVIEW);
                let png = texture::png_rgba(&pixels, PREVIEW as u32, PREVIEW as u32);
                fs::write(dir.join(format!("{id}{pose}_{name}.png")), png)?;
            }
        }
    }
    println!("previews in {}", dir.display());
    Ok(())
}

/// The photo on the thumbnail background, scaled to fit with a margin.
fn photo_thumbnail(rgba: &[u8]) -> Result<RgbaImage, Box<dyn Error>> {
    let background = BACKGROUND.map(srgb_byte);
    let photo =
        RgbaImage::from_raw(photo::WIDTH, photo::HEIGHT, rgba.to_vec()).ok_or("photo size")?;
    // Composite first so the transparent pixels' colour cannot bleed in.
    let flat = RgbImage::from_fn(photo::WIDTH, photo::HEIGHT, |x, y| {
        let p = photo.get_pixel(x, y).0;
        let a = p[3] as f32 / 255.0;
        Rgb([0, 1, 2].map(|k| (p[k] as f32 * a + background[k] as f32 * (1.0 - a)).round() as u8))
    });
    let height = (THUMB as f32 * 0.9) as u32;
    let width = (height as f32 * photo::WIDTH as f32 / photo::HEIGHT as f32).round() as u32;
    let small = imageops::resize(&flat, width, height, FilterType::Lanczos3);
    let mut out = RgbImage::from_pixel(THUMB as u32, THUMB as u32, Rgb(background));
    imageops::overlay(
        &mut out,
        &small,
        ((THUMB as u32 - width) / 2) as i64,
        ((THUMB as u32 - height) / 2) as i64,
    );
    Ok(image::DynamicImage::ImageRgb8(out).into_rgba8())
}
