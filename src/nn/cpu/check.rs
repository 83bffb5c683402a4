//! Checks of a model's graph before anything is built from it: tensor
//! sizes, ids in range, every tensor written once and before it is read.

use super::malformed;
use crate::nn::{Model, NnError};

/// No activation may exceed 1 GiB of f32: a bound on what a model file
/// can make us allocate.
const MAX_TENSOR_FLOATS: usize = 1 << 28;

/// Every tensor's length, refusing absurd sizes.
pub(super) fn tensor_lens(model: &Model) -> Result<Vec<usize>, NnError> {
    model
        .tensors
        .iter()
        .map(|t| {
            t.shape
                .iter()
                .try_fold(1usize, |acc, &d| acc.checked_mul(d))
                .filter(|&len| {
                    len <= MAX_TENSOR_FLOATS && t.data.as_ref().is_none_or(|d| d.len() == len)
                })
                .ok_or_else(|| {
                    malformed(format!("tensor {} has a bad shape {:?}", t.name, t.shape))
                })
        })
        .collect()
}

/// Ids in range, one output per op, each tensor written once, read only
/// after it is written.
pub(super) fn check_graph(model: &Model) -> Result<(), NnError> {
    let count = model.tensors.len();
    let mut ready: Vec<bool> = model.tensors.iter().map(|t| t.is_constant()).collect();
    for &t in model.inputs.iter().chain(&model.outputs) {
        if t >= count {
            return Err(malformed(format!("graph input/output {t} is not a tensor")));
        }
    }
    for &t in &model.inputs {
        ready[t] = true;
    }
    for (index, op) in model.ops.iter().enumerate() {
        let name = op.kind.name();
        if op.inputs.is_empty() || op.outputs.len() != 1 {
            return Err(malformed(format!(
                "{name} (#{index}) needs inputs and exactly one output"
            )));
        }
        if let Some(&t) = op.inputs.iter().find(|&&t| t >= count || !ready[t]) {
            return Err(malformed(format!(
                "{name} (#{index}) reads tensor {t} before it is written"
            )));
        }
        let out = op.outputs[0];
        if out >= count || ready[out] {
            return Err(malformed(format!(
                "{name} (#{index}) writes tensor {out}, which is not free"
            )));
        }
        ready[out] = true;
    }
    if let Some(&t) = model.outputs.iter().find(|&&t| !ready[t]) {
        return Err(malformed(format!("output tensor {t} is never written")));
    }
    Ok(())
}
