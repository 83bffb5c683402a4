//! DEPTHWISE_CONV_2D steps: shape checks, weight packing in the order
//! shaders/nn/depthwise_conv2d.wgsl reads it, and dispatch sizes.

use super::conv::{bias, window_constants, Geometry, PIXELS};
use super::pipelines::{to_u32, Binding, Compiler, Kernel, UNIFORM_WINDOW_BYTES, WORKGROUP};
use super::shape::{malformed, pad_before};
use crate::gpu::shaders;
use crate::nn::{NnError, Op};

/// Uniforms of depthwise_conv2d.wgsl.
// This must be kept in sync with DepthwiseParams in
// shaders/nn/depthwise_conv2d.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct DepthwiseParams {
    in_h: u32,
    in_w: u32,
    in_c4: u32,
    out_h: u32,
    out_w: u32,
    out_c4: u32,
    pad_top: u32,
    pad_left: u32,
    out_pixels: u32,
    first_block: u32,
    pad: [u32; 2],
}

pub(crate) fn depthwise_conv2d(
    c: &mut Compiler<'_>,
    index: usize,
    op: &Op,
    geometry: &Geometry,
) -> Result<(), NnError> {
    let name = format!("DEPTHWISE_CONV_2D #{index}");
    let (x_id, y_id) = (op.inputs[0], op.outputs[0]);
    let filter_id = *op
        .inputs
        .get(1)
        .ok_or_else(|| malformed(format!("{name} has no filter")))?;
    let x = c.input(x_id)?;
    let seen = c.plan.shapes[x_id];
    let y = c.plan.shapes[y_id];
    let filter = c.constant(filter_id)?;
    let [kh, kw, oc] = match c.model.tensors[filter_id].shape[..] {
        [1, kh, kw, oc] => [kh, kw, oc],
        ref other => return Err(malformed(format!("{name} filter has shape {other:?}"))),
    };
    // TFLite derives the multiplier from the shapes; so do we.
    let fits = x.shape.c > 0 && oc % x.shape.c == 0;
    if !fits || oc != y.c || y.n != x.shape.n || [oc, kh, kw].contains(&0) {
        return Err(malformed(format!(
            "{name}: input {:?}, filter [1, {kh}, {kw}, {oc}], output {:?} do not fit",
            seen.dims(),
            y.dims()
        )));
    }
    let multiplier = oc / x.shape.c;
    let out_c4 = y.c4();
    let taps = kh * kw;
    let bias = bias(c, op, oc, oc)?;
    let window_vec4s = (UNIFORM_WINDOW_BYTES / 16) as usize;
    let blocks_per_window = window_vec4s / (taps + 1);
    if blocks_per_window == 0
        || c.device.limits().max_uniform_buffer_binding_size < UNIFORM_WINDOW_BYTES
    {
        return Err(NnError::GpuUnsupported(format!(
            "{name}: a {kh}x{kw} filter does not fit a 64 KiB uniform window"
        )));
    }
    let [sh, sw] = geometry.stride.map(|s| s.max(1));
    let [dh, dw] = geometry.dilation.map(|d| d.max(1));
    let params = |first_block: usize| -> Result<DepthwiseParams, NnError> {
        Ok(DepthwiseParams {
            in_h: to_u32(x.shape.h, "input height")?,
            in_w: to_u32(x.shape.w, "input width")?,
            in_c4: to_u32(x.shape.c4(), "input channels")?,
            out_h: to_u32(y.h, "output height")?,
            out_w: to_u32(y.w, "output width")?,
            out_c4: to_u32(out_c4, "output channels")?,
            pad_top: to_u32(
                x.pad_top + pad_before(geometry.padding, seen.h, y.h, kh, sh, dh),
                "padding",
            )?,
            pad_left: to_u32(
                x.pad_left + pad_before(geometry.padding, seen.w, y.w, kw, sw, dw),
                "padding",
            )?,
            out_pixels: to_u32(y.pixels(), "output pixels")?,
            first_block: to_u32(first_block, "output channels")?,
            pad: [0; 2],
        })
    };
    let mut constants = window_constants([kh, kw], geometry)?;
    constants.push(("MULTIPLIER", to_u32(multiplier, "depth multiplier")?));
    let kernel = Kernel {
        path: "nn/depthwise_conv2d.wgsl",
        source: shaders::NN_DEPTHWISE_CONV2D,
        entry: "depthwise",
    };
    let pixel_groups = to_u32(
        y.pixels().div_ceil(PIXELS).div_ceil(WORKGROUP),
        "workgroups",
    )?;
    let output = c.output(y_id)?;
    let label = format!(
        "{name} {kh}x{kw}/{sh} {:?} -> {:?}",
        x.shape.dims(),
        y.dims()
    );
    let mut first_block = 0;
    while first_block < out_c4 {
        let count = blocks_per_window.min(out_c4 - first_block);
        // Per channel group: the bias, then one vec4 per tap.
        let mut packed = vec![0.0f32; count * (taps + 1) * 4];
        for (b, block) in packed.chunks_exact_mut((taps + 1) * 4).enumerate() {
            let first_channel = (first_block + b) * 4;
            for (lane, channel) in (first_channel..(first_channel + 4).min(oc)).enumerate() {
                block[lane] = bias[channel];
                for tap in 0..taps {
                    block[(1 + tap) * 4 + lane] = filter[tap * oc + channel];
                }
            }
        }
        let offset = c.add_uniform_weights(&packed);
        c.push(
            format!("{label} block {first_block}"),
            (kernel, &constants),
            bytemuck::bytes_of(&params(first_block)?),
            vec![
                Binding::Storage(x.buffer.clone()),
                Binding::UniformWindow(offset),
            ],
            &output,
            [pixel_groups, to_u32(count, "workgroups")?, 1],
        )?;
        first_block += count;
    }
    Ok(())
}
