//! `drape bench soak`: the whole try-on on a looped clip for a long time,
//! reporting resident memory, GPU memory and frame time at intervals, so a
//! kiosk's or a show's day can be checked in advance: memory and frame time
//! must stay flat.

use std::time::{Duration, Instant};

use crate::capture::Frame;
use crate::gpu::GpuContext;
use crate::tryon::{TryOn, TryOnConfig};
use crate::{Mirror, MirrorConfig, Result};

/// One interval's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct SoakReport {
    /// Since the start.
    pub elapsed: Duration,
    /// Frames since the start.
    pub frames: u64,
    /// The interval's median frame time, in milliseconds.
    pub median_frame_ms: f64,
    /// The interval's slowest frame time, in milliseconds.
    pub slowest_frame_ms: f64,
    /// The process's resident memory (Linux), bytes.
    pub resident_bytes: Option<u64>,
    /// What wgpu has allocated for buffers and textures, in bytes (from
    /// its internal counters).
    pub gpu_memory_bytes: u64,
    /// wgpu's count of live buffers.
    pub gpu_buffers: isize,
    /// wgpu's count of live bind groups.
    pub gpu_bind_groups: isize,
}

impl std::fmt::Display for SoakReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mb = |bytes: u64| bytes as f64 / (1 << 20) as f64;
        write!(
            f,
            "{:>8.1} min {:>8} frames  frame {:>6.2} ms (slowest {:>7.2})  resident {}  GPU {:>7.1} MB ({} buffers, {} bind groups)",
            self.elapsed.as_secs_f64() / 60.0,
            self.frames,
            self.median_frame_ms,
            self.slowest_frame_ms,
            self.resident_bytes
                .map_or("n/a".to_owned(), |b| format!("{:>7.1} MB", mb(b))),
            mb(self.gpu_memory_bytes),
            self.gpu_buffers,
            self.gpu_bind_groups,
        )
    }
}

/// The process's resident memory from /proc (Linux); `None` elsewhere.
pub fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs the try-on of `config` on `clip` (looped, its timestamps carried
/// on, mirrored like a mirror) until `duration` has passed, calling
/// `report` every `every` and once at the end. Each frame is read back to
/// the CPU, as a sink would. An empty clip returns no reports at once.
pub fn soak(
    gpu: &GpuContext,
    config: &TryOnConfig,
    clip: &[Frame],
    duration: Duration,
    every: Duration,
    mut report: impl FnMut(&SoakReport),
) -> Result<Vec<SoakReport>> {
    // Nothing to loop: the lap iterator below would never yield.
    if clip.is_empty() {
        return Ok(Vec::new());
    }
    let mut mirror = Mirror::new(gpu, MirrorConfig { mirror: true });
    mirror.set_tryon(Some(TryOn::new(gpu, config.clone())?));
    let clip_span = clip
        .last()
        .map_or(Duration::ZERO, |f| f.timestamp + Duration::from_millis(33));
    let started = Instant::now();
    let mut next_report = every;
    let mut times_ms = Vec::new();
    let mut reports = Vec::new();
    let mut frames = 0u64;
    for (lap, frame) in (0u32..).flat_map(|lap| clip.iter().map(move |f| (lap, f))) {
        let looped = frame
            .clone()
            .with_timestamp(frame.timestamp + clip_span * lap, frames);
        let clock = Instant::now();
        mirror.process_to_cpu(&looped)?;
        times_ms.push(clock.elapsed().as_secs_f64() * 1e3);
        frames += 1;
        let elapsed = started.elapsed();
        let done = elapsed >= duration;
        if elapsed >= next_report || done {
            let entry = figures(gpu, elapsed, frames, &mut times_ms);
            report(&entry);
            reports.push(entry);
            next_report += every;
        }
        if done {
            break;
        }
    }
    Ok(reports)
}

fn figures(
    gpu: &GpuContext,
    elapsed: Duration,
    frames: u64,
    times_ms: &mut Vec<f64>,
) -> SoakReport {
    times_ms.sort_by(f64::total_cmp);
    let median_frame_ms = times_ms.get(times_ms.len() / 2).copied().unwrap_or(0.0);
    let slowest_frame_ms = times_ms.last().copied().unwrap_or(0.0);
    times_ms.clear();
    let counters = gpu.device.get_internal_counters().hal;
    SoakReport {
        elapsed,
        frames,
        median_frame_ms,
        slowest_frame_ms,
        resident_bytes: resident_memory_bytes(),
        gpu_memory_bytes: (counters.buffer_memory.read() + counters.texture_memory.read()).max(0)
            as u64,
        gpu_buffers: counters.buffers.read(),
        gpu_bind_groups: counters.bind_groups.read(),
    }
}
