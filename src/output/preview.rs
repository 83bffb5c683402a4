//! An animated preview a person can open anywhere: the frames, made small
//! and thinned to a steady rate, as a looping GIF. It rides alongside the
//! full-quality sink (`TeeSink`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use image::codecs::gif::{GifEncoder, Repeat};
use image::imageops::FilterType;
use image::{Delay, Frame as GifFrame, RgbaImage};

use super::{FrameSink, OutputError, RgbaFrame};

/// How the preview is made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PreviewOptions {
    /// Frames wider than this are scaled down (aspect kept).
    pub max_width: u32,
    /// Frames per second of the preview; extra frames are skipped.
    pub fps: f64,
}

impl Default for PreviewOptions {
    fn default() -> Self {
        PreviewOptions {
            max_width: 360,
            fps: 12.0,
        }
    }
}

/// Collects frames and writes the GIF at `finish` (to `<path>.partial`,
/// then renamed, so a half-written preview never appears).
pub struct PreviewSink {
    path: PathBuf,
    options: PreviewOptions,
    frames: Vec<(RgbaImage, Duration)>,
    next_at: Option<Duration>,
    /// `<path>.partial`, opened up front so that an unwritable place fails
    /// before any frame is rendered, not after.
    partial: Option<(PathBuf, std::fs::File)>,
}

impl PreviewSink {
    /// Opens `<path>.partial` (making its folder) for the preview written
    /// at `finish`.
    pub fn create(
        path: impl AsRef<Path>,
        options: PreviewOptions,
    ) -> Result<PreviewSink, OutputError> {
        let path = path.as_ref().to_path_buf();
        let io = |source| OutputError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut partial = path.clone().into_os_string();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let file = std::fs::File::create(&partial).map_err(io)?;
        Ok(PreviewSink {
            path,
            options,
            frames: Vec::new(),
            next_at: None,
            partial: Some((partial, file)),
        })
    }

    fn io(&self, source: std::io::Error) -> OutputError {
        OutputError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

impl FrameSink for PreviewSink {
    fn write_frame(&mut self, frame: &RgbaFrame<'_>) -> Result<(), OutputError> {
        let step = Duration::from_secs_f64(1.0 / self.options.fps.max(1.0));
        if self.next_at.is_some_and(|next| frame.timestamp < next) {
            return Ok(());
        }
        self.next_at = Some(
            self.next_at
                .map_or(frame.timestamp, |next| next + step)
                .max(frame.timestamp),
        );
        let image = RgbaImage::from_raw(frame.width, frame.height, frame.data.to_vec())
            .ok_or_else(|| OutputError::Encode {
                path: self.path.clone(),
                message: format!(
                    "a {}x{} frame with {} bytes",
                    frame.width,
                    frame.height,
                    frame.data.len()
                ),
            })?;
        let image = if frame.width > self.options.max_width {
            let height = (frame.height as u64 * self.options.max_width as u64 / frame.width as u64)
                .max(1) as u32;
            image::imageops::resize(&image, self.options.max_width, height, FilterType::Triangle)
        } else {
            image
        };
        self.frames.push((image, step));
        Ok(())
    }

    fn finish(&mut self) -> Result<(), OutputError> {
        let Some((partial, file)) = self.partial.take() else {
            return Ok(());
        };
        if self.frames.is_empty() {
            // Nothing to show: leave no empty file behind.
            drop(file);
            return std::fs::remove_file(&partial).map_err(|e| self.io(e));
        }
        let encode_error = |e: image::ImageError| OutputError::Encode {
            path: self.path.clone(),
            message: e.to_string(),
        };
        {
            let mut encoder = GifEncoder::new_with_speed(std::io::BufWriter::new(file), 10);
            encoder.set_repeat(Repeat::Infinite).map_err(encode_error)?;
            for (image, step) in self.frames.drain(..) {
                let delay = Delay::from_saturating_duration(step);
                encoder
                    .encode_frame(GifFrame::from_parts(image, 0, 0, delay))
                    .map_err(encode_error)?;
            }
        }
        std::fs::rename(&partial, &self.path).map_err(|e| self.io(e))
    }

    fn description(&self) -> String {
        format!("an animated preview {}", self.path.display())
    }
}

/// Two sinks fed the same frames (the full frames and a preview).
pub struct TeeSink {
    /// The sink written first (the full frames); an error here skips
    /// `second` for that frame.
    pub first: Box<dyn FrameSink>,
    /// The sink written second (the preview).
    pub second: Box<dyn FrameSink>,
}

impl FrameSink for TeeSink {
    fn write_frame(&mut self, frame: &RgbaFrame<'_>) -> Result<(), OutputError> {
        self.first.write_frame(frame)?;
        self.second.write_frame(frame)
    }

    fn finish(&mut self) -> Result<(), OutputError> {
        // Finish both even if the first fails, so nothing is left half done.
        let first = self.first.finish();
        let second = self.second.finish();
        first.and(second)
    }

    fn description(&self) -> String {
        format!(
            "{} and {}",
            self.first.description(),
            self.second.description()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(data: &[u8], width: u32, height: u32, ms: u64) -> RgbaFrame<'_> {
        RgbaFrame {
            data,
            width,
            height,
            index: ms,
            timestamp: Duration::from_millis(ms),
        }
    }

    #[test]
    fn writes_a_small_looping_gif_at_its_own_rate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.gif");
        let mut sink = PreviewSink::create(
            &path,
            PreviewOptions {
                max_width: 32,
                fps: 10.0,
            },
        )
        .unwrap();
        let pixels = vec![200u8; 64 * 48 * 4];
        // 30 fps in, 10 fps out: every third frame.
        for i in 0..30u64 {
            sink.write_frame(&frame(&pixels, 64, 48, i * 33)).unwrap();
        }
        sink.finish().unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let decoder = image::codecs::gif::GifDecoder::new(std::io::BufReader::new(file)).unwrap();
        use image::AnimationDecoder;
        let frames = decoder.into_frames().collect_frames().unwrap();
        assert!((9..=11).contains(&frames.len()), "{} frames", frames.len());
        assert_eq!(frames[0].buffer().dimensions(), (32, 24));
        assert!(!dir.path().join("p.gif.partial").exists());
    }

    #[test]
    fn no_frames_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.gif");
        PreviewSink::create(&path, PreviewOptions::default())
            .unwrap()
            .finish()
            .unwrap();
        assert!(!path.exists());
        assert!(!dir.path().join("p.gif.partial").exists());
    }

    #[test]
    fn an_unwritable_place_fails_before_any_frame() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        let error = PreviewSink::create(blocker.join("p.gif"), PreviewOptions::default());
        assert!(matches!(error, Err(OutputError::Io { .. })));
    }
}
