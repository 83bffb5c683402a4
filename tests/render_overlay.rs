//! The product-card overlay on lavapipe: the GPU draws what the CPU
//! reference draws, the QR code reads back module for module, the text is
//! dark where its glyphs are, and nothing outside the card changes.

use drape::gpu::{texture_2d_descriptor, TextureReadback};
use drape::render::overlay::{
    composite_cpu, CardImage, OverlayCorner, OverlayRenderer, ProductCard, RectPx, CARD_COLOR,
    MAX_WIDTH_FRACTION, QR_QUIET_ZONE_MODULES,
};
use drape::GpuContext;

/// Per-channel difference allowed between the GPU and the CPU reference:
/// lavapipe's sRGB encode and blend round slightly differently from f32
/// powf (measured on lavapipe, llvmpipe LLVM 15: at most 2, on a photo).
const MAX_CHANNEL_DIFF: u8 = 2;
const GREY: [u8; 4] = [128, 128, 128, 255];

fn gpu() -> GpuContext {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    GpuContext::headless().expect("a GPU adapter (lavapipe)")
}

fn card(name: &str, url: &str) -> ProductCard {
    ProductCard {
        name: name.into(),
        price: "24.90 EUR".into(),
        url: url.into(),
        sizes: vec!["S".into(), "M".into(), "L".into(), "XL".into()],
    }
}

fn grey_frame(width: u32, height: u32) -> Vec<u8> {
    GREY.repeat(width as usize * height as usize)
}

/// Uploads `rgba` into a texture made like the try-on's output, draws the
/// overlay onto it and reads it back.
fn draw(
    gpu: &GpuContext,
    overlay: &OverlayRenderer,
    rgba: &[u8],
    width: u32,
    height: u32,
) -> Vec<u8> {
    let usage = wgpu::TextureUsages::RENDER_ATTACHMENT
        | wgpu::TextureUsages::TEXTURE_BINDING
        | wgpu::TextureUsages::COPY_SRC
        | wgpu::TextureUsages::COPY_DST;
    let target = gpu.device.create_texture(&wgpu::TextureDescriptor {
        view_formats: &[wgpu::TextureFormat::Rgba8UnormSrgb],
        ..texture_2d_descriptor(
            "dressed frame",
            (width, height),
            drape::render::tryon::OUTPUT_FORMAT,
            usage,
        )
    });
    gpu.queue.write_texture(
        target.as_image_copy(),
        rgba,
        wgpu::TexelCopyBufferLayout {
            offset: 0,
            bytes_per_row: Some(width * 4),
            rows_per_image: Some(height),
        },
        target.size(),
    );
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    overlay
        .encode(gpu, &mut encoder, &target)
        .expect("overlay encodes");
    gpu.queue.submit([encoder.finish()]);
    TextureReadback::new().read(gpu, &target).expect("readback")
}

fn pixel(rgba: &[u8], width: u32, x: u32, y: u32) -> [u8; 4] {
    let i = (y as usize * width as usize + x as usize) * 4;
    [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]]
}

/// Fails unless every pixel outside `rect` is exactly as in `before`.
fn assert_unchanged_outside(before: &[u8], after: &[u8], width: u32, rect: &RectPx) {
    let height = (before.len() / 4) as u32 / width;
    let mut changed = 0;
    for y in 0..height {
        for x in 0..width {
            if !rect.contains(x, y) && pixel(before, width, x, y) != pixel(after, width, x, y) {
                changed += 1;
            }
        }
    }
    assert_eq!(
        changed, 0,
        "{changed} pixels outside the card {rect:?} changed"
    );
}

/// The module matrix read back from the image: dark where the module's
/// centre pixel is dark.
fn read_modules(rgba: &[u8], width: u32, image: &CardImage) -> Vec<bool> {
    let place = image.layout.qr.expect("a QR code is placed");
    let mut dark = Vec::new();
    for my in 0..place.modules {
        for mx in 0..place.modules {
            let x = place.rect.x + mx * place.module_px + place.module_px / 2;
            let y = place.rect.y + my * place.module_px + place.module_px / 2;
            dark.push(pixel(rgba, width, x, y)[1] < 128);
        }
    }
    dark
}

/// Fails unless the modules read back are `expected`, saying how many differ.
fn assert_modules(read: &[bool], expected: &[bool]) {
    assert_eq!(read.len(), expected.len(), "module counts differ");
    let wrong = read.iter().zip(expected).filter(|(a, b)| a != b).count();
    assert_eq!(
        wrong,
        0,
        "{wrong} of {} modules read back wrong",
        read.len()
    );
}

/// The qrcode crate's own matrix for `url` (level M), with the quiet zone.
fn expected_modules(url: &str) -> Vec<bool> {
    let code = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M).unwrap();
    let width = code.width();
    let q = QR_QUIET_ZONE_MODULES as usize;
    let side = width + 2 * q;
    let colors = code.to_colors();
    let mut dark = vec![false; side * side];
    for y in 0..width {
        for x in 0..width {
            dark[(y + q) * side + x + q] = colors[y * width + x] == qrcode::Color::Dark;
        }
    }
    dark
}

/// The GPU's overlay on `before` is the CPU reference's within
/// `MAX_CHANNEL_DIFF`.
fn assert_matches_cpu(before: &[u8], after: &[u8], w: u32, h: u32, image: &CardImage) {
    let mut expected = before.to_vec();
    composite_cpu(&mut expected, w, h, image);
    let worst = after
        .iter()
        .zip(&expected)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap();
    assert!(
        worst <= MAX_CHANNEL_DIFF,
        "GPU and CPU differ by up to {worst}"
    );
}

#[test]
fn the_card_matches_the_cpu_reference_and_leaves_the_rest_alone() {
    let gpu = gpu();
    let (w, h) = (640, 480);
    let product = card("Linen shirt", "https://shop.example/p/1234?src=mirror");
    let mut overlay = OverlayRenderer::new(&gpu);
    overlay.set_card(&gpu, Some(&product)).unwrap();
    let before = grey_frame(w, h);
    let after = draw(&gpu, &overlay, &before, w, h);

    let image = CardImage::new(&product, w, h, OverlayCorner::BottomLeft)
        .unwrap()
        .expect("fits");
    let card = image.layout.card;
    assert_eq!(
        card.x,
        (0.03f32 * h as f32).round() as u32,
        "bottom-left, 3% margin"
    );
    assert_eq!(card.y + card.height, h - card.x);
    assert_unchanged_outside(&before, &after, w, &card);

    assert_matches_cpu(&before, &after, w, h, &image);
    // The background, between the QR code and the text: whitened grey.
    let bg_x = image.layout.qr.unwrap().rect.x + image.layout.qr.unwrap().rect.width + 1;
    let bg = pixel(&after, w, bg_x, card.y + card.height / 2);
    let white_ish = |c: u8| {
        let lin = CARD_COLOR[3] + (1.0 - CARD_COLOR[3]) * (128.0f32 / 255.0).powf(2.2);
        c.abs_diff((lin.powf(1.0 / 2.2) * 255.0) as u8) <= 4
    };
    assert!(
        bg[..3].iter().all(|&c| white_ish(c)),
        "card background is {bg:?}"
    );
}

#[test]
fn the_qr_code_reads_back_module_for_module() {
    let gpu = gpu();
    let (w, h) = (640, 480);
    let url = "https://shop.example/p/1234?src=mirror";
    let product = card("Linen shirt", url);
    let mut overlay = OverlayRenderer::new(&gpu);
    overlay.set_card(&gpu, Some(&product)).unwrap();
    let after = draw(&gpu, &overlay, &grey_frame(w, h), w, h);
    let image = CardImage::new(&product, w, h, OverlayCorner::BottomLeft)
        .unwrap()
        .unwrap();
    let place = image.layout.qr.unwrap();
    assert!(place.module_px >= 2, "{} px per module", place.module_px);
    assert_modules(&read_modules(&after, w, &image), &expected_modules(url));
    // Crisp: every pixel of a module has the module's colour.
    for y in place.rect.y..place.rect.y + place.rect.height {
        for x in place.rect.x..place.rect.x + place.rect.width {
            let g = pixel(&after, w, x, y)[1];
            assert!(g < 30 || g == 255, "blurred QR pixel {g} at ({x}, {y})");
        }
    }
}

#[test]
fn the_text_is_dark_where_the_glyphs_are() {
    let gpu = gpu();
    let (w, h) = (640, 480);
    let product = card("Linen shirt", "https://shop.example/p/1");
    let mut overlay = OverlayRenderer::new(&gpu);
    overlay.set_card(&gpu, Some(&product)).unwrap();
    let after = draw(&gpu, &overlay, &grey_frame(w, h), w, h);
    let image = CardImage::new(&product, w, h, OverlayCorner::BottomLeft)
        .unwrap()
        .unwrap();
    let lines: Vec<&str> = image.lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        lines,
        ["Linen shirt", "24.90 EUR", "S \u{b7} M \u{b7} L \u{b7} XL"]
    );
    assert!(
        image.lines[0].size_px > image.lines[1].size_px
            && image.lines[1].size_px > image.lines[2].size_px
    );
    let rect = image.layout.text.unwrap();
    let text = image.text.as_ref().unwrap();
    let mut inked = 0;
    for (i, &ink) in text.coverage.iter().enumerate() {
        let (x, y) = (
            rect.x + i as u32 % text.width,
            rect.y + i as u32 / text.width,
        );
        let g = pixel(&after, w, x, y)[1];
        if ink == 255 {
            assert!(g < 80, "a glyph's pixel at ({x}, {y}) is {g}");
            inked += 1;
        } else if ink == 0 {
            assert!(g > 200, "a pixel between glyphs at ({x}, {y}) is {g}");
        }
    }
    assert!(inked > 200, "only {inked} fully inked pixels");
}

#[test]
fn a_new_card_is_rasterised_again() {
    let gpu = gpu();
    let (w, h) = (640, 480);
    let first = card("Linen shirt", "https://shop.example/p/1");
    let second = card("Wool coat", "https://shop.example/p/2");
    let mut overlay = OverlayRenderer::new(&gpu);
    overlay.set_card(&gpu, Some(&first)).unwrap();
    let before = draw(&gpu, &overlay, &grey_frame(w, h), w, h);
    overlay.set_card(&gpu, Some(&second)).unwrap();
    assert_eq!(overlay.card(), Some(&second));
    let after = draw(&gpu, &overlay, &grey_frame(w, h), w, h);
    let image = CardImage::new(&second, w, h, OverlayCorner::BottomLeft)
        .unwrap()
        .unwrap();
    assert_modules(
        &read_modules(&after, w, &image),
        &expected_modules(&second.url),
    );
    assert_ne!(
        read_modules(&before, w, &image),
        read_modules(&after, w, &image)
    );
}

#[test]
fn without_a_card_the_frame_is_unchanged() {
    let gpu = gpu();
    let (w, h) = (640, 480);
    let frame = grey_frame(w, h);
    let mut overlay = OverlayRenderer::new(&gpu);
    assert_eq!(draw(&gpu, &overlay, &frame, w, h), frame);
    overlay
        .set_card(&gpu, Some(&card("Tee", "https://shop.example/p/1")))
        .unwrap();
    overlay.set_card(&gpu, None).unwrap();
    assert_eq!(draw(&gpu, &overlay, &frame, w, h), frame);
}

#[test]
fn a_full_hd_frame_gets_a_bigger_card() {
    let gpu = gpu();
    let product = card("Linen shirt", "https://shop.example/p/1234?src=mirror");
    let small = CardImage::new(&product, 640, 480, OverlayCorner::BottomLeft)
        .unwrap()
        .unwrap();
    let (w, h) = (1920, 1080);
    let big = CardImage::new(&product, w, h, OverlayCorner::BottomLeft)
        .unwrap()
        .unwrap();
    let ratio = big.layout.card.height as f32 / small.layout.card.height as f32;
    assert!(
        (ratio - 1080.0 / 480.0).abs() < 0.1,
        "card height ratio {ratio}"
    );
    assert!(big.layout.qr.unwrap().module_px > small.layout.qr.unwrap().module_px);
    assert!(big.lines[0].size_px > 2.0 * small.lines[0].size_px);

    let mut overlay = OverlayRenderer::new(&gpu);
    overlay.set_card(&gpu, Some(&product)).unwrap();
    let before = grey_frame(w, h);
    let after = draw(&gpu, &overlay, &before, w, h);
    assert_unchanged_outside(&before, &after, w, &big.layout.card);
    assert_modules(
        &read_modules(&after, w, &big),
        &expected_modules(&product.url),
    );
    assert_matches_cpu(&before, &after, w, h, &big);
}

#[test]
fn a_very_long_name_is_ellipsised_inside_the_card() {
    let gpu = gpu();
    let (w, h) = (640, 480);
    let name = "Extraordinarily long organic cotton oversized hooded sweatshirt with kangaroo pocket, limited edition";
    let product = card(name, "https://shop.example/p/1");
    let image = CardImage::new(&product, w, h, OverlayCorner::BottomLeft)
        .unwrap()
        .unwrap();
    assert!(
        image.lines[0].text.ends_with('\u{2026}'),
        "{:?}",
        image.lines[0].text
    );
    let layout = image.layout;
    assert!(layout.card.encloses(&layout.text.unwrap()));
    assert!(
        layout.card.width as f32 <= MAX_WIDTH_FRACTION * w as f32,
        "{:?}",
        layout.card
    );

    let mut overlay = OverlayRenderer::new(&gpu);
    overlay.set_card(&gpu, Some(&product)).unwrap();
    let before = grey_frame(w, h);
    let after = draw(&gpu, &overlay, &before, w, h);
    assert_unchanged_outside(&before, &after, w, &layout.card);
}

#[test]
fn an_empty_url_draws_the_card_without_a_code() {
    let gpu = gpu();
    let (w, h) = (640, 480);
    let product = card("Linen shirt", "");
    let image = CardImage::new(&product, w, h, OverlayCorner::BottomLeft)
        .unwrap()
        .unwrap();
    assert!(image.layout.qr.is_none() && image.qr.is_none());
    let mut overlay = OverlayRenderer::new(&gpu);
    overlay.set_card(&gpu, Some(&product)).unwrap();
    let before = grey_frame(w, h);
    let after = draw(&gpu, &overlay, &before, w, h);
    assert_unchanged_outside(&before, &after, w, &image.layout.card);
    assert_matches_cpu(&before, &after, w, h, &image);
    // The card's left part, where a code would be, is background.
    let card = image.layout.card;
    assert_ne!(pixel(&after, w, card.x + card.width / 2, card.y + 2), GREY);
}

#[test]
fn the_card_can_sit_in_another_corner() {
    let gpu = gpu();
    let (w, h) = (640, 480);
    let product = card("Tee", "https://shop.example/p/1");
    let mut overlay = OverlayRenderer::new(&gpu);
    overlay.set_card(&gpu, Some(&product)).unwrap();
    overlay.set_corner(OverlayCorner::TopRight);
    let before = grey_frame(w, h);
    let after = draw(&gpu, &overlay, &before, w, h);
    let image = CardImage::new(&product, w, h, OverlayCorner::TopRight)
        .unwrap()
        .unwrap();
    let card = image.layout.card;
    assert_eq!(
        (card.y, card.x + card.width),
        (card.y, w - card.y),
        "top-right, same margins"
    );
    assert_unchanged_outside(&before, &after, w, &card);
    assert_modules(
        &read_modules(&after, w, &image),
        &expected_modules(&product.url),
    );
}

#[test]
fn a_url_too_long_for_a_qr_code_is_an_error() {
    let gpu = gpu();
    let mut overlay = OverlayRenderer::new(&gpu);
    let url = format!("https://shop.example/{}", "x".repeat(4000));
    assert!(overlay.set_card(&gpu, Some(&card("Tee", &url))).is_err());
    assert_eq!(overlay.card(), None);
}
