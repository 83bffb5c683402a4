//! `Looping`: a finite source played again and again (a kiosk's demo
//! clip, an attract-mode video). At the end it is opened again; frame
//! timestamps and indices keep growing across laps, so tracking and cloth
//! see one continuous video with a cut at each lap.

use std::time::Duration;

use super::{CaptureError, Frame, FrameSource, SourceInfo};

/// Opens the source again for the next lap.
pub type Reopen = Box<dyn FnMut() -> Result<Box<dyn FrameSource>, CaptureError> + Send>;

/// A finite source looped (see the module's documentation).
pub struct Looping {
    reopen: Reopen,
    source: Box<dyn FrameSource>,
    info: SourceInfo,
    /// Added to the lap's own timestamps.
    offset: Duration,
    /// One frame interval past the lap's last frame: where the next lap
    /// starts.
    lap_end: Duration,
    frames: u64,
    /// Frames in the lap so far: a lap with none would loop forever.
    lap_frames: u64,
}

impl Looping {
    /// Loops `source`, opening a new one with `reopen` at each end.
    pub fn new(source: Box<dyn FrameSource>, reopen: Reopen) -> Looping {
        let mut info = source.info().clone();
        info.frame_count = None;
        info.description = format!("{} (looped)", info.description);
        Looping {
            reopen,
            source,
            info,
            offset: Duration::ZERO,
            lap_end: Duration::ZERO,
            frames: 0,
            lap_frames: 0,
        }
    }

    fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.info.fps.filter(|f| *f > 0.0).unwrap_or(30.0))
    }
}

impl FrameSource for Looping {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let frame = match self.source.next_frame()? {
            Some(frame) => frame,
            None if self.lap_frames == 0 => return Ok(None),
            None => {
                self.source = (self.reopen)()?;
                self.offset = self.lap_end;
                self.lap_frames = 0;
                match self.source.next_frame()? {
                    Some(frame) => frame,
                    None => return Ok(None),
                }
            }
        };
        let timestamp = self.offset + frame.timestamp;
        self.lap_end = self.lap_end.max(timestamp + self.interval());
        self.lap_frames += 1;
        self.frames += 1;
        Ok(Some(frame.with_timestamp(timestamp, self.frames - 1)))
    }

    fn stills(&self) -> bool {
        self.source.stills()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::SyntheticSource;

    fn clip(frames: u64) -> Box<dyn FrameSource> {
        Box::new(SyntheticSource::new(8, 8, 10.0, Some(frames)))
    }

    #[test]
    fn laps_follow_each_other_with_growing_timestamps() {
        let mut looping = Looping::new(clip(3), Box::new(|| Ok(clip(3))));
        let stamps: Vec<(u64, Duration)> = (0..7)
            .map(|_| looping.next_frame().unwrap().unwrap())
            .map(|f| (f.index, f.timestamp))
            .collect();
        let expected: Vec<(u64, Duration)> = (0..7)
            .map(|i| (i, Duration::from_millis(100 * i)))
            .collect();
        assert_eq!(stamps, expected);
        assert_eq!(looping.info().frame_count, None);
    }

    #[test]
    fn an_empty_clip_ends_instead_of_looping_forever() {
        let mut looping = Looping::new(clip(0), Box::new(|| Ok(clip(0))));
        assert!(looping.next_frame().unwrap().is_none());
    }
}
