//! `drape serve`'s HTTP side over real sockets with a minimal HTTP/1.1
//! client: the producer API (every status, the token, the limits), the
//! thumbnails and pages (no path traversal), server-sent events, the cue
//! list and the metrics. The render loop is stood in for by calls to
//! `Studio` (frames, metrics) from the test.

mod common;

#[path = "serve_api/assets.rs"]
mod assets;
#[path = "serve_api/events.rs"]
mod events;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use drape::serve::{LiveChange, ServeError, ServeServer, Studio, StudioConfig};
use serde_json::json;

use common::http::{get, post, put, request, send_json};

pub const TOKEN: &str = "test-token-0123456789abcdef";

pub fn sample_catalog() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/garments/catalog.toml")
}

/// The sample catalog with `TOKEN`, on a free local port.
pub fn config() -> StudioConfig {
    let mut config = StudioConfig::new(sample_catalog(), "127.0.0.1:0".parse().unwrap());
    config.token = Some(TOKEN.to_string());
    config
}

pub fn start(config: StudioConfig) -> (Arc<Studio>, ServeServer, SocketAddr) {
    let studio = Studio::new(config).unwrap();
    let server = ServeServer::start(Arc::clone(&studio)).unwrap();
    let addr = server.local_addr();
    (studio, server, addr)
}

#[test]
fn live_starts_with_the_default_garment_and_the_card_shown() {
    let (studio, _server, addr) = start(config());
    let reply = get(addr, "/api/live");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let expected = json!({
        "garment": "tee-indigo",
        "card": true,
        "accessories": [],
        "cue": {"running": false, "index": null, "count": 0},
        "version": 0,
    });
    assert_eq!(reply.json(), expected);
    assert_eq!(serde_json::to_value(studio.live()).unwrap(), expected);
}

#[test]
fn put_live_changes_any_subset_and_the_render_loop_sees_it() {
    let (studio, _server, addr) = start(config());
    let mut render_loop = studio.subscribe_live();
    assert!(!render_loop.has_changed().unwrap());

    let reply = put(addr, "/api/live", Some(TOKEN), r#"{"card": false}"#);
    assert_eq!(reply.status, 200);
    let live = reply.json();
    assert_eq!(
        (&live["garment"], &live["card"], &live["version"]),
        (&json!("tee-indigo"), &json!(false), &json!(1))
    );
    assert!(render_loop.has_changed().unwrap());
    assert_eq!(render_loop.borrow_and_update().version, 1);

    let body = r#"{"garment": "jacket-charcoal", "accessories": ["watch-steel", "glasses-round"]}"#;
    let live = put(addr, "/api/live", Some(TOKEN), body).json();
    assert_eq!(live["garment"], "jacket-charcoal");
    assert_eq!(live["card"], false);
    assert_eq!(live["accessories"], json!(["watch-steel", "glasses-round"]));
    assert_eq!(live["version"], 2);

    // null takes the garment off; an empty body changes nothing but the version.
    let live = put(addr, "/api/live", Some(TOKEN), r#"{"garment": null}"#).json();
    assert_eq!(
        (&live["garment"], &live["version"]),
        (&json!(null), &json!(3))
    );
    let live = put(addr, "/api/live", Some(TOKEN), "{}").json();
    assert_eq!(live["version"], 4);
    assert_eq!(get(addr, "/api/live").json(), live);
    let seen = render_loop.borrow_and_update().clone();
    assert_eq!(serde_json::to_value(seen).unwrap(), live);

    // The same change straight from Rust.
    let change = LiveChange {
        garment: Some(Some("photo-tee".to_string())),
        ..LiveChange::default()
    };
    assert_eq!(studio.change(&change).unwrap().version, 5);
    assert_eq!(get(addr, "/api/live").json()["garment"], "photo-tee");
}

/// Every change the API takes, as (method, path, body).
const CHANGES: [(&str, &str, &str); 5] = [
    ("PUT", "/api/live", r#"{"card": false}"#),
    ("POST", "/api/snapshot", ""),
    ("PUT", "/api/cues", r#"[{"at": 0, "card": true}]"#),
    ("POST", "/api/cues/start", ""),
    ("POST", "/api/cues/stop", ""),
];

#[test]
fn changes_without_the_right_token_are_401_and_change_nothing() {
    let (_studio, _server, addr) = start(config());
    let wrong = "test-token-0123456789abcdeF";
    for (method, path, body) in CHANGES {
        for authorization in [
            None,
            Some(format!("Bearer {wrong}")),
            Some("Bearer".to_string()),
            Some(format!("Basic {TOKEN}")),
            Some(format!("Bearer {TOKEN}x")),
            Some(format!("Bearer {}", &TOKEN[1..])),
        ] {
            let mut headers = vec![("Content-Type", "application/json")];
            if let Some(authorization) = &authorization {
                headers.push(("Authorization", authorization.as_str()));
            }
            let reply = request(addr, method, path, &headers, body.as_bytes());
            assert_eq!(reply.status, 401, "{method} {path} {authorization:?}");
            let challenge = reply.header("www-authenticate").unwrap();
            assert!(challenge.starts_with("Bearer"), "{challenge}");
            assert!(reply.error().contains("token"), "{}", reply.error());
        }
    }
    assert_eq!(get(addr, "/api/live").json()["version"], 0);
    // The right token, scheme in any case.
    let authorization = format!("bearer {TOKEN}");
    let headers = [
        ("Content-Type", "application/json"),
        ("Authorization", authorization.as_str()),
    ];
    let reply = request(addr, "PUT", "/api/live", &headers, br#"{"card": false}"#);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["version"], 1);
}

#[test]
fn without_a_token_configured_every_change_is_403_saying_how_to_set_one() {
    let mut config = config();
    config.token = None;
    let (_studio, _server, addr) = start(config);
    for (method, path, body) in CHANGES {
        for token in [None, Some(TOKEN), Some("anything")] {
            let reply = send_json(addr, method, path, token, body);
            assert_eq!(reply.status, 403, "{method} {path}");
            assert!(reply.error().contains("DRAPE_TOKEN"), "{}", reply.error());
        }
    }
    assert_eq!(get(addr, "/api/live").status, 200);
    assert_eq!(get(addr, "/api/catalog").status, 200);
    assert_eq!(get(addr, "/api/live").json()["version"], 0);
}

#[test]
fn unknown_ids_are_422_naming_the_catalogs_ids() {
    let (_studio, _server, addr) = start(config());
    let garments = "tee-indigo, jacket-charcoal, photo-tee";
    let accessories = "glasses-round, watch-steel";
    for (body, message) in [
        (
            r#"{"garment": "tee-pink"}"#,
            format!("unknown garment `tee-pink`; the catalog's garments are: {garments}"),
        ),
        (
            r#"{"garment": "watch-steel"}"#,
            format!("`watch-steel` is an accessory, not a garment: list it in \"accessories\"; the catalog's garments are: {garments}"),
        ),
        (
            r#"{"card": false, "accessories": ["glasses-round", "tee-indigo"]}"#,
            format!("unknown accessory `tee-indigo`; the catalog's accessories are: {accessories}"),
        ),
        (
            r#"{"accessories": ["watch-steel", "watch-steel"]}"#,
            "accessory `watch-steel` is listed twice; list each accessory once".to_string(),
        ),
    ] {
        let reply = put(addr, "/api/live", Some(TOKEN), body);
        assert_eq!(reply.status, 422, "{body}");
        assert_eq!(reply.error(), message);
    }
    // Nothing changed, not even the card of the third.
    let live = get(addr, "/api/live").json();
    assert_eq!((&live["card"], &live["version"]), (&json!(true), &json!(0)));
}

#[test]
fn bodies_over_64_kib_are_413_bad_json_400_other_types_415() {
    let (_studio, _server, addr) = start(config());
    // Valid JSON, 64 KiB and a bit: refused for its size alone.
    let big = format!(r#"{{"card": true, "pad": "{}"}}"#, "x".repeat(64 * 1024));
    let reply = put(addr, "/api/live", Some(TOKEN), &big);
    assert_eq!(reply.status, 413);
    assert_eq!(reply.error(), "the body is over 64 KiB; send less");

    for body in [
        "{",
        "",
        "[]",
        r#"{"card": "yes"}"#,
        r#"{"colour": "red"}"#,
        "null",
    ] {
        let reply = put(addr, "/api/live", Some(TOKEN), body);
        assert_eq!(reply.status, 400, "{body}");
        assert!(reply.error().starts_with("bad JSON: "), "{}", reply.error());
    }
    let authorization = format!("Bearer {TOKEN}");
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut headers = vec![("Authorization", authorization.as_str())];
        headers.extend(content_type.map(|value| ("Content-Type", value)));
        let reply = request(addr, "PUT", "/api/live", &headers, br#"{"card": false}"#);
        assert_eq!(reply.status, 415, "{content_type:?}");
    }
    let headers = [
        ("Authorization", authorization.as_str()),
        ("Content-Type", "application/json; charset=utf-8"),
    ];
    let reply = request(addr, "PUT", "/api/live", &headers, br#"{"card": false}"#);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["version"], 1);
}

#[test]
fn snapshot_is_503_before_a_frame_then_that_frame_as_png_or_jpeg() {
    let (studio, _server, addr) = start(config());
    let reply = post(addr, "/api/snapshot", Some(TOKEN));
    assert_eq!(reply.status, 503);
    assert!(reply.error().starts_with("no program frame yet"));

    let (width, height) = (64u32, 48u32);
    let rgba: Vec<u8> = (0..width * height * 4)
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    // A frame of the wrong size is ignored.
    studio.set_program_frame(vec![0; 10], width, height);
    assert_eq!(post(addr, "/api/snapshot", Some(TOKEN)).status, 503);
    studio.set_program_frame(rgba.clone(), width, height);

    let reply = post(addr, "/api/snapshot", Some(TOKEN));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("image/png"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let png = image::load_from_memory_with_format(&reply.body, image::ImageFormat::Png).unwrap();
    let png = png.into_rgba8();
    assert_eq!(png.dimensions(), (width, height));
    assert_eq!(png.into_raw(), rgba);

    // The producer page's preview asks for JPEG: the same picture, lossy.
    let auth = format!("Bearer {TOKEN}");
    let headers = [("authorization", auth.as_str()), ("accept", "image/jpeg")];
    let reply = request(addr, "POST", "/api/snapshot", &headers, b"");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("image/jpeg"));
    let jpeg = image::load_from_memory_with_format(&reply.body, image::ImageFormat::Jpeg).unwrap();
    let jpeg = jpeg.into_rgb8();
    assert_eq!(jpeg.dimensions(), (width, height));
    // A smooth frame survives JPEG within a few levels per pixel.
    let smooth: Vec<u8> = (0..width * height)
        .flat_map(|i| {
            let (x, y) = (i % width, i / width);
            [(x * 4) as u8, (y * 5) as u8, 128, 255]
        })
        .collect();
    studio.set_program_frame(smooth.clone(), width, height);
    let reply = request(addr, "POST", "/api/snapshot", &headers, b"");
    let jpeg = image::load_from_memory(&reply.body).unwrap().into_rgb8();
    let worst = jpeg
        .pixels()
        .zip(smooth.chunks_exact(4))
        .flat_map(|(got, want)| (0..3).map(move |c| got[c].abs_diff(want[c])))
        .max()
        .unwrap();
    assert!(worst <= 12, "JPEG differs by {worst} levels");
}

#[test]
fn changes_over_the_rate_are_429_with_retry_after() {
    let mut config = config();
    config.rate_per_minute = 3;
    let (_studio, _server, addr) = start(config);
    for version in 1..=3 {
        let reply = put(addr, "/api/live", Some(TOKEN), "{}");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json()["version"], version);
    }
    for (method, path, body) in CHANGES {
        let reply = send_json(addr, method, path, Some(TOKEN), body);
        assert_eq!(reply.status, 429, "{method} {path}");
        // 3 a minute: the next one in 20 s.
        assert_eq!(reply.header("retry-after"), Some("20"));
        let message = "too many changes from 127.0.0.1: at most 3 a minute; retry in 20 s";
        assert_eq!(reply.error(), message);
    }
    // Reads are not limited.
    for _ in 0..10 {
        assert_eq!(get(addr, "/api/live").status, 200);
    }
    assert_eq!(get(addr, "/api/live").json()["version"], 3);
}

#[test]
fn no_cors_headers_anywhere() {
    let (_studio, _server, addr) = start(config());
    let origin = ("Origin", "https://evil.example");
    let preflight = [
        origin,
        ("Access-Control-Request-Method", "PUT"),
        (
            "Access-Control-Request-Headers",
            "authorization, content-type",
        ),
    ];
    for (method, path, headers) in [
        ("OPTIONS", "/api/live", &preflight[..]),
        ("OPTIONS", "/api/cues", &preflight[..]),
        ("GET", "/api/live", &[origin][..]),
        ("GET", "/api/catalog", &[origin][..]),
        ("GET", "/metrics", &[origin][..]),
        ("GET", "/nothing", &[origin][..]),
    ] {
        let reply = request(addr, method, path, headers, b"");
        let cors: Vec<_> = reply
            .headers
            .iter()
            .filter(|(name, _)| name.starts_with("access-control-"))
            .collect();
        assert!(cors.is_empty(), "{method} {path}: {cors:?}");
    }
    assert_eq!(
        request(addr, "OPTIONS", "/api/live", &preflight, b"").status,
        405
    );
}

#[test]
fn a_config_that_cannot_work_is_refused_naming_what_to_fix() {
    let mut zero_rate = config();
    zero_rate.rate_per_minute = 0;
    let mut empty_token = config();
    empty_token.token = Some(String::new());
    for (config, expected) in [
        (zero_rate, "rate_per_minute is 0"),
        (empty_token, "the token is empty"),
    ] {
        let error = Studio::new(config).unwrap_err();
        assert!(
            matches!(error, ServeError::InvalidConfig { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains(expected), "{error}");
    }
    let mut missing = config();
    missing.catalog = PathBuf::from("/nonexistent/catalog.toml");
    let error = Studio::new(missing).unwrap_err();
    assert!(matches!(error, ServeError::Catalog { .. }), "{error:?}");
    assert!(
        error.to_string().contains("/nonexistent/catalog.toml"),
        "{error}"
    );

    // A port in use.
    let (_studio, _server, addr) = start(config());
    let mut taken = config();
    taken.listen = addr;
    let error = ServeServer::start(Studio::new(taken).unwrap()).unwrap_err();
    assert!(matches!(error, ServeError::Bind { .. }), "{error:?}");
    assert!(error.to_string().contains(&addr.to_string()), "{error}");
}
