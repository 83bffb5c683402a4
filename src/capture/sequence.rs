//! `ImageSequenceSource`: a folder or glob of images, read either as the
//! frames of a video or as a batch of unrelated photos (`SequenceMode`).

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::image_file::{decode_image, image_size};
use super::{CaptureError, Frame, FrameSource, SourceInfo};

/// Seconds between two photos of a batch: longer than any gap across
/// which the try-on carries motion (`tryon::CLOTH_RESTART_AFTER_S`).
const BATCH_STEP_S: f64 = 1.0;

/// File extensions taken from a folder or glob (compared case-insensitively).
const IMAGE_EXTENSIONS: [&str; 4] = ["png", "jpg", "jpeg", "webp"];

/// How a folder or glob of images is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SequenceMode {
    /// Decide from the files: a video when they are numbered frames of one
    /// size (the same name but for one number, counting up by one), a
    /// batch otherwise.
    #[default]
    Auto,
    /// The frames of a video (`--sequence`): one size, timestamps from the
    /// frame rate, the body tracked and smoothed from frame to frame.
    Video,
    /// Unrelated photos (`--batch`): each at its own size, a still with
    /// nothing carried over from the one before.
    Batch,
}

/// Images from a folder or a glob pattern, in natural order of their paths
/// (`frame2` before `frame10`), decoded one at a time as frames are asked
/// for.
pub struct ImageSequenceSource {
    info: SourceInfo,
    paths: Vec<PathBuf>,
    next: usize,
    fps: f64,
    /// `Video` or `Batch`, never `Auto` (decided at open).
    mode: SequenceMode,
}

impl ImageSequenceSource {
    /// `pattern` is a folder (its .png/.jpg/.jpeg/.webp files, not
    /// recursive) or a glob pattern (it contains `*`, `?` or `[`). Only files
    /// with an image extension are kept in both cases, so a stray `.txt`
    /// next to the frames does not stop playback. Frame `i` gets the
    /// timestamp `i / fps`.
    ///
    /// Reads the first image's header to know the size; the images
    /// themselves are decoded in `next_frame`. The images are the frames
    /// of a video (`SequenceMode::Video`): all of one size.
    pub fn open(pattern: &str, fps: f64) -> Result<Self, CaptureError> {
        ImageSequenceSource::open_as(pattern, fps, SequenceMode::Video)
    }

    /// Like `open`, as video frames or a batch of photos (`mode`; `Auto`
    /// reads every image's header to decide). A batch yields each photo
    /// at its own size, timestamped a second apart, so that nothing that
    /// follows a body through time (the cloth's motion) joins two photos.
    pub fn open_as(pattern: &str, fps: f64, mode: SequenceMode) -> Result<Self, CaptureError> {
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
        let mode = match mode {
            SequenceMode::Auto if looks_like_video(&paths, (width, height))? => SequenceMode::Video,
            SequenceMode::Auto => SequenceMode::Batch,
            chosen => chosen,
        };
        let images = plural(paths.len(), "image", "images");
        let info = match mode {
            SequenceMode::Batch => SourceInfo {
                description: format!("{pattern}: {images}, each a still at its own size"),
                width,
                height,
                fps: None,
                frame_count: Some(paths.len() as u64),
                live: false,
            },
            _ => SourceInfo {
                description: format!("{pattern}: {images}, the frames of a video at {fps} fps"),
                width,
                height,
                fps: Some(fps),
                frame_count: Some(paths.len() as u64),
                live: false,
            },
        };
        Ok(ImageSequenceSource {
            info,
            paths,
            next: 0,
            fps,
            mode,
        })
    }

    /// `Video` or `Batch`: how the images are read (`Auto` decided).
    pub fn mode(&self) -> SequenceMode {
        self.mode
    }
}

/// `1 image`, `2 images`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Whether `paths` (sorted) look like the frames of one video: at least
/// two, named alike but for one number that counts up by one
/// (`take2_0001.png`, `take2_0002.png`, ...), and all of one size
/// (`first_size` is the first's). Only then are the other headers read.
fn looks_like_video(paths: &[PathBuf], first_size: (u32, u32)) -> Result<bool, CaptureError> {
    if paths.len() < 2 {
        return Ok(false);
    }
    let names: Option<Vec<Vec<&str>>> = paths
        .iter()
        .map(|p| p.file_name().and_then(|n| n.to_str()).map(name_runs))
        .collect();
    let Some(names) = names else {
        return Ok(false);
    };
    let first = &names[0];
    let is_number = |run: &str| run.starts_with(|c: char| c.is_ascii_digit());
    // The one place where the names differ must be a number.
    let mut varying = None;
    for name in &names[1..] {
        if name.len() != first.len() {
            return Ok(false);
        }
        for (at, (a, b)) in first.iter().zip(name).enumerate() {
            if a == b {
                continue;
            }
            if !is_number(a) || !is_number(b) || *varying.get_or_insert(at) != at {
                return Ok(false);
            }
        }
    }
    let Some(at) = varying else {
        return Ok(false);
    };
    let numbers: Option<Vec<u64>> = names.iter().map(|n| n[at].parse().ok()).collect();
    let counts_up =
        numbers.is_some_and(|n| n.windows(2).all(|w| w[0].checked_add(1) == Some(w[1])));
    if !counts_up {
        return Ok(false);
    }
    for path in &paths[1..] {
        if image_size(path)? != first_size {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A name cut into runs of digits and runs of everything else:
/// `f_01.png` → `f_`, `01`, `.png`.
fn name_runs(name: &str) -> Vec<&str> {
    let mut runs = Vec::new();
    let mut start = 0;
    let bytes = name.as_bytes();
    for i in 1..=bytes.len() {
        if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[i - 1].is_ascii_digit() {
            runs.push(&name[start..i]);
            start = i;
        }
    }
    runs
}

impl FrameSource for ImageSequenceSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// An image that fails to decode (or, for a video, has another size
    /// than the first) is an error; the sequence moves past it, so a
    /// caller that logs and goes on gets the next image on the following
    /// call.
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let Some(path) = self.paths.get(self.next) else {
            return Ok(None);
        };
        let index = self.next;
        self.next += 1;
        let frame = decode_image(path)?;
        let seconds = match self.mode {
            SequenceMode::Batch => index as f64 * BATCH_STEP_S,
            _ => {
                if (frame.width, frame.height) != (self.info.width, self.info.height) {
                    return Err(CaptureError::SizeChanged {
                        path: path.clone(),
                        width: frame.width,
                        height: frame.height,
                        expected_width: self.info.width,
                        expected_height: self.info.height,
                    });
                }
                index as f64 / self.fps
            }
        };
        let timestamp = Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX);
        Ok(Some(frame.with_timestamp(timestamp, index as u64)))
    }

    fn stills(&self) -> bool {
        self.mode == SequenceMode::Batch
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

    #[test]
    fn names_cut_into_digit_runs() {
        assert_eq!(name_runs("f_01.png"), ["f_", "01", ".png"]);
        assert_eq!(name_runs("12"), ["12"]);
        assert_eq!(
            name_runs("take2_0003.jpg"),
            ["take", "2", "_", "0003", ".jpg"]
        );
    }

    /// Only names alike but for one number counting up by one are a
    /// video's frames (sizes are read only after that, so these paths
    /// need not exist).
    #[test]
    fn only_numbered_names_look_like_video_frames() {
        let paths = |names: &[&str]| names.iter().map(PathBuf::from).collect::<Vec<_>>();
        for names in [
            &["beach.png", "kitchen.png"][..],
            &["f_0001.png"],
            &["f_0001.png", "f_0003.png"],
            &["a_1.png", "b_2.png"],
            &["IMG_2041.jpg", "IMG_2042.png"],
            &["t1_f1.png", "t2_f2.png"],
        ] {
            assert!(
                !looks_like_video(&paths(names), (1, 1)).unwrap(),
                "{names:?}"
            );
        }
    }
}
