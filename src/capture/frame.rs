//! `Frame`: one picture from a source, in the bytes the source produced.

use std::time::Duration;

/// How a frame's bytes are laid out. Conversion to RGBA happens on the GPU
/// (`upload::FrameUploader`); `upload::cpu` is the plain-Rust twin.
///
/// All layouts are tightly packed (no row padding) unless noted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PixelFormat {
    /// 4 bytes a pixel: R, G, B, A.
    Rgba8,
    /// 4 bytes a pixel: B, G, R, A (Windows cameras, some capture cards).
    Bgra8,
    /// 3 bytes a pixel: R, G, B.
    Rgb8,
    /// Packed 4:2:2, 2 bytes a pixel: Y0 U Y1 V for each pair of pixels.
    /// Odd widths carry a padding pixel per row (row = ceil(w/2)*4 bytes).
    Yuyv,
    /// Planar 4:2:0: a Y plane, then one plane of interleaved U, V at half
    /// resolution (rounded up).
    Nv12,
    /// Planar 4:2:0: Y plane, U plane, V plane; chroma at half resolution
    /// (rounded up). The layout of y4m `C420*` and ffmpeg's `yuv420p`.
    I420,
    /// Planar 4:4:4: Y, U, V planes at full resolution (y4m `C444`).
    Yuv444,
    /// 1 byte a pixel, luma only.
    Gray8,
}

impl PixelFormat {
    /// Every format, for tests and help texts.
    pub const ALL: [PixelFormat; 8] = [
        PixelFormat::Rgba8,
        PixelFormat::Bgra8,
        PixelFormat::Rgb8,
        PixelFormat::Yuyv,
        PixelFormat::Nv12,
        PixelFormat::I420,
        PixelFormat::Yuv444,
        PixelFormat::Gray8,
    ];

    /// The number of bytes one `width`×`height` frame takes.
    pub fn frame_len(self, width: u32, height: u32) -> usize {
        let (w, h) = (width as usize, height as usize);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        match self {
            PixelFormat::Rgba8 | PixelFormat::Bgra8 => w * h * 4,
            PixelFormat::Rgb8 => w * h * 3,
            PixelFormat::Yuyv => cw * 4 * h,
            PixelFormat::Nv12 => w * h + cw * ch * 2,
            PixelFormat::I420 => w * h + cw * ch * 2,
            PixelFormat::Yuv444 => w * h * 3,
            PixelFormat::Gray8 => w * h,
        }
    }

    /// Whether the bytes are Y'CbCr (and so need a `ColorSpace`).
    pub fn is_yuv(self) -> bool {
        matches!(
            self,
            PixelFormat::Yuyv | PixelFormat::Nv12 | PixelFormat::I420 | PixelFormat::Yuv444
        )
    }

    /// The name used on the command line (`--input-format`).
    pub fn name(self) -> &'static str {
        match self {
            PixelFormat::Rgba8 => "rgba",
            PixelFormat::Bgra8 => "bgra",
            PixelFormat::Rgb8 => "rgb",
            PixelFormat::Yuyv => "yuyv",
            PixelFormat::Nv12 => "nv12",
            PixelFormat::I420 => "i420",
            PixelFormat::Yuv444 => "yuv444",
            PixelFormat::Gray8 => "gray",
        }
    }

    /// Parses a command-line name (`rgba`, `yuyv`, `nv12`, ...).
    pub fn from_name(name: &str) -> Option<PixelFormat> {
        let name = name.to_ascii_lowercase();
        let alias = match name.as_str() {
            "yuv420p" => "i420",
            "yuy2" | "yuv422" => "yuyv",
            "grey" | "gray8" | "y8" => "gray",
            "yuv444p" => "yuv444",
            other => other,
        };
        PixelFormat::ALL.into_iter().find(|f| f.name() == alias)
    }
}

impl std::fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The Y'CbCr → R'G'B' matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ColorMatrix {
    /// SD video, most webcams, y4m's default.
    #[default]
    Bt601,
    /// HD video.
    Bt709,
}

/// Whether Y'CbCr uses the full 0–255 range or video's 16–235 / 16–240.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ColorRange {
    /// Video range: Y' in 16–235, Cb and Cr in 16–240.
    #[default]
    Limited,
    /// Full range: every component in 0–255.
    Full,
}

/// How to read Y'CbCr bytes. Ignored for RGB and gray formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ColorSpace {
    /// The matrix that turns Y'CbCr into R'G'B'.
    pub matrix: ColorMatrix,
    /// The range the Y'CbCr values cover.
    pub range: ColorRange,
}

/// One picture from a `FrameSource`.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Tightly packed bytes in `format` (see `PixelFormat::frame_len`).
    pub data: Vec<u8>,
    /// How `data` is laid out.
    pub format: PixelFormat,
    /// How to read `data` when `format` is Y'CbCr.
    pub color_space: ColorSpace,
    /// Width in pixels (never zero).
    pub width: u32,
    /// Height in pixels (never zero).
    pub height: u32,
    /// Time since the source started (presentation time for files,
    /// capture time for live sources).
    pub timestamp: Duration,
    /// 0-based index of the frame within its source.
    pub index: u64,
}

impl Frame {
    /// Builds a frame and checks that `data` has the right length.
    pub fn new(
        data: Vec<u8>,
        format: PixelFormat,
        width: u32,
        height: u32,
    ) -> Result<Frame, crate::capture::CaptureError> {
        let expected = format.frame_len(width, height);
        if width == 0 || height == 0 || data.len() != expected {
            return Err(crate::capture::CaptureError::FrameSize {
                format,
                width,
                height,
                expected,
                actual: data.len(),
            });
        }
        Ok(Frame {
            data,
            format,
            color_space: ColorSpace::default(),
            width,
            height,
            timestamp: Duration::ZERO,
            index: 0,
        })
    }

    /// The same frame with its presentation time and index set.
    pub fn with_timestamp(mut self, timestamp: Duration, index: u64) -> Frame {
        self.timestamp = timestamp;
        self.index = index;
        self
    }

    /// The same frame with its YUV colour matrix and range set (ignored
    /// for RGB formats).
    pub fn with_color_space(mut self, color_space: ColorSpace) -> Frame {
        self.color_space = color_space;
        self
    }

    /// The frame as tightly packed RGBA8 rows, converted on the CPU exactly
    /// as the GPU upload does (same YUV matrix and range, no mirroring).
    pub fn to_rgba8(&self) -> Vec<u8> {
        crate::upload::cpu::convert_to_rgba(self, false)
    }
}
