//! How much work the try-on spends on a frame. A real GPU draws at full
//! quality; a software adapter (the CPU rasterising: a kiosk PC without a
//! GPU) gets the economy settings, which keep the look (measured by
//! tests/tryon_coverage.rs) at a fraction of the cost:
//! - garments shaded at half the frame's resolution and blended over the
//!   full-resolution frame by a bilinear composite (shading the garments'
//!   fragments was most of the render time on lavapipe; the composite
//!   also draws the frame itself, so the main pass has no background);
//! - the room's light estimated every few frames (it changes slowly and
//!   is smoothed anyway).

use std::fmt;
use std::str::FromStr;

use crate::gpu::GpuContext;

/// The settings a frame is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quality {
    /// Everything at the frame's resolution, every frame.
    #[default]
    Full,
    /// Garments at half resolution, the light every few frames.
    Economy,
}

impl Quality {
    /// Frame pixels per garment-shading pixel along each side.
    pub fn garment_scale(self) -> u32 {
        match self {
            Quality::Full => 1,
            Quality::Economy => 2,
        }
    }

    /// The room's light is estimated on one frame in this many.
    pub fn frames_per_light_estimate(self) -> u32 {
        match self {
            Quality::Full => 1,
            Quality::Economy => 4,
        }
    }

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Quality::Full => "full",
            Quality::Economy => "economy",
        }
    }
}

impl fmt::Display for Quality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The try-on's choice of [`Quality`]: fixed, or from the adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QualityMode {
    /// Economy on a software adapter for video; full on a real GPU, and
    /// for a still photo (no frame budget to keep).
    #[default]
    Auto,
    /// Full quality whatever the adapter.
    Full,
    /// Economy whatever the adapter.
    Economy,
}

impl QualityMode {
    /// The quality for `gpu`; `still`: a single photo is drawn.
    pub fn resolve(self, gpu: &GpuContext, still: bool) -> Quality {
        self.resolve_for(gpu.is_software(), still)
    }

    /// The quality on a software adapter or not (`resolve` without a GPU).
    pub fn resolve_for(self, software: bool, still: bool) -> Quality {
        match self {
            QualityMode::Full => Quality::Full,
            QualityMode::Economy => Quality::Economy,
            QualityMode::Auto if software && !still => Quality::Economy,
            QualityMode::Auto => Quality::Full,
        }
    }
}

/// A quality name that is none of `auto`, `full`, `economy`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown quality {0:?}: auto, full or economy")]
pub struct UnknownQuality(pub String);

impl FromStr for QualityMode {
    type Err = UnknownQuality;

    fn from_str(s: &str) -> Result<QualityMode, UnknownQuality> {
        match s {
            "auto" => Ok(QualityMode::Auto),
            "full" => Ok(QualityMode::Full),
            "economy" => Ok(QualityMode::Economy),
            _ => Err(UnknownQuality(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_economises_only_video_on_a_software_adapter() {
        let auto = QualityMode::Auto;
        assert_eq!(auto.resolve_for(true, false), Quality::Economy);
        assert_eq!(auto.resolve_for(true, true), Quality::Full);
        assert_eq!(auto.resolve_for(false, false), Quality::Full);
        assert_eq!(
            QualityMode::Economy.resolve_for(false, true),
            Quality::Economy
        );
        assert_eq!(QualityMode::Full.resolve_for(true, false), Quality::Full);
    }

    #[test]
    fn names_parse() {
        for (name, mode) in [
            ("auto", QualityMode::Auto),
            ("full", QualityMode::Full),
            ("economy", QualityMode::Economy),
        ] {
            assert_eq!(name.parse::<QualityMode>(), Ok(mode));
        }
        assert!("fast".parse::<QualityMode>().is_err());
    }
}
