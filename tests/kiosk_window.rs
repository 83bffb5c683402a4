//! `drape kiosk` under a virtual X server with a portrait 1080×1920 screen
//! and no window manager: it fills the screen, and each state (attract,
//! dressed, hover ring, countdown, snapshot with its QR codes, waiting for
//! the camera) is screenshot and compared with its golden; the QR codes
//! decode to the buy URL and the photo's share URL. A landscape screen with
//! `--rotation 90` shows the same portrait picture turned.
//!
//! Needs Xvfb, ImageMagick's `import` and xdotool (installed by .ci/run).

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use common::golden::assert_golden_within;
use common::interrupt;
use common::sources::event_kinds;
use common::xvfb::Xvfb;

const PORTRAIT: &str = "1080x1920x24";
/// Goldens are the screen at a quarter of its size: small files, and a
/// pixel of text anti-aliasing more or less does not matter.
const GOLDEN_SIZE: (u32, u32) = (270, 480);
/// Still states: the same picture every run, within a driver's rounding.
const STILL_MEAN: f64 = 2.0;
const STILL_LOUD: f64 = 0.01;
/// States that move (the ring fills, the digit counts down): most of the
/// screen still matches.
const MOVING_MEAN: f64 = 6.0;
const MOVING_LOUD: f64 = 0.05;
/// The longest wait for any one step (lavapipe draws 1080×1920 slowly).
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden_dir() -> PathBuf {
    root().join("tests/data/golden/kiosk")
}

/// A running `drape kiosk` and its log lines.
struct Kiosk {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Kiosk {
    fn start(xvfb: &Xvfb, dir: &Path, args: &[&str]) -> Kiosk {
        Kiosk::start_with(xvfb, dir, args, &[])
    }

    fn start_with(xvfb: &Xvfb, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Kiosk {
        let mut child = Command::new(env!("CARGO_BIN_EXE_drape"))
            .arg("kiosk")
            .envs(env.iter().copied())
            .args(args)
            .env("DISPLAY", &xvfb.display)
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("RUST_LOG")
            .env("XDG_RUNTIME_DIR", dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("drape runs");
        let stderr = child.stderr.take().expect("piped stderr");
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Kiosk {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a log line containing `needle` (seen before or new).
    fn wait_for(&mut self, needle: &str) {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            if self.seen.iter().any(|l| l.contains(needle)) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!(
                    "no log line with {needle:?} within {STEP_TIMEOUT:?}; the log:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// How many log lines so far contain `needle` (reading what came).
    fn count(&mut self, needle: &str) -> usize {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
        self.seen.iter().filter(|l| l.contains(needle)).count()
    }

    fn stop(mut self) -> Vec<String> {
        interrupt(&self.child);
        let status = self.child.wait().expect("drape ends");
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.seen.push(line);
        }
        assert!(
            status.success(),
            "drape kiosk ended with {status}:\n{}",
            self.seen.join("\n")
        );
        self.seen
    }
}

fn xdotool(xvfb: &Xvfb, args: &[&str]) {
    let status = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", &xvfb.display)
        .status()
        .expect("xdotool is installed (apt-get install xdotool)");
    assert!(status.success(), "xdotool {args:?}");
}

/// The screen now, full size.
fn screenshot(xvfb: &Xvfb, dir: &Path, name: &str) -> image::RgbImage {
    let path = dir.join(format!("{name}.png"));
    xvfb.screenshot(&path).expect("the screen can be captured")
}

/// The screen at the golden's size.
fn small(shot: &image::RgbImage) -> image::RgbaImage {
    let rgba = image::DynamicImage::ImageRgb8(shot.clone()).into_rgba8();
    image::imageops::resize(
        &rgba,
        GOLDEN_SIZE.0,
        GOLDEN_SIZE.1,
        image::imageops::FilterType::Triangle,
    )
}

/// Waits until the screen stops changing (the window drew its state):
/// two screenshots 300 ms apart that agree.
fn settled(xvfb: &Xvfb, dir: &Path, name: &str) -> image::RgbImage {
    let deadline = Instant::now() + STEP_TIMEOUT;
    let mut last = screenshot(xvfb, dir, name);
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let shot = screenshot(xvfb, dir, name);
        if shot == last || Instant::now() > deadline {
            return shot;
        }
        last = shot;
    }
}

/// Every QR code in `shot`, decoded.
fn qr_codes(shot: &image::RgbImage) -> Vec<String> {
    common::qr::qr_codes(image::DynamicImage::ImageRgb8(shot.clone()).into_luma8())
}

fn window_fills(xvfb: &Xvfb, width: u32, height: u32) {
    let output = Command::new("xdotool")
        .args(["search", "--name", "drape kiosk", "getwindowgeometry"])
        .env("DISPLAY", &xvfb.display)
        .output()
        .expect("xdotool runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(&format!("Geometry: {width}x{height}")) && text.contains("Position: 0,0"),
        "the kiosk window does not fill the {width}x{height} screen:\n{text}"
    );
}

#[test]
fn every_state_of_the_kiosk_on_a_portrait_screen_without_a_window_manager() {
    let xvfb = Xvfb::start(PORTRAIT).expect("Xvfb is installed (apt-get install xvfb)");
    let dir = tempfile::tempdir().unwrap();
    let golden = golden_dir();

    // Nobody in the picture: attract mode over the dimmed camera.
    let empty = dir.path().join("empty_room.png");
    image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([90 + (x / 8) as u8, 110 + (y / 6) as u8, 140])
    })
    .save(&empty)
    .unwrap();
    let mut kiosk = Kiosk::start(
        &xvfb,
        dir.path(),
        &[
            "--input",
            empty.to_str().unwrap(),
            "--attract-cycle-seconds",
            "3600",
        ],
    );
    kiosk.wait_for("kiosk mode: attract");
    let shot = settled(&xvfb, dir.path(), "attract");
    window_fills(&xvfb, 1080, 1920);
    assert_golden_within(&golden, "attract", &small(&shot), STILL_MEAN, STILL_LOUD);
    kiosk.stop();

    // The astronaut steps in: dressed, with the carousel.
    let astronaut = root().join("assets/samples/astronaut.png");
    let snapshots = dir.path().join("snapshots");
    let events = dir.path().join("events.jsonl");
    let mut kiosk = Kiosk::start(
        &xvfb,
        dir.path(),
        &[
            "--input",
            astronaut.to_str().unwrap(),
            "--events",
            events.to_str().unwrap(),
            "--snapshot-dir",
            snapshots.to_str().unwrap(),
            "--share-url",
            "http://192.0.2.10:8090",
            "--share-listen",
            "127.0.0.1:0",
        ],
    );
    kiosk.wait_for("kiosk mode: dressed");
    let shot = settled(&xvfb, dir.path(), "dressed");
    window_fills(&xvfb, 1080, 1920);
    assert_golden_within(&golden, "dressed", &small(&shot), STILL_MEAN, STILL_LOUD);

    // The pointer rests on the third item (the photo T-shirt): the ring
    // fills, then the garment is worn.
    let worn_before = kiosk.count("kiosk event: garment_worn");
    xdotool(&xvfb, &["mousemove", "948", "921"]);
    std::thread::sleep(Duration::from_millis(450));
    let shot = screenshot(&xvfb, dir.path(), "hover");
    assert_golden_within(&golden, "hover", &small(&shot), MOVING_MEAN, MOVING_LOUD);
    let deadline = Instant::now() + STEP_TIMEOUT;
    while kiosk.count("kiosk event: garment_worn") == worn_before {
        assert!(
            Instant::now() < deadline,
            "resting on an item did not wear it"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Off the carousel, or it would be picked again and again.
    xdotool(&xvfb, &["mousemove", "540", "1000"]);

    // The space bar: 3-2-1, then the snapshot with its QR codes.
    std::thread::sleep(Duration::from_millis(500));
    xdotool(&xvfb, &["key", "space"]);
    kiosk.wait_for("kiosk mode: countdown");
    std::thread::sleep(Duration::from_millis(200));
    let shot = screenshot(&xvfb, dir.path(), "countdown");
    assert_golden_within(
        &golden,
        "countdown",
        &small(&shot),
        MOVING_MEAN,
        MOVING_LOUD,
    );
    kiosk.wait_for("kiosk mode: snapshot");
    let shot = settled(&xvfb, dir.path(), "snapshot");
    let codes = qr_codes(&shot);
    assert_eq!(
        codes.len(),
        2,
        "two QR codes on the snapshot screen: {codes:?}"
    );
    assert_eq!(
        codes[0],
        "http://192.0.2.10:8090/p/".to_string() + &codes[0][25..]
    );
    assert_eq!(codes[0].len(), 25 + 32, "a 128-bit token: {}", codes[0]);
    assert_eq!(codes[1], "https://shop.example/p/photo-tee");
    // The photo's code holds a new random token each run: it differs.
    assert_golden_within(&golden, "snapshot", &small(&shot), MOVING_MEAN, MOVING_LOUD);
    kiosk.stop();

    let saved: Vec<_> = std::fs::read_dir(&snapshots).unwrap().collect();
    assert_eq!(saved.len(), 1, "one snapshot PNG saved");
    let kinds = event_kinds(&events);
    let log = std::fs::read_to_string(&events).unwrap();
    assert_eq!(
        kinds,
        [
            "attract",
            "person_entered",
            "garment_worn",
            "garment_worn",
            "snapshot",
            "qr_shown",
            "qr_shown"
        ],
        "{log}"
    );

    // No camera: the waiting screen, in the kiosk's words.
    let mut kiosk = Kiosk::start(&xvfb, dir.path(), &["--input", "camera:7"]);
    kiosk.wait_for("kiosk event: attract");
    std::thread::sleep(Duration::from_secs(2));
    let shot = settled(&xvfb, dir.path(), "waiting");
    assert_golden_within(&golden, "waiting", &small(&shot), STILL_MEAN, STILL_LOUD);
    kiosk.stop();
}

#[test]
fn a_monitor_mounted_turned_shows_the_portrait_kiosk_turned() {
    let xvfb = Xvfb::start("1920x1080x24").expect("Xvfb is installed (apt-get install xvfb)");
    let dir = tempfile::tempdir().unwrap();
    let astronaut = root().join("assets/samples/astronaut.png");
    let mut kiosk = Kiosk::start(
        &xvfb,
        dir.path(),
        &["--input", astronaut.to_str().unwrap(), "--rotation", "90"],
    );
    kiosk.wait_for("kiosk mode: dressed");
    let shot = settled(&xvfb, dir.path(), "turned");
    window_fills(&xvfb, 1920, 1080);
    kiosk.stop();
    // Turned back a quarter anticlockwise it is the portrait kiosk.
    let upright = image::imageops::rotate270(&shot);
    assert_golden_within(
        &golden_dir(),
        "dressed",
        &small(&upright),
        STILL_MEAN,
        STILL_LOUD,
    );
}

#[test]
fn the_looped_sample_reel_fills_the_screen_and_logs_both_people_entering() {
    let xvfb = Xvfb::start(PORTRAIT).expect("Xvfb is installed (apt-get install xvfb)");
    let dir = tempfile::tempdir().unwrap();
    let reel = root().join("assets/samples/sample_reel.y4m");
    let events = dir.path().join("events.jsonl");
    let mut kiosk = Kiosk::start(
        &xvfb,
        dir.path(),
        &[
            "--input",
            reel.to_str().unwrap(),
            "--loop",
            "--events",
            events.to_str().unwrap(),
        ],
    );
    let deadline = Instant::now() + STEP_TIMEOUT;
    while kiosk.count("kiosk event: person_entered") < 2 {
        assert!(
            Instant::now() < deadline,
            "two people did not enter:\n{}",
            kiosk.seen.join("\n")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    window_fills(&xvfb, 1080, 1920);
    kiosk.stop();
    let kinds = event_kinds(&events);
    let log = std::fs::read_to_string(&events).unwrap();
    // The astronaut enters and tries the default garment; the cut to the
    // player is the astronaut leaving (back to attract) and him entering.
    assert_eq!(
        kinds[..7],
        [
            "attract",
            "person_entered",
            "garment_worn",
            "person_left",
            "attract",
            "person_entered",
            "garment_worn"
        ],
        "{log}"
    );
}

#[test]
fn a_lost_gpu_is_rebuilt_and_the_kiosk_goes_on() {
    let xvfb = Xvfb::start("540x960x24").expect("Xvfb is installed (apt-get install xvfb)");
    let dir = tempfile::tempdir().unwrap();
    let reel = root().join("assets/samples/sample_reel.y4m");
    // The test hook destroys the GPU device at frame 10, as a driver reset
    // would.
    let mut kiosk = Kiosk::start_with(
        &xvfb,
        dir.path(),
        &["--input", reel.to_str().unwrap(), "--loop"],
        &[("DRAPE_TEST_LOSE_GPU_AFTER_FRAMES", "10")],
    );
    kiosk.wait_for("GPU rebuilt on");
    // The reel goes on: its next person steps in on the new device.
    let entered = kiosk.count("kiosk event: person_entered");
    let deadline = Instant::now() + STEP_TIMEOUT;
    while kiosk.count("kiosk event: person_entered") == entered {
        assert!(
            Instant::now() < deadline,
            "nobody entered after the rebuild:\n{}",
            kiosk.seen.join("\n")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let shot = screenshot(&xvfb, dir.path(), "after_loss");
    let lit = shot
        .pixels()
        .filter(|p| p.0.iter().any(|&c| c > 40))
        .count();
    assert!(
        lit > shot.pixels().len() / 2,
        "the screen is dark after the rebuild"
    );
    let log = kiosk.stop();
    assert!(
        !log.iter().any(|l| l.contains("panicked")),
        "{}",
        log.join("\n")
    );
}
