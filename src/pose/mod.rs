//! `pose`: MediaPipe's BlazePose pipeline on drape's runtime: detection,
//! the region of interest, the landmark crop and decoding, tracking,
//! smoothing and segmentation. Its output is a `Body`.

pub mod body;
pub mod crop;
pub mod detector;
pub mod draw;
pub mod error;
pub mod filter;
pub mod landmarks;
pub mod mask;
pub mod mask_gpu;
pub mod roi;
pub mod tracker;
pub mod tracking;
pub mod types;

pub use body::{Body, BodyLandmark, Landmark};
pub use detector::{detect, PoseDetector};
pub use error::PoseError;
pub use roi::roi_from_detection;
pub use tracker::{PoseConfig, PoseTracker, StageTimes};
pub use types::{Detection, NormalizedRect, RelativeBox, RgbaImage};
