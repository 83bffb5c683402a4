//! The memory plan: which buffer holds each activation. A buffer is handed
//! to a later tensor once every reader of its current tensor has run, so
//! the whole network runs in a few buffers made once.

use crate::nn::TensorId;

/// What the planner needs to know of one step.
pub(super) struct StepUse<'a> {
    pub inputs: &'a [TensorId],
    pub output: TensorId,
}

#[derive(Debug, Default)]
pub(super) struct Plan {
    /// The buffer of each tensor that has one (indexed by tensor id).
    pub buffer_of: Vec<Option<usize>>,
    /// The floats each buffer must hold: the largest tensor it carries.
    pub buffer_lens: Vec<usize>,
}

/// Assigns buffers greedily in execution order. `pinned` tensors (the
/// model's outputs) keep their buffer to the end; `inputs` get theirs
/// before the first step. `tensor_lens[t]` is tensor t's length.
pub(super) fn plan(
    tensor_lens: &[usize],
    inputs: &[TensorId],
    pinned: &[TensorId],
    steps: &[StepUse],
) -> Plan {
    const FOREVER: usize = usize::MAX;
    let mut last_use: Vec<Option<usize>> = vec![None; tensor_lens.len()];
    for (i, step) in steps.iter().enumerate() {
        for &t in step.inputs {
            last_use[t] = Some(i);
        }
    }
    for &t in pinned {
        last_use[t] = Some(FOREVER);
    }

    let mut plan = Plan {
        buffer_of: vec![None; tensor_lens.len()],
        buffer_lens: Vec::new(),
    };
    let mut free: Vec<usize> = Vec::new();
    let allocate = |plan: &mut Plan, free: &mut Vec<usize>, t: TensorId| {
        if plan.buffer_of[t].is_some() {
            return;
        }
        let need = tensor_lens[t];
        let lens = &plan.buffer_lens;
        // The smallest free buffer that fits, else the largest (grown).
        let fitting = free
            .iter()
            .enumerate()
            .filter(|(_, &b)| lens[b] >= need)
            .min_by_key(|(_, &b)| lens[b]);
        let chosen = fitting.or_else(|| free.iter().enumerate().max_by_key(|(_, &b)| lens[b]));
        let buffer = match chosen.map(|(slot, &b)| (slot, b)) {
            Some((slot, b)) => {
                free.swap_remove(slot);
                plan.buffer_lens[b] = plan.buffer_lens[b].max(need);
                b
            }
            None => {
                plan.buffer_lens.push(need);
                plan.buffer_lens.len() - 1
            }
        };
        plan.buffer_of[t] = Some(buffer);
    };

    for &t in inputs {
        allocate(&mut plan, &mut free, t);
    }
    // Inputs no step reads and that are not outputs still keep their own
    // buffer (it is written by `run`); they are simply never freed.
    for (i, step) in steps.iter().enumerate() {
        allocate(&mut plan, &mut free, step.output);
        let mut release = |t: TensorId| {
            if let Some(b) = plan.buffer_of[t] {
                if !free.contains(&b) {
                    free.push(b);
                }
            }
        };
        for &t in step.inputs {
            if last_use[t] == Some(i) {
                release(t);
            }
        }
        if last_use[step.output].is_none() {
            release(step.output);
        }
    }
    plan
}
