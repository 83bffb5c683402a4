//! `drape serve --redis` and `--viewer-only` replicas with a real
//! `redis-server` started here: a change on the studio reaches a replica's
//! `/events` client, the replica serves the viewer page's catalog and
//! thumbnails from Redis, refuses changes, and both sides find each other
//! again after Redis restarts.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use drape::serve::{
    RedisConfig, Replica, ReplicaConfig, ReplicaServer, ServeServer, Studio, StudioConfig,
};

use common::http::{get, put, request, EventStream};
use common::interrupt;
use common::redis::RedisServer;
use common::serve::ServeProcess;

const TOKEN: &str = "redis-test-token-0123456789";
const SECOND: Duration = Duration::from_secs(1);

fn catalog() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/garments/catalog.toml")
}

fn studio(redis: &RedisServer, prefix: &str) -> (Arc<Studio>, ServeServer) {
    let config = StudioConfig {
        token: Some(TOKEN.to_string()),
        redis: Some(RedisConfig {
            prefix: prefix.to_string(),
            ..RedisConfig::new(redis.url())
        }),
        ..StudioConfig::new(catalog(), "127.0.0.1:0".parse().unwrap())
    };
    let studio = Studio::new(config).unwrap();
    let server = ServeServer::start(Arc::clone(&studio)).unwrap();
    (studio, server)
}

fn replica(redis: &RedisServer, prefix: &str) -> (Arc<Replica>, ReplicaServer) {
    let config = ReplicaConfig {
        heartbeat: Duration::from_millis(500),
        ..ReplicaConfig::new(
            RedisConfig {
                prefix: prefix.to_string(),
                ..RedisConfig::new(redis.url())
            },
            "127.0.0.1:0".parse().unwrap(),
        )
    };
    let replica = Replica::new(config).unwrap();
    let server = ReplicaServer::start(Arc::clone(&replica)).unwrap();
    (replica, server)
}

/// Polls `check` until it holds or `limit` passes.
fn eventually(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < limit, "{what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_change_on_the_studio_reaches_the_event_clients_of_two_replicas() {
    let redis = RedisServer::start();
    // Replicas may start first: they answer 503 until the studio publishes.
    let (first, first_server) = replica(&redis, "show");
    let (_second, second_server) = replica(&redis, "show");
    let (a, b) = (first_server.local_addr(), second_server.local_addr());
    eventually(5 * SECOND, "the replica links to Redis", || {
        first.metrics().redis_connected()
    });
    let early = get(a, "/api/live");
    assert_eq!(early.status, 503);
    assert!(early.error().contains("--redis"), "{}", early.error());
    assert_eq!(get(a, "/api/catalog").status, 503);

    let (studio, studio_server) = studio(&redis, "show");
    let studio_addr = studio_server.local_addr();
    let mut events_a = EventStream::connect(a);
    let mut events_b = EventStream::connect(b);
    // The state the studio started with, once it is published.
    let on_air = events_a.next_live(5 * SECOND);
    assert_eq!(on_air, get(studio_addr, "/api/live").json());
    assert_eq!(events_b.next_live(5 * SECOND), on_air);

    for body in [
        r#"{"garment": "photo-tee", "card": false}"#,
        r#"{"garment": "jacket-charcoal", "accessories": ["glasses-round"]}"#,
        r#"{"garment": null}"#,
    ] {
        let sent = Instant::now();
        let live = put(studio_addr, "/api/live", Some(TOKEN), body).json();
        assert_eq!(events_a.next_live(SECOND), live, "after {body}");
        assert_eq!(events_b.next_live(SECOND), live, "after {body}");
        assert!(sent.elapsed() < SECOND, "{:?}", sent.elapsed());
        assert_eq!(get(a, "/api/live").json(), live);
    }
    // The studio counts a message once Redis has answered, which may be
    // after a replica already passed it on.
    eventually(SECOND, "the studio counts four messages", || {
        studio.metrics().redis_messages() == 4
    });
    assert_eq!(first.metrics().sse_clients(), 1);

    // What the viewer page reads, from Redis: the same catalog and thumbnails.
    let catalog = get(a, "/api/catalog");
    assert_eq!(catalog.status, 200);
    assert_eq!(catalog.json(), get(studio_addr, "/api/catalog").json());
    let thumbnail_url = catalog.json()["garments"][0]["thumbnail_url"]
        .as_str()
        .unwrap()
        .to_string();
    let thumbnail = get(b, &thumbnail_url);
    assert_eq!(thumbnail.status, 200);
    assert_eq!(thumbnail.body, get(studio_addr, &thumbnail_url).body);
    assert_eq!(
        thumbnail.header("content-type"),
        get(studio_addr, &thumbnail_url).header("content-type")
    );
    assert_eq!(get(b, "/assets/thumbs/nothing.png").status, 404);
    let page = get(a, "/");
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("viewer.js"));
    assert_eq!(get(a, "/pages/viewer.js").status, 200);

    // A replica changes nothing and has no producer's side.
    let refused = request(
        a,
        "PUT",
        "/api/live",
        &[("authorization", &format!("Bearer {TOKEN}"))],
        br#"{"card": true}"#,
    );
    assert_eq!(refused.status, 405);
    for path in ["/producer", "/overlay", "/api/cues", "/api/snapshot"] {
        let reply = get(a, path);
        assert_eq!(reply.status, 404, "{path}");
        assert!(
            reply.error().contains("viewer-only"),
            "{path}: {}",
            reply.error()
        );
    }
    let metrics = String::from_utf8(get(a, "/metrics").body).unwrap();
    assert!(metrics.contains("drape_redis_connected 1"), "{metrics}");
    assert!(
        metrics.contains("drape_redis_messages_total 4"),
        "{metrics}"
    );
    assert!(metrics.contains("drape_sse_clients 1"), "{metrics}");
    assert!(!metrics.contains("drape_frames_total"), "{metrics}");
    let studio_metrics = String::from_utf8(get(studio_addr, "/metrics").body).unwrap();
    assert!(
        studio_metrics.contains("drape_redis_connected 1"),
        "{studio_metrics}"
    );
}

#[test]
fn shows_with_different_prefixes_share_one_redis_without_crossing() {
    let redis = RedisServer::start();
    let (_spring, spring_server) = studio(&redis, "spring");
    let (_autumn, autumn_server) = studio(&redis, "autumn");
    let (_viewer, viewer_server) = replica(&redis, "autumn");
    let mut events = EventStream::connect(viewer_server.local_addr());
    assert_eq!(events.next_live(5 * SECOND)["version"], 0);
    put(
        spring_server.local_addr(),
        "/api/live",
        Some(TOKEN),
        r#"{"garment": "photo-tee"}"#,
    );
    let autumn = put(
        autumn_server.local_addr(),
        "/api/live",
        Some(TOKEN),
        r#"{"card": false}"#,
    )
    .json();
    assert_eq!(events.next_live(SECOND), autumn);
    assert_eq!(events.next_event(SECOND / 2).map(|e| e.data), None);
}

#[test]
fn studio_and_replicas_find_each_other_again_after_redis_restarts() {
    let mut redis = RedisServer::start();
    let (studio, studio_server) = studio(&redis, "drape");
    let (replica, replica_server) = replica(&redis, "drape");
    let studio_addr = studio_server.local_addr();
    let replica_addr = replica_server.local_addr();
    let mut events = EventStream::connect(replica_addr);
    assert_eq!(events.next_live(5 * SECOND)["version"], 0);

    // Redis dies with everything in it; the studio goes on meanwhile.
    redis.kill();
    let live = put(
        studio_addr,
        "/api/live",
        Some(TOKEN),
        r#"{"garment": "photo-tee"}"#,
    );
    assert_eq!(live.status, 200, "a change never waits for Redis");
    eventually(10 * SECOND, "both sides see the link down", || {
        !studio.metrics().redis_connected() && !replica.metrics().redis_connected()
    });
    // Viewers keep the last state they had.
    assert_eq!(get(replica_addr, "/api/live").json()["version"], 0);
    assert_eq!(get(replica_addr, "/api/catalog").status, 503);

    // An empty Redis on the same port: the studio writes all again, the
    // replica subscribes again and reads the state it missed.
    redis.restart();
    assert_eq!(events.next_live(20 * SECOND), live.json());
    eventually(5 * SECOND, "the catalog is back", || {
        get(replica_addr, "/api/catalog").status == 200
    });
    assert!(studio.metrics().redis_errors() >= 1);
    assert!(replica.metrics().redis_errors() >= 1);
    let next = put(studio_addr, "/api/live", Some(TOKEN), r#"{"card": false}"#).json();
    assert_eq!(events.next_live(SECOND), next);
}

/// `drape serve` as started by hand, with the producer's token.
fn spawn_drape(args: &[&str], dir: &Path) -> (Child, SocketAddr, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_drape"));
    command
        .args(args)
        .env("XDG_RUNTIME_DIR", dir)
        .env("DRAPE_TOKEN", TOKEN);
    let serve = ServeProcess::spawn(&mut command);
    let log = serve.log_text();
    (serve.child, serve.addr, log)
}

#[test]
fn the_commands_from_the_readme_run_a_studio_and_a_replica() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("program.y4m");
    let url = redis.url();
    let (mut studio, studio_addr, _) = spawn_drape(
        &[
            "serve",
            "--input",
            "synthetic",
            "--output",
            program.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--redis",
            &url,
        ],
        dir.path(),
    );
    let (mut viewers, viewers_addr, log) = spawn_drape(
        &[
            "serve",
            "--viewer-only",
            "--redis",
            &url,
            "--listen",
            "127.0.0.1:0",
        ],
        dir.path(),
    );
    assert!(log.contains("prefix `drape`"), "{log}");
    let mut events = EventStream::connect(viewers_addr);
    assert_eq!(events.next_live(10 * SECOND)["garment"], "tee-indigo");
    let live = put(
        studio_addr,
        "/api/live",
        Some(TOKEN),
        r#"{"garment": "photo-tee"}"#,
    )
    .json();
    assert_eq!(events.next_live(SECOND), live);
    for child in [&mut viewers, &mut studio] {
        interrupt(child);
        assert!(child.wait().unwrap().success());
    }
}

#[test]
fn viewer_only_needs_redis_and_no_studio_flags() {
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_drape"))
            .args(args)
            .output()
            .expect("drape runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).to_string(),
        )
    };
    let (code, text) = run(&["serve", "--viewer-only"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("--redis"), "{text}");
    let (code, text) = run(&[
        "serve",
        "--viewer-only",
        "--redis",
        "redis://127.0.0.1:1/",
        "--input",
        "camera",
    ]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("--input"), "{text}");
    let (code, text) = run(&[
        "serve",
        "--viewer-only",
        "--redis",
        "http://user:secret@host/",
    ]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("redis://127.0.0.1:6379/"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}

/// A show runs for days: thousands of changes through Redis while viewers
/// come and go leave the replica's memory and client count where they were.
#[test]
fn a_replica_stays_flat_over_thousands_of_changes_and_viewers() {
    use drape::app::soak::resident_memory_bytes;
    use drape::serve::LiveChange;

    let redis = RedisServer::start();
    let (studio, _studio_server) = studio(&redis, "soak");
    let (replica, replica_server) = replica(&redis, "soak");
    let addr = replica_server.local_addr();
    let garments = ["tee-indigo", "jacket-charcoal", "photo-tee"];
    let mut resident = Vec::new();
    for round in 0..5u64 {
        for change in 0..800u64 {
            let k = round * 800 + change;
            let live = studio
                .change(&LiveChange {
                    garment: Some(Some(garments[(k % 3) as usize].to_string())),
                    card: Some(k % 2 == 0),
                    ..LiveChange::default()
                })
                .unwrap();
            if change % 20 == 0 {
                // A viewer arrives, sees the state, leaves.
                let mut viewer = EventStream::connect(addr);
                let seen = viewer.next_live(5 * SECOND);
                assert!(seen["version"].as_u64().unwrap() <= live.version);
            }
        }
        eventually(10 * SECOND, "the replica catches up", || {
            replica.live().map(|live| live.version) == Some(studio.live().version)
        });
        eventually(5 * SECOND, "viewers that left are let go", || {
            replica.metrics().sse_clients() == 0
        });
        resident.push(resident_memory_bytes().unwrap());
    }
    assert_eq!(studio.live().version, 4000);
    // Measured after a warm-up round: allocator pools and buffers settle.
    let growth = resident[4].saturating_sub(resident[1]);
    assert!(
        growth < 8 << 20,
        "resident memory grew {growth} bytes over 2400 changes: {resident:?}"
    );
}

#[test]
fn a_restarted_studio_counting_from_zero_again_reaches_the_viewers() {
    let redis = RedisServer::start();
    let (first_studio, first_server) = studio(&redis, "drape");
    put(
        first_server.local_addr(),
        "/api/live",
        Some(TOKEN),
        r#"{"garment": "photo-tee"}"#,
    );
    put(
        first_server.local_addr(),
        "/api/live",
        Some(TOKEN),
        r#"{"card": false}"#,
    );
    let (_replica, replica_server) = replica(&redis, "drape");
    let mut events = EventStream::connect(replica_server.local_addr());
    assert_eq!(events.next_live(5 * SECOND)["version"], 2);
    drop(first_server);
    drop(first_studio);
    // The new run starts at version 0 with the catalog's default garment.
    let (_studio, _server) = studio(&redis, "drape");
    let event = events.next_event(5 * SECOND).expect("the new run's state");
    let live = event.json();
    assert_eq!(
        (live["version"].as_u64(), live["garment"].as_str()),
        (Some(0), Some("tee-indigo"))
    );
    // Its stamp goes on growing, so a browser's EventSource keeps order.
    assert_eq!(event.id.as_deref(), Some("3"));
}
