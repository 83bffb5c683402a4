//! The model as drape runs it: a list of ops over NHWC f32 tensors, in
//! execution order, with every weight already dense f32.
//!
//! The TFLite reader (`tflite.rs`) produces it; the CPU (`cpu/`) and GPU
//! (`gpu/`) executors consume it. Load-time-only ops (DEQUANTIZE, DENSIFY)
//! and the constant inputs of PAD, RESIZE_BILINEAR and RESHAPE are folded
//! into constants and op fields, so executors see only real work.

use std::sync::Arc;

/// Index into `Model::tensors`.
pub type TensorId = usize;

/// A tensor: its shape and, for weights and biases, its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub name: String,
    /// Dimensions, outermost first (NHWC for 4-D activations; OHWI for
    /// CONV_2D filters; 1HWO for DEPTHWISE_CONV_2D filters).
    pub shape: Vec<usize>,
    /// Constant values (row-major), or `None` for activations.
    pub data: Option<Arc<[f32]>>,
}

impl Tensor {
    /// The number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_constant(&self) -> bool {
        self.data.is_some()
    }
}

/// An activation fused into the op that precedes it (TFLite's
/// `fused_activation_function`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Activation {
    #[default]
    None,
    Relu,
    /// min(max(x, -1), 1)
    ReluN1To1,
    Relu6,
    Tanh,
}

impl Activation {
    /// Applies the activation to one value.
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::None => x,
            Activation::Relu => x.max(0.0),
            Activation::ReluN1To1 => x.clamp(-1.0, 1.0),
            Activation::Relu6 => x.clamp(0.0, 6.0),
            Activation::Tanh => x.tanh(),
        }
    }
}

/// TFLite's padding rule for windows (convolutions, pooling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// Output = ceil(input / stride); the excess is split, the extra pixel
    /// going after (bottom/right).
    Same,
    /// Output = ceil((input - window + 1) / stride); no padding.
    Valid,
}

/// What an op computes. Inputs and outputs are in `Op`; everything fixed
/// at load time is here.
#[derive(Debug, Clone, PartialEq)]
pub enum OpKind {
    /// inputs: `[x (NHWC), filter (OHWI), bias (O)]`
    Conv2d {
        stride: [usize; 2],
        dilation: [usize; 2],
        padding: Padding,
        activation: Activation,
    },
    /// inputs: `[x (NHWC), filter (1HW(C·multiplier)), bias (C·multiplier)]`
    DepthwiseConv2d {
        stride: [usize; 2],
        dilation: [usize; 2],
        padding: Padding,
        depth_multiplier: usize,
        activation: Activation,
    },
    /// inputs: `[a, b]`, same shape or b broadcast (TFLite broadcasting).
    Add { activation: Activation },
    /// inputs: `[x]`; zero padding `[before, after]` per dimension.
    Pad { paddings: Vec<[usize; 2]> },
    /// inputs: `[x (NHWC)]`
    MaxPool2d {
        filter: [usize; 2],
        stride: [usize; 2],
        padding: Padding,
        activation: Activation,
    },
    /// inputs: `[x (NHWC)]`; output height and width in `size`.
    ResizeBilinear {
        size: [usize; 2],
        align_corners: bool,
        half_pixel_centers: bool,
    },
    /// inputs: `[x]`; the output tensor's shape says it all.
    Reshape,
    /// inputs: `[x]`; 1 / (1 + e^-x).
    Logistic,
    /// inputs: `[x0, x1, ...]` joined along `axis` (non-negative).
    Concatenation { axis: usize, activation: Activation },
    /// inputs: `[x (NHWC)]`; channels become `block_size`² spatial blocks.
    DepthToSpace { block_size: usize },
}

impl OpKind {
    /// The TFLite name of the op, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            OpKind::Conv2d { .. } => "CONV_2D",
            OpKind::DepthwiseConv2d { .. } => "DEPTHWISE_CONV_2D",
            OpKind::Add { .. } => "ADD",
            OpKind::Pad { .. } => "PAD",
            OpKind::MaxPool2d { .. } => "MAX_POOL_2D",
            OpKind::ResizeBilinear { .. } => "RESIZE_BILINEAR",
            OpKind::Reshape => "RESHAPE",
            OpKind::Logistic => "LOGISTIC",
            OpKind::Concatenation { .. } => "CONCATENATION",
            OpKind::DepthToSpace { .. } => "DEPTH_TO_SPACE",
        }
    }
}

/// One step of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    pub kind: OpKind,
    pub inputs: Vec<TensorId>,
    pub outputs: Vec<TensorId>,
}

/// A loaded network.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub tensors: Vec<Tensor>,
    /// In execution order: every op's inputs are graph inputs, constants or
    /// outputs of earlier ops.
    pub ops: Vec<Op>,
    pub inputs: Vec<TensorId>,
    pub outputs: Vec<TensorId>,
}

impl Model {
    /// Multiply-accumulates of one inference (convolutions only), for
    /// GFLOP/s figures (FLOPs = 2 × MACs).
    pub fn macs(&self) -> u64 {
        self.ops
            .iter()
            .map(|op| {
                let out = &self.tensors[op.outputs[0]];
                let out_len = out.len() as u64;
                match op.kind {
                    OpKind::Conv2d { .. } => {
                        let filter = &self.tensors[op.inputs[1]].shape;
                        // OHWI: each output value sums H·W·I products.
                        out_len * (filter[1] * filter[2] * filter[3]) as u64
                    }
                    OpKind::DepthwiseConv2d { .. } => {
                        let filter = &self.tensors[op.inputs[1]].shape;
                        out_len * (filter[1] * filter[2]) as u64
                    }
                    _ => 0,
                }
            })
            .sum()
    }
}
