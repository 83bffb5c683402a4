//! `/try`: the viewer's own try-on, drape's engine in WebAssembly running
//! in the viewer's browser (built by `scripts/build-web.sh` into
//! [`crate::serve::StudioConfig::try_dir`]). The server only hands out
//! files: the page and its module, the two pose models, and the catalog's
//! files; every name is looked up in a table made at start, so no path
//! from a request reaches the file system.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use super::assets::{file_response, image_type, read_inside};
use super::{error_response, Shared};
use crate::garment::catalog::{AssetFiles, Catalog};
use crate::nn::models::PoseModel;

/// The manifest's name in the page's file set, whatever it is called on
/// disk (the engine opens this name).
pub(super) const MANIFEST_NAME: &str = "catalog.toml";

/// The page's own files: what build-web.sh writes.
const PAGE_FILES: &[(&str, &str)] = &[
    ("index.html", "text/html; charset=utf-8"),
    ("try.js", "text/javascript; charset=utf-8"),
    ("try.css", "text/css; charset=utf-8"),
    ("drape_web.js", "text/javascript; charset=utf-8"),
    ("drape_web_bg.wasm", "application/wasm"),
];

/// The models the page runs: the detector and the lite landmark model
/// (the fastest on a viewer's CPU).
const PAGE_MODELS: [PoseModel; 2] = [PoseModel::Detector, PoseModel::LandmarkLite];

/// What `/try` serves, fixed at start.
pub(super) struct TryFiles {
    /// The folder build-web.sh wrote, if configured.
    page_dir: Option<PathBuf>,
    /// The catalog's files by their path in the manifest (and the manifest
    /// as `catalog.toml`), with the folder they must be in.
    catalog: HashMap<String, PathBuf>,
    catalog_dir: PathBuf,
    /// `setup.json`: where the page finds its models and files.
    setup: String,
}

/// `setup.json`.
#[derive(Serialize)]
struct Setup<'a> {
    models: SetupModels,
    /// Catalog files, paths as the manifest names them, under `catalog/`.
    files: Vec<&'a str>,
    garments: Vec<SetupGarment<'a>>,
}

#[derive(Serialize)]
struct SetupModels {
    detector: String,
    landmarks: String,
}

/// A garment as the page lists it.
#[derive(Serialize)]
struct SetupGarment<'a> {
    id: &'a str,
    name: &'a str,
    price: String,
    currency: &'a str,
    buy_url: &'a str,
    kind: &'static str,
    /// Its thumbnail's path under `catalog/`, if any.
    thumbnail: Option<String>,
}

impl TryFiles {
    pub(super) fn new(catalog: &Catalog, page_dir: Option<PathBuf>) -> TryFiles {
        let catalog_dir = catalog
            .path
            .parent()
            .filter(|folder| !folder.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let relative = |path: &Path| -> Option<String> {
            let inside = path.strip_prefix(&catalog_dir).unwrap_or(path);
            // Manifest paths use `/`; anything leading out is not served.
            let text = inside.to_str()?.replace('\\', "/");
            (!text.starts_with('/') && !text.split('/').any(|part| part == "..")).then_some(text)
        };
        let mut files = HashMap::new();
        files.insert(MANIFEST_NAME.to_string(), catalog.path.clone());
        // Every file the engine will open: assets, a .gltf's buffers and
        // images, thumbnails (the manifest first, named above).
        let needed = catalog
            .needed_files(&AssetFiles::Disk)
            .unwrap_or_else(|error| {
                tracing::warn!("/try: {error}; serving the catalog's assets and thumbnails only");
                catalog.files().map(Path::to_path_buf).collect()
            });
        for path in needed.iter().skip(usize::from(
            needed.first().map(PathBuf::as_path) == catalog.path.file_name().map(Path::new),
        )) {
            let full = if path.is_absolute() {
                path.clone()
            } else {
                catalog_dir.join(path)
            };
            if let Some(name) = relative(&full) {
                files.insert(name, full);
            }
        }
        let garments = catalog
            .garments
            .iter()
            .map(|entry| {
                let price = entry.price.amount();
                SetupGarment {
                    id: &entry.id,
                    name: &entry.name,
                    price,
                    currency: &entry.price.currency,
                    buy_url: &entry.buy_url,
                    kind: entry.kind.name(),
                    thumbnail: entry.thumbnail.as_deref().and_then(relative),
                }
            })
            .collect();
        let mut names: Vec<&str> = files.keys().map(String::as_str).collect();
        names.sort_unstable();
        let setup = Setup {
            models: SetupModels {
                detector: format!("models/{}", PoseModel::Detector.file_name()),
                landmarks: format!("models/{}", PoseModel::LandmarkLite.file_name()),
            },
            files: names,
            garments,
        };
        let setup = serde_json::to_string(&setup).unwrap_or_else(|error| {
            // Strings and numbers always serialize; never seen.
            tracing::error!("cannot write /try/setup.json: {error}");
            "{}".to_string()
        });
        TryFiles {
            page_dir,
            catalog: files,
            catalog_dir,
            setup,
        }
    }
}

/// `GET /try`: to `/try/`, so that the page's relative links resolve.
pub(super) async fn to_folder() -> Redirect {
    Redirect::permanent("/try/")
}

/// `GET /try/`: the page.
pub(super) async fn index(State(shared): State<Arc<Shared>>) -> Response {
    page_file(&shared, "index.html").await
}

/// `GET /try/{name}`: the page's files and `setup.json`.
pub(super) async fn file(
    State(shared): State<Arc<Shared>>,
    name: Result<UrlPath<String>, PathRejection>,
) -> Response {
    match name {
        Ok(UrlPath(name)) if name == "setup.json" => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            shared.try_files.setup.clone(),
        )
            .into_response(),
        Ok(UrlPath(name)) => page_file(&shared, &name).await,
        Err(_) => error_response(StatusCode::NOT_FOUND, "not found"),
    }
}

async fn page_file(shared: &Shared, name: &str) -> Response {
    let Some((name, content_type)) = PAGE_FILES.iter().find(|(file, _)| *file == name) else {
        return error_response(StatusCode::NOT_FOUND, "not found");
    };
    let Some(folder) = shared.try_files.page_dir.clone() else {
        return error_response(
            StatusCode::NOT_FOUND,
            "the browser try-on is not built on this server: run scripts/build-web.sh and start drape serve with --try-dir target/web/try",
        );
    };
    match read_inside(folder.join(name), folder.clone()).await {
        Some(bytes) => file_response(content_type, "no-cache", bytes),
        None => {
            let message = format!(
                "{} has no {name}: run scripts/build-web.sh to build the browser try-on there",
                folder.display()
            );
            error_response(StatusCode::NOT_FOUND, &message)
        }
    }
}

/// `GET /try/models/{name}`: the detector and the lite landmark model.
pub(super) async fn model(name: Result<UrlPath<String>, PathRejection>) -> Response {
    let model = name.ok().and_then(|UrlPath(name)| {
        PAGE_MODELS
            .into_iter()
            .find(|model| model.file_name() == name)
    });
    let Some(model) = model else {
        return error_response(StatusCode::NOT_FOUND, "not found");
    };
    let Some(path) = model.find() else {
        let message = format!(
            "{} is not on this server: fetch it with scripts/fetch-models.sh",
            model.file_name()
        );
        return error_response(StatusCode::NOT_FOUND, &message);
    };
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    match read_inside(path, folder).await {
        // The bytes are checked against their sha256 in the page.
        Some(bytes) => file_response("application/octet-stream", "max-age=86400", bytes),
        None => error_response(StatusCode::NOT_FOUND, "not found"),
    }
}

/// `GET /try/catalog/{*path}`: a file the catalog names, or the manifest.
pub(super) async fn catalog_file(
    State(shared): State<Arc<Shared>>,
    path: Result<UrlPath<String>, PathRejection>,
) -> Response {
    let found = path
        .ok()
        .and_then(|UrlPath(path)| shared.try_files.catalog.get(&path).cloned());
    let Some(file) = found else {
        return error_response(StatusCode::NOT_FOUND, "not found");
    };
    let content_type = match file.extension().and_then(|e| e.to_str()) {
        Some("toml") => "text/plain; charset=utf-8",
        Some("glb") => "model/gltf-binary",
        Some("gltf") => "model/gltf+json",
        Some("bin") => "application/octet-stream",
        _ => image_type(&file),
    };
    match read_inside(file, shared.try_files.catalog_dir.clone()).await {
        Some(bytes) => file_response(content_type, "no-cache", bytes),
        None => error_response(StatusCode::NOT_FOUND, "not found"),
    }
}
