//! `--wear` several times: which garment took the place of which, said on
//! stderr (one garment at a time, one accessory per anchor).

use drape::GpuContext;

/// The try-on wearing `config.wear` in order, saying which garment took
/// the place of which (one garment at a time, one accessory per anchor).
pub(crate) fn wear_outfit(
    gpu: &GpuContext,
    mut config: drape::tryon::TryOnConfig,
) -> drape::Result<drape::tryon::TryOn> {
    let rest = config.wear.split_off(config.wear.len().min(1));
    let mut tryon = drape::tryon::TryOn::new(gpu, config)?;
    for id in &rest {
        for replaced in tryon.wear(id)? {
            eprintln!("{}", replaced_warning(tryon.catalog(), id, &replaced));
        }
    }
    Ok(tryon)
}

/// The line that says `worn` took the place of `replaced`.
pub(crate) fn replaced_warning(
    catalog: &drape::garment::catalog::Catalog,
    worn: &str,
    replaced: &str,
) -> String {
    let rule = match catalog.get(worn).and_then(|e| e.attach.as_ref()) {
        Some(attach) => format!("one accessory per anchor, here {}", attach.anchor.name()),
        None => "one garment at a time; accessories go on top".to_string(),
    };
    format!("drape: warning: --wear {worn} replaces --wear {replaced} ({rule})")
}

/// Which `--wear` ids will take the place of which, by the rule
/// `TryOn::wear` follows, read from the catalog alone (for `run`, whose
/// window makes its try-on itself).
pub(crate) fn outfit_replacements(
    catalog: &drape::garment::catalog::Catalog,
    wear: &[String],
) -> Vec<(String, String)> {
    use drape::garment::catalog::{CatalogEntry, GarmentKind};
    let anchor = |e: &CatalogEntry| e.attach.as_ref().map(|a| a.anchor);
    let same_slot = |a: &CatalogEntry, b: &CatalogEntry| match (
        a.kind == GarmentKind::Accessory,
        b.kind == GarmentKind::Accessory,
    ) {
        (true, true) => anchor(a) == anchor(b),
        (false, false) => true,
        _ => false,
    };
    let mut worn: Vec<&CatalogEntry> = Vec::new();
    let mut replacements = Vec::new();
    // Unknown ids are left to the try-on, which names them.
    for entry in wear.iter().filter_map(|id| catalog.get(id)) {
        worn.retain(|w| {
            let replaced = same_slot(w, entry);
            if replaced && w.id != entry.id {
                replacements.push((entry.id.clone(), w.id.clone()));
            }
            !replaced
        });
        worn.push(entry);
    }
    replacements
}
