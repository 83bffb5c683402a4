//! What the live window shows, driven headless through `LiveView` (the
//! window only presents its picture): a camera that is not there yet and
//! one unplugged mid-run show status screens and the mirror resumes; a
//! catalog edit re-renders a still photo; a lost GPU device is rebuilt.

mod common;

use common::sources::copy_dir;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use drape::app::{LiveOptions, LiveView, Screen, Tick};
use drape::capture::{
    CaptureError, Frame, FrameSource, ImageFileSource, PixelFormat, Reconnecting, SourceInfo,
};
use drape::gpu::TextureReadback;
use drape::nn::Backend;
use drape::render::overlay::{status_frame, STATUS_BACKGROUND};
use drape::tryon::TryOnConfig;
use drape::GpuContext;

const FRAME_COLOR: [u8; 4] = [200, 40, 90, 255];
const SIZE: (u32, u32) = (96, 64);

/// A camera that gives solid frames while `plugged`, fails like an
/// unplugged device when not, and cannot be opened while unplugged.
fn fake_camera(plugged: Arc<AtomicBool>) -> Box<dyn FrameSource> {
    struct Camera {
        info: SourceInfo,
        plugged: Arc<AtomicBool>,
    }
    impl FrameSource for Camera {
        fn info(&self) -> &SourceInfo {
            &self.info
        }
        fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
            std::thread::sleep(Duration::from_millis(5));
            if !self.plugged.load(Ordering::SeqCst) {
                return Err(CaptureError::Camera {
                    index: 2,
                    message: "lost the stream (unplugged?)".into(),
                });
            }
            let data = FRAME_COLOR.repeat((SIZE.0 * SIZE.1) as usize);
            Ok(Some(Frame::new(data, PixelFormat::Rgba8, SIZE.0, SIZE.1)?))
        }
    }
    let info = SourceInfo {
        description: "camera 2".into(),
        width: SIZE.0,
        height: SIZE.1,
        fps: Some(30.0),
        frame_count: None,
        live: true,
    };
    let asked = info.clone();
    let source = Reconnecting::waiting(asked, move || {
        if !plugged.load(Ordering::SeqCst) {
            return Err(CaptureError::NoCamera {
                index: 2,
                available: 0,
            });
        }
        Ok(Box::new(Camera {
            info: info.clone(),
            plugged: Arc::clone(&plugged),
        }) as Box<dyn FrameSource>)
    })
    .retry_interval(Duration::from_millis(20));
    Box::new(source)
}

/// Ticks until `done` holds for the view (a frame was shown after it
/// changed), for at most `limit`.
fn tick_until(view: &mut LiveView, limit: Duration, done: impl Fn(&LiveView) -> bool) {
    let started = Instant::now();
    let mut shown_since = false;
    loop {
        let tick = view
            .tick(Instant::now())
            .expect("the view never fails here");
        assert_ne!(tick, Tick::GpuLost);
        shown_since |= tick == Tick::Show;
        if done(view) && shown_since && view.shown().is_some() {
            return;
        }
        assert!(
            started.elapsed() < limit,
            "timed out on screen {:?}",
            view.screen()
        );
        std::thread::sleep(Duration::from_millis(4));
    }
}

fn shown_rgba(view: &LiveView) -> Vec<u8> {
    let texture = view.shown().expect("a picture");
    TextureReadback::new()
        .read(view.gpu(), texture)
        .expect("read back")
}

fn is_status_screen(view: &LiveView, rgba: &[u8]) -> bool {
    let screen = view.screen().status().expect("a status screen");
    let texture = view.shown().unwrap();
    rgba == status_frame(&screen, texture.width(), texture.height())
}

fn is_the_frame(rgba: &[u8]) -> bool {
    rgba.chunks_exact(4).all(|p| p == FRAME_COLOR)
}

#[test]
fn a_missing_then_unplugged_camera_shows_status_screens_and_the_mirror_resumes() {
    let gpu = common::gpu();
    let plugged = Arc::new(AtomicBool::new(false));
    let mut view = LiveView::new(
        &gpu,
        fake_camera(Arc::clone(&plugged)),
        LiveOptions::default(),
    )
    .expect("no camera is not an error");
    let limit = Duration::from_secs(10);

    // Booted before the camera: "Waiting for camera 2".
    tick_until(&mut view, limit, |v| {
        matches!(v.screen(), Screen::Waiting { .. })
    });
    let title = view.screen().status().unwrap().title;
    assert_eq!(title, "Waiting for camera 2");
    let rgba = shown_rgba(&view);
    assert!(is_status_screen(&view, &rgba));
    let background = rgba
        .chunks_exact(4)
        .filter(|p| p[..3] == STATUS_BACKGROUND)
        .count();
    assert!(background > rgba.len() / 4 / 2, "mostly background");
    assert!(background < rgba.len() / 4, "with text on it");

    // Plugged in: the mirror shows its frames.
    plugged.store(true, Ordering::SeqCst);
    tick_until(&mut view, limit, |v| *v.screen() == Screen::Live);
    assert!(is_the_frame(&shown_rgba(&view)));

    // Unplugged mid-run: "Camera disconnected", not an exit.
    plugged.store(false, Ordering::SeqCst);
    tick_until(&mut view, limit, |v| {
        matches!(v.screen(), Screen::Disconnected { .. })
    });
    assert_eq!(view.screen().status().unwrap().title, "Camera disconnected");
    assert!(is_status_screen(&view, &shown_rgba(&view)));

    // Plugged back: frames again.
    plugged.store(true, Ordering::SeqCst);
    tick_until(&mut view, limit, |v| *v.screen() == Screen::Live);
    assert!(is_the_frame(&shown_rgba(&view)));
    assert!(view.frames() >= 2);
}

#[test]
fn a_failing_file_shows_a_status_and_the_window_stays() {
    struct Broken(SourceInfo, u32);
    impl FrameSource for Broken {
        fn info(&self) -> &SourceInfo {
            &self.0
        }
        fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
            self.1 += 1;
            if self.1 > 1 {
                return Err(CaptureError::Y4m {
                    what: "clip.y4m".into(),
                    message: "bad frame header".into(),
                });
            }
            let data = FRAME_COLOR.repeat((SIZE.0 * SIZE.1) as usize);
            Ok(Some(Frame::new(data, PixelFormat::Rgba8, SIZE.0, SIZE.1)?))
        }
    }
    let info = SourceInfo {
        description: "clip.y4m".into(),
        width: SIZE.0,
        height: SIZE.1,
        fps: None,
        frame_count: None,
        live: true,
    };
    let gpu = common::gpu();
    let mut view = LiveView::new(&gpu, Box::new(Broken(info, 0)), LiveOptions::default()).unwrap();
    tick_until(&mut view, Duration::from_secs(10), |v| {
        matches!(v.screen(), Screen::SourceFailed { .. })
    });
    let status = view.screen().status().unwrap();
    assert!(status.detail.contains("bad frame header"), "{status:?}");
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the sample garments, to edit.
fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = root().join("assets/garments");
    copy_dir(&source, dir.path());
    dir
}

/// Writes `text` with a modification time that differs from the last one
/// whatever the file system's timestamp resolution.
fn write_edit(path: &Path, text: &str, epoch_s: u64) {
    std::fs::write(path, text).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(epoch_s))
        .unwrap();
}

fn tryon_config(catalog: &Path) -> TryOnConfig {
    let mut config = TryOnConfig::sample();
    config.catalog = catalog.to_path_buf();
    config.pose.backend = Backend::Cpu;
    config.overlay = false;
    config
}

fn photo_source() -> Box<dyn FrameSource> {
    let photo = root().join("tests/data/reference/media/astronaut.png");
    Box::new(ImageFileSource::open(&photo).unwrap())
}

/// Share of pixels that differ by more than 30 in a channel.
fn changed_share(a: &[u8], b: &[u8]) -> f64 {
    let changed = a
        .chunks_exact(4)
        .zip(b.chunks_exact(4))
        .filter(|(p, q)| (0..3).any(|c| p[c].abs_diff(q[c]) > 30))
        .count();
    changed as f64 / (a.len() / 4) as f64
}

#[test]
fn a_catalog_edit_shows_on_a_still_photo() {
    let gpu = common::gpu();
    let dir = sample_copy();
    let manifest = dir.path().join("catalog.toml");
    let mut view = LiveView::new(
        &gpu,
        photo_source(),
        LiveOptions {
            tryon: Some(tryon_config(&manifest)),
            ..LiveOptions::default()
        },
    )
    .unwrap();
    let limit = Duration::from_secs(60);
    tick_until(&mut view, limit, |v| *v.screen() == Screen::Live);
    let tee = shown_rgba(&view);

    // Staff swap the T-shirt's model for the jacket's. The photo gives no
    // new frame: the view must render the last one again.
    let good = std::fs::read_to_string(&manifest).unwrap();
    write_edit(
        &manifest,
        &good.replace("asset = \"tshirt.glb\"", "asset = \"jacket.glb\""),
        2_000_000_000,
    );
    let edited = Instant::now();
    let mut jacket = tee.clone();
    while changed_share(&tee, &jacket) < 0.01 {
        assert!(
            edited.elapsed() < limit,
            "the edit never showed on the photo"
        );
        if view.tick(Instant::now()).unwrap() == Tick::Show {
            jacket = shown_rgba(&view);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        view.frames(),
        1,
        "the photo gave one frame; it was re-rendered"
    );

    // A garment switch shows at once too.
    let before = shown_rgba(&view);
    view.next_garment(1);
    tick_until(&mut view, limit, |_| true);
    assert!(changed_share(&before, &shown_rgba(&view)) > 0.01);
}

#[test]
fn a_lost_gpu_is_rebuilt_and_the_mirror_goes_on() {
    let gpu = common::gpu();
    let dir = sample_copy();
    let manifest = dir.path().join("catalog.toml");
    let mut config = tryon_config(&manifest);
    config.wear = vec!["jacket-charcoal".into()];
    let mut view = LiveView::new(
        &gpu,
        photo_source(),
        LiveOptions {
            tryon: Some(config),
            ..LiveOptions::default()
        },
    )
    .unwrap();
    let limit = Duration::from_secs(60);
    tick_until(&mut view, limit, |v| *v.screen() == Screen::Live);
    let before = shown_rgba(&view);

    // A driver reset, as wgpu reports it.
    gpu.device.destroy();
    assert!(gpu.is_lost(), "the loss is seen");
    assert_eq!(view.tick(Instant::now()).unwrap(), Tick::GpuLost);

    let fresh = GpuContext::headless().unwrap();
    view.recover(&fresh).expect("rebuilt on the new device");
    tick_until(&mut view, limit, |v| *v.screen() == Screen::Live);
    assert!(!view.gpu().is_lost());
    let tryon = view.mirror().tryon().unwrap();
    assert_eq!(tryon.outfit(), ["jacket-charcoal"], "the outfit is kept");
    let after = shown_rgba(&view);
    assert!(
        changed_share(&before, &after) < 0.01,
        "the same photo looks the same after the rebuild ({:.4} changed)",
        changed_share(&before, &after)
    );
}

#[test]
fn a_snapshot_that_cannot_be_written_is_a_notice_and_the_mirror_goes_on() {
    let gpu = common::gpu();
    let dir = tempfile::tempdir().unwrap();
    // A file where the folder should be: the write fails even for root,
    // which a read-only folder would not stop.
    let in_the_way = dir.path().join("snapshots");
    std::fs::write(&in_the_way, "not a folder").unwrap();
    let folder = in_the_way.join("today");
    let plugged = Arc::new(AtomicBool::new(true));
    let mut view = LiveView::new(
        &gpu,
        fake_camera(Arc::clone(&plugged)),
        LiveOptions {
            snapshot_dir: Some(folder.clone()),
            ..LiveOptions::default()
        },
    )
    .unwrap();
    let limit = Duration::from_secs(10);
    tick_until(&mut view, limit, |v| *v.screen() == Screen::Live);

    assert_eq!(view.snapshot(Instant::now()), None, "nothing written");
    let (title, detail) = view.notice().expect("a notice says so");
    assert_eq!(title, "Snapshot not saved");
    assert!(detail.contains("today"), "names the folder: {detail}");
    assert!(!folder.exists());

    // The mirror goes on: new frames keep coming and showing.
    let frames = view.frames();
    tick_until(&mut view, limit, |v| v.frames() > frames + 2);
    assert_eq!(*view.screen(), Screen::Live);

    // The folder is fixed: the next snapshot is the picture shown.
    std::fs::remove_file(&in_the_way).unwrap();
    let shown = shown_rgba(&view);
    let texture = view.shown().unwrap();
    let size = (texture.width(), texture.height());
    // No tick in between: what is shown is what gets saved.
    let path = view.snapshot(Instant::now()).expect("saved");
    assert_eq!(path.parent(), Some(folder.as_path()));
    assert_eq!(view.notice().unwrap().0, "Snapshot saved");
    let saved = image::open(&path).unwrap().into_rgba8();
    assert_eq!(saved.dimensions(), size);
    assert!(saved.into_raw() == shown, "the PNG holds the shown picture");
    let names: Vec<_> = std::fs::read_dir(&folder).unwrap().collect();
    assert_eq!(names.len(), 1, "no partial file left: {names:?}");
}
