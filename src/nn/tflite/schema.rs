//! The TFLite tables drape reads, with their field slots from TensorFlow
//! Lite's `schema.fbs` (slot = position of the field in its table, deprecated
//! fields included; a union takes two slots, its type then its value).

use super::flatbuf::{Table, Vector};
use super::{Problem, MAX_NAME_BYTES, MAX_RANK, MAX_TABLE_ENTRIES, MAX_TENSOR_REFS};

/// `TensorType` values drape reads.
pub(super) const TYPE_FLOAT32: i8 = 0;
pub(super) const TYPE_FLOAT16: i8 = 1;
pub(super) const TYPE_INT32: i8 = 2;

/// `Model` fields.
const MODEL_OPERATOR_CODES: usize = 1;
const MODEL_SUBGRAPHS: usize = 2;
const MODEL_BUFFERS: usize = 4;
/// `SubGraph` fields.
const SUBGRAPH_TENSORS: usize = 0;
const SUBGRAPH_INPUTS: usize = 1;
const SUBGRAPH_OUTPUTS: usize = 2;
const SUBGRAPH_OPERATORS: usize = 3;
/// `Tensor` fields.
const TENSOR_SHAPE: usize = 0;
const TENSOR_TYPE: usize = 1;
const TENSOR_BUFFER: usize = 2;
const TENSOR_NAME: usize = 3;
const TENSOR_SPARSITY: usize = 6;
/// `Buffer` fields; `offset`/`size` (from the file start) replace `data` in
/// files over 2 GiB.
const BUFFER_DATA: usize = 0;
const BUFFER_OFFSET: usize = 1;
const BUFFER_SIZE: usize = 2;
/// `OperatorCode` fields.
const OPCODE_DEPRECATED_BUILTIN: usize = 0;
const OPCODE_CUSTOM: usize = 1;
const OPCODE_BUILTIN: usize = 3;
/// `Operator` fields.
const OPERATOR_OPCODE_INDEX: usize = 0;
const OPERATOR_INPUTS: usize = 1;
const OPERATOR_OUTPUTS: usize = 2;
const OPERATOR_OPTIONS_TYPE: usize = 3;
const OPERATOR_OPTIONS: usize = 4;

/// The file identifier of TFLite flatbuffers.
const FILE_IDENTIFIER: &[u8; 4] = b"TFL3";

/// A model as stored: the first subgraph, with constants still raw.
#[derive(Debug)]
pub(super) struct RawModel<'a> {
    pub tensors: Vec<RawTensor<'a>>,
    pub ops: Vec<RawOp<'a>>,
    pub inputs: Vec<i32>,
    pub outputs: Vec<i32>,
}

#[derive(Debug)]
pub(super) struct RawTensor<'a> {
    pub name: String,
    pub shape: Vec<i32>,
    pub dtype: i8,
    /// The buffer's bytes, `None` for activations (buffer 0 or empty).
    pub data: Option<&'a [u8]>,
    pub sparsity: Option<Table<'a>>,
}

#[derive(Debug)]
pub(super) struct RawOp<'a> {
    /// The builtin operator code (`BuiltinOperator`).
    pub code: i32,
    /// For CUSTOM ops, the custom code.
    pub custom_name: String,
    /// Tensor indices; -1 marks an omitted optional input.
    pub inputs: Vec<i32>,
    pub outputs: Vec<i32>,
    /// The `BuiltinOptions` union: its type and table.
    pub options_type: u8,
    pub options: Option<Table<'a>>,
}

struct OpCode {
    code: i32,
    custom_name: String,
}

pub(super) fn read_model(bytes: &[u8]) -> Result<RawModel<'_>, Problem> {
    if bytes.get(4..8) != Some(FILE_IDENTIFIER.as_slice()) {
        return Err(Problem::malformed(
            "no TFL3 file identifier (not a TFLite flatbuffer, or truncated)",
        ));
    }
    let model = Table::root(bytes)?;
    let subgraphs = required_vector(&model, MODEL_SUBGRAPHS, 4, "Model.subgraphs")?;
    if subgraphs.len() == 0 {
        return Err(Problem::malformed("the model has no subgraphs"));
    }
    // Drape runs the first subgraph; the pose models have only one.
    let subgraph = subgraphs.table(0)?;
    let buffers = model.vector(MODEL_BUFFERS, 4)?;
    let op_codes = read_op_codes(&model)?;

    let tensors_vector = required_vector(&subgraph, SUBGRAPH_TENSORS, 4, "SubGraph.tensors")?;
    check_count(tensors_vector.len(), "SubGraph.tensors")?;
    let tensors = (0..tensors_vector.len())
        .map(|index| read_tensor(bytes, &tensors_vector.table(index)?, buffers.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;

    let mut refs_budget = MAX_TENSOR_REFS;
    let inputs = index_list(
        &subgraph,
        SUBGRAPH_INPUTS,
        &mut refs_budget,
        "SubGraph.inputs",
    )?;
    let outputs = index_list(
        &subgraph,
        SUBGRAPH_OUTPUTS,
        &mut refs_budget,
        "SubGraph.outputs",
    )?;
    let ops = match subgraph.vector(SUBGRAPH_OPERATORS, 4)? {
        Some(operators) => {
            check_count(operators.len(), "SubGraph.operators")?;
            (0..operators.len())
                .map(|index| read_op(&operators.table(index)?, &op_codes, &mut refs_budget))
                .collect::<Result<Vec<_>, _>>()?
        }
        None => Vec::new(),
    };
    Ok(RawModel {
        tensors,
        ops,
        inputs,
        outputs,
    })
}

fn check_count(count: usize, what: &str) -> Result<(), Problem> {
    if count > MAX_TABLE_ENTRIES {
        return Err(Problem::malformed(format!(
            "{what} has {count} entries, more than the {MAX_TABLE_ENTRIES} allowed"
        )));
    }
    Ok(())
}

fn required_vector<'a>(
    table: &Table<'a>,
    slot: usize,
    element_bytes: usize,
    what: &str,
) -> Result<Vector<'a>, Problem> {
    table
        .vector(slot, element_bytes)?
        .ok_or_else(|| Problem::malformed(format!("{what} is missing")))
}

/// An `[int]` list of tensor indices, charged against `budget` (many tables
/// may point at one long vector, so each read counts).
fn index_list(
    table: &Table<'_>,
    slot: usize,
    budget: &mut usize,
    what: &str,
) -> Result<Vec<i32>, Problem> {
    let Some(vector) = table.vector(slot, 4)? else {
        return Ok(Vec::new());
    };
    let list = vector.to_vec::<i32>(*budget, what)?;
    *budget -= list.len();
    Ok(list)
}

fn read_op_codes(model: &Table<'_>) -> Result<Vec<OpCode>, Problem> {
    let Some(codes) = model.vector(MODEL_OPERATOR_CODES, 4)? else {
        return Ok(Vec::new());
    };
    check_count(codes.len(), "Model.operator_codes")?;
    (0..codes.len())
        .map(|index| {
            let code = codes.table(index)?;
            // Newer files store the code in the int32 `builtin_code`, older ones
            // only in the int8 deprecated field; TFLite takes the larger.
            let deprecated = i32::from(code.scalar::<i8>(OPCODE_DEPRECATED_BUILTIN, 0)?);
            let builtin = code.scalar::<i32>(OPCODE_BUILTIN, 0)?;
            Ok(OpCode {
                code: builtin.max(deprecated),
                custom_name: code.string(OPCODE_CUSTOM, MAX_NAME_BYTES)?,
            })
        })
        .collect()
}

fn read_tensor<'a>(
    bytes: &'a [u8],
    tensor: &Table<'a>,
    buffers: Option<&Vector<'a>>,
) -> Result<RawTensor<'a>, Problem> {
    let name = tensor.string(TENSOR_NAME, MAX_NAME_BYTES)?;
    let shape = match tensor.vector(TENSOR_SHAPE, 4)? {
        Some(shape) => shape.to_vec::<i32>(MAX_RANK, &format!("the shape of tensor {name:?}"))?,
        None => Vec::new(),
    };
    let buffer_index = tensor.scalar::<u32>(TENSOR_BUFFER, 0)? as usize;
    // Buffer 0 is the empty sentinel buffer of activations.
    let data = match (buffer_index, buffers) {
        (0, _) => None,
        (_, Some(buffers)) if buffer_index < buffers.len() => {
            read_buffer(bytes, &buffers.table(buffer_index)?)?
        }
        _ => {
            return Err(Problem::malformed(format!(
                "tensor {name:?} refers to buffer {buffer_index}, which does not exist"
            )))
        }
    };
    Ok(RawTensor {
        shape,
        dtype: tensor.scalar::<i8>(TENSOR_TYPE, TYPE_FLOAT32)?,
        data,
        sparsity: tensor.table(TENSOR_SPARSITY)?,
        name,
    })
}

fn read_buffer<'a>(bytes: &'a [u8], buffer: &Table<'a>) -> Result<Option<&'a [u8]>, Problem> {
    if let Some(data) = buffer.vector(BUFFER_DATA, 1)? {
        return Ok(Some(data.bytes()).filter(|data| !data.is_empty()));
    }
    // Offsets 0 and 1 are placeholders the converter writes for "no data".
    let offset = buffer.scalar::<u64>(BUFFER_OFFSET, 0)?;
    let size = buffer.scalar::<u64>(BUFFER_SIZE, 0)?;
    if offset <= 1 || size == 0 {
        return Ok(None);
    }
    let range = usize::try_from(offset).ok().and_then(|start| {
        let end = start.checked_add(usize::try_from(size).ok()?)?;
        bytes.get(start..end)
    });
    range.map(Some).ok_or_else(|| {
        Problem::malformed(format!(
            "a buffer of {size} bytes at {offset} lies outside the file"
        ))
    })
}

fn read_op<'a>(
    op: &Table<'a>,
    op_codes: &[OpCode],
    refs_budget: &mut usize,
) -> Result<RawOp<'a>, Problem> {
    let opcode_index = op.scalar::<u32>(OPERATOR_OPCODE_INDEX, 0)? as usize;
    let op_code = op_codes.get(opcode_index).ok_or_else(|| {
        Problem::malformed(format!(
            "an operator uses opcode {opcode_index} of {}",
            op_codes.len()
        ))
    })?;
    Ok(RawOp {
        code: op_code.code,
        custom_name: op_code.custom_name.clone(),
        inputs: index_list(op, OPERATOR_INPUTS, refs_budget, "Operator.inputs")?,
        outputs: index_list(op, OPERATOR_OUTPUTS, refs_budget, "Operator.outputs")?,
        options_type: op.scalar::<u8>(OPERATOR_OPTIONS_TYPE, 0)?,
        options: op.table(OPERATOR_OPTIONS)?,
    })
}
