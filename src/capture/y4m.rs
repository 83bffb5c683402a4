//! YUV4MPEG2 (y4m): the uncompressed video format ffmpeg pipes understand.
//!
//! A stream is one header line (`YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg`)
//! then, per frame, a `FRAME` line and the planes' bytes. `Y4mHeader` is
//! shared with the y4m writer in `output`.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::Duration;

use super::{
    CaptureError, ColorMatrix, ColorRange, ColorSpace, Frame, FrameSource, PixelFormat, SourceInfo,
};

/// The longest header or `FRAME` line accepted, so that a stream that is not
/// y4m at all cannot make us buffer it whole looking for a newline.
const MAX_LINE: usize = 1024;
/// The largest width or height accepted, like every other source.
const MAX_SIDE: u32 = 16384;
/// The frame rate assumed when the header has no (or an unknown, `F0:0`)
/// `F` tag. The y4m spec gives none; 30 matches most webcams.
pub const DEFAULT_FPS: (u32, u32) = (30, 1);

const CONVERT_HINT: &str = "convert it with `ffmpeg -i INPUT -pix_fmt yuv420p OUTPUT.y4m`";

/// The fields of a y4m header that drape reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Y4mHeader {
    /// Frame width in pixels (`W`).
    pub width: u32,
    /// Frame height in pixels (`H`).
    pub height: u32,
    /// Frame rate numerator (`F<num>:<den>`): frames per `fps_den` seconds.
    pub fps_num: u32,
    /// Frame rate denominator, in seconds.
    pub fps_den: u32,
    /// `I420` (`C420*`), `Yuv444` (`C444`) or `Gray8` (`Cmono`).
    pub format: PixelFormat,
    /// `Full` when the header has `XCOLORRANGE=FULL`.
    pub range: ColorRange,
}

impl Y4mHeader {
    /// Parses a header line, with or without its trailing newline. Unknown
    /// tags are ignored; `I` (interlacing) and `A` (aspect) are read past.
    pub fn parse(line: &str) -> Result<Y4mHeader, CaptureError> {
        Y4mHeader::parse_tags(line).map_err(|message| CaptureError::Y4m {
            what: "header".to_string(),
            message,
        })
    }

    /// Whether `format` can be written as y4m (`I420`, `Yuv444`, `Gray8`).
    pub fn supports_format(format: PixelFormat) -> bool {
        colorspace_tag(format).is_some()
    }

    /// The header line, newline included, ready to write before the first
    /// `FRAME`. A format that y4m cannot carry (see `supports_format`) is
    /// written as `C<name>`, which every reader rejects rather than
    /// misreading.
    pub fn to_line(&self) -> String {
        let colorspace = match colorspace_tag(self.format) {
            Some(tag) => tag.to_string(),
            None => self.format.name().to_string(),
        };
        let range = match self.range {
            ColorRange::Full => " XCOLORRANGE=FULL",
            ColorRange::Limited => "",
        };
        format!(
            "YUV4MPEG2 W{} H{} F{}:{} Ip A1:1 C{colorspace}{range}\n",
            self.width, self.height, self.fps_num, self.fps_den
        )
    }

    /// Frames per second (`fps_num / fps_den`).
    pub fn fps(&self) -> f64 {
        f64::from(self.fps_num) / f64::from(self.fps_den.max(1))
    }

    /// The bytes of one frame, not counting its `FRAME` line.
    pub fn frame_len(&self) -> usize {
        self.format.frame_len(self.width, self.height)
    }

    fn parse_tags(line: &str) -> Result<Y4mHeader, String> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let mut tags = line.split(' ').filter(|t| !t.is_empty());
        if tags.next() != Some("YUV4MPEG2") {
            return Err("not a y4m stream: it does not start with `YUV4MPEG2 `".to_string());
        }
        let (mut width, mut height) = (None, None);
        let (mut fps_num, mut fps_den) = DEFAULT_FPS;
        let mut format = PixelFormat::I420;
        let mut range = ColorRange::Limited;
        for tag in tags {
            // Split after the first char, not byte: the line may not be ASCII.
            let mut chars = tag.chars();
            let key = chars.next();
            let value = chars.as_str();
            match key {
                Some('W') => width = Some(parse_side(value, "width")?),
                Some('H') => height = Some(parse_side(value, "height")?),
                Some('F') => {
                    let (n, d) = parse_ratio(value).ok_or(format!("bad frame rate tag `{tag}`"))?;
                    // `F0:0` means unknown: keep the default.
                    if n > 0 && d > 0 {
                        (fps_num, fps_den) = (n, d);
                    }
                }
                Some('C') => format = parse_colorspace(value)?,
                Some('X') => {
                    if let Some(r) = value.strip_prefix("COLORRANGE=") {
                        if r.eq_ignore_ascii_case("FULL") {
                            range = ColorRange::Full;
                        }
                    }
                }
                _ => {}
            }
        }
        let width = width.ok_or("the header has no W (width) tag")?;
        let height = height.ok_or("the header has no H (height) tag")?;
        Ok(Y4mHeader {
            width,
            height,
            fps_num,
            fps_den,
            format,
            range,
        })
    }
}

fn colorspace_tag(format: PixelFormat) -> Option<&'static str> {
    match format {
        PixelFormat::I420 => Some("420jpeg"),
        PixelFormat::Yuv444 => Some("444"),
        PixelFormat::Gray8 => Some("mono"),
        _ => None,
    }
}

fn parse_side(value: &str, name: &str) -> Result<u32, String> {
    match value.parse::<u32>() {
        Ok(v) if (1..=MAX_SIDE).contains(&v) => Ok(v),
        _ => Err(format!("{name} `{value}` is not in 1..={MAX_SIDE}")),
    }
}

fn parse_ratio(value: &str) -> Option<(u32, u32)> {
    let (n, d) = value.split_once(':')?;
    Some((n.parse().ok()?, d.parse().ok()?))
}

fn parse_colorspace(value: &str) -> Result<PixelFormat, String> {
    match value {
        "420jpeg" | "420paldv" | "420mpeg2" | "420" => Ok(PixelFormat::I420),
        "444" => Ok(PixelFormat::Yuv444),
        "mono" => Ok(PixelFormat::Gray8),
        other => Err(format!(
            "colourspace C{other} is not supported (drape reads C420, C444 and Cmono); {CONVERT_HINT}"
        )),
    }
}

enum Line {
    Eof,
    Complete(Vec<u8>),
    /// The stream ended before the newline.
    Partial(usize),
    TooLong(Vec<u8>),
}

fn read_line(reader: &mut impl BufRead) -> std::io::Result<Line> {
    let mut buf = Vec::new();
    reader
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', &mut buf)?;
    Ok(if buf.is_empty() {
        Line::Eof
    } else if buf.last() == Some(&b'\n') {
        buf.pop();
        Line::Complete(buf)
    } else if buf.len() > MAX_LINE {
        Line::TooLong(buf)
    } else {
        Line::Partial(buf.len())
    })
}

/// A y4m file or stream. Frames come as `I420`, `Yuv444` or `Gray8` with
/// BT.601 and the header's range; timestamps are `index / F`.
///
/// After an error the source yields `None`: the stream has lost its place.
pub struct Y4mSource {
    reader: BufReader<Box<dyn Read + Send>>,
    header: Y4mHeader,
    /// Bytes of the header line, newline included.
    header_len: u64,
    info: SourceInfo,
    what: String,
    index: u64,
    done: bool,
}

impl Y4mSource {
    /// Opens a y4m file; its length gives `info().frame_count` (counting
    /// plain `FRAME` lines).
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let file = File::open(path).map_err(|e| CaptureError::io(path, e))?;
        let file_len = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        let mut source = Y4mSource::from_reader(Box::new(file), path.display().to_string())?;
        // A file's length gives its frame count (for progress and ETA),
        // assuming plain `FRAME` lines; a stream with frame parameters has
        // fewer frames than this, never more.
        if let Some(file_len) = file_len {
            let per_frame = source.header.frame_len() as u64 + b"FRAME\n".len() as u64;
            source.info.frame_count = Some(file_len.saturating_sub(source.header_len) / per_frame);
        }
        Ok(source)
    }

    /// Reads the header from `reader`; `what` names the stream in errors
    /// (`stdin`, a path). Reports `live: false`; see `with_live`.
    pub fn from_reader(reader: Box<dyn Read + Send>, what: String) -> Result<Self, CaptureError> {
        let mut reader = BufReader::new(reader);
        let error = |message: String| CaptureError::Y4m {
            what: what.clone(),
            message,
        };
        let line = match read_line(&mut reader).map_err(|e| CaptureError::io(&what, e))? {
            Line::Complete(line) => line,
            Line::Eof => return Err(error("the stream is empty (no YUV4MPEG2 header)".into())),
            Line::Partial(_) => return Err(error("the stream ended inside the header".into())),
            Line::TooLong(start) if !start.starts_with(b"YUV4MPEG2") => {
                return Err(error(
                    "not a y4m stream: it does not start with `YUV4MPEG2 `".into(),
                ))
            }
            Line::TooLong(_) => {
                return Err(error(format!("the header is longer than {MAX_LINE} bytes")))
            }
        };
        let header_len = line.len() as u64 + 1;
        let line = String::from_utf8_lossy(&line);
        let header = Y4mHeader::parse_tags(&line).map_err(error)?;
        let info = SourceInfo {
            description: format!("y4m {what}"),
            width: header.width,
            height: header.height,
            fps: Some(header.fps()),
            frame_count: None,
            live: false,
        };
        Ok(Y4mSource {
            reader,
            header,
            header_len,
            info,
            what,
            index: 0,
            done: false,
        })
    }

    /// Marks the source as live (a pipe fed in real time, like a camera).
    pub fn with_live(mut self, live: bool) -> Self {
        self.info.live = live;
        self
    }

    /// The stream's header.
    pub fn header(&self) -> &Y4mHeader {
        &self.header
    }

    pub(crate) fn set_description(&mut self, description: String) {
        self.info.description = description;
    }

    fn error(&self, message: String) -> CaptureError {
        CaptureError::Y4m {
            what: self.what.clone(),
            message: format!("frame {}: {message}", self.index),
        }
    }

    fn read_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let line = read_line(&mut self.reader).map_err(|e| CaptureError::io(&self.what, e))?;
        match line {
            Line::Eof => return Ok(None),
            Line::Partial(got) => {
                return Err(self.error(format!(
                    "the stream ended inside the FRAME line after {got} bytes (cut short?)"
                )))
            }
            Line::TooLong(_) => return Err(self.error("expected a FRAME line".into())),
            Line::Complete(line) => {
                if !(line.starts_with(b"FRAME") && matches!(line.get(5), None | Some(b' '))) {
                    let start = String::from_utf8_lossy(&line[..line.len().min(32)]).into_owned();
                    return Err(self.error(format!("expected a FRAME line, found {start:?}")));
                }
            }
        }
        let expected = self.header.frame_len();
        // Grow with the bytes that actually arrive rather than trusting the
        // header for one big allocation up front.
        let mut data = Vec::with_capacity(expected.min(64 << 20));
        let got = (&mut self.reader)
            .take(expected as u64)
            .read_to_end(&mut data)
            .map_err(|e| CaptureError::io(&self.what, e))?;
        if got < expected {
            return Err(self.error(format!(
                "the stream ended inside the frame: got {got} of {expected} bytes (cut short?)"
            )));
        }
        let Y4mHeader { width, height, .. } = self.header;
        let nanos = u128::from(self.index) * u128::from(self.header.fps_den) * 1_000_000_000
            / u128::from(self.header.fps_num.max(1));
        let timestamp = Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
        let color_space = ColorSpace {
            matrix: ColorMatrix::Bt601,
            range: self.header.range,
        };
        let frame = Frame::new(data, self.header.format, width, height)?
            .with_color_space(color_space)
            .with_timestamp(timestamp, self.index);
        Ok(Some(frame))
    }
}

impl FrameSource for Y4mSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        if self.done {
            return Ok(None);
        }
        let result = self.read_frame();
        match &result {
            Ok(Some(_)) => self.index += 1,
            _ => self.done = true,
        }
        result
    }
}
