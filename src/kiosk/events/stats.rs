//! A day of kiosk events summed up: what `drape kiosk stats` prints.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::{read_db, rfc3339_ms, EventLogError, KioskEvent};

/// What a run of kiosk events adds up to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KioskStats {
    /// Completed sessions: `person_left` events, each with its dwell (a
    /// person still in front of the mirror when the log ends is not one).
    pub sessions: usize,
    /// The sessions' dwells added up.
    pub total_dwell: Duration,
    /// The mean dwell per session; `None` without sessions.
    pub mean_dwell: Option<Duration>,
    /// The median dwell (the mean of the middle two for an even count);
    /// `None` without sessions.
    pub median_dwell: Option<Duration>,
    /// Each garment worn or photographed, most tried first (then most
    /// photographed, then by id).
    pub garments: Vec<GarmentStats>,
    /// Photos taken (`snapshot` events).
    pub snapshots: usize,
    /// QR codes shown (`qr_shown` events).
    pub qr_shown: usize,
    /// The earliest event's time; `None` without events.
    pub first_event: Option<SystemTime>,
    /// The latest event's time; `None` without events.
    pub last_event: Option<SystemTime>,
}

/// How one garment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GarmentStats {
    /// The garment's catalog id.
    pub garment: String,
    /// Times it was put on (`garment_worn` events).
    pub tries: usize,
    /// Photos it is in (`snapshot` events that list it, each counted once).
    pub snapshots: usize,
}

impl KioskStats {
    /// Sums up `events` (in any order).
    pub fn from_events(events: &[(SystemTime, KioskEvent)]) -> KioskStats {
        let mut stats = KioskStats::default();
        let mut dwells = Vec::new();
        // Garment id → (tries, snapshots).
        let mut per_garment: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for (at, event) in events {
            stats.first_event = Some(stats.first_event.map_or(*at, |first| first.min(*at)));
            stats.last_event = Some(stats.last_event.map_or(*at, |last| last.max(*at)));
            match event {
                KioskEvent::PersonLeft { dwell } => dwells.push(*dwell),
                KioskEvent::GarmentWorn { garment } => {
                    per_garment.entry(garment).or_default().0 += 1
                }
                KioskEvent::Snapshot { garments } => {
                    stats.snapshots += 1;
                    let in_photo: BTreeSet<&str> = garments.iter().map(String::as_str).collect();
                    for garment in in_photo {
                        per_garment.entry(garment).or_default().1 += 1;
                    }
                }
                KioskEvent::QrShown { .. } => stats.qr_shown += 1,
                KioskEvent::PersonEntered | KioskEvent::Attract => {}
            }
        }
        stats.sessions = dwells.len();
        stats.total_dwell = dwells.iter().sum();
        dwells.sort_unstable();
        if !dwells.is_empty() {
            stats.mean_dwell = Some(duration_from_nanos(
                stats.total_dwell.as_nanos() / dwells.len() as u128,
            ));
            let middle = dwells.len() / 2;
            stats.median_dwell = Some(if dwells.len() % 2 == 1 {
                dwells[middle]
            } else {
                duration_from_nanos((dwells[middle - 1].as_nanos() + dwells[middle].as_nanos()) / 2)
            });
        }
        stats.garments = per_garment
            .into_iter()
            .map(|(garment, (tries, snapshots))| GarmentStats {
                garment: garment.to_string(),
                tries,
                snapshots,
            })
            .collect();
        // Stable: ties stay in id order.
        stats
            .garments
            .sort_by(|a, b| b.tries.cmp(&a.tries).then(b.snapshots.cmp(&a.snapshots)));
        stats
    }

    /// Sums up the events in the SQLite event log at `path` (read with
    /// [`read_db`], so it equals [`KioskStats::from_events`] on the same
    /// events).
    pub fn from_db(path: &Path) -> Result<KioskStats, EventLogError> {
        Ok(KioskStats::from_events(&read_db(path)?))
    }
}

/// A duration from nanoseconds (saturating: a mean of durations fits).
fn duration_from_nanos(nanos: u128) -> Duration {
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// `at` in RFC 3339, or as Rust shows it for a time beyond 1970-9999.
fn show_time(at: SystemTime) -> String {
    rfc3339_ms(at).unwrap_or_else(|_| format!("{at:?}"))
}

/// Seconds with one decimal, e.g. `12.4 s`.
fn show_seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

impl fmt::Display for KioskStats {
    /// A table: the period, sessions, dwell, photos and QR codes, then one
    /// row per garment, most tried first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.first_event, self.last_event) {
            (Some(first), Some(last)) => writeln!(
                f,
                "Kiosk events {} to {}",
                show_time(first),
                show_time(last)
            )?,
            _ => writeln!(f, "No kiosk events")?,
        }
        writeln!(f, "Sessions   {}", self.sessions)?;
        let whole_seconds = Duration::from_secs(self.total_dwell.as_secs());
        write!(
            f,
            "Dwell      total {}",
            humantime::format_duration(whole_seconds)
        )?;
        if let (Some(mean), Some(median)) = (self.mean_dwell, self.median_dwell) {
            write!(
                f,
                ", mean {}, median {}",
                show_seconds(mean),
                show_seconds(median)
            )?;
        }
        writeln!(f)?;
        writeln!(f, "Snapshots  {}", self.snapshots)?;
        writeln!(f, "QR shown   {}", self.qr_shown)?;
        if self.garments.is_empty() {
            return Ok(());
        }
        let width = self
            .garments
            .iter()
            .map(|g| g.garment.chars().count())
            .max()
            .unwrap_or(0)
            .max("Garment".len());
        writeln!(f)?;
        writeln!(
            f,
            "{:<width$}  {:>5}  {:>9}",
            "Garment", "Tries", "Snapshots"
        )?;
        for garment in &self.garments {
            writeln!(
                f,
                "{:<width$}  {:>5}  {:>9}",
                garment.garment, garment.tries, garment.snapshots
            )?;
        }
        Ok(())
    }
}
