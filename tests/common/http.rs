//! A minimal HTTP/1.1 client over `std::net::TcpStream`: one request per
//! connection (`Connection: close`), and a server-sent events reader that
//! decodes the chunked stream line by line with a deadline.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

pub struct Reply {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        assert_eq!(self.header("content-type"), Some("application/json"));
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&self.body)))
    }

    /// The message of a `{"error": "..."}` body.
    pub fn error(&self) -> String {
        let json = self.json();
        json["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message in {json}"))
            .to_string()
    }
}

/// The head: status and lower-case headers.
fn parse_head(head: &[u8]) -> (u16, Vec<(String, String)>) {
    let head = std::str::from_utf8(head).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    assert!(status_line.starts_with("HTTP/1.1 "), "{status_line}");
    let status = status_line[9..12].parse().unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_ascii_lowercase(), value.trim().to_string())
        })
        .collect();
    (status, headers)
}

/// `method target` with `headers` and `body` (a `Content-Length` is sent
/// for a body, and for every PUT and POST), read to the end.
pub fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "PUT" || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete head in {}", String::from_utf8_lossy(&raw)));
    let (status, headers) = parse_head(&raw[..end]);
    let reply = Reply {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    };
    assert_eq!(
        reply.header("transfer-encoding"),
        None,
        "this client reads Content-Length bodies only"
    );
    assert_eq!(
        reply.header("content-length"),
        Some(reply.body.len().to_string().as_str())
    );
    reply
}

pub fn get(addr: SocketAddr, target: &str) -> Reply {
    request(addr, "GET", target, &[], b"")
}

/// A JSON `method` with `Authorization: Bearer token` when given.
pub fn send_json(
    addr: SocketAddr,
    method: &str,
    target: &str,
    token: Option<&str>,
    json: &str,
) -> Reply {
    let authorization = token.map(|token| format!("Bearer {token}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(authorization) = &authorization {
        headers.push(("Authorization", authorization));
    }
    request(addr, method, target, &headers, json.as_bytes())
}

pub fn put(addr: SocketAddr, target: &str, token: Option<&str>, json: &str) -> Reply {
    send_json(addr, "PUT", target, token, json)
}

/// A POST with no body.
pub fn post(addr: SocketAddr, target: &str, token: Option<&str>) -> Reply {
    let authorization = token.map(|token| format!("Bearer {token}"));
    let headers: Vec<(&str, &str)> = authorization
        .iter()
        .map(|value| ("Authorization", value.as_str()))
        .collect();
    request(addr, "POST", target, &headers, b"")
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct Event {
    /// `event:`.
    pub name: String,
    /// `data:` lines, joined by `\n`.
    pub data: String,
    /// `id:`.
    pub id: Option<String>,
}

impl Event {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).unwrap()
    }
}

/// A connected `GET /events` client.
pub struct EventStream {
    stream: TcpStream,
    /// Bytes read and not yet de-chunked.
    raw: Vec<u8>,
    /// De-chunked text not yet split into blocks.
    text: String,
}

impl EventStream {
    /// Connects and reads the response head (200, `text/event-stream`).
    pub fn connect(addr: SocketAddr) -> EventStream {
        let mut stream = EventStream::open(addr);
        let deadline = Instant::now() + Duration::from_secs(5);
        let end = loop {
            if let Some(end) = stream.raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            assert!(stream.fill(deadline), "no response head from /events");
        };
        let (status, headers) = parse_head(&stream.raw[..end]);
        stream.raw.drain(..end + 4);
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(status, 200);
        assert_eq!(header("content-type"), Some("text/event-stream"));
        assert_eq!(header("transfer-encoding"), Some("chunked"));
        assert_eq!(header("access-control-allow-origin"), None);
        stream
    }

    /// Sends the request and reads nothing: a client that never reads.
    pub fn open(addr: SocketAddr) -> EventStream {
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(
            stream,
            "GET /events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        EventStream {
            stream,
            raw: Vec::new(),
            text: String::new(),
        }
    }

    /// Reads more bytes before `deadline`; `false` on timeout or the end.
    fn fill(&mut self, deadline: Instant) -> bool {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return false;
        };
        let left = left.max(Duration::from_millis(1));
        self.stream.set_read_timeout(Some(left)).unwrap();
        let mut buffer = [0u8; 16 * 1024];
        match self.stream.read(&mut buffer) {
            Ok(0) => false,
            Ok(n) => {
                self.raw.extend_from_slice(&buffer[..n]);
                true
            }
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                false
            }
            Err(error) => panic!("reading /events: {error}"),
        }
    }

    /// Moves the complete chunks of `raw` into `text`; `false` once the
    /// last (empty) chunk came.
    fn dechunk(&mut self) -> bool {
        loop {
            let Some(line_end) = self.raw.windows(2).position(|w| w == b"\r\n") else {
                return true;
            };
            let size_text = std::str::from_utf8(&self.raw[..line_end]).unwrap();
            let size = usize::from_str_radix(size_text.trim(), 16).unwrap();
            if self.raw.len() < line_end + 2 + size + 2 {
                return true;
            }
            let chunk = &self.raw[line_end + 2..line_end + 2 + size];
            self.text.push_str(std::str::from_utf8(chunk).unwrap());
            self.raw.drain(..line_end + 2 + size + 2);
            if size == 0 {
                return false;
            }
        }
    }

    /// The next block (event or comment, without the blank line) before
    /// `timeout`; `None` on timeout or when the stream ended.
    pub fn next_block(&mut self, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let open = self.dechunk();
            if let Some(end) = self.text.find("\n\n") {
                let block = self.text[..end].to_string();
                self.text.drain(..end + 2);
                return Some(block);
            }
            if !open || !self.fill(deadline) {
                return None;
            }
        }
    }

    /// The next event, skipping comments (heartbeats), before `timeout`.
    pub fn next_event(&mut self, timeout: Duration) -> Option<Event> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let block = self.next_block(left)?;
            let mut event = Event {
                name: String::new(),
                data: String::new(),
                id: None,
            };
            let mut data = Vec::new();
            for line in block.lines() {
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "event" => event.name = value.to_string(),
                    "data" => data.push(value),
                    "id" => event.id = Some(value.to_string()),
                    _ => {}
                }
            }
            if data.is_empty() {
                continue;
            }
            event.data = data.join("\n");
            return Some(event);
        }
    }

    /// The next `live` event's state, before `timeout` (panics otherwise).
    pub fn next_live(&mut self, timeout: Duration) -> serde_json::Value {
        let event = self
            .next_event(timeout)
            .unwrap_or_else(|| panic!("no event within {timeout:?}"));
        assert_eq!(event.name, "live");
        let live = event.json();
        assert_eq!(event.id, Some(live["version"].to_string()));
        live
    }
}
