// Camera bytes → RGBA working texture.
//
// The frame's bytes arrive untouched in a storage buffer (packed into u32s);
// one invocation writes one output pixel, reading whichever bytes its format
// keeps that pixel's samples in. Y'CbCr is converted with the matrix and
// range in `params`; the result stays gamma-encoded (sRGB-like), as cameras
// deliver it.
//
// The plain-Rust twin is src/upload/cpu.rs; tests/convert.rs compares them.

// This must be kept in sync with ConvertParams in src/upload/mod.rs.
struct ConvertParams {
    width: u32,
    height: u32,
    // One of the FORMAT_* constants below.
    format: u32,
    // Bit 0: mirror horizontally.
    flags: u32,
    // R' = Y + x·Cr, G' = Y + y·Cb + z·Cr, B' = Y + w·Cb.
    matrix: vec4<f32>,
    // Y = (Y8 - x)·y, C = (C8 - 128)·z.
    range: vec4<f32>,
}

// Keep in sync with PixelFormat's order in src/upload/mod.rs (`format_code`).
const FORMAT_RGBA: u32 = 0u;
const FORMAT_BGRA: u32 = 1u;
const FORMAT_RGB: u32 = 2u;
const FORMAT_YUYV: u32 = 3u;
const FORMAT_NV12: u32 = 4u;
const FORMAT_I420: u32 = 5u;
const FORMAT_YUV444: u32 = 6u;
const FORMAT_GRAY: u32 = 7u;

const FLAG_MIRROR: u32 = 1u;

@group(0) @binding(0) var<uniform> params: ConvertParams;
@group(0) @binding(1) var<storage, read> frame_bytes: array<u32>;
@group(0) @binding(2) var working: texture_storage_2d<rgba8unorm, write>;

fn byte_at(index: u32) -> f32 {
    let word = frame_bytes[index >> 2u];
    return f32((word >> ((index & 3u) * 8u)) & 0xffu);
}

fn yuv_to_rgb(y8: f32, u8: f32, v8: f32) -> vec3<f32> {
    let y = (y8 - params.range.x) * params.range.y;
    let cb = (u8 - 128.0) * params.range.z;
    let cr = (v8 - 128.0) * params.range.z;
    let m = params.matrix;
    return vec3<f32>(y + m.x * cr, y + m.y * cb + m.z * cr, y + m.w * cb);
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let w = params.width;
    let h = params.height;
    if (id.x >= w || id.y >= h) {
        return;
    }
    let out_x = id.x;
    let y = id.y;
    var x = id.x;
    if ((params.flags & FLAG_MIRROR) != 0u) {
        x = w - 1u - id.x;
    }
    // Chroma planes of 4:2:0 and 4:2:2 round odd sizes up.
    let cw = (w + 1u) / 2u;
    let ch = (h + 1u) / 2u;
    let pixel = y * w + x;
    var rgba = vec4<f32>(0.0, 0.0, 0.0, 255.0);

    switch params.format {
        case FORMAT_RGBA: {
            let i = pixel * 4u;
            rgba = vec4<f32>(byte_at(i), byte_at(i + 1u), byte_at(i + 2u), byte_at(i + 3u));
        }
        case FORMAT_BGRA: {
            let i = pixel * 4u;
            rgba = vec4<f32>(byte_at(i + 2u), byte_at(i + 1u), byte_at(i), byte_at(i + 3u));
        }
        case FORMAT_RGB: {
            let i = pixel * 3u;
            rgba = vec4<f32>(byte_at(i), byte_at(i + 1u), byte_at(i + 2u), 255.0);
        }
        case FORMAT_GRAY: {
            let g = byte_at(pixel);
            rgba = vec4<f32>(g, g, g, 255.0);
        }
        default: {
            var yv: f32;
            var uv: f32;
            var vv: f32;
            let plane = w * h;
            switch params.format {
                case FORMAT_YUYV: {
                    let base = y * cw * 4u + (x / 2u) * 4u;
                    yv = byte_at(base + (x & 1u) * 2u);
                    uv = byte_at(base + 1u);
                    vv = byte_at(base + 3u);
                }
                case FORMAT_NV12: {
                    let c = plane + (y / 2u) * cw * 2u + (x / 2u) * 2u;
                    yv = byte_at(pixel);
                    uv = byte_at(c);
                    vv = byte_at(c + 1u);
                }
                case FORMAT_I420: {
                    let c = (y / 2u) * cw + x / 2u;
                    yv = byte_at(pixel);
                    uv = byte_at(plane + c);
                    vv = byte_at(plane + cw * ch + c);
                }
                default: { // FORMAT_YUV444
                    yv = byte_at(pixel);
                    uv = byte_at(plane + pixel);
                    vv = byte_at(2u * plane + pixel);
                }
            }
            rgba = vec4<f32>(yuv_to_rgb(yv, uv, vv) * 255.0, 255.0);
        }
    }
    textureStore(working, vec2<u32>(out_x, y), clamp(rgba / 255.0, vec4<f32>(0.0), vec4<f32>(1.0)));
}
