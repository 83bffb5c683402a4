//! Bad input and messages: clear errors for missing or corrupt inputs, no
//! display, no adapter, missing models, and wording that reads right.

use std::path::PathBuf;

use crate::common::noise_bytes;
use crate::{assert_clean_failure, drape, render, run, stderr};

#[test]
fn bad_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.png");
    let output = run(&mut render(&missing));
    assert_clean_failure(&output, "nope.png");

    let corrupt = dir.path().join("corrupt.png");
    std::fs::write(&corrupt, b"\x89PNG\r\n\x1a\nthis is not a png").unwrap();
    let output = run(&mut render(&corrupt));
    assert_clean_failure(&output, "corrupt.png");

    let output = run(render("-").args(["--input-format", "argb"]));
    assert_clean_failure(&output, "unknown pixel format");

    let output = run(render("-").args(["--input-format", "rgba"]));
    assert_clean_failure(&output, "--size");

    let output = run(drape().args(["render", "--no-tryon", "--camera", "7"]));
    assert_clean_failure(&output, "camera 7");

    let output = run(render("synthetic")
        .args(["--output", "x.png", "--frames", "2"])
        .current_dir(dir.path()));
    assert_clean_failure(&output, "one image");
    assert!(dir.path().join("x.png").exists(), "the first frame is kept");

    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, noise_bytes(4096, 9)).unwrap();
    let output = run(&mut render(&garbage));
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
fn no_adapter_says_what_to_install() {
    // No Metal on Linux: wgpu finds nothing, as on a machine without drivers.
    let output = run(render("synthetic")
        .args(["--frames", "1", "--output", "-"])
        .env("WGPU_BACKEND", "metal"));
    assert_clean_failure(&output, "mesa-vulkan-drivers");
    assert_clean_failure(&output, "WGPU_BACKEND=gl");

    let output = run(render("synthetic")
        .args(["--frames", "1", "--output", "-"])
        .env("WGPU_ADAPTER_NAME", "no such gpu"));
    assert_clean_failure(&output, "matches no adapter");
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
    let output = run(&mut render(&missing));
    assert_clean_failure(&output, "nope.png");
    let text = stderr(&output);
    assert_eq!(
        text.matches("No such file or directory").count(),
        1,
        "{text}"
    );
    assert!(!text.contains("caused by"), "{text}");
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

/// "1 frame", not "1 frames"; `bench frame`'s last column is a ratio and
/// says so.
#[test]
fn counts_agree_with_their_nouns_and_the_ratio_column_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(render("synthetic")
        .args(["--size", "16x12", "--frames", "1", "--output"])
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
            quality: drape::tryon::Quality::Full,
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
