//! Where the card goes and what is in it, in frame pixels: a pure
//! function of the card, the frame size and the corner, shared by the GPU
//! renderer and the CPU reference.

use super::text::{self, TextCoverage, TextLine};
use super::{OverlayCorner, OverlayError, ProductCard};

/// Margin between the card and the frame's edges, × frame height.
pub const MARGIN_FRACTION: f32 = 0.03;
/// The card's height, × frame height (it grows only to keep the QR readable).
pub const CARD_HEIGHT_FRACTION: f32 = 0.22;
/// The card's widest, × frame width: a long name is ellipsised rather
/// than hide the garment.
pub const MAX_WIDTH_FRACTION: f32 = 0.6;
/// Inner padding (and the QR-to-text gap), × card height.
const PADDING_FRACTION: f32 = 0.08;
/// Corner radius, × card height.
const CORNER_RADIUS_FRACTION: f32 = 0.12;
/// Light modules around the code, as the QR specification asks.
pub const QR_QUIET_ZONE_MODULES: u32 = 4;
/// Below this a phone camera rarely resolves the modules.
pub const MIN_MODULE_PX: u32 = 2;
/// Text sizes × the card's inner height (name, price, sizes). Together
/// with their line gaps they fill about 70% of it.
const NAME_SIZE_FRACTION: f32 = 0.24;
const PRICE_SIZE_FRACTION: f32 = 0.20;
const SIZES_SIZE_FRACTION: f32 = 0.14;

/// An axis-aligned rectangle of whole pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RectPx {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl RectPx {
    /// Whether the pixel `(x, y)` lies inside.
    pub fn contains(&self, x: u32, y: u32) -> bool {
        x >= self.x && y >= self.y && x - self.x < self.width && y - self.y < self.height
    }

    /// Whether `other` lies entirely inside `self`.
    pub fn encloses(&self, other: &RectPx) -> bool {
        other.x >= self.x
            && other.y >= self.y
            && other.x + other.width <= self.x + self.width
            && other.y + other.height <= self.y + self.height
    }

    /// `[min x, min y, max x, max y]` as floats, for the shader.
    pub fn min_max(&self) -> [f32; 4] {
        [
            self.x as f32,
            self.y as f32,
            (self.x + self.width) as f32,
            (self.y + self.height) as f32,
        ]
    }
}

/// A QR code as a module matrix, quiet zone included: `side`×`side`,
/// row-major, 255 = dark module, 0 = light.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrModules {
    pub side: u32,
    pub modules: Vec<u8>,
}

impl QrModules {
    /// Encodes `url` with error correction M and a 4-module quiet zone.
    pub fn encode(url: &str) -> Result<QrModules, OverlayError> {
        let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
            .map_err(|source| OverlayError::Qr {
                url_bytes: url.len(),
                source,
            })?;
        let width = code.width() as u32;
        let side = width + 2 * QR_QUIET_ZONE_MODULES;
        let mut modules = vec![0u8; side as usize * side as usize];
        for (i, color) in code.to_colors().into_iter().enumerate() {
            if color == qrcode::Color::Dark {
                let x = i as u32 % width + QR_QUIET_ZONE_MODULES;
                let y = i as u32 / width + QR_QUIET_ZONE_MODULES;
                modules[(y * side + x) as usize] = 255;
            }
        }
        Ok(QrModules { side, modules })
    }

    /// Whether module `(x, y)` (quiet zone included) is dark.
    pub fn is_dark(&self, x: u32, y: u32) -> bool {
        self.modules[(y * self.side + x) as usize] != 0
    }
}

/// Where the QR code goes: `rect` is `modules`×`module_px` square.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QrPlacement {
    pub rect: RectPx,
    pub module_px: u32,
    /// Modules a side, quiet zone included.
    pub modules: u32,
}

/// The card's rectangles in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CardLayout {
    pub frame_width: u32,
    pub frame_height: u32,
    /// The rounded card background.
    pub card: RectPx,
    pub corner_radius_px: f32,
    pub qr: Option<QrPlacement>,
    /// The text's coverage image, at 1 texel per pixel.
    pub text: Option<RectPx>,
}

/// Everything drawn for one card at one frame size.
#[derive(Debug, Clone, PartialEq)]
pub struct CardImage {
    pub layout: CardLayout,
    pub qr: Option<QrModules>,
    pub text: Option<TextCoverage>,
    /// The lines as drawn, after ellipsis.
    pub lines: Vec<TextLine>,
}

impl CardImage {
    /// Encodes the card's QR code and lays it out; `Ok(None)` when the
    /// frame is too small to hold a card at all.
    pub fn new(
        card: &ProductCard,
        frame_width: u32,
        frame_height: u32,
        corner: OverlayCorner,
    ) -> Result<Option<CardImage>, OverlayError> {
        let qr = match card.url.is_empty() {
            true => None,
            false => Some(QrModules::encode(&card.url)?),
        };
        Ok(CardImage::with_qr(
            card,
            qr,
            frame_width,
            frame_height,
            corner,
        ))
    }

    /// Like `new` with the QR code already encoded (`None`: no code).
    pub fn with_qr(
        card: &ProductCard,
        qr: Option<QrModules>,
        frame_width: u32,
        frame_height: u32,
        corner: OverlayCorner,
    ) -> Option<CardImage> {
        let (w, h) = (frame_width as f32, frame_height as f32);
        let margin = (MARGIN_FRACTION * h).round() as u32;
        let base_height = (CARD_HEIGHT_FRACTION * h).round() as u32;
        let pad = ((PADDING_FRACTION * base_height as f32).round() as u32).max(1);
        // Room the card may take, padding included, and inside it.
        let room_width = frame_width.checked_sub(2 * margin)?;
        let room_height = frame_height.checked_sub(2 * margin)?;
        let inner_width = room_width.checked_sub(2 * pad)?;
        let inner_height = room_height.checked_sub(2 * pad)?;
        let base_inner = base_height.checked_sub(2 * pad)?;

        let qr = qr.and_then(|modules| {
            let module_px = qr_module_px(
                modules.side,
                base_inner,
                inner_width.min(inner_height),
                (w, h),
            )?;
            Some((modules, module_px))
        });
        let qr_side = qr.as_ref().map_or(0, |(m, px)| m.side * px);
        let card_height = base_height.max(qr_side + 2 * pad);

        // Text scales with the frame's height, not with a QR-grown card.
        let base_inner = base_inner as f32;
        let text_left = if qr_side > 0 { qr_side + pad } else { 0 };
        let widest = ((MAX_WIDTH_FRACTION * w).round() as u32).min(room_width);
        let text_room = widest.saturating_sub(2 * pad + text_left) as f32;
        let mut lines = Vec::new();
        let sizes = card.sizes.join(" \u{b7} ");
        for (content, fraction) in [
            (card.name.as_str(), NAME_SIZE_FRACTION),
            (card.price.as_str(), PRICE_SIZE_FRACTION),
            (sizes.as_str(), SIZES_SIZE_FRACTION),
        ] {
            let size_px = fraction * base_inner;
            let text = text::ellipsise(content.trim(), size_px, text_room);
            if !text.is_empty() && size_px >= 1.0 {
                lines.push(TextLine { text, size_px });
            }
        }
        let text_width = lines
            .iter()
            .map(|l| text::line_width_px(&l.text, l.size_px).ceil() as u32)
            .max()
            .unwrap_or(0)
            .min(text_room as u32);
        let text_height = lines
            .iter()
            .map(|l| text::line_height_px(l.size_px))
            .sum::<f32>()
            .ceil() as u32;
        let text_height = text_height.min(card_height - 2 * pad);
        let has_text = text_width > 0 && text_height > 0;
        if !has_text {
            lines.clear();
        }
        if !has_text && qr.is_none() {
            return None;
        }

        let content_width = match (qr_side, has_text) {
            (0, _) => text_width,
            (side, true) => side + pad + text_width,
            (side, false) => side,
        };
        let card_width = content_width + 2 * pad;
        if card_width > room_width || card_height > room_height {
            return None;
        }
        let (right, bottom) = match corner {
            OverlayCorner::BottomLeft => (false, true),
            OverlayCorner::BottomRight => (true, true),
            OverlayCorner::TopLeft => (false, false),
            OverlayCorner::TopRight => (true, false),
        };
        let card = RectPx {
            x: if right {
                frame_width - margin - card_width
            } else {
                margin
            },
            y: if bottom {
                frame_height - margin - card_height
            } else {
                margin
            },
            width: card_width,
            height: card_height,
        };
        let qr_placement = qr.as_ref().map(|(modules, module_px)| QrPlacement {
            rect: RectPx {
                x: card.x + pad,
                y: card.y + (card_height - qr_side) / 2,
                width: qr_side,
                height: qr_side,
            },
            module_px: *module_px,
            modules: modules.side,
        });
        let text_rect = has_text.then(|| RectPx {
            x: card.x + pad + text_left,
            y: card.y + (card_height - text_height) / 2,
            width: text_width,
            height: text_height,
        });
        let coverage = text_rect.map(|r| text::rasterise(&lines, r.width, r.height));
        Some(CardImage {
            layout: CardLayout {
                frame_width,
                frame_height,
                card,
                corner_radius_px: CORNER_RADIUS_FRACTION * base_height as f32,
                qr: qr_placement,
                text: text_rect,
            },
            qr: qr.map(|(modules, _)| modules),
            text: coverage,
            lines,
        })
    }
}

/// Pixels per module for a code of `side` modules: what fits the card's
/// inner height, raised to `MIN_MODULE_PX` when the frame has the room,
/// else as big as the frame allows, with a warning. `None`: not even one
/// pixel per module.
fn qr_module_px(side: u32, card_inner: u32, frame_inner: u32, frame: (f32, f32)) -> Option<u32> {
    let fitted = card_inner / side;
    if fitted >= MIN_MODULE_PX {
        return Some(fitted);
    }
    if MIN_MODULE_PX * side <= frame_inner {
        return Some(MIN_MODULE_PX);
    }
    let most = frame_inner / side;
    if most == 0 {
        tracing::warn!(
            "a {}x{} frame cannot hold the card's QR code ({side} modules a side): drawn without it",
            frame.0,
            frame.1
        );
        return None;
    }
    tracing::warn!(
        "a {}x{} frame leaves {most} px per QR module (fewer than {MIN_MODULE_PX}): phones may not scan it",
        frame.0,
        frame.1
    );
    Some(most)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(name: &str, url: &str) -> ProductCard {
        ProductCard {
            name: name.into(),
            price: "24.90 EUR".into(),
            url: url.into(),
            sizes: vec!["S".into(), "M".into(), "L".into()],
        }
    }

    #[test]
    fn the_card_stays_inside_any_frame() {
        let card = card(
            "Linen shirt with a rather long name",
            "https://shop.example/p/123",
        );
        for (w, h) in [
            (1, 1),
            (16, 16),
            (64, 48),
            (100, 400),
            (640, 480),
            (1920, 1080),
            (400, 1200),
        ] {
            for corner in [
                OverlayCorner::BottomLeft,
                OverlayCorner::BottomRight,
                OverlayCorner::TopLeft,
                OverlayCorner::TopRight,
            ] {
                let Some(image) = CardImage::new(&card, w, h, corner).unwrap() else {
                    continue;
                };
                let l = image.layout;
                let frame = RectPx {
                    x: 0,
                    y: 0,
                    width: w,
                    height: h,
                };
                assert!(frame.encloses(&l.card), "{w}x{h}: {l:?}");
                if let Some(qr) = l.qr {
                    assert!(l.card.encloses(&qr.rect), "{w}x{h}: {l:?}");
                    assert_eq!(qr.rect.width, qr.modules * qr.module_px);
                }
                if let Some(text) = l.text {
                    assert!(l.card.encloses(&text), "{w}x{h}: {l:?}");
                    assert!(l.qr.is_none_or(|qr| qr.rect.x + qr.rect.width <= text.x));
                }
            }
        }
    }

    #[test]
    fn small_frames_keep_two_pixels_per_module() {
        let image = CardImage::new(
            &card("Tee", "https://shop.example/p/123"),
            320,
            240,
            OverlayCorner::BottomLeft,
        )
        .unwrap()
        .expect("a card fits 320x240");
        let qr = image.layout.qr.expect("a QR code");
        assert!(qr.module_px >= MIN_MODULE_PX);
    }

    #[test]
    fn the_qr_matrix_has_its_quiet_zone_and_finder() {
        let qr = QrModules::encode("https://shop.example/p/123").unwrap();
        let q = QR_QUIET_ZONE_MODULES;
        assert!((0..qr.side).all(|i| !qr.is_dark(i, 0) && !qr.is_dark(0, i)));
        // The finder pattern's dark corner at the top left.
        assert!(qr.is_dark(q, q) && qr.is_dark(q + 6, q + 6) && !qr.is_dark(q + 1, q + 1));
    }
}
