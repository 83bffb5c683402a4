//! What is built once per garment: particle masses, the distance
//! constraints (stretch along edges, bending across shared edges) and a
//! greedy graph colouring of them, so that each colour can be solved in
//! parallel on the GPU without two threads moving one particle.

use std::collections::HashMap;
use std::ops::Range;

use super::{ClothError, ClothParams, ClothSetup, MAX_CONSTRAINTS, MAX_PARTICLES};

/// Triangles smaller than this (m², a 1.4 µm square) are degenerate: they
/// carry no mass and make no constraints.
const MIN_TRIANGLE_AREA_M2: f32 = 1e-12;

/// What a distance constraint holds together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConstraintKind {
    /// A mesh edge.
    Stretch,
    /// The two vertices opposite an edge shared by two triangles.
    Bend,
}

/// A distance constraint between particles `a` and `b`; its rest length
/// is the distance between their targets, taken anew every substep, and
/// its compliance is the solver's `ClothParams` one for its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Constraint {
    /// The two particles (`a < b`).
    pub a: u32,
    pub b: u32,
    pub kind: ConstraintKind,
}

/// The particles and constraints of a cloth, built once from a
/// [`ClothSetup`]. Shared by [`super::CpuCloth`] and [`super::GpuCloth`].
#[derive(Clone, Debug)]
pub struct ClothTopology {
    /// 1/kg; 0 for particles that follow their target exactly (pinned, or
    /// in no non-degenerate triangle and so without mass).
    pub(crate) inverse_mass: Vec<f32>,
    /// m/N; `f32::INFINITY` for none. 0 only where `inverse_mass` is 0.
    pub(crate) attach_compliance: Vec<f32>,
    /// m; `f32::INFINITY` for none.
    pub(crate) tether_radius_m: Vec<f32>,
    /// Sorted by colour.
    constraints: Vec<Constraint>,
    /// Where each colour's constraints are in `constraints`.
    colours: Vec<Range<usize>>,
}

impl ClothTopology {
    /// Checks `setup` and `params` and builds the constraints; of `params`
    /// only `mass_kg_per_m2` is kept (in the masses). Degenerate
    /// triangles (repeated corners, no area) are skipped; a particle in no
    /// other triangle has no mass and follows its target.
    pub fn build(setup: &ClothSetup, params: &ClothParams) -> Result<ClothTopology, ClothError> {
        params.validate()?;
        let n = setup.positions.len();
        if n == 0 {
            return Err(ClothError::Empty);
        }
        if n > MAX_PARTICLES {
            return Err(ClothError::TooLarge {
                what: "particles",
                count: n,
                max: MAX_PARTICLES,
            });
        }
        for (what, len) in [
            ("attach_compliance", setup.attach_compliance.len()),
            ("tether_radius_m", setup.tether_radius_m.len()),
        ] {
            if len != n {
                return Err(ClothError::LengthMismatch {
                    what,
                    expected: n,
                    actual: len,
                });
            }
        }
        if let Some(index) = setup.positions.iter().position(|p| !p.is_finite()) {
            return Err(ClothError::NonFinite {
                what: "positions",
                index,
            });
        }
        for (what, values) in [
            ("attach_compliance", &setup.attach_compliance),
            ("tether_radius_m", &setup.tether_radius_m),
        ] {
            // Infinity means "none"; NaN and negatives mean nothing.
            if let Some(index) = values.iter().position(|v| v.is_nan() || *v < 0.0) {
                return Err(ClothError::InvalidParticle {
                    what,
                    index,
                    value: values[index],
                    expected: "≥ 0 (or infinity for none)",
                });
            }
        }

        let mut mass_kg = vec![0.0f32; n];
        let mut edges = EdgeMap::default();
        for (triangle, corners) in setup.triangles.iter().enumerate() {
            for &index in corners {
                if index as usize >= n {
                    return Err(ClothError::IndexOutOfRange {
                        triangle,
                        index,
                        particle_count: n,
                    });
                }
            }
            let [i, j, k] = *corners;
            if i == j || j == k || k == i {
                continue;
            }
            let [pi, pj, pk] = corners.map(|c| setup.positions[c as usize]);
            let area_m2 = 0.5 * (pj - pi).cross(pk - pi).length();
            if area_m2 < MIN_TRIANGLE_AREA_M2 {
                continue;
            }
            for c in corners {
                mass_kg[*c as usize] += area_m2 * params.mass_kg_per_m2 / 3.0;
            }
            edges.add(i, j, k);
            edges.add(j, k, i);
            edges.add(k, i, j);
        }

        let inverse_mass = mass_kg
            .iter()
            .zip(&setup.attach_compliance)
            .map(|(&m, &attach)| {
                if m > 0.0 && attach > 0.0 {
                    1.0 / m
                } else {
                    0.0
                }
            })
            .collect();
        let constraints = edges.constraints()?;
        let (constraints, colours) = colour(constraints, n);
        Ok(ClothTopology {
            inverse_mass,
            attach_compliance: setup.attach_compliance.clone(),
            tether_radius_m: setup.tether_radius_m.clone(),
            constraints,
            colours,
        })
    }

    /// Particles: one target, position and velocity each.
    pub fn particle_count(&self) -> usize {
        self.inverse_mass.len()
    }

    /// Stretch and bending constraints together.
    pub fn constraint_count(&self) -> usize {
        self.constraints.len()
    }

    /// How many colours the constraints were split into: the GPU solves one
    /// colour per dispatch.
    pub fn colour_count(&self) -> usize {
        self.colours.len()
    }

    /// Every constraint, sorted by colour.
    pub fn constraints(&self) -> &[Constraint] {
        &self.constraints
    }

    /// The constraints of colour `colour`; `None` past `colour_count()`.
    pub fn colour(&self, colour: usize) -> Option<&[Constraint]> {
        let range = self.colours.get(colour)?;
        self.constraints.get(range.clone())
    }

    /// Per particle, the inverse mass (1/kg); 0 where the particle follows
    /// its target exactly.
    pub fn inverse_mass(&self) -> &[f32] {
        &self.inverse_mass
    }

    /// Whether no two constraints of one colour share a particle (what
    /// makes solving a colour in parallel equal to solving it in order).
    pub fn colours_are_independent(&self) -> bool {
        // The colour that last touched each particle.
        let mut seen = vec![usize::MAX; self.particle_count()];
        self.colours.iter().enumerate().all(|(colour, range)| {
            self.constraints[range.clone()].iter().all(|c| {
                [c.a, c.b].iter().all(|&p| {
                    let slot = &mut seen[p as usize];
                    let fresh = *slot != colour;
                    *slot = colour;
                    fresh
                }) && c.a != c.b
            })
        })
    }

    pub(crate) fn colour_ranges(&self) -> &[Range<usize>] {
        &self.colours
    }
}

/// Mesh edges in first-seen order (so the build is deterministic), each
/// with the corners opposite it.
#[derive(Default)]
struct EdgeMap {
    index: HashMap<(u32, u32), usize>,
    /// (a, b, corners opposite, how many triangles share it).
    edges: Vec<(u32, u32, [u32; 2], u32)>,
}

impl EdgeMap {
    fn add(&mut self, a: u32, b: u32, opposite: u32) {
        let key = (a.min(b), a.max(b));
        let edges = &mut self.edges;
        let i = *self.index.entry(key).or_insert_with(|| {
            edges.push((key.0, key.1, [opposite, opposite], 0));
            edges.len() - 1
        });
        let edge = &mut self.edges[i];
        if edge.3 == 1 {
            edge.2[1] = opposite;
        }
        edge.3 += 1;
    }

    /// One stretch constraint per edge, then one bending constraint per
    /// edge shared by exactly two triangles (a non-manifold edge has no
    /// single hinge to keep), skipping pairs already constrained.
    fn constraints(&self) -> Result<Vec<Constraint>, ClothError> {
        let mut constraints: Vec<Constraint> = self
            .edges
            .iter()
            .map(|&(a, b, _, _)| Constraint {
                a,
                b,
                kind: ConstraintKind::Stretch,
            })
            .collect();
        let mut pairs: std::collections::HashSet<(u32, u32)> = self.index.keys().copied().collect();
        for &(_, _, [c, d], count) in &self.edges {
            let key = (c.min(d), c.max(d));
            if count == 2 && c != d && pairs.insert(key) {
                constraints.push(Constraint {
                    a: key.0,
                    b: key.1,
                    kind: ConstraintKind::Bend,
                });
            }
        }
        if constraints.len() > MAX_CONSTRAINTS {
            return Err(ClothError::TooLarge {
                what: "constraints",
                count: constraints.len(),
                max: MAX_CONSTRAINTS,
            });
        }
        Ok(constraints)
    }
}

/// Greedy colouring: each constraint takes the lowest colour neither of its
/// particles has yet. Returns the constraints sorted by colour (stable, so
/// the order within a colour is the build order) and each colour's range.
fn colour(
    constraints: Vec<Constraint>,
    particle_count: usize,
) -> (Vec<Constraint>, Vec<Range<usize>>) {
    // Per particle, a bit set of the colours its constraints already have.
    let mut used: Vec<Vec<u64>> = vec![Vec::new(); particle_count];
    let mut colour_of = Vec::with_capacity(constraints.len());
    let mut colour_count = 0;
    for c in &constraints {
        let (a, b) = (&used[c.a as usize], &used[c.b as usize]);
        let words = a.len().max(b.len()) + 1;
        let word_at = |set: &Vec<u64>, w: usize| set.get(w).copied().unwrap_or(0);
        let colour = (0..words)
            .find_map(|w| {
                let free = !(word_at(a, w) | word_at(b, w));
                (free != 0).then(|| w * 64 + free.trailing_zeros() as usize)
            })
            .unwrap_or(words * 64);
        for p in [c.a, c.b] {
            let set = &mut used[p as usize];
            if set.len() <= colour / 64 {
                set.resize(colour / 64 + 1, 0);
            }
            set[colour / 64] |= 1 << (colour % 64);
        }
        colour_count = colour_count.max(colour + 1);
        colour_of.push(colour);
    }
    let mut counts = vec![0usize; colour_count];
    for &colour in &colour_of {
        counts[colour] += 1;
    }
    let mut ranges = Vec::with_capacity(colour_count);
    let mut start = 0;
    for count in counts {
        ranges.push(start..start + count);
        start += count;
    }
    let mut next: Vec<usize> = ranges.iter().map(|r| r.start).collect();
    let mut sorted = constraints.clone();
    for (c, colour) in constraints.into_iter().zip(colour_of) {
        sorted[next[colour]] = c;
        next[colour] += 1;
    }
    (sorted, ranges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::Vec3;

    fn quad() -> ClothSetup {
        ClothSetup {
            positions: vec![Vec3::ZERO, Vec3::X, Vec3::new(1.0, 1.0, 0.0), Vec3::Y],
            triangles: vec![[0, 1, 2], [0, 2, 3]],
            attach_compliance: vec![f32::INFINITY; 4],
            tether_radius_m: vec![f32::INFINITY; 4],
        }
    }

    #[test]
    fn quad_masses_and_constraints() {
        let params = ClothParams::default();
        let topology = ClothTopology::build(&quad(), &params).unwrap();
        // 5 edges, and one bending pair (1, 3) across the diagonal.
        assert_eq!(topology.constraint_count(), 6);
        let bends: Vec<_> = topology
            .constraints()
            .iter()
            .filter(|c| c.kind == ConstraintKind::Bend)
            .map(|c| (c.a, c.b))
            .collect();
        assert_eq!(bends, [(1, 3)]);
        // Corners 0 and 2 are in both triangles (area 0.5 m² each).
        let mass = |i: usize| 1.0 / topology.inverse_mass()[i];
        let third = 0.5 * params.mass_kg_per_m2 / 3.0;
        assert!((mass(0) - 2.0 * third).abs() < 1e-6);
        assert!((mass(1) - third).abs() < 1e-6);
        assert!(topology.colours_are_independent());
    }

    #[test]
    fn degenerate_triangles_add_nothing() {
        let mut setup = quad();
        setup.positions.push(Vec3::new(2.0, 0.0, 0.0));
        setup.attach_compliance.push(f32::INFINITY);
        setup.tether_radius_m.push(f32::INFINITY);
        // A repeated corner, and three collinear points (no area).
        setup.triangles.push([1, 1, 4]);
        setup.triangles.push([0, 1, 4]);
        let topology = ClothTopology::build(&setup, &ClothParams::default()).unwrap();
        assert_eq!(topology.constraint_count(), 6);
        // Particle 4 has no mass: it follows its target.
        assert_eq!(topology.inverse_mass()[4], 0.0);
    }

    #[test]
    fn pinned_particles_have_no_inverse_mass() {
        let mut setup = quad();
        setup.attach_compliance[2] = 0.0;
        let topology = ClothTopology::build(&setup, &ClothParams::default()).unwrap();
        assert_eq!(topology.inverse_mass()[2], 0.0);
        assert!(topology.inverse_mass()[1] > 0.0);
    }

    #[test]
    fn a_fan_needs_one_colour_per_spoke() {
        // 100 triangles around one hub: more than 64 colours, past one word
        // of the bit set.
        let spokes = 100u32;
        let mut positions = vec![Vec3::ZERO];
        for i in 0..spokes {
            let angle = i as f32 / spokes as f32 * std::f32::consts::TAU;
            positions.push(Vec3::new(angle.cos(), angle.sin(), 0.0));
        }
        let triangles = (0..spokes)
            .map(|i| [0, 1 + i, 1 + (i + 1) % spokes])
            .collect();
        let n = positions.len();
        let setup = ClothSetup {
            positions,
            triangles,
            attach_compliance: vec![f32::INFINITY; n],
            tether_radius_m: vec![f32::INFINITY; n],
        };
        let topology = ClothTopology::build(&setup, &ClothParams::default()).unwrap();
        assert!(topology.colour_count() >= spokes as usize);
        assert!(topology.colours_are_independent());
    }
}
