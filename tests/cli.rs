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

/// Models are looked for in `--models-dir`, `$DRAPE_MODELS`, next to the
/// binary and in the source tree; a missing one names every place and how
/// to fetch it (it used to say "restore assets/models/" only).
#[test]
fn models_are_found_where_the_user_puts_them_and_a_missing_one_names_every_place() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let photo = root.join("tests/data/reference/media/astronaut.png");
    let env_dir = tempfile::tempdir().unwrap();
    let given_dir = tempfile::tempdir().unwrap();
    let pose_heavy = |extra: &[&str]| {
        let mut command = drape();
        command
            .args(["pose", "--quiet", "--model", "heavy", "--input"])
            .arg(&photo)
            .arg("--output")
            .arg(env_dir.path().join("p.jsonl"))
            .args(extra)
            .env("DRAPE_MODELS", env_dir.path());
        run(&mut command)
    };
    // heavy stays out of git; where a developer fetched it into the source
    // tree, it is found there and this part has nothing to show.
    if !root
        .join("assets/models/pose_landmark_heavy.tflite")
        .exists()
    {
        let output = pose_heavy(&[]);
        assert_clean_failure(&output, "pose_landmark_heavy.tflite not found");
        let text = stderr(&output);
        for place in [
            format!("{} (DRAPE_MODELS)", env_dir.path().display()),
            "(next to the binary)".to_string(),
            format!("{} (the source tree", root.join("assets/models").display()),
            "scripts/fetch-models.sh".to_string(),
            "--models-dir".to_string(),
        ] {
            assert!(text.contains(&place), "{place:?} in {text}");
        }
    }
    // A file there is the one read: this one is not the model, and the
    // checksum error names it.
    let fake = env_dir.path().join("pose_landmark_heavy.tflite");
    std::fs::write(&fake, b"not a model").unwrap();
    assert_clean_failure(&pose_heavy(&[]), &format!("{}: sha256", fake.display()));
    // --models-dir comes first.
    let given = given_dir.path().join("pose_landmark_heavy.tflite");
    std::fs::write(&given, b"not a model either").unwrap();
    let output = pose_heavy(&["--models-dir", given_dir.path().to_str().unwrap()]);
    assert_clean_failure(&output, &format!("{}: sha256", given.display()));
}

/// An OS error is said once: the message names the file and the cause, and
/// no "caused by:" line repeats it.
#[test]
fn an_os_error_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.png");
    let output = run(drape()
        .args(["render", "--no-tryon", "--input"])
        .arg(&missing));
    assert_clean_failure(&output, "nope.png");
    let text = stderr(&output);
    assert_eq!(
        text.matches("No such file or directory").count(),
        1,
        "{text}"
    );
    assert!(!text.contains("caused by"), "{text}");
}

/// "1 frame", not "1 frames"; `bench frame`'s last column is a ratio and
/// says so.
#[test]
fn counts_agree_with_their_nouns_and_the_ratio_column_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(drape()
        .args([
            "render",
            "--no-tryon",
            "--input",
            "synthetic",
            "--size",
            "16x12",
            "--frames",
            "1",
            "--output",
        ])
        .arg(dir.path().join("one.png")));
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("drape: 1 frame in") && !text.contains("1 frames"),
        "{text}"
    );

    use drape::app::bench::MediaPipeFigure;
    use drape::app::bench_frame::{FrameBench, FrameBenchRow};
    let table = FrameBench {
        rows: vec![FrameBenchRow {
            width: 640,
            height: 480,
            frames: 58,
            upload_ms: 1.0,
            pose_ms: 8.0,
            fit_ms: 0.1,
            deform_ms: 3.0,
            cloth_ms: 3.0,
            render_ms: 20.0,
            total_ms: 40.0,
            with_person: 50,
        }],
        adapter: "test".into(),
        executor: "CPU".into(),
        mediapipe: Some(MediaPipeFigure {
            median_ms: 10.0,
            source: "test".into(),
        }),
    }
    .to_string();
    let header = table
        .lines()
        .find(|l| l.trim_start().starts_with("size"))
        .unwrap();
    assert!(header.trim_end().ends_with("÷ MediaPipe"), "{table}");
    let row = table.lines().find(|l| l.contains("640x480")).unwrap();
    assert!(row.trim_end().ends_with("4.00"), "{table}");
}

/// Writes a `width`×`height` PNG of one colour.
fn write_png(path: &Path, width: u32, height: u32, shade: u8) {
    image::RgbImage::from_pixel(width, height, image::Rgb([shade, 90, 160]))
        .save(path)
        .unwrap();
}

/// A folder of unrelated photos of different sizes is a batch: each is
/// dressed at its own size (it used to fail at the second photo), and the
/// output pattern's folder is made. `--sequence` reads them as a video's
/// frames, which must share one size; numbered frames of one size are a
/// video without being told.
#[test]
fn a_folder_of_photos_is_a_batch_unless_it_is_a_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let photos = dir.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    let sizes = [(64, 48), (40, 56), (72, 40)];
    for (i, (name, (w, h))) in ["beach.png", "kitchen.png", "shop.jpg"]
        .iter()
        .zip(sizes)
        .enumerate()
    {
        write_png(&photos.join(name), w, h, 40 * i as u8);
    }
    let shots = dir.path().join("shots/today");
    let output = run(drape()
        .args(["render", "--input"])
        .arg(&photos)
        .arg("--output")
        .arg(shots.join("%04d.jpg")));
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("each a still at its own size"), "{text}");
    for (i, (w, h)) in sizes.iter().enumerate() {
        let shot = image::open(shots.join(format!("{i:04}.jpg"))).unwrap();
        assert_eq!((shot.width(), shot.height()), (*w, *h), "shot {i}");
    }

    let output = run(drape()
        .args(["render", "--no-tryon", "--sequence", "--input"])
        .arg(&photos)
        .arg("--output")
        .arg(dir.path().join("video")));
    assert_clean_failure(&output, "give --batch");

    let frames = dir.path().join("frames");
    std::fs::create_dir(&frames).unwrap();
    for i in 1..=3 {
        write_png(&frames.join(format!("take_{i:03}.png")), 32, 24, 10 * i);
    }
    let output = run(drape()
        .args(["render", "--no-tryon", "--input"])
        .arg(&frames)
        .arg("--output")
        .arg(dir.path().join("frames.y4m")));
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert!(!text.contains("each a still"), "read as a video: {text}");
}

/// Flags an input cannot honour are refused, not ignored; a frame rate
/// must be positive; a raw file that is not a whole number of frames is an
/// error after its whole frames, which stay written.
#[test]
fn input_flags_are_honoured_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let reel = root.join("assets/samples/sample_reel.y4m");
    let output = run(drape()
        .args(["render", "--no-tryon", "--size", "32x32", "--input"])
        .arg(&reel)
        .arg("--output")
        .arg(dir.path().join("a")));
    assert_clean_failure(&output, "--size 32x32 does not apply to");
    assert!(!dir.path().join("a").exists(), "nothing written");

    // synthetic takes its rate from --fps: the y4m says so.
    let y4m = dir.path().join("s.y4m");
    let output = run(drape()
        .args(["render", "--no-tryon", "--input", "synthetic"])
        .args([
            "--size", "16x16", "--fps", "12", "--frames", "2", "--output",
        ])
        .arg(&y4m));
    assert!(output.status.success(), "{}", stderr(&output));
    let header = std::fs::read(&y4m).unwrap();
    assert!(
        header.starts_with(b"YUV4MPEG2 W16 H16 F12:1 "),
        "{header:?}"
    );

    for fps in ["-5", "0", "fast"] {
        let output = run(drape().args(["render", "--input", "synthetic", "--fps", fps]));
        assert_eq!(output.status.code(), Some(2), "--fps {fps}");
        assert_clean_failure(&output, "expected a positive frame rate");
    }

    let raw = dir.path().join("frames.rgba");
    std::fs::write(&raw, noise_bytes(16 * 16 * 4 * 4 + 100, 3)).unwrap();
    let out = dir.path().join("raw");
    let output = run(drape()
        .args(["render", "--no-tryon", "--input-format", "rgba"])
        .args(["--size", "16x16", "--input"])
        .arg(&raw)
        .arg("--output")
        .arg(&out));
    assert_clean_failure(&output, "4 whole frames read, then 100 bytes left over");
    assert_eq!(png_files(&out).len(), 4);
}

/// Output paths are checked before any work: a folder named like a file,
/// a file named like a folder, a folder under a file, a read-only folder.
/// A missing folder for one file is made.
#[test]
fn output_paths_are_checked_first() {
    let dir = tempfile::tempdir().unwrap();
    let synthetic = |output: &Path| {
        let mut command = drape();
        command
            .args(["render", "--no-tryon", "--input", "synthetic"])
            .args(["--size", "16x12", "--frames", "1", "--output"])
            .arg(output);
        run(&mut command)
    };
    let folder = dir.path().join("clip.y4m");
    std::fs::create_dir(&folder).unwrap();
    assert_clean_failure(&synthetic(&folder), "is a folder, not a file");

    let file = dir.path().join("notes");
    std::fs::write(&file, b"").unwrap();
    let mut slash = file.clone().into_os_string();
    slash.push("/");
    assert_clean_failure(&synthetic(Path::new(&slash)), "is a file, not a folder");
    assert_clean_failure(&synthetic(&file.join("x.png")), "is a file");

    // Checked before the input is opened (or models loaded): the output
    // is what the error names.
    let output = run(drape()
        .args(["render", "--input"])
        .arg(dir.path().join("missing.png"))
        .arg("--output")
        .arg(file.join("shot.png")));
    assert_clean_failure(&output, "notes is a file");

    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let mut permissions = std::fs::metadata(&locked).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&locked, permissions).unwrap();
    assert_clean_failure(&synthetic(&locked.join("out/%03d.png")), "read-only");

    let deep = dir.path().join("new/deeper/shot.png");
    let output = synthetic(&deep);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(deep.is_file());
}

/// Runs drape under a file-size limit (`ulimit -f`, in 512-byte blocks)
/// with SIGXFSZ ignored, so a write past it fails as a full disk does.
fn drape_with_file_limit(blocks: u32, args: &[&str]) -> Output {
    run(Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_drape"))
        .args(args)
        .env_remove("RUST_LOG"))
}

/// A disk that fills while frames are written: a clear error naming the
/// file, and what was written stays whole (a y4m is cut back to its last
/// whole frame; image files are complete or absent). /dev/full too.
#[test]
fn a_full_disk_is_named_and_written_frames_stay_whole() {
    let dir = tempfile::tempdir().unwrap();
    let y4m = dir.path().join("long.y4m");
    let y4m_arg = y4m.to_str().unwrap();
    let output = drape_with_file_limit(
        40,
        &[
            "render",
            "--no-tryon",
            "--input",
            "synthetic",
            "--size",
            "16x16",
            "--frames",
            "1000",
            "--output",
            y4m_arg,
        ],
    );
    assert_clean_failure(&output, &format!("cannot write {y4m_arg}"));
    let text = stderr(&output);
    assert!(text.contains("whole"), "{text}");
    let mut source = Y4mSource::open(&y4m).unwrap();
    let mut frames = 0;
    while let Some(_frame) = source.next_frame().expect("only whole frames") {
        frames += 1;
    }
    assert!(frames > 10, "{frames} frames kept");
    assert!(
        text.contains(&format!("first {frames} frames")),
        "{frames}: {text}"
    );

    let out = dir.path().join("pngs");
    let output = drape_with_file_limit(
        1,
        &[
            "render",
            "--no-tryon",
            "--input",
            "synthetic",
            "--size",
            "640x480",
            "--frames",
            "5",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_clean_failure(&output, "cannot write");
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(path.extension().unwrap(), "png", "{}", path.display());
        image::open(&path).expect("a whole image");
    }

    if Path::new("/dev/full").exists() {
        let output = run(drape()
            .args([
                "render",
                "--no-tryon",
                "--input",
                "synthetic",
                "--size",
                "16x16",
            ])
            .args([
                "--frames",
                "50",
                "--output-format",
                "y4m",
                "--output",
                "/dev/full",
            ]));
        assert_clean_failure(&output, "cannot write /dev/full");
        assert!(
            stderr(&output).contains("disk is full"),
            "{}",
            stderr(&output)
        );
    }
}

/// A command reading drape's output that exits early (an ffmpeg that
/// died, a `head`): the summary names the pipe and says the rest was not
/// written.
#[test]
fn a_reader_that_exits_early_is_named() {
    let output = run(Command::new("sh")
        .arg("-c")
        .arg("\"$0\" render --no-tryon --input synthetic --size 64x48 --frames 2000 --output - | head -c 10000 > /dev/null")
        .arg(env!("CARGO_BIN_EXE_drape")));
    let text = stderr(&output);
    assert!(!text.contains("panicked"), "{text}");
    assert!(
        text.contains("the reader of stdout closed the pipe") && text.contains("not written"),
        "{text}"
    );
}

/// `--wear tee --wear jacket` wears the jacket alone (one garment per
/// body): it says so instead of dropping the tee silently.
#[test]
fn a_garment_that_replaces_another_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(drape()
        .args([
            "render",
            "--input",
            "synthetic",
            "--size",
            "64x48",
            "--frames",
            "1",
        ])
        .args(["--wear", "tee-indigo", "--wear", "jacket-charcoal"])
        .args(["--wear", "glasses-round", "--output"])
        .arg(dir.path().join("shot.png")));
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("warning: --wear jacket-charcoal replaces --wear tee-indigo"),
        "{text}"
    );
    assert!(!text.contains("replaces --wear jacket-charcoal"), "{text}");
    assert!(
        text.contains("wearing jacket-charcoal, glasses-round"),
        "{text}"
    );
}

/// Without a display, `run` says what to do; winit's source path stays
/// out of it.
#[test]
fn no_display_is_a_plain_message() {
    let output = run(drape()
        .args(["run", "--no-tryon", "--input", "synthetic"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET"));
    assert_clean_failure(&output, "no display: set DISPLAY");
    let text = stderr(&output);
    assert!(text.contains("drape render"), "{text}");
    assert!(!text.contains(".rs:"), "{text}");
}

/// A catalog edited while `render` reads a live source is reloaded, as
/// `run` does.
#[test]
fn render_from_a_live_source_reloads_an_edited_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let garments = dir.path().join("garments");
    copy_folder(&root.join("assets/garments"), &garments);
    let catalog = garments.join("catalog.toml");
    let out = dir.path().join("out");
    let child = drape()
        .args([
            "render",
            "--input",
            "synthetic",
            "--size",
            "64x48",
            "--catalog",
        ])
        .arg(&catalog)
        .arg("--output")
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let wait_for = |count: usize| {
        let started = std::time::Instant::now();
        while png_files(&out).len() < count {
            assert!(started.elapsed().as_secs() < 120, "no frames written");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    wait_for(2);
    let text = std::fs::read_to_string(&catalog).unwrap();
    std::fs::write(&catalog, text.replace("24.90", "19.90")).unwrap();
    // The catalog is looked at every half second or so.
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let seen = png_files(&out).len();
    wait_for(seen + 2);
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("reloaded"), "{text}");
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// ffmpeg dying mid-stream (killed, crashed): the render stops with an
/// error naming the video and ffmpeg's last words, and the frames written
/// before it are whole. A stand-in `ffmpeg` on PATH sends two frames and
/// kills itself.
#[test]
fn ffmpeg_dying_mid_stream_is_named_and_frames_stay_whole() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let fake = bin.join("ffmpeg");
    std::fs::write(
        &fake,
        "#!/bin/sh\n\
         case \"$*\" in *-version*) echo 'ffmpeg version stand-in'; exit 0;; esac\n\
         printf 'YUV4MPEG2 W8 H8 F10:1 Ip A1:1 C420jpeg\\n'\n\
         for i in 1 2; do printf 'FRAME\\n'; head -c 96 /dev/zero; done\n\
         echo 'stand-in ffmpeg: killed mid-stream' >&2\n\
         kill -9 $$\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let video = dir.path().join("talk.mp4");
    std::fs::write(&video, b"not read: the stand-in ignores it").unwrap();
    let out = dir.path().join("out");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = run(drape()
        .env("PATH", path)
        .args(["render", "--no-tryon", "--input"])
        .arg(&video)
        .arg("--output")
        .arg(&out));
    assert_clean_failure(&output, "talk.mp4");
    assert!(
        stderr(&output).contains("killed mid-stream"),
        "ffmpeg's message is passed on: {}",
        stderr(&output)
    );
    let files = png_files(&out);
    assert_eq!(files.len(), 2, "the frames before the death are written");
    for file in files {
        assert_eq!(image::open(&file).unwrap().width(), 8);
    }
}
