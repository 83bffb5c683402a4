//! The mirror kiosk's building blocks: who is in front of the screen
//! (`presence`), touchless gestures from body landmarks (`gesture`), the
//! kiosk's configuration (`config`), size suggestions (`size`), the event
//! log a retailer's analytics read (`events`) and the photo share server
//! (`share`). `drape kiosk` is made of these parts; an integrator can
//! build their own kiosk from the same ones.

pub mod config;
pub mod size;
