//! Fuzzes the TFLite reader: any bytes must give a model or an error, never
//! a panic, a hang or a huge allocation. See `drape_fuzz::tflite_reader`.
//!
//! Run from the repository root (nightly):
//!   cargo +nightly fuzz run tflite_reader fuzz/corpus/tflite_reader tests/data/nn_reader
//! `tests/data/nn_reader/tiny_all_ops.tflite` (5 KiB, every op) is the seed.
//! Copy crashing inputs to `tests/data/nn_reader/*.bin`; a test parses them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    drape_fuzz::tflite_reader(bytes);
});
