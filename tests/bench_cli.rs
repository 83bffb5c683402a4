//! `drape bench nn` end to end with its yardstick missing (drape's rows
//! alone, a note on stderr) and with a stand-in peer that speaks the
//! `--serve` protocol of scripts/bench_litert.py (TFLite's rows, the
//! ratios and their spreads).

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

fn bench_lite(python: &str) -> (String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_drape"))
        .args([
            "bench", "nn", "--models", "lite", "--runs", "2", "--rounds", "2", "--no-gpu",
        ])
        .env("DRAPE_LITERT_PYTHON", python)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    assert!(output.status.success(), "{stderr}");
    (stdout, stderr)
}

/// The numbers after the executor's name: median, p10, p90, GFLOP/s.
fn numbers(row: &str) -> Vec<f64> {
    let fields: Vec<&str> = row.split_whitespace().collect();
    fields[fields.len() - 4..]
        .iter()
        .map(|n| n.parse().unwrap())
        .collect()
}

#[test]
fn bench_nn_without_tflite_prints_drape_alone() {
    let (stdout, stderr) = bench_lite("/nonexistent/python3");
    assert!(stderr.contains("TFLite figures left out"), "{stderr}");
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("pose_landmark_lite.tflite"))
        .collect();
    assert_eq!(rows.len(), 2, "1 and 2 threads: {stdout}");
    for row in rows {
        assert!(row.contains("drape cpu"), "{row}");
        let [median, p10, p90, gflops] = numbers(row)[..] else {
            panic!("{row}")
        };
        assert!(
            0.0 < p10 && p10 <= median && median <= p90 && gflops > 0.0,
            "{row}"
        );
    }
    assert!(!stdout.contains("drape/TFLite"), "{stdout}");
}

/// A stand-in for Python running bench_litert.py --serve: every run takes
/// 1000 ms by its account, and it logs the requests it was sent.
const FAKE_PEER: &str = r#"#!/bin/sh
echo '{"ready": true, "peer": "stand-in 1.0"}'
while read -r cmd model threads n; do
  [ "$cmd" = quit ] && exit 0
  echo "$cmd $model $threads $n" >> "$0.log"
  printf '{"times_ms": ['
  i=1
  while [ "$i" -lt "$n" ]; do printf '1000.0, '; i=$((i + 1)); done
  printf '1000.0]}\n'
done
"#;

#[test]
fn bench_nn_alternates_with_the_peer_and_prints_ratios() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("python");
    std::fs::write(&fake, FAKE_PEER).unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (stdout, _) = bench_lite(fake.to_str().unwrap());
    let log = std::fs::read_to_string(dir.path().join("python.log")).unwrap();
    // Two rounds per thread count, `--runs` inferences each.
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "run lite 1 2",
            "run lite 1 2",
            "run lite 2 2",
            "run lite 2 2"
        ]
    );
    assert!(stdout.contains("TFLite: stand-in 1.0"), "{stdout}");
    let peer_rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("pose_landmark_lite.tflite") && l.contains("TFLite"))
        .collect();
    assert_eq!(peer_rows.len(), 2, "{stdout}");
    for row in peer_rows {
        assert_eq!(numbers(row)[..3], [1000.0, 1000.0, 1000.0], "{row}");
    }
    // drape's lite takes well under a second: its ratio is its median
    // over 1000 ms.
    let ratios: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("drape/TFLite"))
        .skip(1)
        .collect();
    assert_eq!(ratios.len(), 2, "{stdout}");
    for (threads, line) in ratios.iter().enumerate() {
        let drape_median = stdout
            .lines()
            .find(|l| l.contains(&format!("drape cpu, {} thread(s)", threads + 1)))
            .map(|row| numbers(row)[0])
            .unwrap();
        let fields: Vec<&str> = line.split_whitespace().collect();
        let ratio: f64 = fields[3].parse().unwrap();
        assert!((ratio - drape_median / 1000.0).abs() < 0.006, "{line}");
    }
}
