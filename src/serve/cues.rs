//! The cue list: timed looks the studio puts on air by itself once
//! started, each applied as a `PUT /api/live` would.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::live::{apply, ChangeError, LiveChange, LiveState};
use super::studio::Studio;

/// The most cues a list may hold.
pub const MAX_CUES: usize = 500;
/// The latest a cue may be, seconds after the start (a day).
pub const MAX_CUE_AT_S: f64 = 86_400.0;

/// One timed look: `{"at": 12.5, "garment": "tee-indigo", "card": true}`.
/// Like `PUT /api/live`, a field left out stays as it is.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Cue {
    /// When it goes on air, seconds after the list is started.
    #[serde(rename = "at")]
    pub at_s: f64,
    /// As in [`LiveChange::garment`].
    #[serde(
        default,
        deserialize_with = "super::live::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub garment: Option<Option<String>>,
    /// As in [`LiveChange::card`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<bool>,
    /// As in [`LiveChange::accessories`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accessories: Option<Vec<String>>,
}

impl Cue {
    /// The change it makes.
    pub fn change(&self) -> LiveChange {
        LiveChange {
            garment: self.garment.clone(),
            card: self.card,
            accessories: self.accessories.clone(),
        }
    }
}

/// A cue list that cannot be played.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CueError {
    /// More than [`MAX_CUES`] cues.
    #[error("{count} cues; a list holds at most {MAX_CUES}, split the show into several lists")]
    TooMany {
        /// How many were sent.
        count: usize,
    },
    /// A time that is negative, not a number or later than a day.
    #[error("cue {index}: \"at\" is {at_s}; give seconds from the start, 0 to {MAX_CUE_AT_S}")]
    BadTime {
        /// 0-based.
        index: usize,
        /// The time given, seconds.
        at_s: f64,
    },
    /// A cue earlier than the one before it.
    #[error("cue {index}: \"at\" is {at_s} s, before the cue before it ({previous_s} s); sort the cues by time")]
    NotSorted {
        /// 0-based.
        index: usize,
        /// Its time, seconds.
        at_s: f64,
        /// The time of the cue before it, seconds.
        previous_s: f64,
    },
    /// A cue names something the catalog does not offer.
    #[error("cue {index}: {source}")]
    Change {
        /// 0-based.
        index: usize,
        /// What is wrong.
        source: ChangeError,
    },
    /// Started with no cue uploaded.
    #[error("there is no cue list to start; upload one first with PUT /api/cues")]
    NoCues,
}

impl Studio {
    /// Checks `cues` and makes them the cue list, stopping a list that is
    /// playing.
    pub(crate) fn put_cues(&self, cues: Vec<Cue>) -> Result<LiveState, CueError> {
        if cues.len() > MAX_CUES {
            return Err(CueError::TooMany { count: cues.len() });
        }
        let mut previous_s = 0.0;
        for (index, cue) in cues.iter().enumerate() {
            let at_s = cue.at_s;
            if !(0.0..=MAX_CUE_AT_S).contains(&at_s) {
                return Err(CueError::BadTime { index, at_s });
            }
            if at_s < previous_s {
                return Err(CueError::NotSorted {
                    index,
                    at_s,
                    previous_s,
                });
            }
            previous_s = at_s;
            self.check(&cue.change())
                .map_err(|source| CueError::Change { index, source })?;
        }
        Ok(self.update(|inner| {
            stop_task(inner);
            inner.live.cue.running = false;
            inner.live.cue.index = None;
            inner.live.cue.count = cues.len();
            inner.cues = cues;
        }))
    }

    /// The cue list as uploaded.
    pub(crate) fn cues(&self) -> Vec<Cue> {
        self.lock().cues.clone()
    }

    /// Plays the cue list from its start (again, if it is playing) on the
    /// current tokio runtime.
    pub(crate) fn start_cues(self: &Arc<Self>) -> Result<LiveState, CueError> {
        let started = self.update_if(|inner| {
            if inner.cues.is_empty() {
                return false;
            }
            stop_task(inner);
            inner.live.cue.running = true;
            inner.live.cue.index = None;
            let task = tokio::spawn(play(
                Arc::clone(self),
                inner.cue_generation,
                inner.cues.clone(),
                tokio::time::Instant::now(),
            ));
            inner.cue_task = Some(task.abort_handle());
            true
        });
        started.ok_or(CueError::NoCues)
    }

    /// Stops the cue list where it is; nothing changes (and the version
    /// stays) when it is not playing.
    pub(crate) fn stop_cues(&self) -> LiveState {
        let stopped = self.update_if(|inner| {
            if !inner.live.cue.running {
                return false;
            }
            stop_task(inner);
            inner.live.cue.running = false;
            true
        });
        stopped.unwrap_or_else(|| self.live())
    }

    /// Applies cue `index` unless the list was stopped, restarted or
    /// replaced since generation `generation` started; `false` then.
    fn apply_cue(&self, generation: u64, index: usize, cue: &Cue) -> bool {
        let applied = self.update_if(|inner| {
            if inner.cue_generation != generation || !inner.live.cue.running {
                return false;
            }
            apply(&mut inner.live, &cue.change());
            inner.live.cue.index = Some(index);
            inner.live.cue.running = index + 1 < inner.cues.len();
            if !inner.live.cue.running {
                inner.cue_task = None;
            }
            true
        });
        applied.is_some()
    }
}

/// Ends the playing cue task, if any: its generation is over.
fn stop_task(inner: &mut super::studio::Inner) {
    inner.cue_generation += 1;
    if let Some(task) = inner.cue_task.take() {
        task.abort();
    }
}

/// Applies each cue at its time after `started`.
async fn play(studio: Arc<Studio>, generation: u64, cues: Vec<Cue>, started: tokio::time::Instant) {
    for (index, cue) in cues.iter().enumerate() {
        // Checked at upload: finite, 0 to a day.
        tokio::time::sleep_until(started + Duration::from_secs_f64(cue.at_s)).await;
        if !studio.apply_cue(generation, index, cue) {
            return;
        }
    }
}
