//! Shapes that reach the kernels' wide paths: dot-product convolutions
//! over whole 8-channel blocks (eight interior pixels at a time),
//! depthwise rows of eight pixels for few channels, and ops big enough to
//! be split across the threads (chunks claimed by whichever is free).

use super::{
    activation, assert_close, check_conv, padding, reference, run, tensor, values, Builder,
    ConvCase, T,
};
use drape::nn::{OpKind, Padding};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// 1–4 output channels from 8 or 16 input channels, rows wide enough
    /// for groups of eight interior pixels, any stride and dilation.
    #[test]
    fn dot_conv_over_channel_blocks_matches_reference(
        (n, h, w, blocks, out_c) in (1..=2usize, 1..=12usize, 1..=28usize, 1..=2usize, 1..=4usize),
        (kh, kw, sh, sw, dh, dw) in (1..=3usize, 1..=3usize, 1..=2usize, 1..=2usize, 1..=2usize, 1..=2usize),
        (padding, activation, seed) in (padding(), activation(), any::<u64>()),
    ) {
        let extent = |raw: usize, k: usize, d: usize| raw.max((k - 1) * d + 1);
        check_conv(&ConvCase {
            x: [n, extent(h, kh, dh), extent(w, kw, dw), 8 * blocks],
            kernel: [kh, kw],
            out_c,
            stride: [sh, sw],
            dilation: [dh, dw],
            padding,
            activation,
            seed,
        });
    }

    /// Depthwise with up to two 8-channel blocks (and a tail) on rows
    /// wide enough for groups of eight pixels.
    #[test]
    fn depthwise_wide_rows_match_reference(
        (n, h, w, c) in (1..=2usize, 1..=8usize, 8..=40usize, 1..=20usize),
        (k, stride, activation, seed) in (1..=3usize, 1..=2usize, activation(), any::<u64>()),
    ) {
        let x = tensor(seed, &[n, h.max(k), w, c]);
        let filter = tensor(seed ^ 1, &[1, k, k, c]);
        let bias = values(seed ^ 2, c);
        let expected = reference::depthwise(
            &x, &filter, &bias, [stride, stride], [1, 1], Padding::Same, 1, activation,
        );
        let mut b = Builder::default();
        let input = b.input(&x.shape);
        let (f, bi) = (b.constant(&filter), b.constant(&T { shape: vec![c], data: bias }));
        let kind = OpKind::DepthwiseConv2d {
            stride: [stride, stride], dilation: [1, 1], padding: Padding::Same,
            depth_multiplier: 1, activation,
        };
        let out = b.op(kind, vec![input, f, bi], &expected.shape);
        assert_close(&run(&b.finish(vec![out]), &[&x]), &expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// A same-shape ADD big enough to be split into chunks on two threads
    /// (`run` checks one and two threads agree exactly).
    #[test]
    fn big_add_split_across_threads_matches_reference(
        (h, w, c) in (48..=70usize, 48..=70usize, 8..=12usize),
        (activation, seed) in (activation(), any::<u64>()),
    ) {
        let shape = [1, h, w, c];
        let (x, y) = (tensor(seed, &shape), tensor(seed ^ 1, &shape));
        let expected = reference::add(&x, &y, activation);
        let mut b = Builder::default();
        let (a_id, b_id) = (b.input(&shape), b.input(&shape));
        let out = b.op(OpKind::Add { activation }, vec![a_id, b_id], &expected.shape);
        assert_close(&run(&b.finish(vec![out]), &[&x, &y]), &expected);
    }
}
