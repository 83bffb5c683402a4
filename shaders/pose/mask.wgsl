// The person mask in the image: the landmark model's segmentation logits
// (in the region of interest's frame) → a probability per image pixel,
// blended with the previous frame's mask as MediaPipe's
// SegmentationSmoothing does.
//
// The GPU twin of `mask_in_image` and `PersonMask::smooth_with` in
// src/pose/mask.rs (`GpuMask` in src/pose/mask_gpu.rs runs it;
// tests/pose_mask_gpu.rs compares them): a sigmoid on each of the four
// mask texels, then bilinear weights, 0 outside the mask; pixel centres at
// integers. The previous mask is read with textureLoad (R32Float is not
// filterable without an optional feature).
//
// Two entry points share one bind group, dispatched in turn:
// - `probabilities`: the sigmoid of each mask texel, once (256×256 of
//   them, where the image has up to millions of pixels taking four each);
// - `main`: each image pixel's bilinear mask value, blended over time.

// This must be kept in sync with MaskParams in src/pose/mask_gpu.rs.
struct MaskParams {
    // Mask x of image pixel (x, y) = dot(.xyz, (x, y, 1)): the inverse of
    // the crop's source_from_output.
    mask_from_image_x: vec4<f32>,
    // Mask y, likewise.
    mask_from_image_y: vec4<f32>,
    mask_size: vec2<u32>,
    image_size: vec2<u32>,
    // f32s from one mask texel to the next in `logits`: 1 when packed, 4
    // for the GPU executor's output (last dimension padded to 4).
    logits_stride: u32,
    // 1 when `previous` holds last frame's mask of the same size.
    has_previous: u32,
    combine_with_previous_ratio: f32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: MaskParams;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var previous: texture_2d<f32>;
@group(0) @binding(3) var current: texture_storage_2d<r32float, write>;
// The sigmoid of each mask texel, packed, written by `probabilities`.
@group(0) @binding(4) var<storage, read_write> mask_probabilities: array<f32>;

// Beyond ±80 the sigmoid is 0 or 1 to f32 precision; clamping keeps exp()
// finite (WGSL leaves overflow to the implementation).
const LOGIT_LIMIT: f32 = 80.0;

@compute @workgroup_size(8, 8)
fn probabilities(@builtin(global_invocation_id) id: vec3<u32>) {
    if any(id.xy >= params.mask_size) {
        return;
    }
    let texel = id.y * params.mask_size.x + id.x;
    let logit = clamp(logits[texel * params.logits_stride], -LOGIT_LIMIT, LOGIT_LIMIT);
    mask_probabilities[texel] = 1.0 / (1.0 + exp(-logit));
}

// The probability at mask texel (x, y); 0 outside the mask.
fn probability(x: i32, y: i32) -> f32 {
    let size = vec2<i32>(params.mask_size);
    if x < 0 || y < 0 || x >= size.x || y >= size.y {
        return 0.0;
    }
    return mask_probabilities[u32(y) * params.mask_size.x + u32(x)];
}

// MediaPipe's SegmentationSmoothing: a polynomial in (p - 0.5)² for
// 1 - (1 - H(p))², H the binary entropy. Keep the coefficients in sync
// with `blend_with_previous` in src/pose/mask.rs.
fn blend_with_previous(value: f32, last: f32, ratio: f32) -> f32 {
    let t = value - 0.5;
    let x = t * t;
    let certainty = x * (5.68842 + x * (-0.748699 + x * (-57.8051 + x * (291.309 + x * -624.717))));
    let uncertainty = 1.0 - min(certainty, 1.0);
    return value + (last - value) * uncertainty * ratio;
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if any(id.xy >= params.image_size) {
        return;
    }
    let image_xy = vec3<f32>(f32(id.x), f32(id.y), 1.0);
    // Clamped to just outside the mask, where all four taps read 0 anyway,
    // so the i32 conversion below never saturates or overflows.
    let mask_xy = clamp(
        vec2<f32>(dot(params.mask_from_image_x.xyz, image_xy), dot(params.mask_from_image_y.xyz, image_xy)),
        vec2<f32>(-2.0),
        vec2<f32>(params.mask_size) + 1.0,
    );
    let corner = floor(mask_xy);
    let f = mask_xy - corner;
    let c = vec2<i32>(corner);
    let top = probability(c.x, c.y) * (1.0 - f.x) + probability(c.x + 1, c.y) * f.x;
    let bottom = probability(c.x, c.y + 1) * (1.0 - f.x) + probability(c.x + 1, c.y + 1) * f.x;
    var value = top * (1.0 - f.y) + bottom * f.y;
    if params.has_previous != 0u {
        let last = textureLoad(previous, vec2<i32>(id.xy), 0).r;
        value = blend_with_previous(value, last, params.combine_with_previous_ratio);
    }
    textureStore(current, vec2<i32>(id.xy), vec4<f32>(value, 0.0, 0.0, 1.0));
}
