//! A small headless Chromium client over the DevTools protocol: start the
//! browser, navigate, evaluate JavaScript, type, take screenshots. The
//! browser is killed when the client is dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::{Message, WebSocket};

/// How long the browser may take to start, and one call to answer.
const START_TIMEOUT: Duration = Duration::from_secs(30);
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// A headless Chromium with one page open.
pub struct Chromium {
    _process: KillOnDrop,
    socket: WebSocket<TcpStream>,
    next_id: u64,
    /// Events read while waiting for a call's answer.
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Chromium {
    /// Starts `chromium` (or `$CHROMIUM`) headless with a viewport of
    /// `width` × `height` CSS pixels at scale 1; `None` when it is not
    /// installed. Panics when it is installed but does not start.
    pub fn start(width: u32, height: u32) -> Option<Chromium> {
        Chromium::start_with(width, height, &["--disable-gpu"])
    }

    /// `start` with more command-line flags (WebGPU on SwiftShader, a fake
    /// camera: see ../shared/FACTS.md).
    pub fn start_with(width: u32, height: u32, flags: &[&str]) -> Option<Chromium> {
        let program = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
        let profile = tempfile::tempdir().expect("temporary Chromium profile");
        let spawned = Command::new(&program)
            .args(flags)
            .args([
                "--headless",
                "--no-sandbox",
                "--no-first-run",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                &format!("--window-size={width},{height}"),
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        let mut process = match spawned {
            Ok(child) => KillOnDrop(child),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => panic!("{program} does not start: {e}"),
        };
        // Chromium says its port on stderr; the rest of stderr is drained so
        // the pipe never fills and stalls it.
        let stderr = process.0.stderr.take().expect("piped stderr");
        let (port_tx, port_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("ws://127.0.0.1:").nth(1) {
                    let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = port_tx.send(port.parse::<u16>().ok());
                }
            }
        });
        let port = match port_rx.recv_timeout(START_TIMEOUT) {
            Ok(Some(port)) => port,
            other => {
                panic!("{program} printed no DevTools port within {START_TIMEOUT:?}: {other:?}");
            }
        };
        let page_url = page_websocket_url(port);
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("DevTools port");
        stream
            .set_read_timeout(Some(CALL_TIMEOUT))
            .expect("socket timeout");
        let (socket, _) = tungstenite::client(page_url.as_str(), stream)
            .unwrap_or_else(|e| panic!("DevTools websocket {page_url}: {e}"));
        let mut browser = Chromium {
            _process: process,
            socket,
            next_id: 1,
            events: Vec::new(),
            _profile: profile,
        };
        browser.call("Page.enable", json!({}));
        // Scripts' exceptions and console errors, and the browser's own
        // (a failed load), for failure messages.
        browser.call("Runtime.enable", json!({}));
        browser.call("Log.enable", json!({}));
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        );
        Some(browser)
    }

    /// Sends a DevTools command and returns its result; panics on an error.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let request = json!({"id": id, "method": method, "params": params});
        self.socket
            .send(Message::text(request.to_string()))
            .unwrap_or_else(|e| panic!("DevTools {method}: {e}"));
        loop {
            let message = self.read_message(method);
            if message["id"] == id {
                if let Some(error) = message.get("error") {
                    panic!("DevTools {method} failed: {error}");
                }
                return message["result"].clone();
            }
            if message.get("method").is_some() {
                self.events.push(message);
            }
        }
    }

    fn read_message(&mut self, waiting_for: &str) -> Value {
        loop {
            match self.socket.read() {
                Ok(Message::Text(text)) => {
                    return serde_json::from_str(&text).expect("DevTools sends JSON")
                }
                Ok(_) => continue,
                Err(e) => panic!("DevTools, waiting for {waiting_for}: {e}"),
            }
        }
    }

    /// Opens `url` and waits for its load event.
    pub fn navigate(&mut self, url: &str) {
        self.events.clear();
        let result = self.call("Page.navigate", json!({ "url": url }));
        if let Some(error) = result.get("errorText") {
            panic!("navigating to {url}: {error}");
        }
        let deadline = Instant::now() + CALL_TIMEOUT;
        while !self
            .events
            .iter()
            .any(|e| e["method"] == "Page.loadEventFired")
        {
            assert!(Instant::now() < deadline, "{url} did not load");
            let message = self.read_message("Page.loadEventFired");
            self.events.push(message);
        }
    }

    /// The value of a JavaScript expression (promises awaited), as JSON;
    /// panics when it throws.
    pub fn evaluate(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(details) = result.get("exceptionDetails") {
            panic!("`{expression}` threw: {details}");
        }
        result["result"]["value"].clone()
    }

    /// Evaluates `expression` every 50 ms until it is `true`; panics with
    /// `what` after `timeout`. Returns how long it took.
    pub fn wait_for(&mut self, expression: &str, timeout: Duration, what: &str) -> Duration {
        let start = Instant::now();
        loop {
            if self.evaluate(expression) == Value::Bool(true) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < timeout,
                "{what}: `{expression}` still not true after {timeout:?}; the page's errors: {:#?}",
                self.page_errors()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the page's scripts threw or logged as errors, and the browser's
    /// errors (failed loads), since the last navigation.
    pub fn page_errors(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|event| {
                let params = &event["params"];
                match event["method"].as_str()? {
                    "Runtime.exceptionThrown" => Some(params["exceptionDetails"].to_string()),
                    "Runtime.consoleAPICalled" if params["type"] == "error" => {
                        Some(params["args"].to_string())
                    }
                    "Log.entryAdded" if params["entry"]["level"] == "error" => {
                        Some(params["entry"].to_string())
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// The next DevTools event named `method` (one already received
    /// first), waiting up to the call timeout.
    pub fn next_event(&mut self, method: &str) -> Value {
        if let Some(index) = self.events.iter().position(|e| e["method"] == method) {
            return self.events.remove(index);
        }
        loop {
            let message = self.read_message(method);
            if message["method"] == method {
                return message;
            }
            self.events.push(message);
        }
    }

    /// Everything the page logged to its console since the last
    /// navigation (any level), for failure messages.
    pub fn console(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|event| event["method"] == "Runtime.consoleAPICalled")
            .map(|event| {
                let params = &event["params"];
                format!("{}: {}", params["type"], params["args"])
            })
            .collect()
    }

    /// Focuses the element at `selector` and types `text` into it.
    pub fn type_text(&mut self, selector: &str, text: &str) {
        let found = self.evaluate(&format!(
            "(() => {{ const e = document.querySelector({selector:?}); if (!e) return false; e.focus(); return true; }})()"
        ));
        assert_eq!(found, Value::Bool(true), "no element {selector} to type in");
        self.call("Input.insertText", json!({ "text": text }));
    }

    /// Clicks the element at `selector` (a DOM click, no mouse move).
    pub fn click(&mut self, selector: &str) {
        let found = self.evaluate(&format!(
            "(() => {{ const e = document.querySelector({selector:?}); if (!e) return false; e.click(); return true; }})()"
        ));
        assert_eq!(found, Value::Bool(true), "no element {selector} to click");
    }

    /// Paints the page behind transparent pixels in `rgba` (0–255 each;
    /// alpha 0 keeps it transparent).
    pub fn set_backdrop(&mut self, rgba: [u8; 4]) {
        let [r, g, b, a] = rgba;
        self.call(
            "Emulation.setDefaultBackgroundColorOverride",
            json!({"color": {"r": r, "g": g, "b": b, "a": f32::from(a) / 255.0}}),
        );
    }

    /// A PNG of the viewport.
    pub fn screenshot(&mut self) -> Vec<u8> {
        let result = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let data = result["data"].as_str().expect("screenshot data");
        base64_decode(data)
    }
}

/// The browser process, killed when the client is dropped or fails to start.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The page target's websocket, from the DevTools HTTP endpoint.
fn page_websocket_url(port: u16) -> String {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let targets = http_get_json(port, "/json/list");
        let page = targets.as_array().and_then(|list| {
            list.iter()
                .find(|t| t["type"] == "page")
                .and_then(|t| t["webSocketDebuggerUrl"].as_str())
        });
        if let Some(url) = page {
            return url.to_string();
        }
        assert!(Instant::now() < deadline, "Chromium opened no page");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn http_get_json(port: u16, path: &str) -> Value {
    // HTTP/1.1 (Chromium does not answer 1.0), and it keeps the connection
    // open: the body is read by its Content-Length.
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("DevTools HTTP endpoint");
    stream
        .set_read_timeout(Some(CALL_TIMEOUT))
        .expect("socket timeout");
    write!(&stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").expect("DevTools request");
    let mut reader = BufReader::new(stream);
    let mut body_len = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("DevTools response");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                body_len = value.trim().parse().expect("a Content-Length number");
            }
        }
    }
    let mut body = vec![0; body_len];
    reader
        .read_exact(&mut body)
        .expect("DevTools response body");
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// Standard base64 (DevTools' screenshots); padding and newlines ignored.
pub fn base64_decode(text: &str) -> Vec<u8> {
    let sextet = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {:?}", c as char),
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| !matches!(c, b'=' | b'\n' | b'\r'))
        .map(sextet)
        .collect();
    let mut bytes = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &d)| acc | u32::from(d) << (18 - 6 * i));
        bytes.extend_from_slice(&bits.to_be_bytes()[1..chunk.len()]);
    }
    bytes
}
