//! The GPU executor against the CPU executor (the reference): every op on
//! random shapes and values (proptest; few cases, lavapipe is slow), a
//! chain that exercises buffer reuse, and the bundled models whole.

mod common;

use std::sync::{Arc, OnceLock};

use drape::nn::cpu::CpuExecutor;
use drape::nn::gpu::GpuExecutor;
use drape::nn::{Activation, Model, Op, OpKind, Padding, Tensor};
use drape::GpuContext;
use proptest::prelude::*;

/// Agreement of one value: |gpu - cpu| <= atol + rtol·|cpu|.
#[derive(Debug, Clone, Copy)]
struct Tolerance {
    atol: f32,
    rtol: f32,
}

/// f32 "approximate": ops with short sums.
const APPROXIMATE: Tolerance = Tolerance {
    atol: 1e-4,
    rtol: 5e-4,
};

/// Convolutions sum up to a few hundred products in a different order on
/// each side (the GPU also fuses multiply-adds): allow 1e-4 per 100 terms
/// of unit size.
const LONG_SUMS: Tolerance = Tolerance {
    atol: 3e-4,
    rtol: 1e-3,
};

/// Whole networks: 100+ layers of the above compound; outputs are
/// compared relative to each output's own range (`atol` × max |cpu|).
const NETWORK: Tolerance = Tolerance {
    atol: 2e-3,
    rtol: 2e-3,
};

const CASES: u32 = 16;

fn gpu() -> &'static GpuContext {
    static GPU: OnceLock<GpuContext> = OnceLock::new();
    GPU.get_or_init(common::gpu)
}

/// Deterministic values in [-1, 1).
fn values(len: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// Builds small graphs by hand.
#[derive(Default)]
struct Graph {
    tensors: Vec<Tensor>,
    ops: Vec<Op>,
    inputs: Vec<usize>,
    seed: u64,
}

impl Graph {
    fn new(seed: u64) -> Graph {
        Graph {
            seed,
            ..Graph::default()
        }
    }

    fn tensor(&mut self, shape: &[usize], data: Option<Vec<f32>>) -> usize {
        self.tensors.push(Tensor {
            name: format!("t{}", self.tensors.len()),
            shape: shape.to_vec(),
            data: data.map(Arc::from),
        });
        self.tensors.len() - 1
    }

    fn input(&mut self, shape: &[usize]) -> usize {
        let t = self.tensor(shape, None);
        self.inputs.push(t);
        t
    }

    fn constant(&mut self, shape: &[usize]) -> usize {
        self.seed = self.seed.wrapping_add(1);
        let data = values(shape.iter().product(), self.seed);
        self.tensor(shape, Some(data))
    }

    fn op(&mut self, kind: OpKind, inputs: Vec<usize>, out_shape: &[usize]) -> usize {
        let y = self.tensor(out_shape, None);
        self.ops.push(Op {
            kind,
            inputs,
            outputs: vec![y],
        });
        y
    }

    fn model(self, outputs: Vec<usize>) -> Model {
        Model {
            tensors: self.tensors,
            ops: self.ops,
            inputs: self.inputs,
            outputs,
        }
    }
}

/// Runs `model` on both executors with deterministic inputs; returns
/// (gpu, cpu) per output.
fn run_both(model: &Model, seed: u64) -> Vec<(Vec<f32>, Vec<f32>)> {
    let inputs: Vec<Vec<f32>> = model
        .inputs
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            values(
                model.tensors[t].len(),
                seed.wrapping_mul(31).wrapping_add(i as u64),
            )
        })
        .collect();
    let refs: Vec<&[f32]> = inputs.iter().map(Vec::as_slice).collect();
    let mut cpu = CpuExecutor::new(model, 1).expect("CPU executor builds");
    cpu.run(&refs).expect("CPU run");
    let mut gpu_exec = GpuExecutor::new(gpu(), model).expect("GPU executor builds");
    gpu_exec.run(&refs).expect("GPU run");
    (0..model.outputs.len())
        .map(|i| {
            let g = gpu_exec.read_output(i).expect("readback");
            (g, cpu.output(i).to_vec())
        })
        .collect()
}

/// The worst excess over the tolerance, as a message, or `None`.
fn compare(gpu: &[f32], cpu: &[f32], tolerance: Tolerance) -> Option<String> {
    if gpu.len() != cpu.len() {
        return Some(format!(
            "lengths differ: gpu {} cpu {}",
            gpu.len(),
            cpu.len()
        ));
    }
    let mut worst: Option<(usize, f32)> = None;
    for (i, (&g, &c)) in gpu.iter().zip(cpu).enumerate() {
        let excess = (g - c).abs() - (tolerance.atol + tolerance.rtol * c.abs());
        // NaN (on either side) fails too.
        let within = excess <= 0.0;
        if !within && worst.is_none_or(|(_, e)| excess > e || excess.is_nan()) {
            worst = Some((i, excess));
        }
    }
    worst.map(|(i, _)| {
        format!(
            "value {i}: gpu {} cpu {} (tolerance {tolerance:?}, {} values)",
            gpu[i],
            cpu[i],
            gpu.len()
        )
    })
}

fn check(model: &Model, seed: u64, tolerance: Tolerance) -> Result<(), TestCaseError> {
    for (index, (g, c)) in run_both(model, seed).iter().enumerate() {
        if let Some(message) = compare(g, c, tolerance) {
            return Err(TestCaseError::fail(format!("output {index}: {message}")));
        }
    }
    Ok(())
}

fn activation() -> impl Strategy<Value = Activation> {
    prop_oneof![
        Just(Activation::None),
        Just(Activation::Relu),
        Just(Activation::ReluN1To1),
        Just(Activation::Relu6),
        Just(Activation::Tanh),
    ]
}

fn padding() -> impl Strategy<Value = Padding> {
    prop_oneof![Just(Padding::Same), Just(Padding::Valid)]
}

/// TFLite's output size of a window op, or `None` when it is empty.
fn window_out(
    padding: Padding,
    input: usize,
    kernel: usize,
    stride: usize,
    dilation: usize,
) -> Option<usize> {
    let effective = (kernel - 1) * dilation + 1;
    match padding {
        Padding::Same => Some(input.div_ceil(stride)),
        Padding::Valid if input >= effective => Some((input - effective) / stride + 1),
        Padding::Valid => None,
    }
}

#[derive(Debug, Clone)]
struct Window {
    batch: usize,
    size: [usize; 2],
    kernel: [usize; 2],
    stride: [usize; 2],
    dilation: [usize; 2],
    padding: Padding,
    activation: Activation,
}

fn window(max_size: usize, max_kernel: usize) -> impl Strategy<Value = Window> {
    (
        1usize..=2,
        [1usize..=max_size, 1usize..=max_size],
        [1usize..=max_kernel, 1usize..=max_kernel],
        [1usize..=2, 1usize..=2],
        [1usize..=2, 1usize..=2],
        padding(),
        activation(),
    )
        .prop_map(
            |(batch, size, kernel, stride, dilation, padding, activation)| Window {
                batch,
                size,
                kernel,
                stride,
                dilation,
                padding,
                activation,
            },
        )
}

impl Window {
    fn out(&self) -> Option<[usize; 2]> {
        Some([
            window_out(
                self.padding,
                self.size[0],
                self.kernel[0],
                self.stride[0],
                self.dilation[0],
            )?,
            window_out(
                self.padding,
                self.size[1],
                self.kernel[1],
                self.stride[1],
                self.dilation[1],
            )?,
        ])
    }
}

fn conv_model(w: &Window, in_c: usize, out_c: usize, seed: u64) -> Option<Model> {
    let [oh, ow] = w.out()?;
    let mut g = Graph::new(seed);
    let x = g.input(&[w.batch, w.size[0], w.size[1], in_c]);
    let filter = g.constant(&[out_c, w.kernel[0], w.kernel[1], in_c]);
    let bias = g.constant(&[out_c]);
    let kind = OpKind::Conv2d {
        stride: w.stride,
        dilation: w.dilation,
        padding: w.padding,
        activation: w.activation,
    };
    let y = g.op(kind, vec![x, filter, bias], &[w.batch, oh, ow, out_c]);
    Some(g.model(vec![y]))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: CASES,
        // Integration tests have no lib.rs for proptest to anchor files to.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn conv2d_matches_cpu(w in window(9, 3), in_c in 1usize..=9, out_c in 1usize..=13, seed: u64) {
        let model = conv_model(&w, in_c, out_c, seed);
        prop_assume!(model.is_some());
        check(&model.unwrap(), seed, LONG_SUMS)?;
    }

    #[test]
    fn conv2d_1x1_matches_cpu(
        batch in 1usize..=2, h in 1usize..=12, w in 1usize..=12,
        in_c in 1usize..=40, out_c in 1usize..=40, act in activation(), seed: u64,
    ) {
        let window = Window {
            batch, size: [h, w], kernel: [1, 1], stride: [1, 1], dilation: [1, 1],
            padding: Padding::Same, activation: act,
        };
        check(&conv_model(&window, in_c, out_c, seed).unwrap(), seed, LONG_SUMS)?;
    }

    #[test]
    fn depthwise_conv2d_matches_cpu(w in window(10, 5), channels in 1usize..=10, multiplier in 1usize..=3, seed: u64) {
        let out = w.out();
        prop_assume!(out.is_some());
        let [oh, ow] = out.unwrap();
        let oc = channels * multiplier;
        let mut g = Graph::new(seed);
        let x = g.input(&[w.batch, w.size[0], w.size[1], channels]);
        let filter = g.constant(&[1, w.kernel[0], w.kernel[1], oc]);
        let bias = g.constant(&[oc]);
        let kind = OpKind::DepthwiseConv2d {
            stride: w.stride, dilation: w.dilation, padding: w.padding,
            depth_multiplier: multiplier, activation: w.activation,
        };
        let y = g.op(kind, vec![x, filter, bias], &[w.batch, oh, ow, oc]);
        check(&g.model(vec![y]), seed, APPROXIMATE)?;
    }

    /// A spatial PAD before a convolution is folded into it.
    #[test]
    fn pad_folded_into_convolutions_matches_cpu(
        h in 2usize..=9, w in 2usize..=9, c in 1usize..=9,
        pads in [0usize..=2, 0usize..=2, 0usize..=2, 0usize..=2], seed: u64,
    ) {
        let (ph, pw) = (h + pads[0] + pads[1], w + pads[2] + pads[3]);
        let mut g = Graph::new(seed);
        let x = g.input(&[1, h, w, c]);
        let paddings = vec![[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]];
        let padded = g.op(OpKind::Pad { paddings }, vec![x], &[1, ph, pw, c]);
        // Both consumers of the pattern in the models: a strided VALID
        // depthwise and a convolution.
        let filter = g.constant(&[1, 3, 3, c]);
        let bias = g.constant(&[c]);
        let dw = OpKind::DepthwiseConv2d {
            stride: [2, 2], dilation: [1, 1], padding: Padding::Valid,
            depth_multiplier: 1, activation: Activation::None,
        };
        prop_assume!(ph >= 3 && pw >= 3);
        let a = g.op(dw, vec![padded, filter, bias], &[1, (ph - 3) / 2 + 1, (pw - 3) / 2 + 1, c]);
        let filter = g.constant(&[5, 2, 2, c]);
        let bias = g.constant(&[5]);
        let conv = OpKind::Conv2d {
            stride: [1, 1], dilation: [1, 1], padding: Padding::Same, activation: Activation::Relu,
        };
        let b = g.op(conv, vec![padded, filter, bias], &[1, ph, pw, 5]);
        check(&g.model(vec![a, b]), seed, LONG_SUMS)?;
    }

    /// A PAD in any dimension, run as its own kernel (it is an output).
    #[test]
    fn pad_matches_cpu(
        dims in [1usize..=3, 1usize..=5, 1usize..=5, 1usize..=6],
        pads in proptest::collection::vec([0usize..=2, 0usize..=2], 4), seed: u64,
    ) {
        let mut g = Graph::new(seed);
        let x = g.input(&dims);
        let out: Vec<usize> = dims.iter().zip(&pads).map(|(d, p)| d + p[0] + p[1]).collect();
        let paddings: Vec<[usize; 2]> = pads.iter().map(|p| [p[0], p[1]]).collect();
        let y = g.op(OpKind::Pad { paddings }, vec![x], &out);
        check(&g.model(vec![y]), seed, APPROXIMATE)?;
    }

    #[test]
    fn add_with_broadcasting_matches_cpu(
        dims in [1usize..=2, 1usize..=5, 1usize..=5, 1usize..=9],
        broadcast_a in [any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()],
        broadcast_b in [any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()],
        b_rank in 1usize..=4, act in activation(), seed: u64,
    ) {
        let a_shape: Vec<usize> = dims.iter().zip(broadcast_a).map(|(&d, one)| if one { 1 } else { d }).collect();
        let b_full: Vec<usize> = dims.iter().zip(broadcast_b).map(|(&d, one)| if one { 1 } else { d }).collect();
        // TFLite broadcasting aligns trailing dimensions: b may have fewer.
        let b_shape = b_full[4 - b_rank..].to_vec();
        let out: Vec<usize> = (0..4).map(|d| {
            let b = if d >= 4 - b_rank { b_full[d] } else { 1 };
            a_shape[d].max(b)
        }).collect();
        let mut g = Graph::new(seed);
        let a = g.input(&a_shape);
        let b = g.input(&b_shape);
        let y = g.op(OpKind::Add { activation: act }, vec![a, b], &out);
        check(&g.model(vec![y]), seed, APPROXIMATE)?;
    }

    #[test]
    fn max_pool2d_matches_cpu(w in window(9, 3), c in 1usize..=9, seed: u64) {
        let w = Window { dilation: [1, 1], ..w };
        let out = w.out();
        prop_assume!(out.is_some());
        let [oh, ow] = out.unwrap();
        let mut g = Graph::new(seed);
        let x = g.input(&[w.batch, w.size[0], w.size[1], c]);
        let kind = OpKind::MaxPool2d {
            filter: w.kernel, stride: w.stride, padding: w.padding, activation: w.activation,
        };
        let y = g.op(kind, vec![x], &[w.batch, oh, ow, c]);
        check(&g.model(vec![y]), seed, APPROXIMATE)?;
    }

    #[test]
    fn resize_bilinear_matches_cpu(
        batch in 1usize..=2, size in [1usize..=7, 1usize..=7], out in [1usize..=15, 1usize..=15],
        c in 1usize..=9, mode in 0usize..3, seed: u64,
    ) {
        // TFLite rejects align_corners with half_pixel_centers.
        let (align_corners, half_pixel_centers) = [(false, false), (true, false), (false, true)][mode];
        let mut g = Graph::new(seed);
        let x = g.input(&[batch, size[0], size[1], c]);
        let kind = OpKind::ResizeBilinear { size: out, align_corners, half_pixel_centers };
        let y = g.op(kind, vec![x], &[batch, out[0], out[1], c]);
        check(&g.model(vec![y]), seed, APPROXIMATE)?;
    }

    /// Reshapes that alias (same or 4-aligned last dimension) and ones
    /// that repack, each followed by a LOGISTIC so the result is also read
    /// by a kernel.
    #[test]
    fn reshape_and_logistic_match_cpu(h in 1usize..=6, w in 1usize..=6, c in 1usize..=12, last in 1usize..=4, seed: u64) {
        let total = h * w * c;
        prop_assume!(total % last == 0);
        let mut g = Graph::new(seed);
        let x = g.input(&[1, h, w, c]);
        let x2 = g.op(OpKind::Logistic, vec![x], &[1, h, w, c]);
        let kept = g.op(OpKind::Reshape, vec![x2], &[1, h * w, c]);
        let moved = g.op(OpKind::Reshape, vec![x2], &[total / last, last]);
        let after = g.op(OpKind::Logistic, vec![moved], &[total / last, last]);
        check(&g.model(vec![kept, moved, after]), seed, APPROXIMATE)?;
    }

    #[test]
    fn concatenation_matches_cpu(
        dims in [1usize..=2, 1usize..=4, 1usize..=4, 1usize..=7],
        axis in 0usize..4, parts in proptest::collection::vec(1usize..=6, 1..=3),
        rank3 in any::<bool>(), act in activation(), seed: u64,
    ) {
        // Rank 3, as the detector's [1, anchors, values] heads, or 4.
        let (rank, axis) = if rank3 { (3, axis % 3) } else { (4, axis) };
        let base = &dims[4 - rank..];
        let mut g = Graph::new(seed);
        let mut inputs = Vec::new();
        for &size in &parts {
            let mut shape = base.to_vec();
            shape[axis] = size;
            inputs.push(g.input(&shape));
        }
        let mut out = base.to_vec();
        out[axis] = parts.iter().sum();
        let y = g.op(OpKind::Concatenation { axis, activation: act }, inputs, &out);
        check(&g.model(vec![y]), seed, APPROXIMATE)?;
    }

    #[test]
    fn depth_to_space_matches_cpu(
        batch in 1usize..=2, h in 1usize..=5, w in 1usize..=5, c in 1usize..=7, block in 1usize..=3, seed: u64,
    ) {
        let mut g = Graph::new(seed);
        let x = g.input(&[batch, h, w, c * block * block]);
        let y = g.op(OpKind::DepthToSpace { block_size: block }, vec![x], &[batch, h * block, w * block, c]);
        check(&g.model(vec![y]), seed, APPROXIMATE)?;
    }
}

/// Filters spread over several 64 KiB uniform windows (one dispatch
/// each), and one whose 4-channel block alone exceeds a window (the
/// storage-buffer fallback kernel).
#[test]
fn large_filters_match_cpu() {
    let cases = [
        // 75 blocks of 16 channels, 5 per window.
        (1, 1, 200, 300, [5, 4]),
        // 3x3 over 460 channels: 4140 vec4s per block.
        (3, 3, 460, 5, [3, 3]),
    ];
    for (kh, kw, in_c, out_c, [h, w]) in cases {
        let window = Window {
            batch: 1,
            size: [h, w],
            kernel: [kh, kw],
            stride: [1, 1],
            dilation: [1, 1],
            padding: Padding::Same,
            activation: Activation::None,
        };
        let model = conv_model(&window, in_c, out_c, 5).unwrap();
        // Sums of up to 4140 products.
        let tolerance = Tolerance {
            atol: 2e-3,
            rtol: 1e-3,
        };
        for (gpu, cpu) in run_both(&model, 5) {
            if let Some(message) = compare(&gpu, &cpu, tolerance) {
                panic!("{kh}x{kw} {in_c} -> {out_c}: {message}");
            }
        }
    }
    // A depthwise filter over more channel groups than a window holds.
    let mut g = Graph::new(9);
    let x = g.input(&[1, 3, 3, 1200]);
    let filter = g.constant(&[1, 5, 5, 1200]);
    let bias = g.constant(&[1200]);
    let kind = OpKind::DepthwiseConv2d {
        stride: [1, 1],
        dilation: [1, 1],
        padding: Padding::Same,
        depth_multiplier: 1,
        activation: Activation::Relu6,
    };
    let y = g.op(kind, vec![x, filter, bias], &[1, 3, 3, 1200]);
    for (gpu, cpu) in run_both(&g.model(vec![y]), 9) {
        if let Some(message) = compare(&gpu, &cpu, APPROXIMATE) {
            panic!("depthwise 5x5 over 1200 channels: {message}");
        }
    }
}

/// A chain with skip connections and aliases, so that buffer reuse by
/// lifetime matters: a wrong reuse overwrites a tensor still to be read.
#[test]
fn chain_with_buffer_reuse_matches_cpu() {
    let mut g = Graph::new(7);
    let x = g.input(&[1, 12, 12, 3]);
    let conv = |stride| OpKind::Conv2d {
        stride,
        dilation: [1, 1],
        padding: Padding::Same,
        activation: Activation::Relu6,
    };
    let f = g.constant(&[16, 3, 3, 3]);
    let b = g.constant(&[16]);
    let a = g.op(conv([2, 2]), vec![x, f, b], &[1, 6, 6, 16]);
    let f = g.constant(&[1, 3, 3, 16]);
    let b = g.constant(&[16]);
    let dw = OpKind::DepthwiseConv2d {
        stride: [1, 1],
        dilation: [1, 1],
        padding: Padding::Same,
        depth_multiplier: 1,
        activation: Activation::Relu,
    };
    let d = g.op(dw, vec![a, f, b], &[1, 6, 6, 16]);
    let f = g.constant(&[16, 1, 1, 16]);
    let b = g.constant(&[16]);
    let p = g.op(conv([1, 1]), vec![d, f, b], &[1, 6, 6, 16]);
    let s = g.op(
        OpKind::Add {
            activation: Activation::None,
        },
        vec![p, a],
        &[1, 6, 6, 16],
    );
    let pooled = g.op(
        OpKind::MaxPool2d {
            filter: [2, 2],
            stride: [2, 2],
            padding: Padding::Valid,
            activation: Activation::None,
        },
        vec![s],
        &[1, 3, 3, 16],
    );
    let up = g.op(
        OpKind::ResizeBilinear {
            size: [6, 6],
            align_corners: false,
            half_pixel_centers: true,
        },
        vec![pooled],
        &[1, 6, 6, 16],
    );
    let s2 = g.op(
        OpKind::Add {
            activation: Activation::None,
        },
        vec![up, s],
        &[1, 6, 6, 16],
    );
    let f = g.constant(&[39, 1, 1, 16]);
    let b = g.constant(&[39]);
    let head = g.op(conv([1, 1]), vec![s2, f, b], &[1, 6, 6, 39]);
    let flat = g.op(OpKind::Reshape, vec![head], &[1, 6 * 6 * 39]);
    let model = g.model(vec![flat, s]);
    for (index, (gpu, cpu)) in run_both(&model, 3).iter().enumerate() {
        if let Some(message) = compare(gpu, cpu, LONG_SUMS) {
            panic!("output {index}: {message}");
        }
    }
}

#[test]
fn wrong_input_length_is_an_error() {
    let mut g = Graph::new(1);
    let x = g.input(&[1, 2, 2, 3]);
    let y = g.op(OpKind::Logistic, vec![x], &[1, 2, 2, 3]);
    let mut exec = GpuExecutor::new(gpu(), &g.model(vec![y])).unwrap();
    assert!(exec.run(&[&[0.0; 11]]).is_err());
    assert!(exec.run(&[]).is_err());
    assert!(exec.run(&[&[0.0; 12]]).is_ok());
}

#[test]
fn an_inconsistent_model_is_an_error_not_a_panic() {
    let mut g = Graph::new(1);
    let x = g.input(&[1, 4, 4, 3]);
    // The filter expects 5 input channels.
    let f = g.constant(&[8, 3, 3, 5]);
    let b = g.constant(&[8]);
    let kind = OpKind::Conv2d {
        stride: [1, 1],
        dilation: [1, 1],
        padding: Padding::Same,
        activation: Activation::None,
    };
    let y = g.op(kind, vec![x, f, b], &[1, 4, 4, 8]);
    assert!(GpuExecutor::new(gpu(), &g.model(vec![y])).is_err());
}

/// A deterministic RGB gradient in [0, 1], NHWC.
fn gradient(shape: &[usize]) -> Vec<f32> {
    let (h, w, c) = (shape[1], shape[2], shape[3]);
    let mut out = Vec::with_capacity(h * w * c);
    for y in 0..h {
        for x in 0..w {
            for channel in 0..c {
                out.push(match channel {
                    0 => x as f32 / w as f32,
                    1 => y as f32 / h as f32,
                    _ => (x + y) as f32 / (w + h) as f32,
                });
            }
        }
    }
    out
}

/// Runs a bundled model on both executors and compares every output,
/// relative to the output's range; prints the max abs difference.
fn whole_model_matches_cpu(which: drape::nn::models::PoseModel) {
    let model = which.load().expect("bundled model loads");
    let input = gradient(&model.tensors[model.inputs[0]].shape);
    let mut cpu = CpuExecutor::new(&model, 2).unwrap();
    cpu.run(&[&input]).unwrap();
    let mut exec = GpuExecutor::new(gpu(), &model).unwrap();
    exec.run(&[&input]).unwrap();
    let mut failures = Vec::new();
    for index in 0..model.outputs.len() {
        let g = exec.read_output(index).unwrap();
        let c = cpu.output(index);
        assert_eq!(g.len(), c.len());
        let range = c.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1.0);
        let max_diff = g
            .iter()
            .zip(c)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        println!(
            "{} output {index} {:?}: max |gpu - cpu| = {max_diff:.3e} (max |cpu| {range:.3})",
            which.file_name(),
            exec.output_shape(index)
        );
        let scaled = Tolerance {
            atol: NETWORK.atol * range,
            rtol: NETWORK.rtol,
        };
        if let Some(message) = compare(&g, c, scaled) {
            failures.push(format!("output {index}: {message}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn landmark_lite_matches_cpu() {
    whole_model_matches_cpu(drape::nn::models::PoseModel::LandmarkLite);
}

#[test]
fn detector_matches_cpu() {
    whole_model_matches_cpu(drape::nn::models::PoseModel::Detector);
}
