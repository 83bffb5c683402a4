//! Shape rules shared by the op kinds.

use super::Problem;
use crate::nn::Padding;

pub(super) fn rank4(shape: &[usize], what: &str) -> Result<[usize; 4], Problem> {
    <[usize; 4]>::try_from(shape)
        .map_err(|_| Problem::malformed(format!("{what} has shape {shape:?}, not 4-D")))
}

/// The output size of a window op along one axis (TFLite's
/// `ComputeOutSize`); `None` if the window does not fit (VALID).
pub(super) fn window_out(
    input: usize,
    window: usize,
    stride: usize,
    dilation: usize,
    padding: Padding,
) -> Option<usize> {
    let effective = window
        .checked_sub(1)?
        .checked_mul(dilation)?
        .checked_add(1)?;
    match padding {
        Padding::Same => Some(input.div_ceil(stride)),
        Padding::Valid => Some(input.checked_sub(effective)? / stride + 1),
    }
}

/// The NumPy-style broadcast of two shapes (TFLite's ADD rule).
pub(super) fn broadcast(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let rank = a.len().max(b.len());
    let dim = |shape: &[usize], axis: usize| match axis.checked_sub(rank - shape.len()) {
        Some(axis) => shape[axis],
        None => 1,
    };
    (0..rank)
        .map(|axis| match (dim(a, axis), dim(b, axis)) {
            (x, y) if x == y => Some(x),
            (1, y) => Some(y),
            (x, 1) => Some(x),
            _ => None,
        })
        .collect()
}

/// RESHAPE's target with its one `-1` resolved, if the sizes agree.
pub(super) fn reshaped(input: &[usize], target: &[i32]) -> Option<Vec<usize>> {
    let len: usize = input.iter().product();
    let mut known = 1usize;
    let mut unknown = 0;
    for &dim in target {
        match dim {
            -1 => unknown += 1,
            dim => known = known.checked_mul(usize::try_from(dim).ok().filter(|&dim| dim > 0)?)?,
        }
    }
    let inferred = match unknown {
        0 if known == len => 0,
        1 if len.is_multiple_of(known) => len / known,
        _ => return None,
    };
    Some(
        target
            .iter()
            .map(|&dim| usize::try_from(dim).unwrap_or(inferred))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_sizes_follow_tflite() {
        // SAME: ceil(in / stride), whatever the window.
        assert_eq!(window_out(224, 3, 2, 1, Padding::Same), Some(112));
        assert_eq!(window_out(5, 3, 2, 1, Padding::Same), Some(3));
        // VALID: ceil((in - effective window + 1) / stride).
        assert_eq!(window_out(226, 3, 2, 1, Padding::Valid), Some(112));
        assert_eq!(window_out(7, 3, 1, 2, Padding::Valid), Some(3));
        assert_eq!(window_out(2, 3, 1, 1, Padding::Valid), None);
        assert_eq!(window_out(8, 0, 1, 1, Padding::Valid), None);
    }

    #[test]
    fn broadcast_follows_numpy() {
        assert_eq!(broadcast(&[1, 4, 4, 8], &[8]), Some(vec![1, 4, 4, 8]));
        assert_eq!(
            broadcast(&[1, 4, 1, 8], &[1, 1, 3, 1]),
            Some(vec![1, 4, 3, 8])
        );
        assert_eq!(broadcast(&[], &[2, 3]), Some(vec![2, 3]));
        assert_eq!(broadcast(&[4], &[3]), None);
    }

    #[test]
    fn reshape_resolves_one_unknown() {
        assert_eq!(reshaped(&[1, 8, 8, 8], &[1, -1]), Some(vec![1, 512]));
        assert_eq!(reshaped(&[1, 8, 8, 8], &[1, 512]), Some(vec![1, 512]));
        assert_eq!(reshaped(&[1, 8, 8, 8], &[1, 500]), None);
        assert_eq!(reshaped(&[1, 8, 8, 8], &[-1, -1]), None);
        assert_eq!(reshaped(&[1, 8, 8, 8], &[0, -1]), None);
        assert_eq!(reshaped(&[6], &[4, -1]), None);
    }
}
