//! The studio's HTTP server: axum on a single-threaded tokio runtime on its
//! own thread (PNG encoding and file reads go to tokio's blocking pool, so
//! no request stalls the others).

mod api;
mod assets;
mod limits;
mod pages;
mod replica;
mod sse;
mod try_page;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::watch;

pub use limits::MAX_RATE_LIMITED_CLIENTS;
pub use replica::ReplicaServer;

use super::live::LiveHub;
use super::{ServeError, Studio};

/// The largest request body taken, bytes (64 KiB: a cue list of 500 cues
/// fits with room to spare); a larger one is answered 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// How long connections still open at shutdown get to finish before the
/// server stops anyway (`/events` streams end at once).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// The studio's HTTP server. Dropping it stops the server (connections
/// still open get two seconds to finish) and a playing cue list.
pub struct ServeServer {
    studio: Arc<Studio>,
    local_addr: SocketAddr,
    /// Set to `true` (or dropped) to stop the server.
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

/// What every handler sees.
struct Shared {
    studio: Arc<Studio>,
    limiter: Mutex<limits::RateLimiter>,
    thumbnails: assets::Thumbnails,
    try_files: try_page::TryFiles,
    /// Becomes `true` when the server stops: `/events` streams end.
    stop: watch::Receiver<bool>,
}

impl ServeServer {
    /// Starts serving `studio` on its configured address: listens before
    /// returning, so a port in use is an error here, naming the address.
    /// Warns when no token is configured (every change is then refused).
    pub fn start(studio: Arc<Studio>) -> Result<ServeServer, ServeError> {
        let redis = match &studio.config().redis {
            Some(redis) => Some((redis.clone(), redis.client()?)),
            None => None,
        };
        let (listener, local_addr) = bind(studio.config().listen)?;
        if studio.config().token.is_none() {
            tracing::warn!("drape serve on {local_addr} has no token: every change is refused; set DRAPE_TOKEN (or --token-file) to allow the producer's changes");
        }
        let (stop, stop_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            limiter: Mutex::new(limits::RateLimiter::new(studio.config().rate_per_minute)),
            thumbnails: assets::Thumbnails::new(studio.catalog()),
            try_files: try_page::TryFiles::new(studio.catalog(), studio.config().try_dir.clone()),
            studio: Arc::clone(&studio),
            stop: stop_rx.clone(),
        });
        let publisher = redis.map(|(redis, client)| {
            let shared = Arc::clone(&shared);
            let stop = stop_rx.clone();
            Box::pin(async move {
                let catalog = super::redis::CatalogForRedis {
                    json: api::catalog_json(&shared).to_string(),
                    thumbnails: shared.thumbnails.read_all().await,
                };
                let studio = Arc::clone(&shared.studio);
                super::redis::publish(studio, redis, client, catalog, stop).await;
            }) as Background
        });
        let app = router(shared);
        let thread = spawn("drape-serve", listener, app, stop_rx, publisher)?;
        Ok(ServeServer {
            studio,
            local_addr,
            stop,
            thread: Some(thread),
        })
    }

    /// The address the server listens on (with the port chosen when
    /// `listen` asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }
}

/// A task a server runs beside its requests (the Redis link).
type Background = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// Listens on `addr` (so a port in use is an error at once, naming it);
/// answers the listener and the address with the port chosen.
fn bind(addr: SocketAddr) -> Result<(std::net::TcpListener, SocketAddr), ServeError> {
    let bind_error = |source| ServeError::Bind { addr, source };
    let listener = std::net::TcpListener::bind(addr).map_err(bind_error)?;
    listener.set_nonblocking(true).map_err(bind_error)?;
    let local_addr = listener.local_addr().map_err(bind_error)?;
    Ok((listener, local_addr))
}

/// Serves `app` on `listener` from a single-threaded runtime on a thread
/// of its own named `name`, with `background` beside it, until `stop`
/// turns `true`; then open connections get [`SHUTDOWN_GRACE`] to finish.
fn spawn(
    name: &str,
    listener: std::net::TcpListener,
    app: Router,
    stop: watch::Receiver<bool>,
    background: Option<Background>,
) -> Result<JoinHandle<()>, ServeError> {
    let start_error = |source| ServeError::Start { source };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .max_blocking_threads(4)
        .build()
        .map_err(start_error)?;
    let listener = {
        let _in_runtime = runtime.enter();
        tokio::net::TcpListener::from_std(listener).map_err(start_error)?
    };
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            runtime.block_on(async move {
                if let Some(background) = background {
                    tokio::spawn(background);
                }
                let serve =
                    axum::serve(listener, app).with_graceful_shutdown(stopped(stop.clone()));
                let serving = tokio::spawn(serve.into_future());
                stopped(stop).await;
                // Whatever is still running after the grace ends with the runtime.
                let _ = tokio::time::timeout(SHUTDOWN_GRACE, serving).await;
            });
        })
        .map_err(start_error)
}

impl std::fmt::Debug for ServeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeServer")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl Drop for ServeServer {
    fn drop(&mut self) {
        // The cue task runs on this server's runtime, which ends now.
        self.studio.stop_cues();
        // Fails only when the server thread has ended already.
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Every route. Changes (PUT, POST) pass the rate limit and the token check
/// first; every response is counted by status.
fn router(shared: Arc<Shared>) -> Router {
    let mut router = Router::new()
        .route("/api/catalog", get(api::catalog))
        .route("/api/live", get(api::live).put(api::put_live))
        .route("/api/snapshot", post(api::snapshot))
        .route("/api/cues", get(api::cues).put(api::put_cues))
        .route("/api/cues/start", post(api::start_cues))
        .route("/api/cues/stop", post(api::stop_cues))
        .route("/events", get(sse::events))
        .route("/metrics", get(api::metrics))
        .route("/assets/thumbs/{name}", get(assets::thumbnail))
        .route("/pages/{name}", get(pages::file))
        .route("/try", get(try_page::to_folder))
        .route("/try/", get(try_page::index))
        .route("/try/{name}", get(try_page::file))
        .route("/try/models/{name}", get(try_page::model))
        .route("/try/catalog/{*path}", get(try_page::catalog_file));
    for page in assets::PAGES {
        router = router.route(
            page.path,
            get(move |state: State<Arc<Shared>>| assets::page(state, page)),
        );
    }
    let hub: Arc<dyn LiveHub> = shared.studio.clone();
    router
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&shared),
            limits::guard_changes,
        ))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(hub, count_responses))
        .with_state(shared)
}

/// Counts every response by status (for `/metrics`) and tells browsers not
/// to guess content types. No CORS header is ever added: other sites'
/// scripts cannot read or change anything.
async fn count_responses(
    State(hub): State<Arc<dyn LiveHub>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let status = response.status().as_u16();
    hub.metrics().count_response(status);
    // The access log (`RUST_LOG=drape::serve::access=info`): method, path
    // and status only, never a query, header or body.
    tracing::info!(target: "drape::serve::access", "{method} {path} {status}");
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Resolves when the server is told to stop (or its sender is gone).
pub(in crate::serve) async fn stopped(mut stop: watch::Receiver<bool>) {
    // An error means the sender is dropped: stop as well.
    let _ = stop.wait_for(|stop| *stop).await;
}

/// `body` as JSON with `status`, never cached.
fn json(status: StatusCode, body: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => {
            let message = format!("cannot write the answer as JSON: {error}");
            error_response(StatusCode::INTERNAL_SERVER_ERROR, &message)
        }
    }
}

/// `{"error": message}` with `status`.
fn error_response(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message }).to_string();
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// Every other path.
async fn not_found() -> Response {
    error_response(StatusCode::NOT_FOUND, "not found")
}
