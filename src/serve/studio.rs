//! The studio's shared state: what is on air, the catalog, the latest
//! program picture and the metrics, shared by the render loop and the HTTP
//! server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::{broadcast, watch};

use super::cues::Cue;
use super::live::{apply, ChangeError, CueStatus, LiveChange, LiveHub, LiveState, Stamped};
use super::metrics::Metrics;
use super::ServeError;
use crate::garment::catalog::{Catalog, GarmentKind};

/// Changes per client address per minute by default.
pub const DEFAULT_RATE_PER_MINUTE: u32 = 120;
/// How often an idle `/events` stream gets a heartbeat comment by default
/// (proxies close connections silent for longer than 30 to 60 s).
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(15);

/// `/events` streams a server holds at once by default: far more than
/// one studio's overlays and producers, and a replica's share of viewers
/// behind a load balancer (within a default 1024 open files, raise
/// `ulimit -n` for more).
pub const DEFAULT_MAX_EVENT_CLIENTS: usize = 10_000;

/// How many changes an `/events` client may fall behind before it skips to
/// the latest state (a few KB per client at most).
const EVENT_BACKLOG: usize = 64;

/// How the studio is set up.
#[derive(Clone, PartialEq, Eq)]
pub struct StudioConfig {
    /// The garment catalog's manifest (`catalog.toml`).
    pub catalog: PathBuf,
    /// The bearer token every change must carry; `None`: every change is
    /// refused (403) and the server warns at start.
    pub token: Option<String>,
    /// The address and port to listen on (port 0: any free port, see
    /// [`super::ServeServer::local_addr`]).
    pub listen: SocketAddr,
    /// Changes (PUT and POST requests) each client address may make per
    /// minute, at least 1; a burst of a whole minute's worth is allowed.
    pub rate_per_minute: u32,
    /// How often an idle `/events` stream gets a heartbeat comment.
    pub heartbeat: Duration,
    /// A folder to serve the pages (`/`, `/overlay`, `/producer` and
    /// `/pages/`) from instead of the built-in ones, under the same file
    /// names as `web/pages/` (read anew at every request); `None`: the
    /// built-in pages.
    pub pages_dir: Option<PathBuf>,
    /// At most this many `/events` streams at once (each holds a socket
    /// and a few KB); one more is answered 503 with `Retry-After`.
    pub max_event_clients: usize,
    /// The folder `scripts/build-web.sh` wrote (the page and its
    /// WebAssembly module), served at `/try`; `None`: `/try` says how to
    /// build it.
    pub try_dir: Option<PathBuf>,
    /// Where every live change is published for viewer-only replicas (see
    /// [`super::RedisConfig`]); `None`: nowhere.
    pub redis: Option<super::RedisConfig>,
}

impl StudioConfig {
    /// A configuration for `catalog` listening on `listen`, with no token
    /// (changes refused), 120 changes a minute, a 15 s heartbeat, the
    /// built-in pages and no Redis.
    pub fn new(catalog: impl Into<PathBuf>, listen: SocketAddr) -> StudioConfig {
        StudioConfig {
            catalog: catalog.into(),
            token: None,
            listen,
            rate_per_minute: DEFAULT_RATE_PER_MINUTE,
            heartbeat: DEFAULT_HEARTBEAT,
            pages_dir: None,
            max_event_clients: DEFAULT_MAX_EVENT_CLIENTS,
            redis: None,
            try_dir: None,
        }
    }
}

impl std::fmt::Debug for StudioConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token itself: a debug log must not leak it.
        let token = self.token.as_ref().map(|_| "<set>");
        f.debug_struct("StudioConfig")
            .field("catalog", &self.catalog)
            .field("token", &token)
            .field("listen", &self.listen)
            .field("rate_per_minute", &self.rate_per_minute)
            .field("heartbeat", &self.heartbeat)
            .field("pages_dir", &self.pages_dir)
            .field("max_event_clients", &self.max_event_clients)
            .field("redis", &self.redis)
            .field("try_dir", &self.try_dir)
            .finish()
    }
}

/// The latest program picture: RGBA8, row-major, no padding.
pub(crate) struct ProgramFrame {
    pub(crate) rgba: Vec<u8>,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

/// The studio: what is on air, the catalog, the latest program picture and
/// the metrics. Shared (`Arc`) by the render loop and the HTTP server;
/// every method takes `&self` and none blocks for long.
pub struct Studio {
    config: StudioConfig,
    catalog: Catalog,
    state: Mutex<Inner>,
    /// The current state for the render loop (latest value only).
    live_tx: watch::Sender<LiveState>,
    /// Every change for `/events` clients and the Redis publisher
    /// (bounded: a lagging receiver skips).
    events: broadcast::Sender<Stamped>,
    program: Mutex<Option<Arc<ProgramFrame>>>,
    bad_frame_warned: AtomicBool,
    metrics: Metrics,
}

/// What changes, under one lock.
pub(super) struct Inner {
    pub(super) live: LiveState,
    pub(super) cues: Vec<Cue>,
    /// One more at each start, stop or upload: a cue task of an older
    /// generation applies nothing.
    pub(super) cue_generation: u64,
    pub(super) cue_task: Option<tokio::task::AbortHandle>,
}

impl Studio {
    /// Loads the catalog (garments with problems of their own are left out
    /// with a warning) and puts its default garment on air with the card
    /// shown, no accessories and no cue list.
    pub fn new(config: StudioConfig) -> Result<Arc<Studio>, ServeError> {
        let invalid = |reason: &str| ServeError::InvalidConfig {
            reason: reason.to_string(),
        };
        if config.rate_per_minute == 0 {
            return Err(invalid("rate_per_minute is 0; allow at least 1 change a minute per client (the default is 120)"));
        }
        if config.token.as_deref().is_some_and(str::is_empty) {
            return Err(invalid("the token is empty; set DRAPE_TOKEN (or the --token-file) to a long random secret, e.g. from `openssl rand -hex 16`"));
        }
        if config.max_event_clients == 0 {
            return Err(invalid("max_event_clients is 0: no page could follow the show; allow at least 1 (the default is 10000)"));
        }
        if config.heartbeat.is_zero() {
            return Err(invalid(
                "the /events heartbeat interval is 0; give it a few seconds (the default is 15 s)",
            ));
        }
        let catalog = Catalog::load_usable(&config.catalog)?;
        for left_out in &catalog.left_out {
            tracing::warn!("{}: {left_out}", catalog.path.display());
        }
        let garment = catalog
            .default_entry()
            .filter(|entry| entry.kind != GarmentKind::Accessory)
            .map(|entry| entry.id.clone());
        let live = LiveState {
            garment,
            card: true,
            accessories: Vec::new(),
            cue: CueStatus::default(),
            version: 0,
        };
        let (live_tx, _) = watch::channel(live.clone());
        let (events, _) = broadcast::channel(EVENT_BACKLOG);
        Ok(Arc::new(Studio {
            config,
            catalog,
            state: Mutex::new(Inner {
                live,
                cues: Vec::new(),
                cue_generation: 0,
                cue_task: None,
            }),
            live_tx,
            events,
            program: Mutex::new(None),
            bad_frame_warned: AtomicBool::new(false),
            metrics: Metrics::default(),
        }))
    }

    /// What is on air now.
    pub fn live(&self) -> LiveState {
        self.lock().live.clone()
    }

    /// A receiver of the live state for the render loop: poll
    /// `has_changed()` and `borrow_and_update()` each frame, no async
    /// needed. It only ever holds the latest state.
    pub fn subscribe_live(&self) -> watch::Receiver<LiveState> {
        self.live_tx.subscribe()
    }

    /// Keeps `rgba` (RGBA8, `width * height * 4` bytes, rows top to
    /// bottom) as the latest program picture for `POST /api/snapshot`,
    /// replacing the one before; nothing is encoded here. A buffer of the
    /// wrong size is ignored (with one warning).
    pub fn set_program_frame(&self, rgba: Vec<u8>, width: u32, height: u32) {
        let expected = u64::from(width) * u64::from(height) * 4;
        if rgba.len() as u64 != expected || expected == 0 {
            if !self.bad_frame_warned.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    "a program frame of {} bytes for {width}x{height} RGBA ({expected} bytes) is ignored",
                    rgba.len()
                );
            }
            return;
        }
        let frame = Arc::new(ProgramFrame {
            rgba,
            width,
            height,
        });
        *self.program.lock().unwrap_or_else(PoisonError::into_inner) = Some(frame);
    }

    /// The latest program picture, if any.
    pub(crate) fn program_frame(&self) -> Option<Arc<ProgramFrame>> {
        self.program
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The counters the render loop updates and `/metrics` shows.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The catalog, as loaded at start.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The configuration the studio was made with.
    pub fn config(&self) -> &StudioConfig {
        &self.config
    }

    /// Applies `change` as `PUT /api/live` does: checks every id against
    /// the catalog (nothing changes if one is wrong), then bumps the
    /// version and tells the render loop and every `/events` client.
    pub fn change(&self, change: &LiveChange) -> Result<LiveState, ChangeError> {
        self.check(change)?;
        Ok(self.update(|inner| apply(&mut inner.live, change)))
    }

    /// Whether `change` names only what the catalog offers as that.
    pub(crate) fn check(&self, change: &LiveChange) -> Result<(), ChangeError> {
        let ids = |accessory: bool| {
            let ids: Vec<&str> = self
                .catalog
                .garments
                .iter()
                .filter(|entry| (entry.kind == GarmentKind::Accessory) == accessory)
                .map(|entry| entry.id.as_str())
                .collect();
            if ids.is_empty() {
                "(none)".to_string()
            } else {
                ids.join(", ")
            }
        };
        if let Some(Some(id)) = &change.garment {
            match self.catalog.get(id) {
                None => {
                    let (id, known) = (id.clone(), ids(false));
                    return Err(ChangeError::UnknownGarment { id, known });
                }
                Some(entry) if entry.kind == GarmentKind::Accessory => {
                    let (id, known) = (id.clone(), ids(false));
                    return Err(ChangeError::AccessoryAsGarment { id, known });
                }
                Some(_) => {}
            }
        }
        for (index, id) in change.accessories.iter().flatten().enumerate() {
            let is_accessory = self
                .catalog
                .get(id)
                .is_some_and(|entry| entry.kind == GarmentKind::Accessory);
            if !is_accessory {
                let (id, known) = (id.clone(), ids(true));
                return Err(ChangeError::UnknownAccessory { id, known });
            }
            if change
                .accessories
                .iter()
                .flatten()
                .take(index)
                .any(|seen| seen == id)
            {
                return Err(ChangeError::DuplicateAccessory { id: id.clone() });
            }
        }
        Ok(())
    }

    /// Runs `edit` under the lock, then bumps the version and publishes
    /// the new state (in the same order to the render loop and `/events`).
    pub(super) fn update(&self, edit: impl FnOnce(&mut Inner)) -> LiveState {
        let updated = self.update_if(|inner| {
            edit(inner);
            true
        });
        updated.unwrap_or_else(|| self.live())
    }

    /// Like `update` when `edit` returns `true`; when it returns `false`
    /// (it changed nothing) nothing is published and the result is `None`.
    pub(super) fn update_if(&self, edit: impl FnOnce(&mut Inner) -> bool) -> Option<LiveState> {
        let mut inner = self.lock();
        if !edit(&mut inner) {
            return None;
        }
        inner.live.version += 1;
        let live = inner.live.clone();
        self.live_tx.send_replace(live.clone());
        // An error only means no `/events` client is connected.
        let _ = self.events.send(Stamped {
            seq: live.version,
            live: live.clone(),
        });
        Some(live)
    }

    /// The state, even after a panic elsewhere (no code panics while
    /// holding the lock, and the state stays consistent between calls).
    pub(super) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl LiveHub for Studio {
    /// Every change from now on (at most 64 behind; then `recv` says it
    /// lagged).
    fn subscribe_states(&self) -> broadcast::Receiver<Stamped> {
        self.events.subscribe()
    }

    fn latest(&self) -> Option<Stamped> {
        let live = self.live();
        Some(Stamped {
            seq: live.version,
            live,
        })
    }

    fn metrics(&self) -> &Metrics {
        &self.metrics
    }
}

impl std::fmt::Debug for Studio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Studio")
            .field("config", &self.config)
            .field("garments", &self.catalog.garments.len())
            .field("live", &self.live())
            .finish()
    }
}
