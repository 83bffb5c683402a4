//! `--input` and the flags that qualify it, shared by `run`, `render` and
//! `pose`.

use clap::{Args, ValueEnum};
use drape::capture::{
    self, ColorMatrix, ColorRange, InputOptions, PixelFormat, SequenceMode, SourceSpec,
};

use crate::values::{parse_fps, parse_pixel_format, parse_size};

#[derive(Args, Clone)]
pub(crate) struct InputArgs {
    /// Image, folder, glob, y4m, video file, `-` (stdin), `camera[:N]` or
    /// `synthetic`.
    #[arg(short, long)]
    pub(crate) input: Option<String>,
    /// Camera index (same as --input camera:N).
    #[arg(long, conflicts_with = "input")]
    pub(crate) camera: Option<u32>,
    /// Raw input's pixel format: rgba, bgra, rgb, yuyv, nv12, i420, yuv444, gray.
    #[arg(long, value_parser = parse_pixel_format)]
    pub(crate) input_format: Option<PixelFormat>,
    /// Frame size WxH: raw input, synthetic source, camera request (other
    /// inputs have their own size and refuse it).
    #[arg(long, value_parser = parse_size)]
    pub(crate) size: Option<(u32, u32)>,
    /// Frame rate: video frames in a folder (implies --sequence), raw
    /// input, synthetic source, camera request (other inputs have their
    /// own rate and refuse it).
    #[arg(long, value_parser = parse_fps, allow_negative_numbers = true)]
    pub(crate) fps: Option<f64>,
    /// A folder or glob of images is the frames of one video: one size,
    /// the body tracked and smoothed from frame to frame. By default only
    /// numbered frames of one size are (f_0001.png, f_0002.png, ...).
    #[arg(long, conflicts_with = "batch")]
    pub(crate) sequence: bool,
    /// A folder or glob of images is a batch of unrelated photos: each
    /// dressed on its own, at its own size. The default unless they are
    /// numbered frames of one size.
    #[arg(long)]
    pub(crate) batch: bool,
    /// Y'CbCr matrix, overriding the source's.
    #[arg(long, value_enum)]
    pub(crate) color_matrix: Option<MatrixArg>,
    /// Y'CbCr range, overriding the source's.
    #[arg(long, value_enum)]
    pub(crate) color_range: Option<RangeArg>,
    /// Flip left–right, as a mirror does.
    #[arg(long)]
    pub(crate) mirror: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum MatrixArg {
    Bt601,
    Bt709,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum RangeArg {
    Limited,
    Full,
}

impl InputArgs {
    pub(crate) fn options(&self) -> InputOptions {
        InputOptions {
            format: self.input_format,
            size: self.size,
            fps: self.fps,
            matrix: self.color_matrix.map(|m| match m {
                MatrixArg::Bt601 => ColorMatrix::Bt601,
                MatrixArg::Bt709 => ColorMatrix::Bt709,
            }),
            range: self.color_range.map(|r| match r {
                RangeArg::Limited => ColorRange::Limited,
                RangeArg::Full => ColorRange::Full,
            }),
            sequence: match (self.sequence, self.batch) {
                (true, _) => SequenceMode::Video,
                (_, true) => SequenceMode::Batch,
                _ => SequenceMode::Auto,
            },
            wait_for_camera: false,
        }
    }

    /// What `--input` (or `--camera`, or `default`) names.
    pub(crate) fn spec(&self, default: &str) -> drape::Result<SourceSpec> {
        self.spec_with(default, &self.options())
    }

    pub(crate) fn open(&self, default: &str) -> drape::Result<Box<dyn capture::FrameSource>> {
        self.open_with(default, self.options())
    }

    /// `open`, but a camera that is not there yet is waited for (`run`).
    pub(crate) fn open_waiting(
        &self,
        default: &str,
    ) -> drape::Result<Box<dyn capture::FrameSource>> {
        let options = InputOptions {
            wait_for_camera: true,
            ..self.options()
        };
        self.open_with(default, options)
    }

    pub(crate) fn open_with(
        &self,
        default: &str,
        options: InputOptions,
    ) -> drape::Result<Box<dyn capture::FrameSource>> {
        let spec = self.spec_with(default, &options)?;
        Ok(capture::open_source(&spec, &options)?)
    }

    pub(crate) fn spec_with(
        &self,
        default: &str,
        options: &InputOptions,
    ) -> drape::Result<SourceSpec> {
        let input = match (&self.input, self.camera) {
            (Some(input), _) => input.clone(),
            (None, Some(n)) => format!("camera:{n}"),
            (None, None) => default.to_string(),
        };
        Ok(SourceSpec::parse(&input, options)?)
    }
}
