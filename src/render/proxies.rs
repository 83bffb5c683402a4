//! Body proxies: rough solids for the parts of the body that pass in front
//! of garments (arms, hands, neck, head). Drawn into depth only, where the
//! person mask says there is a person, they hide what lies behind them.
//!
//! The head is placed from the face landmarks when there are any
//! (`BodyProxies::from_body`, with `garment::accessory::HeadPose`, the
//! frame glasses are placed in): it hides the temples of glasses running
//! back past the ears, never their lenses. From the rig alone
//! (`from_rig`) it hangs on the torso chain's `head` joint.

use glam::{Mat4, Quat, Vec3};
use wgpu::util::DeviceExt;

use crate::garment::accessory::{body_scale, rig_head_ellipsoid, HeadPose};
use crate::garment::fit::PosedRig;
use crate::garment::RigJoint;
use crate::pose::Body;

/// Proxy radii in metres on the reference body (they scale with the
/// body's size, `garment::accessory::body_scale`, as garments do): a little
/// thinner than sleeves are wide, so a sleeve around an arm stays in front
/// of its own arm. The upper arms have none: an upper arm hangs beside the
/// torso, where the silhouette fit already ends the shirt, and a proxy
/// there hid the sleeve fitted around it and the shirt beside it.
///
/// The forearm narrows from the elbow to the wrist, where a watch's strap
/// must clear it (`garment::accessory`'s watches sit 12 % of the forearm up
/// from the wrist landmark, their strap 30 mm from the axis at scale 1).
pub const FOREARM_RADIUS_M: f32 = 0.036;
pub const WRIST_RADIUS_M: f32 = 0.024;
pub const HAND_RADIUS_M: f32 = 0.05;
pub const NECK_RADIUS_M: f32 = 0.05;
/// The head as an ellipsoid when placed from the rig alone (half widths:
/// across, up, front to back; metres on the reference body, scaled with
/// the body).
pub const HEAD_RADII_M: Vec3 = crate::garment::accessory::RIG_HEAD_RADII_M;
/// Limbs seen less surely than this get no proxy: a guessed forearm must
/// not cut a hole in the shirt.
pub const MIN_PROXY_CONFIDENCE: f32 = 0.25;

/// A proxy mesh: positions and triangle indices.
pub struct ProxyMesh {
    pub positions: Vec<[f32; 3]>,
    pub indices: Vec<u16>,
}

/// An open unit cylinder: radius 1 around +Y, from y = 0 to y = 1.
pub fn unit_cylinder(segments: u16) -> ProxyMesh {
    unit_frustum(segments, 1.0)
}

/// An open cone frustum around +Y: radius 1 at y = 0, `top_radius` at
/// y = 1.
pub fn unit_frustum(segments: u16, top_radius: f32) -> ProxyMesh {
    let mut positions = Vec::new();
    for i in 0..segments {
        let angle = i as f32 / segments as f32 * std::f32::consts::TAU;
        let (z, x) = angle.sin_cos();
        positions.push([x, 0.0, z]);
        positions.push([x * top_radius, 1.0, z * top_radius]);
    }
    let mut indices = Vec::new();
    for i in 0..segments {
        let (a, b) = (2 * i, 2 * ((i + 1) % segments));
        indices.extend_from_slice(&[a, b, a + 1, b, b + 1, a + 1]);
    }
    ProxyMesh { positions, indices }
}

/// A unit sphere (latitude-longitude).
pub fn unit_sphere(rings: u16, segments: u16) -> ProxyMesh {
    let mut positions = Vec::new();
    for r in 0..=rings {
        let polar = r as f32 / rings as f32 * std::f32::consts::PI;
        for s in 0..segments {
            let azimuth = s as f32 / segments as f32 * std::f32::consts::TAU;
            positions.push([
                polar.sin() * azimuth.cos(),
                polar.cos(),
                polar.sin() * azimuth.sin(),
            ]);
        }
    }
    let mut indices = Vec::new();
    for r in 0..rings {
        for s in 0..segments {
            let a = r * segments + s;
            let b = r * segments + (s + 1) % segments;
            let (c, d) = (a + segments, b + segments);
            indices.extend_from_slice(&[a, b, c, b, d, c]);
        }
    }
    ProxyMesh { positions, indices }
}

/// A cylinder of `radius` from `a` to `b` as a transform of the unit one.
fn cylinder_between(a: Vec3, b: Vec3, radius: f32) -> Mat4 {
    let axis = b - a;
    let direction = axis.normalize_or(Vec3::Y);
    let (x, z) = direction.any_orthonormal_pair();
    Mat4::from_cols(
        (x * radius).extend(0.0),
        axis.extend(0.0),
        (z * radius).extend(0.0),
        a.extend(1.0),
    )
}

fn ellipsoid(centre: Vec3, rotation: Quat, radii: Vec3) -> Mat4 {
    Mat4::from_scale_rotation_translation(radii, rotation, centre)
}

/// The proxies of one posed body: transforms of the unit cylinder, the
/// unit sphere and the forearm's frustum (`unit_frustum` narrowing to
/// `WRIST_RADIUS_M / FOREARM_RADIUS_M`, scaled by `FOREARM_RADIUS_M`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BodyProxies {
    pub cylinders: Vec<Mat4>,
    pub spheres: Vec<Mat4>,
    pub forearms: Vec<Mat4>,
}

impl BodyProxies {
    /// The proxies of a fitted body, the head placed from its face
    /// landmarks.
    pub fn from_body(rig: &PosedRig, body: &Body) -> BodyProxies {
        let mut proxies = BodyProxies::limbs_and_neck(rig);
        proxies
            .spheres
            .push(HeadPose::from_body(body, rig).occluder());
        proxies
    }

    /// The proxies from the rig alone: the head hangs on the torso chain.
    pub fn from_rig(rig: &PosedRig) -> BodyProxies {
        let mut proxies = BodyProxies::limbs_and_neck(rig);
        proxies.spheres.push(rig_head_ellipsoid(rig));
        proxies
    }

    fn limbs_and_neck(rig: &PosedRig) -> BodyProxies {
        let head = |j: RigJoint| rig.joint(j).head;
        let size = body_scale(rig);
        let mut proxies = BodyProxies::default();
        for (fore, hand, side) in [
            (RigJoint::ForearmL, RigJoint::HandL, 1.0),
            (RigJoint::ForearmR, RigJoint::HandR, -1.0),
        ] {
            let (elbow, wrist) = (head(fore), head(hand));
            let seen = |j: RigJoint| rig.confidence[j as usize] >= MIN_PROXY_CONFIDENCE;
            if !seen(fore) {
                continue;
            }
            proxies
                .forearms
                .push(cylinder_between(elbow, wrist, FOREARM_RADIUS_M * size));
            if !seen(hand) {
                continue;
            }
            // The hand: a ball a little past the wrist along the hand bone.
            let pose = rig.joint(hand);
            let along = pose.rotation * (Vec3::X * side) * 0.07 * size;
            proxies.spheres.push(ellipsoid(
                wrist + along,
                Quat::IDENTITY,
                Vec3::splat(HAND_RADIUS_M * size),
            ));
        }
        let (neck, head_base) = (head(RigJoint::Neck), head(RigJoint::Head));
        proxies
            .cylinders
            .push(cylinder_between(neck, head_base, NECK_RADIUS_M * size));
        proxies
    }
}

/// The proxy meshes on the GPU and an instance buffer refilled per frame.
pub struct GpuProxies {
    /// Cylinder, sphere, forearm: vertices, indices, index count.
    meshes: [(wgpu::Buffer, wgpu::Buffer, u32); 3],
    instances: wgpu::Buffer,
    /// Instances of each mesh this frame.
    counts: [u32; 3],
}

/// Room for this many proxies of each kind.
const MAX_PROXIES: usize = 16;
/// Bytes of one kind's instances.
const KIND_BYTES: u64 = (MAX_PROXIES * 64) as u64;

impl GpuProxies {
    pub const VERTEX_LAYOUTS: [wgpu::VertexBufferLayout<'static>; 2] = [
        wgpu::VertexBufferLayout {
            array_stride: 12,
            step_mode: wgpu::VertexStepMode::Vertex,
            attributes: &wgpu::vertex_attr_array![0 => Float32x3],
        },
        wgpu::VertexBufferLayout {
            array_stride: 64,
            step_mode: wgpu::VertexStepMode::Instance,
            attributes: &wgpu::vertex_attr_array![
                1 => Float32x4, 2 => Float32x4, 3 => Float32x4, 4 => Float32x4
            ],
        },
    ];

    pub fn new(device: &wgpu::Device) -> GpuProxies {
        let upload = |mesh: ProxyMesh, label: &str| {
            let vertices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytemuck::cast_slice(&mesh.positions),
                usage: wgpu::BufferUsages::VERTEX,
            });
            let indices = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytemuck::cast_slice(&mesh.indices),
                usage: wgpu::BufferUsages::INDEX,
            });
            (vertices, indices, mesh.indices.len() as u32)
        };
        GpuProxies {
            meshes: [
                upload(unit_cylinder(16), "proxy cylinder"),
                upload(unit_sphere(8, 16), "proxy sphere"),
                upload(
                    unit_frustum(16, WRIST_RADIUS_M / FOREARM_RADIUS_M),
                    "proxy forearm",
                ),
            ],
            instances: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("proxy instances"),
                size: 3 * KIND_BYTES,
                usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            counts: [0; 3],
        }
    }

    /// This frame's proxies (none when there is no body).
    pub fn update(&mut self, queue: &wgpu::Queue, proxies: &BodyProxies) {
        for (kind, transforms) in [&proxies.cylinders, &proxies.spheres, &proxies.forearms]
            .into_iter()
            .enumerate()
        {
            let matrices: Vec<[f32; 16]> = transforms
                .iter()
                .take(MAX_PROXIES)
                .map(|m| m.to_cols_array())
                .collect();
            queue.write_buffer(
                &self.instances,
                kind as u64 * KIND_BYTES,
                bytemuck::cast_slice(&matrices),
            );
            self.counts[kind] = matrices.len() as u32;
        }
    }

    /// Draws them with a pipeline whose vertex layouts are `VERTEX_LAYOUTS`.
    pub fn draw(&self, pass: &mut wgpu::RenderPass<'_>) {
        for (kind, ((vertices, indices, count), &instances)) in
            self.meshes.iter().zip(&self.counts).enumerate()
        {
            if instances == 0 {
                continue;
            }
            let range = kind as u64 * KIND_BYTES..(kind as u64 + 1) * KIND_BYTES;
            pass.set_vertex_buffer(0, vertices.slice(..));
            pass.set_vertex_buffer(1, self.instances.slice(range));
            pass.set_index_buffer(indices.slice(..), wgpu::IndexFormat::Uint16);
            pass.draw_indexed(0..*count, 0, 0..instances);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cylinder_between_two_points_spans_them_with_its_radius() {
        let (a, b) = (Vec3::new(0.1, 0.2, 0.3), Vec3::new(0.5, -0.1, 0.2));
        let m = cylinder_between(a, b, 0.04);
        assert!(m.transform_point3(Vec3::ZERO).distance(a) < 1e-6);
        assert!(m.transform_point3(Vec3::Y).distance(b) < 1e-6);
        let rim = m.transform_point3(Vec3::X);
        assert!((rim.distance(a) - 0.04).abs() < 1e-6);
        assert!(
            (rim - a).dot(b - a).abs() < 1e-6,
            "the rim is square to the axis"
        );
    }

    #[test]
    fn unit_meshes_index_their_vertices() {
        for mesh in [unit_cylinder(16), unit_sphere(8, 16), unit_frustum(16, 0.5)] {
            assert!(mesh
                .indices
                .iter()
                .all(|&i| (i as usize) < mesh.positions.len()));
            assert_eq!(mesh.indices.len() % 3, 0);
        }
    }
}
