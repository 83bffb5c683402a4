//! Triangle meshes and the few shapes the accessories are made of: swept
//! tubes, cylinders, discs and boxes. Everything is in the glTF frame
//! (metres, +Y up, facing +Z); triangles wind counter-clockwise seen from
//! outside.

use std::f32::consts::TAU;

use glam::{Vec2, Vec3};

/// One glTF primitive: vertex attributes, optional skin, one material.
#[derive(Debug, Clone, Default)]
pub struct Primitive {
    pub positions: Vec<Vec3>,
    pub normals: Vec<Vec3>,
    pub uvs: Vec<Vec2>,
    /// Rig joint indices (`RigJoint as u8`) and weights, empty for rigid meshes.
    pub joints: Vec<[u8; 4]>,
    pub weights: Vec<[f32; 4]>,
    pub indices: Vec<u32>,
    /// Index into the asset's material list.
    pub material: usize,
}

impl Primitive {
    pub fn new(material: usize) -> Primitive {
        Primitive {
            material,
            ..Primitive::default()
        }
    }

    pub fn vertex(&mut self, position: Vec3, normal: Vec3, uv: Vec2) -> u32 {
        self.positions.push(position);
        self.normals.push(normal);
        self.uvs.push(uv);
        (self.positions.len() - 1) as u32
    }

    pub fn triangle(&mut self, a: u32, b: u32, c: u32) {
        self.indices.extend([a, b, c]);
    }

    /// Two triangles for the quad a-b-c-d (counter-clockwise).
    pub fn quad(&mut self, a: u32, b: u32, c: u32, d: u32) {
        self.indices.extend([a, b, c, a, c, d]);
    }

    /// Appends `other`'s vertices and triangles (same material).
    pub fn append(&mut self, other: &Primitive) {
        let base = self.positions.len() as u32;
        self.positions.extend(&other.positions);
        self.normals.extend(&other.normals);
        self.uvs.extend(&other.uvs);
        self.joints.extend(&other.joints);
        self.weights.extend(&other.weights);
        self.indices.extend(other.indices.iter().map(|i| i + base));
    }

    /// Area-weighted vertex normals from the triangles (vertices shared by
    /// triangles get a smooth normal).
    pub fn compute_normals(&mut self) {
        let mut sums = vec![Vec3::ZERO; self.positions.len()];
        for tri in self.indices.chunks_exact(3) {
            let [a, b, c] = [tri[0], tri[1], tri[2]].map(|i| self.positions[i as usize]);
            let face = (b - a).cross(c - a); // length = twice the area
            for i in tri {
                sums[*i as usize] += face;
            }
        }
        self.normals = sums
            .into_iter()
            .map(|n| n.try_normalize().unwrap_or(Vec3::Y))
            .collect();
    }

    /// The same surface seen from the other side: winding reversed,
    /// normals flipped, moved `inset_m` against the normals.
    pub fn flipped(&self, inset_m: f32, material: usize) -> Primitive {
        let mut out = self.clone();
        out.material = material;
        for (p, n) in out.positions.iter_mut().zip(&mut out.normals) {
            *p -= *n * inset_m;
            *n = -*n;
        }
        for tri in out.indices.chunks_exact_mut(3) {
            tri.swap(1, 2);
        }
        out
    }
}

/// Two unit vectors perpendicular to `axis` and to each other.
pub fn perpendiculars(axis: Vec3) -> (Vec3, Vec3) {
    let helper = if axis.y.abs() < 0.9 { Vec3::Y } else { Vec3::X };
    let u = axis.cross(helper).normalize();
    (u, axis.cross(u).normalize())
}

/// A tube of `radius` swept along `path` (parallel-transported frames so
/// it does not twist). `closed` joins the last point to the first;
/// otherwise both ends get flat caps.
pub fn tube(path: &[Vec3], radius: f32, sides: usize, closed: bool, material: usize) -> Primitive {
    let mut prim = Primitive::new(material);
    let n = path.len();
    let tangent = |i: usize| -> Vec3 {
        let (prev, next) = if closed {
            (path[(i + n - 1) % n], path[(i + 1) % n])
        } else {
            (path[i.saturating_sub(1)], path[(i + 1).min(n - 1)])
        };
        (next - prev).normalize()
    };
    let (mut u, _) = perpendiculars(tangent(0));
    let mut rings = Vec::with_capacity(n);
    for (i, centre) in path.iter().enumerate() {
        let t = tangent(i);
        // Parallel transport: remove the new tangent's component.
        u = (u - t * u.dot(t)).normalize();
        let v = t.cross(u);
        let first = prim.positions.len() as u32;
        for s in 0..=sides {
            let angle = TAU * s as f32 / sides as f32;
            let normal = u * angle.cos() + v * angle.sin();
            let uv = Vec2::new(i as f32 / (n - 1).max(1) as f32, s as f32 / sides as f32);
            prim.vertex(*centre + normal * radius, normal, uv);
        }
        rings.push(first);
    }
    let ring_count = if closed { n } else { n - 1 };
    for i in 0..ring_count {
        let (a, b) = (rings[i], rings[(i + 1) % n]);
        for s in 0..sides as u32 {
            prim.quad(a + s, a + s + 1, b + s + 1, b + s);
        }
    }
    if !closed {
        for (end, outward) in [(0, -tangent(0)), (n - 1, tangent(n - 1))] {
            let ring = rings[end];
            let ring_points: Vec<Vec3> = (0..sides as u32)
                .map(|s| prim.positions[(ring + s) as usize])
                .collect();
            fan(&mut prim, path[end], outward, &ring_points);
        }
    }
    prim
}

/// A flat fan closing a ring of points around `centre`, facing `normal`.
fn fan(prim: &mut Primitive, centre: Vec3, normal: Vec3, ring: &[Vec3]) {
    let c = prim.vertex(centre, normal, Vec2::splat(0.5));
    let first = prim.positions.len() as u32;
    for p in ring {
        prim.vertex(*p, normal, Vec2::splat(0.5));
    }
    let n = ring.len() as u32;
    for s in 0..n {
        let (a, b) = (first + s, first + (s + 1) % n);
        let (pa, pb) = (ring[s as usize], ring[((s + 1) % n) as usize]);
        // Wind so the face looks along `normal`.
        if (pa - centre).cross(pb - centre).dot(normal) > 0.0 {
            prim.triangle(c, a, b);
        } else {
            prim.triangle(c, b, a);
        }
    }
}

/// A flat annulus (or disc when `inner_m` is 0) centred on `centre`,
/// facing `normal`.
pub fn annulus(
    centre: Vec3,
    normal: Vec3,
    inner_m: f32,
    outer_m: f32,
    segments: usize,
    material: usize,
) -> Primitive {
    let mut prim = Primitive::new(material);
    let (u, v) = perpendiculars(normal);
    for s in 0..=segments {
        let angle = TAU * s as f32 / segments as f32;
        let dir = u * angle.cos() + v * angle.sin();
        let uv = |r: f32| {
            Vec2::new(
                0.5 + 0.5 * r / outer_m * angle.cos(),
                0.5 + 0.5 * r / outer_m * angle.sin(),
            )
        };
        prim.vertex(centre + dir * inner_m, normal, uv(inner_m));
        prim.vertex(centre + dir * outer_m, normal, uv(outer_m));
    }
    for s in 0..segments as u32 {
        let (i0, o0, i1, o1) = (2 * s, 2 * s + 1, 2 * s + 2, 2 * s + 3);
        // u × v = normal, so increasing angle is counter-clockwise seen from the front.
        prim.quad(i0, o0, o1, i1);
    }
    prim
}

/// The side wall of a cylinder from `base` along `axis` (unit) by
/// `length_m`, normals facing out, with flat caps when asked.
pub fn cylinder(
    base: Vec3,
    axis: Vec3,
    radius_m: f32,
    length_m: f32,
    segments: usize,
    caps: bool,
    material: usize,
) -> Primitive {
    let mut prim = Primitive::new(material);
    let (u, v) = perpendiculars(axis);
    for s in 0..=segments {
        let angle = TAU * s as f32 / segments as f32;
        let dir = u * angle.cos() + v * angle.sin();
        let t = s as f32 / segments as f32;
        prim.vertex(base + dir * radius_m, dir, Vec2::new(t, 0.0));
        prim.vertex(
            base + dir * radius_m + axis * length_m,
            dir,
            Vec2::new(t, 1.0),
        );
    }
    for s in 0..segments as u32 {
        let (b0, t0, b1, t1) = (2 * s, 2 * s + 1, 2 * s + 2, 2 * s + 3);
        prim.quad(b0, b1, t1, t0);
    }
    if caps {
        prim.append(&annulus(
            base + axis * length_m,
            axis,
            0.0,
            radius_m,
            segments,
            material,
        ));
        prim.append(&annulus(base, -axis, 0.0, radius_m, segments, material));
    }
    prim
}

/// A box centred on `centre` with edges along the orthonormal `axes`,
/// half sizes `half_m` along them; flat-shaded.
pub fn oriented_box(centre: Vec3, axes: [Vec3; 3], half_m: Vec3, material: usize) -> Primitive {
    let mut prim = Primitive::new(material);
    let half = half_m.to_array();
    for axis in 0..3 {
        for sign in [1.0f32, -1.0] {
            let normal = axes[axis] * sign;
            let (a1, a2) = ((axis + 1) % 3, (axis + 2) % 3);
            let (e1, e2) = (axes[a1] * half[a1], axes[a2] * half[a2] * sign);
            let face_centre = centre + normal * half[axis];
            let corners = [
                face_centre - e1 - e2,
                face_centre + e1 - e2,
                face_centre + e1 + e2,
                face_centre - e1 + e2,
            ];
            let first = prim.positions.len() as u32;
            for (k, corner) in corners.into_iter().enumerate() {
                prim.vertex(
                    corner,
                    normal,
                    Vec2::new((k == 1 || k == 2) as u8 as f32, (k >= 2) as u8 as f32),
                );
            }
            if (corners[1] - corners[0])
                .cross(corners[2] - corners[0])
                .dot(normal)
                > 0.0
            {
                prim.quad(first, first + 1, first + 2, first + 3);
            } else {
                prim.quad(first, first + 3, first + 2, first + 1);
            }
        }
    }
    prim
}

/// Points on a quadratic Bézier curve, `count` of them including both ends.
pub fn bezier(a: Vec3, control: Vec3, b: Vec3, count: usize) -> Vec<Vec3> {
    (0..count)
        .map(|i| {
            let t = i as f32 / (count - 1) as f32;
            a * (1.0 - t) * (1.0 - t) + control * 2.0 * t * (1.0 - t) + b * t * t
        })
        .collect()
}

pub fn smoothstep(edge0: f32, edge1: f32, x: f32) -> f32 {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}
