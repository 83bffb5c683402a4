//! The reference body as a signed distance field: what the garments are
//! draped over (`sew`) and what shades their insides (`occlusion`). A
//! smooth union of an elliptic torso, shoulder girdles, deltoids, tapered
//! arms and the neck, in the T-pose of `RestSkeleton::reference()`
//! (metres, +Y up, facing +Z, the wearer's left at +X).

use glam::{Vec2, Vec3};

/// Torso cross-sections up the body: (height, half width, half depth,
/// z of the centre).
const TORSO: [(f32, f32, f32, f32); 10] = [
    (0.62, 0.160, 0.105, 0.000),
    (0.80, 0.172, 0.112, 0.000),
    (0.92, 0.170, 0.108, 0.000),
    (1.04, 0.152, 0.100, 0.004),
    (1.14, 0.154, 0.106, 0.010),
    (1.24, 0.165, 0.116, 0.016),
    (1.32, 0.168, 0.118, 0.016),
    (1.39, 0.162, 0.110, 0.008),
    (1.44, 0.140, 0.095, -0.004),
    (1.48, 0.100, 0.075, -0.012),
];
const TORSO_TOP: f32 = 1.485;
const BLEND_M: f32 = 0.035;

#[derive(Debug, Clone, Copy)]
pub struct Body {
    /// Metres added all round (cloth thickness and a little air).
    pub inflate_m: f32,
    /// Both arms lowered this far from the T-pose about the shoulder
    /// joints (as `skin::pose_points` lowers a garment's sleeves).
    pub arm_drop_rad: f32,
}

impl Body {
    /// The T-pose body, inflated by `inflate_m`.
    pub fn t_pose(inflate_m: f32) -> Body {
        Body {
            inflate_m,
            arm_drop_rad: 0.0,
        }
    }
}

fn smin(a: f32, b: f32, k: f32) -> f32 {
    let h = (k - (a - b).abs()).max(0.0) / k;
    a.min(b) - h * h * k * 0.25
}

/// Distance to a capsule whose radius tapers from `ra` at `a` to `rb` at `b`.
fn round_cone(p: Vec3, a: Vec3, b: Vec3, ra: f32, rb: f32) -> f32 {
    let ab = b - a;
    let t = ((p - a).dot(ab) / ab.length_squared()).clamp(0.0, 1.0);
    p.distance(a + ab * t) - (ra + (rb - ra) * t)
}

fn torso_section(y: f32) -> (f32, f32, f32) {
    let y = y.clamp(TORSO[0].0, TORSO[TORSO.len() - 1].0);
    let k = TORSO
        .windows(2)
        .position(|w| y <= w[1].0)
        .unwrap_or(TORSO.len() - 2);
    let (a, b) = (TORSO[k], TORSO[k + 1]);
    let t = (y - a.0) / (b.0 - a.0);
    let t = t * t * (3.0 - 2.0 * t);
    (
        a.1 + (b.1 - a.1) * t,
        a.2 + (b.2 - a.2) * t,
        a.3 + (b.3 - a.3) * t,
    )
}

/// Approximate distance to an ellipse of half axes `r` (exact on it).
fn ellipse(p: Vec2, r: Vec2) -> f32 {
    let k0 = (p / r).length();
    let k1 = (p / (r * r)).length();
    if k1 < 1e-9 {
        return -r.min_element();
    }
    k0 * (k0 - 1.0) / k1
}

impl Body {
    pub fn distance(&self, p: Vec3) -> f32 {
        let (a, b, c) = torso_section(p.y);
        let side = ellipse(Vec2::new(p.x, p.z - c), Vec2::new(a, b));
        let top = p.y - TORSO_TOP;
        let torso = if side > 0.0 && top > 0.0 {
            Vec2::new(side, top).length()
        } else {
            side.max(top)
        };
        let mut d = torso;
        let x = p.x.abs();
        let q = Vec3::new(x, p.y, p.z);
        // Trapezius / shoulder girdle, from the neck base to the shoulder.
        d = smin(
            d,
            round_cone(
                q,
                Vec3::new(0.035, 1.473, -0.02),
                Vec3::new(0.165, 1.45, -0.005),
                0.058,
                0.052,
            ),
            BLEND_M,
        );
        // Deltoid.
        d = smin(d, q.distance(Vec3::new(0.185, 1.445, 0.0)) - 0.058, BLEND_M);
        // Upper arm and forearm, in the arm's T-pose frame.
        let pivot = Vec3::new(0.19, 1.45, 0.0);
        let (sin, cos) = self.arm_drop_rad.sin_cos();
        let r = q - pivot;
        let q = pivot + Vec3::new(r.x * cos - r.y * sin, r.x * sin + r.y * cos, r.z);
        d = smin(
            d,
            round_cone(
                q,
                Vec3::new(0.19, 1.45, 0.0),
                Vec3::new(0.47, 1.45, 0.0),
                0.052,
                0.042,
            ),
            BLEND_M,
        );
        d = d.min(round_cone(
            q,
            Vec3::new(0.47, 1.45, 0.0),
            Vec3::new(0.73, 1.45, 0.0),
            0.042,
            0.03,
        ));
        // Neck.
        d = smin(
            d,
            round_cone(
                q,
                Vec3::new(0.0, 1.44, -0.012),
                Vec3::new(0.0, 1.66, -0.01),
                0.06,
                0.056,
            ),
            0.02,
        );
        d - self.inflate_m
    }

    /// The outward unit gradient, by central differences.
    pub fn gradient(&self, p: Vec3) -> Vec3 {
        let e = 1e-3;
        let d = |o: Vec3| self.distance(p + o) - self.distance(p - o);
        Vec3::new(d(Vec3::X * e), d(Vec3::Y * e), d(Vec3::Z * e)).normalize_or(Vec3::Y)
    }
}
