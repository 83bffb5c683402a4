//! The skinned garments, sewn from flat patterns and draped on the
//! reference body (`tee`, `jacket`, `sew`), with textures baked into a
//! per-garment atlas (`bake`): an indigo jersey T-shirt, and a charcoal
//! wool jacket with a burgundy lining and horn buttons.

use serde_json::{json, Value};

use crate::bake::{bake, Baked, Maps};
use crate::body::Body;
use crate::cloth::{Atlas, Charts, Cloth, Part};
use crate::glb::{num, Glb};
use crate::mesh::{smoothstep, Primitive};
use crate::pattern::Piece;
use crate::raster::Look;
use crate::sew::{sew, Drape};
use crate::skin::{add_skeleton, garment_weights, pack_weights};
use crate::{jacket, tee, Asset};

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

/// A plain cloth material (no textures): the jacket's lining.
fn plain_cloth(name: &str, colour: [f32; 3], roughness: f32, sheen: [f32; 3]) -> Value {
    json!({
        "name": name,
        "pbrMetallicRoughness": {
            "baseColorFactor": [num(colour[0]), num(colour[1]), num(colour[2]), 1.0],
            "metallicFactor": 0.0,
            "roughnessFactor": num(roughness),
        },
        "extensions": { "KHR_materials_sheen": {
            "sheenColorFactor": sheen.map(num),
            "sheenRoughnessFactor": 0.6,
        }},
    })
}

/// Writes a skinned garment: one mesh node with the rig's skin.
fn skinned(name: &str, mut glb: Glb, prims: &[Primitive]) -> Vec<u8> {
    let mesh = glb.mesh(name, prims);
    let mesh_node = glb.node(json!({ "name": name, "mesh": mesh }));
    let (skin, root) = add_skeleton(&mut glb);
    glb.nodes[mesh_node]["skin"] = json!(skin);
    glb.finish(&[mesh_node, root])
}

/// How a material shows in thumbnails: its factor (the baked maps, where
/// it has them, modulate it as the base-colour texture does).
fn look(colour: [f32; 3], double_sided: bool) -> Look {
    Look {
        colour,
        alpha: 1.0,
        double_sided,
        specular: 0.06,
    }
}

/// A garment, the maps its thumbnails are shaded with (per material),
/// its baked texture images (named) and its parts' vertex counts.
pub struct Garment {
    pub asset: Asset,
    pub maps: Vec<Option<Maps>>,
    pub textures: Vec<(String, Vec<u8>)>,
    pub parts: Vec<(&'static str, usize)>,
    /// The base-colour texture's linear mean over the fabric.
    pub base_mean: f32,
}

/// The parts' names and vertex counts (left half and mirror).
fn part_sizes(parts: &[Part], cloth: &Cloth) -> Vec<(&'static str, usize)> {
    parts
        .iter()
        .enumerate()
        .map(|(k, part)| (part.name, cloth.part.iter().filter(|&&p| p == k).count()))
        .collect()
}

fn texture_files(prefix: &str, baked: &Baked) -> Vec<(String, Vec<u8>)> {
    vec![
        (format!("{prefix}_base_colour.png"), baked.base_png.clone()),
        (format!("{prefix}_normal.png"), baked.normal_png.clone()),
        (format!("{prefix}_orm.png"), baked.orm_png.clone()),
    ]
}

/// The baked textures of one garment in a GLB: (base colour, normal, ORM).
struct Textures {
    base: usize,
    normal: usize,
    orm: usize,
}

fn add_textures(glb: &mut Glb, prefix: &str, baked: &Baked) -> Textures {
    Textures {
        base: glb.png_texture(&format!("{prefix}_base_colour"), &baked.base_png),
        normal: glb.png_texture(&format!("{prefix}_normal"), &baked.normal_png),
        orm: glb.png_texture(
            &format!("{prefix}_occlusion_roughness_metallic"),
            &baked.orm_png,
        ),
    }
}

/// A fabric with baked maps: the colour is the factor (the base-colour
/// texture only modulates it), roughness and occlusion come from the ORM
/// image (roughness factor 1, metallic 0), and sheen.
fn fabric_material(
    name: &str,
    colour: [f32; 3],
    textures: &Textures,
    sheen: [f32; 3],
    double_sided: bool,
) -> Value {
    json!({
        "name": name,
        "doubleSided": double_sided,
        "pbrMetallicRoughness": {
            "baseColorFactor": [num(colour[0]), num(colour[1]), num(colour[2]), 1.0],
            "baseColorTexture": { "index": textures.base },
            "metallicFactor": 0.0,
            "roughnessFactor": 1.0,
            "metallicRoughnessTexture": { "index": textures.orm },
        },
        "normalTexture": { "index": textures.normal, "scale": 1.0 },
        "occlusionTexture": { "index": textures.orm, "strength": 1.0 },
        "extensions": { "KHR_materials_sheen": {
            "sheenColorFactor": sheen.map(num),
            "sheenRoughnessFactor": 0.6,
        }},
    })
}

/// Occlusion is also traced with the arms lowered this far from the
/// T-pose (radians): the armpits and the sides of the body shaded by the
/// sleeves as a customer in front of the mirror shows them.
const OCCLUSION_ARM_DROP_RAD: f32 = 0.8;

/// The poses occlusion is averaged over: as modelled, and arms lowered.
fn occlusion_poses(cloth: &Cloth, body: &Body) -> [(Cloth, Body); 2] {
    [
        (cloth.clone(), *body),
        (
            cloth.posed(OCCLUSION_ARM_DROP_RAD, 0.0),
            Body {
                arm_drop_rad: OCCLUSION_ARM_DROP_RAD,
                ..*body
            },
        ),
    ]
}

/// How the garments are draped.
fn drape(bend: f32) -> Drape {
    Drape {
        steps: 240,
        iterations: 16,
        close_steps: 160,
        settle_steps: 300,
        gravity: 9.81,
        bend,
        friction: 0.6,
        damping: 0.985,
        body: Body::t_pose(0.006),
    }
}

pub fn tshirt() -> Garment {
    let (placed, seams, folds) = tee::pattern();
    let drape = drape(0.02);
    let sewn = sew(&placed, &seams, &folds, &drape);
    let pieces: Vec<Piece> = placed.iter().map(|p| p.piece.clone()).collect();
    let mut charts = Charts::new(Atlas {
        size_px: 1024,
        texels_per_m: tee::TEXELS_PER_M,
    });
    let parts = tee::parts(placed, sewn, &drape.body, &mut charts);
    let atlas = charts.atlas;
    let mut cloth = Cloth::assemble(&parts, &atlas, |p| drape.body.gradient(p));
    cloth.skin(tee::arm_share(&pieces));
    let baked = bake(
        &occlusion_poses(&cloth, &drape.body),
        &parts,
        &atlas,
        tee::surface(&pieces),
    );
    let shell = cloth.primitive(|_| true, 0);

    let mut glb = Glb::default();
    let textures = add_textures(&mut glb, "jersey", &baked);
    let indigo = linear(0x2e3a6e);
    glb.materials.push(fabric_material(
        "indigo_jersey",
        indigo,
        &textures,
        linear(0x5a6aa8),
        true,
    ));
    glb.use_extension("KHR_materials_sheen");
    let prims = vec![shell];
    Garment {
        asset: Asset {
            file: "tshirt.glb",
            bytes: skinned("tshirt", glb, &prims),
            looks: vec![look(indigo, true)],
            prims,
            skinned: true,
        },
        textures: texture_files("tshirt", &baked),
        parts: part_sizes(&parts, &cloth),
        base_mean: baked.base_mean,
        maps: vec![Some(baked.maps)],
    }
}

pub fn jacket() -> Garment {
    let (placed, seams, folds) = jacket::pattern();
    // Wool with a canvas inside: stiffer than jersey, a little thicker.
    let drape = Drape {
        body: Body::t_pose(0.009),
        ..drape(0.08)
    };
    let sewn = sew(&placed, &seams, &folds, &drape);
    let pieces: Vec<Piece> = placed.iter().map(|p| p.piece.clone()).collect();
    let mut charts = Charts::new(Atlas {
        size_px: 1024,
        texels_per_m: jacket::TEXELS_PER_M,
    });
    let (mut parts, mut buttons) = jacket::parts(placed, sewn, &drape.body, &mut charts);
    let atlas = charts.atlas;
    let shell = Cloth::assemble(&parts, &atlas, |p| drape.body.gradient(p));
    parts.extend(jacket::lining(&parts, &pieces, &shell));
    let mut cloth = Cloth::assemble(&parts, &atlas, |p| drape.body.gradient(p));
    cloth.skin(jacket::arm_share(&pieces));
    let baked = bake(
        &occlusion_poses(&cloth, &drape.body),
        &parts,
        &atlas,
        jacket::surface(&pieces),
    );
    let (shell_m, lining_m) = (0, 1);
    let shell = cloth.primitive(|k| parts[k].material == shell_m, shell_m);
    let lining = cloth.primitive(|k| parts[k].material == lining_m, lining_m);
    skin_buttons(&mut buttons);

    let mut glb = Glb::default();
    let textures = add_textures(&mut glb, "twill", &baked);
    let (charcoal, burgundy, horn) = (linear(0x3a3c40), linear(0x6e1e2d), linear(0x2a201c));
    glb.materials.push(fabric_material(
        "charcoal_twill",
        charcoal,
        &textures,
        linear(0x50545c),
        false,
    ));
    glb.materials.push(plain_cloth(
        "burgundy_lining",
        burgundy,
        0.45,
        linear(0xc06070),
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
    Garment {
        asset: Asset {
            file: "jacket.glb",
            bytes: skinned("jacket", glb, &prims),
            // Thumbnails show the inside of the back through the V, as
            // product shots on a ghost mannequin do.
            looks: vec![
                look(charcoal, true),
                look(burgundy, false),
                look(horn, false),
            ],
            prims,
            skinned: true,
        },
        textures: texture_files("jacket", &baked),
        parts: part_sizes(&parts, &cloth),
        base_mean: baked.base_mean,
        maps: vec![Some(baked.maps), None, None],
    }
}

/// Buttons follow the body where they sit: the front ones the torso, the
/// cuff ones the forearm.
fn skin_buttons(prim: &mut Primitive) {
    let packed: Vec<_> = prim
        .positions
        .iter()
        .map(|p| {
            let arm = smoothstep(0.2, 0.3, p.x.abs());
            pack_weights(garment_weights(*p, arm))
        })
        .collect();
    prim.joints = packed.iter().map(|(j, _)| *j).collect();
    prim.weights = packed.iter().map(|(_, w)| *w).collect();
}
