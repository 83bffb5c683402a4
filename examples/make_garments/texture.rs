//! Small tileable fabric textures: a near-white base-colour modulation
//! (the garment's colour is the material's baseColorFactor, so recolouring
//! is a factor change) and a matching tangent-space normal map.

use std::f32::consts::TAU;

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};

pub const SIZE: usize = 256;

/// A deterministic hash of a lattice point to [0, 1).
pub fn hash(x: i32, y: i32, seed: u32) -> f32 {
    let mut h = (x as u32).wrapping_mul(0x8da6_b343)
        ^ (y as u32).wrapping_mul(0xd816_3841)
        ^ seed.wrapping_mul(0xcb1a_b31f);
    h ^= h >> 15;
    h = h.wrapping_mul(0x2c1b_3c6d);
    h ^= h >> 12;
    h = h.wrapping_mul(0x297a_2d39);
    h ^= h >> 15;
    (h >> 8) as f32 / (1u32 << 24) as f32
}

/// Smooth value noise with `cells` lattice cells across the tile, so it
/// wraps around at SIZE.
fn tiled_noise(x: f32, y: f32, cells: i32, seed: u32) -> f32 {
    let scale = cells as f32 / SIZE as f32;
    let (fx, fy) = (x * scale, y * scale);
    let (ix, iy) = (fx.floor() as i32, fy.floor() as i32);
    let (tx, ty) = (fx - ix as f32, fy - iy as f32);
    let (sx, sy) = (tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty));
    let at = |dx: i32, dy: i32| {
        hash(
            (ix + dx).rem_euclid(cells),
            (iy + dy).rem_euclid(cells),
            seed,
        )
    };
    let top = at(0, 0) + (at(1, 0) - at(0, 0)) * sx;
    let bottom = at(0, 1) + (at(1, 1) - at(0, 1)) * sx;
    top + (bottom - top) * sy
}

/// Jersey knit: columns of V-shaped stitches, 8 px per stitch.
fn knit_height(x: usize, y: usize) -> f32 {
    let (cx, cy) = ((x % 8) as f32 + 0.5, (y % 8) as f32 + 0.5);
    let leg = |centre_x: f32, tilt: f32| {
        let (dx, dy) = (cx - centre_x, cy - 4.0);
        let (c, s) = (tilt.cos(), tilt.sin());
        let (along, across) = (dx * s + dy * c, dx * c - dy * s);
        (1.0 - (along / 4.2).powi(2) - (across / 1.9).powi(2)).max(0.0)
    };
    leg(2.2, 0.45).max(leg(5.8, -0.45)).sqrt()
}

/// Twill: diagonal ribs, 8 px apart.
fn twill_height(x: usize, y: usize) -> f32 {
    let rib = 0.5 + 0.5 * (TAU * (x + y) as f32 / 8.0).cos();
    let weave = 0.5 + 0.5 * (TAU * (x as f32 - y as f32) / 4.0).cos();
    0.8 * rib + 0.2 * weave
}

pub enum Weave {
    Knit,
    Twill,
}

/// The (base colour, normal map) PNGs for a weave.
pub fn fabric(weave: Weave, seed: u32) -> (Vec<u8>, Vec<u8>) {
    let height = |x: usize, y: usize| match weave {
        Weave::Knit => knit_height(x % SIZE, y % SIZE),
        Weave::Twill => twill_height(x % SIZE, y % SIZE),
    };
    let mut colour = Vec::with_capacity(SIZE * SIZE * 3);
    let mut normal = Vec::with_capacity(SIZE * SIZE * 3);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let h = height(x, y);
            // Heathered yarn: slow blotches plus a little per-stitch variation.
            let heather = tiled_noise(x as f32, y as f32, 16, seed) - 0.5;
            let stitch = hash((x / 8) as i32, (y / 8) as i32, seed + 1) - 0.5;
            let shade = (0.84 + 0.14 * h + 0.06 * heather + 0.03 * stitch).clamp(0.0, 1.0);
            let byte = (shade * 255.0).round() as u8;
            colour.extend([byte, byte, byte]);
            // Central differences, wrapping at the tile edge.
            let (xl, xr) = ((x + SIZE - 1) % SIZE, (x + 1) % SIZE);
            let (yu, yd) = ((y + SIZE - 1) % SIZE, (y + 1) % SIZE);
            let strength = 1.2;
            let dx = (height(xr, y) - height(xl, y)) * strength;
            // Image rows grow downwards, texture v too; tangent-space y is up.
            let dy = (height(x, yu) - height(x, yd)) * strength;
            let n = glam::Vec3::new(-dx, -dy, 1.0).normalize();
            normal.extend(
                n.to_array()
                    .map(|c| ((c * 0.5 + 0.5) * 255.0).round() as u8),
            );
        }
    }
    (
        png_rgb(&colour, SIZE as u32, SIZE as u32),
        png_rgb(&normal, SIZE as u32, SIZE as u32),
    )
}

fn encode(pixels: &[u8], width: u32, height: u32, kind: ExtendedColorType) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive)
        .write_image(pixels, width, height, kind)
        .expect("encoding a PNG into memory does not fail");
    out
}

pub fn png_rgb(pixels: &[u8], width: u32, height: u32) -> Vec<u8> {
    encode(pixels, width, height, ExtendedColorType::Rgb8)
}

pub fn png_rgba(pixels: &[u8], width: u32, height: u32) -> Vec<u8> {
    encode(pixels, width, height, ExtendedColorType::Rgba8)
}
