//! Decides, once per model, which ops need a kernel and which buffer each
//! activation lives in. RESHAPEs that do not move data alias their input;
//! spatial PADs feeding only convolutions are folded into them; buffers are
//! reused once every reader of a tensor has run.

use super::shape::{malformed, Shape4};
use crate::nn::{Model, NnError, OpKind, TensorId};

/// A PAD whose zeros the consuming convolutions add themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PadFold {
    /// The PAD's input, which the convolutions read instead.
    pub source: TensorId,
    pub top: usize,
    pub left: usize,
}

#[derive(Debug)]
pub(crate) struct Plan {
    /// Every tensor's shape in the padded layout.
    pub shapes: Vec<Shape4>,
    /// Per op: whether it runs a kernel.
    pub runs: Vec<bool>,
    /// Per tensor: the buffer holding it (`None`: a constant, or a folded
    /// PAD's output).
    pub buffer_of: Vec<Option<usize>>,
    /// Per buffer: its size.
    pub buffer_bytes: Vec<u64>,
    /// Per tensor: set when it is a folded PAD's output.
    pub folded: Vec<Option<PadFold>>,
}

impl Plan {
    pub fn new(model: &Model) -> Result<Plan, NnError> {
        let tensor_count = model.tensors.len();
        let shapes = model
            .tensors
            .iter()
            .map(|t| Shape4::new(&t.shape, &format!("tensor {:?}", t.name)))
            .collect::<Result<Vec<_>, _>>()?;
        let check = |id: TensorId, role: &str| {
            if id < tensor_count {
                Ok(id)
            } else {
                Err(malformed(format!(
                    "{role} names tensor #{id}, beyond the {tensor_count} tensors"
                )))
            }
        };
        for op in &model.ops {
            for &t in op.inputs.iter().chain(&op.outputs) {
                check(t, op.kind.name())?;
            }
            if op.inputs.is_empty() || op.outputs.len() != 1 {
                return Err(malformed(format!(
                    "{} has {} inputs and {} outputs",
                    op.kind.name(),
                    op.inputs.len(),
                    op.outputs.len()
                )));
            }
        }
        for &t in model.inputs.iter().chain(&model.outputs) {
            check(t, "the graph")?;
        }

        let mut consumers: Vec<Vec<usize>> = vec![Vec::new(); tensor_count];
        for (index, op) in model.ops.iter().enumerate() {
            for &t in &op.inputs {
                consumers[t].push(index);
            }
        }
        let is_output = |t: TensorId| model.outputs.contains(&t);

        let mut runs = vec![true; model.ops.len()];
        let mut alias: Vec<Option<TensorId>> = vec![None; tensor_count];
        let mut folded: Vec<Option<PadFold>> = vec![None; tensor_count];
        for (index, op) in model.ops.iter().enumerate() {
            let (x, y) = (op.inputs[0], op.outputs[0]);
            match &op.kind {
                OpKind::Reshape => {
                    let (a, b) = (shapes[x], shapes[y]);
                    // Same padded bytes: the same last dimension, or both
                    // already multiples of 4.
                    let same_layout = a.c == b.c || (a.c % 4 == 0 && b.c % 4 == 0);
                    if a.len() == b.len() && same_layout && folded[x].is_none() {
                        alias[y] = Some(x);
                        runs[index] = false;
                    }
                }
                OpKind::Pad { paddings } => {
                    let spatial_only = paddings.len() == 4
                        && model.tensors[x].shape.len() == 4
                        && paddings[0] == [0, 0]
                        && paddings[3] == [0, 0];
                    let only_convolutions = !consumers[y].is_empty()
                        && consumers[y].iter().all(|&c| {
                            let consumer = &model.ops[c];
                            matches!(
                                consumer.kind,
                                OpKind::Conv2d { .. } | OpKind::DepthwiseConv2d { .. }
                            ) && consumer.inputs[1..].iter().all(|&t| t != y)
                        });
                    if spatial_only && only_convolutions && !is_output(y) && folded[x].is_none() {
                        folded[y] = Some(PadFold {
                            source: x,
                            top: paddings[1][0],
                            left: paddings[2][0],
                        });
                        runs[index] = false;
                    }
                }
                _ => {}
            }
        }

        let root = |mut t: TensorId| {
            if let Some(fold) = folded[t] {
                t = fold.source;
            }
            while let Some(source) = alias[t] {
                t = source;
            }
            t
        };
        // The last op reading each buffer-holding tensor.
        let mut last_use: Vec<Option<usize>> = vec![None; tensor_count];
        for (index, op) in model.ops.iter().enumerate() {
            if runs[index] {
                for &t in &op.inputs {
                    if !model.tensors[t].is_constant() {
                        last_use[root(t)] = Some(index);
                    }
                }
            }
        }
        let mut pinned = vec![false; tensor_count];
        for &t in model.inputs.iter().chain(&model.outputs) {
            pinned[root(t)] = true;
        }

        let mut pool = Pool::default();
        let mut buffer_of: Vec<Option<usize>> = vec![None; tensor_count];
        let mut released = vec![false; tensor_count];
        for &t in &model.inputs {
            if buffer_of[t].is_none() {
                buffer_of[t] = Some(pool.take(shapes[t].bytes()));
            }
        }
        for (index, op) in model.ops.iter().enumerate() {
            if !runs[index] {
                continue;
            }
            for &t in &op.inputs {
                let r = root(t);
                if !model.tensors[r].is_constant() && buffer_of[r].is_none() {
                    return Err(malformed(format!(
                        "{} (op #{index}) reads tensor #{t} before anything writes it",
                        op.kind.name()
                    )));
                }
            }
            let y = op.outputs[0];
            if buffer_of[y].is_some() || model.tensors[y].is_constant() {
                return Err(malformed(format!(
                    "{} (op #{index}) writes tensor #{y}, which is an input, a constant or written before",
                    op.kind.name()
                )));
            }
            // Taken before the inputs are given back: an op never writes
            // the buffer it reads.
            buffer_of[y] = Some(pool.take(shapes[y].bytes()));
            for &t in op.inputs.iter().chain(&op.outputs) {
                let r = root(t);
                let done = last_use[r].is_none_or(|last| last <= index);
                if done && !pinned[r] && !released[r] {
                    if let Some(buffer) = buffer_of[r] {
                        pool.give_back(buffer);
                        released[r] = true;
                    }
                }
            }
        }
        for t in 0..tensor_count {
            if folded[t].is_none() && buffer_of[t].is_none() && alias[t].is_some() {
                buffer_of[t] = buffer_of[root(t)];
            }
        }
        for &t in &model.outputs {
            if buffer_of[t].is_none() {
                return Err(malformed(format!("output tensor #{t} is never written")));
            }
        }
        Ok(Plan {
            shapes,
            runs,
            buffer_of,
            buffer_bytes: pool.bytes,
            folded,
        })
    }
}

/// Buffers being handed out and returned while walking the ops.
#[derive(Default)]
struct Pool {
    bytes: Vec<u64>,
    free: Vec<usize>,
}

impl Pool {
    /// The smallest free buffer that fits, else the largest free one
    /// (grown), else a new one.
    fn take(&mut self, need: u64) -> usize {
        let fitting = self
            .free
            .iter()
            .enumerate()
            .filter(|(_, &b)| self.bytes[b] >= need)
            .min_by_key(|(_, &b)| self.bytes[b]);
        let chosen = fitting.or_else(|| {
            self.free
                .iter()
                .enumerate()
                .max_by_key(|(_, &b)| self.bytes[b])
        });
        match chosen.map(|(position, &b)| (position, b)) {
            Some((position, b)) => {
                self.free.swap_remove(position);
                self.bytes[b] = self.bytes[b].max(need);
                b
            }
            None => {
                self.bytes.push(need);
                self.bytes.len() - 1
            }
        }
    }

    fn give_back(&mut self, buffer: usize) {
        self.free.push(buffer);
    }
}
