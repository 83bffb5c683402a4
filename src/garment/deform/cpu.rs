//! The deformation on the CPU: the plain-Rust twin of
//! `shaders/render/deform.wgsl` and `normals.wgsl`, step for step, so tests
//! can compare the GPU's result with it.

use glam::{Mat4, Vec2, Vec3, Vec4};

use super::DeformMesh;
use crate::garment::rig::RigJoint;
use crate::garment::silhouette::{FitRegion, SilhouetteFrames, SilhouetteProfile, BANDS, REGIONS};

/// Garment extents are gathered as fixed-point integers (GPU atomics):
/// units per metre.
pub const EXTENT_UNITS_PER_M: f32 = 10_000.0;
/// A band's widening or narrowing is kept within this range: a mask gone
/// wrong for a frame cannot blow a garment up or shrink it to a string.
pub const WARP_SCALE_RANGE: (f32, f32) = (0.6, 2.5);
/// A garment band narrower than this (metres) is left as it is.
const MIN_GARMENT_WIDTH_M: f32 = 1e-3;

/// How one garment is fitted this frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitParams {
    /// Fit to the silhouette at all (garments yes, accessories no).
    pub fit: bool,
    /// Scale over the silhouette's half widths (the catalog's `ease`).
    pub ease: f32,
    /// Added to every half width, metres: the mask's edge is soft.
    pub margin_m: f32,
}

/// What the fit adds to every half width of the silhouette, metres: the
/// mask's edge is soft, and a garment ending exactly on it leaves a rim
/// of the wearer's own clothes.
pub const FIT_MARGIN_M: f32 = 0.006;

impl FitParams {
    /// A garment fitted with the catalog's `ease`.
    pub fn garment(ease: f32) -> FitParams {
        FitParams {
            fit: true,
            ease,
            margin_m: FIT_MARGIN_M,
        }
    }
}

/// What `deform_cpu` computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Deformed {
    /// Linear-blend skinned positions and normals.
    pub skinned: Vec<Vec3>,
    pub skinned_normals: Vec<Vec3>,
    /// The garment's extents per region, band and side (fixed point,
    /// `i32::MIN` where no particle fell).
    pub extents: [[[i32; 2]; BANDS]; REGIONS],
    /// `(scale, offset)` of each band's lateral map.
    pub maps: [[[f32; 2]; BANDS]; REGIONS],
    /// Fitted positions: what is drawn (or the cloth's targets).
    pub positions: Vec<Vec3>,
    pub normals: Vec<Vec3>,
}

/// Each region's share of a particle's skin weights.
pub fn region_weights(joints: [u32; 4], weights: [f32; 4]) -> [f32; REGIONS] {
    let mut shares = [0.0; REGIONS];
    for (j, w) in joints.iter().zip(weights) {
        let region = RigJoint::ALL
            .get(*j as usize)
            .and_then(|joint| FitRegion::of_joint(*joint));
        if let Some(region) = region {
            shares[region as usize] += w;
        }
    }
    shares
}

fn fixed(metres: f32) -> i32 {
    (metres * EXTENT_UNITS_PER_M).round() as i32
}

/// Skins, fits and takes normals of `mesh` for skinning matrices
/// `matrices` (`RigJoint::ALL` order, bind → body space).
pub fn deform_cpu(
    mesh: &DeformMesh,
    matrices: &[Mat4; 19],
    frames: &SilhouetteFrames,
    profile: &SilhouetteProfile,
    params: &FitParams,
) -> Deformed {
    let normal_matrices = matrices.map(|m| m.inverse().transpose());
    let mut skinned = Vec::with_capacity(mesh.particles.len());
    let mut skinned_normals = Vec::with_capacity(mesh.particles.len());
    let mut extents = [[[i32::MIN; 2]; BANDS]; REGIONS];
    for particle in &mesh.particles {
        let rest = Vec4::from_array(particle.position).truncate().extend(1.0);
        let rest_normal = Vec4::from_array(particle.normal).truncate().extend(0.0);
        let (mut position, mut normal) = (Vec3::ZERO, Vec3::ZERO);
        for (j, w) in particle.joints.iter().zip(particle.weights) {
            let j = (*j as usize).min(18);
            position += w * (matrices[j] * rest).truncate();
            normal += w * (normal_matrices[j] * rest_normal).truncate();
        }
        skinned.push(position);
        skinned_normals.push(normal);
        if !params.fit {
            continue;
        }
        // The particle counts towards its main region's extents, at its
        // band and the two beside it (bands thinner than the mesh's rows
        // would otherwise miss its sides).
        let shares = region_weights(particle.joints, particle.weights);
        for (r, share) in shares.iter().enumerate() {
            let frame = &frames.regions[r];
            if *share < 0.5 || !frame.valid {
                continue;
            }
            let (t, s) = frame.coordinates(position.truncate());
            let band = frame.band_position(t).round() as i64;
            for b in band - 1..=band + 1 {
                if let Ok(b) = usize::try_from(b) {
                    if b < BANDS {
                        let e = &mut extents[r][b];
                        e[0] = e[0].max(fixed(-s));
                        e[1] = e[1].max(fixed(s));
                    }
                }
            }
        }
    }
    let maps = band_maps(frames, profile, &extents, params);
    let positions: Vec<Vec3> = mesh
        .particles
        .iter()
        .zip(&skinned)
        .map(|(particle, &position)| {
            if !params.fit {
                return position;
            }
            let shares = region_weights(particle.joints, particle.weights);
            let mut offset = Vec2::ZERO;
            for (r, share) in shares.iter().enumerate() {
                let frame = &frames.regions[r];
                if *share <= 0.0 || !frame.valid {
                    continue;
                }
                let (t, s) = frame.coordinates(position.truncate());
                let u = frame.band_position(t).clamp(0.0, (BANDS - 1) as f32);
                let b0 = (u.floor() as usize).min(BANDS - 2);
                let f = u - b0 as f32;
                let [scale0, offset0] = maps[r][b0];
                let [scale1, offset1] = maps[r][b0 + 1];
                let scale = scale0 + (scale1 - scale0) * f;
                let shift = offset0 + (offset1 - offset0) * f;
                offset += frame.side() * ((scale * s + shift - s) * share);
            }
            position + offset.extend(0.0)
        })
        .collect();
    let normals = normals_cpu(mesh, &positions, &skinned_normals);
    Deformed {
        skinned,
        skinned_normals,
        extents,
        maps,
        positions,
        normals,
    }
}

/// Each band's lateral map `s → scale·s + offset`, taking the garment's
/// extent there onto the silhouette's (with ease). Bands the garment or
/// the scan missed borrow the nearest band that has one; a region with
/// none stays as skinned (scale 1, offset 0).
pub fn band_maps(
    frames: &SilhouetteFrames,
    profile: &SilhouetteProfile,
    extents: &[[[i32; 2]; BANDS]; REGIONS],
    params: &FitParams,
) -> [[[f32; 2]; BANDS]; REGIONS] {
    let mut maps = [[[1.0, 0.0]; BANDS]; REGIONS];
    if !params.fit {
        return maps;
    }
    for r in 0..REGIONS {
        let frame = &frames.regions[r];
        if !frame.valid {
            continue;
        }
        for (b, map) in maps[r].iter_mut().enumerate() {
            let Some(garment) = nearest(b, |i| {
                let e = extents[r][i];
                (e[0] != i32::MIN && e[1] != i32::MIN).then_some(e)
            }) else {
                continue;
            };
            let Some(body) = nearest(b, |i| smoothed_extents(&profile.extents_m[r], i)) else {
                continue;
            };
            let (mut left, mut right) = (body[0], body[1]);
            if frame.symmetric {
                let narrower = left.min(right);
                (left, right) = (narrower, narrower);
            }
            let left = left * params.ease + params.margin_m;
            let right = right * params.ease + params.margin_m;
            let (g_left, g_right) = (
                -(garment[0] as f32) / EXTENT_UNITS_PER_M,
                garment[1] as f32 / EXTENT_UNITS_PER_M,
            );
            if g_right - g_left < MIN_GARMENT_WIDTH_M {
                continue;
            }
            let scale =
                ((left + right) / (g_right - g_left)).clamp(WARP_SCALE_RANGE.0, WARP_SCALE_RANGE.1);
            let garment_centre = (g_left + g_right) * 0.5;
            let body_centre = (right - left) * 0.5;
            *map = [scale, body_centre - scale * garment_centre];
        }
    }
    maps
}

/// The first of `b`, `b − 1`, `b + 1`, `b − 2`, … for which `value` is
/// `Some`.
fn nearest<T>(b: usize, value: impl Fn(usize) -> Option<T>) -> Option<T> {
    (0..BANDS).find_map(|d| {
        let below = b.checked_sub(d).and_then(&value);
        below.or_else(|| (b + d < BANDS).then(|| value(b + d)).flatten())
    })
}

/// Band `b`'s body extents, each side the median of the band and its two
/// neighbours (the mean of two, or the one, where fewer were found): one
/// band's scan through a hole in the mask does not notch the garment.
/// `None` when neither side has any.
fn smoothed_extents(bands: &[[f32; 2]; BANDS], b: usize) -> Option<[f32; 2]> {
    let mut sides = [0.0; 2];
    for (side, out) in sides.iter_mut().enumerate() {
        let mut found = [0.0f32; 3];
        let mut n = 0;
        for band in &bands[b.saturating_sub(1)..=(b + 1).min(BANDS - 1)] {
            let v = band[side];
            if v >= 0.0 {
                found[n] = v;
                n += 1;
            }
        }
        *out = match n {
            0 => return None,
            1 => found[0],
            2 => (found[0] + found[1]) * 0.5,
            _ => found[0]
                .max(found[1])
                .min(found[2])
                .max(found[0].min(found[1])),
        };
    }
    Some(sides)
}

/// Area-weighted normals of the deformed surface, turned to agree with
/// the skinned normal (a mesh's winding cannot flip them); rigid models
/// and lone particles keep their skinned normal.
fn normals_cpu(mesh: &DeformMesh, positions: &[Vec3], skinned_normals: &[Vec3]) -> Vec<Vec3> {
    (0..positions.len())
        .map(|p| {
            let skinned = skinned_normals[p].normalize_or(Vec3::Z);
            if !mesh.welded {
                return skinned;
            }
            let (from, to) = (
                mesh.adjacency_offsets[p] as usize,
                mesh.adjacency_offsets[p + 1] as usize,
            );
            let x = positions[p];
            let sum: Vec3 = mesh.adjacency[from..to]
                .iter()
                .map(|[a, b]| (positions[*a as usize] - x).cross(positions[*b as usize] - x))
                .sum();
            if sum.length_squared() < 1e-20 {
                return skinned;
            }
            let n = sum.normalize();
            if n.dot(skinned) < 0.0 {
                -n
            } else {
                n
            }
        })
        .collect()
}
