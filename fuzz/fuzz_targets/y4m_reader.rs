//! Fuzzes the y4m reader: any bytes as a stream (whole and in short reads)
//! give frames and an end or an error, never a panic; the header parser's
//! result survives `to_line`. See `drape_fuzz::y4m_reader`.
//!
//!   cargo +nightly fuzz run y4m_reader fuzz/corpus/y4m_reader fuzz/seeds/y4m_reader
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    drape_fuzz::y4m_reader(bytes);
});
