//! Tops sewn like real ones: a front and a back panel cut to a T-shaped
//! outline (seen from the front, x ≥ 0 is the wearer's left, mirrored),
//! joined along the side, underarm and shoulder/sleeve-top seams, then
//! "inflated" around the body.
//!
//! Each panel is a grid of columns (x) and rows (y): torso columns run
//! from the hem to the neckline/shoulder line, sleeve columns only from
//! the underarm seam to the sleeve top. The front panel's height above
//! the panel plane, z(x, y), grows with the distance to the nearest seam
//! along a quarter ellipse whose size the seam carries (the side seam an
//! ellipse as wide as half the torso, sleeve seams a circle of the sleeve's
//! radius), smooth-min'd over the seams; the back panel is the mirror
//! image in z. Seam nodes are shared by both panels, so the mesh is one
//! connected surface, open at the hem, the sleeve ends and the neck.

use glam::{Vec2, Vec3};

use crate::mesh::{smoothstep, Primitive};

/// A top's outline and grid, metres in the reference body's frame.
#[derive(Debug, Clone)]
pub struct TopSpec {
    pub hem_y: f32,
    pub hem_half_width: f32,
    pub waist_y: f32,
    pub waist_half_width: f32,
    /// Above this the torso's half width is `armpit.x`.
    pub chest_y: f32,
    /// Where the upper (yoke) rows begin at the centre; they reach the armpit at its x.
    pub split_centre_y: f32,
    pub armpit: Vec2,
    /// The top seam above the armpit (same x): where the sleeve is set in.
    pub shoulder: Vec2,
    /// Where the shoulder seam meets the neck opening.
    pub neck_side: Vec2,
    pub front_neck_drop: f32,
    pub back_neck_drop: f32,
    /// A V-shaped front neckline instead of a round one.
    pub v_neck: bool,
    pub sleeve_end_x: f32,
    pub sleeve_end_top_y: f32,
    pub sleeve_end_bottom_y: f32,
    /// Half the torso's front-to-back depth at the hem and the chest.
    pub depth_hem: f32,
    pub depth_chest: f32,
    /// Height of the neckline above the panel plane, front and back.
    pub neck_z_front: f32,
    pub neck_z_back: f32,
    /// How far in from the shoulder seam, at the neck, the shoulder has rounded over.
    pub shoulder_round: f32,
    pub cols_neck: usize,
    pub cols_shoulder: usize,
    pub cols_sleeve: usize,
    pub rows_lower: usize,
    pub rows_upper: usize,
    /// Fabric texture repeat size for the UVs.
    pub metres_per_uv: f32,
}

/// A seam (or the soft neckline) as a 2D polyline whose points carry the
/// quarter-ellipse profile: position, radius in the panel plane, height in
/// z, and the height on the line itself (0 for seams).
struct Edge {
    points: Vec<(Vec2, f32, f32, f32)>,
}

impl Edge {
    fn profile(&self, p: Vec2) -> f32 {
        let mut best = f32::MAX;
        for pair in self.points.windows(2) {
            let ((a, ra, ha, za), (b, rb, hb, zb)) = (pair[0], pair[1]);
            let ab = b - a;
            let t = ((p - a).dot(ab) / ab.length_squared().max(1e-12)).clamp(0.0, 1.0);
            let d = p.distance(a + ab * t);
            let (r, h, base) = (lerp(ra, rb, t), lerp(ha, hb, t), lerp(za, zb, t));
            let z = if d < r {
                let q = 1.0 - d / r;
                base + (h - base) * (1.0 - q * q).sqrt()
            } else {
                // Beyond the ellipse keep rising (with a matching slope of
                // 0) so this edge stops limiting without leaving a crease.
                h + (d - r) * (d - r) / r
            };
            best = best.min(z);
        }
        best
    }
}

/// How wide (in height) seam profiles blend where they meet.
const SMOOTH_M: f32 = 0.05;

/// Quadratic smooth minimum (blend width `k`).
fn smin(a: f32, b: f32, k: f32) -> f32 {
    let h = (k - (a - b).abs()).max(0.0) / k;
    a.min(b) - h * h * k * 0.25
}

fn lerp(a: f32, b: f32, t: f32) -> f32 {
    a + (b - a) * t
}

pub struct Top {
    spec: TopSpec,
    seams: Vec<Edge>,
    neck_front: Edge,
    neck_back: Edge,
}

impl Top {
    pub fn new(spec: TopSpec) -> Top {
        let mut top = Top {
            spec,
            seams: Vec::new(),
            neck_front: Edge { points: Vec::new() },
            neck_back: Edge { points: Vec::new() },
        };
        let s = &top.spec;
        let (ct, c) = (top.torso_cols(), top.cols());
        let sleeve_radius = |x: f32| 0.5 * (top.top_y(x, true) - top.under_y(x));
        let side = (0..=s.rows_lower)
            .map(|j| {
                let p = top.node_2d(ct, j, true);
                let depth = lerp(
                    s.depth_hem,
                    s.depth_chest,
                    smoothstep(s.hem_y, s.chest_y, p.y),
                );
                (p, top.half_width(p.y), depth, 0.0)
            })
            .collect();
        let under = (ct..=c)
            .map(|k| {
                let x = top.col_x(k);
                (
                    Vec2::new(x, top.under_y(x)),
                    sleeve_radius(x),
                    sleeve_radius(x),
                    0.0,
                )
            })
            .collect();
        let shoulder_radius = sleeve_radius(s.armpit.x);
        let over = (s.cols_neck..=c)
            .map(|k| {
                let x = top.col_x(k);
                let (r, h) = if k <= ct {
                    let t = (x - s.neck_side.x) / (s.armpit.x - s.neck_side.x);
                    (
                        lerp(s.shoulder_round, shoulder_radius, t),
                        lerp(s.depth_chest, shoulder_radius, t),
                    )
                } else {
                    (sleeve_radius(x), sleeve_radius(x))
                };
                (Vec2::new(x, top.top_y(x, true)), r, h, 0.0)
            })
            .collect();
        // The neck opening is elliptic seen from above: its height falls to
        // 0 at the neck sides, where the shoulder seams start.
        let neckline = |front: bool| Edge {
            points: (0..=s.cols_neck)
                .map(|k| {
                    let x = top.col_x(k);
                    let u = x / s.neck_side.x;
                    let base = if front { s.neck_z_front } else { s.neck_z_back }
                        * (1.0 - u * u).max(0.0).sqrt();
                    (Vec2::new(x, top.top_y(x, front)), 0.08, s.depth_chest, base)
                })
                .collect(),
        };
        let (neck_front, neck_back) = (neckline(true), neckline(false));
        top.seams = vec![
            Edge { points: side },
            Edge { points: under },
            Edge { points: over },
        ];
        top.neck_front = neck_front;
        top.neck_back = neck_back;
        top
    }

    fn torso_cols(&self) -> usize {
        self.spec.cols_neck + self.spec.cols_shoulder
    }

    fn cols(&self) -> usize {
        self.torso_cols() + self.spec.cols_sleeve
    }

    fn rows(&self) -> usize {
        self.spec.rows_lower + self.spec.rows_upper
    }

    /// The column's x in the upper rows (x ≥ 0).
    fn col_x(&self, k: usize) -> f32 {
        let s = &self.spec;
        let (cn, ct) = (s.cols_neck, self.torso_cols());
        if k <= cn {
            s.neck_side.x * k as f32 / cn as f32
        } else if k <= ct {
            lerp(
                s.neck_side.x,
                s.armpit.x,
                (k - cn) as f32 / s.cols_shoulder as f32,
            )
        } else {
            lerp(
                s.armpit.x,
                s.sleeve_end_x,
                (k - ct) as f32 / s.cols_sleeve as f32,
            )
        }
    }

    fn half_width(&self, y: f32) -> f32 {
        let s = &self.spec;
        if y <= s.waist_y {
            lerp(
                s.hem_half_width,
                s.waist_half_width,
                ((y - s.hem_y) / (s.waist_y - s.hem_y)).clamp(0.0, 1.0),
            )
        } else {
            lerp(
                s.waist_half_width,
                s.armpit.x,
                smoothstep(s.waist_y, s.chest_y, y),
            )
        }
    }

    fn split_y(&self, x: f32) -> f32 {
        let s = &self.spec;
        lerp(s.split_centre_y, s.armpit.y, (x / s.armpit.x).powi(2))
    }

    /// The upper edge of the panel: neckline, shoulder seam, sleeve top.
    fn top_y(&self, x: f32, front: bool) -> f32 {
        let s = &self.spec;
        if x < s.neck_side.x {
            let t = x / s.neck_side.x;
            if front && s.v_neck {
                s.neck_side.y - s.front_neck_drop * (1.0 - t)
            } else {
                let drop = if front {
                    s.front_neck_drop
                } else {
                    s.back_neck_drop
                };
                s.neck_side.y - drop * (1.0 - t * t).sqrt()
            }
        } else if x <= s.armpit.x {
            lerp(
                s.neck_side.y,
                s.shoulder.y,
                (x - s.neck_side.x) / (s.armpit.x - s.neck_side.x),
            )
        } else {
            lerp(
                s.shoulder.y,
                s.sleeve_end_top_y,
                (x - s.armpit.x) / (s.sleeve_end_x - s.armpit.x),
            )
        }
    }

    /// The underarm seam, for x past the armpit.
    fn under_y(&self, x: f32) -> f32 {
        let s = &self.spec;
        lerp(
            s.armpit.y,
            s.sleeve_end_bottom_y,
            (x - s.armpit.x) / (s.sleeve_end_x - s.armpit.x),
        )
    }

    fn exists(&self, k: usize, j: usize) -> bool {
        k <= self.torso_cols() || j >= self.spec.rows_lower
    }

    /// Grid node (column k ≥ 0, row j) in the panel plane.
    fn node_2d(&self, k: usize, j: usize, front: bool) -> Vec2 {
        let s = &self.spec;
        let x_upper = self.col_x(k);
        if j <= s.rows_lower && k <= self.torso_cols() {
            let y = lerp(
                s.hem_y,
                self.split_y(x_upper),
                j as f32 / s.rows_lower as f32,
            );
            Vec2::new(x_upper / s.armpit.x * self.half_width(y), y)
        } else {
            let t = (j - s.rows_lower) as f32 / s.rows_upper as f32;
            let bottom = if k <= self.torso_cols() {
                self.split_y(x_upper)
            } else {
                self.under_y(x_upper)
            };
            Vec2::new(x_upper, lerp(bottom, self.top_y(x_upper, front), t))
        }
    }

    /// Nodes on a seam belong to both panels.
    fn on_seam(&self, k: usize, j: usize) -> bool {
        let (ct, na) = (self.torso_cols(), self.spec.rows_lower);
        (k == ct && j <= na)
            || (j == na && k >= ct)
            || (j == self.rows() && k >= self.spec.cols_neck)
    }

    /// The panel's height above the z = 0 plane at `p` (x ≥ 0).
    fn height(&self, p: Vec2, front: bool) -> f32 {
        let neck = if front {
            &self.neck_front
        } else {
            &self.neck_back
        };
        let z = self
            .seams
            .iter()
            .fold(neck.profile(p), |acc, e| smin(acc, e.profile(p), SMOOTH_M));
        z.max(0.0)
    }

    /// A point on the front (or back) surface at panel coordinates (x, y).
    pub fn surface(&self, x: f32, y: f32, front: bool) -> Vec3 {
        let z = self.height(Vec2::new(x.abs(), y), front);
        Vec3::new(x, y, if front { z } else { -z })
    }

    /// The outward normal of the surface at (x, y), by central differences.
    pub fn surface_normal(&self, x: f32, y: f32, front: bool) -> Vec3 {
        let e = 1e-3;
        let dx = self.surface(x + e, y, front) - self.surface(x - e, y, front);
        let dy = self.surface(x, y + e, front) - self.surface(x, y - e, front);
        let n = dx.cross(dy).normalize();
        if front {
            n
        } else {
            -n
        }
    }

    /// The front neckline, centre to the left neck side, as (x, y) points.
    pub fn front_neckline(&self) -> Vec<Vec2> {
        (0..=self.spec.cols_neck)
            .map(|k| self.node_2d(k, self.rows(), true))
            .collect()
    }

    /// The back neckline from the right neck side to the left one, 3D.
    pub fn back_neckline(&self) -> Vec<Vec3> {
        let cn = self.spec.cols_neck as isize;
        (-cn..=cn)
            .map(|i| {
                let p = self.node_2d(i.unsigned_abs(), self.rows(), false);
                self.surface(p.x * i.signum() as f32, p.y, false)
            })
            .collect()
    }

    /// The shell: both panels, smooth normals, fabric UVs.
    pub fn mesh(&self, material: usize) -> Primitive {
        let (c, rows) = (self.cols(), self.rows());
        let width = 2 * c + 1;
        let slot = |i: isize, j: usize| (i + c as isize) as usize * (rows + 1) + j;
        let position = |i: isize, j: usize, front: bool| {
            let p = self.node_2d(i.unsigned_abs(), j, front);
            if self.on_seam(i.unsigned_abs(), j) {
                Vec3::new(p.x * i.signum() as f32, p.y, 0.0)
            } else {
                self.surface(p.x * i.signum() as f32, p.y, front)
            }
        };
        let uv = self.fabric_uvs();
        let mut prim = Primitive::new(material);
        let mut index = [
            vec![None; width * (rows + 1)],
            vec![None; width * (rows + 1)],
        ];
        for (panel, front) in [(0, true), (1, false)] {
            for i in -(c as isize)..=c as isize {
                for j in 0..=rows {
                    let k = i.unsigned_abs();
                    if !self.exists(k, j) {
                        continue;
                    }
                    index[panel][slot(i, j)] = if !front && self.on_seam(k, j) {
                        index[0][slot(i, j)]
                    } else {
                        let t = uv[k * (rows + 1) + j];
                        let u = Vec2::new(t.x * i.signum() as f32, t.y);
                        Some(prim.vertex(position(i, j, front), Vec3::Z, u))
                    };
                }
            }
        }
        for (panel, front) in [(0, true), (1, false)] {
            for i in -(c as isize)..c as isize {
                for j in 0..rows {
                    let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
                    let ids: Option<Vec<u32>> = corners
                        .iter()
                        .map(|&(a, b)| index[panel][slot(a, b)])
                        .collect();
                    let Some(ids) = ids else { continue };
                    // Counter-clockwise seen from outside: +z for the front,
                    // -z for the back. Diagonals mirror across x = 0.
                    let tris = if i >= 0 {
                        [[ids[0], ids[1], ids[2]], [ids[0], ids[2], ids[3]]]
                    } else {
                        [[ids[0], ids[1], ids[3]], [ids[1], ids[2], ids[3]]]
                    };
                    for [a, b, c] in tris {
                        if front {
                            prim.triangle(a, b, c);
                        } else {
                            prim.triangle(a, c, b);
                        }
                    }
                }
            }
        }
        prim.compute_normals();
        prim
    }

    /// UVs per node of the front panel (x ≥ 0): u is the arc length across
    /// the row from the centre, v the arc length up the column, in texture
    /// repeats, so the knit keeps its size over the curved surface.
    fn fabric_uvs(&self) -> Vec<Vec2> {
        let (c, rows) = (self.cols(), self.rows());
        let point = |k: usize, j: usize| {
            let p = self.node_2d(k, j, true);
            self.surface(p.x, p.y, true)
        };
        let mut uv = vec![Vec2::ZERO; (c + 1) * (rows + 1)];
        for j in 0..=rows {
            let mut u = 0.0;
            let mut prev: Option<Vec3> = None;
            for k in 0..=c {
                if !self.exists(k, j) {
                    continue;
                }
                let p = point(k, j);
                u += prev.map_or(0.0, |q| q.distance(p));
                prev = Some(p);
                uv[k * (rows + 1) + j].x = u / self.spec.metres_per_uv;
            }
        }
        for k in 0..=c {
            let first = if k <= self.torso_cols() {
                0
            } else {
                self.spec.rows_lower
            };
            let mut v = point(k, first).y;
            for j in first..=rows {
                if j > first {
                    v += point(k, j).distance(point(k, j - 1));
                }
                uv[k * (rows + 1) + j].y = v / self.spec.metres_per_uv;
            }
        }
        uv
    }
}
