//! The yardstick as a long-lived child process (scripts/bench_litert.py
//! or scripts/bench_mediapipe.py with `--serve`), driven one batch at a
//! time over stdin/stdout so that its batches and drape's alternate and
//! see the same load of a shared machine.
//!
//! The protocol: the script's first line is `{"ready": true, "peer":
//! "<name version>"}`; each request line (`run ...`) gets one reply line,
//! `{"times_ms": [...]}` or `{"error": "..."}`; `quit` ends it.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};

/// The script's first line.
#[derive(Debug, serde::Deserialize)]
struct Hello {
    ready: bool,
    peer: String,
}

/// One reply line: the timings, or why there are none.
#[derive(Debug, serde::Deserialize)]
struct Reply {
    #[serde(default)]
    times_ms: Option<Vec<f64>>,
    #[serde(default)]
    error: Option<String>,
}

/// The peer's name and version from its first line.
pub fn parse_hello(line: &str) -> Result<String, String> {
    match serde_json::from_str::<Hello>(line) {
        Ok(Hello { ready: true, peer }) => Ok(peer),
        Ok(_) => Err("the peer says it is not ready".into()),
        Err(e) => Err(format!("unreadable first line {:?}: {e}", line.trim())),
    }
}

/// The timings of one reply line, in ms.
pub fn parse_reply(line: &str) -> Result<Vec<f64>, String> {
    match serde_json::from_str::<Reply>(line) {
        Ok(Reply {
            error: Some(error), ..
        }) => Err(error),
        Ok(Reply {
            times_ms: Some(times),
            ..
        }) if times.iter().all(|t| t.is_finite() && *t >= 0.0) => Ok(times),
        Ok(_) => Err(format!("reply without timings: {:?}", line.trim())),
        Err(e) => Err(format!("unreadable reply {:?}: {e}", line.trim())),
    }
}

/// A running peer script.
pub struct Peer {
    /// Its name and version, e.g. `ai-edge-litert 2.3.0`.
    pub name: String,
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// The last lines of its stderr (a reason when it fails).
    stderr_tail: Arc<Mutex<Vec<String>>>,
}

/// Lines of the peer's stderr kept for an error message.
const STDERR_LINES: usize = 5;

impl Peer {
    /// Starts `python script --serve extra_args...` and reads its first
    /// line. The error says why it cannot run (no Python, no package).
    pub fn spawn(python: &str, script: &Path, extra_args: &[&str]) -> Result<Peer, String> {
        let mut child = Command::new(python)
            .arg(script)
            .arg("--serve")
            .args(extra_args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {python}: {e}"))?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            return Err("no pipes to the peer".into());
        };
        // Drained on its own thread: a chatty peer (MediaPipe logs) must
        // never block on a full pipe.
        let stderr_tail = Arc::new(Mutex::new(Vec::new()));
        let tail = stderr_tail.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut tail = tail.lock().unwrap_or_else(|e| e.into_inner());
                if tail.len() == STDERR_LINES {
                    tail.remove(0);
                }
                tail.push(line);
            }
        });
        let mut peer = Peer {
            name: String::new(),
            child,
            stdin,
            stdout: BufReader::new(stdout),
            stderr_tail,
        };
        let hello = peer.read_line()?;
        peer.name = parse_hello(&hello)?;
        Ok(peer)
    }

    /// Sends one request (e.g. `run lite 2 10`) and returns its timings.
    pub fn request(&mut self, request: &str) -> Result<Vec<f64>, String> {
        writeln!(self.stdin, "{request}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("the peer stopped reading: {e}"))?;
        parse_reply(&self.read_line()?)
    }

    fn read_line(&mut self) -> Result<String, String> {
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(0) | Err(_) => {
                // It exited: its stderr says why, once the drain is done.
                let _ = self.child.wait();
                std::thread::sleep(std::time::Duration::from_millis(50));
                let tail = self.stderr_tail.lock().unwrap_or_else(|e| e.into_inner());
                Err(tail
                    .last()
                    .cloned()
                    .unwrap_or_else(|| "the peer exited".into()))
            }
            Ok(_) => Ok(line),
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit").and_then(|()| self.stdin.flush());
        // A peer in the middle of a batch is not waited for.
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            std::thread::sleep(std::time::Duration::from_millis(100));
            if !matches!(self.child.try_wait(), Ok(Some(_))) {
                let _ = self.child.kill();
            }
        }
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_names_the_peer() {
        let line = r#"{"ready": true, "peer": "ai-edge-litert 2.3.0"}"#;
        assert_eq!(parse_hello(line).unwrap(), "ai-edge-litert 2.3.0");
        assert!(parse_hello(r#"{"ready": false, "peer": "x"}"#).is_err());
        assert!(parse_hello("Traceback (most recent call last):").is_err());
    }

    #[test]
    fn replies_give_timings_or_the_peer_error() {
        let line = r#"{"model": "lite", "threads": 2, "times_ms": [7.5, 7.25, 8.0]}"#;
        assert_eq!(parse_reply(line).unwrap(), [7.5, 7.25, 8.0]);
        let line = r#"{"error": "expected 'run <model> <threads> <n>'"}"#;
        assert_eq!(
            parse_reply(line).unwrap_err(),
            "expected 'run <model> <threads> <n>'"
        );
        assert!(parse_reply(r#"{"model": "lite"}"#).is_err());
        assert!(parse_reply(r#"{"times_ms": [1.0, -2.0]}"#).is_err());
        assert!(parse_reply("not json").is_err());
    }
}
