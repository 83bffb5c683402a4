//! Steps of the windowed ops other than convolutions: MAX_POOL_2D and
//! RESIZE_BILINEAR (shaders/nn/max_pool2d.wgsl, resize_bilinear.wgsl).

use super::ops::{kernel, mismatch};
use super::pipelines::{activation_code, linear_grid, to_u32, Binding, Compiler};
use super::shape::pad_before;
use crate::gpu::shaders;
use crate::nn::{Activation, NnError, Op, Padding};

/// Uniforms of max_pool2d.wgsl.
// This must be kept in sync with PoolParams in shaders/nn/max_pool2d.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct PoolParams {
    in_h: u32,
    in_w: u32,
    c4: u32,
    out_h: u32,
    out_w: u32,
    pad_top: u32,
    pad_left: u32,
    count: u32,
}

/// Uniforms of resize_bilinear.wgsl.
// This must be kept in sync with ResizeParams in
// shaders/nn/resize_bilinear.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct ResizeParams {
    in_h: u32,
    in_w: u32,
    c4: u32,
    out_h: u32,
    out_w: u32,
    half_pixel: u32,
    count: u32,
    pad0: u32,
    scale: [f32; 2],
    pad1: [f32; 2],
}

pub(crate) struct Pool {
    pub filter: [usize; 2],
    pub stride: [usize; 2],
    pub padding: Padding,
    pub activation: Activation,
}

pub(crate) fn max_pool2d(
    c: &mut Compiler<'_>,
    index: usize,
    op: &Op,
    pool: &Pool,
) -> Result<(), NnError> {
    let name = format!("MAX_POOL_2D #{index}");
    let x = c.input(op.inputs[0])?;
    let y = c.plan.shapes[op.outputs[0]];
    let [kh, kw] = pool.filter;
    let [sh, sw] = pool.stride.map(|s| s.max(1));
    if x.shape.n != y.n || x.shape.c != y.c || kh == 0 || kw == 0 {
        return Err(mismatch(&name, x.shape, y));
    }
    let params = PoolParams {
        in_h: to_u32(x.shape.h, "height")?,
        in_w: to_u32(x.shape.w, "width")?,
        c4: to_u32(y.c4(), "channels")?,
        out_h: to_u32(y.h, "height")?,
        out_w: to_u32(y.w, "width")?,
        pad_top: to_u32(
            pad_before(pool.padding, x.shape.h, y.h, kh, sh, 1),
            "padding",
        )?,
        pad_left: to_u32(
            pad_before(pool.padding, x.shape.w, y.w, kw, sw, 1),
            "padding",
        )?,
        count: to_u32(y.vec4s(), "output size")?,
    };
    let constants = [
        ("KH", to_u32(kh, "filter height")?),
        ("KW", to_u32(kw, "filter width")?),
        ("STRIDE_H", to_u32(sh, "stride")?),
        ("STRIDE_W", to_u32(sw, "stride")?),
        ("ACTIVATION", activation_code(pool.activation)),
    ];
    let output = c.output(op.outputs[0])?;
    c.push(
        name,
        (
            kernel("nn/max_pool2d.wgsl", shaders::NN_MAX_POOL2D, "max_pool"),
            &constants,
        ),
        bytemuck::bytes_of(&params),
        vec![Binding::Storage(x.buffer)],
        &output,
        linear_grid(y.vec4s()),
    )
}

pub(crate) fn resize_bilinear(
    c: &mut Compiler<'_>,
    index: usize,
    op: &Op,
    size: [usize; 2],
    align_corners: bool,
    half_pixel_centers: bool,
) -> Result<(), NnError> {
    let name = format!("RESIZE_BILINEAR #{index}");
    let x = c.input(op.inputs[0])?;
    let y = c.plan.shapes[op.outputs[0]];
    if x.shape.n != y.n
        || x.shape.c != y.c
        || [y.h, y.w] != size
        || x.shape.h == 0
        || x.shape.w == 0
    {
        return Err(mismatch(&name, x.shape, y));
    }
    // TFLite's scales, in f32 as it computes them.
    let scale = |input: usize, output: usize| {
        if align_corners && output > 1 {
            (input - 1) as f32 / (output - 1) as f32
        } else {
            input as f32 / output as f32
        }
    };
    let params = ResizeParams {
        in_h: to_u32(x.shape.h, "height")?,
        in_w: to_u32(x.shape.w, "width")?,
        c4: to_u32(y.c4(), "channels")?,
        out_h: to_u32(y.h, "height")?,
        out_w: to_u32(y.w, "width")?,
        half_pixel: u32::from(half_pixel_centers),
        count: to_u32(y.vec4s(), "output size")?,
        pad0: 0,
        scale: [scale(x.shape.h, y.h), scale(x.shape.w, y.w)],
        pad1: [0.0; 2],
    };
    let output = c.output(op.outputs[0])?;
    c.push(
        name,
        (
            kernel(
                "nn/resize_bilinear.wgsl",
                shaders::NN_RESIZE_BILINEAR,
                "resize_bilinear",
            ),
            &[],
        ),
        bytemuck::bytes_of(&params),
        vec![Binding::Storage(x.buffer)],
        &output,
        linear_grid(y.vec4s()),
    )
}
