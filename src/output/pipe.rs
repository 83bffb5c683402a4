//! Streams: y4m (for ffmpeg, OBS, players) and raw RGBA, to a file or
//! stdout. A closed pipe ends the run quietly (`OutputError::Closed`).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::{FrameSink, OutputError, RgbaFrame};
use crate::capture::y4m::Y4mHeader;
use crate::capture::{ColorRange, PixelFormat};

/// Where a stream's bytes go.
enum Target {
    Stdout(BufWriter<io::Stdout>),
    File(BufWriter<File>),
    /// A write failed: the error was reported and nothing more is written.
    Failed,
}

/// A stream of frames: an optional header, then frames of one size.
struct Stream {
    target: Target,
    name: String,
    size: Option<(u32, u32)>,
    /// Bytes of the header and of each frame (its `FRAME` line
    /// included), known from the first frame: where whole frames end.
    header_len: u64,
    frame_len: u64,
}

impl Stream {
    fn open(path: Option<&Path>) -> Result<Stream, OutputError> {
        let (target, name) = match path {
            None => (
                Target::Stdout(BufWriter::new(io::stdout())),
                "stdout".into(),
            ),
            Some(p) => {
                let file = File::create(p).map_err(|source| OutputError::Io {
                    path: p.into(),
                    source,
                })?;
                (Target::File(BufWriter::new(file)), p.display().to_string())
            }
        };
        Ok(Stream {
            target,
            name,
            size: None,
            header_len: 0,
            frame_len: 0,
        })
    }

    /// Turns a failed write into the error to report. A file is cut back
    /// to its last whole frame (what was buffered is dropped), so that a
    /// full disk leaves a shorter stream that every reader plays to its
    /// end, not one that stops inside a frame.
    fn fail(&mut self, source: io::Error) -> OutputError {
        if source.kind() == io::ErrorKind::BrokenPipe {
            self.target = Target::Failed;
            return OutputError::Closed(self.name.clone());
        }
        let mut kept = None;
        if let Target::File(writer) = std::mem::replace(&mut self.target, Target::Failed) {
            // `into_parts` hands back the file without flushing again.
            let (file, _unwritten) = writer.into_parts();
            if let Ok(on_disk) = file.metadata().map(|m| m.len()) {
                let frames = match on_disk.checked_sub(self.header_len) {
                    Some(body) if self.frame_len > 0 => body / self.frame_len,
                    _ => 0,
                };
                let whole_len = if on_disk >= self.header_len {
                    self.header_len + frames * self.frame_len
                } else {
                    0
                };
                if file.set_len(whole_len).is_ok() {
                    kept = Some(frames);
                }
            }
        }
        let io = OutputError::Io {
            path: self.name.clone().into(),
            source,
        };
        match kept {
            Some(frames) => OutputError::StreamCut {
                frames_kept: frames,
                error: Box::new(io),
            },
            None => io,
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), OutputError> {
        let written = match &mut self.target {
            Target::Stdout(writer) => writer.write_all(bytes),
            Target::File(writer) => writer.write_all(bytes),
            Target::Failed => return Err(self.failed()),
        };
        written.map_err(|e| self.fail(e))
    }

    fn failed(&self) -> OutputError {
        OutputError::FailedEarlier(self.name.clone())
    }

    /// Returns true on the first frame; fails when the size changes.
    fn check_size(&mut self, frame: &RgbaFrame<'_>, what: &str) -> Result<bool, OutputError> {
        match self.size {
            None => {
                self.size = Some((frame.width, frame.height));
                Ok(true)
            }
            Some((width, height)) if (width, height) == (frame.width, frame.height) => Ok(false),
            Some((width, height)) => Err(OutputError::SizeChanged {
                what: format!("{what} {}", self.name),
                width,
                height,
                index: frame.index,
                new_width: frame.width,
                new_height: frame.height,
            }),
        }
    }

    fn flush(&mut self) -> Result<(), OutputError> {
        let flushed = match &mut self.target {
            Target::Stdout(writer) => writer.flush(),
            Target::File(writer) => writer.flush(),
            // Reported when it failed; the run is ending.
            Target::Failed => return Ok(()),
        };
        flushed.map_err(|e| self.fail(e))
    }
}

/// YUV4MPEG2, 4:2:0, BT.601 limited range (what y4m readers assume).
pub struct Y4mSink {
    stream: Stream,
    fps: f64,
    yuv: Vec<u8>,
}

impl Y4mSink {
    /// To a file, or to stdout when `path` is `None`.
    pub fn new(path: Option<&Path>, fps: f64) -> Result<Y4mSink, OutputError> {
        Ok(Y4mSink {
            stream: Stream::open(path)?,
            fps,
            yuv: Vec::new(),
        })
    }
}

/// The frame rate as a y4m fraction: integers exactly, NTSC rates as /1001.
fn fps_fraction(fps: f64) -> (u32, u32) {
    if (fps - fps.round()).abs() < 1e-6 {
        (fps.round().max(1.0) as u32, 1)
    } else {
        ((fps * 1001.0).round() as u32, 1001)
    }
}

/// RGBA → I420 with BT.601 limited-range coefficients; chroma is the mean
/// of each 2×2 block (rounded-up sizes for odd frames).
pub fn rgba_to_i420(rgba: &[u8], width: u32, height: u32, out: &mut Vec<u8>) {
    let (w, h) = (width as usize, height as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    out.clear();
    out.resize(w * h + 2 * cw * ch, 0);
    let (luma, chroma) = out.split_at_mut(w * h);
    let (u_plane, v_plane) = chroma.split_at_mut(cw * ch);
    let px = |x: usize, y: usize| {
        let i = (y.min(h - 1) * w + x.min(w - 1)) * 4;
        [rgba[i] as f32, rgba[i + 1] as f32, rgba[i + 2] as f32]
    };
    for y in 0..h {
        for x in 0..w {
            let [r, g, b] = px(x, y);
            let yv = 16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0;
            luma[y * w + x] = yv.round().clamp(0.0, 255.0) as u8;
        }
    }
    for cy in 0..ch {
        for cx in 0..cw {
            let mut sum = [0.0f32; 3];
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let p = px(cx * 2 + dx, cy * 2 + dy);
                (0..3).for_each(|c| sum[c] += p[c] / 4.0);
            }
            let [r, g, b] = sum;
            let u = 128.0 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255.0;
            let v = 128.0 + (112.0 * r - 93.786 * g - 18.214 * b) / 255.0;
            u_plane[cy * cw + cx] = u.round().clamp(0.0, 255.0) as u8;
            v_plane[cy * cw + cx] = v.round().clamp(0.0, 255.0) as u8;
        }
    }
}

impl FrameSink for Y4mSink {
    fn write_frame(&mut self, frame: &RgbaFrame<'_>) -> Result<(), OutputError> {
        if self.stream.check_size(frame, "y4m stream")? {
            let (fps_num, fps_den) = fps_fraction(self.fps);
            let header = Y4mHeader {
                width: frame.width,
                height: frame.height,
                fps_num,
                fps_den,
                format: PixelFormat::I420,
                range: ColorRange::Limited,
            };
            let line = header.to_line();
            self.stream.header_len = line.len() as u64;
            self.stream.frame_len = (b"FRAME\n".len() + header.frame_len()) as u64;
            self.stream.write(line.as_bytes())?;
        }
        rgba_to_i420(frame.data, frame.width, frame.height, &mut self.yuv);
        self.stream.write(b"FRAME\n")?;
        let yuv = std::mem::take(&mut self.yuv);
        let written = self.stream.write(&yuv);
        self.yuv = yuv;
        written
    }

    fn finish(&mut self) -> Result<(), OutputError> {
        self.stream.flush()
    }

    fn description(&self) -> String {
        format!("y4m to {}", self.stream.name)
    }
}

/// Raw RGBA8 frames back to back, no header (ffmpeg: `-f rawvideo
/// -pix_fmt rgba -s WxH`).
pub struct RawRgbaSink {
    stream: Stream,
}

impl RawRgbaSink {
    /// To a file, or to stdout when `path` is `None`.
    pub fn new(path: Option<&Path>) -> Result<RawRgbaSink, OutputError> {
        Ok(RawRgbaSink {
            stream: Stream::open(path)?,
        })
    }
}

impl FrameSink for RawRgbaSink {
    fn write_frame(&mut self, frame: &RgbaFrame<'_>) -> Result<(), OutputError> {
        if self.stream.check_size(frame, "raw stream")? {
            self.stream.frame_len = frame.data.len() as u64;
        }
        self.stream.write(frame.data)
    }

    fn finish(&mut self) -> Result<(), OutputError> {
        self.stream.flush()
    }

    fn description(&self) -> String {
        format!("raw RGBA to {}", self.stream.name)
    }
}
