//! glTF garment loading: valid files built here (GLB and .gltf + .bin +
//! .png), each kind of hostile or broken file, and a mutation loop that
//! checks damaged files give errors, never panics.

use drape::garment::gltf_load::{
    load_garment, load_garment_from_slice, AlphaMode, GltfError, GltfOptions, Wrap,
};
use drape::garment::{RestSkeleton, RigJoint};
use glam::{Mat4, Vec3};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

mod common;

use common::gltf::{base64, box_positions, glb, rig_names, rig_nodes, Bin, BOX_INDICES};

/// Matrices built in f32 from a few additions agree this closely.
const MATRIX_TOLERANCE: f32 = 1e-5;

/// A skinned box: node 0 holds the mesh (with a translation glTF says to
/// ignore), nodes 1..=19 the rig. The skin lists the joints in reverse
/// rig order, so skin index 17 is `spine` and 16 is `chest`. Bottom
/// vertices follow the spine; the top ones are shared 2:2 (unnormalised)
/// between spine and chest.
fn skinned_box(joint_names: &[&str]) -> (Value, Vec<u8>) {
    let mut bin = Bin::default();
    let position = bin.floats(&box_positions(), "VEC3");
    let indices = bin.u16s(&BOX_INDICES, "SCALAR");
    let joint_count = joint_names.len();
    let skin_index = |rig: usize| (joint_count - 1 - rig) as u8;
    let (spine, chest) = (skin_index(1), skin_index(2));
    let (joints, weights) = bin.box_skin(spine, chest, 2.0);
    let rest = RestSkeleton::reference();
    let inverse_bind: Vec<f32> = (0..joint_count)
        .rev()
        .flat_map(|rig| {
            let head = RigJoint::ALL.get(rig).map_or(Vec3::ZERO, |&j| rest.head(j));
            Mat4::from_translation(-head).to_cols_array()
        })
        .collect();
    let inverse_bind = bin.floats(&inverse_bind, "MAT4");
    let mut nodes =
        vec![json!({"name": "shirt", "mesh": 0, "skin": 0, "translation": [5.0, 0.0, 0.0]})];
    nodes.extend(rig_nodes(joint_names, 1));
    let skin_joints: Vec<usize> = (1..=joint_count).rev().collect();
    let root = bin.root(
        None,
        json!({
            "scene": 0,
            "scenes": [{"nodes": [0, 1]}],
            "nodes": nodes,
            "meshes": [{"name": "shirt", "primitives": [{
                "attributes": {"POSITION": position, "JOINTS_0": joints, "WEIGHTS_0": weights},
                "indices": indices,
            }]}],
            "skins": [{"joints": skin_joints, "inverseBindMatrices": inverse_bind}],
        }),
    );
    (root, bin.bytes)
}

fn valid_glb() -> Vec<u8> {
    let (root, bin) = skinned_box(&rig_names());
    glb(&root, &bin)
}

/// An unskinned box under a parent node: mesh node translation (0, 0.6,
/// 0.1), scale 2, parent translation (0, 1, 0).
fn accessory(extra_primitive: Value, images: Value) -> (Value, Vec<u8>) {
    let mut bin = Bin::default();
    let unit: Vec<f32> = box_positions()
        .chunks(3)
        .flat_map(|p| [p[0], p[1] - 1.2, p[2]])
        .collect();
    let position = bin.floats(&unit, "VEC3");
    let uv: Vec<f32> = (0..8).flat_map(|i| [i as f32 / 8.0, 0.5]).collect();
    let uv = bin.floats(&uv, "VEC2");
    let indices = bin.u16s(&BOX_INDICES, "SCALAR");
    let mut primitive = json!({
        "attributes": {"POSITION": position, "TEXCOORD_0": uv}, "indices": indices, "material": 0,
    });
    for (key, value) in extra_primitive.as_object().unwrap() {
        primitive[key] = value.clone();
    }
    let root = bin.root(
        None,
        json!({
            "scenes": [{"nodes": [0]}],
            "nodes": [
                {"name": "anchor", "translation": [0.0, 1.0, 0.0], "children": [1]},
                {"name": "hat", "mesh": 0, "translation": [0.0, 0.6, 0.1], "scale": [2.0, 2.0, 2.0]},
            ],
            "meshes": [{"name": "hat", "primitives": [primitive]}],
            "materials": [{"name": "felt", "pbrMetallicRoughness": {"baseColorFactor": [0.5, 0.2, 0.1, 1.0]}}],
            "images": images,
        }),
    );
    (root, bin.bytes)
}

fn png(width: u32, height: u32, rgba: [u8; 4]) -> Vec<u8> {
    let pixels: Vec<u8> = (0..width * height).flat_map(|_| rgba).collect();
    let image = image::RgbaImage::from_raw(width, height, pixels).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn load_bytes(
    bytes: &[u8],
    options: GltfOptions,
) -> Result<drape::garment::gltf_load::GarmentModel, GltfError> {
    load_garment_from_slice(bytes, None, options)
}

fn expect_err(bytes: &[u8], options: GltfOptions) -> GltfError {
    match load_bytes(bytes, options) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

#[test]
fn skinned_glb_loads_with_normalised_weights_and_the_rig() {
    let model = load_bytes(&valid_glb(), GltfOptions::garment()).expect("valid GLB loads");
    assert_eq!(model.primitives.len(), 1);
    let p = &model.primitives[0];
    assert_eq!(p.positions.len(), 8);
    assert_eq!(p.indices.len(), 36);
    assert_eq!(
        (
            p.normals.len(),
            p.uvs.len(),
            p.joints.len(),
            p.weights.len()
        ),
        (8, 8, 8, 8)
    );
    // The mesh node's translation (x + 5) is ignored for skinned meshes.
    assert_eq!(p.positions[0], Vec3::new(-0.1, 1.0, -0.1));
    assert_eq!(
        (model.bounds_min, model.bounds_max),
        (Vec3::new(-0.1, 1.0, -0.1), Vec3::new(0.1, 1.4, 0.1))
    );
    for n in &p.normals {
        assert!(
            (n.length() - 1.0).abs() < 1e-5,
            "generated normals are unit: {n}"
        );
    }
    // The bottom-front-left corner's normal points out of the box.
    assert!(p.normals[0].x < 0.0 && p.normals[0].y < 0.0 && p.normals[0].z < 0.0);

    let skin = model.skin.as_ref().expect("skinned");
    assert_eq!(skin.joints.len(), 19);
    assert_eq!(skin.joints[17], RigJoint::Spine);
    assert_eq!(skin.joints[16], RigJoint::Chest);
    assert_eq!(skin.joints[18], RigJoint::Hips);
    for w in &p.weights {
        assert!((w.iter().sum::<f32>() - 1.0).abs() < 1e-6, "{w:?}");
    }
    assert_eq!(p.joints[0], [17, 0, 0, 0]);
    assert_eq!(p.weights[0], [1.0, 0.0, 0.0, 0.0]);
    assert_eq!(p.joints[5], [17, 16, 0, 0]);
    assert_eq!(p.weights[5], [0.5, 0.5, 0.0, 0.0]);

    let rest = RestSkeleton::reference();
    for (i, &joint) in skin.joints.iter().enumerate() {
        let bind = skin.bind_global[i];
        assert!(
            bind.w_axis
                .truncate()
                .abs_diff_eq(rest.head(joint), MATRIX_TOLERANCE),
            "{joint:?}"
        );
        assert!(
            (skin.inverse_bind[i] * bind).abs_diff_eq(Mat4::IDENTITY, MATRIX_TOLERANCE),
            "{joint:?}"
        );
    }
    assert_eq!(model.materials.len(), 1, "the default material");
    assert_eq!(p.material, 0);
}

#[test]
fn external_gltf_bin_and_png_load_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (root, bin) = accessory(json!({}), json!([{"uri": "tex/base%20colour.png"}]));
    let mut root = root;
    root["buffers"][0]["uri"] = json!("hat.bin");
    root["textures"] = json!([{"source": 0, "sampler": 0}]);
    root["samplers"] =
        json!([{"wrapS": 33071, "wrapT": 33648, "magFilter": 9728, "minFilter": 9729}]);
    root["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"] = json!({"index": 0});
    root["materials"][0]["normalTexture"] = json!({"index": 0, "scale": 0.5});
    std::fs::create_dir(dir.path().join("tex")).unwrap();
    std::fs::write(
        dir.path().join("tex/base colour.png"),
        png(4, 2, [200, 100, 50, 255]),
    )
    .unwrap();
    std::fs::write(dir.path().join("hat.bin"), &bin).unwrap();
    let path = dir.path().join("hat.gltf");
    std::fs::write(&path, serde_json::to_vec_pretty(&root).unwrap()).unwrap();

    let model = load_garment(&path, GltfOptions::accessory()).expect("external glTF loads");
    assert!(model.skin.is_none());
    let material = &model.materials[0];
    assert_eq!(material.name, "felt");
    assert_eq!(material.base_color_factor.to_array(), [0.5, 0.2, 0.1, 1.0]);
    assert_eq!(material.normal_scale, 0.5);
    // One image used as colour (sRGB) and as a normal map (linear): two textures.
    assert_eq!(model.textures.len(), 2);
    let colour = &model.textures[material.base_color_texture.unwrap().texture];
    let normal = &model.textures[material.normal_texture.unwrap().texture];
    assert!(colour.srgb && !normal.srgb);
    assert_eq!(
        (colour.width, colour.height, colour.rgba8.len()),
        (4, 2, 32)
    );
    assert_eq!(&colour.rgba8[..4], &[200, 100, 50, 255]);
    assert_eq!(
        (colour.sampler.wrap_u, colour.sampler.wrap_v),
        (Wrap::ClampToEdge, Wrap::MirroredRepeat)
    );
    assert_eq!(colour.sampler.mipmap_filter, None);
    assert_eq!(model.primitives[0].uvs[3].x, 3.0 / 8.0);
}

#[test]
fn sheen_material_reads_factors_and_an_embedded_texture() {
    let data_uri = format!(
        "data:image/png;base64,{}",
        base64(&png(2, 2, [10, 20, 30, 40]))
    );
    let (mut root, bin) = accessory(json!({}), json!([{"uri": data_uri}]));
    root["textures"] = json!([{"source": 0}]);
    root["materials"][0]["alphaMode"] = json!("MASK");
    root["materials"][0]["alphaCutoff"] = json!(0.25);
    root["materials"][0]["doubleSided"] = json!(true);
    root["materials"][0]["extensions"] = json!({"KHR_materials_sheen": {
        "sheenColorFactor": [0.9, 0.8, 0.7],
        "sheenRoughnessFactor": 0.6,
        "sheenColorTexture": {"index": 0},
    }});
    root["extensionsUsed"] = json!(["KHR_materials_sheen"]);
    let model = load_bytes(&glb(&root, &bin), GltfOptions::accessory()).expect("sheen loads");
    let material = &model.materials[0];
    assert_eq!(material.alpha_mode, AlphaMode::Mask(0.25));
    assert!(material.double_sided);
    let sheen = material.sheen.as_ref().expect("sheen read");
    assert_eq!(sheen.color_factor.to_array(), [0.9, 0.8, 0.7]);
    assert_eq!(sheen.roughness_factor, 0.6);
    assert!(sheen.roughness_texture.is_none());
    let texture = &model.textures[sheen.color_texture.expect("sheen texture").texture];
    assert!(texture.srgb);
    assert_eq!(texture.rgba8, [10, 20, 30, 40].repeat(4));
}

/// An ORM image (occlusion R, roughness G, metallic B) serves both
/// `occlusionTexture` and `metallicRoughnessTexture`: one linear texture;
/// the strength is read, 1 when absent, clamped to glTF's 0..=1.
#[test]
fn occlusion_texture_is_read_as_linear_data_and_shares_an_orm_image() {
    let orm = format!(
        "data:image/png;base64,{}",
        base64(&png(2, 2, [90, 200, 0, 255]))
    );
    let colour = format!(
        "data:image/png;base64,{}",
        base64(&png(2, 2, [250, 250, 250, 255]))
    );
    let (mut root, bin) = accessory(json!({}), json!([{"uri": orm}, {"uri": colour}]));
    root["textures"] = json!([{"source": 0}, {"source": 1}]);
    root["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"] = json!({"index": 1});
    root["materials"][0]["pbrMetallicRoughness"]["metallicRoughnessTexture"] = json!({"index": 0});
    root["materials"][0]["occlusionTexture"] = json!({"index": 0, "strength": 0.8});
    let model = load_bytes(&glb(&root, &bin), GltfOptions::accessory()).expect("ORM loads");
    let material = &model.materials[0];
    let occlusion = material.occlusion_texture.expect("occlusion read");
    assert_eq!(material.occlusion_strength, 0.8);
    assert_eq!(
        Some(occlusion),
        material.metallic_roughness_texture,
        "one linear texture for both uses"
    );
    assert_eq!(model.textures.len(), 2, "the ORM image and the colour");
    let texture = &model.textures[occlusion.texture];
    assert!(!texture.srgb, "occlusion is data, not colour");
    assert_eq!(texture.rgba8[..4], [90, 200, 0, 255]);

    // No strength: 1. Out of glTF's range: clamped.
    root["materials"][0]["occlusionTexture"] = json!({"index": 0});
    let model = load_bytes(&glb(&root, &bin), GltfOptions::accessory()).unwrap();
    assert_eq!(model.materials[0].occlusion_strength, 1.0);
    root["materials"][0]["occlusionTexture"] = json!({"index": 0, "strength": 3.0});
    let model = load_bytes(&glb(&root, &bin), GltfOptions::accessory()).unwrap();
    assert_eq!(model.materials[0].occlusion_strength, 1.0);

    // Without occlusion: none, strength 1.
    root["materials"][0]
        .as_object_mut()
        .unwrap()
        .remove("occlusionTexture");
    let model = load_bytes(&glb(&root, &bin), GltfOptions::accessory()).unwrap();
    assert_eq!(model.materials[0].occlusion_texture, None);
    assert_eq!(model.materials[0].occlusion_strength, 1.0);

    // A texture that does not exist is an error naming the material.
    root["materials"][0]["occlusionTexture"] = json!({"index": 7});
    let error = expect_err(&glb(&root, &bin), GltfOptions::accessory());
    assert!(
        error
            .to_string()
            .contains("uses texture 7, which does not exist"),
        "{error}"
    );
}

/// The bundled garments bake their occlusion into an ORM image: loaded
/// once, linear, as both the occlusion and the metallic-roughness texture.
#[test]
fn sample_garments_carry_an_orm_occlusion_texture() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/garments");
    for file in ["tshirt.glb", "jacket.glb"] {
        let model = load_garment(root.join(file), GltfOptions::garment()).expect(file);
        let fabric = &model.materials[0];
        let occlusion = fabric.occlusion_texture.expect(file);
        assert_eq!(Some(occlusion), fabric.metallic_roughness_texture, "{file}");
        assert_eq!(fabric.occlusion_strength, 1.0, "{file}");
        let texture = &model.textures[occlusion.texture];
        assert!(!texture.srgb, "{file}: occlusion is linear data");
        // Cloth meets cloth somewhere (collar, armpits): not all white.
        let darkest = texture.rgba8.chunks_exact(4).map(|p| p[0]).min();
        assert!(darkest < Some(200), "{file}: occlusion {darkest:?}");
    }
}

#[test]
fn accessory_bakes_node_transforms() {
    let (root, bin) = accessory(json!({}), json!([]));
    let model = load_bytes(&glb(&root, &bin), GltfOptions::accessory()).expect("accessory loads");
    let p = &model.primitives[0];
    assert!(p.joints.is_empty() && p.weights.is_empty() && model.skin.is_none());
    // Stored (-0.1, -0.2, -0.1) → scale 2 → + (0, 0.6, 0.1) → + (0, 1, 0).
    assert!(
        p.positions[0].abs_diff_eq(Vec3::new(-0.2, 1.2, -0.1), 1e-6),
        "{}",
        p.positions[0]
    );
    assert!(
        model.bounds_max.abs_diff_eq(Vec3::new(0.2, 2.0, 0.3), 1e-6),
        "{}",
        model.bounds_max
    );

    // A mirroring scale keeps faces facing out by flipping the winding.
    let mut mirrored = root.clone();
    mirrored["nodes"][1]["scale"] = json!([-1.0, 1.0, 1.0]);
    let model = load_bytes(&glb(&mirrored, &bin), GltfOptions::accessory()).unwrap();
    let m = &model.primitives[0];
    assert_eq!(&m.indices[..3], &[0, 2, 1]);
    assert!(
        m.normals[0].x > 0.0,
        "corner 0 is now at +x: {}",
        m.normals[0]
    );
}

#[test]
fn missing_and_unknown_joints_are_listed() {
    let names: Vec<&str> = rig_names()
        .into_iter()
        .filter(|n| !["hand.L", "foot.R"].contains(n))
        .collect();
    let (root, bin) = skinned_box(&names);
    match expect_err(&glb(&root, &bin), GltfOptions::garment()) {
        GltfError::Rig {
            missing, unknown, ..
        } => {
            assert!(
                missing.contains(&"hand.L") && missing.contains(&"foot.R"),
                "{missing:?}"
            );
            assert!(unknown.is_empty(), "{unknown:?}");
        }
        other => panic!("expected a rig error, got {other}"),
    }

    let mut names = rig_names();
    names[3] = "Bone.001";
    let (root, bin) = skinned_box(&names);
    let error = expect_err(&glb(&root, &bin), GltfOptions::garment());
    let message = error.to_string();
    match error {
        GltfError::Rig {
            missing, unknown, ..
        } => {
            assert_eq!(missing, ["neck"]);
            assert_eq!(unknown, ["Bone.001"]);
        }
        other => panic!("expected a rig error, got {other}"),
    }
    assert!(
        message.contains("neck") && message.contains("Bone.001") && message.contains("rig.rs"),
        "{message}"
    );
}

#[test]
fn extra_joint_is_unknown() {
    let mut names = rig_names();
    names.push("tail");
    let (mut root, bin) = skinned_box(&names);
    // The extra joint hangs off the hips.
    root["nodes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "tail", "translation": [0.0, 0.0, -0.1]}));
    root["nodes"][1]["children"]
        .as_array_mut()
        .unwrap()
        .push(json!(20));
    match expect_err(&glb(&root, &bin), GltfOptions::garment()) {
        GltfError::Rig {
            missing, unknown, ..
        } => {
            assert!(missing.is_empty(), "{missing:?}");
            assert_eq!(unknown, ["tail"]);
        }
        other => panic!("expected a rig error, got {other}"),
    }
}

#[test]
fn huge_accessor_count_is_a_limit_error_without_allocating() {
    let (mut root, bin) = skinned_box(&rig_names());
    root["accessors"][0]["count"] = json!(4_000_000_000u64);
    let start = Instant::now();
    let error = expect_err(&glb(&root, &bin), GltfOptions::garment());
    assert!(
        matches!(
            error,
            GltfError::Limit {
                field: "max_vertices",
                ..
            }
        ),
        "{error}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn accessor_past_the_end_of_its_buffer_is_invalid() {
    let (mut root, bin) = skinned_box(&rig_names());
    root["accessors"][0]["byteOffset"] = json!(8);
    let error = expect_err(&glb(&root, &bin), GltfOptions::garment());
    assert!(matches!(error, GltfError::Invalid { .. }), "{error}");
    assert!(error.to_string().contains("past the end"), "{error}");

    let (mut root, bin) = skinned_box(&rig_names());
    root["bufferViews"][0]["byteLength"] = json!(1u64 << 40);
    let error = expect_err(&glb(&root, &bin), GltfOptions::garment());
    assert!(
        error.to_string().contains("past the end of buffer 0"),
        "{error}"
    );
}

#[test]
fn index_out_of_range_is_invalid() {
    let (root, mut bin) = skinned_box(&rig_names());
    let indices_offset = root["bufferViews"][1]["byteOffset"].as_u64().unwrap() as usize;
    bin[indices_offset..indices_offset + 2].copy_from_slice(&8u16.to_le_bytes());
    let error = expect_err(&glb(&root, &bin), GltfOptions::garment());
    assert!(
        error
            .to_string()
            .contains("index 8, but there are only 8 vertices"),
        "{error}"
    );
}

#[test]
fn joint_index_beyond_the_skin_is_invalid() {
    let (root, mut bin) = skinned_box(&rig_names());
    let joints_offset = root["bufferViews"][2]["byteOffset"].as_u64().unwrap() as usize;
    bin[joints_offset] = 19;
    let error = expect_err(&glb(&root, &bin), GltfOptions::garment());
    assert!(
        error
            .to_string()
            .contains("joint 19, but the skin has 19 joints"),
        "{error}"
    );
}

#[test]
fn missing_buffer_and_texture_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let (mut root, bin) = accessory(json!({}), json!([{"uri": "missing.png"}]));
    root["buffers"][0]["uri"] = json!("gone.bin");
    let path = dir.path().join("hat.gltf");
    std::fs::write(&path, serde_json::to_vec(&root).unwrap()).unwrap();
    let error = load_garment(&path, GltfOptions::accessory()).unwrap_err();
    assert!(
        matches!(&error, GltfError::MissingFile { uri, .. } if uri == "gone.bin"),
        "{error}"
    );
    assert!(error.to_string().contains("gone.bin"));
    assert_eq!(error.path(), path);

    std::fs::write(dir.path().join("gone.bin"), &bin).unwrap();
    root["textures"] = json!([{"source": 0}]);
    root["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"] = json!({"index": 0});
    std::fs::write(&path, serde_json::to_vec(&root).unwrap()).unwrap();
    let error = load_garment(&path, GltfOptions::accessory()).unwrap_err();
    assert!(
        matches!(&error, GltfError::MissingFile { uri, .. } if uri == "missing.png"),
        "{error}"
    );

    // Bytes without a base directory cannot reach files at all.
    let error = load_bytes(
        &serde_json::to_vec(&root).unwrap(),
        GltfOptions::accessory(),
    )
    .unwrap_err();
    assert!(matches!(&error, GltfError::MissingFile { .. }), "{error}");
}

#[test]
fn undecodable_texture_names_the_image() {
    let data_uri = format!(
        "data:image/png;base64,{}",
        base64(b"\x89PNG\r\n\x1a\nnot really")
    );
    let (mut root, bin) = accessory(json!({}), json!([{"name": "felt colour", "uri": data_uri}]));
    root["textures"] = json!([{"source": 0}]);
    root["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"] = json!({"index": 0});
    let error = expect_err(&glb(&root, &bin), GltfOptions::accessory());
    assert!(
        matches!(&error, GltfError::Image { image, .. } if image == "felt colour"),
        "{error}"
    );
}

#[test]
fn oversized_texture_is_a_limit_error() {
    let data_uri = format!("data:image/png;base64,{}", base64(&png(64, 8, [0; 4])));
    let (mut root, bin) = accessory(json!({}), json!([{"uri": data_uri}]));
    root["textures"] = json!([{"source": 0}]);
    root["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"] = json!({"index": 0});
    let mut options = GltfOptions::accessory();
    options.limits.max_texture_side = 32;
    let error = load_bytes(&glb(&root, &bin), options).unwrap_err();
    assert!(
        matches!(
            error,
            GltfError::Limit {
                field: "max_texture_side",
                actual: 64,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn non_triangle_mode_names_the_mesh() {
    let (root, bin) = accessory(json!({"mode": 1}), json!([]));
    let error = expect_err(&glb(&root, &bin), GltfOptions::accessory());
    assert!(matches!(error, GltfError::Unsupported { .. }), "{error}");
    assert!(
        error.to_string().contains("mesh \"hat\"") && error.to_string().contains("Lines"),
        "{error}"
    );
}

#[test]
fn truncated_glb_and_garbage_are_format_errors() {
    let valid = valid_glb();
    for len in [0, 3, 11, 12, 19, 40, valid.len() / 2, valid.len() - 1] {
        let error = expect_err(&valid[..len], GltfOptions::garment());
        assert!(
            matches!(error, GltfError::Format { .. }),
            "{len} bytes: {error}"
        );
    }
    let mut state = 0x2545_f491u32;
    for len in [1usize, 16, 1000, 100_000] {
        let garbage: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state >> 24) as u8
            })
            .collect();
        let error = expect_err(&garbage, GltfOptions::garment());
        assert!(matches!(error, GltfError::Format { .. }), "{error}");
    }
    let mut wrong_version = valid.clone();
    wrong_version[4] = 1;
    assert!(expect_err(&wrong_version, GltfOptions::garment())
        .to_string()
        .contains("version 1"));
}

#[test]
fn nan_position_is_invalid() {
    let (root, mut bin) = skinned_box(&rig_names());
    bin[4..8].copy_from_slice(&f32::NAN.to_le_bytes());
    let error = expect_err(&glb(&root, &bin), GltfOptions::garment());
    assert!(
        error.to_string().contains("NaN or infinite positions"),
        "{error}"
    );
}

#[test]
fn require_skin_refuses_an_unskinned_file() {
    let (root, bin) = accessory(json!({}), json!([]));
    let error = expect_err(&glb(&root, &bin), GltfOptions::garment());
    assert!(matches!(error, GltfError::NoSkin { .. }), "{error}");
}

#[test]
fn two_skins_are_refused() {
    let (mut root, bin) = skinned_box(&rig_names());
    let skin = root["skins"][0].clone();
    root["skins"] = json!([skin.clone(), skin]);
    let error = expect_err(&glb(&root, &bin), GltfOptions::garment());
    assert!(
        matches!(error, GltfError::Unsupported { .. }) && error.to_string().contains("2 skins"),
        "{error}"
    );
}

#[test]
fn hostile_json_is_refused_cleanly() {
    // A node cycle.
    let (mut root, bin) = accessory(json!({}), json!([]));
    root["nodes"][1]["children"] = json!([0]);
    let error = expect_err(&glb(&root, &bin), GltfOptions::accessory());
    assert!(
        error.to_string().contains("two parents") || error.to_string().contains("cycle"),
        "{error}"
    );

    // An attribute naming an accessor that does not exist (this panics
    // in gltf's own validator, which the loader therefore does not use).
    let (mut root, bin) = accessory(json!({}), json!([]));
    root["meshes"][0]["primitives"][0]["attributes"]["POSITION"] = json!(999);
    let error = expect_err(&glb(&root, &bin), GltfOptions::accessory());
    assert!(error.to_string().contains("accessor 999"), "{error}");

    // Deep nesting and huge numbers of tiny objects stop before parsing.
    let deep = format!(
        "{{\"asset\":{{\"version\":\"2.0\"}},\"extras\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(matches!(
        expect_err(deep.as_bytes(), GltfOptions::accessory()),
        GltfError::Format { .. }
    ));
    let many = format!(
        "{{\"asset\":{{\"version\":\"2.0\"}},\"nodes\":[{}{{}}]}}",
        "{},".repeat(300_000)
    );
    let error = expect_err(many.as_bytes(), GltfOptions::accessory());
    assert!(
        matches!(
            error,
            GltfError::Limit {
                field: "max_json_values",
                ..
            }
        ),
        "{error}"
    );

    // Network and absolute URIs are refused.
    for uri in [
        "http://example.com/a.bin",
        "/etc/passwd",
        "file:///etc/passwd",
    ] {
        let (mut root, _) = accessory(json!({}), json!([]));
        root["buffers"][0]["uri"] = json!(uri);
        let dir = std::env::temp_dir();
        let error = load_garment_from_slice(
            &serde_json::to_vec(&root).unwrap(),
            Some(&dir),
            GltfOptions::accessory(),
        )
        .unwrap_err();
        assert!(
            matches!(error, GltfError::Unsupported { .. }),
            "{uri}: {error}"
        );
    }
}

/// Loads `rounds` damaged copies of `valid` (a byte flipped, set to 0xff
/// or to a JSON character, or the file cut short, at deterministic
/// positions) and returns (errors, successes); panics if a load panics.
fn mutate_and_load(valid: &[u8], seed: u32, options: &GltfOptions) -> (usize, usize) {
    let mut state = seed;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    // DRAPE_GLTF_MUTATIONS=100000 runs a longer search.
    let rounds = std::env::var("DRAPE_GLTF_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let (mut errors, mut loaded) = (0, 0);
    for round in 0..rounds {
        let mut bytes = valid.to_vec();
        let at = next() as usize % bytes.len();
        match round % 4 {
            0 => bytes[at] ^= 1 << (next() % 8),
            1 => bytes[at] = 0xff,
            2 => bytes[at] = b"0123456789-e.\"{}[],"[next() as usize % 19],
            _ => bytes.truncate(at),
        }
        let options = options.clone();
        match std::panic::catch_unwind(|| load_bytes(&bytes, options)) {
            Ok(Ok(_)) => loaded += 1,
            Ok(Err(_)) => errors += 1,
            Err(_) => panic!(
                "round {round}: loading panicked (byte {at} of {})",
                valid.len()
            ),
        }
    }
    (errors, loaded)
}

#[test]
fn mutated_glbs_never_panic() {
    let (errors, loaded) = mutate_and_load(&valid_glb(), 0x9e37_79b9, &GltfOptions::garment());
    // Both outcomes happen: some mutations hit harmless bytes.
    assert!(errors > 0 && loaded > 0, "{errors} errors, {loaded} loaded");
}

#[test]
fn mutated_embedded_gltf_never_panics() {
    // JSON with the buffer and a texture as data: URIs, so mutations also
    // reach base64, materials, sheen and samplers.
    let data_uri = format!("data:image/png;base64,{}", base64(&png(2, 2, [1, 2, 3, 4])));
    let (mut root, bin) = accessory(json!({}), json!([{"uri": data_uri}]));
    root["buffers"][0]["uri"] = json!(format!(
        "data:application/octet-stream;base64,{}",
        base64(&bin)
    ));
    root["textures"] = json!([{"source": 0, "sampler": 0}]);
    root["samplers"] = json!([{"wrapS": 33071, "minFilter": 9987}]);
    root["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"] = json!({"index": 0});
    root["materials"][0]["extensions"] = json!({"KHR_materials_sheen": {"sheenColorFactor": [1.0, 1.0, 1.0], "sheenRoughnessTexture": {"index": 0}}});
    let text = serde_json::to_vec(&root).unwrap();
    load_bytes(&text, GltfOptions::accessory()).expect("the unmutated file loads");
    let (errors, loaded) = mutate_and_load(&text, 0x1234_5678, &GltfOptions::accessory());
    assert!(errors > 0 && loaded > 0, "{errors} errors, {loaded} loaded");
}
