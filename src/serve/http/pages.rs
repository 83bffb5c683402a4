//! The web pages (`web/pages/`): the viewer page, the overlay, the
//! producer's page and the scripts and style they load, compiled into the
//! binary so an installed `drape` serves them without its source tree.
//! With [`crate::serve::StudioConfig::pages_dir`] set, the same names are
//! read from that folder instead (edits show at once). Only the names in
//! [`FILES`] are ever served: a request's path never reaches the file
//! system.

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::assets::{file_response, read_inside};
use super::{error_response, Shared};

/// One file of the pages, built in.
pub(super) struct PageFile {
    /// Its name in `web/pages/` and under `/pages/`.
    pub(super) name: &'static str,
    pub(super) content_type: &'static str,
    /// The file as built into the binary.
    pub(super) body: &'static str,
}

macro_rules! page_file {
    ($name:literal, $content_type:expr) => {
        PageFile {
            name: $name,
            content_type: $content_type,
            body: include_str!(concat!("../../../web/pages/", $name)),
        }
    };
}

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// Every file the pages are made of; the only names served.
pub(super) const FILES: &[PageFile] = &[
    page_file!("viewer.html", HTML),
    page_file!("overlay.html", HTML),
    page_file!("producer.html", HTML),
    page_file!("pages.css", CSS),
    page_file!("pages.js", JS),
    page_file!("viewer.js", JS),
    page_file!("overlay.js", JS),
    page_file!("producer.js", JS),
    page_file!("qrcode.js", JS),
];

/// `GET /pages/{name}`: one of [`FILES`]; 404 for any other name.
pub(super) async fn file(
    State(shared): State<Arc<Shared>>,
    name: Result<UrlPath<String>, PathRejection>,
) -> Response {
    match name {
        Ok(UrlPath(name)) => serve(shared.studio.config().pages_dir.clone(), &name).await,
        // A name that does not decode is as unknown as any other.
        Err(_) => error_response(StatusCode::NOT_FOUND, "not found"),
    }
}

/// The file `name` of [`FILES`], from `pages_dir` or else built in, never
/// cached without asking (a new `drape` or an edited pages folder shows at
/// the next load).
pub(super) async fn serve(pages_dir: Option<PathBuf>, name: &str) -> Response {
    let Some(file) = FILES.iter().find(|file| file.name == name) else {
        return error_response(StatusCode::NOT_FOUND, "not found");
    };
    let Some(folder) = pages_dir else {
        return file_response(file.content_type, "no-cache", file.body);
    };
    match read_inside(folder.join(file.name), folder).await {
        Some(bytes) => file_response(file.content_type, "no-cache", bytes),
        None => error_response(StatusCode::NOT_FOUND, "not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_the_pages_folder_is_built_in_and_named_once() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web/pages");
        let mut on_disk: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .filter(|name| !name.ends_with(".md"))
            .collect();
        on_disk.sort();
        let mut built_in: Vec<String> = FILES.iter().map(|file| file.name.to_string()).collect();
        built_in.sort();
        built_in.dedup();
        assert_eq!(built_in.len(), FILES.len(), "a name twice in FILES");
        assert_eq!(built_in, on_disk);
    }

    #[test]
    fn pages_load_only_built_in_files_from_this_server() {
        for page in FILES.iter().filter(|file| file.content_type == HTML) {
            let references: Vec<&str> = page
                .body
                .split(['"', '\''])
                .filter(|s| s.starts_with('/'))
                .collect();
            // At least the style, pages.js and the page's own script.
            assert!(references.len() >= 3, "{}: {references:?}", page.name);
            for reference in references {
                let name = reference.strip_prefix("/pages/").unwrap_or_else(|| {
                    panic!("{} loads {reference}, not under /pages/", page.name)
                });
                assert!(
                    FILES.iter().any(|file| file.name == name),
                    "{} loads {reference}, which is not built in",
                    page.name
                );
            }
            assert!(!page.body.contains("http:") && !page.body.contains("https:"));
        }
    }
}
