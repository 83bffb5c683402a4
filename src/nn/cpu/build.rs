//! Turning a `Model` into ready steps: graph checks, PAD folding, RESHAPE
//! aliasing, kernel preparation and the memory plan.

use super::check::{check_graph, tensor_lens};
use super::isa::Isa;
use super::window::Window;
use super::{conv, depthwise, elementwise, layout, malformed, parallel, plan, resample};
use super::{CpuExecutor, Kernel, Operand, Port, Step};
use crate::nn::{Model, NnError, OpKind, Padding, TensorId};

/// Fuses each elementwise ADD into the convolution just before it when
/// that convolution's output is read by the ADD alone (a residual block's
/// projection): the convolution writes the ADD's output, adding the other
/// operand to each block while it is in cache, and the ADD step goes.
/// `step_reads` are the buffers (root tensors) each step reads.
fn fuse_residual_adds(
    steps: &mut Vec<Step>,
    step_reads: &mut Vec<Vec<TensorId>>,
    input_roots: &[TensorId],
    output_roots: &[TensorId],
) {
    let mut i = 1;
    while i < steps.len() {
        let Some((residual, residual_read)) =
            residual_of(steps, step_reads, i, input_roots, output_roots)
        else {
            i += 1;
            continue;
        };
        let add_activation = match &steps[i].kernel {
            Kernel::Add(add) => add.elementwise_activation(),
            _ => None,
        };
        let fused = match (&mut steps[i - 1].kernel, add_activation) {
            (Kernel::Conv(conv), Some(activation)) => conv.fuse_residual_add(activation),
            _ => false,
        };
        if !fused {
            i += 1;
            continue;
        }
        let add = steps.remove(i);
        step_reads.remove(i);
        let conv = &mut steps[i - 1];
        conv.inputs.push(residual);
        conv.output = add.output;
        step_reads[i - 1].extend(residual_read);
    }
}

/// If step `i` is an elementwise ADD of the output of step `i - 1`, a
/// convolution without activation that nothing else reads, and of
/// another operand: that operand and the buffer it reads (if any).
fn residual_of(
    steps: &[Step],
    step_reads: &[Vec<TensorId>],
    i: usize,
    input_roots: &[TensorId],
    output_roots: &[TensorId],
) -> Option<(Operand, Option<TensorId>)> {
    let (conv, add) = (&steps[i - 1], &steps[i]);
    let (Kernel::Conv(c), Kernel::Add(a)) = (&conv.kernel, &add.kernel) else {
        return None;
    };
    if c.has_residual() || a.elementwise_activation().is_none() || add.inputs.len() != 2 {
        return None;
    }
    let produced = conv.output;
    let reads_of = |t: TensorId| step_reads.iter().flatten().filter(|&&r| r == t).count();
    if reads_of(produced) != 1
        || input_roots.contains(&produced)
        || output_roots.contains(&produced)
        || conv.output_len != add.output_len
    {
        return None;
    }
    // Which operand of the ADD is the convolution's output.
    let is_produced = |o: &Operand| matches!(o, Operand::Buffer { buffer, .. } if *buffer == produced);
    let other = match (is_produced(&add.inputs[0]), is_produced(&add.inputs[1])) {
        (true, false) => &add.inputs[1],
        (false, true) => &add.inputs[0],
        _ => return None,
    };
    let other_read = match other {
        Operand::Buffer { buffer, len } if *len == add.output_len => Some(*buffer),
        Operand::Constant(values) if values.len() == add.output_len => None,
        _ => return None,
    };
    Some((other.clone(), other_read))
}

/// A spatial PAD folded into the convolutions that read it.
#[derive(Debug, Clone, Copy)]
struct FoldedPad {
    source: TensorId,
    top: usize,
    left: usize,
    source_h: usize,
    source_w: usize,
}

pub(super) fn build(model: &Model, threads: usize, isa: Isa) -> Result<CpuExecutor, NnError> {
    let tensors = &model.tensors;
    let count = tensors.len();
    let lens = tensor_lens(model)?;
    check_graph(model)?;

    // RESHAPE outputs share their input's storage.
    let mut root: Vec<TensorId> = (0..count).collect();
    let mut folded: Vec<Option<FoldedPad>> = vec![None; count];
    for (index, op) in model.ops.iter().enumerate() {
        let (input, output) = (op.inputs[0], op.outputs[0]);
        match &op.kind {
            OpKind::Reshape => {
                if lens[input] != lens[output] {
                    return Err(malformed(format!(
                        "RESHAPE (#{index}): {:?} cannot become {:?}",
                        tensors[input].shape, tensors[output].shape
                    )));
                }
                root[output] = root[input];
            }
            OpKind::Pad { paddings } => folded[output] = foldable_pad(model, index, paddings),
            _ => {}
        }
    }
    let operand = |t: TensorId| -> (Option<TensorId>, Operand) {
        let r = root[t];
        match &tensors[r].data {
            Some(values) => (None, Operand::Constant(values.clone())),
            None => (
                Some(r),
                Operand::Buffer {
                    buffer: r,
                    len: lens[t],
                },
            ),
        }
    };
    let constant = |t: TensorId, what: &str, index: usize| -> Result<&[f32], NnError> {
        tensors[t]
            .data
            .as_deref()
            .ok_or_else(|| malformed(format!("op #{index}: {what} must be a constant")))
    };

    // Steps with tensor ids in their operands (patched to buffers below).
    let mut steps: Vec<Step> = Vec::new();
    let mut step_reads: Vec<Vec<TensorId>> = Vec::new();
    for (index, op) in model.ops.iter().enumerate() {
        let output = op.outputs[0];
        if matches!(op.kind, OpKind::Reshape) || folded[output].is_some() {
            continue;
        }
        let shape = |t: TensorId| tensors[t].shape.as_slice();
        let name = op.kind.name();
        let mut reads = vec![op.inputs[0]];
        let kernel = match &op.kind {
            OpKind::Conv2d {
                stride,
                dilation,
                padding,
                activation,
            } => {
                let filter = shape(op.inputs[1]);
                let (window, source) = conv_window(
                    model,
                    op.inputs[0],
                    output,
                    filter,
                    *stride,
                    *dilation,
                    *padding,
                    &folded,
                )?;
                let ok = filter.len() == 4 && filter[0] == window.out_c && filter[3] == window.in_c;
                let bias = conv_bias(model, op.inputs.get(2).copied(), window.out_c, index)?;
                if !ok {
                    return Err(malformed(format!(
                        "{name} (#{index}): filter {filter:?} does not fit {window:?}"
                    )));
                }
                reads[0] = source;
                Kernel::Conv(conv::Conv::new(
                    window,
                    constant(op.inputs[1], "the filter", index)?,
                    &bias,
                    *activation,
                    isa,
                ))
            }
            OpKind::DepthwiseConv2d {
                stride,
                dilation,
                padding,
                depth_multiplier,
                activation,
            } => {
                let filter = shape(op.inputs[1]);
                let (window, source) = conv_window(
                    model,
                    op.inputs[0],
                    output,
                    filter,
                    *stride,
                    *dilation,
                    *padding,
                    &folded,
                )?;
                let ok = filter.len() == 4
                    && filter[0] == 1
                    && filter[3] == window.out_c
                    && window.out_c == window.in_c * depth_multiplier;
                let bias = conv_bias(model, op.inputs.get(2).copied(), window.out_c, index)?;
                if !ok {
                    return Err(malformed(format!(
                        "{name} (#{index}): filter {filter:?} does not fit {window:?}"
                    )));
                }
                reads[0] = source;
                let filter = constant(op.inputs[1], "the filter", index)?;
                Kernel::Depthwise(depthwise::Depthwise::new(
                    window,
                    *depth_multiplier,
                    filter,
                    &bias,
                    *activation,
                ))
            }
            OpKind::Add { activation } => {
                let b = *op
                    .inputs
                    .get(1)
                    .ok_or_else(|| malformed(format!("ADD (#{index}) needs two inputs")))?;
                reads.push(b);
                Kernel::Add(elementwise::Add::new(
                    shape(op.inputs[0]),
                    shape(b),
                    shape(output),
                    *activation,
                )?)
            }
            OpKind::Pad { paddings } => Kernel::Pad(layout::Pad::new(
                shape(op.inputs[0]),
                shape(output),
                paddings,
            )?),
            OpKind::MaxPool2d {
                filter,
                stride,
                padding,
                activation,
            } => {
                let window = Window::new(
                    name,
                    shape(op.inputs[0]),
                    shape(output),
                    *filter,
                    *stride,
                    [1, 1],
                    *padding,
                )?;
                if window.in_c != window.out_c {
                    return Err(malformed(format!("{name} (#{index}): channels change")));
                }
                Kernel::MaxPool(resample::MaxPool::new(window, *activation))
            }
            OpKind::ResizeBilinear {
                size,
                align_corners,
                half_pixel_centers,
            } => Kernel::Resize(resample::ResizeBilinear::new(
                shape(op.inputs[0]),
                shape(output),
                *size,
                *align_corners,
                *half_pixel_centers,
            )?),
            OpKind::Logistic => {
                if lens[op.inputs[0]] != lens[output] {
                    return Err(malformed(format!(
                        "{name} (#{index}): input and output sizes differ"
                    )));
                }
                Kernel::Logistic
            }
            OpKind::Concatenation { axis, activation } => {
                reads = op.inputs.clone();
                let shapes: Vec<&[usize]> = op.inputs.iter().map(|&t| shape(t)).collect();
                Kernel::Concat(layout::Concat::new(
                    &shapes,
                    shape(output),
                    *axis,
                    *activation,
                )?)
            }
            OpKind::DepthToSpace { block_size } => Kernel::DepthToSpace(layout::DepthToSpace::new(
                shape(op.inputs[0]),
                shape(output),
                *block_size,
            )?),
            OpKind::Reshape => continue,
        };
        steps.push(Step {
            kernel,
            inputs: reads.iter().map(|&t| operand(t).1).collect(),
            output: root[output],
            output_len: lens[output],
        });
        step_reads.push(reads.iter().filter_map(|&t| operand(t).0).collect());
    }

    let input_roots: Vec<TensorId> = model.inputs.iter().filter_map(|&t| operand(t).0).collect();
    let output_roots: Vec<TensorId> = model.outputs.iter().filter_map(|&t| operand(t).0).collect();
    fuse_residual_adds(&mut steps, &mut step_reads, &input_roots, &output_roots);

    // The memory plan over root tensors.
    let uses: Vec<plan::StepUse> = steps
        .iter()
        .zip(&step_reads)
        .map(|(step, reads)| plan::StepUse {
            inputs: reads,
            output: step.output,
        })
        .collect();
    let root_lens: Vec<usize> = (0..count)
        .map(|t| if root[t] == t { lens[t] } else { 0 })
        .collect();
    let plan = plan::plan(&root_lens, &input_roots, &output_roots, &uses);
    let to_buffer = |operand: Operand| -> Result<Operand, NnError> {
        match operand {
            Operand::Buffer {
                buffer: tensor,
                len,
            } => plan.buffer_of[tensor]
                .map(|buffer| Operand::Buffer { buffer, len })
                .ok_or_else(|| {
                    malformed(format!(
                        "tensor {} is read but never written",
                        tensors[tensor].name
                    ))
                }),
            constant => Ok(constant),
        }
    };
    for step in &mut steps {
        for input in &mut step.inputs {
            *input = to_buffer(input.clone())?;
        }
        step.output =
            plan.buffer_of[step.output].ok_or_else(|| malformed("unplanned output".to_owned()))?;
    }
    let port = |t: TensorId| -> Result<Port, NnError> {
        Ok(Port {
            operand: to_buffer(operand(t).1)?,
            shape: tensors[t].shape.clone(),
        })
    };
    let inputs = model
        .inputs
        .iter()
        .map(|&t| port(t))
        .collect::<Result<_, _>>()?;
    let outputs = model
        .outputs
        .iter()
        .map(|&t| port(t))
        .collect::<Result<_, _>>()?;

    let scratch = steps
        .iter()
        .map(|s| match &s.kernel {
            Kernel::Conv(c) => c.scratch_len(),
            _ => 0,
        })
        .max()
        .unwrap_or(0);
    let mut workers = parallel::Workers::new(threads, scratch)
        .map_err(|e| malformed(format!("cannot start {threads} threads: {e}")))?;
    workers.isa = isa;
    Ok(CpuExecutor {
        steps,
        buffers: plan.buffer_lens.iter().map(|&len| vec![0.0; len]).collect(),
        inputs,
        outputs,
        workers,
    })
}

/// A PAD of height and width only, read solely as the input of
/// convolutions, and not a model output, folds into those convolutions.
fn foldable_pad(model: &Model, index: usize, paddings: &[[usize; 2]]) -> Option<FoldedPad> {
    let op = &model.ops[index];
    let (source, output) = (op.inputs[0], op.outputs[0]);
    let &[b, h, w, c] = paddings else { return None };
    let &[_, source_h, source_w, _] = model.tensors[source].shape.as_slice() else {
        return None;
    };
    if b != [0, 0] || c != [0, 0] || model.outputs.contains(&output) {
        return None;
    }
    let mut readers = model
        .ops
        .iter()
        .filter(|o| o.inputs.contains(&output))
        .peekable();
    readers.peek()?;
    let all_convs = readers.all(|o| {
        matches!(
            o.kind,
            OpKind::Conv2d { .. } | OpKind::DepthwiseConv2d { .. }
        ) && o.inputs[0] == output
            && !o.inputs[1..].contains(&output)
    });
    all_convs.then_some(FoldedPad {
        source,
        top: h[0],
        left: w[0],
        source_h,
        source_w,
    })
}

/// The window of a convolution and the tensor it really reads (the input
/// of a folded PAD, or its own input).
#[allow(clippy::too_many_arguments)]
fn conv_window(
    model: &Model,
    input: TensorId,
    output: TensorId,
    filter: &[usize],
    stride: [usize; 2],
    dilation: [usize; 2],
    padding: Padding,
    folded: &[Option<FoldedPad>],
) -> Result<(Window, TensorId), NnError> {
    let &[_, kh, kw, _] = filter else {
        return Err(malformed(format!(
            "convolution filter {filter:?} is not 4-D"
        )));
    };
    let shape = |t: TensorId| model.tensors[t].shape.as_slice();
    let window = Window::new(
        "convolution",
        shape(input),
        shape(output),
        [kh, kw],
        stride,
        dilation,
        padding,
    )?;
    Ok(match folded[input] {
        Some(pad) => (
            window.with_extra_padding(pad.source_h, pad.source_w, pad.top, pad.left),
            pad.source,
        ),
        None => (window, input),
    })
}

/// The bias values, zero when the op has none.
fn conv_bias(
    model: &Model,
    bias: Option<TensorId>,
    out_c: usize,
    index: usize,
) -> Result<Vec<f32>, NnError> {
    match bias.map(|t| &model.tensors[t]) {
        None => Ok(vec![0.0; out_c]),
        Some(t) => match &t.data {
            Some(values) if values.len() == out_c => Ok(values.to_vec()),
            _ => Err(malformed(format!(
                "op #{index}: bias {:?} is not {out_c} constants",
                t.shape
            ))),
        },
    }
}
