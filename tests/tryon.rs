//! The try-on stage as a kiosk uses it: garments switched by id, bad
//! assets and bad catalog edits refused while the last good state keeps
//! running, a frame dressed end to end.

use std::path::{Path, PathBuf};
use std::time::Duration;

use drape::nn::Backend;
use drape::tryon::{TryOn, TryOnConfig};
use drape::{Frame, GpuContext, Mirror, MirrorConfig, PixelFormat};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the sample garments in a temporary folder, to edit freely.
fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = root().join("assets/garments");
    for entry in walk(&source) {
        let target = dir.path().join(entry.strip_prefix(&source).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &target).unwrap();
    }
    dir
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn config(catalog: &Path, overlay: bool) -> TryOnConfig {
    let mut config = TryOnConfig::sample();
    config.catalog = catalog.to_path_buf();
    config.pose.backend = Backend::Cpu;
    config.overlay = overlay;
    config
}

fn gpu() -> GpuContext {
    GpuContext::headless().expect("a GPU adapter (lavapipe)")
}

#[test]
fn garments_switch_by_id_and_unknown_ids_are_named() {
    let gpu = gpu();
    let dir = sample_copy();
    let mut tryon = TryOn::new(&gpu, config(&dir.path().join("catalog.toml"), true)).unwrap();
    assert_eq!(tryon.outfit(), ["tee-indigo"], "the catalog's default");
    tryon.wear("glasses-round").unwrap();
    tryon.wear("jacket-charcoal").unwrap();
    // The jacket replaces the shirt; the glasses stay, drawn last.
    assert_eq!(tryon.outfit(), ["jacket-charcoal", "glasses-round"]);
    let next = tryon.next_garment(1).unwrap();
    assert_ne!(next, "jacket-charcoal");
    assert!(tryon.outfit().contains(&next.as_str()));
    let error = tryon.wear("tuxedo").unwrap_err().to_string();
    assert!(
        error.contains("tuxedo") && error.contains("tee-indigo"),
        "{error}"
    );
}

#[test]
fn a_corrupt_garment_file_is_refused_and_the_outfit_stays() {
    let gpu = gpu();
    let dir = sample_copy();
    std::fs::write(
        dir.path().join("jacket.glb"),
        b"glTF\x02\x00\x00\x00garbage",
    )
    .unwrap();
    let mut tryon = TryOn::new(&gpu, config(&dir.path().join("catalog.toml"), true)).unwrap();
    let error = tryon.wear("jacket-charcoal").unwrap_err().to_string();
    assert!(error.contains("jacket.glb"), "names the file: {error}");
    assert_eq!(tryon.outfit(), ["tee-indigo"]);
}

#[test]
fn a_bad_catalog_edit_keeps_the_last_good_catalog_running() {
    let gpu = gpu();
    let dir = sample_copy();
    let manifest = dir.path().join("catalog.toml");
    let mut tryon = TryOn::new(&gpu, config(&manifest, true)).unwrap();
    let good = std::fs::read_to_string(&manifest).unwrap();
    // Staff break the file itself: a string never closed.
    std::fs::write(
        &manifest,
        good.replace("price = \"24.90\"", "price = \"24.90"),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    let error = tryon
        .poll_catalog()
        .expect("the change is seen")
        .unwrap_err();
    assert!(error.to_string().contains("syntax"), "{error}");
    // Still dressing with the last good catalog.
    assert_eq!(tryon.outfit(), ["tee-indigo"]);
    tryon.wear("jacket-charcoal").unwrap();
    // Fixed, and the shirt renamed: the new catalog takes over.
    std::fs::write(
        &manifest,
        good.replace("Organic cotton T-shirt", "Hemp T-shirt"),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    tryon.poll_catalog().expect("the change is seen").unwrap();
    let shirt = tryon.catalog().get("tee-indigo").unwrap();
    assert!(shirt.name.starts_with("Hemp"), "{}", shirt.name);
    assert_eq!(tryon.outfit(), ["jacket-charcoal"]);
}

#[test]
fn a_photo_is_dressed_and_an_empty_frame_is_left_alone() {
    let gpu = gpu();
    let mut config = config(&root().join("assets/garments/catalog.toml"), false);
    config.pose.static_mode = true;
    let tryon = TryOn::new(&gpu, config).unwrap();
    let mut mirror = Mirror::new(&gpu, MirrorConfig { mirror: false });
    mirror.set_tryon(Some(tryon));

    let photo = image::open(root().join("tests/data/reference/media/astronaut.png"))
        .unwrap()
        .into_rgba8();
    let (w, h) = photo.dimensions();
    let frame = Frame::new(photo.into_raw(), PixelFormat::Rgba8, w, h).unwrap();
    let dressed = mirror.process_to_cpu(&frame).unwrap().data.to_vec();
    assert!(mirror.tryon().unwrap().body().is_some());
    // The chest (MediaPipe puts the shoulders near y 230-250 here) is now
    // the shirt.
    let at = |rgba: &[u8], x: u32, y: u32| {
        let i = ((y * w + x) * 4) as usize;
        [rgba[i], rgba[i + 1], rgba[i + 2]]
    };
    let (before, after) = (at(&frame.data, 205, 320), at(&dressed, 205, 320));
    assert!(
        before.iter().zip(after).any(|(a, b)| a.abs_diff(b) > 30),
        "chest pixel {before:?} → {after:?}"
    );
    // Far from the person (the top-left corner) nothing changed.
    assert_eq!(at(&frame.data, 5, 5), at(&dressed, 5, 5));

    // Nobody there: the frame comes back as it was.
    let empty = Frame::new(vec![90; (w * h * 4) as usize], PixelFormat::Rgba8, w, h).unwrap();
    let out = mirror.process_to_cpu(&empty).unwrap().data.to_vec();
    assert!(mirror.tryon().unwrap().body().is_none());
    // (RGB: the output is opaque.)
    let unchanged = out
        .chunks_exact(4)
        .zip(empty.data.chunks_exact(4))
        .all(|(a, b)| (0..3).all(|c| a[c].abs_diff(b[c]) <= 1));
    assert!(unchanged, "an empty frame was changed");
}

#[test]
fn a_forearm_across_the_torso_hides_the_shirt() {
    // basketball1: the man on the left holds the ball with his right
    // forearm across his chest. The shirt goes on around the forearm; the
    // forearm stays as the camera saw it.
    use drape::pose::BodyLandmark as L;
    let gpu = gpu();
    let mut config = config(&root().join("assets/garments/catalog.toml"), false);
    config.pose.static_mode = true;
    let mut mirror = Mirror::new(&gpu, MirrorConfig { mirror: false });
    mirror.set_tryon(Some(TryOn::new(&gpu, config).unwrap()));
    let photo = image::open(root().join("tests/data/reference/media/basketball1.png"))
        .unwrap()
        .into_rgba8();
    let (w, h) = photo.dimensions();
    let frame = Frame::new(photo.into_raw(), PixelFormat::Rgba8, w, h).unwrap();
    let dressed = mirror.process_to_cpu(&frame).unwrap().data.to_vec();
    let body = mirror.tryon().unwrap().body().expect("the man on the left");
    let px = |which: L| {
        let l = body.landmark(which);
        glam::Vec2::new(l.x * w as f32, l.y * h as f32)
    };
    // Mean RGB change over a 5x5 patch at `p`, and how blue the dressed
    // patch is (the photo is grey; the shirt indigo).
    let patch = |p: glam::Vec2| {
        let (cx, cy) = (p.x.round() as i64, p.y.round() as i64);
        let (mut change, mut blue) = (0.0, 0.0);
        for y in cy - 2..=cy + 2 {
            for x in cx - 2..=cx + 2 {
                let i = ((y as u32 * w + x as u32) * 4) as usize;
                for c in 0..3 {
                    change += f32::from(frame.data[i + c].abs_diff(dressed[i + c])) / 75.0;
                }
                blue += (f32::from(dressed[i + 2]) - f32::from(dressed[i])) / 25.0;
            }
        }
        (change, blue)
    };
    let (elbow, wrist) = (px(L::RightElbow), px(L::RightWrist));
    let shoulders = px(L::LeftShoulder).lerp(px(L::RightShoulder), 0.5);
    let hips = px(L::LeftHip).lerp(px(L::RightHip), 0.5);
    // Below the forearm, on the belly: the shirt.
    let (_, belly_blue) = patch(shoulders.lerp(hips, 0.75));
    assert!(belly_blue > 30.0, "the belly is not dressed ({belly_blue})");
    // Along the forearm: as the camera saw it.
    for t in [0.3, 0.5, 0.7] {
        let (change, blue) = patch(elbow.lerp(wrist, t));
        assert!(
            change < 2.0 && blue.abs() < 2.0,
            "the shirt shows over the forearm {t} of the way from the elbow (change {change}, blue {blue})"
        );
    }
}
