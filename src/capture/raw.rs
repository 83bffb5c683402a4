//! `RawSource`: headerless frames back to back, as `ffmpeg -f rawvideo -`
//! writes them. The size and format come from the user, since the stream
//! says nothing about itself.

use std::io::{BufReader, Read};
use std::time::Duration;

use super::{CaptureError, ColorSpace, Frame, FrameSource, PixelFormat, SourceInfo};

/// The largest width or height accepted, like every other source.
const MAX_SIDE: u32 = 16384;

/// Raw frames of exactly `format.frame_len(width, height)` bytes each.
///
/// Ends (`None`) when the stream ends between two frames; a stream that ends
/// inside a frame gives `CaptureError::Truncated`, then `None`.
pub struct RawSource {
    reader: BufReader<Box<dyn Read + Send>>,
    info: SourceInfo,
    what: String,
    format: PixelFormat,
    color_space: ColorSpace,
    fps: f64,
    index: u64,
    done: bool,
}

impl RawSource {
    /// `what` names the stream in errors (`stdin`). YUV formats are read as
    /// BT.601 limited range unless `with_color_space` says otherwise.
    pub fn new(
        reader: Box<dyn Read + Send>,
        what: String,
        format: PixelFormat,
        width: u32,
        height: u32,
        fps: f64,
    ) -> Result<Self, CaptureError> {
        let sides = 1..=MAX_SIDE;
        if !sides.contains(&width) || !sides.contains(&height) {
            return Err(CaptureError::BadSpec(format!(
                "raw video {what}: size {width}x{height} is not valid; \
                 give --size WxH with each side in 1..={MAX_SIDE}"
            )));
        }
        if !(fps.is_finite() && fps > 0.0) {
            return Err(CaptureError::BadSpec(format!(
                "raw video {what}: the frame rate must be a positive number, got {fps}"
            )));
        }
        let info = SourceInfo {
            description: format!("raw {format} {width}x{height} from {what}"),
            width,
            height,
            fps: Some(fps),
            frame_count: None,
            // A pipe delivers frames in real time, like a camera.
            live: true,
        };
        Ok(RawSource {
            reader: BufReader::new(reader),
            info,
            what,
            format,
            color_space: ColorSpace::default(),
            fps,
            index: 0,
            done: false,
        })
    }

    /// For a stream of known length (a file): its whole frames are the
    /// frame count (for the progress bar). A file is not live. Bytes left
    /// over after them are still read and reported at the end, once the
    /// whole frames are done (`CaptureError::Truncated`), as for stdin.
    pub fn with_stream_len(mut self, len_bytes: u64) -> Self {
        let frame_len = self.format.frame_len(self.info.width, self.info.height) as u64;
        self.info.frame_count = Some(len_bytes / frame_len.max(1));
        self.info.live = false;
        self
    }

    /// How to read YUV bytes (ignored for RGB and gray formats).
    pub fn with_color_space(mut self, color_space: ColorSpace) -> Self {
        self.color_space = color_space;
        self
    }
}

impl FrameSource for RawSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        if self.done {
            return Ok(None);
        }
        let (width, height) = (self.info.width, self.info.height);
        let expected = self.format.frame_len(width, height);
        // Grow with the bytes that arrive instead of one allocation up front.
        let mut data = Vec::with_capacity(expected.min(64 << 20));
        let read = (&mut self.reader)
            .take(expected as u64)
            .read_to_end(&mut data);
        let got = match read {
            Ok(got) => got,
            Err(e) => {
                self.done = true;
                return Err(CaptureError::io(&self.what, e));
            }
        };
        if got < expected {
            self.done = true;
            if got == 0 {
                return Ok(None);
            }
            return Err(CaptureError::Truncated {
                what: self.what.clone(),
                format: self.format,
                width,
                height,
                index: self.index,
                got,
                expected,
            });
        }
        let timestamp =
            Duration::try_from_secs_f64(self.index as f64 / self.fps).unwrap_or(Duration::MAX);
        let frame = Frame::new(data, self.format, width, height)?
            .with_color_space(self.color_space)
            .with_timestamp(timestamp, self.index);
        self.index += 1;
        Ok(Some(frame))
    }
}
