//! What is on air ([`LiveState`]) and a change to it ([`LiveChange`]), as
//! the API and the render loop see them.

use serde::{Deserialize, Deserializer, Serialize};

/// Where the cue list is: `{"running": bool, "index": n|null, "count": n}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct CueStatus {
    /// Whether the cue list is playing.
    pub running: bool,
    /// The cue applied last (0-based); `None` before the first.
    pub index: Option<usize>,
    /// How many cues the list has.
    pub count: usize,
}

/// What is on air, as `GET /api/live` and `/events` give it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LiveState {
    /// The garment worn (a catalog id of a mesh or photo garment); `None`:
    /// none.
    pub garment: Option<String>,
    /// Whether the product card is shown.
    pub card: bool,
    /// The accessories worn (catalog ids of accessories), in order.
    pub accessories: Vec<String>,
    /// The cue list's progress.
    pub cue: CueStatus,
    /// Counts changes: one more after each change (0 at start).
    pub version: u64,
}

/// A change to what is on air, as `PUT /api/live` takes it: a field left
/// out stays as it is.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LiveChange {
    /// `Some(Some(id))`: wear that garment; `Some(None)` (JSON `null`):
    /// none; `None` (left out): unchanged.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub garment: Option<Option<String>>,
    /// Show or hide the product card; `None`: unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<bool>,
    /// The accessories to wear, replacing the ones worn; `None`: unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessories: Option<Vec<String>>,
}

/// A field that is present, even as `null`, is `Some`.
pub(super) fn present<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// A change names something the catalog does not offer as that.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChangeError {
    /// No garment has this id.
    #[error("unknown garment `{id}`; the catalog's garments are: {known}")]
    UnknownGarment {
        /// The id asked for.
        id: String,
        /// The ids of the catalog's garments, comma-separated.
        known: String,
    },
    /// An accessory was given as the garment.
    #[error("`{id}` is an accessory, not a garment: list it in \"accessories\"; the catalog's garments are: {known}")]
    AccessoryAsGarment {
        /// The id asked for.
        id: String,
        /// The ids of the catalog's garments, comma-separated.
        known: String,
    },
    /// An accessory id that is no accessory of the catalog.
    #[error("unknown accessory `{id}`; the catalog's accessories are: {known}")]
    UnknownAccessory {
        /// The id asked for.
        id: String,
        /// The ids of the catalog's accessories, comma-separated.
        known: String,
    },
    /// The same accessory twice.
    #[error("accessory `{id}` is listed twice; list each accessory once")]
    DuplicateAccessory {
        /// The id listed twice.
        id: String,
    },
}

/// Applies a checked change.
pub(super) fn apply(live: &mut LiveState, change: &LiveChange) {
    if let Some(garment) = &change.garment {
        live.garment.clone_from(garment);
    }
    if let Some(card) = change.card {
        live.card = card;
    }
    if let Some(accessories) = &change.accessories {
        live.accessories.clone_from(accessories);
    }
}

/// A live state with the number an `/events` stream orders it by: the
/// studio's `version`; a replica's own count of the states it received
/// (a restarted studio counts from 0 again, and a replica must not take
/// its new states for old ones).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Stamped {
    pub(crate) seq: u64,
    pub(crate) live: LiveState,
}

/// Where an `/events` stream and `GET /api/live` read the live state: the
/// studio itself, or a viewer-only replica fed from Redis.
pub(crate) trait LiveHub: Send + Sync + 'static {
    /// Every state from now on (bounded: a receiver that falls behind is
    /// told it lagged).
    fn subscribe_states(&self) -> tokio::sync::broadcast::Receiver<Stamped>;
    /// The state now; `None` while a replica has none yet.
    fn latest(&self) -> Option<Stamped>;
    /// The counters `/metrics` shows.
    fn metrics(&self) -> &super::Metrics;
}
