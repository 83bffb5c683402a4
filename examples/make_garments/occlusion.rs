//! Ambient occlusion, ray traced: how much of the sky a point of cloth
//! sees past the rest of the garment and the body inside it. Rays are
//! cosine-weighted over the hemisphere of the normal; a hit counts less
//! the farther away it is, so a flat panel next to a distant sleeve stays
//! light while the crease under a collar goes dark.

use std::f32::consts::TAU;

use glam::Vec3;

use crate::body::Body;
use crate::mesh::perpendiculars;
use crate::texture::hash;

/// Hits beyond this do not occlude.
const REACH_M: f32 = 0.12;
/// Rays start this far off the surface (the cloth's own triangles).
const START_M: f32 = 0.0015;
/// Cloth nearer than this along a ray is the surface's own curve or a
/// posed fold cutting through it, not a neighbour: skipped.
const IGNORE_M: f32 = 0.004;

/// A bounding-volume hierarchy over triangles, for nearest-hit queries.
pub struct Bvh {
    nodes: Vec<Node>,
    triangles: Vec<[Vec3; 3]>,
}

struct Node {
    lo: Vec3,
    hi: Vec3,
    /// Leaf: first triangle and count; inner: the right child (the left
    /// one follows the node) and count 0.
    start: u32,
    count: u32,
}

impl Bvh {
    pub fn new(mut triangles: Vec<[Vec3; 3]>) -> Bvh {
        let mut nodes = Vec::new();
        let n = triangles.len();
        build(&mut nodes, &mut triangles, 0, n);
        Bvh { nodes, triangles }
    }

    /// The distance to the nearest triangle along `dir` within `reach`.
    pub fn hit(&self, origin: Vec3, dir: Vec3, reach: f32) -> Option<f32> {
        let inv = dir.recip();
        let mut best = reach;
        let mut stack = vec![0u32];
        while let Some(index) = stack.pop() {
            let node = &self.nodes[index as usize];
            let t0 = (node.lo - origin) * inv;
            let t1 = (node.hi - origin) * inv;
            let near = t0.min(t1).max_element().max(0.0);
            let far = t0.max(t1).min_element().min(best);
            if near > far {
                continue;
            }
            if node.count > 0 {
                for tri in &self.triangles[node.start as usize..(node.start + node.count) as usize]
                {
                    if let Some(t) = intersect(origin, dir, tri) {
                        best = best.min(t);
                    }
                }
            } else {
                stack.push(node.start);
                stack.push(index + 1);
            }
        }
        (best < reach).then_some(best)
    }
}

fn build(nodes: &mut Vec<Node>, tris: &mut [[Vec3; 3]], first: usize, count: usize) -> usize {
    let slice = &mut tris[first..first + count];
    let (lo, hi) = slice.iter().flatten().fold(
        (Vec3::splat(f32::MAX), Vec3::splat(f32::MIN)),
        |(lo, hi), p| (lo.min(*p), hi.max(*p)),
    );
    let index = nodes.len();
    nodes.push(Node {
        lo,
        hi,
        start: first as u32,
        count: count as u32,
    });
    if count <= 4 {
        return index;
    }
    let extent = hi - lo;
    let axis = if extent.x >= extent.y && extent.x >= extent.z {
        0
    } else if extent.y >= extent.z {
        1
    } else {
        2
    };
    let centre = |t: &[Vec3; 3]| (t[0][axis] + t[1][axis] + t[2][axis]) / 3.0;
    slice.sort_by(|a, b| centre(a).total_cmp(&centre(b)));
    let half = count / 2;
    build(nodes, tris, first, half);
    let right = build(nodes, tris, first + half, count - half);
    nodes[index].start = right as u32;
    nodes[index].count = 0;
    index
}

/// Möller–Trumbore, both sides.
fn intersect(origin: Vec3, dir: Vec3, tri: &[Vec3; 3]) -> Option<f32> {
    let (e1, e2) = (tri[1] - tri[0], tri[2] - tri[0]);
    let p = dir.cross(e2);
    let det = e1.dot(p);
    if det.abs() < 1e-12 {
        return None;
    }
    let inv = 1.0 / det;
    let s = origin - tri[0];
    let u = s.dot(p) * inv;
    if !(0.0..=1.0).contains(&u) {
        return None;
    }
    let q = s.cross(e1);
    let v = dir.dot(q) * inv;
    if v < 0.0 || u + v > 1.0 {
        return None;
    }
    let t = e2.dot(q) * inv;
    (t > 0.0).then_some(t)
}

/// The first time a ray comes within a millimetre of the body.
fn body_hit(body: &Body, origin: Vec3, dir: Vec3, reach: f32) -> Option<f32> {
    let mut t = 0.0;
    for _ in 0..48 {
        let d = body.distance(origin + dir * t);
        if d < 0.001 {
            return Some(t);
        }
        t += d.max(0.002);
        if t > reach {
            break;
        }
    }
    None
}

/// Occluders: the garment's triangles and the body.
pub struct Scene<'a> {
    pub cloth: &'a Bvh,
    pub body: Option<&'a Body>,
}

impl Scene<'_> {
    /// 1 where the point sees the whole hemisphere, towards 0 where
    /// cloth or body close it in. `seed` turns the ray set (neighbouring
    /// samples use different rays; a light blur then hides the noise).
    pub fn ambient(&self, p: Vec3, n: Vec3, rays: usize, seed: u32) -> f32 {
        let (u, v) = perpendiculars(n);
        let turn = hash(seed as i32, 17, 3) * TAU;
        let origin = p + n * START_M;
        // A posed garment may dip into the body at the armpits: there the
        // body does not count.
        let body = self.body.filter(|b| b.distance(origin) > 0.0);
        let mut blocked = 0.0;
        for k in 0..rays {
            // A Fibonacci spiral over the disc, lifted to the hemisphere:
            // cosine-weighted directions.
            let r = ((k as f32 + 0.5) / rays as f32).sqrt();
            let angle = k as f32 * 2.399_963 + turn;
            let (x, y) = (r * angle.cos(), r * angle.sin());
            let z = (1.0 - r * r).max(0.0).sqrt();
            let dir = (u * x + v * y + n * z).normalize();
            let cloth = self
                .cloth
                .hit(origin + dir * IGNORE_M, dir, REACH_M)
                .map(|t| t + IGNORE_M);
            let body = body.and_then(|b| body_hit(b, origin, dir, cloth.unwrap_or(REACH_M)));
            if let Some(t) = body.or(cloth) {
                let near = 1.0 - t / REACH_M;
                blocked += near * near.sqrt();
            }
        }
        1.0 - blocked / rays as f32
    }
}
