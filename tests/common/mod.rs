//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod chromium;
pub mod gltf;
pub mod golden;
pub mod http;
pub mod qr;
pub mod redis;
pub mod serve;
pub mod sources;
pub mod xvfb;

use drape::capture::{Frame, PixelFormat};
use drape::GpuContext;

/// The GPU the tests run on: lavapipe on CI, whatever is there elsewhere.
pub fn gpu() -> GpuContext {
    GpuContext::headless().expect(
        "tests need a GPU adapter; on Debian: apt-get install mesa-vulkan-drivers libvulkan1",
    )
}

/// A deterministic pseudo-random byte stream (xorshift), so failures
/// reproduce.
pub fn noise_bytes(len: usize, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect()
}

/// A frame of `format` filled with noise.
pub fn noise_frame(format: PixelFormat, width: u32, height: u32, seed: u32) -> Frame {
    let data = noise_bytes(format.frame_len(width, height), seed);
    Frame::new(data, format, width, height).expect("noise frame has the right length")
}

/// The largest per-channel difference between two byte slices.
pub fn max_abs_diff(a: &[u8], b: &[u8]) -> u8 {
    assert_eq!(a.len(), b.len(), "compared buffers differ in length");
    a.iter()
        .zip(b)
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap_or(0)
}

/// Mirrors tightly packed RGBA rows left–right.
pub fn mirror_rgba(rgba: &[u8], width: u32) -> Vec<u8> {
    rgba.chunks_exact(width as usize * 4)
        .flat_map(|row| {
            row.chunks_exact(4)
                .rev()
                .flatten()
                .copied()
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Sends a running child SIGINT, as Ctrl-C in its terminal would.
pub fn interrupt(child: &std::process::Child) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -INT {}", child.id());
}
