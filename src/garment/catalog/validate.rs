//! From manifest text to a [`Catalog`], collecting every problem on the
//! way. The TOML is parsed into spanned values (`toml::de::DeTable`) and
//! walked by hand rather than through serde's `deny_unknown_fields`, which
//! stops at the first problem; unknown keys are still errors.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::fields::{example, wrong_type, Report, Section, Value};
use super::rules;
use super::size_chart;
use super::subtables;
use super::{AssetFiles, Catalog, CatalogEntry, CatalogError, GarmentKind, LeftOut, Price};

const TOP_KEYS: &[&str] = &["version", "default", "garment"];
pub(super) const GARMENT_KEYS: &[&str] = &[
    "id",
    "name",
    "sku",
    "price",
    "currency",
    "buy_url",
    "kind",
    "asset",
    "thumbnail",
    "color",
    "sizes",
    "fit",
    "anchors",
    "attach",
    "cloth",
    "size_chart",
];
const SUPPORTED_VERSION: i64 = 1;

/// How a manifest with a broken garment is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strictness {
    /// Any problem fails the whole manifest (checking a file, `Catalog::load`).
    Strict,
    /// A garment with problems of its own is left out (listed in
    /// `Catalog::left_out`) when the rest is sound; problems of the file as
    /// a whole (syntax, version, default) and a catalog left with no
    /// garment still fail it.
    LeaveOutBroken,
}

pub(super) fn parse_manifest(
    text: &str,
    manifest_path: &Path,
    files: &AssetFiles,
    strictness: Strictness,
) -> Result<Catalog, CatalogError> {
    let mut r = Report::new(text);
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    // After a syntax error the recovered tree is partial; checking it would
    // add confusing follow-on problems, so report the syntax alone.
    if !syntax_errors.is_empty() {
        for error in &syntax_errors {
            let span = error.span().unwrap_or(0..0);
            let message = syntax_message(error.message(), r.source(&span));
            r.add(&span, message);
        }
        return Err(invalid(manifest_path, r));
    }
    let root = Section {
        name: "the top level".into(),
        header: 0..0,
        table: root.get_ref(),
    };
    root.reject_unknown(&mut r, TOP_KEYS, &[]);
    check_version(&mut r, &root);

    let base_dir = manifest_path.parent().unwrap_or(Path::new(""));
    let folder = Folder {
        path: base_dir,
        files,
    };
    let mut seen = Seen::default();
    let mut garments = Vec::new();
    let mut left_out = Vec::new();
    match root.get("garment") {
        None => r.add(
            &(0..0),
            "the catalog has no garments; add at least one [[garment]] table",
        ),
        Some(value) => match value.get_ref() {
            DeValue::Array(items) if items.is_empty() => r.add(
                &value.span(),
                "the catalog has no garments; add at least one [[garment]] table",
            ),
            DeValue::Array(items) => {
                for item in items.iter() {
                    let problems_before = r.problems.len();
                    let entry = read_garment(&mut r, item, &folder, &mut seen);
                    garments.extend(entry);
                    if r.problems.len() > problems_before {
                        let problems = r.problems[problems_before..].to_vec();
                        left_out.push(LeftOut {
                            id: problems.iter().find_map(|p| p.garment_id.clone()),
                            line: r.line(&item.span()),
                            problems,
                        });
                    }
                }
            }
            DeValue::Table(_) => r.add(
                &value.span(),
                "write each garment as [[garment]] (double brackets), not [garment]",
            ),
            other => r.add(&value.span(), wrong_type("garment", "a table", other)),
        },
    }

    let default_id = match root.string(&mut r, "default", false) {
        Some((id, span)) => {
            if !seen.id_order.is_empty() && !seen.ids.contains_key(id) {
                let ids = seen.id_order.join(", ");
                r.add(
                    &span,
                    format!("default `{id}` names no garment; write one of: {ids}"),
                );
            }
            id.to_string()
        }
        None => seen.id_order.first().cloned().unwrap_or_default(),
    };

    let garment_problems: usize = left_out.iter().map(|l| l.problems.len()).sum();
    let whole_file_problems = r.problems.len() - garment_problems;
    let leave_out = strictness == Strictness::LeaveOutBroken
        && whole_file_problems == 0
        && !garments.is_empty();
    if !r.problems.is_empty() && !leave_out {
        return Err(invalid(manifest_path, r));
    }
    // The default garment may be one left out: show the first usable one.
    let default_id = match garments.iter().any(|g| g.id == default_id) {
        true => default_id,
        false => garments.first().map(|g| g.id.clone()).unwrap_or_default(),
    };
    Ok(Catalog {
        path: manifest_path.to_path_buf(),
        default_id,
        garments,
        left_out,
    })
}

fn invalid(path: &Path, report: Report) -> CatalogError {
    let mut problems = report.problems;
    problems.sort_by_key(|problem| (problem.line, problem.column));
    CatalogError::Invalid {
        path: path.to_path_buf(),
        problems,
    }
}

fn syntax_message(message: &str, source: &str) -> String {
    if message == "duplicate key" {
        return format!(
            "duplicate key `{source}`: a key may appear once per table \
             (each garment starts with its own [[garment]] line)"
        );
    }
    format!("TOML syntax error: {message}")
}

fn check_version(r: &mut Report, root: &Section) {
    let Some(value) = root.get("version") else {
        r.add(
            &(0..0),
            "the catalog has no `version`; add `version = 1` as the first line",
        );
        return;
    };
    match value.get_ref() {
        DeValue::Integer(version) => {
            let version = i64::from_str_radix(version.as_str(), version.radix());
            if version != Ok(SUPPORTED_VERSION) {
                r.add(
                    &value.span(),
                    format!(
                        "catalog version {} is not supported; this drape reads `version = 1`",
                        r.source(&value.span())
                    ),
                );
            }
        }
        other => r.add(&value.span(), wrong_type("version", "the integer 1", other)),
    }
}

/// Ids and SKUs met so far, with the line each was first used on.
#[derive(Default)]
struct Seen {
    ids: HashMap<String, usize>,
    id_order: Vec<String>,
    skus: HashMap<String, usize>,
}

/// Reads one `[[garment]]`; `None` if it has any problem (all reported).
fn read_garment(
    r: &mut Report,
    item: &Value,
    folder: &Folder,
    seen: &mut Seen,
) -> Option<CatalogEntry> {
    r.garment = None;
    let problems_before = r.problems.len();
    let Some(mut g) = Section::new("this [[garment]]", item) else {
        r.add(
            &item.span(),
            wrong_type("garment", "a [[garment]] table", item.get_ref()),
        );
        return None;
    };
    let id = g.string(r, "id", true);
    if let Some((id, span)) = &id {
        r.garment = Some(id.to_string());
        g.name = format!("garment `{id}`");
        if let Err(message) = rules::check_id(id) {
            r.add(span, message);
        }
        if let Some(first_line) = seen.ids.get(*id) {
            let message = format!(
                "id `{id}` is already used by the garment on line {first_line}; \
                 give each garment its own id"
            );
            r.add(span, message);
        } else {
            seen.ids.insert(id.to_string(), r.line(span));
            seen.id_order.push(id.to_string());
        }
    }
    g.reject_unknown(r, GARMENT_KEYS, &[]);

    let name = non_empty(r, &g, "name");
    let sku = non_empty(r, &g, "sku");
    if let Some((sku, span)) = &sku {
        if let Some(first_line) = seen.skus.get(*sku) {
            let message = format!(
                "sku `{sku}` is already used by the garment on line {first_line}; SKUs must be unique"
            );
            r.add(span, message);
        } else {
            seen.skus.insert(sku.to_string(), r.line(span));
        }
    }
    let price = match g.get("price") {
        None => {
            g.missing(r, "price");
            None
        }
        Some(value) => rules::parse_price(value.get_ref())
            .map_err(|message| r.add(&value.span(), message))
            .ok(),
    };
    let currency = checked(r, &g, "currency", rules::check_currency);
    if let (Some(cents), Some(currency), Some(value)) = (price, &currency, g.get("price")) {
        if let Err(message) = rules::check_price_decimals(cents, currency) {
            r.add(&value.span(), message);
        }
    }
    let buy_url = checked(r, &g, "buy_url", rules::check_url);
    let kind = g.string(r, "kind", true).and_then(|(kind, span)| {
        let parsed = GarmentKind::from_name(kind);
        if parsed.is_none() {
            r.add(
                &span,
                format!("unknown kind `{kind}`; write one of: mesh, photo, accessory"),
            );
        }
        parsed
    });

    let asset = g.string(r, "asset", true).and_then(|(asset, span)| {
        if let Some(Err(message)) = kind.map(|kind| rules::check_asset_extension(kind, asset)) {
            r.add(&span, message);
        }
        existing_file(r, folder, "asset", asset, &span)
    });
    let thumbnail = g.string(r, "thumbnail", false).map(|(thumbnail, span)| {
        if let Err(message) = rules::check_thumbnail_extension(thumbnail) {
            r.add(&span, message);
        }
        existing_file(r, folder, "thumbnail", thumbnail, &span)
    });
    let color = g.string(r, "color", false).and_then(|(text, span)| {
        rules::parse_colour(text)
            .map_err(|message| r.add(&span, message))
            .ok()
    });
    let sizes = subtables::read_sizes(r, &g);
    let fit = subtables::read_fit(r, &g, kind);
    let anchors = subtables::read_anchors(r, &g, kind);
    let attach = subtables::read_attach(r, &g, kind);
    let cloth = subtables::read_cloth(r, &g, kind);
    let size_chart = size_chart::read_size_chart(r, &g, kind, &sizes);
    r.garment = None;

    if r.problems.len() > problems_before {
        return None;
    }
    let (Some((id, _)), Some((name, _)), Some((sku, _)), Some(minor_units), Some(currency)) =
        (id, name, sku, price, currency)
    else {
        return None;
    };
    let (Some(buy_url), Some(kind), Some(asset)) = (buy_url, kind, asset) else {
        return None;
    };
    Some(CatalogEntry {
        id: id.to_string(),
        name: name.to_string(),
        sku: sku.to_string(),
        price: Price {
            minor_units,
            currency,
        },
        buy_url,
        kind,
        asset,
        thumbnail: thumbnail.flatten(),
        color,
        sizes,
        fit,
        anchors,
        attach,
        cloth,
        size_chart,
    })
}

/// A required string that must not be blank.
fn non_empty<'t>(
    r: &mut Report,
    g: &Section<'t, '_>,
    key: &str,
) -> Option<(&'t str, Range<usize>)> {
    let (text, span) = g.string(r, key, true)?;
    if text.trim().is_empty() {
        r.add(
            &span,
            format!("`{key}` is empty; write e.g. `{}`", example(key)),
        );
        return None;
    }
    Some((text, span))
}

/// A required string passed through `check`.
fn checked(
    r: &mut Report,
    g: &Section,
    key: &str,
    check: fn(&str) -> Result<(), String>,
) -> Option<String> {
    let (text, span) = g.string(r, key, true)?;
    match check(text) {
        Ok(()) => Some(text.to_string()),
        Err(message) => {
            r.add(&span, message);
            None
        }
    }
}

/// The manifest's folder, and where its files are.
struct Folder<'a> {
    path: &'a Path,
    files: &'a AssetFiles,
}

/// `relative` resolved against the manifest's folder, if it is a file.
fn existing_file(
    r: &mut Report,
    folder: &Folder,
    key: &str,
    relative: &str,
    span: &Range<usize>,
) -> Option<PathBuf> {
    if relative.trim().is_empty() {
        r.add(
            span,
            format!("`{key}` is empty; write e.g. `{}`", example(key)),
        );
        return None;
    }
    let resolved = folder.path.join(relative);
    match folder.files.file_len(&resolved) {
        Ok(_) => Some(resolved),
        Err(error) if error.kind() == std::io::ErrorKind::IsADirectory => {
            r.add(
                span,
                format!("{key} `{relative}` is a folder; name the file inside it"),
            );
            None
        }
        Err(_) => {
            r.add(
                span,
                format!(
                    "{key} file `{relative}` not found in {}; put the file there or fix the \
                     path (paths are relative to the catalog's folder)",
                    folder.files.place(folder.path)
                ),
            );
            None
        }
    }
}
