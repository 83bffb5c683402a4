//! Sewing-pattern pieces: flat outlines in metres, made of named edges
//! (seams, hems, folds), and a mesher that fills each with near-equilateral
//! triangles. Edges that are sewn together are sampled with the same
//! number of segments, so their vertices pair up one to one.

use glam::{DVec2, Vec2};

/// One edge of a piece's outline: a polyline (dense enough to be the
/// curve) and how many mesh segments it gets.
#[derive(Debug, Clone)]
pub struct Edge {
    pub name: &'static str,
    pub points: Vec<Vec2>,
    pub segments: usize,
}

impl Edge {
    pub fn new(name: &'static str, points: Vec<Vec2>, segments: usize) -> Edge {
        assert!(points.len() >= 2 && segments >= 1, "edge {name}");
        Edge {
            name,
            points,
            segments,
        }
    }

    /// A straight edge.
    pub fn line(name: &'static str, a: Vec2, b: Vec2, segments: usize) -> Edge {
        Edge::new(name, vec![a, b], segments)
    }

    pub fn length(&self) -> f32 {
        polyline_length(&self.points)
    }
}

pub fn polyline_length(points: &[Vec2]) -> f32 {
    points.windows(2).map(|w| w[0].distance(w[1])).sum()
}

/// `count + 1` points at equal arc length along the polyline.
pub fn resample(points: &[Vec2], count: usize) -> Vec<Vec2> {
    let total = polyline_length(points);
    let mut out = Vec::with_capacity(count + 1);
    let (mut segment, mut walked) = (0, 0.0);
    for k in 0..=count {
        let target = total * k as f32 / count as f32;
        while segment + 2 < points.len()
            && walked + points[segment].distance(points[segment + 1]) < target
        {
            walked += points[segment].distance(points[segment + 1]);
            segment += 1;
        }
        let (a, b) = (points[segment], points[segment + 1]);
        let length = a.distance(b).max(1e-9);
        let t = ((target - walked) / length).clamp(0.0, 1.0);
        out.push(a.lerp(b, t));
    }
    *out.last_mut().expect("count + 1 points") = *points.last().expect("two points");
    out
}

/// Points on a cubic Bézier curve, `count + 1` of them.
pub fn cubic(a: Vec2, b: Vec2, c: Vec2, d: Vec2, count: usize) -> Vec<Vec2> {
    (0..=count)
        .map(|i| {
            let t = i as f32 / count as f32;
            let s = 1.0 - t;
            a * s * s * s + b * 3.0 * s * s * t + c * 3.0 * s * t * t + d * t * t * t
        })
        .collect()
}

/// A pattern piece: edges in counter-clockwise order, each starting where
/// the previous one ended.
#[derive(Debug, Clone)]
pub struct Piece {
    pub name: &'static str,
    pub edges: Vec<Edge>,
}

impl Piece {
    pub fn edge(&self, name: &str) -> usize {
        self.edges
            .iter()
            .position(|e| e.name == name)
            .unwrap_or_else(|| panic!("{} has no edge {name}", self.name))
    }

    /// The outline as resampled mesh boundary points (corners once).
    fn boundary(&self) -> Vec<Vec2> {
        let mut out = Vec::new();
        for (k, edge) in self.edges.iter().enumerate() {
            let next = &self.edges[(k + 1) % self.edges.len()];
            let (end, start) = (*edge.points.last().unwrap(), next.points[0]);
            assert!(
                end.distance(start) < 1e-5,
                "{}: edge {} ends at {end}, {} starts at {start}",
                self.name,
                edge.name,
                next.name
            );
            let points = resample(&edge.points, edge.segments);
            out.extend_from_slice(&points[..points.len() - 1]);
        }
        out
    }

    /// Fills the piece with triangles about `spacing_m` on a side.
    pub fn mesh(&self, spacing_m: f32) -> PieceMesh {
        let boundary = self.boundary();
        let n = boundary.len();
        let mut points = boundary.clone();
        // A triangular lattice inside, kept clear of the boundary.
        let (lo, hi) = boundary.iter().fold((Vec2::MAX, Vec2::MIN), |(lo, hi), p| {
            (lo.min(*p), hi.max(*p))
        });
        let row_step = spacing_m * 3f32.sqrt() / 2.0;
        let rows = ((hi.y - lo.y) / row_step).ceil() as i32;
        let cols = ((hi.x - lo.x) / spacing_m).ceil() as i32 + 1;
        for j in 0..=rows {
            for i in -1..=cols {
                let shift = if j % 2 == 1 { 0.5 } else { 0.0 };
                let p = Vec2::new(
                    lo.x + (i as f32 + shift) * spacing_m,
                    lo.y + j as f32 * row_step,
                );
                if inside(&boundary, p) && distance_to(&boundary, p) > 0.6 * spacing_m {
                    points.push(p);
                }
            }
        }
        let mut triangles = delaunay(&points);
        triangles.retain(|t| {
            let c = (points[t[0] as usize] + points[t[1] as usize] + points[t[2] as usize]) / 3.0;
            inside(&boundary, c)
        });
        // Every outline segment must be a triangle edge.
        for (k, at) in boundary.iter().enumerate() {
            let (a, b) = (k as u32, ((k + 1) % n) as u32);
            let found = triangles.iter().any(|t| {
                (0..3).any(|e| {
                    (t[e] == a && t[(e + 1) % 3] == b) || (t[e] == b && t[(e + 1) % 3] == a)
                })
            });
            assert!(
                found,
                "{}: outline segment {k} at {} is not a triangle edge; refine the edges",
                self.name, at
            );
        }
        smooth(&mut points, &triangles, n);
        // Each edge's vertices, corners included.
        let mut edge_vertices = Vec::new();
        let mut start = 0;
        for edge in &self.edges {
            edge_vertices.push(
                (0..=edge.segments)
                    .map(|k| ((start + k) % n) as u32)
                    .collect(),
            );
            start += edge.segments;
        }
        PieceMesh {
            points,
            triangles,
            edge_vertices,
        }
    }
}

/// A piece's triangles in pattern space.
#[derive(Debug, Clone)]
pub struct PieceMesh {
    pub points: Vec<Vec2>,
    /// Counter-clockwise in pattern space.
    pub triangles: Vec<[u32; 3]>,
    /// Per outline edge, its vertices from start to end.
    pub edge_vertices: Vec<Vec<u32>>,
}

/// Even-odd point-in-polygon.
pub fn inside(polygon: &[Vec2], p: Vec2) -> bool {
    let mut inside = false;
    let n = polygon.len();
    for k in 0..n {
        let (a, b) = (polygon[k], polygon[(k + 1) % n]);
        if (a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x) {
            inside = !inside;
        }
    }
    inside
}

pub fn segment_distance(a: Vec2, b: Vec2, p: Vec2) -> f32 {
    let ab = b - a;
    let t = ((p - a).dot(ab) / ab.length_squared().max(1e-12)).clamp(0.0, 1.0);
    p.distance(a + ab * t)
}

/// Distance from `p` to a closed polygon's outline.
pub fn distance_to(polygon: &[Vec2], p: Vec2) -> f32 {
    let n = polygon.len();
    (0..n)
        .map(|k| segment_distance(polygon[k], polygon[(k + 1) % n], p))
        .fold(f32::MAX, f32::min)
}

/// Bowyer–Watson Delaunay triangulation (counter-clockwise triangles).
fn delaunay(points: &[Vec2]) -> Vec<[u32; 3]> {
    let pts: Vec<DVec2> = points.iter().map(|p| p.as_dvec2()).collect();
    let (lo, hi) = pts.iter().fold((DVec2::MAX, DVec2::MIN), |(lo, hi), p| {
        (lo.min(*p), hi.max(*p))
    });
    let centre = (lo + hi) * 0.5;
    let size = (hi - lo).max_element() * 20.0;
    let n = pts.len();
    let mut all = pts.clone();
    all.push(centre + DVec2::new(-size, -size));
    all.push(centre + DVec2::new(size, -size));
    all.push(centre + DVec2::new(0.0, size));
    struct Tri {
        v: [usize; 3],
        centre: DVec2,
        radius2: f64,
    }
    let make = |v: [usize; 3], all: &[DVec2]| -> Tri {
        let (a, b, c) = (all[v[0]], all[v[1]], all[v[2]]);
        let d = 2.0 * (a.x * (b.y - c.y) + b.x * (c.y - a.y) + c.x * (a.y - b.y));
        let (a2, b2, c2) = (a.length_squared(), b.length_squared(), c.length_squared());
        let centre = DVec2::new(
            (a2 * (b.y - c.y) + b2 * (c.y - a.y) + c2 * (a.y - b.y)) / d,
            (a2 * (c.x - b.x) + b2 * (a.x - c.x) + c2 * (b.x - a.x)) / d,
        );
        Tri {
            v,
            centre,
            radius2: centre.distance_squared(a),
        }
    };
    let mut tris = vec![make([n, n + 1, n + 2], &all)];
    for (i, p) in pts.iter().enumerate() {
        let mut edges: Vec<[usize; 2]> = Vec::new();
        tris.retain(|t| {
            if t.centre.distance_squared(*p) < t.radius2 * (1.0 - 1e-12) {
                for e in 0..3 {
                    edges.push([t.v[e], t.v[(e + 1) % 3]]);
                }
                false
            } else {
                true
            }
        });
        // The cavity's outline: edges not shared by two removed triangles.
        for k in 0..edges.len() {
            let [a, b] = edges[k];
            let shared = edges.iter().any(|&[c, d]| c == b && d == a);
            if !shared {
                tris.push(make([a, b, i], &all));
            }
        }
    }
    tris.into_iter()
        .filter(|t| t.v.iter().all(|&v| v < n))
        .map(|t| {
            let [a, b, c] = t.v;
            let (pa, pb, pc) = (pts[a], pts[b], pts[c]);
            if (pb - pa).perp_dot(pc - pa) > 0.0 {
                [a as u32, b as u32, c as u32]
            } else {
                [a as u32, c as u32, b as u32]
            }
        })
        .collect()
}

/// Laplacian smoothing of the interior vertices (the first `fixed` are
/// the outline), never flipping a triangle.
fn smooth(points: &mut [Vec2], triangles: &[[u32; 3]], fixed: usize) {
    let mut neighbours = vec![Vec::new(); points.len()];
    let mut around = vec![Vec::new(); points.len()];
    for (index, t) in triangles.iter().enumerate() {
        for e in 0..3 {
            let (a, b) = (t[e] as usize, t[(e + 1) % 3] as usize);
            if !neighbours[a].contains(&b) {
                neighbours[a].push(b);
            }
            if !neighbours[b].contains(&a) {
                neighbours[b].push(a);
            }
            around[a].push(index);
        }
    }
    let area = |points: &[Vec2], t: &[u32; 3]| {
        let [a, b, c] = t.map(|i| points[i as usize]);
        (b - a).perp_dot(c - a)
    };
    for _ in 0..12 {
        for v in fixed..points.len() {
            if neighbours[v].is_empty() {
                continue;
            }
            let mean =
                neighbours[v].iter().map(|&u| points[u]).sum::<Vec2>() / neighbours[v].len() as f32;
            let old = points[v];
            points[v] = old.lerp(mean, 0.6);
            let min_area = around[v]
                .iter()
                .map(|&t| area(points, &triangles[t]))
                .fold(f32::MAX, f32::min);
            if min_area <= 0.0 {
                points[v] = old;
            }
        }
    }
}
