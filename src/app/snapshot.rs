//! Snapshots of the live window: the picture shown, saved as a PNG in a
//! folder. A kiosk's folder can fill up, be unmounted or be read-only; a
//! failed write is an error for the caller to show, never the end of the
//! run, and it leaves no half-written file behind.

use std::fs;
use std::io::{BufWriter, ErrorKind};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use image::ImageEncoder;

use crate::output::OutputError;

/// Names tried after one that exists (another run in the same second)
/// before giving up.
const NAME_ATTEMPTS: u64 = 100;

/// Writes `rgba` (`width`×`height`, 4 bytes a pixel) to
/// `folder/drape-<unix seconds>-<n>.png`, making the folder if needed and
/// never overwriting a file; returns the path written. The image goes to a
/// `.partial` file first, renamed once complete.
pub fn write_snapshot(
    folder: &Path,
    n: u64,
    rgba: &[u8],
    width: u32,
    height: u32,
) -> Result<PathBuf, OutputError> {
    fs::create_dir_all(folder).map_err(|source| OutputError::Io {
        path: folder.to_path_buf(),
        source,
    })?;
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    for attempt in 0..NAME_ATTEMPTS {
        let path = folder.join(format!("drape-{seconds}-{:04}.png", n + attempt));
        match write_new(&path, rgba, width, height) {
            Err(OutputError::Io { source, .. }) if source.kind() == ErrorKind::AlreadyExists => {
                continue
            }
            written => return written.map(|()| path),
        }
    }
    Err(OutputError::BadSpec(format!(
        "{} already holds {NAME_ATTEMPTS} snapshots named drape-{seconds}-*: move some away",
        folder.display()
    )))
}

/// Writes a PNG at `path`, which must not exist yet.
fn write_new(path: &Path, rgba: &[u8], width: u32, height: u32) -> Result<(), OutputError> {
    let io = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    if path.exists() {
        return Err(io(ErrorKind::AlreadyExists.into()));
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let written = fs::File::create(&partial).map_err(io).and_then(|file| {
        let mut writer = BufWriter::new(file);
        image::codecs::png::PngEncoder::new(&mut writer)
            .write_image(rgba, width, height, image::ExtendedColorType::Rgba8)
            .map_err(|e| OutputError::Encode {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        // A full disk often shows only here, when the buffer is flushed.
        let file = writer.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        fs::rename(&partial, path).map_err(io)
    });
    if written.is_err() {
        // Best effort: the folder may be the very thing that fails.
        let _ = fs::remove_file(&partial);
    }
    written
}
