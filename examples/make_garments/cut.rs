//! Cutting and placing pieces both tops share: the set-in sleeve (its cap
//! as long as the armhole it is sewn into) and where pieces start round
//! the body before they are sewn.

use std::f32::consts::PI;

use glam::{Vec2, Vec3};

use crate::pattern::{cubic, polyline_length, Edge, Piece};
use crate::sew::{Placed, Seam};

/// Where a top's pieces sit in the lists `top_with_sleeves` makes.
pub const FRONT: usize = 0;
pub const BACK: usize = 1;
pub const SLEEVE_PIECE: usize = 2;

/// A top's front and back bodies (cut on the fold, mirrored later) and a
/// set-in sleeve cut to their armholes, started round a body of
/// `body_radius_m`, meshed at `spacing_m`; and the seams every such top
/// has: side, shoulder, the sleeve cap into both armholes, the sleeve's
/// underarm.
pub fn top_with_sleeves(
    front: Piece,
    back: Piece,
    sleeve_cut: &Sleeve,
    body_radius_m: f32,
    spacing_m: f32,
) -> (Vec<Placed>, Vec<Seam>) {
    let sleeve = set_in_sleeve(
        sleeve_cut,
        &front.edges[front.edge("armhole")],
        &back.edges[back.edge("armhole")],
    );
    let placed = vec![
        Placed {
            mesh: front.mesh(spacing_m),
            piece: front,
            start: Box::new(body_start(true, body_radius_m)),
        },
        Placed {
            mesh: back.mesh(spacing_m),
            piece: back,
            start: Box::new(body_start(false, body_radius_m)),
        },
        Placed {
            mesh: sleeve.mesh(spacing_m),
            piece: sleeve,
            start: Box::new(sleeve_start(sleeve_cut)),
        },
    ];
    let seam = |a, b, reversed| Seam { a, b, reversed };
    let seams = vec![
        seam((FRONT, "side"), (BACK, "side"), false),
        seam((FRONT, "shoulder"), (BACK, "shoulder"), false),
        seam((FRONT, "armhole"), (SLEEVE_PIECE, "cap_front"), true),
        seam((BACK, "armhole"), (SLEEVE_PIECE, "cap_back"), false),
        seam(
            (SLEEVE_PIECE, "under_back"),
            (SLEEVE_PIECE, "under_front"),
            true,
        ),
    ];
    (placed, seams)
}

/// A body's side: hem, waist and underarm heights, and the half width
/// (a quarter of the girth, flat) at each.
pub struct Torso {
    pub hem_y: f32,
    pub waist_y: f32,
    pub underarm_y: f32,
    pub hem_w: f32,
    pub waist_w: f32,
    pub chest_w: f32,
}

impl Torso {
    /// The side seam from the hem to the underarm, shaped at the waist.
    pub fn side_seam(&self) -> Vec<Vec2> {
        (0..=24)
            .map(|k| {
                let y = self.hem_y + (self.underarm_y - self.hem_y) * k as f32 / 24.0;
                let below = ((y - self.hem_y) / (self.waist_y - self.hem_y)).clamp(0.0, 1.0);
                let above = ((y - self.waist_y) / (self.underarm_y - self.waist_y)).clamp(0.0, 1.0);
                let x = if y <= self.waist_y {
                    self.hem_w + (self.waist_w - self.hem_w) * (below * (2.0 - below))
                } else {
                    self.waist_w
                        + (self.chest_w - self.waist_w) * (above * above * (3.0 - 2.0 * above))
                };
                Vec2::new(x, y)
            })
            .collect()
    }
}

/// A sleeve's cut: girth at the armhole and at the hem, underarm length;
/// where its hem starts along the arm (x, T-pose) and the mesh spacing.
pub struct Sleeve {
    pub width: f32,
    pub hem_width: f32,
    pub under_length: f32,
    pub hem_x: f32,
    pub spacing: f32,
}

impl Sleeve {
    fn segments(&self, length: f32) -> usize {
        (length / self.spacing).round().max(1.0) as usize
    }
}

/// The sleeve, flat: x round the arm (0 and `width` are the underarm
/// seam, the middle is the top of the arm), y from the hem up to the cap.
/// The cap's height is found so its length matches the armhole's.
pub fn set_in_sleeve(cut: &Sleeve, armhole_front: &Edge, armhole_back: &Edge) -> Piece {
    let target = armhole_front.length() + armhole_back.length();
    let (left, right) = (
        Vec2::new(0.0, cut.under_length),
        Vec2::new(cut.width, cut.under_length),
    );
    let cap = |height: f32| {
        let top = Vec2::new(cut.width * 0.5, cut.under_length + height);
        let back = cubic(
            right,
            right + Vec2::new(-0.06, height * 0.15),
            top + Vec2::new(0.09, 0.0),
            top,
            24,
        );
        let front = cubic(
            top,
            top + Vec2::new(-0.09, 0.0),
            left + Vec2::new(0.06, height * 0.15),
            left,
            24,
        );
        (back, front)
    };
    let (mut lo, mut hi) = (0.0f32, 0.15f32);
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        let (b, f) = cap(mid);
        if polyline_length(&b) + polyline_length(&f) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let (back, front) = cap(lo);
    let inset = 0.5 * (cut.width - cut.hem_width);
    let (hem_l, hem_r) = (Vec2::new(inset, 0.0), Vec2::new(cut.width - inset, 0.0));
    let under = cut.segments(hem_r.distance(right));
    Piece {
        name: "sleeve",
        edges: vec![
            Edge::line("hem", hem_l, hem_r, cut.segments(cut.hem_width)),
            Edge::line("under_back", hem_r, right, under),
            Edge::new("cap_back", back, armhole_back.segments),
            Edge::new("cap_front", front, armhole_front.segments),
            Edge::line("under_front", left, hem_l, under),
        ],
    }
}

/// Where a body piece starts: wrapped round a cylinder of `radius` in
/// front of (or behind) the torso, its top rolled back over the shoulders.
pub fn body_start(front: bool, radius: f32) -> impl Fn(Vec2) -> Vec3 {
    move |p: Vec2| {
        let angle = p.x / radius;
        let depth = radius * angle.cos();
        let roll_from = 1.40;
        let (y, z) = if p.y > roll_from {
            let over = (p.y - roll_from) / depth.max(0.06);
            let over = over.min(PI * 0.5);
            (roll_from + depth * over.sin(), depth * over.cos())
        } else {
            (p.y, depth)
        };
        Vec3::new(radius * angle.sin(), y, if front { z + 0.01 } else { -z })
    }
}

/// The sleeve starts as a tube round the left arm, a little loose.
pub fn sleeve_start(cut: &Sleeve) -> impl Fn(Vec2) -> Vec3 {
    let (width, hem_width, hem_x) = (cut.width, cut.hem_width, cut.hem_x);
    let length = cut.under_length;
    move |p: Vec2| {
        // The tube narrows from the armhole to the hem.
        let girth = hem_width + (width - hem_width) * (p.y / length).clamp(0.0, 1.0);
        let radius = 1.1 * girth / (2.0 * PI);
        let angle = PI * (1.0 - 2.0 * p.x / width);
        Vec3::new(
            hem_x - p.y,
            1.45 + radius * angle.cos(),
            radius * angle.sin(),
        )
    }
}
