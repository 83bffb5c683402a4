//! DEPTHWISE_CONV_2D steps: shape checks and weight packing in the order
//! shaders/nn/depthwise_conv2d.wgsl reads it; `conv_step.rs` makes the
//! steps.

use super::conv_step::{bias, blocks_per_window, push_conv, Geometry, Operands, Weights};
use super::pipelines::{to_u32, Compiler, Kernel};
use super::shape::malformed;
use crate::gpu::shaders;
use crate::nn::{NnError, Op};

pub(crate) fn depthwise_conv2d(
    c: &mut Compiler<'_>,
    index: usize,
    op: &Op,
    geometry: &Geometry,
) -> Result<(), NnError> {
    let operands = Operands::read(c, index, op)?;
    let (x, y, name) = (&operands.x, operands.y, &operands.name);
    let [kh, kw, oc] = match operands.filter_shape[..] {
        [1, kh, kw, oc] => [kh, kw, oc],
        ref other => return Err(malformed(format!("{name} filter has shape {other:?}"))),
    };
    // TFLite derives the multiplier from the shapes; so do we.
    let fits = x.shape.c > 0 && oc % x.shape.c == 0;
    if !fits || oc != y.c || y.n != x.shape.n || [oc, kh, kw].contains(&0) {
        return Err(malformed(format!(
            "{name}: input {:?}, filter [1, {kh}, {kw}, {oc}], output {:?} do not fit",
            operands.seen.dims(),
            y.dims()
        )));
    }
    let multiplier = oc / x.shape.c;
    let taps = kh * kw;
    let bias = bias(c, op, oc, oc)?;
    // Per channel group: the bias, then one vec4 per tap.
    let block_vec4s = taps + 1;
    if blocks_per_window(c, block_vec4s) == 0 {
        return Err(NnError::GpuUnsupported(format!(
            "{name}: a {kh}x{kw} filter does not fit a 64 KiB uniform window"
        )));
    }
    let mut constants = geometry.window_constants([kh, kw])?;
    constants.push(("MULTIPLIER", to_u32(multiplier, "depth multiplier")?));
    let kernel = Kernel {
        path: "nn/depthwise_conv2d.wgsl",
        source: shaders::NN_DEPTHWISE_CONV2D,
        entry: "depthwise",
    };
    let filter = operands.filter;
    let pack = |b: usize, block: &mut [f32]| {
        let first_channel = b * 4;
        for (lane, channel) in (first_channel..(first_channel + 4).min(oc)).enumerate() {
            block[lane] = bias[channel];
            for tap in 0..taps {
                block[(1 + tap) * 4 + lane] = filter[tap * oc + channel];
            }
        }
    };
    let weights = Weights::Windows {
        blocks: y.c4(),
        block_vec4s,
        pack: &pack,
    };
    let pad = geometry.pad_before(x, operands.seen, y, [kh, kw]);
    let label = operands.label([kh, kw], geometry);
    push_conv(c, &operands, label, (kernel, &constants), pad, weights)
}
