//! The fuzz targets' bodies, shared by cargo-fuzz (`fuzz_targets/*.rs`,
//! with coverage guidance and sanitizers, on nightly) and by the in-process
//! smoke run in `cargo test` (`tests/fuzz.rs` includes this file as a
//! module; it runs every seed and a few thousand mutations on stable).
//!
//! Each function takes any bytes and panics only when the library breaks
//! its contract: a panic inside drape, or a result that contradicts what
//! drape documents (frames of the wrong size, indices past the vertices,
//! weights that do not sum to one, ...). Errors are fine; they are the
//! point. Each returns whether the input was accepted (read to its end
//! without an error, loaded, parsed), so that tests can check that the
//! seeds named `ok-*` still are.
//!
//! Only `drape`, `glam`, `image` and the standard library are used, so the
//! file compiles in both crates.

use std::io::{Cursor, Read};
use std::path::Path;

use drape::capture::y4m::Y4mHeader;
use drape::capture::{ColorMatrix, ColorRange, ColorSpace, FrameSource, RawSource, Y4mSource};
use drape::garment::catalog::{Catalog, CatalogError, GarmentKind, PhotoAnchors};
use drape::garment::gltf_load::{
    load_garment_from_slice, GarmentModel, GltfError, GltfOptions, Limits,
};
use drape::garment::photo::{photo_garment, PhotoGarment, MAX_PHOTO_SIDE_PX};
use drape::garment::RigJoint;
use drape::PixelFormat;
use glam::Vec2;

/// The TFLite reader (`parse_model`): a model it gives must be
/// consistent for the executors (every op's tensors exist).
pub fn tflite_reader(bytes: &[u8]) -> bool {
    let Ok(model) = drape::nn::tflite::parse_model(bytes, "fuzz") else {
        return false;
    };
    for op in &model.ops {
        for &id in op.inputs.iter().chain(&op.outputs) {
            assert!(id < model.tensors.len());
        }
    }
    let _ = model.macs();
    true
}

/// Frames read from one input at most: enough to cover every path of the
/// readers, few enough that a long stream of tiny frames stays fast.
const MAX_FRAMES: usize = 64;
/// Skin weights are normalised in f32; four of them sum to one this closely.
const WEIGHT_SUM_TOLERANCE: f32 = 1e-4;

/// A reader that hands out its bytes a few at a time (1 to 7 per call) and
/// now and then fails with `Interrupted`, as a pipe may: a reader must give
/// exactly what it gives over one big buffer.
pub struct Trickle {
    bytes: Vec<u8>,
    at: usize,
    calls: usize,
}

impl Trickle {
    pub fn new(bytes: &[u8]) -> Trickle {
        Trickle {
            bytes: bytes.to_vec(),
            at: 0,
            calls: 0,
        }
    }
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.calls += 1;
        if self.calls.is_multiple_of(5) {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        let n = (self.calls % 7 + 1)
            .min(buf.len())
            .min(self.bytes.len() - self.at);
        buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// What a source gave, frame by frame, in a comparable form: each frame's
/// format, size, colour space, index, timestamp and bytes, then how it
/// ended (`None`: cleanly; `Some(message)`: an error).
#[derive(Debug, PartialEq)]
pub struct Reading {
    pub frames: Vec<FrameSummary>,
    pub end: Option<String>,
}

/// One frame of a [`Reading`].
#[derive(Debug, PartialEq)]
pub struct FrameSummary {
    pub format: PixelFormat,
    pub width: u32,
    pub height: u32,
    pub color_space: ColorSpace,
    pub index: u64,
    pub timestamp_ns: u128,
    pub data: Vec<u8>,
}

/// Reads up to [`MAX_FRAMES`] frames and checks what every source
/// promises: frames of `format.frame_len` bytes at the source's size,
/// numbered in order, timestamps that never go back, and after the end or
/// an error only `None`.
fn read_all(source: &mut dyn FrameSource) -> Reading {
    let (width, height) = (source.info().width, source.info().height);
    let mut frames: Vec<FrameSummary> = Vec::new();
    let mut end = None;
    for _ in 0..MAX_FRAMES {
        match source.next_frame() {
            Ok(Some(frame)) => {
                assert_eq!((frame.width, frame.height), (width, height));
                assert_eq!(
                    frame.data.len(),
                    frame.format.frame_len(frame.width, frame.height)
                );
                assert_eq!(frame.index, frames.len() as u64, "frames out of order");
                let timestamp_ns = frame.timestamp.as_nanos();
                if let Some(last) = frames.last() {
                    assert!(timestamp_ns >= last.timestamp_ns, "time went back");
                }
                frames.push(FrameSummary {
                    format: frame.format,
                    width: frame.width,
                    height: frame.height,
                    color_space: frame.color_space,
                    index: frame.index,
                    timestamp_ns,
                    data: frame.data,
                });
            }
            Ok(None) => break,
            Err(error) => {
                let message = error.to_string();
                assert!(!message.is_empty());
                end = Some(message);
                break;
            }
        }
    }
    if frames.len() < MAX_FRAMES {
        // The end, clean or not, is final.
        assert!(
            matches!(source.next_frame(), Ok(None)),
            "a frame after the end"
        );
    }
    Reading { frames, end }
}

/// The y4m reader (`Y4mSource::from_reader`) over any bytes, whole and in
/// trickles; and the header parser, whose result must survive `to_line`.
pub fn y4m_reader(bytes: &[u8]) -> bool {
    let open = |reader: Box<dyn Read + Send>| {
        Y4mSource::from_reader(reader, "fuzz".into()).map(|mut source| {
            let header = *source.header();
            let reading = read_all(&mut source);
            if let Some(first) = reading.frames.first() {
                assert_eq!(first.format, header.format);
                assert_eq!(first.color_space.matrix, ColorMatrix::Bt601);
                assert_eq!(first.color_space.range, header.range);
            }
            (header, reading)
        })
    };
    let whole = open(Box::new(Cursor::new(bytes.to_vec())));
    let trickled = open(Box::new(Trickle::new(bytes)));
    match (&whole, &trickled) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "short reads changed the frames"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("short reads changed the outcome: {whole:?} vs {trickled:?}"),
    }

    let line_end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let line = String::from_utf8_lossy(&bytes[..line_end]);
    if let Ok(header) = Y4mHeader::parse(&line) {
        assert!(header.width >= 1 && header.height >= 1);
        assert!(header.fps_num >= 1 && header.fps_den >= 1);
        assert!(Y4mHeader::supports_format(header.format));
        let again = Y4mHeader::parse(&header.to_line()).expect("to_line parses");
        assert_eq!(again, header, "to_line lost something");
    }
    matches!(whole, Ok((_, Reading { end: None, .. })))
}

/// Frame rates the raw reader is given, good and bad.
const RAW_FPS: [f64; 8] = [
    30.0,
    0.0,
    -1.0,
    f64::NAN,
    f64::INFINITY,
    1e-300,
    1e300,
    12.5,
];

/// A raw frame's side from one byte: mostly small, sometimes 0 or past
/// the largest allowed (16384), which the constructor must refuse.
fn raw_side(byte: u8) -> u32 {
    match byte {
        0 => 0,
        255 => 16385,
        254 => 16384,
        b => u32::from(b % 40) + 1,
    }
}

/// The raw reader (`RawSource`). The first 5 bytes choose the format,
/// width, height, frame rate and colour space; the rest is the stream.
/// Frames must be exactly the stream cut into `frame_len` pieces; a
/// partial last piece is a `Truncated` error.
pub fn raw_reader(bytes: &[u8]) -> bool {
    let Some((head, stream)) = bytes.split_first_chunk::<5>() else {
        return false;
    };
    let format = PixelFormat::ALL[usize::from(head[0]) % PixelFormat::ALL.len()];
    let (width, height) = (raw_side(head[1]), raw_side(head[2]));
    let fps = RAW_FPS[usize::from(head[3]) % RAW_FPS.len()];
    let color_space = ColorSpace {
        matrix: [ColorMatrix::Bt601, ColorMatrix::Bt709][usize::from(head[4] & 1)],
        range: [ColorRange::Limited, ColorRange::Full][usize::from(head[4] >> 1 & 1)],
    };
    let open = |reader: Box<dyn Read + Send>| {
        RawSource::new(reader, "fuzz".into(), format, width, height, fps)
            .map(|source| read_all(&mut source.with_color_space(color_space)))
    };
    let whole = open(Box::new(Cursor::new(stream.to_vec())));
    let trickled = open(Box::new(Trickle::new(stream)));
    let reading = match (whole, trickled) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "short reads changed the frames");
            a
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string());
            let valid_side = |side| (1..=16384).contains(&side);
            assert!(!(valid_side(width) && valid_side(height) && fps.is_finite() && fps > 0.0));
            return false;
        }
        (a, b) => panic!("short reads changed the outcome: {a:?} vs {b:?}"),
    };
    let frame_len = format.frame_len(width, height);
    let whole_frames = stream.len() / frame_len;
    let expected: Vec<&[u8]> = stream.chunks(frame_len).take(MAX_FRAMES).collect();
    for (frame, bytes) in reading.frames.iter().zip(&expected) {
        assert_eq!(frame.data, *bytes);
        assert_eq!(frame.color_space, color_space);
    }
    assert_eq!(reading.frames.len(), whole_frames.min(MAX_FRAMES));
    if whole_frames < MAX_FRAMES {
        let partial = !stream.len().is_multiple_of(frame_len);
        assert_eq!(reading.end.is_some(), partial, "{:?}", reading.end);
    }
    reading.end.is_none()
}

/// Limits for fuzzing: the defaults' rules, at sizes that keep one input
/// fast (a hostile file may ask for up to the limits).
pub fn fuzz_limits() -> Limits {
    Limits {
        max_file_bytes: 4 << 20,
        max_vertices: 100_000,
        max_indices: 300_000,
        max_texture_side: 256,
        max_json_values: 50_000,
        ..Limits::default()
    }
}

/// glTF/GLB bytes through `load_garment_from_slice`, external files
/// resolved in `base_dir` (which holds a .bin and a .png the seeds use).
/// Loaded as an accessory; a file that loads is loaded again as a garment,
/// which must give the same model or refuse it for having no skin.
pub fn gltf_loader(bytes: &[u8], base_dir: &Path) -> bool {
    let options = |require_skin| GltfOptions {
        require_skin,
        limits: fuzz_limits(),
    };
    match load_garment_from_slice(bytes, Some(base_dir), options(false)) {
        Ok(model) => {
            check_model(&model, &fuzz_limits());
            match load_garment_from_slice(bytes, Some(base_dir), options(true)) {
                Ok(garment) => assert_eq!(garment, model),
                Err(GltfError::NoSkin { .. }) => {}
                Err(other) => panic!("loads as an accessory but not as a garment: {other}"),
            }
            true
        }
        Err(error) => {
            assert!(!error.to_string().is_empty());
            false
        }
    }
}

/// What `GarmentModel` documents, checked.
pub fn check_model(model: &GarmentModel, limits: &Limits) {
    assert!(!model.primitives.is_empty());
    let joint_count = model.skin.as_ref().map_or(0, |skin| {
        assert_eq!(skin.inverse_bind.len(), skin.joints.len());
        assert_eq!(skin.bind_global.len(), skin.joints.len());
        let mut joints = skin.joints.clone();
        joints.sort_by_key(|&joint| joint as usize);
        assert_eq!(
            joints,
            RigJoint::ALL,
            "a skin must have exactly the rig's joints"
        );
        skin.joints.len()
    });
    for primitive in &model.primitives {
        let n = primitive.positions.len();
        assert!(n > 0 || primitive.indices.is_empty());
        assert_eq!(primitive.normals.len(), n);
        assert_eq!(primitive.uvs.len(), n);
        if let Some(tangents) = &primitive.tangents {
            assert_eq!(tangents.len(), n);
        }
        assert!(primitive.positions.iter().all(|p| p.is_finite()));
        assert!(primitive.normals.iter().all(|v| v.is_finite()));
        assert!(primitive.uvs.iter().all(|v| v.is_finite()));
        assert!(primitive.indices.len().is_multiple_of(3));
        assert!(primitive.indices.iter().all(|&i| (i as usize) < n));
        assert!(primitive.material < model.materials.len());
        if model.skin.is_some() {
            assert_eq!(primitive.joints.len(), n);
            assert_eq!(primitive.weights.len(), n);
            for (joints, weights) in primitive.joints.iter().zip(&primitive.weights) {
                assert!(joints.iter().all(|&j| usize::from(j) < joint_count));
                check_weights(weights);
            }
        } else {
            assert!(primitive.joints.is_empty() && primitive.weights.is_empty());
        }
    }
    for texture in &model.textures {
        assert!(texture.width <= limits.max_texture_side);
        assert!(texture.height <= limits.max_texture_side);
        assert_eq!(
            texture.rgba8.len(),
            texture.width as usize * texture.height as usize * 4
        );
    }
    for material in &model.materials {
        let sheen = material.sheen.iter();
        let textures = [
            material.base_color_texture,
            material.metallic_roughness_texture,
            material.normal_texture,
            material.occlusion_texture,
        ]
        .into_iter()
        .chain(sheen.flat_map(|s| [s.color_texture, s.roughness_texture]));
        for texture in textures.flatten() {
            assert!(texture.texture < model.textures.len());
        }
        assert!((0.0..=1.0).contains(&material.occlusion_strength));
    }
}

/// Four weights, each in 0..=1, summing to one.
fn check_weights(weights: &[f32; 4]) {
    assert!(
        weights.iter().all(|w| (0.0..=1.0).contains(w)),
        "weights {weights:?}"
    );
    let sum: f32 = weights.iter().sum();
    assert!(
        (sum - 1.0).abs() <= WEIGHT_SUM_TOLERANCE,
        "weights {weights:?} sum to {sum}"
    );
}

/// Bytes of the photo target's header: size, flags, 7 anchors × (x, y)
/// × 4 bytes.
pub const PHOTO_HEADER_LEN: usize = 3 + 7 * 2 * 4;

/// Photo garments (`photo_garment`): the silhouette and anchor finder on
/// an RGBA image, or given anchors checked and used.
///
/// Layout: width and height (each 0..=96 px), flags (bit 0: anchors given;
/// bits 1-3: neckline, left and right sleeve end given; bit 4: anchors
/// are raw f32, else i16 eighths of a pixel), then 7 anchors as x, y
/// (left and right shoulder, left and right hip, neckline, left and right
/// sleeve end), 4 bytes each; then one alpha byte a pixel, row by row
/// (missing ones are transparent).
pub fn photo_anchors(bytes: &[u8]) -> bool {
    let mut header = [0u8; PHOTO_HEADER_LEN];
    let n = bytes.len().min(PHOTO_HEADER_LEN);
    header[..n].copy_from_slice(&bytes[..n]);
    let alpha = &bytes[n..];
    let (width, height) = (u32::from(header[0] % 97), u32::from(header[1] % 97));
    let flags = header[2];
    let number = |at: usize| {
        let b = &header[3 + 4 * at..7 + 4 * at];
        if flags & 16 != 0 {
            f32::from_le_bytes([b[0], b[1], b[2], b[3]])
        } else {
            f32::from(i16::from_le_bytes([b[0], b[1]])) / 8.0
        }
    };
    let point = |k: usize| Vec2::new(number(2 * k), number(2 * k + 1));
    let optional = |bit: u8, k: usize| (flags & bit != 0).then(|| point(k));
    let anchors = (flags & 1 != 0).then(|| PhotoAnchors {
        left_shoulder: point(0),
        right_shoulder: point(1),
        left_hip: point(2),
        right_hip: point(3),
        neckline: optional(2, 4),
        left_sleeve_end: optional(4, 5),
        right_sleeve_end: optional(8, 6),
    });
    let image = image::RgbaImage::from_fn(width, height, |x, y| {
        let a = alpha
            .get((y * width + x) as usize)
            .copied()
            .unwrap_or_default();
        image::Rgba([a, a.wrapping_mul(3), 255 - a, a])
    });
    photo(&image, anchors.as_ref()).is_some()
}

/// Makes a photo garment and checks it; returns it if it was made.
pub fn photo(image: &image::RgbaImage, anchors: Option<&PhotoAnchors>) -> Option<PhotoGarment> {
    let garment = match photo_garment(image, anchors, "fuzz") {
        Ok(garment) => garment,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return None;
        }
    };
    let (width, height) = (image.width() as f32, image.height() as f32);
    assert!(image.width() <= MAX_PHOTO_SIDE_PX && image.height() <= MAX_PHOTO_SIDE_PX);
    let used = garment.anchors;
    if let Some(given) = anchors {
        // Given anchors are used as they are.
        assert_eq!(used.left_shoulder, given.left_shoulder);
        assert_eq!(used.right_shoulder, given.right_shoulder);
        assert_eq!(used.left_hip, given.left_hip);
        assert_eq!(used.right_hip, given.right_hip);
        for (found, given) in [
            (used.neckline, given.neckline),
            (used.left_sleeve_end, given.left_sleeve_end),
            (used.right_sleeve_end, given.right_sleeve_end),
        ] {
            if given.is_some() {
                assert_eq!(found, given);
            }
        }
    }
    for (name, point) in used.named() {
        if let Some(p) = point {
            let inside = (0.0..=width).contains(&p.x) && (0.0..=height).contains(&p.y);
            assert!(inside, "{name} {p} outside {width}x{height}");
        }
    }
    assert!(used.left_shoulder.x > used.right_shoulder.x);
    assert!(used.left_hip.x > used.right_hip.x);
    let model = &garment.model;
    check_model(model, &Limits::default());
    assert_eq!(model.primitives.len(), 1);
    assert_eq!(model.textures.len(), 1);
    assert_eq!(
        (model.textures[0].width, model.textures[0].height),
        (image.width(), image.height())
    );
    let skin = model.skin.as_ref().expect("a photo garment is skinned");
    assert_eq!(skin.joints, RigJoint::ALL);
    assert!(skin.inverse_bind.iter().all(|m| m.is_finite()));
    assert!(garment.bind.heads.iter().all(|head| head.is_finite()));
    let primitive = &model.primitives[0];
    assert!(!primitive.indices.is_empty(), "a garment with no triangles");
    for uv in &primitive.uvs {
        assert!((0.0..=1.0).contains(&uv.x) && (0.0..=1.0).contains(&uv.y));
    }
    Some(garment)
}

/// A plain T-shirt silhouette (torso, two sleeves, a neck notch) on a
/// transparent background: the image a catalog's photo anchors are tried
/// on. 120 × 100 px; its shoulders are near (80, 20) and (40, 20).
pub fn tee_image() -> image::RgbaImage {
    image::RgbaImage::from_fn(120, 100, |x, y| {
        let (x, y) = (x as f32 + 0.5, y as f32 + 0.5);
        let torso = (40.0..80.0).contains(&x) && (20.0..95.0).contains(&y);
        let neck = Vec2::new(x, y).distance(Vec2::new(60.0, 20.0)) < 8.0;
        // Sleeves: bands going out and down from the shoulders.
        let out = (x - 60.0).abs() - 20.0;
        let sleeve = (0.0..35.0).contains(&out) && (0.0..16.0).contains(&(y - 20.0 - 0.7 * out));
        let on = (torso && !neck) || sleeve;
        image::Rgba([200, 60, 40, if on { 255 } else { 0 }])
    })
}

/// The catalog manifest (`Catalog::parse`) over any text, as if it lay at
/// `manifest_path` (whose folder holds the asset files the seeds name).
/// A catalog that parses must keep its promises; its photo garments'
/// anchors are then tried on `tee` (see [`tee_image`]).
pub fn catalog(bytes: &[u8], manifest_path: &Path, tee: &image::RgbaImage) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let catalog = match Catalog::parse(&text, manifest_path) {
        Ok(catalog) => catalog,
        Err(error) => {
            let CatalogError::Invalid { problems, .. } = &error else {
                panic!("parse gave an I/O error: {error}");
            };
            assert!(!problems.is_empty(), "an invalid catalog with no problem");
            let lines = text.split('\n').count();
            let mut last = (0, 0);
            for problem in problems {
                assert!(problem.line >= 1 && problem.column >= 1);
                assert!(problem.line <= lines, "{problem:?} past the last line");
                assert!((problem.line, problem.column) >= last, "unsorted problems");
                last = (problem.line, problem.column);
                assert!(!problem.message.is_empty());
            }
            return false;
        }
    };
    assert!(!catalog.garments.is_empty());
    assert!(catalog.default_entry().is_some(), "no default garment");
    for (index, entry) in catalog.garments.iter().enumerate() {
        let later = &catalog.garments[index + 1..];
        assert!(
            later.iter().all(|other| other.id != entry.id),
            "duplicate id"
        );
        assert!(
            later.iter().all(|other| other.sku != entry.sku),
            "duplicate sku"
        );
        assert!(!entry.id.is_empty());
        let id_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        assert!(entry.id.chars().all(id_char), "id {:?}", entry.id);
        assert!(entry.price.minor_units >= 0);
        assert!(entry.asset.is_file());
        assert!(entry.anchors.is_none() || entry.kind == GarmentKind::Photo);
        assert_eq!(entry.attach.is_some(), entry.kind == GarmentKind::Accessory);
        assert!(entry.cloth.is_none() || entry.kind == GarmentKind::Mesh);
        if let Some(attach) = &entry.attach {
            assert!((0.1..=10.0).contains(&attach.scale));
            assert!(attach.offset_m.is_finite());
        }
        if let Some(anchors) = &entry.anchors {
            photo(tee, Some(anchors));
        }
    }
    true
}
