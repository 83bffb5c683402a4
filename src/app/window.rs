//! `drape run`: the live mirror in a window. The source runs on its own
//! thread (newest frame wins); `LiveView` (in `live`) decides what to show
//! each tick, and this event loop presents it. Closing the window or Ctrl-C
//! ends the run cleanly. What the window owns itself is the surface: when
//! the GPU device is lost it makes a new context and surface for the same
//! window and has the view rebuild everything on them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use winit::application::ApplicationHandler;
use winit::event::{ElementState, KeyEvent, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::keyboard::{Key, NamedKey};
use winit::window::{Fullscreen, Window, WindowId};

use super::live::{LiveOptions, LiveView, ReportOnce, Tick};
use super::StopFlag;
use crate::capture::FrameSource;
use crate::gpu::{GpuContext, GpuError};
use crate::output::window::WindowPresenter;
use crate::output::OutputError;
use crate::{Error, MirrorConfig, Result};

/// How long to wait before trying again to open a GPU device after a loss
/// when the last try failed (a driver still resetting).
pub(super) const GPU_RETRY_INTERVAL: Duration = Duration::from_secs(1);

/// How `run_window` shows the mirror.
#[derive(Debug, Clone)]
pub struct WindowOptions {
    /// The window's title, before the source's description (default
    /// `drape`).
    pub title: String,
    /// Borderless full screen on the current monitor.
    pub fullscreen: bool,
    /// Present in step with the display's refresh.
    pub vsync: bool,
    /// Close when a finite source ends (else its last frame stays shown).
    pub exit_at_end: bool,
    /// How each frame is treated (flipped or not).
    pub mirror: MirrorConfig,
    /// Dress the person (arrow keys switch garments); `None`: plain mirror.
    pub tryon: Option<crate::tryon::TryOnConfig>,
    /// Where the S key saves the picture shown; `None`: snapshots are off.
    pub snapshot_dir: Option<std::path::PathBuf>,
}

impl Default for WindowOptions {
    fn default() -> Self {
        WindowOptions {
            title: "drape".into(),
            fullscreen: false,
            vsync: true,
            exit_at_end: false,
            mirror: MirrorConfig::default(),
            tryon: None,
            snapshot_dir: None,
        }
    }
}

/// What a window run did.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowSummary {
    /// Source frames processed (`LiveView::frames`).
    pub frames: u64,
    /// Source frames dropped because a newer one came first.
    pub dropped: u64,
    /// Wall-clock time from the start of the run to its end.
    pub elapsed: Duration,
    /// Whether Ctrl-C (the stop flag) ended the run.
    pub interrupted: bool,
}

impl std::fmt::Display for WindowSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} frames shown in {:.2} s ({:.1} fps), {} dropped",
            self.frames,
            self.elapsed.as_secs_f64(),
            self.frames as f64 / self.elapsed.as_secs_f64().max(1e-9),
            self.dropped
        )
    }
}

/// Shows `source` in a window until it is closed, Ctrl-C, or (with
/// `exit_at_end`) the source ends.
pub fn run_window(
    source: Box<dyn FrameSource>,
    options: WindowOptions,
    stop: &StopFlag,
) -> Result<WindowSummary> {
    let event_loop = EventLoop::new().map_err(|e| {
        OutputError::Window(format!(
            "cannot connect to a display ({e}). Set DISPLAY or WAYLAND_DISPLAY, run under `xvfb-run`, or write files with `drape render`"
        ))
    })?;
    let mut app = WindowApp {
        source: Some(source),
        options,
        stop: stop.clone(),
        state: None,
        error: None,
        started: Instant::now(),
        interrupted: false,
        reported: ReportOnce::default(),
        lose_gpu_after_frames: std::env::var(LOSE_GPU_AFTER_FRAMES_ENV)
            .ok()
            .and_then(|n| n.parse().ok()),
    };
    event_loop
        .run_app(&mut app)
        .map_err(|e| OutputError::Window(e.to_string()))?;
    if let Some(error) = app.error {
        return Err(error);
    }
    let view = app.state.as_ref().map(|s| &s.view);
    Ok(WindowSummary {
        frames: view.map_or(0, |v| v.frames()),
        dropped: view.map_or(0, |v| v.dropped_frames()),
        elapsed: app.started.elapsed(),
        interrupted: app.interrupted,
    })
}

struct WindowState {
    window: Arc<Window>,
    /// `None` from a GPU loss until a new device and surface are made.
    presenter: Option<WindowPresenter>,
    view: LiveView,
    /// When to try again to make a new device, after a failed try.
    gpu_retry_at: Option<Instant>,
}

struct WindowApp {
    /// Until the window opens and the view takes it.
    source: Option<Box<dyn FrameSource>>,
    options: WindowOptions,
    stop: StopFlag,
    state: Option<WindowState>,
    error: Option<Error>,
    started: Instant,
    interrupted: bool,
    reported: ReportOnce,
    /// Test hook (`DRAPE_TEST_LOSE_GPU_AFTER_FRAMES=N`): destroys the GPU
    /// device once N frames were processed, as a driver reset would, so
    /// the window's rebuild can be tested; a reset cannot be caused on
    /// demand. Taken when used: one loss per run.
    lose_gpu_after_frames: Option<u64>,
}

/// The environment variable of `WindowApp::lose_gpu_after_frames`.
pub(super) const LOSE_GPU_AFTER_FRAMES_ENV: &str = "DRAPE_TEST_LOSE_GPU_AFTER_FRAMES";

/// A GPU context that can present to `window`, and its presenter.
pub(super) fn open_gpu(
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
    let presenter = WindowPresenter::new(&gpu, surface, window, vsync)?;
    Ok((gpu, presenter))
}

impl WindowApp {
    fn open(&mut self, event_loop: &ActiveEventLoop) -> Result<WindowState> {
        let Some(source) = self.source.take() else {
            return Err(OutputError::Window("the window was opened twice".into()).into());
        };
        let info = source.info().clone();
        let mut attributes = Window::default_attributes()
            .with_title(format!("{} — {}", self.options.title, info.description))
            .with_inner_size(winit::dpi::PhysicalSize::new(info.width, info.height));
        if self.options.fullscreen {
            attributes = attributes.with_fullscreen(Some(Fullscreen::Borderless(None)));
        }
        let window = Arc::new(
            event_loop
                .create_window(attributes)
                .map_err(|e| OutputError::Window(format!("cannot create a window: {e}")))?,
        );
        let (gpu, presenter) = open_gpu(event_loop, &window, self.options.vsync)?;
        let view = LiveView::new(
            &gpu,
            source,
            LiveOptions {
                mirror: self.options.mirror.clone(),
                tryon: self.options.tryon.clone(),
                exit_at_end: self.options.exit_at_end,
                snapshot_dir: self.options.snapshot_dir.clone(),
            },
        )?;
        Ok(WindowState {
            window,
            presenter: Some(presenter),
            view,
            gpu_retry_at: None,
        })
    }

    fn fail(&mut self, event_loop: &ActiveEventLoop, error: Error) {
        self.error.get_or_insert(error);
        event_loop.exit();
    }

    /// After a GPU loss: a new device and surface for the same window, and
    /// everything rebuilt on them. A failed try is retried a second later.
    fn rebuild_gpu(&mut self, event_loop: &ActiveEventLoop) {
        let Some(state) = self.state.as_mut() else {
            return;
        };
        if state.gpu_retry_at.is_some_and(|at| Instant::now() < at) {
            return;
        }
        // The old surface goes first: a window has one at a time.
        state.presenter = None;
        let rebuilt =
            open_gpu(event_loop, &state.window, self.options.vsync).and_then(|(gpu, presenter)| {
                state.view.recover(&gpu)?;
                Ok((gpu, presenter))
            });
        match rebuilt {
            Ok((gpu, presenter)) => {
                tracing::info!("GPU rebuilt on {}; the mirror goes on", gpu.info.name);
                state.presenter = Some(presenter);
                state.gpu_retry_at = None;
                state.window.request_redraw();
            }
            Err(e) => {
                let message = e.to_string();
                if self.reported.first_time(&message) {
                    tracing::error!("cannot rebuild the GPU yet: {message}; trying again");
                }
                state.gpu_retry_at = Some(Instant::now() + GPU_RETRY_INTERVAL);
            }
        }
    }
}

impl ApplicationHandler for WindowApp {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.state.is_some() {
            return;
        }
        match self.open(event_loop) {
            Ok(state) => self.state = Some(state),
            Err(e) => self.fail(event_loop, e),
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        let Some(state) = self.state.as_mut() else {
            return;
        };
        match event {
            WindowEvent::CloseRequested => event_loop.exit(),
            WindowEvent::KeyboardInput {
                event:
                    KeyEvent {
                        logical_key: Key::Named(NamedKey::Escape),
                        state: ElementState::Pressed,
                        ..
                    },
                // Keys already held when the window gains focus are
                // replayed as synthetic presses: not a press to act on.
                is_synthetic: false,
                ..
            } => event_loop.exit(),
            WindowEvent::KeyboardInput {
                event:
                    KeyEvent {
                        logical_key: Key::Named(key @ (NamedKey::ArrowRight | NamedKey::ArrowLeft)),
                        state: ElementState::Pressed,
                        ..
                    },
                // Keys already held when the window gains focus are
                // replayed as synthetic presses: not a press to act on.
                is_synthetic: false,
                ..
            } => {
                // The producer (or shopper) switches the outfit live; the
                // view shows it at the next tick, new frame or not.
                state
                    .view
                    .next_garment(if key == NamedKey::ArrowRight { 1 } else { -1 });
            }
            WindowEvent::KeyboardInput {
                event:
                    KeyEvent {
                        logical_key: Key::Character(key),
                        state: ElementState::Pressed,
                        repeat: false,
                        ..
                    },
                is_synthetic: false,
                ..
            } if key.eq_ignore_ascii_case("s") => {
                // A failed write is a notice on screen; the window stays.
                state.view.snapshot(Instant::now());
            }
            WindowEvent::Resized(size) => {
                if let Some(presenter) = state.presenter.as_mut() {
                    presenter.resize(state.view.gpu(), size.width, size.height);
                }
                state.window.request_redraw();
            }
            WindowEvent::RedrawRequested => {
                let (Some(presenter), Some(texture)) =
                    (state.presenter.as_mut(), state.view.shown())
                else {
                    return;
                };
                if let Err(e) = presenter.present(state.view.gpu(), texture) {
                    // A lost device is rebuilt at the next tick; anything
                    // else is logged once and the next frame tries again.
                    let message = e.to_string();
                    if !state.view.gpu().is_lost() && self.reported.first_time(&message) {
                        tracing::error!("cannot present: {message}");
                    }
                }
            }
            _ => {}
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        if self.stop.is_raised() {
            self.interrupted = true;
            event_loop.exit();
            return;
        }
        if self.state.as_ref().is_some_and(|s| s.presenter.is_none()) {
            self.rebuild_gpu(event_loop);
        }
        let Some(state) = self.state.as_mut() else {
            return;
        };
        if self
            .lose_gpu_after_frames
            .is_some_and(|n| state.view.frames() >= n)
        {
            self.lose_gpu_after_frames = None;
            tracing::warn!("{LOSE_GPU_AFTER_FRAMES_ENV}: destroying the GPU device");
            state.view.gpu().device.destroy();
        }
        if state.presenter.is_some() {
            match state.view.tick(Instant::now()) {
                Ok(Tick::Show) => state.window.request_redraw(),
                Ok(Tick::Idle) => {}
                Ok(Tick::Ended) => {
                    event_loop.exit();
                    return;
                }
                Ok(Tick::GpuLost) => {
                    tracing::error!("the GPU device was lost; rebuilding it");
                    state.presenter = None;
                    state.gpu_retry_at = None;
                    self.rebuild_gpu(event_loop);
                }
                Err(e) => return self.fail(event_loop, e),
            }
        }
        // Poll for the next frame soon; the capture thread keeps only the
        // newest, so waking late never builds a backlog.
        event_loop.set_control_flow(ControlFlow::WaitUntil(
            Instant::now() + Duration::from_millis(4),
        ));
    }
}
