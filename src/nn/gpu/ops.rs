//! Steps of the ops that move or combine values: shape checks, uniforms
//! and dispatch sizes for shaders/nn/{add,logistic,pad,reshape,
//! concatenation,depth_to_space}.wgsl.

use super::pipelines::{activation_code, linear_grid, to_u32, Binding, Compiler, Kernel};
use super::shape::{malformed, pad_channels, Shape4};
use crate::gpu::shaders;
use crate::nn::{Activation, NnError, Op, TensorId};

/// Uniforms of add.wgsl.
// This must be kept in sync with AddParams in shaders/nn/add.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct AddParams {
    out_dims: [u32; 4],
    a_strides: [u32; 4],
    b_strides: [u32; 4],
    count: u32,
    pad: [u32; 3],
}

/// Uniforms of logistic.wgsl.
// This must be kept in sync with CountParams in shaders/nn/logistic.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct CountParams {
    count: u32,
    pad: [u32; 3],
}

/// Uniforms of pad.wgsl and concatenation.wgsl (`offset` is PAD's
/// `before`).
// This must be kept in sync with PadParams in shaders/nn/pad.wgsl and
// ConcatParams in shaders/nn/concatenation.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct CopyParams {
    in_dims: [u32; 4],
    out_dims: [u32; 4],
    offset: [u32; 4],
    count: u32,
    pad: [u32; 3],
}

/// Uniforms of reshape.wgsl.
// This must be kept in sync with ReshapeParams in shaders/nn/reshape.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct ReshapeParams {
    in_c: u32,
    in_stride: u32,
    out_c: u32,
    out_c4: u32,
    count: u32,
    pad: [u32; 3],
}

/// Uniforms of depth_to_space.wgsl.
// This must be kept in sync with DepthToSpaceParams in
// shaders/nn/depth_to_space.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct DepthToSpaceParams {
    in_h: u32,
    in_w: u32,
    in_stride: u32,
    block: u32,
    out_h: u32,
    out_w: u32,
    out_c: u32,
    out_c4: u32,
    count: u32,
    pad: [u32; 3],
}

pub(super) fn kernel(path: &'static str, source: &'static str, entry: &'static str) -> Kernel {
    Kernel {
        path,
        source,
        entry,
    }
}

fn dims_u32(shape: Shape4) -> Result<[u32; 4], NnError> {
    let d = shape.dims();
    Ok([
        to_u32(d[0], "batch")?,
        to_u32(d[1], "height")?,
        to_u32(d[2], "width")?,
        to_u32(d[3], "channels")?,
    ])
}

pub(super) fn mismatch(name: &str, input: Shape4, output: Shape4) -> NnError {
    malformed(format!(
        "{name}: input {:?} and output {:?} do not fit",
        input.dims(),
        output.dims()
    ))
}

/// An ADD operand: an activation, or a constant uploaded in the padded
/// layout.
fn operand(c: &Compiler<'_>, t: TensorId, name: &str) -> Result<(wgpu::Buffer, Shape4), NnError> {
    if c.model.tensors[t].is_constant() {
        let shape = c.plan.shapes[t];
        let mut padded = vec![0.0f32; shape.vec4s().max(1) * 4];
        pad_channels(shape, c.constant(t)?, &mut padded);
        Ok((c.upload(&format!("{name} constant"), &padded)?, shape))
    } else {
        let input = c.input(t)?;
        Ok((input.buffer, input.shape))
    }
}

pub(crate) fn add(
    c: &mut Compiler<'_>,
    index: usize,
    op: &Op,
    activation: Activation,
) -> Result<(), NnError> {
    let name = format!("ADD #{index}");
    let [a_id, b_id] = match op.inputs[..] {
        [a, b] => [a, b],
        _ => return Err(malformed(format!("{name} has {} inputs", op.inputs.len()))),
    };
    let (a, a_shape) = operand(c, a_id, &name)?;
    let (b, b_shape) = operand(c, b_id, &name)?;
    let y = c.plan.shapes[op.outputs[0]];
    // vec4 strides per output dimension; 0 where the operand broadcasts.
    let strides = |s: Shape4| -> Result<[u32; 4], NnError> {
        let own = [s.h * s.w * s.c4(), s.w * s.c4(), s.c4(), 1];
        let mut out = [0u32; 4];
        for (d, (&size, &target)) in s.dims().iter().zip(&y.dims()).enumerate() {
            if size == target {
                out[d] = to_u32(own[d], "stride")?;
            } else if size != 1 {
                return Err(mismatch(&name, s, y));
            }
        }
        Ok(out)
    };
    let params = AddParams {
        out_dims: [
            to_u32(y.n, "batch")?,
            to_u32(y.h, "height")?,
            to_u32(y.w, "width")?,
            to_u32(y.c4(), "channels")?,
        ],
        a_strides: strides(a_shape)?,
        b_strides: strides(b_shape)?,
        count: to_u32(y.vec4s(), "output size")?,
        pad: [0; 3],
    };
    let output = c.output(op.outputs[0])?;
    c.push(
        name,
        (
            kernel("nn/add.wgsl", shaders::NN_ADD, "add"),
            &[("ACTIVATION", activation_code(activation))],
        ),
        bytemuck::bytes_of(&params),
        vec![Binding::Storage(a), Binding::Storage(b)],
        &output,
        linear_grid(y.vec4s()),
    )
}

pub(crate) fn logistic(c: &mut Compiler<'_>, index: usize, op: &Op) -> Result<(), NnError> {
    let name = format!("LOGISTIC #{index}");
    let x = c.input(op.inputs[0])?;
    let y = c.plan.shapes[op.outputs[0]];
    if x.shape.dims() != y.dims() {
        return Err(mismatch(&name, x.shape, y));
    }
    let params = CountParams {
        count: to_u32(y.vec4s(), "output size")?,
        pad: [0; 3],
    };
    let output = c.output(op.outputs[0])?;
    c.push(
        name,
        (
            kernel("nn/logistic.wgsl", shaders::NN_LOGISTIC, "logistic"),
            &[],
        ),
        bytemuck::bytes_of(&params),
        vec![Binding::Storage(x.buffer)],
        &output,
        linear_grid(y.vec4s()),
    )
}

pub(crate) fn pad(
    c: &mut Compiler<'_>,
    index: usize,
    op: &Op,
    paddings: &[[usize; 2]],
) -> Result<(), NnError> {
    let name = format!("PAD #{index}");
    let x = c.input(op.inputs[0])?;
    let y = c.plan.shapes[op.outputs[0]];
    let rank = c.model.tensors[op.inputs[0]].shape.len();
    if paddings.len() != rank {
        return Err(malformed(format!(
            "{name} has {} paddings for rank {rank}",
            paddings.len()
        )));
    }
    let mut before = [0usize; 4];
    let mut expected = x.shape.dims();
    for (d, &[b, a]) in paddings.iter().enumerate() {
        before[4 - rank + d] = b;
        expected[4 - rank + d] += b + a;
    }
    if expected != y.dims() {
        return Err(mismatch(&name, x.shape, y));
    }
    let params = CopyParams {
        in_dims: dims_u32(x.shape)?,
        out_dims: dims_u32(y)?,
        offset: [
            to_u32(before[0], "padding")?,
            to_u32(before[1], "padding")?,
            to_u32(before[2], "padding")?,
            to_u32(before[3], "padding")?,
        ],
        count: to_u32(y.vec4s(), "output size")?,
        pad: [0; 3],
    };
    let output = c.output(op.outputs[0])?;
    c.push(
        name,
        (kernel("nn/pad.wgsl", shaders::NN_PAD, "pad"), &[]),
        bytemuck::bytes_of(&params),
        vec![Binding::Storage(x.buffer)],
        &output,
        linear_grid(y.vec4s()),
    )
}

/// A RESHAPE that must repack (the planner aliases the others).
pub(crate) fn reshape(c: &mut Compiler<'_>, index: usize, op: &Op) -> Result<(), NnError> {
    let name = format!("RESHAPE #{index}");
    let x = c.input(op.inputs[0])?;
    let y = c.plan.shapes[op.outputs[0]];
    if x.shape.len() != y.len() || x.shape.c == 0 {
        return Err(mismatch(&name, x.shape, y));
    }
    let params = ReshapeParams {
        in_c: to_u32(x.shape.c, "channels")?,
        in_stride: to_u32(x.shape.c4() * 4, "channels")?,
        out_c: to_u32(y.c, "channels")?,
        out_c4: to_u32(y.c4(), "channels")?,
        count: to_u32(y.vec4s(), "output size")?,
        pad: [0; 3],
    };
    let output = c.output(op.outputs[0])?;
    c.push(
        name,
        (
            kernel("nn/reshape.wgsl", shaders::NN_RESHAPE, "reshape"),
            &[],
        ),
        bytemuck::bytes_of(&params),
        vec![Binding::Storage(x.buffer)],
        &output,
        linear_grid(y.vec4s()),
    )
}

/// One copy per input into its slice of the output.
pub(crate) fn concatenation(
    c: &mut Compiler<'_>,
    index: usize,
    op: &Op,
    axis: usize,
    activation: Activation,
) -> Result<(), NnError> {
    let name = format!("CONCATENATION #{index}");
    let y = c.plan.shapes[op.outputs[0]];
    let rank = c.model.tensors[op.outputs[0]].shape.len();
    if axis >= rank {
        return Err(malformed(format!(
            "{name} joins along axis {axis} of a rank-{rank} tensor"
        )));
    }
    let axis = axis + 4 - rank;
    let output = c.output(op.outputs[0])?;
    let mut offset = 0usize;
    for (part, &t) in op.inputs.iter().enumerate() {
        let x = c.input(t)?;
        let mut fits = true;
        for d in 0..4 {
            fits &= d == axis || x.shape.dims()[d] == y.dims()[d];
        }
        if !fits || offset + x.shape.dims()[axis] > y.dims()[axis] {
            return Err(mismatch(&name, x.shape, y));
        }
        let mut at = [0u32; 4];
        at[axis] = to_u32(offset, "offset")?;
        offset += x.shape.dims()[axis];
        let params = CopyParams {
            in_dims: dims_u32(x.shape)?,
            out_dims: dims_u32(y)?,
            offset: at,
            count: to_u32(x.shape.vec4s(), "input size")?,
            pad: [0; 3],
        };
        c.push(
            format!("{name} part {part}"),
            (
                kernel(
                    "nn/concatenation.wgsl",
                    shaders::NN_CONCATENATION,
                    "concatenate",
                ),
                &[("ACTIVATION", activation_code(activation))],
            ),
            bytemuck::bytes_of(&params),
            vec![Binding::Storage(x.buffer)],
            &output,
            linear_grid(x.shape.vec4s()),
        )?;
    }
    if offset != y.dims()[axis] {
        return Err(malformed(format!(
            "{name}: the inputs do not fill the output {:?}",
            y.dims()
        )));
    }
    Ok(())
}

pub(crate) fn depth_to_space(
    c: &mut Compiler<'_>,
    index: usize,
    op: &Op,
    block: usize,
) -> Result<(), NnError> {
    let name = format!("DEPTH_TO_SPACE #{index}");
    let x = c.input(op.inputs[0])?;
    let y = c.plan.shapes[op.outputs[0]];
    let fits = block > 0
        && x.shape.n == y.n
        && x.shape.h * block == y.h
        && x.shape.w * block == y.w
        && x.shape.c == y.c * block * block;
    if !fits {
        return Err(mismatch(&name, x.shape, y));
    }
    let params = DepthToSpaceParams {
        in_h: to_u32(x.shape.h, "height")?,
        in_w: to_u32(x.shape.w, "width")?,
        in_stride: to_u32(x.shape.c4() * 4, "channels")?,
        block: to_u32(block, "block size")?,
        out_h: to_u32(y.h, "height")?,
        out_w: to_u32(y.w, "width")?,
        out_c: to_u32(y.c, "channels")?,
        out_c4: to_u32(y.c4(), "channels")?,
        count: to_u32(y.vec4s(), "output size")?,
        pad: [0; 3],
    };
    let output = c.output(op.outputs[0])?;
    c.push(
        name,
        (
            kernel(
                "nn/depth_to_space.wgsl",
                shaders::NN_DEPTH_TO_SPACE,
                "depth_to_space",
            ),
            &[],
        ),
        bytemuck::bytes_of(&params),
        vec![Binding::Storage(x.buffer)],
        &output,
        linear_grid(y.vec4s()),
    )
}
