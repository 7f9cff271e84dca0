//! The distribution of demand over a protection interval (a lead time, or a lead time plus
//! a review period): normal, discrete (Poisson / negative binomial moment-matched from mean
//! and sd, for slow and intermittent items) or empirical (sums of forecast sample paths).
//! Each offers the distribution function, quantile, and first- and second-order loss
//! functions that the service-level formulas need.

use super::discrete::Discrete;
use super::discrete_table::Table;
use super::normal;

/// How to model demand over a protection interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistributionChoice {
    /// Always normal.
    Normal,
    /// Poisson, or negative binomial when over-dispersed (moment-matched).
    Discrete,
    /// Discrete when the interval's mean demand is below the planner's threshold, else
    /// normal. Sample paths, when given, are used instead (empirical).
    Auto,
}

/// The distribution an item was planned with (reported per item).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum DistributionKind {
    Normal = 0,
    Poisson = 1,
    NegativeBinomial = 2,
    Empirical = 3,
}

/// Demand over a protection interval.
#[derive(Debug, Clone, PartialEq)]
pub enum Demand {
    /// N(mean, sd²); sd may be 0 (deterministic).
    Normal { mean: f64, sd: f64 },
    /// A discrete distribution on 0, 1, 2, ... (evaluated by special functions).
    Discrete(Discrete),
    /// The same, tabulated (slow movers: every evaluation is a lookup).
    Tabulated(Discrete, Box<Table>),
    /// Equally likely outcomes, sorted ascending.
    Empirical(Vec<f64>),
}

impl Demand {
    /// Build from moments: discrete when `choice` says so (or `Auto` and the mean is below
    /// `discrete_below`), normal otherwise.
    pub fn from_moments(
        mean: f64,
        sd: f64,
        choice: DistributionChoice,
        discrete_below: f64,
    ) -> Self {
        let discrete = match choice {
            DistributionChoice::Normal => false,
            DistributionChoice::Discrete => true,
            DistributionChoice::Auto => mean < discrete_below,
        };
        if discrete {
            let d = Discrete::moment_matched(mean, sd);
            match Table::new(&d) {
                Some(t) => Demand::Tabulated(d, Box::new(t)),
                None => Demand::Discrete(d),
            }
        } else {
            Demand::Normal { mean, sd }
        }
    }

    /// Build from equally likely samples (NaNs dropped).
    pub fn from_samples(mut samples: Vec<f64>) -> Self {
        samples.retain(|v| !v.is_nan());
        samples.sort_by(f64::total_cmp);
        if samples.is_empty() {
            samples.push(0.0);
        }
        Demand::Empirical(samples)
    }

    /// Which family this is.
    pub fn kind(&self) -> DistributionKind {
        match self {
            Demand::Normal { .. } => DistributionKind::Normal,
            Demand::Discrete(Discrete::Poisson { .. })
            | Demand::Tabulated(Discrete::Poisson { .. }, _) => DistributionKind::Poisson,
            Demand::Discrete(Discrete::NegBin { .. })
            | Demand::Tabulated(Discrete::NegBin { .. }, _) => DistributionKind::NegativeBinomial,
            Demand::Empirical(_) => DistributionKind::Empirical,
        }
    }

    /// Whether outcomes (and so sensible stock levels) are whole units.
    pub fn is_integer(&self) -> bool {
        matches!(self, Demand::Discrete(_) | Demand::Tabulated(..))
    }

    /// Mean demand.
    pub fn mean(&self) -> f64 {
        match self {
            Demand::Normal { mean, .. } => *mean,
            Demand::Discrete(d) | Demand::Tabulated(d, _) => d.mean(),
            Demand::Empirical(s) => s.iter().sum::<f64>() / s.len() as f64,
        }
    }

    /// Standard deviation of demand.
    pub fn sd(&self) -> f64 {
        match self {
            Demand::Normal { sd, .. } => *sd,
            Demand::Discrete(d) | Demand::Tabulated(d, _) => d.variance().sqrt(),
            Demand::Empirical(s) => {
                let m = self.mean();
                (s.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / s.len() as f64).sqrt()
            }
        }
    }

    /// P(D <= x).
    pub fn cdf(&self, x: f64) -> f64 {
        match self {
            Demand::Normal { mean, sd } => {
                if has_spread(*mean, *sd) {
                    normal::cdf((x - mean) / sd)
                } else if x >= *mean {
                    1.0
                } else {
                    0.0
                }
            }
            Demand::Discrete(d) => d.cdf(x),
            Demand::Tabulated(_, t) => t.cdf(x),
            Demand::Empirical(s) => s.partition_point(|v| *v <= x) as f64 / s.len() as f64,
        }
    }

    /// The α-quantile: `μ + zσ` (normal), the smallest integer with F >= α (discrete), the
    /// smallest sample with F >= α (empirical).
    pub fn quantile(&self, alpha: f64) -> f64 {
        match self {
            Demand::Normal { mean, sd } => mean + sd * normal::quantile(alpha),
            Demand::Discrete(d) => d.quantile(alpha),
            Demand::Tabulated(_, t) => t.quantile(alpha),
            Demand::Empirical(s) => {
                let k = ((alpha * s.len() as f64).ceil() as usize).clamp(1, s.len());
                s[k - 1]
            }
        }
    }

    /// First-order loss n(x) = E[(D − x)⁺].
    pub fn loss(&self, x: f64) -> f64 {
        match self {
            Demand::Normal { mean, sd } => {
                if has_spread(*mean, *sd) {
                    sd * normal::loss((x - mean) / sd)
                } else {
                    (mean - x).max(0.0)
                }
            }
            Demand::Discrete(d) => d.loss(x),
            Demand::Tabulated(_, t) => t.loss(x),
            Demand::Empirical(s) => {
                let start = s.partition_point(|v| *v <= x);
                s[start..].iter().map(|v| v - x).sum::<f64>() / s.len() as f64
            }
        }
    }

    /// Second-order loss, the antiderivative of −n: `½E[((D − x)⁺)²]` for continuous
    /// demand, and for discrete demand `½E[(D − x)(D − x − 1); D > x]` at integers, whose
    /// differences sum the first-order loss: N2(r) − N2(r + Q) = n(r + 1) + … + n(r + Q).
    pub fn loss2(&self, x: f64) -> f64 {
        match self {
            Demand::Normal { mean, sd } => {
                if has_spread(*mean, *sd) {
                    sd * sd * normal::loss2((x - mean) / sd)
                } else {
                    0.5 * (mean - x).max(0.0).powi(2)
                }
            }
            Demand::Discrete(d) => d.loss2(x.floor()),
            Demand::Tabulated(_, t) => t.loss2(x.floor()),
            Demand::Empirical(s) => {
                let start = s.partition_point(|v| *v <= x);
                0.5 * s[start..].iter().map(|v| (v - x) * (v - x)).sum::<f64>() / s.len() as f64
            }
        }
    }
}

/// Whether a normal's sd is large enough to divide by: an sd below 1e-12 of the mean (or of
/// one unit) is a point mass, whose standardised arguments would overflow to ±inf.
fn has_spread(mean: f64, sd: f64) -> bool {
    sd > 1e-12 * mean.abs().max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tiny_sd_is_a_point_mass() {
        let d = Demand::Normal {
            mean: 10.0,
            sd: 7.4e-162,
        };
        assert_eq!(d.cdf(10.0), 1.0);
        assert_eq!(d.cdf(9.5), 0.0);
        assert_eq!(d.loss(8.0), 2.0);
        assert_eq!(d.loss2(8.0), 2.0);
    }

    #[test]
    fn discrete_second_loss_sums_first_loss() {
        for d in [
            Discrete::Poisson { mean: 7.3 },
            Discrete::NegBin { r: 1.7, p: 0.25 },
        ] {
            let dem = Demand::Discrete(d);
            let tab = Demand::from_moments(
                d.mean(),
                d.variance().sqrt(),
                DistributionChoice::Discrete,
                0.0,
            );
            assert!(matches!(tab, Demand::Tabulated(..)));
            assert!((tab.loss2(4.0) - dem.loss2(4.0)).abs() < 1e-9);
            let (r, q) = (4.0, 9.0);
            let sum: f64 = (1..=9).map(|k| dem.loss(r + f64::from(k))).sum();
            assert!(
                (dem.loss2(r) - dem.loss2(r + q) - sum).abs() < 1e-10,
                "{d:?}"
            );
            // N2(-1) = ½E[(D+1)D] = ½(Var + μ² + μ).
            let m = d.mean();
            assert!((dem.loss2(-1.0) - 0.5 * (d.variance() + m * m + m)).abs() < 1e-9);
        }
    }

    #[test]
    fn empirical_and_auto_choice() {
        let e = Demand::from_samples(vec![3.0, 1.0, 2.0, 2.0, f64::NAN]);
        assert_eq!(e.quantile(0.5), 2.0);
        assert_eq!(e.quantile(0.76), 3.0);
        assert!((e.cdf(2.0) - 0.75).abs() < 1e-15);
        assert!((e.loss(1.5) - 0.625).abs() < 1e-15);
        assert!((e.mean() - 2.0).abs() < 1e-15);
        let slow = Demand::from_moments(2.0, 3.0, DistributionChoice::Auto, 20.0);
        assert_eq!(slow.kind(), DistributionKind::NegativeBinomial);
        let fast = Demand::from_moments(200.0, 3.0, DistributionChoice::Auto, 20.0);
        assert_eq!(fast.kind(), DistributionKind::Normal);
    }
}
