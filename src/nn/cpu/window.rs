//! The geometry shared by windowed ops (convolutions, pooling): sizes,
//! strides, dilations and the padding TFLite derives from them.

use super::malformed;
use crate::nn::{NnError, Padding};

/// Where an NHWC window op reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Window {
    pub batch: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub in_c: usize,
    pub out_h: usize,
    pub out_w: usize,
    pub out_c: usize,
    pub kernel_h: usize,
    pub kernel_w: usize,
    pub stride: [usize; 2],
    pub dilation: [usize; 2],
    /// Zero rows above and columns left of the input; the ones below and
    /// right follow from the output size (reads past the input are zero).
    pub pad_top: usize,
    pub pad_left: usize,
}

/// TFLite's output size for one dimension.
fn out_size(padding: Padding, input: usize, effective_kernel: usize, stride: usize) -> usize {
    match padding {
        Padding::Same => input.div_ceil(stride),
        Padding::Valid => (input + stride).saturating_sub(effective_kernel) / stride,
    }
}

/// TFLite's `ComputePaddingHeightWidth`: half the excess, the odd pixel
/// going after.
fn pad_before(out: usize, input: usize, effective_kernel: usize, stride: usize) -> usize {
    ((out.saturating_sub(1)) * stride + effective_kernel).saturating_sub(input) / 2
}

#[allow(clippy::too_many_arguments)]
impl Window {
    /// Builds the window of an op from its 4-D input and output shapes and
    /// checks that the output shape is the one TFLite computes.
    pub fn new(
        op: &str,
        input: &[usize],
        output: &[usize],
        kernel: [usize; 2],
        stride: [usize; 2],
        dilation: [usize; 2],
        padding: Padding,
    ) -> Result<Window, NnError> {
        let (&[batch, in_h, in_w, in_c], &[out_b, out_h, out_w, out_c]) = (input, output) else {
            return Err(malformed(format!(
                "{op}: input {input:?} and output {output:?} must be 4-D"
            )));
        };
        if kernel.contains(&0) || stride.contains(&0) || dilation.contains(&0) {
            return Err(malformed(format!(
                "{op}: zero kernel {kernel:?}, stride {stride:?} or dilation {dilation:?}"
            )));
        }
        let effective = [
            (kernel[0] - 1) * dilation[0] + 1,
            (kernel[1] - 1) * dilation[1] + 1,
        ];
        let expected = [
            out_size(padding, in_h, effective[0], stride[0]),
            out_size(padding, in_w, effective[1], stride[1]),
        ];
        if out_b != batch || [out_h, out_w] != expected {
            return Err(malformed(format!(
                "{op}: output {output:?} does not follow from input {input:?} \
                 (expected {batch}x{}x{})",
                expected[0], expected[1]
            )));
        }
        Ok(Window {
            batch,
            in_h,
            in_w,
            in_c,
            out_h,
            out_w,
            out_c,
            kernel_h: kernel[0],
            kernel_w: kernel[1],
            stride,
            dilation,
            pad_top: pad_before(out_h, in_h, effective[0], stride[0]),
            pad_left: pad_before(out_w, in_w, effective[1], stride[1]),
        })
    }

    /// `KHxKW/S OHxOW IC->OC`, for timings.
    pub fn describe(&self) -> String {
        format!(
            "{}x{}/{} {}x{} {}->{}",
            self.kernel_h,
            self.kernel_w,
            self.stride[0],
            self.out_h,
            self.out_w,
            self.in_c,
            self.out_c
        )
    }

    /// The window on the unpadded input of a fused spatial PAD.
    pub fn with_extra_padding(
        mut self,
        pre_pad_h: usize,
        pre_pad_w: usize,
        top: usize,
        left: usize,
    ) -> Window {
        self.in_h = pre_pad_h;
        self.in_w = pre_pad_w;
        self.pad_top += top;
        self.pad_left += left;
        self
    }

    /// The kernel taps along one axis that land inside the input for output
    /// coordinate `out`: `start..end`, and the input coordinate of tap 0
    /// (possibly negative, as isize).
    #[inline]
    pub fn taps(
        out: usize,
        stride: usize,
        dilation: usize,
        pad: usize,
        kernel: usize,
        input: usize,
    ) -> (usize, usize, isize) {
        let origin = (out * stride) as isize - pad as isize;
        if dilation == 1 {
            // The common case, without the divisions (hot in the kernels).
            let start = (-origin).clamp(0, kernel as isize) as usize;
            let end = (input as isize - origin).clamp(start as isize, kernel as isize) as usize;
            return (start, end, origin);
        }
        let d = dilation as isize;
        // First tap t with origin + t*d >= 0.
        let start = if origin >= 0 {
            0
        } else {
            ((-origin) + d - 1) / d
        } as usize;
        // Taps t with origin + t*d < input.
        let past = input as isize - origin;
        let end = if past <= 0 {
            0
        } else {
            ((past + d - 1) / d) as usize
        };
        (
            start.min(kernel),
            end.min(kernel).max(start.min(kernel)),
            origin,
        )
    }

    #[inline]
    pub fn rows_taps(&self, oy: usize) -> (usize, usize, isize) {
        Window::taps(
            oy,
            self.stride[0],
            self.dilation[0],
            self.pad_top,
            self.kernel_h,
            self.in_h,
        )
    }

    #[inline]
    pub fn cols_taps(&self, ox: usize) -> (usize, usize, isize) {
        Window::taps(
            ox,
            self.stride[1],
            self.dilation[1],
            self.pad_left,
            self.kernel_w,
            self.in_w,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Window;

    /// `taps` against counting the in-bounds taps one by one.
    #[test]
    fn taps_match_brute_force() {
        for dilation in 1..=3 {
            for kernel in 1..=5 {
                for pad in 0..=4 {
                    for input in 1..=7 {
                        for stride in 1..=2 {
                            for out in 0..=input {
                                let (start, end, origin) =
                                    Window::taps(out, stride, dilation, pad, kernel, input);
                                let inside: Vec<usize> = (0..kernel)
                                    .filter(|&t| {
                                        let at = origin + (t * dilation) as isize;
                                        at >= 0 && at < input as isize
                                    })
                                    .collect();
                                assert_eq!(origin, (out * stride) as isize - pad as isize);
                                assert_eq!((start..end).collect::<Vec<_>>(), inside);
                            }
                        }
                    }
                }
            }
        }
    }
}
