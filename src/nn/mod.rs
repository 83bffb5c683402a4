//! `nn`: a small TFLite runtime. `tflite` reads a model file into a
//! `Model`; `cpu` runs it in plain Rust, `gpu` in WGSL compute shaders.

internal_mod!(cpu, executor, gpu, model, tflite);
pub mod models;

pub use executor::Backend;
internal_use!(executor::Executor);
internal_use!(model::{Activation, Model, Op, OpKind, Padding, Tensor, TensorId});

/// Why a model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NnError {
    /// The file is not a TFLite model drape can read (malformed, truncated,
    /// hostile). `what` names the file.
    #[error("{what}: not a valid TFLite model: {message}")]
    Malformed { what: String, message: String },
    /// The model uses an op drape does not implement.
    #[error("{what}: op {op} (#{index}) is not supported by drape's runtime")]
    UnsupportedOp {
        what: String,
        op: String,
        index: usize,
    },
    /// A model file whose checksum is not the expected one.
    #[error("{path}: sha256 {actual} is not the expected {expected}; fetch it again with scripts/fetch-models.sh")]
    Checksum {
        path: String,
        expected: String,
        actual: String,
    },
    /// An input of the wrong shape or length.
    #[error("input {index}: expected {expected} values (shape {shape:?}), got {actual}")]
    InputShape {
        index: usize,
        shape: Vec<usize>,
        expected: usize,
        actual: usize,
    },
    /// A model file in none of the folders searched
    /// (`models::model_dirs`).
    #[error("model {file} not found; looked in {searched}. To get it: {hint}")]
    ModelMissing {
        file: String,
        /// Every folder searched, with why it was.
        searched: String,
        hint: String,
    },
    /// A model file that cannot be read.
    #[error("cannot read model {path}: {source}{hint}")]
    Io {
        path: String,
        hint: String,
        #[source]
        source: std::io::Error,
    },
    /// The GPU executor cannot run the model on this adapter: a buffer
    /// beyond its limits, or a kernel the driver rejected.
    #[error("the GPU cannot run this model: {0}")]
    GpuUnsupported(String),
    /// The GPU failed while running a model.
    #[error(transparent)]
    Gpu(#[from] crate::gpu::GpuError),
}
