//! The CPU executor's ops against obviously-correct direct loops
//! (`nn_cpu_ops/reference.rs`), on random shapes, strides, paddings,
//! dilations and activations, with one and two threads.

#[path = "nn_cpu_ops/reference.rs"]
mod reference;
#[path = "nn_cpu_ops/threaded.rs"]
mod threaded;
#[path = "nn_cpu_ops/wide.rs"]
mod wide;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;

use drape::nn::cpu::CpuExecutor;
use drape::nn::{Activation, Model, NnError, Op, OpKind, Padding, Tensor, TensorId};
use proptest::prelude::*;
use reference::T;

/// Named f32 tolerances ("approximate", as tract's): |a - b| <= ATOL + RTOL·|b|.
const ATOL: f32 = 1e-4;
const RTOL: f32 = 5e-4;

// Counts this thread's allocations, to check that `run` makes none.
struct CountingAllocator;
thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}
#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Deterministic values in [-1, 1) (splitmix64).
fn values(seed: u64, len: usize) -> Vec<f32> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

fn tensor(seed: u64, shape: &[usize]) -> T {
    T {
        shape: shape.to_vec(),
        data: values(seed, shape.iter().product()),
    }
}

/// Builds small models by hand.
#[derive(Default)]
struct Builder {
    tensors: Vec<Tensor>,
    ops: Vec<Op>,
    inputs: Vec<TensorId>,
}

impl Builder {
    fn add(&mut self, shape: &[usize], data: Option<&[f32]>) -> TensorId {
        self.tensors.push(Tensor {
            name: format!("t{}", self.tensors.len()),
            shape: shape.to_vec(),
            data: data.map(Arc::from),
        });
        self.tensors.len() - 1
    }
    fn input(&mut self, shape: &[usize]) -> TensorId {
        let id = self.add(shape, None);
        self.inputs.push(id);
        id
    }
    fn constant(&mut self, t: &T) -> TensorId {
        self.add(&t.shape, Some(&t.data))
    }
    fn op(&mut self, kind: OpKind, inputs: Vec<TensorId>, out_shape: &[usize]) -> TensorId {
        let out = self.add(out_shape, None);
        self.ops.push(Op {
            kind,
            inputs,
            outputs: vec![out],
        });
        out
    }
    fn finish(self, outputs: Vec<TensorId>) -> Model {
        Model {
            tensors: self.tensors,
            ops: self.ops,
            inputs: self.inputs,
            outputs,
        }
    }
}

/// Runs the model and returns output 0 and its shape, checking that one
/// and two threads agree exactly.
fn run(model: &Model, inputs: &[&T]) -> T {
    let data: Vec<&[f32]> = inputs.iter().map(|t| t.data.as_slice()).collect();
    let mut results = Vec::new();
    for threads in [1, 2] {
        let mut exec = CpuExecutor::new(model, threads).unwrap();
        exec.run(&data).unwrap();
        results.push(T {
            shape: exec.output_shape(0).to_vec(),
            data: exec.output(0).to_vec(),
        });
    }
    assert_eq!(results[0], results[1], "1 and 2 threads differ");
    // The portable kernels (what a CPU without AVX2 runs) agree closely.
    let mut exec = CpuExecutor::new(model, 1).unwrap();
    exec.force_portable();
    exec.run(&data).unwrap();
    let portable = T {
        shape: exec.output_shape(0).to_vec(),
        data: exec.output(0).to_vec(),
    };
    assert_close(&portable, &results[0]);
    results.swap_remove(0)
}

fn assert_close(actual: &T, expected: &T) {
    assert_eq!(actual.shape, expected.shape, "shapes differ");
    for (i, (&a, &e)) in actual.data.iter().zip(&expected.data).enumerate() {
        assert!(
            (a - e).abs() <= ATOL + RTOL * e.abs(),
            "element {i}: got {a}, expected {e}"
        );
    }
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

/// An input extent: random, but at least the dilated kernel for VALID.
fn extent(raw: usize, kernel: usize, dilation: usize, padding: Padding) -> usize {
    match padding {
        Padding::Same => raw,
        Padding::Valid => raw.max((kernel - 1) * dilation + 1),
    }
}

#[derive(Debug, Clone)]
struct ConvCase {
    x: [usize; 4],
    kernel: [usize; 2],
    out_c: usize,
    stride: [usize; 2],
    dilation: [usize; 2],
    padding: Padding,
    activation: Activation,
    seed: u64,
}

fn conv_case(max_hw: usize, max_c: usize, max_k: usize) -> impl Strategy<Value = ConvCase> {
    (
        (1..=2usize, 1..=max_hw, 1..=max_hw, 1..=max_c, 1..=max_c),
        (
            1..=max_k,
            1..=max_k,
            1..=3usize,
            1..=3usize,
            1..=2usize,
            1..=2usize,
        ),
        (padding(), activation(), any::<u64>()),
    )
        .prop_map(
            |((n, h, w, c, out_c), (kh, kw, sh, sw, dh, dw), (padding, activation, seed))| {
                ConvCase {
                    x: [n, extent(h, kh, dh, padding), extent(w, kw, dw, padding), c],
                    kernel: [kh, kw],
                    out_c,
                    stride: [sh, sw],
                    dilation: [dh, dw],
                    padding,
                    activation,
                    seed,
                }
            },
        )
}

fn check_conv(case: &ConvCase) {
    check_conv_with_density(case, 1.0);
}

/// `density`: the fraction of filter weights kept nonzero (the rest are
/// zeroed, as in the detector's sparse pointwise convolutions).
fn check_conv_with_density(case: &ConvCase, density: f32) {
    let x = tensor(case.seed, &case.x);
    let mut filter = tensor(
        case.seed ^ 1,
        &[case.out_c, case.kernel[0], case.kernel[1], case.x[3]],
    );
    let keep = values(case.seed ^ 3, filter.data.len());
    for (w, k) in filter.data.iter_mut().zip(keep) {
        if (k + 1.0) / 2.0 >= density {
            *w = 0.0;
        }
    }
    let bias = values(case.seed ^ 2, case.out_c);
    let expected = reference::conv2d(
        &x,
        &filter,
        &bias,
        case.stride,
        case.dilation,
        case.padding,
        case.activation,
    );
    let mut b = Builder::default();
    let input = b.input(&x.shape);
    let (f, bi) = (
        b.constant(&filter),
        b.constant(&T {
            shape: vec![case.out_c],
            data: bias,
        }),
    );
    let kind = OpKind::Conv2d {
        stride: case.stride,
        dilation: case.dilation,
        padding: case.padding,
        activation: case.activation,
    };
    let out = b.op(kind, vec![input, f, bi], &expected.shape);
    assert_close(&run(&b.finish(vec![out]), &[&x]), &expected);
}

/// PAD of `x` by `pads` (before, after per axis) against the reference.
fn check_pad(x: &T, pads: &[[usize; 2]]) {
    let expected = reference::pad(x, pads);
    let mut b = Builder::default();
    let input = b.input(&x.shape);
    let kind = OpKind::Pad {
        paddings: pads.to_vec(),
    };
    let out = b.op(kind, vec![input], &expected.shape);
    assert_close(&run(&b.finish(vec![out]), &[x]), &expected);
}

/// CONCATENATION along `axis` of tensors shaped `shape` but for `axis`,
/// which each takes from `extents`.
fn check_concat(
    shape: &[usize],
    axis: usize,
    extents: &[usize],
    activation: Activation,
    seed: u64,
) {
    let parts: Vec<T> = extents
        .iter()
        .enumerate()
        .map(|(i, &e)| {
            let mut s = shape.to_vec();
            s[axis] = e;
            tensor(seed ^ i as u64, &s)
        })
        .collect();
    let expected = reference::concat(&parts, axis, activation);
    let mut b = Builder::default();
    let ids: Vec<TensorId> = parts.iter().map(|p| b.input(&p.shape)).collect();
    let out = b.op(
        OpKind::Concatenation { axis, activation },
        ids,
        &expected.shape,
    );
    let inputs: Vec<&T> = parts.iter().collect();
    assert_close(&run(&b.finish(vec![out]), &inputs), &expected);
}

/// DEPTH_TO_SPACE of `x` with `block` against the reference.
fn check_depth_to_space(x: &T, block: usize) {
    let expected = reference::depth_to_space(x, block);
    let mut b = Builder::default();
    let input = b.input(&x.shape);
    let kind = OpKind::DepthToSpace { block_size: block };
    let out = b.op(kind, vec![input], &expected.shape);
    assert_close(&run(&b.finish(vec![out]), &[x]), &expected);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn conv2d_matches_reference(case in conv_case(9, 12, 4)) {
        check_conv(&case);
    }

    /// 1×1 convolutions with many pixels and channels: the direct GEMM
    /// path, its tiles and its panel tails.
    #[test]
    fn pointwise_conv2d_matches_reference(
        (n, h, w, c, out_c) in (1..=2usize, 1..=24usize, 1..=24usize, 1..=40usize, 1..=40usize),
        (activation, seed) in (activation(), any::<u64>()),
    ) {
        check_conv(&ConvCase {
            x: [n, h, w, c], kernel: [1, 1], out_c, stride: [1, 1], dilation: [1, 1],
            padding: Padding::Same, activation, seed,
        });
    }

    /// 1×1 convolutions with many input channels and mostly-zero
    /// weights: the sparse kernel, its pixel tiles and channel pairs.
    #[test]
    fn sparse_pointwise_conv2d_matches_reference(
        (n, h, w, c, out_c) in (1..=2usize, 1..=9usize, 1..=9usize, 64..=160usize, 5..=40usize),
        (activation, seed, density) in (activation(), any::<u64>(), 0.05f32..0.35),
    ) {
        check_conv_with_density(&ConvCase {
            x: [n, h, w, c], kernel: [1, 1], out_c, stride: [1, 1], dilation: [1, 1],
            padding: Padding::Same, activation, seed,
        }, density);
    }

    #[test]
    fn depthwise_matches_reference(
        case in conv_case(10, 20, 5),
        multiplier in prop_oneof![4 => Just(1usize), 1 => 2..=3usize],
    ) {
        let x = tensor(case.seed, &case.x);
        let out_c = case.x[3] * multiplier;
        let filter = tensor(case.seed ^ 1, &[1, case.kernel[0], case.kernel[1], out_c]);
        let bias = values(case.seed ^ 2, out_c);
        let expected = reference::depthwise(&x, &filter, &bias, case.stride, case.dilation, case.padding, multiplier, case.activation);
        let mut b = Builder::default();
        let input = b.input(&x.shape);
        let (f, bi) = (b.constant(&filter), b.constant(&T { shape: vec![out_c], data: bias }));
        let kind = OpKind::DepthwiseConv2d {
            stride: case.stride, dilation: case.dilation, padding: case.padding,
            depth_multiplier: multiplier, activation: case.activation,
        };
        let out = b.op(kind, vec![input, f, bi], &expected.shape);
        assert_close(&run(&b.finish(vec![out]), &[&x]), &expected);
    }

    /// A spatial PAD folded into the convolution that reads it.
    #[test]
    fn pad_then_conv_matches_reference(
        case in conv_case(8, 10, 3),
        pads in [0..=2usize, 0..=2usize, 0..=2usize, 0..=2usize],
        depthwise in any::<bool>(),
    ) {
        let x = tensor(case.seed, &case.x);
        let paddings = [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]];
        let padded = reference::pad(&x, &paddings);
        let c = case.x[3];
        let out_c = if depthwise { c } else { case.out_c };
        let filter_shape = if depthwise { [1, case.kernel[0], case.kernel[1], c] } else { [out_c, case.kernel[0], case.kernel[1], c] };
        let filter = tensor(case.seed ^ 1, &filter_shape);
        let bias = values(case.seed ^ 2, out_c);
        let (s, d, p, a) = (case.stride, case.dilation, case.padding, case.activation);
        let (expected, kind) = if depthwise {
            (reference::depthwise(&padded, &filter, &bias, s, d, p, 1, a),
             OpKind::DepthwiseConv2d { stride: s, dilation: d, padding: p, depth_multiplier: 1, activation: a })
        } else {
            (reference::conv2d(&padded, &filter, &bias, s, d, p, a),
             OpKind::Conv2d { stride: s, dilation: d, padding: p, activation: a })
        };
        prop_assume!(!expected.data.is_empty());
        let mut b = Builder::default();
        let input = b.input(&x.shape);
        let pad_out = b.op(OpKind::Pad { paddings: paddings.to_vec() }, vec![input], &padded.shape);
        let (f, bi) = (b.constant(&filter), b.constant(&T { shape: vec![out_c], data: bias }));
        let out = b.op(kind, vec![pad_out, f, bi], &expected.shape);
        assert_close(&run(&b.finish(vec![out]), &[&x]), &expected);
    }

    #[test]
    fn max_pool_matches_reference(
        (n, h, w, c) in (1..=2usize, 1..=9usize, 1..=9usize, 1..=12usize),
        (fh, fw, sh, sw) in (1..=4usize, 1..=4usize, 1..=3usize, 1..=3usize),
        (padding, activation, seed) in (padding(), activation(), any::<u64>()),
    ) {
        let x = tensor(seed, &[n, extent(h, fh, 1, padding), extent(w, fw, 1, padding), c]);
        let expected = reference::max_pool(&x, [fh, fw], [sh, sw], padding, activation);
        let mut b = Builder::default();
        let input = b.input(&x.shape);
        let kind = OpKind::MaxPool2d { filter: [fh, fw], stride: [sh, sw], padding, activation };
        let out = b.op(kind, vec![input], &expected.shape);
        assert_close(&run(&b.finish(vec![out]), &[&x]), &expected);
    }

    #[test]
    fn resize_bilinear_matches_reference(
        (n, h, w, c) in (1..=2usize, 1..=8usize, 1..=8usize, 1..=6usize),
        (oh, ow) in (1..=13usize, 1..=13usize),
        mode in 0..3usize,
        seed in any::<u64>(),
    ) {
        let (align_corners, half_pixel_centers) = [(false, false), (true, false), (false, true)][mode];
        let x = tensor(seed, &[n, h, w, c]);
        let expected = reference::resize_bilinear(&x, [oh, ow], align_corners, half_pixel_centers);
        let mut b = Builder::default();
        let input = b.input(&x.shape);
        let kind = OpKind::ResizeBilinear { size: [oh, ow], align_corners, half_pixel_centers };
        let out = b.op(kind, vec![input], &expected.shape);
        assert_close(&run(&b.finish(vec![out]), &[&x]), &expected);
    }

    #[test]
    fn add_matches_reference(
        shape in [1..=2usize, 1..=5usize, 1..=5usize, 1..=9usize],
        form in 0..6usize,
        (constant_b, activation, seed) in (any::<bool>(), activation(), any::<u64>()),
    ) {
        let [n, h, w, c] = shape;
        let (a_shape, b_shape): (Vec<usize>, Vec<usize>) = match form {
            0 => (shape.to_vec(), shape.to_vec()),
            1 => (shape.to_vec(), vec![1, 1, 1, c]),
            2 => (shape.to_vec(), vec![c]),
            3 => (shape.to_vec(), vec![1]),
            4 => (vec![1, 1, 1, c], shape.to_vec()),
            _ => (vec![n, 1, w, c], vec![1, h, 1, c]),
        };
        let (x, y) = (tensor(seed, &a_shape), tensor(seed ^ 1, &b_shape));
        let expected = reference::add(&x, &y, activation);
        let mut b = Builder::default();
        let a_id = b.input(&a_shape);
        let b_id = if constant_b { b.constant(&y) } else { b.input(&b_shape) };
        let out = b.op(OpKind::Add { activation }, vec![a_id, b_id], &expected.shape);
        let inputs: Vec<&T> = if constant_b { vec![&x] } else { vec![&x, &y] };
        assert_close(&run(&b.finish(vec![out]), &inputs), &expected);
    }

    #[test]
    fn pad_matches_reference(
        shape in [1..=2usize, 1..=5usize, 1..=5usize, 1..=6usize],
        pads in proptest::collection::vec([0..=3usize, 0..=3usize], 4),
        seed in any::<u64>(),
    ) {
        check_pad(&tensor(seed, &shape), &pads);
    }

    #[test]
    fn concatenation_matches_reference(
        shape in [1..=2usize, 1..=4usize, 1..=4usize, 1..=5usize],
        axis in 0..4usize,
        extents in proptest::collection::vec(1..=4usize, 1..=3),
        (activation, seed) in (activation(), any::<u64>()),
    ) {
        check_concat(&shape, axis, &extents, activation, seed);
    }

    #[test]
    fn depth_to_space_matches_reference(
        (n, h, w, oc, block) in (1..=2usize, 1..=5usize, 1..=5usize, 1..=5usize, 1..=3usize),
        seed in any::<u64>(),
    ) {
        check_depth_to_space(&tensor(seed, &[n, h, w, oc * block * block]), block);
    }

    /// LOGISTIC after a RESHAPE (an alias), read through another RESHAPE.
    #[test]
    fn reshape_and_logistic_match_reference(len in 1..=300usize, seed in any::<u64>()) {
        let x = tensor(seed, &[1, len]);
        let expected = reference::logistic(&T { shape: vec![len], data: x.data.clone() });
        let mut b = Builder::default();
        let input = b.input(&x.shape);
        let flat = b.op(OpKind::Reshape, vec![input], &[len, 1]);
        let y = b.op(OpKind::Logistic, vec![flat], &[len, 1]);
        let out = b.op(OpKind::Reshape, vec![y], &[len]);
        assert_close(&run(&b.finish(vec![out]), &[&x]), &expected);
    }
}

#[path = "nn_cpu_ops/graph.rs"]
mod graph;
