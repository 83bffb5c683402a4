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

use super::live::{LiveOptions, LiveView, Tick};
use super::window_gpu::WindowGpu;
use super::StopFlag;
use crate::capture::FrameSource;
use crate::output::OutputError;
use crate::{Error, MirrorConfig, Result};

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
    gpu: WindowGpu,
    view: LiveView,
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
        let (gpu, window_gpu) = WindowGpu::open(event_loop, window, self.options.vsync)?;
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
            gpu: window_gpu,
            view,
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
                state.gpu.resize(state.view.gpu(), size.width, size.height);
            }
            WindowEvent::RedrawRequested => {
                if let Some(texture) = state.view.shown() {
                    state.gpu.present(state.view.gpu(), texture);
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
        let view = &mut state.view;
        state
            .gpu
            .rebuild(event_loop, "the mirror", |gpu| view.recover(gpu));
        state.gpu.test_hook(state.view.gpu(), state.view.frames());
        if !state.gpu.is_lost() {
            match state.view.tick(Instant::now()) {
                Ok(Tick::Show) => state.gpu.window.request_redraw(),
                Ok(Tick::Idle) => {}
                Ok(Tick::Ended) => {
                    event_loop.exit();
                    return;
                }
                Ok(Tick::GpuLost) => {
                    state.gpu.lost();
                    let view = &mut state.view;
                    state
                        .gpu
                        .rebuild(event_loop, "the mirror", |gpu| view.recover(gpu));
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
