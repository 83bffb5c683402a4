//! The pose pipeline's error.

use crate::nn::NnError;

/// Why a pose stage could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PoseError {
    /// An image whose pixel buffer does not match its size, or a size of
    /// zero.
    #[error("image of {width}×{height} pixels needs {expected} RGBA bytes, got {actual}")]
    ImageSize {
        /// The image width given, in pixels.
        width: usize,
        /// The image height given, in pixels.
        height: usize,
        /// Bytes the size needs, `width × height × 4` (`usize::MAX` if that
        /// overflows).
        expected: usize,
        /// Length of the pixel buffer given, in bytes.
        actual: usize,
    },
    /// A network output or buffer of an unexpected length (usually the
    /// wrong model file).
    #[error("{what}: expected {expected} values, got {actual}; is this the right model?")]
    OutputSize {
        /// What was measured, e.g. `"detector scores"`.
        what: &'static str,
        /// How many the stage needs (values, outputs or channels, as `what`
        /// says).
        expected: usize,
        /// How many there were.
        actual: usize,
    },
    /// The landmark crop cannot be made: a region with a non-finite or
    /// non-positive size, or an output buffer too small.
    #[error("cannot crop the region of interest: {0}")]
    Crop(String),
    /// The network runtime failed.
    #[error(transparent)]
    Nn(#[from] NnError),
}
