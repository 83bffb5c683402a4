//! The checks on single values (id, price, currency, URL, file names).
//! Each returns what to tell the person editing the manifest.

use std::ops::RangeInclusive;
use std::path::Path;

use toml::de::DeValue;

use super::fields::wrong_type;
use super::GarmentKind;

pub(super) const EASE_RANGE: RangeInclusive<f64> = 0.8..=1.5;
pub(super) const LENGTH_RANGE: RangeInclusive<f64> = 0.5..=2.0;
pub(super) const SLEEVE_RANGE: RangeInclusive<f64> = 0.5..=2.0;
pub(super) const CLOTH_MASS_RANGE: RangeInclusive<f64> = 0.05..=1.5;
pub(super) const CLOTH_STIFFNESS_RANGE: RangeInclusive<f64> = 0.1..=10.0;
pub(super) const CLOTH_DAMPING_RANGE: RangeInclusive<f64> = 0.0..=20.0;
pub(super) const CLOTH_SWING_RANGE: RangeInclusive<f64> = 0.0..=3.0;
pub(super) const SCALE_RANGE: RangeInclusive<f64> = 0.1..=10.0;
/// Shoulder width as BlazePose measures it (joint centre to joint centre),
/// from a small adult to a very broad one.
pub(super) const SHOULDER_CM_RANGE: RangeInclusive<f64> = 25.0..=70.0;
/// Mid-shoulders to mid-hips, likewise.
pub(super) const TORSO_CM_RANGE: RangeInclusive<f64> = 30.0..=80.0;

/// Ids appear in URLs and file names: `[a-z0-9-]+`.
pub(super) fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("`id` is empty; write a short name like `id = \"tee-indigo\"`".into());
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if id.chars().all(allowed) {
        return Ok(());
    }
    let mut suggestion = String::new();
    for c in id.to_lowercase().chars() {
        let c = if allowed(c) { c } else { '-' };
        if !(c == '-' && suggestion.ends_with('-')) {
            suggestion.push(c);
        }
    }
    let suggestion = suggestion.trim_matches('-');
    let suggestion = if suggestion.is_empty() {
        "tee-indigo"
    } else {
        suggestion
    };
    Err(format!(
        "id `{id}` may only use lowercase letters a-z, digits and `-`; write e.g. `{suggestion}`"
    ))
}

/// The price in hundredths, from a string, integer or float (read from its
/// source text, so `24.90` is exact).
pub(super) fn parse_price(value: &DeValue) -> Result<i64, String> {
    let text = match value {
        DeValue::String(text) => text.trim(),
        DeValue::Integer(integer) if integer.radix() == 10 => integer.as_str(),
        DeValue::Float(float) => float.as_str(),
        other => return Err(wrong_type("price", "a decimal amount", other)),
    };
    price_cents(text)
        .map_err(|reason| format!("price `{text}` {reason}; write it like `price = \"24.90\"`"))
}

fn price_cents(text: &str) -> Result<i64, &'static str> {
    if text.starts_with('-') {
        return Err("cannot be negative");
    }
    if text.contains(['e', 'E']) && text.parse::<f64>().is_ok() {
        return Err("is written with an exponent; write the plain amount");
    }
    if text.chars().any(char::is_alphabetic) {
        return Err("must be only the amount (the currency goes in `currency`)");
    }
    if text.contains(',') {
        return Err("uses a comma: write the decimals after a dot");
    }
    let text = text.strip_prefix('+').unwrap_or(text);
    let (whole, cents) = match text.split_once('.') {
        Some((_, fraction)) if fraction.len() > 2 => return Err("has more than 2 decimals"),
        Some((whole, fraction)) if !fraction.is_empty() => (whole, format!("{fraction:0<2}")),
        Some(_) => return Err("has a dot but no decimals"),
        None => (text, "00".to_string()),
    };
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // 12 digits of whole units cannot overflow i64 cents.
    if !digits_only(whole) || !digits_only(&cents) || whole.len() > 12 {
        return Err("is not a plain decimal amount");
    }
    let whole: i64 = whole.parse().map_err(|_| "is not a plain decimal amount")?;
    let cents: i64 = cents.parse().map_err(|_| "is not a plain decimal amount")?;
    Ok(whole * 100 + cents)
}

/// A currency without decimals (the yen, the won) cannot have cents.
pub(super) fn check_price_decimals(cents: i64, currency: &str) -> Result<(), String> {
    if cents % 100 != 0 && super::currency_decimals(currency) == 0 {
        return Err(format!(
            "price has decimals, but {currency} prices have none; write the whole amount, like \
             `price = \"{}\"`",
            cents / 100
        ));
    }
    Ok(())
}

/// ISO 4217: three capital letters.
pub(super) fn check_currency(code: &str) -> Result<(), String> {
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Ok(());
    }
    let hint = if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        format!("write `{}`", code.to_ascii_uppercase())
    } else {
        "write the ISO 4217 code, like `EUR`, `USD` or `GBP`, not a symbol or name".into()
    };
    Err(format!(
        "currency `{code}` must be three capital letters; {hint}"
    ))
}

/// An absolute http(s) URL with a host and no spaces.
pub(super) fn check_url(url: &str) -> Result<(), String> {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = ["https://", "http://"]
        .iter()
        .find(|scheme| lower.starts_with(**scheme))
        .map(|scheme| &url[scheme.len()..])
    else {
        return Err(format!(
            "buy_url `{url}` must start with https:// (or http://), \
             like `buy_url = \"https://shop.example/p/tee-indigo\"`"
        ));
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "buy_url `{url}` contains spaces; write them as %20"
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_char = |c: char| c.is_ascii_alphanumeric() || "-.:[]".contains(c);
    if host.is_empty() || !host.chars().all(host_char) {
        return Err(format!(
            "buy_url `{url}` has no valid host after the //; write e.g. `https://shop.example/p/tee-indigo`"
        ));
    }
    Ok(())
}

/// The lower-case extension of a manifest path, "" if none.
fn extension(path: &str) -> String {
    Path::new(path)
        .extension()
        .map(|ext| ext.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// A garment's asset file must suit its kind.
pub(super) fn check_asset_extension(kind: GarmentKind, asset: &str) -> Result<(), String> {
    let ext = extension(asset);
    let is_gltf = ext == "glb" || ext == "gltf";
    match kind {
        GarmentKind::Mesh | GarmentKind::Accessory if !is_gltf => {
            let hint = if ext == "png" {
                "; for a flat photo garment write `kind = \"photo\"`"
            } else {
                ""
            };
            Err(format!(
                "a {kind} garment's asset must be a .glb or .gltf file, not `{asset}`{hint}"
            ))
        }
        GarmentKind::Photo if ext != "png" => {
            let hint = if is_gltf {
                "; for a 3D garment write `kind = \"mesh\"`"
            } else {
                ""
            };
            Err(format!(
                "a photo garment's asset must be an RGBA .png file, not `{asset}`{hint}"
            ))
        }
        _ => Ok(()),
    }
}

/// Thumbnails are shown with the `image` crate's formats.
pub(super) fn check_thumbnail_extension(thumbnail: &str) -> Result<(), String> {
    match extension(thumbnail).as_str() {
        "png" | "jpg" | "jpeg" | "webp" => Ok(()),
        _ => Err(format!(
            "thumbnail must be a .png, .jpg or .webp image, not `{thumbnail}`"
        )),
    }
}

/// A product colour: `#rrggbb` (sRGB, as a web page writes it).
pub(super) fn parse_colour(text: &str) -> Result<[u8; 3], String> {
    let hex = text.strip_prefix('#').unwrap_or("");
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "color must be `#rrggbb` (sRGB hex, like \"#2e3a6e\"), not `{text}`"
        ));
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
    Ok([byte(0), byte(2), byte(4)])
}

/// A value outside its range, with the range to use instead.
pub(super) fn check_range(key: &str, value: f64, range: RangeInclusive<f64>) -> Result<(), String> {
    if range.contains(&value) {
        return Ok(());
    }
    // Factors (ease, length, scale, …) leave things as they are at 1.
    let hint = if range.contains(&1.0) && !matches!(key, "mass" | "damping") {
        " (1.0 = unchanged)"
    } else {
        ""
    };
    Err(format!(
        "`{key}` = {value} is out of range; write a value from {} to {}{hint}",
        range.start(),
        range.end()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_exact_hundredths() {
        assert_eq!(price_cents("24.90"), Ok(2490));
        assert_eq!(price_cents("24.9"), Ok(2490));
        assert_eq!(price_cents("25"), Ok(2500));
        assert_eq!(price_cents("0.05"), Ok(5));
        assert!(price_cents("24.999").is_err());
        assert!(price_cents("24,90").is_err());
        assert!(price_cents("-1").is_err());
        assert!(price_cents("24.").is_err());
        assert!(price_cents("2.49e1").is_err());
        assert!(price_cents("9999999999999").is_err());
    }

    #[test]
    fn ids_get_a_suggestion() {
        assert!(check_id("tee-indigo-2").is_ok());
        let message = check_id("Tee_Indigo").unwrap_err();
        assert!(message.contains("`tee-indigo`"), "{message}");
    }

    #[test]
    fn urls_need_scheme_and_host() {
        assert!(check_url("https://shop.example/p/tee").is_ok());
        assert!(check_url("http://localhost:8080").is_ok());
        assert!(check_url("shop.example/p/tee").is_err());
        assert!(check_url("ftp://shop.example").is_err());
        assert!(check_url("https:///p").is_err());
        assert!(check_url("https://shop.example/p/blue tee").is_err());
    }
}
