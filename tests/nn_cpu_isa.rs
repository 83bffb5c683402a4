//! Every instruction set this CPU runs (`Isa::supported`) against the
//! portable kernels: each kernel family (GEMM on pixels and on im2col
//! tiles, sparse 1×1, dot products, depthwise) on random odd shapes that
//! leave remainders of every tile width, with every activation, and the
//! whole lite landmark model.

use std::sync::Arc;

use drape::nn::cpu::{CpuExecutor, Isa};
use drape::nn::models::PoseModel;
use drape::nn::{Activation, Model, Op, OpKind, Padding, Tensor};

/// Kernels of different instruction sets sum in different orders (and
/// SSE4.1 and SIMD128 do not fuse multiply-adds): |a - b| <= ATOL +
/// RTOL·|b| ("approximate", as tract's f32 level).
const ATOL: f32 = 1e-4;
const RTOL: f32 = 5e-4;

/// The whole model's outputs, after ~100 ops of such differences: this
/// fraction of each output's range (what tests/nn_models.rs allows
/// against TFLite), plus `RTOL` of the value for one-value outputs.
const MODEL_RANGE_REL_TOL: f32 = 1e-3;

const ACTIVATIONS: [Activation; 5] = [
    Activation::None,
    Activation::Relu,
    Activation::ReluN1To1,
    Activation::Relu6,
    Activation::Tanh,
];

/// Deterministic numbers (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// In `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    /// In [-1, 1).
    fn value(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
    fn values(&mut self, len: usize) -> Vec<f32> {
        (0..len).map(|_| self.value()).collect()
    }
}

/// One convolution (depthwise or not) of an `[1, h, w, in_c]` input.
struct ConvCase {
    h: usize,
    w: usize,
    in_c: usize,
    out_c: usize,
    kernel: usize,
    stride: usize,
    padding: Padding,
    activation: Activation,
    depthwise: bool,
    /// Fraction of filter weights set to zero (the sparse kernel takes
    /// 1×1 filters that are mostly zero).
    zeros: f32,
}

impl ConvCase {
    fn out_size(&self, size: usize) -> usize {
        match self.padding {
            Padding::Same => size.div_ceil(self.stride),
            Padding::Valid => (size + 1 - self.kernel).div_ceil(self.stride),
        }
    }

    fn model(&self, rng: &mut Rng) -> Model {
        let filter_shape = if self.depthwise {
            vec![1, self.kernel, self.kernel, self.out_c]
        } else {
            vec![self.out_c, self.kernel, self.kernel, self.in_c]
        };
        let mut filter = rng.values(filter_shape.iter().product());
        for value in &mut filter {
            if (rng.value() + 1.0) / 2.0 < self.zeros {
                *value = 0.0;
            }
        }
        let tensor = |shape: Vec<usize>, data: Option<Vec<f32>>| Tensor {
            name: String::new(),
            shape,
            data: data.map(Arc::from),
        };
        let out_shape = vec![1, self.out_size(self.h), self.out_size(self.w), self.out_c];
        let stride = [self.stride; 2];
        let kind = if self.depthwise {
            OpKind::DepthwiseConv2d {
                stride,
                dilation: [1, 1],
                padding: self.padding,
                depth_multiplier: self.out_c / self.in_c,
                activation: self.activation,
            }
        } else {
            OpKind::Conv2d {
                stride,
                dilation: [1, 1],
                padding: self.padding,
                activation: self.activation,
            }
        };
        Model {
            tensors: vec![
                tensor(vec![1, self.h, self.w, self.in_c], None),
                tensor(filter_shape, Some(filter)),
                tensor(vec![self.out_c], Some(rng.values(self.out_c))),
                tensor(out_shape, None),
            ],
            ops: vec![Op {
                kind,
                inputs: vec![0, 1, 2],
                outputs: vec![3],
            }],
            inputs: vec![0],
            outputs: vec![3],
        }
    }
}

/// Runs `model` on `input` with `isa`'s kernels: output 0 of each run.
fn outputs(model: &Model, inputs: &[&[f32]], isa: Isa, threads: usize) -> Vec<Vec<f32>> {
    let mut exec = CpuExecutor::with_isa(model, threads, isa).unwrap();
    assert_eq!(exec.isa(), isa, "the executor runs the Isa asked for");
    exec.run(inputs).unwrap();
    (0..exec.output_count())
        .map(|i| exec.output(i).to_vec())
        .collect()
}

fn assert_close(what: &str, actual: &[f32], expected: &[f32], atol: f32, rtol: f32) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths differ");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (a - e).abs() <= atol + rtol * e.abs(),
            "{what}, element {i}: got {a}, portable gives {e}"
        );
    }
}

/// Every supported `Isa` gives what the portable kernels give on `case`.
fn check_case(rng: &mut Rng, case: &ConvCase, family: &str) {
    let model = case.model(rng);
    let input = rng.values(case.h * case.w * case.in_c);
    let expected = outputs(&model, &[&input], Isa::Portable, 1);
    for isa in Isa::supported() {
        let actual = outputs(&model, &[&input], isa, 1);
        let what = format!(
            "{family} on {isa}: {}x{}x{} -> {} k{} s{} {:?} {:?}",
            case.h,
            case.w,
            case.in_c,
            case.out_c,
            case.kernel,
            case.stride,
            case.padding,
            case.activation
        );
        assert_close(&what, &actual[0], &expected[0], ATOL, RTOL);
    }
}

fn padding(rng: &mut Rng) -> Padding {
    if rng.range(0, 1) == 0 {
        Padding::Same
    } else {
        Padding::Valid
    }
}

#[test]
fn supported_lists_portable_first_and_the_detected_best() {
    let supported = Isa::supported();
    assert_eq!(supported[0], Isa::Portable);
    assert!(supported.contains(&Isa::detect()));
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        assert_eq!(Isa::detect(), Isa::Avx512);
    }
}

#[test]
fn gemm_of_every_isa_matches_portable() {
    let mut rng = Rng(1);
    for (case, activation) in (0..30).zip(ACTIVATIONS.iter().cycle()) {
        // 1×1 stride 1 (GEMM on the pixels) and k×k (on im2col tiles);
        // channel counts around 8/16/32/64 leave every panel remainder.
        let kernel = [1, 1, 3, 2, 5][case % 5];
        let case = ConvCase {
            h: rng.range(kernel, 19),
            w: rng.range(kernel, 23),
            in_c: rng.range(1, 70),
            out_c: rng.range(5, 80),
            kernel,
            stride: if case % 5 == 0 { 1 } else { rng.range(1, 2) },
            padding: padding(&mut rng),
            activation: *activation,
            depthwise: false,
            zeros: 0.0,
        };
        check_case(&mut rng, &case, "gemm");
    }
}

#[test]
fn sparse_1x1_of_every_isa_matches_portable() {
    let mut rng = Rng(2);
    // The sparse kernel takes clamp activations and at least 64 inputs.
    let clamps = [Activation::None, Activation::Relu, Activation::Relu6];
    for (_, activation) in (0..12).zip(clamps.iter().cycle()) {
        let case = ConvCase {
            h: rng.range(1, 13),
            w: rng.range(1, 17),
            in_c: rng.range(64, 100),
            out_c: rng.range(5, 70),
            kernel: 1,
            stride: 1,
            padding: Padding::Same,
            activation: *activation,
            depthwise: false,
            zeros: 0.8,
        };
        check_case(&mut rng, &case, "sparse");
    }
}

#[test]
fn dot_of_every_isa_matches_portable() {
    let mut rng = Rng(3);
    for (case, activation) in (0..25).zip(ACTIVATIONS.iter().cycle()) {
        // Input channels in whole vectors (4, 8, 16) and not.
        let in_c = [3, 4, 8, 16, 32, 5, 20, 48][case % 8];
        let kernel = [1, 3, 2][case % 3];
        let case = ConvCase {
            h: rng.range(kernel, 20),
            w: rng.range(kernel, 25),
            in_c,
            out_c: rng.range(1, 4),
            kernel,
            stride: rng.range(1, 2),
            padding: padding(&mut rng),
            activation: *activation,
            depthwise: false,
            zeros: 0.0,
        };
        check_case(&mut rng, &case, "dot");
    }
}

#[test]
fn depthwise_of_every_isa_matches_portable() {
    let mut rng = Rng(4);
    for (case, activation) in (0..30).zip(ACTIVATIONS.iter().cycle()) {
        let kernel = [3, 5, 2][case % 3];
        let c = rng.range(1, 50);
        let multiplier = if case % 7 == 6 { 2 } else { 1 };
        let case = ConvCase {
            h: rng.range(kernel, 20),
            w: rng.range(kernel, 30),
            in_c: c,
            out_c: c * multiplier,
            kernel,
            stride: rng.range(1, 2),
            padding: padding(&mut rng),
            activation: *activation,
            depthwise: true,
            zeros: 0.0,
        };
        check_case(&mut rng, &case, "depthwise");
    }
}

#[test]
fn lite_model_of_every_isa_matches_portable() {
    let model = PoseModel::LandmarkLite.load().unwrap();
    let input_len: usize = model.tensors[model.inputs[0]].shape.iter().product();
    let input: Vec<f32> = Rng(5)
        .values(input_len)
        .iter()
        .map(|v| (v + 1.0) / 2.0)
        .collect();
    let expected = outputs(&model, &[&input], Isa::Portable, 1);
    for isa in Isa::supported() {
        for threads in [1, 2] {
            let actual = outputs(&model, &[&input], isa, threads);
            for (i, (a, e)) in actual.iter().zip(&expected).enumerate() {
                let what = format!("lite output {i} on {isa}, {threads} threads");
                let (lo, hi) = e
                    .iter()
                    .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                assert_close(&what, a, e, MODEL_RANGE_REL_TOL * (hi - lo), RTOL);
            }
        }
    }
}
