//! `drape bench jitter` end to end without MediaPipe: drape's rows
//! (MediaPipe's filter, the steady one, none) on a short clip, and a note
//! on stderr saying why MediaPipe's are missing.

use std::process::Command;

#[test]
fn bench_jitter_without_mediapipe_prints_drape_rows() {
    let runtime = std::env::temp_dir().join("drape-test-xdg");
    std::fs::create_dir_all(&runtime).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_drape"))
        .args(["bench", "jitter", "--frames", "20", "--models", "lite"])
        .env("DRAPE_MEDIAPIPE_PYTHON", "/nonexistent/python")
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("MediaPipe not run: cannot run /nonexistent/python"),
        "{stderr}"
    );
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .filter(|l| l.starts_with("| drape") || l.starts_with("| MediaPipe"))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    let names: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(
        names,
        ["drape lite", "drape lite, steady", "drape lite, unsmoothed"],
        "{stdout}"
    );
    for row in &rows {
        // Plausible pixels and frames: the person is about 400 px tall.
        let figures: Vec<f64> = row[1..5].iter().map(|c| c.parse().unwrap()).collect();
        let [rms, p95, lag, error] = figures[..] else {
            unreachable!()
        };
        assert!(rms > 0.0 && rms < 20.0, "{row:?}");
        assert!(p95 > 0.0 && p95 < 50.0, "{row:?}");
        assert!((-2.0..=8.0).contains(&lag), "{row:?}");
        assert!(error > 0.0 && error < 30.0, "{row:?}");
        assert_eq!(row[5], "20, 20 of 20", "{row:?}");
    }
    // Smoothing takes jitter away, and steady smoothing more of it.
    let rms = |row: &Vec<&str>| row[1].parse::<f64>().unwrap();
    assert!(rms(&rows[0]) < rms(&rows[2]), "{stdout}");
    assert!(rms(&rows[1]) < rms(&rows[0]), "{stdout}");
}
