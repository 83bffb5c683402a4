//! What the kiosk's UI layer shows in each state (`UiScene`), drawn into a
//! `UiCanvas` by `draw_ui`. A scene is plain data compared for equality:
//! the layer is drawn again only when the scene changes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::RgbaImage;

use super::canvas::{wrap, Align, UiCanvas};
use super::layout::{CanvasRect, KioskLayout};
use crate::garment::catalog::Catalog;
use crate::render::overlay::text::line_width_px;

/// The store's colours (sRGB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Brand {
    /// Highlights: the worn item's outline, the hover ring, the size hint.
    pub accent: [u8; 3],
    /// Panels behind text, and status screens.
    pub background: [u8; 3],
    /// Text.
    pub text: [u8; 3],
}

impl Default for Brand {
    fn default() -> Brand {
        Brand {
            accent: [0xe4, 0x00, 0x2b],
            background: [0x11, 0x11, 0x14],
            text: [0xff, 0xff, 0xff],
        }
    }
}

/// A garment as the UI names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemView {
    /// The catalog id (finds its thumbnail).
    pub id: String,
    /// The garment's name.
    pub name: String,
    /// The price, formatted ("24.90 EUR").
    pub price: String,
}

/// A QR code with the line above it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LabelledCode {
    /// "Scan to buy", with the item's name.
    pub label: String,
    /// What the code opens.
    pub url: String,
}

/// What the UI layer shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UiScene {
    /// Nobody there: an invitation and one garment of the catalog.
    Attract {
        /// "Step in to try".
        title: String,
        /// A line under it.
        hint: String,
        /// The garment previewed now (the preview cycles).
        item: Option<ItemView>,
    },
    /// A shopper, dressed.
    Dressed {
        /// The carousel's visible items, top to bottom.
        items: Vec<ItemView>,
        /// Which of `items` is worn.
        worn: Option<usize>,
        /// The worn garment's card.
        card: Option<ItemView>,
        /// The size suggestion ("Try M"), when the body is fully in view.
        size: Option<String>,
        /// The hints line at the bottom.
        hint: String,
    },
    /// Counting down to the snapshot.
    Countdown {
        /// 3, 2, 1.
        digit: u32,
    },
    /// The snapshot taken: its QR codes (buy, and the photo when shared).
    Snapshot {
        /// A line over the codes.
        title: String,
        /// The codes, left to right.
        codes: Vec<LabelledCode>,
    },
    /// No picture: waiting for the camera, the camera unplugged.
    Status {
        /// Big.
        title: String,
        /// Under it.
        detail: String,
    },
}

/// The catalog's thumbnails, loaded once. Bounded by the catalog: one
/// entry per garment; a garment no longer there, or whose thumbnail file
/// changed name, is dropped on `sync`.
#[derive(Default)]
pub struct Thumbnails {
    /// By garment id: the file it came from, and the image (`None`: it
    /// could not be read).
    images: HashMap<String, (Option<PathBuf>, Option<Arc<RgbaImage>>)>,
}

impl Thumbnails {
    /// Loads the thumbnail of every garment in `catalog` not loaded yet and
    /// forgets those no longer there. A missing or broken thumbnail is no
    /// error here (the catalog reported it): the slot shows the name only.
    pub fn sync(&mut self, catalog: &Catalog) {
        self.images.retain(|id, (path, _)| {
            catalog
                .get(id)
                .is_some_and(|entry| entry.thumbnail == *path)
        });
        for entry in &catalog.garments {
            self.images.entry(entry.id.clone()).or_insert_with(|| {
                let image = entry.thumbnail.as_deref().and_then(load_thumbnail);
                (entry.thumbnail.clone(), image)
            });
        }
    }

    /// The thumbnail of garment `id`, if loaded.
    pub fn get(&self, id: &str) -> Option<&RgbaImage> {
        self.images.get(id)?.1.as_deref()
    }

    /// How many garments are known.
    pub fn len(&self) -> usize {
        self.images.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }
}

/// Thumbnails are drawn at most this big (pixels a side): a larger file
/// is scaled down once at load, not at every draw.
const THUMBNAIL_MAX_PX: u32 = 512;

fn load_thumbnail(path: &Path) -> Option<Arc<RgbaImage>> {
    let image = image::open(path).ok()?.to_rgba8();
    let (w, h) = image.dimensions();
    let image = if w.max(h) > THUMBNAIL_MAX_PX {
        let scale = THUMBNAIL_MAX_PX as f32 / w.max(h) as f32;
        image::imageops::resize(
            &image,
            ((w as f32 * scale) as u32).max(1),
            ((h as f32 * scale) as u32).max(1),
            image::imageops::FilterType::Triangle,
        )
    } else {
        image
    };
    Some(Arc::new(image))
}

/// Draws `scene` for `layout`'s canvas.
pub fn draw_ui(
    scene: &UiScene,
    layout: &KioskLayout,
    brand: &Brand,
    thumbnails: &Thumbnails,
    logo: Option<&RgbaImage>,
) -> UiCanvas {
    let (w, h) = layout.canvas;
    let mut canvas = UiCanvas::new(w, h);
    let short = w.min(h) as f32;
    match scene {
        UiScene::Status { title, detail } => {
            let full = CanvasRect {
                x: 0,
                y: 0,
                width: w,
                height: h,
            };
            canvas.rounded_rect(full, 0.0, brand.background, 1.0);
            let title_px = short * 0.07;
            let top = h as f32 * 0.42;
            canvas.text(
                title,
                w as f32 * 0.5,
                top,
                title_px,
                w as f32 * 0.9,
                Align::Centre,
                brand.text,
            );
            let mut line_top = top + title_px * 1.6;
            let detail_px = short * 0.035;
            let muted = brand.text.map(|c| (u16::from(c) * 3 / 4) as u8);
            for line in detail
                .lines()
                .flat_map(|l| wrap(l, detail_px, w as f32 * 0.9))
            {
                canvas.text(
                    &line,
                    w as f32 * 0.5,
                    line_top,
                    detail_px,
                    w as f32 * 0.9,
                    Align::Centre,
                    muted,
                );
                line_top += short * 0.05;
            }
        }
        UiScene::Attract { title, hint, item } => {
            let title_px = short * 0.09;
            let top = h as f32 * 0.16;
            canvas.text(
                title,
                w as f32 * 0.5,
                top,
                title_px,
                w as f32 * 0.92,
                Align::Centre,
                brand.text,
            );
            if let Some(item) = item {
                let side = (short * 0.55) as u32;
                let plate = CanvasRect {
                    x: ((w - side) / 2) as i32,
                    y: (h as f32 * 0.34) as i32,
                    width: side,
                    height: side,
                };
                canvas.rounded_rect(plate, short * 0.04, brand.background, 0.7);
                if let Some(thumb) = thumbnails.get(&item.id) {
                    canvas.image(thumb, inset(plate, side / 12));
                }
                let below = (plate.y + side as i32) as f32 + short * 0.03;
                canvas.text(
                    &item.name,
                    w as f32 * 0.5,
                    below,
                    short * 0.045,
                    w as f32 * 0.9,
                    Align::Centre,
                    brand.text,
                );
                canvas.text(
                    &item.price,
                    w as f32 * 0.5,
                    below + short * 0.065,
                    short * 0.045,
                    w as f32 * 0.9,
                    Align::Centre,
                    brand.accent,
                );
            }
            draw_hint(&mut canvas, layout, brand, hint);
        }
        UiScene::Dressed {
            items,
            worn,
            card,
            size,
            hint,
        } => {
            for (i, (item, slot)) in items.iter().zip(&layout.carousel).enumerate() {
                draw_slot(
                    &mut canvas,
                    *slot,
                    item,
                    thumbnails,
                    brand,
                    Some(i) == *worn,
                );
            }
            draw_camera_button(&mut canvas, layout.camera_button, brand);
            if let Some(card) = card {
                draw_card(&mut canvas, layout.card, card, size.as_deref(), brand);
            }
            draw_hint(&mut canvas, layout, brand, hint);
        }
        UiScene::Countdown { digit } => {
            let radius = short * 0.16;
            let centre = (w as f32 * 0.5, h as f32 * 0.42);
            canvas.disc(centre, radius, brand.background, 0.55);
            let size = radius * 1.5;
            canvas.text(
                &digit.to_string(),
                centre.0,
                centre.1 - size * 0.6,
                size,
                radius * 2.0,
                Align::Centre,
                brand.text,
            );
        }
        UiScene::Snapshot { title, codes } => {
            let panel_h = (h as f32 * 0.34) as u32;
            let panel = CanvasRect {
                x: 0,
                y: (h - panel_h) as i32,
                width: w,
                height: panel_h,
            };
            canvas.rounded_rect(panel, 0.0, brand.background, 0.85);
            let title_px = short * 0.05;
            canvas.text(
                title,
                w as f32 * 0.5,
                panel.y as f32 + short * 0.03,
                title_px,
                w as f32 * 0.92,
                Align::Centre,
                brand.text,
            );
            let count = codes.len().max(1) as u32;
            let column = w / count;
            let side = (column as f32 * 0.7).min(panel_h as f32 * 0.62) as u32;
            let label_px = short * 0.034;
            for (i, code) in codes.iter().enumerate() {
                let centre_x = column as f32 * (i as f32 + 0.5);
                let label_top = panel.y as f32 + short * 0.03 + title_px * 1.5;
                canvas.text(
                    &code.label,
                    centre_x,
                    label_top,
                    label_px,
                    column as f32 * 0.95,
                    Align::Centre,
                    brand.text,
                );
                let rect = CanvasRect {
                    x: (centre_x - side as f32 * 0.5) as i32,
                    y: (label_top + label_px * 1.5) as i32,
                    width: side,
                    height: side,
                };
                // A URL too long for a code leaves the label alone.
                canvas.qr(&code.url, rect);
            }
        }
    }
    if let Some(logo) = logo {
        if !matches!(scene, UiScene::Status { .. } | UiScene::Countdown { .. }) {
            canvas.image(logo, layout.logo);
        }
    }
    canvas
}

fn inset(rect: CanvasRect, by: u32) -> CanvasRect {
    CanvasRect {
        x: rect.x + by as i32,
        y: rect.y + by as i32,
        width: rect.width.saturating_sub(2 * by),
        height: rect.height.saturating_sub(2 * by),
    }
}

fn draw_slot(
    canvas: &mut UiCanvas,
    slot: CanvasRect,
    item: &ItemView,
    thumbnails: &Thumbnails,
    brand: &Brand,
    worn: bool,
) {
    let side = slot.width as f32;
    canvas.rounded_rect(slot, side * 0.12, brand.background, 0.62);
    let name_px = (side * 0.1).max(9.0);
    let picture = CanvasRect {
        height: (slot.height as f32 - name_px * 2.6).max(1.0) as u32,
        ..inset(slot, (side * 0.06) as u32)
    };
    if let Some(thumb) = thumbnails.get(&item.id) {
        canvas.image(thumb, picture);
    }
    let text_top = slot.y as f32 + slot.height as f32 - name_px * 2.5;
    let centre = slot.x as f32 + side * 0.5;
    canvas.text(
        &item.name,
        centre,
        text_top,
        name_px,
        side * 0.92,
        Align::Centre,
        brand.text,
    );
    canvas.text(
        &item.price,
        centre,
        text_top + name_px * 1.2,
        name_px,
        side * 0.92,
        Align::Centre,
        brand.accent,
    );
    if worn {
        canvas.outline(slot, side * 0.12, (side * 0.04).max(2.0), brand.accent);
    }
}

/// A round button with a camera drawn in it.
fn draw_camera_button(canvas: &mut UiCanvas, rect: CanvasRect, brand: &Brand) {
    let c = rect.centre();
    let r = rect.width as f32 * 0.5;
    canvas.disc((c.x, c.y), r, brand.background, 0.62);
    let body = CanvasRect {
        x: (c.x - r * 0.5) as i32,
        y: (c.y - r * 0.3) as i32,
        width: (r * 1.0) as u32,
        height: (r * 0.7) as u32,
    };
    canvas.rounded_rect(body, r * 0.1, brand.text, 1.0);
    let bump = CanvasRect {
        x: (c.x - r * 0.2) as i32,
        y: (c.y - r * 0.42) as i32,
        width: (r * 0.4) as u32,
        height: (r * 0.16) as u32,
    };
    canvas.rounded_rect(bump, r * 0.04, brand.text, 1.0);
    canvas.disc((c.x, c.y + r * 0.05), r * 0.24, brand.background, 1.0);
    canvas.disc((c.x, c.y + r * 0.05), r * 0.14, brand.text, 1.0);
}

fn draw_card(
    canvas: &mut UiCanvas,
    rect: CanvasRect,
    item: &ItemView,
    size: Option<&str>,
    brand: &Brand,
) {
    let h = rect.height as f32;
    canvas.rounded_rect(rect, h * 0.15, brand.background, 0.75);
    let pad = h * 0.12;
    let line = h * 0.19;
    let left = rect.x as f32 + pad;
    let width = rect.width as f32 - 2.0 * pad;
    let mut top = rect.y as f32 + pad;
    canvas.text(&item.name, left, top, line, width, Align::Left, brand.text);
    top += line * 1.3;
    canvas.text(&item.price, left, top, line, width, Align::Left, brand.text);
    if let Some(size) = size {
        top += line * 1.3;
        canvas.text(size, left, top, line, width, Align::Left, brand.accent);
    }
}

fn draw_hint(canvas: &mut UiCanvas, layout: &KioskLayout, brand: &Brand, hint: &str) {
    if hint.is_empty() {
        return;
    }
    let band = layout.hints;
    canvas.rounded_rect(band, 0.0, brand.background, 0.6);
    let width = layout.canvas.0 as f32 * 0.95;
    // One line if it fits; else two smaller ones, split at the " · "
    // nearest the middle, or between words.
    let one_line = band.height as f32 * 0.45;
    let two_lines = band.height as f32 * 0.3;
    let fits = line_width_px(hint, one_line) <= width;
    let lines: Vec<String> = if fits {
        vec![hint.to_string()]
    } else {
        let middle = hint.len() / 2;
        match hint
            .match_indices(" · ")
            .min_by_key(|(at, _)| at.abs_diff(middle))
        {
            Some((at, sep)) => vec![hint[..at].to_string(), hint[at + sep.len()..].to_string()],
            None => wrap(hint, two_lines, width),
        }
    };
    let size = if fits { one_line } else { two_lines };
    let block = size * 1.2 * lines.len() as f32;
    let mut top = band.y as f32 + (band.height as f32 - block) * 0.5;
    for line in lines {
        canvas.text(
            &line,
            layout.canvas.0 as f32 * 0.5,
            top,
            size,
            width,
            Align::Centre,
            brand.text,
        );
        top += size * 1.2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str) -> ItemView {
        ItemView {
            id: id.into(),
            name: id.into(),
            price: "1.00 EUR".into(),
        }
    }

    #[test]
    fn the_store_brand_colours_the_worn_item_and_its_logo_shows() {
        let layout = KioskLayout::new((540, 960), 3);
        let brand = Brand {
            accent: [0, 200, 0],
            background: [0, 0, 90],
            text: [250, 250, 250],
        };
        let logo = RgbaImage::from_pixel(120, 40, image::Rgba([220, 30, 30, 255]));
        let scene = UiScene::Dressed {
            items: vec![item("a"), item("b"), item("c")],
            worn: Some(1),
            card: Some(item("b")),
            size: Some("Try M".into()),
            hint: "Hold · Swipe".into(),
        };
        let canvas = draw_ui(&scene, &layout, &brand, &Thumbnails::default(), Some(&logo));
        // The worn slot's outline, just inside its left edge, midway down.
        let worn = layout.carousel[1];
        let edge = canvas.pixel(worn.x as u32 + 2, (worn.y + worn.height as i32 / 2) as u32);
        assert_eq!(&edge[..3], &brand.accent, "{edge:?}");
        // The other slots have no outline: their panel's colour there.
        let other = layout.carousel[0];
        let plain = canvas.pixel(
            other.x as u32 + 2,
            (other.y + other.height as i32 / 2) as u32,
        );
        assert_ne!(&plain[..3], &brand.accent);
        // The logo, scaled into its corner.
        let centre = layout.logo.centre();
        assert_eq!(
            canvas.pixel(centre.x as u32, centre.y as u32),
            [220, 30, 30, 255]
        );
        // Nothing drawn in the middle of the picture.
        assert_eq!(canvas.pixel(270, 480), [0; 4]);
    }

    #[test]
    fn a_status_screen_is_opaque_in_the_brand_background() {
        let layout = KioskLayout::new((270, 480), 0);
        let brand = Brand::default();
        let scene = UiScene::Status {
            title: "Waiting for the camera".into(),
            detail: "camera 7 not found".into(),
        };
        let canvas = draw_ui(&scene, &layout, &brand, &Thumbnails::default(), None);
        let b = brand.background;
        assert_eq!(canvas.pixel(5, 5), [b[0], b[1], b[2], 255]);
        assert!(canvas.rgba.chunks_exact(4).all(|p| p[3] == 255));
    }
}
