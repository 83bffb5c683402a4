//! The generator's self-check: every GLB is read back with the `gltf`
//! crate (which validates indices and references) and checked for what the
//! garment loader relies on; garments also for what the cloth simulation
//! will (vertex counts, even triangles, one welded surface) and for their
//! baked textures; the catalog is parsed back with `toml`.

use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::path::Path;

use drape::garment::{RestSkeleton, RigJoint};
use glam::{Mat4, Vec3};
use gltf::buffer::Source;

pub struct Stats {
    pub triangles: usize,
    pub vertices: usize,
    /// Garments: the fabric's vertices welded by position (the cloth
    /// simulation's particles), and the spread of its edge lengths.
    pub particles: usize,
    pub edges_m: (f32, f32),
    pub textures: Vec<(u32, u32)>,
}

/// What a generated file must be.
pub enum Kind {
    /// A rigid accessory: no skin.
    Accessory,
    /// A skinned garment whose first primitive is its fabric (to be
    /// simulated as cloth), with this many vertices in the file.
    Garment { vertices: RangeInclusive<usize> },
}

const MAX_GLB_BYTES: usize = 6_000_000;
/// Fabric triangles: edges from the 2nd to the 98th percentile within
/// this ratio, no triangle's longest edge more than this many times its
/// shortest, and none smaller than this.
const MAX_EDGE_SPREAD: f32 = 3.0;
const MAX_TRIANGLE_ASPECT: f32 = 3.0;
const MIN_TRIANGLE_AREA_M2: f32 = 1e-6;
/// The welded fabric is one surface: its largest connected piece holds at
/// least this share of the triangles (pocket flaps may float on it).
const MIN_CONNECTED_SHARE: f32 = 0.97;
const POSITION_TOLERANCE_M: f32 = 1e-5;
const WEIGHT_SUM_TOLERANCE: f32 = 1e-5;

pub fn glb(name: &str, bytes: &[u8], kind: &Kind) -> Result<Stats, String> {
    let skinned = matches!(kind, Kind::Garment { .. });
    let fail = |what: String| format!("{name}: {what}");
    if bytes.len() >= MAX_GLB_BYTES {
        return Err(fail(format!(
            "{} bytes, want under {MAX_GLB_BYTES}",
            bytes.len()
        )));
    }
    let gltf = gltf::Gltf::from_slice(bytes).map_err(|e| fail(e.to_string()))?;
    let blob = gltf
        .blob
        .as_deref()
        .ok_or_else(|| fail("no BIN chunk".into()))?;
    let buffers = |buffer: gltf::Buffer| match buffer.source() {
        Source::Bin => Some(blob),
        Source::Uri(_) => None,
    };
    let skins: Vec<_> = gltf.skins().collect();
    if skinned {
        let [skin] = skins.as_slice() else {
            return Err(fail(format!("{} skins, want 1", skins.len())));
        };
        check_skin(skin, blob).map_err(fail)?;
    } else if !skins.is_empty() || gltf.nodes().any(|n| n.skin().is_some()) {
        return Err(fail("a rigid accessory has a skin".into()));
    }
    let mut stats = Stats {
        triangles: 0,
        vertices: 0,
        particles: 0,
        edges_m: (0.0, 0.0),
        textures: Vec::new(),
    };
    for mesh in gltf.meshes() {
        for prim in mesh.primitives() {
            let what = |s: &str| {
                fail(format!(
                    "mesh {:?} primitive {}: {s}",
                    mesh.name(),
                    prim.index()
                ))
            };
            let positions = prim
                .get(&gltf::Semantic::Positions)
                .ok_or_else(|| what("no POSITION"))?;
            let count = positions.count();
            for (semantic, accessor) in prim.attributes() {
                if accessor.count() != count {
                    return Err(what(&format!(
                        "{semantic:?} has {} elements, POSITION {count}",
                        accessor.count()
                    )));
                }
            }
            let reader = prim.reader(buffers);
            let positions: Vec<Vec3> = reader
                .read_positions()
                .ok_or_else(|| what("unreadable POSITION"))?
                .map(Vec3::from)
                .collect();
            let normals: Vec<Vec3> = reader
                .read_normals()
                .ok_or_else(|| what("no NORMAL"))?
                .map(Vec3::from)
                .collect();
            if reader.read_tex_coords(0).is_none() {
                return Err(what("no TEXCOORD_0"));
            }
            if let Some(bad) = normals.iter().find(|n| (n.length() - 1.0).abs() > 1e-3) {
                return Err(what(&format!("normal {bad} is not unit length")));
            }
            let indices: Vec<u32> = reader
                .read_indices()
                .ok_or_else(|| what("no indices"))?
                .into_u32()
                .collect();
            if !indices.len().is_multiple_of(3) || indices.iter().any(|&i| i as usize >= count) {
                return Err(what("indices are not whole triangles of existing vertices"));
            }
            // Counter-clockwise from outside: faces agree with their normals.
            let disagreeing = indices
                .chunks_exact(3)
                .filter(|t| {
                    let [a, b, c] = [t[0], t[1], t[2]].map(|i| positions[i as usize]);
                    let face = (b - a).cross(c - a);
                    let normal: Vec3 = t.iter().map(|&i| normals[i as usize]).sum();
                    face.length() > 1e-9 && face.dot(normal) < 0.0
                })
                .count();
            if disagreeing > 0 {
                return Err(what(&format!(
                    "{disagreeing} triangles wind against their normals"
                )));
            }
            if skinned {
                let joints: Vec<[u16; 4]> = reader
                    .read_joints(0)
                    .ok_or_else(|| what("no JOINTS_0"))?
                    .into_u16()
                    .collect();
                let weights: Vec<[f32; 4]> = reader
                    .read_weights(0)
                    .ok_or_else(|| what("no WEIGHTS_0"))?
                    .into_f32()
                    .collect();
                for (j, w) in joints.iter().zip(&weights) {
                    let sum: f32 = w.iter().sum();
                    if (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE || w.iter().any(|w| *w < 0.0) {
                        return Err(what(&format!("weights {w:?} do not sum to 1")));
                    }
                    if j.iter().any(|&j| j as usize >= RigJoint::ALL.len()) {
                        return Err(what(&format!("joint index in {j:?} is not a rig joint")));
                    }
                }
            }
            if let (Kind::Garment { .. }, 0) = (kind, prim.index()) {
                let (particles, edges) = fabric(&positions, &indices).map_err(|e| what(&e))?;
                stats.particles = particles;
                stats.edges_m = edges;
            }
            stats.triangles += indices.len() / 3;
            stats.vertices += count;
        }
    }
    if let Kind::Garment { vertices } = kind {
        if !vertices.contains(&stats.vertices) {
            return Err(fail(format!(
                "{} vertices, want {vertices:?}",
                stats.vertices
            )));
        }
        check_fabric_material(&gltf).map_err(fail)?;
    }
    for image in gltf.images() {
        let gltf::image::Source::View { view, mime_type } = image.source() else {
            return Err(fail("image not embedded".into()));
        };
        let png = &blob[view.offset()..view.offset() + view.length()];
        let decoded =
            image::load_from_memory(png).map_err(|e| fail(format!("{mime_type}: {e}")))?;
        let (w, h) = (decoded.width(), decoded.height());
        if w != h || !w.is_power_of_two() || !(256..=2048).contains(&w) {
            return Err(fail(format!(
                "texture {w}×{h}, want square, a power of two, 256 to 2048"
            )));
        }
        stats.textures.push((w, h));
    }
    let sheen = gltf.extensions_used().any(|e| e == "KHR_materials_sheen");
    if skinned
        && !(sheen
            && gltf
                .materials()
                .any(|m| m.extension_value("KHR_materials_sheen").is_some()))
    {
        return Err(fail("fabric without KHR_materials_sheen".into()));
    }
    Ok(stats)
}

/// The fabric (first) material has every baked map: base colour, normal,
/// and one ORM image as both occlusion and metallic-roughness texture.
fn check_fabric_material(gltf: &gltf::Gltf) -> Result<(), String> {
    let material = gltf.materials().next().ok_or("no material")?;
    let what = format!("material {:?}", material.name());
    let pbr = material.pbr_metallic_roughness();
    let base = pbr.base_color_texture().map(|t| t.texture().index());
    let normal = material.normal_texture().map(|t| t.texture().index());
    let orm = pbr
        .metallic_roughness_texture()
        .map(|t| t.texture().index());
    let occlusion = material.occlusion_texture().map(|t| t.texture().index());
    match (base, normal, orm, occlusion) {
        (Some(_), Some(_), Some(orm), Some(occlusion)) if orm == occlusion => Ok(()),
        _ => Err(format!(
            "{what}: want base colour, normal, and one ORM texture for occlusion and \
             metallic-roughness; have {base:?}, {normal:?}, {orm:?}, {occlusion:?}"
        )),
    }
}

/// The fabric as the cloth simulation will take it: vertices welded by
/// position, no degenerate or sliver triangles, even edge lengths, one
/// connected surface, (almost) every edge shared by at most two
/// triangles. Returns the particle count and the 2nd/98th percentile
/// edge lengths.
fn fabric(positions: &[Vec3], indices: &[u32]) -> Result<(usize, (f32, f32)), String> {
    let mut ids: HashMap<[u32; 3], u32> = HashMap::new();
    let weld: Vec<u32> = positions
        .iter()
        .map(|p| {
            let n = ids.len() as u32;
            *ids.entry(p.to_array().map(|c| (c + 0.0).to_bits()))
                .or_insert(n)
        })
        .collect();
    let particles = ids.len();
    let mut lengths = Vec::new();
    let mut edges: HashMap<(u32, u32), u32> = HashMap::new();
    let mut parent: Vec<u32> = (0..particles as u32).collect();
    fn find(parent: &mut [u32], mut i: u32) -> u32 {
        while parent[i as usize] != i {
            parent[i as usize] = parent[parent[i as usize] as usize];
            i = parent[i as usize];
        }
        i
    }
    for t in indices.chunks_exact(3) {
        let p = [t[0], t[1], t[2]].map(|i| positions[i as usize]);
        let area = 0.5 * (p[1] - p[0]).cross(p[2] - p[0]).length();
        if area < MIN_TRIANGLE_AREA_M2 {
            return Err(format!("a triangle of {area:e} m² at {}", p[0]));
        }
        let sides = [0, 1, 2].map(|e| p[e].distance(p[(e + 1) % 3]));
        let (short, long) = (
            sides.iter().copied().fold(f32::MAX, f32::min),
            sides.iter().copied().fold(0.0, f32::max),
        );
        if long > MAX_TRIANGLE_ASPECT * short {
            return Err(format!("a sliver triangle (edges {sides:?} m) at {}", p[0]));
        }
        lengths.extend(sides);
        let w = [t[0], t[1], t[2]].map(|i| weld[i as usize]);
        for e in 0..3 {
            let (a, b) = (w[e].min(w[(e + 1) % 3]), w[e].max(w[(e + 1) % 3]));
            *edges.entry((a, b)).or_insert(0) += 1;
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    }
    lengths.sort_by(f32::total_cmp);
    let at = |q: f32| lengths[((lengths.len() - 1) as f32 * q) as usize];
    let (lo, hi) = (at(0.02), at(0.98));
    if hi > MAX_EDGE_SPREAD * lo {
        return Err(format!(
            "edge lengths spread from {lo} to {hi} m (2nd to 98th percentile), want within {MAX_EDGE_SPREAD}×"
        ));
    }
    let triangles = indices.len() / 3;
    let mut per_root: HashMap<u32, usize> = HashMap::new();
    for t in indices.chunks_exact(3) {
        let root = find(&mut parent, weld[t[0] as usize]);
        *per_root.entry(root).or_insert(0) += 1;
    }
    let largest = per_root.values().copied().max().unwrap_or(0);
    if (largest as f32) < MIN_CONNECTED_SHARE * triangles as f32 {
        return Err(format!(
            "welded by position, the largest connected piece has {largest} of {triangles} triangles"
        ));
    }
    let crowded = edges.values().filter(|&&n| n > 2).count();
    if crowded * 50 > edges.len() {
        return Err(format!(
            "{crowded} of {} welded edges are shared by more than two triangles",
            edges.len()
        ));
    }
    Ok((particles, (lo, hi)))
}

/// Joint names and order, hierarchy, bind positions and inverse binds.
fn check_skin(skin: &gltf::Skin, blob: &[u8]) -> Result<(), String> {
    let rest = RestSkeleton::reference();
    let joints: Vec<_> = skin.joints().collect();
    let names: Vec<&str> = joints.iter().map(|n| n.name().unwrap_or("")).collect();
    let want: Vec<&str> = RigJoint::ALL.iter().map(|j| j.name()).collect();
    if names != want {
        return Err(format!("skin joints {names:?}, want {want:?}"));
    }
    let inverse_binds: Vec<Mat4> = skin
        .reader(|buffer| matches!(buffer.source(), Source::Bin).then_some(blob))
        .read_inverse_bind_matrices()
        .ok_or("no inverseBindMatrices")?
        .map(|m| Mat4::from_cols_array_2d(&m))
        .collect();
    // RigJoint::ALL lists parents first, so globals build up in one pass.
    let mut globals = [Vec3::ZERO; 19];
    for (index, joint) in RigJoint::ALL.into_iter().enumerate() {
        let node = &joints[index];
        let parent = joints
            .iter()
            .position(|p| p.children().any(|c| c.index() == node.index()));
        if parent != joint.parent().map(|p| p as usize) {
            return Err(format!("{}'s parent is joint {parent:?}", joint.name()));
        }
        let (translation, rotation, scale) = node.transform().decomposed();
        if rotation != [0.0, 0.0, 0.0, 1.0] || scale != [1.0; 3] {
            return Err(format!("{} has a rotation or scale", joint.name()));
        }
        globals[index] = Vec3::from(translation) + parent.map_or(Vec3::ZERO, |p| globals[p]);
        let global = globals[index];
        if global.distance(rest.head(joint)) > POSITION_TOLERANCE_M {
            return Err(format!(
                "{} binds at {global}, want {}",
                joint.name(),
                rest.head(joint)
            ));
        }
        let product = inverse_binds[index] * Mat4::from_translation(global);
        if !product.abs_diff_eq(Mat4::IDENTITY, POSITION_TOLERANCE_M) {
            return Err(format!(
                "{}'s inverse bind matrix is not the inverse of its bind",
                joint.name()
            ));
        }
    }
    Ok(())
}

/// The catalog parses, names existing files, and its photo anchors fall
/// on the photo's garment.
pub fn catalog(dir: &Path, photo_rgba: &[u8], photo_size: (u32, u32)) -> Result<(), String> {
    let text = std::fs::read_to_string(dir.join("catalog.toml")).map_err(|e| e.to_string())?;
    let root: toml::Value = toml::from_str(&text).map_err(|e| e.to_string())?;
    let garments = root
        .get("garment")
        .and_then(|g| g.as_array())
        .ok_or("no [[garment]]")?;
    let ids: Vec<&str> = garments
        .iter()
        .filter_map(|g| g.get("id")?.as_str())
        .collect();
    if ids.len() != 5 || !ids.contains(&root.get("default").and_then(|d| d.as_str()).unwrap_or(""))
    {
        return Err(format!("ids {ids:?} or the default are wrong"));
    }
    for garment in garments {
        for key in ["asset", "thumbnail"] {
            let file = garment
                .get(key)
                .and_then(|f| f.as_str())
                .ok_or(format!("no {key}"))?;
            if !dir.join(file).is_file() {
                return Err(format!("{file} is missing"));
            }
        }
        let kind = garment.get("kind").and_then(|k| k.as_str()).unwrap_or("");
        if kind == "accessory" && garment.get("attach").is_none() {
            return Err("an accessory without [garment.attach]".into());
        }
        if let Some(anchors) = garment.get("anchors").and_then(|a| a.as_table()) {
            for (name, xy) in anchors {
                let xy: Vec<i64> = xy
                    .as_array()
                    .ok_or("anchor is not [x, y]")?
                    .iter()
                    .filter_map(|v| v.as_integer())
                    .collect();
                let [x, y] = xy[..] else {
                    return Err(format!("anchor {name} is not [x, y]"));
                };
                let opaque = |px: i64, py: i64| {
                    px >= 0
                        && py >= 0
                        && (px as u32) < photo_size.0
                        && (py as u32) < photo_size.1
                        && photo_rgba[((py as u32 * photo_size.0 + px as u32) * 4 + 3) as usize]
                            > 128
                };
                // On or right next to the garment (some opaque pixel within
                // 2 px); the neckline is the middle of the neck opening, so
                // garment on both sides of it instead.
                let on_garment = if name == "neckline" {
                    (1..60).any(|d| opaque(x - d, y)) && (1..60).any(|d| opaque(x + d, y))
                } else {
                    (-2..=2).any(|dy| (-2..=2).any(|dx| opaque(x + dx, y + dy)))
                };
                if !on_garment {
                    return Err(format!("anchor {name} {x},{y} is off the garment"));
                }
            }
        }
    }
    Ok(())
}
