//! The jacket (the wearer's left half, metres): a front with a V opening
//! above the top button and a cutaway below the bottom one, a back cut on
//! the fold (its centre seam drawn in the texture), a long set-in sleeve;
//! after draping, notched lapels rolled over the front, a collar with a
//! stand and a fall round the neck, flap pockets, hems turned up inside,
//! the lining an inner shell, horn buttons at the front and the cuffs.

use glam::{Vec2, Vec3};

use crate::bake::Surface;
use crate::body::Body;
use crate::cloth::{grid, nearest_on, surface_at, Charts, Cloth, Part};
use crate::cut::{top_with_sleeves, Sleeve, Torso, BACK, FRONT, SLEEVE_PIECE};
use crate::fabric::{along, fold, noise, stitches, twill};
use crate::mesh::{cylinder, smoothstep, Primitive};
use crate::pattern::{cubic, polyline_length, Edge, Piece};
use crate::sew::{Placed, Seam, Sewn};

/// Mesh triangle size, metres.
pub const SPACING_M: f32 = 0.024;
/// Texture density: about 1.5 texels per screen pixel when the jacket is
/// 650 px tall (a 1080p frame).
pub const TEXELS_PER_M: f32 = 1000.0;

const HEM_Y: f32 = 0.825;
const TORSO: Torso = Torso {
    hem_y: HEM_Y,
    waist_y: 1.06,
    underarm_y: 1.36,
    hem_w: 0.27,
    waist_w: 0.246,
    chest_w: 0.258,
};
const NECK_POINT: Vec2 = Vec2::new(0.10, 1.585);
const SHOULDER: Vec2 = Vec2::new(0.222, 1.556);
/// Where the lapels start rolling: just above the top button.
const BREAK: Vec2 = Vec2::new(0.0, 1.135);
/// Below this the fronts curve away from the centre to the hem.
const CLOSED_TO_Y: f32 = 0.95;
const CUTAWAY_X: f32 = 0.075;
const BACK_NECK_DROP: f32 = 0.028;
const SLEEVE: Sleeve = Sleeve {
    width: 0.40,
    hem_width: 0.29,
    under_length: 0.48,
    hem_x: 0.72,
    spacing: SPACING_M,
};
/// The top button and the lower one, on the centre front.
pub const BUTTONS_Y: [f32; 2] = [1.115, 1.01];
/// Where the collar meets the lapel, as a share of the roll line from the
/// break up to the neck point.
const GORGE_AT: f32 = 0.74;
const LAPEL_WIDTH_M: f32 = 0.085;
/// The collar's stand at the back, and how far its fall reaches.
const STAND_M: f32 = 0.032;
/// Pocket flap: top edge on the front's pattern, depth.
const FLAP_TOP: [Vec2; 2] = [Vec2::new(0.10, 0.985), Vec2::new(0.255, 0.98)];
const FLAP_DEPTH_M: f32 = 0.056;
/// The lining lies this far inside the shell.
const LINING_INSET_M: f32 = 0.006;

fn segments(length: f32) -> usize {
    (length / SPACING_M).round().max(1.0) as usize
}

fn armhole(front: bool) -> Vec<Vec2> {
    let under = Vec2::new(TORSO.chest_w, TORSO.underarm_y);
    let scoop = if front { 0.045 } else { 0.03 };
    cubic(
        under,
        under + Vec2::new(-scoop, 0.0),
        SHOULDER + Vec2::new(-0.004, -0.09),
        SHOULDER,
        24,
    )
}

fn front() -> Piece {
    let armhole = armhole(true);
    let roll = cubic(
        NECK_POINT,
        NECK_POINT + Vec2::new(-0.012, -0.14),
        BREAK + Vec2::new(0.035, 0.16),
        BREAK,
        24,
    );
    let closed = Vec2::new(0.0, CLOSED_TO_Y);
    let corner = Vec2::new(CUTAWAY_X, HEM_Y);
    let cutaway = cubic(
        closed,
        closed + Vec2::new(0.0, -0.07),
        corner + Vec2::new(-0.045, 0.01),
        corner,
        16,
    );
    let hem = Vec2::new(TORSO.hem_w, HEM_Y);
    Piece {
        name: "front",
        edges: vec![
            Edge::line("hem", corner, hem, segments(TORSO.hem_w - CUTAWAY_X)),
            Edge::new(
                "side",
                TORSO.side_seam(),
                segments(TORSO.underarm_y - HEM_Y),
            ),
            Edge::new(
                "armhole",
                armhole.clone(),
                segments(polyline_length(&armhole)),
            ),
            Edge::line(
                "shoulder",
                SHOULDER,
                NECK_POINT,
                segments(SHOULDER.distance(NECK_POINT)),
            ),
            Edge::new("roll", roll.clone(), segments(polyline_length(&roll))),
            Edge::line("front", BREAK, closed, segments(BREAK.y - CLOSED_TO_Y)),
            Edge::new(
                "cutaway",
                cutaway.clone(),
                segments(polyline_length(&cutaway)),
            ),
        ],
    }
}

fn back() -> Piece {
    let armhole = armhole(false);
    let centre = Vec2::new(0.0, NECK_POINT.y - BACK_NECK_DROP);
    let neckline = cubic(
        NECK_POINT,
        NECK_POINT + Vec2::new(-0.01, -BACK_NECK_DROP * 0.8),
        centre + Vec2::new(0.05, 0.0),
        centre,
        24,
    );
    let hem = [Vec2::new(0.0, HEM_Y), Vec2::new(TORSO.hem_w, HEM_Y)];
    Piece {
        name: "back",
        edges: vec![
            Edge::new("hem", hem.to_vec(), segments(TORSO.hem_w)),
            Edge::new(
                "side",
                TORSO.side_seam(),
                segments(TORSO.underarm_y - HEM_Y),
            ),
            Edge::new(
                "armhole",
                armhole.clone(),
                segments(polyline_length(&armhole)),
            ),
            Edge::line(
                "shoulder",
                SHOULDER,
                NECK_POINT,
                segments(SHOULDER.distance(NECK_POINT)),
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

/// The pieces, their seams and their folds (the buttoned front edge is
/// held on the centre line like a fold).
pub fn pattern() -> (Vec<Placed>, Vec<Seam>, Vec<(usize, &'static str)>) {
    let (placed, seams) = top_with_sleeves(front(), back(), &SLEEVE, 0.235, SPACING_M);
    (placed, seams, vec![(FRONT, "front"), (BACK, "fold")])
}

pub const LAPEL: usize = 3;
pub const COLLAR: usize = 5;
pub const FLAP: usize = 6;
pub const LINING_FRONT: usize = 7;
pub const LINING_SLEEVE: usize = 8;

/// The lapel's width `t` of the way up from the break to the gorge.
fn lapel_width(t: f32) -> f32 {
    0.012 + (LAPEL_WIDTH_M - 0.012) * smoothstep(0.0, 0.8, t).powf(0.8)
}

/// The lapel's flat pattern: u up the roll line (length `roll_m` from
/// the break to the gorge, `segments` as the front's edge there), v
/// across; its top edge turns up towards the lapel's point.
fn lapel_pattern(roll_m: f32, segments_roll: usize) -> Piece {
    let top = LAPEL_WIDTH_M;
    let turn = 0.5f32;
    let point = Vec2::new(roll_m + top * turn.sin(), top * turn.cos());
    let mut outer = vec![point];
    for k in 0..=20 {
        let u = roll_m * 0.92 * (1.0 - k as f32 / 20.0);
        outer.push(Vec2::new(u, lapel_width(u / roll_m)));
    }
    let foot = *outer.last().expect("points");
    Piece {
        name: "lapel",
        edges: vec![
            Edge::line("roll", Vec2::ZERO, Vec2::new(roll_m, 0.0), segments_roll),
            Edge::line("gorge", Vec2::new(roll_m, 0.0), point, segments(top)),
            Edge::new("edge", outer.clone(), segments(polyline_length(&outer))),
            Edge::line("foot", foot, Vec2::ZERO, 1),
        ],
    }
}

/// The finished jacket's parts (left half) and its buttons (both sides).
pub fn parts(
    placed: Vec<Placed>,
    sewn: Sewn,
    body: &Body,
    charts: &mut Charts,
) -> (Vec<Part>, Primitive) {
    let positions = &sewn.positions;
    let outward = |q: Vec3, n: Vec3| if n.dot(body.gradient(q)) < 0.0 { -n } else { n };
    let on = |piece: usize, q: Vec2| {
        let (p, n) = surface_at(&placed[piece].mesh, &positions[piece], q);
        (p, outward(p, n))
    };
    let edge_ids = |piece: usize, name: &str| -> Vec<u32> {
        let p = &placed[piece];
        p.mesh.edge_vertices[p.piece.edge(name)].clone()
    };
    let shell: Vec<[Vec3; 3]> = (0..3)
        .flat_map(|k| {
            placed[k]
                .mesh
                .triangles
                .iter()
                .map(move |t| t.map(|i| positions[k][i as usize]))
        })
        .collect();

    // The roll line from the break up to the neck point.
    let mut roll_ids = edge_ids(FRONT, "roll");
    roll_ids.reverse();
    let roll: Vec<Vec3> = roll_ids
        .iter()
        .map(|&v| positions[FRONT][v as usize])
        .collect();
    let roll_flat: Vec<Vec2> = roll_ids
        .iter()
        .map(|&v| placed[FRONT].mesh.points[v as usize])
        .collect();
    let gorge = ((roll.len() - 1) as f32 * GORGE_AT).round() as usize;

    // Lapels: the front's edge above the break, folded back over the
    // chest, rolled near the fold, cut at the top up towards the notch.
    // Their own flat pattern: u up the roll line from the break, v across.
    let mut roll_len = vec![0.0];
    for k in 1..roll_flat.len() {
        roll_len.push(roll_len[k - 1] + roll_flat[k].distance(roll_flat[k - 1]));
    }
    let on_roll = |u: f32| {
        let k = roll_len
            .windows(2)
            .position(|w| u <= w[1])
            .unwrap_or(roll_len.len() - 2);
        let t = ((u - roll_len[k]) / (roll_len[k + 1] - roll_len[k])).clamp(0.0, 1.0);
        let e = (roll_flat[k + 1] - roll_flat[k]).normalize();
        (roll_flat[k].lerp(roll_flat[k + 1], t), Vec2::new(e.y, -e.x))
    };
    let lapel_piece = lapel_pattern(roll_len[gorge], gorge);
    let lapel_mesh = lapel_piece.mesh(SPACING_M);
    let on_roll_edge = &lapel_mesh.edge_vertices[lapel_piece.edge("roll")];
    let lapel_positions: Vec<Vec3> = lapel_mesh
        .points
        .iter()
        .enumerate()
        .map(|(i, q)| {
            if let Some(k) = on_roll_edge.iter().position(|&v| v as usize == i) {
                return roll[k];
            }
            let (r, across) = on_roll(q.x);
            let (p, n) = on(FRONT, r + across * q.y);
            let f = (q.y / LAPEL_WIDTH_M).min(1.0);
            p + n * (0.0045 + 0.009 * (1.0 - f).powi(2))
        })
        .collect();
    let lapel = (lapel_mesh, lapel_positions);

    // The collar round the back of the neck and down the roll line to
    // the gorge: a stand up the neck, folded over into a fall lying on
    // the shoulders and the chest.
    let mut chain_ids = edge_ids(BACK, "neckline");
    chain_ids.reverse();
    let mut chain: Vec<Vec3> = chain_ids
        .iter()
        .map(|&v| positions[BACK][v as usize])
        .collect();
    let back_count = chain.len();
    chain.extend(roll[gorge..roll.len() - 1].iter().rev());
    let n = chain.len();
    let stand = |k: usize| {
        if k < back_count {
            STAND_M
        } else {
            let s = (k + 1 - back_count) as f32 / (n - back_count) as f32;
            STAND_M * (1.0 - 0.5 * s)
        }
    };
    let collar_point = |k: usize| {
        let p = chain[k];
        let to_axis = Vec3::new(-p.x, 0.0, -0.012 - p.z).normalize_or(Vec3::NEG_Z);
        let up = (Vec3::Y + to_axis * 0.35).normalize();
        let top = p + up * stand(k);
        // The fall's edge: out from the neck and down, laid on the shell.
        let mut guess = p - to_axis * 0.035 - Vec3::Y * 0.02;
        if k == n - 1 {
            guess -= Vec3::Y * 0.02;
        }
        let (q, normal) = nearest_on(&shell, guess);
        let normal = outward(q, normal);
        let edge = q + normal * 0.008;
        let control = top - to_axis * 0.018 + Vec3::Y * 0.004;
        (p, top, control, edge)
    };
    let row_m = 0.027;
    let collar_stand = grid(2, n, |r, k| {
        let (p, top, _, _) = collar_point(k);
        let x = polyline_length_3d(&chain[..=k]);
        (if r == 0 { p } else { top }, Vec2::new(x, r as f32 * row_m))
    });
    let collar = grid(3, n, |r, k| {
        let (_, top, control, edge) = collar_point(k);
        let x = polyline_length_3d(&chain[..=k]);
        let t = r as f32 * 0.5;
        let s = 1.0 - t;
        let p = top * s * s + control * 2.0 * s * t + edge * t * t;
        (p, Vec2::new(x, (r + 1) as f32 * row_m))
    });

    // Flap pocket: a flap lying on the front below its welt.
    let flap_cols = segments(FLAP_TOP[0].distance(FLAP_TOP[1])) + 1;
    let flap = grid(3, flap_cols, |r, k| {
        let along = k as f32 / (flap_cols - 1) as f32;
        let down = r as f32 / 2.0 * FLAP_DEPTH_M;
        let q = FLAP_TOP[0].lerp(FLAP_TOP[1], along) - Vec2::Y * down;
        let (p, n) = on(FRONT, q);
        (p + n * (0.0025 + 0.002 * r as f32 / 2.0), q - FLAP_TOP[0])
    });

    // Buttons down the front and at the cuffs.
    let mut buttons = Primitive::new(2);
    for y in BUTTONS_Y {
        let (p, n) = on(FRONT, Vec2::new(0.0, y));
        for side in [1.0, -1.0] {
            let mirror = Vec3::new(side, 1.0, 1.0);
            buttons.append(&cylinder(
                p * mirror + n * mirror * 0.001,
                (n * mirror).normalize(),
                0.011,
                0.0035,
                18,
                true,
                2,
            ));
        }
    }
    for k in 0..3 {
        let q = Vec2::new(SLEEVE.width * 0.72, 0.028 + 0.019 * k as f32);
        let (p, n) = on(SLEEVE_PIECE, q);
        for side in [1.0, -1.0] {
            let mirror = Vec3::new(side, 1.0, 1.0);
            buttons.append(&cylinder(
                p * mirror + n * mirror * 0.001,
                (n * mirror).normalize(),
                0.0075,
                0.003,
                14,
                true,
                2,
            ));
        }
    }

    let mut parts: Vec<Part> = Vec::new();
    for (p, positions) in placed.iter().zip(positions) {
        parts.push(Part {
            name: p.piece.name,
            chart: charts.add(&p.mesh, false),
            mesh: p.mesh.clone(),
            positions: positions.clone(),
            material: 0,
            crease: false,
            inside: false,
            textured: true,
        });
    }
    let extras = [
        ("lapel", lapel, false, false),
        ("collar_stand", collar_stand, false, true),
        ("collar", collar, false, false),
        ("pocket_flap", flap, false, false),
    ];
    for (name, (mesh, positions), rotated, inside) in extras {
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
    (parts, buttons)
}

/// The lining: the shell's fronts and sleeves again, inside the assembled
/// shell (along its smooth normals, so the lining's seams meet too) and
/// sewn to it round the open edges: the hems and the front edges.
///
/// The back has none: the renderer has no torso to hide it, so a back
/// lining would show through the V of the lapels in front of the wearer's
/// chest; the back shell's inside (single-sided) lets the chest show.
pub fn lining(parts: &[Part], pieces: &[Piece], shell: &Cloth) -> Vec<Part> {
    let open_edges: [&[&str]; 3] = [&["hem", "roll", "front", "cutaway"], &[], &["hem"]];
    [("lining_front", FRONT), ("lining_sleeve", SLEEVE_PIECE)]
        .into_iter()
        .map(|(name, piece)| {
            let part = &parts[piece];
            let mut sewn_on = vec![false; part.positions.len()];
            for edge in open_edges[piece] {
                for &v in &part.mesh.edge_vertices[pieces[piece].edge(edge)] {
                    sewn_on[v as usize] = true;
                }
            }
            let first = shell.first[piece];
            let positions = (0..part.positions.len())
                .map(|i| {
                    let p = shell.positions[first + i];
                    if sewn_on[i] {
                        return p;
                    }
                    let mut q = p - shell.normals[first + i] * LINING_INSET_M;
                    if p.x == 0.0 {
                        q.x = 0.0;
                    }
                    q
                })
                .collect();
            Part {
                name,
                chart: part.chart,
                mesh: part.mesh.clone(),
                positions,
                material: 1,
                crease: false,
                inside: true,
                textured: false,
            }
        })
        .collect()
}

fn polyline_length_3d(points: &[Vec3]) -> f32 {
    points.windows(2).map(|w| w[0].distance(w[1])).sum()
}

/// How much a point of the jacket follows the arm (as the T-shirt's).
pub fn arm_share(pieces: &[Piece]) -> impl Fn(usize, Vec2) -> f32 + '_ {
    move |part: usize, p: Vec2| {
        let piece = match part {
            FRONT | LINING_FRONT => FRONT,
            BACK => BACK,
            SLEEVE_PIECE | LINING_SLEEVE => SLEEVE_PIECE,
            _ => return 0.0,
        };
        let piece_edges = &pieces[piece];
        let distance = |name: &str| {
            along(&piece_edges.edges[piece_edges.edge(name)].points, p)
                .0
                .abs()
        };
        if piece == SLEEVE_PIECE {
            let d = distance("cap_back").min(distance("cap_front"));
            0.5 + 0.5 * smoothstep(0.0, 0.06, d)
        } else {
            0.5 * (1.0 - smoothstep(0.0, 0.06, distance("armhole")))
        }
    }
}

/// The jacket's cloth: a charcoal wool twill, seams pressed open,
/// pick-stitched edges on the lapels, collar, front and flaps, a centre
/// back seam, front darts, and the folds a worn jacket keeps (pulled from
/// the top button, creased at the inside of the elbows, gathered above
/// the cuffs).
pub fn surface(pieces: &[Piece]) -> impl Fn(usize, Vec2) -> Surface + '_ {
    move |part: usize, p: Vec2| {
        let mut s = wool(p);
        let edge = |piece: usize, name: &str| {
            let piece = &pieces[piece];
            along(&piece.edges[piece.edge(name)].points, p)
        };
        match part {
            FRONT => {
                for name in ["side", "shoulder", "armhole"] {
                    pressed_seam(&mut s, -edge(FRONT, name).0);
                }
                for name in ["front", "cutaway", "roll"] {
                    let (d, at) = edge(FRONT, name);
                    pick_stitch(&mut s, -d - 0.006, at);
                    edge_roll(&mut s, -d);
                }
                hem(&mut s, -edge(FRONT, "hem").0);
                // The front dart, from the pocket up to the chest.
                let dart = [Vec2::new(0.125, 1.01), Vec2::new(0.13, 1.30)];
                let (d, at) = along(&dart, p);
                let taper = smoothstep(0.0, 0.05, at) * (1.0 - smoothstep(0.22, 0.32, at));
                s.height_m -= 0.0005 * taper * (-(d / 0.0015).powi(2)).exp();
                // Pulled from the top button towards the sides.
                let button = Vec2::new(0.0, BUTTONS_Y[0]);
                for (angle, length, strength) in [
                    (0.35f32, 0.16, 1.0),
                    (-0.25f32, 0.14, 0.7),
                    (0.9f32, 0.11, 0.5),
                ] {
                    let dir = Vec2::new(angle.cos(), angle.sin());
                    s.height_m += fold(p, button, button + dir * length, 0.012, 0.0018 * strength);
                }
            }
            BACK => {
                for name in ["side", "shoulder", "armhole", "neckline"] {
                    pressed_seam(&mut s, -edge(BACK, name).0);
                }
                // The centre back seam (the piece is cut on the fold).
                pressed_seam(&mut s, p.x);
                hem(&mut s, -edge(BACK, "hem").0);
                // Soft folds across the small of the back.
                for (y, strength) in [(1.10f32, 1.0f32), (1.15, 0.6)] {
                    let line = y + 0.01 * (p.x * 18.0).sin();
                    let d = (p.y - line) / 0.014;
                    let envelope =
                        smoothstep(0.02, 0.08, p.x) * (1.0 - smoothstep(0.18, 0.26, p.x));
                    s.height_m += 0.0014 * strength * envelope * (-2.0 * d * d).exp();
                }
            }
            SLEEVE_PIECE => {
                for name in ["under_back", "under_front", "cap_back", "cap_front"] {
                    pressed_seam(&mut s, -edge(SLEEVE_PIECE, name).0);
                }
                hem(&mut s, -edge(SLEEVE_PIECE, "hem").0);
                // The cuff vent, on the back of the sleeve.
                let vent = [
                    Vec2::new(SLEEVE.width * 0.8, 0.0),
                    Vec2::new(SLEEVE.width * 0.8, 0.1),
                ];
                let (d, at) = along(&vent, p);
                if at < 0.1 {
                    s.height_m -= 0.0005 * (-(d / 0.0015).powi(2)).exp();
                }
                // Creases inside the elbow and gathered above the cuff.
                let elbow = SLEEVE.hem_x - 0.47;
                for (x, dy, strength) in [
                    (0.05f32, 0.0f32, 1.0f32),
                    (0.09, 0.03, 0.7),
                    (0.03, -0.035, 0.6),
                ] {
                    let a = Vec2::new(x - 0.04, elbow + dy - 0.01);
                    let b = Vec2::new(x + 0.07, elbow + dy + 0.015);
                    s.height_m += fold(p, a, b, 0.009, 0.0022 * strength);
                    let mirrored = Vec2::new(SLEEVE.width - p.x, p.y);
                    s.height_m += fold(mirrored, a, b, 0.009, 0.0015 * strength);
                }
                // A few short folds where the sleeve breaks above the cuff,
                // under the arm and on its front.
                for (a, b, strength) in [
                    (Vec2::new(0.02, 0.085), Vec2::new(0.12, 0.095), 1.0),
                    (Vec2::new(0.05, 0.13), Vec2::new(0.16, 0.125), 0.7),
                    (Vec2::new(0.38, 0.10), Vec2::new(0.29, 0.115), 0.8),
                    (Vec2::new(0.14, 0.165), Vec2::new(0.22, 0.17), 0.5),
                ] {
                    s.height_m += fold(p, a, b, 0.01, 0.0016 * strength);
                }
            }
            LAPEL => {
                // Pattern: x up the roll line, y across from the fold.
                let width = lapel_width((p.x / 0.34).clamp(0.0, 1.0));
                pick_stitch(&mut s, width - p.y - 0.006, p.x);
                edge_roll(&mut s, width - p.y);
                edge_roll(&mut s, p.y);
            }
            COLLAR => {
                let edge_y = 3.0 * 0.027;
                pick_stitch(&mut s, edge_y - p.y - 0.006, p.x);
                edge_roll(&mut s, edge_y - p.y);
            }
            FLAP => {
                let w = FLAP_TOP[0].distance(FLAP_TOP[1]);
                let d = (FLAP_DEPTH_M + p.y).min(p.x).min(w - p.x);
                pick_stitch(&mut s, d - 0.006, p.x - p.y);
                edge_roll(&mut s, d);
                // The welt seam the flap hangs from.
                pressed_seam(&mut s, -p.y);
            }
            _ => {}
        }
        s
    }
}

/// Wool twill with a little mélange.
fn wool(p: Vec2) -> Surface {
    let t = twill(p, 0.0042);
    let melange = noise(p, 0.004, 21) - 0.5;
    let cloud = noise(p, 0.05, 22) - 0.5;
    Surface {
        height_m: 0.0002 * t,
        shade: 0.94 + 0.05 * t + 0.03 * melange + 0.015 * cloud,
        roughness: 0.8 + 0.06 * (noise(p, 0.02, 23) - 0.5),
    }
}

/// A seam pressed open: a groove on the line, the allowances either
/// side raising the cloth a little.
fn pressed_seam(s: &mut Surface, inside: f32) {
    let d = inside.abs();
    if d > 0.014 {
        return;
    }
    s.height_m -= 0.0006 * (-(d / 0.0013).powi(2)).exp();
    s.height_m += 0.0003 * smoothstep(0.002, 0.004, d) * (1.0 - smoothstep(0.009, 0.013, d));
}

/// Hand pick stitching along an edge: small dimples 5 mm apart.
fn pick_stitch(s: &mut Surface, d: f32, at: f32) {
    let (relief, thread) = stitches(d, at, 0.005, 0.0014);
    let dot = relief * relief;
    s.height_m -= 0.0003 * dot;
    s.shade = s.shade * (1.0 - 0.5 * thread) + 0.85 * 0.5 * thread;
}

/// A pressed edge (two layers) rounds over in its last few millimetres.
fn edge_roll(s: &mut Surface, inside: f32) {
    if !(0.0..=0.005).contains(&inside) {
        return;
    }
    let f = 1.0 - inside / 0.005;
    s.height_m -= 0.0008 * f * f;
}

/// A turned-up hem, blind stitched: only the fold shows.
fn hem(s: &mut Surface, inside: f32) {
    if !(0.0..=0.006).contains(&inside) {
        return;
    }
    let f = 1.0 - inside / 0.006;
    s.height_m -= 0.0008 * f * f;
}
