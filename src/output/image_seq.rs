//! PNG or JPEG files, one a frame. Each file is written beside its final
//! name and renamed into place, so a run stopped by Ctrl-C or an error never
//! leaves a half-written image.

use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::{FrameSink, OutputError, RgbaFrame};

/// The file format of an image output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// PNG, with alpha.
    Png,
    /// JPEG; the alpha is dropped.
    Jpeg,
}

impl ImageFormat {
    /// The file extension without its dot (`png`, `jpg`).
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
        }
    }

    /// From a file name's extension.
    pub fn from_path(path: &Path) -> Option<ImageFormat> {
        ImageFormat::from_extension(path.extension()?.to_str()?)
    }

    /// From an extension without its dot (`png`, `JPG`).
    pub fn from_extension(extension: &str) -> Option<ImageFormat> {
        match extension.to_ascii_lowercase().as_str() {
            "png" => Some(ImageFormat::Png),
            "jpg" | "jpeg" => Some(ImageFormat::Jpeg),
            _ => None,
        }
    }
}

/// A printf-style output pattern taken apart: `prefix`, the number
/// zero-padded to `width` digits, `suffix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    pub prefix: String,
    pub width: usize,
    pub suffix: String,
    pub format: ImageFormat,
}

/// Checks an output pattern: one `%d` or `%0Nd`, in the file name (not in
/// a folder's), and an image extension.
pub(crate) fn parse_pattern(pattern: &str) -> Result<Pattern, OutputError> {
    let bad = || {
        OutputError::BadSpec(format!(
            "output pattern {pattern:?} needs exactly one %d or %0Nd (e.g. out/frame_%06d.png)"
        ))
    };
    let (prefix, rest) = pattern.split_once('%').ok_or_else(bad)?;
    let (digits, suffix) = rest.split_once('d').ok_or_else(bad)?;
    if suffix.contains('%') || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if suffix.contains(['/', std::path::MAIN_SEPARATOR]) {
        return Err(OutputError::BadSpec(format!(
            "output pattern {pattern:?}: the number goes in the file name, not in a folder's \
             (e.g. out/frame_%06d.png)"
        )));
    }
    let width = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| bad())?
    };
    let extension = suffix.rsplit_once('.').map_or("", |(_, e)| e);
    let format = ImageFormat::from_extension(extension).ok_or_else(|| {
        OutputError::BadSpec(format!(
            "output pattern {pattern:?} must end in .png, .jpg or .jpeg"
        ))
    })?;
    Ok(Pattern {
        prefix: prefix.into(),
        width,
        suffix: suffix.into(),
        format,
    })
}

/// Makes the folder that `file` goes in.
pub(crate) fn create_parent(file: &Path) -> Result<(), OutputError> {
    match file.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => create_folder(parent),
        None => Ok(()),
    }
}

/// Makes `folder` and the folders above it, with an error that names the
/// one in the way.
pub(crate) fn create_folder(folder: &Path) -> Result<(), OutputError> {
    fs::create_dir_all(folder).map_err(|source| {
        match super::spec::first_existing(folder).filter(|(_, dir)| !dir) {
            Some((blocker, _)) => OutputError::BadSpec(format!(
                "cannot make the folder {}: {} is a file. Give another output, or move the file",
                folder.display(),
                blocker.display()
            )),
            None => OutputError::Io {
                path: folder.into(),
                source,
            },
        }
    })
}

#[derive(Debug, Clone)]
enum Naming {
    /// `dir/frame_000000.png`.
    Folder(PathBuf),
    /// A printf-style pattern: `prefix%06dsuffix`.
    Pattern {
        prefix: String,
        width: usize,
        suffix: String,
    },
    /// Exactly one file.
    Single(PathBuf),
}

/// Writes every frame as an image file.
pub struct ImageSequenceSink {
    naming: Naming,
    format: ImageFormat,
    written: u64,
    /// Reused RGB buffer for JPEG, which has no alpha.
    rgb: Vec<u8>,
}

impl ImageSequenceSink {
    /// Frames go to `folder/frame_NNNNNN.ext`; the folder is created.
    pub fn folder(folder: &Path, format: ImageFormat) -> Result<ImageSequenceSink, OutputError> {
        create_folder(folder)?;
        Ok(ImageSequenceSink::with(
            Naming::Folder(folder.into()),
            format,
        ))
    }

    /// Frames go to a printf-style pattern such as `out/f_%04d.png`; its
    /// folder is created.
    pub fn pattern(pattern: &str) -> Result<ImageSequenceSink, OutputError> {
        let parsed = parse_pattern(pattern)?;
        create_parent(Path::new(pattern))?;
        Ok(ImageSequenceSink::with(
            Naming::Pattern {
                prefix: parsed.prefix,
                width: parsed.width,
                suffix: parsed.suffix,
            },
            parsed.format,
        ))
    }

    /// Exactly one image; a second frame is an error. Its folder is
    /// created.
    pub fn single(path: &Path) -> Result<ImageSequenceSink, OutputError> {
        let format = ImageFormat::from_path(path).ok_or_else(|| {
            OutputError::BadSpec(format!(
                "{} must end in .png, .jpg or .jpeg",
                path.display()
            ))
        })?;
        create_parent(path)?;
        Ok(ImageSequenceSink::with(Naming::Single(path.into()), format))
    }

    fn with(naming: Naming, format: ImageFormat) -> ImageSequenceSink {
        ImageSequenceSink {
            naming,
            format,
            written: 0,
            rgb: Vec::new(),
        }
    }

    /// The file frame number `n` (counted from 0 in this sink) goes to.
    pub fn path_of(&self, n: u64) -> PathBuf {
        match &self.naming {
            Naming::Folder(dir) => dir.join(format!("frame_{n:06}.{}", self.format.extension())),
            Naming::Pattern {
                prefix,
                width,
                suffix,
            } => PathBuf::from(format!("{prefix}{n:0width$}{suffix}")),
            Naming::Single(path) => path.clone(),
        }
    }

    /// Files written so far.
    pub fn written(&self) -> u64 {
        self.written
    }
}

impl FrameSink for ImageSequenceSink {
    fn write_frame(&mut self, frame: &RgbaFrame<'_>) -> Result<(), OutputError> {
        if let (Naming::Single(path), 1..) = (&self.naming, self.written) {
            return Err(OutputError::BadSpec(format!(
                "{} holds one image but the input has more frames: give a folder or a pattern such as out/frame_%06d.png",
                path.display()
            )));
        }
        let path = self.path_of(self.written);
        let mut partial = path.clone().into_os_string();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let io = |source| OutputError::Io {
            path: path.clone(),
            source,
        };
        let file = fs::File::create(&partial).map_err(io)?;
        let mut writer = BufWriter::new(file);
        let (w, h) = (frame.width, frame.height);
        let encoded = match self.format {
            ImageFormat::Png => image::codecs::png::PngEncoder::new_with_quality(
                &mut writer,
                image::codecs::png::CompressionType::Fast,
                image::codecs::png::FilterType::Adaptive,
            )
            .write_image(frame.data, w, h, image::ExtendedColorType::Rgba8),
            ImageFormat::Jpeg => {
                self.rgb.clear();
                self.rgb
                    .extend(frame.data.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]));
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut writer, 92).encode(
                    &self.rgb,
                    w,
                    h,
                    image::ExtendedColorType::Rgb8,
                )
            }
        };
        let finished = encoded
            .map_err(|e| match e {
                // A full disk or a read-only one, not a bad picture.
                image::ImageError::IoError(source) => io(source),
                other => OutputError::Encode {
                    path: path.clone(),
                    message: other.to_string(),
                },
            })
            .and_then(|()| {
                // Closing the file before the rename is what makes the
                // final name appear only complete.
                writer.into_inner().map_err(|e| io(e.into_error()))?;
                Ok(())
            })
            .and_then(|()| fs::rename(&partial, &path).map_err(io));
        if finished.is_err() {
            let _ = fs::remove_file(&partial);
        }
        finished?;
        self.written += 1;
        Ok(())
    }

    fn description(&self) -> String {
        match &self.naming {
            Naming::Folder(dir) => format!(
                "{} files in {}",
                self.format.extension().to_uppercase(),
                dir.display()
            ),
            Naming::Pattern { .. } | Naming::Single(_) => self.path_of(0).display().to_string(),
        }
    }
}

use image::ImageEncoder;
