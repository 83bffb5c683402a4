//! From the stored graph to a `Model`: constants decoded on demand, ops
//! converted in file order (which must be an executable order), and the
//! tensors that only fed folded ops dropped.

use std::sync::Arc;

use half::f16;

use super::names::{builtin_op_name, code};
use super::schema::{RawModel, RawTensor, TYPE_FLOAT16, TYPE_FLOAT32, TYPE_INT32};
use super::{sparse, Problem, MAX_ACTIVATION_ELEMENTS, MAX_CONSTANT_ELEMENTS, MAX_TENSOR_ELEMENTS};
use crate::nn::{Model, Op, Tensor, TensorId};

/// A constant's values once decoded.
#[derive(Debug, Clone)]
pub(super) enum Value {
    F32(Arc<[f32]>),
    /// FLOAT16 values, widened to f32 (exactly); usable only through
    /// DEQUANTIZE, as in TFLite.
    F16(Arc<[f32]>),
    I32(Arc<[i32]>),
}

/// A tensor while the graph is built.
pub(super) struct WorkTensor<'a> {
    pub raw: RawTensor<'a>,
    /// The checked shape, once a use of the tensor has asked for it.
    pub shape: Option<Vec<usize>>,
    pub value: Option<Value>,
    /// Written by an op that has been converted.
    pub produced: bool,
    pub graph_input: bool,
}

pub(super) struct Builder<'a> {
    pub tensors: Vec<WorkTensor<'a>>,
    pub graph_inputs: Vec<TensorId>,
    pub ops: Vec<Op>,
    /// Constant elements decoded so far, against `MAX_CONSTANT_ELEMENTS`.
    decoded_elements: usize,
}

pub(super) fn build(raw: RawModel<'_>) -> Result<Model, Problem> {
    // Report an unsupported op before any shape problem: it is the likelier
    // reason a valid file is refused.
    for (index, op) in raw.ops.iter().enumerate() {
        if !is_supported(op.code) {
            let op = match op.code {
                code::CUSTOM => format!("CUSTOM ({})", op.custom_name),
                other => builtin_op_name(other).into_owned(),
            };
            return Err(Problem::Unsupported { op, index });
        }
    }
    let tensor_count = raw.tensors.len();
    let mut builder = Builder {
        tensors: raw
            .tensors
            .into_iter()
            .map(|raw| WorkTensor {
                raw,
                shape: None,
                value: None,
                produced: false,
                graph_input: false,
            })
            .collect(),
        graph_inputs: Vec::new(),
        ops: Vec::new(),
        decoded_elements: 0,
    };
    for &input in &raw.inputs {
        let id = tensor_id(input, tensor_count)?;
        builder.check_activation(id)?;
        let tensor = &builder.tensors[id];
        if tensor.raw.data.is_some() || tensor.graph_input {
            return Err(Problem::malformed(format!(
                "graph input {id} is a constant or listed twice"
            )));
        }
        builder.shape(id)?;
        builder.tensors[id].graph_input = true;
        builder.graph_inputs.push(id);
    }
    for (index, op) in raw.ops.iter().enumerate() {
        builder.convert_op(index, op)?;
    }
    let mut outputs = Vec::with_capacity(raw.outputs.len());
    for &output in &raw.outputs {
        let id = tensor_id(output, tensor_count)?;
        if !builder.tensors[id].produced {
            return Err(Problem::malformed(format!(
                "graph output {id} ({:?}) is not computed by any op",
                builder.tensors[id].raw.name
            )));
        }
        outputs.push(id);
    }
    if builder.graph_inputs.is_empty() || outputs.is_empty() {
        return Err(Problem::malformed("the graph has no inputs or no outputs"));
    }
    builder.finish(outputs)
}

fn is_supported(op_code: i32) -> bool {
    matches!(
        op_code,
        code::ADD
            | code::CONCATENATION
            | code::CONV_2D
            | code::DEPTHWISE_CONV_2D
            | code::DEPTH_TO_SPACE
            | code::DEQUANTIZE
            | code::LOGISTIC
            | code::MAX_POOL_2D
            | code::RESHAPE
            | code::RESIZE_BILINEAR
            | code::PAD
            | code::DENSIFY
    )
}

/// A tensor index from the file, checked.
pub(super) fn tensor_id(index: i32, tensor_count: usize) -> Result<TensorId, Problem> {
    usize::try_from(index)
        .ok()
        .filter(|&id| id < tensor_count)
        .ok_or_else(|| Problem::malformed(format!("tensor index {index} of {tensor_count}")))
}

impl<'a> Builder<'a> {
    fn name(&self, id: TensorId) -> &str {
        &self.tensors[id].raw.name
    }

    /// The tensor's shape, checked: at most `MAX_RANK` positive dimensions and
    /// at most `MAX_TENSOR_ELEMENTS` elements.
    pub(super) fn shape(&mut self, id: TensorId) -> Result<Vec<usize>, Problem> {
        if let Some(shape) = &self.tensors[id].shape {
            return Ok(shape.clone());
        }
        let shape = self.tensors[id]
            .raw
            .shape
            .iter()
            .map(|&dim| usize::try_from(dim).ok().filter(|&dim| dim > 0))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                Problem::malformed(format!(
                    "tensor {id} ({:?}) has shape {:?}; drape needs fixed positive sizes",
                    self.name(id),
                    self.tensors[id].raw.shape
                ))
            })?;
        checked_len(&shape)?;
        self.tensors[id].shape = Some(shape.clone());
        Ok(shape)
    }

    /// Requires tensor `id` to hold f32 activations (not a sparse or other
    /// type).
    pub(super) fn check_activation(&self, id: TensorId) -> Result<(), Problem> {
        let raw = &self.tensors[id].raw;
        if raw.dtype != TYPE_FLOAT32 || raw.sparsity.is_some() {
            return Err(Problem::malformed(format!(
                "tensor {id} ({:?}) has type {} where FLOAT32 is needed",
                raw.name,
                type_name(raw.dtype)
            )));
        }
        Ok(())
    }

    /// The constant value of `id`, decoding it on first use; `None` for
    /// activations.
    pub(super) fn value(&mut self, id: TensorId) -> Result<Option<Value>, Problem> {
        if let Some(value) = &self.tensors[id].value {
            return Ok(Some(value.clone()));
        }
        let Some(data) = self.tensors[id].raw.data else {
            return Ok(None);
        };
        if self.tensors[id].raw.sparsity.is_some() {
            return Err(Problem::malformed(format!(
                "sparse tensor {id} ({:?}) is used without DENSIFY",
                self.name(id)
            )));
        }
        let shape = self.shape(id)?;
        let len = shape.iter().product::<usize>();
        let value = decode(self.tensors[id].raw.dtype, data, len, |n| self.charge(n)).map_err(
            |message| Problem::malformed(format!("tensor {id} ({:?}): {message}", self.name(id))),
        )?;
        self.tensors[id].value = Some(value.clone());
        Ok(Some(value))
    }

    /// Counts `elements` more decoded constant values against the limit.
    pub(super) fn charge(&mut self, elements: usize) -> Result<(), String> {
        self.decoded_elements = self
            .decoded_elements
            .checked_add(elements)
            .filter(|&total| total <= MAX_CONSTANT_ELEMENTS)
            .ok_or_else(|| {
                format!("the model's constants exceed {MAX_CONSTANT_ELEMENTS} elements")
            })?;
        Ok(())
    }

    /// DENSIFY: the dense values of sparse constant `id`.
    pub(super) fn densify(&mut self, id: TensorId) -> Result<Value, Problem> {
        let shape = self.shape(id)?;
        let raw = &self.tensors[id].raw;
        let (Some(data), Some(sparsity)) = (raw.data, raw.sparsity) else {
            return Err(Problem::malformed(format!(
                "DENSIFY of {id}, which is not a sparse constant"
            )));
        };
        let dtype = raw.dtype;
        let stored_len = data.len() / element_bytes(dtype).unwrap_or(1);
        let dense_len = shape.iter().product::<usize>();
        let stored = decode(dtype, data, stored_len, |n| self.charge(n + dense_len))
            .map_err(|message| Problem::malformed(format!("sparse tensor {id}: {message}")))?;
        let dense = match &stored {
            Value::F32(values) | Value::F16(values) => {
                let mut charge = |elements| self.charge(elements).map_err(Problem::Malformed);
                sparse::densify(&sparsity, &shape, values, &mut charge)?
            }
            Value::I32(_) => return Err(Problem::malformed("DENSIFY of an INT32 tensor")),
        };
        Ok(match stored {
            Value::F16(_) => Value::F16(dense.into()),
            _ => Value::F32(dense.into()),
        })
    }

    /// The final model, holding only the tensors ops and the graph use.
    fn finish(self, outputs: Vec<TensorId>) -> Result<Model, Problem> {
        let mut new_ids: Vec<Option<TensorId>> = vec![None; self.tensors.len()];
        let used = self
            .ops
            .iter()
            .flat_map(|op| op.inputs.iter().chain(&op.outputs))
            .chain(&self.graph_inputs)
            .chain(&outputs);
        for &id in used {
            new_ids[id] = Some(id);
        }
        let mut tensors = Vec::new();
        let mut activation_elements = 0usize;
        for (id, work) in self.tensors.into_iter().enumerate() {
            if new_ids[id].is_none() {
                continue;
            }
            new_ids[id] = Some(tensors.len());
            let data = match work.value {
                Some(Value::F32(values)) => Some(values),
                None => None,
                Some(_) => {
                    return Err(Problem::malformed(format!(
                        "constant {id} ({:?}) of type {} is used by an op that needs FLOAT32",
                        work.raw.name,
                        type_name(work.raw.dtype)
                    )))
                }
            };
            let shape = work.shape.ok_or_else(|| {
                Problem::malformed(format!("tensor {id} is used but has no shape"))
            })?;
            if data.is_none() {
                activation_elements += shape.iter().product::<usize>();
                if activation_elements > MAX_ACTIVATION_ELEMENTS {
                    return Err(Problem::malformed(format!(
                        "the activations exceed {MAX_ACTIVATION_ELEMENTS} elements"
                    )));
                }
            }
            tensors.push(Tensor {
                name: work.raw.name,
                shape,
                data,
            });
        }
        // Every used id was given a new one just above.
        let remap = |id: &TensorId| new_ids[*id].unwrap_or(usize::MAX);
        let ops = self
            .ops
            .into_iter()
            .map(|op| Op {
                inputs: op.inputs.iter().map(remap).collect(),
                outputs: op.outputs.iter().map(remap).collect(),
                kind: op.kind,
            })
            .collect();
        Ok(Model {
            tensors,
            ops,
            inputs: self.graph_inputs.iter().map(remap).collect(),
            outputs: outputs.iter().map(remap).collect(),
        })
    }
}

/// Checks a shape's element count against `MAX_TENSOR_ELEMENTS`.
pub(super) fn checked_len(shape: &[usize]) -> Result<usize, Problem> {
    shape
        .iter()
        .try_fold(1usize, |len, &dim| len.checked_mul(dim))
        .filter(|&len| len <= MAX_TENSOR_ELEMENTS)
        .ok_or_else(|| {
            Problem::malformed(format!(
                "shape {shape:?} has more than {MAX_TENSOR_ELEMENTS} elements"
            ))
        })
}

fn element_bytes(dtype: i8) -> Option<usize> {
    match dtype {
        TYPE_FLOAT32 | TYPE_INT32 => Some(4),
        TYPE_FLOAT16 => Some(2),
        _ => None,
    }
}

pub(super) fn type_name(dtype: i8) -> String {
    match dtype {
        TYPE_FLOAT32 => "FLOAT32".into(),
        TYPE_FLOAT16 => "FLOAT16".into(),
        TYPE_INT32 => "INT32".into(),
        3 => "UINT8".into(),
        9 => "INT8".into(),
        other => format!("type {other}"),
    }
}

/// Decodes `len` little-endian values of `dtype` from `data`, which must
/// hold exactly that many.
fn decode(
    dtype: i8,
    data: &[u8],
    len: usize,
    charge: impl FnOnce(usize) -> Result<(), String>,
) -> Result<Value, String> {
    let size = element_bytes(dtype)
        .ok_or_else(|| format!("{} constants are not supported", type_name(dtype)))?;
    if len.checked_mul(size) != Some(data.len()) {
        return Err(format!(
            "{} bytes of data for {len} elements of {}",
            data.len(),
            type_name(dtype)
        ));
    }
    charge(len)?;
    let words = data.chunks_exact(size);
    Ok(match dtype {
        TYPE_FLOAT32 => Value::F32(
            words
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        ),
        TYPE_FLOAT16 => Value::F16(
            words
                .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
        ),
        _ => Value::I32(
            words
                .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        ),
    })
}
