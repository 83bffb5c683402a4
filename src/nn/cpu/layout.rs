//! Ops that only move values: PAD, CONCATENATION, DEPTH_TO_SPACE.

use super::malformed;
use super::simd::activate_in_place;
use crate::nn::{Activation, NnError};

/// The most dimensions PAD and CONCATENATION support.
const MAX_RANK: usize = 8;

/// PAD with zeros.
#[derive(Debug)]
pub(super) struct Pad {
    in_shape: Vec<usize>,
    /// Element strides of the output.
    out_strides: Vec<usize>,
    /// Offset in the output of input element 0.
    origin: usize,
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
        let mut out_strides = vec![1; output.len()];
        for d in (0..output.len() - 1).rev() {
            out_strides[d] = out_strides[d + 1] * output[d + 1];
        }
        let origin = paddings
            .iter()
            .zip(&out_strides)
            .map(|([before, _], s)| before * s)
            .sum();
        Ok(Pad {
            in_shape: input.to_vec(),
            out_strides,
            origin,
        })
    }

    pub fn run(&self, input: &[f32], out: &mut [f32]) {
        out.fill(0.0);
        let rank = self.in_shape.len();
        let inner = self.in_shape[rank - 1];
        if inner == 0 {
            return;
        }
        let mut index = [0usize; MAX_RANK];
        for row in input.chunks_exact(inner) {
            let at = self.origin
                + index
                    .iter()
                    .zip(&self.out_strides)
                    .map(|(i, s)| i * s)
                    .sum::<usize>();
            out[at..at + inner].copy_from_slice(row);
            for d in (0..rank - 1).rev() {
                index[d] += 1;
                if index[d] < self.in_shape[d] {
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

    /// `input(i)` is the i-th input.
    pub fn run<'a>(&self, input: impl Fn(usize) -> &'a [f32], out: &mut [f32]) {
        let mut at = 0;
        for o in 0..self.outer {
            for (i, &chunk) in self.chunks.iter().enumerate() {
                out[at..at + chunk].copy_from_slice(&input(i)[o * chunk..(o + 1) * chunk]);
                at += chunk;
            }
        }
        activate_in_place(out, self.activation);
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

    pub fn run(&self, input: &[f32], out: &mut [f32]) {
        let [batch, h, w, c] = self.input;
        let bs = self.block;
        let out_c = c / (bs * bs);
        let mut dst = out.chunks_exact_mut(out_c);
        for b in 0..batch {
            for oy in 0..h * bs {
                for ox in 0..w * bs {
                    let pixel = (b * h + oy / bs) * w + ox / bs;
                    let ch = ((oy % bs) * bs + ox % bs) * out_c;
                    if let Some(d) = dst.next() {
                        d.copy_from_slice(&input[pixel * c + ch..pixel * c + ch + out_c]);
                    }
                }
            }
        }
    }
}
