//! `SinkSpec`: what `--output` (and `--output-format`) asked for.

use std::path::{Path, PathBuf};

use super::{FrameSink, ImageFormat, ImageSequenceSink, OutputError, RawRgbaSink, Y4mSink};

/// `--output-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Png,
    Jpeg,
    Y4m,
    /// Raw RGBA8 frames.
    Rgba,
}

impl OutputFormat {
    pub fn from_name(name: &str) -> Option<OutputFormat> {
        match name.to_ascii_lowercase().as_str() {
            "png" => Some(OutputFormat::Png),
            "jpg" | "jpeg" => Some(OutputFormat::Jpeg),
            "y4m" => Some(OutputFormat::Y4m),
            "rgba" | "raw" => Some(OutputFormat::Rgba),
            _ => None,
        }
    }
}

/// A place to write frames.
#[derive(Debug, Clone, PartialEq)]
pub enum SinkSpec {
    /// Images in a folder (`frame_000000.png`, ...).
    Folder(PathBuf, ImageFormat),
    /// Images named by a printf-style pattern (`out/f_%04d.jpg`).
    Pattern(String),
    /// One image file.
    Single(PathBuf),
    /// y4m to a file, or stdout when `None`.
    Y4m(Option<PathBuf>),
    /// Raw RGBA to a file, or stdout when `None`.
    Rgba(Option<PathBuf>),
}

/// What a sink needs to know of the stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SinkOptions {
    pub fps: f64,
    /// Frames to come, when known (a one-image output refuses more).
    pub frame_count: Option<u64>,
}

impl SinkSpec {
    /// `-` is stdout (y4m unless `--output-format rgba`); a name with `%`
    /// is a pattern; `.y4m`, `.rgba`/`.raw`, `.png`/`.jpg` name one file;
    /// anything else is a folder.
    pub fn parse(output: &str, format: Option<OutputFormat>) -> Result<SinkSpec, OutputError> {
        let path = Path::new(output);
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let file = (output != "-").then(|| PathBuf::from(output));
        let spec = match (format, extension.as_deref()) {
            (Some(OutputFormat::Y4m), _) | (None, Some("y4m")) => SinkSpec::Y4m(file),
            (Some(OutputFormat::Rgba), _) | (None, Some("rgba" | "raw")) => SinkSpec::Rgba(file),
            _ if output == "-" => match format {
                None => SinkSpec::Y4m(None),
                Some(f) => {
                    return Err(OutputError::BadSpec(format!(
                        "stdout takes y4m or rgba, not {f:?}: use --output-format y4m|rgba"
                    )))
                }
            },
            _ if output.contains('%') => SinkSpec::Pattern(output.to_string()),
            (_, Some("png" | "jpg" | "jpeg")) => SinkSpec::Single(path.into()),
            (Some(OutputFormat::Jpeg), _) => SinkSpec::Folder(path.into(), ImageFormat::Jpeg),
            _ => SinkSpec::Folder(path.into(), ImageFormat::Png),
        };
        Ok(spec)
    }

    /// Whether frames go to stdout (so nothing else may print there).
    pub fn uses_stdout(&self) -> bool {
        matches!(self, SinkSpec::Y4m(None) | SinkSpec::Rgba(None))
    }
}

/// Opens the sink. Checks what can be checked before the first frame, so
/// that a bad output fails before any work is done.
pub fn open_sink(
    spec: &SinkSpec,
    options: &SinkOptions,
) -> Result<Box<dyn FrameSink>, OutputError> {
    Ok(match spec {
        SinkSpec::Folder(dir, format) => Box::new(ImageSequenceSink::folder(dir, *format)?),
        SinkSpec::Pattern(pattern) => Box::new(ImageSequenceSink::pattern(pattern)?),
        SinkSpec::Single(path) => {
            if options.frame_count.is_some_and(|n| n > 1) {
                return Err(OutputError::BadSpec(format!(
                    "{} holds one image but the input has {} frames: give a folder or a pattern such as out/frame_%06d.png",
                    path.display(),
                    options.frame_count.unwrap_or(0)
                )));
            }
            Box::new(ImageSequenceSink::single(path)?)
        }
        SinkSpec::Y4m(path) => Box::new(Y4mSink::new(path.as_deref(), options.fps)?),
        SinkSpec::Rgba(path) => Box::new(RawRgbaSink::new(path.as_deref())?),
    })
}
