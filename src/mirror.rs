//! `Mirror`: the per-frame pipeline between capture and output. Each frame
//! is uploaded, converted to RGBA and, when asked, flipped on the GPU;
//! with a `TryOn` set, pose → fit → render then dresses the person in it.
//! The result stays on the GPU (`process`, for a window) or is read back
//! (`process_to_cpu`, for files and pipes).
//!
//! Once the GPU device is lost, `process` fails with
//! `GpuError::DeviceLost`; `recover` rebuilds everything on a new device,
//! keeping the try-on's outfit and catalog. Status screens and notices are
//! not drawn here but by the live view (`app::live`).

use crate::capture::{Frame, PixelFormat};
use crate::gpu::{GpuContext, TextureReadback};
use crate::output::RgbaFrame;
use crate::upload::{FrameUploader, UploadOptions};
use crate::Result;

/// How the mirror treats each frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MirrorConfig {
    /// Flip left–right, as a looking-glass does (on for a kiosk facing the
    /// shopper, off for a livestream where text must read correctly).
    pub mirror: bool,
}

/// Long-lived pipeline state: GPU resources are made once and reused.
pub struct Mirror {
    gpu: GpuContext,
    config: MirrorConfig,
    uploader: FrameUploader,
    readback: TextureReadback,
    rgba: Vec<u8>,
    tryon: Option<crate::tryon::TryOn>,
}

impl Mirror {
    /// A plain mirror on `gpu` (no try-on until `set_tryon`).
    pub fn new(gpu: &GpuContext, config: MirrorConfig) -> Mirror {
        Mirror {
            gpu: gpu.clone(),
            uploader: FrameUploader::new(gpu),
            readback: TextureReadback::new(),
            config,
            rgba: Vec::new(),
            tryon: None,
        }
    }

    /// Dresses every frame from now on (`None`: plain mirror).
    pub fn set_tryon(&mut self, tryon: Option<crate::tryon::TryOn>) {
        self.tryon = tryon;
    }

    /// The try-on that dresses each frame, if one is set.
    pub fn tryon(&self) -> Option<&crate::tryon::TryOn> {
        self.tryon.as_ref()
    }

    /// The try-on, to change the outfit or reload the catalog.
    pub fn tryon_mut(&mut self) -> Option<&mut crate::tryon::TryOn> {
        self.tryon.as_mut()
    }

    /// How each frame is treated.
    pub fn config(&self) -> &MirrorConfig {
        &self.config
    }

    /// The GPU context the pipeline runs on.
    pub fn gpu(&self) -> &GpuContext {
        &self.gpu
    }

    /// Rebuilds every GPU resource on `gpu` (a new device after the old one
    /// was lost, see `GpuError::DeviceLost`): the upload, the readback and
    /// the try-on, which keeps its outfit and catalog. Nothing of the old
    /// device is used again. On error the mirror is unusable until a
    /// `recover` succeeds (the old device is gone anyway).
    pub fn recover(&mut self, gpu: &GpuContext) -> Result<()> {
        self.gpu = gpu.clone();
        self.uploader = FrameUploader::new(gpu);
        self.readback = TextureReadback::new();
        if let Some(tryon) = self.tryon.as_mut() {
            tryon.recover(gpu)?;
        }
        Ok(())
    }

    /// Runs the pipeline on `frame`; the result stays on the GPU (for a
    /// window, or further GPU work). Fails with `GpuError::DeviceLost` once
    /// the device is lost.
    pub fn process(&mut self, frame: &Frame) -> Result<wgpu::Texture> {
        // Work recorded on a lost device does nothing and reports nothing:
        // say so instead of returning a texture that never fills.
        self.gpu.check_lost()?;
        let options = UploadOptions {
            mirror: self.config.mirror,
        };
        let texture = self.uploader.upload(&self.gpu, frame, &options)?;
        if self.tryon.is_none() {
            return Ok(texture);
        }
        let tryon = self.tryon.as_mut().expect("checked above");
        // A CPU network, or the detector, needs the pixels on the CPU too;
        // a tracked frame on a GPU network does not.
        let rgba = tryon
            .tracker()
            .needs_cpu_frame()
            .then(|| cpu_rgba(frame, self.config.mirror, &mut self.rgba));
        let dressed = tryon.process(&texture, rgba, frame.timestamp);
        // A loss during the frame shows as a GPU error here, whatever the
        // stage that hit it reported.
        self.gpu.check_lost()?;
        dressed
    }

    /// The frame as RGBA on the CPU, converted and mirrored there, without
    /// a round trip through the GPU: what a CPU network needs. An RGBA
    /// frame that needs no mirroring is borrowed, not copied.
    pub fn frame_to_cpu<'a>(&'a mut self, frame: &'a Frame) -> RgbaFrame<'a> {
        let data = cpu_rgba(frame, self.config.mirror, &mut self.rgba);
        RgbaFrame {
            data,
            width: frame.width,
            height: frame.height,
            index: frame.index,
            timestamp: frame.timestamp,
        }
    }

    /// Runs the pipeline on `frame` and reads the result back as RGBA, for
    /// files and pipes.
    pub fn process_to_cpu(&mut self, frame: &Frame) -> Result<RgbaFrame<'_>> {
        let texture = self.process(frame)?;
        self.readback
            .read_into(&self.gpu, &texture, &mut self.rgba)?;
        Ok(RgbaFrame {
            data: &self.rgba,
            width: texture.width(),
            height: texture.height(),
            index: frame.index,
            timestamp: frame.timestamp,
        })
    }
}

/// `frame` as RGBA, mirrored when asked: borrowed when it already is
/// (RGBA, not mirrored), else converted into `buffer`.
fn cpu_rgba<'a>(frame: &'a Frame, mirror: bool, buffer: &'a mut Vec<u8>) -> &'a [u8] {
    match (frame.format, mirror) {
        (PixelFormat::Rgba8, false) => &frame.data,
        (PixelFormat::Rgba8, true) => {
            let row_bytes = frame.width as usize * 4;
            buffer.clear();
            for row in frame.data.chunks_exact(row_bytes) {
                buffer.extend(row.chunks_exact(4).rev().flatten().copied());
            }
            buffer
        }
        _ => {
            *buffer = crate::upload::cpu::convert_to_rgba(frame, mirror);
            buffer
        }
    }
}
