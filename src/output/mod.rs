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
    /// The pixels, row by row, 4 bytes each: `width * height * 4` bytes.
    pub data: &'a [u8],
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Index of the frame in the source.
    pub index: u64,
    /// Time since the source started, from the source frame.
    pub timestamp: Duration,
}

/// Takes finished frames.
pub trait FrameSink: Send {
    /// Writes one frame, or fails with why it could not.
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
    /// A file, folder or stream could not be made or written.
    #[error("cannot write {path}: {source}{}", io_hint(source))]
    Io {
        /// The file or folder that failed (`stdout` for standard output).
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A stream file that failed mid-way was cut back to its last whole
    /// frame, so it still plays (to its end).
    #[error("{error}; the file keeps its {}", match frames_kept { 0 => "no whole frame".to_string(), 1 => "first frame".to_string(), n => format!("first {n} frames, whole") })]
    StreamCut {
        /// Whole frames left in the file.
        frames_kept: u64,
        /// The write error that cut the stream.
        #[source]
        error: Box<OutputError>,
    },
    /// An image could not be encoded.
    #[error("cannot encode {path}: {message}")]
    Encode {
        /// The image file that was being written.
        path: PathBuf,
        /// The encoder's error.
        message: String,
    },
    /// The reader of a pipe went away (`drape ... | head`): not a failure
    /// of drape, the run ends.
    #[error("the reader of {0} closed the pipe")]
    Closed(String),
    /// The frame size changed mid-stream, which y4m and raw cannot carry.
    #[error("{what} started at {width}x{height} and cannot take frame {index}, which is {new_width}x{new_height}: a stream holds one frame size. Write images instead (a folder, or a pattern such as out/%04d.png), or scale the inputs to one size")]
    SizeChanged {
        /// The stream, for people (`y4m stream out.y4m`).
        what: String,
        /// Width of the stream's frames, in pixels.
        width: u32,
        /// Height of the stream's frames, in pixels.
        height: u32,
        /// The source's index of the first frame of another size.
        index: u64,
        /// Width of that frame, in pixels.
        new_width: u32,
        /// Height of that frame, in pixels.
        new_height: u32,
    },
    /// The output asked for cannot be written as given (a bad `--output`,
    /// a second frame for one image); the message says why and what to do.
    #[error("{0}")]
    BadSpec(String),
    /// A stream whose earlier write failed (reported then) is written to
    /// again: nothing more goes to it.
    #[error("{0} failed earlier: nothing more is written to it")]
    FailedEarlier(String),
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
