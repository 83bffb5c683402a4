//! Mipmaps for garment textures, made on the CPU at upload: a fabric's
//! weave tiles many times across a shirt a few hundred pixels wide, and
//! sampling it without mipmaps aliases into a shimmering moiré (and reads
//! texels scattered across the texture).

use super::srgb::{linear_to_srgb_byte, srgb_byte_to_linear};

/// Levels of a full chain down to 1×1 for a `width × height` texture.
pub fn mip_level_count(width: u32, height: u32) -> u32 {
    32 - width.max(height).max(1).leading_zeros()
}

/// The size of mip `level`.
pub fn mip_size(width: u32, height: u32, level: u32) -> (u32, u32) {
    ((width >> level).max(1), (height >> level).max(1))
}

/// Every mip level of an RGBA8 image, level 0 first, concatenated (the
/// order `create_texture_with_data` takes). Each texel of a level is the
/// mean of the 2×2 texels above it (edge texels repeat for odd sizes);
/// `srgb` colour is averaged as linear light, alpha and data as they are.
pub fn mip_chain(rgba8: &[u8], width: u32, height: u32, srgb: bool) -> Vec<u8> {
    let levels = mip_level_count(width, height);
    // Decoding each byte once: a 4096² texture has 50 M taps.
    let linear: [f32; 256] = std::array::from_fn(|b| srgb_byte_to_linear(b as u8));
    let mut chain = rgba8.to_vec();
    let mut above = (0, width, height);
    for level in 1..levels {
        let (w, h) = mip_size(width, height, level);
        let (start, aw, ah) = above;
        let mut next = Vec::with_capacity((w * h * 4) as usize);
        for y in 0..h {
            for x in 0..w {
                let taps = [(0, 0), (1, 0), (0, 1), (1, 1)].map(|(dx, dy)| {
                    let sx = (2 * x + dx).min(aw - 1);
                    let sy = (2 * y + dy).min(ah - 1);
                    start + ((sy * aw + sx) * 4) as usize
                });
                for c in 0..4 {
                    let bytes = taps.map(|i| chain[i + c]);
                    next.push(if srgb && c < 3 {
                        let sum: f32 = bytes.iter().map(|&b| linear[usize::from(b)]).sum();
                        linear_to_srgb_byte(sum / 4.0)
                    } else {
                        let sum: u32 = bytes.iter().map(|&b| u32::from(b)).sum();
                        ((sum + 2) / 4) as u8
                    });
                }
            }
        }
        above = (chain.len(), w, h);
        chain.extend(next);
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_chain_ends_at_one_texel() {
        assert_eq!(mip_level_count(256, 256), 9);
        assert_eq!(mip_level_count(300, 5), 9);
        assert_eq!(mip_level_count(1, 1), 1);
        assert_eq!(mip_size(300, 5, 8), (1, 1));
        let image = vec![7u8; 300 * 5 * 4];
        let chain = mip_chain(&image, 300, 5, false);
        let texels: u32 = (0..9)
            .map(|l| {
                let (w, h) = mip_size(300, 5, l);
                w * h
            })
            .sum();
        assert_eq!(chain.len(), texels as usize * 4);
        assert!(chain.iter().all(|&b| b == 7));
    }

    #[test]
    fn colour_is_averaged_as_light_and_data_as_numbers() {
        // A black-and-white checker: half the light of white.
        let checker: Vec<u8> = [0u8, 255, 255, 0]
            .iter()
            .flat_map(|&v| [v, v, v, v])
            .collect();
        let colour = mip_chain(&checker, 2, 2, true);
        assert_eq!(&colour[16..], &[188, 188, 188, 128], "sRGB of 0.5 is 188");
        let data = mip_chain(&checker, 2, 2, false);
        assert_eq!(&data[16..], &[128, 128, 128, 128]);
    }
}
