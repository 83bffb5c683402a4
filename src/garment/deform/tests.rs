//! Welding, adjacency and the fit's maps on small known meshes.

use glam::{Mat4, Vec2, Vec3};

use super::*;
use crate::garment::deform::cpu::FIT_MARGIN_M;
use crate::garment::fit::BodyCamera;
use crate::garment::gltf_load::{GarmentModel, Primitive};
use crate::garment::silhouette::{
    RegionFrame, SilhouetteFrames, SilhouetteProfile, ARM_T_RANGE, BANDS, REGIONS, TORSO_T_RANGE,
};

/// A tube around the body's axis (hips at y = 0 to shoulders at y = 0.5,
/// radius 0.15 m, 12 × 10 quads), all on `hips`, split into two
/// primitives along x = 0 so that the seam's vertices are written twice.
fn tube() -> GarmentModel {
    let (columns, rows) = (12, 10);
    let empty = |name: &str| Primitive {
        name: name.into(),
        positions: Vec::new(),
        normals: Vec::new(),
        uvs: Vec::new(),
        tangents: None,
        joints: Vec::new(),
        weights: Vec::new(),
        indices: Vec::new(),
        material: 0,
    };
    let mut halves = vec![empty("front"), empty("back")];
    for (h, half) in halves.iter_mut().enumerate() {
        for row in 0..=rows {
            for column in 0..=columns / 2 {
                let angle =
                    (h * columns / 2 + column) as f32 / columns as f32 * std::f32::consts::TAU;
                let position = Vec3::new(
                    0.15 * angle.sin(),
                    0.5 * row as f32 / rows as f32,
                    0.15 * angle.cos(),
                );
                half.positions.push(position);
                half.normals.push(Vec3::new(angle.sin(), 0.0, angle.cos()));
                half.uvs.push(Vec2::new(column as f32, row as f32));
                half.joints.push([0; 4]);
                half.weights.push([1.0, 0.0, 0.0, 0.0]);
            }
        }
        let stride = columns / 2 + 1;
        for row in 0..rows {
            for column in 0..columns / 2 {
                let a = (row * stride + column) as u32;
                let (b, c, d) = (a + 1, a + stride as u32, a + stride as u32 + 1);
                half.indices.extend_from_slice(&[a, b, d, a, d, c]);
            }
        }
    }
    GarmentModel {
        primitives: halves,
        materials: Vec::new(),
        textures: Vec::new(),
        skin: None,
        bounds_min: Vec3::new(-0.15, 0.0, -0.15),
        bounds_max: Vec3::new(0.15, 0.5, 0.15),
    }
}

/// Frames whose torso runs up the y axis from the origin, 0.5 m long;
/// arms not seen.
fn frames() -> SilhouetteFrames {
    let torso = RegionFrame {
        origin: Vec2::ZERO,
        axis: Vec2::Y,
        length_m: 0.5,
        t_range: TORSO_T_RANGE,
        scan_max_m: 0.4,
        valid: true,
        symmetric: false,
    };
    let arm = RegionFrame {
        valid: false,
        symmetric: true,
        t_range: ARM_T_RANGE,
        ..torso
    };
    SilhouetteFrames {
        regions: [torso, arm, arm, arm, arm],
        default_arm_radius_m: 0.05,
        torso_arm_radius_max_m: 0.06,
        camera: BodyCamera {
            pixels_per_metre: 500.0,
            origin_px: Vec2::new(250.0, 400.0),
            image_width: 500,
            image_height: 500,
        },
        step_m: 0.002,
    }
}

fn profile_with_torso(left: f32, right: f32) -> SilhouetteProfile {
    let mut profile = SilhouetteProfile::empty();
    profile.extents_m[0] = [[left, right]; BANDS];
    profile
}

#[test]
fn seams_are_welded_and_every_triangle_is_around_its_corners() {
    let model = tube();
    let welded = DeformMesh::build(&model, true);
    let kept = DeformMesh::build(&model, false);
    // 2 × 7 columns × 11 rows written, the two seams (x = 0 front and
    // back) shared: 12 columns × 11 rows of particles.
    assert_eq!(kept.particles.len(), 2 * 7 * 11);
    assert_eq!(welded.particles.len(), 12 * 11);
    assert_eq!(welded.triangles.len(), 2 * 6 * 10 * 2);
    assert_eq!(welded.adjacency.len(), 3 * welded.triangles.len());
    for (p, window) in welded.adjacency_offsets.windows(2).enumerate() {
        for [a, b] in &welded.adjacency[window[0] as usize..window[1] as usize] {
            let p = p as u32;
            assert!(welded.triangles.iter().any(|t| [
                [t[0], t[1], t[2]],
                [t[1], t[2], t[0]],
                [t[2], t[0], t[1]]
            ]
            .contains(&[p, *a, *b])));
        }
    }
    // Render vertices keep their own UVs and point at their particle.
    let seam = &welded.primitives[1].vertices[0];
    assert_eq!(seam.uv, [0.0, 0.0]);
    let at = Vec3::from_slice(&welded.particles[seam.particle as usize].position[0..3]);
    assert!(at.distance(Vec3::new(0.0, 0.0, -0.15)) < 1e-6, "{at}");
}

#[test]
fn a_silhouette_twice_as_wide_doubles_the_torso_and_none_leaves_it() {
    let mesh = DeformMesh::build(&tube(), true);
    let identity = [Mat4::IDENTITY; 19];
    let params = FitParams::garment(1.0);
    // The garment is 0.15 m to either side; the body 0.3 − margin.
    let wide = profile_with_torso(0.3 - FIT_MARGIN_M, 0.3 - FIT_MARGIN_M);
    let fitted = deform_cpu(&mesh, &identity, &frames(), &wide, &params);
    for (skinned, fitted) in fitted.skinned.iter().zip(&fitted.positions) {
        assert!(
            (fitted.x - 2.0 * skinned.x).abs() < 1e-4,
            "{skinned} → {fitted}"
        );
        assert_eq!((fitted.y, fitted.z), (skinned.y, skinned.z));
    }
    // No profile (no mask), or fitting off: as skinned.
    let unfitted = FitParams {
        fit: false,
        ..params
    };
    for (profile, params) in [
        (SilhouetteProfile::empty(), params),
        (wide.clone(), unfitted),
    ] {
        let out = deform_cpu(&mesh, &identity, &frames(), &profile, &params);
        assert_eq!(out.positions, out.skinned);
    }
}

#[test]
fn an_off_centre_body_moves_the_garment_sideways() {
    let mesh = DeformMesh::build(&tube(), true);
    // Body from -0.1 to +0.3 of the axis: the tube's centre goes to 0.1,
    // its half width to 0.2.
    let profile = profile_with_torso(0.1 - FIT_MARGIN_M, 0.3 - FIT_MARGIN_M);
    let out = deform_cpu(
        &mesh,
        &[Mat4::IDENTITY; 19],
        &frames(),
        &profile,
        &FitParams::garment(1.0),
    );
    let xs: Vec<f32> = out.positions.iter().map(|p| p.x).collect();
    let (min, max) = xs
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
    assert!(
        (min + 0.1).abs() < 1e-4 && (max - 0.3).abs() < 1e-4,
        "{min} .. {max}"
    );
    // The maps say the same, band by band.
    assert!(out.maps[0].iter().all(|m| (m[0] - 4.0 / 3.0).abs() < 1e-3));
    assert_eq!(out.maps.len(), REGIONS);
}

#[test]
fn normals_of_the_deformed_surface_point_outwards() {
    let mesh = DeformMesh::build(&tube(), true);
    let out = deform_cpu(
        &mesh,
        &[Mat4::IDENTITY; 19],
        &frames(),
        &profile_with_torso(0.3, 0.3),
        &FitParams::garment(1.0),
    );
    // The tube became an ellipse, 0.3 m across and 0.15 m deep: its
    // normal is the gradient of x²/0.3² + z²/0.15².
    for (position, normal) in out.positions.iter().zip(&out.normals) {
        let outwards = Vec3::new(position.x / 0.09, 0.0, position.z / 0.0225).normalize();
        assert!(normal.dot(outwards) > 0.8, "{position}: {normal}");
        assert!((normal.length() - 1.0).abs() < 1e-4);
    }
}
