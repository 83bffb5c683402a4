//! Webcams through nokhwa (V4L2 on Linux, AVFoundation, Media Foundation).
//!
//! Frames are passed on in the camera's own format (YUYV, NV12, gray, RGB)
//! so that conversion happens on the GPU; only MJPEG is decoded here, since
//! a JPEG cannot be converted by a shader.

use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};
use nokhwa::Camera;

use super::{
    CameraRequest, CaptureError, Frame, FrameSource, LatestFrame, PixelFormat, Reconnecting,
    SourceInfo,
};

/// How often a camera that is not there (not plugged in yet, or unplugged)
/// is looked for again. Opening lists the devices: once a second costs
/// nothing and finds a replugged camera as soon as a person would expect.
pub const CAMERA_RETRY_INTERVAL: Duration = Duration::from_secs(1);

/// A webcam as a live source: reopened after an unplug (every
/// `CAMERA_RETRY_INTERVAL`), read on its own thread, newest frame wins.
///
/// With `wait`, a camera that is not there yet is waited for (a kiosk that
/// boots before its USB camera): this returns at once and the source's
/// `live_status` says `Waiting` until the camera answers; its `info` is then
/// what was asked for. Without `wait`, a missing camera is an error here.
pub fn live_camera(
    request: CameraRequest,
    wait: bool,
) -> Result<Box<dyn FrameSource>, CaptureError> {
    let open = move || CameraSource::open(request).map(|c| Box::new(c) as Box<dyn FrameSource>);
    let camera = if wait {
        let asked = SourceInfo {
            description: format!("camera {}", request.index),
            width: request.width,
            height: request.height,
            fps: Some(f64::from(request.fps)),
            frame_count: None,
            live: true,
        };
        Reconnecting::waiting(asked, open)
    } else {
        Reconnecting::new(open)?
    };
    let camera = camera.retry_interval(CAMERA_RETRY_INTERVAL);
    Ok(Box::new(LatestFrame::spawn(Box::new(camera), false)))
}

/// A camera as the system lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraInfo {
    /// The index to open it by (`camera:N`); its place in the list when
    /// the backend names cameras by a string instead.
    pub index: u32,
    /// Its human-readable name (`HD Webcam`).
    pub name: String,
    /// The backend's description of the device.
    pub description: String,
}

/// Lists the cameras present. No camera is an empty list, not an error.
pub fn list_cameras() -> Result<Vec<CameraInfo>, CaptureError> {
    let cameras = nokhwa::query(ApiBackend::Auto).map_err(|e| CaptureError::Camera {
        index: 0,
        message: format!("cannot list cameras: {e}"),
    })?;
    Ok(cameras
        .iter()
        .enumerate()
        .map(|(i, c)| CameraInfo {
            index: match c.index() {
                CameraIndex::Index(n) => *n,
                CameraIndex::String(_) => i as u32,
            },
            name: c.human_name(),
            description: c.description().to_string(),
        })
        .collect())
}

/// A running webcam stream.
///
/// nokhwa's `Camera` cannot move between threads, so it lives on a thread
/// of its own from opening to closing; frames come over a short channel.
pub struct CameraSource {
    frames: Receiver<Result<Frame, CaptureError>>,
    info: SourceInfo,
    index: u32,
}

impl CameraSource {
    /// Opens camera `request.index` on a thread of its own and returns
    /// once it streams (its `info` the mode it settled on) or has failed.
    pub fn open(request: CameraRequest) -> Result<CameraSource, CaptureError> {
        let (info_sender, info_receiver) = mpsc::channel();
        let (frame_sender, frames) = mpsc::sync_channel(2);
        thread::Builder::new()
            .name(format!("drape-camera-{}", request.index))
            .spawn(move || match open_camera(request) {
                Ok((mut camera, info)) => {
                    if info_sender.send(Ok(info)).is_err() {
                        return;
                    }
                    let started = Instant::now();
                    for index in 0.. {
                        let frame = read_frame(&mut camera, request.index, started, index);
                        let failed = frame.is_err();
                        // The receiver is gone: the source was dropped.
                        if frame_sender.send(frame).is_err() || failed {
                            break;
                        }
                    }
                    let _ = camera.stop_stream();
                }
                Err(e) => {
                    let _ = info_sender.send(Err(e));
                }
            })
            .map_err(|e| CaptureError::Camera {
                index: request.index,
                message: format!("cannot start the camera thread: {e}"),
            })?;
        let info = info_receiver.recv().map_err(|_| CaptureError::Camera {
            index: request.index,
            message: "the camera thread ended while opening".into(),
        })??;
        Ok(CameraSource {
            frames,
            info,
            index: request.index,
        })
    }
}

fn open_camera(request: CameraRequest) -> Result<(Camera, SourceInfo), CaptureError> {
    // Device numbers can have gaps (video0, video2): look for the number.
    let present: Vec<u32> = list_cameras()
        .map(|cameras| cameras.iter().map(|c| c.index).collect())
        .unwrap_or_default();
    let wanted = CameraFormat::new(
        Resolution::new(request.width, request.height),
        FrameFormat::YUYV,
        request.fps,
    );
    let format = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(wanted));
    let mut camera = Camera::new(CameraIndex::Index(request.index), format).map_err(|e| {
        if !present.contains(&request.index) {
            CaptureError::NoCamera {
                index: request.index,
                available: present.len(),
            }
        } else {
            CaptureError::Camera {
                index: request.index,
                message: format!("cannot open: {e}"),
            }
        }
    })?;
    camera.open_stream().map_err(|e| CaptureError::Camera {
        index: request.index,
        message: format!("cannot start streaming: {e} (is another program using it?)"),
    })?;
    let negotiated = camera.camera_format();
    tracing::info!(
        "camera {}: {} {}x{} @ {} fps (asked {}x{} @ {})",
        request.index,
        negotiated.format(),
        negotiated.width(),
        negotiated.height(),
        negotiated.frame_rate(),
        request.width,
        request.height,
        request.fps
    );
    let info = SourceInfo {
        description: format!(
            "camera {} ({}, {} {}x{} @ {} fps)",
            request.index,
            camera.info().human_name(),
            negotiated.format(),
            negotiated.width(),
            negotiated.height(),
            negotiated.frame_rate()
        ),
        width: negotiated.width(),
        height: negotiated.height(),
        fps: Some(negotiated.frame_rate() as f64),
        frame_count: None,
        live: true,
    };
    Ok((camera, info))
}

fn read_frame(
    camera: &mut Camera,
    index: u32,
    started: Instant,
    frame_index: u64,
) -> Result<Frame, CaptureError> {
    let error = |message: String| CaptureError::Camera { index, message };
    let buffer = camera
        .frame()
        .map_err(|e| error(format!("lost the stream: {e} (unplugged?)")))?;
    let timestamp = started.elapsed();
    let (width, height) = (buffer.resolution().width(), buffer.resolution().height());
    let bytes = buffer.buffer();
    let (data, format) = match buffer.source_frame_format() {
        FrameFormat::YUYV => (bytes.to_vec(), PixelFormat::Yuyv),
        FrameFormat::NV12 => (bytes.to_vec(), PixelFormat::Nv12),
        FrameFormat::GRAY => (bytes.to_vec(), PixelFormat::Gray8),
        FrameFormat::RAWRGB => (bytes.to_vec(), PixelFormat::Rgb8),
        FrameFormat::RAWBGR => {
            let mut rgb = bytes.to_vec();
            rgb.chunks_exact_mut(3).for_each(|p| p.swap(0, 2));
            (rgb, PixelFormat::Rgb8)
        }
        // A JPEG cannot be converted by a shader: decode it here.
        FrameFormat::MJPEG => {
            let decoded = image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
                .map_err(|e| error(format!("bad MJPEG frame: {e}")))?;
            (decoded.into_rgb8().into_raw(), PixelFormat::Rgb8)
        }
    };
    Ok(Frame::new(data, format, width, height)?.with_timestamp(timestamp, frame_index))
}

impl FrameSource for CameraSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        match self.frames.recv() {
            Ok(frame) => frame.map(Some),
            Err(_) => Err(CaptureError::Camera {
                index: self.index,
                message: "the camera thread ended".into(),
            }),
        }
    }
}
