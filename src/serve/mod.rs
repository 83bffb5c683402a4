//! `drape serve`: the livestream studio ("See Now, Buy Now"). The host is
//! dressed live on the program feed while a producer switches the item on
//! air through a small HTTP API, and overlays and viewer pages follow every
//! change as server-sent events.
//!
//! [`Studio`] holds what is on air ([`LiveState`]), the catalog, the latest
//! program picture and the [`Metrics`]; the render loop reads the live
//! state through [`Studio::subscribe_live`] without async and reports its
//! frames to [`Studio::metrics`]. [`ServeServer`] runs the HTTP side (axum
//! on a tokio runtime on its own thread) over the same studio:
//!
//! | Method and path | What | Token |
//! |---|---|---|
//! | `GET /api/catalog` | the garments: id, name, price, currency, buy URL, thumbnail URL, kind | |
//! | `GET /api/live` | what is on air: `{"garment", "card", "accessories", "cue", "version"}` | |
//! | `PUT /api/live` | change any subset of `garment`, `card`, `accessories` | yes |
//! | `POST /api/snapshot` | the latest program frame as PNG (JPEG with `Accept: image/jpeg`) | yes |
//! | `GET /api/cues`, `PUT /api/cues` | the cue list: `[{"at": s, "garment", "card", "accessories"}]` | PUT |
//! | `POST /api/cues/start`, `POST /api/cues/stop` | run or stop the cue list | yes |
//! | `GET /events` | server-sent events: `event: live` with the state on connect and on every change | |
//! | `GET /metrics` | Prometheus text, `drape_` prefix | |
//! | `GET /assets/thumbs/{id}.{ext}` | a garment's thumbnail (only files the catalog names) | |
//! | `GET /` | the viewer page: the garment on air, "Buy now" and its QR code | |
//! | `GET /overlay` | the product card for an OBS browser source (transparent) | |
//! | `GET /producer` | the producer's control page (asks for the token) | |
//! | `GET /pages/{file}` | the pages' scripts and style (built in, a fixed list) | |
//! | `GET /try/` | the viewer's own try-on: drape in WebAssembly in the browser (from [`StudioConfig::try_dir`]), its `setup.json`, models and catalog files | |
//!
//! Changes (every PUT and POST) need `Authorization: Bearer TOKEN` and are
//! rate-limited per client address; no CORS header is ever sent, so other
//! sites' scripts cannot call the API from a viewer's browser.
//!
//! With [`StudioConfig::redis`] the studio also writes every change to
//! Redis, and [`ReplicaServer`]s (`drape serve --viewer-only`) serve the
//! viewer page, `/events` and `/api/live` from there: viewers never reach
//! the studio process (see [`RedisConfig`] for the keys).

mod cues;
mod http;
mod live;
mod metrics;
pub mod program;
mod redis;
mod replica;
mod studio;

use std::net::SocketAddr;

pub use cues::{Cue, CueError, MAX_CUES, MAX_CUE_AT_S};
pub use http::{ReplicaServer, ServeServer, MAX_BODY_BYTES, MAX_RATE_LIMITED_CLIENTS};
pub use live::{ChangeError, CueStatus, LiveChange, LiveState};
pub use metrics::Metrics;
pub use redis::{RedisConfig, DEFAULT_REDIS_PREFIX};
pub use replica::{Replica, ReplicaConfig};
pub use studio::{
    Studio, StudioConfig, DEFAULT_HEARTBEAT, DEFAULT_MAX_EVENT_CLIENTS, DEFAULT_RATE_PER_MINUTE,
};

/// `drape serve` could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The configuration cannot work.
    #[error("drape serve configuration: {reason}")]
    InvalidConfig {
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// The garment catalog could not be read or has no usable garment.
    #[error("drape serve's garment catalog: {source}")]
    Catalog {
        /// Why.
        #[from]
        source: crate::garment::catalog::CatalogError,
    },
    /// The address could not be listened on (port in use, an address this
    /// machine does not have, a port below 1024 without the right).
    #[error("cannot listen on {addr} for drape serve: {source}; choose another address or port (--listen), or stop what uses it")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The server's runtime or thread could not start.
    #[error("cannot start drape serve's HTTP server: {source}")]
    Start {
        /// Why.
        source: std::io::Error,
    },
}
