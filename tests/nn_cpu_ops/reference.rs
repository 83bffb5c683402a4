//! Obviously-correct TFLite ops: direct loops over NHWC indices, written
//! from TFLite's reference kernels, with no attention to speed.

// Index loops mirror the reference kernels on purpose.
#![allow(clippy::needless_range_loop)]

use drape::nn::{Activation, Padding};

/// A tensor: shape and row-major values.
#[derive(Debug, Clone, PartialEq)]
pub struct T {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl T {
    pub fn at4(&self, b: usize, y: usize, x: usize, c: usize) -> f32 {
        let s = &self.shape;
        self.data[((b * s[1] + y) * s[2] + x) * s[3] + c]
    }
}

/// Output size and padding before, per TFLite.
pub fn out_and_pad(
    padding: Padding,
    input: usize,
    kernel: usize,
    stride: usize,
    dilation: usize,
) -> (usize, usize) {
    let effective = (kernel - 1) * dilation + 1;
    let out = match padding {
        Padding::Same => input.div_ceil(stride),
        Padding::Valid => (input + stride - effective) / stride,
    };
    let total = ((out as i64 - 1) * stride as i64 + effective as i64 - input as i64).max(0);
    (out, (total / 2) as usize)
}

/// Reads input (b, y, x, c) with y, x possibly outside: zero there.
fn read_padded(x: &T, b: usize, y: i64, xx: i64, c: usize) -> Option<f32> {
    let in_range = y >= 0 && xx >= 0 && (y as usize) < x.shape[1] && (xx as usize) < x.shape[2];
    in_range.then(|| x.at4(b, y as usize, xx as usize, c))
}

#[allow(clippy::too_many_arguments)]
pub fn conv2d(
    x: &T,
    filter: &T,
    bias: &[f32],
    stride: [usize; 2],
    dilation: [usize; 2],
    padding: Padding,
    act: Activation,
) -> T {
    let [n, h, w, _] = x.shape[..] else { panic!() };
    let [oc, kh, kw, ic] = filter.shape[..] else {
        panic!()
    };
    let (oh, pt) = out_and_pad(padding, h, kh, stride[0], dilation[0]);
    let (ow, pl) = out_and_pad(padding, w, kw, stride[1], dilation[1]);
    let mut data = Vec::new();
    for b in 0..n {
        for oy in 0..oh {
            for ox in 0..ow {
                for o in 0..oc {
                    let mut sum = bias[o];
                    for ky in 0..kh {
                        for kx in 0..kw {
                            let y = (oy * stride[0] + ky * dilation[0]) as i64 - pt as i64;
                            let xx = (ox * stride[1] + kx * dilation[1]) as i64 - pl as i64;
                            for c in 0..ic {
                                if let Some(v) = read_padded(x, b, y, xx, c) {
                                    sum += v * filter.at4(o, ky, kx, c);
                                }
                            }
                        }
                    }
                    data.push(act.apply(sum));
                }
            }
        }
    }
    T {
        shape: vec![n, oh, ow, oc],
        data,
    }
}

#[allow(clippy::too_many_arguments)]
pub fn depthwise(
    x: &T,
    filter: &T,
    bias: &[f32],
    stride: [usize; 2],
    dilation: [usize; 2],
    padding: Padding,
    mult: usize,
    act: Activation,
) -> T {
    let [n, h, w, ic] = x.shape[..] else { panic!() };
    let [_, kh, kw, oc] = filter.shape[..] else {
        panic!()
    };
    assert_eq!(oc, ic * mult);
    let (oh, pt) = out_and_pad(padding, h, kh, stride[0], dilation[0]);
    let (ow, pl) = out_and_pad(padding, w, kw, stride[1], dilation[1]);
    let mut data = Vec::new();
    for b in 0..n {
        for oy in 0..oh {
            for ox in 0..ow {
                for c in 0..ic {
                    for m in 0..mult {
                        let o = c * mult + m;
                        let mut sum = bias[o];
                        for ky in 0..kh {
                            for kx in 0..kw {
                                let y = (oy * stride[0] + ky * dilation[0]) as i64 - pt as i64;
                                let xx = (ox * stride[1] + kx * dilation[1]) as i64 - pl as i64;
                                if let Some(v) = read_padded(x, b, y, xx, c) {
                                    sum += v * filter.at4(0, ky, kx, o);
                                }
                            }
                        }
                        data.push(act.apply(sum));
                    }
                }
            }
        }
    }
    T {
        shape: vec![n, oh, ow, oc],
        data,
    }
}

pub fn max_pool(
    x: &T,
    filter: [usize; 2],
    stride: [usize; 2],
    padding: Padding,
    act: Activation,
) -> T {
    let [n, h, w, c] = x.shape[..] else { panic!() };
    let (oh, pt) = out_and_pad(padding, h, filter[0], stride[0], 1);
    let (ow, pl) = out_and_pad(padding, w, filter[1], stride[1], 1);
    let mut data = Vec::new();
    for b in 0..n {
        for oy in 0..oh {
            for ox in 0..ow {
                for ch in 0..c {
                    let mut best = f32::MIN;
                    for ky in 0..filter[0] {
                        for kx in 0..filter[1] {
                            let y = (oy * stride[0] + ky) as i64 - pt as i64;
                            let xx = (ox * stride[1] + kx) as i64 - pl as i64;
                            if let Some(v) = read_padded(x, b, y, xx, ch) {
                                best = best.max(v);
                            }
                        }
                    }
                    data.push(act.apply(best));
                }
            }
        }
    }
    T {
        shape: vec![n, oh, ow, c],
        data,
    }
}

/// NumPy broadcasting over right-aligned shapes.
pub fn add(a: &T, b: &T, act: Activation) -> T {
    let rank = a.shape.len().max(b.shape.len());
    let dims = |s: &[usize]| -> Vec<usize> {
        std::iter::repeat_n(1, rank - s.len())
            .chain(s.iter().copied())
            .collect()
    };
    let (da, db) = (dims(&a.shape), dims(&b.shape));
    let shape: Vec<usize> = da.iter().zip(&db).map(|(&x, &y)| x.max(y)).collect();
    let len: usize = shape.iter().product();
    let flat = |d: &[usize], index: &[usize]| {
        index
            .iter()
            .zip(d)
            .fold(0, |acc, (&i, &n)| acc * n + if n == 1 { 0 } else { i })
    };
    let mut data = Vec::new();
    for i in 0..len {
        let mut index = vec![0; rank];
        let mut rest = i;
        for d in (0..rank).rev() {
            index[d] = rest % shape[d];
            rest /= shape[d];
        }
        data.push(act.apply(a.data[flat(&da, &index)] + b.data[flat(&db, &index)]));
    }
    T { shape, data }
}

pub fn pad(x: &T, paddings: &[[usize; 2]]) -> T {
    let shape: Vec<usize> = x
        .shape
        .iter()
        .zip(paddings)
        .map(|(&d, p)| d + p[0] + p[1])
        .collect();
    let len: usize = shape.iter().product();
    let mut data = vec![0.0; len];
    for (i, &v) in x.data.iter().enumerate() {
        let mut rest = i;
        let mut out_index = 0;
        let mut stride = 1;
        for d in (0..shape.len()).rev() {
            out_index += (rest % x.shape[d] + paddings[d][0]) * stride;
            rest /= x.shape[d];
            stride *= shape[d];
        }
        data[out_index] = v;
    }
    T { shape, data }
}

/// TFLite's reference `ResizeBilinear`.
pub fn resize_bilinear(
    x: &T,
    size: [usize; 2],
    align_corners: bool,
    half_pixel_centers: bool,
) -> T {
    let [n, h, w, c] = x.shape[..] else { panic!() };
    let scale = |input: usize, output: usize| {
        if align_corners && output > 1 {
            (input - 1) as f32 / (output - 1) as f32
        } else {
            input as f32 / output as f32
        }
    };
    let (hs, ws) = (scale(h, size[0]), scale(w, size[1]));
    let interp = |value: usize, scale: f32, input: usize| {
        let scaled = if half_pixel_centers {
            (value as f32 + 0.5) * scale - 0.5
        } else {
            value as f32 * scale
        };
        let lower = (scaled.floor() as i64).max(0) as usize;
        let upper = (scaled.ceil() as i64).min(input as i64 - 1) as usize;
        (scaled, lower, upper)
    };
    let mut data = Vec::new();
    for b in 0..n {
        for y in 0..size[0] {
            let (iy, y0, y1) = interp(y, hs, h);
            for xx in 0..size[1] {
                let (ix, x0, x1) = interp(xx, ws, w);
                for ch in 0..c {
                    let dy = iy - y0 as f32;
                    let dx = ix - x0 as f32;
                    data.push(
                        x.at4(b, y0, x0, ch) * (1.0 - dy) * (1.0 - dx)
                            + x.at4(b, y1, x0, ch) * dy * (1.0 - dx)
                            + x.at4(b, y0, x1, ch) * (1.0 - dy) * dx
                            + x.at4(b, y1, x1, ch) * dy * dx,
                    );
                }
            }
        }
    }
    T {
        shape: vec![n, size[0], size[1], c],
        data,
    }
}

pub fn concat(inputs: &[T], axis: usize, act: Activation) -> T {
    let mut shape = inputs[0].shape.clone();
    shape[axis] = inputs.iter().map(|t| t.shape[axis]).sum();
    let outer: usize = shape[..axis].iter().product();
    let mut data = Vec::new();
    for o in 0..outer {
        for t in inputs {
            let chunk: usize = t.shape[axis..].iter().product();
            data.extend(
                t.data[o * chunk..(o + 1) * chunk]
                    .iter()
                    .map(|&v| act.apply(v)),
            );
        }
    }
    T { shape, data }
}

/// TFLite's reference `DepthToSpace`.
pub fn depth_to_space(x: &T, block: usize) -> T {
    let [n, h, w, c] = x.shape[..] else { panic!() };
    let oc = c / (block * block);
    let mut data = Vec::new();
    for b in 0..n {
        for oy in 0..h * block {
            for ox in 0..w * block {
                for d in 0..oc {
                    let in_d = d + ((oy % block) * block + ox % block) * oc;
                    data.push(x.at4(b, oy / block, ox / block, in_d));
                }
            }
        }
    }
    T {
        shape: vec![n, h * block, w * block, oc],
        data,
    }
}

pub fn logistic(x: &T) -> T {
    T {
        shape: x.shape.clone(),
        data: x.data.iter().map(|&v| 1.0 / (1.0 + (-v).exp())).collect(),
    }
}
