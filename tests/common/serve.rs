//! `drape serve` started by a test as a user starts it: the address it
//! listens on read from its log, the rest of the log kept for checks and
//! failure messages.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// The log lines that announce the address (studio or replica).
const ANNOUNCEMENTS: [&str; 2] = [
    "drape: studio API on http://",
    "drape: viewer-only replica on http://",
];

/// A running `drape serve`; interrupt and wait for it when done.
pub struct ServeProcess {
    pub child: Child,
    pub addr: SocketAddr,
    /// Every line of its stderr so far (read on a thread of its own, so
    /// the pipe never fills).
    pub log: Arc<Mutex<Vec<String>>>,
}

impl ServeProcess {
    /// Spawns `command` (`drape serve …`, stderr piped here) and waits for
    /// the line giving its address; panics with the log if it ends first.
    pub fn spawn(command: &mut Command) -> ServeProcess {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("drape runs");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut lines = Vec::new();
        let addr = loop {
            let mut line = String::new();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "drape ended:\n{}",
                lines.join("")
            );
            let address = ANNOUNCEMENTS
                .iter()
                .find_map(|announcement| line.trim().strip_prefix(announcement))
                .and_then(|rest| rest.split_whitespace().next())
                .map(|address| address.parse::<SocketAddr>().unwrap());
            lines.push(line);
            if let Some(address) = address {
                break address;
            }
        };
        let log = Arc::new(Mutex::new(
            lines
                .iter()
                .map(|l| l.trim_end().to_string())
                .collect::<Vec<_>>(),
        ));
        let more = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                more.lock().unwrap().push(line);
            }
        });
        ServeProcess { child, addr, log }
    }

    /// The log so far, one string.
    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}
