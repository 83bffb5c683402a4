//! Each op kind's inputs, options and output shape (TFLite's rules).

use super::graph::Builder;
use super::names::{builtin_op_name, code};
use super::ops::{ensure, OpContext};
use super::shapes::{broadcast, rank4, reshaped, window_out};
use super::{Problem, MAX_RANK};
use crate::nn::{OpKind, TensorId};

/// `BuiltinOptions` union types.
const OPTIONS_CONV_2D: u8 = 1;
const OPTIONS_DEPTHWISE_CONV_2D: u8 = 2;
const OPTIONS_POOL_2D: u8 = 5;
const OPTIONS_CONCATENATION: u8 = 10;
const OPTIONS_ADD: u8 = 11;
const OPTIONS_RESIZE_BILINEAR: u8 = 15;
const OPTIONS_RESHAPE: u8 = 17;
const OPTIONS_DEPTH_TO_SPACE: u8 = 94;

/// An op's kind, the inputs it keeps, and its output shape.
type Converted = (OpKind, Vec<TensorId>, Vec<usize>);

impl Builder<'_> {
    pub(super) fn convert_kind(
        &mut self,
        context: &OpContext<'_, '_>,
    ) -> Result<Converted, Problem> {
        let x = context.input(0)?;
        let x_shape = self.data_shape(x)?;
        match context.op.code {
            code::CONV_2D | code::DEPTHWISE_CONV_2D => self.convolution(context, x, &x_shape),
            code::MAX_POOL_2D => max_pool(context, x, &x_shape),
            code::ADD => {
                let b = context.input(1)?;
                let b_shape = self.data_shape(b)?;
                let out_shape = broadcast(&x_shape, &b_shape).ok_or_else(|| {
                    Problem::malformed(format!(
                        "shapes {x_shape:?} and {b_shape:?} do not broadcast"
                    ))
                })?;
                let activation = context.options(OPTIONS_ADD)?.activation(0)?;
                Ok((OpKind::Add { activation }, vec![x, b], out_shape))
            }
            code::PAD => self.pad(context, x, &x_shape),
            code::RESIZE_BILINEAR => self.resize_bilinear(context, x, &x_shape),
            code::RESHAPE => self.reshape(context, x, &x_shape),
            code::LOGISTIC => Ok((OpKind::Logistic, vec![x], x_shape)),
            code::CONCATENATION => self.concatenation(context, x, x_shape),
            code::DEPTH_TO_SPACE => depth_to_space(context, x, &x_shape),
            other => Err(Problem::Unsupported {
                op: builtin_op_name(other).into_owned(),
                index: context.index,
            }),
        }
    }

    /// CONV_2D (filter OHWI) and DEPTHWISE_CONV_2D (filter 1HW(C·m)).
    fn convolution(
        &mut self,
        context: &OpContext<'_, '_>,
        x: TensorId,
        x_shape: &[usize],
    ) -> Result<Converted, Problem> {
        let depthwise = context.op.code == code::DEPTHWISE_CONV_2D;
        let [n, height, width, channels] = rank4(x_shape, "the input")?;
        let filter = context.input(1)?;
        if self.value(filter)?.is_none() {
            return Err(context.unsupported("with a computed filter"));
        }
        let filter_shape = self.data_shape(filter)?;
        let [fo, fh, fw, fi] = rank4(&filter_shape, "the filter")?;
        let out_channels = if depthwise { fi } else { fo };
        let bias = match context.inputs.get(2).copied().flatten() {
            Some(bias) => bias,
            None => self.zero_bias(out_channels)?,
        };
        if self.value(bias)?.is_none() {
            return Err(context.unsupported("with a computed bias"));
        }
        let bias_shape = self.data_shape(bias)?;
        ensure(bias_shape == [out_channels], || {
            format!("bias shape {bias_shape:?} for {out_channels} channels")
        })?;
        let expected = if depthwise {
            OPTIONS_DEPTHWISE_CONV_2D
        } else {
            OPTIONS_CONV_2D
        };
        let options = context.options(expected)?;
        // DepthwiseConv2DOptions has depth_multiplier at slot 3, moving the
        // later fields one slot on.
        let shift = usize::from(depthwise);
        let padding = options.padding(0)?;
        let stride = [
            options.positive(2, 0, "stride_h")?,
            options.positive(1, 0, "stride_w")?,
        ];
        let dilation = [
            options.positive(5 + shift, 1, "dilation_h")?,
            options.positive(4 + shift, 1, "dilation_w")?,
        ];
        let activation = options.activation(3 + shift)?;
        let kind = if depthwise {
            ensure(fo == 1 && fi % channels == 0, || {
                format!("filter {filter_shape:?} for {channels} input channels")
            })?;
            let depth_multiplier = fi / channels;
            let declared = options.int(3, 0)?;
            ensure(
                declared == 0 || usize::try_from(declared) == Ok(depth_multiplier),
                || format!("depth_multiplier {declared} for filter {filter_shape:?}"),
            )?;
            OpKind::DepthwiseConv2d {
                stride,
                dilation,
                padding,
                depth_multiplier,
                activation,
            }
        } else {
            ensure(fi == channels, || {
                format!("filter {filter_shape:?} for {channels} input channels")
            })?;
            OpKind::Conv2d {
                stride,
                dilation,
                padding,
                activation,
            }
        };
        let out_h = window_out(height, fh, stride[0], dilation[0], padding);
        let out_w = window_out(width, fw, stride[1], dilation[1], padding);
        let (Some(out_h), Some(out_w)) = (out_h, out_w) else {
            return Err(Problem::malformed(format!(
                "filter {filter_shape:?} larger than input {x_shape:?}"
            )));
        };
        Ok((
            kind,
            vec![x, filter, bias],
            vec![n, out_h, out_w, out_channels],
        ))
    }

    /// PAD: the paddings constant becomes `OpKind::Pad::paddings`.
    fn pad(
        &mut self,
        context: &OpContext<'_, '_>,
        x: TensorId,
        x_shape: &[usize],
    ) -> Result<Converted, Problem> {
        let values = self.int_constant(context.input(1)?, || {
            context.unsupported("with computed paddings")
        })?;
        ensure(values.len() == 2 * x_shape.len(), || {
            format!("{} paddings for rank {}", values.len(), x_shape.len())
        })?;
        let mut paddings = Vec::with_capacity(x_shape.len());
        let mut out_shape = Vec::with_capacity(x_shape.len());
        for (pair, &dim) in values.chunks_exact(2).zip(x_shape) {
            let (Ok(before), Ok(after)) = (usize::try_from(pair[0]), usize::try_from(pair[1]))
            else {
                return Err(Problem::malformed(format!("negative padding {pair:?}")));
            };
            let padded = dim
                .checked_add(before)
                .and_then(|dim| dim.checked_add(after));
            out_shape.push(padded.ok_or_else(|| Problem::malformed("padding overflows"))?);
            paddings.push([before, after]);
        }
        Ok((OpKind::Pad { paddings }, vec![x], out_shape))
    }

    /// RESIZE_BILINEAR: the size constant becomes `size`.
    fn resize_bilinear(
        &mut self,
        context: &OpContext<'_, '_>,
        x: TensorId,
        x_shape: &[usize],
    ) -> Result<Converted, Problem> {
        let [n, _, _, channels] = rank4(x_shape, "the input")?;
        let values = self.int_constant(context.input(1)?, || {
            context.unsupported("with a computed size")
        })?;
        let size = match values[..] {
            [h, w] if h > 0 && w > 0 => [h as usize, w as usize],
            _ => return Err(Problem::malformed(format!("size {values:?}"))),
        };
        let options = context.options(OPTIONS_RESIZE_BILINEAR)?;
        let align_corners = options.flag(2)?;
        let half_pixel_centers = options.flag(3)?;
        // TFLite refuses this pair too.
        ensure(!(align_corners && half_pixel_centers), || {
            "align_corners with half_pixel_centers".into()
        })?;
        let kind = OpKind::ResizeBilinear {
            size,
            align_corners,
            half_pixel_centers,
        };
        Ok((kind, vec![x], vec![n, size[0], size[1], channels]))
    }

    /// RESHAPE: the target comes from the shape input, else `new_shape`,
    /// else the output tensor; it must keep the element count.
    fn reshape(
        &mut self,
        context: &OpContext<'_, '_>,
        x: TensorId,
        x_shape: &[usize],
    ) -> Result<Converted, Problem> {
        let target = match context.inputs.get(1).copied().flatten() {
            Some(shape) => {
                let values =
                    self.int_constant(shape, || context.unsupported("with a computed shape"))?;
                ensure(values.len() <= MAX_RANK, || {
                    format!("target of rank {}", values.len())
                })?;
                Some(values.to_vec())
            }
            None => match context
                .options(OPTIONS_RESHAPE)?
                .0
                .map(|t| t.vector(0, 4))
                .transpose()?
                .flatten()
            {
                Some(new_shape) => Some(new_shape.to_vec::<i32>(MAX_RANK, "new_shape")?),
                None => None,
            },
        };
        let out_shape = match target {
            Some(target) => reshaped(x_shape, &target).ok_or_else(|| {
                Problem::malformed(format!("cannot reshape {x_shape:?} to {target:?}"))
            })?,
            None => self.shape(context.output)?,
        };
        ensure(
            out_shape.iter().product::<usize>() == x_shape.iter().product::<usize>(),
            || format!("reshape of {x_shape:?} to {out_shape:?}"),
        )?;
        Ok((OpKind::Reshape, vec![x], out_shape))
    }

    /// CONCATENATION along a (normalised, non-negative) axis.
    fn concatenation(
        &mut self,
        context: &OpContext<'_, '_>,
        x: TensorId,
        x_shape: Vec<usize>,
    ) -> Result<Converted, Problem> {
        let options = context.options(OPTIONS_CONCATENATION)?;
        let rank = x_shape.len() as i64;
        let axis = i64::from(options.int(0, 0)?);
        let axis = if axis < 0 { axis + rank } else { axis };
        ensure((0..rank).contains(&axis), || {
            format!("axis {axis} for rank {rank}")
        })?;
        let axis = axis as usize;
        let mut out_shape = x_shape.clone();
        let mut kept = vec![x];
        for slot in 1..context.inputs.len() {
            let other = context.input(slot)?;
            let shape = self.data_shape(other)?;
            let compatible = shape.len() == x_shape.len()
                && shape
                    .iter()
                    .zip(&x_shape)
                    .enumerate()
                    .all(|(dim, (a, b))| dim == axis || a == b);
            ensure(compatible, || {
                format!("cannot join {shape:?} to {x_shape:?} on axis {axis}")
            })?;
            out_shape[axis] = out_shape[axis]
                .checked_add(shape[axis])
                .ok_or_else(|| Problem::malformed("concatenation overflows"))?;
            kept.push(other);
        }
        let activation = options.activation(1)?;
        Ok((OpKind::Concatenation { axis, activation }, kept, out_shape))
    }
}

fn max_pool(
    context: &OpContext<'_, '_>,
    x: TensorId,
    x_shape: &[usize],
) -> Result<Converted, Problem> {
    let [n, height, width, channels] = rank4(x_shape, "the input")?;
    let options = context.options(OPTIONS_POOL_2D)?;
    let padding = options.padding(0)?;
    let stride = [
        options.positive(2, 0, "stride_h")?,
        options.positive(1, 0, "stride_w")?,
    ];
    let filter = [
        options.positive(4, 0, "filter_height")?,
        options.positive(3, 0, "filter_width")?,
    ];
    let out_h = window_out(height, filter[0], stride[0], 1, padding);
    let out_w = window_out(width, filter[1], stride[1], 1, padding);
    let (Some(out_h), Some(out_w)) = (out_h, out_w) else {
        return Err(Problem::malformed(format!(
            "window {filter:?} larger than input {x_shape:?}"
        )));
    };
    let activation = options.activation(5)?;
    let kind = OpKind::MaxPool2d {
        filter,
        stride,
        padding,
        activation,
    };
    Ok((kind, vec![x], vec![n, out_h, out_w, channels]))
}

fn depth_to_space(
    context: &OpContext<'_, '_>,
    x: TensorId,
    x_shape: &[usize],
) -> Result<Converted, Problem> {
    let [n, height, width, channels] = rank4(x_shape, "the input")?;
    let block_size = context
        .options(OPTIONS_DEPTH_TO_SPACE)?
        .positive(0, 0, "block_size")?;
    let block_area = block_size
        .checked_mul(block_size)
        .filter(|&area| channels % area == 0);
    let out_shape = block_area.and_then(|area| {
        Some(vec![
            n,
            height.checked_mul(block_size)?,
            width.checked_mul(block_size)?,
            channels / area,
        ])
    });
    let out_shape = out_shape
        .ok_or_else(|| Problem::malformed(format!("block {block_size} for input {x_shape:?}")))?;
    Ok((OpKind::DepthToSpace { block_size }, vec![x], out_shape))
}
