//! Sewing and draping, the way garment CAD does it: the flat pattern
//! pieces are placed around the body, their seams pulled shut, and the
//! cloth settles under gravity against the body (position-based dynamics:
//! stretch and bend constraints from the flat pattern, body collisions
//! with friction). Only the wearer's left half is simulated; pieces cut
//! on the fold keep their fold edge on the x = 0 plane, and the right half
//! is the mirror image, so the garment is exactly symmetric.
//!
//! Everything runs in a fixed order on one thread: the same toolchain
//! gives the same positions on every run.

use glam::{Vec2, Vec3};

use crate::body::Body;
use crate::pattern::{Piece, PieceMesh};

/// A piece, its flat mesh and where it starts around the body.
pub struct Placed {
    pub piece: Piece,
    pub mesh: PieceMesh,
    pub start: Box<dyn Fn(Vec2) -> Vec3>,
}

/// Two edges sewn together; `reversed` pairs the first vertex of one with
/// the last of the other.
pub struct Seam {
    pub a: (usize, &'static str),
    pub b: (usize, &'static str),
    pub reversed: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Drape {
    pub steps: usize,
    pub iterations: usize,
    /// Steps over which the seams close.
    pub close_steps: usize,
    /// Steps of the sewn garment settling as one surface.
    pub settle_steps: usize,
    pub gravity: f32,
    /// 0..1 per iteration: how strongly the cloth keeps flat.
    pub bend: f32,
    /// Share of tangential velocity lost on contact with the body.
    pub friction: f32,
    /// Velocity kept per step (air drag).
    pub damping: f32,
    pub body: Body,
}

/// The simulated left half: per piece, the draped position of each
/// pattern vertex (sewn vertices at exactly one place).
pub struct Sewn {
    pub positions: Vec<Vec<Vec3>>,
}

struct Classes {
    parent: Vec<u32>,
}

impl Classes {
    fn find(&mut self, mut i: u32) -> u32 {
        while self.parent[i as usize] != i {
            let up = self.parent[self.parent[i as usize] as usize];
            self.parent[i as usize] = up;
            i = up;
        }
        i
    }
    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            // The smaller index is the root: deterministic.
            let (lo, hi) = (a.min(b), a.max(b));
            self.parent[hi as usize] = lo;
        }
    }
}

/// Sews and drapes; `folds` are (piece, edge) on the x = 0 plane.
pub fn sew(pieces: &[Placed], seams: &[Seam], folds: &[(usize, &str)], drape: &Drape) -> Sewn {
    let mut offset = Vec::new();
    let mut total = 0usize;
    for p in pieces {
        offset.push(total);
        total += p.mesh.points.len();
    }
    let global = |piece: usize, v: u32| (offset[piece] + v as usize) as u32;
    let mut pos: Vec<Vec3> = Vec::with_capacity(total);
    for p in pieces {
        pos.extend(p.mesh.points.iter().map(|q| (p.start)(*q)));
    }
    // Stretch: every triangle edge; bend: across every inner edge.
    let mut stretch: Vec<(u32, u32, f32)> = Vec::new();
    let mut bend: Vec<(u32, u32, f32)> = Vec::new();
    for (k, p) in pieces.iter().enumerate() {
        let mut edges: Vec<(u32, u32, u32)> = Vec::new();
        for t in &p.mesh.triangles {
            for e in 0..3 {
                let (a, b, c) = (t[e], t[(e + 1) % 3], t[(e + 2) % 3]);
                edges.push((a.min(b), a.max(b), c));
            }
        }
        edges.sort_unstable();
        let point = |v: u32| p.mesh.points[v as usize];
        for (i, &(a, b, c)) in edges.iter().enumerate() {
            if i > 0 && edges[i - 1].0 == a && edges[i - 1].1 == b {
                let d = edges[i - 1].2;
                bend.push((global(k, c), global(k, d), point(c).distance(point(d))));
            } else {
                stretch.push((global(k, a), global(k, b), point(a).distance(point(b))));
            }
        }
    }
    let mut classes = Classes {
        parent: (0..total as u32).collect(),
    };
    let mut pairs: Vec<(u32, u32, f32)> = Vec::new();
    for seam in seams {
        let ea = &pieces[seam.a.0].mesh.edge_vertices[pieces[seam.a.0].piece.edge(seam.a.1)];
        let eb = &pieces[seam.b.0].mesh.edge_vertices[pieces[seam.b.0].piece.edge(seam.b.1)];
        assert_eq!(
            ea.len(),
            eb.len(),
            "seam {}.{} – {}.{}: vertex counts differ",
            pieces[seam.a.0].piece.name,
            seam.a.1,
            pieces[seam.b.0].piece.name,
            seam.b.1
        );
        let n = ea.len();
        for (i, &va) in ea.iter().enumerate() {
            let j = if seam.reversed { n - 1 - i } else { i };
            let (a, b) = (global(seam.a.0, va), global(seam.b.0, eb[j]));
            classes.union(a, b);
            pairs.push((a, b, pos[a as usize].distance(pos[b as usize])));
        }
    }
    let mut fold = vec![false; total];
    for &(piece, edge) in folds {
        for &v in &pieces[piece].mesh.edge_vertices[pieces[piece].piece.edge(edge)] {
            fold[global(piece, v) as usize] = true;
        }
    }
    for (p, f) in pos.iter_mut().zip(&fold) {
        if *f {
            p.x = 0.0;
        }
    }

    run(
        &mut pos,
        &stretch,
        &bend,
        &pairs,
        &fold,
        drape,
        drape.steps,
        drape.close_steps,
    );

    // Sewn vertices become one particle each: the class root.
    let class: Vec<u32> = (0..total as u32).map(|i| classes.find(i)).collect();
    let mut fold_class = vec![false; total];
    for i in 0..total {
        fold_class[class[i] as usize] |= fold[i];
    }
    let mut sum = vec![Vec3::ZERO; total];
    let mut count = vec![0u32; total];
    for i in 0..total {
        sum[class[i] as usize] += pos[i];
        count[class[i] as usize] += 1;
    }

    // Second pass: the whole garment, both halves, one surface (so it
    // bends smoothly across seams and the centre line).
    let mut particle = vec![u32::MAX; total];
    let mut full: Vec<Vec3> = Vec::new();
    let mut is_fold = Vec::new();
    for i in 0..total {
        if class[i] as usize == i {
            particle[i] = full.len() as u32;
            let mut p = sum[i] / count[i] as f32;
            if fold_class[i] {
                p.x = 0.0;
            }
            full.push(p);
            is_fold.push(fold_class[i]);
        }
    }
    let left = full.len();
    let mut mirror: Vec<u32> = Vec::with_capacity(left);
    for i in 0..left {
        if is_fold[i] {
            mirror.push(i as u32);
        } else {
            mirror.push(full.len() as u32);
            let p = full[i];
            full.push(Vec3::new(-p.x, p.y, p.z));
        }
    }
    let of = |piece: usize, v: u32| particle[class[global(piece, v) as usize] as usize];
    let mut rest: std::collections::BTreeMap<(u32, u32), (f32, u32)> = Default::default();
    let mut opposite: std::collections::BTreeMap<(u32, u32), Vec<u32>> = Default::default();
    for (k, p) in pieces.iter().enumerate() {
        for t in &p.mesh.triangles {
            for side in [false, true] {
                let ids = t.map(|v| {
                    let q = of(k, v);
                    if side {
                        mirror[q as usize]
                    } else {
                        q
                    }
                });
                for e in 0..3 {
                    let (a, b, c) = (ids[e], ids[(e + 1) % 3], ids[(e + 2) % 3]);
                    let key = (a.min(b), a.max(b));
                    let length = p.mesh.points[t[e] as usize]
                        .distance(p.mesh.points[t[(e + 1) % 3] as usize]);
                    let entry = rest.entry(key).or_insert((0.0, 0));
                    entry.0 += length;
                    entry.1 += 1;
                    opposite.entry(key).or_default().push(c);
                }
            }
        }
    }
    let length = |a: u32, b: u32| {
        let (sum, n) = rest[&(a.min(b), a.max(b))];
        sum / n as f32
    };
    let stretch: Vec<(u32, u32, f32)> = rest
        .iter()
        .map(|(&(a, b), &(l, n))| (a, b, l / n as f32))
        .collect();
    let mut bend = Vec::new();
    for (&(a, b), others) in &opposite {
        let unique: Vec<u32> = {
            let mut u = others.clone();
            u.sort_unstable();
            u.dedup();
            u
        };
        if let [c, d] = unique[..] {
            // The two triangles unfolded flat: the opposite corners' distance.
            let ab = length(a, b);
            let place = |c: u32| {
                let (ac, bc) = (length(a, c), length(b, c));
                let x = (ab * ab + ac * ac - bc * bc) / (2.0 * ab);
                (x, (ac * ac - x * x).max(0.0).sqrt())
            };
            let ((xc, yc), (xd, yd)) = (place(c), place(d));
            bend.push((c, d, ((xc - xd).powi(2) + (yc + yd).powi(2)).sqrt()));
        }
    }
    let no_fold = vec![false; full.len()];
    run(
        &mut full,
        &stretch,
        &bend,
        &[],
        &no_fold,
        drape,
        drape.settle_steps,
        1,
    );

    // Exactly symmetric: each particle and its mirror image averaged.
    for i in 0..left {
        let m = full[mirror[i] as usize];
        let mut p = (full[i] + Vec3::new(-m.x, m.y, m.z)) * 0.5;
        if is_fold[i] {
            p.x = 0.0;
        }
        full[i] = p;
    }
    let pos: Vec<Vec3> = (0..total)
        .map(|i| full[particle[class[i] as usize] as usize])
        .collect();
    let sizes: Vec<usize> = pieces.iter().map(|p| p.mesh.points.len()).collect();
    Sewn {
        positions: split(&pos, &sizes),
    }
}

/// Cuts a per-vertex array into per-piece arrays.
fn split<T: Clone>(all: &[T], sizes: &[usize]) -> Vec<Vec<T>> {
    let mut start = 0;
    sizes
        .iter()
        .map(|n| {
            start += n;
            all[start - n..start].to_vec()
        })
        .collect()
}

/// Position-based dynamics: gravity, stretch and bend constraints, seam
/// pairs pulled shut over `close_steps`, the fold kept on x = 0, the body
/// pushing the cloth out with friction.
#[allow(clippy::too_many_arguments)]
fn run(
    pos: &mut [Vec3],
    stretch: &[(u32, u32, f32)],
    bend: &[(u32, u32, f32)],
    pairs: &[(u32, u32, f32)],
    fold: &[bool],
    drape: &Drape,
    steps: usize,
    close_steps: usize,
) {
    let total = pos.len();
    let dt = 1.0 / 90.0;
    let mut vel = vec![Vec3::ZERO; total];
    let mut pred = pos.to_vec();
    let mut contact = vec![false; total];
    let project = |p: &mut [Vec3], a: u32, b: u32, rest: f32, k: f32| {
        let d = p[b as usize] - p[a as usize];
        let len = d.length();
        if len > 1e-9 {
            let c = d * ((len - rest) / len * 0.5 * k);
            p[a as usize] += c;
            p[b as usize] -= c;
        }
    };
    for step in 0..steps {
        let closing = (1.0 - step as f32 / close_steps as f32).max(0.0);
        for i in 0..total {
            vel[i] = (vel[i] + Vec3::NEG_Y * drape.gravity * dt) * drape.damping;
            pred[i] = pos[i] + vel[i] * dt;
        }
        for _ in 0..drape.iterations {
            for &(a, b, rest) in stretch {
                project(&mut pred, a, b, rest, 1.0);
            }
            for &(a, b, rest) in bend {
                project(&mut pred, a, b, rest, drape.bend);
            }
            for &(a, b, gap) in pairs {
                project(&mut pred, a, b, gap * closing, 1.0);
            }
            for i in 0..total {
                if fold[i] {
                    pred[i].x = 0.0;
                }
                let d = drape.body.distance(pred[i]);
                contact[i] = d < 0.002;
                if d < 0.0 {
                    let push = drape.body.gradient(pred[i]) * d;
                    pred[i] -= push;
                }
            }
        }
        for i in 0..total {
            let mut v = (pred[i] - pos[i]) / dt;
            if contact[i] {
                let n = drape.body.gradient(pred[i]);
                let normal = n * v.dot(n);
                v = normal + (v - normal) * (1.0 - drape.friction);
            }
            vel[i] = v;
            pos[i] = pred[i];
        }
    }
}
