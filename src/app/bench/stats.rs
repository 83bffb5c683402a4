//! The figures of an interleaved benchmark: each side's pooled samples as
//! a median with its p10–p90 spread, and drape/peer as the ratio of the
//! medians with the p10–p90 of the per-round ratios. On a shared machine
//! the spread says how far a single figure can be trusted.

/// The `q` quantile (0 to 1) of `values`, interpolated linearly between
/// the two nearest ranks (NumPy's default); NaN for no values.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let at = q.clamp(0.0, 1.0) * last as f64;
    let (below, above) = (at.floor() as usize, at.ceil() as usize);
    sorted[below] + (sorted[above] - sorted[below]) * (at - below as f64)
}

/// Median and p10–p90 of some samples, in their unit (ms, or a ratio).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Spread {
    /// The middle sample (the mean of the middle two for an even count).
    pub median: f64,
    /// A tenth of the samples are below this one.
    pub p10: f64,
    /// A tenth of the samples are above this one.
    pub p90: f64,
}

impl Spread {
    /// NaN everywhere for no samples.
    pub fn of(values: &[f64]) -> Spread {
        Spread {
            median: quantile(values, 0.5),
            p10: quantile(values, 0.1),
            p90: quantile(values, 0.9),
        }
    }
}

/// One configuration timed in rounds: each round's samples, in ms.
#[derive(Debug, Clone, Default)]
pub struct Rounds {
    /// The samples of round 0, 1, ...
    pub rounds: Vec<Vec<f64>>,
}

impl Rounds {
    /// Every round's samples together.
    pub fn pooled(&self) -> Vec<f64> {
        self.rounds.iter().flatten().copied().collect()
    }

    /// The spread of the pooled samples.
    pub fn spread(&self) -> Spread {
        Spread::of(&self.pooled())
    }
}

/// drape against a peer timed in the same rounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    /// drape's pooled median over the peer's.
    pub of_medians: f64,
    /// p10 of the rounds' own ratios (of each round's medians).
    pub rounds_p10: f64,
    /// p90 of the rounds' own ratios.
    pub rounds_p90: f64,
}

/// The ratio drape/peer; rounds are paired in order, and a round either
/// side lacks samples for is left out of the per-round spread.
pub fn ratio(drape: &Rounds, peer: &Rounds) -> Ratio {
    let per_round: Vec<f64> = drape
        .rounds
        .iter()
        .zip(&peer.rounds)
        .filter(|(d, p)| !d.is_empty() && !p.is_empty())
        .map(|(d, p)| quantile(d, 0.5) / quantile(p, 0.5))
        .collect();
    Ratio {
        of_medians: drape.spread().median / peer.spread().median,
        rounds_p10: quantile(&per_round, 0.1),
        rounds_p90: quantile(&per_round, 0.9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal but for the last bits of the interpolation's rounding.
    fn assert_near(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 1e-12, "{actual} != {expected}");
    }

    #[test]
    fn quantiles_interpolate_between_ranks() {
        let values = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(quantile(&values, 0.5), 3.0);
        assert_eq!(quantile(&values, 0.0), 1.0);
        assert_eq!(quantile(&values, 1.0), 5.0);
        // 0.1 × 4 = 0.4 of the way from 1 to 2.
        assert_near(quantile(&values, 0.1), 1.4);
        assert_near(quantile(&values, 0.9), 4.6);
        // An even count: the mean of the middle two.
        assert_eq!(quantile(&[4.0, 1.0, 3.0, 2.0], 0.5), 2.5);
        assert_eq!(quantile(&[7.0], 0.9), 7.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn rounds_pool_their_samples() {
        let rounds = Rounds {
            rounds: vec![vec![10.0, 12.0], vec![11.0, 30.0, 9.0]],
        };
        assert_eq!(rounds.pooled(), [10.0, 12.0, 11.0, 30.0, 9.0]);
        let spread = rounds.spread();
        assert_eq!(spread.median, 11.0);
        assert_near(spread.p10, 9.4);
        assert_near(spread.p90, 22.8);
    }

    #[test]
    fn ratio_of_medians_and_spread_of_round_ratios() {
        let drape = Rounds {
            rounds: vec![vec![10.0, 10.0], vec![20.0, 20.0], vec![30.0], vec![]],
        };
        let peer = Rounds {
            rounds: vec![vec![5.0, 5.0], vec![10.0, 10.0], vec![10.0], vec![4.0]],
        };
        let r = ratio(&drape, &peer);
        // Pooled medians 20 and 7.5.
        assert_eq!(r.of_medians, 20.0 / 7.5);
        // Round ratios 2, 2, 3 (the fourth has no drape samples).
        assert_eq!(r.rounds_p10, 2.0);
        assert_near(r.rounds_p90, 2.8);
    }
}
