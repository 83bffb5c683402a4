//! Bakes a garment's textures into its atlas: per texel, the pattern
//! piece and the flat pattern position it shows, from which the garment
//! describes its surface (weave, seams, stitching, folds: a height, a
//! shade and a roughness); ambient occlusion is ray traced on the draped
//! garment. Out come three images in the glTF layout: base colour (a
//! near-white modulation, linear mean about 1, the colour being the
//! material's factor), a tangent-space normal map (+X right, +Y up the
//! image, as glTF has it) and an ORM image (R occlusion, G roughness,
//! B metallic) for both `occlusionTexture` and `metallicRoughnessTexture`.

use glam::{Vec2, Vec3};

use crate::body::Body;
use crate::cloth::{Atlas, Cloth, Part};
use crate::occlusion::{Bvh, Scene};
use crate::raster::srgb_byte;
use crate::texture::{png_gray, png_rgb};

/// What a garment says about one point of its fabric.
#[derive(Debug, Clone, Copy)]
pub struct Surface {
    /// Relief, metres (weave, stitches, seam ridges, folds).
    pub height_m: f32,
    /// Linear base-colour multiplier, at most 1.
    pub shade: f32,
    pub roughness: f32,
}

/// Texels of the atlas that dilate a chart, so mipmaps and bilinear
/// taps at its edge read the same fabric.
const GUTTER_PX: usize = 6;
/// Ambient occlusion is traced on a grid this much coarser than the atlas.
const AO_STEP: usize = 4;
const AO_RAYS: usize = 96;

/// The decoded maps, for the thumbnails' own shading.
#[derive(Debug, Clone)]
pub struct Maps {
    pub size: usize,
    /// Linear base-colour multiplier.
    pub shade: Vec<f32>,
    /// Tangent-space normal (x right, y up the image).
    pub normal: Vec<Vec3>,
    pub occlusion: Vec<f32>,
}

impl Maps {
    /// Bilinear tap at `uv` (clamped).
    pub fn sample(&self, uv: Vec2) -> (f32, Vec3, f32) {
        let s = self.size as f32;
        let p = (uv * s - 0.5).clamp(Vec2::ZERO, Vec2::splat(s - 1.001));
        let (x, y) = (p.x as usize, p.y as usize);
        let (fx, fy) = (p.x - x as f32, p.y - y as f32);
        let at = |dx: usize, dy: usize| (y + dy) * self.size + x + dx;
        let mix = |a: f32, b: f32, c: f32, d: f32| {
            (a * (1.0 - fx) + b * fx) * (1.0 - fy) + (c * (1.0 - fx) + d * fx) * fy
        };
        let scalar = |m: &[f32]| mix(m[at(0, 0)], m[at(1, 0)], m[at(0, 1)], m[at(1, 1)]);
        let n = self.normal[at(0, 0)] * (1.0 - fx) * (1.0 - fy)
            + self.normal[at(1, 0)] * fx * (1.0 - fy)
            + self.normal[at(0, 1)] * (1.0 - fx) * fy
            + self.normal[at(1, 1)] * fx * fy;
        (
            scalar(&self.shade),
            n.normalize_or(Vec3::Z),
            scalar(&self.occlusion),
        )
    }
}

pub struct Baked {
    pub base_png: Vec<u8>,
    pub normal_png: Vec<u8>,
    pub orm_png: Vec<u8>,
    /// Mean linear base-colour multiplier over the covered texels.
    pub base_mean: f32,
    pub maps: Maps,
}

/// Calls `f(texel x, texel y, barycentrics)` for texel centres inside the
/// triangle `t` (texel coordinates), on a grid of `size`.
fn raster(t: [Vec2; 3], size: usize, mut f: impl FnMut(usize, usize, [f32; 3])) {
    let lo = t[0].min(t[1]).min(t[2]);
    let hi = t[0].max(t[1]).max(t[2]);
    let area = (t[1] - t[0]).perp_dot(t[2] - t[0]);
    if area.abs() < 1e-9 {
        return;
    }
    let x0 = (lo.x - 0.5).floor().max(0.0) as usize;
    let y0 = (lo.y - 0.5).floor().max(0.0) as usize;
    let x1 = ((hi.x - 0.5).ceil().max(0.0) as usize).min(size - 1);
    let y1 = ((hi.y - 0.5).ceil().max(0.0) as usize).min(size - 1);
    for y in y0..=y1 {
        for x in x0..=x1 {
            let p = Vec2::new(x as f32 + 0.5, y as f32 + 0.5);
            let w = [
                (t[2] - t[1]).perp_dot(p - t[1]) / area,
                (t[0] - t[2]).perp_dot(p - t[2]) / area,
                (t[1] - t[0]).perp_dot(p - t[0]) / area,
            ];
            if w.iter().all(|w| *w >= -1e-4) {
                f(x, y, w);
            }
        }
    }
}

/// Grows `owner` (usize::MAX = empty) outwards by `steps` texels, in a
/// fixed order; returns which texels were grown.
fn dilate(owner: &mut [usize], size: usize, steps: usize) {
    for _ in 0..steps {
        let before = owner.to_vec();
        for y in 0..size {
            for x in 0..size {
                if before[y * size + x] != usize::MAX {
                    continue;
                }
                let neighbours = [(0, -1), (-1, 0), (1, 0), (0, 1)];
                for (dx, dy) in neighbours {
                    let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                    if nx < 0 || ny < 0 || nx >= size as i32 || ny >= size as i32 {
                        continue;
                    }
                    let o = before[ny as usize * size + nx as usize];
                    if o != usize::MAX {
                        owner[y * size + x] = o;
                        break;
                    }
                }
            }
        }
    }
}

/// The garment's triangles on its left half (the right half shares their
/// texels), in texel coordinates of a grid `scale` times the atlas.
fn left_triangles(
    cloth: &Cloth,
    parts: &[Part],
    atlas: &Atlas,
    scale: f32,
) -> Vec<([u32; 3], [Vec2; 3])> {
    cloth
        .triangles
        .iter()
        .filter(|t| t.iter().all(|&i| !cloth.mirrored[i as usize]))
        .filter(|t| parts[cloth.part[t[0] as usize]].textured)
        .map(|t| {
            (
                *t,
                t.map(|i| cloth.uvs[i as usize] * atlas.size_px as f32 * scale),
            )
        })
        .collect()
}

/// `poses`: the garment and the body inside it in the poses whose
/// occlusion is averaged (the T-pose it is modelled in, and arms lowered
/// as it is mostly worn); all share the first one's UVs.
pub fn bake(
    poses: &[(Cloth, Body)],
    parts: &[Part],
    atlas: &Atlas,
    surface: impl Fn(usize, Vec2) -> Surface,
) -> Baked {
    let cloth = &poses[0].0;
    let size = atlas.size_px as usize;
    let mut owner = vec![usize::MAX; size * size];
    for (t, uv) in left_triangles(cloth, parts, atlas, 1.0) {
        let part = cloth.part[t[0] as usize];
        raster(uv, size, |x, y, _| owner[y * size + x] = part);
    }
    let covered: Vec<bool> = owner.iter().map(|o| *o != usize::MAX).collect();
    dilate(&mut owner, size, GUTTER_PX);

    // The surface at every texel, and its relief as normals.
    let texel_m = 1.0 / atlas.texels_per_m;
    let mut height = vec![0f32; size * size];
    let mut shade = vec![1f32; size * size];
    let mut roughness = vec![1f32; size * size];
    for y in 0..size {
        for x in 0..size {
            let o = owner[y * size + x];
            if o == usize::MAX {
                continue;
            }
            let p = atlas.pattern(&parts[o].chart, Vec2::new(x as f32 + 0.5, y as f32 + 0.5));
            let s = surface(o, p);
            height[y * size + x] = s.height_m;
            shade[y * size + x] = s.shade.clamp(0.0, 1.0);
            roughness[y * size + x] = s.roughness;
        }
    }
    let mut normal = vec![Vec3::Z; size * size];
    for y in 0..size {
        for x in 0..size {
            let o = owner[y * size + x];
            if o == usize::MAX {
                continue;
            }
            // Central differences within the same chart, else one-sided.
            let h = |dx: i32, dy: i32| {
                let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                if nx < 0 || ny < 0 || nx >= size as i32 || ny >= size as i32 {
                    return None;
                }
                let i = ny as usize * size + nx as usize;
                (owner[i] == o).then_some(height[i])
            };
            let centre = height[y * size + x];
            let slope = |a: Option<f32>, b: Option<f32>| match (a, b) {
                (Some(a), Some(b)) => (b - a) / (2.0 * texel_m),
                (Some(a), None) => (centre - a) / texel_m,
                (None, Some(b)) => (b - centre) / texel_m,
                (None, None) => 0.0,
            };
            let right = slope(h(-1, 0), h(1, 0));
            let down = slope(h(0, -1), h(0, 1));
            // Tangent-space y is up the image: d/dup = -d/ddown.
            normal[y * size + x] = Vec3::new(-right, down, 1.0).normalize();
        }
    }

    let mut occlusion = vec![0.0; size * size];
    for (posed, body) in poses {
        let ao = ambient_occlusion(posed, atlas, body, parts, &owner);
        for (sum, a) in occlusion.iter_mut().zip(ao) {
            *sum += a / poses.len() as f32;
        }
    }

    let mut sum = 0.0;
    let mut count = 0usize;
    for (s, c) in shade.iter().zip(&covered) {
        if *c {
            sum += *s as f64;
            count += 1;
        }
    }
    let base: Vec<u8> = shade.iter().map(|s| srgb_byte(*s)).collect();
    let normal_bytes: Vec<u8> = normal
        .iter()
        .flat_map(|n| {
            n.to_array()
                .map(|c| ((c * 0.5 + 0.5) * 255.0).round() as u8)
        })
        .collect();
    let orm: Vec<u8> = occlusion
        .iter()
        .zip(&roughness)
        .flat_map(|(a, r)| [byte(*a), byte(*r), 0])
        .collect();
    Baked {
        base_png: png_gray(&base, atlas.size_px, atlas.size_px),
        normal_png: png_rgb(&normal_bytes, atlas.size_px, atlas.size_px),
        orm_png: png_rgb(&orm, atlas.size_px, atlas.size_px),
        base_mean: (sum / count.max(1) as f64) as f32,
        maps: Maps {
            size,
            // What the PNGs hold, decoded.
            shade: base
                .iter()
                .map(|b| drape::render::srgb::srgb_byte_to_linear(*b))
                .collect(),
            normal: normal_bytes
                .chunks_exact(3)
                .map(|c| Vec3::new(c[0] as f32, c[1] as f32, c[2] as f32) / 127.5 - Vec3::ONE)
                .collect(),
            occlusion: orm.chunks_exact(3).map(|c| c[0] as f32 / 255.0).collect(),
        },
    }
}

fn byte(x: f32) -> u8 {
    (x.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// Occlusion per atlas texel: traced on a coarser grid at the draped
/// surface's points, blurred a little (the ray sets turn from sample to
/// sample), spread into the gutters and upsampled bilinearly.
fn ambient_occlusion(
    cloth: &Cloth,
    atlas: &Atlas,
    body: &Body,
    parts: &[Part],
    owner: &[usize],
) -> Vec<f32> {
    let size = atlas.size_px as usize;
    let grid = size / AO_STEP;
    let triangles: Vec<[Vec3; 3]> = cloth
        .triangles
        .iter()
        .map(|t| t.map(|i| cloth.positions[i as usize]))
        .collect();
    let bvh = Bvh::new(triangles);
    // The body (arms, neck) shades the outside; the faces turned to the
    // body (hems inside, a lining) are shaded by the cloth alone, as
    // they look off the body.
    let body = Body {
        inflate_m: 0.0,
        ..*body
    };
    let outside = Scene {
        cloth: &bvh,
        body: Some(&body),
    };
    let inside = Scene {
        cloth: &bvh,
        body: None,
    };
    let mut point = vec![None; grid * grid];
    for (t, uv) in left_triangles(cloth, parts, atlas, 1.0 / AO_STEP as f32) {
        let p = t.map(|i| cloth.positions[i as usize]);
        let n = t.map(|i| cloth.normals[i as usize]);
        raster(uv, grid, |x, y, w| {
            point[y * grid + x] = Some((
                p[0] * w[0] + p[1] * w[1] + p[2] * w[2],
                (n[0] * w[0] + n[1] * w[1] + n[2] * w[2]).normalize_or(Vec3::Y),
                cloth.part[t[0] as usize],
            ));
        });
    }
    let mut ao = vec![f32::NAN; grid * grid];
    for (i, sample) in point.iter().enumerate() {
        if let Some((p, n, part)) = sample {
            let scene = if parts[*part].inside {
                &inside
            } else {
                &outside
            };
            ao[i] = scene.ambient(*p, *n, AO_RAYS, i as u32);
        }
    }
    // A 5×5 blur within each part.
    let blurred: Vec<f32> = (0..grid * grid)
        .map(|i| {
            let Some((_, _, part)) = point[i] else {
                return f32::NAN;
            };
            let (x, y) = ((i % grid) as i32, (i / grid) as i32);
            let (mut sum, mut weight) = (0.0, 0.0);
            for dy in -2..=2 {
                for dx in -2..=2 {
                    let (nx, ny) = (x + dx, y + dy);
                    if nx < 0 || ny < 0 || nx >= grid as i32 || ny >= grid as i32 {
                        continue;
                    }
                    let j = ny as usize * grid + nx as usize;
                    if matches!(point[j], Some((_, _, q)) if q == part) {
                        let w = 1.0 / (1.0 + (dx * dx + dy * dy) as f32);
                        sum += ao[j] * w;
                        weight += w;
                    }
                }
            }
            sum / weight
        })
        .collect();
    // Fill empty cells from their neighbours, outwards.
    let mut filled = blurred;
    for _ in 0..grid {
        let before = filled.clone();
        let mut changed = false;
        for y in 0..grid {
            for x in 0..grid {
                if !before[y * grid + x].is_nan() {
                    continue;
                }
                let (mut sum, mut n) = (0.0, 0);
                for (dx, dy) in [(0i32, -1i32), (-1, 0), (1, 0), (0, 1)] {
                    let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                    if nx >= 0 && ny >= 0 && nx < grid as i32 && ny < grid as i32 {
                        let v = before[ny as usize * grid + nx as usize];
                        if !v.is_nan() {
                            sum += v;
                            n += 1;
                        }
                    }
                }
                if n > 0 {
                    filled[y * grid + x] = sum / n as f32;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    // Bilinear up to the atlas; texels outside every chart stay white.
    let mut out = vec![1.0; size * size];
    for y in 0..size {
        for x in 0..size {
            if owner[y * size + x] == usize::MAX {
                continue;
            }
            let gx = ((x as f32 + 0.5) / AO_STEP as f32 - 0.5).clamp(0.0, grid as f32 - 1.001);
            let gy = ((y as f32 + 0.5) / AO_STEP as f32 - 0.5).clamp(0.0, grid as f32 - 1.001);
            let (ix, iy) = (gx as usize, gy as usize);
            let (fx, fy) = (gx - ix as f32, gy - iy as f32);
            let v = |dx: usize, dy: usize| {
                let v = filled[(iy + dy) * grid + ix + dx];
                if v.is_nan() {
                    1.0
                } else {
                    v
                }
            };
            out[y * size + x] = (v(0, 0) * (1.0 - fx) + v(1, 0) * fx) * (1.0 - fy)
                + (v(0, 1) * (1.0 - fx) + v(1, 1) * fx) * fy;
        }
    }
    out
}
