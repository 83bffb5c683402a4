//! The plain-Rust twin of shaders/render/overlay.wgsl: the same card,
//! blended the way the GPU does through an sRGB view (decode, blend in
//! linear light, encode, 8 bits between elements).

use super::layout::{CardImage, RectPx};

/// The card's background: white, mostly opaque (linear RGB, alpha).
pub const CARD_COLOR: [f32; 4] = [1.0, 1.0, 1.0, 0.85];
/// Dark QR modules: near-black (sRGB 20), opaque.
pub const QR_DARK_COLOR: [f32; 4] = [0.006_995, 0.006_995, 0.006_995, 1.0];
/// Light QR modules and the quiet zone: white, opaque.
pub const QR_LIGHT_COLOR: [f32; 4] = [1.0, 1.0, 1.0, 1.0];
/// Text ink: dark grey (sRGB 51), scaled by the glyph coverage.
pub const TEXT_COLOR: [f32; 4] = [0.033_105, 0.033_105, 0.033_105, 1.0];

// The overlay's names for the shared transfer functions.
pub use crate::render::srgb::{
    linear_to_srgb_byte as linear_to_srgb, srgb_byte_to_linear as srgb_to_linear,
};

/// Signed distance from `p` to a rectangle with rounded corners (negative
/// inside), as in the shader.
pub fn rounded_rect_distance(p: [f32; 2], rect: &RectPx, radius: f32) -> f32 {
    let [x0, y0, x1, y1] = rect.min_max();
    let half = [(x1 - x0) * 0.5, (y1 - y0) * 0.5];
    let radius = radius.min(half[0]).min(half[1]);
    let q = [
        (p[0] - (x0 + x1) * 0.5).abs() - (half[0] - radius),
        (p[1] - (y0 + y1) * 0.5).abs() - (half[1] - radius),
    ];
    let outside = (q[0].max(0.0).powi(2) + q[1].max(0.0).powi(2)).sqrt();
    outside + q[0].max(q[1]).min(0.0) - radius
}

/// How much of pixel `(x, y)` the card covers: 1 inside, 0 outside, a
/// one-pixel ramp along the rounded edge.
pub fn card_coverage(x: u32, y: u32, rect: &RectPx, radius: f32) -> f32 {
    let d = rounded_rect_distance([x as f32 + 0.5, y as f32 + 0.5], rect, radius);
    (0.5 - d).clamp(0.0, 1.0)
}

fn blend(pixel: &mut [u8], color: [f32; 4], alpha: f32) {
    for c in 0..3 {
        let dst = srgb_to_linear(pixel[c]);
        pixel[c] = linear_to_srgb(color[c] * alpha + dst * (1.0 - alpha));
    }
    // Alpha is left as it was: the pipeline writes colour only.
}

/// Draws `image` onto `rgba` (`width`×`height`, sRGB bytes, tightly
/// packed) as the GPU renderer would. A frame whose size differs from the
/// layout's is left alone.
pub fn composite_cpu(rgba: &mut [u8], width: u32, height: u32, image: &CardImage) {
    let layout = &image.layout;
    if (width, height) != (layout.frame_width, layout.frame_height)
        || rgba.len() != width as usize * height as usize * 4
    {
        return;
    }
    let mut each_pixel = |rect: &RectPx, shade: &dyn Fn(u32, u32) -> Option<([f32; 4], f32)>| {
        for y in rect.y..rect.y + rect.height {
            for x in rect.x..rect.x + rect.width {
                if let Some((color, alpha)) = shade(x, y) {
                    let i = (y as usize * width as usize + x as usize) * 4;
                    blend(&mut rgba[i..i + 4], color, alpha);
                }
            }
        }
    };
    let card = layout.card;
    each_pixel(&card, &|x, y| {
        let coverage = card_coverage(x, y, &card, layout.corner_radius_px);
        (coverage > 0.0).then_some((CARD_COLOR, CARD_COLOR[3] * coverage))
    });
    if let (Some(place), Some(modules)) = (layout.qr, &image.qr) {
        each_pixel(&place.rect, &|x, y| {
            let mx = (x - place.rect.x) / place.module_px;
            let my = (y - place.rect.y) / place.module_px;
            let color = match modules.is_dark(mx, my) {
                true => QR_DARK_COLOR,
                false => QR_LIGHT_COLOR,
            };
            Some((color, 1.0))
        });
    }
    if let (Some(rect), Some(text)) = (layout.text, &image.text) {
        each_pixel(&rect, &|x, y| {
            let ink = text.coverage[((y - rect.y) * text.width + (x - rect.x)) as usize];
            (ink > 0).then(|| (TEXT_COLOR, TEXT_COLOR[3] * f32::from(ink) / 255.0))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srgb_round_trips_every_byte() {
        for b in 0..=255u8 {
            assert_eq!(linear_to_srgb(srgb_to_linear(b)), b);
        }
    }

    #[test]
    fn the_card_edge_is_soft_only_at_the_corners() {
        let rect = RectPx {
            x: 10,
            y: 10,
            width: 40,
            height: 20,
        };
        assert_eq!(card_coverage(30, 10, &rect, 5.0), 1.0);
        assert_eq!(card_coverage(30, 9, &rect, 5.0), 0.0);
        assert_eq!(card_coverage(10, 10, &rect, 5.0), 0.0);
        assert_eq!(card_coverage(12, 12, &rect, 5.0), 1.0);
    }
}
