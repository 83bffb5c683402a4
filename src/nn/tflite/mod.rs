//! The TFLite reader: a `.tflite` flatbuffer in, a `Model` out.
//!
//! Only what drape's pose models need is read (the first subgraph, its
//! tensors, buffers, operator codes and the options of the ops in `OpKind`).
//! Load-time ops are folded here: DEQUANTIZE of fp16 weights and DENSIFY of
//! sparse weights become f32 constants, and the constant inputs of PAD,
//! RESIZE_BILINEAR and RESHAPE become `OpKind` fields. Every shape is checked
//! (each op's output shape is inferred and compared with the file's), so
//! executors can trust the `Model` they get.
//!
//! Files are untrusted: every offset is bounds-checked (`flatbuf`), every
//! count is capped before anything is allocated from it, and all arithmetic
//! on file values is checked.

mod flatbuf;
mod graph;
mod kinds;
mod names;
mod ops;
mod schema;
mod shapes;
mod sparse;

use super::{Model, NnError};

pub use names::builtin_op_name;

/// The most elements one tensor may have (256 MiB of f32).
pub const MAX_TENSOR_ELEMENTS: usize = 64 << 20;
/// The most constant elements a model may decode in all (512 MiB of f32);
/// many tensors may share one buffer, so the file size alone is no bound.
pub const MAX_CONSTANT_ELEMENTS: usize = 128 << 20;
/// The most activation elements of all tensors together (1 GiB of f32), so
/// executors that give each tensor a buffer cannot be made to allocate
/// without bound (the heavy landmark model needs 35M).
pub const MAX_ACTIVATION_ELEMENTS: usize = 256 << 20;
/// The most tensors, ops or operator codes in a model.
pub const MAX_TABLE_ENTRIES: usize = 100_000;
/// The most dimensions of a tensor.
pub const MAX_RANK: usize = 8;
/// The most tensor references (op inputs and outputs) in all ops together.
const MAX_TENSOR_REFS: usize = 1 << 20;
/// Tensor names are kept for messages only; longer ones are cut.
const MAX_NAME_BYTES: usize = 256;

/// Reads a TFLite model. `what` names the file in errors.
pub fn parse_model(bytes: &[u8], what: &str) -> Result<Model, NnError> {
    schema::read_model(bytes)
        .and_then(graph::build)
        .map_err(|problem| problem.into_error(what))
}

/// Why a file was refused, before the file name is attached.
#[derive(Debug)]
pub(crate) enum Problem {
    Malformed(String),
    Unsupported { op: String, index: usize },
}

impl Problem {
    fn malformed(message: impl Into<String>) -> Self {
        Problem::Malformed(message.into())
    }

    fn into_error(self, what: &str) -> NnError {
        match self {
            Problem::Malformed(message) => NnError::Malformed {
                what: what.to_owned(),
                message,
            },
            Problem::Unsupported { op, index } => NnError::UnsupportedOp {
                what: what.to_owned(),
                op,
                index,
            },
        }
    }
}
