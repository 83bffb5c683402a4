//! A product-photo-style T-shirt, front view, drawn procedurally on a
//! transparent background: silhouette, crew-neck rib, seams and hems, soft
//! folds, and a print whose sun sits on the wearer's left (image right) so
//! a mirrored use shows. The neck opening is transparent too (no inside of
//! the back showing), so the wearer's neck shows through when overlaid.

use glam::Vec2;

use crate::mesh::smoothstep;
use crate::texture::hash;

pub const WIDTH: u32 = 400;
pub const HEIGHT: u32 = 440;

/// Pixel anchors for the catalog ("left" = the wearer's left = image right).
#[derive(Debug, Clone, Copy)]
pub struct Anchors {
    pub left_shoulder: [u32; 2],
    pub right_shoulder: [u32; 2],
    pub left_hip: [u32; 2],
    pub right_hip: [u32; 2],
    /// The centre of the neck opening, level with the neck points (where
    /// the shoulder seams meet the collar); it lies in the transparent opening.
    pub neckline: [u32; 2],
    pub left_sleeve_end: [u32; 2],
    pub right_sleeve_end: [u32; 2],
}

const CENTRE_X: f32 = 200.0;
const NECK_SIDE: Vec2 = Vec2::new(242.0, 56.0);
const SHOULDER: Vec2 = Vec2::new(306.0, 78.0);
const SLEEVE_TOP: Vec2 = Vec2::new(382.0, 132.0);
const SLEEVE_BOTTOM: Vec2 = Vec2::new(343.0, 186.0);
const ARMPIT: Vec2 = Vec2::new(316.0, 166.0);
const HEM_CORNER: Vec2 = Vec2::new(320.0, 392.0);
const HEM_CENTRE: Vec2 = Vec2::new(200.0, 396.0);
const HEM_CONTROL: Vec2 = Vec2::new(260.0, 395.0);
/// How far above the hem its stitching runs, px.
const HEM_DEPTH: f32 = 14.0;
const NECK_HALF_WIDTH: f32 = 42.0;
const FRONT_NECK_DROP: f32 = 38.0;

fn px(p: Vec2) -> [u32; 2] {
    [p.x.round() as u32, p.y.round() as u32]
}

fn mirror(p: Vec2) -> Vec2 {
    Vec2::new(2.0 * CENTRE_X - p.x, p.y)
}

pub fn anchors() -> Anchors {
    let sleeve_end = (SLEEVE_TOP + SLEEVE_BOTTOM) * 0.5;
    // Right-side anchors mirror the rounded left ones, so they stay symmetric.
    let mirrored = |p: Vec2| {
        let [x, y] = px(p);
        [(2.0 * CENTRE_X) as u32 - x, y]
    };
    Anchors {
        left_shoulder: px(SHOULDER),
        right_shoulder: mirrored(SHOULDER),
        left_hip: px(HEM_CORNER),
        right_hip: mirrored(HEM_CORNER),
        neckline: px(Vec2::new(CENTRE_X, NECK_SIDE.y)),
        left_sleeve_end: px(sleeve_end),
        right_sleeve_end: mirrored(sleeve_end),
    }
}

fn quad_bezier(a: Vec2, c: Vec2, b: Vec2, count: usize) -> Vec<Vec2> {
    (0..count)
        .map(|i| {
            let t = i as f32 / (count - 1) as f32;
            a * (1.0 - t) * (1.0 - t) + c * 2.0 * t * (1.0 - t) + b * t * t
        })
        .collect()
}

/// A neckline half-ellipse across the neck opening, right neck side to left.
fn neckline(drop: f32) -> Vec<Vec2> {
    (0..=32)
        .map(|i| {
            let u = -1.0 + 2.0 * i as f32 / 32.0;
            Vec2::new(
                CENTRE_X + NECK_HALF_WIDTH * u,
                NECK_SIDE.y + drop * (1.0 - u * u).sqrt(),
            )
        })
        .collect()
}

/// Distance from `p` to a polyline and the arc length (px) of the nearest point.
fn polyline_distance(points: &[Vec2], p: Vec2) -> (f32, f32) {
    let (mut best, mut best_s, mut s) = (f32::MAX, 0.0, 0.0);
    for pair in points.windows(2) {
        let ab = pair[1] - pair[0];
        let t = ((p - pair[0]).dot(ab) / ab.length_squared().max(1e-9)).clamp(0.0, 1.0);
        let d = p.distance(pair[0] + ab * t);
        if d < best {
            best = d;
            best_s = s + t * ab.length();
        }
        s += ab.length();
    }
    (best, best_s)
}

/// Signed distance to a closed polygon, negative inside.
fn polygon_distance(points: &[Vec2], p: Vec2) -> f32 {
    let mut inside = false;
    let mut best = f32::MAX;
    for i in 0..points.len() {
        let (a, b) = (points[i], points[(i + 1) % points.len()]);
        if (a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x) {
            inside = !inside;
        }
        let ab = b - a;
        let t = ((p - a).dot(ab) / ab.length_squared().max(1e-9)).clamp(0.0, 1.0);
        best = best.min(p.distance(a + ab * t));
    }
    if inside {
        -best
    } else {
        best
    }
}

/// The silhouette, clockwise on screen from the front neck's centre.
fn outline() -> Vec<Vec2> {
    let mut right = neckline(FRONT_NECK_DROP)[16..].to_vec();
    right.extend(
        quad_bezier(NECK_SIDE, Vec2::new(275.0, 64.0), SHOULDER, 8)
            .into_iter()
            .skip(1),
    );
    right.extend(
        quad_bezier(SHOULDER, Vec2::new(346.0, 100.0), SLEEVE_TOP, 10)
            .into_iter()
            .skip(1),
    );
    right.push(SLEEVE_BOTTOM);
    right.extend(
        quad_bezier(SLEEVE_BOTTOM, Vec2::new(326.0, 178.0), ARMPIT, 6)
            .into_iter()
            .skip(1),
    );
    right.extend(
        quad_bezier(ARMPIT, Vec2::new(312.0, 280.0), HEM_CORNER, 16)
            .into_iter()
            .skip(1),
    );
    right.extend(
        quad_bezier(HEM_CORNER, HEM_CONTROL, HEM_CENTRE, 8)
            .into_iter()
            .skip(1),
    );
    let mut all = right.clone();
    // The left half, mirrored, back up to the start (centre points not repeated).
    all.extend(right[1..right.len() - 1].iter().rev().map(|p| mirror(*p)));
    all
}

/// A 5×7 bitmap of the print's letters.
fn glyph(letter: char) -> [u8; 7] {
    match letter {
        'D' => [
            0b11110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b11110,
        ],
        'R' => [
            0b11110, 0b10001, 0b10001, 0b11110, 0b10100, 0b10010, 0b10001,
        ],
        'A' => [
            0b01110, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001,
        ],
        'P' => [
            0b11110, 0b10001, 0b10001, 0b11110, 0b10000, 0b10000, 0b10000,
        ],
        _ => [
            0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b11111,
        ],
    }
}

fn rgb(hex: u32) -> [f32; 3] {
    [16, 8, 0].map(|s| ((hex >> s) & 0xff) as f32 / 255.0)
}

struct Scene {
    outline: Vec<Vec2>,
    front_neck: Vec<Vec2>,
    shoulder_seam: Vec<Vec2>,
    armhole_seam: Vec<Vec2>,
    sleeve_stitch: [Vec2; 2],
    hem_stitch: Vec<Vec2>,
    /// Folds: (from, to, width px, depth).
    folds: Vec<(Vec2, Vec2, f32, f32)>,
}

impl Scene {
    fn new() -> Scene {
        let inward = (SHOULDER - (SLEEVE_TOP + SLEEVE_BOTTOM) * 0.5).normalize();
        let sleeve_stitch = [SLEEVE_TOP + inward * 12.0, SLEEVE_BOTTOM + inward * 12.0];
        // The hem from the right hip (image left) to the left hip, 14 px up.
        let hem_right = quad_bezier(HEM_CORNER, HEM_CONTROL, HEM_CENTRE, 8);
        let mut hem: Vec<Vec2> = hem_right.iter().map(|p| mirror(*p)).collect();
        hem.extend(hem_right.iter().rev().skip(1));
        let hem_stitch = hem.iter().map(|p| *p - Vec2::Y * HEM_DEPTH).collect();
        let mut folds = Vec::new();
        for (a, b, w, s) in [
            (Vec2::new(314.0, 170.0), Vec2::new(262.0, 232.0), 7.0, 0.08),
            (Vec2::new(312.0, 188.0), Vec2::new(274.0, 258.0), 6.0, 0.05),
            (Vec2::new(262.0, 322.0), Vec2::new(256.0, 384.0), 9.0, 0.045),
            (Vec2::new(322.0, 112.0), Vec2::new(344.0, 152.0), 5.0, 0.05),
        ] {
            folds.push((a, b, w, s));
            folds.push((mirror(a), mirror(b), w, s * 0.8));
        }
        Scene {
            outline: outline(),
            front_neck: neckline(FRONT_NECK_DROP),
            shoulder_seam: quad_bezier(NECK_SIDE, Vec2::new(272.0, 44.0), SHOULDER, 8),
            armhole_seam: quad_bezier(SHOULDER, Vec2::new(300.0, 125.0), ARMPIT, 10),
            sleeve_stitch,
            hem_stitch,
            folds,
        }
    }

    /// The colour at `p` (sRGB 0..1) or None off the shirt.
    fn shade(&self, p: Vec2) -> Option<[f32; 3]> {
        let sd = polygon_distance(&self.outline, p);
        if sd > 0.0 {
            return None;
        }
        let base = rgb(0x7c9676);
        let q = Vec2::new(CENTRE_X + (p.x - CENTRE_X).abs(), p.y);
        let mut f = 1.0 - 0.22 * (1.0 - smoothstep(0.0, 34.0, -sd));
        f *= 1.0 + 0.06 * (CENTRE_X - p.x) / CENTRE_X + 0.05 * (220.0 - p.y) / 220.0;
        for (a, b, w, s) in &self.folds {
            let ab = *b - *a;
            let t = ((p - *a).dot(ab) / ab.length_squared()).clamp(0.0, 1.0);
            let off = p - (*a + ab * t);
            let taper = (t * (1.0 - t) * 4.0).min(1.0);
            // A valley, with a lit ridge on one side.
            let side = off.perp_dot(ab.normalize());
            f *= 1.0 - s * taper * (-(off.length() / w).powi(2)).exp();
            f *= 1.0 + 0.6 * s * taper * (-((side - 1.8 * w) / w).powi(2)).exp();
        }
        let mut colour = base;
        // Crew-neck rib: a band below the front neckline.
        let (d_neck, s_neck) = polyline_distance(&self.front_neck, p);
        if d_neck < 10.0 {
            let angle = (p.y - NECK_SIDE.y).atan2(p.x - CENTRE_X);
            f *= 0.93 + 0.04 * (angle * 70.0).cos();
        }
        f *= stitch(d_neck - 11.0, s_neck);
        // Seams and hems.
        let seam = |line: &[Vec2], depth: f32| {
            1.0 - depth * (-(polyline_distance(line, q).0 / 0.8).powi(2)).exp()
        };
        f *= seam(&self.shoulder_seam, 0.12) * seam(&self.armhole_seam, 0.16);
        let (d_sleeve, s_sleeve) = polyline_distance(&self.sleeve_stitch, q);
        let sleeve_band = polyline_distance(&[SLEEVE_TOP, SLEEVE_BOTTOM], q).0 < 12.0;
        let (d_hem, s_hem) = polyline_distance(&self.hem_stitch, p);
        let across = (p.x - CENTRE_X) / (HEM_CORNER.x - CENTRE_X);
        let hem_band =
            p.y > HEM_CENTRE.y - HEM_DEPTH - (HEM_CENTRE.y - HEM_CORNER.y) * across * across;
        if sleeve_band || hem_band {
            f *= 0.96;
        }
        f *= stitch(d_sleeve, s_sleeve) * stitch(d_hem, s_hem);
        if let Some(print) = print(p) {
            // The print follows the fabric's shading, a little faded.
            colour = print;
            f = 0.5 + 0.5 * f;
        }
        Some(colour.map(|c| (c * f).clamp(0.0, 1.0)))
    }
}

/// A dashed stitch line at distance `d` from its centre line.
fn stitch(d: f32, along: f32) -> f32 {
    let on = (along % 7.0) < 4.5;
    if on {
        1.0 - 0.28 * (-(d / 0.75).powi(2)).exp()
    } else {
        1.0
    }
}

/// The chest print: a badge with mountains and a sun (on the wearer's
/// left), and DRAPE below it.
fn print(p: Vec2) -> Option<[f32; 3]> {
    let centre = Vec2::new(CENTRE_X, 196.0);
    let at = |dx: f32, dy: f32| centre + Vec2::new(dx, dy);
    let ink = rgb(0x223446);
    let r = p.distance(centre);
    if r < 46.0 {
        if r > 43.5 {
            return Some(ink);
        }
        // Inside the triangle a-top-b (screen y down: the edges turn clockwise).
        let ridge = |a: Vec2, top: Vec2, b: Vec2| {
            let edge = |u: Vec2, v: Vec2| (v - u).perp_dot(p - u);
            edge(a, top) >= 0.0 && edge(top, b) >= 0.0 && p.y <= a.y
        };
        if p.y > centre.y + 28.0 || ridge(at(-40.0, 30.0), at(-10.0, -20.0), at(22.0, 30.0)) {
            return Some(rgb(0x2c5460));
        }
        if ridge(at(-6.0, 30.0), at(22.0, -4.0), at(46.0, 30.0)) {
            return Some(rgb(0x467a7e));
        }
        if p.distance(at(20.0, -22.0)) < 11.0 {
            return Some(rgb(0xe8883c));
        }
        return Some(rgb(0xeee2c4));
    }
    // DRAPE in 5×7 letters scaled 4×.
    let (scale, gap, top) = (4.0, 6.0, centre.y + 58.0);
    let left = CENTRE_X - (5.0 * 5.0 * scale + 4.0 * gap) / 2.0;
    if p.y < top || p.y >= top + 7.0 * scale || p.x < left {
        return None;
    }
    let cell = 5.0 * scale + gap;
    let index = ((p.x - left) / cell) as usize;
    let letter = "DRAPE".chars().nth(index)?;
    let col = ((p.x - left - index as f32 * cell) / scale) as usize;
    let row = ((p.y - top) / scale) as usize;
    (col < 5 && glyph(letter)[row] & (0b10000 >> col) != 0).then_some(ink)
}

/// The photo as RGBA8 (straight alpha), 3×3 samples per pixel.
pub fn photo_tee() -> Vec<u8> {
    let scene = Scene::new();
    let mut out = Vec::with_capacity((WIDTH * HEIGHT * 4) as usize);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let (mut sum, mut hits) = ([0.0f32; 3], 0);
            for sy in 0..3 {
                for sx in 0..3 {
                    let p = Vec2::new(
                        x as f32 + (sx as f32 + 0.5) / 3.0,
                        y as f32 + (sy as f32 + 0.5) / 3.0,
                    );
                    if let Some(c) = scene.shade(p) {
                        (0..3).for_each(|k| sum[k] += c[k]);
                        hits += 1;
                    }
                }
            }
            if hits == 0 {
                out.extend([0, 0, 0, 0]);
                continue;
            }
            // Cotton grain: a little per-pixel noise and alternating knit rows.
            let grain = 0.985 + 0.03 * hash(x as i32, y as i32, 3) + 0.01 * ((y % 2) as f32 - 0.5);
            out.extend(
                sum.map(|s| ((s / hits as f32 * grain).clamp(0.0, 1.0) * 255.0).round() as u8),
            );
            out.push((hits as f32 / 9.0 * 255.0).round() as u8);
        }
    }
    out
}
