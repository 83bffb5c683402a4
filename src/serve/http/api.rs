//! The producer API's handlers (the rate limit and the token are checked
//! before a change reaches them).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::header::{self, HeaderMap};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{error_response, json, Shared, MAX_BODY_BYTES};
use crate::serve::cues::{Cue, CueError};
use crate::serve::studio::ProgramFrame;
use crate::serve::LiveChange;

/// One garment as `GET /api/catalog` lists it.
#[derive(Serialize)]
struct CatalogItem<'a> {
    id: &'a str,
    name: &'a str,
    sku: &'a str,
    /// The amount as the currency writes it, without the currency: "24.90".
    price: String,
    currency: &'a str,
    buy_url: &'a str,
    /// `/assets/thumbs/{id}.{ext}`; `None` without a thumbnail.
    thumbnail_url: Option<String>,
    kind: &'static str,
    sizes: &'a [String],
}

/// `GET /api/catalog`: `{"default": id, "garments": [...]}`.
pub(super) async fn catalog(State(shared): State<Arc<Shared>>) -> Response {
    json(StatusCode::OK, &catalog_json(&shared))
}

/// `GET /api/catalog`'s body (also what the studio writes to Redis).
pub(super) fn catalog_json(shared: &Shared) -> serde_json::Value {
    let catalog = shared.studio.catalog();
    let garments: Vec<CatalogItem<'_>> = catalog
        .garments
        .iter()
        .map(|entry| {
            let price = entry.price.amount();
            CatalogItem {
                id: &entry.id,
                name: &entry.name,
                sku: &entry.sku,
                price,
                currency: &entry.price.currency,
                buy_url: &entry.buy_url,
                thumbnail_url: shared.thumbnails.url(&entry.id),
                kind: entry.kind.name(),
                sizes: &entry.sizes,
            }
        })
        .collect();
    serde_json::json!({ "default": catalog.default_id, "garments": garments })
}

/// `GET /api/live`.
pub(super) async fn live(State(shared): State<Arc<Shared>>) -> Response {
    json(StatusCode::OK, &shared.studio.live())
}

/// `PUT /api/live`: a [`LiveChange`]; 422 when it names something the
/// catalog does not offer.
pub(super) async fn put_live(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let change: LiveChange = match read_json(&headers, body).and_then(from_object) {
        Ok(change) => change,
        Err(refusal) => return refusal,
    };
    match shared.studio.change(&change) {
        Ok(live) => json(StatusCode::OK, &live),
        Err(error) => error_response(StatusCode::UNPROCESSABLE_ENTITY, &error.to_string()),
    }
}

/// `GET /api/cues`: the cue list as uploaded.
pub(super) async fn cues(State(shared): State<Arc<Shared>>) -> Response {
    json(StatusCode::OK, &shared.studio.cues())
}

/// `PUT /api/cues`: a list of [`Cue`]s, checked in full; answers the live
/// state (its `cue.count` is the list's length).
pub(super) async fn put_cues(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let objects: Result<Vec<JsonObject>, Response> = read_json(&headers, body);
    let cues: Result<Vec<Cue>, Response> =
        objects.and_then(|objects| objects.into_iter().map(from_object).collect());
    let cues = match cues {
        Ok(cues) => cues,
        Err(refusal) => return refusal,
    };
    match shared.studio.put_cues(cues) {
        Ok(live) => json(StatusCode::OK, &live),
        Err(error) => error_response(StatusCode::UNPROCESSABLE_ENTITY, &error.to_string()),
    }
}

/// `POST /api/cues/start`: 409 when no list was uploaded.
pub(super) async fn start_cues(State(shared): State<Arc<Shared>>) -> Response {
    match shared.studio.start_cues() {
        Ok(live) => json(StatusCode::OK, &live),
        Err(error @ CueError::NoCues) => error_response(StatusCode::CONFLICT, &error.to_string()),
        Err(error) => error_response(StatusCode::UNPROCESSABLE_ENTITY, &error.to_string()),
    }
}

/// `POST /api/cues/stop`.
pub(super) async fn stop_cues(State(shared): State<Arc<Shared>>) -> Response {
    json(StatusCode::OK, &shared.studio.stop_cues())
}

/// `POST /api/snapshot`: the latest program frame as PNG, or as JPEG when
/// the request's `Accept` names `image/jpeg` (the producer page's preview:
/// a tenth of the bytes, encoded faster); 503 before the first frame.
pub(super) async fn snapshot(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let Some(frame) = shared.studio.program_frame() else {
        let message = "no program frame yet: the render loop has not produced one; try again once the program runs";
        return error_response(StatusCode::SERVICE_UNAVAILABLE, message);
    };
    let jpeg = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|accept| accept.contains("image/jpeg"));
    let (content_type, format) = if jpeg {
        ("image/jpeg", "JPEG")
    } else {
        ("image/png", "PNG")
    };
    // Encoding a full-HD frame takes tens of milliseconds: off the server's thread.
    let encoded = tokio::task::spawn_blocking(move || {
        if jpeg {
            encode_jpeg(&frame)
        } else {
            encode_png(&frame)
        }
    })
    .await;
    match encoded {
        Ok(Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
        Ok(Err(error)) => {
            let message = format!("cannot encode the program frame as {format}: {error}");
            error_response(StatusCode::INTERNAL_SERVER_ERROR, &message)
        }
        Err(error) => {
            let message = format!("the {format} encoder stopped: {error}");
            error_response(StatusCode::INTERNAL_SERVER_ERROR, &message)
        }
    }
}

/// `frame` as a PNG, fast compression (a snapshot is wanted now).
fn encode_png(frame: &ProgramFrame) -> Result<Vec<u8>, image::ImageError> {
    use image::ImageEncoder as _;
    let mut png = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Adaptive,
    );
    encoder.write_image(
        &frame.rgba,
        frame.width,
        frame.height,
        image::ExtendedColorType::Rgba8,
    )?;
    Ok(png)
}

/// The quality of the preview's JPEG: enough to judge the look on air.
const PREVIEW_JPEG_QUALITY: u8 = 80;

/// `frame` as a JPEG (the program is opaque: alpha is dropped).
fn encode_jpeg(frame: &ProgramFrame) -> Result<Vec<u8>, image::ImageError> {
    let rgb: Vec<u8> = frame
        .rgba
        .chunks_exact(4)
        .flat_map(|pixel| [pixel[0], pixel[1], pixel[2]])
        .collect();
    let mut jpeg = Vec::new();
    let mut encoder =
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, PREVIEW_JPEG_QUALITY);
    encoder.encode(
        &rgb,
        frame.width,
        frame.height,
        image::ExtendedColorType::Rgb8,
    )?;
    Ok(jpeg)
}

type JsonObject = serde_json::Map<String, serde_json::Value>;

/// A JSON object as `T` (serde would also take an array of the fields in
/// order, which no client means); 400 when it does not fit.
fn from_object<T: DeserializeOwned>(object: JsonObject) -> Result<T, Response> {
    serde_json::from_value(serde_json::Value::Object(object)).map_err(|error| {
        let message = format!("bad JSON: {error}");
        error_response(StatusCode::BAD_REQUEST, &message)
    })
}

/// `GET /metrics`: Prometheus text.
pub(super) async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        shared.studio.metrics().render(),
    )
        .into_response()
}

/// The body as `T`: 415 unless it is sent as JSON, 413 over
/// [`MAX_BODY_BYTES`], 400 when it does not parse as `T`.
fn read_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, Response> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        let message = "send the body as JSON, with `Content-Type: application/json`";
        return Err(error_response(StatusCode::UNSUPPORTED_MEDIA_TYPE, message));
    }
    let body = body.map_err(|rejection| {
        let status = rejection.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!("the body is over {} KiB; send less", MAX_BODY_BYTES / 1024)
        } else {
            format!("cannot read the body: {}", rejection.body_text())
        };
        error_response(status, &message)
    })?;
    serde_json::from_slice(&body).map_err(|error| {
        let message = format!("bad JSON: {error}");
        error_response(StatusCode::BAD_REQUEST, &message)
    })
}
