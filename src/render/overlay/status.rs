//! Status screens: what a live window shows in place of the camera when
//! there is no picture to show (waiting for the camera, the camera
//! unplugged, the input failed). Drawn on the CPU with the product card's
//! font: they change seldom, and a screen that says what is wrong must not
//! depend on the GPU pipeline that may be what is wrong.

use super::text::{ellipsise, line_height_px, line_width_px, rasterise, TextLine};

/// A full-frame message: a title and a line of detail under it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusScreen {
    /// Big, e.g. "Waiting for camera 0".
    pub title: String,
    /// Smaller, under it: e.g. why, and what happens next. One line per
    /// `\n`; each line is cut with "…" if too wide.
    pub detail: String,
}

/// Background: a dark slate (sRGB), so the screen reads as "no picture"
/// rather than as a black camera frame.
pub const STATUS_BACKGROUND: [u8; 3] = [28, 32, 40];
/// Title ink (sRGB).
pub const STATUS_TITLE_COLOR: [u8; 3] = [240, 240, 240];
/// Detail ink (sRGB).
pub const STATUS_DETAIL_COLOR: [u8; 3] = [170, 176, 188];
/// Title text height, as a fraction of the frame's height.
pub const STATUS_TITLE_FRACTION: f32 = 0.07;
/// Detail text height, as a fraction of the frame's height.
pub const STATUS_DETAIL_FRACTION: f32 = 0.035;
/// Text never gets smaller than this (pixels): a tiny frame is letterboxed
/// up by the window anyway.
const MIN_TEXT_PX: f32 = 10.0;
/// Lines are cut (with "…") to this fraction of the frame's width.
const MAX_LINE_FRACTION: f32 = 0.9;

/// `screen` drawn into a `width`×`height` RGBA image (sRGB, opaque,
/// tightly packed): both lines centred, cut to fit. Empty for a 0-sized
/// frame.
pub fn status_frame(screen: &StatusScreen, width: u32, height: u32) -> Vec<u8> {
    let mut rgba: Vec<u8> = std::iter::repeat_n(
        [
            STATUS_BACKGROUND[0],
            STATUS_BACKGROUND[1],
            STATUS_BACKGROUND[2],
            255,
        ],
        width as usize * height as usize,
    )
    .flatten()
    .collect();
    let max_width_px = width as f32 * MAX_LINE_FRACTION;
    let title_px = (height as f32 * STATUS_TITLE_FRACTION).max(MIN_TEXT_PX);
    let detail_px = (height as f32 * STATUS_DETAIL_FRACTION).max(MIN_TEXT_PX);
    let mut lines = vec![(screen.title.as_str(), title_px, STATUS_TITLE_COLOR)];
    lines.extend(
        screen
            .detail
            .lines()
            .filter(|line| !line.is_empty())
            .map(|line| (line, detail_px, STATUS_DETAIL_COLOR)),
    );
    let block_px: f32 = lines.iter().map(|(_, size, _)| line_height_px(*size)).sum();
    let mut top_px = (height as f32 - block_px) * 0.5;
    for (text, size_px, color) in lines {
        let text = ellipsise(text, size_px, max_width_px);
        let line_width = line_width_px(&text, size_px).ceil() as u32 + 2;
        let line_height = line_height_px(size_px).ceil() as u32;
        let coverage = rasterise(&[TextLine { text, size_px }], line_width, line_height);
        let left = (width as i64 - i64::from(line_width)) / 2;
        let top = top_px.round() as i64;
        for y in 0..line_height {
            for x in 0..line_width {
                let ink = coverage.coverage[(y * line_width + x) as usize];
                let (px, py) = (left + i64::from(x), top + i64::from(y));
                if ink == 0 || px < 0 || py < 0 || px >= i64::from(width) || py >= i64::from(height)
                {
                    continue;
                }
                let i = (py as usize * width as usize + px as usize) * 4;
                let alpha = u16::from(ink);
                for c in 0..3 {
                    let (ink, under) = (u16::from(color[c]), u16::from(rgba[i + c]));
                    // A plain blend in sRGB bytes: enough for flat text on
                    // a flat background.
                    rgba[i + c] = ((ink * alpha + under * (255 - alpha) + 127) / 255) as u8;
                }
            }
        }
        top_px += line_height_px(size_px);
    }
    rgba
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inked(rgba: &[u8]) -> Vec<usize> {
        rgba.chunks_exact(4)
            .enumerate()
            .filter(|(_, p)| p[..3] != STATUS_BACKGROUND)
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn the_text_is_centred_and_the_rest_is_background() {
        let (w, h) = (320u32, 240u32);
        let screen = StatusScreen {
            title: "Waiting for camera 0".into(),
            detail: "camera 0 not found\nretrying every second".into(),
        };
        let rgba = status_frame(&screen, w, h);
        assert_eq!(rgba.len(), (w * h * 4) as usize);
        let ink = inked(&rgba);
        assert!(ink.len() > 500, "{} inked pixels", ink.len());
        let mean = |f: fn(usize, u32) -> u32| {
            ink.iter().map(|&i| f64::from(f(i, w))).sum::<f64>() / ink.len() as f64
        };
        let (x, y) = (mean(|i, w| i as u32 % w), mean(|i, w| i as u32 / w));
        assert!(
            (x - 160.0).abs() < 20.0 && (y - 120.0).abs() < 25.0,
            "{x} {y}"
        );
        // The title is brighter than the detail.
        assert!(rgba.chunks_exact(4).any(|p| p[0] > 230));
    }

    #[test]
    fn long_text_and_tiny_frames_stay_inside() {
        let screen = StatusScreen {
            title: "A title far too long for a frame this narrow, by a wide margin".into(),
            detail: String::new(),
        };
        for (w, h) in [(40, 30), (1, 1), (0, 0), (640, 20)] {
            assert_eq!(status_frame(&screen, w, h).len(), (w * h * 4) as usize);
        }
    }
}
