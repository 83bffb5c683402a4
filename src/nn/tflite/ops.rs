//! One TFLite operator to one `Op`, or, for the load-time ops DEQUANTIZE
//! and DENSIFY, to a constant. The per-kind rules are in `kinds.rs`.

use super::flatbuf::Table;
use super::graph::{checked_len, tensor_id, type_name, Builder, Value, WorkTensor};
use super::names::{builtin_op_name, code};
use super::schema::{RawOp, RawTensor, TYPE_FLOAT16, TYPE_FLOAT32};
use super::Problem;
use crate::nn::{Activation, Op, Padding, TensorId};

/// An op's options table; absent fields (or an absent table) read as the
/// schema's defaults.
pub(super) struct Options<'a>(pub Option<Table<'a>>);

impl Options<'_> {
    pub fn int(&self, slot: usize, default: i32) -> Result<i32, Problem> {
        self.0
            .as_ref()
            .map_or(Ok(default), |t| t.scalar(slot, default))
    }

    fn byte(&self, slot: usize) -> Result<i8, Problem> {
        self.0.as_ref().map_or(Ok(0), |t| t.scalar(slot, 0))
    }

    pub fn flag(&self, slot: usize) -> Result<bool, Problem> {
        Ok(self.0.as_ref().map_or(Ok(0), |t| t.scalar::<u8>(slot, 0))? != 0)
    }

    /// A field that must be at least 1 (strides, dilations, window sizes).
    pub fn positive(&self, slot: usize, default: i32, what: &str) -> Result<usize, Problem> {
        let value = self.int(slot, default)?;
        usize::try_from(value)
            .ok()
            .filter(|&value| value > 0)
            .ok_or_else(|| Problem::malformed(format!("{what} is {value}")))
    }

    pub fn activation(&self, slot: usize) -> Result<Activation, Problem> {
        Ok(match self.byte(slot)? {
            0 => Activation::None,
            1 => Activation::Relu,
            2 => Activation::ReluN1To1,
            3 => Activation::Relu6,
            4 => Activation::Tanh,
            other => return Err(Problem::malformed(format!("fused activation {other}"))),
        })
    }

    pub fn padding(&self, slot: usize) -> Result<Padding, Problem> {
        match self.byte(slot)? {
            0 => Ok(Padding::Same),
            1 => Ok(Padding::Valid),
            other => Err(Problem::malformed(format!("padding {other}"))),
        }
    }
}

/// The op being converted.
pub(super) struct OpContext<'r, 'a> {
    pub op: &'r RawOp<'a>,
    pub index: usize,
    /// Input tensors; `None` where the file omits an optional one (-1).
    pub inputs: Vec<Option<TensorId>>,
    pub output: TensorId,
}

impl<'a> OpContext<'_, 'a> {
    /// Input `slot`, which must be present.
    pub fn input(&self, slot: usize) -> Result<TensorId, Problem> {
        self.inputs
            .get(slot)
            .copied()
            .flatten()
            .ok_or_else(|| Problem::malformed(format!("input {slot} is missing")))
    }

    /// A form of a supported op that drape does not run (say, a computed
    /// filter), reported as an unsupported op.
    pub fn unsupported(&self, form: &str) -> Problem {
        Problem::Unsupported {
            op: format!("{} {form}", builtin_op_name(self.op.code)),
            index: self.index,
        }
    }

    /// The options table, which must be of union type `expected` if present.
    pub fn options(&self, expected: u8) -> Result<Options<'a>, Problem> {
        match self.op.options_type {
            0 => Ok(Options(None)),
            found if found == expected => Ok(Options(self.op.options)),
            found => Err(Problem::malformed(format!(
                "options of union type {found}, expected {expected}"
            ))),
        }
    }
}

pub(super) fn ensure(condition: bool, message: impl FnOnce() -> String) -> Result<(), Problem> {
    if condition {
        Ok(())
    } else {
        Err(Problem::malformed(message()))
    }
}

impl Builder<'_> {
    /// Converts op `index`. Malformed-op messages get its index and name.
    pub(super) fn convert_op(&mut self, index: usize, op: &RawOp<'_>) -> Result<(), Problem> {
        self.convert_op_inner(index, op)
            .map_err(|problem| match problem {
                Problem::Malformed(message) => Problem::Malformed(format!(
                    "op #{index} ({}): {message}",
                    builtin_op_name(op.code)
                )),
                unsupported => unsupported,
            })
    }

    fn convert_op_inner(&mut self, index: usize, op: &RawOp<'_>) -> Result<(), Problem> {
        let count = self.tensors.len();
        let inputs = op
            .inputs
            .iter()
            .map(|&id| match id {
                -1 => Ok(None),
                id => tensor_id(id, count).map(Some),
            })
            .collect::<Result<Vec<_>, _>>()?;
        ensure(inputs.len() <= 3 || op.code == code::CONCATENATION, || {
            format!("{} inputs", inputs.len())
        })?;
        // File order must be an executable order.
        for &id in inputs.iter().flatten() {
            ensure(self.is_available(id), || {
                format!("reads tensor {id} before any op writes it")
            })?;
        }
        let [output] = op.outputs[..] else {
            return Err(Problem::malformed(format!(
                "{} outputs, expected 1",
                op.outputs.len()
            )));
        };
        let output = tensor_id(output, count)?;
        ensure(!self.is_available(output), || {
            format!("writes tensor {output}, which is a constant, an input or already written")
        })?;
        let context = OpContext {
            op,
            index,
            inputs,
            output,
        };
        if op.code == code::DEQUANTIZE || op.code == code::DENSIFY {
            return self.fold_constant(&context);
        }

        self.check_activation(output)?;
        let (kind, inputs, out_shape) = self.convert_kind(&context)?;
        self.set_output_shape(output, &out_shape)?;
        self.tensors[output].produced = true;
        self.ops.push(Op {
            kind,
            inputs,
            outputs: vec![output],
        });
        Ok(())
    }

    /// Whether `id` holds a value when the next op runs.
    fn is_available(&self, id: TensorId) -> bool {
        let tensor = &self.tensors[id];
        tensor.produced || tensor.value.is_some() || tensor.raw.data.is_some() || tensor.graph_input
    }

    /// DEQUANTIZE or DENSIFY of a constant: the output becomes a constant
    /// and no op is kept.
    fn fold_constant(&mut self, context: &OpContext<'_, '_>) -> Result<(), Problem> {
        let source = context.input(0)?;
        let is_sparse = self.tensors[source].raw.sparsity.is_some();
        let value = match (context.op.code, is_sparse) {
            (code::DENSIFY, true) => self.densify(source)?,
            (code::DEQUANTIZE, false) => match self.value(source)? {
                Some(Value::F16(values)) => Value::F32(values),
                _ => return Err(context.unsupported("of a tensor that is not a FLOAT16 constant")),
            },
            _ => return Err(context.unsupported("of this kind of tensor")),
        };
        let expected_type = match value {
            Value::F16(_) => TYPE_FLOAT16,
            _ => TYPE_FLOAT32,
        };
        let output = context.output;
        let out_type = self.tensors[output].raw.dtype;
        ensure(out_type == expected_type, || {
            format!("output of type {}", type_name(out_type))
        })?;
        let source_shape = self.shape(source)?;
        self.set_output_shape(output, &source_shape)?;
        self.tensors[output].value = Some(value);
        Ok(())
    }

    /// The shape of an input that an op reads as f32 data: an activation or
    /// a FLOAT32 constant.
    pub(super) fn data_shape(&mut self, id: TensorId) -> Result<Vec<usize>, Problem> {
        match self.value(id)? {
            Some(Value::F32(_)) => {}
            Some(_) => {
                let dtype = self.tensors[id].raw.dtype;
                return Err(Problem::malformed(format!(
                    "constant input {id} is {}, not FLOAT32",
                    type_name(dtype)
                )));
            }
            None => self.check_activation(id)?,
        }
        self.shape(id)
    }

    /// The values of an INT32 parameter constant (paddings, sizes, shapes);
    /// `not_constant` is the error for a computed one.
    pub(super) fn int_constant(
        &mut self,
        id: TensorId,
        not_constant: impl FnOnce() -> Problem,
    ) -> Result<std::sync::Arc<[i32]>, Problem> {
        match self.value(id)? {
            Some(Value::I32(values)) => Ok(values),
            Some(_) => Err(Problem::malformed(format!(
                "parameter tensor {id} is not INT32"
            ))),
            None => Err(not_constant()),
        }
    }

    /// Gives `output` the inferred shape, or checks the file's against it.
    fn set_output_shape(&mut self, output: TensorId, inferred: &[usize]) -> Result<(), Problem> {
        checked_len(inferred)?;
        if self.tensors[output].raw.shape.is_empty() && !inferred.is_empty() {
            // Some converters leave intermediate shapes empty.
            self.tensors[output].shape = Some(inferred.to_vec());
            return Ok(());
        }
        let declared = self.shape(output)?;
        ensure(declared == inferred, || {
            format!("output shape {declared:?}, but the inputs give {inferred:?}")
        })
    }

    /// A zero bias for a convolution whose bias input is omitted.
    pub(super) fn zero_bias(&mut self, channels: usize) -> Result<TensorId, Problem> {
        self.charge(channels).map_err(Problem::Malformed)?;
        let channels_i32 =
            i32::try_from(channels).map_err(|_| Problem::malformed("too many channels"))?;
        self.tensors.push(WorkTensor {
            raw: RawTensor {
                name: "zero_bias".into(),
                shape: vec![channels_i32],
                dtype: TYPE_FLOAT32,
                data: None,
                sparsity: None,
            },
            shape: Some(vec![channels]),
            value: Some(Value::F32(vec![0.0; channels].into())),
            produced: false,
            graph_input: false,
        });
        Ok(self.tensors.len() - 1)
    }
}
