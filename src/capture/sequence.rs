//! `ImageSequenceSource`: a folder or glob of still images played as a video.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::image_file::{decode_image, image_size};
use super::{CaptureError, Frame, FrameSource, SourceInfo};

/// File extensions taken from a folder or glob (compared case-insensitively).
const IMAGE_EXTENSIONS: [&str; 4] = ["png", "jpg", "jpeg", "webp"];

/// Images from a folder or a glob pattern, in natural order of their paths
/// (`frame2` before `frame10`), decoded one at a time as frames are asked
/// for.
pub struct ImageSequenceSource {
    info: SourceInfo,
    paths: Vec<PathBuf>,
    next: usize,
    fps: f64,
}

impl ImageSequenceSource {
    /// `pattern` is a folder (its .png/.jpg/.jpeg/.webp files, not
    /// recursive) or a glob pattern (it contains `*`, `?` or `[`). Only files
    /// with an image extension are kept in both cases, so a stray `.txt`
    /// next to the frames does not stop playback. Frame `i` gets the
    /// timestamp `i / fps`.
    ///
    /// Reads the first image's header to know the size; the images
    /// themselves are decoded in `next_frame`.
    pub fn open(pattern: &str, fps: f64) -> Result<Self, CaptureError> {
        if !(fps.is_finite() && fps > 0.0) {
            return Err(CaptureError::BadSpec(format!(
                "image sequence {pattern}: the frame rate must be a positive number, got {fps}"
            )));
        }
        let mut paths = if is_glob(pattern) {
            glob_images(pattern)?
        } else {
            folder_images(Path::new(pattern))?
        };
        // Ties (`f01` vs `f1`) fall back to byte order so the order is total.
        paths.sort_by(|a, b| {
            let (a, b) = (a.to_string_lossy(), b.to_string_lossy());
            natural_cmp(&a, &b).then_with(|| a.cmp(&b))
        });
        let first = paths
            .first()
            .ok_or_else(|| CaptureError::NoImages(pattern.to_string()))?;
        let (width, height) = image_size(first)?;
        let info = SourceInfo {
            description: format!("image sequence {pattern} ({} images)", paths.len()),
            width,
            height,
            fps: Some(fps),
            frame_count: Some(paths.len() as u64),
            live: false,
        };
        Ok(ImageSequenceSource {
            info,
            paths,
            next: 0,
            fps,
        })
    }
}

impl FrameSource for ImageSequenceSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// An image that fails to decode or has the wrong size is an error; the
    /// sequence moves past it, so a caller that logs and goes on gets the
    /// next image on the following call.
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let Some(path) = self.paths.get(self.next) else {
            return Ok(None);
        };
        let index = self.next;
        self.next += 1;
        let frame = decode_image(path)?;
        if (frame.width, frame.height) != (self.info.width, self.info.height) {
            return Err(CaptureError::SizeChanged {
                path: path.clone(),
                width: frame.width,
                height: frame.height,
                expected_width: self.info.width,
                expected_height: self.info.height,
            });
        }
        let timestamp =
            Duration::try_from_secs_f64(index as f64 / self.fps).unwrap_or(Duration::MAX);
        Ok(Some(frame.with_timestamp(timestamp, index as u64)))
    }
}

fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

fn has_image_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

fn folder_images(folder: &Path) -> Result<Vec<PathBuf>, CaptureError> {
    let entries = std::fs::read_dir(folder).map_err(|e| CaptureError::io(folder, e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| CaptureError::io(folder, e))?.path();
        // `is_file` follows symlinks, so linked frames count too.
        if has_image_extension(&path) && path.is_file() {
            paths.push(path);
        }
    }
    Ok(paths)
}

fn glob_images(pattern: &str) -> Result<Vec<PathBuf>, CaptureError> {
    let matches = glob::glob(pattern).map_err(|e| {
        CaptureError::BadSpec(format!(
            "bad glob pattern {pattern:?}: {e} (quote the pattern so the shell does not expand it)"
        ))
    })?;
    let mut paths = Vec::new();
    for entry in matches {
        // An unreadable directory on the way is reported, not skipped.
        let path = entry.map_err(|e| {
            let path = e.path().to_path_buf();
            CaptureError::io(path, std::io::Error::from(e))
        })?;
        if has_image_extension(&path) && path.is_file() {
            paths.push(path);
        }
    }
    Ok(paths)
}

/// Compares strings the way people count: runs of ASCII digits compare as
/// numbers (`f2` < `f10`), everything else byte by byte. Numbers that are
/// equal but written with different leading zeros (`f01`, `f1`) break the
/// tie by length, fewer digits first, if nothing else differs.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    let mut tie = Ordering::Equal;
    loop {
        match (a.first(), b.first()) {
            (None, None) => return tie,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (da, rest_a) = split_digits(a);
                let (db, rest_b) = split_digits(b);
                // Compare without leading zeros: longer is bigger, then digit
                // by digit. No parsing, so any length of number works.
                let (na, nb) = (trim_zeros(da), trim_zeros(db));
                let order = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if order != Ordering::Equal {
                    return order;
                }
                if tie == Ordering::Equal {
                    tie = da.len().cmp(&db.len());
                }
                (a, b) = (rest_a, rest_b);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let end = s
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(s.len());
    s.split_at(end)
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let start = digits
        .iter()
        .position(|&c| c != b'0')
        .unwrap_or(digits.len());
    &digits[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(natural_cmp("frame2", "frame10"), Ordering::Less);
        assert_eq!(natural_cmp("frame10", "frame2"), Ordering::Greater);
        assert_eq!(natural_cmp("f9.png", "f10.png"), Ordering::Less);
        assert_eq!(natural_cmp("a1b2", "a1b10"), Ordering::Less);
        assert_eq!(natural_cmp("x100", "x99"), Ordering::Greater);
    }

    #[test]
    fn text_and_prefixes() {
        assert_eq!(natural_cmp("abc", "abc"), Ordering::Equal);
        assert_eq!(natural_cmp("abc", "abd"), Ordering::Less);
        assert_eq!(natural_cmp("ab", "abc"), Ordering::Less);
        assert_eq!(natural_cmp("", "a"), Ordering::Less);
        assert_eq!(natural_cmp("a", ""), Ordering::Greater);
        // A digit sorts before a letter, as in byte order.
        assert_eq!(natural_cmp("a1", "aa"), Ordering::Less);
    }

    #[test]
    fn leading_zeros_and_huge_numbers() {
        assert_eq!(natural_cmp("f001", "f2"), Ordering::Less);
        assert_eq!(natural_cmp("f01", "f1"), Ordering::Greater);
        assert_eq!(natural_cmp("f1", "f01"), Ordering::Less);
        // The number decides before the zeros do.
        assert_eq!(natural_cmp("f01b", "f1a"), Ordering::Greater);
        assert_eq!(natural_cmp("f01a", "f1b"), Ordering::Less);
        let big = "n123456789012345678901234567890";
        let bigger = "n123456789012345678901234567891";
        assert_eq!(natural_cmp(big, bigger), Ordering::Less);
    }

    #[test]
    fn sorts_a_list() {
        let mut names = vec!["f10.png", "f1.png", "f2.png", "f100.png", "f20.png"];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            ["f1.png", "f2.png", "f10.png", "f20.png", "f100.png"]
        );
    }
}
