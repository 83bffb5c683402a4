//! Reading typed fields out of a spanned TOML table while collecting every
//! problem (serde would stop at the first one), with positions as
//! line:column and messages that say what to write instead.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::Problem;

pub(super) type Value<'i> = Spanned<DeValue<'i>>;

/// Collects problems; knows the text so byte spans become line:column.
/// Where byte offsets of a hand-edited text are, as 1-based lines and
/// character columns (the catalog's and kiosk.toml's problems).
pub(crate) struct TextPlaces<'s> {
    pub(crate) text: &'s str,
    line_starts: Vec<usize>,
}

impl<'s> TextPlaces<'s> {
    pub(crate) fn new(text: &'s str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self { text, line_starts }
    }

    /// 1-based line and character column of byte `offset`.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_index = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line_index];
        let column = self.text[line_start..offset].chars().count() + 1;
        (line_index + 1, column)
    }
}

pub(super) struct Report<'s> {
    places: TextPlaces<'s>,
    /// The garment being read, stamped on each problem.
    pub(super) garment: Option<String>,
    pub(super) problems: Vec<Problem>,
}

impl<'s> Report<'s> {
    pub(super) fn new(text: &'s str) -> Self {
        Self {
            places: TextPlaces::new(text),
            garment: None,
            problems: Vec::new(),
        }
    }

    /// 1-based line and character column of byte `offset`.
    pub(super) fn line_col(&self, offset: usize) -> (usize, usize) {
        self.places.line_col(offset)
    }

    pub(super) fn line(&self, span: &Range<usize>) -> usize {
        self.line_col(span.start).0
    }

    pub(super) fn add(&mut self, span: &Range<usize>, message: impl Into<String>) {
        let (line, column) = self.line_col(span.start);
        self.problems.push(Problem {
            line,
            column,
            garment_id: self.garment.clone(),
            message: message.into(),
        });
    }

    /// The source text under `span` (for quoting a bad key).
    pub(super) fn source(&self, span: &Range<usize>) -> &'s str {
        self.places.text.get(span.clone()).unwrap_or("")
    }
}

/// One TOML table being read: its keys are looked up by name, and keys
/// nobody asked for can be reported as unknown.
pub(super) struct Section<'t, 'i> {
    /// How messages name it, e.g. "garment `tee-indigo`" or "[garment.fit]".
    pub(super) name: String,
    /// Where a missing key is reported: the table's header.
    pub(super) header: Range<usize>,
    pub(super) table: &'t DeTable<'i>,
}

impl<'t, 'i> Section<'t, 'i> {
    pub(super) fn new(name: impl Into<String>, value: &'t Value<'i>) -> Option<Self> {
        let DeValue::Table(table) = value.get_ref() else {
            return None;
        };
        Some(Self {
            name: name.into(),
            header: value.span(),
            table,
        })
    }

    pub(super) fn get(&self, key: &str) -> Option<&'t Value<'i>> {
        self.table
            .iter()
            .find(|(name, _)| name.get_ref().as_ref() == key)
            .map(|(_, value)| value)
    }

    /// Reports every key that is not in `known`, suggesting the nearest one.
    /// A key of the enclosing table (`parent_keys`) that landed here was
    /// most likely written below this sub-table's header by mistake.
    pub(super) fn reject_unknown(&self, r: &mut Report, known: &[&str], parent_keys: &[&str]) {
        for (key, _) in self.table.iter() {
            let name: &str = key.get_ref().as_ref();
            if known.contains(&name) {
                continue;
            }
            let hint = if parent_keys.contains(&name) {
                format!(
                    "`{name}` belongs to the garment itself: move it above {}, \
                     or start a new garment with [[garment]]",
                    self.name
                )
            } else if let Some(near) = closest(name, known) {
                format!("did you mean `{near}`?")
            } else {
                format!("allowed here: {}", known.join(", "))
            };
            r.add(
                &key.span(),
                format!("unknown field `{name}` in {}; {hint}", self.name),
            );
        }
    }

    pub(super) fn missing(&self, r: &mut Report, key: &str) {
        r.add(
            &self.header,
            format!("{} is missing `{key}`; add `{}`", self.name, example(key)),
        );
    }

    /// A string field; reports a wrong type, and a missing one if `required`.
    pub(super) fn string(
        &self,
        r: &mut Report,
        key: &str,
        required: bool,
    ) -> Option<(&'t str, Range<usize>)> {
        let value = self.field(r, key, required)?;
        match value.get_ref() {
            DeValue::String(text) => Some((text.as_ref(), value.span())),
            other => {
                r.add(&value.span(), wrong_type(key, "a string", other));
                None
            }
        }
    }

    /// A number (integer or float) field.
    pub(super) fn number(&self, r: &mut Report, key: &str) -> Option<(f64, Range<usize>)> {
        let value = self.field(r, key, false)?;
        match number(value.get_ref()) {
            Some(number) if number.is_finite() => Some((number, value.span())),
            Some(_) => {
                let message = format!("`{key}` must be a finite number, like `{}`", example(key));
                r.add(&value.span(), message);
                None
            }
            None => {
                r.add(&value.span(), wrong_type(key, "a number", value.get_ref()));
                None
            }
        }
    }

    /// A boolean field.
    pub(super) fn boolean(&self, r: &mut Report, key: &str) -> Option<bool> {
        let value = self.field(r, key, false)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                r.add(&value.span(), wrong_type(key, "true or false", other));
                None
            }
        }
    }

    /// An array of exactly `N` numbers, e.g. `[310, 60]`.
    pub(super) fn numbers<const N: usize>(
        &self,
        r: &mut Report,
        key: &str,
        required: bool,
    ) -> Option<([f64; N], Range<usize>)> {
        let value = self.field(r, key, required)?;
        let parsed = match value.get_ref() {
            DeValue::Array(items) if items.len() == N => {
                let mut out = [0.0; N];
                let all = items.iter().zip(&mut out).all(|(item, slot)| {
                    *slot = number(item.get_ref()).unwrap_or(f64::NAN);
                    slot.is_finite()
                });
                all.then_some(out)
            }
            _ => None,
        };
        if parsed.is_none() {
            r.add(
                &value.span(),
                format!(
                    "`{key}` must be an array of {N} numbers, like `{}`",
                    example(key)
                ),
            );
        }
        parsed.map(|numbers| (numbers, value.span()))
    }

    /// A sub-table such as `[garment.fit]`; reports anything else.
    pub(super) fn table(&self, r: &mut Report, key: &str, name: &str) -> Option<Section<'t, 'i>> {
        let value = self.field(r, key, false)?;
        let section = Section::new(name, value);
        if section.is_none() {
            r.add(
                &value.span(),
                format!(
                    "`{key}` must be a table: write `{name}` on its own line and its fields below it"
                ),
            );
        }
        section
    }

    fn field(&self, r: &mut Report, key: &str, required: bool) -> Option<&'t Value<'i>> {
        let value = self.get(key);
        if value.is_none() && required {
            self.missing(r, key);
        }
        value
    }
}

/// An integer or float as f64, from its exact source text.
pub(super) fn number(value: &DeValue) -> Option<f64> {
    match value {
        DeValue::Integer(integer) => i64::from_str_radix(integer.as_str(), integer.radix())
            .ok()
            .map(|n| n as f64),
        DeValue::Float(float) => float.as_str().parse().ok(),
        _ => None,
    }
}

/// "`name` must be a string, like `name = "…"`; found an integer".
pub(super) fn wrong_type(key: &str, wanted: &str, found: &DeValue) -> String {
    let found = found.type_str();
    let article = if found.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!(
        "`{key}` must be {wanted}, like `{}`; found {article} {found}",
        example(key)
    )
}

/// A correct line for `key`, quoted in messages.
pub(super) fn example(key: &str) -> String {
    let example = match key {
        "version" => "version = 1",
        "default" => "default = \"tee-indigo\"",
        "garment" => "[[garment]]",
        "id" => "id = \"tee-indigo\"",
        "name" => "name = \"Organic cotton T-shirt\"",
        "sku" => "sku = \"DRP-TEE-001\"",
        "price" => "price = \"24.90\"",
        "currency" => "currency = \"EUR\"",
        "buy_url" => "buy_url = \"https://shop.example/p/tee-indigo\"",
        "kind" => "kind = \"mesh\"",
        "asset" => "asset = \"tshirt.glb\"",
        "thumbnail" => "thumbnail = \"thumbs/tee-indigo.png\"",
        "sizes" => "sizes = [\"S\", \"M\", \"L\"]",
        "color" => "color = \"#2e3a6e\"",
        "ease" => "ease = 1.04",
        "length" => "length = 1.0",
        "sleeve" => "sleeve = 1.0",
        "cloth" => "[garment.cloth]",
        "software" => "software = true",
        "mass" => "mass = 0.18",
        "stiffness" => "stiffness = 1.0",
        "damping" => "damping = 2.0",
        "swing" => "swing = 1.0",
        "fit" => "[garment.fit]",
        "anchors" => "[garment.anchors]",
        "attach" => "[garment.attach]",
        "anchor" => "anchor = \"eyes\"",
        "offset" => "offset = [0.0, 0.0, 0.0]",
        "scale" => "scale = 1.0",
        "size_chart" => "[[garment.size_chart]]",
        "size" => "size = \"M\"",
        "shoulder_cm" => "shoulder_cm = 45.0",
        "torso_cm" => "torso_cm = 52.0",
        // The photo anchors: pixel positions in the PNG.
        other => return format!("{other} = [x, y]"),
    };
    example.to_string()
}

/// The known key nearest to a misspelt one, if it is close enough to be a typo.
pub(crate) fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    let name = name.to_ascii_lowercase();
    known
        .iter()
        .map(|&candidate| (edit_distance(&name, candidate), candidate))
        .filter(|&(distance, candidate)| distance <= 2.max(candidate.len() / 4))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, &b_char) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(a_char != b_char);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_in_characters() {
        let report = Report::new("ab\nçd\n");
        assert_eq!(report.line_col(0), (1, 1));
        assert_eq!(report.line_col(3), (2, 1));
        assert_eq!(report.line_col(5), (2, 2)); // after the two-byte ç
        assert_eq!(report.line_col(100), (3, 1));
    }

    #[test]
    fn typos_find_the_intended_key() {
        let known = ["price", "currency", "buy_url", "thumbnail"];
        assert_eq!(closest("prise", &known), Some("price"));
        assert_eq!(closest("buy-url", &known), Some("buy_url"));
        assert_eq!(closest("thumbnial", &known), Some("thumbnail"));
        assert_eq!(closest("colour", &known), None);
    }
}
