//! The fuzz seeds, made here: small valid inputs of every kind each reader
//! takes, and a few broken ones. `tests/fuzz.rs` checks that the files in
//! `fuzz/seeds/` are what this makes (`DRAPE_BLESS=1` rewrites them).
//!
//! Seeds named `ok-*` must be accepted; the rest must be refused or read
//! in part, without a panic.

use std::f64::consts::FRAC_1_SQRT_2;
use std::path::PathBuf;

use drape::capture::y4m::Y4mHeader;
use drape::capture::ColorRange;
use drape::garment::{RestSkeleton, RigJoint};
use drape::PixelFormat;
use glam::{Mat4, Vec2, Vec3};
use serde_json::{json, Value};

use crate::common::gltf::{base64, box_positions, glb, rig_names, rig_nodes, Bin, BOX_INDICES};

/// Every seed file: its path from the repository root and its bytes.
pub fn all() -> Vec<(PathBuf, Vec<u8>)> {
    let raw_seeds = raw();
    let raw = raw_seeds
        .iter()
        .map(|(n, b)| (n.as_str(), b.clone()))
        .collect();
    [
        ("y4m_reader", y4m()),
        ("raw_reader", raw),
        ("gltf_loader", gltf()),
        ("gltf_files", gltf_files()),
        ("catalog", catalog()),
        ("photo_anchors", photo()),
    ]
    .into_iter()
    .flat_map(|(folder, items)| {
        items
            .into_iter()
            .map(move |(name, bytes)| (PathBuf::from("fuzz/seeds").join(folder).join(name), bytes))
    })
    .collect()
}

/// Bytes that change from pixel to pixel and frame to frame.
fn pattern(len: usize, frame: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + frame * 31) as u8).collect()
}

fn y4m_stream(header: &str, frames: &[&str], frame_len: usize) -> Vec<u8> {
    let mut out = header.as_bytes().to_vec();
    for (index, frame_line) in frames.iter().enumerate() {
        out.extend_from_slice(frame_line.as_bytes());
        out.extend(pattern(frame_len, index));
    }
    out
}

fn y4m() -> Vec<(&'static str, Vec<u8>)> {
    let written = Y4mHeader {
        width: 8,
        height: 6,
        fps_num: 30,
        fps_den: 1,
        format: PixelFormat::I420,
        range: ColorRange::Limited,
    };
    let two_frames = y4m_stream(
        &written.to_line(),
        &["FRAME\n", "FRAME\n"],
        written.frame_len(),
    );
    let mut cut = two_frames.clone();
    cut.truncate(cut.len() - 20);
    vec![
        ("ok-420-two-frames.y4m", two_frames),
        (
            "ok-420-odd-size.y4m",
            // 7x5: chroma planes of 4x3, rounded up.
            y4m_stream(
                "YUV4MPEG2 W7 H5 F30000:1001 It A1:1 C420mpeg2 XYSCSS=420MPEG2\n",
                &["FRAME Ixyz Xextra\n"],
                7 * 5 + 2 * 4 * 3,
            ),
        ),
        (
            "ok-444-full-range.y4m",
            y4m_stream(
                "YUV4MPEG2 W5 H3 F25:1 C444 XCOLORRANGE=FULL\n",
                &["FRAME\n", "FRAME\n"],
                5 * 3 * 3,
            ),
        ),
        (
            "ok-mono-unknown-rate.y4m",
            y4m_stream(
                "YUV4MPEG2 H2 W3 F0:0 Cmono\n",
                &["FRAME\n", "FRAME\n", "FRAME\n"],
                3 * 2,
            ),
        ),
        ("ok-header-only.y4m", b"YUV4MPEG2 W2 H2\n".to_vec()),
        ("cut-inside-a-frame.y4m", cut),
        (
            "colourspace-422.y4m",
            y4m_stream("YUV4MPEG2 W4 H2 C422\n", &["FRAME\n"], 16),
        ),
        (
            "no-frame-line.y4m",
            y4m_stream("YUV4MPEG2 W2 H2 C420\n", &["FRAMX\n"], 6),
        ),
        ("not-y4m.y4m", b"P6\n2 2\n255\n\x01\x02\x03".to_vec()),
    ]
}

/// The 5 header bytes of `drape_fuzz::raw_reader`: format (its index in
/// `PixelFormat::ALL`), width and height (byte b: b % 40 + 1 px), frame
/// rate (index into its list: 0 is 30 fps, 3 NaN) and colour space.
fn raw_input(format: usize, width: u8, height: u8, fps: u8, color: u8, stream: Vec<u8>) -> Vec<u8> {
    let mut out = vec![format as u8, width, height, fps, color];
    out.extend(stream);
    out
}

fn raw() -> Vec<(String, Vec<u8>)> {
    // 5x3 frames: odd sizes, so the 4:2:x formats round up.
    let (width_byte, height_byte) = (4, 2);
    let mut seeds: Vec<(String, Vec<u8>)> = PixelFormat::ALL
        .iter()
        .enumerate()
        .map(|(index, format)| {
            let frame_len = format.frame_len(5, 3);
            let stream = [pattern(frame_len, 0), pattern(frame_len, 1)].concat();
            let color = (index % 4) as u8;
            let input = raw_input(index, width_byte, height_byte, 0, color, stream);
            (format!("ok-{format}-two-frames.bin"), input)
        })
        .collect();
    let rgba = PixelFormat::ALL
        .iter()
        .position(|&f| f == PixelFormat::Rgba8);
    let rgba = rgba.expect("rgba is a format");
    seeds.push((
        "cut-inside-a-frame.bin".into(),
        raw_input(
            rgba,
            width_byte,
            height_byte,
            0,
            0,
            pattern(5 * 3 * 4 + 7, 0),
        ),
    ));
    seeds.push((
        "nan-frame-rate.bin".into(),
        raw_input(rgba, width_byte, height_byte, 3, 0, pattern(60, 0)),
    ));
    seeds.push((
        "too-wide.bin".into(),
        raw_input(rgba, 255, height_byte, 0, 0, pattern(60, 0)),
    ));
    seeds
}

/// Buffer views and accessors for a seed: its asset names the generator,
/// and positions carry the bounds glTF requires.
fn seed_bin() -> Bin {
    Bin {
        generator: Some("drape fuzz seeds"),
        bounds: Some(([-1.0, -1.0, -1.0], [1.0, 2.0, 1.0])),
        ..Bin::default()
    }
}

fn box_uvs() -> Vec<f32> {
    (0..8).flat_map(|i| [i as f32 / 8.0, 0.25]).collect()
}

/// A skinned box (node 0) on the rig (nodes 1..=19), textured with a PNG
/// stored in the binary chunk: the bottom follows the spine, the top is
/// shared between spine and chest.
fn garment_glb() -> Vec<u8> {
    let mut bin = seed_bin();
    let position = bin.floats(&box_positions(), "VEC3");
    let uv = bin.floats(&box_uvs(), "VEC2");
    let indices = bin.u16s(&BOX_INDICES, "SCALAR");
    let (spine, chest) = (RigJoint::Spine as u8, RigJoint::Chest as u8);
    let (joints, weights) = bin.box_skin(spine, chest, 0.5);
    let rest = RestSkeleton::reference();
    let inverse_bind: Vec<f32> = RigJoint::ALL
        .iter()
        .flat_map(|&joint| Mat4::from_translation(-rest.head(joint)).to_cols_array())
        .collect();
    let inverse_bind = bin.floats(&inverse_bind, "MAT4");
    let image_view = bin.view(&png(
        2,
        2,
        &[
            255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 128,
        ],
    ));
    let mut nodes = vec![json!({"name": "shirt", "mesh": 0, "skin": 0})];
    nodes.extend(rig_nodes(&rig_names(), 1));
    let root = bin.root(
        None,
        json!({
            "scene": 0,
            "scenes": [{"nodes": [0, 1]}],
            "nodes": nodes,
            "meshes": [{"name": "shirt", "primitives": [{
                "attributes": {"POSITION": position, "TEXCOORD_0": uv, "JOINTS_0": joints, "WEIGHTS_0": weights},
                "indices": indices,
                "material": 0,
            }]}],
            "skins": [{"joints": (1..=RigJoint::ALL.len()).collect::<Vec<_>>(), "inverseBindMatrices": inverse_bind}],
            "materials": [{
                "name": "jersey",
                "pbrMetallicRoughness": {"baseColorTexture": {"index": 0}, "metallicFactor": 0.0},
                "alphaMode": "MASK",
                "alphaCutoff": 0.4,
                "doubleSided": true,
            }],
            "textures": [{"source": 0, "sampler": 0}],
            "samplers": [{"wrapS": 33071, "wrapT": 33648, "magFilter": 9728, "minFilter": 9985}],
            "images": [{"bufferView": image_view, "mimeType": "image/png"}],
        }),
    );
    glb(&root, &bin.bytes)
}

/// An unskinned box under a parent node (translated, scaled), with
/// normals, a sheen material and a sampler.
fn accessory(bin: &mut Bin, images: Value) -> Value {
    let position = bin.floats(&box_positions(), "VEC3");
    let normals: Vec<f32> = box_positions()
        .chunks(3)
        .flat_map(|p| Vec3::new(p[0], p[1] - 1.2, p[2]).normalize().to_array())
        .collect();
    let normal = bin.floats(&normals, "VEC3");
    let uv = bin.floats(&box_uvs(), "VEC2");
    let indices = bin.u16s(&BOX_INDICES, "SCALAR");
    json!({
        "scenes": [{"nodes": [0]}],
        "nodes": [
            {"name": "anchor", "translation": [0.0, 1.0, 0.0], "children": [1]},
            {"name": "hat", "mesh": 0, "translation": [0.0, 0.6, 0.1], "scale": [2.0, 2.0, 2.0]},
        ],
        "meshes": [{"name": "hat", "primitives": [{
            "attributes": {"POSITION": position, "NORMAL": normal, "TEXCOORD_0": uv},
            "indices": indices,
            "material": 0,
        }]}],
        "materials": [{
            "name": "felt",
            "pbrMetallicRoughness": {
                "baseColorFactor": [0.5, 0.2, 0.1, 1.0],
                "baseColorTexture": {"index": 0},
                "metallicRoughnessTexture": {"index": 0},
            },
            "normalTexture": {"index": 0, "scale": 0.5},
            "occlusionTexture": {"index": 0, "strength": 0.8},
            "extensions": {"KHR_materials_sheen": {
                "sheenColorFactor": [1.0, 0.9, 0.8],
                "sheenRoughnessFactor": 0.5,
                "sheenColorTexture": {"index": 0},
            }},
        }],
        "extensionsUsed": ["KHR_materials_sheen"],
        "textures": [{"source": 0, "sampler": 0}],
        "samplers": [{"wrapS": 33071, "minFilter": 9987}],
        "images": images,
    })
}

/// A mirrored (negative scale), unindexed triangle with normals and
/// tangents: the loader bakes the transform and flips the winding.
fn mirrored_triangle_glb() -> Vec<u8> {
    let mut bin = seed_bin();
    let position = bin.floats(&[0.0, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0, 0.1, 0.0], "VEC3");
    let normal = bin.floats(&[0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0], "VEC3");
    let tangent = bin.floats(
        &[1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, -1.0],
        "VEC4",
    );
    let root = bin.root(
        None,
        json!({
            "scenes": [{"nodes": [0]}],
            "nodes": [{"mesh": 0, "scale": [-1.0, 1.0, 1.0], "rotation": [0.0, FRAC_1_SQRT_2, 0.0, FRAC_1_SQRT_2]}],
            "meshes": [{"primitives": [{
                "attributes": {"POSITION": position, "NORMAL": normal, "TANGENT": tangent},
            }]}],
        }),
    );
    glb(&root, &bin.bytes)
}

/// The texture and buffer `ok-external.gltf` names, in fuzz/seeds/gltf_files.
fn external_parts() -> (Value, Vec<u8>) {
    let mut bin = seed_bin();
    let extra = accessory(&mut bin, json!([{"uri": "texture.png"}]));
    let root = bin.root(Some("buffer.bin"), extra);
    (root, bin.bytes)
}

fn texture_png() -> Vec<u8> {
    let pixels: Vec<u8> = (0..4 * 4)
        .flat_map(|i| [i as u8 * 16, 255 - i as u8 * 16, 128, 255])
        .collect();
    png(4, 4, &pixels)
}

fn gltf() -> Vec<(&'static str, Vec<u8>)> {
    let mut bin = seed_bin();
    let extra = accessory(
        &mut bin,
        json!([{"mimeType": "image/png", "uri": data_uri("image/png", &texture_png())}]),
    );
    let embedded = bin.root(
        Some(&data_uri("application/octet-stream", &bin.bytes)),
        extra,
    );
    let mut bin = seed_bin();
    let extra = accessory(
        &mut bin,
        json!([{"uri": data_uri("image/png", &texture_png())}]),
    );
    let accessory_glb = glb(&bin.root(None, extra), &bin.bytes);
    let (external, _) = external_parts();
    vec![
        ("ok-garment.glb", garment_glb()),
        ("ok-accessory.glb", accessory_glb),
        ("ok-mirrored-triangle.glb", mirrored_triangle_glb()),
        (
            "ok-embedded.gltf",
            serde_json::to_vec_pretty(&embedded).expect("JSON"),
        ),
        (
            "ok-external.gltf",
            serde_json::to_vec_pretty(&external).expect("JSON"),
        ),
    ]
}

fn gltf_files() -> Vec<(&'static str, Vec<u8>)> {
    let (_, buffer) = external_parts();
    vec![("buffer.bin", buffer), ("texture.png", texture_png())]
}

fn data_uri(mime: &str, bytes: &[u8]) -> String {
    format!("data:{mime};base64,{}", base64(bytes))
}

/// An RGBA PNG with stored (uncompressed) deflate blocks: byte for byte
/// the same whatever version of a compressor is around.
pub fn png(width: u32, height: u32, rgba: &[u8]) -> Vec<u8> {
    let row = width as usize * 4;
    let mut raw = Vec::new();
    for line in rgba.chunks(row) {
        raw.push(0); // filter: none
        raw.extend_from_slice(line);
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65535).collect();
    for (index, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(index + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    zlib.extend_from_slice(&(b << 16 | a).to_be_bytes());

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8; 4], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    };
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA
    chunk(b"IHDR", &header);
    chunk(b"IDAT", &zlib);
    chunk(b"IEND", &[]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                0xedb8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A complete garment entry.
fn entry(id: &str, sku: &str, kind: &str, asset: &str, more: &str) -> String {
    format!(
        "\n[[garment]]\nid = \"{id}\"\nname = \"Garment {id}\"\nsku = \"{sku}\"\n\
         price = \"19.90\"\ncurrency = \"EUR\"\nbuy_url = \"https://shop.example/p/{id}\"\n\
         kind = \"{kind}\"\nasset = \"{asset}\"\n{more}"
    )
}

fn catalog() -> Vec<(&'static str, Vec<u8>)> {
    // The photo anchors fit `drape_fuzz::tee_image` (120 x 100 px).
    let every_field = [
        "# drape garment catalog: every field (a fuzz seed)\nversion = 1\ndefault = \"photo-tee\"\n"
            .to_string(),
        entry(
            "tee-indigo",
            "DRP-1",
            "mesh",
            "tshirt.glb",
            "thumbnail = \"thumbs/tee-indigo.png\"\ncolor = \"#2e3a6e\"\n\
             sizes = [\"S\", \"M\", \"L\"]\n\n[garment.fit]\nease = 1.04\nsleeve = 1.5\n\n\
             [garment.cloth]\nsoftware = true\nmass = 0.18\nstiffness = 1.0\ndamping = 2.0\n\
             swing = 1.0\n",
        ),
        entry(
            "photo-tee",
            "DRP-2",
            "photo",
            "photo_tee.png",
            "thumbnail = \"thumbs/photo-tee.png\"\n\n[garment.fit]\nease = 1.1\nlength = 1.2\n\n\
             [garment.anchors]\nleft_shoulder = [80, 20]\nright_shoulder = [40, 20]\n\
             left_hip = [78.5, 93]\nright_hip = [41.5, 93]\nneckline = [60, 21]\n\
             left_sleeve_end = [108, 50]\nright_sleeve_end = [12, 50]\n",
        ),
        entry(
            "glasses-round",
            "DRP-3",
            "accessory",
            "glasses.glb",
            "\n[garment.attach]\nanchor = \"eyes\"\noffset = [0.0, 0.01, -0.02]\nscale = 1.25\n",
        ),
    ]
    .concat();
    let shoulders_only = [
        "version = 1\n".to_string(),
        entry(
            "photo-tee",
            "DRP-2",
            "photo",
            "photo_tee.png",
            "[garment.anchors]\nleft_shoulder = [80, 20]\nright_shoulder = [40, 20]\n\
             left_hip = [78, 93]\nright_hip = [42, 93]\n",
        ),
    ]
    .concat();
    let found_anchors = [
        "version = 1\n".to_string(),
        entry("photo-tee", "DRP-2", "photo", "photo_tee.png", ""),
        entry(
            "watch",
            "DRP-4",
            "accessory",
            "glasses.glb",
            "[garment.attach]\nanchor = \"left_wrist\"\n",
        ),
    ]
    .concat();
    let fixture = |name: &str| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/catalog")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    vec![
        ("ok-every-field.toml", every_field.into_bytes()),
        ("ok-shoulders-and-hips.toml", shoulders_only.into_bytes()),
        ("ok-anchors-found.toml", found_anchors.into_bytes()),
        ("several-errors.toml", fixture("several_errors.toml")),
        ("syntax-error.toml", fixture("syntax_error.toml")),
    ]
}

/// A front view of a top, as alpha: a torso, a round neck notch and two
/// sleeves `sleeve_px` long going out and down at `angle_deg`.
pub struct Top {
    pub width: u32,
    pub height: u32,
    /// The torso's shoulder corners' x (left is the wearer's left: larger x).
    pub right_x: f32,
    pub left_x: f32,
    pub top_y: f32,
    pub bottom_y: f32,
    pub neck_radius: f32,
    pub sleeve_px: f32,
    pub sleeve_width_px: f32,
    pub angle_deg: f32,
}

impl Top {
    pub fn tee() -> Top {
        Top {
            width: 64,
            height: 56,
            right_x: 20.0,
            left_x: 44.0,
            top_y: 12.0,
            bottom_y: 52.0,
            neck_radius: 5.0,
            sleeve_px: 16.0,
            sleeve_width_px: 9.0,
            angle_deg: 35.0,
        }
    }

    fn centre_x(&self) -> f32 {
        (self.left_x + self.right_x) * 0.5
    }

    fn sleeve_axes(&self) -> (Vec2, Vec2) {
        let angle = self.angle_deg.to_radians();
        let along = Vec2::new(angle.cos(), angle.sin());
        (along, Vec2::new(-along.y, along.x))
    }

    fn inside(&self, p: Vec2) -> bool {
        let torso = (self.right_x..self.left_x).contains(&p.x)
            && (self.top_y..self.bottom_y).contains(&p.y)
            && p.distance(Vec2::new(self.centre_x(), self.top_y)) >= self.neck_radius;
        let (along, across) = self.sleeve_axes();
        let in_left_sleeve = |p: Vec2| {
            let d = p - Vec2::new(self.left_x, self.top_y);
            (0.0..=self.sleeve_px).contains(&d.dot(along))
                && (0.0..=self.sleeve_width_px).contains(&d.dot(across))
        };
        let mirrored = Vec2::new(2.0 * self.centre_x() - p.x, p.y);
        torso || in_left_sleeve(p) || in_left_sleeve(mirrored)
    }

    /// One alpha byte a pixel, anti-aliased with 2x2 samples.
    pub fn alpha(&self) -> Vec<u8> {
        let mut alpha = Vec::new();
        for y in 0..self.height {
            for x in 0..self.width {
                let hits = [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)]
                    .into_iter()
                    .filter(|&(dx, dy)| self.inside(Vec2::new(x as f32 + dx, y as f32 + dy)))
                    .count();
                alpha.push((hits * 255 / 4) as u8);
            }
        }
        alpha
    }

    /// The anchors as drawn: shoulders at the torso's top corners, hips
    /// at the bottom ones, the neckline at the notch, the sleeve ends at
    /// the cuffs' centres. Left and right sleeve end, in that order.
    pub fn anchors(&self) -> [Vec2; 7] {
        let (along, across) = self.sleeve_axes();
        let cuff = along * self.sleeve_px + across * (self.sleeve_width_px * 0.5);
        let left_end = Vec2::new(self.left_x, self.top_y) + cuff;
        [
            Vec2::new(self.left_x, self.top_y),
            Vec2::new(self.right_x, self.top_y),
            Vec2::new(self.left_x - 1.0, self.bottom_y - 1.0),
            Vec2::new(self.right_x + 1.0, self.bottom_y - 1.0),
            Vec2::new(self.centre_x(), self.top_y + 1.0),
            left_end,
            Vec2::new(2.0 * self.centre_x() - left_end.x, left_end.y),
        ]
    }
}

/// How `drape_fuzz::photo_anchors` takes anchors.
#[derive(Clone, Copy)]
pub enum Given {
    None,
    /// The four required ones, as i16 eighths of a pixel.
    Required,
    /// All seven, as i16 eighths of a pixel.
    All,
    /// All seven, as raw f32.
    AllF32,
}

/// The input of `drape_fuzz::photo_anchors`: size, flags, 7 anchors, alpha.
pub fn photo_input(
    width: u32,
    height: u32,
    given: Given,
    anchors: [Vec2; 7],
    alpha: &[u8],
) -> Vec<u8> {
    let flags: u8 = match given {
        Given::None => 0,
        Given::Required => 1,
        Given::All => 1 | 2 | 4 | 8,
        Given::AllF32 => 1 | 2 | 4 | 8 | 16,
    };
    let mut out = vec![width as u8, height as u8, flags];
    for value in anchors.iter().flat_map(|p| [p.x, p.y]) {
        let bytes = match given {
            Given::AllF32 => value.to_le_bytes(),
            _ => {
                let [a, b] = ((value * 8.0).round() as i16).to_le_bytes();
                [a, b, 0, 0]
            }
        };
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(alpha);
    out
}

fn photo() -> Vec<(&'static str, Vec<u8>)> {
    let tee = Top::tee();
    let long = Top {
        sleeve_px: 30.0,
        angle_deg: 60.0,
        width: 80,
        height: 64,
        right_x: 28.0,
        left_x: 52.0,
        ..Top::tee()
    };
    let tank = Top {
        sleeve_px: 0.0,
        sleeve_width_px: 0.0,
        ..Top::tee()
    };
    let input = |top: &Top, given: Given, anchors: [Vec2; 7]| {
        photo_input(top.width, top.height, given, anchors, &top.alpha())
    };
    let mut swapped = tee.anchors();
    swapped.swap(0, 1);
    let opaque = vec![255u8; 20 * 20];
    vec![
        ("ok-tee-found.bin", input(&tee, Given::None, tee.anchors())),
        ("ok-tee-given.bin", input(&tee, Given::All, tee.anchors())),
        (
            "ok-tee-shoulders-and-hips.bin",
            input(&tee, Given::Required, tee.anchors()),
        ),
        (
            "ok-long-sleeves-f32.bin",
            input(&long, Given::AllF32, long.anchors()),
        ),
        (
            "ok-long-sleeves-found.bin",
            input(&long, Given::None, long.anchors()),
        ),
        // The finder needs sleeves (shoulders are where they meet the
        // torso): a sleeveless top is refused, with the advice to give
        // the anchors, and taken when they are given.
        (
            "tank-top-found.bin",
            input(&tank, Given::None, tank.anchors()),
        ),
        (
            "ok-tank-top-given.bin",
            input(&tank, Given::Required, tank.anchors()),
        ),
        ("swapped-shoulders.bin", input(&tee, Given::All, swapped)),
        (
            "opaque.bin",
            photo_input(20, 20, Given::None, [Vec2::ZERO; 7], &opaque),
        ),
        (
            "too-small.bin",
            photo_input(6, 6, Given::None, [Vec2::ZERO; 7], &[255; 9]),
        ),
    ]
}
