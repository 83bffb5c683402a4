//! `PoseTracker`: MediaPipe's pose_landmark graph, frame by frame. The
//! detector runs only when there is no region to track from; otherwise the
//! previous frame's auxiliary landmarks place the region. Landmarks are
//! smoothed over time in video mode.

use std::time::Duration;

use web_time::Instant;

use super::body::{Body, Landmark, BODY_LANDMARKS};
use super::crop::RoiCropper;
use super::crop::{crop_cpu_into, CropBorder};
use super::crop::{CropGeometry, LANDMARK_INPUT_SIZE};
use super::detector::PoseDetector;
use super::filter::{LandmarkSmoother, OneEuroParams, Smoothing, VisibilitySmoother};
use super::landmarks::{decode_executor_outputs, SEGMENTATION_OUTPUT};
use super::mask::{mask_in_image, PersonMask};
use super::mask_gpu::GpuMask;
use super::tracking::{object_scale_px, roi_from_auxiliary, roi_in_frame, AUX_CENTER, AUX_SCALE};
use super::{roi_from_detection, Detection, NormalizedRect, PoseError, RgbaImage};
use crate::gpu::GpuContext;
use crate::nn::models::{PoseModel, PoseModelBytes};
use crate::nn::{Backend, Executor, Model};

/// How the tracker runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoseConfig {
    /// The landmark model: lite (default), full or heavy.
    pub model: PoseModel,
    /// Every frame on its own: detector every time, no smoothing (photos).
    pub static_mode: bool,
    /// Smooth landmarks over time (video mode only).
    pub smooth: bool,
    /// How landmarks are smoothed when `smooth` is on (default: MediaPipe's
    /// filter).
    pub smoothing: Smoothing,
    /// Compute the person mask over the whole image.
    pub segmentation: bool,
    /// Keep the mask on the GPU (`PoseTracker::mask_texture`, for
    /// renderers) instead of warping it on the CPU into `Body::mask`;
    /// `PoseTracker::read_mask` gives a CPU copy on request.
    pub gpu_mask: bool,
    /// Where the detector and landmark networks run.
    pub backend: Backend,
    /// Threads of the CPU executor.
    pub threads: usize,
    /// Which person to follow when the detector finds several.
    pub person: PersonChoice,
    /// Run the detector again as soon as the region derived for the next
    /// frame lies wholly outside the frame (the person walked out), rather
    /// than wait for the landmark model's presence score to drop. MediaPipe
    /// has no such rule and tracks on (off by default, for parity); the
    /// kiosk turns it on so that a shopper who leaves is let go at once.
    pub redetect_off_frame: bool,
}

/// Which of several people in view the tracker follows. It follows one
/// person at a time; the choice is made whenever the detector runs (at the
/// start and after the person was lost).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PersonChoice {
    /// The detection with the best score, as MediaPipe's pose graph does.
    #[default]
    BestScore,
    /// The person nearest the centre of the frame and largest: the shopper
    /// in front of a kiosk rather than someone passing behind them.
    CentreAndLargest,
}

impl PersonChoice {
    /// The detection to follow among `detections` (best score first, as the
    /// detector gives them), in an image of `aspect` (width / height).
    pub fn choose(self, detections: &[Detection], aspect: f32) -> Option<&Detection> {
        match self {
            PersonChoice::BestScore => detections.first(),
            PersonChoice::CentreAndLargest => detections.iter().max_by(|a, b| {
                centre_and_size_score(a, aspect).total_cmp(&centre_and_size_score(b, aspect))
            }),
        }
    }
}

/// Larger and nearer the centre scores higher: the box's side (in image
/// heights) times how close its centre is to the frame's (1 at the centre,
/// 0.5 at a corner). A person twice as far from the camera looks half as
/// big, so size dominates; among people of one size the central one wins.
fn centre_and_size_score(detection: &Detection, aspect: f32) -> f32 {
    let b = &detection.bbox;
    let side = (b.width * aspect).max(b.height);
    let dx = (b.xmin + 0.5 * b.width - 0.5) * aspect;
    let dy = b.ymin + 0.5 * b.height - 0.5;
    let corner = (0.25 * aspect * aspect + 0.25).sqrt();
    let off_centre = (dx * dx + dy * dy).sqrt() / corner;
    side * (1.0 - 0.5 * off_centre.min(1.0))
}

impl Default for PoseConfig {
    fn default() -> Self {
        PoseConfig {
            model: PoseModel::LandmarkLite,
            static_mode: false,
            smooth: true,
            smoothing: Smoothing::MediaPipe,
            segmentation: true,
            gpu_mask: false,
            backend: Backend::Auto,
            threads: 1,
            person: PersonChoice::BestScore,
            redetect_off_frame: false,
        }
    }
}

/// Where the last `process` spent its time, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimes {
    /// The detector (0 on tracked frames).
    pub detect_ms: f64,
    /// Cropping the region into the landmark model's input.
    pub crop_ms: f64,
    /// The landmark model.
    pub inference_ms: f64,
    /// Decoding, heatmap refinement, projection, smoothing, next region.
    pub decode_ms: f64,
    /// Warping and blending the person mask.
    pub mask_ms: f64,
}

impl StageTimes {
    /// The sum of the stages, in milliseconds.
    pub fn total_ms(&self) -> f64 {
        self.detect_ms + self.crop_ms + self.inference_ms + self.decode_ms + self.mask_ms
    }
}

/// Finds and follows one person through a sequence of frames.
pub struct PoseTracker {
    config: PoseConfig,
    detector: Executor,
    landmarker: Executor,
    /// The region for the next frame, when tracking holds.
    next_roi: Option<NormalizedRect>,
    /// What the detector chose on the last frame it ran in.
    last_detection: Option<Detection>,
    landmark_smoother: LandmarkSmoother,
    visibility_smoother: VisibilitySmoother,
    auxiliary_smoother: LandmarkSmoother,
    auxiliary_visibility: VisibilitySmoother,
    world_smoother: LandmarkSmoother,
    previous_mask: Option<PersonMask>,
    gpu: GpuContext,
    gpu_mask: GpuMask,
    cropper: RoiCropper,
    times: StageTimes,
    crop_input: Vec<f32>,
    /// The frame read back from its texture, when `process_with_texture`
    /// must have it on the CPU and was not given it.
    frame_readback: crate::gpu::TextureReadback,
    frame_rgba: Vec<u8>,
}

impl PoseTracker {
    /// Loads the detector and `config.model` onto `config.backend`, with no
    /// person tracked yet. The model files are read from the model folders
    /// (`nn::models::model_dirs`); [`PoseTracker::with_models`] takes them
    /// as bytes.
    pub fn new(gpu: &GpuContext, config: PoseConfig) -> Result<PoseTracker, PoseError> {
        let detector = PoseModel::Detector.load()?;
        let landmarks = config.model.load()?;
        Self::with_loaded(gpu, config, &detector, &landmarks)
    }

    /// Like [`PoseTracker::new`] with the model files given as bytes
    /// (fetched by a web page, embedded in an app): nothing is read from
    /// disk. `models.landmarks` must be the file of `config.model`; bytes
    /// that are not the expected file are refused (`NnError::WrongModelBytes`
    /// naming the model) before anything is built.
    pub fn with_models(
        gpu: &GpuContext,
        config: PoseConfig,
        models: &PoseModelBytes,
    ) -> Result<PoseTracker, PoseError> {
        let detector = PoseModel::Detector.load_bytes(&models.detector)?;
        let landmarks = config.model.load_bytes(&models.landmarks)?;
        Self::with_loaded(gpu, config, &detector, &landmarks)
    }

    /// The tracker with its two networks parsed.
    fn with_loaded(
        gpu: &GpuContext,
        config: PoseConfig,
        detector: &Model,
        landmarks: &Model,
    ) -> Result<PoseTracker, PoseError> {
        let detector = Executor::new(gpu, detector, config.backend, config.threads)?;
        let landmarker = Executor::new(gpu, landmarks, config.backend, config.threads)?;
        Ok(PoseTracker {
            config,
            detector,
            landmarker,
            next_roi: None,
            last_detection: None,
            landmark_smoother: LandmarkSmoother::with_smoothing(
                OneEuroParams::LANDMARKS,
                config.smoothing,
            ),
            visibility_smoother: VisibilitySmoother::default(),
            auxiliary_smoother: LandmarkSmoother::new(OneEuroParams::AUXILIARY),
            auxiliary_visibility: VisibilitySmoother::default(),
            world_smoother: LandmarkSmoother::with_smoothing(
                OneEuroParams::WORLD,
                config.smoothing,
            ),
            previous_mask: None,
            gpu: gpu.clone(),
            gpu_mask: GpuMask::new(gpu),
            cropper: RoiCropper::new(gpu),
            times: StageTimes::default(),
            crop_input: Vec::new(),
            frame_readback: crate::gpu::TextureReadback::new(),
            frame_rgba: Vec::new(),
        })
    }

    /// The person `config.person` chooses among the detector's, if any.
    fn detect(&mut self, rgba: &[u8], w: usize, h: usize) -> Result<Option<Detection>, PoseError> {
        let image = RgbaImage::new(rgba, w, h)?;
        let detections = PoseDetector::new().detect_all(&mut self.detector, image)?;
        let aspect = w as f32 / h.max(1) as f32;
        Ok(self.config.person.choose(&detections, aspect).copied())
    }

    /// The configuration the tracker was made with.
    pub fn config(&self) -> &PoseConfig {
        &self.config
    }

    /// Whether `process_with_texture` keeps the frame on the GPU (the
    /// landmark model runs on the GPU executor); otherwise `process` does
    /// the same work.
    pub fn wants_texture(&self) -> bool {
        matches!(self.landmarker, Executor::Gpu(_))
    }

    /// Whether the next `process_with_texture` needs the frame's pixels on
    /// the CPU: a CPU network, or the detector (static mode, or no person
    /// tracked). Without them it reads the texture back, so callers that
    /// would convert the frame only for this can skip it when false.
    pub fn needs_cpu_frame(&self) -> bool {
        !self.wants_texture() || self.config.static_mode || self.next_roi.is_none()
    }

    /// The last frame's person mask on the GPU (R32Float, image size,
    /// probabilities; read it with `textureLoad`), when `gpu_mask` is on and
    /// the last frame had a person.
    pub fn mask_texture(&self) -> Option<&wgpu::Texture> {
        self.gpu_mask.texture()
    }

    /// A CPU copy of the GPU mask (`gpu_mask` on); `None` without one.
    pub fn read_mask(&mut self) -> Result<Option<PersonMask>, PoseError> {
        self.gpu_mask.read_to_cpu(&self.gpu)
    }

    /// The region the next frame's landmarks will be estimated in, from
    /// this frame's landmarks (MediaPipe's `pose_rect_from_landmarks`);
    /// `None` when the next frame runs the detector.
    pub fn next_roi(&self) -> Option<NormalizedRect> {
        self.next_roi
    }

    /// The detection the last frame's detector run chose, also when the
    /// landmark model then found no pose there; `None` on tracked frames and
    /// when nobody was detected.
    pub fn last_detection(&self) -> Option<Detection> {
        self.last_detection
    }

    internal! {
        /// Replaces the region the next frame is estimated in (`None`: run
        /// the detector), keeping the smoothing state: for comparing each
        /// frame's work with MediaPipe's given MediaPipe's region
        /// (tests/pose_parity).
        pub fn set_next_roi(&mut self, roi: Option<NormalizedRect>) {
            self.next_roi = roi;
        }
    }

    /// Where the last `process` call spent its time.
    pub fn stage_times(&self) -> StageTimes {
        self.times
    }

    /// Forgets the person (the next frame runs the detector).
    pub fn reset(&mut self) {
        self.next_roi = None;
        self.landmark_smoother.reset();
        self.visibility_smoother.reset();
        self.auxiliary_smoother.reset();
        self.auxiliary_visibility.reset();
        self.world_smoother.reset();
        self.previous_mask = None;
        self.gpu_mask.reset();
    }

    /// The body in one RGBA frame, or `None` when there is no person.
    /// `timestamp` must grow from frame to frame in video mode.
    pub fn process(
        &mut self,
        rgba: &[u8],
        width: u32,
        height: u32,
        timestamp: Duration,
    ) -> Result<Option<Body>, PoseError> {
        self.process_frame(rgba, width, height, None, timestamp)
    }

    /// `process` for a frame that is also on the GPU (`texture`: the same
    /// pixels, `upload::FrameUploader`'s working texture). With the GPU
    /// executor the landmark crop, the model and the mask then run in one
    /// submission without the frame leaving the GPU; the detector, which
    /// runs only when tracking is lost, still letterboxes the frame on the
    /// CPU. `rgba` is the frame on the CPU where the caller has it; `None`
    /// reads the texture back when it is needed (`needs_cpu_frame`). With
    /// the CPU executor this is `process`.
    pub fn process_with_texture(
        &mut self,
        rgba: Option<&[u8]>,
        texture: &wgpu::Texture,
        timestamp: Duration,
    ) -> Result<Option<Body>, PoseError> {
        let (width, height) = (texture.width(), texture.height());
        if let Some(rgba) = rgba {
            return self.process_frame(rgba, width, height, Some(texture), timestamp);
        }
        let mut frame = std::mem::take(&mut self.frame_rgba);
        if self.needs_cpu_frame() {
            self.frame_readback
                .read_into(&self.gpu, texture, &mut frame)
                .map_err(|e| PoseError::Nn(crate::nn::NnError::Gpu(e)))?;
        } else {
            frame.clear();
        }
        let body = self.process_frame(&frame, width, height, Some(texture), timestamp);
        self.frame_rgba = frame;
        body
    }

    fn process_frame(
        &mut self,
        rgba: &[u8],
        width: u32,
        height: u32,
        texture: Option<&wgpu::Texture>,
        timestamp: Duration,
    ) -> Result<Option<Body>, PoseError> {
        let (w, h) = (width as usize, height as usize);
        let tracked = if self.config.static_mode {
            None
        } else {
            self.next_roi.take()
        };
        self.times = StageTimes::default();
        let mut clock = Instant::now();
        let lap = |clock: &mut Instant| {
            let ms = clock.elapsed().as_secs_f64() * 1e3;
            *clock = Instant::now();
            ms
        };
        self.last_detection = None;
        let (roi, detection) = match tracked {
            Some(roi) => (roi, None),
            None => match self.detect(rgba, w, h)? {
                Some(detection) => {
                    self.last_detection = Some(detection);
                    (roi_from_detection(&detection, w, h), Some(detection))
                }
                None => {
                    self.reset();
                    return Ok(None);
                }
            },
        };
        self.times.detect_ms = lap(&mut clock);
        let size = LANDMARK_INPUT_SIZE;
        let geometry = CropGeometry::new(&roi, width, height, size, size)?;
        if self.config.static_mode {
            self.gpu_mask.reset();
        }
        let gpu_resident = match (texture, &self.landmarker) {
            (Some(texture), Executor::Gpu(executor)) => {
                // Crop → model → mask, one submission.
                let mut encoder =
                    self.gpu
                        .device
                        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                            label: Some("pose landmarks"),
                        });
                self.cropper.encode(
                    &self.gpu,
                    &mut encoder,
                    texture,
                    &roi,
                    executor.input_buffer(0),
                    size,
                )?;
                executor.encode(&mut encoder);
                if self.config.segmentation && self.config.gpu_mask {
                    // The executor pads channels to 4: stride 4.
                    self.gpu_mask.encode_buffer(
                        &self.gpu,
                        &mut encoder,
                        executor.output_buffer(SEGMENTATION_OUTPUT),
                        4,
                        &geometry,
                    )?;
                }
                self.times.crop_ms = lap(&mut clock);
                self.gpu.queue.submit([encoder.finish()]);
                true
            }
            _ => {
                crop_cpu_into(
                    rgba,
                    &geometry,
                    CropBorder::default(),
                    false,
                    &mut self.crop_input,
                )?;
                self.times.crop_ms = lap(&mut clock);
                self.landmarker.run(&[&self.crop_input])?;
                self.times.inference_ms = lap(&mut clock);
                false
            }
        };
        let result = decode_executor_outputs(&mut self.landmarker, &roi, &geometry)?;
        // On the GPU, reading the outputs is where the wait for the model is.
        let decoded_ms = lap(&mut clock);
        if gpu_resident {
            self.times.inference_ms = decoded_ms;
        } else {
            self.times.decode_ms = decoded_ms;
        }
        if !result.pose_present() {
            // Lost: the next frame looks for the person again.
            self.reset();
            return Ok(None);
        }
        let mut body: [[f32; 5]; BODY_LANDMARKS] = [[0.0; 5]; BODY_LANDMARKS];
        body.copy_from_slice(&result.landmarks[..BODY_LANDMARKS]);
        let mut auxiliary = [result.landmarks[AUX_CENTER], result.landmarks[AUX_SCALE]];
        let mut world = result.world;
        if !self.config.static_mode && self.config.smooth {
            // MediaPipe scales speeds by the size of the region the raw
            // auxiliary points give, for body and auxiliary points alike.
            let scale_px = Some(object_scale_px(&auxiliary, width, height));
            self.visibility_smoother.apply(&mut body);
            self.landmark_smoother
                .apply(timestamp, width, height, scale_px, &mut body);
            self.auxiliary_visibility.apply(&mut auxiliary);
            self.auxiliary_smoother
                .apply(timestamp, width, height, scale_px, &mut auxiliary);
            let mut world_full: [[f32; 5]; BODY_LANDMARKS] =
                std::array::from_fn(|i| [world[i][0], world[i][1], world[i][2], 0.0, 0.0]);
            self.world_smoother
                .apply_unscaled(timestamp, &mut world_full);
            world = world_full.map(|[x, y, z, _, _]| [x, y, z]);
        }
        if !self.config.static_mode {
            let next = roi_from_auxiliary(&auxiliary, w, h);
            let lost = self.config.redetect_off_frame && !roi_in_frame(&next);
            self.next_roi = (!lost).then_some(next);
        }
        self.times.decode_ms += lap(&mut clock);
        let mask = if self.config.segmentation && self.config.gpu_mask && gpu_resident {
            None // encoded with the model
        } else if self.config.segmentation && self.config.gpu_mask {
            let mut encoder =
                self.gpu
                    .device
                    .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                        label: Some("pose mask"),
                    });
            self.gpu_mask.encode(
                &self.gpu,
                &mut encoder,
                &result.segmentation_logits_roi,
                &geometry,
            )?;
            self.gpu.queue.submit([encoder.finish()]);
            None
        } else if self.config.segmentation {
            let mut mask = mask_in_image(&result.segmentation_logits_roi, &geometry)?;
            if !self.config.static_mode {
                if let Some(previous) = &self.previous_mask {
                    mask.smooth_with(previous);
                }
                self.previous_mask = Some(mask.clone());
            }
            Some(mask)
        } else {
            None
        };
        self.times.mask_ms = lap(&mut clock);
        let landmarks = body.map(|[x, y, z, visibility, presence]| Landmark {
            x,
            y,
            z,
            visibility,
            presence,
        });
        Ok(Some(Body {
            landmarks,
            world_landmarks: world,
            pose_score: result.pose_score,
            roi,
            detection,
            mask,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::RelativeBox;

    fn detection(score: f32, xmin: f32, ymin: f32, side: f32) -> Detection {
        Detection {
            score,
            bbox: RelativeBox {
                xmin,
                ymin,
                width: side,
                height: side,
            },
            keypoints: [[0.0; 2]; 4],
        }
    }

    #[test]
    fn the_kiosk_follows_the_large_central_person_not_the_best_score() {
        // Best first, as the detector gives them: a small, sharp passer-by
        // at the edge, then the shopper filling the middle.
        let passer_by = detection(0.95, 0.02, 0.1, 0.2);
        let shopper = detection(0.7, 0.3, 0.1, 0.6);
        let found = [passer_by, shopper];
        assert_eq!(
            PersonChoice::BestScore.choose(&found, 1.0),
            Some(&passer_by)
        );
        assert_eq!(
            PersonChoice::CentreAndLargest.choose(&found, 1.0),
            Some(&shopper)
        );
        // Two people of one size: the one nearer the centre.
        let left = detection(0.9, 0.0, 0.3, 0.4);
        let centre = detection(0.6, 0.3, 0.3, 0.4);
        assert_eq!(
            PersonChoice::CentreAndLargest.choose(&[left, centre], 4.0 / 3.0),
            Some(&centre)
        );
        assert_eq!(PersonChoice::CentreAndLargest.choose(&[], 1.0), None);
    }
}
