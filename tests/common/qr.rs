//! Reads QR codes back from screenshots (rqrr), for the pages' and the
//! kiosk's tests.

/// Every QR code in `gray`, decoded, sorted.
pub fn qr_codes(gray: image::GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(gray);
    let mut found: Vec<String> = prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect();
    found.sort();
    found
}
