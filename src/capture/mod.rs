//! Capture: everything that yields `Frame`s.
//!
//! A `FrameSource` pulls frames in order; `open_source` turns a `SourceSpec`
//! (what the user typed) into one. Live sources are wrapped in
//! `LatestFrame` so that a slow consumer always gets the newest frame.

#[cfg(not(target_arch = "wasm32"))]
mod camera;
mod camera_request;
mod ffmpeg;
mod frame;
mod image_file;
mod latest;
mod looping;
mod raw;
mod reconnect;
mod sequence;
mod spec;
mod synthetic;
pub mod y4m;

use std::path::PathBuf;

#[cfg(not(target_arch = "wasm32"))]
pub use camera::{list_cameras, live_camera, CameraInfo, CameraSource, CAMERA_RETRY_INTERVAL};
pub use camera_request::CameraRequest;
pub use ffmpeg::{ffmpeg_available, FfmpegSource};
pub use frame::{ColorMatrix, ColorRange, ColorSpace, Frame, PixelFormat};
pub use image_file::ImageFileSource;
pub use latest::LatestFrame;
pub use looping::{Looping, Reopen};
pub use raw::RawSource;
pub use reconnect::{LiveState, LiveStatus, Reconnecting, SourceEvent};
pub use sequence::{ImageSequenceSource, SequenceMode};
pub use spec::{open_source, InputOptions, SourceSpec};
pub use synthetic::SyntheticSource;
pub use y4m::Y4mSource;

/// What a source knows about itself before the first frame.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInfo {
    /// A short human description (`y4m clip.y4m`, `camera 0 (HD Webcam)`).
    pub description: String,
    /// Frame width in pixels; a source whose frames may change size
    /// reports the first frame's.
    pub width: u32,
    /// Frame height in pixels, like `width`.
    pub height: u32,
    /// Nominal frame rate, when the source has one.
    pub fps: Option<f64>,
    /// Number of frames, when known in advance (files, folders).
    pub frame_count: Option<u64>,
    /// A camera or a pipe that produces frames in real time.
    pub live: bool,
}

/// Yields frames in order.
///
/// `next_frame` returns `Ok(None)` at the end of a finite source. An error
/// is not necessarily final for live sources (see `Reconnecting`).
pub trait FrameSource: Send {
    /// What the source said about itself when it was opened.
    fn info(&self) -> &SourceInfo;
    /// The next frame; `Ok(None)` once a finite source has ended.
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError>;
    /// Frames the source had to throw away because the consumer was slower
    /// than the producer (always 0 for files).
    fn dropped_frames(&self) -> u64 {
        0
    }
    /// Whether each frame is an unrelated still (a batch of photos): to be
    /// dressed on its own, with no tracking or smoothing from one to the
    /// next, and at its own size.
    fn stills(&self) -> bool {
        false
    }
    /// A live device's state (waiting for it, streaming, reconnecting),
    /// shared with the thread that reads it; `None` for sources without a
    /// device to lose (files, pipes). Wrappers pass their inner source's on.
    fn live_status(&self) -> Option<LiveStatus> {
        None
    }
}

impl FrameSource for Box<dyn FrameSource> {
    fn info(&self) -> &SourceInfo {
        (**self).info()
    }
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        (**self).next_frame()
    }
    fn dropped_frames(&self) -> u64 {
        (**self).dropped_frames()
    }
    fn stills(&self) -> bool {
        (**self).stills()
    }
    fn live_status(&self) -> Option<LiveStatus> {
        (**self).live_status()
    }
}

/// Why a source could not give a frame. Each variant names the thing at
/// fault and, where there is one, the fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// A file or folder could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder that failed (`stdin` for standard input).
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An image file could not be decoded.
    #[error("cannot decode image {path}: {message} (is it a valid PNG, JPEG or WebP file?)")]
    Decode {
        /// The image file.
        path: PathBuf,
        /// The decoder's message.
        message: String,
    },
    /// A folder or glob that matched no image.
    #[error("no images found in {0} (expected .png, .jpg, .jpeg or .webp files)")]
    NoImages(String),
    /// An image of a video's frames has another size than the first one.
    #[error("{path} is {width}x{height} but the frames started at {expected_width}x{expected_height}: the frames of a video have one size (give --batch to dress each image as a photo of its own)")]
    SizeChanged {
        /// The image of the other size.
        path: PathBuf,
        /// Its width in pixels.
        width: u32,
        /// Its height in pixels.
        height: u32,
        /// The first frame's width in pixels.
        expected_width: u32,
        /// The first frame's height in pixels.
        expected_height: u32,
    },
    /// A y4m stream with a bad header or frame.
    #[error("y4m {what}: {message}")]
    Y4m {
        /// The stream (a path, `stdin`), or `header` for a header line
        /// parsed on its own.
        what: String,
        /// What is wrong, with the frame number for a bad frame.
        message: String,
    },
    /// A raw stream that is not a whole number of frames: `index` whole
    /// frames, then `got` bytes of a frame of `expected`.
    #[error(
        "{what} is not a whole number of {width}x{height} {format} frames of {expected} bytes: \
         {} read, then {got} bytes left over (are --size WxH and --input-format right?)",
        match index { 1 => "1 whole frame".to_string(), n => format!("{n} whole frames") }
    )]
    Truncated {
        /// The stream (a path or `stdin`).
        what: String,
        /// The pixel format the frames were read as (`--input-format`).
        format: PixelFormat,
        /// Frame width in pixels (`--size`).
        width: u32,
        /// Frame height in pixels (`--size`).
        height: u32,
        /// Whole frames read before the short one.
        index: u64,
        /// Bytes of the short frame that were there.
        got: usize,
        /// Bytes in one whole frame.
        expected: usize,
    },
    /// Bytes that do not fill a frame of the stated format and size.
    #[error("a {width}x{height} {format} frame needs {expected} bytes, got {actual}")]
    FrameSize {
        /// The frame's stated pixel format.
        format: PixelFormat,
        /// The frame's stated width in pixels.
        width: u32,
        /// The frame's stated height in pixels.
        height: u32,
        /// Bytes a frame of that format and size has.
        expected: usize,
        /// Bytes given.
        actual: usize,
    },
    /// ffmpeg is needed for this input but is not installed.
    #[error("{path}: reading this kind of video needs ffmpeg, which was not found on PATH; install it (Debian: `apt-get install ffmpeg`) or convert the file to y4m first")]
    FfmpegMissing {
        /// The video file that needed it.
        path: PathBuf,
    },
    /// ffmpeg ran but failed.
    #[error("ffmpeg could not read {path}: {message}")]
    Ffmpeg {
        /// The video file ffmpeg was reading.
        path: PathBuf,
        /// ffmpeg's error output or exit status, or why it could not be
        /// started.
        message: String,
    },
    /// No camera with that index.
    #[error(
        "camera {index} not found ({}; `drape cameras` lists them)",
        match available { 0 => "no camera present".to_string(), 1 => "1 camera present".to_string(), n => format!("{n} cameras present") }
    )]
    NoCamera {
        /// The camera index asked for.
        index: u32,
        /// How many cameras the system lists.
        available: usize,
    },
    /// The camera failed (unplugged, busy, unsupported format).
    #[error("camera {index}: {message}")]
    Camera {
        /// The camera's index (0 where none was at hand: listing the
        /// cameras, a camera thread that ended).
        index: u32,
        /// What failed.
        message: String,
    },
    /// The user's input description is wrong.
    #[error("{0}")]
    BadSpec(String),
}

impl CaptureError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> CaptureError {
        CaptureError::Io {
            path: path.into(),
            source,
        }
    }
}
