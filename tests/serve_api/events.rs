//! What follows the live state: server-sent events (delivery, heartbeats,
//! many clients and a stalled one), the cue list, the metrics, shutdown.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::common::http::{get, post, put, EventStream};
use super::{config, start, TOKEN};

const SECOND: Duration = Duration::from_secs(1);

#[test]
fn events_send_the_state_on_connect_then_each_change_within_a_second() {
    let mut config = config();
    config.heartbeat = Duration::from_millis(300);
    let (_studio, _server, addr) = start(config);
    let mut events = EventStream::connect(addr);
    assert_eq!(events.next_live(SECOND), get(addr, "/api/live").json());

    for body in [
        r#"{"card": false}"#,
        r#"{"garment": "photo-tee", "accessories": ["glasses-round"]}"#,
    ] {
        let sent = Instant::now();
        let live = put(addr, "/api/live", Some(TOKEN), body).json();
        assert_eq!(events.next_live(SECOND), live);
        assert!(sent.elapsed() < SECOND, "{:?}", sent.elapsed());
    }
    // Idle: a heartbeat comment, then nothing else until the next change.
    assert_eq!(events.next_block(SECOND).as_deref(), Some(": heartbeat"));
    let live = put(addr, "/api/live", Some(TOKEN), r#"{"garment": null}"#).json();
    assert_eq!(events.next_live(SECOND), live);
    assert_eq!(live["version"], 3);
}

#[test]
fn fifty_event_clients_and_a_stalled_one_never_slow_changes() {
    let (studio, _server, addr) = start(config());
    // Connects, asks for /events and never reads a byte.
    let _stalled = EventStream::open(addr);
    let mut clients: Vec<EventStream> = (0..50).map(|_| EventStream::connect(addr)).collect();
    for client in &mut clients {
        assert_eq!(client.next_live(SECOND)["version"], 0);
    }
    let garments = ["jacket-charcoal", "photo-tee", "tee-indigo"];
    let mut last = Value::Null;
    for change in 0..60 {
        let body = json!({"garment": garments[change % 3], "card": change % 2 == 0}).to_string();
        let sent = Instant::now();
        let reply = put(addr, "/api/live", Some(TOKEN), &body);
        assert!(
            sent.elapsed() < SECOND,
            "change {change}: {:?}",
            sent.elapsed()
        );
        assert_eq!(reply.status, 200);
        last = reply.json();
    }
    assert_eq!(last["version"], 60);
    // Every reading client gets every change, in order.
    for client in &mut clients {
        for version in 1..60 {
            assert_eq!(client.next_live(SECOND)["version"], version);
        }
        assert_eq!(client.next_live(SECOND), last);
    }
    // A client connecting now gets the latest state first.
    let mut fresh = EventStream::connect(addr);
    assert_eq!(fresh.next_live(SECOND), last);
    assert_eq!(studio.metrics().sse_clients(), 52);
}

#[test]
fn event_streams_are_capped_and_a_freed_place_is_taken_again() {
    let mut config = config();
    config.max_event_clients = 2;
    let (studio, _server, addr) = start(config);
    let first = EventStream::connect(addr);
    let _second = EventStream::connect(addr);
    let refused = get(addr, "/events");
    assert_eq!(refused.status, 503);
    assert_eq!(refused.header("retry-after"), Some("10"));
    assert!(
        refused.error().contains("2 event streams"),
        "{}",
        refused.error()
    );
    drop(first);
    let started = Instant::now();
    while studio.metrics().sse_clients() > 1 {
        assert!(started.elapsed() < SECOND, "the closed stream is let go");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut again = EventStream::connect(addr);
    assert_eq!(again.next_live(SECOND)["version"], 0);
}

#[test]
fn metrics_count_frames_responses_by_status_and_event_clients() {
    let mut config = config();
    config.heartbeat = Duration::from_millis(100);
    let (studio, _server, addr) = start(config);
    for _ in 0..3 {
        assert_eq!(get(addr, "/api/live").status, 200);
    }
    assert_eq!(put(addr, "/api/live", None, "{}").status, 401);
    assert_eq!(put(addr, "/api/live", Some(TOKEN), "{").status, 400);
    assert_eq!(put(addr, "/api/live", Some(TOKEN), "{}").status, 200);
    assert_eq!(get(addr, "/nothing").status, 404);
    assert_eq!(post(addr, "/api/snapshot", Some(TOKEN)).status, 503);
    // The render loop's part.
    let metrics = studio.metrics();
    for _ in 0..5 {
        metrics.count_frame_out();
    }
    metrics.count_frame_dropped();
    metrics.count_frame_dropped();
    for _ in 0..3 {
        metrics.count_pose_found();
    }
    metrics.set_fps(29.5);
    let mut events = EventStream::connect(addr);
    events.next_live(SECOND);

    let reply = get(addr, "/metrics");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = String::from_utf8(reply.body).unwrap();
    let expected = "\
# HELP drape_frames_total Program frames written.
# TYPE drape_frames_total counter
drape_frames_total 5
# HELP drape_frames_dropped_total Input frames dropped to keep up with the input's frame rate.
# TYPE drape_frames_dropped_total counter
drape_frames_dropped_total 2
# HELP drape_fps The program's measured frame rate, frames per second.
# TYPE drape_fps gauge
drape_fps 29.5
# HELP drape_pose_found_total Frames in which a body pose was found.
# TYPE drape_pose_found_total counter
drape_pose_found_total 3
# HELP drape_sse_clients Clients connected to /events.
# TYPE drape_sse_clients gauge
drape_sse_clients 1
# HELP drape_api_requests_total HTTP requests answered, by status.
# TYPE drape_api_requests_total counter
drape_api_requests_total{status=\"200\"} 5
drape_api_requests_total{status=\"400\"} 1
drape_api_requests_total{status=\"401\"} 1
drape_api_requests_total{status=\"404\"} 1
drape_api_requests_total{status=\"503\"} 1
";
    assert_eq!(text, expected);

    // The client leaves: noticed at the next heartbeat.
    drop(events);
    let deadline = Instant::now() + 3 * SECOND;
    while metrics.sse_clients() != 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = String::from_utf8(get(addr, "/metrics").body).unwrap();
    assert!(text.contains("\ndrape_sse_clients 0\n"), "{text}");
    // This time the first /metrics is counted too.
    assert!(
        text.contains("\ndrape_api_requests_total{status=\"200\"} 6\n"),
        "{text}"
    );
    assert_eq!(metrics.responses(200), 7);
}

/// The live state's garment, card and cue fields.
fn look(live: &Value) -> (Value, Value, Value) {
    (
        live["garment"].clone(),
        live["card"].clone(),
        live["cue"].clone(),
    )
}

#[test]
fn a_cue_list_plays_at_its_times_and_events_show_each_cue() {
    let (_studio, _server, addr) = start(config());
    let cues = r#"[
        {"at": 0, "garment": "jacket-charcoal", "card": true},
        {"at": 0.3, "garment": "photo-tee", "card": false},
        {"at": 0.6, "garment": null, "card": true}
    ]"#;
    let uploaded = put(addr, "/api/cues", Some(TOKEN), cues);
    assert_eq!(uploaded.status, 200);
    assert_eq!(
        uploaded.json()["cue"],
        json!({"running": false, "index": null, "count": 3})
    );
    let mut events = EventStream::connect(addr);
    assert_eq!(events.next_live(SECOND)["cue"]["count"], 3);

    let started = Instant::now();
    let reply = post(addr, "/api/cues/start", Some(TOKEN));
    assert_eq!(reply.status, 200);
    let cue = |running: bool, index: Value| json!({"running": running, "index": index, "count": 3});
    assert_eq!(reply.json()["cue"], cue(true, Value::Null));
    assert_eq!(look(&events.next_live(SECOND)), look(&reply.json()));

    let expected = [
        (
            0.0,
            json!("jacket-charcoal"),
            json!(true),
            cue(true, json!(0)),
        ),
        (0.3, json!("photo-tee"), json!(false), cue(true, json!(1))),
        (0.6, Value::Null, json!(true), cue(false, json!(2))),
    ];
    for (at_s, garment, card, cue) in expected {
        let live = events.next_live(SECOND);
        let elapsed_s = started.elapsed().as_secs_f64();
        assert_eq!(look(&live), (garment, card, cue));
        // On time: never early, at most 0.5 s late on a busy machine.
        assert!(
            elapsed_s >= at_s - 0.005 && elapsed_s <= at_s + 0.5,
            "cue at {at_s} s came at {elapsed_s} s"
        );
        // /api/live says the same, unless the next cue came in between.
        let now = get(addr, "/api/live").json();
        if now["version"] == live["version"] {
            assert_eq!(now, live);
        } else {
            assert!(now["version"].as_u64() > live["version"].as_u64(), "{now}");
        }
    }
    let last = get(addr, "/api/live").json();
    assert_eq!(
        look(&last),
        (Value::Null, json!(true), cue(false, json!(2)))
    );
    // Nothing after the last cue.
    assert!(events.next_event(Duration::from_millis(300)).is_none());
}

#[test]
fn cue_lists_are_checked_and_stop_where_they_are() {
    let (_studio, _server, addr) = start(config());
    let reply = post(addr, "/api/cues/start", Some(TOKEN));
    assert_eq!(reply.status, 409);
    assert_eq!(
        reply.error(),
        "there is no cue list to start; upload one first with PUT /api/cues"
    );
    let many = |count: usize| {
        let cue = json!({"at": 1.5, "card": true});
        Value::Array(vec![cue; count]).to_string()
    };
    for (body, message) in [
        (r#"[{"at": 1}, {"at": 0.5}]"#.to_string(), "cue 1: \"at\" is 0.5 s, before the cue before it (1 s); sort the cues by time".to_string()),
        (r#"[{"at": -1}]"#.to_string(), "cue 0: \"at\" is -1; give seconds from the start, 0 to 86400".to_string()),
        (r#"[{"at": 86401}]"#.to_string(), "cue 0: \"at\" is 86401; give seconds from the start, 0 to 86400".to_string()),
        (r#"[{"at": 0}, {"at": 2, "garment": "tee-pink"}]"#.to_string(), "cue 1: unknown garment `tee-pink`; the catalog's garments are: tee-indigo, jacket-charcoal, photo-tee".to_string()),
        (many(501), "501 cues; a list holds at most 500, split the show into several lists".to_string()),
    ] {
        let reply = put(addr, "/api/cues", Some(TOKEN), &body);
        assert_eq!(reply.status, 422, "{body}");
        assert_eq!(reply.error(), message);
    }
    for body in [
        r#"[{"garment": "photo-tee"}]"#,
        r#"[{"at": 1, "colour": "red"}]"#,
        "[[1.5]]",
        "{}",
    ] {
        assert_eq!(
            put(addr, "/api/cues", Some(TOKEN), body).status,
            400,
            "{body}"
        );
    }
    assert_eq!(put(addr, "/api/cues", Some(TOKEN), &many(500)).status, 200);

    let cues = r#"[{"at": 0, "garment": "jacket-charcoal"}, {"at": 30, "garment": "photo-tee", "card": false}]"#;
    assert_eq!(put(addr, "/api/cues", Some(TOKEN), cues).status, 200);
    let listed = get(addr, "/api/cues");
    assert_eq!(listed.status, 200);
    let expected = json!([
        {"at": 0.0, "garment": "jacket-charcoal"},
        {"at": 30.0, "garment": "photo-tee", "card": false},
    ]);
    assert_eq!(listed.json(), expected);

    assert_eq!(post(addr, "/api/cues/start", Some(TOKEN)).status, 200);
    let deadline = Instant::now() + SECOND;
    let mut live = get(addr, "/api/live").json();
    while live["cue"]["index"] != json!(0) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
        live = get(addr, "/api/live").json();
    }
    assert_eq!(live["garment"], "jacket-charcoal");
    let stopped = post(addr, "/api/cues/stop", Some(TOKEN));
    assert_eq!(stopped.status, 200);
    let stopped = stopped.json();
    assert_eq!(
        stopped["cue"],
        json!({"running": false, "index": 0, "count": 2})
    );
    assert_eq!(stopped["version"], live["version"].as_u64().unwrap() + 1);
    // Stopping again changes nothing.
    assert_eq!(post(addr, "/api/cues/stop", Some(TOKEN)).json(), stopped);

    // A new list while one plays stops it.
    assert_eq!(
        post(addr, "/api/cues/start", Some(TOKEN)).json()["cue"]["running"],
        true
    );
    let replaced = put(
        addr,
        "/api/cues",
        Some(TOKEN),
        r#"[{"at": 5, "card": false}]"#,
    )
    .json();
    assert_eq!(
        replaced["cue"],
        json!({"running": false, "index": null, "count": 1})
    );
}

#[test]
fn dropping_the_server_ends_event_streams_and_stops_promptly() {
    let (_studio, server, addr) = start(config());
    let mut events = EventStream::connect(addr);
    events.next_live(SECOND);
    let dropping = Instant::now();
    drop(server);
    assert!(dropping.elapsed() < SECOND, "{:?}", dropping.elapsed());
    assert!(events.next_block(SECOND).is_none());
    assert!(std::net::TcpStream::connect(addr).is_err());
}
