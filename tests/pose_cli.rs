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

#[test]
fn pose_with_a_bad_model_choice_is_a_clear_error() {
    let output = drape()
        .args([
            "pose",
            "--model",
            "detector",
            "--input",
            "synthetic",
            "--frames",
            "1",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        text.contains("lite, full or heavy") && !text.contains("panicked"),
        "{text}"
    );
}

#[test]
fn bench_pose_prints_every_stage_and_the_ratio() {
    let output = drape()
        .args(["bench", "pose", "--passes", "1", "--nn", "cpu"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for stage in [
        "upload",
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
