//! Picking a target by holding a hand over it.

use std::time::Duration;

use super::{fraction_of, hand_point, Hand, DEFAULT_MIN_VISIBILITY};
use crate::pose::Body;

/// An axis-aligned rectangle in normalised image coordinates (x across
/// from the left, y down from the top); `x0 ≤ x1`, `y0 ≤ y1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x0: f32,
    /// Top edge.
    pub y0: f32,
    /// Right edge.
    pub x1: f32,
    /// Bottom edge.
    pub y1: f32,
}

impl Rect {
    /// Whether `point` (`[x, y]`) lies inside or on the edge.
    pub fn contains(&self, point: [f32; 2]) -> bool {
        (self.x0..=self.x1).contains(&point[0]) && (self.y0..=self.y1).contains(&point[1])
    }

    /// The rectangle moved out by `margin_x` on the left and right and
    /// `margin_y` on the top and bottom (in by negative margins; shrunk
    /// past nothing it contains no point).
    pub fn grown(&self, margin_x: f32, margin_y: f32) -> Rect {
        Rect {
            x0: self.x0 - margin_x,
            y0: self.y0 - margin_y,
            x1: self.x1 + margin_x,
            y1: self.y1 + margin_y,
        }
    }
}

/// Something a hand can pick: a carousel item or the camera icon, mapped
/// by the caller into image coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoverTarget {
    /// The caller's name for it, reported in events.
    pub id: usize,
    /// Where it is on the picture, normalised.
    pub rect: Rect,
}

/// How long and how steadily a hand must hover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoverConfig {
    /// The frame's width / height (margins are in frame heights); default
    /// 16 / 9.
    pub aspect: f32,
    /// How long a hand must stay over a target to pick it; default 1 s.
    pub dwell: Duration,
    /// Hysteresis in frame heights: a hover starts inside the target shrunk
    /// by this and lasts while the hand is inside it grown by this; default
    /// 0.02.
    pub margin: f32,
    /// A hand lost or outside the target for less than this keeps its
    /// progress; default 200 ms.
    pub grace: Duration,
    /// The smallest landmark visibility of a hand that counts; default 0.5.
    pub min_visibility: f32,
}

impl Default for HoverConfig {
    fn default() -> Self {
        HoverConfig {
            aspect: 16.0 / 9.0,
            dwell: Duration::from_secs(1),
            margin: 0.02,
            grace: Duration::from_millis(200),
            min_visibility: DEFAULT_MIN_VISIBILITY,
        }
    }
}

/// What a hover did on one update.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HoverEvent {
    /// A hand is over target `id`; `fraction` (0..=1) of the dwell has
    /// passed, for the filling ring. Reported on every update of a hover.
    Progress {
        /// The target's id.
        id: usize,
        /// Time hovered over the dwell, 0..=1.
        fraction: f32,
    },
    /// The hand stayed for the dwell: target `id` is picked.
    Picked {
        /// The target's id.
        id: usize,
    },
    /// The hand left before the dwell (for longer than the grace).
    Cancelled,
}

/// One hand over one target.
#[derive(Debug, Clone, Copy)]
struct Hover {
    id: usize,
    hand: Hand,
    started: Duration,
    last_inside: Duration,
    fraction: f32,
}

/// A picked target that cannot be picked again until no hand has been over
/// it for the grace.
#[derive(Debug, Clone, Copy)]
struct Picked {
    id: usize,
    last_touched: Duration,
}

/// Picks a target a hand hovers over for the dwell. A hand's point is its
/// index fingertip, or its wrist when the fingertip is not visible enough
/// (see [`hand_point`]). One hover at a time: the hand that started first
/// keeps it; when both start together, the right hand. Time spent in the
/// grace counts towards the dwell, but a pick needs the hand over the
/// target on that update.
#[derive(Debug, Clone)]
pub struct HoverDetector {
    config: HoverConfig,
    targets: Vec<HoverTarget>,
    hover: Option<Hover>,
    /// Picked targets not re-armed yet (each hand may hold one).
    picked: Vec<Picked>,
}

impl HoverDetector {
    /// A detector with no targets.
    pub fn new(config: HoverConfig) -> Self {
        HoverDetector {
            config,
            targets: Vec::new(),
            hover: None,
            picked: Vec::new(),
        }
    }

    /// Replaces the targets (the caller maps carousel items and the camera
    /// icon into image coordinates). A hover whose target id is gone is
    /// cancelled on the next update; one whose target moved goes on.
    pub fn set_targets(&mut self, targets: Vec<HoverTarget>) {
        self.targets = targets;
    }

    /// The target being hovered and its progress (0..=1) at the last
    /// update.
    pub fn hovered(&self) -> Option<(usize, f32)> {
        self.hover.map(|hover| (hover.id, hover.fraction))
    }

    /// Takes the frame at `at` (`body` is `None` when nobody was found):
    /// `Progress` while a hand hovers, `Picked` when it has hovered for the
    /// dwell, `Cancelled` when it left early, else `None`.
    pub fn update(&mut self, body: Option<&Body>, at: Duration) -> Option<HoverEvent> {
        let min_visibility = self.config.min_visibility;
        let points = Hand::BOTH.map(|hand| {
            let point = body.and_then(|body| hand_point(body, hand, min_visibility));
            (hand, point)
        });
        let margin_x = self.config.margin / self.config.aspect;
        let margin_y = self.config.margin;
        let grace = self.config.grace;
        // Re-arm a picked target once no hand has been over it for the
        // grace.
        let targets = &self.targets;
        self.picked.retain_mut(|picked| {
            let Some(target) = targets.iter().find(|target| target.id == picked.id) else {
                return false;
            };
            let stay = target.rect.grown(margin_x, margin_y);
            if points
                .iter()
                .any(|(_, p)| p.is_some_and(|p| stay.contains(p)))
            {
                picked.last_touched = at;
            }
            at.saturating_sub(picked.last_touched) < grace
        });
        if let Some(hover) = &mut self.hover {
            let target = self.targets.iter().find(|target| target.id == hover.id);
            let point = points
                .iter()
                .find(|(hand, _)| *hand == hover.hand)
                .and_then(|(_, point)| *point);
            let inside = match (target, point) {
                (Some(target), Some(point)) => {
                    target.rect.grown(margin_x, margin_y).contains(point)
                }
                _ => false,
            };
            // The grace forgives jitter and a lost frame, not a move to a
            // neighbouring target: that one takes over at once.
            let over_another = point.is_some_and(|point| {
                self.targets.iter().any(|other| {
                    other.id != hover.id
                        && !self.picked.iter().any(|picked| picked.id == other.id)
                        && other.rect.grown(-margin_x, -margin_y).contains(point)
                })
            });
            if inside {
                hover.last_inside = at;
            } else if target.is_none()
                || over_another
                || at.saturating_sub(hover.last_inside) >= grace
            {
                self.hover = None;
                return Some(HoverEvent::Cancelled);
            }
            let hovered_for = at.saturating_sub(hover.started);
            if inside && hovered_for >= self.config.dwell {
                let id = hover.id;
                self.hover = None;
                self.picked.push(Picked {
                    id,
                    last_touched: at,
                });
                return Some(HoverEvent::Picked { id });
            }
            hover.fraction = fraction_of(hovered_for, self.config.dwell);
            return Some(HoverEvent::Progress {
                id: hover.id,
                fraction: hover.fraction,
            });
        }
        for (hand, point) in points {
            let Some(point) = point else { continue };
            let start = self.targets.iter().find(|target| {
                !self.is_picked(target.id)
                    && target.rect.grown(-margin_x, -margin_y).contains(point)
            });
            if let Some(target) = start {
                self.hover = Some(Hover {
                    id: target.id,
                    hand,
                    started: at,
                    last_inside: at,
                    fraction: 0.0,
                });
                return Some(HoverEvent::Progress {
                    id: target.id,
                    fraction: 0.0,
                });
            }
        }
        None
    }

    fn is_picked(&self, id: usize) -> bool {
        self.picked.iter().any(|picked| picked.id == id)
    }
}

#[cfg(test)]
mod tests;
