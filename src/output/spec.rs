//! `SinkSpec`: what `--output` (and `--output-format`) asked for.

use std::path::{Path, PathBuf};

use super::image_seq::{create_parent, parse_pattern};
use super::{FrameSink, ImageFormat, ImageSequenceSink, OutputError, RawRgbaSink, Y4mSink};

/// `--output-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// PNG images.
    Png,
    /// JPEG images.
    Jpeg,
    /// A YUV4MPEG2 stream.
    Y4m,
    /// Raw RGBA8 frames.
    Rgba,
}

impl OutputFormat {
    /// From its command-line name, any case (`png`, `jpg`/`jpeg`, `y4m`,
    /// `rgba`/`raw`).
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
    /// Frame rate in frames per second, written in a y4m header.
    pub fps: f64,
    /// Frames to come, when known (a one-image output refuses more).
    pub frame_count: Option<u64>,
}

impl SinkSpec {
    /// `-` is stdout (y4m unless `--output-format rgba`); a name with `%`
    /// is a pattern; `.y4m`, `.rgba`/`.raw`, `.png`/`.jpg` name one file;
    /// a name that ends in a slash, and anything else, is a folder. Only
    /// the text is looked at; [`SinkSpec::check`] looks at the disk.
    pub fn parse(output: &str, format: Option<OutputFormat>) -> Result<SinkSpec, OutputError> {
        let path = Path::new(output);
        if output.is_empty() {
            return Err(OutputError::BadSpec(
                "--output is empty: give a folder, a file or - for stdout".into(),
            ));
        }
        let folder = output.ends_with(['/', std::path::MAIN_SEPARATOR]);
        if folder {
            return match format {
                None | Some(OutputFormat::Png) => {
                    Ok(SinkSpec::Folder(path.into(), ImageFormat::Png))
                }
                Some(OutputFormat::Jpeg) => Ok(SinkSpec::Folder(path.into(), ImageFormat::Jpeg)),
                Some(stream) => Err(OutputError::BadSpec(format!(
                    "--output {output} ends in a slash, so it is a folder, but {} is one stream \
                     that goes in one file: give a file name such as {}",
                    stream.name(),
                    path.join(format!("out.{}", stream.name())).display()
                ))),
            };
        }
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
                        "stdout takes y4m or rgba, not {}: use --output-format y4m|rgba",
                        f.name()
                    )))
                }
            },
            _ if output.contains('%') => {
                parse_pattern(output)?;
                SinkSpec::Pattern(output.to_string())
            }
            (_, Some("png" | "jpg" | "jpeg")) => SinkSpec::Single(path.into()),
            (Some(OutputFormat::Jpeg), _) => SinkSpec::Folder(path.into(), ImageFormat::Jpeg),
            _ => SinkSpec::Folder(path.into(), ImageFormat::Png),
        };
        Ok(spec)
    }

    /// Checks, before any work, that the output can be written: a folder
    /// is not a file (nor under one), a file is not a folder, and the
    /// place it goes in exists or can be made. Nothing is created.
    pub fn check(&self) -> Result<(), OutputError> {
        let (folder, file) = match self {
            SinkSpec::Folder(dir, _) => (dir.as_path(), None),
            SinkSpec::Pattern(pattern) => (parent_of(Path::new(pattern)), None),
            SinkSpec::Single(path) | SinkSpec::Y4m(Some(path)) | SinkSpec::Rgba(Some(path)) => {
                (parent_of(path), Some(path.as_path()))
            }
            SinkSpec::Y4m(None) | SinkSpec::Rgba(None) => return Ok(()),
        };
        if let Some(file) = file {
            if file.is_dir() {
                return Err(OutputError::BadSpec(format!(
                    "--output {} is a folder, not a file: give a file name in it ({}), or end \
                     the name with a slash for images in that folder",
                    file.display(),
                    file.join(default_name(self)).display()
                )));
            }
        }
        match first_existing(folder) {
            Some((existing, false)) => Err(OutputError::BadSpec(
                if existing.components().eq(folder.components()) {
                    format!(
                        "--output {}: {} is a file, not a folder. Give another folder, or a file \
                     name such as out.png",
                        self.path().display(),
                        existing.display()
                    )
                } else {
                    format!(
                        "--output {}: the folder {} cannot be made, {} is a file. Give another \
                     place, or move the file",
                        self.path().display(),
                        folder.display(),
                        existing.display()
                    )
                },
            )),
            Some((existing, true)) if is_read_only(&existing) => {
                Err(OutputError::BadSpec(format!(
                    "--output {}: the folder {} is read-only. Write elsewhere, or make it writable",
                    self.path().display(),
                    existing.display()
                )))
            }
            _ => Ok(()),
        }
    }

    /// The path the user gave (`-` for stdout).
    fn path(&self) -> &Path {
        match self {
            SinkSpec::Folder(path, _)
            | SinkSpec::Single(path)
            | SinkSpec::Y4m(Some(path))
            | SinkSpec::Rgba(Some(path)) => path,
            SinkSpec::Pattern(pattern) => Path::new(pattern),
            SinkSpec::Y4m(None) | SinkSpec::Rgba(None) => Path::new("-"),
        }
    }

    /// Whether frames go to stdout (so nothing else may print there).
    pub fn uses_stdout(&self) -> bool {
        matches!(self, SinkSpec::Y4m(None) | SinkSpec::Rgba(None))
    }

    /// Whether frames of different sizes can go there (images can; a y4m
    /// or raw stream holds one size).
    pub fn takes_any_size(&self) -> bool {
        matches!(
            self,
            SinkSpec::Folder(..) | SinkSpec::Pattern(_) | SinkSpec::Single(_)
        )
    }
}

impl OutputFormat {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Png => "png",
            OutputFormat::Jpeg => "jpg",
            OutputFormat::Y4m => "y4m",
            OutputFormat::Rgba => "rgba",
        }
    }
}

/// A file name for a suggestion: `out.png`, `out.y4m`.
fn default_name(spec: &SinkSpec) -> &'static str {
    match spec {
        SinkSpec::Y4m(_) => "out.y4m",
        SinkSpec::Rgba(_) => "out.rgba",
        _ => "out.png",
    }
}

/// The folder a file goes in (`.` for a bare name).
fn parent_of(file: &Path) -> &Path {
    file.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// `path` or the nearest folder above it that exists, and whether it is a
/// folder; `None` when nothing on the way can be looked at.
pub(crate) fn first_existing(path: &Path) -> Option<(PathBuf, bool)> {
    // `out/` as `out`: with the slash, a file named `out` reads as missing.
    let path: PathBuf = path.components().collect();
    path.ancestors()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .find_map(|p| {
            std::fs::metadata(p)
                .ok()
                .map(|m| (p.to_path_buf(), m.is_dir()))
        })
}

/// Whether a folder's permissions forbid writing in it (for everyone: the
/// write bits are all off; a folder someone else owns is found when
/// writing).
fn is_read_only(folder: &Path) -> bool {
    std::fs::metadata(folder).is_ok_and(|m| m.permissions().readonly())
}

/// Opens the sink, making the folders it goes in. Checks what can be
/// checked before the first frame ([`SinkSpec::check`] first), so that a
/// bad output fails before any work is done.
pub fn open_sink(
    spec: &SinkSpec,
    options: &SinkOptions,
) -> Result<Box<dyn FrameSink>, OutputError> {
    spec.check()?;
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
        SinkSpec::Y4m(path) => {
            if let Some(path) = path {
                create_parent(path)?;
            }
            Box::new(Y4mSink::new(path.as_deref(), options.fps)?)
        }
        SinkSpec::Rgba(path) => {
            if let Some(path) = path {
                create_parent(path)?;
            }
            Box::new(RawRgbaSink::new(path.as_deref())?)
        }
    })
}
