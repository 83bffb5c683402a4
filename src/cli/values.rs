//! Flag values clap cannot check by itself: positive numbers, frame rates,
//! pixel and output formats, sizes. Each error says what was expected.

use drape::output::OutputFormat;
use drape::PixelFormat;

pub(crate) fn parse_positive_minutes(s: &str) -> Result<f64, String> {
    parse_positive(s, "minutes")
}

pub(crate) fn parse_positive_seconds(s: &str) -> Result<f64, String> {
    parse_positive(s, "seconds")
}

fn parse_positive(s: &str, unit: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!(
            "expected a positive number of {unit}, like 1 or 0.5, not {s:?}"
        )),
    }
}

pub(crate) fn parse_fps(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!(
            "expected a positive frame rate, like 30 or 29.97, not {s:?}"
        )),
    }
}

pub(crate) fn parse_pixel_format(s: &str) -> Result<PixelFormat, String> {
    PixelFormat::from_name(s).ok_or_else(|| {
        let names: Vec<_> = PixelFormat::ALL.iter().map(|f| f.name()).collect();
        format!("unknown pixel format {s:?}; known: {}", names.join(", "))
    })
}

pub(crate) fn parse_output_format(s: &str) -> Result<OutputFormat, String> {
    OutputFormat::from_name(s)
        .ok_or_else(|| format!("unknown output format {s:?}; known: png, jpg, y4m, rgba"))
}

pub(crate) fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("size {s:?} is not WxH (e.g. 640x480)");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h): (u32, u32) = (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?);
    if w == 0 || h == 0 || w > 16384 || h > 16384 {
        return Err(format!("size {s:?} must be between 1x1 and 16384x16384"));
    }
    Ok((w, h))
}
