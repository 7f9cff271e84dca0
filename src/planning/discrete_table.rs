//! A tabulated discrete distribution: the probability mass built by its recurrence from 0
//! until the tail is negligible, with prefix sums of P(X = j), j·P(X = j) and j²·P(X = j).
//! The planner evaluates the distribution function, quantile and first- and second-order
//! loss functions of every slow mover several times; from the table each is a lookup,
//! where the special functions cost a continued fraction each. Distributions whose mass at
//! 0 underflows (large means) are not tabulated: the caller falls back to [`Discrete`].

use super::discrete::Discrete;

/// Stop once the remaining tail mass is below this.
const TAIL: f64 = 1e-11;
/// Largest table built.
const MAX_LEN: usize = 100_000;

/// Prefix sums of a discrete distribution on 0, 1, 2, ...
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// `prefix[k]` = (P(X <= k), E[X; X <= k], E[X²; X <= k]).
    prefix: Vec<[f64; 3]>,
    mean: f64,
    second_moment: f64,
}

impl Table {
    /// Tabulate `d`, or `None` when its mass at 0 underflows or the table would be huge.
    pub fn new(d: &Discrete) -> Option<Table> {
        let mean = d.mean();
        let var = d.variance();
        let ln_p0 = match *d {
            Discrete::Poisson { mean } => -mean,
            Discrete::NegBin { r, p } => r * p.ln(),
        };
        let ratio = |k: f64| match *d {
            Discrete::Poisson { mean } => mean / (k + 1.0),
            Discrete::NegBin { r, p } => (k + r) * (1.0 - p) / (k + 1.0),
        };
        if ln_p0.is_nan() || ln_p0 <= -700.0 {
            return None;
        }
        let mut pmf = ln_p0.exp();
        let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
        let mut prefix = Vec::with_capacity((mean + 10.0 * var.sqrt() + 16.0) as usize);
        let mut k = 0.0;
        loop {
            a += pmf;
            b += k * pmf;
            c += k * k * pmf;
            prefix.push([a, b, c]);
            if (k > mean && 1.0 - a < TAIL) || prefix.len() >= MAX_LEN {
                break;
            }
            pmf *= ratio(k);
            k += 1.0;
        }
        if 1.0 - a >= 1e-8 {
            return None;
        }
        Some(Table {
            prefix,
            mean,
            second_moment: var + mean * mean,
        })
    }

    /// Prefix sums at integer k (k >= 0), constant past the table's end.
    fn at(&self, k: f64) -> [f64; 3] {
        let i = (k as usize).min(self.prefix.len() - 1);
        self.prefix[i]
    }

    /// P(X <= x).
    pub fn cdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            0.0
        } else {
            self.at(x.floor())[0].min(1.0)
        }
    }

    /// Smallest integer k with P(X <= k) >= alpha.
    pub fn quantile(&self, alpha: f64) -> f64 {
        let i = self.prefix.partition_point(|p| p[0] < alpha);
        i.min(self.prefix.len() - 1) as f64
    }

    /// n(x) = E[(X − x)⁺]: μ − k + k·P(X <= k) − E[X; X <= k] at k = ⌊x⌋, linear between.
    pub fn loss(&self, x: f64) -> f64 {
        if x < 0.0 {
            return self.mean - x;
        }
        let k = x.floor();
        let [a, b, _] = self.at(k);
        let at_k = self.mean - k + k * a - b;
        (at_k - (x - k) * (1.0 - a)).max(0.0)
    }

    /// N2(k) = ½E[(X − k)(X − k − 1); X > k] at integer k: the whole expectation minus
    /// its part on X <= k.
    pub fn loss2(&self, k: f64) -> f64 {
        let total = 0.5 * (self.second_moment - (2.0 * k + 1.0) * self.mean + k * (k + 1.0));
        if k < 0.0 {
            return total;
        }
        let [a, b, c] = self.at(k);
        let below = 0.5 * (c - (2.0 * k + 1.0) * b + k * (k + 1.0) * a);
        (total - below).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_special_functions() {
        for d in [
            Discrete::Poisson { mean: 0.4 },
            Discrete::Poisson { mean: 37.0 },
            Discrete::NegBin { r: 0.3, p: 0.05 },
            Discrete::NegBin { r: 4.0, p: 0.6 },
        ] {
            let t = Table::new(&d).unwrap();
            for k in 0..60 {
                let x = f64::from(k);
                assert!((t.cdf(x) - d.cdf(x)).abs() < 1e-10, "{d:?} cdf {k}");
                assert!(
                    (t.loss(x + 0.25) - d.loss(x + 0.25)).abs() < 1e-10,
                    "{d:?} n {k}"
                );
                assert!((t.loss2(x) - d.loss2(x)).abs() < 1e-7, "{d:?} N2 {k}");
            }
            for alpha in [0.05, 0.5, 0.95, 0.999] {
                assert_eq!(t.quantile(alpha), d.quantile(alpha), "{d:?} {alpha}");
            }
            assert_eq!(t.loss2(-3.0), d.loss2(-3.0));
        }
        assert!(Table::new(&Discrete::Poisson { mean: 1e4 }).is_none());
    }
}
