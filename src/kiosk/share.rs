//! The photo share server: the kiosk shows a QR code that opens the dressed
//! photo on the shopper's phone, served by the kiosk itself on the store
//! network.
//!
//! Each photo gets an unguessable link (`{public_url}/p/{token}`, 128
//! random bits) that expires after [`ShareConfig::expire_after`]; the
//! server holds at most [`ShareConfig::max_photos`] photos in memory and
//! drops the oldest first. Nothing is ever listed: `GET /p/{token}` is a
//! small page showing the photo, `GET /p/{token}.png` the PNG itself, and
//! every other path, an unknown token or an expired one is a 404.

use std::collections::{HashMap, VecDeque};
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{self, HeaderName};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::watch;

/// How long a photo link works by default.
pub const DEFAULT_EXPIRE_AFTER: Duration = Duration::from_secs(15 * 60);
/// How many photos the server holds by default (a few MB each at most).
pub const DEFAULT_MAX_PHOTOS: usize = 64;

/// How long connections still open at shutdown (a phone mid-download) get
/// to finish before the server stops anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Where the share server listens and how long it keeps photos.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareConfig {
    /// The address and port to listen on, e.g. `0.0.0.0:8090` (port 0: any
    /// free port, see [`ShareServer::local_addr`]).
    pub listen: SocketAddr,
    /// The base URL phones use to reach the server, e.g.
    /// `http://192.168.1.20:8090` (a trailing `/` is ignored).
    pub public_url: String,
    /// How long a photo's link works after it is published.
    pub expire_after: Duration,
    /// The most photos held at once, at least 1; publishing one more drops
    /// the oldest (memory stays bounded however busy the kiosk is).
    pub max_photos: usize,
}

impl ShareConfig {
    /// A configuration listening on `listen`, reached by phones at
    /// `public_url`, with the default expiry (15 minutes) and 64 photos.
    pub fn new(listen: SocketAddr, public_url: impl Into<String>) -> ShareConfig {
        ShareConfig {
            listen,
            public_url: public_url.into(),
            expire_after: DEFAULT_EXPIRE_AFTER,
            max_photos: DEFAULT_MAX_PHOTOS,
        }
    }
}

/// The share server could not start or publish a photo.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShareError {
    /// The configuration cannot work.
    #[error("photo share configuration: {reason}")]
    InvalidConfig {
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// The address could not be listened on (port in use, an address this
    /// machine does not have, a port below 1024 without the right).
    #[error("cannot listen on {addr} for the photo share: {source}; choose another address or port, or stop what uses it")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The server's runtime or thread could not start.
    #[error("cannot start the photo share server: {source}")]
    Start {
        /// Why.
        source: std::io::Error,
    },
    /// The operating system gave no random numbers for a photo's token.
    #[error("no random numbers from the operating system for a photo link: {source}; the photo is not shared")]
    Random {
        /// Why.
        source: getrandom::Error,
    },
}

/// The photo share server: axum on a single-threaded tokio runtime on its
/// own thread. Dropping it stops the server (connections still open get
/// two seconds to finish) and forgets every photo.
pub struct ShareServer {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    public_url: String,
    /// Set to `true` (or dropped) to stop the server.
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl ShareServer {
    /// Starts the server: listens on `config.listen` before returning, so a
    /// port in use is an error here, naming the address.
    pub fn start(config: ShareConfig) -> Result<ShareServer, ShareError> {
        let public_url = config.public_url.trim_end_matches('/').to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            let reason = format!("public_url {:?} is not an http:// or https:// URL; give the address phones use, e.g. http://192.168.1.20:8090", config.public_url);
            return Err(ShareError::InvalidConfig { reason });
        }
        if config.max_photos == 0 {
            let reason = "max_photos is 0; hold at least 1 photo".to_string();
            return Err(ShareError::InvalidConfig { reason });
        }
        let bind_error = |source| ShareError::Bind {
            addr: config.listen,
            source,
        };
        let listener = std::net::TcpListener::bind(config.listen).map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let local_addr = listener.local_addr().map_err(bind_error)?;

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|source| ShareError::Start { source })?;
        let listener = {
            let _in_runtime = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(bind_error)?
        };
        let shared = Arc::new(Shared {
            photos: Mutex::new(Photos::default()),
            expire_after: config.expire_after,
            max_photos: config.max_photos,
        });
        let router = Router::new()
            .route("/p/{name}", get(serve_photo))
            .fallback(not_found)
            .with_state(Arc::clone(&shared));
        let (stop, stop_rx) = watch::channel(false);
        let sweeping = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("drape-share".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    tokio::spawn(sweep(sweeping));
                    let serve = axum::serve(listener, router)
                        .with_graceful_shutdown(stopped(stop_rx.clone()));
                    let serving = tokio::spawn(serve.into_future());
                    stopped(stop_rx).await;
                    // Whatever is still running after the grace ends with the runtime.
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, serving).await;
                });
            })
            .map_err(|source| ShareError::Start { source })?;
        Ok(ShareServer {
            shared,
            local_addr,
            public_url,
            stop,
            thread: Some(thread),
        })
    }

    /// The address the server listens on (with the port chosen when
    /// `listen` asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Holds `png` for phones to fetch and returns its page's URL,
    /// `{public_url}/p/{token}` (the token: 128 random bits in hex). The
    /// oldest photo is dropped when `max_photos` are held already.
    pub fn publish(&self, png: Vec<u8>) -> Result<String, ShareError> {
        let mut random = [0u8; 16];
        getrandom::fill(&mut random).map_err(|source| ShareError::Random { source })?;
        let token: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
        let url = format!("{}/p/{token}", self.public_url);
        self.shared.publish(token, Bytes::from(png));
        Ok(url)
    }

    /// How many photos are held now (expired ones are dropped first).
    pub fn len(&self) -> usize {
        let mut photos = self.shared.photos();
        photos.drop_expired(self.shared.expire_after);
        photos.by_token.len()
    }

    /// Whether no photo is held now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for ShareServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the tokens: a debug log must not leak links to photos.
        f.debug_struct("ShareServer")
            .field("local_addr", &self.local_addr)
            .field("public_url", &self.public_url)
            .field("photos", &self.len())
            .finish()
    }
}

impl Drop for ShareServer {
    fn drop(&mut self) {
        // Fails only when the server thread has ended already.
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the server thread and the kiosk share.
struct Shared {
    photos: Mutex<Photos>,
    expire_after: Duration,
    max_photos: usize,
}

impl Shared {
    /// The photos, even after a panic elsewhere (no code panics while
    /// holding the lock, and the maps stay consistent between calls).
    fn photos(&self) -> MutexGuard<'_, Photos> {
        self.photos.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn publish(&self, token: String, png: Bytes) {
        let mut photos = self.photos();
        photos.drop_expired(self.expire_after);
        while photos.by_token.len() >= self.max_photos && photos.drop_oldest() {}
        // Taken under the lock, so `oldest_first` stays in publishing order.
        let published = Instant::now();
        photos.oldest_first.push_back(token.clone());
        photos.by_token.insert(token, Photo { png, published });
    }

    /// The PNG for `token`, unless unknown or expired.
    fn get(&self, token: &str) -> Option<Bytes> {
        let mut photos = self.photos();
        photos.drop_expired(self.expire_after);
        // A plain map lookup, no constant-time comparison: the key is hashed
        // (SipHash, random key) and compared only with the entries in its
        // bucket, so timing tells an attacker nothing about a 128-bit token
        // they would have to guess in 2^127 tries on average.
        photos.by_token.get(token).map(|photo| photo.png.clone())
    }
}

/// The photos held, by token and in publishing order.
#[derive(Default)]
struct Photos {
    by_token: HashMap<String, Photo>,
    oldest_first: VecDeque<String>,
}

impl Photos {
    /// Drops the oldest photo; `false` when there is none.
    fn drop_oldest(&mut self) -> bool {
        match self.oldest_first.pop_front() {
            Some(token) => {
                self.by_token.remove(&token);
                true
            }
            None => false,
        }
    }

    /// Drops the photos published `expire_after` ago or earlier (all links
    /// live equally long, so they are the oldest ones).
    fn drop_expired(&mut self, expire_after: Duration) {
        let now = Instant::now();
        while let Some(token) = self.oldest_first.front() {
            let expired = self
                .by_token
                .get(token)
                .is_none_or(|photo| now.saturating_duration_since(photo.published) >= expire_after);
            if !expired || !self.drop_oldest() {
                break;
            }
        }
    }
}

struct Photo {
    png: Bytes,
    published: Instant,
}

/// Resolves when the server is told to stop (or its sender is gone).
async fn stopped(mut stop: watch::Receiver<bool>) {
    // An error means the sender is dropped: stop as well.
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Drops expired photos now and then, so their memory goes back even when
/// nobody publishes or fetches.
async fn sweep(shared: Arc<Shared>) {
    let period = shared
        .expire_after
        .clamp(Duration::from_millis(100), Duration::from_secs(30));
    let mut ticks = tokio::time::interval(period);
    loop {
        ticks.tick().await;
        shared.photos().drop_expired(shared.expire_after);
    }
}

/// `GET /p/{token}` (the page) and `GET /p/{token}.png` (the photo).
async fn serve_photo(
    State(shared): State<Arc<Shared>>,
    name: Result<Path<String>, PathRejection>,
) -> Response {
    // A name that does not decode (bad percent-encoding) is as unknown as
    // any other: 404, not 400.
    let Ok(Path(name)) = name else {
        return expired();
    };
    let (token, want_png) = match name.strip_suffix(".png") {
        Some(token) => (token, true),
        None => (name.as_str(), false),
    };
    // Only tokens of our own making are looked up (and then put in the page).
    let is_token = token.len() == 32
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let Some(png) = is_token.then(|| shared.get(token)).flatten() else {
        return expired();
    };
    let private = [
        (header::CACHE_CONTROL, "no-store"),
        (HeaderName::from_static("x-robots-tag"), "noindex"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    if want_png {
        (private, [(header::CONTENT_TYPE, "image/png")], png).into_response()
    } else {
        let page = PAGE.replace("{token}", token);
        let csp = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'";
        (
            private,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, csp),
            ],
            page,
        )
            .into_response()
    }
}

/// The photo page: inline, no external resources.
const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Your mirror photo</title>
<style>
body { margin: 0; background: #111; color: #eee; font-family: sans-serif; text-align: center; }
img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
a { display: inline-block; margin: 1em; padding: 0.8em 1.6em; border-radius: 2em; background: #eee; color: #111; text-decoration: none; }
</style>
</head>
<body>
<img src="/p/{token}.png" alt="Your photo from the mirror">
<a href="/p/{token}.png" download="mirror-photo.png">Download the photo</a>
</body>
</html>
"#;

/// An unknown or expired photo.
fn expired() -> Response {
    let headers = [
        (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    (StatusCode::NOT_FOUND, headers, "This photo has expired.\n").into_response()
}

/// Every other path: nothing is listed.
async fn not_found() -> Response {
    let headers = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    (StatusCode::NOT_FOUND, headers, "Not found.\n").into_response()
}
