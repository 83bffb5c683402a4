//! The pose models drape knows: where they live, their sha256, and loading
//! them with the checksum checked.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{tflite, Model, NnError};

/// MediaPipe's BlazePose networks (see `assets/models/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoseModel {
    /// The person detector (224×224 input), in the repository.
    Detector,
    /// The lite landmark model (256×256 input), in the repository.
    LandmarkLite,
    /// The full landmark model, fetched by `scripts/fetch-models.sh`.
    LandmarkFull,
    /// The heavy landmark model, fetched by `scripts/fetch-models.sh`.
    LandmarkHeavy,
}

impl PoseModel {
    pub const ALL: [PoseModel; 4] = [
        PoseModel::Detector,
        PoseModel::LandmarkLite,
        PoseModel::LandmarkFull,
        PoseModel::LandmarkHeavy,
    ];

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

    /// `assets/models/<file>` under the crate's directory when that exists
    /// (tests, `cargo run`), otherwise under the working directory.
    pub fn path(self) -> PathBuf {
        let in_crate = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/models");
        let folder = if in_crate.is_dir() {
            in_crate
        } else {
            PathBuf::from("assets/models")
        };
        folder.join(self.file_name())
    }

    /// Whether the file is in the repository (the others are fetched).
    pub fn is_bundled(self) -> bool {
        matches!(self, PoseModel::Detector | PoseModel::LandmarkLite)
    }

    /// Reads the model from `path()`, checking its sha256.
    pub fn load(self) -> Result<Model, NnError> {
        let hint = if self.is_bundled() {
            " (it is part of the repository; restore assets/models/)"
        } else {
            " (run scripts/fetch-models.sh to fetch the full and heavy models)"
        };
        let path = self.path();
        let bytes = std::fs::read(&path).map_err(|source| NnError::Io {
            path: path.display().to_string(),
            hint: hint.to_owned(),
            source,
        })?;
        parse_checked(&bytes, &path, Some(self.sha256()))
    }
}

/// Reads a model file; with `expected_sha256` (lowercase hex), a file with
/// another checksum is refused before it is parsed.
pub fn load_model_file(path: &Path, expected_sha256: Option<&str>) -> Result<Model, NnError> {
    let bytes = std::fs::read(path).map_err(|source| NnError::Io {
        path: path.display().to_string(),
        hint: String::new(),
        source,
    })?;
    parse_checked(&bytes, path, expected_sha256)
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
