//! Golden images: small PNGs compared with tolerances. A render that
//! differs is written beside the golden as `<name>.actual.png`;
//! `DRAPE_BLESS=1` rewrites the goldens instead (look at them before
//! committing).

use std::path::Path;

/// Golden comparison: mean absolute difference per channel, and the share
/// of pixels allowed to differ by more than `LOUD_DIFFERENCE` (edges
/// rasterised a little differently by another driver).
pub const MAX_MEAN_DIFFERENCE: f64 = 1.5;
pub const LOUD_DIFFERENCE: u8 = 40;
pub const MAX_LOUD_SHARE: f64 = 0.01;

/// Compares `actual` with `<dir>/<name>.png`; writes the actual image
/// beside it when they differ (or blesses it with DRAPE_BLESS=1).
pub fn assert_golden(dir: &Path, name: &str, actual: &image::RgbaImage) {
    assert_golden_within(dir, name, actual, MAX_MEAN_DIFFERENCE, MAX_LOUD_SHARE);
}

/// `assert_golden` with its own limits: the mean difference per channel
/// and the share of pixels off by more than `LOUD_DIFFERENCE` (for
/// screenshots of moving things: a filling ring, a countdown).
pub fn assert_golden_within(
    dir: &Path,
    name: &str,
    actual: &image::RgbaImage,
    max_mean: f64,
    max_loud_share: f64,
) {
    let expected_path = dir.join(format!("{name}.png"));
    if std::env::var_os("DRAPE_BLESS").is_some() {
        std::fs::create_dir_all(dir).expect("the golden folder can be created");
        actual
            .save(&expected_path)
            .expect("the golden can be written");
        return;
    }
    let write_actual = |why: String| -> ! {
        let actual_path = dir.join(format!("{name}.actual.png"));
        actual
            .save(&actual_path)
            .expect("the differing render can be written beside the golden");
        panic!("{name}: {why}; the render is at {}", actual_path.display());
    };
    let expected = match image::open(&expected_path) {
        Ok(image) => image.into_rgba8(),
        Err(e) => write_actual(format!("no golden at {} ({e})", expected_path.display())),
    };
    if expected.dimensions() != actual.dimensions() {
        write_actual(format!(
            "the golden is {}x{}, the render {}x{}",
            expected.width(),
            expected.height(),
            actual.width(),
            actual.height()
        ));
    }
    let (mut sum, mut loud) = (0u64, 0usize);
    for (a, b) in actual.pixels().zip(expected.pixels()) {
        let worst = (0..3).map(|c| a[c].abs_diff(b[c])).max().unwrap_or(0);
        sum += (0..3).map(|c| a[c].abs_diff(b[c]) as u64).sum::<u64>();
        loud += usize::from(worst > LOUD_DIFFERENCE);
    }
    let pixels = actual.width() as usize * actual.height() as usize;
    let mean = sum as f64 / (pixels * 3) as f64;
    let loud_share = loud as f64 / pixels as f64;
    if mean > max_mean || loud_share > max_loud_share {
        write_actual(format!(
            "mean difference {mean:.2} (max {max_mean}), {:.2} % of pixels off by more than {LOUD_DIFFERENCE} (max {:.2} %)",
            loud_share * 100.0,
            max_loud_share * 100.0
        ));
    }
}
