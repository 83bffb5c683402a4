//! A viewer-only replica's HTTP side: the viewer page and what it reads
//! (`/api/live`, `/api/catalog`, thumbnails, `/events`) and `/metrics`,
//! all from Redis. Nothing here changes anything: every other path is 404,
//! every other method 405.

use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tokio::sync::watch;

use super::assets::{file_response, image_type};
use super::{bind, count_responses, error_response, json, spawn, Background};
use crate::serve::live::LiveHub;
use crate::serve::redis::Follower;
use crate::serve::{Replica, ServeError};

/// A replica's HTTP server and its link to Redis. Dropping it stops both.
pub struct ReplicaServer {
    local_addr: std::net::SocketAddr,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

/// What every handler sees.
struct Shared {
    replica: Arc<Replica>,
    stop: watch::Receiver<bool>,
}

impl ReplicaServer {
    /// Listens on the replica's address (a port in use is an error here)
    /// and starts following Redis; a Redis that is not there yet is
    /// retried in the background (`/api/live` answers 503 until the first
    /// state arrives).
    pub fn start(replica: Arc<Replica>) -> Result<ReplicaServer, ServeError> {
        let (listener, local_addr) = bind(replica.config().listen)?;
        let (stop, stop_rx) = watch::channel(false);
        let follower: Arc<dyn Follower> = replica.clone();
        let follow = crate::serve::redis::follow(
            follower,
            replica.config().redis.clone(),
            replica.client(),
            stop_rx.clone(),
        );
        let shared = Arc::new(Shared {
            replica,
            stop: stop_rx.clone(),
        });
        let thread = spawn(
            "drape-replica",
            listener,
            router(shared),
            stop_rx,
            Some(Box::pin(follow) as Background),
        )?;
        Ok(ReplicaServer {
            local_addr,
            stop,
            thread: Some(thread),
        })
    }

    /// The address the replica listens on (with the port chosen when
    /// `listen` asked for port 0).
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.local_addr
    }
}

impl std::fmt::Debug for ReplicaServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplicaServer")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl Drop for ReplicaServer {
    fn drop(&mut self) {
        // Fails only when the server thread has ended already.
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn router(shared: Arc<Shared>) -> Router {
    let hub: Arc<dyn LiveHub> = shared.replica.clone();
    Router::new()
        .route("/", get(viewer_page))
        .route("/pages/{name}", get(page_file))
        .route("/api/live", get(live))
        .route("/api/catalog", get(catalog))
        .route("/assets/thumbs/{name}", get(thumbnail))
        .route("/events", get(events))
        .route("/metrics", get(metrics))
        .fallback(not_here)
        .layer(middleware::from_fn_with_state(hub, count_responses))
        .with_state(shared)
}

async fn viewer_page(State(shared): State<Arc<Shared>>) -> Response {
    let pages_dir = shared.replica.config().pages_dir.clone();
    super::pages::serve(pages_dir, "viewer.html").await
}

async fn page_file(
    State(shared): State<Arc<Shared>>,
    name: Result<UrlPath<String>, PathRejection>,
) -> Response {
    match name {
        Ok(UrlPath(name)) => {
            let pages_dir = shared.replica.config().pages_dir.clone();
            super::pages::serve(pages_dir, &name).await
        }
        Err(_) => error_response(StatusCode::NOT_FOUND, "not found"),
    }
}

/// `GET /api/live`: the state last heard; 503 before the first.
async fn live(State(shared): State<Arc<Shared>>) -> Response {
    match shared.replica.live() {
        Some(live) => json(StatusCode::OK, &live),
        None => error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "no live state in Redis yet: start the studio with --redis and the same URL and prefix",
        ),
    }
}

/// `GET /api/catalog`: the studio's catalog as it wrote it to Redis.
async fn catalog(State(shared): State<Arc<Shared>>) -> Response {
    match shared.replica.read_catalog().await {
        Ok(Some(json)) => file_response("application/json", "no-store", json),
        Ok(None) => error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "no catalog in Redis yet: start the studio with --redis and the same URL and prefix",
        ),
        Err(error) => redis_unreachable(&error),
    }
}

/// `GET /assets/thumbs/{name}`: a thumbnail the studio wrote to Redis.
async fn thumbnail(
    State(shared): State<Arc<Shared>>,
    name: Result<UrlPath<String>, PathRejection>,
) -> Response {
    let Ok(UrlPath(name)) = name else {
        return error_response(StatusCode::NOT_FOUND, "not found");
    };
    match shared.replica.read_thumbnail(&name).await {
        Ok(Some(bytes)) => file_response(image_type(Path::new(&name)), "max-age=60", bytes),
        Ok(None) => error_response(StatusCode::NOT_FOUND, "not found"),
        Err(error) => redis_unreachable(&error),
    }
}

async fn events(State(shared): State<Arc<Shared>>) -> Response {
    let hub: Arc<dyn LiveHub> = shared.replica.clone();
    let config = shared.replica.config();
    let limits = super::sse::StreamLimits {
        heartbeat: config.heartbeat,
        max_clients: config.max_event_clients,
    };
    super::sse::stream(hub, limits, shared.stop.clone())
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    file_response(
        "text/plain; version=0.0.4; charset=utf-8",
        "no-store",
        shared.replica.metrics().render(),
    )
}

fn redis_unreachable(error: &str) -> Response {
    let message = format!("Redis cannot be read now ({error}); retry in a few seconds");
    error_response(StatusCode::SERVICE_UNAVAILABLE, &message)
}

/// Every other path: the producer's side lives on the studio.
async fn not_here() -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "not found on this viewer-only replica (the producer's API, /overlay and /producer are on the studio)",
    )
}
