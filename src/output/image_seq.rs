//! PNG or JPEG files, one a frame. Each file is written beside its final
//! name and renamed into place, so a run stopped by Ctrl-C or an error never
//! leaves a half-written image.

use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::{FrameSink, OutputError, RgbaFrame};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
}

impl ImageFormat {
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
        fs::create_dir_all(folder).map_err(|source| OutputError::Io {
            path: folder.into(),
            source,
        })?;
        Ok(ImageSequenceSink::with(
            Naming::Folder(folder.into()),
            format,
        ))
    }

    /// Frames go to a printf-style pattern such as `out/f_%04d.png`.
    pub fn pattern(pattern: &str) -> Result<ImageSequenceSink, OutputError> {
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
        if let Some(parent) = Path::new(prefix)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            fs::create_dir_all(parent).map_err(|source| OutputError::Io {
                path: parent.into(),
                source,
            })?;
        }
        Ok(ImageSequenceSink::with(
            Naming::Pattern {
                prefix: prefix.into(),
                width,
                suffix: suffix.into(),
            },
            format,
        ))
    }

    /// Exactly one image; a second frame is an error.
    pub fn single(path: &Path) -> Result<ImageSequenceSink, OutputError> {
        let format = ImageFormat::from_path(path).ok_or_else(|| {
            OutputError::BadSpec(format!(
                "{} must end in .png, .jpg or .jpeg",
                path.display()
            ))
        })?;
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
            .map_err(|e| OutputError::Encode {
                path: path.clone(),
                message: e.to_string(),
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
