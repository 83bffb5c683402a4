//! `pose`: MediaPipe's BlazePose pipeline on drape's runtime: detection,
//! the region of interest, the landmark crop and decoding, tracking,
//! smoothing and segmentation. Its output is a `Body`.

internal_mod!(crop, detector, landmarks, mask, mask_gpu, roi, tracking);
pub mod body;
pub mod draw;
pub mod error;
pub mod filter;
pub mod tracker;
pub mod types;

pub use body::{Body, BodyLandmark, Landmark};
internal_use!(detector::{detect, PoseDetector});
pub use error::PoseError;
pub use mask::PersonMask;
internal_use!(roi::roi_from_detection);
pub use filter::Smoothing;
pub use tracker::{PersonChoice, PoseConfig, PoseTracker, StageTimes};
pub use types::{Detection, NormalizedRect, RelativeBox, RgbaImage};
