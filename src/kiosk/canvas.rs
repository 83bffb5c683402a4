//! `UiCanvas`: premultiplied RGBA pixels the kiosk's UI is drawn into on
//! the CPU (text, rounded panels, thumbnails, QR codes), then uploaded as
//! one layer. It is drawn again only when what it shows changes (a garment
//! worn, a countdown digit), never per frame.

use image::RgbaImage;

use super::layout::CanvasRect;
use crate::render::overlay::text::{ellipsise, line_height_px, line_width_px, rasterise, TextLine};
use crate::render::overlay::QrModules;

/// Where a line of text is anchored horizontally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// `x` is the left edge.
    Left,
    /// `x` is the centre.
    Centre,
    /// `x` is the right edge.
    Right,
}

/// How far pixel `(x, y)`'s centre lies outside `rect` with corners
/// rounded by `radius` (negative inside).
fn rounded_rect_distance(rect: CanvasRect, radius: f32, x: i32, y: i32) -> f32 {
    let half = glam::Vec2::new(rect.width as f32, rect.height as f32) * 0.5;
    let r = radius.min(half.x).min(half.y).max(0.0);
    let p = glam::Vec2::new(x as f32 + 0.5, y as f32 + 0.5)
        - (glam::Vec2::new(rect.x as f32, rect.y as f32) + half);
    let d = p.abs() - half + r;
    d.max(glam::Vec2::ZERO).length() + d.x.max(d.y).min(0.0) - r
}

/// `text` broken at spaces into lines no wider than `max_width` at
/// `size_px` (a word longer than a line is left for `text` to cut).
pub fn wrap(text: &str, size_px: f32, max_width: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || line_width_px(&candidate, size_px) <= max_width {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A premultiplied RGBA image the size of the canvas, transparent at first.
pub struct UiCanvas {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Premultiplied RGBA, row-major.
    pub rgba: Vec<u8>,
}

impl UiCanvas {
    /// A transparent canvas.
    pub fn new(width: u32, height: u32) -> UiCanvas {
        UiCanvas {
            width,
            height,
            rgba: vec![0; width as usize * height as usize * 4],
        }
    }

    /// Blends `colour` at `alpha` (0..1) over pixel `(x, y)`, if inside.
    fn blend(&mut self, x: i64, y: i64, colour: [u8; 3], alpha: f32) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let alpha = alpha.clamp(0.0, 1.0);
        if alpha <= 0.0 {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        let keep = 1.0 - alpha;
        for (value, ink) in self.rgba[i..i + 3].iter_mut().zip(colour) {
            let v = f32::from(ink) * alpha + f32::from(*value) * keep;
            *value = v.round().min(255.0) as u8;
        }
        let a = 255.0 * alpha + f32::from(self.rgba[i + 3]) * keep;
        self.rgba[i + 3] = a.round().min(255.0) as u8;
    }

    /// A rectangle with rounded corners (`radius` pixels, anti-aliased).
    pub fn rounded_rect(&mut self, rect: CanvasRect, radius: f32, colour: [u8; 3], alpha: f32) {
        for y in rect.y..rect.y + rect.height as i32 {
            for x in rect.x..rect.x + rect.width as i32 {
                let outside = rounded_rect_distance(rect, radius, x, y);
                let cover = (0.5 - outside).clamp(0.0, 1.0);
                self.blend(i64::from(x), i64::from(y), colour, alpha * cover);
            }
        }
    }

    /// An outline `stroke` pixels wide just inside `rect`, rounded.
    pub fn outline(&mut self, rect: CanvasRect, radius: f32, stroke: f32, colour: [u8; 3]) {
        for y in rect.y..rect.y + rect.height as i32 {
            for x in rect.x..rect.x + rect.width as i32 {
                let outside = rounded_rect_distance(rect, radius, x, y);
                let inner = (-outside - stroke).max(outside);
                let cover = (0.5 - inner).clamp(0.0, 1.0);
                self.blend(i64::from(x), i64::from(y), colour, cover);
            }
        }
    }

    /// A filled circle.
    pub fn disc(&mut self, centre: (f32, f32), radius: f32, colour: [u8; 3], alpha: f32) {
        let (cx, cy) = centre;
        for y in (cy - radius - 1.0).floor() as i64..=(cy + radius + 1.0).ceil() as i64 {
            for x in (cx - radius - 1.0).floor() as i64..=(cx + radius + 1.0).ceil() as i64 {
                let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
                self.blend(x, y, colour, alpha * (radius + 0.5 - d).clamp(0.0, 1.0));
            }
        }
    }

    /// One line of text, its top at `top`, cut with "…" to `max_width`;
    /// returns the width drawn.
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        text: &str,
        x: f32,
        top: f32,
        size_px: f32,
        max_width: f32,
        align: Align,
        colour: [u8; 3],
    ) -> f32 {
        let text = ellipsise(text, size_px, max_width.max(1.0));
        if text.is_empty() {
            return 0.0;
        }
        let width = line_width_px(&text, size_px).ceil() as u32 + 2;
        let height = line_height_px(size_px).ceil() as u32;
        let left = match align {
            Align::Left => x,
            Align::Centre => x - width as f32 * 0.5,
            Align::Right => x - width as f32,
        }
        .round() as i64;
        let top = top.round() as i64;
        let coverage = rasterise(&[TextLine { text, size_px }], width, height);
        for y in 0..height {
            for x in 0..width {
                let ink = coverage.coverage[(y * width + x) as usize];
                if ink > 0 {
                    let alpha = f32::from(ink) / 255.0;
                    self.blend(left + i64::from(x), top + i64::from(y), colour, alpha);
                }
            }
        }
        width as f32
    }

    /// `image` scaled to fit inside `rect` (aspect kept, centred).
    pub fn image(&mut self, image: &RgbaImage, rect: CanvasRect) {
        let (iw, ih) = image.dimensions();
        if iw == 0 || ih == 0 || rect.width == 0 || rect.height == 0 {
            return;
        }
        let scale = (rect.width as f32 / iw as f32).min(rect.height as f32 / ih as f32);
        let (w, h) = (
            (iw as f32 * scale).round() as u32,
            (ih as f32 * scale).round() as u32,
        );
        let resized;
        let source = if (w, h) == (iw, ih) {
            image
        } else {
            resized = image::imageops::resize(
                image,
                w.max(1),
                h.max(1),
                image::imageops::FilterType::Triangle,
            );
            &resized
        };
        let left = i64::from(rect.x) + i64::from((rect.width - source.width()) / 2);
        let top = i64::from(rect.y) + i64::from((rect.height - source.height()) / 2);
        for (x, y, pixel) in source.enumerate_pixels() {
            let [r, g, b, a] = pixel.0;
            self.blend(
                left + i64::from(x),
                top + i64::from(y),
                [r, g, b],
                f32::from(a) / 255.0,
            );
        }
    }

    /// `url` as a QR code filling the square `rect` (whole modules,
    /// centred), dark modules black on a white plate. False, and nothing
    /// drawn, when the URL is too long for a code.
    pub fn qr(&mut self, url: &str, rect: CanvasRect) -> bool {
        let Ok(qr) = QrModules::encode(url) else {
            return false;
        };
        let side = rect.width.min(rect.height);
        let module = (side / qr.side.max(1)).max(1);
        let drawn = module * qr.side;
        let left = i64::from(rect.x) + i64::from(side.saturating_sub(drawn) / 2);
        let top = i64::from(rect.y) + i64::from(side.saturating_sub(drawn) / 2);
        for my in 0..qr.side {
            for mx in 0..qr.side {
                let colour = if qr.is_dark(mx, my) {
                    [0, 0, 0]
                } else {
                    [255, 255, 255]
                };
                for dy in 0..module {
                    for dx in 0..module {
                        let x = left + i64::from(mx * module + dx);
                        let y = top + i64::from(my * module + dy);
                        self.blend(x, y, colour, 1.0);
                    }
                }
            }
        }
        true
    }

    /// The straight (not premultiplied) colour and alpha at `(x, y)`.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        let i = (y as usize * self.width as usize + x as usize) * 4;
        let a = self.rgba[i + 3];
        if a == 0 {
            return [0; 4];
        }
        let straight = |c: u8| ((f32::from(c) * 255.0 / f32::from(a)).round().min(255.0)) as u8;
        [
            straight(self.rgba[i]),
            straight(self.rgba[i + 1]),
            straight(self.rgba[i + 2]),
            a,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_text_and_codes_land_where_asked() {
        let mut canvas = UiCanvas::new(200, 120);
        let panel = CanvasRect {
            x: 10,
            y: 10,
            width: 100,
            height: 50,
        };
        canvas.rounded_rect(panel, 8.0, [200, 0, 0], 0.5);
        // 200 at half strength, premultiplied, reads back within a rounding step.
        assert_eq!(canvas.pixel(60, 35), [199, 0, 0, 128]);
        assert_eq!(canvas.pixel(10, 10)[3], 0, "the corner is rounded off");
        assert_eq!(canvas.pixel(150, 100), [0; 4]);
        let width = canvas.text("Hi", 120.0, 70.0, 30.0, 100.0, Align::Left, [255, 255, 255]);
        assert!(width > 20.0);
        let inked = (70..110).flat_map(|y| (120..160).map(move |x| (x, y)));
        assert!(inked.into_iter().any(|(x, y)| canvas.pixel(x, y)[3] == 255));
        let lines = wrap("camera 7 not found (no camera present)", 20.0, 200.0);
        assert!(lines.len() > 1 && lines.iter().all(|l| line_width_px(l, 20.0) <= 200.0));
        assert_eq!(lines.join(" "), "camera 7 not found (no camera present)");
        let url = "https://shop.example/p/tee";
        let qr = QrModules::encode(url).unwrap();
        let mut canvas = UiCanvas::new(qr.side * 3, qr.side * 3);
        assert!(canvas.qr(
            url,
            CanvasRect {
                x: 0,
                y: 0,
                width: qr.side * 3,
                height: qr.side * 3
            }
        ));
        // The finder pattern's corner module is dark, the quiet zone white.
        let q = 4 * 3;
        assert_eq!(canvas.pixel(q + 1, q + 1), [0, 0, 0, 255]);
        assert_eq!(canvas.pixel(1, 1), [255, 255, 255, 255]);
    }
}
