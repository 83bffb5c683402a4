//! The capsules (body parts) the cloth collides with.

use glam::Vec3;

use super::{ClothError, MAX_CAPSULES};

/// A capsule the cloth collides with: the segment `a`→`b` swept by a
/// sphere of radius `a[3]`.
// This must be kept in sync with Capsule in shaders/cloth/xpbd.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Capsule {
    /// First end (xyz, m); w is the radius in metres.
    pub a: [f32; 4],
    /// Second end (xyz, m); w unused.
    pub b: [f32; 4],
}

impl Capsule {
    /// The capsule around segment `a`→`b` with radius `radius_m`.
    pub fn new(a: Vec3, b: Vec3, radius_m: f32) -> Capsule {
        Capsule {
            a: a.extend(radius_m).to_array(),
            b: b.extend(0.0).to_array(),
        }
    }

    /// The radius in metres.
    pub fn radius_m(&self) -> f32 {
        self.a[3]
    }

    /// The distance from `p` to the capsule's axis segment (m).
    pub fn axis_distance_m(&self, p: Vec3) -> f32 {
        let (a, b) = (Vec3::from_slice(&self.a), Vec3::from_slice(&self.b));
        (p - closest_on_segment(a, b, p)).length()
    }
}

/// The point of segment `a`→`b` closest to `p`. The same arithmetic as
/// `closest_on_segment` in xpbd.wgsl.
pub(super) fn closest_on_segment(a: Vec3, b: Vec3, p: Vec3) -> Vec3 {
    let ab = b - a;
    let len2 = ab.dot(ab);
    let s = if len2 > 1e-12 {
        ((p - a).dot(ab) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    a + ab * s
}

/// Fails unless there are at most `MAX_CAPSULES` valid capsules.
pub(super) fn check_capsules(capsules: &[Capsule]) -> Result<(), ClothError> {
    if capsules.len() > MAX_CAPSULES {
        return Err(ClothError::TooManyCapsules {
            count: capsules.len(),
        });
    }
    for (index, c) in capsules.iter().enumerate() {
        let finite = c.a.iter().chain(&c.b[..3]).all(|v| v.is_finite());
        if !finite || c.radius_m() < 0.0 {
            return Err(ClothError::InvalidCapsule { index });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capsule_distance_and_checks() {
        let c = Capsule::new(Vec3::ZERO, Vec3::Y, 0.1);
        assert_eq!(c.radius_m(), 0.1);
        assert!((c.axis_distance_m(Vec3::new(0.5, 0.5, 0.0)) - 0.5).abs() < 1e-6);
        assert!((c.axis_distance_m(Vec3::new(0.0, 2.0, 0.0)) - 1.0).abs() < 1e-6);
        assert!(check_capsules(&[c; MAX_CAPSULES]).is_ok());
        assert!(matches!(
            check_capsules(&[c; MAX_CAPSULES + 1]),
            Err(ClothError::TooManyCapsules { count: 17 })
        ));
        let bad = Capsule::new(Vec3::ZERO, Vec3::Y, -0.1);
        assert!(matches!(
            check_capsules(&[c, bad]),
            Err(ClothError::InvalidCapsule { index: 1 })
        ));
    }
}
