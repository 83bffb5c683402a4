//! The catalog, its garments and the pose models given as bytes (what a
//! web page fetches and hands over) work as the same files read from disk:
//! the same frame, the same landmarks, and the same clear errors when a
//! file is missing or is not the expected model.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::gltf::{Bin, BOX_INDICES};
use drape::garment::catalog::{AssetFiles, Catalog, CatalogError, MemoryFiles};
use drape::nn::models::{PoseModel, PoseModelBytes};
use drape::nn::Backend;
use drape::pose::{PoseConfig, PoseTracker};
use drape::tryon::{TryOn, TryOnConfig};
use drape::{Frame, GpuContext, Mirror, MirrorConfig, PixelFormat};
use serde_json::json;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample_manifest() -> PathBuf {
    root().join("assets/garments/catalog.toml")
}

fn sample_in_memory() -> MemoryFiles {
    MemoryFiles::from_catalog_dir(sample_manifest()).unwrap()
}

fn astronaut() -> Frame {
    let photo = image::open(root().join("tests/data/reference/media/astronaut.png"))
        .unwrap()
        .into_rgba8();
    let (w, h) = photo.dimensions();
    Frame::new(photo.into_raw(), PixelFormat::Rgba8, w, h).unwrap()
}

fn disk_config() -> TryOnConfig {
    let mut config = TryOnConfig::sample();
    config.pose.backend = Backend::Cpu;
    config.pose.static_mode = true;
    config
}

fn memory_config(files: MemoryFiles) -> TryOnConfig {
    TryOnConfig {
        catalog: PathBuf::from("catalog.toml"),
        assets: Some(Arc::new(files)),
        models: Some(PoseModelBytes::read(PoseModel::LandmarkLite).unwrap()),
        ..disk_config()
    }
}

/// The dressed frames of `config`: the default outfit, then the photo
/// T-shirt with the watch (a PNG garment and a glTF accessory).
fn dressed_frames(gpu: &GpuContext, config: TryOnConfig) -> Vec<Vec<u8>> {
    let frame = astronaut();
    let mut mirror = Mirror::new(gpu, MirrorConfig { mirror: false });
    mirror.set_tryon(Some(TryOn::new(gpu, config).unwrap()));
    let first = mirror.process_to_cpu(&frame).unwrap().data.to_vec();
    let tryon = mirror.tryon_mut().unwrap();
    tryon.wear("photo-tee").unwrap();
    tryon.wear("watch-steel").unwrap();
    let second = mirror.process_to_cpu(&frame).unwrap().data.to_vec();
    assert!(mirror.tryon().unwrap().body().is_some());
    // Each outfit shows: the frames differ from the photo and each other.
    let changed = |a: &[u8], b: &[u8]| {
        a.chunks_exact(4)
            .zip(b.chunks_exact(4))
            .filter(|(a, b)| (0..3).any(|c| a[c].abs_diff(b[c]) > 30))
            .count()
    };
    let pixels = (frame.width * frame.height) as usize;
    assert!(changed(&frame.data, &first) > pixels / 100, "not dressed");
    assert!(
        changed(&first, &second) > pixels / 100,
        "the outfit did not change"
    );
    vec![first, second]
}

#[test]
fn a_tryon_from_memory_dresses_the_frame_as_one_from_disk() {
    let gpu = common::gpu();
    let files = sample_in_memory();
    let expected = [
        "catalog.toml",
        "glasses.glb",
        "jacket.glb",
        "photo_tee.png",
        "thumbs/glasses-round.png",
        "thumbs/jacket-charcoal.png",
        "thumbs/photo-tee.png",
        "thumbs/tee-indigo.png",
        "thumbs/watch-steel.png",
        "tshirt.glb",
        "watch.glb",
    ];
    assert_eq!(files.paths().collect::<Vec<_>>(), expected);

    let from_disk = dressed_frames(&gpu, disk_config());
    let from_memory = dressed_frames(&gpu, memory_config(files));
    // The same bytes through the same pipeline on the same device: the
    // same pixels, exactly.
    for (index, (disk, memory)) in from_disk.iter().zip(&from_memory).enumerate() {
        let differ = disk
            .chunks_exact(4)
            .zip(memory.chunks_exact(4))
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(differ, 0, "frame {index}: {differ} pixels differ");
    }
}

#[test]
fn a_catalog_in_memory_is_not_watched() {
    let gpu = common::gpu();
    let mut tryon = TryOn::new(&gpu, memory_config(sample_in_memory())).unwrap();
    assert_eq!(tryon.outfit(), ["tee-indigo"]);
    // No file on disk stands behind it (`catalog.toml` is not in the
    // working folder), so there is nothing to reload from.
    assert!(!Path::new("catalog.toml").exists());
    assert!(tryon.poll_catalog().is_none());
    assert_eq!(tryon.catalog().path, Path::new("catalog.toml"));
}

#[test]
fn a_file_missing_from_memory_is_named() {
    let mut files = sample_in_memory();
    files.remove("jacket.glb");
    let files = AssetFiles::Memory(Arc::new(files));
    let error = Catalog::load_from("catalog.toml", &files).unwrap_err();
    let [problem] = error.problems() else {
        panic!("one problem expected: {error}");
    };
    assert!(
        problem.message.contains("`jacket.glb`") && problem.message.contains("not given"),
        "{error}"
    );
    assert_eq!(problem.garment_id.as_deref(), Some("jacket-charcoal"));
    // A running try-on leaves it out and names it when asked for.
    let usable = Catalog::load_usable_from("catalog.toml", &files).unwrap();
    assert!(usable.get("jacket-charcoal").is_none());
    assert_eq!(usable.left_out.len(), 1);

    let missing = Catalog::load_from("shop/catalog.toml", &files).unwrap_err();
    assert!(matches!(missing, CatalogError::Io { .. }), "{missing}");
    let message = missing.to_string();
    assert!(
        message.contains("shop/catalog.toml") && message.contains("not given"),
        "{message}"
    );
}

#[test]
fn a_missing_garment_in_memory_is_refused_by_the_tryon() {
    let gpu = common::gpu();
    let mut files = sample_in_memory();
    files.insert("jacket.glb", b"glTF\x02\x00\x00\x00garbage".to_vec());
    files.remove("photo_tee.png");
    let mut tryon = TryOn::new(&gpu, memory_config(files)).unwrap();
    let broken = tryon.wear("jacket-charcoal").unwrap_err().to_string();
    assert!(broken.contains("jacket.glb"), "{broken}");
    assert!(tryon.is_unusable("jacket-charcoal"));
    let left_out = tryon.wear("photo-tee").unwrap_err().to_string();
    assert!(
        left_out.contains("photo_tee.png") && left_out.contains("not given"),
        "{left_out}"
    );
    assert_eq!(tryon.outfit(), ["tee-indigo"]);
}

#[test]
fn a_gltf_in_memory_finds_its_buffer_and_is_listed_with_it() {
    // A rigid hat whose vertices live in `hat.bin` next to `hats/hat.gltf`.
    let mut bin = Bin::default();
    let positions = bin.floats(&common::gltf::box_positions(), "VEC3");
    let indices = bin.u16s(&BOX_INDICES, "SCALAR");
    let gltf = bin.root(
        Some("hat.bin"),
        json!({
            "scene": 0,
            "scenes": [{"nodes": [0]}],
            "nodes": [{"mesh": 0}],
            "meshes": [{"primitives": [{"attributes": {"POSITION": positions}, "indices": indices}]}],
        }),
    );
    let manifest = std::fs::read_to_string(sample_manifest())
        .unwrap()
        .replace("asset = \"glasses.glb\"", "asset = \"hats/hat.gltf\"");
    let mut memory = sample_in_memory();
    memory.insert("catalog.toml", manifest.into_bytes());
    memory.insert("hats/hat.gltf", serde_json::to_vec(&gltf).unwrap());
    memory.insert("hats/hat.bin", bin.bytes.clone());
    let files = AssetFiles::Memory(Arc::new(memory.clone()));

    let catalog = Catalog::load_from("catalog.toml", &files).unwrap();
    let needed = catalog.needed_files(&files).unwrap();
    assert_eq!(needed[0], Path::new("catalog.toml"));
    let hat = needed.iter().position(|p| p == Path::new("hats/hat.gltf"));
    assert_eq!(
        needed.get(hat.expect("the hat is listed") + 1),
        Some(&PathBuf::from("hats/hat.bin")),
        "{needed:?}"
    );

    let gpu = common::gpu();
    let mut tryon = TryOn::new(&gpu, memory_config(memory.clone())).unwrap();
    tryon.wear("glasses-round").unwrap();
    assert_eq!(tryon.outfit(), ["tee-indigo", "glasses-round"]);

    // Without its buffer the hat is refused, naming the file.
    memory.remove("hats/hat.bin");
    let mut tryon = TryOn::new(&gpu, memory_config(memory)).unwrap();
    let error = tryon.wear("glasses-round").unwrap_err().to_string();
    assert!(
        error.contains("hat.bin") && error.contains("not given"),
        "{error}"
    );
}

#[test]
fn wrong_model_bytes_are_refused_naming_the_model() {
    let gpu = common::gpu();
    let config = PoseConfig {
        backend: Backend::Cpu,
        ..PoseConfig::default()
    };
    let lite = PoseModelBytes::read(PoseModel::LandmarkLite).unwrap();
    let full = PoseModelBytes::read(PoseModel::LandmarkFull).unwrap();
    // The full landmark model given for the lite one.
    let error = PoseTracker::with_models(&gpu, config, &full)
        .err()
        .expect("the full model is not the lite one")
        .to_string();
    assert!(
        error.contains("pose_landmark_lite.tflite")
            && error.contains("they are pose_landmark_full.tflite"),
        "{error}"
    );
    // An HTML error page fetched in place of the detector.
    let html = PoseModelBytes {
        detector: Arc::from(&b"<html>404</html>"[..]),
        ..lite.clone()
    };
    let error = PoseTracker::with_models(&gpu, config, &html)
        .err()
        .expect("HTML is no model")
        .to_string();
    assert!(
        error.contains("pose_detection.tflite") && error.contains("16 bytes"),
        "{error}"
    );
    // And through the try-on.
    let mut tryon_config = memory_config(sample_in_memory());
    tryon_config.models = Some(html);
    let error = TryOn::new(&gpu, tryon_config).err().unwrap().to_string();
    assert!(error.contains("pose_detection.tflite"), "{error}");
}

#[test]
fn a_tracker_from_bytes_finds_the_landmarks_one_from_files_does() {
    let gpu = common::gpu();
    let config = PoseConfig {
        backend: Backend::Cpu,
        static_mode: true,
        ..PoseConfig::default()
    };
    let models = PoseModelBytes::read(PoseModel::LandmarkLite).unwrap();
    let mut from_files = PoseTracker::new(&gpu, config).unwrap();
    let mut from_bytes = PoseTracker::with_models(&gpu, config, &models).unwrap();
    let frame = astronaut();
    let (w, h) = (frame.width, frame.height);
    let body = |tracker: &mut PoseTracker| {
        tracker
            .process(&frame.data, w, h, Duration::ZERO)
            .unwrap()
            .expect("the astronaut")
    };
    let (a, b) = (body(&mut from_files), body(&mut from_bytes));
    // The same networks on the same executor: the same numbers.
    assert_eq!(a.landmarks, b.landmarks);
    assert_eq!(a.world_landmarks, b.world_landmarks);
}
