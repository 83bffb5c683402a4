//! How tensors are laid out in GPU buffers: NHWC f32 with the channel
//! (last) dimension padded to a multiple of 4, so that kernels move whole
//! `vec4`s. Tensors of rank below 4 get leading 1s (`[1, 195]` is stored as
//! `[1, 1, 1, 195]`, 196 floats).

use crate::nn::{NnError, Padding};

/// A tensor's shape as the kernels see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape4 {
    pub n: usize,
    pub h: usize,
    pub w: usize,
    pub c: usize,
}

impl Shape4 {
    /// Shapes of rank 0 to 4; `what` names the tensor in errors.
    pub fn new(shape: &[usize], what: &str) -> Result<Shape4, NnError> {
        if shape.len() > 4 {
            return Err(malformed(format!(
                "{what} has rank {} (shape {shape:?}); the GPU executor handles rank 4 at most",
                shape.len()
            )));
        }
        let mut dims = [1usize; 4];
        dims[4 - shape.len()..].copy_from_slice(shape);
        Ok(Shape4 {
            n: dims[0],
            h: dims[1],
            w: dims[2],
            c: dims[3],
        })
    }

    pub fn dims(&self) -> [usize; 4] {
        [self.n, self.h, self.w, self.c]
    }

    /// Channel groups of 4 (the last one zero-padded).
    pub fn c4(&self) -> usize {
        self.c.div_ceil(4)
    }

    pub fn pixels(&self) -> usize {
        self.n * self.h * self.w
    }

    /// The number of logical values.
    pub fn len(&self) -> usize {
        self.pixels() * self.c
    }

    /// The number of `vec4`s stored.
    pub fn vec4s(&self) -> usize {
        self.pixels() * self.c4()
    }

    /// Bytes stored; never 0 (wgpu buffers must not be empty).
    pub fn bytes(&self) -> u64 {
        (self.vec4s().max(1) * 16) as u64
    }
}

/// Copies dense NHWC values into the padded layout (`out` has
/// `shape.vec4s() * 4` values; pad lanes become 0).
pub(crate) fn pad_channels(shape: Shape4, dense: &[f32], out: &mut [f32]) {
    let c = shape.c;
    let stride = shape.c4() * 4;
    if c == stride {
        out[..dense.len()].copy_from_slice(dense);
        return;
    }
    for (row, padded) in dense.chunks_exact(c).zip(out.chunks_exact_mut(stride)) {
        padded[..c].copy_from_slice(row);
        padded[c..].fill(0.0);
    }
}

/// The inverse of `pad_channels`.
pub(crate) fn strip_channels(shape: Shape4, padded: &[f32], out: &mut Vec<f32>) {
    let c = shape.c;
    let stride = shape.c4() * 4;
    out.clear();
    out.reserve(shape.len());
    if c == stride {
        out.extend_from_slice(&padded[..shape.len()]);
        return;
    }
    for row in padded.chunks_exact(stride).take(shape.pixels()) {
        out.extend_from_slice(&row[..c]);
    }
}

/// TFLite's zero padding before the first row or column of a window op:
/// half the excess, the odd pixel going after.
pub(crate) fn pad_before(
    padding: Padding,
    input: usize,
    output: usize,
    kernel: usize,
    stride: usize,
    dilation: usize,
) -> usize {
    match padding {
        Padding::Valid => 0,
        Padding::Same => {
            let effective_kernel = (kernel.saturating_sub(1)) * dilation + 1;
            (output.saturating_sub(1) * stride + effective_kernel).saturating_sub(input) / 2
        }
    }
}

/// An error about the model's structure.
pub(crate) fn malformed(message: String) -> NnError {
    NnError::Malformed {
        what: "model (GPU executor)".to_string(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_and_strips_channels() {
        let shape = Shape4::new(&[2, 3], "t").unwrap();
        assert_eq!(shape.dims(), [1, 1, 2, 3]);
        let dense = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let mut padded = vec![9.0; shape.vec4s() * 4];
        pad_channels(shape, &dense, &mut padded);
        assert_eq!(padded, [1.0, 2.0, 3.0, 0.0, 4.0, 5.0, 6.0, 0.0]);
        let mut back = Vec::new();
        strip_channels(shape, &padded, &mut back);
        assert_eq!(back, dense);
    }

    #[test]
    fn same_padding_puts_the_odd_pixel_after() {
        // 4 -> 2 with a 3-wide kernel, stride 2: 1 pixel of excess, after.
        assert_eq!(pad_before(Padding::Same, 4, 2, 3, 2, 1), 0);
        assert_eq!(pad_before(Padding::Same, 5, 5, 3, 1, 1), 1);
        assert_eq!(pad_before(Padding::Same, 5, 5, 3, 1, 2), 2);
        assert_eq!(pad_before(Padding::Valid, 5, 3, 3, 1, 1), 0);
    }
}
