//! `/try` in headless Chromium: drape's engine in WebAssembly on WebGPU
//! (SwiftShader) dresses a fake camera's person. The status counts frames
//! with a pose, the canvas shows the garment on the torso, the page's
//! landmarks equal the native build's on the same frame, and the server's
//! access log holds only static files and `/events`: nothing of the camera
//! leaves the page.
//!
//! Needs the page built (`scripts/build-web.sh`, which .ci/run runs) and
//! Debian's `chromium`; without the build it fails under CI and says how to
//! build it elsewhere.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use drape::output::{open_sink, SinkOptions, SinkSpec};
use drape::pose::{PoseConfig, PoseTracker};
use serde_json::Value;

use common::chromium::{base64_decode, Chromium};
use common::interrupt;
use common::serve::ServeProcess;

const WIDTH: u32 = 960;
const HEIGHT: u32 = 720;
/// The page downloads ~10 MB, compiles the module and starts WebGPU on a
/// software rasteriser: generous.
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// Largest difference between the page's landmarks and the native ones
/// on the same frame (both are f32 on the same CPU network).
const LANDMARK_TOLERANCE: f32 = 1e-3;

fn built_page() -> Option<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/web/try");
    if folder.join("drape_web_bg.wasm").is_file() {
        return Some(folder);
    }
    let message =
        "the /try page is not built: run scripts/build-web.sh (see the README's browser section)";
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("{message}; not tested");
    None
}

/// A 4-second y4m clip of the sample astronaut photo standing still, for
/// Chromium's fake camera (it loops).
fn person_clip(dir: &Path) -> PathBuf {
    let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples/astronaut.png");
    let rgba = image::open(photo).unwrap().into_rgba8();
    let path = dir.join("person.y4m");
    let spec = SinkSpec::parse(path.to_str().unwrap(), None).unwrap();
    let options = SinkOptions {
        fps: 15.0,
        frame_count: Some(60),
    };
    let mut sink = open_sink(&spec, &options).unwrap();
    for index in 0..60 {
        sink.write_frame(&drape::output::RgbaFrame {
            data: rgba.as_raw(),
            width: rgba.width(),
            height: rgba.height(),
            index,
            timestamp: Duration::from_millis(index * 1000 / 15),
        })
        .unwrap();
    }
    sink.finish().unwrap();
    path
}

/// `drape serve` with the page, its access log collected.
struct Studio(ServeProcess);

impl Studio {
    fn start(try_dir: &Path, work: &Path) -> Studio {
        let mut command = Command::new(env!("CARGO_BIN_EXE_drape"));
        command
            .args(["serve", "--input", "synthetic", "--listen", "127.0.0.1:0"])
            .arg("--output")
            .arg(work.join("program.y4m"))
            .arg("--try-dir")
            .arg(try_dir)
            .env("RUST_LOG", "drape::serve::access=info")
            .env("XDG_RUNTIME_DIR", work)
            .env_remove("DRAPE_TOKEN");
        Studio(ServeProcess::spawn(&mut command))
    }

    fn addr(&self) -> SocketAddr {
        self.0.addr
    }

    /// The paths requested so far (`GET /try/ 200` → `/try/`).
    fn requested(&self) -> Vec<(String, String)> {
        self.0
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|line| line.contains("drape::serve::access"))
            .filter_map(|line| {
                let mut words = line.rsplit(' ');
                let _status = words.next()?;
                let path = words.next()?.to_string();
                let method = words.next()?.to_string();
                Some((method, path))
            })
            .collect()
    }
}

impl Drop for Studio {
    fn drop(&mut self) {
        interrupt(&self.0.child);
        let _ = self.0.child.wait();
    }
}

fn status(browser: &mut Chromium) -> String {
    browser
        .evaluate("document.getElementById('drape-status').textContent")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The page's still mode natively: detector, then the lite landmark
/// model, CPU, one thread, no smoothing.
fn still_tracker(gpu: &drape::GpuContext) -> PoseTracker {
    let config = PoseConfig {
        backend: drape::nn::Backend::Cpu,
        threads: 1,
        static_mode: true,
        ..PoseConfig::default()
    };
    PoseTracker::new(gpu, config).unwrap()
}

/// `frames N, pose M, …` → (N, M).
fn counts(status: &str) -> Option<(u64, u64)> {
    let mut numbers = status
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u64>().ok());
    Some((numbers.next()??, numbers.next()??))
}

#[test]
fn the_page_dresses_a_fake_cameras_person_and_sends_nothing_of_it() {
    let Some(page) = built_page() else { return };
    let work = tempfile::tempdir().unwrap();
    let clip = person_clip(work.path());
    let camera = format!("--use-file-for-fake-video-capture={}", clip.display());
    let flags = [
        "--enable-unsafe-webgpu",
        "--enable-features=Vulkan",
        "--use-vulkan=swiftshader",
        "--use-webgpu-adapter=swiftshader",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        camera.as_str(),
    ];
    let Some(mut browser) = Chromium::start_with(WIDTH, HEIGHT, &flags) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed"
        );
        return;
    };
    let studio = Studio::start(&page, work.path());
    browser.navigate(&format!("http://{}/try/", studio.addr()));

    // Frames come, most with the person found, wearing the garment on air.
    let started = std::time::Instant::now();
    let text = loop {
        let text = status(&mut browser);
        if counts(&text).is_some_and(|(_, with_pose)| with_pose >= 10) {
            break text;
        }
        assert!(
            started.elapsed() < START_TIMEOUT && !text.starts_with("error"),
            "no ten frames with a pose: the status says {text:?}; the page's errors: {:#?}; its console: {:#?}",
            browser.page_errors(),
            browser.console()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let (frames, with_pose) = counts(&text).unwrap();
    assert!(
        with_pose * 10 >= frames * 8,
        "a pose in most frames: {text}"
    );
    assert!(text.contains("wearing tee-indigo"), "{text}");
    assert!(text.ends_with(" fps"), "{text}");

    // The page's landmarks on the last frame equal the native build's.
    let still = browser.evaluate("drapeTry.lastFrameStill()");
    let (width, height) = (
        still["width"].as_u64().unwrap() as u32,
        still["height"].as_u64().unwrap() as u32,
    );
    let rgba = base64_decode(still["rgba"].as_str().unwrap());
    let page_landmarks: Vec<f32> = still["landmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect();
    let gpu = common::gpu();
    let mut tracker = still_tracker(&gpu);
    let body = tracker
        .process(&rgba, width, height, Duration::ZERO)
        .unwrap()
        .expect("a person in the camera's frame");
    let native: Vec<f32> = body
        .landmarks
        .iter()
        .flat_map(|l| [l.x, l.y, l.z, l.visibility, l.presence])
        .collect();
    assert_eq!(page_landmarks.len(), native.len());
    let worst = page_landmarks
        .iter()
        .zip(&native)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst <= LANDMARK_TOLERANCE, "landmarks differ by {worst}");

    // The garment is on the torso: the canvas there is the tee's indigo,
    // not the astronaut's white suit.
    let png = browser.screenshot();
    if std::env::var_os("DRAPE_BLESS").is_some() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/pages/try.png");
        std::fs::write(&path, &png).unwrap();
    }
    let shot = image::load_from_memory(&png).unwrap().into_rgb8();
    let canvas: Value = browser.evaluate(
        "(() => { const r = document.getElementById('mirror').getBoundingClientRect(); \
         return [r.left, r.top, r.width, r.height]; })()",
    );
    let rect: Vec<f64> = canvas
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let at = |x: f32, y: f32| {
        // The picture is mirrored on the canvas.
        let px = rect[0] + (1.0 - f64::from(x)) * rect[2];
        let py = rect[1] + f64::from(y) * rect[3];
        *shot.get_pixel(px as u32, py as u32)
    };
    let landmark = |i: usize| (body.landmarks[i].x, body.landmarks[i].y);
    let (shoulders, hips) = ([landmark(11), landmark(12)], [landmark(23), landmark(24)]);
    let chest = (
        (shoulders[0].0 + shoulders[1].0) / 2.0,
        (shoulders[0].1 + shoulders[1].1) * 0.35 + (hips[0].1 + hips[1].1) * 0.15,
    );
    let pixel = at(chest.0, chest.1);
    let [r, g, b] = pixel.0;
    assert!(
        b > r + 20 && b > g,
        "the chest at {chest:?} shows {pixel:?}, not the indigo tee"
    );

    // Only static files and /events were asked for: no frame, no landmark.
    let requested = studio.requested();
    assert!(!requested.is_empty(), "the access log is on");
    for (method, path) in &requested {
        let static_file = path.starts_with("/try/");
        assert!(
            method == "GET" && (static_file || path == "/events"),
            "{method} {path} was requested; all: {requested:?}"
        );
    }
}

/// The page's message for a browser setup it cannot run in.
fn message_with(flags: &[&str]) -> Option<String> {
    let page = built_page()?;
    let work = tempfile::tempdir().unwrap();
    let mut browser = Chromium::start_with(WIDTH, HEIGHT, flags)?;
    let studio = Studio::start(&page, work.path());
    browser.navigate(&format!("http://{}/try/", studio.addr()));
    browser.wait_for(
        "!document.getElementById('message').hidden",
        START_TIMEOUT,
        "a message",
    );
    let message = browser.evaluate("document.getElementById('message').textContent");
    let status = status(&mut browser);
    assert!(status.starts_with("error: "), "{status}");
    Some(message.as_str().unwrap().to_string())
}

const WEBGPU: [&str; 4] = [
    "--enable-unsafe-webgpu",
    "--enable-features=Vulkan",
    "--use-vulkan=swiftshader",
    "--use-webgpu-adapter=swiftshader",
];

#[test]
fn without_webgpu_the_page_says_which_browsers_work() {
    let Some(message) = message_with(&["--disable-gpu"]) else {
        return;
    };
    assert!(message.contains("needs WebGPU"), "{message}");
    assert!(message.contains("Chrome or Edge 113"), "{message}");
}

#[test]
fn a_refused_or_missing_camera_is_explained() {
    let cases = [
        // A fake camera, but no fake permission prompt: headless refuses.
        (
            "--use-fake-device-for-media-stream",
            "Camera access was refused",
        ),
        // The prompt is answered yes, but this machine has no camera.
        ("--use-fake-ui-for-media-stream", "No camera was found"),
    ];
    for (flag, expected) in cases {
        let flags = [&WEBGPU[..], &[flag]].concat();
        let Some(message) = message_with(&flags) else {
            return;
        };
        assert!(message.contains(expected), "{flag}: {message}");
    }
}

#[test]
fn a_model_that_does_not_download_is_named() {
    let Some(page) = built_page() else { return };
    let work = tempfile::tempdir().unwrap();
    let flags = [
        &WEBGPU[..],
        &[
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
        ],
    ]
    .concat();
    let Some(mut browser) = Chromium::start_with(WIDTH, HEIGHT, &flags) else {
        return;
    };
    let studio = Studio::start(&page, work.path());
    // The landmark model's download is answered 503 by the browser itself.
    browser.call(
        "Fetch.enable",
        serde_json::json!({"patterns": [{"urlPattern": "*pose_landmark_lite.tflite"}]}),
    );
    browser.navigate(&format!("http://{}/try/", studio.addr()));
    let paused = browser.next_event("Fetch.requestPaused");
    browser.call(
        "Fetch.fulfillRequest",
        serde_json::json!({"requestId": paused["params"]["requestId"], "responseCode": 503}),
    );
    browser.wait_for(
        "!document.getElementById('message').hidden",
        START_TIMEOUT,
        "a message",
    );
    let message = browser.evaluate("document.getElementById('message').textContent");
    let message = message.as_str().unwrap();
    assert!(
        message.contains("could not download models/pose_landmark_lite.tflite (HTTP 503)"),
        "{message}"
    );
    assert!(message.contains("Reload the page"), "{message}");
}

/// The figures in the README's browser section: the page's frame rate and
/// stage times in headless Chromium (SwiftShader), and the pose pipeline
/// in still mode (detector, then the lite landmark model; CPU, one
/// thread) in the page's WebAssembly and natively, on the same frame, in
/// the same run. A benchmark, not a test: run it optimised,
/// `cargo test --release --test web_try -- --ignored --nocapture bench`.
#[test]
#[ignore = "a benchmark: run with --release --ignored"]
fn bench_the_page_against_native() {
    let Some(page) = built_page() else { return };
    let work = tempfile::tempdir().unwrap();
    let clip = person_clip(work.path());
    let camera = format!("--use-file-for-fake-video-capture={}", clip.display());
    let flags = [
        &WEBGPU[..],
        &[
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            camera.as_str(),
        ],
    ]
    .concat();
    let mut browser = Chromium::start_with(WIDTH, HEIGHT, &flags).expect("chromium");
    let studio = Studio::start(&page, work.path());
    browser.navigate(&format!("http://{}/try/", studio.addr()));
    browser.wait_for(
        "/^frames [1-9]/.test(document.getElementById('drape-status').textContent)",
        START_TIMEOUT,
        "frames",
    );
    // Ten seconds of frames, stage times sampled as they come.
    let mut samples: Vec<Value> = Vec::new();
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        samples.push(browser.evaluate("JSON.parse(drapeTry.engine.stage_times())"));
        std::thread::sleep(Duration::from_millis(250));
    }
    let text = status(&mut browser);
    // The frame loop stops (and its last frame settles) before the timing.
    browser.evaluate("drapeTry.pause(true)");
    std::thread::sleep(Duration::from_secs(1));
    let mean = |key: &str| {
        samples
            .iter()
            .map(|s| s[key].as_f64().unwrap())
            .sum::<f64>()
            / samples.len() as f64
    };
    // Still mode in the page, ten runs on the last frame.
    let timings = browser.evaluate(
        "(() => { const f = drapeTry.lastFrameStill(); const px = Uint8Array.from(atob(f.rgba), c => c.charCodeAt(0)); \
         const t = []; for (let i = 0; i < 10; i++) { const s = performance.now(); \
         drapeTry.engine.landmarks_of(px, f.width, f.height); t.push(performance.now() - s); } \
         return { t, width: f.width, height: f.height, rgba: f.rgba }; })()",
    );
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let page_ms = median(
        timings["t"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect(),
    );
    let rgba = base64_decode(timings["rgba"].as_str().unwrap());
    let (width, height) = (
        timings["width"].as_u64().unwrap() as u32,
        timings["height"].as_u64().unwrap() as u32,
    );
    let gpu = common::gpu();
    let mut tracker = still_tracker(&gpu);
    let native_ms = median(
        (0..10)
            .map(|_| {
                let start = std::time::Instant::now();
                tracker
                    .process(&rgba, width, height, Duration::ZERO)
                    .unwrap();
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    );
    // The same try-on natively (lavapipe, CPU pose on one thread) on the
    // same frame: twenty frames after five to settle.
    let mut tryon_config = drape::tryon::TryOnConfig::sample();
    tryon_config.pose.backend = drape::nn::Backend::Cpu;
    tryon_config.pose.threads = 1;
    tryon_config.overlay = false;
    let tryon = drape::tryon::TryOn::new(&gpu, tryon_config).unwrap();
    let mut mirror = drape::Mirror::new(&gpu, drape::MirrorConfig { mirror: true });
    mirror.set_tryon(Some(tryon));
    let mut native_times = Vec::new();
    let mut native_frame_ms = Vec::new();
    for index in 0..25u64 {
        let frame = drape::Frame::new(rgba.clone(), drape::PixelFormat::Rgba8, width, height)
            .unwrap()
            .with_timestamp(Duration::from_millis(index * 66), index);
        let start = std::time::Instant::now();
        mirror.process_to_cpu(&frame).unwrap();
        if index >= 5 {
            native_frame_ms.push(start.elapsed().as_secs_f64() * 1e3);
            native_times.push(mirror.tryon().unwrap().times());
        }
    }
    let native_mean =
        |pick: Stage| native_times.iter().map(pick).sum::<f64>() / native_times.len() as f64;
    let frame_ms = native_frame_ms.iter().sum::<f64>() / native_frame_ms.len() as f64;
    println!("page ({width}x{height}, headless Chromium, WebGPU on SwiftShader): {text}");
    println!(
        "native (lavapipe, CPU pose, 1 thread): {:.1} fps with the readback",
        1e3 / frame_ms
    );
    type Stage = fn(&drape::tryon::TryOnTimes) -> f64;
    let natives: [(&str, Stage); 5] = [
        ("pose_ms", |t| t.pose_ms),
        ("fit_ms", |t| t.fit_ms),
        ("deform_ms", |t| t.deform_ms),
        ("cloth_ms", |t| t.cloth_ms),
        ("render_ms", |t| t.render_ms),
    ];
    for (key, pick) in natives {
        println!(
            "  {key}: page {:.1}, native {:.1}",
            mean(key),
            native_mean(pick)
        );
    }
    println!(
        "still pose (detector + lite, CPU, 1 thread): wasm {page_ms:.1} ms, native {native_ms:.1} ms, ratio {:.2}",
        page_ms / native_ms
    );
}
