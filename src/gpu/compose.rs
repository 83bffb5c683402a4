//! Composes a WGSL shader from shared files: WGSL has no imports, so a
//! family of kernels that shares its parameter struct and helpers (the nn
//! convolutions) keeps them in shaders/common/ and pulls them in with a
//! line
//!
//! ```text
//! // #import nn_conv
//! ```
//!
//! The directive is a comment so that every file stays lexically valid
//! WGSL for editors and tools; only the composed source names everything
//! it uses, and that is what tests/shaders.rs validates. Each import is
//! included once, at its first directive, also when shared files import
//! each other.

/// The directive, after leading whitespace.
const IMPORT: &str = "// #import ";

/// Why a shader could not be composed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ComposeError {
    /// An import names no shared file.
    #[error("line {line}: `#import {name}` names no shared shader (shaders/common/{name}.wgsl)")]
    UnknownImport {
        /// The 1-based line of the directive in the file that holds it.
        line: usize,
        /// The name imported.
        name: String,
    },
    /// A directive without a single name after it.
    #[error("line {line}: `#import` takes one name, found {text:?}")]
    BadDirective {
        /// The 1-based line of the directive.
        line: usize,
        /// The directive's text.
        text: String,
    },
}

/// `source` with every import replaced by the text `resolve` gives for its
/// name, each name once.
pub fn compose<'a>(
    source: &str,
    resolve: impl Fn(&str) -> Option<&'a str>,
) -> Result<String, ComposeError> {
    let mut out = String::with_capacity(source.len());
    let mut included = Vec::new();
    expand(source, &resolve, &mut included, &mut out)?;
    Ok(out)
}

fn expand<'a>(
    source: &str,
    resolve: &impl Fn(&str) -> Option<&'a str>,
    included: &mut Vec<String>,
    out: &mut String,
) -> Result<(), ComposeError> {
    for (index, line) in source.lines().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix(IMPORT) else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let mut words = rest.split_whitespace();
        let (Some(name), None) = (words.next(), words.next()) else {
            return Err(ComposeError::BadDirective {
                line: index + 1,
                text: line.trim().to_string(),
            });
        };
        if included.iter().any(|n| n == name) {
            continue;
        }
        let shared = resolve(name).ok_or_else(|| ComposeError::UnknownImport {
            line: index + 1,
            name: name.to_string(),
        })?;
        // Marked before expanding, so an import cycle ends.
        included.push(name.to_string());
        expand(shared, resolve, included, out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library(name: &str) -> Option<&'static str> {
        match name {
            "params" => Some("struct P { a: u32 }\n"),
            "maths" => Some("// #import params\nfn twice(p: P) -> u32 { return p.a * 2u; }\n"),
            _ => None,
        }
    }

    #[test]
    fn an_import_is_replaced_by_the_shared_text() {
        let composed = compose("// #import params\nvar<private> q: P;\n", library).unwrap();
        assert_eq!(composed, "struct P { a: u32 }\nvar<private> q: P;\n");
    }

    #[test]
    fn each_import_is_included_once() {
        let source = "// #import maths\n  // #import params\n// #import maths\nfn f() {}\n";
        let composed = compose(source, library).unwrap();
        assert_eq!(composed.matches("struct P").count(), 1);
        assert_eq!(composed.matches("fn twice").count(), 1);
        // A nested import comes before the code that needs it.
        assert!(composed.find("struct P").unwrap() < composed.find("fn twice").unwrap());
        assert!(composed.ends_with("fn f() {}\n"));
    }

    #[test]
    fn an_unknown_import_is_an_error_naming_it() {
        let error = compose("fn f() {}\n// #import nowhere\n", library).unwrap_err();
        assert_eq!(
            error,
            ComposeError::UnknownImport {
                line: 2,
                name: "nowhere".into()
            }
        );
        assert!(error.to_string().contains("shaders/common/nowhere.wgsl"));
    }

    #[test]
    fn a_directive_needs_exactly_one_name() {
        let error = compose("// #import params maths\n", library).unwrap_err();
        assert!(matches!(error, ComposeError::BadDirective { line: 1, .. }));
    }

    #[test]
    fn a_source_without_imports_is_unchanged() {
        let source = "// a comment\nfn f() {}\n";
        assert_eq!(compose(source, library).unwrap(), source);
    }
}
