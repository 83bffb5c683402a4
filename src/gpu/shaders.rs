//! Every WGSL shader of drape, embedded at build time.
//!
//! The list is also what `tests/shaders.rs` checks against the files under
//! shaders/, so a shader cannot be added without being validated.

/// `(path under shaders/, source)` for every shader.
pub const ALL: &[(&str, &str)] = &[("upload/convert.wgsl", CONVERT), ("output/blit.wgsl", BLIT)];

/// Raw camera bytes → RGBA working texture (compute).
pub const CONVERT: &str = include_str!("../../shaders/upload/convert.wgsl");
/// Working texture → window, letterboxed (render).
pub const BLIT: &str = include_str!("../../shaders/output/blit.wgsl");
