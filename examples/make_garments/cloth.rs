//! A sewn garment as one mesh: the simulated left half and its mirror
//! image, each vertex knowing its pattern piece and flat pattern position
//! (what the textures are baked from), UVs in a texture atlas where every
//! piece has its own chart (the right half shares the left's texels).

use glam::{Vec2, Vec3};

use crate::mesh::Primitive;
use crate::pattern::PieceMesh;
use crate::skin::{garment_weights, pack_weights, pose_points};

/// Where a piece's flat pattern lies in the atlas.
#[derive(Debug, Clone, Copy)]
pub struct Chart {
    /// Texel of the pattern's bounding-box corner (its min x, min y), or
    /// of its max-y corner when rotated.
    pub origin_px: Vec2,
    /// Turned a quarter: pattern x runs down the image, pattern y right.
    pub rotated: bool,
    /// The pattern's bounding-box minimum.
    pub min: Vec2,
    /// The pattern's bounding-box size, metres.
    pub size: Vec2,
}

/// Atlas size and density shared by a garment's charts.
#[derive(Debug, Clone, Copy)]
pub struct Atlas {
    pub size_px: u32,
    pub texels_per_m: f32,
}

impl Atlas {
    /// Texel position (x right, y down) of pattern point `p` in `chart`.
    /// Pattern y is up, so it runs up the image.
    pub fn texel(&self, chart: &Chart, p: Vec2) -> Vec2 {
        let q = (p - chart.min) * self.texels_per_m;
        let h = chart.size * self.texels_per_m;
        if chart.rotated {
            chart.origin_px + Vec2::new(q.y, q.x)
        } else {
            chart.origin_px + Vec2::new(q.x, h.y - q.y)
        }
    }

    /// The pattern point at texel `t` of `chart` (the inverse of `texel`,
    /// defined beyond the chart too).
    pub fn pattern(&self, chart: &Chart, t: Vec2) -> Vec2 {
        let h = chart.size * self.texels_per_m;
        let d = t - chart.origin_px;
        let q = if chart.rotated {
            Vec2::new(d.y, d.x)
        } else {
            Vec2::new(d.x, h.y - d.y)
        };
        chart.min + q / self.texels_per_m
    }

    /// The chart's texel rectangle (min, max).
    pub fn rect(&self, chart: &Chart) -> (Vec2, Vec2) {
        let s = chart.size * self.texels_per_m;
        let s = if chart.rotated {
            Vec2::new(s.y, s.x)
        } else {
            s
        };
        (chart.origin_px, chart.origin_px + s)
    }

    /// A chart for `mesh` at `origin_px`; panics if it leaves the atlas.
    pub fn chart(&self, mesh: &PieceMesh, origin_px: Vec2, rotated: bool) -> Chart {
        let (min, max) = mesh
            .points
            .iter()
            .fold((Vec2::MAX, Vec2::MIN), |(lo, hi), p| {
                (lo.min(*p), hi.max(*p))
            });
        let chart = Chart {
            origin_px,
            rotated,
            min,
            size: max - min,
        };
        let (_, hi) = self.rect(&chart);
        assert!(
            hi.x <= self.size_px as f32 - 4.0 && hi.y <= self.size_px as f32 - 4.0,
            "chart at {origin_px} reaches {hi}, past the {} px atlas",
            self.size_px
        );
        chart
    }
}

/// One part of a garment before mirroring: the left half of a piece (or
/// a whole piece centred on x = 0 whose mirror is itself).
pub struct Part {
    pub name: &'static str,
    pub mesh: PieceMesh,
    pub positions: Vec<Vec3>,
    pub chart: Chart,
    pub material: usize,
    /// Normals of this part do not blend with the parts it is sewn to (a
    /// collar standing up from the body, a flap lying on it).
    pub crease: bool,
    /// Faces the body (a hem turned up inside, a lining).
    pub inside: bool,
    /// Has its own chart in the baked textures (a lining does not).
    pub textured: bool,
}

/// Packs charts into an atlas in rows, left to right, in the order they
/// are added, with a gutter between them.
pub struct Charts {
    pub atlas: Atlas,
    cursor: Vec2,
    row_height: f32,
}

const GAP_PX: f32 = 14.0;

impl Charts {
    pub fn new(atlas: Atlas) -> Charts {
        Charts {
            atlas,
            cursor: Vec2::splat(GAP_PX * 0.5),
            row_height: 0.0,
        }
    }

    pub fn add(&mut self, mesh: &PieceMesh, rotated: bool) -> Chart {
        let (min, max) = mesh
            .points
            .iter()
            .fold((Vec2::MAX, Vec2::MIN), |(lo, hi), p| {
                (lo.min(*p), hi.max(*p))
            });
        let mut size = (max - min) * self.atlas.texels_per_m;
        if rotated {
            size = Vec2::new(size.y, size.x);
        }
        if self.cursor.x + size.x > self.atlas.size_px as f32 - GAP_PX * 0.5 {
            self.cursor = Vec2::new(GAP_PX * 0.5, self.cursor.y + self.row_height + GAP_PX);
            self.row_height = 0.0;
        }
        let origin = self.cursor.round();
        self.cursor.x += size.x + GAP_PX;
        self.row_height = self.row_height.max(size.y);
        self.atlas.chart(mesh, origin, rotated)
    }
}

/// A strip of cloth along a chain of draped points: row r's point k is
/// `place(r, k)` (row 0 should be the chain itself, so it sews on). Its
/// flat pattern: x the arc length along the chain, y `rows_y[r]`.
pub fn strip(
    chain: &[Vec3],
    rows_y: &[f32],
    place: impl Fn(usize, usize) -> Vec3,
) -> (PieceMesh, Vec<Vec3>) {
    let n = chain.len();
    let mut x = vec![0.0];
    for k in 1..n {
        x.push(x[k - 1] + chain[k].distance(chain[k - 1]));
    }
    grid(rows_y.len(), n, |r, k| {
        (place(r, k), Vec2::new(x[k], rows_y[r]))
    })
}

/// A grid of `rows` × `cols` points, `place(r, k)` giving each one's
/// draped position and flat pattern position, in triangles.
pub fn grid(
    rows: usize,
    cols: usize,
    place: impl Fn(usize, usize) -> (Vec3, Vec2),
) -> (PieceMesh, Vec<Vec3>) {
    let (mut points, mut positions, mut triangles) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..rows {
        for k in 0..cols {
            let (p, q) = place(r, k);
            positions.push(p);
            points.push(q);
        }
    }
    let n = cols;
    for r in 0..rows - 1 {
        for k in 0..n - 1 {
            let (a, b) = ((r * n + k) as u32, (r * n + k + 1) as u32);
            let (c, d) = (b + n as u32, a + n as u32);
            // Diagonals alternate so the strip does not shear one way.
            if (k + r) % 2 == 0 {
                triangles.extend([[a, b, c], [a, c, d]]);
            } else {
                triangles.extend([[a, b, d], [b, c, d]]);
            }
        }
    }
    let mesh = PieceMesh {
        points,
        triangles,
        edge_vertices: Vec::new(),
    };
    (mesh, positions)
}

/// The nearest point on a set of draped triangles, and their normal
/// there (wound as given).
pub fn nearest_on(triangles: &[[Vec3; 3]], p: Vec3) -> (Vec3, Vec3) {
    let mut best = (f32::MAX, Vec3::ZERO, Vec3::Y);
    for t in triangles {
        let q = closest_on_triangle(p, t);
        let d = q.distance_squared(p);
        if d < best.0 {
            best = (d, q, (t[1] - t[0]).cross(t[2] - t[0]).normalize_or(Vec3::Y));
        }
    }
    (best.1, best.2)
}

/// Closest point on a triangle (Ericson, Real-Time Collision Detection).
fn closest_on_triangle(p: Vec3, t: &[Vec3; 3]) -> Vec3 {
    let [a, b, c] = *t;
    let (ab, ac, ap) = (b - a, c - a, p - a);
    let (d1, d2) = (ab.dot(ap), ac.dot(ap));
    if d1 <= 0.0 && d2 <= 0.0 {
        return a;
    }
    let bp = p - b;
    let (d3, d4) = (ab.dot(bp), ac.dot(bp));
    if d3 >= 0.0 && d4 <= d3 {
        return b;
    }
    let vc = d1 * d4 - d3 * d2;
    if vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0 {
        return a + ab * (d1 / (d1 - d3));
    }
    let cp = p - c;
    let (d5, d6) = (ab.dot(cp), ac.dot(cp));
    if d6 >= 0.0 && d5 <= d6 {
        return c;
    }
    let vb = d5 * d2 - d1 * d6;
    if vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0 {
        return a + ac * (d2 / (d2 - d6));
    }
    let va = d3 * d6 - d5 * d4;
    if va <= 0.0 && (d4 - d3) >= 0.0 && (d5 - d6) >= 0.0 {
        return b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)));
    }
    let denom = 1.0 / (va + vb + vc);
    a + ab * (vb * denom) + ac * (vc * denom)
}

/// The draped position of flat pattern point `p` of a piece (its mesh
/// and draped vertex positions), and the surface normal there (by the
/// triangle's winding in pattern space: counter-clockwise pattern
/// triangles give the normal on their +z side). Points outside the piece
/// take the nearest triangle, extrapolated.
pub fn surface_at(mesh: &PieceMesh, positions: &[Vec3], p: Vec2) -> (Vec3, Vec3) {
    let mut best = (f32::MAX, 0usize, [0f32; 3]);
    for (k, t) in mesh.triangles.iter().enumerate() {
        let [a, b, c] = t.map(|i| mesh.points[i as usize]);
        let area = (b - a).perp_dot(c - a);
        if area.abs() < 1e-12 {
            continue;
        }
        let w = [
            (c - b).perp_dot(p - b) / area,
            (a - c).perp_dot(p - c) / area,
            (b - a).perp_dot(p - a) / area,
        ];
        let outside = -w.iter().copied().fold(0.0f32, f32::min);
        if outside < best.0 {
            best = (outside, k, w);
        }
    }
    let t = mesh.triangles[best.1];
    let [a, b, c] = t.map(|i| positions[i as usize]);
    let w = best.2;
    let mut normal = (b - a).cross(c - a).normalize_or(Vec3::Z);
    let [pa, pb, pc] = t.map(|i| mesh.points[i as usize]);
    if (pb - pa).perp_dot(pc - pa) < 0.0 {
        normal = -normal;
    }
    (a * w[0] + b * w[1] + c * w[2], normal)
}

/// The finished garment surface: both halves.
#[derive(Debug, Clone, Default)]
pub struct Cloth {
    pub positions: Vec<Vec3>,
    pub normals: Vec<Vec3>,
    pub uvs: Vec<Vec2>,
    /// Index into the parts list, and the flat pattern position.
    pub part: Vec<usize>,
    pub pattern: Vec<Vec2>,
    pub mirrored: Vec<bool>,
    /// Rig joints and weights (`skin`).
    pub joints: Vec<[u8; 4]>,
    pub weights: Vec<[f32; 4]>,
    /// Triangles, with their part.
    pub triangles: Vec<[u32; 3]>,
    pub triangle_part: Vec<usize>,
    /// Each part's first vertex (its left half follows in order).
    pub first: Vec<usize>,
}

fn key(p: Vec3) -> [u32; 3] {
    // +0 and -0 are one place.
    p.to_array().map(|c| (c + 0.0).to_bits())
}

impl Cloth {
    /// Mirrors the parts into a whole garment; `outward(p)` tells which way
    /// is out at a point, to wind every triangle outwards (or, for parts
    /// facing the body, inwards).
    pub fn assemble(parts: &[Part], atlas: &Atlas, outward: impl Fn(Vec3) -> Vec3) -> Cloth {
        let mut cloth = Cloth::default();
        for (k, part) in parts.iter().enumerate() {
            let facing: f32 = part
                .mesh
                .triangles
                .iter()
                .map(|t| {
                    let [a, b, c] = t.map(|i| part.positions[i as usize]);
                    (b - a).cross(c - a).dot(outward((a + b + c) / 3.0))
                })
                .sum();
            let flip = (facing < 0.0) != part.inside;
            let first = cloth.positions.len() as u32;
            cloth.first.push(first as usize);
            for (i, p) in part.positions.iter().enumerate() {
                cloth.positions.push(*p);
                cloth.pattern.push(part.mesh.points[i]);
                cloth
                    .uvs
                    .push(atlas.texel(&part.chart, part.mesh.points[i]) / atlas.size_px as f32);
                cloth.part.push(k);
                cloth.mirrored.push(false);
            }
            // The mirror image; vertices on x = 0 are shared.
            let mut mirror = Vec::with_capacity(part.positions.len());
            for (i, p) in part.positions.iter().enumerate() {
                if p.x == 0.0 {
                    mirror.push(first + i as u32);
                    continue;
                }
                mirror.push(cloth.positions.len() as u32);
                cloth.positions.push(Vec3::new(-p.x, p.y, p.z));
                cloth.pattern.push(part.mesh.points[i]);
                cloth.uvs.push(cloth.uvs[first as usize + i]);
                cloth.part.push(k);
                cloth.mirrored.push(true);
            }
            for t in &part.mesh.triangles {
                let left = t.map(|i| first + i);
                let right = t.map(|i| mirror[i as usize]);
                let (l, r) = if flip {
                    ([left[0], left[2], left[1]], right)
                } else {
                    (left, [right[0], right[2], right[1]])
                };
                cloth.triangles.push(l);
                cloth.triangles.push(r);
                cloth.triangle_part.extend([k, k]);
            }
        }
        cloth.normals = cloth.smooth_normals(parts);
        cloth
    }

    /// Area-weighted normals, shared by vertices at one place unless a
    /// crease part meets another part there.
    fn smooth_normals(&self, parts: &[Part]) -> Vec<Vec3> {
        use std::collections::HashMap;
        let mut sums: HashMap<([u32; 3], usize), Vec3> = HashMap::new();
        let group = |v: usize| {
            let part = self.part[v];
            let crease = parts[part].crease || parts[part].inside;
            (
                key(self.positions[v]),
                if crease { part } else { usize::MAX },
            )
        };
        for t in &self.triangles {
            let [a, b, c] = t.map(|i| self.positions[i as usize]);
            let face = (b - a).cross(c - a);
            for &i in t {
                *sums.entry(group(i as usize)).or_insert(Vec3::ZERO) += face;
            }
        }
        (0..self.positions.len())
            .map(|v| sums[&group(v)].try_normalize().unwrap_or(Vec3::Y))
            .collect()
    }

    /// Skins every vertex: `arm(part, pattern point)` says how much it
    /// follows the arm (see `skin::garment_weights`).
    pub fn skin(&mut self, arm: impl Fn(usize, Vec2) -> f32) {
        let packed: Vec<_> = (0..self.positions.len())
            .map(|v| {
                let a = arm(self.part[v], self.pattern[v]).clamp(0.0, 1.0);
                pack_weights(garment_weights(self.positions[v], a))
            })
            .collect();
        self.joints = packed.iter().map(|(j, _)| *j).collect();
        self.weights = packed.iter().map(|(_, w)| *w).collect();
    }

    /// The garment with its arms lowered (`skin::pose_points`).
    pub fn posed(&self, shoulder_rad: f32, elbow_rad: f32) -> Cloth {
        let mut posed = self.clone();
        let (p, n) = pose_points(
            &self.positions,
            &self.normals,
            &self.joints,
            &self.weights,
            shoulder_rad,
            elbow_rad,
        );
        posed.positions = p;
        posed.normals = n;
        posed
    }

    /// The triangles of the parts `select` picks, as a glTF primitive of
    /// `material`.
    pub fn primitive(&self, select: impl Fn(usize) -> bool, material: usize) -> Primitive {
        let mut prim = Primitive::new(material);
        let mut map = vec![u32::MAX; self.positions.len()];
        for (t, &part) in self.triangles.iter().zip(&self.triangle_part) {
            if !select(part) {
                continue;
            }
            let ids = t.map(|i| {
                let i = i as usize;
                if map[i] == u32::MAX {
                    map[i] = prim.vertex(self.positions[i], self.normals[i], self.uvs[i]);
                    if !self.joints.is_empty() {
                        prim.joints.push(self.joints[i]);
                        prim.weights.push(self.weights[i]);
                    }
                }
                map[i]
            });
            prim.triangle(ids[0], ids[1], ids[2]);
        }
        prim
    }
}
