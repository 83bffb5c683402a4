//! The `drape` binary end to end: real files and pipes in, files and pipes
//! out, and every kind of bad input giving a clear error and no panic.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{max_abs_diff, mirror_rgba, noise_bytes};
use drape::capture::y4m::Y4mHeader;
use drape::capture::{ColorRange, Frame, FrameSource, PixelFormat, Y4mSource};
use drape::upload::cpu;

fn drape() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_drape"));
    command.env_remove("RUST_LOG");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("drape runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Fails unless the run failed cleanly: non-zero exit, no panic, and a
/// message that contains `needle`.
fn assert_clean_failure(output: &Output, needle: &str) {
    let text = stderr(output);
    assert!(!output.status.success(), "should fail: {text}");
    assert!(!text.contains("panicked"), "panicked: {text}");
    assert!(text.contains(needle), "expected {needle:?} in: {text}");
}

/// Writes a 4:2:0 y4m with noise frames; returns the frames' bytes.
fn write_y4m(path: &Path, width: u32, height: u32, frames: u32) -> Vec<Vec<u8>> {
    let header = Y4mHeader {
        width,
        height,
        fps_num: 25,
        fps_den: 1,
        format: PixelFormat::I420,
        range: ColorRange::Limited,
    };
    let mut bytes = header.to_line().into_bytes();
    let mut planes = Vec::new();
    for i in 0..frames {
        let frame = noise_bytes(PixelFormat::I420.frame_len(width, height), 7 + i);
        bytes.extend_from_slice(b"FRAME\n");
        bytes.extend_from_slice(&frame);
        planes.push(frame);
    }
    std::fs::write(path, bytes).unwrap();
    planes
}

fn expected_rgba(planes: &[u8], width: u32, height: u32, mirror: bool) -> Vec<u8> {
    let frame = Frame::new(planes.to_vec(), PixelFormat::I420, width, height).unwrap();
    cpu::convert_to_rgba(&frame, mirror)
}

fn png_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn y4m_to_pngs_matches_the_frames_and_mirrors() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.y4m");
    let (w, h) = (45, 31);
    let planes = write_y4m(&clip, w, h, 3);
    for mirror in [false, true] {
        let out = dir.path().join(format!("out_{mirror}"));
        let mut command = drape();
        command
            .args(["render", "--no-tryon", "--input"])
            .arg(&clip)
            .arg("--output")
            .arg(&out);
        if mirror {
            command.arg("--mirror");
        }
        let output = run(&mut command);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("3 frames"),
            "summary: {}",
            stderr(&output)
        );
        let files = png_files(&out);
        assert_eq!(files.len(), 3);
        for (file, planes) in files.iter().zip(&planes) {
            let png = image::open(file).unwrap().into_rgba8();
            let expected = expected_rgba(planes, w, h, mirror);
            assert!(
                max_abs_diff(png.as_raw(), &expected) <= 1,
                "{}",
                file.display()
            );
            if mirror {
                let unmirrored = expected_rgba(planes, w, h, false);
                assert!(max_abs_diff(png.as_raw(), &mirror_rgba(&unmirrored, w)) <= 1);
            }
        }
    }
}

#[test]
fn y4m_stdin_to_y4m_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.y4m");
    write_y4m(&clip, 16, 12, 4);
    let output = run(drape()
        .args(["render", "--no-tryon", "--input", "-", "--output", "-"])
        .stdin(std::fs::File::open(&clip).unwrap()));
    assert!(output.status.success(), "{}", stderr(&output));
    let mut source =
        Y4mSource::from_reader(Box::new(std::io::Cursor::new(output.stdout)), "out".into())
            .unwrap();
    let mut frames = 0;
    while source.next_frame().unwrap().is_some() {
        frames += 1;
    }
    assert_eq!(frames, 4);
}

#[test]
fn raw_nv12_stdin_and_a_wrong_size() {
    let dir = tempfile::tempdir().unwrap();
    let (w, h) = (16, 8);
    let frame_len = PixelFormat::Nv12.frame_len(w, h);
    let bytes = noise_bytes(frame_len * 2 + frame_len / 2, 3);
    let out = dir.path().join("raw");
    let mut child = drape()
        .args([
            "render",
            "--no-tryon",
            "--input",
            "-",
            "--input-format",
            "nv12",
            "--size",
            "16x8",
        ])
        .arg("--output")
        .arg(&out)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let output = child.wait_with_output().unwrap();
    // Two whole frames written and complete; the half frame is an error
    // that names the fix.
    assert_clean_failure(&output, "--size");
    let files = png_files(&out);
    assert_eq!(files.len(), 2, "{files:?}");
    let first = image::open(&files[0]).unwrap().into_rgba8();
    let frame = Frame::new(bytes[..frame_len].to_vec(), PixelFormat::Nv12, w, h).unwrap();
    assert!(max_abs_diff(first.as_raw(), &cpu::convert_to_rgba(&frame, false)) <= 1);
}

#[test]
fn truncated_y4m_keeps_the_frames_already_written() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("cut.y4m");
    write_y4m(&clip, 20, 10, 3);
    let full = std::fs::read(&clip).unwrap();
    std::fs::write(&clip, &full[..full.len() - 50]).unwrap();
    let out = dir.path().join("out");
    let output = run(drape()
        .args(["render", "--no-tryon", "--input"])
        .arg(&clip)
        .arg("--output")
        .arg(&out));
    assert_clean_failure(&output, "frame 2");
    let files = png_files(&out);
    assert_eq!(files.len(), 2, "{files:?}");
    for file in files {
        assert_eq!(file.extension().unwrap(), "png", "no partial file left");
        image::open(&file).expect("complete PNG");
    }
}

#[test]
fn bad_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.png");
    let output = run(drape()
        .args(["render", "--no-tryon", "--input"])
        .arg(&missing));
    assert_clean_failure(&output, "nope.png");

    let corrupt = dir.path().join("corrupt.png");
    std::fs::write(&corrupt, b"\x89PNG\r\n\x1a\nthis is not a png").unwrap();
    let output = run(drape()
        .args(["render", "--no-tryon", "--input"])
        .arg(&corrupt));
    assert_clean_failure(&output, "corrupt.png");

    let output = run(drape().args([
        "render",
        "--no-tryon",
        "--input",
        "-",
        "--input-format",
        "argb",
    ]));
    assert_clean_failure(&output, "unknown pixel format");

    let output = run(drape().args([
        "render",
        "--no-tryon",
        "--input",
        "-",
        "--input-format",
        "rgba",
    ]));
    assert_clean_failure(&output, "--size");

    let output = run(drape().args(["render", "--no-tryon", "--camera", "7"]));
    assert_clean_failure(&output, "camera 7");

    let output = run(drape()
        .args([
            "render",
            "--no-tryon",
            "--input",
            "synthetic",
            "--output",
            "x.png",
            "--frames",
            "2",
        ])
        .current_dir(dir.path()));
    assert_clean_failure(&output, "one image");
    assert!(dir.path().join("x.png").exists(), "the first frame is kept");

    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, noise_bytes(4096, 9)).unwrap();
    let output = run(drape()
        .args(["render", "--no-tryon", "--input"])
        .arg(&garbage));
    assert_clean_failure(&output, "garbage.bin");
}

#[test]
fn run_without_a_display_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let image_path = dir.path().join("still.png");
    image::RgbaImage::from_pixel(8, 8, image::Rgba([9, 9, 9, 255]))
        .save(&image_path)
        .unwrap();
    let output = run(drape()
        .args(["run", "--no-tryon", "--input"])
        .arg(&image_path)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY"));
    assert_clean_failure(&output, "display");
}

#[test]
fn video_file_through_ffmpeg() {
    if std::env::var_os("DRAPE_NO_FFMPEG").is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("clip.mkv");
    let made = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48:rate=10",
        ])
        .args(["-frames:v", "6", "-c:v", "ffv1"])
        .arg(&video)
        .status()
        .expect("ffmpeg is installed (set DRAPE_NO_FFMPEG=1 to skip)");
    assert!(made.success());
    let out = dir.path().join("out");
    let output = run(drape()
        .args(["render", "--no-tryon", "--input"])
        .arg(&video)
        .arg("--output")
        .arg(&out));
    assert!(output.status.success(), "{}", stderr(&output));
    let files = png_files(&out);
    assert_eq!(files.len(), 6);
    assert_eq!(image::open(&files[0]).unwrap().width(), 64);
}

#[test]
fn devices_lists_an_adapter_and_piped_runs_stay_quiet() {
    let output = run(drape().arg("devices"));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("backend:") && text.contains("default:"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    // Mesa's lavapipe prints a line when XDG_RUNTIME_DIR is unset; give it
    // one (a private 0700 folder) so only drape's own output is counted.
    let runtime = tempfile::tempdir().unwrap();
    let output = run(drape()
        .args([
            "render",
            "--no-tryon",
            "--input",
            "synthetic",
            "--size",
            "32x24",
            "--frames",
            "5",
        ])
        .arg("--output")
        .arg(dir.path())
        .env("XDG_RUNTIME_DIR", runtime.path()));
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    // Piped: only the summary line, no progress bar.
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("5 frames") && text.contains("0 dropped"),
        "{text}"
    );
}

#[test]
fn ctrl_c_ends_a_render_with_every_file_complete() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // The synthetic source never ends: only Ctrl-C stops this run.
    let child = drape()
        .args([
            "render",
            "--no-tryon",
            "--input",
            "synthetic",
            "--size",
            "96x64",
            "--output",
        ])
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while png_files(&out).len() < 5 {
        assert!(started.elapsed().as_secs() < 60, "no frames written");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("stopped by Ctrl-C"), "{text}");
    let files = png_files(&out);
    let reported: usize = text
        .trim_start_matches("drape: ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("summary starts with the frame count: {text}"));
    assert_eq!(files.len(), reported, "one file per frame reported");
    for file in files {
        assert_eq!(
            file.extension().unwrap(),
            "png",
            "no partial file: {}",
            file.display()
        );
        assert_eq!(image::open(&file).unwrap().width(), 96);
    }
}

#[test]
fn no_adapter_says_what_to_install() {
    // No Metal on Linux: wgpu finds nothing, as on a machine without drivers.
    let output = run(drape()
        .args([
            "render",
            "--no-tryon",
            "--input",
            "synthetic",
            "--frames",
            "1",
            "--output",
            "-",
        ])
        .env("WGPU_BACKEND", "metal"));
    assert_clean_failure(&output, "mesa-vulkan-drivers");
    assert_clean_failure(&output, "WGPU_BACKEND=gl");

    let output = run(drape()
        .args([
            "render",
            "--no-tryon",
            "--input",
            "synthetic",
            "--frames",
            "1",
            "--output",
            "-",
        ])
        .env("WGPU_ADAPTER_NAME", "no such gpu"));
    assert_clean_failure(&output, "matches no adapter");
}

/// `drape render` dresses the person by default; `--wear` picks garments,
/// and an unknown id or a broken catalog is a clear error.
#[test]
fn render_dresses_a_photo_and_names_bad_garments() {
    let dir = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let photo = root.join("tests/data/reference/media/astronaut.png");
    let out = dir.path().join("dressed.png");
    let output = run(drape()
        .args([
            "render",
            "--quiet",
            "--no-overlay",
            "--wear",
            "jacket-charcoal",
            "--input",
        ])
        .arg(&photo)
        .arg("--output")
        .arg(&out));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("wearing jacket-charcoal"),
        "{}",
        stderr(&output)
    );
    let before = image::open(&photo).unwrap().into_rgba8();
    let after = image::open(&out).unwrap().into_rgba8();
    assert_eq!(before.dimensions(), after.dimensions());
    let changed = before
        .pixels()
        .zip(after.pixels())
        .filter(|(a, b)| (0..3).any(|c| a[c].abs_diff(b[c]) > 30))
        .count();
    let share = changed as f64 / (before.width() * before.height()) as f64;
    assert!(
        (0.05..0.6).contains(&share),
        "the jacket changed {share:.3} of the photo"
    );

    let output = run(drape()
        .args(["render", "--quiet", "--wear", "tuxedo", "--input"])
        .arg(&photo)
        .arg("--output")
        .arg(dir.path().join("x.png")));
    assert_clean_failure(&output, "no garment \"tuxedo\"");
    assert!(
        stderr(&output).contains("tee-indigo"),
        "lists what there is"
    );

    let broken = dir.path().join("catalog.toml");
    std::fs::write(
        &broken,
        "version = 1\n[[garment]]\nid = \"x\"\nkind = \"cape\"\n",
    )
    .unwrap();
    let output = run(drape()
        .args(["render", "--quiet", "--catalog"])
        .arg(&broken)
        .arg("--input")
        .arg(&photo)
        .arg("--output")
        .arg(dir.path().join("y.png")));
    assert_clean_failure(&output, "catalog.toml:");
}

/// `drape` alone, the README's first command: the bundled reel dressed
/// into out/ as PNGs and an animated preview.
#[test]
fn the_main_job_dresses_the_bundled_reel() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(drape().current_dir(dir.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    let out = dir.path().join("out");
    let frames: Vec<_> = png_files(&out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    assert_eq!(frames.len(), 58, "one PNG per frame of the reel");
    let preview = image::codecs::gif::GifDecoder::new(std::io::BufReader::new(
        std::fs::File::open(out.join("preview.gif")).unwrap(),
    ))
    .unwrap();
    use image::AnimationDecoder;
    assert!(preview.into_frames().count() > 10, "an animated preview");
    // The reel's source is grey in its second shot: blue there is the shirt.
    let last = image::open(frames.last().unwrap()).unwrap().into_rgb8();
    let blue = last
        .pixels()
        .filter(|p| i16::from(p[2]) - i16::from(p[0]) > 20)
        .count();
    let share = blue as f64 / f64::from(last.width() * last.height());
    assert!(
        (0.05..0.5).contains(&share),
        "the shirt covers {share:.3} of the last frame"
    );
}
