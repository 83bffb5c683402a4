//! Whole-graph behaviour: the memory plan, no allocation per run, the
//! threaded paths on larger layers, and clean errors.

use super::*;

/// A conv → depthwise → add → pad (channels) → conv chain at a size where
/// every op runs on both threads, against the reference op by op.
#[test]
fn large_chain_matches_reference_on_two_threads() {
    let x = tensor(7, &[1, 40, 36, 24]);
    let f1 = tensor(8, &[32, 3, 3, 24]);
    let b1 = values(9, 32);
    let f2 = tensor(10, &[1, 5, 5, 32]);
    let b2 = values(11, 32);
    let f3 = tensor(12, &[48, 1, 1, 40]);
    let b3 = values(13, 48);
    let y1 = reference::conv2d(
        &x,
        &f1,
        &b1,
        [2, 2],
        [1, 1],
        Padding::Same,
        Activation::Relu,
    );
    let y2 = reference::depthwise(
        &y1,
        &f2,
        &b2,
        [1, 1],
        [1, 1],
        Padding::Same,
        1,
        Activation::None,
    );
    let y3 = reference::add(&y1, &y2, Activation::Relu6);
    let paddings = [[0, 0], [0, 0], [0, 0], [0, 8]];
    let y4 = reference::pad(&y3, &paddings);
    let y5 = reference::conv2d(
        &y4,
        &f3,
        &b3,
        [1, 1],
        [1, 1],
        Padding::Valid,
        Activation::None,
    );

    let mut b = Builder::default();
    let input = b.input(&x.shape);
    let (cf1, cb1) = (
        b.constant(&f1),
        b.constant(&T {
            shape: vec![32],
            data: b1,
        }),
    );
    let (cf2, cb2) = (
        b.constant(&f2),
        b.constant(&T {
            shape: vec![32],
            data: b2,
        }),
    );
    let (cf3, cb3) = (
        b.constant(&f3),
        b.constant(&T {
            shape: vec![48],
            data: b3,
        }),
    );
    let same = |activation| (Padding::Same, activation);
    let (p1, a1) = same(Activation::Relu);
    let t1 = b.op(
        OpKind::Conv2d {
            stride: [2, 2],
            dilation: [1, 1],
            padding: p1,
            activation: a1,
        },
        vec![input, cf1, cb1],
        &y1.shape,
    );
    let kind = OpKind::DepthwiseConv2d {
        stride: [1, 1],
        dilation: [1, 1],
        padding: Padding::Same,
        depth_multiplier: 1,
        activation: Activation::None,
    };
    let t2 = b.op(kind, vec![t1, cf2, cb2], &y2.shape);
    let t3 = b.op(
        OpKind::Add {
            activation: Activation::Relu6,
        },
        vec![t1, t2],
        &y3.shape,
    );
    let t4 = b.op(
        OpKind::Pad {
            paddings: paddings.to_vec(),
        },
        vec![t3],
        &y4.shape,
    );
    let kind = OpKind::Conv2d {
        stride: [1, 1],
        dilation: [1, 1],
        padding: Padding::Valid,
        activation: Activation::None,
    };
    let t5 = b.op(kind, vec![t4, cf3, cb3], &y5.shape);
    let model = b.finish(vec![t5, t3]);

    for threads in [1, 2] {
        let mut exec = CpuExecutor::new(&model, threads).unwrap();
        exec.run(&[&x.data]).unwrap();
        assert_close(
            &T {
                shape: exec.output_shape(0).to_vec(),
                data: exec.output(0).to_vec(),
            },
            &y5,
        );
        assert_close(
            &T {
                shape: exec.output_shape(1).to_vec(),
                data: exec.output(1).to_vec(),
            },
            &y3,
        );
        assert_eq!(exec.output_count(), 2);
    }
}

/// A chain of ten same-sized ops needs two buffers besides the input
/// and output, not ten.
fn chain(len: usize, ops: usize) -> Model {
    let mut b = Builder::default();
    let mut t = b.input(&[1, len]);
    for i in 0..ops {
        t = if i % 2 == 0 {
            b.op(OpKind::Logistic, vec![t], &[1, len])
        } else {
            b.op(
                OpKind::Add {
                    activation: Activation::Relu,
                },
                vec![t, t],
                &[1, len],
            )
        };
    }
    b.finish(vec![t])
}

#[test]
fn buffers_are_reused_along_a_chain() {
    let len = 1000;
    let exec = CpuExecutor::new(&chain(len, 10), 1).unwrap();
    assert!(
        exec.activation_floats() <= 3 * len,
        "{} floats for a chain of {len}",
        exec.activation_floats()
    );
}

#[test]
fn run_allocates_nothing() {
    let len = 1000;
    let x = values(3, len);
    let mut exec = CpuExecutor::new(&chain(len, 10), 1).unwrap();
    exec.run(&[&x]).unwrap();
    let before = ALLOCATIONS.with(Cell::get);
    exec.run(&[&x]).unwrap();
    assert_eq!(ALLOCATIONS.with(Cell::get), before, "run allocated");

    // The same for convolutions, depthwise, pooling and resizing.
    let x = tensor(4, &[1, 12, 12, 8]);
    let f = tensor(5, &[16, 3, 3, 8]);
    let mut b = Builder::default();
    let input = b.input(&x.shape);
    let (cf, cb) = (
        b.constant(&f),
        b.constant(&T {
            shape: vec![16],
            data: values(6, 16),
        }),
    );
    let conv = OpKind::Conv2d {
        stride: [1, 1],
        dilation: [1, 1],
        padding: Padding::Same,
        activation: Activation::Relu,
    };
    let t = b.op(conv, vec![input, cf, cb], &[1, 12, 12, 16]);
    let pool = OpKind::MaxPool2d {
        filter: [2, 2],
        stride: [2, 2],
        padding: Padding::Valid,
        activation: Activation::None,
    };
    let t = b.op(pool, vec![t], &[1, 6, 6, 16]);
    let resize = OpKind::ResizeBilinear {
        size: [12, 12],
        align_corners: false,
        half_pixel_centers: true,
    };
    let t = b.op(resize, vec![t], &[1, 12, 12, 16]);
    let mut exec = CpuExecutor::new(&b.finish(vec![t]), 1).unwrap();
    exec.run(&[&x.data]).unwrap();
    let before = ALLOCATIONS.with(Cell::get);
    exec.run(&[&x.data]).unwrap();
    assert_eq!(ALLOCATIONS.with(Cell::get), before, "run allocated");
}

#[test]
fn wrong_input_length_is_an_error() {
    let mut exec = CpuExecutor::new(&chain(10, 2), 1).unwrap();
    let err = exec.run(&[&[0.0; 9]]).unwrap_err();
    assert!(
        matches!(
            err,
            NnError::InputShape {
                index: 0,
                expected: 10,
                actual: 9,
                ..
            }
        ),
        "{err}"
    );
    let err = exec.run(&[]).unwrap_err();
    assert!(matches!(err, NnError::InputShape { index: 0, .. }), "{err}");
}

#[test]
fn inconsistent_shapes_are_malformed() {
    // A 3×3 SAME convolution whose output claims the wrong size.
    let mut b = Builder::default();
    let input = b.input(&[1, 8, 8, 4]);
    let (f, bias) = (
        b.constant(&tensor(1, &[4, 3, 3, 4])),
        b.constant(&tensor(2, &[4])),
    );
    let conv = OpKind::Conv2d {
        stride: [1, 1],
        dilation: [1, 1],
        padding: Padding::Same,
        activation: Activation::None,
    };
    let out = b.op(conv, vec![input, f, bias], &[1, 7, 8, 4]);
    let err = CpuExecutor::new(&b.finish(vec![out]), 1).unwrap_err();
    assert!(matches!(err, NnError::Malformed { .. }), "{err}");

    // An op reading a tensor nothing writes.
    let mut b = Builder::default();
    let input = b.input(&[4]);
    let orphan = b.add(&[4], None);
    let out = b.op(
        OpKind::Add {
            activation: Activation::None,
        },
        vec![input, orphan],
        &[4],
    );
    let err = CpuExecutor::new(&b.finish(vec![out]), 1).unwrap_err();
    assert!(matches!(err, NnError::Malformed { .. }), "{err}");
}

/// A residual block's end: a 1×1 projection (no activation), then ADD of
/// the block's input. `conv_out_is_output`: the projection is also a
/// model output. Returns the model, its input and the expected outputs.
fn residual_block(
    shape: [usize; 4],
    conv_activation: Activation,
    add_activation: Activation,
    conv_out_is_output: bool,
    seed: u64,
) -> (Model, T, Vec<T>) {
    let c = shape[3];
    let x = tensor(seed, &shape);
    let filter = tensor(seed ^ 1, &[c, 1, 1, c]);
    let bias = values(seed ^ 2, c);
    let projected = reference::conv2d(
        &x,
        &filter,
        &bias,
        [1, 1],
        [1, 1],
        Padding::Same,
        conv_activation,
    );
    let sum = reference::add(&projected, &x, add_activation);
    let mut b = Builder::default();
    let input = b.input(&x.shape);
    let (f, bi) = (
        b.constant(&filter),
        b.constant(&T {
            shape: vec![c],
            data: bias,
        }),
    );
    let conv = OpKind::Conv2d {
        stride: [1, 1],
        dilation: [1, 1],
        padding: Padding::Same,
        activation: conv_activation,
    };
    let y = b.op(conv, vec![input, f, bi], &x.shape);
    let add = OpKind::Add {
        activation: add_activation,
    };
    // The residual on the left, as TFLite's graphs often have it.
    let out = b.op(add, vec![input, y], &x.shape);
    let (outputs, expected) = if conv_out_is_output {
        (vec![out, y], vec![sum, projected])
    } else {
        (vec![out], vec![sum])
    };
    (b.finish(outputs), x, expected)
}

/// The steps `CpuExecutor` runs for `model` (1 when the ADD is fused).
fn step_count(model: &Model, x: &T) -> usize {
    let mut exec = CpuExecutor::new(model, 1).unwrap();
    exec.run_timed(&[&x.data]).unwrap().len()
}

/// The ADD runs inside the projection's step, on one and two threads
/// and over the GEMM and dot paths (the detector's model tests cover the
/// sparse one), with the same results as the two ops apart.
#[test]
fn residual_add_is_fused_into_the_projection() {
    for (shape, seed) in [
        ([1, 40, 40, 24], 21),
        ([1, 9, 7, 96], 22),
        ([1, 64, 64, 3], 23),
    ] {
        for add_activation in [Activation::None, Activation::Relu6, Activation::Tanh] {
            let (model, x, expected) =
                residual_block(shape, Activation::None, add_activation, false, seed);
            assert_eq!(
                step_count(&model, &x),
                1,
                "{shape:?}: the ADD was not fused"
            );
            assert_close(&run(&model, &[&x]), &expected[0]);
        }
    }
}

/// A projection whose output is read elsewhere too, or that has an
/// activation of its own, keeps its ADD apart, and both still match.
#[test]
fn residual_add_stays_apart_where_fusing_would_change_results() {
    let (model, x, expected) = residual_block(
        [1, 20, 20, 16],
        Activation::None,
        Activation::None,
        true,
        31,
    );
    assert_eq!(step_count(&model, &x), 2);
    let mut exec = CpuExecutor::new(&model, 2).unwrap();
    exec.run(&[&x.data]).unwrap();
    for (index, expected) in expected.iter().enumerate() {
        let actual = T {
            shape: exec.output_shape(index).to_vec(),
            data: exec.output(index).to_vec(),
        };
        assert_close(&actual, expected);
    }

    let (model, x, expected) = residual_block(
        [1, 20, 20, 16],
        Activation::Relu,
        Activation::None,
        false,
        32,
    );
    assert_eq!(step_count(&model, &x), 2);
    assert_close(&run(&model, &[&x]), &expected[0]);
}
