//! Ops that only move values: PAD, CONCATENATION, DEPTH_TO_SPACE.

use super::malformed;
use super::parallel::{split_units, Workers, MIN_PARALLEL_FLOATS};
use super::simd::activate_in_place;
use crate::nn::{Activation, NnError};

/// The most dimensions PAD and CONCATENATION support.
const MAX_RANK: usize = 8;

/// PAD with zeros.
#[derive(Debug)]
pub(super) struct Pad {
    in_shape: Vec<usize>,
    out_shape: Vec<usize>,
    /// Zeros before each dimension.
    before: Vec<usize>,
}

impl Pad {
    pub fn new(input: &[usize], output: &[usize], paddings: &[[usize; 2]]) -> Result<Pad, NnError> {
        let expected: Vec<usize> = input
            .iter()
            .zip(paddings)
            .map(|(&d, [before, after])| d + before + after)
            .collect();
        if input.is_empty()
            || input.len() > MAX_RANK
            || paddings.len() != input.len()
            || expected != output
        {
            return Err(malformed(format!(
                "PAD: input {input:?} padded by {paddings:?} is not the output {output:?}"
            )));
        }
        Ok(Pad {
            in_shape: input.to_vec(),
            out_shape: output.to_vec(),
            before: paddings.iter().map(|[before, _]| *before).collect(),
        })
    }

    /// Output rows (the innermost dimension) are independent: each is
    /// zeros around one input row, or all zeros. Split across the workers
    /// when big.
    pub fn run(&self, input: &[f32], out: &mut [f32], workers: &mut Workers) {
        let rank = self.out_shape.len();
        let row_len = self.out_shape[rank - 1];
        if row_len == 0 {
            return;
        }
        let rows = out.len() / row_len;
        let parallel = out.len() >= MIN_PARALLEL_FLOATS;
        split_units(workers, parallel, out, row_len, rows, 0, |first, part, _| {
            self.rows(input, first, part)
        });
    }

    /// Output rows `first..` into `part`.
    fn rows(&self, input: &[f32], first: usize, part: &mut [f32]) {
        let rank = self.out_shape.len();
        let (row_len, in_row_len) = (self.out_shape[rank - 1], self.in_shape[rank - 1]);
        let (left, outer) = (self.before[rank - 1], rank - 1);
        // The multi-index of output row `first` over the outer dimensions.
        let mut index = [0usize; MAX_RANK];
        let mut rest = first;
        for d in (0..outer).rev() {
            index[d] = rest % self.out_shape[d];
            rest /= self.out_shape[d];
        }
        for dst in part.chunks_exact_mut(row_len) {
            // The input row under this output row, if any.
            let inside = (0..outer).all(|d| index[d].wrapping_sub(self.before[d]) < self.in_shape[d]);
            if inside && in_row_len > 0 {
                let in_row = (0..outer).fold(0, |row, d| {
                    row * self.in_shape[d] + index[d] - self.before[d]
                });
                let src = &input[in_row * in_row_len..][..in_row_len];
                dst[..left].fill(0.0);
                dst[left..left + in_row_len].copy_from_slice(src);
                dst[left + in_row_len..].fill(0.0);
            } else {
                dst.fill(0.0);
            }
            for d in (0..outer).rev() {
                index[d] += 1;
                if index[d] < self.out_shape[d] {
                    break;
                }
                index[d] = 0;
            }
        }
    }
}

/// CONCATENATION: each input's block of `dims[axis..]` in turn, for every
/// index of the dimensions before `axis`.
#[derive(Debug)]
pub(super) struct Concat {
    outer: usize,
    /// Floats each input contributes per outer index.
    chunks: Vec<usize>,
    activation: Activation,
}

impl Concat {
    pub fn new(
        inputs: &[&[usize]],
        output: &[usize],
        axis: usize,
        activation: Activation,
    ) -> Result<Concat, NnError> {
        let bad = || {
            malformed(format!(
                "CONCATENATION: inputs {inputs:?} on axis {axis} do not make {output:?}"
            ))
        };
        if axis >= output.len() || inputs.is_empty() {
            return Err(bad());
        }
        let mut axis_total = 0;
        for shape in inputs {
            let same_rest = shape.len() == output.len()
                && shape
                    .iter()
                    .zip(output)
                    .enumerate()
                    .all(|(d, (a, b))| d == axis || a == b);
            if !same_rest {
                return Err(bad());
            }
            axis_total += shape[axis];
        }
        if axis_total != output[axis] {
            return Err(bad());
        }
        let inner: usize = output[axis + 1..].iter().product();
        Ok(Concat {
            outer: output[..axis].iter().product(),
            chunks: inputs.iter().map(|s| s[axis] * inner).collect(),
            activation,
        })
    }

    /// `input(i)` is the i-th input. The output's outer indices are
    /// independent: split across the workers when big.
    pub fn run<'a>(
        &self,
        input: impl Fn(usize) -> &'a [f32] + Sync,
        out: &mut [f32],
        workers: &mut Workers,
    ) {
        let block: usize = self.chunks.iter().sum();
        let parallel = self.outer * block >= MIN_PARALLEL_FLOATS;
        split_units(
            workers,
            parallel,
            out,
            block,
            self.outer,
            0,
            |first, part, _| {
                for (o, dst) in (first..).zip(part.chunks_exact_mut(block)) {
                    let mut at = 0;
                    for (i, &chunk) in self.chunks.iter().enumerate() {
                        dst[at..at + chunk].copy_from_slice(&input(i)[o * chunk..(o + 1) * chunk]);
                        at += chunk;
                    }
                }
                activate_in_place(part, self.activation);
            },
        );
    }
}

/// DEPTH_TO_SPACE in TFLite's (DCR) order: output (y, x, c) reads input
/// (y / bs, x / bs, ((y % bs) * bs + x % bs) * out_c + c).
#[derive(Debug)]
pub(super) struct DepthToSpace {
    block: usize,
    /// Input batch, height, width, channels.
    input: [usize; 4],
}

impl DepthToSpace {
    pub fn new(input: &[usize], output: &[usize], block: usize) -> Result<DepthToSpace, NnError> {
        let ok = match (input, output) {
            (&[b, h, w, c], &[ob, oh, ow, oc]) => {
                block > 0
                    && ob == b
                    && oh == h * block
                    && ow == w * block
                    && oc * block * block == c
            }
            _ => false,
        };
        let (&[b, h, w, c], true) = (input, ok) else {
            return Err(malformed(format!(
                "DEPTH_TO_SPACE: input {input:?} with block {block} does not make {output:?}"
            )));
        };
        Ok(DepthToSpace {
            block,
            input: [b, h, w, c],
        })
    }

    /// Output rows are independent: split across the workers when big.
    pub fn run(&self, input: &[f32], out: &mut [f32], workers: &mut Workers) {
        let [batch, h, w, c] = self.input;
        let bs = self.block;
        let out_c = c / (bs * bs);
        let (row_len, rows) = (w * bs * out_c, batch * h * bs);
        if out_c == 0 {
            return;
        }
        let parallel = rows * row_len >= MIN_PARALLEL_FLOATS;
        split_units(workers, parallel, out, row_len, rows, 0, |first, part, _| {
            for (row, dst_row) in (first..).zip(part.chunks_exact_mut(row_len)) {
                let (b, oy) = (row / (h * bs), row % (h * bs));
                for (ox, d) in dst_row.chunks_exact_mut(out_c).enumerate() {
                    let pixel = (b * h + oy / bs) * w + ox / bs;
                    let ch = ((oy % bs) * bs + ox % bs) * out_c;
                    d.copy_from_slice(&input[pixel * c + ch..pixel * c + ch + out_c]);
                }
            }
        });
    }
}
