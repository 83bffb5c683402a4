//! `pose`: MediaPipe's BlazePose pipeline on drape's runtime: detection,
//! the region of interest, the landmark crop and decoding, tracking,
//! smoothing and segmentation. Its output is a `Body`.

pub mod filter;
