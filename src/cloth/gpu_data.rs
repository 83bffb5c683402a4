//! The Rust mirrors of shaders/cloth/xpbd.wgsl's structs, and how
//! `GpuCloth` fills them from a topology and a frame.

use std::num::NonZeroU64;

use super::cpu::COLLISION_SWEEPS;
use super::topology::{ClothTopology, ConstraintKind};
use super::{substep_fraction, Capsule, ClothParams, FrameConstants, MAX_CAPSULES};

/// xpbd.wgsl's `@workgroup_size`.
pub(super) const WORKGROUP_SIZE: u32 = 64;

// The WGSL side bakes these in; a change here must be made there too.
const _: () = assert!(MAX_CAPSULES == 16 && COLLISION_SWEEPS == 3);

/// Per-frame uniforms.
// This must be kept in sync with FrameParams in shaders/cloth/xpbd.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct FrameParams {
    gravity: [f32; 4],
    h_s: f32,
    inv_h_per_s: f32,
    inv_h2_per_s2: f32,
    damping_factor: f32,
    stretch_alpha: f32,
    bend_alpha: f32,
    max_speed_m_per_s: f32,
    thickness_m: f32,
    capsule_count: u32,
    _pad: [u32; 3],
    frame_shift: [f32; 4],
    capsules: [Capsule; MAX_CAPSULES],
}

impl FrameParams {
    /// For a frame of `frame_s` > 0 (clamped) and at most `MAX_CAPSULES`
    /// checked capsules.
    pub(super) fn new(
        params: &ClothParams,
        frame_s: f32,
        capsules: &[Capsule],
        frame_shift_m: glam::Vec3,
    ) -> FrameParams {
        let frame = FrameConstants::new(params, frame_s);
        let mut capsule_array = [Capsule::default(); MAX_CAPSULES];
        let count = capsules.len().min(MAX_CAPSULES);
        capsule_array[..count].copy_from_slice(&capsules[..count]);
        FrameParams {
            gravity: params.gravity_m_per_s2.extend(0.0).to_array(),
            h_s: frame.h_s,
            inv_h_per_s: frame.inv_h_per_s,
            inv_h2_per_s2: frame.inv_h2_per_s2,
            damping_factor: frame.damping_factor,
            stretch_alpha: frame.stretch_alpha,
            bend_alpha: frame.bend_alpha,
            max_speed_m_per_s: params.max_speed_m_per_s,
            thickness_m: params.thickness_m,
            capsule_count: count as u32,
            _pad: [0; 3],
            frame_shift: frame_shift_m.extend(0.0).to_array(),
            capsules: capsule_array,
        }
    }
}

/// One per substep, written once at build.
// This must be kept in sync with SubstepParams in shaders/cloth/xpbd.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct SubstepParams {
    t: f32,
    is_last: u32,
    is_first: u32,
    _pad: u32,
}

/// One per colour, written once at build.
// This must be kept in sync with ColourRange in shaders/cloth/xpbd.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub(super) struct ColourRange {
    start: u32,
    end: u32,
    _pad: [u32; 2],
}

/// Negative compliance and radius stand for "none" (WGSL may assume no
/// infinities).
// This must be kept in sync with Particle in shaders/cloth/xpbd.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct GpuParticle {
    inverse_mass: f32,
    attach_compliance: f32,
    tether_radius_m: f32,
    _pad: f32,
}

// This must be kept in sync with Constraint in shaders/cloth/xpbd.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
struct GpuConstraint {
    a: u32,
    b: u32,
    kind: u32,
    _pad: u32,
}

/// A `SubstepParams` per substep, `stride` bytes apart.
pub(super) fn substep_table(params: &ClothParams, stride: u32) -> Vec<u8> {
    let substeps: Vec<SubstepParams> = (0..params.substeps)
        .map(|k| SubstepParams {
            t: substep_fraction(k, params.substeps),
            is_last: u32::from(k + 1 == params.substeps),
            is_first: u32::from(k == 0),
            _pad: 0,
        })
        .collect();
    strided(&substeps, stride)
}

/// A `ColourRange` per colour, `stride` bytes apart, and the workgroups of
/// each colour's dispatch.
pub(super) fn colour_table(topology: &ClothTopology, stride: u32) -> (Vec<u8>, Vec<u32>) {
    let ranges: Vec<ColourRange> = topology
        .colour_ranges()
        .iter()
        .map(|r| ColourRange {
            start: r.start as u32,
            end: r.end as u32,
            _pad: [0; 2],
        })
        .collect();
    let groups = ranges
        .iter()
        .map(|r| (r.end - r.start).div_ceil(WORKGROUP_SIZE))
        .collect();
    (strided(&ranges, stride), groups)
}

/// The `Particle` array.
pub(super) fn particles(topology: &ClothTopology) -> Vec<u8> {
    let none_as_negative = |value: f32| if value.is_finite() { value } else { -1.0 };
    let particles: Vec<GpuParticle> = (0..topology.particle_count())
        .map(|i| GpuParticle {
            inverse_mass: topology.inverse_mass[i],
            attach_compliance: none_as_negative(topology.attach_compliance[i]),
            tether_radius_m: none_as_negative(topology.tether_radius_m[i]),
            _pad: 0.0,
        })
        .collect();
    bytemuck::cast_slice(&particles).to_vec()
}

/// The `Constraint` array, sorted by colour (one unused entry when there
/// are none: a binding cannot be empty).
pub(super) fn constraints(topology: &ClothTopology) -> Vec<u8> {
    let mut constraints: Vec<GpuConstraint> = topology
        .constraints()
        .iter()
        .map(|c| GpuConstraint {
            a: c.a,
            b: c.b,
            kind: match c.kind {
                ConstraintKind::Stretch => 0,
                ConstraintKind::Bend => 1,
            },
            _pad: 0,
        })
        .collect();
    if constraints.is_empty() {
        constraints.push(bytemuck::Zeroable::zeroed());
    }
    bytemuck::cast_slice(&constraints).to_vec()
}

/// A uniform at `binding` read at a dynamic offset, one `T` wide.
pub(super) fn dynamic_uniform<T>(binding: u32) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: true,
            min_binding_size: NonZeroU64::new(std::mem::size_of::<T>() as u64),
        },
        count: None,
    }
}

/// The first `T` of `buffer`: one slot of a dynamic-offset table.
pub(super) fn uniform_slot<T>(buffer: &wgpu::Buffer) -> wgpu::BindingResource<'_> {
    wgpu::BindingResource::Buffer(wgpu::BufferBinding {
        buffer,
        offset: 0,
        size: NonZeroU64::new(std::mem::size_of::<T>() as u64),
    })
}

/// `items` as bytes, each at a multiple of `stride` (at least one slot, so
/// the buffer is never empty).
fn strided<T: bytemuck::Pod>(items: &[T], stride: u32) -> Vec<u8> {
    let stride = stride as usize;
    let mut bytes = vec![0u8; items.len().max(1) * stride];
    for (slot, item) in bytes.chunks_exact_mut(stride).zip(items) {
        let item = bytemuck::bytes_of(item);
        slot[..item.len()].copy_from_slice(item);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte size naga gives each WGSL struct.
    fn wgsl_struct_size(name: &str) -> u32 {
        let module = naga::front::wgsl::parse_str(crate::gpu::shaders::CLOTH_XPBD)
            .expect("xpbd.wgsl parses");
        let span = module
            .types
            .iter()
            .find_map(|(_, ty)| match (&ty.name, &ty.inner) {
                (Some(n), naga::TypeInner::Struct { span, .. }) if n == name => Some(*span),
                _ => None,
            });
        span.unwrap_or_else(|| panic!("no struct {name} in xpbd.wgsl"))
    }

    #[test]
    fn mirrors_match_the_wgsl_sizes() {
        let size = |s: usize| s as u32;
        assert_eq!(
            wgsl_struct_size("FrameParams"),
            size(size_of::<FrameParams>())
        );
        assert_eq!(
            wgsl_struct_size("SubstepParams"),
            size(size_of::<SubstepParams>())
        );
        assert_eq!(
            wgsl_struct_size("ColourRange"),
            size(size_of::<ColourRange>())
        );
        assert_eq!(wgsl_struct_size("Particle"), size(size_of::<GpuParticle>()));
        assert_eq!(
            wgsl_struct_size("Constraint"),
            size(size_of::<GpuConstraint>())
        );
        assert_eq!(wgsl_struct_size("Capsule"), size(size_of::<Capsule>()));
    }

    #[test]
    fn tables_put_each_entry_at_its_stride() {
        let params = ClothParams {
            substeps: 3,
            ..ClothParams::default()
        };
        let table = substep_table(&params, 256);
        assert_eq!(table.len(), 3 * 256);
        let last: SubstepParams = bytemuck::pod_read_unaligned(&table[512..528]);
        assert_eq!((last.t, last.is_last), (1.0, 1));
        let first: SubstepParams = bytemuck::pod_read_unaligned(&table[..16]);
        assert_eq!((first.t, first.is_last), (1.0 / 3.0, 0));
    }
}
