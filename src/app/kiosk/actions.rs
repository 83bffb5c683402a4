//! What the kiosk does when the session asks: wear, step, reset the
//! outfit, take the snapshot, log the event.

use std::time::SystemTime;

use super::scene;
use super::session::Action;
use super::snapshot::Snapshot;
use super::Kiosk;
use crate::garment::catalog::GarmentKind;
use crate::kiosk::events::KioskEvent;

impl Kiosk {
    /// Does what the session asked.
    pub(super) fn apply(&mut self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Log(event) => {
                    self.log(&event);
                    // A new shopper tries the garment on show first.
                    if event == KioskEvent::PersonEntered {
                        if let Some(garment) = self.main_worn() {
                            self.log(&KioskEvent::GarmentWorn { garment });
                        }
                    }
                }
                Action::WearSlot(slot) => {
                    if let Some(id) = self.visible_ids().get(slot).cloned() {
                        self.wear_or_toggle(&id);
                    }
                }
                Action::Step(step) => {
                    self.live.next_garment(step);
                    if let Some(id) = self.main_worn() {
                        self.log(&KioskEvent::GarmentWorn { garment: id });
                    }
                }
                Action::TakeSnapshot => self.take_snapshot(),
                Action::ResetOutfit => self.reset_outfit(),
            }
            self.dirty = true;
        }
    }

    /// A garment is worn in place of the worn one; an accessory is put on,
    /// or taken off when it is already worn.
    pub(super) fn wear_or_toggle(&mut self, id: &str) {
        let Some(tryon) = self.live.mirror().tryon() else {
            return;
        };
        let is_accessory = tryon
            .catalog()
            .get(id)
            .is_some_and(|e| e.kind == GarmentKind::Accessory);
        let worn = tryon.outfit().contains(&id);
        if is_accessory && worn {
            self.live.take_off(id);
        } else if self.live.wear(id) {
            self.log(&KioskEvent::GarmentWorn {
                garment: id.to_string(),
            });
        }
    }

    /// The catalog's default outfit again, for the next shopper.
    pub(super) fn reset_outfit(&mut self) {
        let Some(tryon) = self.live.mirror().tryon() else {
            return;
        };
        let worn: Vec<String> = tryon.outfit().into_iter().map(str::to_string).collect();
        let default = tryon.catalog().default_id.clone();
        for id in worn.iter().filter(|id| **id != default) {
            self.live.take_off(id);
        }
        if !worn.contains(&default) {
            self.live.wear(&default);
        }
        self.size.reset();
    }

    pub(super) fn log(&mut self, event: &KioskEvent) {
        tracing::info!("kiosk event: {}", event.name());
        let Some(log) = &mut self.events else {
            return;
        };
        if let Err(e) = log.record(event, SystemTime::now()) {
            let message = e.to_string();
            if self.reported.first_time(&message) {
                tracing::error!("event not logged (the kiosk goes on): {message}");
            }
        }
    }

    /// Freezes the dressed picture, saves and shares it, and logs it.
    pub(super) fn take_snapshot(&mut self) {
        let Some(picture) = self.live.shown().cloned() else {
            return;
        };
        self.snapshots_taken += 1;
        let garments: Vec<String> = self
            .live
            .mirror()
            .tryon()
            .map(|t| t.outfit().into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        let taken = Snapshot::take(
            self.live.gpu(),
            &picture,
            self.snapshots_taken,
            self.config.snapshot_dir.as_deref(),
            self.share.as_ref(),
        );
        match taken {
            Ok((snapshot, problems)) => {
                for problem in problems {
                    if self.reported.first_time(&problem) {
                        tracing::warn!("snapshot: {problem}");
                    }
                }
                self.snapshot = Some(snapshot);
            }
            Err(e) => {
                let message = e.to_string();
                if self.reported.first_time(&message) {
                    tracing::error!("snapshot failed (the kiosk goes on): {message}");
                }
            }
        }
        self.log(&KioskEvent::Snapshot { garments });
        for code in self.snapshot_codes() {
            self.log(&KioskEvent::QrShown { url: code.url });
        }
    }

    pub(super) fn snapshot_codes(&self) -> Vec<crate::kiosk::LabelledCode> {
        let tryon = self.live.mirror().tryon();
        scene::snapshot_codes(
            tryon.map(|t| t.catalog()),
            &tryon.map(|t| t.outfit()).unwrap_or_default(),
            &self.config.strings,
            self.snapshot.as_ref().and_then(|s| s.share_url.as_deref()),
        )
    }
}
