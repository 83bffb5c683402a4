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
        width: usize,
        height: usize,
        expected: usize,
        actual: usize,
    },
    /// A network output of an unexpected length (the wrong model file).
    #[error("{what}: expected {expected} values, got {actual}; is this the right model?")]
    OutputSize {
        what: &'static str,
        expected: usize,
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
