//! 01 — the pipeline in ten lines: a source, the mirror, a sink.
//!
//! Reads any input drape understands (the bundled clip by default), runs
//! every frame through the GPU (upload, pixel-format conversion, mirroring)
//! and writes PNGs.
//!
//! ```sh
//! cargo run --release --example 01_passthrough -- [INPUT] [OUTPUT_FOLDER]
//! ```

use drape::capture::{open_source, InputOptions, SourceSpec};
use drape::output::{open_sink, SinkOptions, SinkSpec};
use drape::{GpuContext, Mirror, MirrorConfig};

fn main() -> drape::Result<()> {
    let mut args = std::env::args().skip(1);
    let input = args
        .next()
        .unwrap_or("assets/samples/sample_reel.y4m".into());
    let output = args.next().unwrap_or("out/passthrough".into());

    // The GPU: lavapipe on a machine without one; WGPU_BACKEND and
    // WGPU_ADAPTER_NAME choose another.
    let gpu = GpuContext::headless()?;
    // A source from what a user would type after --input.
    let options = InputOptions::default();
    let mut source = open_source(&SourceSpec::parse(&input, &options)?, &options)?;
    let info = source.info().clone();
    // A sink from what a user would type after --output.
    let sink_options = SinkOptions {
        fps: info.fps.unwrap_or(30.0),
        frame_count: info.frame_count,
    };
    let mut sink = open_sink(&SinkSpec::parse(&output, None)?, &sink_options)?;
    // The mirror owns the GPU resources; each frame only encodes work.
    let mut mirror = Mirror::new(&gpu, MirrorConfig { mirror: true });
    while let Some(frame) = source.next_frame()? {
        sink.write_frame(&mirror.process_to_cpu(&frame)?)?;
    }
    sink.finish()?;
    println!("{} → {}", info.description, sink.description());
    Ok(())
}
