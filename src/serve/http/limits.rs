//! What a change must pass before its handler runs: the rate limit per
//! client address, then the token.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::{error_response, Shared};

/// The most client addresses the rate limiter remembers. A server runs for
/// days and anyone can connect from many addresses, so the map is bounded:
/// when full, clients whose allowance has refilled are forgotten (they lose
/// nothing), then the longest unseen.
pub const MAX_RATE_LIMITED_CLIENTS: usize = 10_000;

/// Rate-limits and authorises changes (PUT, POST, PATCH, DELETE); reads
/// pass. Refused requests count against the limit too, so a token cannot
/// be guessed quickly.
pub(super) async fn guard_changes(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let is_change = matches!(
        *request.method(),
        Method::PUT | Method::POST | Method::PATCH | Method::DELETE
    );
    if !is_change {
        return next.run(request).await;
    }
    // Behind a reverse proxy every client has the proxy's address: the
    // limit is then the proxy's. Forwarded headers are not trusted (anyone
    // can send them).
    let allowed = shared
        .limiter
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .allow(peer.ip(), Instant::now());
    if let Err(retry_after) = allowed {
        let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
        let message = format!(
            "too many changes from {}: at most {} a minute; retry in {seconds} s",
            peer.ip(),
            shared.studio.config().rate_per_minute
        );
        let mut response = error_response(StatusCode::TOO_MANY_REQUESTS, &message);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return response;
    }
    match authorize(shared.studio.config().token.as_deref(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal,
    }
}

/// Whether `headers` carry `Authorization: Bearer <expected>`.
fn authorize(expected: Option<&str>, headers: &HeaderMap) -> Result<(), Response> {
    let Some(expected) = expected else {
        let message = "changes are refused: drape serve was started without a token; start it with DRAPE_TOKEN=<a long random secret> in its environment (or --token-file FILE) and send `Authorization: Bearer <the secret>`";
        return Err(error_response(StatusCode::FORBIDDEN, message));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let (message, challenge) = match given {
        Some(token) if same_token(token.as_bytes(), expected.as_bytes()) => return Ok(()),
        Some(_) => (
            "wrong token; send the token drape serve was started with (DRAPE_TOKEN or --token-file)",
            "Bearer realm=\"drape\", error=\"invalid_token\"",
        ),
        None => (
            "this change needs `Authorization: Bearer <token>` with the token drape serve was started with (DRAPE_TOKEN or --token-file)",
            "Bearer realm=\"drape\"",
        ),
    };
    let mut response = error_response(StatusCode::UNAUTHORIZED, message);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    Err(response)
}

/// Compares in time that depends on the length only, never on where the
/// first difference is: every byte is XORed and the results ORed together.
/// The length leaks, which is acceptable: it says nothing about a random
/// token's bytes.
fn same_token(given: &[u8], expected: &[u8]) -> bool {
    if given.len() != expected.len() {
        return false;
    }
    let difference = given
        .iter()
        .zip(expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    // Keeps the compiler from turning the fold into an early exit.
    std::hint::black_box(difference) == 0
}

/// A token bucket per client address: `per_minute` tokens at most (a
/// minute's burst), refilled at `per_minute / 60` a second; each change
/// takes one.
pub(super) struct RateLimiter {
    per_minute: u32,
    clients: HashMap<IpAddr, Bucket>,
}

struct Bucket {
    tokens: f64,
    /// When `tokens` was last brought up to date (the client's last change).
    updated: Instant,
}

impl RateLimiter {
    pub(super) fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute: per_minute.max(1),
            clients: HashMap::new(),
        }
    }

    fn capacity(&self) -> f64 {
        f64::from(self.per_minute)
    }

    fn refill_per_s(&self) -> f64 {
        f64::from(self.per_minute) / 60.0
    }

    /// Takes a token for `client` at `now`; when there is none, how long
    /// until there is.
    pub(super) fn allow(&mut self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if !self.clients.contains_key(&client) && self.clients.len() >= MAX_RATE_LIMITED_CLIENTS {
            self.forget_some(now);
        }
        let (capacity, refill_per_s) = (self.capacity(), self.refill_per_s());
        let bucket = self.clients.entry(client).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed_s = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed_s * refill_per_s).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / refill_per_s,
            ))
        }
    }

    /// Makes room: forgets every client whose bucket is full again, and if
    /// that frees nothing, the one unseen longest.
    fn forget_some(&mut self, now: Instant) {
        let (capacity, refill_per_s) = (self.capacity(), self.refill_per_s());
        self.clients.retain(|_, bucket| {
            let elapsed_s = now.saturating_duration_since(bucket.updated).as_secs_f64();
            bucket.tokens + elapsed_s * refill_per_s < capacity
        });
        if self.clients.len() >= MAX_RATE_LIMITED_CLIENTS {
            let oldest = self
                .clients
                .iter()
                .min_by_key(|(_, bucket)| bucket.updated)
                .map(|(client, _)| *client);
            if let Some(oldest) = oldest {
                self.clients.remove(&oldest);
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.clients.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(n: u32) -> IpAddr {
        IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + n))
    }

    #[test]
    fn a_minutes_burst_then_one_per_refill() {
        let mut limiter = RateLimiter::new(6);
        let start = Instant::now();
        for _ in 0..6 {
            assert_eq!(limiter.allow(client(1), start), Ok(()));
        }
        assert_eq!(
            limiter.allow(client(1), start),
            Err(Duration::from_secs(10))
        );
        // Another address has its own allowance.
        assert_eq!(limiter.allow(client(2), start), Ok(()));
        // 6 a minute: one more every 10 s.
        let later = start + Duration::from_secs(10);
        assert_eq!(limiter.allow(client(1), later), Ok(()));
        assert_eq!(
            limiter.allow(client(1), later),
            Err(Duration::from_secs(10))
        );
    }

    #[test]
    fn the_client_map_stays_bounded() {
        let mut limiter = RateLimiter::new(1);
        let start = Instant::now();
        let count = MAX_RATE_LIMITED_CLIENTS as u32 + 500;
        for n in 0..count {
            let now = start + Duration::from_millis(u64::from(n));
            assert_eq!(limiter.allow(client(n), now), Ok(()));
            assert!(limiter.len() <= MAX_RATE_LIMITED_CLIENTS);
        }
        assert_eq!(limiter.len(), MAX_RATE_LIMITED_CLIENTS);
        // The newest are remembered (still limited), the oldest forgotten.
        let now = start + Duration::from_millis(u64::from(count));
        assert!(limiter.allow(client(count - 1), now).is_err());
        assert_eq!(limiter.allow(client(0), now), Ok(()));
    }

    #[test]
    fn tokens_compare_in_full() {
        assert!(same_token(b"s3cret-token", b"s3cret-token"));
        assert!(!same_token(b"s3cret-tokeN", b"s3cret-token"));
        assert!(!same_token(b"S3cret-token", b"s3cret-token"));
        assert!(!same_token(b"s3cret", b"s3cret-token"));
        assert!(!same_token(b"", b"s3cret-token"));
    }
}
