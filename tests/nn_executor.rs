//! The executor choice and `drape bench nn` end to end.

mod common;

use std::process::Command;

use drape::nn::models::PoseModel;
use drape::nn::{Backend, Executor};

#[test]
fn auto_picks_the_cpu_on_a_software_adapter_and_both_agree() {
    let gpu = common::gpu();
    let model = PoseModel::Detector
        .load()
        .expect("the detector is in the repository");
    let auto = Executor::new(&gpu, &model, Backend::Auto, 1).unwrap();
    let expected = if gpu.is_software() {
        Backend::Cpu
    } else {
        Backend::Gpu
    };
    assert_eq!(auto.backend(), expected, "adapter {}", gpu.info.name);

    let input: Vec<f32> = (0..224 * 224 * 3)
        .map(|i| (i % 97) as f32 / 48.5 - 1.0)
        .collect();
    let mut cpu = Executor::new(&gpu, &model, Backend::Cpu, 1).unwrap();
    let mut on_gpu = Executor::new(&gpu, &model, Backend::Gpu, 1).unwrap();
    cpu.run(&[&input]).unwrap();
    on_gpu.run(&[&input]).unwrap();
    for index in 0..2 {
        let (a, b) = (cpu.output(index).unwrap(), on_gpu.output(index).unwrap());
        assert_eq!(a.len(), b.len());
        let range = a.iter().fold(0f32, |m, v| m.max(v.abs())).max(1.0);
        let worst = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0f32, f32::max);
        // Whole-network tolerance: 1e-4 of the output's range (long sums
        // run in another order on each side).
        assert!(
            worst <= 1e-4 * range,
            "output {index}: max diff {worst} (range {range})"
        );
    }
    assert!("GPU".parse::<Backend>() == Ok(Backend::Gpu));
    assert!("tpu".parse::<Backend>().is_err());
}

#[test]
fn bench_nn_prints_the_table() {
    let output = Command::new(env!("CARGO_BIN_EXE_drape"))
        .args([
            "bench",
            "nn",
            "--models",
            "lite",
            "--runs",
            "2",
            "--no-gpu",
            "--no-tflite",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("pose_landmark_lite.tflite"))
        .collect();
    assert_eq!(rows.len(), 2, "1 and 2 threads: {stdout}");
    for row in rows {
        let numbers: Vec<f64> = row
            .split_whitespace()
            .rev()
            .take(2)
            .map(|n| n.parse().expect("ms and GFLOP/s are numbers"))
            .collect();
        assert!(numbers.iter().all(|n| *n > 0.0), "{row}");
    }
}
