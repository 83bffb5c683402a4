//! The card's text on the CPU: lines measured and ellipsised with the
//! embedded DejaVu Sans Bold, then rasterised into an anti-aliased
//! coverage image (one byte per pixel) that the GPU blends as it is.

use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, GlyphId, PxScaleFont, ScaleFont};

/// DejaVu Sans Bold (Bitstream Vera licence, assets/fonts/LICENSE-DejaVu.txt).
static FONT_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

const ELLIPSIS: char = '\u{2026}';

fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    // The font is part of the binary, not input: a parse failure is a
    // broken build, which the unit test below catches.
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_TTF).expect("the embedded DejaVu font parses"))
}

/// One line of text at a size, already cut to fit its width.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    pub text: String,
    pub size_px: f32,
}

/// Anti-aliased text coverage, `width`×`height`, row-major, 255 = ink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextCoverage {
    pub width: u32,
    pub height: u32,
    pub coverage: Vec<u8>,
}

fn scaled(size_px: f32) -> PxScaleFont<&'static FontRef<'static>> {
    font().as_scaled(size_px)
}

/// Height of a line box at `size_px`: ascent to descent plus the gap.
pub fn line_height_px(size_px: f32) -> f32 {
    let font = scaled(size_px);
    font.ascent() - font.descent() + font.line_gap()
}

/// The pen advance of `text` at `size_px`, with kerning.
pub fn line_width_px(text: &str, size_px: f32) -> f32 {
    let font = scaled(size_px);
    let mut width = 0.0;
    let mut previous: Option<GlyphId> = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(previous) = previous {
            width += font.kern(previous, id);
        }
        width += font.h_advance(id);
        previous = Some(id);
    }
    width
}

/// `text` if it fits `max_width_px`, else its longest prefix that fits
/// with "…" appended (just "…", or nothing, when even that is too wide).
pub fn ellipsise(text: &str, size_px: f32, max_width_px: f32) -> String {
    if line_width_px(text, size_px) <= max_width_px {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    // Widths grow with the prefix: binary search the longest that fits.
    let fits = |n: usize| {
        let candidate: String = chars[..n].iter().chain([&ELLIPSIS]).collect();
        line_width_px(&candidate, size_px) <= max_width_px
    };
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if !fits(lo) {
        return String::new();
    }
    let prefix: String = chars[..lo].iter().collect();
    format!("{}{ELLIPSIS}", prefix.trim_end())
}

/// Rasterises `lines` top to bottom, left-aligned, into a `width`×`height`
/// coverage image. Ink outside the image is clipped.
pub fn rasterise(lines: &[TextLine], width: u32, height: u32) -> TextCoverage {
    let mut coverage = vec![0u8; width as usize * height as usize];
    let mut top = 0.0f32;
    for line in lines {
        let font = scaled(line.size_px);
        let baseline = top + font.ascent();
        let mut caret = 0.0f32;
        let mut previous: Option<GlyphId> = None;
        for c in line.text.chars() {
            let id = font.glyph_id(c);
            if let Some(previous) = previous {
                caret += font.kern(previous, id);
            }
            let glyph = id.with_scale_and_position(line.size_px, point(caret, baseline));
            caret += font.h_advance(id);
            previous = Some(id);
            let Some(outlined) = font.outline_glyph(glyph) else {
                continue; // spaces have no outline
            };
            let bounds = outlined.px_bounds();
            outlined.draw(|x, y, ink| {
                let px = bounds.min.x as i64 + i64::from(x);
                let py = bounds.min.y as i64 + i64::from(y);
                if px < 0 || py < 0 || px >= i64::from(width) || py >= i64::from(height) {
                    return;
                }
                let cell = &mut coverage[py as usize * width as usize + px as usize];
                // Overlapping glyphs (kerned pairs) add up, saturating.
                let value = (ink.clamp(0.0, 1.0) * 255.0).round() as u16 + u16::from(*cell);
                *cell = value.min(255) as u8;
            });
        }
        top += line_height_px(line.size_px);
    }
    TextCoverage {
        width,
        height,
        coverage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_has_the_glyphs_a_card_needs() {
        for c in "Aa09€.,·…".chars() {
            assert_ne!(font().glyph_id(c).0, 0, "no glyph for {c:?}");
        }
    }

    #[test]
    fn ellipsised_text_fits_and_short_text_is_kept() {
        assert_eq!(ellipsise("Scarf", 20.0, 500.0), "Scarf");
        let long = "A remarkably long garment name that never ends";
        let cut = ellipsise(long, 20.0, 120.0);
        assert!(cut.ends_with(ELLIPSIS), "{cut}");
        assert!(line_width_px(&cut, 20.0) <= 120.0);
        assert_eq!(ellipsise(long, 20.0, 1.0), "");
    }

    #[test]
    fn rasterised_text_has_ink_inside_the_image_only() {
        let lines = [TextLine {
            text: "Hello".into(),
            size_px: 24.0,
        }];
        let image = rasterise(&lines, 30, 30);
        assert_eq!(image.coverage.len(), 900);
        assert!(image.coverage.contains(&255));
    }
}
