//! A small glTF 2.0 binary (.glb) writer: the JSON is built with
//! serde_json (so extensions such as KHR_materials_sheen, which gltf-json
//! has no type for, are plain objects) and every array lives in the one
//! BIN chunk.

use glam::Mat4;
use serde_json::{json, Value};

use crate::mesh::Primitive;

// glTF enums.
const FLOAT: u32 = 5126;
const UNSIGNED_BYTE: u32 = 5121;
const UNSIGNED_SHORT: u32 = 5123;
const UNSIGNED_INT: u32 = 5125;
const ARRAY_BUFFER: u32 = 34962;
const ELEMENT_ARRAY_BUFFER: u32 = 34963;

#[derive(Default)]
pub struct Glb {
    bin: Vec<u8>,
    buffer_views: Vec<Value>,
    accessors: Vec<Value>,
    pub materials: Vec<Value>,
    pub nodes: Vec<Value>,
    pub meshes: Vec<Value>,
    pub skins: Vec<Value>,
    images: Vec<Value>,
    textures: Vec<Value>,
    extensions_used: Vec<&'static str>,
}

/// glTF wants numbers; f32 values print as their exact f64 widening,
/// so round the look of hand-written factors to 4 decimals.
pub fn num(x: f32) -> Value {
    json!(((x as f64) * 1e4).round() / 1e4)
}

impl Glb {
    pub fn use_extension(&mut self, name: &'static str) {
        if !self.extensions_used.contains(&name) {
            self.extensions_used.push(name);
        }
    }

    fn view(&mut self, bytes: &[u8], target: Option<u32>) -> usize {
        // Every view starts 4-byte aligned (enough for all component types).
        while !self.bin.len().is_multiple_of(4) {
            self.bin.push(0);
        }
        let mut view =
            json!({ "buffer": 0, "byteOffset": self.bin.len(), "byteLength": bytes.len() });
        if let Some(target) = target {
            view["target"] = json!(target);
        }
        self.bin.extend_from_slice(bytes);
        self.buffer_views.push(view);
        self.buffer_views.len() - 1
    }

    fn accessor(
        &mut self,
        bytes: &[u8],
        target: Option<u32>,
        component: u32,
        kind: &str,
        count: usize,
    ) -> usize {
        let view = self.view(bytes, target);
        self.accessors.push(json!({
            "bufferView": view, "componentType": component, "count": count, "type": kind,
        }));
        self.accessors.len() - 1
    }

    fn floats(&mut self, values: &[f32], kind: &str, count: usize) -> usize {
        self.accessor(
            bytemuck::cast_slice(values),
            Some(ARRAY_BUFFER),
            FLOAT,
            kind,
            count,
        )
    }

    /// The primitive's JSON, its arrays appended to the BIN chunk.
    pub fn primitive(&mut self, prim: &Primitive) -> Value {
        let count = prim.positions.len();
        let positions: Vec<f32> = prim.positions.iter().flat_map(|p| p.to_array()).collect();
        let position = self.floats(&positions, "VEC3", count);
        // POSITION must carry its bounds.
        let (mut lo, mut hi) = ([f32::MAX; 3], [f32::MIN; 3]);
        for p in &prim.positions {
            for k in 0..3 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        self.accessors[position]["min"] = json!(lo.map(|x| x as f64));
        self.accessors[position]["max"] = json!(hi.map(|x| x as f64));
        let normals: Vec<f32> = prim.normals.iter().flat_map(|n| n.to_array()).collect();
        let normal = self.floats(&normals, "VEC3", count);
        let uvs: Vec<f32> = prim.uvs.iter().flat_map(|t| t.to_array()).collect();
        let uv = self.floats(&uvs, "VEC2", count);
        let mut attributes = json!({ "POSITION": position, "NORMAL": normal, "TEXCOORD_0": uv });
        if !prim.joints.is_empty() {
            let joints: Vec<u8> = prim.joints.iter().flatten().copied().collect();
            attributes["JOINTS_0"] =
                json!(self.accessor(&joints, Some(ARRAY_BUFFER), UNSIGNED_BYTE, "VEC4", count));
            let weights: Vec<f32> = prim.weights.iter().flatten().copied().collect();
            attributes["WEIGHTS_0"] = json!(self.floats(&weights, "VEC4", count));
        }
        let indices = if count <= u16::MAX as usize {
            let small: Vec<u16> = prim.indices.iter().map(|&i| i as u16).collect();
            self.accessor(
                bytemuck::cast_slice(&small),
                Some(ELEMENT_ARRAY_BUFFER),
                UNSIGNED_SHORT,
                "SCALAR",
                small.len(),
            )
        } else {
            self.accessor(
                bytemuck::cast_slice(&prim.indices),
                Some(ELEMENT_ARRAY_BUFFER),
                UNSIGNED_INT,
                "SCALAR",
                prim.indices.len(),
            )
        };
        json!({ "attributes": attributes, "indices": indices, "material": prim.material, "mode": 4 })
    }

    pub fn mesh(&mut self, name: &str, prims: &[Primitive]) -> usize {
        let primitives: Vec<Value> = prims.iter().map(|p| self.primitive(p)).collect();
        self.meshes
            .push(json!({ "name": name, "primitives": primitives }));
        self.meshes.len() - 1
    }

    /// An embedded PNG as a texture (repeat wrapping, trilinear filtering).
    pub fn png_texture(&mut self, name: &str, png: &[u8]) -> usize {
        let view = self.view(png, None);
        self.images
            .push(json!({ "name": name, "bufferView": view, "mimeType": "image/png" }));
        self.textures
            .push(json!({ "sampler": 0, "source": self.images.len() - 1 }));
        self.textures.len() - 1
    }

    /// Inverse bind matrices as a MAT4 accessor.
    pub fn matrices(&mut self, matrices: &[Mat4]) -> usize {
        let floats: Vec<f32> = matrices.iter().flat_map(|m| m.to_cols_array()).collect();
        self.accessor(
            bytemuck::cast_slice(&floats),
            None,
            FLOAT,
            "MAT4",
            matrices.len(),
        )
    }

    pub fn node(&mut self, node: Value) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// The finished .glb bytes; `roots` are the scene's root nodes.
    pub fn finish(mut self, roots: &[usize]) -> Vec<u8> {
        while !self.bin.len().is_multiple_of(4) {
            self.bin.push(0);
        }
        let mut root = json!({
            "asset": { "version": "2.0", "generator": "drape examples/make_garments" },
            "scene": 0,
            "scenes": [{ "nodes": roots }],
            "nodes": self.nodes,
            "meshes": self.meshes,
            "materials": self.materials,
            "accessors": self.accessors,
            "bufferViews": self.buffer_views,
            "buffers": [{ "byteLength": self.bin.len() }],
        });
        if !self.skins.is_empty() {
            root["skins"] = json!(self.skins);
        }
        if !self.textures.is_empty() {
            root["images"] = json!(self.images);
            root["textures"] = json!(self.textures);
            // 10497 REPEAT, 9729 LINEAR, 9987 LINEAR_MIPMAP_LINEAR.
            root["samplers"] =
                json!([{ "magFilter": 9729, "minFilter": 9987, "wrapS": 10497, "wrapT": 10497 }]);
        }
        if !self.extensions_used.is_empty() {
            root["extensionsUsed"] = json!(self.extensions_used);
        }
        let mut json_bytes = serde_json::to_vec(&root).expect("JSON of plain values serialises");
        while !json_bytes.len().is_multiple_of(4) {
            json_bytes.push(b' ');
        }
        let total = 12 + 8 + json_bytes.len() + 8 + self.bin.len();
        let mut out = Vec::with_capacity(total);
        out.extend(b"glTF");
        out.extend(2u32.to_le_bytes());
        out.extend((total as u32).to_le_bytes());
        out.extend((json_bytes.len() as u32).to_le_bytes());
        out.extend(b"JSON");
        out.extend(json_bytes);
        out.extend((self.bin.len() as u32).to_le_bytes());
        out.extend(b"BIN\0");
        out.extend(self.bin);
        out
    }
}
