//! A tiny software rasteriser for the picker thumbnails: orthographic,
//! z-buffered, smooth-shaded triangles on a light background, rendered
//! 4× larger and box-filtered down. Garments show their baked maps: the
//! base-colour modulation, the normal map (glTF's tangent space: +X along
//! u, +Y against v) and the ambient occlusion.

use glam::{Mat3, Vec2, Vec3};

use crate::bake::Maps;
use crate::mesh::Primitive;

/// How a material shows in a thumbnail.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    /// Linear RGB.
    pub colour: [f32; 3],
    /// Below 1: blended over what is behind (drawn after the opaque parts).
    pub alpha: f32,
    pub double_sided: bool,
    /// Strength of the highlight: low for cloth, high for metal and glass.
    pub specular: f32,
}

pub const THUMB: usize = 128;
const SUPERSAMPLE: usize = 4;
/// Light grey-white, linear.
pub const BACKGROUND: [f32; 3] = [0.87, 0.87, 0.86];

pub use drape::render::srgb::linear_to_srgb_byte as srgb_byte;

/// Renders `prims` (with `looks[prim.material]`) seen through `view`
/// (world → camera: camera looks along −z, +y up), fitted into the square
/// with a margin. Returns RGBA8 pixels, `out_size` square.
/// `maps[prim.material]`, where present, shades the material's surface.
pub fn render(
    prims: &[Primitive],
    looks: &[Look],
    maps: &[Option<&Maps>],
    view: Mat3,
    out_size: usize,
) -> Vec<u8> {
    let size = out_size * SUPERSAMPLE;
    let (mut lo, mut hi) = (Vec3::splat(f32::MAX), Vec3::splat(f32::MIN));
    for p in prims.iter().flat_map(|p| &p.positions) {
        let q = view * *p;
        lo = lo.min(q);
        hi = hi.max(q);
    }
    let extent = (hi - lo).max_element().max(1e-6);
    let scale = size as f32 * 0.84 / (hi.x - lo.x).max(hi.y - lo.y).max(extent * 0.2);
    let centre = (lo + hi) * 0.5;
    let to_screen = |p: Vec3| {
        let q = view * p - centre;
        Vec3::new(
            size as f32 * 0.5 + q.x * scale,
            size as f32 * 0.5 - q.y * scale,
            q.z,
        )
    };
    let mut colour = vec![BACKGROUND; size * size];
    let mut depth = vec![f32::MIN; size * size];
    // Key light from the upper left front, fill from the right.
    let key = Vec3::new(-0.4, 0.6, 1.0).normalize();
    let fill = Vec3::new(0.7, 0.1, 0.5).normalize();
    // Opaque first, then blended (lenses) over them.
    for blended in [false, true] {
        for prim in prims {
            let look = looks[prim.material];
            if (look.alpha < 1.0) != blended {
                continue;
            }
            let maps = maps.get(prim.material).copied().flatten();
            for tri in prim.indices.chunks_exact(3) {
                let v = [tri[0], tri[1], tri[2]].map(|i| to_screen(prim.positions[i as usize]));
                let n = [tri[0], tri[1], tri[2]].map(|i| view * prim.normals[i as usize]);
                let uv = [tri[0], tri[1], tri[2]].map(|i| prim.uvs[i as usize]);
                // The triangle's dP/du and dP/dv, in view space.
                let p = [tri[0], tri[1], tri[2]].map(|i| view * prim.positions[i as usize]);
                let (e1, e2) = (p[1] - p[0], p[2] - p[0]);
                let (d1, d2) = (uv[1] - uv[0], uv[2] - uv[0]);
                let det = d1.x * d2.y - d2.x * d1.y;
                let (dp_du, dp_dv) = if det.abs() > 1e-12 {
                    ((e1 * d2.y - e2 * d1.y) / det, (e2 * d1.x - e1 * d2.x) / det)
                } else {
                    (Vec3::X, Vec3::Y)
                };
                // Screen y points down, so front faces wind clockwise here.
                let area =
                    (v[1].x - v[0].x) * (v[2].y - v[0].y) - (v[1].y - v[0].y) * (v[2].x - v[0].x);
                let front = area < 0.0;
                if (!front && !look.double_sided) || area.abs() < 1e-9 {
                    continue;
                }
                let min_x = v
                    .iter()
                    .map(|p| p.x)
                    .fold(f32::MAX, f32::min)
                    .floor()
                    .max(0.0) as usize;
                let max_x = v
                    .iter()
                    .map(|p| p.x)
                    .fold(f32::MIN, f32::max)
                    .ceil()
                    .min(size as f32 - 1.0) as usize;
                let min_y = v
                    .iter()
                    .map(|p| p.y)
                    .fold(f32::MAX, f32::min)
                    .floor()
                    .max(0.0) as usize;
                let max_y = v
                    .iter()
                    .map(|p| p.y)
                    .fold(f32::MIN, f32::max)
                    .ceil()
                    .min(size as f32 - 1.0) as usize;
                for py in min_y..=max_y {
                    for px in min_x..=max_x {
                        let (x, y) = (px as f32 + 0.5, py as f32 + 0.5);
                        let edge =
                            |a: Vec3, b: Vec3| (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x);
                        let w = [
                            edge(v[1], v[2]) / area,
                            edge(v[2], v[0]) / area,
                            edge(v[0], v[1]) / area,
                        ];
                        if w.iter().any(|w| *w < 0.0) {
                            continue;
                        }
                        let z = w[0] * v[0].z + w[1] * v[1].z + w[2] * v[2].z;
                        let slot = py * size + px;
                        if z <= depth[slot] {
                            continue;
                        }
                        let mut normal =
                            (n[0] * w[0] + n[1] * w[1] + n[2] * w[2]).normalize_or_zero();
                        let mut shade = 1.0;
                        let mut occlusion = 1.0;
                        if !front {
                            // The inside of a garment, seen through an opening.
                            normal = -normal;
                            shade = 0.55;
                        }
                        if let Some(maps) = maps {
                            let at: Vec2 = uv[0] * w[0] + uv[1] * w[1] + uv[2] * w[2];
                            let (modulation, m, ao) = maps.sample(at);
                            shade *= modulation;
                            occlusion = ao;
                            // Tangent frame: +X along u, +Y against v.
                            let t = (dp_du - normal * dp_du.dot(normal)).normalize_or_zero();
                            let b = (-dp_dv - normal * (-dp_dv).dot(normal)).normalize_or_zero();
                            normal = (t * m.x + b * m.y + normal * m.z).normalize_or(normal);
                        }
                        let light = occlusion
                            * (0.28
                                + 0.62 * normal.dot(key).max(0.0)
                                + 0.22 * normal.dot(fill).max(0.0));
                        let specular = normal.dot((key + Vec3::Z).normalize()).max(0.0).powi(24)
                            * look.specular;
                        let lit = look.colour.map(|c| (c * light * shade + specular).min(1.0));
                        if blended {
                            let under = colour[slot];
                            colour[slot] = [0, 1, 2]
                                .map(|k| under[k] * (1.0 - look.alpha) + lit[k] * look.alpha);
                        } else {
                            colour[slot] = lit;
                            depth[slot] = z;
                        }
                    }
                }
            }
        }
    }
    let mut out = Vec::with_capacity(out_size * out_size * 4);
    for ty in 0..out_size {
        for tx in 0..out_size {
            let mut sum = [0.0f32; 3];
            for sy in 0..SUPERSAMPLE {
                for sx in 0..SUPERSAMPLE {
                    let c = colour[(ty * SUPERSAMPLE + sy) * size + tx * SUPERSAMPLE + sx];
                    (0..3).for_each(|k| sum[k] += c[k]);
                }
            }
            let n = (SUPERSAMPLE * SUPERSAMPLE) as f32;
            out.extend(sum.map(|s| srgb_byte(s / n)));
            out.push(255);
        }
    }
    out
}
