//! `SyntheticSource`: a moving test pattern, for demos and tests without a
//! camera or files.

use std::time::Duration;

use super::{CaptureError, Frame, FrameSource, PixelFormat, SourceInfo};

/// The largest width or height, like every other source.
const MAX_SIDE: u32 = 16384;
/// Used when the given frame rate is not a positive number.
const FALLBACK_FPS: f64 = 30.0;
/// Vertical bars, left to right: white, yellow, cyan, green, magenta, red,
/// blue, black, at 75% like broadcast colour bars, so that the full-white
/// square stays visible over the white bar.
const BARS: [[u8; 3]; 8] = [
    [191, 191, 191],
    [191, 191, 0],
    [0, 191, 191],
    [0, 191, 0],
    [191, 0, 191],
    [191, 0, 0],
    [0, 0, 191],
    [0, 0, 0],
];
/// Bits of the frame counter drawn in the top-left corner.
const COUNTER_BITS: u32 = 16;

/// A deterministic `Rgba8` test pattern: 75% colour bars, a white square that
/// crosses the picture from left to right every two seconds, a grey ramp
/// strip along the bottom that scrolls, and the frame index in binary
/// (white = 1, least significant bit first) as blocks in the top-left
/// corner. Consecutive frames always differ, and frame `i` is the same on
/// every run.
pub struct SyntheticSource {
    info: SourceInfo,
    fps: f64,
    index: u64,
}

impl SyntheticSource {
    /// Sides are clamped to 1..=16384 and a frame rate that is not a
    /// positive number becomes 30; `info()` reports the values used.
    /// `frame_count: None` makes an endless source.
    pub fn new(width: u32, height: u32, fps: f64, frame_count: Option<u64>) -> Self {
        let (width, height) = (width.clamp(1, MAX_SIDE), height.clamp(1, MAX_SIDE));
        let fps = if fps.is_finite() && fps > 0.0 {
            fps
        } else {
            FALLBACK_FPS
        };
        let info = SourceInfo {
            description: format!("synthetic test pattern {width}x{height}"),
            width,
            height,
            fps: Some(fps),
            frame_count,
            live: false,
        };
        SyntheticSource {
            info,
            fps,
            index: 0,
        }
    }

    /// Draws frame `index` (without touching the source's position).
    pub fn render(&self, index: u64) -> Vec<u8> {
        let (w, h) = (self.info.width as usize, self.info.height as usize);
        let mut pixels = vec![0u8; w * h * 4];
        // The bars fill the top three quarters; the ramp strip the rest.
        let bars_h = (h * 3 / 4).max(1);
        let shift = (index % 256) as usize * 4;
        for (y, row) in pixels.chunks_exact_mut(w * 4).enumerate() {
            for (x, px) in row.chunks_exact_mut(4).enumerate() {
                let rgb = if y < bars_h {
                    BARS[x * BARS.len() / w]
                } else {
                    let v = ((x * 256 / w + shift) % 256) as u8;
                    [v, v, v]
                };
                px.copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
            }
        }
        // The square: a sixth of the short side, vertically centred in the
        // bars, moving at half the width a second and wrapping around.
        let side = (w.min(h) / 6).max(1);
        let travel = w - side + 1;
        let t = index as f64 / self.fps;
        let x0 = (t * w as f64 / 2.0) as usize % travel;
        let y0 = bars_h.saturating_sub(side) / 2;
        fill(&mut pixels, w, x0..x0 + side, y0..(y0 + side).min(h), 255);
        // The counter: square blocks, as many bits as fit in the width.
        let block = (w.min(h) / 24).max(2).min(h);
        for bit in 0..COUNTER_BITS as usize {
            let xs = bit * block..(bit + 1) * block;
            if xs.end > w {
                break;
            }
            let on = (index >> bit) & 1 == 1;
            fill(&mut pixels, w, xs, 0..block, if on { 255 } else { 0 });
        }
        pixels
    }
}

/// Paints a rectangle of an `Rgba8` image (width `w`) in an opaque grey.
fn fill(
    pixels: &mut [u8],
    w: usize,
    xs: std::ops::Range<usize>,
    ys: std::ops::Range<usize>,
    v: u8,
) {
    for y in ys {
        let row = &mut pixels[(y * w + xs.start) * 4..(y * w + xs.end) * 4];
        for px in row.chunks_exact_mut(4) {
            px.copy_from_slice(&[v, v, v, 255]);
        }
    }
}

impl FrameSource for SyntheticSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        if self.info.frame_count.is_some_and(|n| self.index >= n) {
            return Ok(None);
        }
        let index = self.index;
        let data = self.render(index);
        let frame = Frame::new(data, PixelFormat::Rgba8, self.info.width, self.info.height)?;
        let timestamp =
            Duration::try_from_secs_f64(index as f64 / self.fps).unwrap_or(Duration::MAX);
        self.index += 1;
        Ok(Some(frame.with_timestamp(timestamp, index)))
    }
}
