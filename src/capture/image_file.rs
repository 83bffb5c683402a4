//! `ImageFileSource`: one still image (PNG, JPEG or WebP) as a one-frame source.

use std::io::BufReader;
use std::path::Path;

use image::{DynamicImage, ImageReader, Limits};

use super::{CaptureError, Frame, FrameSource, PixelFormat, SourceInfo};

/// The largest image side we decode. Matches the bound on every other source.
pub(crate) const MAX_IMAGE_SIDE: u32 = 16384;

/// The most memory one decode may allocate. A hostile header that claims a
/// huge image then fails with an error instead of exhausting memory.
const MAX_DECODE_ALLOC: u64 = 1 << 30;

/// A single image file: yields one frame, then `None`.
///
/// The image is decoded in `open`, so a bad file fails there, not at the
/// first frame.
pub struct ImageFileSource {
    info: SourceInfo,
    frame: Option<Frame>,
}

impl ImageFileSource {
    /// Decodes the image at `path`. The format is guessed from the content,
    /// so a PNG named `.jpg` still opens.
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let frame = decode_image(path)?;
        let info = SourceInfo {
            description: format!("image {}", path.display()),
            width: frame.width,
            height: frame.height,
            fps: None,
            frame_count: Some(1),
            live: false,
        };
        Ok(ImageFileSource {
            info,
            frame: Some(frame),
        })
    }
}

impl FrameSource for ImageFileSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        Ok(self.frame.take())
    }
}

/// Opens `path` for decoding with the format guessed from its content and
/// limits that turn decompression bombs into errors.
fn reader(path: &Path) -> Result<ImageReader<BufReader<std::fs::File>>, CaptureError> {
    let mut reader = ImageReader::open(path)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| CaptureError::io(path, e))?;
    // `Limits` is non-exhaustive: start from the defaults and tighten them.
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    Ok(reader)
}

fn decode_error(path: &Path, error: image::ImageError) -> CaptureError {
    CaptureError::Decode {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

/// Reads only the header of the image at `path` and returns its size.
pub(crate) fn image_size(path: &Path) -> Result<(u32, u32), CaptureError> {
    reader(path)?
        .into_dimensions()
        .map_err(|e| decode_error(path, e))
}

/// Decodes the image at `path` into a frame with timestamp 0 and index 0.
///
/// 8-bit gray stays `Gray8` and 8-bit RGB stays `Rgb8` (the GPU expands
/// them); every other layout (gray+alpha, 16-bit, float) becomes `Rgba8`.
pub(crate) fn decode_image(path: &Path) -> Result<Frame, CaptureError> {
    let image = reader(path)?.decode().map_err(|e| decode_error(path, e))?;
    let (width, height) = (image.width(), image.height());
    let (data, format) = match image {
        DynamicImage::ImageLuma8(buffer) => (buffer.into_raw(), PixelFormat::Gray8),
        DynamicImage::ImageRgb8(buffer) => (buffer.into_raw(), PixelFormat::Rgb8),
        DynamicImage::ImageRgba8(buffer) => (buffer.into_raw(), PixelFormat::Rgba8),
        other => (other.to_rgba8().into_raw(), PixelFormat::Rgba8),
    };
    Frame::new(data, format, width, height)
}
