//! Every WGSL shader of drape, embedded at build time.
//!
//! The list is also what `tests/shaders.rs` checks against the files under
//! shaders/, so a shader cannot be added without being validated. Files
//! under shaders/common/ are shared code that others import (see
//! `compose`): make modules from `composed(source)`.

use super::compose::{compose, ComposeError};

/// `source` with its imports of shaders/common/ resolved; an unchanged
/// copy when it imports nothing.
pub fn composed(source: &str) -> Result<String, ComposeError> {
    compose(source, |name| {
        let path = format!("common/{name}.wgsl");
        ALL.iter().find(|(p, _)| *p == path).map(|&(_, text)| text)
    })
}

/// `(path under shaders/, source)` for every shader.
pub const ALL: &[(&str, &str)] = &[
    ("upload/convert.wgsl", CONVERT),
    ("output/blit.wgsl", BLIT),
    ("common/nn_activation.wgsl", COMMON_NN_ACTIVATION),
    ("common/nn_conv.wgsl", COMMON_NN_CONV),
    ("nn/conv2d.wgsl", NN_CONV2D),
    ("nn/conv2d_storage.wgsl", NN_CONV2D_STORAGE),
    ("nn/depthwise_conv2d.wgsl", NN_DEPTHWISE_CONV2D),
    ("nn/add.wgsl", NN_ADD),
    ("nn/pad.wgsl", NN_PAD),
    ("nn/max_pool2d.wgsl", NN_MAX_POOL2D),
    ("nn/resize_bilinear.wgsl", NN_RESIZE_BILINEAR),
    ("nn/reshape.wgsl", NN_RESHAPE),
    ("nn/logistic.wgsl", NN_LOGISTIC),
    ("nn/concatenation.wgsl", NN_CONCATENATION),
    ("nn/depth_to_space.wgsl", NN_DEPTH_TO_SPACE),
    ("pose/crop.wgsl", POSE_CROP),
    ("pose/mask.wgsl", POSE_MASK),
    ("render/light_estimate.wgsl", RENDER_LIGHT_ESTIMATE),
    ("render/garment.wgsl", RENDER_GARMENT),
    ("render/silhouette.wgsl", RENDER_SILHOUETTE),
    ("render/deform.wgsl", RENDER_DEFORM),
    ("render/normals.wgsl", RENDER_NORMALS),
    ("render/compose.wgsl", RENDER_COMPOSE),
    ("render/proxy.wgsl", RENDER_PROXY),
    ("render/background.wgsl", RENDER_BACKGROUND),
    ("render/overlay.wgsl", RENDER_OVERLAY),
    ("cloth/xpbd.wgsl", CLOTH_XPBD),
    ("kiosk/screen.wgsl", KIOSK_SCREEN),
];

/// Raw camera bytes → RGBA working texture (compute).
pub const CONVERT: &str = include_str!("../../shaders/upload/convert.wgsl");
/// Working texture → window, letterboxed (render).
pub const BLIT: &str = include_str!("../../shaders/output/blit.wgsl");

/// The nn kernels' fused activation.
pub const COMMON_NN_ACTIVATION: &str = include_str!("../../shaders/common/nn_activation.wgsl");
/// What the nn convolutions share: parameters, tap maths (and the activation).
pub const COMMON_NN_CONV: &str = include_str!("../../shaders/common/nn_conv.wgsl");

// The nn runtime's kernels (src/nn/gpu/), one per TFLite op kind.
pub const NN_CONV2D: &str = include_str!("../../shaders/nn/conv2d.wgsl");
pub const NN_CONV2D_STORAGE: &str = include_str!("../../shaders/nn/conv2d_storage.wgsl");
pub const NN_DEPTHWISE_CONV2D: &str = include_str!("../../shaders/nn/depthwise_conv2d.wgsl");
pub const NN_ADD: &str = include_str!("../../shaders/nn/add.wgsl");
pub const NN_PAD: &str = include_str!("../../shaders/nn/pad.wgsl");
pub const NN_MAX_POOL2D: &str = include_str!("../../shaders/nn/max_pool2d.wgsl");
pub const NN_RESIZE_BILINEAR: &str = include_str!("../../shaders/nn/resize_bilinear.wgsl");
pub const NN_RESHAPE: &str = include_str!("../../shaders/nn/reshape.wgsl");
pub const NN_LOGISTIC: &str = include_str!("../../shaders/nn/logistic.wgsl");
pub const NN_CONCATENATION: &str = include_str!("../../shaders/nn/concatenation.wgsl");
pub const NN_DEPTH_TO_SPACE: &str = include_str!("../../shaders/nn/depth_to_space.wgsl");

/// Working texture → the landmark model's input: the rotated region (src/pose/crop.rs).
pub const POSE_CROP: &str = include_str!("../../shaders/pose/crop.wgsl");
/// Segmentation logits → the person mask in the image, blended over time (src/pose/mask_gpu.rs).
pub const POSE_MASK: &str = include_str!("../../shaders/pose/mask.wgsl");

/// Skinned garments over the frame: PBR, sheen, room light, mask clip (src/render/garment_gpu.rs).
pub const RENDER_GARMENT: &str = include_str!("../../shaders/render/garment.wgsl");
/// The person's silhouette profile per body region, from the mask (src/render/deform_gpu.rs).
pub const RENDER_SILHOUETTE: &str = include_str!("../../shaders/render/silhouette.wgsl");
/// A garment's particles skinned and fitted to the silhouette (src/render/deform_gpu.rs).
pub const RENDER_DEFORM: &str = include_str!("../../shaders/render/deform.wgsl");
/// Normals of a deformed garment (src/render/deform_gpu.rs).
pub const RENDER_NORMALS: &str = include_str!("../../shaders/render/normals.wgsl");
/// Soft garment edges and the contact shadow, the try-on's last pass (src/render/compose.rs).
pub const RENDER_COMPOSE: &str = include_str!("../../shaders/render/compose.wgsl");
/// Body proxies into depth, for occlusion (src/render/proxies.rs).
pub const RENDER_PROXY: &str = include_str!("../../shaders/render/proxy.wgsl");
/// The camera frame as background (src/render/tryon.rs).
pub const RENDER_BACKGROUND: &str = include_str!("../../shaders/render/background.wgsl");
/// The product card and QR code over the dressed frame (src/render/overlay.rs).
pub const RENDER_OVERLAY: &str = include_str!("../../shaders/render/overlay.wgsl");

/// Camera frame → the room's light as irradiance SH + a dominant light (src/render/lighting.rs).
pub const RENDER_LIGHT_ESTIMATE: &str = include_str!("../../shaders/render/light_estimate.wgsl");

/// Small-steps XPBD cloth following skinned targets: predict, one pass per
/// constraint colour, finalize (src/cloth/gpu.rs).
pub const CLOTH_XPBD: &str = include_str!("../../shaders/cloth/xpbd.wgsl");

/// The kiosk's screen: picture, UI layer, hover ring, flash, rotation (src/kiosk/screen.rs).
pub const KIOSK_SCREEN: &str = include_str!("../../shaders/kiosk/screen.wgsl");
