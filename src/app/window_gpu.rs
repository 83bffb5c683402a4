//! A window's GPU side, shared by `drape run` and `drape kiosk`: the
//! presenter for the window's surface, made again on a new device after
//! the old one is lost (retried every second while the driver resets), and
//! the test hook that loses the device on purpose.

use std::sync::Arc;
use std::time::{Duration, Instant};

use winit::event_loop::ActiveEventLoop;
use winit::window::Window;

use super::live::ReportOnce;
use crate::gpu::{GpuContext, GpuError};
use crate::output::window::WindowPresenter;
use crate::Result;

/// How long to wait before trying again to open a GPU device after a loss
/// when the last try failed (a driver still resetting).
const GPU_RETRY_INTERVAL: Duration = Duration::from_secs(1);

/// Test hook (`DRAPE_TEST_LOSE_GPU_AFTER_FRAMES=N`): the GPU device is
/// destroyed once N frames were processed, as a driver reset would, so the
/// rebuild can be tested; a reset cannot be caused on demand.
const LOSE_GPU_AFTER_FRAMES_ENV: &str = "DRAPE_TEST_LOSE_GPU_AFTER_FRAMES";

/// The window, its presenter (none from a GPU loss until rebuilt), and
/// what the rebuild needs.
pub(super) struct WindowGpu {
    pub(super) window: Arc<Window>,
    presenter: Option<WindowPresenter>,
    vsync: bool,
    /// When to try again to make a new device, after a failed try.
    retry_at: Option<Instant>,
    reported: ReportOnce,
    /// The test hook's frame count; taken when used: one loss per run.
    lose_after_frames: Option<u64>,
}

/// A GPU context that can present to `window`, and its presenter.
fn open_gpu(
    event_loop: &ActiveEventLoop,
    window: &Arc<Window>,
    vsync: bool,
) -> Result<(GpuContext, WindowPresenter)> {
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_with_display_handle_from_env(
        Box::new(event_loop.owned_display_handle()),
    ));
    let surface = instance
        .create_surface(Arc::clone(window))
        .map_err(|e| GpuError::Surface(e.to_string()))?;
    let gpu = pollster::block_on(GpuContext::open(instance, Some(&surface)))?;
    tracing::info!("window on {} ({:?})", gpu.info.name, gpu.info.backend);
    let size = window.inner_size();
    let presenter = WindowPresenter::new(&gpu, surface, size.width, size.height, vsync)?;
    Ok((gpu, presenter))
}

impl WindowGpu {
    /// A GPU context that presents to `window`.
    pub(super) fn open(
        event_loop: &ActiveEventLoop,
        window: Arc<Window>,
        vsync: bool,
    ) -> Result<(GpuContext, WindowGpu)> {
        let (gpu, presenter) = open_gpu(event_loop, &window, vsync)?;
        let window_gpu = WindowGpu {
            window,
            presenter: Some(presenter),
            vsync,
            retry_at: None,
            reported: ReportOnce::default(),
            lose_after_frames: std::env::var(LOSE_GPU_AFTER_FRAMES_ENV)
                .ok()
                .and_then(|n| n.parse().ok()),
        };
        Ok((gpu, window_gpu))
    }

    /// Whether the device was lost and is not rebuilt yet.
    pub(super) fn is_lost(&self) -> bool {
        self.presenter.is_none()
    }

    /// The device is lost: rebuild it (now, and again each second until it
    /// works) with `rebuild`.
    pub(super) fn lost(&mut self) {
        tracing::error!("the GPU device was lost; rebuilding it");
        self.presenter = None;
        self.retry_at = None;
    }

    /// After a loss: a new device and surface for the same window, and
    /// `recover` rebuilds on it what draws (`what` goes on, says the log).
    /// A failed try is retried a second later.
    pub(super) fn rebuild(
        &mut self,
        event_loop: &ActiveEventLoop,
        what: &str,
        recover: impl FnOnce(&GpuContext) -> Result<()>,
    ) {
        if !self.is_lost() || self.retry_at.is_some_and(|at| Instant::now() < at) {
            return;
        }
        // The old surface is gone already: a window has one at a time.
        let rebuilt =
            open_gpu(event_loop, &self.window, self.vsync).and_then(|(gpu, presenter)| {
                recover(&gpu)?;
                Ok((gpu, presenter))
            });
        match rebuilt {
            Ok((gpu, presenter)) => {
                tracing::info!("GPU rebuilt on {}; {what} goes on", gpu.info.name);
                self.presenter = Some(presenter);
                self.retry_at = None;
                self.window.request_redraw();
            }
            Err(e) => {
                let message = e.to_string();
                if self.reported.first_time(&message) {
                    tracing::error!("cannot rebuild the GPU yet: {message}; trying again");
                }
                self.retry_at = Some(Instant::now() + GPU_RETRY_INTERVAL);
            }
        }
    }

    /// Follows a window resize.
    pub(super) fn resize(&mut self, gpu: &GpuContext, width: u32, height: u32) {
        if let Some(presenter) = self.presenter.as_mut() {
            presenter.resize(gpu, width, height);
        }
        self.window.request_redraw();
    }

    /// Shows `texture`. A lost device is rebuilt at the next tick; any
    /// other failure is logged once and the next frame tries again.
    pub(super) fn present(&mut self, gpu: &GpuContext, texture: &wgpu::Texture) {
        let Some(presenter) = self.presenter.as_mut() else {
            return;
        };
        if let Err(e) = presenter.present(gpu, texture) {
            let message = e.to_string();
            if !gpu.is_lost() && self.reported.first_time(&message) {
                tracing::error!("cannot present: {message}");
            }
        }
    }

    /// The test hook: destroys `gpu`'s device once `frames` reach its count.
    pub(super) fn test_hook(&mut self, gpu: &GpuContext, frames: u64) {
        if self.lose_after_frames.is_some_and(|n| frames >= n) {
            self.lose_after_frames = None;
            tracing::warn!("{LOSE_GPU_AFTER_FRAMES_ENV}: destroying the GPU device");
            gpu.device.destroy();
        }
    }
}
