//! Boosting objectives: the gradient and hessian of the loss with respect to the raw
//! score `f`, the starting score, the link back to the prediction and the validation
//! loss used by early stopping. Poisson and Tweedie use a log link (the count-demand
//! losses); quantile uses the pinball loss, and its leaf values are re-estimated as the
//! leaf's residual quantile (the gradient alone carries no scale).

/// LightGBM's default `max_delta_step` for Poisson: damps the hessian `exp(f + 0.7)`.
const POISSON_MAX_DELTA: f64 = 0.7;

/// A boosting objective.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Objective {
    /// Squared error, identity link.
    Squared,
    /// Poisson deviance, log link.
    Poisson,
    /// Tweedie deviance with power `rho` in (1, 2), log link.
    Tweedie(f64),
    /// Pinball loss at quantile `alpha` in (0, 1), identity link.
    Quantile(f64),
}

impl Objective {
    /// Whether the target must be non-negative.
    pub fn needs_non_negative(self) -> bool {
        matches!(self, Objective::Poisson | Objective::Tweedie(_))
    }

    /// The constant starting score.
    pub fn init(self, y: &[f64]) -> f64 {
        let mean = y.iter().sum::<f64>() / y.len().max(1) as f64;
        match self {
            Objective::Squared => mean,
            Objective::Poisson | Objective::Tweedie(_) => mean.max(1e-10).ln(),
            Objective::Quantile(a) => {
                let mut v = y.to_vec();
                quantile(&mut v, a)
            }
        }
    }

    /// Gradient and hessian at raw score `f` for target `y`.
    pub fn grad_hess(self, f: f64, y: f64) -> (f64, f64) {
        match self {
            Objective::Squared => (f - y, 1.0),
            Objective::Poisson => (f.exp() - y, (f + POISSON_MAX_DELTA).exp()),
            Objective::Tweedie(rho) => {
                let a = ((1.0 - rho) * f).exp();
                let b = ((2.0 - rho) * f).exp();
                (-y * a + b, -y * (1.0 - rho) * a + (2.0 - rho) * b)
            }
            Objective::Quantile(alpha) => (if f >= y { 1.0 - alpha } else { -alpha }, 1.0),
        }
    }

    /// For log-link losses, `(k1, k2)` such that the gradient and hessian only need
    /// `e1 = exp(k1·f)` and `e2 = exp(k2·f)` (kept per row and updated by multiplication,
    /// so boosting computes no exponential per row and round).
    pub fn log_exponents(self) -> Option<(f64, f64)> {
        match self {
            Objective::Poisson => Some((0.0, 1.0)),
            Objective::Tweedie(rho) => Some((1.0 - rho, 2.0 - rho)),
            _ => None,
        }
    }

    /// [`Objective::grad_hess`] from `e1 = exp(k1·f)`, `e2 = exp(k2·f)` (log-link losses).
    pub fn grad_hess_exp(self, y: f64, e1: f64, e2: f64) -> (f64, f64) {
        match self {
            Objective::Poisson => (e2 - y, e2 * POISSON_MAX_DELTA.exp()),
            Objective::Tweedie(rho) => (-y * e1 + e2, -y * (1.0 - rho) * e1 + (2.0 - rho) * e2),
            _ => (f64::NAN, f64::NAN),
        }
    }

    /// The prediction for raw score `f`.
    pub fn link(self, f: f64) -> f64 {
        match self {
            Objective::Squared | Objective::Quantile(_) => f,
            Objective::Poisson | Objective::Tweedie(_) => f.exp(),
        }
    }

    /// The loss of raw score `f` for target `y` (up to terms constant in `f`).
    pub fn loss(self, f: f64, y: f64) -> f64 {
        match self {
            Objective::Squared => (y - f) * (y - f),
            Objective::Poisson => f.exp() - y * f,
            Objective::Tweedie(rho) => {
                -y * ((1.0 - rho) * f).exp() / (1.0 - rho) + ((2.0 - rho) * f).exp() / (2.0 - rho)
            }
            Objective::Quantile(a) => {
                let d = y - f;
                if d >= 0.0 {
                    a * d
                } else {
                    (a - 1.0) * d
                }
            }
        }
    }
}

/// The `a`-quantile of `v` (linear interpolation; `v` is reordered).
pub fn quantile(v: &mut [f64], a: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_unstable_by(f64::total_cmp);
    let pos = a * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_match_finite_differences() {
        for obj in [
            Objective::Squared,
            Objective::Poisson,
            Objective::Tweedie(1.5),
        ] {
            for (f, y) in [(0.3, 2.0), (-1.0, 0.0), (1.2, 5.0)] {
                let eps = 1e-6;
                let num = (obj.loss(f + eps, y) - obj.loss(f - eps, y)) / (2.0 * eps);
                let (g, _) = obj.grad_hess(f, y);
                let scale = if obj == Objective::Squared { 2.0 } else { 1.0 };
                assert!(
                    (num - scale * g).abs() < 1e-5,
                    "{obj:?} {f} {y}: {num} vs {g}"
                );
            }
        }
        assert_eq!(
            Objective::Quantile(0.9).init(&[1.0, 2.0, 3.0, 4.0, 5.0]),
            4.6
        );
        assert!(
            (Objective::Poisson.link(Objective::Poisson.init(&[2.0, 4.0])) - 3.0).abs() < 1e-12
        );
    }
}
