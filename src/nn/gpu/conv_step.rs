//! What the convolution steps share (CONV_2D in `conv.rs`,
//! DEPTHWISE_CONV_2D in `depthwise.rs`), as their shaders share
//! shaders/common/nn_conv.wgsl: reading the operands, the padding, the
//! window's override constants, the bias, the parameters, and the one
//! builder that turns packed weights into steps.

use super::pipelines::{
    activation_code, to_u32, Binding, Compiler, Input, Kernel, UNIFORM_WINDOW_BYTES, WORKGROUP,
};
use super::shape::{malformed, pad_before, Shape4};
use crate::nn::{Activation, NnError, Op, Padding};

/// Output pixels per invocation in every convolution shader (`PIXELS` in
/// shaders/common/nn_conv.wgsl).
pub(super) const PIXELS: usize = 2;

/// Uniforms of every convolution shader.
// This must be kept in sync with ConvParams in shaders/common/nn_conv.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct ConvParams {
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
    w_row: u32,
}

/// What both convolutions share.
pub(crate) struct Geometry {
    pub stride: [usize; 2],
    pub dilation: [usize; 2],
    pub padding: Padding,
    pub activation: Activation,
}

impl Geometry {
    /// The stride, at least 1 each way.
    pub(super) fn stride(&self) -> [usize; 2] {
        self.stride.map(|s| s.max(1))
    }

    /// Zero rows above and columns left of the stored input that a
    /// `kernel` window reads: the op's padding plus a folded PAD's.
    pub(super) fn pad_before(
        &self,
        x: &Input,
        seen: Shape4,
        y: Shape4,
        [kh, kw]: [usize; 2],
    ) -> [usize; 2] {
        let [sh, sw] = self.stride();
        let [dh, dw] = self.dilation.map(|d| d.max(1));
        [
            x.pad_top + pad_before(self.padding, seen.h, y.h, kh, sh, dh),
            x.pad_left + pad_before(self.padding, seen.w, y.w, kw, sw, dw),
        ]
    }

    /// The window's fixed part, as override constants.
    pub(super) fn window_constants(
        &self,
        kernel: [usize; 2],
    ) -> Result<Vec<(&'static str, u32)>, NnError> {
        let [sh, sw] = self.stride();
        let [dh, dw] = self.dilation.map(|d| d.max(1));
        Ok(vec![
            ("KH", to_u32(kernel[0], "kernel height")?),
            ("KW", to_u32(kernel[1], "kernel width")?),
            ("STRIDE_H", to_u32(sh, "stride")?),
            ("STRIDE_W", to_u32(sw, "stride")?),
            ("DILATION_H", to_u32(dh, "dilation")?),
            ("DILATION_W", to_u32(dw, "dilation")?),
            ("ACTIVATION", activation_code(self.activation)),
        ])
    }
}

/// A convolution's operands, before the kind-specific shape checks.
pub(super) struct Operands<'a> {
    /// `KIND #index`, for errors and labels.
    pub name: String,
    pub x: Input,
    /// The input's shape as the op sees it (with a folded PAD's rows and
    /// columns).
    pub seen: Shape4,
    pub y: Shape4,
    pub filter: &'a [f32],
    pub filter_shape: &'a [usize],
    pub output: wgpu::Buffer,
}

impl<'a> Operands<'a> {
    /// Reads the input, filter and output of convolution `op`.
    pub fn read(c: &Compiler<'a>, index: usize, op: &Op) -> Result<Operands<'a>, NnError> {
        let name = format!("{} #{index}", op.kind.name());
        let (x_id, y_id) = (op.inputs[0], op.outputs[0]);
        let filter_id = *op
            .inputs
            .get(1)
            .ok_or_else(|| malformed(format!("{name} has no filter")))?;
        Ok(Operands {
            x: c.input(x_id)?,
            seen: c.plan.shapes[x_id],
            y: c.plan.shapes[y_id],
            filter: c.constant(filter_id)?,
            filter_shape: &c.model.tensors[filter_id].shape,
            output: c.output(y_id)?,
            name,
        })
    }

    /// The steps' label: `name KHxKW/stride input -> output`.
    pub fn label(&self, [kh, kw]: [usize; 2], geometry: &Geometry) -> String {
        format!(
            "{} {kh}x{kw}/{} {:?} -> {:?}",
            self.name,
            geometry.stride()[0],
            self.x.shape.dims(),
            self.y.dims()
        )
    }
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

/// How a convolution's weights reach its shader.
pub(super) enum Weights<'p> {
    /// `blocks` blocks of `block_vec4s` vec4s, as many to a 64 KiB uniform
    /// window as fit, one step per window and one workgroup row per block.
    /// `pack(b, block)` fills block `b` (zeroed, `block_vec4s · 4` floats).
    Windows {
        blocks: usize,
        block_vec4s: usize,
        pack: &'p dyn Fn(usize, &mut [f32]),
    },
    /// Whole storage buffers of weights and bias, rows of `w_row` vec4s of
    /// output channels; one step, one workgroup row per 2 vec4s of a row.
    Storage {
        weights: wgpu::Buffer,
        bias: wgpu::Buffer,
        w_row: usize,
    },
}

/// Blocks of `block_vec4s` vec4s that fit one uniform window, 0 when none
/// does or the device has no 64 KiB uniform bindings.
pub(super) fn blocks_per_window(c: &Compiler<'_>, block_vec4s: usize) -> usize {
    if c.device.limits().max_uniform_buffer_binding_size < UNIFORM_WINDOW_BYTES {
        return 0;
    }
    (UNIFORM_WINDOW_BYTES / 16) as usize / block_vec4s.max(1)
}

/// Adds the steps of one convolution: `kernel` with `constants`, reading
/// `operands.x` with `pad` ([top, left]) zeros around it and `weights`,
/// writing `operands.y`.
pub(super) fn push_conv(
    c: &mut Compiler<'_>,
    operands: &Operands<'_>,
    label: String,
    (kernel, constants): (Kernel, &[(&'static str, u32)]),
    [pad_top, pad_left]: [usize; 2],
    weights: Weights<'_>,
) -> Result<(), NnError> {
    let (x, y) = (&operands.x, operands.y);
    let params = |block_vec4s: usize, first_block: usize, w_row: usize| {
        Ok::<_, NnError>(ConvParams {
            in_h: to_u32(x.shape.h, "input height")?,
            in_w: to_u32(x.shape.w, "input width")?,
            in_c4: to_u32(x.shape.c4(), "input channels")?,
            out_h: to_u32(y.h, "output height")?,
            out_w: to_u32(y.w, "output width")?,
            out_c4: to_u32(y.c4(), "output channels")?,
            pad_top: to_u32(pad_top, "padding")?,
            pad_left: to_u32(pad_left, "padding")?,
            out_pixels: to_u32(y.pixels(), "output pixels")?,
            block_vec4s: to_u32(block_vec4s, "filter size")?,
            first_block: to_u32(first_block, "output channels")?,
            w_row: to_u32(w_row, "output channels")?,
        })
    };
    let pixel_groups = to_u32(
        y.pixels().div_ceil(PIXELS).div_ceil(WORKGROUP),
        "workgroups",
    )?;
    match weights {
        Weights::Storage {
            weights,
            bias,
            w_row,
        } => c.push(
            label,
            (kernel, constants),
            bytemuck::bytes_of(&params(0, 0, w_row)?),
            vec![
                Binding::Storage(x.buffer.clone()),
                Binding::Storage(weights),
                Binding::Storage(bias),
            ],
            &operands.output,
            [pixel_groups, to_u32(w_row / 2, "workgroups")?, 1],
        ),
        Weights::Windows {
            blocks,
            block_vec4s,
            pack,
        } => {
            let per_window = blocks_per_window(c, block_vec4s);
            if per_window == 0 {
                return Err(NnError::GpuUnsupported(format!(
                    "{label}: a block of {block_vec4s} weight vec4s does not fit a 64 KiB uniform window"
                )));
            }
            let mut first_block = 0;
            while first_block < blocks {
                let count = per_window.min(blocks - first_block);
                let mut packed = vec![0.0f32; count * block_vec4s * 4];
                for (b, block) in packed.chunks_exact_mut(block_vec4s * 4).enumerate() {
                    pack(first_block + b, block);
                }
                let offset = c.add_uniform_weights(&packed);
                c.push(
                    format!("{label} block {first_block}"),
                    (kernel, constants),
                    bytemuck::bytes_of(&params(block_vec4s, first_block, 0)?),
                    vec![
                        Binding::Storage(x.buffer.clone()),
                        Binding::UniformWindow(offset),
                    ],
                    &operands.output,
                    [pixel_groups, to_u32(count, "workgroups")?, 1],
                )?;
                first_block += count;
            }
            Ok(())
        }
    }
}
