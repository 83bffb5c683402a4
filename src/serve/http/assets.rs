//! Files: the catalog's thumbnails and the HTML pages (see [`super::pages`]),
//! each under a fixed name. No path from a request ever reaches the file system: a name is
//! looked up in a table made at start, so `..`, encoded slashes or absolute
//! paths simply match nothing (404).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{error_response, Shared};
use crate::garment::catalog::Catalog;

/// A page: a URL path and the file of [`super::pages::FILES`] it shows.
pub(super) struct Page {
    /// The URL path, e.g. `/overlay`.
    pub(super) path: &'static str,
    /// The file in `web/pages/` (or the pages folder).
    pub(super) file: &'static str,
}

/// Every page; the scripts and style they load are under `/pages/`.
pub(super) const PAGES: &[Page] = &[
    Page {
        path: "/",
        file: "viewer.html",
    },
    Page {
        path: "/overlay",
        file: "overlay.html",
    },
    Page {
        path: "/producer",
        file: "producer.html",
    },
];

/// `GET` of one of [`PAGES`]: the built-in file, or the pages folder's.
pub(super) async fn page(State(shared): State<Arc<Shared>>, page: &'static Page) -> Response {
    super::pages::serve(shared.studio.config().pages_dir.clone(), page.file).await
}

/// The catalog's thumbnails by URL name (`{id}.{ext}`), and the folder
/// they must be in.
pub(super) struct Thumbnails {
    by_name: HashMap<String, PathBuf>,
    by_id: HashMap<String, String>,
    folder: PathBuf,
}

impl Thumbnails {
    pub(super) fn new(catalog: &Catalog) -> Thumbnails {
        let mut by_name = HashMap::new();
        let mut by_id = HashMap::new();
        for entry in &catalog.garments {
            let Some(path) = &entry.thumbnail else {
                continue;
            };
            let Some(extension) = path
                .extension()
                .and_then(|extension| extension.to_str())
                .map(str::to_ascii_lowercase)
            else {
                continue;
            };
            // Ids are a-z, 0-9 and `-`: safe in a URL as they are.
            let name = format!("{}.{extension}", entry.id);
            by_id.insert(entry.id.clone(), name.clone());
            by_name.insert(name, path.clone());
        }
        let folder = catalog
            .path
            .parent()
            .filter(|folder| !folder.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Thumbnails {
            by_name,
            by_id,
            folder,
        }
    }

    /// Every thumbnail that can be served, by name, with its bytes (for
    /// Redis); one that cannot be read is left out.
    pub(super) async fn read_all(&self) -> Vec<(String, Vec<u8>)> {
        let mut thumbnails = Vec::with_capacity(self.by_name.len());
        for (name, path) in &self.by_name {
            if let Some(bytes) = read_inside(path.clone(), self.folder.clone()).await {
                thumbnails.push((name.clone(), bytes));
            }
        }
        thumbnails
    }

    /// `/assets/thumbs/{id}.{ext}` for garment `id`, if it has a thumbnail.
    pub(super) fn url(&self, id: &str) -> Option<String> {
        self.by_id
            .get(id)
            .map(|name| format!("/assets/thumbs/{name}"))
    }
}

/// `GET /assets/thumbs/{name}`: a thumbnail the catalog names, if it is in
/// the catalog's folder (a symbolic link leading out of it is not followed).
pub(super) async fn thumbnail(
    State(shared): State<Arc<Shared>>,
    name: Result<UrlPath<String>, PathRejection>,
) -> Response {
    // A name that does not decode is as unknown as any other: 404.
    let path = name
        .ok()
        .and_then(|UrlPath(name)| shared.thumbnails.by_name.get(&name).cloned());
    let Some(path) = path else {
        return error_response(StatusCode::NOT_FOUND, "not found");
    };
    let content_type = image_type(&path);
    match read_inside(path, shared.thumbnails.folder.clone()).await {
        Some(bytes) => file_response(content_type, "max-age=60", bytes),
        None => error_response(StatusCode::NOT_FOUND, "not found"),
    }
}

/// The content type of an image file by its extension (the catalog's
/// thumbnails are PNG, WebP or JPEG).
pub(super) fn image_type(path: &Path) -> &'static str {
    match path.extension().and_then(|extension| extension.to_str()) {
        Some(extension) if extension.eq_ignore_ascii_case("png") => "image/png",
        Some(extension) if extension.eq_ignore_ascii_case("webp") => "image/webp",
        _ => "image/jpeg",
    }
}

/// The bytes of the regular file `path` if, with every link resolved, it
/// is inside `folder`; `None` otherwise (logged) or when unreadable.
pub(super) async fn read_inside(path: PathBuf, folder: PathBuf) -> Option<Vec<u8>> {
    let read = tokio::task::spawn_blocking(move || {
        let real = std::fs::canonicalize(&path).ok()?;
        let real_folder = std::fs::canonicalize(&folder).ok()?;
        if !real.starts_with(&real_folder) {
            tracing::warn!(
                "{} leads outside {} (to {}); not served",
                path.display(),
                folder.display(),
                real.display()
            );
            return None;
        }
        if !std::fs::metadata(&real).ok()?.is_file() {
            return None;
        }
        std::fs::read(&real).ok()
    });
    read.await.ok().flatten()
}

/// A file's bytes, cached by browsers as `cache_control` says.
pub(super) fn file_response(
    content_type: &'static str,
    cache_control: &'static str,
    bytes: impl IntoResponse,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache_control),
        ],
        bytes,
    )
        .into_response()
}
