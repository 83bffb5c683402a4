// Working texture → the landmark model's input: the rotated region of
// interest, resampled into an NHWC f32 tensor whose channels are padded to
// 4 (the GPU executor's input layout; the 4th channel is 0).
//
// It reproduces MediaPipe's CPU crop (ImageToTensorCalculator's OpenCV
// converter: cv::warpPerspective, INTER_LINEAR, 8-bit): source coordinates
// are rounded to 1/32 pixel, the four taps are blended with integer weights,
// and the result is rounded back to 8 bits before scaling to [0, 1]. The
// texture is read with textureLoad, not a sampler, so the arithmetic is the
// plain-Rust twin's (`crop_cpu` in src/pose/crop.rs; tests/pose_landmarks.rs
// compares them).

// This must be kept in sync with CropParams in src/pose/crop.rs.
struct CropParams {
    // Source pixel x of output pixel (x, y) = dot(.xyz, (x, y, 1)); pixel
    // centres at integers, as OpenCV has them.
    source_x: vec4<f32>,
    // Source pixel y, likewise.
    source_y: vec4<f32>,
    source_size: vec2<u32>,
    output_size: vec2<u32>,
    // BORDER_* below.
    border: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

// Keep in sync with CropBorder's codes in src/pose/crop.rs.
const BORDER_REPLICATE: u32 = 0u;
const BORDER_ZERO: u32 = 1u;

// OpenCV's INTER_BITS: sub-pixel positions are multiples of 1/32.
const SUBPIXEL_STEPS: f32 = 32.0;

@group(0) @binding(0) var<uniform> params: CropParams;
@group(0) @binding(1) var source: texture_2d<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<vec4<f32>>;

// The 8-bit RGB of source pixel (x, y), with the border rule outside.
fn tap(x: i32, y: i32) -> vec3<i32> {
    let size = vec2<i32>(params.source_size);
    var p = vec2<i32>(x, y);
    if params.border == BORDER_ZERO {
        if any(p < vec2<i32>(0)) || any(p >= size) {
            return vec3<i32>(0);
        }
    } else {
        p = clamp(p, vec2<i32>(0), size - vec2<i32>(1));
    }
    // Rgba8Unorm holds k/255 exactly enough that rounding recovers k.
    return vec3<i32>(round(textureLoad(source, p, 0).rgb * 255.0));
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.output_size.x || id.y >= params.output_size.y {
        return;
    }
    let position = vec3<f32>(f32(id.x), f32(id.y), 1.0);
    // round() is round-half-to-even, as OpenCV's saturate_cast; i32() of an
    // out-of-range float saturates, as it does.
    let fixed_x = i32(round(dot(params.source_x.xyz, position) * SUBPIXEL_STEPS));
    let fixed_y = i32(round(dot(params.source_y.xyz, position) * SUBPIXEL_STEPS));
    let x = fixed_x >> 5u;
    let y = fixed_y >> 5u;
    let fx = fixed_x & 31;
    let fy = fixed_y & 31;
    // Weights sum to 1024; OpenCV's are these times 32, shifted by 15.
    let sum = tap(x, y) * ((32 - fx) * (32 - fy))
        + tap(x + 1, y) * (fx * (32 - fy))
        + tap(x, y + 1) * ((32 - fx) * fy)
        + tap(x + 1, y + 1) * (fx * fy);
    let bytes = min((sum + vec3<i32>(512)) >> vec3<u32>(10u), vec3<i32>(255));
    let index = id.y * params.output_size.x + id.x;
    output[index] = vec4<f32>(vec3<f32>(bytes) / 255.0, 0.0);
}
