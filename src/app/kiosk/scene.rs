//! What the UI layer shows, from the session's mode, the live view's
//! status, the outfit and the config's strings: plain data, so the layer is
//! drawn again only when this changes.

use crate::garment::catalog::{Catalog, CatalogEntry, GarmentKind};
use crate::kiosk::config::KioskStrings;
use crate::kiosk::size::{suggest, BodyMeasures};
use crate::kiosk::{ItemView, LabelledCode, UiScene};
use crate::render::StatusScreen;

use super::session::Mode;

/// Most buy codes on the snapshot screen (one per worn item); the photo's
/// code comes after them.
pub const MAX_BUY_CODES: usize = 2;

/// Everything a scene is made from.
pub struct SceneInputs<'a> {
    pub mode: Mode,
    pub status: Option<StatusScreen>,
    /// The try-on's catalog, and the ids worn (garment and accessories).
    pub catalog: Option<&'a Catalog>,
    pub outfit: Vec<&'a str>,
    pub strings: &'a KioskStrings,
    /// The catalog ids in the carousel's slots.
    pub visible: Vec<String>,
    /// The worn garment (not an accessory).
    pub worn: Option<String>,
    /// The body's measures, smoothed, when it is fully in view.
    pub size: Option<BodyMeasures>,
    pub countdown: Option<u32>,
    pub codes: Vec<LabelledCode>,
    /// Counts up every few seconds: which garment attract mode previews.
    pub attract_item: u64,
    pub gestures: bool,
}

fn item(entry: &CatalogEntry) -> ItemView {
    ItemView {
        id: entry.id.clone(),
        name: entry.name.clone(),
        price: entry.price.to_string(),
    }
}

/// The scene for `inputs`.
pub fn scene(inputs: &SceneInputs<'_>) -> UiScene {
    let strings = inputs.strings;
    if let Some(status) = &inputs.status {
        // The live view's title names the device ("Waiting for camera 0");
        // the kiosk's strings say it in the store's language.
        let title = if status.title.starts_with("Camera disconnected") {
            strings.camera_disconnected.clone()
        } else if status.title.starts_with("Waiting") || status.title.starts_with("Opening") {
            strings.waiting_for_camera.clone()
        } else {
            status.title.clone()
        };
        return UiScene::Status {
            title,
            detail: status.detail.clone(),
        };
    }
    let catalog = inputs.catalog;
    let entry = |id: &str| catalog.and_then(|c| c.get(id));
    match inputs.mode {
        Mode::Attract => {
            let wearable: Vec<&CatalogEntry> = catalog
                .map(|c| c.garments.iter().collect())
                .unwrap_or_default();
            let preview = (!wearable.is_empty())
                .then(|| item(wearable[inputs.attract_item as usize % wearable.len()]));
            UiScene::Attract {
                title: strings.step_in.clone(),
                hint: if inputs.gestures {
                    strings.hover_to_wear.clone()
                } else {
                    String::new()
                },
                item: preview,
            }
        }
        Mode::Dressed => {
            let items: Vec<ItemView> = inputs
                .visible
                .iter()
                .filter_map(|id| entry(id))
                .map(item)
                .collect();
            let outfit = &inputs.outfit;
            // The main garment's slot, or an accessory's when only
            // accessories are worn.
            let worn = items
                .iter()
                .position(|i| Some(&i.id) == inputs.worn.as_ref())
                .or_else(|| items.iter().position(|i| outfit.contains(&i.id.as_str())));
            let card_entry = inputs.worn.as_deref().and_then(entry);
            let size = card_entry.and_then(|e| {
                let measures = inputs.size.as_ref()?;
                let suggestion = suggest(measures, &e.size_chart)?;
                Some(strings.try_size_for(&suggestion.sizes(&strings.size_or)))
            });
            let hint = if inputs.gestures {
                format!(
                    "{} · {} · {}",
                    strings.hover_to_wear, strings.swipe, strings.raise_hands
                )
            } else {
                String::new()
            };
            UiScene::Dressed {
                items,
                worn,
                card: card_entry.map(item),
                size,
                hint,
            }
        }
        Mode::Countdown { .. } => UiScene::Countdown {
            digit: inputs.countdown.unwrap_or(1),
        },
        Mode::Snapshot { .. } => UiScene::Snapshot {
            title: strings.scan_to_buy.clone(),
            codes: inputs.codes.clone(),
        },
    }
}

/// The snapshot screen's codes: one per worn item with a buy URL (the
/// garment first, then accessories, at most `MAX_BUY_CODES`), then the
/// photo's when it was shared.
pub fn snapshot_codes(
    catalog: Option<&Catalog>,
    outfit: &[&str],
    strings: &KioskStrings,
    share_url: Option<&str>,
) -> Vec<LabelledCode> {
    let mut codes = Vec::new();
    if let Some(catalog) = catalog {
        let mut worn: Vec<&CatalogEntry> = outfit.iter().filter_map(|id| catalog.get(id)).collect();
        worn.sort_by_key(|e| e.kind == GarmentKind::Accessory);
        codes.extend(
            worn.into_iter()
                .filter(|e| !e.buy_url.is_empty())
                .take(MAX_BUY_CODES)
                .map(|e| LabelledCode {
                    label: e.name.clone(),
                    url: e.buy_url.clone(),
                }),
        );
    }
    if let Some(url) = share_url {
        codes.push(LabelledCode {
            label: strings.scan_for_photo.clone(),
            url: url.to_string(),
        });
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/garments/catalog.toml");
        Catalog::load(path).unwrap()
    }

    fn inputs<'a>(catalog: &'a Catalog, strings: &'a KioskStrings, mode: Mode) -> SceneInputs<'a> {
        SceneInputs {
            mode,
            status: None,
            catalog: Some(catalog),
            outfit: vec!["tee-indigo", "glasses-round"],
            strings,
            visible: ["tee-indigo", "jacket-charcoal", "photo-tee"]
                .map(String::from)
                .to_vec(),
            worn: Some("tee-indigo".into()),
            size: None,
            countdown: None,
            codes: Vec::new(),
            attract_item: 0,
            gestures: true,
        }
    }

    #[test]
    fn the_card_suggests_a_size_only_with_the_body_measured() {
        let (catalog, strings) = (catalog(), KioskStrings::default());
        let mut dressed = inputs(&catalog, &strings, Mode::Dressed);
        let UiScene::Dressed {
            worn,
            card,
            size,
            items,
            ..
        } = scene(&dressed)
        else {
            panic!("not the dressed scene");
        };
        assert_eq!((worn, size), (Some(0), None));
        assert_eq!(items.len(), 3);
        assert_eq!(card.unwrap().price, "24.90 EUR");
        // Measured (fully in view): the T-shirt's chart says M.
        dressed.size = Some(BodyMeasures {
            shoulder_cm: 43.2,
            torso_cm: 49.1,
        });
        let UiScene::Dressed { size, .. } = scene(&dressed) else {
            panic!("not the dressed scene");
        };
        assert_eq!(size.as_deref(), Some("Try M"));
        // Halfway between M and L, in the store's language.
        let french = KioskStrings {
            try_size: "Essayez {size}".into(),
            size_or: "ou".into(),
            ..KioskStrings::default()
        };
        dressed.strings = &french;
        dressed.size = Some(BodyMeasures {
            shoulder_cm: 44.25,
            torso_cm: 50.25,
        });
        let UiScene::Dressed { size, .. } = scene(&dressed) else {
            panic!("not the dressed scene");
        };
        assert_eq!(size.as_deref(), Some("Essayez M ou L"));
    }

    #[test]
    fn status_screens_speak_the_stores_language_and_attract_cycles() {
        let catalog = catalog();
        let strings = KioskStrings {
            waiting_for_camera: "Kamera wird gesucht".into(),
            camera_disconnected: "Kamera getrennt".into(),
            ..KioskStrings::default()
        };
        let mut waiting = inputs(&catalog, &strings, Mode::Dressed);
        waiting.status = Some(StatusScreen {
            title: "Waiting for camera 0".into(),
            detail: "not found".into(),
        });
        assert_eq!(
            scene(&waiting),
            UiScene::Status {
                title: "Kamera wird gesucht".into(),
                detail: "not found".into()
            }
        );
        waiting.status = Some(StatusScreen {
            title: "Camera disconnected".into(),
            detail: String::new(),
        });
        assert!(
            matches!(scene(&waiting), UiScene::Status { title, .. } if title == "Kamera getrennt")
        );
        let mut attract = inputs(&catalog, &strings, Mode::Attract);
        let previewed = |a: &SceneInputs<'_>| match scene(a) {
            UiScene::Attract { item, .. } => item.unwrap().id,
            other => panic!("not attract: {other:?}"),
        };
        assert_eq!(previewed(&attract), "tee-indigo");
        attract.attract_item = 1;
        assert_eq!(previewed(&attract), "jacket-charcoal");
        attract.attract_item = 5;
        assert_eq!(
            previewed(&attract),
            "tee-indigo",
            "five garments, then round again"
        );
    }

    #[test]
    fn the_snapshot_has_a_code_per_worn_item_then_the_photo() {
        let catalog = catalog();
        let strings = KioskStrings::default();
        let codes = snapshot_codes(
            Some(&catalog),
            &["glasses-round", "tee-indigo"],
            &strings,
            Some("http://192.0.2.1:8090/p/ab"),
        );
        let urls: Vec<&str> = codes.iter().map(|c| c.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://shop.example/p/tee-indigo",
                "https://shop.example/p/glasses-round",
                "http://192.0.2.1:8090/p/ab"
            ]
        );
        assert_eq!(codes[2].label, strings.scan_for_photo);
        assert!(snapshot_codes(Some(&catalog), &[], &strings, None).is_empty());
    }
}
