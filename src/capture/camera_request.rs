//! What `camera:N` asks of a webcam: the same on every platform, though
//! only a native build opens one (`camera`); in a browser the page reads
//! the camera and passes its frames in.

/// What to ask a camera for; it answers with the closest mode it has.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraRequest {
    /// Which camera, as `list_cameras` numbers them (default 0).
    pub index: u32,
    /// Frame width in pixels (default 1280).
    pub width: u32,
    /// Frame height in pixels (default 720).
    pub height: u32,
    /// Frame rate in frames per second (default 30).
    pub fps: u32,
}

impl Default for CameraRequest {
    fn default() -> Self {
        CameraRequest {
            index: 0,
            width: 1280,
            height: 720,
            fps: 30,
        }
    }
}
