//! Applications on top of the library: the batch renderer behind
//! `drape render` and the live window behind `drape run` (its frame logic,
//! testable without a window, in `live`).

pub mod bench;
pub mod bench_frame;
pub mod bench_jitter;
pub mod kiosk;
pub mod live;
pub mod pose;
mod render;
mod snapshot;
pub mod soak;
pub mod window;
mod window_gpu;

pub use live::{LiveOptions, LiveView, Screen, Tick};
pub use render::{render, Progress, RenderOptions, RenderSummary, StillsTryOn};
pub use window::{run_window, WindowOptions, WindowSummary};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A flag raised by Ctrl-C (or by a caller) that asks a run to end after
/// the frame in hand, with every file complete.
#[derive(Debug, Clone, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    /// A flag not raised yet.
    pub fn new() -> StopFlag {
        StopFlag::default()
    }

    /// Raises the flag on SIGINT/SIGTERM. A second Ctrl-C exits at once
    /// (exit code 130), for a run that does not stop by itself.
    pub fn on_ctrl_c(&self) -> StopFlag {
        let flag = self.clone();
        let result = ctrlc::set_handler(move || {
            if flag.is_raised() {
                std::process::exit(130);
            }
            flag.raise();
        });
        if let Err(e) = result {
            tracing::warn!("Ctrl-C will not end the run cleanly: {e}");
        }
        self.clone()
    }

    /// Asks the run to stop; every clone sees it.
    pub fn raise(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether the flag was raised.
    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
