//! `SourceSpec`: what the user asked to read, parsed from `--input` and its
//! companion flags, and `open_source`, which opens it.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{
    CameraRequest, CaptureError, ColorMatrix, ColorRange, FfmpegSource, Frame, FrameSource,
    ImageFileSource, ImageSequenceSource, LiveStatus, PixelFormat, RawSource, SequenceMode,
    SourceInfo, SyntheticSource, Y4mSource,
};

/// Flags that qualify `--input`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputOptions {
    /// Raw input: the pixel format of the bytes (`--input-format`).
    pub format: Option<PixelFormat>,
    /// Raw input, synthetic source, camera request: `--size WxH`.
    pub size: Option<(u32, u32)>,
    /// Frame rate for image sequences, raw input, cameras (`--fps`).
    pub fps: Option<f64>,
    /// Override the Y'CbCr matrix the source declares.
    pub matrix: Option<ColorMatrix>,
    /// Override the Y'CbCr range the source declares.
    pub range: Option<ColorRange>,
    /// A folder or glob: video frames or a batch of photos
    /// (`--sequence`, `--batch`; by default decided from the files).
    pub sequence: SequenceMode,
    /// A camera that is not there yet is waited for instead of an error
    /// (`drape run`: a kiosk may boot before its USB camera).
    pub wait_for_camera: bool,
}

/// A source to open.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceSpec {
    /// One PNG, JPEG or WebP file.
    Image(PathBuf),
    /// A folder of images or a glob pattern, in natural order: video
    /// frames or a batch of photos (`mode`).
    Sequence {
        /// The folder or glob pattern, as given.
        pattern: String,
        /// Frame rate in frames per second (`--fps`, default 30).
        fps: f64,
        /// Video frames, a batch of photos, or decided from the files.
        mode: SequenceMode,
    },
    /// A y4m file, or stdin when `None`.
    Y4m(Option<PathBuf>),
    /// Raw frames of one format and size, from a file or stdin (`None`).
    Raw {
        /// The file; `None` reads stdin.
        path: Option<PathBuf>,
        /// The bytes' pixel format (`--input-format`).
        format: PixelFormat,
        /// Frame width in pixels (`--size`).
        width: u32,
        /// Frame height in pixels (`--size`).
        height: u32,
        /// Frame rate in frames per second (`--fps`, default 30).
        fps: f64,
    },
    /// Any other video file, decoded by an ffmpeg child process.
    Video(PathBuf),
    /// A webcam.
    Camera(CameraRequest),
    /// A moving test pattern.
    Synthetic {
        /// Frame width in pixels (`--size`, default 640).
        width: u32,
        /// Frame height in pixels (`--size`, default 480).
        height: u32,
        /// Frame rate in frames per second (`--fps`, default 30).
        fps: f64,
        /// Frames to make; `None`: endless.
        frames: Option<u64>,
    },
}

const DEFAULT_FPS: f64 = 30.0;

impl SourceSpec {
    /// Parses `--input`: a path, a folder, a glob, `-` (stdin), `camera[:N]`
    /// or `synthetic`. `--size` and `--fps` where the input has its own
    /// (a y4m, an image, a video file) are refused, not ignored.
    pub fn parse(input: &str, options: &InputOptions) -> Result<SourceSpec, CaptureError> {
        let spec = SourceSpec::parse_unchecked(input, options)?;
        spec.check_options(input, options)?;
        Ok(spec)
    }

    fn parse_unchecked(input: &str, options: &InputOptions) -> Result<SourceSpec, CaptureError> {
        let fps = options.fps.unwrap_or(DEFAULT_FPS);
        if !(fps.is_finite() && fps > 0.0) {
            return Err(CaptureError::BadSpec(format!(
                "--fps {fps} is not a frame rate: give a positive number of frames a second, like 30"
            )));
        }
        let raw = |path: Option<PathBuf>, format: PixelFormat| {
            let (width, height) = options.size.ok_or_else(|| {
                CaptureError::BadSpec(format!(
                    "raw {format} input needs its frame size: add --size WxH"
                ))
            })?;
            Ok(SourceSpec::Raw {
                path,
                format,
                width,
                height,
                fps,
            })
        };
        if input == "-" {
            return match options.format {
                Some(format) => raw(None, format),
                None => Ok(SourceSpec::Y4m(None)),
            };
        }
        if let Some(rest) = input.strip_prefix("camera") {
            let index = match rest.strip_prefix(':') {
                Some(n) => n.parse().map_err(|_| {
                    CaptureError::BadSpec(format!("camera index {n:?} is not a number"))
                })?,
                None if rest.is_empty() => 0,
                None => return SourceSpec::parse_path(input, options, fps),
            };
            let mut request = CameraRequest {
                index,
                ..CameraRequest::default()
            };
            if let Some((w, h)) = options.size {
                (request.width, request.height) = (w, h);
            }
            if let Some(fps) = options.fps {
                request.fps = fps.round().max(1.0) as u32;
            }
            return Ok(SourceSpec::Camera(request));
        }
        if input == "synthetic" {
            let (width, height) = options.size.unwrap_or((640, 480));
            return Ok(SourceSpec::Synthetic {
                width,
                height,
                fps,
                frames: None,
            });
        }
        if let Some(format) = options.format {
            return raw(Some(PathBuf::from(input)), format);
        }
        SourceSpec::parse_path(input, options, fps)
    }

    fn parse_path(
        input: &str,
        options: &InputOptions,
        fps: f64,
    ) -> Result<SourceSpec, CaptureError> {
        // A frame rate is a video's: it makes a folder of images frames.
        let mode = match (options.sequence, options.fps) {
            (SequenceMode::Auto, Some(_)) => SequenceMode::Video,
            (mode, _) => mode,
        };
        if input.contains(['*', '?', '[']) {
            return Ok(SourceSpec::Sequence {
                pattern: input.to_string(),
                fps,
                mode,
            });
        }
        let path = Path::new(input);
        let metadata = std::fs::metadata(path).map_err(|e| CaptureError::io(path, e))?;
        if metadata.is_dir() {
            return Ok(SourceSpec::Sequence {
                pattern: input.to_string(),
                fps,
                mode,
            });
        }
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("png" | "jpg" | "jpeg" | "webp") => return Ok(SourceSpec::Image(path.into())),
            Some("y4m") => return Ok(SourceSpec::Y4m(Some(path.into()))),
            _ => {}
        }
        // No telling extension: look at the first bytes.
        let mut head = [0u8; 16];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|e| CaptureError::io(path, e))?;
        let head = &head[..n];
        if head.starts_with(b"YUV4MPEG2") {
            Ok(SourceSpec::Y4m(Some(path.into())))
        } else if image::guess_format(head).is_ok() {
            Ok(SourceSpec::Image(path.into()))
        } else {
            Ok(SourceSpec::Video(path.into()))
        }
    }

    /// Refuses the flags that this input cannot honour, naming the flag,
    /// the input and what to do instead.
    fn check_options(&self, input: &str, options: &InputOptions) -> Result<(), CaptureError> {
        // What the input is, and why it has its own size and rate.
        let own = match self {
            SourceSpec::Y4m(_) => Some((
                "a y4m stream",
                "its header gives its frame size (W, H) and rate (F)",
            )),
            SourceSpec::Image(_) => {
                Some(("an image", "it is read at its own size and is one frame"))
            }
            SourceSpec::Video(_) => Some((
                "a video file",
                "ffmpeg reads it at its own frame size and rate",
            )),
            _ => None,
        };
        if let Some((kind, why)) = own {
            if let Some((w, h)) = options.size {
                return Err(CaptureError::BadSpec(format!(
                    "--size {w}x{h} does not apply to {input}, {kind}: {why}. Leave --size out, or \
                     scale it first (`ffmpeg -i {input} -vf scale={w}:{h} scaled.y4m`)"
                )));
            }
            if let Some(fps) = options.fps {
                return Err(CaptureError::BadSpec(format!(
                    "--fps {fps} does not apply to {input}, {kind}: {why}. Leave --fps out, or \
                     change the rate first (`ffmpeg -i {input} -r {fps} retimed.y4m`)"
                )));
            }
        }
        if let SourceSpec::Sequence { mode, .. } = self {
            if let Some((w, h)) = options.size {
                return Err(CaptureError::BadSpec(format!(
                    "--size {w}x{h} does not apply to {input}, a folder or glob of images: each \
                     image is read at its own size. Leave --size out, or scale the images first"
                )));
            }
            if let (SequenceMode::Batch, Some(fps)) = (mode, options.fps) {
                return Err(CaptureError::BadSpec(format!(
                    "--fps {fps} does not apply to {input} read with --batch: unrelated photos \
                     have no frame rate. Leave --fps out, or give --sequence for video frames"
                )));
            }
        }
        if options.sequence != SequenceMode::Auto && !matches!(self, SourceSpec::Sequence { .. }) {
            let flag = match options.sequence {
                SequenceMode::Batch => "--batch",
                _ => "--sequence",
            };
            return Err(CaptureError::BadSpec(format!(
                "{flag} applies to a folder or a glob of images, not to {input}"
            )));
        }
        Ok(())
    }

    /// Whether frames come in real time (and so may be dropped).
    pub fn is_live(&self) -> bool {
        matches!(self, SourceSpec::Camera(_))
    }

    /// Whether frames keep coming while people watch: a camera, stdin or
    /// the synthetic pattern (so, for one, the catalog file is watched).
    pub fn is_stream(&self) -> bool {
        matches!(
            self,
            SourceSpec::Camera(_)
                | SourceSpec::Synthetic { .. }
                | SourceSpec::Y4m(None)
                | SourceSpec::Raw { path: None, .. }
        )
    }
}

/// Opens a source. Cameras reopen after an unplug and keep only the newest
/// frame; files yield every frame.
pub fn open_source(
    spec: &SourceSpec,
    options: &InputOptions,
) -> Result<Box<dyn FrameSource>, CaptureError> {
    let source: Box<dyn FrameSource> = match spec {
        SourceSpec::Image(path) => Box::new(ImageFileSource::open(path)?),
        SourceSpec::Sequence { pattern, fps, mode } => {
            Box::new(ImageSequenceSource::open_as(pattern, *fps, *mode)?)
        }
        SourceSpec::Y4m(Some(path)) => Box::new(Y4mSource::open(path)?),
        SourceSpec::Y4m(None) => Box::new(Y4mSource::from_reader(
            Box::new(std::io::stdin()),
            "stdin".into(),
        )?),
        SourceSpec::Raw {
            path,
            format,
            width,
            height,
            fps,
        } => {
            let (reader, what, len): (Box<dyn Read + Send>, String, Option<u64>) = match path {
                Some(p) => {
                    let file = std::fs::File::open(p).map_err(|e| CaptureError::io(p, e))?;
                    // A regular file's length gives its frame count.
                    let len = file
                        .metadata()
                        .ok()
                        .filter(|m| m.is_file())
                        .map(|m| m.len());
                    (Box::new(file), p.display().to_string(), len)
                }
                None => (Box::new(std::io::stdin()), "stdin".into(), None),
            };
            let source = RawSource::new(reader, what, *format, *width, *height, *fps)?;
            Box::new(match len {
                Some(len) => source.with_stream_len(len),
                None => source,
            })
        }
        SourceSpec::Video(path) => Box::new(FfmpegSource::open(path)?),
        #[cfg(not(target_arch = "wasm32"))]
        SourceSpec::Camera(request) => super::live_camera(*request, options.wait_for_camera)?,
        #[cfg(target_arch = "wasm32")]
        SourceSpec::Camera(request) => {
            return Err(CaptureError::Camera {
                index: request.index,
                message: "a browser's camera is read by the page (getUserMedia), which passes its frames in; there is no camera source inside WebAssembly".to_string(),
            })
        }
        SourceSpec::Synthetic {
            width,
            height,
            fps,
            frames,
        } => Box::new(SyntheticSource::new(*width, *height, *fps, *frames)),
    };
    if options.matrix.is_none() && options.range.is_none() {
        return Ok(source);
    }
    Ok(Box::new(ColorOverride {
        inner: source,
        matrix: options.matrix,
        range: options.range,
    }))
}

/// Applies `--color-matrix` / `--color-range` to every frame: sources often
/// do not know (y4m has no matrix tag, cameras lie).
struct ColorOverride {
    inner: Box<dyn FrameSource>,
    matrix: Option<ColorMatrix>,
    range: Option<ColorRange>,
}

impl FrameSource for ColorOverride {
    fn info(&self) -> &SourceInfo {
        self.inner.info()
    }
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        Ok(self.inner.next_frame()?.map(|mut frame| {
            if let Some(matrix) = self.matrix {
                frame.color_space.matrix = matrix;
            }
            if let Some(range) = self.range {
                frame.color_space.range = range;
            }
            frame
        }))
    }
    fn dropped_frames(&self) -> u64 {
        self.inner.dropped_frames()
    }
    fn stills(&self) -> bool {
        self.inner.stills()
    }
    fn live_status(&self) -> Option<LiveStatus> {
        self.inner.live_status()
    }
}
