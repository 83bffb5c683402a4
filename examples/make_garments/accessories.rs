//! Rigid accessories: round glasses (origin between the pupils, lenses
//! 12 mm in front of them and 63 mm apart, as `drape::garment::accessory`
//! expects) and a wristwatch (origin at the wrist centre, the forearm
//! along X).

use std::f32::consts::TAU;

use glam::{Vec2, Vec3};
use serde_json::{json, Value};

use crate::clothes::linear;
use crate::glb::{num, Glb};
use crate::mesh::{annulus, bezier, cylinder, oriented_box, tube, Primitive};
use crate::raster::Look;
use crate::Asset;

fn pbr(name: &str, colour: [f32; 3], alpha: f32, metallic: f32, roughness: f32) -> Value {
    let mut material = json!({
        "name": name,
        "pbrMetallicRoughness": {
            "baseColorFactor": [num(colour[0]), num(colour[1]), num(colour[2]), num(alpha)],
            "metallicFactor": num(metallic),
            "roughnessFactor": num(roughness),
        },
    });
    if alpha < 1.0 {
        material["alphaMode"] = json!("BLEND");
        material["doubleSided"] = json!(true);
    }
    material
}

fn rigid(name: &str, mut glb: Glb, prims: &[Primitive]) -> Vec<u8> {
    let mesh = glb.mesh(name, prims);
    let node = glb.node(json!({ "name": name, "mesh": mesh }));
    glb.finish(&[node])
}

/// Thumbnail colours: metals show lighter than their base colour.
fn look(colour: [f32; 3], alpha: f32, lift: f32) -> Look {
    Look {
        colour: colour.map(|c| c + lift),
        alpha,
        double_sided: alpha < 1.0,
        specular: 0.3,
    }
}

pub fn glasses() -> Asset {
    let (frame_m, lens_m) = (0, 1);
    let lens_radius = 0.025;
    let rim_radius = 0.0262;
    let tube_radius = 0.0022;
    // The lenses sit 12 mm in front of the eyes, centred on the pupils.
    let lens_z = drape::garment::accessory::LENS_AHEAD_OF_EYES_M;
    let lens_x = drape::garment::accessory::REFERENCE_EYE_DISTANCE_M / 2.0;
    let mut frame = Primitive::new(frame_m);
    let mut lenses = Primitive::new(lens_m);
    for side in [1.0f32, -1.0] {
        let centre = Vec3::new(lens_x * side, 0.0, lens_z);
        let rim: Vec<Vec3> = (0..48)
            .map(|s| {
                let a = TAU * s as f32 / 48.0;
                centre + Vec3::new(a.cos(), a.sin(), 0.0) * rim_radius
            })
            .collect();
        frame.append(&tube(&rim, tube_radius, 10, true, frame_m));
        lenses.append(&lens(centre, lens_radius, lens_m));
        // End piece from the rim's outer edge back to the hinge, then the
        // temple back along −z to the top of the ear (10 cm behind the
        // eyes, where drape's head places the ears) and a hook down behind
        // it.
        let a = 10f32.to_radians();
        let rim_outer = centre + Vec3::new(a.cos() * side, a.sin(), 0.0) * rim_radius;
        let hinge = Vec3::new(0.068 * side, 0.0045, 0.004);
        let bend = Vec3::new(0.071 * side, 0.0, -0.1);
        let mut temple = bezier(rim_outer, Vec3::new(0.066 * side, 0.0045, lens_z), hinge, 6);
        temple.extend(
            bezier(hinge, Vec3::new(0.071 * side, 0.004, -0.05), bend, 10)
                .into_iter()
                .skip(1),
        );
        temple.extend(
            bezier(
                bend,
                Vec3::new(0.071 * side, -0.003, -0.116),
                Vec3::new(0.069 * side, -0.02, -0.124),
                6,
            )
            .into_iter()
            .skip(1),
        );
        frame.append(&tube(&temple, 0.0016, 8, false, frame_m));
    }
    // The bridge arcs over the nose between the rims' inner edges.
    let a = 20f32.to_radians();
    let inner = |side: f32| {
        Vec3::new(
            lens_x * side - a.cos() * rim_radius * side,
            a.sin() * rim_radius,
            lens_z,
        )
    };
    let bridge = bezier(
        inner(-1.0),
        Vec3::new(0.0, 0.016, lens_z + 0.004),
        inner(1.0),
        12,
    );
    frame.append(&tube(&bridge, 0.0017, 8, false, frame_m));

    let mut glb = Glb::default();
    let (black, tint) = (linear(0x1c1c20), linear(0x4a5a52));
    glb.materials.push(pbr("dark_metal", black, 1.0, 0.8, 0.3));
    glb.materials.push(pbr("tinted_lens", tint, 0.4, 0.0, 0.05));
    let prims = vec![frame, lenses];
    Asset {
        file: "glasses.glb",
        bytes: rigid("glasses", glb, &prims),
        looks: vec![look(black, 1.0, 0.04), look(tint, 0.4, 0.0)],
        prims,
        skinned: false,
    }
}

/// A slightly convex lens: a spherical cap bulging 2 mm towards +z,
/// one-sided geometry (its material is double-sided).
fn lens(centre: Vec3, radius: f32, material: usize) -> Primitive {
    let (rings, segments) = (6, 48);
    let bulge = 0.002;
    // The sphere through the rim and the apex.
    let sphere_r = (radius * radius + bulge * bulge) / (2.0 * bulge);
    let sphere_centre = centre + Vec3::new(0.0, 0.0, bulge - sphere_r);
    let mut prim = Primitive::new(material);
    let point = |r: f32, a: f32| {
        let (x, y) = (r * a.cos(), r * a.sin());
        let z = (sphere_r * sphere_r - r * r).sqrt() - (sphere_r - bulge);
        centre + Vec3::new(x, y, z)
    };
    let apex = point(0.0, 0.0);
    prim.vertex(apex, (apex - sphere_centre).normalize(), Vec2::splat(0.5));
    for ring in 1..=rings {
        let r = radius * ring as f32 / rings as f32;
        for s in 0..segments {
            let a = TAU * s as f32 / segments as f32;
            let p = point(r, a);
            let uv = Vec2::new(
                0.5 + 0.5 * r / radius * a.cos(),
                0.5 - 0.5 * r / radius * a.sin(),
            );
            prim.vertex(p, (p - sphere_centre).normalize(), uv);
        }
    }
    let at = |ring: u32, s: u32| 1 + (ring - 1) * segments + s % segments;
    for s in 0..segments {
        prim.triangle(0, at(1, s), at(1, s + 1));
    }
    for ring in 1..rings {
        for s in 0..segments {
            prim.quad(
                at(ring, s),
                at(ring + 1, s),
                at(ring + 1, s + 1),
                at(ring, s + 1),
            );
        }
    }
    prim
}

pub fn watch() -> Asset {
    let (steel_m, dial_m, strap_m, marks_m) = (0, 1, 2, 3);
    let (inner_r, outer_r, half_width) = (0.030, 0.0335, 0.010);
    let mut strap = Primitive::new(strap_m);
    // A flat strap round the wrist axis (X): outer and inner faces and both edges.
    let segments = 64;
    for (radius_from, radius_to, x_from, x_to, sign) in [
        (outer_r, outer_r, -half_width, half_width, 1.0),
        (inner_r, inner_r, half_width, -half_width, -1.0),
    ] {
        let first = strap.positions.len() as u32;
        for s in 0..=segments {
            let a = TAU * s as f32 / segments as f32;
            let dir = Vec3::new(0.0, a.cos(), a.sin());
            let uv = Vec2::new(s as f32 / segments as f32, 0.0);
            strap.vertex(dir * radius_from + Vec3::X * x_from, dir * sign, uv);
            strap.vertex(dir * radius_to + Vec3::X * x_to, dir * sign, uv + Vec2::Y);
        }
        for s in 0..segments as u32 {
            let (a, b) = (first + 2 * s, first + 2 * s + 2);
            strap.quad(a, b, b + 1, a + 1);
        }
    }
    for side in [1.0f32, -1.0] {
        let ring = annulus(
            Vec3::X * half_width * side,
            Vec3::X * side,
            inner_r,
            outer_r,
            segments,
            strap_m,
        );
        strap.append(&ring);
    }
    fix_winding(&mut strap);

    // Steel case on top (+y), lugs reaching along ±z to the strap, crown at 3 o'clock (+x).
    let case_r = 0.019;
    let (case_bottom, case_top) = (0.0315, 0.0425);
    let mut steel = cylinder(
        Vec3::Y * case_bottom,
        Vec3::Y,
        case_r,
        case_top - case_bottom,
        48,
        false,
        steel_m,
    );
    steel.append(&annulus(
        Vec3::Y * case_bottom,
        -Vec3::Y,
        0.0,
        case_r,
        48,
        steel_m,
    ));
    steel.append(&annulus(
        Vec3::Y * case_top,
        Vec3::Y,
        0.0165,
        case_r,
        48,
        steel_m,
    ));
    // The bezel's inner wall down to the recessed dial.
    steel.append(
        &cylinder(
            Vec3::Y * (case_top - 0.0012),
            Vec3::Y,
            0.0165,
            0.0012,
            48,
            false,
            steel_m,
        )
        .flipped(0.0, steel_m),
    );
    for (x, z) in [
        (0.0075, 1.0),
        (-0.0075, 1.0),
        (0.0075, -1.0),
        (-0.0075, -1.0),
    ] {
        let centre = Vec3::new(x, 0.036, z * 0.0205);
        steel.append(&oriented_box(
            centre,
            [Vec3::X, Vec3::Y, Vec3::Z],
            Vec3::new(0.0018, 0.003, 0.005),
            steel_m,
        ));
    }
    steel.append(&cylinder(
        Vec3::new(case_r - 0.0005, 0.037, 0.0),
        Vec3::X,
        0.0022,
        0.0035,
        16,
        true,
        steel_m,
    ));

    let dial_y = case_top - 0.0012;
    let dial = annulus(Vec3::Y * dial_y, Vec3::Y, 0.0, 0.0165, 48, dial_m);
    // Hour marks and hands at 10:10. Seen from above, 12 o'clock is −z
    // and 3 o'clock +x (towards the fingers on the left wrist).
    let mut marks = Primitive::new(marks_m);
    let clock = |hours: f32| {
        let a = hours / 12.0 * TAU;
        Vec3::new(a.sin(), 0.0, -a.cos())
    };
    for hour in 0..12 {
        let dir = clock(hour as f32);
        let length = if hour % 3 == 0 { 0.0032 } else { 0.002 };
        let width = if hour == 0 { 0.0016 } else { 0.0009 };
        let centre = Vec3::Y * (dial_y + 0.0002) + dir * (0.0138 - length * 0.5);
        marks.append(&oriented_box(
            centre,
            [dir, Vec3::Y, dir.cross(Vec3::Y)],
            Vec3::new(length * 0.5, 0.0002, width * 0.5),
            marks_m,
        ));
    }
    for (hours, length, width, lift) in [
        (10.0 + 10.0 / 60.0, 0.0085, 0.0013, 0.0005),
        (2.0, 0.0128, 0.0009, 0.0008),
    ] {
        let dir = clock(hours);
        let centre = Vec3::Y * (dial_y + lift) + dir * (length * 0.5 - 0.0015);
        marks.append(&oriented_box(
            centre,
            [dir, Vec3::Y, dir.cross(Vec3::Y)],
            Vec3::new(length * 0.5, 0.00015, width * 0.5),
            marks_m,
        ));
    }
    marks.append(&cylinder(
        Vec3::Y * dial_y,
        Vec3::Y,
        0.0011,
        0.0011,
        12,
        true,
        marks_m,
    ));

    let mut glb = Glb::default();
    let (steel_c, navy, leather, lume) = (
        linear(0xc8cacc),
        linear(0x16223e),
        linear(0x4a2e1c),
        linear(0xeeeae0),
    );
    glb.materials
        .push(pbr("brushed_steel", steel_c, 1.0, 1.0, 0.3));
    glb.materials.push(pbr("navy_dial", navy, 1.0, 0.0, 0.4));
    glb.materials
        .push(pbr("leather_strap", leather, 1.0, 0.0, 0.65));
    glb.materials.push(pbr("lume_hands", lume, 1.0, 0.0, 0.5));
    let prims = vec![steel, dial, strap, marks];
    Asset {
        file: "watch.glb",
        bytes: rigid("watch", glb, &prims),
        looks: vec![
            look(steel_c, 1.0, 0.0),
            look(navy, 1.0, 0.0),
            look(leather, 1.0, 0.0),
            look(lume, 1.0, 0.0),
        ],
        prims,
        skinned: false,
    }
}

/// Orients every triangle to agree with its vertex normals (for shapes
/// assembled from strips whose winding is easier to fix than to derive).
fn fix_winding(prim: &mut Primitive) {
    for tri in prim.indices.chunks_exact_mut(3) {
        let [a, b, c] = [tri[0], tri[1], tri[2]].map(|i| prim.positions[i as usize]);
        let n = prim.normals[tri[0] as usize]
            + prim.normals[tri[1] as usize]
            + prim.normals[tri[2] as usize];
        if (b - a).cross(c - a).dot(n) < 0.0 {
            tri.swap(1, 2);
        }
    }
}
