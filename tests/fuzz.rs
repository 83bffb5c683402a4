//! The fuzz targets in `cargo test`, on stable, without cargo-fuzz: their
//! bodies (`fuzz/src/lib.rs`, shared with the cargo-fuzz targets) run on
//! every seed, on every input that once broke a reader, and on a few
//! thousand mutations of the seeds (the CI smoke run: a few seconds a
//! target); and property tests (`fuzz/properties.rs`) for valid inputs a
//! fuzzer reaches slowly.
//!
//! Longer runs: `DRAPE_FUZZ_SMOKE_MS=60000 DRAPE_FUZZ_SMOKE_RUNS=100000000
//! cargo test --test fuzz smoke` (milliseconds and inputs a target), or
//! cargo-fuzz on nightly (`fuzz/run.sh`), as `fuzz/README.md` says. A
//! mutation that breaks a target is written to
//! `target/tmp/fuzz-<target>-<run>.bin` and named in the failure.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod targets;

mod common;
#[path = "fuzz/mutator.rs"]
mod mutator;
#[path = "fuzz/properties.rs"]
mod properties;
#[path = "fuzz/seeds.rs"]
mod seeds;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use mutator::{parse_dictionary, Mutator};

/// Wall time each smoke run may take by default: long enough for a few
/// thousand inputs on a 2-core CI machine, short enough for every push.
const SMOKE_BUDGET_MS: u64 = 3000;
/// Inputs each smoke run tries at most by default.
const SMOKE_RUNS: usize = 20_000;
/// Time one input may take before it counts as a hang (libFuzzer's
/// `-timeout`); inputs here are a few KiB and take well under 100 ms.
const SLOW_INPUT: Duration = Duration::from_secs(2);
/// Accepted mutants kept to mutate further (a corpus without coverage).
const POOL_SIZE: usize = 256;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fuzz target: its name (as in fuzz/Cargo.toml), the folder of its
/// seeds and its body.
struct Target {
    name: &'static str,
    seeds: &'static str,
    run: fn(&[u8]) -> bool,
}

fn gltf(bytes: &[u8]) -> bool {
    targets::gltf_loader(bytes, &root().join("fuzz/seeds/gltf_files"))
}

fn catalog(bytes: &[u8]) -> bool {
    static TEE: OnceLock<image::RgbaImage> = OnceLock::new();
    let tee = TEE.get_or_init(targets::tee_image);
    let manifest = root().join("tests/data/catalog/fuzz.toml");
    targets::catalog(bytes, &manifest, tee)
}

const TARGETS: [Target; 6] = [
    Target {
        name: "y4m_reader",
        seeds: "fuzz/seeds/y4m_reader",
        run: targets::y4m_reader,
    },
    Target {
        name: "raw_reader",
        seeds: "fuzz/seeds/raw_reader",
        run: targets::raw_reader,
    },
    Target {
        name: "gltf_loader",
        seeds: "fuzz/seeds/gltf_loader",
        run: gltf,
    },
    Target {
        name: "catalog",
        seeds: "fuzz/seeds/catalog",
        run: catalog,
    },
    Target {
        name: "photo_anchors",
        seeds: "fuzz/seeds/photo_anchors",
        run: targets::photo_anchors,
    },
    Target {
        name: "tflite_reader",
        seeds: "tests/data/nn_reader",
        run: targets::tflite_reader,
    },
];

fn target(name: &str) -> &'static Target {
    TARGETS.iter().find(|t| t.name == name).expect("a target")
}

/// The files of a folder, sorted by name, with their bytes.
fn files(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.is_file())
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("a readable seed"))
        })
        .collect();
    files.sort();
    files
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[test]
fn seeds_are_what_their_generator_makes() {
    let bless = std::env::var_os("DRAPE_BLESS").is_some();
    let mut stale = Vec::new();
    let seeds = seeds::all();
    // Files left in a seed folder that the generator no longer makes.
    let folders: std::collections::BTreeSet<&Path> =
        seeds.iter().filter_map(|(path, _)| path.parent()).collect();
    for folder in folders {
        for (name, _) in files(&root().join(folder)) {
            let path = folder.join(&name);
            if !seeds.iter().any(|(made, _)| *made == path) {
                stale.push(format!("{} (no longer made: delete it)", path.display()));
            }
        }
    }
    for (path, bytes) in seeds {
        let path = root().join(path);
        if std::fs::read(&path).ok().as_ref() == Some(&bytes) {
            continue;
        }
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        } else {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "seeds differ from tests/fuzz/seeds.rs (DRAPE_BLESS=1 rewrites them): {stale:?}"
    );
}

#[test]
fn ok_seeds_are_accepted_and_the_others_refused_without_a_panic() {
    for target in TARGETS.iter().filter(|t| t.seeds.starts_with("fuzz/")) {
        let seeds = files(&root().join(target.seeds));
        assert!(seeds.len() >= 3, "{}: too few seeds", target.name);
        for (name, bytes) in seeds {
            let accepted = (target.run)(&bytes);
            assert_eq!(accepted, name.starts_with("ok-"), "{}: {name}", target.name);
        }
    }
}

/// Every input in `tests/data/fuzz/<target>/` once broke that target (or
/// came close); each must now be handled.
#[test]
fn inputs_that_broke_a_target_are_handled() {
    for target in &TARGETS {
        for (name, bytes) in files(&root().join("tests/data/fuzz").join(target.name)) {
            let result = catch_unwind(|| (target.run)(&bytes));
            assert!(result.is_ok(), "{}: {name} panics", target.name);
        }
    }
}

/// Mutates the target's seeds for `DRAPE_FUZZ_SMOKE_MS` (or until
/// `DRAPE_FUZZ_SMOKE_RUNS` inputs) and fails on the first panic, saving
/// the input.
fn smoke(target: &Target) {
    let budget = Duration::from_millis(env_number("DRAPE_FUZZ_SMOKE_MS", SMOKE_BUDGET_MS));
    let max_runs = env_number("DRAPE_FUZZ_SMOKE_RUNS", SMOKE_RUNS);
    let dictionary =
        std::fs::read_to_string(root().join(format!("fuzz/dict/{}.dict", target.name)))
            .map(|text| parse_dictionary(&text))
            .unwrap_or_default();
    let mut pool: Vec<Vec<u8>> = files(&root().join(target.seeds))
        .into_iter()
        .map(|(_, bytes)| bytes)
        .collect();
    assert!(!pool.is_empty(), "{}: no seeds", target.name);
    let max_len = pool.iter().map(Vec::len).max().unwrap_or(0) * 2 + 64;
    let seed = target.name.bytes().fold(0x9e37_79b9_7f4a_7c15u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let mut mutator = Mutator::new(seed, dictionary);
    let start = Instant::now();
    let (mut runs, mut accepted) = (0, 0);
    let mut slowest = (Duration::ZERO, Vec::new());
    while runs < max_runs && start.elapsed() < budget {
        let mut input = pool[mutator.below(pool.len())].clone();
        let other = pool[mutator.below(pool.len())].clone();
        mutator.mutate(&mut input, &other, max_len);
        let began = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| (target.run)(&input)));
        let took = began.elapsed();
        if took > slowest.0 {
            slowest = (took, input.clone());
        }
        match result {
            Ok(true) => {
                accepted += 1;
                if pool.len() < POOL_SIZE {
                    pool.push(input);
                }
            }
            Ok(false) => {}
            Err(_) => {
                let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join(format!("fuzz-{}-{runs}.bin", target.name));
                std::fs::write(&path, &input).expect("the crash input is saved");
                panic!(
                    "{}: mutation {runs} panics (see above); its input is {}; copy it to \
                     tests/data/fuzz/{}/ once fixed",
                    target.name,
                    path.display(),
                    target.name
                );
            }
        }
        runs += 1;
    }
    let slowest_path =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-{}-slowest.bin", target.name));
    std::fs::write(&slowest_path, &slowest.1).expect("the slowest input is saved");
    println!(
        "{}: {runs} inputs in {:.1} s, {accepted} accepted; the slowest took {:.1} ms ({})",
        target.name,
        start.elapsed().as_secs_f64(),
        slowest.0.as_secs_f64() * 1e3,
        slowest_path.display()
    );
    assert!(runs > 0);
    assert!(
        slowest.0 < SLOW_INPUT,
        "{}: one input took {:?}, a hang; it is {}",
        target.name,
        slowest.0,
        slowest_path.display()
    );
}

#[test]
fn smoke_y4m_reader() {
    smoke(target("y4m_reader"));
}

#[test]
fn smoke_raw_reader() {
    smoke(target("raw_reader"));
}

#[test]
fn smoke_gltf_loader() {
    smoke(target("gltf_loader"));
}

#[test]
fn smoke_catalog() {
    smoke(target("catalog"));
}

#[test]
fn smoke_photo_anchors() {
    smoke(target("photo_anchors"));
}

#[test]
fn smoke_tflite_reader() {
    smoke(target("tflite_reader"));
}
