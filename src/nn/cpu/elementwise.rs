//! ADD (with TFLite/NumPy broadcasting) and LOGISTIC.

use super::malformed;
use super::parallel::{split_units, Workers, MIN_PARALLEL_FLOATS};
use super::simd::activate_in_place;
use crate::nn::{Activation, NnError};

/// The most dimensions ADD supports (TFLite allows 6).
const MAX_RANK: usize = 8;

/// From this many elements LOGISTIC is split across the threads: an
/// `exp` costs about as much as a few multiply-adds.
const MIN_PARALLEL_LOGISTIC: usize = 4_096;

/// ADD: the operands' shapes are right-aligned; each dimension is equal or
/// 1 in one of them.
#[derive(Debug)]
pub(super) struct Add {
    /// The output shape, at least 1-D.
    shape: Vec<usize>,
    /// Both operands have the output's shape (no broadcasting).
    same_shapes: bool,
    /// Element strides of each operand over `shape` (0 where broadcast).
    a_strides: Vec<usize>,
    b_strides: Vec<usize>,
    activation: Activation,
}

/// Right-aligned strides of `shape` over an output of `rank` dimensions,
/// 0 where the operand's dimension is 1 (or missing).
fn broadcast_strides(shape: &[usize], rank: usize) -> Vec<usize> {
    let mut strides = vec![0; rank];
    let mut stride = 1;
    for (i, &dim) in shape.iter().enumerate().rev() {
        let at = rank - shape.len() + i;
        strides[at] = if dim == 1 { 0 } else { stride };
        stride *= dim;
    }
    strides
}

impl Add {
    pub fn new(
        a: &[usize],
        b: &[usize],
        out: &[usize],
        activation: Activation,
    ) -> Result<Add, NnError> {
        let rank = a.len().max(b.len()).max(1);
        let dim = |shape: &[usize], i: usize| {
            (i + shape.len())
                .checked_sub(rank)
                .map_or(1, |at| shape[at])
        };
        let shape: Vec<usize> = (0..rank)
            .map(|i| {
                let (x, y) = (dim(a, i), dim(b, i));
                if x == y || y == 1 {
                    Ok(x)
                } else if x == 1 {
                    Ok(y)
                } else {
                    Err(malformed(format!(
                        "ADD: shapes {a:?} and {b:?} do not broadcast"
                    )))
                }
            })
            .collect::<Result<_, _>>()?;
        let squeeze = |s: &[usize]| {
            s.iter()
                .skip_while(|&&d| d == 1)
                .copied()
                .collect::<Vec<_>>()
        };
        if rank > MAX_RANK || squeeze(out) != squeeze(&shape) {
            return Err(malformed(format!(
                "ADD: output {out:?} is not the broadcast of {a:?} and {b:?}"
            )));
        }
        let same_shapes = squeeze(a) == squeeze(&shape) && squeeze(b) == squeeze(&shape);
        Ok(Add {
            same_shapes,
            a_strides: broadcast_strides(a, rank),
            b_strides: broadcast_strides(b, rank),
            shape,
            activation,
        })
    }

    /// The activation of an ADD whose operands both have the output's
    /// shape (one that a convolution can take over), else `None`.
    pub fn elementwise_activation(&self) -> Option<Activation> {
        self.same_shapes.then_some(self.activation)
    }

    pub fn run(&self, a: &[f32], b: &[f32], out: &mut [f32], workers: &mut Workers) {
        let rank = self.shape.len();
        let inner = self.shape[rank - 1];
        let (a_inner, b_inner) = (self.a_strides[rank - 1], self.b_strides[rank - 1]);
        let len = out.len();
        if a.len() == len && b.len() == len {
            let parallel = len >= MIN_PARALLEL_FLOATS;
            split_units(workers, parallel, out, 1, len, 0, |first, part, _| {
                let end = first + part.len();
                part.iter_mut()
                    .zip(a[first..end].iter().zip(&b[first..end]))
                    .for_each(|(o, (&x, &y))| *o = x + y);
                activate_in_place(part, self.activation);
            });
            return;
        }
        // One output row (innermost dimension) at a time, split across
        // the workers when big.
        let inner = inner.max(1);
        let rows = len / inner;
        let parallel = len >= MIN_PARALLEL_FLOATS;
        split_units(workers, parallel, out, inner, rows, 0, |first, part, _| {
            // The multi-index of row `first` over the outer dimensions;
            // each operand's row start follows from it.
            let mut index = [0usize; MAX_RANK];
            let mut rest = first;
            for d in (0..rank - 1).rev() {
                index[d] = rest % self.shape[d];
                rest /= self.shape[d];
            }
            for row in part.chunks_exact_mut(inner) {
                let a_at: usize = index.iter().zip(&self.a_strides).map(|(i, s)| i * s).sum();
                let b_at: usize = index.iter().zip(&self.b_strides).map(|(i, s)| i * s).sum();
                match (a_inner, b_inner) {
                    (0, 0) => row.fill(a[a_at] + b[b_at]),
                    (0, _) => add_row_scalar(row, &b[b_at..b_at + inner], a[a_at]),
                    (_, 0) => add_row_scalar(row, &a[a_at..a_at + inner], b[b_at]),
                    _ => row
                        .iter_mut()
                        .zip(a[a_at..a_at + inner].iter().zip(&b[b_at..b_at + inner]))
                        .for_each(|(o, (&x, &y))| *o = x + y),
                }
                // Advance the multi-index over the outer dimensions.
                for d in (0..rank - 1).rev() {
                    index[d] += 1;
                    if index[d] < self.shape[d] {
                        break;
                    }
                    index[d] = 0;
                }
            }
            activate_in_place(part, self.activation);
        });
    }
}

fn add_row_scalar(row: &mut [f32], values: &[f32], scalar: f32) {
    row.iter_mut()
        .zip(values)
        .for_each(|(o, &x)| *o = x + scalar);
}

/// LOGISTIC: 1 / (1 + e^-x), split across the workers when big.
pub(super) fn logistic(x: &[f32], out: &mut [f32], workers: &mut Workers) {
    let len = out.len();
    let parallel = len >= MIN_PARALLEL_LOGISTIC;
    split_units(workers, parallel, out, 1, len, 0, |first, part, _| {
        part.iter_mut()
            .zip(&x[first..])
            .for_each(|(o, &v)| *o = 1.0 / (1.0 + (-v).exp()));
    });
}
