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
    Malformed {
        /// The model, for people: its file name, or `model` when an
        /// executor finds the fault.
        what: String,
        /// What is wrong with it.
        message: String,
    },
    /// The model uses an op drape does not implement.
    #[error("{what}: op {op} (#{index}) is not supported by drape's runtime")]
    UnsupportedOp {
        /// The model's file name.
        what: String,
        /// The op's TFLite name (`CUSTOM (name)` for a custom op), with the
        /// unsupported form where the op itself is supported.
        op: String,
        /// The op's 0-based position in the model's operator list.
        index: usize,
    },
    /// A model file whose checksum is not the expected one.
    #[error("{path}: sha256 {actual} is not the expected {expected}; fetch it again with scripts/fetch-models.sh")]
    Checksum {
        /// The model file.
        path: String,
        /// The sha256 it should have, in hex.
        expected: String,
        /// The sha256 it has, lowercase hex.
        actual: String,
    },
    /// An input of the wrong shape or length.
    #[error("input {index}: expected {expected} values (shape {shape:?}), got {actual}")]
    InputShape {
        /// The 0-based index of the model input.
        index: usize,
        /// The shape the model gives that input (empty when the model has
        /// no such input).
        shape: Vec<usize>,
        /// Values (f32s) the input takes (0 when the model has no such
        /// input).
        expected: usize,
        /// Values given (0 when the input was missing).
        actual: usize,
    },
    /// A model file in none of the folders searched
    /// (`models::model_dirs`).
    #[error("model {file} not found; looked in {searched}. To get it: {hint}")]
    ModelMissing {
        /// The model's file name (`pose_landmark_full.tflite`).
        file: String,
        /// Every folder searched, with why it was.
        searched: String,
        /// How to fetch the file and where to put it.
        hint: String,
    },
    /// Bytes given for a model (`models::PoseModelBytes`) that are not its
    /// file: their sha256 is not the model's.
    #[error("the bytes given as model {file} are not that file (sha256 {actual}, expected {expected}); {hint}")]
    WrongModelBytes {
        /// The model's file name (`pose_landmark_lite.tflite`).
        file: String,
        /// The sha256 the file has, lowercase hex.
        expected: String,
        /// The sha256 of the bytes given, lowercase hex.
        actual: String,
        /// What was given instead, when it is another known model, and
        /// what to give.
        hint: String,
    },
    /// A model file that cannot be read.
    #[error("cannot read model {path}: {source}")]
    Io {
        /// The model file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The GPU executor cannot run the model on this adapter: a buffer
    /// beyond its limits, or a kernel the driver rejected.
    #[error("the GPU cannot run this model: {0}")]
    GpuUnsupported(String),
    /// A kernel's shared WGSL (shaders/common/) did not compose: a bug in
    /// drape's shaders, not in the model or the adapter.
    #[error("shader {shader} cannot be composed (a bug in drape, please report it): {source}")]
    ShaderCompose {
        /// The kernel's path under shaders/.
        shader: &'static str,
        /// What was wrong with its imports.
        #[source]
        source: crate::gpu::ComposeError,
    },
    /// The GPU failed while running a model.
    #[error(transparent)]
    Gpu(#[from] crate::gpu::GpuError),
}
