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
    // The arrow keys pass it by from now on; the rest stays on offer.
    assert!(tryon.is_unusable("jacket-charcoal"));
    assert_eq!(tryon.next_garment(1).unwrap(), "photo-tee");
    assert_eq!(tryon.next_garment(-1).unwrap(), "tee-indigo");
    let unusable = tryon.unusable_garments();
    assert_eq!(unusable.len(), 1, "{unusable:?}");
    assert_eq!(unusable[0].0, "jacket-charcoal");
    // Fixed on disk: on offer again.
    std::fs::copy(
        root().join("assets/garments/jacket.glb"),
        dir.path().join("jacket.glb"),
    )
    .unwrap();
    assert!(!tryon.is_unusable("jacket-charcoal"));
    assert_eq!(tryon.next_garment(1).unwrap(), "jacket-charcoal");
}

#[test]
fn a_corrupt_default_garment_gives_way_to_the_next() {
    let gpu = gpu();
    let dir = sample_copy();
    std::fs::write(dir.path().join("tshirt.glb"), b"not a model").unwrap();
    let tryon = TryOn::new(&gpu, config(&dir.path().join("catalog.toml"), true))
        .expect("the kiosk starts with the other garments");
    assert_eq!(tryon.outfit(), ["jacket-charcoal"]);
    assert!(tryon.is_unusable("tee-indigo"));
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

/// Writes `text` with a distinct modification time, so each edit is seen
/// whatever the file system's timestamp resolution.
fn write_edit(path: &Path, text: &str, epoch_s: u64) {
    std::fs::write(path, text).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(epoch_s))
        .unwrap();
}

#[test]
fn a_broken_garment_is_left_out_once_and_the_rest_stays_usable() {
    let gpu = gpu();
    let dir = sample_copy();
    let manifest = dir.path().join("catalog.toml");
    let mut tryon = TryOn::new(&gpu, config(&manifest, true)).unwrap();
    let good = std::fs::read_to_string(&manifest).unwrap();
    let jacket_broken = good.replace("price = \"149.00\"", "price = \"cheap\"");
    std::thread::sleep(Duration::from_millis(600));
    write_edit(&manifest, &jacket_broken, 2_000_000_000);
    let change = tryon.poll_catalog().expect("the change is seen").unwrap();
    let ids: Vec<_> = change.left_out.iter().map(|l| l.id.as_deref()).collect();
    assert_eq!(ids, [Some("jacket-charcoal")]);
    assert!(change.left_out[0].to_string().contains("cheap"));
    assert!(tryon.catalog().get("jacket-charcoal").is_none());
    assert_eq!(tryon.catalog().garments.len(), 4, "the rest stays");
    let error = tryon.wear("jacket-charcoal").unwrap_err().to_string();
    assert!(error.contains("left out"), "{error}");
    assert_eq!(tryon.next_garment(1).unwrap(), "photo-tee");
    tryon.wear("tee-indigo").unwrap();

    // Another edit: the jacket, broken the same way, is not reported again.
    std::thread::sleep(Duration::from_millis(600));
    write_edit(
        &manifest,
        &jacket_broken.replace("Organic cotton T-shirt", "Hemp T-shirt"),
        2_000_000_010,
    );
    let change = tryon.poll_catalog().expect("the change is seen").unwrap();
    assert!(change.left_out.is_empty(), "{:?}", change.left_out);
    assert!(tryon
        .catalog()
        .get("tee-indigo")
        .unwrap()
        .name
        .starts_with("Hemp"));

    // The worn shirt's own entry breaks: it is left out of the catalog but
    // stays on the shopper as it was.
    std::thread::sleep(Duration::from_millis(600));
    write_edit(
        &manifest,
        &jacket_broken.replace("price = \"24.90\"", "price = \"24.999\""),
        2_000_000_020,
    );
    let change = tryon.poll_catalog().expect("the change is seen").unwrap();
    assert_eq!(change.left_out[0].id.as_deref(), Some("tee-indigo"));
    assert!(tryon.catalog().get("tee-indigo").is_none());
    assert_eq!(tryon.outfit(), ["tee-indigo"]);
    assert!(change.taken_off.is_empty());
}

#[test]
fn a_lost_gpu_is_rebuilt_keeping_the_outfit() {
    let gpu = gpu();
    let mut config = config(&root().join("assets/garments/catalog.toml"), true);
    config.pose.static_mode = true;
    config.wear = vec!["jacket-charcoal".into(), "glasses-round".into()];
    let mut mirror = Mirror::new(&gpu, MirrorConfig { mirror: true });
    mirror.set_tryon(Some(TryOn::new(&gpu, config).unwrap()));
    let photo = image::open(root().join("tests/data/reference/media/astronaut.png"))
        .unwrap()
        .into_rgba8();
    let (w, h) = photo.dimensions();
    let frame = Frame::new(photo.into_raw(), PixelFormat::Rgba8, w, h).unwrap();
    let before = mirror.process_to_cpu(&frame).unwrap().data.to_vec();

    gpu.device.destroy();
    assert!(gpu.is_lost());
    let error = mirror.process_to_cpu(&frame).unwrap_err();
    assert!(error.is_device_lost(), "{error}");
    assert!(error.to_string().contains("lost"), "{error}");

    let fresh = GpuContext::headless().unwrap();
    mirror.recover(&fresh).unwrap();
    assert_eq!(
        mirror.tryon().unwrap().outfit(),
        ["jacket-charcoal", "glasses-round"]
    );
    // The first frame after the rebuild starts from scratch as the first
    // one did (the light estimate blends over frames): the same picture.
    let after = mirror.process_to_cpu(&frame).unwrap().data.to_vec();
    let differ = before
        .chunks_exact(4)
        .zip(after.chunks_exact(4))
        .filter(|(a, b)| (0..3).any(|c| a[c].abs_diff(b[c]) > 8))
        .count();
    assert!(
        differ < (w * h / 200) as usize,
        "{differ} pixels differ from before the loss"
    );
    // And it goes on.
    for _ in 0..2 {
        mirror.process_to_cpu(&frame).unwrap();
    }
    assert!(mirror.tryon().unwrap().body().is_some());
}

/// A still photo given `frames` times; before the second, the catalog's
/// T-shirt model is swapped for the jacket's (as staff editing it would).
struct EditingSource {
    info: drape::capture::SourceInfo,
    photo: Frame,
    given: u32,
    frames: u32,
    manifest: PathBuf,
}

impl drape::FrameSource for EditingSource {
    fn info(&self) -> &drape::capture::SourceInfo {
        &self.info
    }
    fn next_frame(&mut self) -> Result<Option<Frame>, drape::capture::CaptureError> {
        if self.given == self.frames {
            return Ok(None);
        }
        if self.given == 1 {
            let good = std::fs::read_to_string(&self.manifest).unwrap();
            // The watcher looks at most every 500 ms.
            std::thread::sleep(Duration::from_millis(600));
            write_edit(
                &self.manifest,
                &good.replace("asset = \"tshirt.glb\"", "asset = \"jacket.glb\""),
                2_000_000_000,
            );
        }
        self.given += 1;
        Ok(Some(self.photo.clone()))
    }
}

/// Every frame `render` writes, on the CPU.
#[derive(Default)]
struct Collect(Vec<Vec<u8>>);

impl drape::FrameSink for Collect {
    fn write_frame(
        &mut self,
        frame: &drape::output::RgbaFrame<'_>,
    ) -> Result<(), drape::output::OutputError> {
        self.0.push(frame.data.to_vec());
        Ok(())
    }
    fn description(&self) -> String {
        "memory".into()
    }
}

#[test]
fn a_long_render_follows_catalog_edits() {
    let gpu = gpu();
    let dir = sample_copy();
    let manifest = dir.path().join("catalog.toml");
    let mut config = config(&manifest, false);
    config.pose.static_mode = true;
    let mut mirror = Mirror::new(&gpu, MirrorConfig { mirror: false });
    mirror.set_tryon(Some(TryOn::new(&gpu, config).unwrap()));
    assert_eq!(mirror.tryon().unwrap().outfit(), ["tee-indigo"]);
    let photo = image::open(root().join("tests/data/reference/media/astronaut.png"))
        .unwrap()
        .into_rgba8();
    let (w, h) = photo.dimensions();
    let photo = Frame::new(photo.into_raw(), PixelFormat::Rgba8, w, h).unwrap();
    let mut source = EditingSource {
        info: drape::capture::SourceInfo {
            description: "an edited catalog".into(),
            width: w,
            height: h,
            fps: None,
            frame_count: Some(3),
            live: false,
        },
        photo,
        given: 0,
        frames: 3,
        manifest,
    };
    let mut sink = Collect::default();
    drape::app::render(
        &mut source,
        &mut mirror,
        &mut sink,
        &drape::app::RenderOptions {
            max_frames: None,
            progress: drape::app::Progress::Never,
            // As for a live source: staff edit the catalog while it runs.
            watch_catalog: true,
            stills: None,
        },
        &drape::app::StopFlag::new(),
    )
    .unwrap();
    let frames = sink.0;
    assert_eq!(frames.len(), 3);
    let changed = |a: &[u8], b: &[u8]| {
        a.chunks_exact(4)
            .zip(b.chunks_exact(4))
            .filter(|(p, q)| (0..3).any(|c| p[c].abs_diff(q[c]) > 30))
            .count() as f64
            / (a.len() / 4) as f64
    };
    // The second frame already wears the jacket's model, the third too.
    assert!(changed(&frames[0], &frames[1]) > 0.01, "the edit shows");
    assert!(changed(&frames[1], &frames[2]) < 0.01, "and stays");
}
