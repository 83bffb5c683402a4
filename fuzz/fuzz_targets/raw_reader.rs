//! Fuzzes the raw frame reader (`RawSource`): 5 bytes choose the format,
//! size, frame rate and colour space, the rest is the stream. See
//! `drape_fuzz::raw_reader`.
//!
//!   cargo +nightly fuzz run raw_reader fuzz/corpus/raw_reader fuzz/seeds/raw_reader
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    drape_fuzz::raw_reader(bytes);
});
