//! The mirror kiosk's building blocks: who is in front of the screen
//! (`presence`), touchless gestures from body landmarks (`gesture`), the
//! kiosk's configuration (`config`), size suggestions (`size`), the event
//! log a retailer's analytics read (`events`) and the photo share server
//! (`share`). `drape kiosk` is made of these parts; an integrator can
//! build their own kiosk from the same ones.

mod canvas;
pub mod layout;
pub mod screen;
pub mod ui;

pub use canvas::{Align, UiCanvas};
pub use layout::{CanvasRect, KioskLayout, PictureFit, Rotation};
pub use screen::{Ring, ScreenParams, ScreenRenderer};
pub use ui::{draw_ui, Brand, ItemView, LabelledCode, Thumbnails, UiScene};

pub mod gesture;
pub mod presence;

pub use gesture::{
    HoverConfig, HoverDetector, HoverEvent, HoverTarget, RaiseHandsConfig, RaiseHandsDetector,
    RaisedHands, Rect, Swipe, SwipeConfig, SwipeDetector,
};
pub use presence::{PersonTracker, PresenceConfig, PresenceEvent};

#[cfg(test)]
mod test_bodies;

pub mod events;
pub mod share;
