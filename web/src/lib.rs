//! drape in the viewer's browser: the same engine as the native build
//! (pose, fit, render), compiled to WebAssembly, drawing on WebGPU into the
//! page's `<canvas>`. The page (`web/try/`) reads the camera with
//! `getUserMedia` and hands each frame's RGBA pixels to `Engine::frame`;
//! nothing of the camera leaves the device.
//!
//! Built by `scripts/build-web.sh` (wasm-bindgen, `--target web`). A
//! native build holds only the plain parts (and their tests).

#[cfg(target_arch = "wasm32")]
mod canvas;
#[cfg(target_arch = "wasm32")]
mod console;
#[cfg(target_arch = "wasm32")]
mod engine;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod status;

#[cfg(target_arch = "wasm32")]
pub use engine::Engine;
