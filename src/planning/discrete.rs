//! Discrete demand distributions for slow and intermittent items: Poisson and negative
//! binomial (scipy's parametrisation: failures before the `r`-th success, success
//! probability `p`; `r` need not be an integer). Probability mass, distribution and
//! survival functions, the first-order loss function n(x) = E[(X - x)⁺] and its
//! complement, the quantile, and the inverse of the loss function.

use super::normal;
use super::special::{beta_inc, gamma_p, gamma_q, ln_gamma};

/// A Poisson or negative binomial distribution on 0, 1, 2, ...
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Discrete {
    /// Poisson with the given mean (>= 0).
    Poisson { mean: f64 },
    /// Negative binomial with `r` > 0 and `p` in (0, 1].
    NegBin { r: f64, p: f64 },
}

impl Discrete {
    /// The negative binomial with this mean and standard deviation when the variance
    /// exceeds the mean (`r = μ²/(σ² − μ)`, `p = μ/σ²`); otherwise the Poisson with this mean
    /// (a Poisson cannot have less variance than mean, so under-dispersed demand gets
    /// the closest discrete fit).
    pub fn moment_matched(mean: f64, sd: f64) -> Self {
        let var = sd * sd;
        if mean > 0.0 && var > mean * (1.0 + 1e-12) {
            Discrete::NegBin {
                r: mean * mean / (var - mean),
                p: mean / var,
            }
        } else {
            Discrete::Poisson {
                mean: mean.max(0.0),
            }
        }
    }

    /// Mean of the distribution.
    pub fn mean(&self) -> f64 {
        match *self {
            Discrete::Poisson { mean } => mean,
            Discrete::NegBin { r, p } => r * (1.0 - p) / p,
        }
    }

    /// Variance of the distribution.
    pub fn variance(&self) -> f64 {
        match *self {
            Discrete::Poisson { mean } => mean,
            Discrete::NegBin { r, p } => r * (1.0 - p) / (p * p),
        }
    }

    fn degenerate(&self) -> bool {
        match *self {
            Discrete::Poisson { mean } => mean <= 0.0,
            Discrete::NegBin { r, p } => r <= 0.0 || p >= 1.0,
        }
    }

    /// P(X = k) for integer k (0 elsewhere).
    pub fn pmf(&self, k: f64) -> f64 {
        if k < 0.0 || k.fract() != 0.0 {
            return 0.0;
        }
        if self.degenerate() {
            return if k == 0.0 { 1.0 } else { 0.0 };
        }
        let ln = match *self {
            Discrete::Poisson { mean } => k * mean.ln() - mean - ln_gamma(k + 1.0),
            Discrete::NegBin { r, p } => {
                ln_gamma(k + r) - ln_gamma(r) - ln_gamma(k + 1.0) + r * p.ln() + k * (-p).ln_1p()
            }
        };
        ln.exp()
    }

    /// P(X <= x).
    pub fn cdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            return 0.0;
        }
        if self.degenerate() {
            return 1.0;
        }
        let k = x.floor();
        match *self {
            Discrete::Poisson { mean } => gamma_q(k + 1.0, mean),
            Discrete::NegBin { r, p } => beta_inc(r, k + 1.0, p),
        }
    }

    /// P(X > x), computed directly (no cancellation in the upper tail).
    pub fn sf(&self, x: f64) -> f64 {
        if x < 0.0 {
            return 1.0;
        }
        if self.degenerate() {
            return 0.0;
        }
        let k = x.floor();
        match *self {
            Discrete::Poisson { mean } => gamma_p(k + 1.0, mean),
            Discrete::NegBin { r, p } => beta_inc(k + 1.0, r, 1.0 - p),
        }
    }

    /// pmf(k + 1) / pmf(k).
    fn ratio(&self, k: f64) -> f64 {
        match *self {
            Discrete::Poisson { mean } => mean / (k + 1.0),
            Discrete::NegBin { r, p } => (k + r) * (1.0 - p) / (k + 1.0),
        }
    }

    /// First-order loss n(x) = E[(X − x)⁺]; piecewise linear between integers.
    pub fn loss(&self, x: f64) -> f64 {
        let mu = self.mean();
        if x < 0.0 {
            return mu - x;
        }
        if self.degenerate() {
            return 0.0;
        }
        let k = x.floor();
        let (f, sf) = (self.pmf(k), self.sf(k));
        // E[X 1{X > k}] = μ P(X >= k) for the Poisson; the negative binomial analogue
        // (Zipkin 2000, §C.2.3.6) is (k + r) β f(k) + r β P(X > k) with β = (1 − p)/p.
        let at_k = match *self {
            Discrete::Poisson { mean } => (mean - k) * sf + mean * f,
            Discrete::NegBin { r, p } => {
                let beta = (1.0 - p) / p;
                -(k - r * beta) * sf + (k + r) * beta * f
            }
        };
        (at_k - (x - k) * sf).max(0.0)
    }

    /// Discrete second-order loss N2(k) = ½E[(X − k)(X − k − 1); X > k] at an integer `k`
    /// (Zipkin 2000, §C.2.3); N2(k − 1) − N2(k) = n(k).
    pub fn loss2(&self, k: f64) -> f64 {
        let (mu, var) = (self.mean(), self.variance());
        if k < 0.0 {
            return 0.5 * (var + mu * mu - (2.0 * k + 1.0) * mu + k * (k + 1.0));
        }
        if self.degenerate() {
            return 0.0;
        }
        let (f, sf) = (self.pmf(k), self.sf(k));
        let v = match *self {
            Discrete::Poisson { mean } => ((k - mean).powi(2) + k) * sf - mean * (k - mean) * f,
            Discrete::NegBin { r, p } => {
                let beta = (1.0 - p) / p;
                (r * (r + 1.0) * beta * beta - 2.0 * r * beta * k + k * (k + 1.0)) * sf
                    + ((r + 1.0) * beta - k) * (k + r) * beta * f
            }
        };
        (0.5 * v).max(0.0)
    }

    /// Complementary loss n̄(x) = E[(x − X)⁺] = x − μ + n(x).
    pub fn complementary_loss(&self, x: f64) -> f64 {
        (x - self.mean() + self.loss(x)).max(0.0)
    }

    /// A starting integer near the α-quantile (normal approximation).
    fn guess(&self, alpha: f64) -> f64 {
        let z = normal::quantile(alpha).clamp(-8.0, 8.0);
        (self.mean() + z * self.variance().sqrt()).floor().max(0.0)
    }

    /// Smallest integer k >= 0 with P(X <= k) >= alpha (alpha in (0, 1)).
    pub fn quantile(&self, alpha: f64) -> f64 {
        if self.degenerate() {
            return 0.0;
        }
        let mut k = self.guess(alpha);
        let mut cdf = self.cdf(k);
        let mut pmf = self.pmf(k);
        if cdf >= alpha {
            // Walk down while the previous integer still qualifies.
            while k > 0.0 && cdf - pmf >= alpha {
                cdf -= pmf;
                pmf /= self.ratio(k - 1.0);
                k -= 1.0;
                if pmf <= 0.0 || !pmf.is_finite() {
                    cdf = self.cdf(k);
                    pmf = self.pmf(k);
                }
            }
        } else {
            while cdf < alpha {
                pmf *= self.ratio(k);
                k += 1.0;
                cdf += pmf;
                if pmf <= 0.0 {
                    // Deep tail: fall back to direct evaluation.
                    cdf = self.cdf(k);
                    pmf = self.pmf(k);
                }
            }
        }
        k
    }

    /// Smallest integer r with n(r) <= target (target >= 0). For targets at least the mean
    /// the answer is ⌈μ − target⌉ <= 0, since n(r) = μ − r for r <= 0.
    pub fn loss_inverse(&self, target: f64) -> f64 {
        let mu = self.mean();
        if target >= mu {
            return (mu - target).ceil();
        }
        if self.degenerate() {
            return 0.0;
        }
        // n is convex and decreasing with n(k + 1) = n(k) − P(X > k).
        let mut k = self.guess(0.5);
        let mut n = self.loss(k);
        while k > 0.0 && n <= target {
            k -= 1.0;
            n = self.loss(k);
        }
        while n > target {
            n -= self.sf(k);
            k += 1.0;
        }
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_loss_textbook() {
        // stockpyl's doctest: poisson_loss(18, 15) = (0.5176095282584724, 3.5176095282584723)
        let d = Discrete::Poisson { mean: 15.0 };
        assert!((d.loss(18.0) - 0.517_609_528_258_472_4).abs() < 1e-12);
        assert!((d.complementary_loss(18.0) - 3.517_609_528_258_472).abs() < 1e-12);
        assert_eq!(d.quantile(0.5), 15.0);
    }

    #[test]
    fn negbin_loss_textbook() {
        // negative_binomial_loss(14, 4, 0.2) = (4.447304632028364, 2.447304632028364)
        let d = Discrete::NegBin { r: 4.0, p: 0.2 };
        assert!((d.loss(14.0) - 4.447_304_632_028_364).abs() < 1e-11);
        let m = Discrete::moment_matched(23.0, 8.0);
        assert!((m.loss(14.0) - 9.326_459_980_156_931).abs() < 1e-10);
    }

    #[test]
    fn quantile_and_loss_inverse_are_consistent() {
        for d in [
            Discrete::Poisson { mean: 0.3 },
            Discrete::Poisson { mean: 42.0 },
            Discrete::NegBin { r: 0.7, p: 0.2 },
        ] {
            for alpha in [0.01, 0.5, 0.9, 0.999] {
                let k = d.quantile(alpha);
                assert!(d.cdf(k) >= alpha);
                assert!(k == 0.0 || d.cdf(k - 1.0) < alpha);
            }
            for t in [0.001, 0.1, 1.0, 100.0] {
                let r = d.loss_inverse(t);
                assert!(d.loss(r) <= t + 1e-12);
                assert!(d.loss(r - 1.0) > t);
            }
        }
    }
}
