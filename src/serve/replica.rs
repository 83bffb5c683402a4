//! A viewer-only replica (`drape serve --viewer-only --redis URL`): serves
//! the viewer page, `/events` and `/api/live` from what the studio
//! publishes to Redis (see [`super::redis`]). It holds nothing but the
//! latest state, so any number of them can stand behind a load balancer,
//! started and stopped at will.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncCommands as _, Client};
use tokio::sync::broadcast;

use super::live::{LiveHub, Stamped};
use super::redis::{Follower, RedisConfig, RunState};
use super::{LiveState, Metrics, ServeError, DEFAULT_HEARTBEAT, DEFAULT_MAX_EVENT_CLIENTS};

/// How many states an `/events` client may fall behind before it skips to
/// the latest.
const EVENT_BACKLOG: usize = 64;

/// How a replica is set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaConfig {
    /// The Redis the studio publishes to, and its key prefix.
    pub redis: RedisConfig,
    /// The address and port to listen on (port 0: any free port).
    pub listen: SocketAddr,
    /// How often an idle `/events` stream gets a heartbeat comment.
    pub heartbeat: Duration,
    /// A folder of the pages' files replacing the built-in ones, as
    /// [`super::StudioConfig::pages_dir`].
    pub pages_dir: Option<PathBuf>,
    /// At most this many `/events` streams at once (each holds a socket
    /// and a few KB); one more is answered 503 with `Retry-After`.
    pub max_event_clients: usize,
}

impl ReplicaConfig {
    /// Following `redis`, listening on `listen`, a 15 s heartbeat and the
    /// built-in pages.
    pub fn new(redis: RedisConfig, listen: SocketAddr) -> ReplicaConfig {
        ReplicaConfig {
            redis,
            listen,
            heartbeat: DEFAULT_HEARTBEAT,
            pages_dir: None,
            max_event_clients: DEFAULT_MAX_EVENT_CLIENTS,
        }
    }
}

/// The state a replica holds and the studio run it came from.
#[derive(Clone, Debug)]
struct Held {
    run: String,
    stamped: Stamped,
}

/// The replica's state: the latest live state heard from Redis and the
/// link used to read the catalog and thumbnails.
pub struct Replica {
    config: ReplicaConfig,
    client: Client,
    latest: Mutex<Option<Held>>,
    states: broadcast::Sender<Stamped>,
    connection: Mutex<Option<MultiplexedConnection>>,
    bad_state_warned: AtomicBool,
    metrics: Metrics,
}

impl Replica {
    /// Checks the configuration; nothing connects until
    /// [`super::ReplicaServer::start`].
    pub fn new(config: ReplicaConfig) -> Result<Arc<Replica>, ServeError> {
        if config.heartbeat.is_zero() {
            return Err(ServeError::InvalidConfig {
                reason: "the /events heartbeat interval is 0; give it a few seconds (the default is 15 s)".to_string(),
            });
        }
        if config.max_event_clients == 0 {
            return Err(ServeError::InvalidConfig {
                reason: "max_event_clients is 0: no viewer could follow the show; allow at least 1 (the default is 10000)".to_string(),
            });
        }
        let client = config.redis.client()?;
        let (states, _) = broadcast::channel(EVENT_BACKLOG);
        Ok(Arc::new(Replica {
            config,
            client,
            latest: Mutex::new(None),
            states,
            connection: Mutex::new(None),
            bad_state_warned: AtomicBool::new(false),
            metrics: Metrics::for_replica(),
        }))
    }

    /// What is on air as last heard from Redis; `None` before the first
    /// state (the studio has not published yet, or Redis is unreachable).
    pub fn live(&self) -> Option<LiveState> {
        self.lock_latest()
            .as_ref()
            .map(|held| held.stamped.live.clone())
    }

    /// The replica's counters (`/events` clients, responses, Redis).
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The configuration the replica was made with.
    pub fn config(&self) -> &ReplicaConfig {
        &self.config
    }

    pub(crate) fn client(&self) -> Client {
        self.client.clone()
    }

    /// The catalog as the studio published it (`GET /api/catalog`'s body);
    /// `Ok(None)` before it has; `Err` while Redis is unreachable.
    pub(crate) async fn read_catalog(&self) -> Result<Option<Vec<u8>>, String> {
        let mut connection = self.command_connection()?;
        connection
            .get(self.config.redis.catalog_key())
            .await
            .map_err(|error| error.to_string())
    }

    /// A thumbnail's bytes by its name (`{id}.{ext}`); `Ok(None)`: none of
    /// that name.
    pub(crate) async fn read_thumbnail(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let mut connection = self.command_connection()?;
        connection
            .hget(self.config.redis.thumbs_key(), name)
            .await
            .map_err(|error| error.to_string())
    }

    fn command_connection(&self) -> Result<MultiplexedConnection, String> {
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| "no link to Redis now".to_string())
    }

    fn lock_latest(&self) -> MutexGuard<'_, Option<Held>> {
        self.latest.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Follower for Replica {
    /// A state newer than the one held (a higher version of the same run,
    /// or any of another run: a restarted studio) becomes the next; older
    /// ones (still on the channel after the key was read) and the same one
    /// again are dropped. It is stamped with the studio's version, or one
    /// above the last stamp if that is higher, so stamps only grow. One
    /// that does not parse is dropped with one warning.
    fn receive(&self, json: &[u8]) {
        let RunState { run, live } = match serde_json::from_slice(json) {
            Ok(state) => state,
            Err(error) => {
                self.metrics.count_redis_error();
                if !self.bad_state_warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        "{} in Redis is no live state drape writes ({error}); is another program using the prefix `{}`?",
                        self.config.redis.live_key(),
                        self.config.redis.prefix
                    );
                }
                return;
            }
        };
        self.metrics.count_redis_message();
        let mut latest = self.lock_latest();
        if let Some(held) = latest.as_ref() {
            let same_run = held.run == run;
            if same_run && live.version <= held.stamped.live.version {
                return;
            }
        }
        let seq = latest
            .as_ref()
            .map_or(live.version, |held| live.version.max(held.stamped.seq + 1));
        let stamped = Stamped { seq, live };
        *latest = Some(Held {
            run,
            stamped: stamped.clone(),
        });
        // Sent under the lock: clients see the states in order. An error
        // only means no client is connected.
        let _ = self.states.send(stamped);
    }

    fn set_connection(&self, connection: Option<MultiplexedConnection>) {
        *self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = connection;
    }

    fn metrics(&self) -> &Metrics {
        &self.metrics
    }
}

impl LiveHub for Replica {
    fn subscribe_states(&self) -> broadcast::Receiver<Stamped> {
        self.states.subscribe()
    }

    fn latest(&self) -> Option<Stamped> {
        self.lock_latest().as_ref().map(|held| held.stamped.clone())
    }

    fn metrics(&self) -> &Metrics {
        &self.metrics
    }
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica")
            .field("config", &self.config)
            .field("live", &self.live())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replica() -> Arc<Replica> {
        let redis = RedisConfig::new("redis://127.0.0.1:1/");
        Replica::new(ReplicaConfig::new(redis, "127.0.0.1:0".parse().unwrap())).unwrap()
    }

    fn state(run: &str, garment: &str, version: u64) -> Vec<u8> {
        let live = serde_json::json!({"run": run, "live": {
            "garment": garment, "card": true, "accessories": [],
            "cue": {"running": false, "index": null, "count": 0}, "version": version,
        }});
        live.to_string().into_bytes()
    }

    #[test]
    fn only_newer_states_pass_and_a_restarted_studio_counts_as_newer() {
        let replica = replica();
        let mut states = replica.subscribe_states();
        assert_eq!(replica.live(), None);
        replica.receive(&state("a1", "tee-indigo", 7)); // read from the key
        replica.receive(&state("a1", "photo-tee", 6)); // older, still on the channel
        replica.receive(&state("a1", "tee-indigo", 7)); // the key's state again
        replica.receive(&state("a1", "photo-tee", 8));
        replica.receive(&state("b2", "jacket-charcoal", 0)); // a restarted studio
        replica.receive(br#"{"garment": null}"#); // not drape's
        let got: Vec<(u64, u64, String)> = std::iter::from_fn(|| states.try_recv().ok())
            .map(|s| (s.seq, s.live.version, s.live.garment.unwrap_or_default()))
            .collect();
        let want = [
            (7, 7, "tee-indigo"),
            (8, 8, "photo-tee"),
            (9, 0, "jacket-charcoal"),
        ];
        let want: Vec<(u64, u64, String)> = want
            .iter()
            .map(|(s, v, g)| (*s, *v, g.to_string()))
            .collect();
        assert_eq!(got, want);
        let garment = replica.live().and_then(|live| live.garment);
        assert_eq!(garment.as_deref(), Some("jacket-charcoal"));
        assert_eq!(replica.metrics().redis_messages(), 5);
        assert_eq!(replica.metrics().redis_errors(), 1);
    }
}
