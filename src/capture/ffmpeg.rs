//! `FfmpegSource`: any video ffmpeg can decode (mp4, mkv, webm, ...), read as
//! y4m from a child `ffmpeg` process. drape links no codec itself.

use std::ffi::OsString;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::thread::JoinHandle;

use super::{CaptureError, Frame, FrameSource, SourceInfo, Y4mSource};

/// How much of ffmpeg's stderr is kept for error messages; the rest is read
/// and thrown away so that ffmpeg never blocks on a full pipe.
const MAX_STDERR: usize = 64 << 10;

/// Whether an `ffmpeg` that runs is on PATH.
pub fn ffmpeg_available() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// A video file decoded by `ffmpeg -f yuv4mpegpipe -pix_fmt yuv420p`, so
/// frames are `I420`. The child is killed when the source is dropped.
pub struct FfmpegSource {
    inner: Y4mSource,
    child: Child,
    stderr: Option<JoinHandle<Vec<u8>>>,
    path: PathBuf,
    /// The child has been waited for.
    finished: bool,
}

impl FfmpegSource {
    /// Same as [`ffmpeg_available`].
    pub fn available() -> bool {
        ffmpeg_available()
    }

    /// Starts ffmpeg on `path` and reads the y4m header it sends, so a file
    /// ffmpeg cannot read fails here with ffmpeg's own message.
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        std::fs::metadata(path).map_err(|e| CaptureError::io(path, e))?;
        // `file:` keeps a name like `rtmp:x.mp4` or `-x.mp4` a local file.
        let mut input = OsString::from("file:");
        input.push(path.as_os_str());
        tracing::debug!("starting ffmpeg to decode {}", path.display());
        let mut child = Command::new("ffmpeg")
            .args(["-nostdin", "-nostats", "-v", "error", "-i"])
            .arg(&input)
            .args(["-f", "yuv4mpegpipe", "-pix_fmt", "yuv420p", "-"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                ErrorKind::NotFound => CaptureError::FfmpegMissing {
                    path: path.to_path_buf(),
                },
                _ => CaptureError::Ffmpeg {
                    path: path.to_path_buf(),
                    message: format!("cannot start ffmpeg: {e}"),
                },
            })?;
        let stderr = child.stderr.take().and_then(collect_stderr);
        let Some(stdout) = child.stdout.take() else {
            // Unreachable with `Stdio::piped()`, but not worth a panic.
            let _ = child.kill();
            let _ = child.wait();
            return Err(CaptureError::Ffmpeg {
                path: path.to_path_buf(),
                message: "ffmpeg's output pipe is missing".into(),
            });
        };
        match Y4mSource::from_reader(Box::new(stdout), path.display().to_string()) {
            Ok(mut inner) => {
                inner.set_description(format!("video {} (ffmpeg)", path.display()));
                Ok(FfmpegSource {
                    inner,
                    child,
                    stderr,
                    path: path.to_path_buf(),
                    finished: false,
                })
            }
            Err(error) => {
                // No header: ffmpeg has failed (its stdout is closed) and its
                // stderr says why better than the y4m parser can.
                let _ = child.kill();
                let status = child.wait();
                let message = stderr_text(stderr);
                let message = match (message.is_empty(), status) {
                    (false, _) => message,
                    (true, Ok(status)) if !status.success() => {
                        format!("ffmpeg exited with {status} and no message")
                    }
                    (true, _) => error.to_string(),
                };
                Err(CaptureError::Ffmpeg {
                    path: path.to_path_buf(),
                    message,
                })
            }
        }
    }

    /// Called once the y4m stream has ended or failed: reaps the child and,
    /// if ffmpeg failed, turns `result` into ffmpeg's own error.
    fn finish(
        &mut self,
        result: Result<Option<Frame>, CaptureError>,
    ) -> Result<Option<Frame>, CaptureError> {
        self.finished = true;
        if result.is_err() {
            // ffmpeg may still be writing (a desynced stream): stop it.
            let _ = self.child.kill();
        }
        let status = self.child.wait();
        let message = stderr_text(self.stderr.take());
        let failed = status.as_ref().map_or(true, |s| !s.success());
        match (&result, failed, message.is_empty()) {
            // A clean end, or a y4m error ffmpeg has nothing to add to.
            (Ok(_), false, _) | (Err(_), _, true) => result,
            (_, _, false) => Err(CaptureError::Ffmpeg {
                path: self.path.clone(),
                message,
            }),
            (Ok(_), true, true) => Err(CaptureError::Ffmpeg {
                path: self.path.clone(),
                message: match status {
                    Ok(status) => format!("ffmpeg exited with {status} and no message"),
                    Err(e) => format!("cannot wait for ffmpeg: {e}"),
                },
            }),
        }
    }
}

impl FrameSource for FfmpegSource {
    fn info(&self) -> &SourceInfo {
        self.inner.info()
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        if self.finished {
            return Ok(None);
        }
        match self.inner.next_frame() {
            Ok(Some(frame)) => Ok(Some(frame)),
            end => self.finish(end),
        }
    }
}

impl Drop for FfmpegSource {
    fn drop(&mut self) {
        if !self.finished {
            // Errors mean it has already exited; wait so no zombie is left.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reads the child's stderr on a thread so that ffmpeg never blocks on it.
/// `None` if no thread can be started (stderr is then closed, and ffmpeg's
/// messages are lost but it does not block).
fn collect_stderr(mut stderr: ChildStderr) -> Option<JoinHandle<Vec<u8>>> {
    let read_all = move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match stderr.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let room = MAX_STDERR - kept.len();
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        kept
    };
    std::thread::Builder::new()
        .name("ffmpeg-stderr".into())
        .spawn(read_all)
        .ok()
}

/// ffmpeg's stderr, trimmed; empty if there was none. Call after the child
/// has exited, so the thread has seen the end of the pipe.
fn stderr_text(handle: Option<JoinHandle<Vec<u8>>>) -> String {
    let bytes = handle.and_then(|h| h.join().ok()).unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim().to_string()
}
