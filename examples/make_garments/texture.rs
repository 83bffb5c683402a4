//! PNG encoding and a lattice hash for the procedural textures.

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};

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

fn encode(pixels: &[u8], width: u32, height: u32, kind: ExtendedColorType) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive)
        .write_image(pixels, width, height, kind)
        .expect("encoding a PNG into memory does not fail");
    out
}

pub fn png_gray(pixels: &[u8], width: u32, height: u32) -> Vec<u8> {
    encode(pixels, width, height, ExtendedColorType::L8)
}

pub fn png_rgb(pixels: &[u8], width: u32, height: u32) -> Vec<u8> {
    encode(pixels, width, height, ExtendedColorType::Rgb8)
}

pub fn png_rgba(pixels: &[u8], width: u32, height: u32) -> Vec<u8> {
    encode(pixels, width, height, ExtendedColorType::Rgba8)
}
