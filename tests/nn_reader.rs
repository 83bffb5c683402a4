//! The TFLite reader on the committed models, a tiny model with every op,
//! and corrupt files (none may panic).
//!
//! Constant values below were read once with TFLite's own interpreter
//! (`ai_edge_litert` 2.x, `experimental_preserve_all_tensors=True`, without
//! delegates): after `invoke()`, `get_tensor` of the filter and bias inputs
//! of the k-th CONV_2D/DEPTHWISE_CONV_2D op, i.e. the DEQUANTIZE (and
//! DENSIFY) outputs. They are facts of the files, not results of drape.

use std::collections::BTreeMap;
use std::path::Path;

use drape::nn::models::{load_model_file, PoseModel};
use drape::nn::tflite::parse_model;
use drape::nn::{Model, NnError, OpKind};

const TINY: &str = "tests/data/nn_reader/tiny_all_ops.tflite";

fn read(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn op_counts(model: &Model) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for op in &model.ops {
        *counts.entry(op.kind.name()).or_default() += 1;
    }
    counts
}

fn shapes(model: &Model, ids: &[usize]) -> Vec<Vec<usize>> {
    ids.iter()
        .map(|&id| model.tensors[id].shape.clone())
        .collect()
}

/// Widens to f64, so the exact fp16 values below can be written in full.
fn wide(values: &[f32]) -> Vec<f64> {
    values.iter().map(|&v| f64::from(v)).collect()
}

/// The filter and bias of the `k`-th convolution (regular or depthwise).
fn conv_weights(model: &Model, k: usize) -> (&[f32], &[f32]) {
    let op = model
        .ops
        .iter()
        .filter(|op| {
            matches!(
                op.kind,
                OpKind::Conv2d { .. } | OpKind::DepthwiseConv2d { .. }
            )
        })
        .nth(k)
        .unwrap();
    let data = |id: usize| &**model.tensors[id].data.as_ref().unwrap();
    (data(op.inputs[1]), data(op.inputs[2]))
}

#[test]
fn detector_loads_with_weights_folded() {
    let model = PoseModel::Detector.load().unwrap();
    let expected = [
        ("ADD", 15),
        ("CONCATENATION", 2),
        ("CONV_2D", 45),
        ("DEPTHWISE_CONV_2D", 28),
        ("DEPTH_TO_SPACE", 3),
        ("PAD", 8),
        ("RESHAPE", 6),
        ("RESIZE_BILINEAR", 2),
    ];
    // The 144 DEQUANTIZE and 38 DENSIFY ops became constants.
    assert_eq!(op_counts(&model), BTreeMap::from(expected));
    assert_eq!(shapes(&model, &model.inputs), [[1, 224, 224, 3]]);
    assert_eq!(
        shapes(&model, &model.outputs),
        [vec![1, 2254, 12], vec![1, 2254, 1]]
    );

    // Conv #0: fp16 weights behind DEQUANTIZE.
    let (filter, bias) = conv_weights(&model, 0);
    assert_eq!(filter.len(), 24 * 3 * 3 * 3);
    assert_eq!(
        wide(&filter[..3]),
        [0.059844970703125, 0.06024169921875, -0.0022907257080078125]
    );
    assert_eq!(wide(&bias[..2]), [0.9453125, 0.91748046875]);
    // Conv #2: sparse fp16 weights behind DENSIFY and DEQUANTIZE; 96 stored
    // values, the rest zeros.
    let (filter, bias) = conv_weights(&model, 2);
    assert_eq!(filter.len(), 16 * 24);
    assert_eq!(
        wide(&filter[..6]),
        [
            0.0,
            0.0,
            0.5849609375,
            -0.201904296875,
            0.0,
            0.1756591796875
        ]
    );
    assert_eq!(filter.iter().filter(|&&v| v != 0.0).count(), 96);
    assert_eq!(wide(&bias[..2]), [-0.76318359375, 0.062744140625]);
    let sum: f64 = filter.iter().map(|&v| f64::from(v)).sum();
    assert!((sum - 14.220733642578125).abs() < 1e-9, "{sum}");

    let macs = model.macs();
    assert!((0.40e9..0.46e9).contains(&(macs as f64)), "{macs} MACs");
    for op in &model.ops {
        if let OpKind::Concatenation { axis, .. } = op.kind {
            assert_eq!(axis, 1, "the file's axis is normalised");
        }
    }
}

#[test]
fn landmark_lite_loads_with_weights_folded() {
    let model = PoseModel::LandmarkLite.load().unwrap();
    let expected = [
        ("ADD", 25),
        ("CONV_2D", 54),
        ("DEPTHWISE_CONV_2D", 34),
        ("LOGISTIC", 1),
        ("MAX_POOL_2D", 2),
        ("PAD", 5),
        ("RESHAPE", 3),
        ("RESIZE_BILINEAR", 5),
    ];
    assert_eq!(op_counts(&model), BTreeMap::from(expected));
    assert_eq!(shapes(&model, &model.inputs), [[1, 256, 256, 3]]);
    let outputs: [&[usize]; 5] = [
        &[1, 195],
        &[1, 1],
        &[1, 256, 256, 1],
        &[1, 64, 64, 39],
        &[1, 117],
    ];
    assert_eq!(shapes(&model, &model.outputs), outputs);

    let (filter, bias) = conv_weights(&model, 0);
    assert_eq!(
        wide(&filter[..3]),
        [-0.21533203125, 0.01947021484375, 0.6083984375]
    );
    assert_eq!(wide(&bias[..2]), [0.29443359375, -0.7421875]);
    let (filter, bias) = conv_weights(&model, 87);
    assert_eq!(wide(&filter[3..6]), [-4.1953125, -0.05859375, 1.177734375]);
    assert_eq!(wide(bias), [-0.833984375]);

    let macs = model.macs();
    assert!((0.18e9..0.22e9).contains(&(macs as f64)), "{macs} MACs");
    // Folded ops keep only their data input, and no op reads a tensor
    // before it is written.
    let mut ready: Vec<bool> = model.tensors.iter().map(|t| t.is_constant()).collect();
    for &id in &model.inputs {
        ready[id] = true;
    }
    for op in &model.ops {
        if matches!(
            op.kind,
            OpKind::Pad { .. } | OpKind::ResizeBilinear { .. } | OpKind::Reshape
        ) {
            assert_eq!(op.inputs.len(), 1);
        }
        assert!(op.inputs.iter().all(|&id| ready[id]));
        ready[op.outputs[0]] = true;
    }
}

/// Full is in git; heavy is not and is checked when fetched.
#[test]
fn fetched_landmark_models_load_when_present() {
    for (model, convs) in [
        (PoseModel::LandmarkFull, 58),
        (PoseModel::LandmarkHeavy, 116),
    ] {
        match model.load() {
            Ok(loaded) => assert_eq!(op_counts(&loaded)["CONV_2D"], convs),
            Err(NnError::ModelMissing { hint, .. }) if !model.is_bundled() => {
                assert!(hint.contains("scripts/fetch-models.sh"), "{hint}");
                eprintln!("{model:?} not fetched; skipped");
            }
            Err(other) => panic!("{model:?}: {other}"),
        }
    }
}

#[test]
fn tiny_model_has_every_op() {
    let model = parse_model(&read(TINY), "tiny").unwrap();
    let names: Vec<_> = model.ops.iter().map(|op| op.kind.name()).collect();
    let expected = [
        "PAD",
        "CONV_2D",
        "DEPTHWISE_CONV_2D",
        "CONV_2D",
        "CONV_2D",
        "ADD",
        "MAX_POOL_2D",
        "RESIZE_BILINEAR",
        "CONCATENATION",
        "DEPTH_TO_SPACE",
        "RESHAPE",
        "LOGISTIC",
    ];
    assert_eq!(names, expected);
    assert_eq!(
        model.ops[8].kind,
        OpKind::Concatenation {
            axis: 3,
            activation: Default::default()
        }
    );
    // Conv #2 is CSR-sparse, conv #3 block-sparse (blocks of 4 along the
    // input channels); values from TFLite as for the real models.
    let (filter, _) = conv_weights(&model, 2);
    assert_eq!(
        wide(&filter[..6]),
        [0.0, 0.31884765625, 0.0, 0.0, 0.0, -0.03961181640625]
    );
    assert_eq!(filter.iter().filter(|&&v| v != 0.0).count(), 91);
    assert_eq!(f64::from(filter[3 * 16 + 5]), 0.264892578125);
    let (filter, bias) = conv_weights(&model, 3);
    assert_eq!(
        wide(&filter[3 * 16..3 * 16 + 3]),
        [0.1766357421875, 0.68115234375, -0.24755859375]
    );
    assert_eq!(filter.iter().filter(|&&v| v != 0.0).count(), 120);
    assert_eq!(wide(&bias[..2]), [-0.4560546875, 0.196044921875]);
}

/// Parses `bytes`, which must not panic; a model it accepts must still be
/// consistent.
fn parse_corrupt(bytes: &[u8]) -> Result<Model, NnError> {
    let result = parse_model(bytes, "corrupt");
    if let Ok(model) = &result {
        for op in &model.ops {
            for &id in op.inputs.iter().chain(&op.outputs) {
                assert!(id < model.tensors.len());
            }
        }
        let _ = model.macs();
    }
    result
}

#[test]
fn empty_and_garbage_files_are_malformed() {
    for bytes in [&b""[..], b"TFL3", b"\x08\0\0\0TFL3", &[0xff; 64]] {
        let error = parse_corrupt(bytes).unwrap_err();
        assert!(matches!(error, NnError::Malformed { .. }), "{error}");
    }
    let error = parse_corrupt(b"hello, this is not a model").unwrap_err();
    assert!(
        error
            .to_string()
            .contains("corrupt: not a valid TFLite model"),
        "{error}"
    );
}

#[test]
fn truncated_models_do_not_panic() {
    for path in [
        TINY,
        "assets/models/pose_detection.tflite",
        "assets/models/pose_landmark_lite.tflite",
    ] {
        let bytes = read(path);
        let step = if path == TINY { 7 } else { 997 };
        for len in (0..bytes.len()).step_by(step) {
            let _ = parse_corrupt(&bytes[..len]);
        }
    }
}

/// A deterministic xorshift stream, so failures reproduce.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn flipped_bytes_do_not_panic() {
    let mut state = 0x9e37_79b9_7f4a_7c15;
    for (path, tries) in [
        (TINY, 4000),
        ("assets/models/pose_landmark_lite.tflite", 60),
    ] {
        let original = read(path);
        // The real model's header (tables and vectors) is where offsets live.
        let span = original.len().min(64 << 10);
        for _ in 0..tries {
            let mut bytes = original.clone();
            for _ in 0..1 + xorshift(&mut state) % 4 {
                let at = (xorshift(&mut state) % span as u64) as usize;
                bytes[at] ^= 1 << (xorshift(&mut state) % 8);
            }
            let _ = parse_corrupt(&bytes);
        }
    }
}

#[test]
fn crash_inputs_found_by_fuzzing_are_errors() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/nn_reader");
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "bin") {
            let _ = parse_corrupt(&std::fs::read(&path).unwrap());
        }
    }
}

/// The position of field `slot` of the table at `table`, if present.
fn field(bytes: &[u8], table: usize, slot: usize) -> Option<usize> {
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
    let soffset = i32::from_le_bytes(bytes[table..table + 4].try_into().unwrap());
    let vtable = (table as i64 - i64::from(soffset)) as usize;
    let entry = 4 + 2 * slot;
    let offset = if entry < u16_at(vtable) {
        u16_at(vtable + entry)
    } else {
        0
    };
    (offset != 0).then_some(table + offset)
}

fn follow(bytes: &[u8], at: usize) -> usize {
    at + u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize
}

#[test]
fn an_op_drape_lacks_is_reported_by_name() {
    // Turn the lite model's LOGISTIC operator code (14) into SOFTMAX (25).
    let mut bytes = read("assets/models/pose_landmark_lite.tflite");
    let model = follow(&bytes, 0);
    let codes = follow(&bytes, field(&bytes, model, 1).unwrap());
    let count = u32::from_le_bytes(bytes[codes..codes + 4].try_into().unwrap()) as usize;
    let mut patched = 0;
    for index in 0..count {
        let code = follow(&bytes, codes + 4 + 4 * index);
        let deprecated = field(&bytes, code, 0);
        let builtin = field(&bytes, code, 3);
        if deprecated.is_some_and(|at| bytes[at] == 14) || builtin.is_some_and(|at| bytes[at] == 14)
        {
            if let Some(at) = deprecated {
                bytes[at] = 25;
            }
            if let Some(at) = builtin {
                bytes[at..at + 4].copy_from_slice(&25i32.to_le_bytes());
            }
            patched += 1;
        }
    }
    assert_eq!(patched, 1);
    match parse_model(&bytes, "lite-softmax") {
        Err(error @ NnError::UnsupportedOp { .. }) => {
            let NnError::UnsupportedOp { op, index, .. } = &error else {
                unreachable!()
            };
            assert_eq!(op, "SOFTMAX");
            assert!(*index < 400, "{index}");
            assert!(error.to_string().contains("op SOFTMAX"), "{error}");
        }
        other => panic!("expected UnsupportedOp, got {other:?}"),
    }
}

#[test]
fn a_wrong_checksum_is_refused() {
    let path = PoseModel::LandmarkLite.path();
    let wrong = PoseModel::Detector.sha256();
    match load_model_file(&path, Some(wrong)) {
        Err(NnError::Checksum {
            expected, actual, ..
        }) => {
            assert_eq!(expected, wrong);
            assert_eq!(actual, PoseModel::LandmarkLite.sha256());
        }
        other => panic!("expected a checksum error, got {other:?}"),
    }
    assert!(load_model_file(&path, Some(PoseModel::LandmarkLite.sha256())).is_ok());
    assert!(load_model_file(&path, None).is_ok());
}

#[test]
fn a_missing_file_is_an_io_error() {
    let error = load_model_file(Path::new("no/such/model.tflite"), None).unwrap_err();
    assert!(matches!(error, NnError::Io { .. }), "{error}");
    assert!(
        error.to_string().contains("no/such/model.tflite"),
        "{error}"
    );
}

/// A longer in-process fuzzer for machines without cargo-fuzz: mutates the
/// tiny model (and now and then the lite model's header) with a seeded
/// xorshift and catches panics. Crashing inputs are written to
/// `tests/data/nn_reader/found-*.bin`, which
/// `crash_inputs_found_by_fuzzing_are_errors` then parses.
/// `NN_READER_MUTATIONS=1000000 cargo test --test nn_reader -- --ignored`
#[test]
#[ignore]
fn mutation_loop() {
    let iterations: u64 = std::env::var("NN_READER_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000);
    let seeds = [read(TINY), read("assets/models/pose_landmark_lite.tflite")];
    let mut state = 0x2545_f491_4f6c_dd1d;
    let mut crashes = 0;
    let interesting: [u32; 8] = [0, 1, 4, 0x7f, 0xff, 0xffff, 0x7fff_ffff, 0xffff_ffff];
    std::panic::set_hook(Box::new(|_| {}));
    for iteration in 0..iterations {
        let seed = &seeds[usize::from(iteration % 50 == 0)];
        let mut bytes = seed.clone();
        for _ in 0..1 + xorshift(&mut state) % 8 {
            let span = bytes.len().min(64 << 10);
            let at = (xorshift(&mut state) % span as u64) as usize;
            match xorshift(&mut state) % 4 {
                0 => bytes[at] ^= 1 << (xorshift(&mut state) % 8),
                1 => bytes[at] = interesting[(xorshift(&mut state) % 8) as usize] as u8,
                2 if at + 4 <= bytes.len() => {
                    let value = interesting[(xorshift(&mut state) % 8) as usize];
                    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
                }
                _ => bytes.truncate(at.max(8)),
            }
        }
        if std::panic::catch_unwind(|| parse_corrupt(&bytes)).is_err() {
            crashes += 1;
            let name = format!("tests/data/nn_reader/found-{iteration}.bin");
            std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join(name), &bytes).unwrap();
        }
    }
    let _ = std::panic::take_hook();
    assert_eq!(crashes, 0, "see tests/data/nn_reader/found-*.bin");
}

/// Broken variants of the tiny model (made by `fuzz/seeds/make_hostile.py`)
/// are refused as malformed, each for its own reason.
#[test]
fn hostile_variants_are_malformed() {
    let cases = [
        ("huge-shape", "elements"),
        ("negative-dim", "fixed positive sizes"),
        ("out-of-order", "before any op writes it"),
        ("self-loop", "already written"),
        ("depth-multiplier", "depth_multiplier 3"),
        ("bad-segments", "array_segments"),
        ("missing-buffer", "buffer 9999"),
        (
            "conv-shape",
            "output shape [1, 5, 5, 8], but the inputs give [1, 4, 4, 8]",
        ),
    ];
    for (name, reason) in cases {
        let bytes = read(&format!("tests/data/nn_reader/hostile-{name}.tflite"));
        match parse_model(&bytes, name) {
            Err(NnError::Malformed { message, .. }) => {
                assert!(message.contains(reason), "{name}: {message}");
            }
            other => panic!("{name}: expected Malformed, got {other:?}"),
        }
    }
}
