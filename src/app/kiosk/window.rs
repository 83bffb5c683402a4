//! `drape kiosk`'s window: full screen on the chosen monitor with or
//! without a window manager (the window asks for the monitor's position
//! and size itself, which a bare X server honours; a window manager gets
//! the full-screen request too), no cursor, no decorations. Keys, mouse and
//! touch are the fallbacks of the gestures. A lost GPU is rebuilt as in
//! `drape run`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use winit::application::ApplicationHandler;
use winit::event::{ElementState, KeyEvent, MouseButton, TouchPhase, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::keyboard::{Key, NamedKey};
use winit::monitor::MonitorHandle;
use winit::window::{Fullscreen, Window, WindowId};

use super::{Kiosk, KioskTick};
use crate::app::window_gpu::WindowGpu;
use crate::app::StopFlag;
use crate::capture::FrameSource;
use crate::kiosk::config::{KioskConfig, MonitorChoice};
use crate::output::OutputError;
use crate::{Error, Result};

/// The window's size when not full screen and none is configured: a
/// portrait 1080p panel.
pub const DEFAULT_WINDOW_SIZE: (u32, u32) = (1080, 1920);

/// What a kiosk run did.
#[derive(Debug, Clone, PartialEq)]
pub struct KioskSummary {
    /// Source frames processed.
    pub frames: u64,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// Whether Ctrl-C ended it.
    pub interrupted: bool,
}

/// Runs the kiosk on `source` until the window closes, Escape, Ctrl-C or
/// (with `exit_at_end`) the source's end.
pub fn run_kiosk(
    source: Box<dyn FrameSource>,
    config: KioskConfig,
    exit_at_end: bool,
    stop: &StopFlag,
) -> Result<KioskSummary> {
    let event_loop = EventLoop::new().map_err(|e| {
        OutputError::Window(format!(
            "cannot connect to a display ({e}). Set DISPLAY or WAYLAND_DISPLAY, or run under `xvfb-run`"
        ))
    })?;
    let mut app = KioskApp {
        source: Some(source),
        config: Some(config),
        exit_at_end,
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
    Ok(KioskSummary {
        frames: app.state.as_ref().map_or(0, |s| s.kiosk.live().frames()),
        elapsed: app.started.elapsed(),
        interrupted: app.interrupted,
    })
}

struct KioskState {
    gpu: WindowGpu,
    kiosk: Kiosk,
    cursor: Option<(f32, f32)>,
}

struct KioskApp {
    source: Option<Box<dyn FrameSource>>,
    config: Option<KioskConfig>,
    exit_at_end: bool,
    stop: StopFlag,
    state: Option<KioskState>,
    error: Option<Error>,
    started: Instant,
    interrupted: bool,
}

/// The monitor `choice` names, else the primary, else the first.
fn pick_monitor(event_loop: &ActiveEventLoop, choice: &MonitorChoice) -> Option<MonitorHandle> {
    let monitors: Vec<MonitorHandle> = event_loop.available_monitors().collect();
    let chosen = match choice {
        MonitorChoice::Index(i) => monitors.get(*i).cloned(),
        MonitorChoice::Name(name) => monitors
            .iter()
            .find(|m| m.name().is_some_and(|n| n.contains(name.as_str())))
            .cloned(),
    };
    if chosen.is_none() {
        let names: Vec<String> = monitors
            .iter()
            .enumerate()
            .map(|(i, m)| format!("{i}: {}", m.name().unwrap_or_default()))
            .collect();
        tracing::warn!(
            "monitor {choice:?} not found (there are: {}); using the primary one",
            names.join(", ")
        );
    }
    chosen
        .or_else(|| event_loop.primary_monitor())
        .or_else(|| monitors.into_iter().next())
}

impl KioskApp {
    fn open(&mut self, event_loop: &ActiveEventLoop) -> Result<KioskState> {
        let (Some(source), Some(config)) = (self.source.take(), self.config.take()) else {
            return Err(OutputError::Window("the kiosk window was opened twice".into()).into());
        };
        let mut attributes = Window::default_attributes()
            .with_title("drape kiosk")
            .with_decorations(false);
        let monitor = pick_monitor(event_loop, &config.display.monitor);
        let windowed = config.display.window_size.unwrap_or(DEFAULT_WINDOW_SIZE);
        match (&monitor, config.display.fullscreen) {
            (Some(monitor), true) => {
                // Without a window manager nobody acts on the full-screen
                // request: ask for the monitor's place and size directly.
                attributes = attributes
                    .with_position(monitor.position())
                    .with_inner_size(monitor.size())
                    .with_fullscreen(Some(Fullscreen::Borderless(Some(monitor.clone()))));
            }
            _ => {
                attributes = attributes
                    .with_inner_size(winit::dpi::PhysicalSize::new(windowed.0, windowed.1));
            }
        }
        let window = Arc::new(
            event_loop
                .create_window(attributes)
                .map_err(|e| OutputError::Window(format!("cannot create a window: {e}")))?,
        );
        window.set_cursor_visible(false);
        let size = window.inner_size();
        let (gpu, window_gpu) = WindowGpu::open(event_loop, window, true)?;
        let kiosk = Kiosk::new(
            &gpu,
            source,
            config,
            (size.width.max(1), size.height.max(1)),
            self.exit_at_end,
        )?;
        tracing::info!(
            "kiosk on {} at {}×{}",
            monitor
                .and_then(|m| m.name())
                .unwrap_or_else(|| "the screen".into()),
            size.width,
            size.height
        );
        Ok(KioskState {
            gpu: window_gpu,
            kiosk,
            cursor: None,
        })
    }

    fn fail(&mut self, event_loop: &ActiveEventLoop, error: Error) {
        self.error.get_or_insert(error);
        event_loop.exit();
    }
}

impl ApplicationHandler for KioskApp {
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
        let now = Instant::now();
        match event {
            WindowEvent::CloseRequested => event_loop.exit(),
            WindowEvent::KeyboardInput {
                event:
                    KeyEvent {
                        logical_key,
                        state: ElementState::Pressed,
                        repeat: false,
                        ..
                    },
                // Keys held when the window gains focus come as synthetic
                // presses: not a press to act on.
                is_synthetic: false,
                ..
            } => match logical_key {
                Key::Named(NamedKey::Escape) => event_loop.exit(),
                Key::Named(NamedKey::ArrowRight) => state.kiosk.step(1, now),
                Key::Named(NamedKey::ArrowLeft) => state.kiosk.step(-1, now),
                Key::Named(NamedKey::Space | NamedKey::Enter) => state.kiosk.request_snapshot(now),
                _ => {}
            },
            WindowEvent::CursorMoved { position, .. } => {
                let position = (position.x as f32, position.y as f32);
                state.cursor = Some(position);
                state.kiosk.pointer_moved(Some(position), now);
            }
            WindowEvent::CursorLeft { .. } => {
                state.cursor = None;
                state.kiosk.pointer_moved(None, now);
            }
            WindowEvent::MouseInput {
                state: ElementState::Pressed,
                button: MouseButton::Left,
                ..
            } => {
                if let Some(position) = state.cursor {
                    state.kiosk.clicked(position, now);
                }
            }
            WindowEvent::Touch(touch) if touch.phase == TouchPhase::Started => {
                let position = (touch.location.x as f32, touch.location.y as f32);
                state.kiosk.clicked(position, now);
            }
            WindowEvent::Resized(size) => {
                state.gpu.resize(state.kiosk.gpu(), size.width, size.height);
                state.kiosk.set_screen_size((size.width, size.height));
            }
            WindowEvent::RedrawRequested => {
                if let Some(texture) = state.kiosk.shown() {
                    state.gpu.present(state.kiosk.gpu(), texture);
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
        let kiosk = &mut state.kiosk;
        state
            .gpu
            .rebuild(event_loop, "the kiosk", |gpu| kiosk.recover(gpu));
        state
            .gpu
            .test_hook(state.kiosk.gpu(), state.kiosk.live().frames());
        if !state.gpu.is_lost() {
            match state.kiosk.tick(Instant::now()) {
                Ok(KioskTick::Show) => state.gpu.window.request_redraw(),
                Ok(KioskTick::Idle) => {}
                Ok(KioskTick::Ended) => {
                    event_loop.exit();
                    return;
                }
                Ok(KioskTick::GpuLost) => {
                    state.gpu.lost();
                    let kiosk = &mut state.kiosk;
                    state
                        .gpu
                        .rebuild(event_loop, "the kiosk", |gpu| kiosk.recover(gpu));
                }
                Err(e) => return self.fail(event_loop, e),
            }
        }
        event_loop.set_control_flow(ControlFlow::WaitUntil(
            Instant::now() + Duration::from_millis(4),
        ));
    }
}
