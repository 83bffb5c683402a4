//! The T-shirt's sewing pattern (the wearer's left half, metres): a front
//! and a back body cut on the fold with a gently shaped side seam, a
//! set-in short sleeve whose cap is sewn round the armhole, and where
//! each piece starts around the body before it is sewn and draped.

use glam::{Vec2, Vec3};

use crate::bake::Surface;
use crate::body::Body;
use crate::cloth::{strip, surface_at, Charts, Part};
use crate::cut::{top_with_sleeves, Sleeve, Torso, BACK, FRONT, SLEEVE_PIECE};
use crate::fabric::{along, fold, jersey, noise, rib, stitches};
use crate::mesh::smoothstep;
use crate::pattern::{cubic, polyline_length, Edge, Piece};
use crate::sew::{Placed, Seam, Sewn};

/// Mesh triangle size, metres.
pub const SPACING_M: f32 = 0.019;
/// Texture density: about 1.6 texels per screen pixel when the shirt is
/// 500 px tall (a 1080p frame).
pub const TEXELS_PER_M: f32 = 1280.0;

pub const HEM_Y: f32 = 0.945;
const WAIST_Y: f32 = 1.10;
const UNDERARM_Y: f32 = 1.37;
/// Half the body's width along the hem, waist and chest (a quarter of the
/// girth): 1.0 m round the chest, 0.1 m of ease on the reference body.
const HEM_W: f32 = 0.245;
const WAIST_W: f32 = 0.236;
const CHEST_W: f32 = 0.25;
const TORSO: Torso = Torso {
    hem_y: HEM_Y,
    waist_y: WAIST_Y,
    underarm_y: UNDERARM_Y,
    hem_w: HEM_W,
    waist_w: WAIST_W,
    chest_w: CHEST_W,
};
const NECK_SIDE: Vec2 = Vec2::new(0.092, 1.568);
const FRONT_NECK_DROP: f32 = 0.085;
const BACK_NECK_DROP: f32 = 0.024;
/// The short sleeve.
const SLEEVE: Sleeve = Sleeve {
    width: 0.40,
    hem_width: 0.37,
    under_length: 0.105,
    hem_x: 0.30,
    spacing: SPACING_M,
};

fn segments(length: f32) -> usize {
    (length / SPACING_M).round().max(1.0) as usize
}

/// A body piece (front or back) of the left half.
fn body(name: &'static str, front: bool) -> Piece {
    let under = Vec2::new(CHEST_W, UNDERARM_Y);
    let shoulder = Vec2::new(0.207, 1.535);
    // The armhole scoops in more at the front than at the back.
    let scoop = if front { 0.042 } else { 0.030 };
    let armhole = cubic(
        under,
        under + Vec2::new(-scoop, 0.0),
        shoulder + Vec2::new(-0.004, -0.085),
        shoulder,
        24,
    );
    let drop = if front {
        FRONT_NECK_DROP
    } else {
        BACK_NECK_DROP
    };
    let centre = Vec2::new(0.0, NECK_SIDE.y - drop);
    let neckline = cubic(
        NECK_SIDE,
        NECK_SIDE + Vec2::new(-0.008, -drop * 0.8),
        centre + Vec2::new(0.055, 0.0),
        centre,
        24,
    );
    let hem = [Vec2::new(0.0, HEM_Y), Vec2::new(HEM_W, HEM_Y)];
    Piece {
        name,
        edges: vec![
            Edge::new("hem", hem.to_vec(), segments(HEM_W)),
            Edge::new("side", TORSO.side_seam(), segments(UNDERARM_Y - HEM_Y)),
            Edge::new(
                "armhole",
                armhole.clone(),
                segments(polyline_length(&armhole)),
            ),
            Edge::line(
                "shoulder",
                shoulder,
                NECK_SIDE,
                segments(shoulder.distance(NECK_SIDE)),
            ),
            Edge::new(
                "neckline",
                neckline.clone(),
                segments(polyline_length(&neckline)),
            ),
            Edge::line("fold", centre, hem[0], segments(centre.y - HEM_Y)),
        ],
    }
}

/// The pieces, their seams and their folds.
pub fn pattern() -> (Vec<Placed>, Vec<Seam>, Vec<(usize, &'static str)>) {
    let (placed, seams) = top_with_sleeves(
        body("front", true),
        body("back", false),
        &SLEEVE,
        0.215,
        SPACING_M,
    );
    (placed, seams, vec![(FRONT, "fold"), (BACK, "fold")])
}

/// The finished T-shirt's parts (left half): the draped pieces, the
/// ribbed crew-neck band (folded double, sewn to the neckline) and the
/// hems turned up inside the body and the sleeves.
pub fn parts(placed: Vec<Placed>, sewn: Sewn, body: &Body, charts: &mut Charts) -> Vec<Part> {
    let edge = |piece: usize, name: &str| -> Vec<Vec3> {
        let p = &placed[piece];
        p.mesh.edge_vertices[p.piece.edge(name)]
            .iter()
            .map(|&v| sewn.positions[piece][v as usize])
            .collect()
    };
    // Neckline from the centre front round to the centre back.
    let mut neck = edge(FRONT, "neckline");
    neck.reverse();
    neck.extend(&edge(BACK, "neckline")[1..]);
    // The band folded double: the outer layer up from the seam, the
    // inner one back down inside it, towards the neck.
    let band_up = |k: usize| {
        let p = neck[k];
        let to_axis = Vec3::new(-p.x, 0.0, -0.012 - p.z).normalize_or(Vec3::NEG_Z);
        // Leans on the neck more at the front, where the neckline is lower.
        let lean = 0.35 + 0.45 * smoothstep(0.0, 0.09, p.z);
        (p, (Vec3::Y + to_axis * lean).normalize(), to_axis)
    };
    let band = strip(&neck, &[0.0, BAND_M], |row, k| {
        let (p, up, _) = band_up(k);
        p + up * BAND_M * row as f32
    });
    let band_inside = strip(&neck, &[0.0, BAND_M - 0.005], |row, k| {
        let (p, up, to_axis) = band_up(k);
        if row == 0 {
            p + up * BAND_M
        } else {
            p + up * 0.005 + to_axis * 0.003
        }
    });
    // Hems turned up inside: each row follows the piece's own surface
    // (its flat pattern a little above the hem), just inside it.
    let facing = |piece: usize, name: &str, height: f32, lift: Vec2| {
        let p = &placed[piece];
        let ids = &p.mesh.edge_vertices[p.piece.edge(name)];
        let positions = &sewn.positions[piece];
        let chain: Vec<Vec3> = ids.iter().map(|&v| positions[v as usize]).collect();
        let flat: Vec<Vec2> = ids.iter().map(|&v| p.mesh.points[v as usize]).collect();
        strip(&chain, &[0.0, height], |row, k| {
            if row == 0 {
                return chain[k];
            }
            let (q, n) = surface_at(&p.mesh, positions, flat[k] + lift * height);
            // Inwards: against the body's outward direction.
            let out = body.gradient(q);
            q - n * n.dot(out).signum() * 0.003
        })
    };
    let front_facing = facing(FRONT, "hem", HEM_FACING_M, Vec2::Y);
    let back_facing = facing(BACK, "hem", HEM_FACING_M, Vec2::Y);
    let sleeve_facing = facing(SLEEVE_PIECE, "hem", SLEEVE_FACING_M, Vec2::Y);
    let mut parts: Vec<Part> = placed
        .into_iter()
        .zip(sewn.positions)
        .enumerate()
        .map(|(k, (p, positions))| Part {
            name: p.piece.name,
            chart: charts.add(&p.mesh, k == SLEEVE_PIECE),
            mesh: p.mesh,
            positions,
            material: 0,
            crease: false,
            inside: false,
            textured: true,
        })
        .collect();
    for (name, (mesh, positions), rotated, inside) in [
        ("neck_band", band, true, false),
        ("neck_band_inside", band_inside, true, true),
        ("front_hem_facing", front_facing, false, true),
        ("back_hem_facing", back_facing, false, true),
        ("sleeve_hem_facing", sleeve_facing, false, true),
    ] {
        parts.push(Part {
            name,
            chart: charts.add(&mesh, rotated),
            mesh,
            positions,
            material: 0,
            crease: true,
            inside,
            textured: true,
        });
    }
    parts
}

pub const BAND: usize = 3;
pub const BAND_INSIDE: usize = 4;
pub const SLEEVE_HEM_FACING: usize = 7;
/// The neck band's height; the hems turned up inside.
const BAND_M: f32 = 0.02;
const HEM_FACING_M: f32 = 0.024;
const SLEEVE_FACING_M: f32 = 0.022;

/// The T-shirt's fabric at a point of a part's flat pattern: jersey with
/// seams, twin-needle hems, the rib band, and the folds a worn T-shirt
/// shows (pulled diagonally from the armpits, a few across the waist,
/// creases under the sleeves).
/// Folds' depth and width over what a pressed shirt shows: a worn one on a
/// screen reads by its folds, at a few hundred pixels tall.
const FOLD_DEPTH: f32 = 2.2;
const FOLD_WIDTH: f32 = 1.5;

pub fn surface(pieces: &[Piece]) -> impl Fn(usize, Vec2) -> Surface + '_ {
    move |part: usize, p: Vec2| {
        let mut s = knit(p);
        match part {
            FRONT | BACK => {
                let piece = &pieces[part];
                let edge = |name: &str| &piece.edges[piece.edge(name)].points;
                for name in ["side", "shoulder", "armhole"] {
                    seam(&mut s, -along(edge(name), p).0);
                }
                let (d, at) = along(edge("neckline"), p);
                seam(&mut s, -d);
                twin_needle(&mut s, -d, at, 0.006);
                let (d, at) = along(edge("hem"), p);
                hem(&mut s, -d, at);
                // Pulled from the armpit towards the middle and down.
                let pit = Vec2::new(CHEST_W - 0.012, UNDERARM_Y + 0.01);
                let reach: &[(f32, f32, f32)] = if part == FRONT {
                    &[(0.30, 0.15, 1.0), (0.62, 0.17, 0.8), (0.95, 0.12, 0.6)]
                } else {
                    &[(0.38, 0.14, 0.8), (0.80, 0.13, 0.6)]
                };
                for &(angle, length, strength) in reach {
                    let dir = Vec2::new(-angle.cos(), -angle.sin());
                    s.height_m += fold(
                        p,
                        pit,
                        pit + dir * length,
                        0.010 * FOLD_WIDTH,
                        0.0024 * strength * FOLD_DEPTH,
                    );
                }
                // Short soft folds where the shirt blouses over the waist,
                // dragged a little down towards the middle; they fade out
                // before the centre line and the side seam.
                let waist: &[(Vec2, Vec2, f32)] = if part == FRONT {
                    &[
                        (Vec2::new(0.215, 1.075), Vec2::new(0.11, 1.05), 1.0),
                        (Vec2::new(0.20, 1.125), Vec2::new(0.125, 1.115), 0.6),
                        (Vec2::new(0.205, 1.01), Vec2::new(0.135, 0.995), 0.7),
                        (Vec2::new(0.085, 1.055), Vec2::new(0.025, 1.045), 0.45),
                    ]
                } else {
                    &[
                        (Vec2::new(0.21, 1.09), Vec2::new(0.12, 1.075), 0.8),
                        (Vec2::new(0.19, 1.035), Vec2::new(0.13, 1.03), 0.5),
                    ]
                };
                for &(a, b, strength) in waist {
                    s.height_m += fold(p, a, b, 0.011 * FOLD_WIDTH, 0.0017 * strength * FOLD_DEPTH);
                }
                // Long soft folds the jersey hangs in, from the chest down
                // to the hem.
                let hanging: &[(Vec2, Vec2, f32)] = if part == FRONT {
                    &[
                        (Vec2::new(0.16, 1.24), Vec2::new(0.175, 0.93), 0.8),
                        (Vec2::new(0.07, 1.18), Vec2::new(0.06, 0.93), 0.5),
                    ]
                } else {
                    &[(Vec2::new(0.12, 1.25), Vec2::new(0.14, 0.93), 0.6)]
                };
                for &(a, b, strength) in hanging {
                    s.height_m += fold(p, a, b, 0.03, 0.0035 * strength);
                }
            }
            SLEEVE_PIECE => {
                let piece = &pieces[part];
                let edge = |name: &str| &piece.edges[piece.edge(name)].points;
                for name in ["under_back", "under_front", "cap_back", "cap_front"] {
                    seam(&mut s, -along(edge(name), p).0);
                }
                let (d, at) = along(edge("hem"), p);
                hem(&mut s, -d, at);
                // Creases from the underarm, where the sleeve gathers.
                let top = SLEEVE.under_length + 0.01;
                for (x, dx, strength) in [(0.012, 0.05, 1.0), (0.03, 0.07, 0.7), (0.05, 0.05, 0.5)]
                {
                    for (a, sign) in [(x, 1.0), (SLEEVE.width - x, -1.0)] {
                        let start = Vec2::new(a, top);
                        let end = Vec2::new(a + sign * dx, 0.025);
                        s.height_m += fold(
                            p,
                            start,
                            end,
                            0.008 * FOLD_WIDTH,
                            0.0018 * strength * FOLD_DEPTH,
                        );
                    }
                }
            }
            BAND | BAND_INSIDE => {
                let r = rib(p, 0.0034);
                s.height_m = 0.00035 * r;
                s.shade = 0.95 + 0.05 * r;
                s.roughness = 0.82;
                if part == BAND {
                    seam(&mut s, p.y);
                }
            }
            _ => {}
        }
        s
    }
}

/// Jersey, slightly heathered.
fn knit(p: Vec2) -> Surface {
    let k = jersey(p, 0.0034, 0.0027);
    let heather = noise(p, 0.012, 3) - 0.5;
    Surface {
        height_m: 0.00016 * k,
        shade: 0.955 + 0.04 * k + 0.02 * heather,
        roughness: 0.86 + 0.04 * (noise(p, 0.03, 9) - 0.5),
    }
}

/// A plain seam at `inside` metres into the piece: the line sinks where
/// the pieces meet, the allowance underneath raises a narrow band.
fn seam(s: &mut Surface, inside: f32) {
    if inside > 0.012 {
        return;
    }
    let d = inside.max(0.0);
    s.height_m -= 0.0006 * (-(d / 0.0015).powi(2)).exp();
    s.height_m += 0.00025 * smoothstep(0.002, 0.004, d) * (1.0 - smoothstep(0.007, 0.011, d));
}

/// Two rows of stitches `first` and `first` + 6 mm from a seam.
fn twin_needle(s: &mut Surface, inside: f32, at: f32, first: f32) {
    for row in [first, first + 0.006] {
        let (relief, thread) = stitches(inside - row, at, 0.0032, 0.0011);
        s.height_m += 0.00025 * relief;
        s.shade = s.shade * (1.0 - thread) + 0.9 * thread;
        s.roughness = s.roughness * (1.0 - thread) + 0.62 * thread;
    }
}

/// A turned-up hem: the rounded fold at the edge, the double layer
/// standing a little proud, twin-needle stitching across it.
fn hem(s: &mut Surface, inside: f32, at: f32) {
    if inside > 0.03 {
        return;
    }
    let d = inside.max(0.0);
    s.height_m -= 0.0007 * (1.0 - smoothstep(0.0, 0.004, d));
    s.height_m += 0.00025 * (1.0 - smoothstep(0.021, 0.026, d));
    twin_needle(s, d, at, 0.0155);
}

/// How much a point of the T-shirt follows the arm: the body blends
/// towards the armhole seam (half there), the sleeve away from it.
pub fn arm_share(pieces: &[Piece]) -> impl Fn(usize, Vec2) -> f32 + '_ {
    move |part: usize, p: Vec2| match part {
        FRONT | BACK => {
            let piece = &pieces[part];
            let d = along(&piece.edges[piece.edge("armhole")].points, p).0.abs();
            0.5 * (1.0 - smoothstep(0.0, ARM_BLEND_M, d))
        }
        SLEEVE_PIECE => {
            let piece = &pieces[part];
            let d = ["cap_back", "cap_front"]
                .iter()
                .map(|e| along(&piece.edges[piece.edge(e)].points, p).0.abs())
                .fold(f32::MAX, f32::min);
            0.5 + 0.5 * smoothstep(0.0, ARM_BLEND_M, d)
        }
        SLEEVE_HEM_FACING => 1.0,
        _ => 0.0,
    }
}

/// How far either side of the armhole seam the body blends into the arm.
const ARM_BLEND_M: f32 = 0.05;
