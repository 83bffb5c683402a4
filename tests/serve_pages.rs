//! `drape serve`'s pages against a real studio: the built-in files under
//! their routes, then in headless Chromium the overlay's card coming and
//! going with the live state (its QR code read back from a screenshot),
//! the producer page putting a garment on air by a click, and the viewer
//! page following a change. The Chromium tests are skipped, with a note,
//! where `chromium` is not installed. `DRAPE_BLESS=1` saves a screenshot of
//! each page to `docs/pages/` for the README.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use drape::serve::{ServeServer, Studio, StudioConfig};
use serde_json::{json, Value};

use common::chromium::Chromium;
use common::http::{get, put};

const TOKEN: &str = "pages-test-token-0123456789";
/// The viewport, CSS pixels at scale 1 (also the saved screenshots' size).
const WIDTH: u32 = 800;
const HEIGHT: u32 = 450;
/// Behind the transparent overlay: a dark grey, like a program picture.
const BACKDROP: [u8; 4] = [40, 44, 52, 255];
const JACKET: &str = "jacket-charcoal";
const JACKET_NAME: &str = "Wool-blend jacket, charcoal";
const JACKET_URL: &str = "https://shop.example/p/jacket-charcoal";
const TEE_NAME: &str = "Organic cotton T-shirt, indigo";
/// How long a page may take to show a change (the issue: within a frame or
/// so; a second leaves room for a loaded machine).
const FOLLOW_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a page may take to load, or to act on a click.
const LOAD_TIMEOUT: Duration = Duration::from_secs(10);
const ACT_TIMEOUT: Duration = Duration::from_secs(5);

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The sample catalog with `TOKEN` on a free port: the tee on air, card on.
fn start() -> (Arc<Studio>, ServeServer, SocketAddr) {
    let catalog = manifest_dir().join("assets/garments/catalog.toml");
    let mut config = StudioConfig::new(catalog, "127.0.0.1:0".parse().unwrap());
    config.token = Some(TOKEN.to_string());
    let studio = Studio::new(config).unwrap();
    let server = ServeServer::start(Arc::clone(&studio)).unwrap();
    let addr = server.local_addr();
    (studio, server, addr)
}

fn browser() -> Option<Chromium> {
    let browser = Chromium::start(WIDTH, HEIGHT);
    if browser.is_none() {
        eprintln!("chromium is not installed: the pages are not tested in a browser (apt-get install chromium)");
    }
    browser
}

fn put_live(addr: SocketAddr, body: &str) -> Value {
    let reply = put(addr, "/api/live", Some(TOKEN), body);
    assert_eq!(reply.status, 200, "PUT /api/live {body}");
    reply.json()
}

/// Decodes every QR code in a PNG, sorted.
fn qr_codes(png: &[u8]) -> Vec<String> {
    common::qr::qr_codes(image::load_from_memory(png).unwrap().to_luma8())
}

/// Saves `png` as `docs/pages/{name}.png` when `DRAPE_BLESS` is set.
fn bless(name: &str, png: &[u8]) {
    if std::env::var_os("DRAPE_BLESS").is_some() {
        let path: PathBuf = manifest_dir().join(format!("docs/pages/{name}.png"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, png).unwrap();
        eprintln!("wrote {}", path.display());
    }
}

#[test]
fn pages_and_their_files_are_built_in_with_their_types_and_no_cache() {
    let (_studio, _server, addr) = start();
    for (target, file, content_type) in [
        ("/", "viewer.html", "text/html; charset=utf-8"),
        ("/overlay", "overlay.html", "text/html; charset=utf-8"),
        ("/producer", "producer.html", "text/html; charset=utf-8"),
        ("/pages/pages.css", "pages.css", "text/css; charset=utf-8"),
        (
            "/pages/pages.js",
            "pages.js",
            "text/javascript; charset=utf-8",
        ),
        (
            "/pages/qrcode.js",
            "qrcode.js",
            "text/javascript; charset=utf-8",
        ),
        (
            "/pages/producer.js",
            "producer.js",
            "text/javascript; charset=utf-8",
        ),
    ] {
        let reply = get(addr, target);
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{target}");
        assert_eq!(reply.header("cache-control"), Some("no-cache"), "{target}");
        let on_disk = std::fs::read(manifest_dir().join("web/pages").join(file)).unwrap();
        assert_eq!(reply.body, on_disk, "{target}");
    }
}

#[test]
fn a_pages_folder_replaces_the_built_in_files_under_the_same_names() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("overlay.js"), "// branded").unwrap();
    std::fs::write(folder.path().join("viewer.html"), "<p>shop</p>").unwrap();
    let catalog = manifest_dir().join("assets/garments/catalog.toml");
    let mut config = StudioConfig::new(catalog, "127.0.0.1:0".parse().unwrap());
    config.pages_dir = Some(folder.path().to_path_buf());
    let studio = Studio::new(config).unwrap();
    let server = ServeServer::start(Arc::clone(&studio)).unwrap();
    let addr = server.local_addr();
    let script = get(addr, "/pages/overlay.js");
    assert_eq!(script.status, 200);
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(script.body, b"// branded");
    assert_eq!(get(addr, "/").body, b"<p>shop</p>");
    // What the folder lacks is not taken from the built-in pages.
    assert_eq!(get(addr, "/pages/pages.css").status, 404);
    assert_eq!(get(addr, "/overlay").status, 404);
}

/// `true` once the overlay's card is fully in (`shown`) or fully out.
fn card_settled(shown: bool) -> String {
    let (class, opacity, visibility) = match shown {
        true => ("true", "1", "visible"),
        false => ("false", "0", "hidden"),
    };
    format!(
        "(() => {{ const card = document.getElementById('card'); const style = getComputedStyle(card); \
         return card.classList.contains('shown') === {class} && style.opacity === '{opacity}' \
         && style.visibility === '{visibility}'; }})()"
    )
}

#[test]
fn overlay_card_comes_in_with_the_card_on_and_goes_out_with_it_off() {
    let Some(mut browser) = browser() else { return };
    let (_studio, _server, addr) = start();
    browser.set_backdrop(BACKDROP);
    browser.navigate(&format!("http://{addr}/overlay"));
    // The tee is on air with its card from the start.
    browser.wait_for(&card_settled(true), LOAD_TIMEOUT, "the tee's card at load");
    assert_eq!(
        browser.evaluate("document.getElementById('card-name').textContent"),
        TEE_NAME
    );

    put_live(addr, r#"{"garment": "jacket-charcoal", "card": false}"#);
    browser.wait_for(&card_settled(false), LOAD_TIMEOUT, "the card going out");
    let hidden = image::load_from_memory(&browser.screenshot())
        .unwrap()
        .to_rgba8();
    assert!(
        hidden.pixels().all(|pixel| pixel.0 == BACKDROP),
        "with the card off the overlay is transparent everywhere"
    );

    put_live(addr, r#"{"card": true}"#);
    browser.wait_for(
        &card_settled(true),
        LOAD_TIMEOUT,
        "the jacket's card coming in",
    );
    assert_eq!(
        browser.evaluate("document.getElementById('card-name').textContent"),
        JACKET_NAME
    );
    assert_eq!(
        browser.evaluate("document.getElementById('card-price').textContent"),
        "149.00 EUR"
    );
    let png = browser.screenshot();
    assert_eq!(qr_codes(&png), [JACKET_URL]);
    let shown = image::load_from_memory(&png).unwrap().to_rgba8();
    // Outside the card (bottom left) the page stays transparent.
    assert_eq!(shown.get_pixel(WIDTH - 5, 5).0, BACKDROP);
    assert_eq!(shown.get_pixel(5, HEIGHT - 5).0, BACKDROP);
    bless("overlay", &png);

    // Nothing on air takes the card out too, card flag or not.
    put_live(addr, r#"{"garment": null}"#);
    browser.wait_for(
        &card_settled(false),
        LOAD_TIMEOUT,
        "the card with nothing on air",
    );
    put_live(addr, r#"{"garment": "jacket-charcoal"}"#);
    browser.wait_for(&card_settled(true), LOAD_TIMEOUT, "the card back");
    put_live(addr, r#"{"card": false}"#);
    browser.wait_for(
        &card_settled(false),
        LOAD_TIMEOUT,
        "the card going out again",
    );
}

/// A program picture for the preview: the dressed jacket tile of the
/// README's strip.
fn program_frame() -> image::RgbaImage {
    let strip = image::open(manifest_dir().join("docs/strip.png")).unwrap();
    strip.crop_imm(208, 26, 200, 240).to_rgba8()
}

#[test]
fn producer_page_asks_the_token_and_puts_the_jacket_on_air_by_a_click() {
    let Some(mut browser) = browser() else { return };
    let (studio, _server, addr) = start();
    let cues = r#"[{"at": 0, "garment": "tee-indigo", "card": true}, {"at": 30, "garment": null, "card": false}]"#;
    assert_eq!(put(addr, "/api/cues", Some(TOKEN), cues).status, 200);
    let frame = program_frame();
    let (frame_width, frame_height) = frame.dimensions();
    studio.set_program_frame(frame.into_raw(), frame_width, frame_height);
    browser.navigate(&format!("http://{addr}/producer"));
    let jacket_button = format!(".on-air[data-id='{JACKET}']");

    // A wrong token: the API's refusal is said, the form comes back.
    browser.wait_for(
        "!document.getElementById('login').hidden",
        LOAD_TIMEOUT,
        "the token form",
    );
    browser.type_text("#token", "not-the-token");
    browser.click("#token-save");
    browser.wait_for(
        &format!("document.querySelector(\"{jacket_button}\") !== null"),
        LOAD_TIMEOUT,
        "the catalog",
    );
    browser.click(&jacket_button);
    browser.wait_for(
        "document.getElementById('status').classList.contains('error') \
         && !document.getElementById('login').hidden",
        LOAD_TIMEOUT,
        "the refusal",
    );
    let status = browser.evaluate("document.getElementById('status').value");
    assert!(
        status.as_str().unwrap().contains("401"),
        "status line: {status}"
    );
    assert_eq!(get(addr, "/api/live").json()["garment"], "tee-indigo");

    browser.type_text("#token", TOKEN);
    browser.click("#token-save");
    assert_eq!(
        browser.evaluate("sessionStorage.getItem('drape-token')"),
        TOKEN
    );
    browser.click(&jacket_button);
    let deadline = Instant::now() + ACT_TIMEOUT;
    while get(addr, "/api/live").json()["garment"] != JACKET {
        assert!(
            Instant::now() < deadline,
            "the click did not put the jacket on air"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    browser.wait_for(
        &format!(
            "document.getElementById('status').value === 'On air: {JACKET_NAME}' \
             && document.querySelector(\"li[data-id='{JACKET}']\").classList.contains('current')"
        ),
        ACT_TIMEOUT,
        "the page showing the jacket on air",
    );

    // The card toggle, and the preview of the program picture.
    browser.click("#card-toggle");
    let deadline = Instant::now() + ACT_TIMEOUT;
    while get(addr, "/api/live").json()["card"] != false {
        assert!(
            Instant::now() < deadline,
            "the toggle did not take the card off"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    browser.click("#card-toggle");
    browser.wait_for(
        &format!("document.getElementById('preview').naturalWidth === {frame_width}"),
        LOAD_TIMEOUT,
        "the program preview",
    );
    assert_eq!(get(addr, "/api/live").json()["card"], true);

    // The cue list the studio holds is in the editor; a cue added there
    // (10 s after the last, the garment on air, card on) is uploaded.
    let rows = "[...document.querySelectorAll('#cues tbody tr')].map((row) => \
                [row.querySelector('.cue-at').value, row.querySelector('.cue-garment').value, \
                row.querySelector('.cue-card').checked])";
    assert_eq!(
        browser.evaluate(rows),
        json!([["0", "tee-indigo", true], ["30", "(nothing)", false]])
    );
    browser.click("#cue-add");
    bless("producer", &browser.screenshot());
    browser.click("#cue-upload");
    browser.wait_for(
        "document.getElementById('status').value === 'Uploaded 3 cues'",
        ACT_TIMEOUT,
        "the upload",
    );
    assert_eq!(
        get(addr, "/api/cues").json(),
        json!([
            {"at": 0.0, "garment": "tee-indigo", "card": true},
            {"at": 30.0, "garment": null, "card": false},
            {"at": 40.0, "garment": JACKET, "card": true},
        ])
    );
    browser.click("#cue-start");
    browser.wait_for(
        "document.getElementById('cue-state').textContent === 'Cue 1 of 3'",
        ACT_TIMEOUT,
        "the cues running",
    );
    assert_eq!(get(addr, "/api/live").json()["garment"], "tee-indigo");
    browser.click("#cue-stop");
    browser.wait_for(
        "document.getElementById('cue-state').textContent === 'Cues: 3, stopped'",
        ACT_TIMEOUT,
        "the cues stopped",
    );
}

#[test]
fn viewer_page_follows_the_item_on_air_within_a_second() {
    let Some(mut browser) = browser() else { return };
    let (_studio, _server, addr) = start();
    browser.navigate(&format!("http://{addr}/"));
    let showing = |name: &str, url: &str| {
        format!(
            "!document.getElementById('now').hidden && document.getElementById('stay-tuned').hidden \
             && document.getElementById('now-name').textContent === {name:?} \
             && document.getElementById('buy-now').href === {url:?} \
             && document.getElementById('now-thumb').complete \
             && document.getElementById('now-thumb').naturalWidth > 0"
        )
    };
    browser.wait_for(
        &showing(TEE_NAME, "https://shop.example/p/tee-indigo"),
        LOAD_TIMEOUT,
        "the tee at load",
    );

    put_live(addr, r#"{"garment": "jacket-charcoal"}"#);
    browser.wait_for(
        &showing(JACKET_NAME, JACKET_URL),
        FOLLOW_TIMEOUT,
        "the jacket",
    );
    assert_eq!(
        browser.evaluate("document.getElementById('now-price').textContent"),
        "149.00 EUR"
    );
    assert_eq!(
        browser.evaluate("document.getElementById('also').hidden"),
        true
    );
    // Accessories worn with it are listed under it, each with its buy link.
    put_live(addr, r#"{"accessories": ["glasses-round"]}"#);
    let glasses = "document.querySelector('#also-list li[data-id=\"glasses-round\"]')";
    browser.wait_for(
        &format!(
            "!document.getElementById('also').hidden && {glasses} !== null \
             && {glasses}.querySelector('a').href === 'https://shop.example/p/glasses-round' \
             && {glasses}.querySelector('img').naturalWidth > 0"
        ),
        FOLLOW_TIMEOUT,
        "the glasses under the jacket",
    );
    assert_eq!(
        browser.evaluate(&format!(
            "{glasses}.querySelector('.also-price').textContent"
        )),
        "89.00 EUR"
    );
    let png = browser.screenshot();
    // Only the main item carries a QR code.
    assert_eq!(qr_codes(&png), [JACKET_URL]);
    bless("viewer", &png);

    put_live(addr, r#"{"garment": null, "accessories": []}"#);
    browser.wait_for(
        "document.getElementById('now').hidden && !document.getElementById('stay-tuned').hidden",
        FOLLOW_TIMEOUT,
        "stay tuned",
    );
    assert_eq!(
        browser.evaluate("document.querySelector('#stay-tuned h2').textContent"),
        "Stay tuned"
    );
}

/// The viewer page as most viewers get it: from a viewer-only replica fed
/// by Redis, its thumbnail too, following the studio's changes.
#[test]
fn viewer_page_on_a_replica_follows_the_studio_through_redis() {
    use drape::serve::{RedisConfig, Replica, ReplicaConfig, ReplicaServer};
    let Some(mut browser) = browser() else { return };
    let redis = common::redis::RedisServer::start();
    let catalog = manifest_dir().join("assets/garments/catalog.toml");
    let config = StudioConfig {
        token: Some(TOKEN.to_string()),
        redis: Some(RedisConfig::new(redis.url())),
        ..StudioConfig::new(catalog, "127.0.0.1:0".parse().unwrap())
    };
    let studio = Studio::new(config).unwrap();
    let studio_server = ServeServer::start(Arc::clone(&studio)).unwrap();
    let replica_config = ReplicaConfig::new(
        RedisConfig::new(redis.url()),
        "127.0.0.1:0".parse().unwrap(),
    );
    let replica = ReplicaServer::start(Replica::new(replica_config).unwrap()).unwrap();
    browser.navigate(&format!("http://{}/", replica.local_addr()));
    let showing = |name: &str| {
        format!(
            "!document.getElementById('now').hidden \
             && document.getElementById('now-name').textContent === {name:?} \
             && document.getElementById('now-thumb').complete \
             && document.getElementById('now-thumb').naturalWidth > 0"
        )
    };
    browser.wait_for(&showing(TEE_NAME), LOAD_TIMEOUT, "the tee at load");
    put_live(
        studio_server.local_addr(),
        r#"{"garment": "jacket-charcoal"}"#,
    );
    browser.wait_for(&showing(JACKET_NAME), FOLLOW_TIMEOUT, "the jacket");
    assert_eq!(qr_codes(&browser.screenshot()), [JACKET_URL]);
}
