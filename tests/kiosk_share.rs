//! The photo share server over real sockets, with a minimal HTTP/1.1
//! client: exact bytes and headers, the page, 404s for everything else,
//! expiry, the photo limit, path traversal, a port in use, shutdown.

mod common;

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::http::get;

use drape::kiosk::share::{
    ShareConfig, ShareError, ShareServer, DEFAULT_EXPIRE_AFTER, DEFAULT_MAX_PHOTOS,
};

/// The base URL phones are told (with a trailing `/`, which is ignored).
/// Not the local address: port 0 is known only once bound, and binding
/// twice would race the other tests for the port; the client below
/// connects to `local_addr` whatever the URL says.
const PUBLIC_URL: &str = "http://kiosk.test:8090/";

/// A server on a free local port.
fn start(expire_after: Duration, max_photos: usize) -> ShareServer {
    let mut config = ShareConfig::new("127.0.0.1:0".parse().unwrap(), PUBLIC_URL);
    config.expire_after = expire_after;
    config.max_photos = max_photos;
    ShareServer::start(config).unwrap()
}

/// The path part of a published photo's URL.
fn path_of(url: &str) -> String {
    let base = "http://kiosk.test:8090/p/";
    let token = url
        .strip_prefix(base)
        .unwrap_or_else(|| panic!("{url} does not start with {base}"));
    assert_eq!(token.len(), 32, "{token}");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "{token}"
    );
    format!("/p/{token}")
}

/// Bytes that look like a PNG and hold every byte value.
fn fake_png(seed: u8) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..=255u8).map(|b| b.wrapping_add(seed)));
    bytes.extend(std::iter::repeat_n(seed, 100_000));
    bytes
}

const EXPIRED: &[u8] = b"This photo has expired.\n";

#[test]
fn config_defaults_are_15_minutes_and_64_photos() {
    let config = ShareConfig::new("0.0.0.0:8090".parse().unwrap(), "http://192.168.1.20:8090");
    assert_eq!(
        (config.expire_after, config.max_photos),
        (Duration::from_secs(900), 64)
    );
    assert_eq!(
        (DEFAULT_EXPIRE_AFTER, DEFAULT_MAX_PHOTOS),
        (Duration::from_secs(900), 64)
    );
}

#[test]
fn a_published_photo_is_served_byte_for_byte() {
    let server = start(DEFAULT_EXPIRE_AFTER, DEFAULT_MAX_PHOTOS);
    let png = fake_png(7);
    let path = path_of(&server.publish(png.clone()).unwrap());
    assert_eq!(server.len(), 1);
    let reply = get(server.local_addr(), &format!("{path}.png"));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("image/png"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("x-robots-tag"), Some("noindex"));
    assert!(reply.body == png, "the body differs from the PNG published");
    // Fetched again (a phone reloading): still there.
    assert!(get(server.local_addr(), &format!("{path}.png")).body == png);
}

#[test]
fn the_page_shows_the_photo_with_no_external_resources() {
    let server = start(DEFAULT_EXPIRE_AFTER, DEFAULT_MAX_PHOTOS);
    let path = path_of(&server.publish(fake_png(1)).unwrap());
    let reply = get(server.local_addr(), &path);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("x-robots-tag"), Some("noindex"));
    let page = String::from_utf8(reply.body).unwrap();
    assert!(
        page.contains(&format!(r#"<img src="{path}.png""#)),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"<a href="{path}.png" download="#)),
        "{page}"
    );
    for external in ["http:", "https:", "//", "<script", "<link"] {
        assert!(
            !page.replace("</", "").contains(external),
            "{external} in {page}"
        );
    }
}

#[test]
fn unknown_tokens_and_every_other_path_are_404() {
    let server = start(DEFAULT_EXPIRE_AFTER, DEFAULT_MAX_PHOTOS);
    let path = path_of(&server.publish(fake_png(2)).unwrap());
    let token = &path[3..];
    for unknown in [
        "/p/0123456789abcdef0123456789abcdef".to_string(),
        "/p/0123456789abcdef0123456789abcdef.png".to_string(),
        format!("/p/{}", token.to_ascii_uppercase()),
        format!("/p/{token}.jpg"),
        format!("/p/{}", &token[..31]),
    ] {
        let reply = get(server.local_addr(), &unknown);
        assert_eq!(
            (reply.status, reply.body.as_slice()),
            (404, EXPIRED),
            "{unknown}"
        );
    }
    for other in [
        "/",
        "/p",
        "/p/",
        "/index.html",
        &format!("/p/{token}/"),
        &format!("{path}.png/x"),
        &format!("/q/{token}"),
    ] {
        let reply = get(server.local_addr(), other);
        assert_eq!(reply.status, 404, "{other}");
        assert!(
            !String::from_utf8_lossy(&reply.body).contains(token),
            "{other} lists the token"
        );
    }
}

#[test]
fn an_expired_photo_is_404() {
    let server = start(Duration::from_millis(200), DEFAULT_MAX_PHOTOS);
    let path = path_of(&server.publish(fake_png(3)).unwrap());
    assert_eq!(get(server.local_addr(), &path).status, 200);
    std::thread::sleep(Duration::from_millis(400));
    for target in [path.clone(), format!("{path}.png")] {
        let reply = get(server.local_addr(), &target);
        assert_eq!(
            (reply.status, reply.body.as_slice()),
            (404, EXPIRED),
            "{target}"
        );
    }
    assert_eq!(server.len(), 0);
}

#[test]
fn the_oldest_photo_goes_when_max_photos_are_held() {
    let server = start(DEFAULT_EXPIRE_AFTER, 2);
    let paths: Vec<String> = (0..3)
        .map(|i| path_of(&server.publish(fake_png(i)).unwrap()))
        .collect();
    assert_eq!(server.len(), 2);
    assert_eq!(
        get(server.local_addr(), &format!("{}.png", paths[0])).status,
        404
    );
    for (i, path) in paths.iter().enumerate().skip(1) {
        assert!(
            get(server.local_addr(), &format!("{path}.png")).body == fake_png(i as u8),
            "photo {i}"
        );
    }
}

#[test]
fn path_traversal_is_404() {
    let server = start(DEFAULT_EXPIRE_AFTER, DEFAULT_MAX_PHOTOS);
    server.publish(fake_png(4)).unwrap();
    for target in [
        "/p/../Cargo.toml",
        "/p/%2e%2e/Cargo.toml",
        "/p/%2e%2e%2fCargo.toml",
        "/p/..%2fCargo.toml",
        "/p/..%2f..%2fsrc%2flib.rs",
        "/../Cargo.toml",
        "/p/%2e%2e",
        "/p/%ff",
    ] {
        let reply = get(server.local_addr(), target);
        assert_eq!(reply.status, 404, "{target}");
        assert!(
            reply.body.len() < 64,
            "{target}: {} bytes",
            reply.body.len()
        );
    }
}

#[test]
fn a_port_in_use_is_an_error_naming_the_address() {
    let server = start(DEFAULT_EXPIRE_AFTER, DEFAULT_MAX_PHOTOS);
    let taken = server.local_addr();
    let error = ShareServer::start(ShareConfig::new(taken, "http://kiosk:8090")).unwrap_err();
    assert!(
        matches!(&error, ShareError::Bind { addr, .. } if *addr == taken),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot listen on {taken} for the photo share: ")),
        "{error}"
    );
}

#[test]
fn a_config_that_cannot_work_is_refused() {
    let listen: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let mut no_photos = ShareConfig::new(listen, "http://kiosk:8090");
    no_photos.max_photos = 0;
    for config in [ShareConfig::new(listen, "kiosk:8090"), no_photos] {
        let error = ShareServer::start(config).unwrap_err();
        assert!(
            matches!(error, ShareError::InvalidConfig { .. }),
            "{error:?}"
        );
    }
}

#[test]
fn dropping_the_server_stops_it_promptly() {
    let server = start(DEFAULT_EXPIRE_AFTER, DEFAULT_MAX_PHOTOS);
    let addr = server.local_addr();
    assert_eq!(get(addr, "/").status, 404);
    // A phone holding a connection open without finishing its request.
    let mut idle = TcpStream::connect(addr).unwrap();
    idle.write_all(b"GET /p/").unwrap();
    let dropping = Instant::now();
    drop(server);
    assert!(
        dropping.elapsed() < Duration::from_secs(4),
        "drop took {:?}",
        dropping.elapsed()
    );
    assert!(
        TcpStream::connect(addr).is_err(),
        "still listening on {addr}"
    );
}
