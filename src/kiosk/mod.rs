//! The mirror kiosk's building blocks: who is in front of the screen
//! (`presence`), touchless gestures from body landmarks (`gesture`), size
//! suggestions (`size`), the kiosk's configuration (`config`), the event
//! log a retailer's analytics read (`events`), the photo share server
//! (`share`), and the screen: its layout (`layout`), the UI drawn on the
//! CPU (`ui`) and the pass that puts picture and UI on the screen
//! (`screen`). `drape kiosk` (`app::kiosk`) is made of these parts; an
//! integrator can build their own kiosk from the same ones
//! (examples/05_my_kiosk.rs).

mod canvas;
pub mod config;
pub mod events;
pub mod gesture;
pub mod layout;
pub mod presence;
pub mod screen;
pub mod share;
pub mod size;
pub mod ui;

#[cfg(test)]
pub(crate) mod test_bodies;

pub use canvas::{Align, UiCanvas};
pub use config::{KioskConfig, KioskConfigError};
pub use events::{EventLog, KioskEvent};
pub use gesture::{
    HoverConfig, HoverDetector, HoverEvent, HoverTarget, RaiseHandsConfig, RaiseHandsDetector,
    RaisedHands, Rect, Swipe, SwipeConfig, SwipeDetector,
};
pub use layout::{CanvasRect, KioskLayout, PictureFit, Rotation};
pub use presence::{PersonTracker, PresenceConfig, PresenceEvent};
pub use screen::{Ring, ScreenParams, ScreenRenderer};
pub use share::{ShareConfig, ShareServer};
pub use ui::{draw_ui, Brand, ItemView, LabelledCode, Thumbnails, UiScene};

/// What can stop a kiosk from starting. Once it runs, nothing here stops
/// it: a failed event write or share is logged and the kiosk goes on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KioskError {
    /// kiosk.toml (or a flag) is invalid.
    #[error(transparent)]
    Config(#[from] KioskConfigError),
    /// The event log or database cannot be opened.
    #[error(transparent)]
    Events(#[from] events::EventLogError),
    /// The photo share server cannot start.
    #[error(transparent)]
    Share(#[from] share::ShareError),
    /// The brand's logo cannot be read.
    #[error("cannot read the logo {}: {source}; give a PNG or JPEG file ([brand] logo, --logo)", path.display())]
    Logo {
        /// The logo's file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: image::ImageError,
    },
}
