//! The frame pipeline's fixed costs at 1280×720: uploading and converting a
//! camera frame on the GPU, reading a frame back, and the CPU reference
//! conversion for scale.
//!
//! `cargo bench --bench frame_pipeline`. On a software GPU (lavapipe) the
//! GPU figures are CPU time too; say which adapter gave a number (printed
//! first).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use drape::capture::{Frame, PixelFormat};
use drape::gpu::TextureReadback;
use drape::upload::{cpu, FrameUploader, UploadOptions};
use drape::GpuContext;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;

fn frame(format: PixelFormat) -> Frame {
    let data = (0..format.frame_len(WIDTH, HEIGHT))
        .map(|i| (i * 31 % 251) as u8)
        .collect();
    Frame::new(data, format, WIDTH, HEIGHT).expect("bench frame has the right length")
}

fn upload(c: &mut Criterion) {
    let gpu = match GpuContext::headless() {
        Ok(gpu) => gpu,
        Err(e) => {
            eprintln!("skipping GPU benches: {e}");
            return;
        }
    };
    eprintln!("adapter: {} ({:?})", gpu.info.name, gpu.info.backend);
    let mut uploader = FrameUploader::new(&gpu);
    let options = UploadOptions { mirror: true };
    let mut group = c.benchmark_group("upload_convert_720p");
    group.throughput(Throughput::Elements((WIDTH * HEIGHT) as u64));
    for format in [
        PixelFormat::Yuyv,
        PixelFormat::Nv12,
        PixelFormat::Rgb8,
        PixelFormat::Rgba8,
    ] {
        let frame = frame(format);
        group.bench_with_input(BenchmarkId::from_parameter(format), &frame, |b, frame| {
            b.iter(|| {
                uploader.upload(&gpu, frame, &options).expect("upload");
                gpu.wait_idle().expect("GPU finishes");
            })
        });
    }
    group.finish();

    let texture = uploader
        .upload(&gpu, &frame(PixelFormat::Rgba8), &options)
        .expect("upload");
    let mut readback = TextureReadback::new();
    let mut rgba = Vec::new();
    c.bench_function("readback_720p", |b| {
        b.iter(|| {
            readback
                .read_into(&gpu, &texture, &mut rgba)
                .expect("readback")
        })
    });
}

fn cpu_reference(c: &mut Criterion) {
    let frame = frame(PixelFormat::Nv12);
    c.bench_function("cpu_reference_convert_720p/nv12", |b| {
        b.iter(|| cpu::convert_to_rgba(&frame, true))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = upload, cpu_reference
}
criterion_main!(benches);
