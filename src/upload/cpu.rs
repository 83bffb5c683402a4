//! The plain-Rust twin of shaders/upload/convert.wgsl: the same bytes, the
//! same arithmetic, for tests (and for anyone without a GPU at hand).

use crate::capture::{Frame, PixelFormat};

use super::ConvertParams;

/// Converts `frame` to tightly packed RGBA8, mirrored when asked.
pub fn convert_to_rgba(frame: &Frame, mirror: bool) -> Vec<u8> {
    let params = ConvertParams::new(frame, mirror);
    let (w, h) = (frame.width as usize, frame.height as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let plane = w * h;
    let b = |i: usize| frame.data[i] as f32;
    let mut out = Vec::with_capacity(w * h * 4);
    for y in 0..h {
        for out_x in 0..w {
            let x = if mirror { w - 1 - out_x } else { out_x };
            let pixel = y * w + x;
            let rgba = match frame.format {
                PixelFormat::Rgba8 => {
                    let i = pixel * 4;
                    [b(i), b(i + 1), b(i + 2), b(i + 3)]
                }
                PixelFormat::Bgra8 => {
                    let i = pixel * 4;
                    [b(i + 2), b(i + 1), b(i), b(i + 3)]
                }
                PixelFormat::Rgb8 => {
                    let i = pixel * 3;
                    [b(i), b(i + 1), b(i + 2), 255.0]
                }
                PixelFormat::Gray8 => [b(pixel), b(pixel), b(pixel), 255.0],
                yuv => {
                    let (yv, uv, vv) = match yuv {
                        PixelFormat::Yuyv => {
                            let base = y * cw * 4 + (x / 2) * 4;
                            (b(base + (x & 1) * 2), b(base + 1), b(base + 3))
                        }
                        PixelFormat::Nv12 => {
                            let c = plane + (y / 2) * cw * 2 + (x / 2) * 2;
                            (b(pixel), b(c), b(c + 1))
                        }
                        PixelFormat::I420 => {
                            let c = (y / 2) * cw + x / 2;
                            (b(pixel), b(plane + c), b(plane + cw * ch + c))
                        }
                        _ => (b(pixel), b(plane + pixel), b(2 * plane + pixel)),
                    };
                    let [r, g, bl] = params.yuv_to_rgb(yv, uv, vv);
                    [r * 255.0, g * 255.0, bl * 255.0, 255.0]
                }
            };
            out.extend(rgba.map(|v| (v / 255.0).clamp(0.0, 1.0).mul_add(255.0, 0.5) as u8));
        }
    }
    out
}
