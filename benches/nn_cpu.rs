//! The CPU executor on the bundled pose models (detector and lite
//! landmarks), on one and two threads.
//!
//! `cargo bench --bench nn_cpu`. `drape bench nn` compares with TFLite and
//! the GPU executor; this is the quick loop for kernel work.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use drape::nn::cpu::CpuExecutor;
use drape::nn::models::PoseModel;

fn models(c: &mut Criterion) {
    let mut group = c.benchmark_group("nn_cpu");
    for kind in [PoseModel::Detector, PoseModel::LandmarkLite] {
        let model = match kind.load() {
            Ok(model) => model,
            Err(e) => {
                eprintln!("skipping {}: {e}", kind.file_name());
                continue;
            }
        };
        let input_len = model.tensors[model.inputs[0]].len();
        let input: Vec<f32> = (0..input_len)
            .map(|i| (i % 255) as f32 / 127.5 - 1.0)
            .collect();
        for threads in [1, 2] {
            let mut exec = CpuExecutor::new(&model, threads).expect("the bundled models build");
            group.bench_with_input(
                BenchmarkId::new(kind.file_name(), threads),
                &input,
                |b, input| b.iter(|| exec.run(&[input]).expect("inference runs")),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, models);
criterion_main!(benches);
