//! The studio's counters, shown as Prometheus text on `GET /metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// The studio's counters: the render loop counts frames and poses, the
/// HTTP server counts responses and `/events` clients. All lock-free but
/// the responses by status (a small map, locked once per request).
#[derive(Debug, Default)]
pub struct Metrics {
    frames_out: AtomicU64,
    frames_dropped: AtomicU64,
    pose_found: AtomicU64,
    /// An `f64`'s bits (0 is 0.0).
    fps_bits: AtomicU64,
    sse_clients: AtomicU64,
    responses: Mutex<BTreeMap<u16, u64>>,
    /// A viewer-only replica: no program, so no frame counters shown.
    replica: bool,
    /// Whether Redis is in use (its counters are shown only then).
    redis_used: AtomicBool,
    redis_connected: AtomicBool,
    redis_messages: AtomicU64,
    redis_errors: AtomicU64,
}

impl Metrics {
    /// A viewer-only replica's counters: `/events` clients, responses and
    /// Redis, no program.
    pub(crate) fn for_replica() -> Metrics {
        Metrics {
            replica: true,
            ..Metrics::default()
        }
    }

    /// Whether the link to Redis is up now.
    pub fn redis_connected(&self) -> bool {
        self.redis_connected.load(Ordering::Relaxed)
    }

    /// Live states published to Redis (studio) or received from it
    /// (replica) so far.
    pub fn redis_messages(&self) -> u64 {
        self.redis_messages.load(Ordering::Relaxed)
    }

    /// Times the link to Redis failed (a failed connect, command or
    /// subscription) so far.
    pub fn redis_errors(&self) -> u64 {
        self.redis_errors.load(Ordering::Relaxed)
    }

    pub(crate) fn set_redis_connected(&self, connected: bool) {
        self.redis_used.store(true, Ordering::Relaxed);
        self.redis_connected.store(connected, Ordering::Relaxed);
    }

    pub(crate) fn count_redis_message(&self) {
        self.redis_messages.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_redis_error(&self) {
        self.redis_used.store(true, Ordering::Relaxed);
        self.redis_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one program frame written.
    pub fn count_frame_out(&self) {
        self.frames_out.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one input frame dropped to keep up with the input's rate.
    pub fn count_frame_dropped(&self) {
        self.frames_dropped.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one frame in which a body pose was found.
    pub fn count_pose_found(&self) {
        self.pose_found.fetch_add(1, Ordering::Relaxed);
    }

    /// Sets the program's measured frame rate, frames per second.
    pub fn set_fps(&self, fps: f64) {
        self.fps_bits.store(fps.to_bits(), Ordering::Relaxed);
    }

    /// Program frames written so far.
    pub fn frames_out(&self) -> u64 {
        self.frames_out.load(Ordering::Relaxed)
    }

    /// Input frames dropped so far.
    pub fn frames_dropped(&self) -> u64 {
        self.frames_dropped.load(Ordering::Relaxed)
    }

    /// Frames with a pose found so far.
    pub fn pose_found(&self) -> u64 {
        self.pose_found.load(Ordering::Relaxed)
    }

    /// The program's frame rate as last set, frames per second (0 before).
    pub fn fps(&self) -> f64 {
        f64::from_bits(self.fps_bits.load(Ordering::Relaxed))
    }

    /// `/events` clients connected now.
    pub fn sse_clients(&self) -> u64 {
        self.sse_clients.load(Ordering::Relaxed)
    }

    /// HTTP responses given so far with this status.
    pub fn responses(&self, status: u16) -> u64 {
        let responses = self
            .responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        responses.get(&status).copied().unwrap_or(0)
    }

    pub(crate) fn count_response(&self, status: u16) {
        let mut responses = self
            .responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *responses.entry(status).or_insert(0) += 1;
    }

    /// Counts one more `/events` client unless `max` are connected
    /// already; whether it was counted.
    pub(crate) fn try_sse_client_join(&self, max: usize) -> bool {
        let max = max as u64;
        self.sse_clients
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |clients| {
                (clients < max).then_some(clients + 1)
            })
            .is_ok()
    }

    pub(crate) fn sse_client_left(&self) {
        self.sse_clients.fetch_sub(1, Ordering::Relaxed);
    }

    /// Everything in Prometheus' text format (version 0.0.4). The
    /// responses count those given before this one.
    pub fn render(&self) -> String {
        let mut text = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: &str| {
            // Writing to a String cannot fail.
            let _ = write!(
                text,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
            );
        };
        let count = |counter: u64| counter.to_string();
        if !self.replica {
            metric(
                "drape_frames_total",
                "counter",
                "Program frames written.",
                &count(self.frames_out()),
            );
            metric(
                "drape_frames_dropped_total",
                "counter",
                "Input frames dropped to keep up with the input's frame rate.",
                &count(self.frames_dropped()),
            );
            metric(
                "drape_fps",
                "gauge",
                "The program's measured frame rate, frames per second.",
                &prometheus_float(self.fps()),
            );
            metric(
                "drape_pose_found_total",
                "counter",
                "Frames in which a body pose was found.",
                &count(self.pose_found()),
            );
        }
        metric(
            "drape_sse_clients",
            "gauge",
            "Clients connected to /events.",
            &count(self.sse_clients()),
        );
        if self.redis_used.load(Ordering::Relaxed) {
            metric(
                "drape_redis_connected",
                "gauge",
                "1 while the link to Redis is up.",
                &count(u64::from(self.redis_connected())),
            );
            metric(
                "drape_redis_messages_total",
                "counter",
                "Live states published to Redis (studio) or received from it (replica).",
                &count(self.redis_messages()),
            );
            metric(
                "drape_redis_errors_total",
                "counter",
                "Failures of the link to Redis (connect, command or subscription).",
                &count(self.redis_errors()),
            );
        }
        text.push_str("# HELP drape_api_requests_total HTTP requests answered, by status.\n");
        text.push_str("# TYPE drape_api_requests_total counter\n");
        let responses = self
            .responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for (status, count) in responses.iter() {
            let _ = writeln!(
                text,
                "drape_api_requests_total{{status=\"{status}\"}} {count}"
            );
        }
        text
    }
}

/// A float as Prometheus writes one (`+Inf`, `-Inf`, `NaN`).
fn prometheus_float(value: f64) -> String {
    match value {
        f64::INFINITY => "+Inf".to_string(),
        f64::NEG_INFINITY => "-Inf".to_string(),
        value if value.is_nan() => "NaN".to_string(),
        value => value.to_string(),
    }
}
