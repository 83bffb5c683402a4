//! Fuzzes photo garments (`photo_garment`): the silhouette and anchor
//! finder on a small RGBA image, or given anchors checked and used. See
//! `drape_fuzz::photo_anchors` for the input's layout.
//!
//!   cargo +nightly fuzz run photo_anchors fuzz/corpus/photo_anchors fuzz/seeds/photo_anchors
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    drape_fuzz::photo_anchors(bytes);
});
