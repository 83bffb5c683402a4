//! The photo's mesh (a grid over the image, only cells the garment
//! touches) and its texture.

use glam::{Vec2, Vec3};

use super::skinning::{PhotoFrame, PhotoRig};
use crate::garment::gltf_load::{Filter, Primitive, SamplerInfo, TextureImage, Wrap};

/// Grid cells across the image's width.
pub const GRID_CELLS_ACROSS: u32 = 48;
/// Passes of colour bleeding into transparent pixels (see `bleed_colour`).
const BLEED_PASSES: usize = 4;

/// A grid of square cells over the image; the last row and column may be
/// cut short by the image's edge.
struct Grid {
    cell_px: u32,
    columns: u32,
    rows: u32,
    width: u32,
    height: u32,
}

impl Grid {
    fn new(width: u32, height: u32) -> Grid {
        let cell_px = width.div_ceil(GRID_CELLS_ACROSS).max(1);
        Grid {
            cell_px,
            columns: width.div_ceil(cell_px),
            rows: height.div_ceil(cell_px),
            width,
            height,
        }
    }

    /// The pixel position of grid corner (i, j).
    fn corner(&self, i: u32, j: u32) -> Vec2 {
        Vec2::new(
            (i * self.cell_px).min(self.width) as f32,
            (j * self.cell_px).min(self.height) as f32,
        )
    }

    /// Whether cell (i, j) holds a pixel with any opacity.
    fn touched(&self, image: &image::RgbaImage, i: u32, j: u32) -> bool {
        let (x0, y0) = (i * self.cell_px, j * self.cell_px);
        let (x1, y1) = (
            (x0 + self.cell_px).min(self.width),
            (y0 + self.cell_px).min(self.height),
        );
        (y0..y1).any(|y| (x0..x1).any(|x| image.get_pixel(x, y)[3] > 0))
    }
}

/// The skinned sheet: two triangles per cell that holds any garment pixel,
/// UVs = pixel position / image size, so the texture's alpha cuts the
/// exact outline.
pub(super) fn sheet(
    image: &image::RgbaImage,
    frame: &PhotoFrame,
    rig: &PhotoRig,
    name: &str,
) -> Primitive {
    let grid = Grid::new(image.width(), image.height());
    let corners_across = grid.columns + 1;
    let mut vertex_of = vec![u32::MAX; (corners_across * (grid.rows + 1)) as usize];
    let mut primitive = Primitive {
        name: format!("photo garment {name:?}"),
        positions: Vec::new(),
        normals: Vec::new(),
        uvs: Vec::new(),
        tangents: None,
        joints: Vec::new(),
        weights: Vec::new(),
        indices: Vec::new(),
        material: 0,
    };
    let size = Vec2::new(grid.width as f32, grid.height as f32);
    let mut vertex = |i: u32, j: u32, primitive: &mut Primitive| -> u32 {
        let slot = &mut vertex_of[(j * corners_across + i) as usize];
        if *slot == u32::MAX {
            let px = grid.corner(i, j);
            let xy = frame.bind_xy(px);
            let (position, normal) = frame.surface(xy);
            let (joints, weights) = rig.weights(xy);
            *slot = primitive.positions.len() as u32;
            primitive.positions.push(position);
            primitive.normals.push(normal);
            primitive.uvs.push(px / size);
            primitive.joints.push(joints);
            primitive.weights.push(weights);
        }
        *slot
    };
    for j in 0..grid.rows {
        for i in 0..grid.columns {
            if !grid.touched(image, i, j) {
                continue;
            }
            let top_left = vertex(i, j, &mut primitive);
            let top_right = vertex(i + 1, j, &mut primitive);
            let bottom_right = vertex(i + 1, j + 1, &mut primitive);
            let bottom_left = vertex(i, j + 1, &mut primitive);
            // Counter-clockwise seen from +Z (image y is down, bind y up).
            primitive.indices.extend([
                top_left,
                bottom_left,
                bottom_right,
                top_left,
                bottom_right,
                top_right,
            ]);
        }
    }
    primitive
}

/// Bounds of a primitive's positions.
pub(super) fn bounds(positions: &[Vec3]) -> (Vec3, Vec3) {
    let min = positions.iter().copied().fold(Vec3::INFINITY, Vec3::min);
    let max = positions
        .iter()
        .copied()
        .fold(Vec3::NEG_INFINITY, Vec3::max);
    (min, max)
}

/// The photo as the base colour texture (sRGB, clamped at the edges).
pub(super) fn texture(image: &image::RgbaImage, name: &str) -> TextureImage {
    let mut rgba8 = image.as_raw().clone();
    bleed_colour(&mut rgba8, image.width() as usize, image.height() as usize);
    TextureImage {
        name: name.to_string(),
        width: image.width(),
        height: image.height(),
        rgba8,
        srgb: true,
        sampler: SamplerInfo {
            wrap_u: Wrap::ClampToEdge,
            wrap_v: Wrap::ClampToEdge,
            mag_filter: Filter::Linear,
            min_filter: Filter::Linear,
            mipmap_filter: Some(Filter::Linear),
        },
    }
}

/// Gives fully transparent pixels the colour of their garment neighbours
/// (alpha stays 0): filtering mixes a texel's colour with its neighbours'
/// regardless of alpha, so a black background would darken the outline.
/// A few passes grow the colour outwards; what is still unreached gets the
/// garment's mean colour (for the small mip levels).
fn bleed_colour(rgba: &mut [u8], width: usize, height: usize) {
    let mut known: Vec<bool> = rgba.chunks_exact(4).map(|p| p[3] > 0).collect();
    let mut updates = Vec::new();
    for _ in 0..BLEED_PASSES {
        updates.clear();
        for y in 0..height {
            for x in 0..width {
                if known[y * width + x] {
                    continue;
                }
                let (mut sum, mut count) = ([0u32; 3], 0);
                for ny in y.saturating_sub(1)..(y + 2).min(height) {
                    for nx in x.saturating_sub(1)..(x + 2).min(width) {
                        let n = ny * width + nx;
                        if known[n] {
                            (0..3).for_each(|c| sum[c] += rgba[4 * n + c] as u32);
                            count += 1;
                        }
                    }
                }
                if count > 0 {
                    updates.push((y * width + x, sum.map(|s| (s / count) as u8)));
                }
            }
        }
        for &(index, rgb) in &updates {
            rgba[4 * index..4 * index + 3].copy_from_slice(&rgb);
            known[index] = true;
        }
    }
    let garment: Vec<&[u8]> = rgba.chunks_exact(4).filter(|p| p[3] > 0).collect();
    if garment.is_empty() {
        return;
    }
    let mut mean = [0u64; 3];
    for p in &garment {
        (0..3).for_each(|c| mean[c] += p[c] as u64);
    }
    let mean = mean.map(|m| (m / garment.len() as u64) as u8);
    for (pixel, known) in rgba.chunks_exact_mut(4).zip(&known) {
        if !known {
            pixel[..3].copy_from_slice(&mean);
        }
    }
}
