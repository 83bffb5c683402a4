//! Redis between the studio and its viewer-only replicas, so that viewers
//! never talk to the studio process.
//!
//! The studio writes, under a prefix (`drape` by default, one per show on a
//! shared Redis):
//!
//! | Key | Type | What |
//! |---|---|---|
//! | `{prefix}:live` | string | `{"run": id, "live": state}`: the live state as `GET /api/live` gives it, and which run of the studio wrote it |
//! | `{prefix}:live` | pub/sub channel | the same JSON at every change |
//! | `{prefix}:catalog` | string | `GET /api/catalog`'s body |
//! | `{prefix}:thumbs` | hash | thumbnail name (`{id}.{ext}`) → the file's bytes |
//!
//! The studio sets the state key and publishes in one transaction, and
//! writes everything again after every reconnect (a restarted Redis starts
//! empty). A replica subscribes first and reads the key second, so no change
//! falls between; it then takes a state only when it is newer than the one
//! it holds (a higher version of the same run, or any state of another run:
//! a restarted studio counts from 0 again), so the older changes still on
//! the channel after the key's state never take the viewers back. Both sides ping every few seconds: a dead link is seen
//! within one ping, then retried with growing pauses (up to 10 s), never
//! stalling the program feed or the viewers' streams.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use redis::aio::MultiplexedConnection;
use redis::{AsyncCommands as _, AsyncConnectionConfig, Client};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

use super::live::LiveHub;
use super::{LiveState, ServeError, Studio};

/// The key prefix by default.
pub const DEFAULT_REDIS_PREFIX: &str = "drape";

/// How long connecting, or a command, may take before the link counts as
/// down.
const REDIS_TIMEOUT: Duration = Duration::from_secs(3);
/// How often an idle link is checked with a `PING`.
const HEALTH_CHECK: Duration = Duration::from_secs(2);
/// The first pause before retrying a failed link; it doubles up to
/// [`RETRY_MAX`].
const RETRY_MIN: Duration = Duration::from_millis(250);
const RETRY_MAX: Duration = Duration::from_secs(10);

/// Where the live state goes (studio) or comes from (replica).
#[derive(Clone, PartialEq, Eq)]
pub struct RedisConfig {
    /// `redis://[user:password@]host[:port][/db]` (or `rediss://`,
    /// `redis+unix://`).
    pub url: String,
    /// What the keys and the channel start with (`{prefix}:live` …); one
    /// per show when several share a Redis.
    pub prefix: String,
}

impl RedisConfig {
    /// `url` with the default prefix.
    pub fn new(url: impl Into<String>) -> RedisConfig {
        RedisConfig {
            url: url.into(),
            prefix: DEFAULT_REDIS_PREFIX.to_string(),
        }
    }

    /// A client for the URL (nothing connects yet); an error names the
    /// URL, its password hidden.
    pub(crate) fn client(&self) -> Result<Client, ServeError> {
        let invalid = |reason: String| ServeError::InvalidConfig { reason };
        if self.prefix.is_empty() || self.prefix.chars().any(|c| c.is_whitespace()) {
            return Err(invalid(format!(
                "the Redis key prefix {:?} is empty or has spaces; give a word such as `drape` or `show-42`",
                self.prefix
            )));
        }
        Client::open(self.url.as_str()).map_err(|error| {
            invalid(format!(
                "the Redis URL {} does not read as one ({error}); give one like redis://127.0.0.1:6379/",
                self.redacted_url()
            ))
        })
    }

    /// The URL with any password replaced by `***`, for logs and errors.
    pub fn redacted_url(&self) -> String {
        let Some((scheme, rest)) = self.url.split_once("://") else {
            return self.url.clone();
        };
        match rest.rsplit_once('@') {
            Some((credentials, host)) => {
                let user = credentials.split(':').next().unwrap_or("");
                format!("{scheme}://{user}:***@{host}")
            }
            None => self.url.clone(),
        }
    }

    pub(crate) fn live_key(&self) -> String {
        format!("{}:live", self.prefix)
    }

    pub(crate) fn catalog_key(&self) -> String {
        format!("{}:catalog", self.prefix)
    }

    pub(crate) fn thumbs_key(&self) -> String {
        format!("{}:thumbs", self.prefix)
    }
}

impl std::fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisConfig")
            .field("url", &self.redacted_url())
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// Why a link to Redis ended, for the log.
type LinkFailure = String;

/// A command connection with timeouts (it reconnects never: a failure ends
/// the link and the caller starts over).
pub(crate) async fn connect(client: &Client) -> Result<MultiplexedConnection, LinkFailure> {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(REDIS_TIMEOUT))
        .set_response_timeout(Some(REDIS_TIMEOUT));
    client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .map_err(|error| format!("cannot connect: {error}"))
}

/// A live state as written to Redis: the state and the studio run that
/// wrote it (random, one per studio server).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub(crate) struct RunState {
    pub(crate) run: String,
    pub(crate) live: LiveState,
}

/// A new studio run's id: 64 random bits in hex (the time if the OS has
/// no randomness to give, which only makes two runs' ids likelier alike).
fn new_run_id() -> String {
    let mut random = [0u8; 8];
    if getrandom::fill(&mut random).is_err() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        random = (now.as_nanos() as u64).to_le_bytes();
    }
    random.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// What the studio writes once per connection besides the live state.
pub(crate) struct CatalogForRedis {
    /// `GET /api/catalog`'s body.
    pub(crate) json: String,
    /// Thumbnail name → the file's bytes.
    pub(crate) thumbnails: Vec<(String, Vec<u8>)>,
}

/// The studio's side: writes the catalog, then the live state at every
/// change, until `stop`; reconnects after any failure.
pub(crate) async fn publish(
    studio: Arc<Studio>,
    redis: RedisConfig,
    client: Client,
    catalog: CatalogForRedis,
    stop: watch::Receiver<bool>,
) {
    let mut retry = Retry::new(&redis, "publishing the live state to");
    let run = new_run_id();
    loop {
        let failure = tokio::select! {
            failure = publish_linked(&studio, &redis, &client, &catalog, &run, &mut retry) => failure,
            () = super::http::stopped(stop.clone()) => return,
        };
        studio.metrics().set_redis_connected(false);
        studio.metrics().count_redis_error();
        tokio::select! {
            () = retry.wait(&failure) => {}
            () = super::http::stopped(stop.clone()) => return,
        }
    }
}

/// One link's life: returns why it ended.
async fn publish_linked(
    studio: &Studio,
    redis: &RedisConfig,
    client: &Client,
    catalog: &CatalogForRedis,
    run: &str,
    retry: &mut Retry,
) -> LinkFailure {
    let mut connection = match connect(client).await {
        Ok(connection) => connection,
        Err(failure) => return failure,
    };
    // Subscribed before the state is read: no change falls in between.
    let mut changes = studio.subscribe_states();
    let mut pipe = redis::pipe();
    pipe.atomic()
        .set(redis.catalog_key(), &catalog.json)
        .del(redis.thumbs_key());
    if !catalog.thumbnails.is_empty() {
        pipe.hset_multiple(redis.thumbs_key(), &catalog.thumbnails);
    }
    if let Err(error) = pipe.query_async::<()>(&mut connection).await {
        return format!("cannot write the catalog: {error}");
    }
    if let Err(failure) = write_live(&mut connection, redis, run, studio.live()).await {
        return failure;
    }
    studio.metrics().count_redis_message();
    studio.metrics().set_redis_connected(true);
    retry.linked();
    let mut health = tokio::time::interval(HEALTH_CHECK);
    loop {
        let live = tokio::select! {
            change = changes.recv() => match change {
                Ok(stamped) => stamped.live,
                // Behind: the latest state is all that matters.
                Err(RecvError::Lagged(_)) => studio.live(),
                // The studio holds the sender as long as it lives.
                Err(RecvError::Closed) => std::future::pending().await,
            },
            _ = health.tick() => {
                if let Err(error) = redis::cmd("PING").query_async::<()>(&mut connection).await {
                    return format!("the link stopped answering: {error}");
                }
                continue;
            }
        };
        if let Err(failure) = write_live(&mut connection, redis, run, live).await {
            return failure;
        }
        studio.metrics().count_redis_message();
    }
}

/// Sets the state key and publishes the state, in one transaction.
async fn write_live(
    connection: &mut MultiplexedConnection,
    redis: &RedisConfig,
    run: &str,
    live: LiveState,
) -> Result<(), LinkFailure> {
    let state = RunState {
        run: run.to_string(),
        live,
    };
    let json = serde_json::to_string(&state).map_err(|error| error.to_string())?;
    redis::pipe()
        .atomic()
        .set(redis.live_key(), &json)
        .publish(redis.live_key(), &json)
        .query_async::<()>(connection)
        .await
        .map_err(|error| format!("cannot publish the live state: {error}"))
}

/// What a replica does with what it hears from Redis.
pub(crate) trait Follower: Send + Sync {
    /// A [`RunState`]'s JSON, from the key or the channel.
    fn receive(&self, json: &[u8]);
    /// A command connection for reads (catalog, thumbnails) while linked;
    /// `None` when the link is down.
    fn set_connection(&self, connection: Option<MultiplexedConnection>);
    fn metrics(&self) -> &super::Metrics;
}

/// The replica's side: follows the channel (and reads the key after each
/// subscribe) until `stop`; reconnects after any failure.
pub(crate) async fn follow(
    follower: Arc<dyn Follower>,
    redis: RedisConfig,
    client: Client,
    stop: watch::Receiver<bool>,
) {
    let mut retry = Retry::new(&redis, "following the live state from");
    loop {
        let failure = tokio::select! {
            failure = follow_linked(follower.as_ref(), &redis, &client, &mut retry) => failure,
            () = super::http::stopped(stop.clone()) => return,
        };
        follower.set_connection(None);
        follower.metrics().set_redis_connected(false);
        follower.metrics().count_redis_error();
        tokio::select! {
            () = retry.wait(&failure) => {}
            () = super::http::stopped(stop.clone()) => return,
        }
    }
}

/// One link's life: returns why it ended.
async fn follow_linked(
    follower: &dyn Follower,
    redis: &RedisConfig,
    client: &Client,
    retry: &mut Retry,
) -> LinkFailure {
    let pubsub = match tokio::time::timeout(REDIS_TIMEOUT, client.get_async_pubsub()).await {
        Ok(Ok(pubsub)) => pubsub,
        Ok(Err(error)) => return format!("cannot subscribe: {error}"),
        Err(_) => return "cannot subscribe: no answer in time".to_string(),
    };
    let (mut sink, mut messages) = pubsub.split();
    let subscribed = tokio::time::timeout(REDIS_TIMEOUT, sink.subscribe(redis.live_key())).await;
    match subscribed {
        Ok(Ok(())) => {}
        Ok(Err(error)) => return format!("cannot subscribe: {error}"),
        Err(_) => return "cannot subscribe: no answer in time".to_string(),
    }
    let mut connection = match connect(client).await {
        Ok(connection) => connection,
        Err(failure) => return failure,
    };
    // Read after subscribing: a change in between arrives on the channel too.
    match connection.get::<_, Option<Vec<u8>>>(redis.live_key()).await {
        Ok(Some(json)) => follower.receive(&json),
        // The studio has not published yet: its first state comes on the channel.
        Ok(None) => {}
        Err(error) => return format!("cannot read {}: {error}", redis.live_key()),
    }
    follower.set_connection(Some(connection));
    follower.metrics().set_redis_connected(true);
    retry.linked();
    let mut health = tokio::time::interval(HEALTH_CHECK);
    loop {
        tokio::select! {
            message = messages.next() => match message {
                Some(message) => follower.receive(message.get_payload_bytes()),
                None => return "the subscription ended".to_string(),
            },
            _ = health.tick() => {
                // Subscribed, Redis answers PING with an array, not PONG.
                match tokio::time::timeout(REDIS_TIMEOUT, sink.ping::<redis::Value>()).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(error)) => return format!("the link stopped answering: {error}"),
                    Err(_) => return "the link stopped answering in time".to_string(),
                }
            }
        }
    }
}

/// Pauses between tries, growing while Redis stays away; logs a failure
/// once per outage (every try after the first at debug level).
struct Retry {
    pause: Duration,
    /// Whether this outage was logged already.
    logged: bool,
    what: String,
}

impl Retry {
    fn new(redis: &RedisConfig, doing: &str) -> Retry {
        Retry {
            pause: RETRY_MIN,
            logged: false,
            what: format!("{doing} Redis at {}", redis.redacted_url()),
        }
    }

    /// The link is up: the next outage starts over.
    fn linked(&mut self) {
        if self.logged {
            tracing::info!("{}: linked again", self.what);
        }
        self.pause = RETRY_MIN;
        self.logged = false;
    }

    /// Logs `failure` (once per outage) and waits before the next try.
    async fn wait(&mut self, failure: &str) {
        if self.logged {
            tracing::debug!("{}: {failure}; retrying in {:?}", self.what, self.pause);
        } else {
            tracing::warn!(
                "{}: {failure}; retrying until it answers (is redis-server running there?)",
                self.what
            );
            self.logged = true;
        }
        tokio::time::sleep(self.pause).await;
        self.pause = (self.pause * 2).min(RETRY_MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_shows() {
        let redis = RedisConfig::new("redis://show:s3cret@cache.internal:6379/2");
        assert_eq!(
            redis.redacted_url(),
            "redis://show:***@cache.internal:6379/2"
        );
        assert!(!format!("{redis:?}").contains("s3cret"));
        let plain = RedisConfig::new("redis://127.0.0.1:6379/");
        assert_eq!(plain.redacted_url(), "redis://127.0.0.1:6379/");
    }

    #[test]
    fn a_bad_url_or_prefix_is_refused_with_what_to_do() {
        let error = RedisConfig::new("http://:pw@host/").client().unwrap_err();
        let text = error.to_string();
        assert!(text.contains("redis://127.0.0.1:6379/"), "{text}");
        assert!(!text.contains("pw@"), "{text}");
        let mut spaced = RedisConfig::new("redis://127.0.0.1/");
        spaced.prefix = "my show".to_string();
        assert!(spaced.client().unwrap_err().to_string().contains("prefix"));
        let keys = RedisConfig::new("redis://127.0.0.1/");
        assert_eq!(
            (keys.live_key(), keys.catalog_key(), keys.thumbs_key()),
            (
                "drape:live".to_string(),
                "drape:catalog".to_string(),
                "drape:thumbs".to_string()
            )
        );
    }
}
