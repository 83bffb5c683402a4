//! The catalog as the API lists it, and the files served: thumbnails the
//! catalog names, pages under fixed names, and nothing else (path
//! traversal, encoded names, links leading out: 404).

use serde_json::json;

use super::common::http::get;
use super::{config, sample_catalog, start};

#[test]
fn the_catalog_lists_garments_with_prices_and_thumbnail_urls() {
    let (_studio, _server, addr) = start(config());
    let reply = get(addr, "/api/catalog");
    assert_eq!(reply.status, 200);
    let catalog = reply.json();
    assert_eq!(catalog["default"], "tee-indigo");
    assert_eq!(
        catalog["garments"][0],
        json!({
            "id": "tee-indigo",
            "name": "Organic cotton T-shirt, indigo",
            "sku": "DRP-TEE-001",
            "price": "24.90",
            "currency": "EUR",
            "buy_url": "https://shop.example/p/tee-indigo",
            "thumbnail_url": "/assets/thumbs/tee-indigo.png",
            "kind": "mesh",
            "sizes": ["XS", "S", "M", "L", "XL", "XXL"],
        })
    );
    let summary: Vec<(String, String, String)> = catalog["garments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let field = |name: &str| g[name].as_str().unwrap().to_string();
            (field("id"), field("price"), field("kind"))
        })
        .collect();
    let expected = [
        ("tee-indigo", "24.90", "mesh"),
        ("jacket-charcoal", "149.00", "mesh"),
        ("photo-tee", "19.90", "photo"),
        ("glasses-round", "89.00", "accessory"),
        ("watch-steel", "129.00", "accessory"),
    ]
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()));
    assert_eq!(summary, expected);
}

#[test]
fn thumbnails_the_catalog_names_are_served_byte_for_byte() {
    let (_studio, _server, addr) = start(config());
    let catalog = get(addr, "/api/catalog").json();
    for garment in catalog["garments"].as_array().unwrap() {
        let url = garment["thumbnail_url"].as_str().unwrap();
        let reply = get(addr, url);
        assert_eq!(reply.status, 200, "{url}");
        assert_eq!(reply.header("content-type"), Some("image/png"));
        let id = garment["id"].as_str().unwrap();
        let file = sample_catalog().with_file_name(format!("thumbs/{id}.png"));
        assert_eq!(reply.body, std::fs::read(file).unwrap(), "{url}");
    }
}

#[test]
fn path_traversal_and_every_other_path_are_404() {
    let (_studio, _server, addr) = start(config());
    for target in [
        "/assets/thumbs/../catalog.toml",
        "/assets/thumbs/../../Cargo.toml",
        "/assets/thumbs/%2e%2e/catalog.toml",
        "/assets/thumbs/%2e%2e%2fcatalog.toml",
        "/assets/thumbs/%2E%2E%2F%2E%2E%2FCargo.toml",
        "/assets/thumbs/..%2f..%2fCargo.toml",
        "/assets/thumbs/%2fetc%2fpasswd",
        "/assets/thumbs//etc/passwd",
        "/assets//etc/passwd",
        "/assets/thumbs/thumbs%2ftee-indigo.png",
        "/assets/thumbs/tee-indigo.png/",
        "/assets/thumbs/tee-indigo.glb",
        "/assets/thumbs/TEE-INDIGO.png",
        "/assets/thumbs/%ff.png",
        "/assets/thumbs/",
        "/assets/catalog.toml",
        "/assets/tshirt.glb",
        "/assets/thumbs/tee-indigo.png%00.toml",
        "/etc/passwd",
        "/api",
        "/api/nothing",
        "/pages/",
        "/pages/../Cargo.toml",
        "/pages/%2e%2e%2fCargo.toml",
        "/pages/README.md",
        "/pages/lib.rs",
        "/viewer.html",
    ] {
        let reply = get(addr, target);
        assert_eq!(reply.status, 404, "{target}");
        assert_eq!(reply.error(), "not found", "{target}");
    }
    // A known path with a method it does not take.
    assert_eq!(get(addr, "/api/snapshot").status, 405);
}

#[test]
fn pages_are_served_from_the_pages_folder_under_fixed_names() {
    let pages = tempfile::tempdir().unwrap();
    std::fs::write(pages.path().join("overlay.html"), "<p>overlay</p>").unwrap();
    std::fs::write(pages.path().join("secret.txt"), "no").unwrap();
    let mut config = config();
    config.pages_dir = Some(pages.path().to_path_buf());
    let (_studio, _server, addr) = start(config);
    let reply = get(addr, "/overlay");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(reply.body, b"<p>overlay</p>");
    for target in [
        "/",
        "/producer",
        "/secret.txt",
        "/overlay.html",
        "/overlay/../secret.txt",
        "/pages/secret.txt",
        "/pages/overlay.js",
    ] {
        assert_eq!(get(addr, target).status, 404, "{target}");
    }
}

#[test]
fn thumbnails_leading_out_of_the_catalog_folder_are_404() {
    let root = tempfile::tempdir().unwrap();
    let (folder, outside) = (root.path().join("catalog"), root.path().join("outside"));
    std::fs::create_dir_all(folder.join("thumbs")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let samples = sample_catalog().parent().unwrap().to_path_buf();
    let thumbnail = std::fs::read(samples.join("thumbs/photo-tee.png")).unwrap();
    std::fs::copy(samples.join("photo_tee.png"), folder.join("photo_tee.png")).unwrap();
    std::fs::write(folder.join("thumbs/inside.png"), &thumbnail).unwrap();
    std::fs::write(outside.join("secret.png"), &thumbnail).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.png"), folder.join("thumbs/link.png")).unwrap();
    let garment = |id: &str, thumbnail: &str| {
        format!(
            "[[garment]]\nid = \"{id}\"\nname = \"{id}\"\nsku = \"SKU-{id}\"\nprice = \"10\"\ncurrency = \"EUR\"\nbuy_url = \"https://shop.example/{id}\"\nkind = \"photo\"\nasset = \"photo_tee.png\"\nthumbnail = \"{thumbnail}\"\n\n"
        )
    };
    let manifest = format!(
        "version = 1\n\n{}{}{}",
        garment("inside", "thumbs/inside.png"),
        garment("link", "thumbs/link.png"),
        garment("up", "../outside/secret.png"),
    );
    std::fs::write(folder.join("catalog.toml"), manifest).unwrap();
    let mut config = config();
    config.catalog = folder.join("catalog.toml");
    let (studio, _server, addr) = start(config);
    assert_eq!(
        studio.catalog().garments.len(),
        3,
        "{:?}",
        studio.catalog().left_out
    );

    let reply = get(addr, "/assets/thumbs/inside.png");
    assert_eq!((reply.status, reply.body), (200, thumbnail));
    for target in ["/assets/thumbs/link.png", "/assets/thumbs/up.png"] {
        assert_eq!(get(addr, target).status, 404, "{target}");
    }
}
