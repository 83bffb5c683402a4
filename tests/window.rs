//! `drape run` under a virtual X server: the window shows the frame (found
//! in a screenshot, mirrored when asked) and Ctrl-C ends the run cleanly.
//!
//! Needs Xvfb and ImageMagick's `import` (installed by .ci/run).

mod common;

use std::process::{Command, Stdio};

use common::interrupt;
use common::xvfb::Xvfb;
use std::time::{Duration, Instant};

const RED: [u8; 3] = [230, 20, 20];
const BLUE: [u8; 3] = [20, 20, 230];

fn close(a: &[u8], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 12)
}

/// Where the red and blue halves of the test card are in the screenshot.
fn red_is_left(shot: &image::RgbImage) -> Option<bool> {
    let (mut red_x, mut red_n, mut blue_x, mut blue_n) = (0u64, 0u64, 0u64, 0u64);
    for (x, _, p) in shot.enumerate_pixels() {
        if close(&p.0, RED) {
            red_x += x as u64;
            red_n += 1;
        } else if close(&p.0, BLUE) {
            blue_x += x as u64;
            blue_n += 1;
        }
    }
    // Each half of the 160x120 card covers 9600 pixels.
    (red_n > 9000 && blue_n > 9000).then(|| red_x / red_n < blue_x / blue_n)
}

/// The plain mirror on the moving test pattern.
const SYNTHETIC_RUN: [&str; 6] = [
    "run",
    "--no-tryon",
    "--input",
    "synthetic",
    "--size",
    "320x240",
];

/// `drape ARGS` on `xvfb`'s display, its runtime folder in `dir`, stderr
/// piped (not yet started).
fn drape_on(xvfb: &Xvfb, dir: &tempfile::TempDir, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_drape"));
    command
        .args(args)
        .env("DISPLAY", &xvfb.display)
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_RUNTIME_DIR", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

#[test]
fn window_shows_the_frame_and_ctrl_c_ends_cleanly() {
    let xvfb = Xvfb::start("640x480x24").expect("Xvfb is installed (apt-get install xvfb)");
    let dir = tempfile::tempdir().unwrap();
    let card = dir.path().join("card.png");
    let image =
        image::RgbImage::from_fn(160, 120, |x, _| image::Rgb(if x < 80 { RED } else { BLUE }));
    image.save(&card).unwrap();

    for mirror in [false, true] {
        let mut command = drape_on(&xvfb, &dir, &["run", "--no-tryon", "--input"]);
        command.arg(&card);
        if mirror {
            command.arg("--mirror");
        }
        let child = command.spawn().expect("drape runs");

        let shot_path = dir.path().join(format!("shot_{mirror}.png"));
        let started = Instant::now();
        let seen = loop {
            if let Some(found) = xvfb.screenshot(&shot_path).as_ref().and_then(red_is_left) {
                break Some(found);
            }
            if started.elapsed() > Duration::from_secs(30) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        interrupt(&child);
        let output = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&output.stderr);
        let seen = seen.unwrap_or_else(|| {
            panic!(
                "the frame never appeared on screen (last screenshot {}); drape said: {text}",
                shot_path.display()
            )
        });
        assert_eq!(
            seen,
            !mirror,
            "mirror={mirror}: red should be on the {} side",
            if mirror { "right" } else { "left" }
        );
        assert!(output.status.success(), "Ctrl-C ends cleanly: {text}");
        // "1 frame shown" or "N frames shown".
        assert!(text.contains(" shown in "), "{text}");
    }
}

/// `drape run` dresses the person in the window: the T-shirt's indigo
/// covers far more of the screen than with the plain mirror.
#[test]
fn window_shows_the_try_on() {
    let xvfb = Xvfb::start("640x480x24").expect("Xvfb is installed (apt-get install xvfb)");
    let dir = tempfile::tempdir().unwrap();
    let photo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/reference/media/astronaut.png");
    let indigo_share = |shot: &image::RgbImage| {
        let indigo = shot
            .pixels()
            .filter(|p| {
                let [r, g, b] = p.0.map(i32::from);
                b > r + 25 && b > g + 15 && b < 200
            })
            .count();
        indigo as f64 / (shot.width() * shot.height()) as f64
    };
    let mut shares = Vec::new();
    for tryon in [false, true] {
        let mut command = drape_on(&xvfb, &dir, &["run", "--no-overlay", "--input"]);
        command.arg(&photo);
        if !tryon {
            command.arg("--no-tryon");
        }
        let child = command.spawn().expect("drape runs");
        let shot_path = dir.path().join(format!("tryon_{tryon}.png"));
        let started = Instant::now();
        // Wait until the photo is on screen (its skin and suit are far from
        // the empty screen's black), then a little more for the garment.
        let shot = loop {
            let shot = xvfb.screenshot(&shot_path);
            let shown = shot
                .as_ref()
                .is_some_and(|s| s.pixels().filter(|p| p.0[0] > 150).count() > 10_000);
            if shown && started.elapsed() > Duration::from_secs(2) {
                break shot;
            }
            if started.elapsed() > Duration::from_secs(40) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(300));
        };
        interrupt(&child);
        let output = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&output.stderr);
        let shot = shot.unwrap_or_else(|| panic!("nothing appeared on screen; drape said: {text}"));
        assert!(output.status.success(), "{text}");
        shares.push(indigo_share(&shot));
    }
    assert!(
        shares[1] > shares[0] + 0.03,
        "indigo covers {:.3} of the screen dressed, {:.3} plain",
        shares[1],
        shares[0]
    );
}

/// A kiosk that boots before its USB camera: `drape run` on a camera that
/// is not there opens the window with a "Waiting for camera 7" screen
/// instead of exiting, and keeps looking for it until Ctrl-C.
#[test]
fn run_waits_for_a_camera_that_is_not_there_yet() {
    use drape::render::overlay::{STATUS_BACKGROUND, STATUS_TITLE_COLOR};
    let xvfb = Xvfb::start("640x480x24").expect("Xvfb is installed (apt-get install xvfb)");
    let dir = tempfile::tempdir().unwrap();
    let args = ["run", "--no-tryon", "--camera", "7", "--size", "320x240"];
    let mut child = drape_on(&xvfb, &dir, &args).spawn().expect("drape runs");
    let shot_path = dir.path().join("waiting.png");
    let started = Instant::now();
    let waiting_screen = |shot: &image::RgbImage| {
        let near = |p: &image::Rgb<u8>, c: [u8; 3]| close(&p.0, c);
        let background = shot.pixels().filter(|p| near(p, STATUS_BACKGROUND)).count();
        let title = shot
            .pixels()
            .filter(|p| near(p, STATUS_TITLE_COLOR))
            .count();
        // The 320x240 screen in a 640x480 display, with its title.
        background > 40_000 && title > 100
    };
    let seen = loop {
        if xvfb
            .screenshot(&shot_path)
            .as_ref()
            .is_some_and(waiting_screen)
        {
            break true;
        }
        if started.elapsed() > Duration::from_secs(30) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    // Still running: waiting is not an exit.
    let running = child.try_wait().unwrap().is_none();
    interrupt(&child);
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        seen,
        "no waiting screen (last screenshot {}); drape said: {text}",
        shot_path.display()
    );
    assert!(running, "drape exited while waiting: {text}");
    assert!(output.status.success(), "Ctrl-C ends cleanly: {text}");
    assert_eq!(
        text.matches("waiting for the capture device").count(),
        1,
        "the wait is logged once, not at every retry: {text}"
    );
}

/// A driver reset mid-run: the window makes a new device and surface,
/// rebuilds everything on them and goes on showing frames. The loss is
/// forced by the binary's test hook (`DRAPE_TEST_LOSE_GPU_AFTER_FRAMES`,
/// which destroys the device with wgpu's `Device::destroy`).
#[test]
fn the_window_goes_on_after_the_gpu_is_lost() {
    let xvfb = Xvfb::start("640x480x24").expect("Xvfb is installed (apt-get install xvfb)");
    let dir = tempfile::tempdir().unwrap();
    // -v: the rebuild is logged at info level.
    let child = drape_on(&xvfb, &dir, &["-v"])
        .args(SYNTHETIC_RUN)
        .env("DRAPE_TEST_LOSE_GPU_AFTER_FRAMES", "10")
        .spawn()
        .expect("drape runs");
    // The moving pattern, well after the loss: two screenshots a second
    // apart that both show it and differ (frames are still coming).
    let shot_path = dir.path().join("after.png");
    let started = Instant::now();
    let lit = |shot: &image::RgbImage| shot.pixels().filter(|p| p.0[0] > 150).count() > 2_000;
    let mut shots = Vec::new();
    while started.elapsed() < Duration::from_secs(60) && shots.len() < 2 {
        std::thread::sleep(Duration::from_millis(if shots.is_empty() {
            500
        } else {
            1000
        }));
        if started.elapsed() < Duration::from_secs(4) {
            continue;
        }
        match xvfb.screenshot(&shot_path) {
            Some(shot) if lit(&shot) => shots.push(shot),
            _ => shots.clear(),
        }
    }
    interrupt(&child);
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "Ctrl-C ends cleanly: {text}");
    assert!(text.contains("destroying the GPU device"), "{text}");
    assert!(
        text.contains("GPU rebuilt on"),
        "the window rebuilt its GPU: {text}"
    );
    assert_eq!(
        shots.len(),
        2,
        "the pattern is on screen after the loss: {text}"
    );
    assert_ne!(shots[0], shots[1], "and still moving: {text}");
    let shown: u64 = text
        .split(" frames shown")
        .next()
        .and_then(|head| head.rsplit(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(shown > 20, "frames went on after the 10th: {text}");
}

/// The S key saves the picture shown into `--snapshot-dir`; where that
/// cannot be written (a file stands in the folder's place) the mirror
/// says so and goes on.
#[test]
fn the_s_key_saves_a_snapshot() {
    let xvfb = Xvfb::start("640x480x24").expect("Xvfb is installed (apt-get install xvfb)");
    let dir = tempfile::tempdir().unwrap();
    let snapshots = dir.path().join("snapshots");
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, b"a file, not a folder").unwrap();
    for (folder, saves) in [(&snapshots, true), (&blocked, false)] {
        let mut child = drape_on(&xvfb, &dir, &SYNTHETIC_RUN)
            .arg("--snapshot-dir")
            .arg(folder)
            .spawn()
            .expect("drape runs");
        // Focus the window once it is there and press S (xdotool's XTEST
        // key, as a keyboard gives it).
        let started = Instant::now();
        let pressed = loop {
            let status = Command::new("xdotool")
                .args([
                    "search",
                    "--name",
                    "drape",
                    "windowfocus",
                    "--sync",
                    "key",
                    "s",
                ])
                .env("DISPLAY", &xvfb.display)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("xdotool is installed (apt-get install xdotool)");
            if status.success() || started.elapsed() > Duration::from_secs(30) {
                break status.success();
            }
            std::thread::sleep(Duration::from_millis(300));
        };
        let saved = |folder: &std::path::Path| {
            std::fs::read_dir(folder)
                .map(|d| {
                    d.filter_map(|e| e.ok())
                        .map(|e| e.path())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        while saves && saved(folder).is_empty() && started.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(200));
        }
        std::thread::sleep(Duration::from_millis(500));
        let running = child.try_wait().unwrap().is_none();
        if running {
            interrupt(&child);
        }
        let output = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&output.stderr);
        assert!(pressed, "xdotool found no drape window: {text}");
        assert!(running, "the mirror goes on after S: {text}");
        assert!(output.status.success(), "Ctrl-C ends cleanly: {text}");
        if saves {
            let files = saved(folder);
            assert_eq!(
                files.len(),
                1,
                "one snapshot: {files:?}; drape said: {text}"
            );
            let shot = image::open(&files[0]).expect("the snapshot is a whole PNG");
            assert_eq!((shot.width(), shot.height()), (320, 240));
        } else {
            assert!(
                text.to_lowercase().contains("snapshot"),
                "the failure is said: {text}"
            );
        }
    }
}
