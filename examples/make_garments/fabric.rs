//! The building blocks of a fabric surface, in flat pattern coordinates
//! (metres, x across the piece, y up it along the grain): weaves and knits
//! as relief, stitch lines, seam profiles and soft drape folds. The
//! garments combine them into a `bake::Surface` per point.

use std::f32::consts::TAU;

use glam::Vec2;

use crate::mesh::smoothstep;
use crate::texture::hash;

/// Smooth value noise of `cell_m` cells (not tiled: the atlas is unique).
pub fn noise(p: Vec2, cell_m: f32, seed: u32) -> f32 {
    let q = p / cell_m;
    let (ix, iy) = (q.x.floor() as i32, q.y.floor() as i32);
    let (tx, ty) = (q.x - ix as f32, q.y - iy as f32);
    let (sx, sy) = (tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty));
    let at = |dx: i32, dy: i32| hash(ix + dx, iy + dy, seed);
    let top = at(0, 0) + (at(1, 0) - at(0, 0)) * sx;
    let bottom = at(0, 1) + (at(1, 1) - at(0, 1)) * sx;
    top + (bottom - top) * sy
}

/// Single jersey seen from the face: columns (wales) of V-shaped loops.
/// 0..1, `wale_m` wide, `course_m` tall.
pub fn jersey(p: Vec2, wale_m: f32, course_m: f32) -> f32 {
    let u = p.x / wale_m;
    let v = p.y / course_m;
    // Each wale is two legs leaning towards its centre line.
    let column = u - u.floor() - 0.5;
    let row = v - v.floor();
    let leg = (column.abs() - 0.25 - 0.18 * (row - 0.5)).abs();
    let bulge = (1.0 - (leg / 0.22).powi(2)).max(0.0).sqrt();
    // Slight loop-to-loop variation so it is not a perfect grid.
    let lumpy = hash(u.floor() as i32, v.floor() as i32, 5);
    bulge * (0.85 + 0.15 * lumpy)
}

/// 1×1 rib: raised wales alternating with sunken ones, `period_m` apart.
pub fn rib(p: Vec2, period_m: f32) -> f32 {
    let c = (TAU * p.x / period_m).cos();
    let loops = 0.5 + 0.5 * (TAU * p.y / (period_m * 0.8)).cos();
    (0.5 + 0.5 * c).powf(0.7) * (0.85 + 0.15 * loops)
}

/// 2/2 twill: diagonal ribs `period_m` apart (rising to the right), with
/// the weave's crossings.
pub fn twill(p: Vec2, period_m: f32) -> f32 {
    let d = (p.x + p.y) / period_m;
    let rib = 0.5 + 0.5 * (TAU * d).cos();
    let across = 0.5 + 0.5 * (TAU * (p.x - p.y) / (period_m * 0.5)).cos();
    0.75 * rib + 0.25 * rib * across
}

/// A line of stitches along a seam, `d` metres from the line (signed) at
/// arc length `along`: raised thread dashes. Returns (relief 0..1, how
/// much of the texel is thread 0..1).
pub fn stitches(d: f32, along: f32, length_m: f32, width_m: f32) -> (f32, f32) {
    let across = (1.0 - (d / (width_m * 0.5)).powi(2)).max(0.0);
    let t = along / length_m;
    let f = t - t.floor();
    // Dashes with rounded ends, a short gap where the thread goes in.
    let dash = smoothstep(0.0, 0.12, f) * (1.0 - smoothstep(0.78, 0.9, f));
    let thread = across.sqrt() * dash;
    (thread, smoothstep(0.15, 0.5, thread))
}

/// A soft ridge of `height_m` along a segment from `a` to `b` (fading
/// out towards `b`), `width_m` across: drape folds.
pub fn fold(p: Vec2, a: Vec2, b: Vec2, width_m: f32, height_m: f32) -> f32 {
    let ab = b - a;
    let t = (p - a).dot(ab) / ab.length_squared();
    if !(-0.2..=1.0).contains(&t) {
        return 0.0;
    }
    let d = p.distance(a + ab * t.clamp(0.0, 1.0));
    let fade = smoothstep(-0.2, 0.15, t) * (1.0 - smoothstep(0.45, 1.0, t));
    height_m * fade * (-(d / width_m).powi(2) * 2.0).exp()
}

/// Distance from `p` to a polyline and the arc length of its nearest
/// point; the distance is negative on the polyline's left.
pub fn along(points: &[Vec2], p: Vec2) -> (f32, f32) {
    let mut best = (f32::MAX, 0.0, 1.0);
    let mut walked = 0.0;
    for w in points.windows(2) {
        let ab = w[1] - w[0];
        let len = ab.length().max(1e-9);
        let t = ((p - w[0]).dot(ab) / (len * len)).clamp(0.0, 1.0);
        let q = w[0] + ab * t;
        let d = p.distance(q);
        if d < best.0 {
            let side = if ab.perp_dot(p - w[0]) > 0.0 {
                -1.0
            } else {
                1.0
            };
            best = (d, walked + t * len, side);
        }
        walked += len;
    }
    (best.0 * best.2, best.1)
}
