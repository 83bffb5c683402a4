//! The kiosk as a store runs it: a catalog edit reaches the carousel while
//! it runs, and with several people in view the large one in the middle
//! is the one dressed.

mod common;

use common::sources::copy_dir;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use drape::app::kiosk::session::Mode;
use drape::app::kiosk::Kiosk;
use drape::capture::{FrameSource, ImageFileSource};
use drape::kiosk::KioskConfig;
use drape::nn::Backend;
use drape::pose::{BodyLandmark, PersonChoice, PoseConfig, PoseTracker};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `text` without the `[[garment]]` block of garment `id` (up to the next
/// `[[garment]]` or the end).
fn without_garment(text: &str, id: &str) -> String {
    let blocks: Vec<&str> = text.split("[[garment]]").collect();
    let kept: Vec<&str> = blocks
        .iter()
        .enumerate()
        .filter(|(i, b)| *i == 0 || !b.contains(&format!("id = \"{id}\"")))
        .map(|(_, b)| *b)
        .collect();
    kept.join("[[garment]]")
}

fn tick_until(kiosk: &mut Kiosk, what: &str, done: impl Fn(&Kiosk) -> bool) {
    let started = Instant::now();
    while !done(kiosk) {
        assert!(started.elapsed() < Duration::from_secs(60), "never: {what}");
        kiosk.tick(Instant::now()).unwrap();
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_catalog_edit_reaches_the_carousel_while_the_kiosk_runs() {
    let gpu = common::gpu();
    let shop = tempfile::tempdir().unwrap();
    copy_dir(&root().join("assets/garments"), shop.path());
    let manifest = shop.path().join("catalog.toml");
    let config = KioskConfig {
        catalog: manifest.clone(),
        ..KioskConfig::default()
    };
    let photo: Box<dyn FrameSource> =
        Box::new(ImageFileSource::open(&root().join("assets/samples/astronaut.png")).unwrap());
    let mut kiosk = Kiosk::new(&gpu, photo, config, (270, 480), false).unwrap();
    tick_until(&mut kiosk, "dressed", |k| {
        k.mode() == Mode::Dressed && k.shown().is_some()
    });
    assert_eq!(
        kiosk.layout().carousel.len(),
        5,
        "the sample catalog's five items"
    );

    // Staff take the accessories off sale.
    let text = std::fs::read_to_string(&manifest).unwrap();
    let edited = without_garment(&without_garment(&text, "glasses-round"), "watch-steel");
    assert_ne!(edited, text);
    std::fs::write(&manifest, edited).unwrap();
    let file = std::fs::File::options()
        .write(true)
        .open(&manifest)
        .unwrap();
    file.set_modified(std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000))
        .unwrap();
    tick_until(&mut kiosk, "the carousel follows the edit", |k| {
        k.layout().carousel.len() == 3
    });
}

#[test]
fn with_two_people_in_view_the_large_central_one_is_followed() {
    // The astronaut in the middle of a wide frame, Grace Hopper at its left
    // edge: the detector scores her higher (0.92 against 0.81), so
    // MediaPipe's choice, the best score, follows her.
    let media = root().join("tests/data/reference/media");
    let astronaut = image::open(media.join("astronaut.png"))
        .unwrap()
        .into_rgba8();
    let astronaut =
        image::imageops::resize(&astronaut, 600, 600, image::imageops::FilterType::Triangle);
    let hopper = image::open(media.join("grace_hopper.png"))
        .unwrap()
        .into_rgba8();
    let side_height = 420 * hopper.height() / hopper.width();
    let hopper = image::imageops::resize(
        &hopper,
        420,
        side_height,
        image::imageops::FilterType::Triangle,
    );
    let mut scene = image::RgbaImage::from_pixel(1280, 720, image::Rgba([128, 128, 128, 255]));
    image::imageops::overlay(&mut scene, &astronaut, 340, 120);
    image::imageops::overlay(&mut scene, &hopper, 0, i64::from(720 - side_height));
    let gpu = common::gpu();
    let nose_x = |person| {
        let mut tracker = PoseTracker::new(
            &gpu,
            PoseConfig {
                backend: Backend::Cpu,
                static_mode: true,
                segmentation: false,
                person,
                ..PoseConfig::default()
            },
        )
        .unwrap();
        let body = tracker
            .process(scene.as_raw(), 1280, 720, Duration::ZERO)
            .unwrap()
            .expect("someone is found");
        body.landmark(BodyLandmark::Nose).x
    };
    // The astronaut's face is at x 0.45–0.55 of the wide frame, Grace
    // Hopper's near 0.15.
    let kiosk = nose_x(PersonChoice::CentreAndLargest);
    assert!(
        (0.4..0.6).contains(&kiosk),
        "the kiosk followed the person at x {kiosk}"
    );
    let best = nose_x(PersonChoice::BestScore);
    assert!(
        best < 0.3,
        "the best score is the person at the edge, not x {best}"
    );
}

#[test]
fn attract_mode_plays_its_own_video_behind_the_invitation() {
    let gpu = common::gpu();
    let dir = tempfile::tempdir().unwrap();
    // An empty room: nobody steps in.
    let room = dir.path().join("room.png");
    image::RgbImage::from_pixel(320, 240, image::Rgb([200, 200, 200]))
        .save(&room)
        .unwrap();
    let mut config = KioskConfig {
        catalog: root().join("assets/garments/catalog.toml"),
        ..KioskConfig::default()
    };
    config.attract.background = Some(root().join("assets/samples/sample_reel.y4m"));
    let source: Box<dyn FrameSource> = Box::new(ImageFileSource::open(&room).unwrap());
    let mut kiosk = Kiosk::new(&gpu, source, config, (90, 160), false).unwrap();
    let mut readback = drape::gpu::TextureReadback::new();
    let mut screens = Vec::new();
    let started = Instant::now();
    // The reel plays at 15 fps: the screen keeps changing while attract
    // mode lasts, and it is not the grey room.
    while screens.len() < 4 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the background did not play"
        );
        if kiosk.tick(Instant::now()).unwrap() == drape::app::kiosk::KioskTick::Show {
            let rgba = readback.read(&gpu, kiosk.shown().unwrap()).unwrap();
            if screens.last() != Some(&rgba) {
                screens.push(rgba);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(kiosk.mode(), Mode::Attract);
    // Without the video the room shows dimmed: flat grey around 90.
    let room_grey = |rgba: &[u8]| {
        rgba.chunks_exact(4)
            .filter(|p| p[..3].iter().all(|&c| c.abs_diff(90) <= 6))
            .count()
    };
    let last = &screens[3];
    assert!(
        room_grey(last) < last.len() / 4 / 10,
        "the dimmed room shows, not the video"
    );
}
