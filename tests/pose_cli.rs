//! `drape pose` end to end: JSON lines that match MediaPipe on a photo, a
//! clip with one line a frame, and clear errors.

use std::path::PathBuf;
use std::process::Command;

fn drape() -> Command {
    Command::new(env!("CARGO_BIN_EXE_drape"))
}

fn reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference")
}

#[test]
fn pose_on_a_photo_matches_mediapipe() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("poses.jsonl");
    let status = drape()
        .args(["pose", "--static", "--input"])
        .arg(reference().join("media/grace_hopper.png"))
        .arg("--output")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["pose_found"], true);

    let reference_json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(reference().join("ref/static.json")).unwrap(),
    )
    .unwrap();
    let image = reference_json["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "grace_hopper")
        .unwrap();
    let expected = image["runs"]["c0"]["landmarks"].as_array().unwrap();
    let ours = lines[0]["landmarks"].as_array().unwrap();
    assert_eq!(ours.len(), 33);
    for (i, (a, b)) in ours.iter().zip(expected).enumerate() {
        let (a, b) = (a.as_array().unwrap(), b.as_array().unwrap());
        if b[3].as_f64().unwrap() > 0.5 {
            for axis in 0..2 {
                let diff = (a[axis].as_f64().unwrap() - b[axis].as_f64().unwrap()).abs();
                assert!(diff < 0.005, "landmark {i} axis {axis} off by {diff}");
            }
        }
    }
    assert!(lines[0]["world_landmarks"].as_array().unwrap().len() == 33);
    assert!(lines[0]["roi"]["width"].as_f64().unwrap() > 0.0);
}

#[test]
fn pose_on_a_clip_writes_a_line_a_frame() {
    let output = drape()
        .args([
            "pose",
            "--input",
            "synthetic",
            "--size",
            "64x48",
            "--frames",
            "3",
            "--output",
            "-",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let frames: Vec<u64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["frame"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(frames, [0, 1, 2]);
    assert!(
        text.lines().all(|l| l.contains("\"pose_found\":false")),
        "no one in a test pattern"
    );
}

/// The detector finds no landmarks: no command that needs a landmark
/// model offers it (it used to be offered and fail with a shape error),
/// while `bench nn`, which times every network, still does.
#[test]
fn only_landmark_models_are_offered_where_landmarks_are_needed() {
    let commands: [&[&str]; 5] = [
        &["pose", "--model", "detector", "--input", "synthetic"],
        &["render", "--pose-model", "detector", "--input", "synthetic"],
        &["run", "--pose-model", "detector", "--input", "synthetic"],
        &["bench", "pose", "--model", "detector", "--passes", "1"],
        &[
            "bench",
            "frame",
            "--pose-model",
            "detector",
            "--passes",
            "1",
        ],
    ];
    for args in commands {
        let output = drape().args(args).output().unwrap();
        let text = String::from_utf8_lossy(&output.stderr);
        // 2: clap's usage error, before any work.
        assert_eq!(output.status.code(), Some(2), "{args:?}: {text}");
        assert!(
            text.contains("[possible values: lite, full, heavy]") && !text.contains("panicked"),
            "{args:?}: {text}"
        );
    }
    let help = drape().args(["bench", "nn", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("[possible values: detector, lite, full, heavy]"),
        "{help}"
    );
}

/// The full landmark model is in the repository, as the README says; only
/// heavy is fetched, and the help says so.
#[test]
fn the_full_model_is_bundled_and_heavy_is_fetched() {
    use drape::nn::models::PoseModel;
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/models");
    for model in PoseModel::ALL {
        if model.is_bundled() {
            assert!(
                repo.join(model.file_name()).is_file(),
                "{} is said to be bundled",
                model.file_name()
            );
        }
    }
    assert!(PoseModel::LandmarkFull.is_bundled());
    assert!(!PoseModel::LandmarkHeavy.is_bundled());
    let help = drape().args(["pose", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("heavy: fetch it") && !help.contains("full and heavy: fetch"),
        "{help}"
    );
}

#[test]
fn bench_pose_prints_every_stage_and_the_ratio() {
    let output = drape()
        .args([
            "bench",
            "pose",
            "--passes",
            "1",
            "--nn",
            "cpu",
            "--no-mediapipe",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for stage in [
        "frame to RGBA",
        "crop",
        "landmark model",
        "decode",
        "mask",
        "total",
    ] {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(stage))
            .unwrap_or_else(|| panic!("no {stage} line in {text}"));
        let ms: f64 = line.split_whitespace().last().unwrap().parse().unwrap();
        assert!(ms >= 0.0, "{line}");
    }
    assert!(text.contains("drape/MediaPipe"), "{text}");
}

#[test]
fn pose_draw_writes_the_frame_with_the_body_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let (out, frames) = (dir.path().join("p.jsonl"), dir.path().join("frames"));
    let input = reference().join("media/astronaut.png");
    let output = drape()
        .args(["pose", "--quiet", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&out)
        .arg("--draw")
        .arg(&frames)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&out).unwrap().trim()).unwrap();
    assert_eq!(line["pose_found"], true);

    let original = image::open(&input).unwrap().into_rgba8();
    let drawn = image::open(frames.join("frame_000000.png"))
        .unwrap()
        .into_rgba8();
    assert_eq!(drawn.dimensions(), original.dimensions());
    assert_ne!(drawn, original, "nothing was drawn");
    assert!(
        !frames.join("frame_000001.png").exists(),
        "one image, one frame"
    );

    let nose = line["landmarks"][0].as_array().unwrap();
    let (x, y) = (nose[0].as_f64().unwrap(), nose[1].as_f64().unwrap());
    let (w, h) = original.dimensions();
    let (px, py) = ((x * w as f64) as u32, (y * h as f64) as u32);
    assert_ne!(
        drawn.get_pixel(px, py).0[..3],
        original.get_pixel(px, py).0[..3],
        "the nose at ({px}, {py}) is not drawn"
    );
}

#[test]
fn pose_draw_into_a_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not_a_folder");
    std::fs::write(&file, b"x").unwrap();
    let output = drape()
        .args(["pose", "--quiet", "--input"])
        .arg(reference().join("media/astronaut.png"))
        .arg("--output")
        .arg(dir.path().join("p.jsonl"))
        .arg("--draw")
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        text.contains("not a folder") && !text.contains("panicked"),
        "{text}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"x", "the file is untouched");
}
