//! Output: where finished frames go. File and pipe sinks take RGBA bytes
//! read back from the GPU; the window presents the GPU texture directly
//! (`window::WindowPresenter`).

mod image_seq;
mod pipe;
mod preview;
mod spec;
pub mod window;

use std::path::PathBuf;
use std::time::Duration;

pub use image_seq::{ImageFormat, ImageSequenceSink};
pub use pipe::{RawRgbaSink, Y4mSink};
pub use preview::{PreviewOptions, PreviewSink, TeeSink};
pub use spec::{open_sink, OutputFormat, SinkOptions, SinkSpec};

/// A finished frame on the CPU: tightly packed RGBA8.
#[derive(Debug, Clone, Copy)]
pub struct RgbaFrame<'a> {
    pub data: &'a [u8],
    pub width: u32,
    pub height: u32,
    /// Index of the frame in the source.
    pub index: u64,
    pub timestamp: Duration,
}

/// Takes finished frames.
pub trait FrameSink: Send {
    fn write_frame(&mut self, frame: &RgbaFrame<'_>) -> Result<(), OutputError>;
    /// Flushes what is buffered. Called once at the end, also after Ctrl-C.
    fn finish(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    /// Where the frames go, for people (`PNG files in out/`).
    fn description(&self) -> String;
}

/// Why a frame could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    #[error("cannot write {path}: {source}{}", io_hint(source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A stream file that failed mid-way was cut back to its last whole
    /// frame, so it still plays (to its end).
    #[error("{error}; the file keeps its {}", match frames_kept { 0 => "no whole frame".to_string(), 1 => "first frame".to_string(), n => format!("first {n} frames, whole") })]
    StreamCut {
        frames_kept: u64,
        #[source]
        error: Box<OutputError>,
    },
    #[error("cannot encode {path}: {message}")]
    Encode { path: PathBuf, message: String },
    /// The reader of a pipe went away (`drape ... | head`): not a failure
    /// of drape, the run ends.
    #[error("the reader of {0} closed the pipe")]
    Closed(String),
    /// The frame size changed mid-stream, which y4m and raw cannot carry.
    #[error("{what} started at {width}x{height} and cannot take frame {index}, which is {new_width}x{new_height}: a stream holds one frame size. Write images instead (a folder, or a pattern such as out/%04d.png), or scale the inputs to one size")]
    SizeChanged {
        what: String,
        width: u32,
        height: u32,
        /// The source's index of the first frame of another size.
        index: u64,
        new_width: u32,
        new_height: u32,
    },
    #[error("{0}")]
    BadSpec(String),
    /// The window could not be opened or drawn.
    #[error("window: {0}")]
    Window(String),
}

/// What to do about a failed write, by its cause.
fn io_hint(error: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::StorageFull => " (the disk is full: free some space or write elsewhere)",
        ErrorKind::ReadOnlyFilesystem => " (the file system is read-only: write elsewhere)",
        ErrorKind::PermissionDenied => {
            " (no permission to write there: write elsewhere or change its permissions)"
        }
        ErrorKind::FileTooLarge => {
            " (the file grew past what the file system or a limit allows: write elsewhere, or \
             write images, a file a frame)"
        }
        ErrorKind::IsADirectory => " (that is a folder: give a file name)",
        _ => "",
    }
}
