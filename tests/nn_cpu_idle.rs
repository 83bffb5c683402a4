//! Between camera frames the CPU executor's threads leave the cores
//! alone: after inferences on two threads, the process uses almost no CPU
//! time over an idle second. (The only test in this binary, so that no
//! other test's work is counted.)

use std::time::Duration;

use drape::nn::cpu::CpuExecutor;
use drape::nn::models::PoseModel;

/// User plus system CPU time of the whole process (all threads), in ms,
/// from /proc/self/stat (clock ticks of 10 ms).
#[cfg(target_os = "linux")]
fn process_cpu_ms() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the parenthesised name: state is field 3, utime 14 and
    // stime 15 (1-based).
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks * 10
}

#[cfg(target_os = "linux")]
#[test]
fn threads_use_no_cpu_between_inferences() {
    let model = PoseModel::LandmarkLite.load().unwrap();
    let input = vec![0.5; model.tensors[model.inputs[0]].len()];
    let mut exec = CpuExecutor::new(&model, 2).unwrap();
    for _ in 0..5 {
        exec.run(&[&input]).unwrap();
    }
    let before_ms = process_cpu_ms();
    std::thread::sleep(Duration::from_secs(1));
    let idle_ms = process_cpu_ms() - before_ms;
    assert!(
        idle_ms < 20,
        "{idle_ms} ms of CPU time over an idle second after the inferences"
    );
}
