//! The XPBD cloth: its constraint colouring, and `CpuCloth` converging
//! as the substeps grow.

use std::collections::HashSet;

use drape::cloth::{ClothParams, ClothSetup, ClothTopology, ConstraintKind, CpuCloth};
use glam::Vec3;

/// Spacing of the test grids: a 20×20 sheet is 57 cm a side.
const SPACING_M: f32 = 0.03;
const FRAME_S: f32 = 1.0 / 30.0;

/// A `columns`×`rows` grid of quads' corners, two triangles a quad, in the
/// horizontal plane y = `height_m`, rows along +Z. Row 0 is pinned when
/// `pin_first_row`; every other particle is free.
fn sheet(columns: u32, rows: u32, height_m: f32, pin_first_row: bool) -> ClothSetup {
    let index = |c: u32, r: u32| r * columns + c;
    let mut positions = Vec::new();
    let mut attach_compliance = Vec::new();
    for r in 0..rows {
        for c in 0..columns {
            positions.push(Vec3::new(
                c as f32 * SPACING_M - 0.3,
                height_m,
                r as f32 * SPACING_M,
            ));
            let pinned = pin_first_row && r == 0;
            attach_compliance.push(if pinned { 0.0 } else { f32::INFINITY });
        }
    }
    let mut triangles = Vec::new();
    for r in 0..rows - 1 {
        for c in 0..columns - 1 {
            let (a, b, d, e) = (
                index(c, r),
                index(c + 1, r),
                index(c + 1, r + 1),
                index(c, r + 1),
            );
            triangles.push([a, b, d]);
            triangles.push([a, d, e]);
        }
    }
    let n = positions.len();
    ClothSetup {
        positions,
        triangles,
        attach_compliance,
        tether_radius_m: vec![f32::INFINITY; n],
    }
}

fn build(setup: &ClothSetup, params: &ClothParams) -> ClothTopology {
    ClothTopology::build(setup, params).expect("the test sheet builds")
}

#[test]
fn colours_are_independent_and_cover_every_edge() {
    let (columns, rows) = (5, 4);
    let setup = sheet(columns, rows, 0.0, false);
    let topology = build(&setup, &ClothParams::default());
    assert!(topology.colours_are_independent());
    for colour in 0..topology.colour_count() {
        assert!(
            !topology.colour(colour).is_empty(),
            "colour {colour} is empty"
        );
    }

    let edges: HashSet<(u32, u32)> = setup
        .triangles
        .iter()
        .flat_map(|t| [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])])
        .map(|(a, b)| (a.min(b), a.max(b)))
        .collect();
    let stretch: HashSet<(u32, u32)> = topology
        .constraints()
        .iter()
        .filter(|c| c.kind == ConstraintKind::Stretch)
        .map(|c| (c.a.min(c.b), c.a.max(c.b)))
        .collect();
    assert_eq!(stretch, edges, "one stretch constraint per edge");

    // Every edge not on the border is shared by two triangles and gives one
    // bending pair: horizontal, vertical and diagonal edges less the border.
    let (c, r) = (columns as usize, rows as usize);
    let edge_count = (c - 1) * r + c * (r - 1) + (c - 1) * (r - 1);
    let border = 2 * (c - 1) + 2 * (r - 1);
    let bends = topology
        .constraints()
        .iter()
        .filter(|c| c.kind == ConstraintKind::Bend)
        .count();
    assert_eq!(edges.len(), edge_count);
    assert_eq!(bends, edge_count - border);
    assert_eq!(topology.constraint_count(), edge_count + bends);
    // Greedy colouring of a grid (vertex degree 6, plus bending) stays small.
    assert!(
        topology.colour_count() <= 16,
        "{} colours",
        topology.colour_count()
    );
}

#[test]
fn constraint_error_shrinks_with_substeps() {
    let setup = sheet(16, 16, 1.5, true);
    let targets = setup.positions.clone();
    let errors: Vec<f32> = [1, 4, 16]
        .into_iter()
        .map(|substeps| {
            let params = ClothParams {
                substeps,
                ..ClothParams::default()
            };
            let topology = build(&setup, &params);
            let mut cloth = CpuCloth::new(&topology, params, &targets).unwrap();
            // A third of a second: mid-swing, where stretching is worst.
            let mut worst = 0.0f32;
            for _ in 0..10 {
                cloth.step(FRAME_S, &targets, &[]).unwrap();
                worst = worst.max(cloth.max_constraint_error_m(&targets).unwrap());
            }
            worst
        })
        .collect();
    println!("max stretch error at 1, 4, 16 substeps: {errors:?} m");
    assert!(
        errors[0] > errors[1] && errors[1] > errors[2],
        "errors do not shrink: {errors:?}"
    );
    // Small steps converge fast: each 4× more substeps cuts the error well.
    assert!(errors[2] < 0.5 * errors[1], "{errors:?}");
}
