//! `GET /events`: server-sent events of the live state, for overlays and
//! viewer pages.
//!
//! Each client gets `event: live` with the state as JSON on connect and
//! after every change, and a `: heartbeat` comment when idle. Changes reach
//! clients through a bounded broadcast channel: a client that stops reading
//! never blocks a change or another client; once it falls 64 changes
//! behind, it skips to the latest state.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tokio::sync::watch;

use super::{stopped, Shared};
use crate::serve::live::{LiveHub, Stamped};

/// `GET /events` on the studio.
pub(super) async fn events(State(shared): State<Arc<Shared>>) -> Response {
    let hub: Arc<dyn LiveHub> = shared.studio.clone();
    let config = shared.studio.config();
    let limits = StreamLimits {
        heartbeat: config.heartbeat,
        max_clients: config.max_event_clients,
    };
    stream(hub, limits, shared.stop.clone())
}

/// How an event stream is kept.
pub(super) struct StreamLimits {
    /// A heartbeat comment this often when idle.
    pub(super) heartbeat: Duration,
    /// At most this many streams at once; one more is answered 503.
    pub(super) max_clients: usize,
}

/// How long a client turned away for too many streams is asked to wait.
const RETRY_AFTER_FULL_S: u32 = 10;

/// The event stream of `hub`'s states; it ends when `stop` turns `true`.
pub(super) fn stream(
    hub: Arc<dyn LiveHub>,
    limits: StreamLimits,
    stop: watch::Receiver<bool>,
) -> Response {
    let Some(feed) = Feed::new(hub, limits.max_clients) else {
        let message = format!(
            "this server has {} event streams open, its most; retry in {RETRY_AFTER_FULL_S} s or use another server",
            limits.max_clients
        );
        let mut response = super::error_response(StatusCode::SERVICE_UNAVAILABLE, &message);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_FULL_S));
        return response;
    };
    let heartbeat = limits.heartbeat;
    let events = futures_util::stream::unfold(feed, |mut feed| async move {
        let stamped = feed.next_state().await?;
        Some((Ok::<_, Infallible>(event(&stamped)), feed))
    })
    .take_until(stopped(stop));
    let keep_alive = KeepAlive::new().interval(heartbeat).text("heartbeat");
    let mut response = Sse::new(events).keep_alive(keep_alive).into_response();
    // Tells nginx-like proxies to pass events on at once.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// `event: live`, the stamp as its id, the state as JSON.
fn event(stamped: &Stamped) -> Event {
    let data = serde_json::to_string(&stamped.live).unwrap_or_else(|error| {
        // Plain strings, bools and numbers always serialize; never seen.
        tracing::error!("cannot write the live state as JSON: {error}");
        "{}".to_string()
    });
    Event::default()
        .event("live")
        .id(stamped.seq.to_string())
        .data(data)
}

/// One client's view of the changes.
struct Feed {
    hub: Arc<dyn LiveHub>,
    changes: Receiver<Stamped>,
    /// Sent first: the state when the client connected (if there is one).
    pending: Option<Stamped>,
    /// The stamp sent last; older states are skipped.
    sent_seq: Option<u64>,
    /// Counts the client while the feed lives.
    _client: ClientCount,
}

impl Feed {
    /// A feed counted among the clients; `None` when `max_clients` are
    /// connected already.
    fn new(hub: Arc<dyn LiveHub>, max_clients: usize) -> Option<Feed> {
        if !hub.metrics().try_sse_client_join(max_clients) {
            return None;
        }
        // Subscribed before the state is read: no change falls in between.
        let changes = hub.subscribe_states();
        let pending = hub.latest();
        Some(Feed {
            _client: ClientCount(Arc::clone(&hub)),
            hub,
            changes,
            pending,
            sent_seq: None,
        })
    }

    /// The next state to send, newer than the last one sent.
    async fn next_state(&mut self) -> Option<Stamped> {
        loop {
            let stamped = match self.pending.take() {
                Some(stamped) => stamped,
                None => match self.changes.recv().await {
                    Ok(stamped) => stamped,
                    // Fell behind: the latest state now, and the older ones
                    // still queued are skipped below.
                    Err(RecvError::Lagged(_)) => match self.hub.latest() {
                        Some(stamped) => stamped,
                        None => continue,
                    },
                    Err(RecvError::Closed) => return None,
                },
            };
            if self.sent_seq.is_some_and(|sent| stamped.seq <= sent) {
                continue;
            }
            self.sent_seq = Some(stamped.seq);
            return Some(stamped);
        }
    }
}

/// One `/events` client in the metrics, from connect to disconnect.
struct ClientCount(Arc<dyn LiveHub>);

impl Drop for ClientCount {
    fn drop(&mut self) {
        self.0.metrics().sse_client_left();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::{LiveChange, Studio, StudioConfig};
    use std::time::Duration;

    #[test]
    fn a_lagging_client_skips_to_the_latest_state() {
        let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/garments/catalog.toml");
        let config = StudioConfig::new(catalog, "127.0.0.1:0".parse().unwrap());
        let studio = Studio::new(config).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut feed = Feed::new(studio.clone(), 2).unwrap();
            assert_eq!(studio.metrics().sse_clients(), 1);
            let second = Feed::new(studio.clone(), 2).unwrap();
            assert!(
                Feed::new(studio.clone(), 2).is_none(),
                "a third is one too many"
            );
            drop(second);
            assert_eq!(studio.metrics().sse_clients(), 1);
            for change in 0..100 {
                let card = LiveChange {
                    card: Some(change % 2 == 1),
                    ..LiveChange::default()
                };
                studio.change(&card).unwrap();
            }
            // The state at connect, then (lagged by 36) the latest: the 100th
            // change (99, odd) shows the card.
            assert_eq!(feed.next_state().await.unwrap().seq, 0);
            let latest = feed.next_state().await.unwrap();
            assert_eq!((latest.seq, latest.live.card), (100, true));
            // The 64 queued older states are skipped: nothing more to send.
            let more = tokio::time::timeout(Duration::from_millis(50), feed.next_state()).await;
            assert!(more.is_err(), "sent {more:?}");
            studio.change(&LiveChange::default()).unwrap();
            assert_eq!(feed.next_state().await.unwrap().seq, 101);
            drop(feed);
            assert_eq!(studio.metrics().sse_clients(), 0);
        });
    }
}
