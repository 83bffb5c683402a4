//! CONV_2D steps: shape checks and weight packing in the order
//! shaders/nn/conv2d.wgsl (and its fallback conv2d_storage.wgsl) read it;
//! `conv_step.rs` makes the steps.

use super::conv_step::{bias, blocks_per_window, push_conv, Geometry, Operands, Weights};
use super::pipelines::{activation_code, Compiler, Kernel, UNIFORM_WINDOW_BYTES};
use super::shape::malformed;
use crate::gpu::shaders;
use crate::nn::{NnError, Op};

pub(crate) fn conv2d(
    c: &mut Compiler<'_>,
    index: usize,
    op: &Op,
    geometry: &Geometry,
) -> Result<(), NnError> {
    let operands = Operands::read(c, index, op)?;
    let (x, y, name) = (&operands.x, operands.y, &operands.name);
    let [o, kh, kw, i] = match operands.filter_shape[..] {
        [o, kh, kw, i] => [o, kh, kw, i],
        ref other => return Err(malformed(format!("{name} filter has shape {other:?}"))),
    };
    if i != x.shape.c || o != y.c || y.n != x.shape.n || [o, kh, kw, i].contains(&0) {
        return Err(malformed(format!(
            "{name}: input {:?}, filter [{o}, {kh}, {kw}, {i}], output {:?} do not fit",
            operands.seen.dims(),
            y.dims()
        )));
    }
    let pad = geometry.pad_before(x, operands.seen, y, [kh, kw]);
    let pointwise = [kh, kw] == [1, 1]
        && geometry.stride() == [1, 1]
        && pad == [0, 0]
        && (x.shape.h, x.shape.w) == (y.h, y.w);
    let bias = bias(c, op, o, o)?;
    let label = operands.label([kh, kw], geometry);
    let (mut constants, entry) = if pointwise {
        (
            vec![("ACTIVATION", activation_code(geometry.activation))],
            "conv_1x1",
        )
    } else {
        (geometry.window_constants([kh, kw])?, "conv")
    };
    let filter = operands.filter;
    let in_c4 = x.shape.c4();
    let out_c4 = y.c4();
    // Output channel vec4s per block: input loads are the cost (each is
    // reused by every channel of a block), so take 4 unless the channels
    // are fewer, and fewer when a block would not fit a window.
    let window_vec4s = (UNIFORM_WINDOW_BYTES / 16) as usize;
    let taps_vec4s = kh * kw * in_c4 * 4;
    let ocv = [4, 2, 1]
        .into_iter()
        .filter(|&v| v <= out_c4.next_power_of_two())
        .find(|&v| v * (1 + taps_vec4s) <= window_vec4s)
        .unwrap_or(1);
    let block_vec4s = ocv * (1 + taps_vec4s);
    if blocks_per_window(c, block_vec4s) == 0 {
        // The weights stay in storage buffers: rows of vec4s over output
        // channels, one per (tap, input channel).
        let w_row = out_c4.next_multiple_of(2);
        let mut packed = vec![0.0f32; kh * kw * in_c4 * 4 * w_row * 4];
        for (oc, per_output) in filter.chunks_exact(kh * kw * i).enumerate() {
            for (tap, per_tap) in per_output.chunks_exact(i).enumerate() {
                for (ic, &value) in per_tap.iter().enumerate() {
                    packed[(tap * in_c4 * 4 + ic) * w_row * 4 + oc] = value;
                }
            }
        }
        let weights = c.upload(&format!("{label} weights"), &packed)?;
        let mut padded_bias = vec![0.0f32; w_row * 4];
        padded_bias[..o].copy_from_slice(&bias);
        let bias = c.upload(&format!("{label} bias"), &padded_bias)?;
        let kernel = Kernel {
            path: "nn/conv2d_storage.wgsl",
            source: shaders::NN_CONV2D_STORAGE,
            entry,
        };
        let weights = Weights::Storage {
            weights,
            bias,
            w_row,
        };
        return push_conv(c, &operands, label, (kernel, &constants), pad, weights);
    }
    constants.push(("OCV", ocv as u32));
    let kernel = Kernel {
        path: "nn/conv2d.wgsl",
        source: shaders::NN_CONV2D,
        entry,
    };
    // A block: the bias of its OCV·4 output channels, then per (tap, input
    // channel) their weights.
    let pack = |b: usize, block: &mut [f32]| {
        let first_channel = b * ocv * 4;
        let channels = first_channel..(first_channel + ocv * 4).min(o);
        for (lane, oc) in channels.enumerate() {
            block[lane] = bias[oc];
            let per_output = &filter[oc * kh * kw * i..][..kh * kw * i];
            for (tap, per_tap) in per_output.chunks_exact(i).enumerate() {
                for (ic, &value) in per_tap.iter().enumerate() {
                    block[(ocv + (tap * in_c4 * 4 + ic) * ocv) * 4 + lane] = value;
                }
            }
        }
    };
    let weights = Weights::Windows {
        blocks: out_c4.div_ceil(ocv),
        block_vec4s,
        pack: &pack,
    };
    push_conv(c, &operands, label, (kernel, &constants), pad, weights)
}
