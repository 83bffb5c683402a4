//! glTF documents built in the tests (`garment_gltf`) and as fuzz seeds
//! (`fuzz/seeds.rs`): buffer views and accessors over one binary buffer,
//! the JSON around them, GLB packing and a skinned box's parts.

use drape::garment::{RestSkeleton, RigJoint};
use glam::Vec3;
use serde_json::{json, Value};

/// Buffer views and accessors over one binary buffer, under construction.
#[derive(Default)]
pub struct Bin {
    pub bytes: Vec<u8>,
    pub views: Vec<Value>,
    pub accessors: Vec<Value>,
    /// The root's `asset.generator`, if any.
    pub generator: Option<&'static str>,
    /// `min` and `max` to give each VEC3 float accessor: glTF requires
    /// bounds on positions; drape ignores them.
    pub bounds: Option<([f64; 3], [f64; 3])>,
}

impl Bin {
    /// A view of `bytes`, appended at the next 4-byte boundary.
    pub fn view(&mut self, bytes: &[u8]) -> usize {
        while !self.bytes.len().is_multiple_of(4) {
            self.bytes.push(0);
        }
        let view = json!({"buffer": 0, "byteOffset": self.bytes.len(), "byteLength": bytes.len()});
        self.bytes.extend_from_slice(bytes);
        self.views.push(view);
        self.views.len() - 1
    }

    pub fn accessor(
        &mut self,
        bytes: &[u8],
        component_type: u32,
        count: usize,
        kind: &str,
    ) -> usize {
        let view = self.view(bytes);
        let mut accessor = json!({
            "bufferView": view, "componentType": component_type, "count": count, "type": kind,
        });
        if let Some((min, max)) = self.bounds {
            if kind == "VEC3" && component_type == 5126 {
                accessor["min"] = json!(min);
                accessor["max"] = json!(max);
            }
        }
        self.accessors.push(accessor);
        self.accessors.len() - 1
    }

    pub fn floats(&mut self, values: &[f32], kind: &str) -> usize {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.accessor(&bytes, 5126, values.len() / components(kind), kind)
    }

    pub fn u16s(&mut self, values: &[u16], kind: &str) -> usize {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.accessor(&bytes, 5123, values.len() / components(kind), kind)
    }

    pub fn u8s(&mut self, values: &[u8], kind: &str) -> usize {
        self.accessor(values, 5121, values.len() / components(kind), kind)
    }

    /// `JOINTS_0` and `WEIGHTS_0` for `box_positions`: the bottom corners
    /// follow `spine` alone, the top ones are shared between `spine` and
    /// `chest`, `top_weight` each. Returns the two accessors.
    pub fn box_skin(&mut self, spine: u8, chest: u8, top_weight: f32) -> (usize, usize) {
        let mut joints = Vec::new();
        let mut weights = Vec::new();
        for vertex in 0..8 {
            if vertex < 4 {
                joints.extend([spine, 0, 0, 0]);
                weights.extend([1.0f32, 0.0, 0.0, 0.0]);
            } else {
                joints.extend([spine, chest, 0, 0]);
                weights.extend([top_weight, top_weight, 0.0, 0.0]);
            }
        }
        (self.u8s(&joints, "VEC4"), self.floats(&weights, "VEC4"))
    }

    /// The glTF JSON: `extra`'s fields, the buffer (`uri`, if any), views
    /// and accessors.
    pub fn root(&self, uri: Option<&str>, extra: Value) -> Value {
        let mut buffer = json!({"byteLength": self.bytes.len()});
        if let Some(uri) = uri {
            buffer["uri"] = json!(uri);
        }
        let mut asset = json!({"version": "2.0"});
        if let Some(generator) = self.generator {
            asset["generator"] = json!(generator);
        }
        let mut root = json!({
            "asset": asset,
            "buffers": [buffer],
            "bufferViews": self.views,
            "accessors": self.accessors,
        });
        for (key, value) in extra.as_object().expect("extra is an object") {
            root[key] = value.clone();
        }
        root
    }
}

/// The number of components of an accessor `type`.
pub fn components(kind: &str) -> usize {
    match kind {
        "SCALAR" => 1,
        "VEC2" => 2,
        "VEC3" => 3,
        "VEC4" => 4,
        "MAT4" => 16,
        other => panic!("unknown type {other}"),
    }
}

/// A GLB file: the JSON chunk (padded with spaces) and the binary chunk
/// (padded with zeros).
pub fn glb(root: &Value, bin: &[u8]) -> Vec<u8> {
    let mut json = serde_json::to_vec(root).expect("JSON");
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    let mut bin = bin.to_vec();
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let length = 12 + 8 + json.len() + 8 + bin.len();
    let mut out = Vec::with_capacity(length);
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&(length as u32).to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(&json);
    out.extend_from_slice(&(bin.len() as u32).to_le_bytes());
    out.extend_from_slice(b"BIN\0");
    out.extend_from_slice(&bin);
    out
}

/// Standard base64, padded (for `data:` URIs).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A 0.2 × 0.4 × 0.2 m box around the spine, y from 1.0 to 1.4 (8 corners).
pub fn box_positions() -> Vec<f32> {
    let mut positions = Vec::new();
    for y in [1.0, 1.4] {
        for (x, z) in [(-0.1, -0.1), (0.1, -0.1), (0.1, 0.1), (-0.1, 0.1)] {
            positions.extend([x, y, z]);
        }
    }
    positions
}

pub const BOX_INDICES: [u16; 36] = [
    0, 1, 2, 0, 2, 3, // bottom
    4, 6, 5, 4, 7, 6, // top
    0, 4, 5, 0, 5, 1, // back
    1, 5, 6, 1, 6, 2, // right
    2, 6, 7, 2, 7, 3, // front
    3, 7, 4, 3, 4, 0, // left
];

/// The rig's joint names, in `RigJoint::ALL` order.
pub fn rig_names() -> Vec<&'static str> {
    RigJoint::ALL.iter().map(|j| j.name()).collect()
}

/// The rig's joint nodes in `RigJoint::ALL` order, named `names[i]`,
/// placed at the reference skeleton's heads. Node `first + i` is joint i.
pub fn rig_nodes(names: &[&str], first: usize) -> Vec<Value> {
    let rest = RestSkeleton::reference();
    RigJoint::ALL
        .iter()
        .zip(names)
        .map(|(&joint, name)| {
            let parent_head = joint.parent().map_or(Vec3::ZERO, |p| rest.head(p));
            let children: Vec<usize> = RigJoint::ALL
                .iter()
                .filter(|c| c.parent() == Some(joint) && (**c as usize) < names.len())
                .map(|&c| first + c as usize)
                .collect();
            let mut node = json!({
                "name": name,
                "translation": (rest.head(joint) - parent_head).to_array(),
            });
            if !children.is_empty() {
                node["children"] = json!(children);
            }
            node
        })
        .collect()
}
