//! The sRGB transfer function, as the GPU applies it when it reads an sRGB
//! texture or writes an sRGB view: the CPU references and tools use these.

/// An sRGB-encoded value in [0, 1] → linear light.
pub fn srgb_to_linear(encoded: f32) -> f32 {
    if encoded <= 0.040_45 {
        encoded / 12.92
    } else {
        ((encoded + 0.055) / 1.055).powf(2.4)
    }
}

/// An sRGB byte → linear light.
pub fn srgb_byte_to_linear(byte: u8) -> f32 {
    srgb_to_linear(f32::from(byte) / 255.0)
}

/// Linear light → an sRGB byte, clamped, rounded to nearest.
pub fn linear_to_srgb_byte(linear: f32) -> u8 {
    let c = linear.clamp(0.0, 1.0);
    let encoded = if c <= 0.003_130_8 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    };
    (encoded * 255.0).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        for b in 0..=255u8 {
            assert_eq!(linear_to_srgb_byte(srgb_byte_to_linear(b)), b);
        }
    }
}
