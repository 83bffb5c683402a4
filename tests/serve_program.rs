//! `drape serve` end to end: the program feed holds the input's frame rate
//! into a y4m file while 50 SSE clients and one that never reads are
//! connected, and a garment put on air through the API shows in the feed.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::http::{get, send_json};
use common::interrupt;
use common::serve::ServeProcess;

const TOKEN: &str = "test-token-0123456789";

/// An SSE client that has sent its request (and may never read).
fn sse_client(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    stream
}

/// Frames in a y4m file so far (whole ones), and each one's mean blue
/// chroma (Cb): indigo is blue, charcoal is grey.
fn y4m_frames(path: &std::path::Path) -> (usize, Vec<f64>) {
    let bytes = std::fs::read(path).unwrap_or_default();
    let Some(header_end) = bytes.iter().position(|&b| b == b'\n') else {
        return (0, Vec::new());
    };
    let header = String::from_utf8_lossy(&bytes[..header_end]).to_string();
    let field = |tag: char| -> usize {
        header
            .split(' ')
            .find_map(|f| f.strip_prefix(tag))
            .unwrap()
            .parse()
            .unwrap()
    };
    let (w, h) = (field('W'), field('H'));
    let frame_len = w * h * 3 / 2;
    let mut at = header_end + 1;
    let mut frames = Vec::new();
    while at + 6 + frame_len <= bytes.len() {
        at += 6; // "FRAME\n"
        let cb = &bytes[at + w * h..at + w * h + w * h / 4];
        frames.push(cb.iter().map(|&v| f64::from(v)).sum::<f64>() / cb.len() as f64);
        at += frame_len;
    }
    (frames.len(), frames)
}

#[test]
fn the_program_holds_its_rate_with_many_clients_and_shows_what_goes_on_air() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("program.y4m");
    let reel = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/samples/sample_reel.y4m");
    let mut child = Command::new(env!("CARGO_BIN_EXE_drape"))
        .args(["serve", "--input"])
        .arg(&reel)
        .args(["--loop", "--listen", "127.0.0.1:0", "--output"])
        .arg(&program)
        .env("DRAPE_TOKEN", TOKEN)
        .env("XDG_RUNTIME_DIR", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("drape runs");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut addr = None;
    let mut log = String::new();
    while addr.is_none() {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "drape ended:\n{log}"
        );
        log.push_str(&line);
        if let Some(rest) = line.trim().strip_prefix("drape: studio API on http://") {
            addr = Some(rest.parse::<SocketAddr>().unwrap());
        }
    }
    let addr = addr.unwrap();
    std::thread::spawn(move || {
        // Keep draining the log so drape never blocks on it.
        let mut sink = String::new();
        while stderr.read_line(&mut sink).unwrap_or(0) > 0 {}
    });

    // A lap of the reel (58 frames) in the T-shirt first.
    const LAP: usize = 58;
    let started = Instant::now();
    while y4m_frames(&program).0 < LAP + 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no program frames"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // 50 listeners and one that never reads.
    let clients: Vec<TcpStream> = (0..50).map(|_| sse_client(addr)).collect();
    let _slow = sse_client(addr);
    let (n0, _) = y4m_frames(&program);
    let t0 = Instant::now();
    // The producer puts the jacket on air.
    let reply = send_json(
        addr,
        "PUT",
        "/api/live",
        Some(TOKEN),
        r#"{"garment":"jacket-charcoal"}"#,
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    std::thread::sleep(Duration::from_secs(5));
    let (n1, frames) = y4m_frames(&program);
    let elapsed = t0.elapsed().as_secs_f64();
    // 15 fps held (within 20 %: the first and last frame's timing).
    let rate = (n1 - n0) as f64 / elapsed;
    assert!(
        (12.0..=18.0).contains(&rate),
        "{rate:.1} frames a second while clients listen"
    );
    // The jacket shows: over a lap of the reel, the picture is less blue
    // than over the lap in the indigo T-shirt before the change (mean Cb
    // 127.7 against 125.9 here, run after run).
    let mean = |lap: &[f64]| lap.iter().sum::<f64>() / lap.len() as f64;
    let tee = mean(&frames[n0 - LAP..n0]);
    let jacket = mean(&frames[n1 - LAP..n1]);
    assert!(jacket < tee - 1.0, "T-shirt {tee:.2}, jacket {jacket:.2}");
    let live = get(addr, "/api/live");
    assert_eq!(live.status, 200);
    let live = live.json();
    assert_eq!(live["garment"], "jacket-charcoal");
    let metrics = get(addr, "/metrics");
    assert_eq!(metrics.status, 200);
    let metrics = String::from_utf8_lossy(&metrics.body).to_string();
    let frames_total: f64 = metrics
        .lines()
        .find(|l| l.starts_with("drape_frames_total"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no drape_frames_total in\n{metrics}"));
    assert!(frames_total >= n1 as f64, "{frames_total} < {n1}");
    assert!(metrics.contains("drape_sse_clients 51"), "{metrics}");
    drop(clients);
    interrupt(&child);
    let status = child.wait().unwrap();
    assert!(status.success(), "drape serve ended with {status}");
}

#[test]
fn a_token_file_that_cannot_be_read_is_named() {
    let output = Command::new(env!("CARGO_BIN_EXE_drape"))
        .args([
            "serve",
            "--token-file",
            "/nonexistent/token",
            "--input",
            "synthetic",
        ])
        .env_remove("DRAPE_TOKEN")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/token"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_pages_folder_gives_the_studio_a_stores_own_viewer_page() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    std::fs::write(
        pages.join("viewer.html"),
        "<!doctype html><title>Our shop live</title>",
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_drape"));
    command
        .args(["serve", "--input", "synthetic", "--listen", "127.0.0.1:0"])
        .arg("--pages")
        .arg(&pages)
        .arg("--output")
        .arg(dir.path().join("program.y4m"))
        .env("XDG_RUNTIME_DIR", dir.path())
        .env_remove("DRAPE_TOKEN");
    let ServeProcess {
        mut child, addr, ..
    } = ServeProcess::spawn(&mut command);
    let page = get(addr, "/");
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("Our shop live"));
    // The folder stands for the whole set: what it lacks is not served.
    assert_eq!(get(addr, "/overlay").status, 404);
    interrupt(&child);
    assert!(child.wait().unwrap().success());
}
