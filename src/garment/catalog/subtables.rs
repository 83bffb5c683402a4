//! The optional parts of a garment: `sizes` and the `[garment.fit]`,
//! `[garment.anchors]` and `[garment.attach]` tables, each allowed only for
//! the kinds it applies to.

use glam::{Vec2, Vec3};
use toml::de::DeValue;

use super::fields::{wrong_type, Report, Section};
use super::rules::{
    self, CLOTH_DAMPING_RANGE, CLOTH_MASS_RANGE, CLOTH_STIFFNESS_RANGE, CLOTH_SWING_RANGE,
    EASE_RANGE, LENGTH_RANGE, SCALE_RANGE, SLEEVE_RANGE,
};
use super::validate::GARMENT_KEYS;
use super::{AttachAnchor, Attachment, ClothOptions, FitOptions, GarmentKind, PhotoAnchors};

const FIT_KEYS: &[&str] = &["ease", "length", "sleeve"];
const REQUIRED_ANCHORS: [&str; 4] = ["left_shoulder", "right_shoulder", "left_hip", "right_hip"];
const OPTIONAL_ANCHORS: [&str; 3] = ["neckline", "left_sleeve_end", "right_sleeve_end"];
const ATTACH_KEYS: &[&str] = &["anchor", "offset", "scale"];
const CLOTH_KEYS: &[&str] = &["software", "mass", "stiffness", "damping", "swing"];

pub(super) fn read_sizes(r: &mut Report, g: &Section) -> Vec<String> {
    let Some(value) = g.get("sizes") else {
        return Vec::new();
    };
    let DeValue::Array(items) = value.get_ref() else {
        r.add(
            &value.span(),
            wrong_type("sizes", "an array of size names", value.get_ref()),
        );
        return Vec::new();
    };
    let mut sizes: Vec<String> = Vec::new();
    for item in items.iter() {
        match item.get_ref() {
            DeValue::String(size) if size.trim().is_empty() => {
                r.add(&item.span(), "a size is empty; write its label, like \"M\"");
            }
            DeValue::String(size) if sizes.iter().any(|seen| seen == size.as_ref()) => {
                r.add(&item.span(), format!("size \"{size}\" is listed twice"));
            }
            DeValue::String(size) => sizes.push(size.to_string()),
            other => r.add(
                &item.span(),
                wrong_type("sizes", "an array of size names", other),
            ),
        }
    }
    sizes
}

pub(super) fn read_fit(r: &mut Report, g: &Section, kind: Option<GarmentKind>) -> FitOptions {
    let mut fit = FitOptions::default();
    let Some(section) = g.table(r, "fit", "[garment.fit]") else {
        return fit;
    };
    section.reject_unknown(r, FIT_KEYS, GARMENT_KEYS);
    if kind == Some(GarmentKind::Accessory) {
        r.add(
            &section.header,
            "[garment.fit] does not apply to accessories; size an accessory with \
             `scale` in [garment.attach]",
        );
    }
    if let Some((ease, span)) = section.number(r, "ease") {
        match rules::check_range("ease", ease, EASE_RANGE) {
            Ok(()) => fit.ease = ease as f32,
            Err(message) => r.add(&span, message),
        }
    }
    if let Some((length, span)) = section.number(r, "length") {
        if kind == Some(GarmentKind::Mesh) {
            r.add(
                &span,
                "`length` only applies to photo garments; a mesh garment's length comes \
                 from its model, so remove it",
            );
        }
        match rules::check_range("length", length, LENGTH_RANGE) {
            Ok(()) => fit.length = length as f32,
            Err(message) => r.add(&span, message),
        }
    }
    if let Some((sleeve, span)) = section.number(r, "sleeve") {
        match rules::check_range("sleeve", sleeve, SLEEVE_RANGE) {
            Ok(()) => fit.sleeve = sleeve as f32,
            Err(message) => r.add(&span, message),
        }
    }
    fit
}

pub(super) fn read_anchors(
    r: &mut Report,
    g: &Section,
    kind: Option<GarmentKind>,
) -> Option<PhotoAnchors> {
    let section = g.table(r, "anchors", "[garment.anchors]")?;
    let known: Vec<&str> = REQUIRED_ANCHORS
        .into_iter()
        .chain(OPTIONAL_ANCHORS)
        .collect();
    section.reject_unknown(r, &known, GARMENT_KEYS);
    if kind.is_some_and(|kind| kind != GarmentKind::Photo) {
        r.add(
            &section.header,
            "[garment.anchors] only applies to photo garments (kind = \"photo\"); remove it",
        );
    }
    let mut point = |key: &str| {
        let ([x, y], span) = section.numbers::<2>(r, key, false)?;
        if x < 0.0 || y < 0.0 {
            r.add(
                &span,
                format!("`{key}` has a negative pixel position; write [x, y] inside the PNG"),
            );
            return None;
        }
        Some(Vec2::new(x as f32, y as f32))
    };
    let required = REQUIRED_ANCHORS.map(&mut point);
    let [neckline, left_sleeve_end, right_sleeve_end] = OPTIONAL_ANCHORS.map(&mut point);
    for (key, found) in REQUIRED_ANCHORS.iter().zip(&required) {
        if found.is_none() && section.get(key).is_none() {
            r.add(
                &section.header,
                format!(
                    "[garment.anchors] is missing `{key}`; add `{key} = [x, y]` (pixels in \
                     the PNG), or remove [garment.anchors] to find anchors from the silhouette"
                ),
            );
        }
    }
    let [Some(left_shoulder), Some(right_shoulder), Some(left_hip), Some(right_hip)] = required
    else {
        return None;
    };
    Some(PhotoAnchors {
        left_shoulder,
        right_shoulder,
        left_hip,
        right_hip,
        neckline,
        left_sleeve_end,
        right_sleeve_end,
    })
}

pub(super) fn read_attach(
    r: &mut Report,
    g: &Section,
    kind: Option<GarmentKind>,
) -> Option<Attachment> {
    let is_accessory = kind == Some(GarmentKind::Accessory);
    if is_accessory && g.get("attach").is_none() {
        r.add(
            &g.header,
            format!(
                "{} is an accessory and needs a [garment.attach] table saying where it \
                 sits, e.g. `anchor = \"eyes\"`",
                g.name
            ),
        );
        return None;
    }
    let section = g.table(r, "attach", "[garment.attach]")?;
    section.reject_unknown(r, ATTACH_KEYS, GARMENT_KEYS);
    if kind.is_some() && !is_accessory {
        r.add(
            &section.header,
            "[garment.attach] only applies to accessories (kind = \"accessory\"); remove it",
        );
    }
    let anchor = section.string(r, "anchor", true).and_then(|(name, span)| {
        let anchor = AttachAnchor::from_name(name);
        if anchor.is_none() {
            let names: Vec<&str> = AttachAnchor::ALL.iter().map(|a| a.name()).collect();
            r.add(
                &span,
                format!(
                    "unknown anchor `{name}`; write one of: {}",
                    names.join(", ")
                ),
            );
        }
        anchor
    });
    let offset_m = section
        .numbers::<3>(r, "offset", false)
        .map(|([x, y, z], _)| Vec3::new(x as f32, y as f32, z as f32));
    let mut scale = Some(1.0);
    if let Some((value, span)) = section.number(r, "scale") {
        scale = rules::check_range("scale", value, SCALE_RANGE)
            .map_err(|message| r.add(&span, message))
            .ok()
            .map(|()| value as f32);
    }
    let offset_ok = offset_m.is_some() || section.get("offset").is_none();
    match (anchor, scale) {
        (Some(anchor), Some(scale)) if offset_ok => Some(Attachment {
            anchor,
            offset_m: offset_m.unwrap_or(Vec3::ZERO),
            scale,
        }),
        _ => None,
    }
}

/// `[garment.cloth]`: mesh garments simulated as cloth (none without the
/// table).
pub(super) fn read_cloth(
    r: &mut Report,
    g: &Section,
    kind: Option<GarmentKind>,
) -> Option<ClothOptions> {
    let section = g.table(r, "cloth", "[garment.cloth]")?;
    section.reject_unknown(r, CLOTH_KEYS, GARMENT_KEYS);
    if kind.is_some_and(|kind| kind != GarmentKind::Mesh) {
        r.add(
            &section.header,
            "[garment.cloth] only applies to mesh garments (kind = \"mesh\"): a photo or an \
             accessory does not hang as cloth; remove it",
        );
    }
    let mut cloth = ClothOptions::default();
    if let Some(software) = section.boolean(r, "software") {
        cloth.software = software;
    }
    for (key, range, slot) in [
        ("mass", CLOTH_MASS_RANGE, &mut cloth.mass_kg_per_m2),
        ("stiffness", CLOTH_STIFFNESS_RANGE, &mut cloth.stiffness),
        ("damping", CLOTH_DAMPING_RANGE, &mut cloth.damping_per_s),
        ("swing", CLOTH_SWING_RANGE, &mut cloth.swing),
    ] {
        if let Some((value, span)) = section.number(r, key) {
            match rules::check_range(key, value, range) {
                Ok(()) => *slot = value as f32,
                Err(message) => r.add(&span, message),
            }
        }
    }
    Some(cloth)
}
