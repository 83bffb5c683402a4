#![warn(missing_docs, unnameable_types)]
//! drape: a GPU virtual mirror.
//!
//! Frames flow one way: [`capture`] (sources yield [`Frame`]s in their own
//! pixel format) → upload (format conversion and mirroring on the GPU) →
//! [`pose`] (MediaPipe's BlazePose on drape's own network runtime) →
//! garments fitted and rendered ([`tryon`], [`garment::catalog`]) →
//! [`output`] (files, pipes, a window). [`Mirror`] runs the middle of it;
//! [`app`] holds the `drape` commands as functions (render, the live window,
//! benchmarks). A plain mirror in a few lines (give it a
//! [`tryon::TryOn`] with [`Mirror::set_tryon`] to dress the person):
//!
//! ```no_run
//! use drape::{capture, output, GpuContext, Mirror, MirrorConfig};
//! # fn main() -> drape::Result<()> {
//! let gpu = GpuContext::headless()?;
//! let input = capture::InputOptions::default();
//! let mut source = capture::open_source(&capture::SourceSpec::parse("clip.y4m", &input)?, &input)?;
//! let options = output::SinkOptions { fps: source.info().fps.unwrap_or(30.0), frame_count: None };
//! let mut sink = output::open_sink(&output::SinkSpec::parse("out/", None)?, &options)?;
//! let mut mirror = Mirror::new(&gpu, MirrorConfig { mirror: true });
//! while let Some(frame) = source.next_frame()? {
//!     sink.write_frame(&mirror.process_to_cpu(&frame)?)?;
//! }
//! sink.finish()?;
//! # Ok(()) }
//! ```

/// Declares modules that are `pub` (hidden from the docs) with the
/// `internals` feature and crate-private otherwise. drape's own tests,
/// benches and fuzz targets turn the feature on to compare each GPU kernel
/// with its CPU reference; library users get the documented surface only.
macro_rules! internal_mod {
    ($($name:ident),* $(,)?) => {$(
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        pub mod $name;
        #[cfg(not(feature = "internals"))]
        #[allow(dead_code, unused_imports)]
        pub(crate) mod $name;
    )*};
}

/// One item (a function, method, constant, type) that is `pub` (hidden from
/// the docs) with the `internals` feature and crate-private otherwise (see
/// `internal_mod!`). Written with `pub`, which the macro replaces.
macro_rules! internal {
    ($(#[$attr:meta])* pub $($item:tt)*) => {
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        $(#[$attr])*
        pub $($item)*

        #[cfg(not(feature = "internals"))]
        #[allow(dead_code)]
        $(#[$attr])*
        pub(crate) $($item)*
    };
}

/// Re-exports for crate-internal paths, public only with `internals`
/// (see `internal_mod!`).
macro_rules! internal_use {
    ($($tree:tt)*) => {
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        pub use $($tree)*;
        #[cfg(not(feature = "internals"))]
        #[allow(unused_imports)]
        pub(crate) use $($tree)*;
    };
}

// The apps and the products need windows, webcams, threads and sockets: a
// native build's. The rest is the engine a browser runs too (see web/).
#[cfg(not(target_arch = "wasm32"))]
pub mod app;
pub mod capture;
internal_mod!(cloth, upload);
mod error;
pub mod garment;
pub mod gpu;
#[cfg(not(target_arch = "wasm32"))]
pub mod kiosk;
mod mirror;
pub mod nn;
pub mod output;
pub mod pose;
pub mod render;
#[cfg(not(target_arch = "wasm32"))]
pub mod serve;
pub mod tryon;

pub use capture::{Frame, FrameSource, PixelFormat};
pub use cloth::ClothError;
pub use error::{Error, Result};
pub use gpu::GpuContext;
pub use mirror::{Mirror, MirrorConfig};
pub use output::FrameSink;
