//! Fuzzes the catalog manifest (`Catalog::parse`) as if it lay in
//! tests/data/catalog (which holds the asset files the seeds name); the
//! photo anchors of a catalog that parses are tried on a drawn T-shirt.
//! See `drape_fuzz::catalog`.
//!
//!   cargo +nightly fuzz run catalog fuzz/corpus/catalog fuzz/seeds/catalog
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static TEE: LazyLock<image::RgbaImage> = LazyLock::new(drape_fuzz::tee_image);

fuzz_target!(|bytes: &[u8]| {
    let manifest = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/data/catalog/fuzz.toml"
    ));
    drape_fuzz::catalog(bytes, manifest, &TEE);
});
