//! The skinned garments: an indigo jersey T-shirt and a charcoal jacket
//! with a burgundy lining, an open V collar and horn buttons.

use glam::{Vec2, Vec3};
use serde_json::{json, Value};

use crate::glb::{num, Glb};
use crate::mesh::{cylinder, Primitive};
use crate::panel::{Top, TopSpec};
use crate::raster::Look;
use crate::skin::{add_skeleton, skin_top};
use crate::texture::{fabric, Weave};
use crate::Asset;

/// Linear RGB from an sRGB hex colour (glTF factors are linear).
pub fn linear(hex: u32) -> [f32; 3] {
    [16, 8, 0].map(|shift| {
        let c = ((hex >> shift) & 0xff) as f32 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    })
}

/// A cloth material: PBR metallic-roughness, fabric textures, sheen.
fn cloth(
    name: &str,
    colour: [f32; 3],
    roughness: f32,
    textures: Option<(usize, usize)>,
    sheen: [f32; 3],
    double_sided: bool,
) -> Value {
    let mut pbr = json!({
        "baseColorFactor": [num(colour[0]), num(colour[1]), num(colour[2]), 1.0],
        "metallicFactor": 0.0,
        "roughnessFactor": num(roughness),
    });
    let mut material = json!({
        "name": name,
        "doubleSided": double_sided,
        "extensions": { "KHR_materials_sheen": {
            "sheenColorFactor": sheen.map(num),
            "sheenRoughnessFactor": 0.6,
        }},
    });
    if let Some((base, normal)) = textures {
        pbr["baseColorTexture"] = json!({ "index": base });
        material["normalTexture"] = json!({ "index": normal, "scale": 0.6 });
    }
    material["pbrMetallicRoughness"] = pbr;
    material
}

/// Writes a skinned garment: one mesh node with the rig's skin.
fn skinned(name: &str, mut glb: Glb, prims: &[Primitive]) -> Vec<u8> {
    let mesh = glb.mesh(name, prims);
    let mesh_node = glb.node(json!({ "name": name, "mesh": mesh }));
    let (skin, root) = add_skeleton(&mut glb);
    glb.nodes[mesh_node]["skin"] = json!(skin);
    glb.finish(&[mesh_node, root])
}

/// Base colours as shown in thumbnails: the factor times the texture's
/// mean (about 0.9).
fn look(colour: [f32; 3], double_sided: bool) -> Look {
    Look {
        colour: colour.map(|c| c * 0.85),
        alpha: 1.0,
        double_sided,
        specular: 0.06,
    }
}

pub fn tshirt() -> Asset {
    let top = Top::new(TopSpec {
        hem_y: 0.92,
        hem_half_width: 0.195,
        waist_y: 1.10,
        waist_half_width: 0.185,
        chest_y: 1.28,
        split_centre_y: 1.33,
        armpit: Vec2::new(0.19, 1.37),
        shoulder: Vec2::new(0.19, 1.515),
        neck_side: Vec2::new(0.075, 1.54),
        front_neck_drop: 0.065,
        back_neck_drop: 0.02,
        v_neck: false,
        // Short sleeves: 40 % of the upper arm (shoulder 0.19 → elbow 0.47).
        sleeve_end_x: 0.19 + 0.4 * 0.28,
        sleeve_end_top_y: 1.515,
        sleeve_end_bottom_y: 1.385,
        depth_hem: 0.115,
        depth_chest: 0.125,
        neck_z_front: 0.075,
        neck_z_back: 0.055,
        shoulder_round: 0.10,
        cols_neck: 6,
        cols_shoulder: 5,
        cols_sleeve: 5,
        rows_lower: 18,
        rows_upper: 8,
        metres_per_uv: 0.15,
    });
    let mut shell = top.mesh(0);
    skin_top(&mut shell);

    let mut glb = Glb::default();
    let (base_png, normal_png) = fabric(Weave::Knit, 7);
    let base = glb.png_texture("jersey_base_colour", &base_png);
    let normal = glb.png_texture("jersey_normal", &normal_png);
    let indigo = linear(0x2e3a6e);
    glb.materials.push(cloth(
        "indigo_jersey",
        indigo,
        0.85,
        Some((base, normal)),
        linear(0x5a6aa8),
        true,
    ));
    glb.use_extension("KHR_materials_sheen");
    let prims = vec![shell];
    Asset {
        file: "tshirt.glb",
        bytes: skinned("tshirt", glb, &prims),
        looks: vec![look(indigo, true)],
        prims,
        skinned: true,
    }
}

pub fn jacket() -> Asset {
    let top = Top::new(TopSpec {
        hem_y: 0.78,
        hem_half_width: 0.215,
        waist_y: 1.08,
        waist_half_width: 0.20,
        chest_y: 1.22,
        split_centre_y: 1.24,
        armpit: Vec2::new(0.205, 1.355),
        shoulder: Vec2::new(0.205, 1.525),
        neck_side: Vec2::new(0.085, 1.55),
        front_neck_drop: 0.25,
        back_neck_drop: 0.02,
        v_neck: true,
        sleeve_end_x: 0.72,
        sleeve_end_top_y: 1.50,
        sleeve_end_bottom_y: 1.40,
        depth_hem: 0.125,
        depth_chest: 0.135,
        neck_z_front: 0.125,
        neck_z_back: 0.06,
        shoulder_round: 0.11,
        cols_neck: 6,
        cols_shoulder: 5,
        cols_sleeve: 16,
        rows_lower: 20,
        rows_upper: 8,
        metres_per_uv: 0.12,
    });
    let (shell_m, lining_m, button_m) = (0, 1, 2);
    let mut shell = top.mesh(shell_m);
    let mut lining = shell.flipped(0.004, lining_m);
    shell.append(&lapels(&top, shell_m));
    let collar = collar(&top, shell_m);
    shell.append(&collar);
    shell.append(&collar.flipped(0.002, shell_m));
    let mut buttons = Primitive::new(button_m);
    for y in [1.21, 1.09, 0.97] {
        let normal = top.surface_normal(0.0, y, true);
        let base = top.surface(0.0, y, true) + normal * 0.001;
        buttons.append(&cylinder(base, normal, 0.0095, 0.003, 16, true, button_m));
    }
    for prim in [&mut shell, &mut lining, &mut buttons] {
        skin_top(prim);
    }

    let mut glb = Glb::default();
    let (base_png, normal_png) = fabric(Weave::Twill, 11);
    let base = glb.png_texture("twill_base_colour", &base_png);
    let normal = glb.png_texture("twill_normal", &normal_png);
    let (charcoal, burgundy, horn) = (linear(0x3a3c40), linear(0x6e1e2d), linear(0x2a201c));
    glb.materials.push(cloth(
        "charcoal_twill",
        charcoal,
        0.8,
        Some((base, normal)),
        linear(0x50545c),
        false,
    ));
    glb.materials.push(cloth(
        "burgundy_lining",
        burgundy,
        0.45,
        None,
        linear(0xc06070),
        false,
    ));
    glb.materials.push(json!({
        "name": "horn_buttons",
        "pbrMetallicRoughness": {
            "baseColorFactor": [num(horn[0]), num(horn[1]), num(horn[2]), 1.0],
            "metallicFactor": 0.0, "roughnessFactor": 0.35,
        },
    }));
    glb.use_extension("KHR_materials_sheen");
    let prims = vec![shell, lining, buttons];
    Asset {
        file: "jacket.glb",
        bytes: skinned("jacket", glb, &prims),
        looks: vec![
            look(charcoal, false),
            look(burgundy, false),
            look(horn, false),
        ],
        prims,
        skinned: true,
    }
}

/// Lapels: flaps folded back along both edges of the V, lying on the
/// front panel, widest at the upper chest.
fn lapels(top: &Top, material: usize) -> Primitive {
    let edge = top.front_neckline();
    let mut out = Primitive::new(material);
    let across = 3;
    for sign in [1.0f32, -1.0] {
        let mut lapel = Primitive::new(material);
        let n = edge.len();
        for (k, p) in edge.iter().enumerate() {
            let t = k as f32 / (n - 1) as f32;
            let width = 0.075
                * crate::mesh::smoothstep(0.0, 0.75, t)
                * (1.0 - 0.45 * crate::mesh::smoothstep(0.75, 1.0, t));
            // Outward from the V: perpendicular to the edge, down and away from the centre.
            let along = (edge[(k + 1).min(n - 1)] - edge[k.saturating_sub(1)]).normalize();
            let outward = Vec2::new(along.y, -along.x);
            for m in 0..=across {
                let f = m as f32 / across as f32;
                let q = *p + outward * width * f;
                let x = q.x * sign;
                let lift = 0.004 + 0.004 * (1.0 - f);
                let normal = top.surface_normal(x, q.y, true);
                let uv = Vec2::new(x / 0.12, q.y / 0.12);
                lapel.vertex(top.surface(x, q.y, true) + normal * lift, normal, uv);
            }
        }
        let stride = across as u32 + 1;
        for k in 0..n as u32 - 1 {
            for m in 0..across as u32 {
                let (a, b) = (k * stride + m, k * stride + m + 1);
                let (c, d) = (a + stride, b + stride);
                // Face +z whichever side of the body the lapel is on.
                let (pa, pb, pc) = (
                    lapel.positions[a as usize],
                    lapel.positions[b as usize],
                    lapel.positions[c as usize],
                );
                if (pb - pa).cross(pc - pa).z > 0.0 {
                    lapel.quad(a, b, d, c);
                } else {
                    lapel.quad(a, c, d, b);
                }
            }
        }
        lapel.compute_normals();
        out.append(&lapel);
    }
    out
}

/// A turn-down collar along the back neckline: it stands up at the neck
/// and folds down over the shoulders.
fn collar(top: &Top, material: usize) -> Primitive {
    let neckline = top.back_neckline();
    let mut collar = Primitive::new(material);
    // (up, out) offsets of the collar's rows from the neckline, metres.
    let profile = [
        (0.0, 0.0),
        (0.03, 0.004),
        (0.04, 0.016),
        (0.03, 0.03),
        (0.012, 0.045),
    ];
    let last = neckline.len() - 1;
    for (k, p) in neckline.iter().enumerate() {
        let out = Vec3::new(p.x, 0.0, p.z + 0.01).normalize();
        // Lower towards the ends, where the collar runs into the lapels.
        let from_end = k.min(last - k) as f32 / last as f32;
        let rise = 0.35 + 0.65 * crate::mesh::smoothstep(0.0, 0.3, from_end);
        for (m, (up, away)) in profile.iter().enumerate() {
            let up = up * rise;
            let uv = Vec2::new(k as f32 / 8.0, m as f32 / 8.0);
            collar.vertex(*p + Vec3::Y * up + out * *away, Vec3::Z, uv);
        }
    }
    let stride = profile.len() as u32;
    for k in 0..neckline.len() as u32 - 1 {
        for m in 0..stride - 1 {
            let (a, b) = (k * stride + m, k * stride + m + 1);
            collar.quad(a, a + stride, b + stride, b);
        }
    }
    collar.compute_normals();
    collar
}
