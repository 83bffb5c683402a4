//! The pose models drape knows: where they are looked for, their sha256,
//! and loading them with the checksum checked.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};

use super::{tflite, Model, NnError};

/// The environment variable naming a folder of model files, searched
/// before the built-in places (see [`model_dirs`]).
pub const MODELS_ENV: &str = "DRAPE_MODELS";

/// The folder given with `--models-dir` (see [`set_models_dir`]).
static MODELS_DIR: RwLock<Option<PathBuf>> = RwLock::new(None);

/// Searches `dir` first for every model from now on (`--models-dir`);
/// `None` forgets it.
pub fn set_models_dir(dir: Option<PathBuf>) {
    // A poisoned lock only means another thread panicked mid-write of an
    // `Option<PathBuf>`: the value is still whole.
    *MODELS_DIR.write().unwrap_or_else(|e| e.into_inner()) = dir;
}

/// A folder where model files are looked for, and why it is searched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelDir {
    /// The folder (a relative path is from the working folder).
    pub path: PathBuf,
    /// Where the folder comes from, for people (`DRAPE_MODELS`, `next to
    /// the binary`).
    pub origin: &'static str,
}

/// The folders searched for model files, in order: `--models-dir`
/// ([`set_models_dir`]), `$DRAPE_MODELS`, next to the running binary
/// (`<exe dir>/models`, then `<exe dir>/../share/drape/models` for an
/// installed one), the source tree drape was built from
/// (`assets/models`), and `assets/models` under the working folder. A
/// folder reached twice is listed once.
pub fn model_dirs() -> Vec<ModelDir> {
    let mut dirs = Vec::new();
    let given = MODELS_DIR.read().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(dir) = given {
        dirs.push(ModelDir {
            path: dir,
            origin: "--models-dir",
        });
    }
    if let Some(dir) = std::env::var_os(MODELS_ENV).filter(|d| !d.is_empty()) {
        dirs.push(ModelDir {
            path: dir.into(),
            origin: MODELS_ENV,
        });
    }
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
    {
        dirs.push(ModelDir {
            path: exe_dir.join("models"),
            origin: "next to the binary",
        });
        dirs.push(ModelDir {
            path: exe_dir.join("../share/drape/models"),
            origin: "the binary's share folder",
        });
    }
    dirs.push(ModelDir {
        path: Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/models"),
        origin: "the source tree drape was built from",
    });
    dirs.push(ModelDir {
        path: PathBuf::from("assets/models"),
        origin: "the working folder",
    });
    // `cargo run` from the source tree reaches it twice; say it once.
    let mut seen = Vec::new();
    dirs.retain(|dir| {
        let key = std::fs::canonicalize(&dir.path).unwrap_or_else(|_| dir.path.clone());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    dirs
}

/// MediaPipe's BlazePose networks (see `assets/models/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoseModel {
    /// The person detector (224×224 input), in the repository.
    Detector,
    /// The lite landmark model (256×256 input), in the repository.
    LandmarkLite,
    /// The full landmark model (256×256 input), in the repository.
    LandmarkFull,
    /// The heavy landmark model, fetched by `scripts/fetch-models.sh`
    /// (27 MB, kept out of git).
    LandmarkHeavy,
}

impl PoseModel {
    /// Every model, the detector first.
    pub const ALL: [PoseModel; 4] = [
        PoseModel::Detector,
        PoseModel::LandmarkLite,
        PoseModel::LandmarkFull,
        PoseModel::LandmarkHeavy,
    ];

    /// The model's file name in a models folder (`pose_detection.tflite`).
    pub fn file_name(self) -> &'static str {
        match self {
            PoseModel::Detector => "pose_detection.tflite",
            PoseModel::LandmarkLite => "pose_landmark_lite.tflite",
            PoseModel::LandmarkFull => "pose_landmark_full.tflite",
            PoseModel::LandmarkHeavy => "pose_landmark_heavy.tflite",
        }
    }

    /// The sha256 of the file, lowercase hex.
    pub fn sha256(self) -> &'static str {
        match self {
            PoseModel::Detector => {
                "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c"
            }
            PoseModel::LandmarkLite => {
                "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61"
            }
            PoseModel::LandmarkFull => {
                "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f"
            }
            PoseModel::LandmarkHeavy => {
                "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe"
            }
        }
    }

    /// Where the file is: the first of [`model_dirs`] that holds it.
    pub fn find(self) -> Option<PathBuf> {
        model_dirs()
            .into_iter()
            .map(|dir| dir.path.join(self.file_name()))
            .find(|path| path.is_file())
    }

    /// Where the file is ([`PoseModel::find`]), or where the source tree
    /// keeps it when it is nowhere.
    pub fn path(self) -> PathBuf {
        self.find().unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("assets/models")
                .join(self.file_name())
        })
    }

    /// Whether the file is in the repository (`heavy` is fetched).
    pub fn is_bundled(self) -> bool {
        !matches!(self, PoseModel::LandmarkHeavy)
    }

    internal! {
        /// Reads the model from the first of [`model_dirs`] that has it,
        /// checking its sha256. When none has it, the error names every
        /// folder searched and how to fetch the file.
        pub fn load(self) -> Result<Model, NnError> {
            let path = self.find().ok_or_else(|| self.missing())?;
            let bytes = std::fs::read(&path).map_err(|source| NnError::Io {
                path: path.display().to_string(),
                source,
            })?;
            parse_checked(&bytes, &path, Some(self.sha256()))
        }
    }

    /// The error for a model in none of [`model_dirs`]: every folder
    /// searched and how to fetch the file.
    fn missing(self) -> NnError {
        let searched = model_dirs()
            .iter()
            .map(|dir| format!("{} ({})", dir.path.display(), dir.origin))
            .collect::<Vec<_>>()
            .join(", ");
        let fetch = match self {
            PoseModel::Detector => "scripts/fetch-models.sh --detector",
            _ => "scripts/fetch-models.sh",
        };
        let hint = format!(
            "fetch it with `{fetch} --dir FOLDER` (from drape's source tree; it checks the \
             sha256) and give `--models-dir FOLDER` or {MODELS_ENV}=FOLDER, or put it in \
             one of those folders"
        );
        NnError::ModelMissing {
            file: self.file_name().to_owned(),
            searched,
            hint,
        }
    }

    internal! {
        /// Parses `bytes` given as this model's file (fetched by a web page,
        /// embedded in an app), after checking they are that file: bytes
        /// with another sha256 are refused naming the model, and naming the
        /// model they are when they are another of [`PoseModel::ALL`].
        pub fn load_bytes(self, bytes: &[u8]) -> Result<Model, NnError> {
            let actual = sha256_hex(bytes);
            if actual != self.sha256() {
                let hint = match PoseModel::ALL.into_iter().find(|m| m.sha256() == actual) {
                    Some(other) => format!(
                        "they are {}: give {} there, or choose the model they are",
                        other.file_name(),
                        self.file_name()
                    ),
                    None => format!(
                        "give the file's bytes unchanged ({} bytes were given; an empty or \
                         HTML answer means the fetch failed); scripts/fetch-models.sh fetches \
                         it and checks the sha256",
                        bytes.len()
                    ),
                };
                return Err(NnError::WrongModelBytes {
                    file: self.file_name().to_owned(),
                    expected: self.sha256().to_owned(),
                    actual,
                    hint,
                });
            }
            tflite::parse_model(bytes, self.file_name())
        }
    }
}

/// The pose networks given as bytes instead of read from the model folders
/// ([`model_dirs`]): what a browser, with no file system, fetches and hands
/// over, or an app embeds. Each is checked against the sha256 of the model
/// it stands for when a tracker is made from it
/// (`PoseTracker::with_models`). Cheap to clone: the bytes are shared.
#[derive(Clone, PartialEq, Eq)]
pub struct PoseModelBytes {
    /// The file `pose_detection.tflite` ([`PoseModel::Detector`]).
    pub detector: Arc<[u8]>,
    /// The landmark model's file: the one `PoseConfig::model` names
    /// (`pose_landmark_lite.tflite` for the default
    /// [`PoseModel::LandmarkLite`]).
    pub landmarks: Arc<[u8]>,
}

impl PoseModelBytes {
    /// The detector's and the landmark model's file contents.
    pub fn new(detector: impl Into<Arc<[u8]>>, landmarks: impl Into<Arc<[u8]>>) -> Self {
        PoseModelBytes {
            detector: detector.into(),
            landmarks: landmarks.into(),
        }
    }

    /// Reads the detector's and `landmarks`' files from the model folders,
    /// where [`PoseModel::find`] finds them (to embed them, or in tests). The
    /// bytes are not checked here but when a tracker is made from them.
    pub fn read(landmarks: PoseModel) -> Result<Self, NnError> {
        let read = |model: PoseModel| -> Result<Arc<[u8]>, NnError> {
            let path = model.find().ok_or_else(|| model.missing())?;
            let bytes = std::fs::read(&path).map_err(|source| NnError::Io {
                path: path.display().to_string(),
                source,
            })?;
            Ok(bytes.into())
        };
        Ok(PoseModelBytes {
            detector: read(PoseModel::Detector)?,
            landmarks: read(landmarks)?,
        })
    }
}

impl fmt::Debug for PoseModelBytes {
    /// The sizes, not megabytes of bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoseModelBytes")
            .field("detector", &format_args!("{} bytes", self.detector.len()))
            .field("landmarks", &format_args!("{} bytes", self.landmarks.len()))
            .finish()
    }
}

internal! {
    /// Reads a model file; with `expected_sha256` (lowercase hex), a file with
    /// another checksum is refused before it is parsed.
    pub fn load_model_file(path: &Path, expected_sha256: Option<&str>) -> Result<Model, NnError> {
        let bytes = std::fs::read(path).map_err(|source| NnError::Io {
            path: path.display().to_string(),
            source,
        })?;
        parse_checked(&bytes, path, expected_sha256)
    }
}

fn parse_checked(
    bytes: &[u8],
    path: &Path,
    expected_sha256: Option<&str>,
) -> Result<Model, NnError> {
    if let Some(expected) = expected_sha256 {
        let actual = sha256_hex(bytes);
        if !actual.eq_ignore_ascii_case(expected) {
            return Err(NnError::Checksum {
                path: path.display().to_string(),
                expected: expected.to_owned(),
                actual,
            });
        }
    }
    let what = path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    tflite::parse_model(bytes, &what)
}

/// The sha256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
