//! Bytes in: the GLB container, the JSON (with cheap size checks before
//! serde builds anything), `data:` URIs and external files, all within a
//! byte budget so a hostile file cannot make us read or allocate much.

use super::{GltfError, Limits};
use crate::garment::catalog::AssetFiles;
use gltf::json;
use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

/// JSON nesting deeper than this is refused before parsing (serde_json's
/// own limit is 128; glTF itself needs fewer than 10 levels).
const MAX_JSON_DEPTH: usize = 64;

/// What every step of one load shares: the file's name for errors, where
/// external files live (the folder, on disk or in memory), the limits, and
/// the bytes still allowed to be read.
pub(super) struct Loader<'a> {
    pub path: PathBuf,
    pub base_dir: Option<&'a Path>,
    pub files: &'a AssetFiles,
    pub limits: &'a Limits,
    bytes_left: u64,
}

impl<'a> Loader<'a> {
    pub fn new(
        path: PathBuf,
        base_dir: Option<&'a Path>,
        files: &'a AssetFiles,
        limits: &'a Limits,
    ) -> Self {
        Loader {
            path,
            base_dir,
            files,
            limits,
            bytes_left: limits.max_file_bytes,
        }
    }

    pub fn invalid(&self, detail: impl Into<String>) -> GltfError {
        GltfError::Invalid {
            path: self.path.clone(),
            detail: detail.into(),
        }
    }

    pub fn format(&self, detail: impl Into<String>) -> GltfError {
        GltfError::Format {
            path: self.path.clone(),
            detail: detail.into(),
        }
    }

    pub fn unsupported(&self, detail: impl Into<String>, hint: &'static str) -> GltfError {
        GltfError::Unsupported {
            path: self.path.clone(),
            detail: detail.into(),
            hint,
        }
    }

    /// `Err(Limit)` when `actual > limit`.
    pub fn check_limit(
        &self,
        what: impl Into<String>,
        field: &'static str,
        actual: u64,
        limit: u64,
    ) -> Result<(), GltfError> {
        if actual <= limit {
            return Ok(());
        }
        Err(GltfError::Limit {
            path: self.path.clone(),
            what: what.into(),
            field,
            actual,
            limit,
        })
    }

    /// Takes `bytes` from the budget of `Limits::max_file_bytes`, which
    /// covers the file and everything it refers to.
    pub fn spend(&mut self, what: &str, bytes: u64) -> Result<(), GltfError> {
        let limit = self.limits.max_file_bytes;
        let used = limit - self.bytes_left;
        self.check_limit(
            format!("{what} (with {used} bytes already read)"),
            "max_file_bytes",
            used.saturating_add(bytes),
            limit,
        )?;
        self.bytes_left -= bytes;
        Ok(())
    }

    /// The bytes a buffer or image `uri` names: a base64 `data:` URI or a
    /// file relative to the base directory.
    pub fn resolve_uri(&mut self, uri: &str, what: &str) -> Result<Vec<u8>, GltfError> {
        if let Some(rest) = uri.strip_prefix("data:") {
            let (header, payload) = rest
                .split_once(',')
                .ok_or_else(|| self.invalid(format!("{what}: data: URI without a ','")))?;
            if !header.ends_with(";base64") {
                return Err(self.unsupported(
                    format!("{what}: a data: URI that is not base64"),
                    "export with embedded base64 data or as .glb",
                ));
            }
            self.spend(what, base64_decoded_len(payload.len()) as u64)?;
            return decode_base64(payload)
                .ok_or_else(|| self.invalid(format!("{what}: its data: URI is not valid base64")));
        }
        let relative = self.relative_path(uri, what)?;
        let path = self.path.clone();
        let missing = |resolved: PathBuf, source| GltfError::MissingFile {
            path: path.clone(),
            uri: uri.to_string(),
            resolved,
            source,
        };
        let Some(base_dir) = self.base_dir else {
            let source = std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the glTF was given as bytes with no base directory for its external files",
            );
            return Err(missing(relative, source));
        };
        let resolved = base_dir.join(&relative);
        let size = match self.files.file_len(&resolved) {
            Ok(size) => size,
            Err(source) => return Err(missing(resolved, source)),
        };
        self.spend(&format!("{what} ({})", resolved.display()), size)?;
        let files = self.files;
        match files.read_at_most(&resolved, size) {
            Ok(bytes) => Ok(bytes.into_owned()),
            Err(source) => Err(missing(resolved, source)),
        }
    }

    /// The file a buffer or image `uri` names, resolved against the base
    /// directory; `None` for a `data:` URI.
    pub fn external_file(&self, uri: &str, what: &str) -> Result<Option<PathBuf>, GltfError> {
        if uri.starts_with("data:") {
            return Ok(None);
        }
        let relative = self.relative_path(uri, what)?;
        Ok(Some(self.base_dir.unwrap_or(Path::new("")).join(relative)))
    }

    /// A relative URI as a path; absolute paths and other schemes
    /// (http:, file:) are refused so a file cannot reach the network or
    /// name arbitrary paths.
    fn relative_path(&self, uri: &str, what: &str) -> Result<PathBuf, GltfError> {
        let decoded = percent_decode(uri)
            .ok_or_else(|| self.invalid(format!("{what}: bad %-escape in URI {uri:?}")))?;
        let scheme = decoded
            .split(['/', '\\'])
            .next()
            .is_some_and(|first| first.contains(':'));
        let path = PathBuf::from(&decoded);
        let absolute = path
            .components()
            .any(|c| matches!(c, Component::RootDir | Component::Prefix(_)))
            || decoded.starts_with(['/', '\\']);
        if scheme || absolute || decoded.is_empty() {
            return Err(self.unsupported(
                format!("{what}: URI {uri:?} (only relative file names and data: URIs)"),
                "keep buffers and textures next to the .gltf, or export a .glb",
            ));
        }
        Ok(path)
    }
}

/// The JSON text and BIN chunk of a file, GLB or plain `.gltf`.
pub(super) fn split_container<'b>(
    loader: &Loader,
    bytes: &'b [u8],
) -> Result<(&'b [u8], Option<&'b [u8]>), GltfError> {
    if !bytes.starts_with(b"glTF") {
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let first = text.iter().find(|b| !b.is_ascii_whitespace());
        if first != Some(&b'{') {
            return Err(loader.format("neither GLB (no 'glTF' magic) nor glTF JSON"));
        }
        return Ok((text, None));
    }
    let word = |at: usize| -> Option<u32> {
        let b = bytes.get(at..at + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (Some(version), Some(length)) = (word(4), word(8)) else {
        return Err(loader.format("truncated GLB: the 12-byte header is incomplete"));
    };
    if version != 2 {
        return Err(loader.format(format!("GLB version {version}, expected 2")));
    }
    let length = length as usize;
    if length > bytes.len() {
        return Err(loader.format(format!(
            "truncated GLB: its header says {length} bytes but there are {}",
            bytes.len()
        )));
    }
    let (mut json, mut bin) = (None, None);
    let mut at = 12;
    while at < length {
        let (Some(chunk_len), Some(kind)) = (word(at), word(at + 4)) else {
            return Err(loader.format("truncated GLB: a chunk header is cut off"));
        };
        let start = at + 8;
        let end = start
            .checked_add(chunk_len as usize)
            .filter(|&end| end <= length)
            .ok_or_else(|| loader.format("truncated GLB: a chunk runs past the end of the file"))?;
        let data = &bytes[start..end];
        match &kind.to_le_bytes() {
            b"JSON" if json.is_none() => json = Some(data),
            b"BIN\0" if json.is_some() && bin.is_none() => bin = Some(data),
            _ if json.is_none() => return Err(loader.format("the first GLB chunk is not JSON")),
            _ => {} // The spec says to skip unknown chunks.
        }
        at = end;
    }
    let json = json.ok_or_else(|| loader.format("GLB without a JSON chunk"))?;
    Ok((json, bin))
}

/// Parses the glTF JSON after checking its size: serde would build one
/// struct (up to a few hundred bytes) per JSON object, so the number of
/// values is capped before parsing.
pub(super) fn parse_json(loader: &Loader, text: &[u8]) -> Result<json::Root, GltfError> {
    let (values, depth) = json_shape(text);
    loader.check_limit(
        "the number of JSON values",
        "max_json_values",
        values as u64,
        loader.limits.max_json_values as u64,
    )?;
    if depth > MAX_JSON_DEPTH {
        return Err(loader.format(format!("JSON nested deeper than {MAX_JSON_DEPTH} levels")));
    }
    let root: json::Root = serde_json::from_slice(text)
        .map_err(|e| loader.format(format!("invalid glTF JSON: {e}")))?;
    if !root.asset.version.starts_with("2.") {
        return Err(loader.unsupported(
            format!("glTF version {:?}", root.asset.version),
            "export glTF 2.0",
        ));
    }
    // Extensions we can honour when required: quantized attributes are
    // read by the generic accessor reader; sheen is read from materials.
    const SUPPORTED: [&str; 2] = ["KHR_mesh_quantization", "KHR_materials_sheen"];
    if let Some(name) = root
        .extensions_required
        .iter()
        .find(|n| !SUPPORTED.contains(&n.as_str()))
    {
        return Err(loader.unsupported(
            format!("the required extension {name}"),
            "export without compression (Draco, meshopt, KTX2) or texture transforms",
        ));
    }
    Ok(root)
}

/// Roughly how many values a JSON text holds (objects, arrays and
/// separators outside strings) and how deep it nests.
fn json_shape(text: &[u8]) -> (usize, usize) {
    let (mut values, mut depth, mut max_depth) = (1usize, 0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in text {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                values += 1;
                depth += 1;
                max_depth = max_depth.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' => values += 1,
            _ => {}
        }
    }
    (values, max_depth)
}

/// Each glTF buffer's bytes, cut to its declared `byteLength`.
pub(super) fn load_buffers<'b>(
    loader: &mut Loader,
    root: &json::Root,
    bin: Option<&'b [u8]>,
) -> Result<Vec<Cow<'b, [u8]>>, GltfError> {
    let mut buffers = Vec::with_capacity(root.buffers.len());
    for (index, buffer) in root.buffers.iter().enumerate() {
        let what = format!("buffer {index}");
        let declared = buffer.byte_length.0;
        loader.check_limit(
            &what,
            "max_file_bytes",
            declared,
            loader.limits.max_file_bytes,
        )?;
        let data: Cow<[u8]> = match (&buffer.uri, bin) {
            (Some(uri), _) => Cow::Owned(loader.resolve_uri(uri, &what)?),
            (None, Some(bin)) if index == 0 => Cow::Borrowed(bin),
            (None, _) => {
                return Err(
                    loader.invalid(format!("{what} has no uri and there is no GLB BIN chunk"))
                )
            }
        };
        if (data.len() as u64) < declared {
            return Err(loader.invalid(format!(
                "{what} declares {declared} bytes but holds {}",
                data.len()
            )));
        }
        let declared = declared as usize; // <= data.len(), so fits
        buffers.push(match data {
            Cow::Borrowed(b) => Cow::Borrowed(&b[..declared]),
            Cow::Owned(mut v) => {
                v.truncate(declared);
                Cow::Owned(v)
            }
        });
    }
    Ok(buffers)
}

fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_string());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn base64_decoded_len(encoded_len: usize) -> usize {
    encoded_len / 4 * 3 + 3
}

/// Standard (and URL-safe) base64 with optional `=` padding.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(base64_decoded_len(text.len()));
    let (mut acc, mut bits) = (0u32, 0u32);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits must be padding zeros, fewer than one byte.
    (bits < 6 && acc == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_known_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(
                decode_base64(encoded).as_deref(),
                Some(plain.as_bytes()),
                "{encoded}"
            );
        }
        assert_eq!(decode_base64("Zm9v!"), None);
        assert_eq!(decode_base64("Z"), None);
    }

    #[test]
    fn json_shape_ignores_strings() {
        assert_eq!(json_shape(br#"{"a": "{[,", "b": [1, 2]}"#), (5, 2));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("my%20shirt.bin").as_deref(),
            Some("my shirt.bin")
        );
        assert_eq!(percent_decode("bad%2"), None);
    }
}
