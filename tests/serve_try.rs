//! `/try`'s files over HTTP (the page in a browser is tests/web_try.rs):
//! the page and its module from the build folder, `setup.json`, the two
//! models, the catalog's files under the names the manifest gives, and
//! nothing else (no traversal).

mod common;

use std::path::Path;
use std::sync::Arc;

use drape::serve::{ServeServer, Studio, StudioConfig};

use common::http::get;

fn start(try_dir: Option<&Path>) -> (Arc<Studio>, ServeServer) {
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/garments/catalog.toml");
    let config = StudioConfig {
        try_dir: try_dir.map(Path::to_path_buf),
        ..StudioConfig::new(catalog, "127.0.0.1:0".parse().unwrap())
    };
    let studio = Studio::new(config).unwrap();
    let server = ServeServer::start(Arc::clone(&studio)).unwrap();
    (studio, server)
}

#[test]
fn setup_lists_the_models_and_catalog_files_the_page_fetches() {
    let (_studio, server) = start(None);
    let addr = server.local_addr();
    let setup = get(addr, "/try/setup.json");
    assert_eq!(setup.status, 200);
    let setup = setup.json();
    let files: Vec<&str> = setup["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for expected in [
        "catalog.toml",
        "tshirt.glb",
        "photo_tee.png",
        "thumbs/tee-indigo.png",
    ] {
        assert!(files.contains(&expected), "{expected} in {files:?}");
    }
    let garments = setup["garments"].as_array().unwrap();
    let tee = garments.iter().find(|g| g["id"] == "tee-indigo").unwrap();
    assert_eq!(tee["thumbnail"], "thumbs/tee-indigo.png");
    assert_eq!(tee["kind"], "mesh");
    // Every file listed is served, byte for byte the catalog's.
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/garments");
    for file in &files {
        let reply = get(addr, &format!("/try/catalog/{file}"));
        assert_eq!(reply.status, 200, "{file}");
        let on_disk = if *file == "catalog.toml" {
            folder.join("catalog.toml")
        } else {
            folder.join(file)
        };
        assert_eq!(reply.body, std::fs::read(on_disk).unwrap(), "{file}");
    }
    for model in ["detector", "landmarks"] {
        let path = setup["models"][model].as_str().unwrap();
        let reply = get(addr, &format!("/try/{path}"));
        assert_eq!(reply.status, 200, "{path}");
        assert!(
            reply.body.len() > 100_000,
            "{path}: {} bytes",
            reply.body.len()
        );
    }
}

#[test]
fn nothing_outside_the_lists_is_served() {
    let (_studio, server) = start(None);
    let addr = server.local_addr();
    for path in [
        "/try/catalog/../catalog.toml",
        "/try/catalog/%2e%2e/%2e%2e/Cargo.toml",
        "/try/catalog/README.md",
        "/try/catalog//etc/passwd",
        "/try/models/pose_landmark_heavy.tflite",
        "/try/models/..%2fREADME.md",
        "/try/..%2f..%2fCargo.toml",
        "/try/secret.txt",
    ] {
        assert_eq!(get(addr, path).status, 404, "{path}");
    }
}

#[test]
fn the_page_comes_from_the_build_folder_or_says_how_to_build_it() {
    let (_studio, server) = start(None);
    let addr = server.local_addr();
    let redirect = get(addr, "/try");
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location"), Some("/try/"));
    let missing = get(addr, "/try/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.error().contains("scripts/build-web.sh"),
        "{}",
        missing.error()
    );

    let built = tempfile::tempdir().unwrap();
    std::fs::write(
        built.path().join("index.html"),
        "<!doctype html><title>try</title>",
    )
    .unwrap();
    std::fs::write(built.path().join("drape_web_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(built.path().join("notes.txt"), "not the page's").unwrap();
    let (_studio, server) = start(Some(built.path()));
    let addr = server.local_addr();
    let page = get(addr, "/try/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let module = get(addr, "/try/drape_web_bg.wasm");
    assert_eq!(module.header("content-type"), Some("application/wasm"));
    assert_eq!(module.body, b"\0asm\x01\0\0\0");
    assert_eq!(get(addr, "/try/notes.txt").status, 404);
    let absent = get(addr, "/try/try.js");
    assert_eq!(absent.status, 404);
    assert!(
        absent.error().contains("build-web.sh"),
        "{}",
        absent.error()
    );
}
