//! `[[garment.size_chart]]`: the body measures each of a garment's sizes
//! fits, one table per size, checked row by row and as a whole (the rows
//! follow `sizes` and grow with them).

use std::ops::Range;

use toml::de::DeValue;

use super::fields::{wrong_type, Report, Section};
use super::rules::{self, SHOULDER_CM_RANGE, TORSO_CM_RANGE};
use super::validate::GARMENT_KEYS;
use super::{GarmentKind, SizeRow};

const SIZE_ROW_KEYS: &[&str] = &["size", "shoulder_cm", "torso_cm"];

/// A row read without problems, with what the checks across rows need.
struct ReadRow {
    row: SizeRow,
    /// Its place in the garment's `sizes` (0 when there are none to check).
    index: usize,
    /// Its `[[garment.size_chart]]` header.
    header: Range<usize>,
    shoulder_span: Range<usize>,
    torso_span: Range<usize>,
}

/// The garment's chart (empty without one). `sizes` is the garment's own
/// list, which the rows must come from and follow.
pub(super) fn read_size_chart(
    r: &mut Report,
    g: &Section,
    kind: Option<GarmentKind>,
    sizes: &[String],
) -> Vec<SizeRow> {
    let Some(value) = g.get("size_chart") else {
        return Vec::new();
    };
    let items = match value.get_ref() {
        DeValue::Array(items) => items,
        DeValue::Table(_) => {
            r.add(
                &value.span(),
                "write each size's row as [[garment.size_chart]] (double brackets), \
                 not [garment.size_chart]",
            );
            return Vec::new();
        }
        other => {
            let wanted = "[[garment.size_chart]] tables";
            r.add(&value.span(), wrong_type("size_chart", wanted, other));
            return Vec::new();
        }
    };
    if kind == Some(GarmentKind::Accessory) {
        r.add(
            &value.span(),
            "[[garment.size_chart]] does not apply to accessories (they come in one size); \
             remove it",
        );
    }
    if items.len() < 2 {
        r.add(
            &value.span(),
            "a size chart needs at least two rows to choose between; add a \
             [[garment.size_chart]] for each size, or remove the chart",
        );
    }
    // Without `sizes` every row would be "not one of the sizes": say it once.
    let has_sizes = g.get("sizes").is_some();
    if !has_sizes {
        r.add(
            &value.span(),
            format!(
                "{} has a size chart but no `sizes`; add `sizes = [...]` listing the \
                 chart's sizes, smallest first",
                g.name
            ),
        );
    }
    let mut rows: Vec<ReadRow> = Vec::new();
    for item in items.iter() {
        let Some(section) = Section::new("[[garment.size_chart]]", item) else {
            let wanted = "[[garment.size_chart]] tables";
            r.add(
                &item.span(),
                wrong_type("size_chart", wanted, item.get_ref()),
            );
            continue;
        };
        let known_sizes = has_sizes.then_some(sizes);
        if let Some(row) = read_row(r, &section, known_sizes, &rows) {
            rows.push(row);
        }
    }
    check_order(r, &rows);
    rows.into_iter().map(|read| read.row).collect()
}

/// One row; `None` if it has a problem (all reported). `sizes`: the sizes
/// it must be one of, when the garment lists them.
fn read_row(
    r: &mut Report,
    section: &Section,
    sizes: Option<&[String]>,
    earlier: &[ReadRow],
) -> Option<ReadRow> {
    section.reject_unknown(r, SIZE_ROW_KEYS, GARMENT_KEYS);
    let size = section.string(r, "size", true).and_then(|(size, span)| {
        if let Some(first) = earlier.iter().find(|read| read.row.size == size) {
            let message = format!(
                "size \"{size}\" already has a row on line {}; give each size one row",
                r.line(&first.header)
            );
            r.add(&span, message);
            return None;
        }
        let Some(sizes) = sizes else {
            return Some((size, 0));
        };
        let index = sizes.iter().position(|known| known == size);
        if index.is_none() {
            let message = format!(
                "size \"{size}\" is not one of this garment's sizes ({}); write one of them, \
                 or add it to `sizes`",
                sizes.join(", ")
            );
            r.add(&span, message);
        }
        index.map(|index| (size, index))
    });
    let mut measure = |key: &str, range| {
        if section.get(key).is_none() {
            section.missing(r, key);
            return None;
        }
        let (value, span) = section.number(r, key)?;
        match rules::check_range(key, value, range) {
            Ok(()) => Some((value as f32, span)),
            Err(message) => {
                r.add(&span, message);
                None
            }
        }
    };
    let shoulder = measure("shoulder_cm", SHOULDER_CM_RANGE);
    let torso = measure("torso_cm", TORSO_CM_RANGE);
    let (Some((size, index)), Some((shoulder_cm, shoulder_span)), Some((torso_cm, torso_span))) =
        (size, shoulder, torso)
    else {
        return None;
    };
    Some(ReadRow {
        row: SizeRow {
            size: size.to_string(),
            shoulder_cm,
            torso_cm,
        },
        index,
        header: section.header.clone(),
        shoulder_span,
        torso_span,
    })
}

/// Rows follow `sizes`, and each fits a body at least as large as the row
/// before in both measures and larger in one (else the two sizes cannot be
/// told apart).
fn check_order(r: &mut Report, rows: &[ReadRow]) {
    for pair in rows.windows(2) {
        let [before, read] = pair else {
            continue;
        };
        let (row, before_row) = (&read.row, &before.row);
        let before_line = r.line(&before.header);
        if read.index < before.index {
            let message = format!(
                "size \"{}\" comes before \"{}\" in `sizes`; list the chart's rows in the \
                 order of `sizes`, smallest first",
                row.size, before_row.size
            );
            r.add(&read.header, message);
            continue;
        }
        for (key, value, before_value, span) in [
            (
                "shoulder_cm",
                row.shoulder_cm,
                before_row.shoulder_cm,
                &read.shoulder_span,
            ),
            (
                "torso_cm",
                row.torso_cm,
                before_row.torso_cm,
                &read.torso_span,
            ),
        ] {
            if value < before_value {
                let message = format!(
                    "`{key}` = {value} for size \"{}\" is less than the {before_value} of \
                     the smaller size \"{}\" (line {before_line}); each size fits a body at \
                     least as large as the one before: check the chart",
                    row.size, before_row.size
                );
                r.add(span, message);
            }
        }
        if row.shoulder_cm == before_row.shoulder_cm && row.torso_cm == before_row.torso_cm {
            let message = format!(
                "size \"{}\" has the same measures as \"{}\" (line {before_line}), so the \
                 kiosk cannot tell them apart; make one of them larger",
                row.size, before_row.size
            );
            r.add(&read.header, message);
        }
    }
}
