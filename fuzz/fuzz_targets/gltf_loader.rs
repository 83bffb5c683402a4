//! Fuzzes glTF/GLB loading from bytes (`load_garment_from_slice`), with
//! external buffers and images resolved in fuzz/seeds/gltf_files. A loaded model
//! must keep what `GarmentModel` documents. See `drape_fuzz::gltf_loader`.
//!
//!   cargo +nightly fuzz run gltf_loader fuzz/corpus/gltf_loader fuzz/seeds/gltf_loader
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let base_dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/gltf_files"));
    drape_fuzz::gltf_loader(bytes, base_dir);
});
