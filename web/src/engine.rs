//! The page's engine: a WebGPU device, a `Mirror` with a `TryOn` whose
//! models and catalog came over HTTP as bytes, and the copy that shows
//! each dressed frame in the page's canvas.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use drape::capture::{Frame, PixelFormat};
use drape::garment::catalog::MemoryFiles;
use drape::nn::models::PoseModelBytes;
use drape::nn::Backend;
use drape::pose::PoseConfig;
use drape::tryon::{TryOn, TryOnConfig};
use drape::{GpuContext, Mirror, MirrorConfig};
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::canvas::CanvasCopy;
use crate::status::Counters;

/// The try-on running in the page. Calls must not overlap: await each
/// `frame` before the next call of any method.
#[wasm_bindgen]
pub struct Engine {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    gpu: GpuContext,
    mirror: Mirror,
    /// Taken while a frame is being copied to the canvas.
    canvas: Option<CanvasCopy>,
    counters: Counters,
    /// A static-mode tracker for `landmarks_of` (made on first use).
    still: Option<drape::pose::PoseTracker>,
    models: PoseModelBytes,
}

/// A JavaScript `Error` with `message`.
fn js_error(message: impl std::fmt::Display) -> JsError {
    JsError::new(&message.to_string())
}

#[wasm_bindgen]
impl Engine {
    /// Opens WebGPU on `canvas` and loads the try-on: `detector` and
    /// `landmarks` are the two pose models' bytes, `files` the catalog's
    /// files by the paths the manifest names (`catalog.toml` among them),
    /// `wear` the garment to start with (the catalog's default if none).
    /// Fails with a message a person can act on (no WebGPU adapter, a
    /// model that is not the expected one, a catalog that does not read).
    pub async fn start(
        canvas: HtmlCanvasElement,
        detector: Vec<u8>,
        landmarks: Vec<u8>,
        files: js_sys::Map,
        wear: Option<String>,
    ) -> Result<Engine, JsError> {
        console_error_panic_hook::set_once();
        crate::console::install();
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
            backends: wgpu::Backends::BROWSER_WEBGPU,
            ..wgpu::InstanceDescriptor::new_without_display_handle()
        });
        let gpu = GpuContext::open(instance, None).await.map_err(js_error)?;
        let canvas = CanvasCopy::new(canvas)?;

        let mut memory = MemoryFiles::new();
        for entry in files.entries() {
            let pair: js_sys::Array = entry.map_err(|_| js_error("a catalog file entry"))?.into();
            let path = pair
                .get(0)
                .as_string()
                .ok_or_else(|| js_error("a catalog file's path is not a string"))?;
            let bytes = js_sys::Uint8Array::new(&pair.get(1)).to_vec();
            memory.insert(path, bytes);
        }
        let models = PoseModelBytes::new(detector, landmarks);
        let config = TryOnConfig {
            catalog: "catalog.toml".into(),
            wear: wear.into_iter().collect(),
            // One thread, no GPU network: wasm has no threads here, and the
            // GPU executor waits on the device, which a page must never do.
            pose: PoseConfig {
                backend: Backend::Cpu,
                threads: 1,
                gpu_mask: true,
                ..PoseConfig::default()
            },
            overlay: false,
            assets: Some(Arc::new(memory)),
            models: Some(models.clone()),
            ..TryOnConfig::sample()
        };
        let tryon = TryOn::new(&gpu, config).map_err(js_error)?;
        let mut mirror = Mirror::new(&gpu, MirrorConfig { mirror: true });
        mirror.set_tryon(Some(tryon));
        let inner = Inner {
            gpu,
            mirror,
            canvas: Some(canvas),
            counters: Counters::default(),
            still: None,
            models,
        };
        Ok(Engine {
            inner: Rc::new(RefCell::new(inner)),
        })
    }

    /// The engine's state, or an error while a frame is still being drawn.
    fn inner(&self) -> Result<std::cell::RefMut<'_, Inner>, JsError> {
        self.inner
            .try_borrow_mut()
            .map_err(|_| js_error("the engine is busy with a frame: await frame() first"))
    }

    /// Dresses one camera frame (`rgba`: `width`×`height` RGBA8, rows top
    /// to bottom, as `getImageData` gives it) and draws it on the canvas;
    /// the promise resolves once it is drawn. `timestamp_ms` must grow
    /// from frame to frame.
    pub fn frame(
        &self,
        rgba: Vec<u8>,
        width: u32,
        height: u32,
        timestamp_ms: f64,
    ) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        wasm_bindgen_futures::future_to_promise(async move {
            let (gpu, dressed, mut canvas) = {
                let mut state = inner.try_borrow_mut().map_err(|_| {
                    js_error("the engine is busy with a frame: await frame() first")
                })?;
                let timestamp = Duration::from_secs_f64(timestamp_ms.max(0.0) / 1e3);
                let frame = Frame::new(rgba, PixelFormat::Rgba8, width, height)
                    .map_err(js_error)?
                    .with_timestamp(timestamp, state.counters.frames);
                let dressed = state.mirror.process(&frame).map_err(js_error)?;
                let found = state.mirror.tryon().and_then(TryOn::body).is_some();
                state.counters.count(found, timestamp_ms);
                let canvas = state
                    .canvas
                    .take()
                    .ok_or_else(|| js_error("a frame is still being drawn: await frame() first"))?;
                (state.gpu.clone(), dressed, canvas)
            };
            // No borrow is held while the browser copies the frame.
            let shown = canvas.show(&gpu, &dressed).await;
            if let Ok(mut state) = inner.try_borrow_mut() {
                state.canvas = Some(canvas);
            }
            shown?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Puts on garment `id` (a garment replaces the one worn, an accessory
    /// joins it); an unknown id is an error naming the catalog's.
    pub fn wear(&self, id: &str) -> Result<(), JsError> {
        let mut inner = self.inner()?;
        let tryon = inner
            .mirror
            .tryon_mut()
            .ok_or_else(|| js_error("no try-on"))?;
        tryon.wear(id).map_err(js_error)?;
        Ok(())
    }

    /// The worn garments' ids, garment first.
    pub fn outfit(&self) -> Result<Vec<String>, JsError> {
        Ok(self.inner()?.outfit())
    }

    /// `frames 120, pose 112, wearing tee-indigo, 14.2 fps`.
    pub fn status(&self) -> Result<String, JsError> {
        let inner = self.inner()?;
        Ok(inner.counters.describe(&inner.outfit()))
    }

    /// Where the last frame's time went, as JSON: `{"pose_ms", "fit_ms",
    /// "deform_ms", "cloth_ms", "render_ms"}`.
    pub fn stage_times(&self) -> Result<String, JsError> {
        let inner = self.inner()?;
        let times = inner.mirror.tryon().map(TryOn::times).unwrap_or_default();
        Ok(format!(
            r#"{{"pose_ms":{:.2},"fit_ms":{:.2},"deform_ms":{:.2},"cloth_ms":{:.2},"render_ms":{:.2}}}"#,
            times.pose_ms, times.fit_ms, times.deform_ms, times.cloth_ms, times.render_ms
        ))
    }

    /// The last frame's 33 body landmarks, 5 numbers each (x, y, z,
    /// visibility, presence; x and y in the mirrored picture's [0, 1]);
    /// empty when no person was found.
    pub fn landmarks(&self) -> Result<Vec<f32>, JsError> {
        let inner = self.inner()?;
        let body = inner.mirror.tryon().and_then(TryOn::body);
        Ok(body.map(flat_landmarks).unwrap_or_default())
    }

    /// The landmarks of one still picture (static mode: detector, then the
    /// landmark model, no smoothing), as `landmarks` gives them; empty
    /// without a person. What the native build computes on the same
    /// pixels, for checking the two agree.
    pub fn landmarks_of(&self, rgba: &[u8], width: u32, height: u32) -> Result<Vec<f32>, JsError> {
        let mut inner = self.inner()?;
        let inner = &mut *inner;
        if inner.still.is_none() {
            let config = PoseConfig {
                backend: Backend::Cpu,
                threads: 1,
                static_mode: true,
                ..PoseConfig::default()
            };
            let tracker = drape::pose::PoseTracker::with_models(&inner.gpu, config, &inner.models)
                .map_err(js_error)?;
            inner.still = Some(tracker);
        }
        let Some(tracker) = inner.still.as_mut() else {
            unreachable!("made above");
        };
        let body = tracker
            .process(rgba, width, height, Duration::ZERO)
            .map_err(js_error)?;
        Ok(body.as_ref().map(flat_landmarks).unwrap_or_default())
    }
}

impl Inner {
    fn outfit(&self) -> Vec<String> {
        self.mirror
            .tryon()
            .map(|tryon| tryon.outfit().into_iter().map(str::to_owned).collect())
            .unwrap_or_default()
    }
}

fn flat_landmarks(body: &drape::pose::Body) -> Vec<f32> {
    body.landmarks
        .iter()
        .flat_map(|l| [l.x, l.y, l.z, l.visibility, l.presence])
        .collect()
}
