//! Reading typed values out of the spanned TOML tables of `kiosk.toml`
//! while collecting every problem with its line and column, and messages
//! that say what to write instead.

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::ConfigProblem;
use crate::garment::catalog::fields::{closest, TextPlaces};

pub(super) type Value<'i> = Spanned<DeValue<'i>>;

/// A section's keys, each with a correct line to quote in messages.
pub(super) type Keys = &'static [(&'static str, &'static str)];

/// Every section with its keys, the top level (named "") first.
pub(super) struct Layout {
    pub(super) sections: &'static [(&'static str, Keys)],
}

/// One table of the file: the top level or a `[section]`.
pub(super) struct Table<'t, 'i> {
    /// "" for the top level, else the section's name (`display`).
    pub(super) section: &'static str,
    pub(super) keys: Keys,
    pub(super) table: &'t DeTable<'i>,
}

impl<'t, 'i> Table<'t, 'i> {
    pub(super) fn get(&self, key: &str) -> Option<&'t Value<'i>> {
        self.table
            .iter()
            .find(|(name, _)| name.get_ref().as_ref() == key)
            .map(|(_, value)| value)
    }

    /// A correct line for `key`, e.g. `idle_seconds = 8`.
    pub(super) fn example(&self, key: &str) -> &'static str {
        self.keys
            .iter()
            .find(|(name, _)| *name == key)
            .map_or("", |(_, example)| example)
    }
}

/// Collects problems; knows the text so byte spans become line:column.
pub(super) struct Reader<'s> {
    places: TextPlaces<'s>,
    /// The configuration's folder: relative paths resolve against it.
    pub(super) base_dir: &'s Path,
    pub(super) problems: Vec<ConfigProblem>,
}

impl<'s> Reader<'s> {
    pub(super) fn new(text: &'s str, base_dir: &'s Path) -> Self {
        Self {
            places: TextPlaces::new(text),
            base_dir,
            problems: Vec::new(),
        }
    }

    /// 1-based line and character column of byte `offset`.
    pub(super) fn line_col(&self, offset: usize) -> (usize, usize) {
        self.places.line_col(offset)
    }

    pub(super) fn add(&mut self, span: &Range<usize>, message: impl Into<String>) {
        let (line, column) = self.line_col(span.start);
        self.problems.push(ConfigProblem {
            line,
            column,
            message: message.into(),
        });
    }

    /// The source text under `span`.
    pub(super) fn source(&self, span: &Range<usize>) -> &'s str {
        self.places.text.get(span.clone()).unwrap_or("")
    }

    /// Reports every key of `table` it does not know, saying where a key of
    /// another section belongs, or the known key a typo was meant to be.
    pub(super) fn reject_unknown(&mut self, table: &Table, layout: &Layout) {
        let here: Vec<&str> = table.keys.iter().map(|(key, _)| *key).collect();
        let place = match table.section {
            "" => String::new(),
            section => format!(" in [{section}]"),
        };
        for (key, _) in table.table.iter() {
            let name: &str = key.get_ref().as_ref();
            if here.contains(&name) {
                continue;
            }
            let homes: Vec<&str> = layout
                .sections
                .iter()
                .filter(|(_, keys)| keys.iter().any(|(known, _)| *known == name))
                .map(|(section, _)| *section)
                .collect();
            let is_section = layout.sections.iter().any(|(section, _)| *section == name);
            let hint = if is_section {
                format!("[{name}] is a section of its own: write `[{name}]` on its own line")
            } else if homes.contains(&"") {
                format!("`{name}` belongs at the top level: move it above the first [section] line")
            } else if !homes.is_empty() {
                let homes: Vec<String> = homes.iter().map(|home| format!("[{home}]")).collect();
                format!(
                    "`{name}` belongs in {}: move it below that line",
                    homes.join(" or ")
                )
            } else if let Some(near) = closest(name, &here) {
                format!("did you mean `{near}`?")
            } else {
                format!("allowed here: {}", here.join(", "))
            };
            self.add(&key.span(), format!("unknown key `{name}`{place}; {hint}"));
        }
    }

    /// A `[section]` of the top level; reports anything else under its name.
    pub(super) fn section<'t, 'i>(
        &mut self,
        top: &Table<'t, 'i>,
        name: &'static str,
        layout: &Layout,
    ) -> Option<Table<'t, 'i>> {
        let value = top.get(name)?;
        let DeValue::Table(table) = value.get_ref() else {
            self.add(
                &value.span(),
                format!("`{name}` must be a section: write [{name}] on its own line and its keys below it"),
            );
            return None;
        };
        let keys = layout
            .sections
            .iter()
            .find(|(section, _)| *section == name)
            .map_or(&[][..], |(_, keys)| *keys);
        let section = Table {
            section: name,
            keys,
            table,
        };
        self.reject_unknown(&section, layout);
        Some(section)
    }

    pub(super) fn wrong_type(&mut self, table: &Table, key: &str, wanted: &str, value: &Value) {
        let found = value.get_ref().type_str();
        let article = if found.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        let example = table.example(key);
        self.add(
            &value.span(),
            format!("`{key}` must be {wanted}, like `{example}`; found {article} {found}"),
        );
    }

    /// A non-empty string.
    pub(super) fn string<'t>(
        &mut self,
        table: &Table<'t, '_>,
        key: &str,
    ) -> Option<(&'t str, Range<usize>)> {
        let value = table.get(key)?;
        let DeValue::String(text) = value.get_ref() else {
            self.wrong_type(table, key, "a string", value);
            return None;
        };
        if text.trim().is_empty() {
            let example = table.example(key);
            self.add(
                &value.span(),
                format!("`{key}` is empty; write e.g. `{example}`, or remove the line"),
            );
            return None;
        }
        Some((text.as_ref(), value.span()))
    }

    /// A string passed through `parse`, whose message follows the key's name.
    pub(super) fn parsed<T>(
        &mut self,
        table: &Table,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let (text, span) = self.string(table, key)?;
        parse(text)
            .map_err(|message| self.add(&span, format!("`{key}` {message}")))
            .ok()
    }

    pub(super) fn boolean(&mut self, table: &Table, key: &str) -> Option<bool> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(table, key, "true or false", value);
                None
            }
        }
    }

    /// A number (integer or float) passed through `check`.
    pub(super) fn number(
        &mut self,
        table: &Table,
        key: &str,
        wanted: &str,
        check: impl FnOnce(f64) -> Result<f64, String>,
    ) -> Option<f64> {
        let value = table.get(key)?;
        let Some(number) = number(value.get_ref()) else {
            self.wrong_type(table, key, wanted, value);
            return None;
        };
        check(number)
            .map_err(|message| self.add(&value.span(), format!("`{key}` {message}")))
            .ok()
    }

    /// A path resolved against the configuration's folder. With
    /// `extensions`, a file that must exist and have one of them.
    pub(super) fn path(
        &mut self,
        table: &Table,
        key: &str,
        extensions: Option<&[&str]>,
    ) -> Option<PathBuf> {
        let (relative, span) = self.string(table, key)?;
        let resolved = self.base_dir.join(relative);
        let Some(extensions) = extensions else {
            return Some(resolved);
        };
        let extension = Path::new(relative)
            .extension()
            .map(|ext| ext.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if !extensions.contains(&extension.as_str()) {
            let mut wanted: Vec<String> = extensions.iter().map(|ext| format!(".{ext}")).collect();
            let last = wanted.pop().unwrap_or_default();
            let wanted = match wanted.is_empty() {
                true => last,
                false => format!("{} or {last}", wanted.join(", ")),
            };
            self.add(
                &span,
                format!("`{key}` must be a {wanted} file, not `{relative}`"),
            );
            return None;
        }
        self.existing(key, relative, &resolved, &span)
            .then_some(resolved)
    }

    /// Whether `resolved` (written `relative`) exists; reports it if not.
    pub(super) fn existing(
        &mut self,
        key: &str,
        relative: &str,
        resolved: &Path,
        span: &Range<usize>,
    ) -> bool {
        if resolved.exists() {
            return true;
        }
        let folder = match self.base_dir.as_os_str().is_empty() {
            true => Path::new("."),
            false => self.base_dir,
        };
        self.add(
            span,
            format!(
                "{key} `{relative}` not found in {}; put it there or fix the path (paths \
                 are relative to the configuration's folder)",
                folder.display()
            ),
        );
        false
    }
}

/// An integer or float as f64, from its exact source text.
fn number(value: &DeValue) -> Option<f64> {
    match value {
        DeValue::Integer(integer) => i64::from_str_radix(integer.as_str(), integer.radix())
            .ok()
            .map(|n| n as f64),
        DeValue::Float(float) => float.as_str().parse().ok(),
        _ => None,
    }
}
