//! `drape run`: the live mirror in a window. The source runs on its own
//! thread (newest frame wins); the event loop uploads, converts and presents
//! each new frame. Closing the window or Ctrl-C ends the run cleanly.

use std::sync::Arc;
use std::time::{Duration, Instant};

use winit::application::ApplicationHandler;
use winit::event::{ElementState, KeyEvent, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::keyboard::{Key, NamedKey};
use winit::window::{Fullscreen, Window, WindowId};

use super::StopFlag;
use crate::capture::{FrameSource, LatestFrame};
use crate::gpu::{GpuContext, GpuError};
use crate::output::window::WindowPresenter;
use crate::output::OutputError;
use crate::{Error, Mirror, MirrorConfig, Result};

#[derive(Debug, Clone)]
pub struct WindowOptions {
    pub title: String,
    pub fullscreen: bool,
    pub vsync: bool,
    /// Close when a finite source ends (else its last frame stays shown).
    pub exit_at_end: bool,
    pub mirror: MirrorConfig,
    /// Dress the person (arrow keys switch garments); `None`: plain mirror.
    pub tryon: Option<crate::tryon::TryOnConfig>,
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
        }
    }
}

/// What a window run did.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowSummary {
    pub frames: u64,
    pub dropped: u64,
    pub elapsed: Duration,
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
    // Files play at their own frame rate; live sources pace themselves.
    let paced = !source.info().live;
    let mut app = WindowApp {
        source: LatestFrame::spawn(source, paced),
        options,
        stop: stop.clone(),
        state: None,
        error: None,
        started: Instant::now(),
        frames: 0,
        interrupted: false,
    };
    event_loop
        .run_app(&mut app)
        .map_err(|e| OutputError::Window(e.to_string()))?;
    if let Some(error) = app.error {
        return Err(error);
    }
    Ok(WindowSummary {
        frames: app.frames,
        dropped: app.source.dropped_frames(),
        elapsed: app.started.elapsed(),
        interrupted: app.interrupted,
    })
}

struct WindowState {
    window: Arc<Window>,
    gpu: GpuContext,
    mirror: Mirror,
    presenter: WindowPresenter,
    shown: Option<wgpu::Texture>,
}

struct WindowApp {
    source: LatestFrame,
    options: WindowOptions,
    stop: StopFlag,
    state: Option<WindowState>,
    error: Option<Error>,
    started: Instant,
    frames: u64,
    interrupted: bool,
}

impl WindowApp {
    fn open(&self, event_loop: &ActiveEventLoop) -> Result<WindowState> {
        let info = self.source.info();
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
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_with_display_handle_from_env(
                Box::new(event_loop.owned_display_handle()),
            ));
        let surface = instance
            .create_surface(Arc::clone(&window))
            .map_err(|e| GpuError::Surface(e.to_string()))?;
        let gpu = pollster::block_on(GpuContext::open(instance, Some(&surface)))?;
        tracing::info!("window on {} ({:?})", gpu.info.name, gpu.info.backend);
        let presenter = WindowPresenter::new(&gpu, surface, &window, self.options.vsync)?;
        let mut mirror = Mirror::new(&gpu, self.options.mirror.clone());
        if let Some(config) = &self.options.tryon {
            mirror.set_tryon(Some(crate::tryon::TryOn::new(&gpu, config.clone())?));
        }
        Ok(WindowState {
            window,
            gpu,
            mirror,
            presenter,
            shown: None,
        })
    }

    fn fail(&mut self, event_loop: &ActiveEventLoop, error: Error) {
        self.error.get_or_insert(error);
        event_loop.exit();
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
                ..
            } => event_loop.exit(),
            WindowEvent::KeyboardInput {
                event:
                    KeyEvent {
                        logical_key: Key::Named(key @ (NamedKey::ArrowRight | NamedKey::ArrowLeft)),
                        state: ElementState::Pressed,
                        ..
                    },
                ..
            } => {
                // The producer (or shopper) switches the outfit live.
                if let Some(tryon) = state.mirror.tryon_mut() {
                    let step = if key == NamedKey::ArrowRight { 1 } else { -1 };
                    match tryon.next_garment(step) {
                        Ok(id) => tracing::info!("wearing {id}"),
                        Err(e) => tracing::warn!("cannot switch garments: {e}"),
                    }
                }
            }
            WindowEvent::Resized(size) => {
                state.presenter.resize(&state.gpu, size.width, size.height);
                state.window.request_redraw();
            }
            WindowEvent::RedrawRequested => {
                if let Some(texture) = &state.shown {
                    if let Err(e) = state.presenter.present(&state.gpu, texture) {
                        self.fail(event_loop, e.into());
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
        let Some(state) = self.state.as_mut() else {
            return;
        };
        if let Some(tryon) = state.mirror.tryon_mut() {
            // Staff may edit the catalog while the kiosk runs.
            if let Some(Err(e)) = tryon.poll_catalog() {
                tracing::warn!("catalog not reloaded, keeping the last good one: {e}");
            }
        }
        match self.source.try_latest() {
            Ok(Some(frame)) => match state.mirror.process(&frame) {
                Ok(texture) => {
                    state.shown = Some(texture);
                    self.frames += 1;
                    state.window.request_redraw();
                }
                Err(e) => return self.fail(event_loop, e),
            },
            Ok(None) => {
                if self.options.exit_at_end && self.source.is_finished() {
                    event_loop.exit();
                    return;
                }
            }
            Err(e) => return self.fail(event_loop, e.into()),
        }
        // Poll for the next frame soon; the capture thread keeps only the
        // newest, so waking late never builds a backlog.
        event_loop.set_control_flow(ControlFlow::WaitUntil(
            Instant::now() + Duration::from_millis(4),
        ));
    }
}
