//! Fused activations over slices, shared by the kernels.

use crate::nn::Activation;

/// `dst[i] = act(src[i])`, with the match outside the loop so each arm
/// vectorises.
#[inline(always)]
pub(super) fn activate_into(dst: &mut [f32], src: &[f32], act: Activation) {
    let pairs = dst.iter_mut().zip(src);
    match act {
        Activation::None => pairs.for_each(|(d, &s)| *d = s),
        Activation::Relu => pairs.for_each(|(d, &s)| *d = s.max(0.0)),
        Activation::ReluN1To1 => pairs.for_each(|(d, &s)| *d = s.clamp(-1.0, 1.0)),
        Activation::Relu6 => pairs.for_each(|(d, &s)| *d = s.clamp(0.0, 6.0)),
        Activation::Tanh => pairs.for_each(|(d, &s)| *d = s.tanh()),
    }
}

/// `x[i] = act(x[i])`.
pub(super) fn activate_in_place(x: &mut [f32], act: Activation) {
    match act {
        Activation::None => {}
        Activation::Relu => x.iter_mut().for_each(|v| *v = v.max(0.0)),
        Activation::ReluN1To1 => x.iter_mut().for_each(|v| *v = v.clamp(-1.0, 1.0)),
        Activation::Relu6 => x.iter_mut().for_each(|v| *v = v.clamp(0.0, 6.0)),
        Activation::Tanh => x.iter_mut().for_each(|v| *v = v.tanh()),
    }
}

/// The activations that are a clamp, as (low, high) bounds, so kernels can
/// apply them with vector min/max; `None` for Tanh.
pub(super) trait ClampBounds {
    fn clamp_bounds(self) -> Option<(f32, f32)>;
}

impl ClampBounds for Activation {
    fn clamp_bounds(self) -> Option<(f32, f32)> {
        match self {
            Activation::None => Some((f32::NEG_INFINITY, f32::INFINITY)),
            Activation::Relu => Some((0.0, f32::INFINITY)),
            Activation::ReluN1To1 => Some((-1.0, 1.0)),
            Activation::Relu6 => Some((0.0, 6.0)),
            Activation::Tanh => None,
        }
    }
}
