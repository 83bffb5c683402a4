//! The `drape` binary end to end: real files and pipes in, files and pipes
//! out, and every kind of bad input giving a clear error and no panic.
//!
//! Shared helpers live here; the tests are split by theme:
//! - `inputs`: sources (y4m, raw, video, folders of photos) and input flags;
//! - `outputs`: output paths, pipes, Ctrl-C and full disks;
//! - `tryon`: garments, catalogs and `--wear`;
//! - `errors`: bad input, missing devices and models, and message wording.

#[path = "../common/mod.rs"]
mod common;

mod errors;
mod inputs;
mod outputs;
mod tryon;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use common::noise_bytes;
use drape::capture::y4m::Y4mHeader;
use drape::capture::{ColorRange, PixelFormat};

fn drape() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_drape"));
    command.env_remove("RUST_LOG");
    command
}

/// `drape render --no-tryon --input <input>` (a path, `-` or `synthetic`):
/// the source alone, no garments; the test adds the rest.
fn render(input: impl AsRef<OsStr>) -> Command {
    let mut command = drape();
    command.args(["render", "--no-tryon", "--input"]).arg(input);
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("drape runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Fails unless the run failed cleanly: non-zero exit, no panic, and a
/// message that contains `needle`.
fn assert_clean_failure(output: &Output, needle: &str) {
    let text = stderr(output);
    assert!(!output.status.success(), "should fail: {text}");
    assert!(!text.contains("panicked"), "panicked: {text}");
    assert!(text.contains(needle), "expected {needle:?} in: {text}");
}

/// Waits until a running drape has written `count` files into `dir`;
/// fails after `limit_s` seconds.
fn wait_for_files(dir: &Path, count: usize, limit_s: u64) {
    let started = Instant::now();
    while png_files(dir).len() < count {
        assert!(started.elapsed().as_secs() < limit_s, "no frames written");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Stops a running drape as Ctrl-C does (SIGINT) and returns its stderr;
/// fails unless it then exits with success.
fn ctrl_c(child: Child) -> String {
    common::interrupt(&child);
    let output = child.wait_with_output().unwrap();
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    text
}

/// Writes a 4:2:0 y4m with noise frames; returns the frames' bytes.
fn write_y4m(path: &Path, width: u32, height: u32, frames: u32) -> Vec<Vec<u8>> {
    let header = Y4mHeader {
        width,
        height,
        fps_num: 25,
        fps_den: 1,
        format: PixelFormat::I420,
        range: ColorRange::Limited,
    };
    let mut bytes = header.to_line().into_bytes();
    let mut planes = Vec::new();
    for i in 0..frames {
        let frame = noise_bytes(PixelFormat::I420.frame_len(width, height), 7 + i);
        bytes.extend_from_slice(b"FRAME\n");
        bytes.extend_from_slice(&frame);
        planes.push(frame);
    }
    std::fs::write(path, bytes).unwrap();
    planes
}

fn png_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}
