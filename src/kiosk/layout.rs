//! Where things go on the kiosk's screen, and how its coordinates relate:
//!
//! - the **screen**: the window's pixels as the display scans them;
//! - the **canvas**: what the shopper sees upright. A monitor mounted
//!   turned (portrait on a landscape panel) shows the canvas rotated, so a
//!   90° or 270° rotation swaps its width and height;
//! - the **picture**: the camera frame, mirrored, scaled to cover the
//!   canvas (its middle shows, the sides or top and bottom are cut).
//!
//! Coordinates named `*_uv` run 0..1 across and down. Gestures are
//! measured in the picture's coordinates (where the landmarks are), so the
//! carousel's items are mapped into it for the hover detector.

use glam::Vec2;

/// How the canvas is turned on the screen, clockwise: a portrait kiosk on
/// a landscape monitor mounted turned a quarter right uses `Deg90`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Rotation {
    /// Upright.
    #[default]
    Deg0,
    /// A quarter turn clockwise.
    Deg90,
    /// Upside down.
    Deg180,
    /// A quarter turn anticlockwise.
    Deg270,
}

impl Rotation {
    /// Every rotation, upright first.
    pub const ALL: [Rotation; 4] = [Self::Deg0, Self::Deg90, Self::Deg180, Self::Deg270];

    /// The rotation of `degrees` clockwise; `None` unless 0, 90, 180 or 270.
    pub fn from_degrees(degrees: i64) -> Option<Rotation> {
        Self::ALL
            .into_iter()
            .find(|rotation| i64::from(rotation.degrees()) == degrees)
    }

    /// The angle in degrees, clockwise.
    pub fn degrees(self) -> u32 {
        match self {
            Rotation::Deg0 => 0,
            Rotation::Deg90 => 90,
            Rotation::Deg180 => 180,
            Rotation::Deg270 => 270,
        }
    }

    /// Whether the canvas's width runs along the screen's height.
    pub fn swaps_axes(self) -> bool {
        matches!(self, Rotation::Deg90 | Rotation::Deg270)
    }

    /// The canvas size for a screen of `screen` pixels.
    pub fn canvas_size(self, screen: (u32, u32)) -> (u32, u32) {
        if self.swaps_axes() {
            (screen.1, screen.0)
        } else {
            screen
        }
    }

    /// The canvas point shown at screen point `screen_uv`.
    pub fn canvas_from_screen(self, screen_uv: Vec2) -> Vec2 {
        let Vec2 { x, y } = screen_uv;
        match self {
            Rotation::Deg0 => Vec2::new(x, y),
            // The canvas's top edge lies along the screen's right edge.
            Rotation::Deg90 => Vec2::new(y, 1.0 - x),
            Rotation::Deg180 => Vec2::new(1.0 - x, 1.0 - y),
            Rotation::Deg270 => Vec2::new(1.0 - y, x),
        }
    }

    /// The screen point where canvas point `canvas_uv` is shown.
    pub fn screen_from_canvas(self, canvas_uv: Vec2) -> Vec2 {
        let Vec2 { x, y } = canvas_uv;
        match self {
            Rotation::Deg0 => Vec2::new(x, y),
            Rotation::Deg90 => Vec2::new(1.0 - y, x),
            Rotation::Deg180 => Vec2::new(1.0 - x, 1.0 - y),
            Rotation::Deg270 => Vec2::new(y, 1.0 - x),
        }
    }
}

/// A rectangle in pixels of the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CanvasRect {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl CanvasRect {
    /// Whether canvas pixel `(x, y)` lies inside.
    pub fn contains(&self, x: f32, y: f32) -> bool {
        x >= self.x as f32
            && y >= self.y as f32
            && x < (self.x + self.width as i32) as f32
            && y < (self.y + self.height as i32) as f32
    }

    /// The centre, in canvas pixels.
    pub fn centre(&self) -> Vec2 {
        Vec2::new(
            self.x as f32 + self.width as f32 * 0.5,
            self.y as f32 + self.height as f32 * 0.5,
        )
    }
}

/// How the picture covers the canvas: picture uv = (canvas uv − ½) ×
/// `scale` + ½. A `scale` below 1 on an axis cuts that axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PictureFit {
    /// The part of the picture shown, per axis, in 0..1.
    pub scale: Vec2,
}

impl PictureFit {
    /// A picture of `picture` pixels covering a canvas of `canvas` pixels,
    /// its aspect kept, centred.
    pub fn cover(picture: (u32, u32), canvas: (u32, u32)) -> PictureFit {
        let picture_aspect = picture.0.max(1) as f32 / picture.1.max(1) as f32;
        let canvas_aspect = canvas.0.max(1) as f32 / canvas.1.max(1) as f32;
        let scale = if picture_aspect > canvas_aspect {
            Vec2::new(canvas_aspect / picture_aspect, 1.0)
        } else {
            Vec2::new(1.0, picture_aspect / canvas_aspect)
        };
        PictureFit { scale }
    }

    /// The picture point shown at canvas point `canvas_uv`.
    pub fn picture_from_canvas(&self, canvas_uv: Vec2) -> Vec2 {
        (canvas_uv - 0.5) * self.scale + 0.5
    }

    /// The canvas point where picture point `picture_uv` is shown.
    pub fn canvas_from_picture(&self, picture_uv: Vec2) -> Vec2 {
        (picture_uv - 0.5) / self.scale + 0.5
    }
}

/// Most carousel items shown at once; a longer catalog scrolls, keeping the
/// worn garment in view.
pub const CAROUSEL_VISIBLE: usize = 5;

/// The kiosk's screen regions, in canvas pixels, for one canvas size.
#[derive(Debug, Clone, PartialEq)]
pub struct KioskLayout {
    /// The canvas size.
    pub canvas: (u32, u32),
    /// The carousel's slots, top to bottom, along the right edge (the
    /// shopper's right hand reaches them raised to the side).
    pub carousel: Vec<CanvasRect>,
    /// The camera button (hover it, or click it, for a snapshot), at the
    /// left edge, as high as the carousel's top.
    pub camera_button: CanvasRect,
    /// The worn garment's card (name, price, size), bottom left.
    pub card: CanvasRect,
    /// The line of hints along the bottom.
    pub hints: CanvasRect,
    /// The brand's logo, top left.
    pub logo: CanvasRect,
}

impl KioskLayout {
    /// The layout for a canvas of `canvas` pixels with `items` garments in
    /// the carousel (at most `CAROUSEL_VISIBLE` slots).
    pub fn new(canvas: (u32, u32), items: usize) -> KioskLayout {
        let (w, h) = (canvas.0 as f32, canvas.1 as f32);
        let short = w.min(h);
        let margin = (short * 0.03).round();
        let slots = items.min(CAROUSEL_VISIBLE);
        // Slots between 18% and 78% of the height: chest to head height
        // when the person fills the picture, out of a resting hand's way.
        let band_top = h * 0.18;
        let band = h * 0.60;
        let slot = (short * 0.2)
            .min(band / CAROUSEL_VISIBLE as f32 - margin)
            .max(8.0)
            .round();
        let stride = slot + margin;
        let column_top = band_top + (band - stride * slots as f32 + margin) * 0.5;
        let x = (w - margin - slot) as i32;
        let carousel = (0..slots)
            .map(|i| CanvasRect {
                x,
                y: (column_top + stride * i as f32).round() as i32,
                width: slot as u32,
                height: slot as u32,
            })
            .collect();
        let button = (slot * 0.8).round();
        let camera_button = CanvasRect {
            x: margin as i32,
            y: band_top.round() as i32,
            width: button as u32,
            height: button as u32,
        };
        let hints_height = (h * 0.06).round();
        let hints = CanvasRect {
            x: 0,
            y: (h - hints_height) as i32,
            width: canvas.0,
            height: hints_height as u32,
        };
        let card_height = (h * 0.12).round();
        let card = CanvasRect {
            x: margin as i32,
            y: (h - hints_height - margin - card_height) as i32,
            width: ((w - 2.0 * margin) * 0.72).round() as u32,
            height: card_height as u32,
        };
        let logo = CanvasRect {
            x: margin as i32,
            y: margin as i32,
            width: (short * 0.3).round() as u32,
            height: (h * 0.06).round() as u32,
        };
        KioskLayout {
            canvas,
            carousel,
            camera_button,
            card,
            hints,
            logo,
        }
    }

    /// The catalog index shown in each slot: a window of the catalog (in
    /// order) that keeps the worn item `worn` in view, near the middle.
    pub fn carousel_window(items: usize, worn: Option<usize>) -> std::ops::Range<usize> {
        let visible = items.min(CAROUSEL_VISIBLE);
        let worn = worn.unwrap_or(0).min(items.saturating_sub(1));
        let first = worn
            .saturating_sub(visible / 2)
            .min(items.saturating_sub(visible));
        first..first + visible
    }

    /// `rect` in the picture's uv coordinates (where the landmarks are).
    pub fn rect_in_picture(&self, rect: &CanvasRect, fit: &PictureFit) -> [Vec2; 2] {
        let size = Vec2::new(self.canvas.0.max(1) as f32, self.canvas.1.max(1) as f32);
        let top_left = Vec2::new(rect.x as f32, rect.y as f32) / size;
        let bottom_right = top_left + Vec2::new(rect.width as f32, rect.height as f32) / size;
        [
            fit.picture_from_canvas(top_left),
            fit.picture_from_canvas(bottom_right),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotations_round_trip_and_put_the_canvas_top_where_they_say() {
        for rotation in Rotation::ALL {
            for p in [Vec2::new(0.1, 0.2), Vec2::new(0.9, 0.4)] {
                let back = rotation.canvas_from_screen(rotation.screen_from_canvas(p));
                assert!((back - p).length() < 1e-6, "{rotation:?}");
            }
            assert_eq!(
                Rotation::from_degrees(i64::from(rotation.degrees())),
                Some(rotation)
            );
        }
        // Turned 90° clockwise: the canvas's top-left corner is at the
        // screen's top-right.
        assert_eq!(
            Rotation::Deg90.screen_from_canvas(Vec2::ZERO),
            Vec2::new(1.0, 0.0)
        );
        assert_eq!(
            Rotation::Deg270.screen_from_canvas(Vec2::ZERO),
            Vec2::new(0.0, 1.0)
        );
        assert_eq!(Rotation::Deg90.canvas_size((1920, 1080)), (1080, 1920));
        assert_eq!(Rotation::from_degrees(45), None);
    }

    #[test]
    fn a_landscape_camera_covers_a_portrait_canvas_by_its_middle() {
        let fit = PictureFit::cover((640, 480), (1080, 1920));
        assert!((fit.scale.x - 0.421_875).abs() < 1e-6);
        assert_eq!(fit.scale.y, 1.0);
        let left = fit.picture_from_canvas(Vec2::new(0.0, 0.5));
        assert!((left.x - (0.5 - 0.421_875 / 2.0)).abs() < 1e-6);
        let back = fit.canvas_from_picture(fit.picture_from_canvas(Vec2::new(0.3, 0.7)));
        assert!((back - Vec2::new(0.3, 0.7)).length() < 1e-6);
    }

    #[test]
    fn the_carousel_sits_on_the_right_edge_inside_the_canvas_and_scrolls() {
        let layout = KioskLayout::new((1080, 1920), 7);
        assert_eq!(layout.carousel.len(), CAROUSEL_VISIBLE);
        for (a, b) in layout.carousel.iter().zip(&layout.carousel[1..]) {
            assert!(a.y + a.height as i32 <= b.y, "slots overlap");
        }
        for slot in &layout.carousel {
            assert!(slot.x as u32 + slot.width <= 1080 && slot.x > 540);
            assert!(
                slot.y as f32 >= 1920.0 * 0.18
                    && (slot.y as u32 + slot.height) as f32 <= 1920.0 * 0.78
            );
        }
        assert_eq!(KioskLayout::carousel_window(7, Some(0)), 0..5);
        assert_eq!(KioskLayout::carousel_window(7, Some(3)), 1..6);
        assert_eq!(KioskLayout::carousel_window(7, Some(6)), 2..7);
        assert_eq!(KioskLayout::carousel_window(3, Some(2)), 0..3);
        assert_eq!(KioskLayout::carousel_window(0, None), 0..0);
        // The slots map into the picture where a hand can be.
        let fit = PictureFit::cover((640, 480), (1080, 1920));
        for slot in &layout.carousel {
            let [a, b] = layout.rect_in_picture(slot, &fit);
            assert!(a.x > 0.5 && b.x < 1.0 && a.y > 0.0 && b.y < 1.0, "{a} {b}");
        }
    }
}
