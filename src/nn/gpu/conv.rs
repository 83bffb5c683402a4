//! CONV_2D steps: shape checks, weight packing in the order
//! shaders/nn/conv2d.wgsl (and its fallback conv2d_storage.wgsl) read it,
//! and dispatch sizes.

use super::pipelines::{
    activation_code, to_u32, Binding, Compiler, Kernel, UNIFORM_WINDOW_BYTES, WORKGROUP,
};
use super::shape::{malformed, pad_before};
use crate::gpu::shaders;
use crate::nn::{Activation, NnError, Op, Padding};

/// Output pixels per invocation in both shaders (their `PIXELS`).
pub(super) const PIXELS: usize = 2;

/// Uniforms of conv2d.wgsl.
// This must be kept in sync with ConvParams in shaders/nn/conv2d.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct ConvUniformParams {
    in_h: u32,
    in_w: u32,
    in_c4: u32,
    out_h: u32,
    out_w: u32,
    out_c4: u32,
    pad_top: u32,
    pad_left: u32,
    out_pixels: u32,
    block_vec4s: u32,
    first_block: u32,
    pad: u32,
}

/// Uniforms of conv2d_storage.wgsl.
// This must be kept in sync with ConvParams in shaders/nn/conv2d_storage.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct ConvStorageParams {
    in_h: u32,
    in_w: u32,
    in_c4: u32,
    out_h: u32,
    out_w: u32,
    out_c4: u32,
    pad_top: u32,
    pad_left: u32,
    out_pixels: u32,
    w_row: u32,
    pad: [u32; 2],
}

/// What both convolutions share.
pub(crate) struct Geometry {
    pub stride: [usize; 2],
    pub dilation: [usize; 2],
    pub padding: Padding,
    pub activation: Activation,
}

/// The window's fixed part, as override constants.
pub(super) fn window_constants(
    kernel: [usize; 2],
    geometry: &Geometry,
) -> Result<Vec<(&'static str, u32)>, NnError> {
    Ok(vec![
        ("KH", to_u32(kernel[0], "kernel height")?),
        ("KW", to_u32(kernel[1], "kernel width")?),
        ("STRIDE_H", to_u32(geometry.stride[0].max(1), "stride")?),
        ("STRIDE_W", to_u32(geometry.stride[1].max(1), "stride")?),
        (
            "DILATION_H",
            to_u32(geometry.dilation[0].max(1), "dilation")?,
        ),
        (
            "DILATION_W",
            to_u32(geometry.dilation[1].max(1), "dilation")?,
        ),
        ("ACTIVATION", activation_code(geometry.activation)),
    ])
}

/// The bias of an op (its third input, zeros when absent), padded to
/// `padded_len` values.
pub(super) fn bias(
    c: &Compiler<'_>,
    op: &Op,
    channels: usize,
    padded_len: usize,
) -> Result<Vec<f32>, NnError> {
    let mut out = vec![0.0f32; padded_len];
    if let Some(&b) = op.inputs.get(2) {
        let values = c.constant(b)?;
        if values.len() != channels {
            return Err(malformed(format!(
                "{} bias has {} values for {channels} output channels",
                op.kind.name(),
                values.len()
            )));
        }
        out[..channels].copy_from_slice(values);
    }
    Ok(out)
}

/// Where a CONV_2D reads and writes, after the shape checks.
struct ConvGeometry {
    kernel: [usize; 2],
    in_c: usize,
    out_c: usize,
    pad_top: usize,
    pad_left: usize,
    pointwise: bool,
}

pub(crate) fn conv2d(
    c: &mut Compiler<'_>,
    index: usize,
    op: &Op,
    geometry: &Geometry,
) -> Result<(), NnError> {
    let name = format!("CONV_2D #{index}");
    let (x_id, y_id) = (op.inputs[0], op.outputs[0]);
    let filter_id = *op
        .inputs
        .get(1)
        .ok_or_else(|| malformed(format!("{name} has no filter")))?;
    let x = c.input(x_id)?;
    let seen = c.plan.shapes[x_id]; // with a folded PAD's rows and columns
    let y = c.plan.shapes[y_id];
    let filter = c.constant(filter_id)?;
    let [o, kh, kw, i] = match c.model.tensors[filter_id].shape[..] {
        [o, kh, kw, i] => [o, kh, kw, i],
        ref other => return Err(malformed(format!("{name} filter has shape {other:?}"))),
    };
    if i != x.shape.c || o != y.c || y.n != x.shape.n || [o, kh, kw, i].contains(&0) {
        return Err(malformed(format!(
            "{name}: input {:?}, filter [{o}, {kh}, {kw}, {i}], output {:?} do not fit",
            seen.dims(),
            y.dims()
        )));
    }
    let [sh, sw] = geometry.stride.map(|s| s.max(1));
    let [dh, dw] = geometry.dilation.map(|d| d.max(1));
    let pad_top = x.pad_top + pad_before(geometry.padding, seen.h, y.h, kh, sh, dh);
    let pad_left = x.pad_left + pad_before(geometry.padding, seen.w, y.w, kw, sw, dw);
    let shape = ConvGeometry {
        kernel: [kh, kw],
        in_c: i,
        out_c: o,
        pad_top,
        pad_left,
        pointwise: kh == 1
            && kw == 1
            && sh == 1
            && sw == 1
            && pad_top == 0
            && pad_left == 0
            && (x.shape.h, x.shape.w) == (y.h, y.w),
    };
    let bias = bias(c, op, o, o)?;
    let output = c.output(y_id)?;
    let label = format!(
        "{name} {kh}x{kw}/{sh} {:?} -> {:?}",
        x.shape.dims(),
        y.dims()
    );
    let constants = if shape.pointwise {
        vec![("ACTIVATION", activation_code(geometry.activation))]
    } else {
        window_constants([kh, kw], geometry)?
    };
    let entry = if shape.pointwise { "conv_1x1" } else { "conv" };
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
    let uniform_windows = c.device.limits().max_uniform_buffer_binding_size >= UNIFORM_WINDOW_BYTES;
    let blocks_per_window = window_vec4s / block_vec4s;
    let params = |first_block: usize| -> Result<ConvUniformParams, NnError> {
        Ok(ConvUniformParams {
            in_h: to_u32(x.shape.h, "input height")?,
            in_w: to_u32(x.shape.w, "input width")?,
            in_c4: to_u32(in_c4, "input channels")?,
            out_h: to_u32(y.h, "output height")?,
            out_w: to_u32(y.w, "output width")?,
            out_c4: to_u32(out_c4, "output channels")?,
            pad_top: to_u32(shape.pad_top, "padding")?,
            pad_left: to_u32(shape.pad_left, "padding")?,
            out_pixels: to_u32(y.pixels(), "output pixels")?,
            block_vec4s: to_u32(block_vec4s, "filter size")?,
            first_block: to_u32(first_block, "output channels")?,
            pad: 0,
        })
    };
    let pixel_groups = to_u32(
        y.pixels().div_ceil(PIXELS).div_ceil(WORKGROUP),
        "workgroups",
    )?;
    if !uniform_windows || blocks_per_window == 0 {
        return conv2d_storage(
            c,
            label,
            (filter, &bias),
            &shape,
            &x,
            y,
            (constants, entry),
            output,
        );
    }
    let blocks = out_c4.div_ceil(ocv);
    let mut constants = constants;
    constants.push(("OCV", ocv as u32));
    let kernel = Kernel {
        path: "nn/conv2d.wgsl",
        source: shaders::NN_CONV2D,
        entry,
    };
    let mut first_block = 0;
    while first_block < blocks {
        let count = blocks_per_window.min(blocks - first_block);
        let mut packed = vec![0.0f32; count * block_vec4s * 4];
        for (b, block) in packed.chunks_exact_mut(block_vec4s * 4).enumerate() {
            let first_channel = (first_block + b) * ocv * 4;
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

/// The fallback for filters whose block of output channels exceeds a
/// uniform window: weights in storage buffers.
#[allow(clippy::too_many_arguments)]
fn conv2d_storage(
    c: &mut Compiler<'_>,
    label: String,
    (filter, bias): (&[f32], &[f32]),
    shape: &ConvGeometry,
    x: &super::pipelines::Input,
    y: super::shape::Shape4,
    (constants, entry): (Vec<(&'static str, u32)>, &'static str),
    output: wgpu::Buffer,
) -> Result<(), NnError> {
    let ([kh, kw], i, o) = (shape.kernel, shape.in_c, shape.out_c);
    let in_c4 = x.shape.c4();
    let out_c4 = y.c4();
    let w_row = out_c4.next_multiple_of(2);
    // Rows of vec4s over output channels, one per (tap, input channel).
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
    padded_bias[..o].copy_from_slice(bias);
    let bias = c.upload(&format!("{label} bias"), &padded_bias)?;
    let params = ConvStorageParams {
        in_h: to_u32(x.shape.h, "input height")?,
        in_w: to_u32(x.shape.w, "input width")?,
        in_c4: to_u32(in_c4, "input channels")?,
        out_h: to_u32(y.h, "output height")?,
        out_w: to_u32(y.w, "output width")?,
        out_c4: to_u32(out_c4, "output channels")?,
        pad_top: to_u32(shape.pad_top, "padding")?,
        pad_left: to_u32(shape.pad_left, "padding")?,
        out_pixels: to_u32(y.pixels(), "output pixels")?,
        w_row: to_u32(w_row, "output channels")?,
        pad: [0; 2],
    };
    let kernel = Kernel {
        path: "nn/conv2d_storage.wgsl",
        source: shaders::NN_CONV2D_STORAGE,
        entry,
    };
    let workgroups = [
        to_u32(
            y.pixels().div_ceil(PIXELS).div_ceil(WORKGROUP),
            "workgroups",
        )?,
        to_u32(w_row / 2, "workgroups")?,
        1,
    ];
    c.push(
        label,
        (kernel, &constants),
        bytemuck::bytes_of(&params),
        vec![
            Binding::Storage(x.buffer.clone()),
            Binding::Storage(weights),
            Binding::Storage(bias),
        ],
        &output,
        workgroups,
    )
}
