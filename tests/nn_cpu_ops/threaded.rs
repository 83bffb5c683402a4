//! Memory-bound ops big enough to be split across the threads (at least
//! 16,384 output floats, 4,096 for LOGISTIC): PAD, CONCATENATION,
//! DEPTH_TO_SPACE, MAX_POOL_2D, broadcast ADD and LOGISTIC; and 1×1
//! convolutions with few pixels and many channels, split by output
//! channels as well as by pixels. `run` checks that one and two threads
//! agree exactly, and each is compared with the reference.

use super::{
    activation, assert_close, check_concat, check_conv_with_density, check_depth_to_space,
    check_pad, reference, run, tensor, Builder, ConvCase,
};
use drape::nn::{OpKind, Padding};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// Padding on every axis, including the channels (rows that are all
    /// zeros, and rows with zeros around the input's).
    #[test]
    fn big_pad_split_across_threads_matches_reference(
        (h, w, c) in (44..=56usize, 44..=56usize, 10..=14usize),
        pads in proptest::collection::vec([0..=3usize, 0..=3usize], 4),
        seed in any::<u64>(),
    ) {
        check_pad(&tensor(seed, &[1, h, w, c]), &pads);
    }

    #[test]
    fn big_concatenation_split_across_threads_matches_reference(
        (h, w) in (40..=60usize, 40..=60usize),
        axis in 1..4usize,
        extents in proptest::collection::vec(1..=6usize, 2..=3),
        (activation, seed) in (activation(), any::<u64>()),
    ) {
        // Two batches, so that even axis 1 has two outer blocks to split.
        let extents: Vec<usize> = extents.iter().map(|e| e * 16).collect();
        check_concat(&[2, h, w, 16], axis, &extents, activation, seed);
    }

    #[test]
    fn big_depth_to_space_split_across_threads_matches_reference(
        (n, h, w, oc, block) in (1..=2usize, 32..=40usize, 32..=40usize, 4..=8usize, 2..=3usize),
        seed in any::<u64>(),
    ) {
        check_depth_to_space(&tensor(seed, &[n, h, w, oc * block * block]), block);
    }

    #[test]
    fn big_max_pool_split_across_threads_matches_reference(
        (n, h, w, c) in (1..=2usize, 40..=56usize, 40..=56usize, 16..=24usize),
        (f, s) in (2..=3usize, 1..=2usize),
        (same, activation, seed) in (any::<bool>(), activation(), any::<u64>()),
    ) {
        let padding = if same { Padding::Same } else { Padding::Valid };
        let x = tensor(seed, &[n, h, w, c]);
        let expected = reference::max_pool(&x, [f, f], [s, s], padding, activation);
        let mut b = Builder::default();
        let input = b.input(&x.shape);
        let kind = OpKind::MaxPool2d { filter: [f, f], stride: [s, s], padding, activation };
        let out = b.op(kind, vec![input], &expected.shape);
        assert_close(&run(&b.finish(vec![out]), &[&x]), &expected);
    }

    /// Broadcast forms, each operand's rows found from the chunk's first
    /// row.
    #[test]
    fn big_broadcast_add_split_across_threads_matches_reference(
        (n, h, w, c) in (1..=2usize, 40..=56usize, 40..=56usize, 12..=16usize),
        form in 0..4usize,
        (activation, seed) in (activation(), any::<u64>()),
    ) {
        let shape = vec![n, h, w, c];
        let (a_shape, b_shape): (Vec<usize>, Vec<usize>) = match form {
            0 => (shape.clone(), vec![1, 1, 1, c]),
            1 => (shape.clone(), vec![1]),
            2 => (vec![1, 1, 1, c], shape.clone()),
            _ => (vec![n, 1, w, c], vec![1, h, 1, c]),
        };
        let (x, y) = (tensor(seed, &a_shape), tensor(seed ^ 1, &b_shape));
        let expected = reference::add(&x, &y, activation);
        let mut b = Builder::default();
        let (a_id, b_id) = (b.input(&a_shape), b.input(&b_shape));
        let out = b.op(OpKind::Add { activation }, vec![a_id, b_id], &expected.shape);
        assert_close(&run(&b.finish(vec![out]), &[&x, &y]), &expected);
    }

    #[test]
    fn big_logistic_split_across_threads_matches_reference(
        len in 4_096..=20_000usize,
        seed in any::<u64>(),
    ) {
        let x = tensor(seed, &[len]);
        let expected = reference::logistic(&x);
        let mut b = Builder::default();
        let input = b.input(&x.shape);
        let out = b.op(OpKind::Logistic, vec![input], &[len]);
        assert_close(&run(&b.finish(vec![out]), &[&x]), &expected);
    }

    /// A late layer's shape (a few pixel tiles, hundreds of channels):
    /// blocks of whole weight panels on each thread, dense weights.
    #[test]
    fn few_pixel_pointwise_conv_split_by_channels_matches_reference(
        (h, w, c, out_c) in (1..=10usize, 1..=10usize, 16..=96usize, 33..=200usize),
        (activation, seed) in (activation(), any::<u64>()),
    ) {
        check_conv_with_density(&ConvCase {
            x: [1, h, w, c], kernel: [1, 1], out_c, stride: [1, 1], dilation: [1, 1],
            padding: Padding::Same, activation, seed,
        }, 1.0);
    }

    /// The same with mostly-zero weights: the sparse kernel's channel
    /// groups of eight on each thread, with a partial last group.
    #[test]
    fn few_pixel_sparse_pointwise_conv_split_by_channels_matches_reference(
        (h, w, c, out_c) in (1..=9usize, 1..=9usize, 64..=160usize, 17..=120usize),
        (activation, seed, density) in (activation(), any::<u64>(), 0.05f32..0.35),
    ) {
        check_conv_with_density(&ConvCase {
            x: [1, h, w, c], kernel: [1, 1], out_c, stride: [1, 1], dilation: [1, 1],
            padding: Padding::Same, activation, seed,
        }, density);
    }
}
