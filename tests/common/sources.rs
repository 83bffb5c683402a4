//! Sources for tests of long runs.

use std::path::Path;
use std::time::Duration;

use drape::capture::{
    open_source, CaptureError, Frame, FrameSource, InputOptions, SourceInfo, SourceSpec,
};

/// A photo as a live camera: the same frame again and again, as fast as
/// it is taken (with `pause` between frames), timestamps 33 ms apart: a
/// person standing still in front of a camera.
pub struct StillCamera {
    frame: Frame,
    info: SourceInfo,
    index: u64,
    pause: Duration,
}

impl StillCamera {
    /// The photo at `path` (any image drape reads).
    pub fn open(path: &Path, pause: Duration) -> StillCamera {
        let options = InputOptions::default();
        let spec = SourceSpec::parse(path.to_str().unwrap(), &options).unwrap();
        let mut source = open_source(&spec, &options).unwrap();
        let mut info = source.info().clone();
        info.live = true;
        info.frame_count = None;
        let frame = source.next_frame().unwrap().unwrap();
        StillCamera {
            frame,
            info,
            index: 0,
            pause,
        }
    }
}

impl FrameSource for StillCamera {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        self.index += 1;
        std::thread::sleep(self.pause);
        let at = Duration::from_millis(33) * self.index as u32;
        Ok(Some(self.frame.clone().with_timestamp(at, self.index)))
    }
}

/// Copies the folder `from` into `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// The `event` field of each line of a kiosk's JSON-lines event log.
pub fn event_kinds(path: &Path) -> Vec<String> {
    let log = std::fs::read_to_string(path).unwrap();
    log.lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["event"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}
