//! The continuous-review (r, Q) policy with normal lead-time demand (Snyder & Shen ch. 5):
//! the exact expected cost and the classic approximations — expected inventory level (EIL,
//! Algorithm 5.1), EOQ plus safety stock, EOQ with backorders, and the loss-function
//! approximation of Hadley & Whitin.

use super::args::{non_negative, positive};
use super::eoq::{eoq_backorders, eoq_solve};
use super::normal;
use crate::error::Result;

/// Validated (r, Q) inputs: costs and the lead-time demand N(μ, σ²) = N(λL, τ²L).
#[derive(Debug, Clone, Copy)]
struct Rq {
    h: f64,
    p: f64,
    k: f64,
    lambda: f64,
    mu: f64,
    sigma: f64,
}

impl Rq {
    fn new(h: f64, p: f64, k: f64, mean: f64, sd: f64, lead_time: f64) -> Result<Rq> {
        let h = positive("holding_cost", h)?;
        let p = positive("stockout_cost", p)?;
        let k = positive("fixed_cost", k)?;
        let lambda = positive("demand_mean", mean)?;
        let sd = non_negative("demand_sd", sd)?;
        let l = non_negative("lead_time", lead_time)?;
        Ok(Rq {
            h,
            p,
            k,
            lambda,
            mu: lambda * l,
            sigma: sd * l.sqrt(),
        })
    }

    /// Lead-time demand loss n(y) = E[(D − y)⁺].
    fn n(&self, y: f64) -> f64 {
        if self.sigma > 0.0 {
            self.sigma * normal::loss((y - self.mu) / self.sigma)
        } else {
            (self.mu - y).max(0.0)
        }
    }

    /// Second-order loss n⁽²⁾(y) = ½ E[((D − y)⁺)²].
    fn n2(&self, y: f64) -> f64 {
        if self.sigma > 0.0 {
            self.sigma * self.sigma * normal::loss2((y - self.mu) / self.sigma)
        } else {
            0.5 * (self.mu - y).max(0.0).powi(2)
        }
    }

    /// P(D <= y).
    fn cdf(&self, y: f64) -> f64 {
        if self.sigma > 0.0 {
            normal::cdf((y - self.mu) / self.sigma)
        } else if y >= self.mu {
            1.0
        } else {
            0.0
        }
    }

    /// y with n(y) = t (t > 0).
    fn n_inverse(&self, t: f64) -> f64 {
        if self.sigma > 0.0 {
            self.mu + self.sigma * normal::loss_inverse(t / self.sigma)
        } else {
            self.mu - t
        }
    }

    /// y with P(D <= y) = q.
    fn quantile(&self, q: f64) -> f64 {
        self.mu + self.sigma * normal::quantile(q)
    }

    /// g(r, Q) = [Kλ + ∫_r^{r+Q} g(y) dy] / Q with g(y) = h(y − μ) + (h + p) n(y), the
    /// integral in closed form through the second-order loss function.
    fn cost(&self, r: f64, q: f64) -> f64 {
        let hold = self.h * ((r + q - self.mu).powi(2) - (r - self.mu).powi(2)) / 2.0;
        let short = (self.h + self.p) * (self.n2(r) - self.n2(r + q));
        (self.k * self.lambda + hold + short) / q
    }
}

/// Exact expected cost per unit time of an (r, Q) policy (Snyder & Shen eq. 5.7).
///
/// # Errors
/// An argument out of range.
#[allow(clippy::too_many_arguments)]
pub fn r_q_cost(
    reorder_point: f64,
    order_quantity: f64,
    holding_cost: f64,
    stockout_cost: f64,
    fixed_cost: f64,
    demand_mean: f64,
    demand_sd: f64,
    lead_time: f64,
) -> Result<f64> {
    let m = Rq::new(
        holding_cost,
        stockout_cost,
        fixed_cost,
        demand_mean,
        demand_sd,
        lead_time,
    )?;
    let r = super::args::finite("reorder_point", reorder_point)?;
    let q = positive("order_quantity", order_quantity)?;
    Ok(m.cost(r, q))
}

const MAX_ITER: usize = 10_000;

/// The EIL approximation (Snyder & Shen Algorithm 5.1): start from `Q` = EOQ and `r` = 0,
/// alternate `r = F⁻¹(1 − Qh/(pλ))` and `Q = sqrt(2λ[K + p·n(r)]/h)` until both move by at
/// most `tol`. Returns `(r, Q, g)` with the approximate cost
/// `g = h(r − λL + Q/2) + Kλ/Q + pλ·n(r)/Q`; NaN when `Qh/(pλ) >= 1` (no solution).
///
/// # Errors
/// An argument out of range.
pub fn r_q_eil(
    holding_cost: f64,
    stockout_cost: f64,
    fixed_cost: f64,
    demand_mean: f64,
    demand_sd: f64,
    lead_time: f64,
    tol: f64,
) -> Result<(f64, f64, f64)> {
    let m = Rq::new(
        holding_cost,
        stockout_cost,
        fixed_cost,
        demand_mean,
        demand_sd,
        lead_time,
    )?;
    let tol = positive("tol", tol)?;
    let (mut q, _) = eoq_solve(m.k, m.h, m.lambda, f64::NAN)?;
    let mut r = 0.0;
    let (mut q_prev, mut r_prev) = (f64::INFINITY, f64::INFINITY);
    let mut iter = 0;
    while ((q - q_prev).abs() > tol || (r - r_prev).abs() > tol) && iter < MAX_ITER {
        (q_prev, r_prev) = (q, r);
        let tail = q * m.h / (m.p * m.lambda);
        if tail >= 1.0 || tail.is_nan() {
            return Ok((f64::NAN, f64::NAN, f64::NAN));
        }
        r = m.quantile(1.0 - tail);
        q = (2.0 * m.lambda * (m.k + m.p * m.n(r)) / m.h).sqrt();
        iter += 1;
    }
    let cost = m.h * (r - m.mu + q / 2.0) + m.k * m.lambda / q + m.p * m.lambda * m.n(r) / q;
    Ok((r, q, cost))
}

/// The EOQ + safety stock approximation: `Q` = EOQ and `r` the newsvendor base-stock level
/// of the lead-time demand, `μ + z_α σ` with `α = p/(h+p)`. Returns `(r, Q)`.
///
/// # Errors
/// An argument out of range.
pub fn r_q_eoqss(
    holding_cost: f64,
    stockout_cost: f64,
    fixed_cost: f64,
    demand_mean: f64,
    demand_sd: f64,
    lead_time: f64,
) -> Result<(f64, f64)> {
    let m = Rq::new(
        holding_cost,
        stockout_cost,
        fixed_cost,
        demand_mean,
        demand_sd,
        lead_time,
    )?;
    let (q, _) = eoq_solve(m.k, m.h, m.lambda, f64::NAN)?;
    Ok((m.quantile(m.p / (m.h + m.p)), q))
}

/// The loss-function approximation (Hadley & Whitin 1963; Snyder & Shen eq. 5.28–5.29):
/// from `Q` = EOQ and `r` = 0, alternate `n(r) = hQ/(h+p)` (solved exactly) and
/// `Q = sqrt(2[Kλ + (h+p)·n⁽²⁾(r)]/h)` until both move by at most `tol`. Returns `(r, Q)`.
///
/// # Errors
/// An argument out of range.
pub fn r_q_loss_function(
    holding_cost: f64,
    stockout_cost: f64,
    fixed_cost: f64,
    demand_mean: f64,
    demand_sd: f64,
    lead_time: f64,
    tol: f64,
) -> Result<(f64, f64)> {
    let m = Rq::new(
        holding_cost,
        stockout_cost,
        fixed_cost,
        demand_mean,
        demand_sd,
        lead_time,
    )?;
    let tol = positive("tol", tol)?;
    let (mut q, _) = eoq_solve(m.k, m.h, m.lambda, f64::NAN)?;
    let mut r = 0.0;
    let (mut q_prev, mut r_prev) = (f64::INFINITY, f64::INFINITY);
    let mut iter = 0;
    while ((q - q_prev).abs() > tol || (r - r_prev).abs() > tol) && iter < MAX_ITER {
        (q_prev, r_prev) = (q, r);
        r = m.n_inverse(m.h * q / (m.h + m.p));
        q = (2.0 * (m.k * m.lambda + (m.h + m.p) * m.n2(r)) / m.h).sqrt();
        iter += 1;
    }
    Ok((r, q))
}

/// The reorder point minimising the (r, Q) cost for a given `Q` (Snyder & Shen eq. 5.9):
/// the `r` with `g(r) = g(r + Q)`, i.e. `n(r) − n(r + Q) = hQ/(h+p)`, solved to machine
/// precision by safeguarded Newton steps.
///
/// # Errors
/// An argument out of range.
pub fn r_q_optimal_r_for_q(
    order_quantity: f64,
    holding_cost: f64,
    stockout_cost: f64,
    demand_mean: f64,
    demand_sd: f64,
    lead_time: f64,
) -> Result<f64> {
    let q = positive("order_quantity", order_quantity)?;
    // The fixed cost does not enter r(Q); any positive value validates.
    let m = Rq::new(
        holding_cost,
        stockout_cost,
        1.0,
        demand_mean,
        demand_sd,
        lead_time,
    )?;
    Ok(optimal_r(&m, q))
}

fn optimal_r(m: &Rq, q: f64) -> f64 {
    let c = m.h * q / (m.h + m.p);
    // f decreases from Q − c > 0 (r → −∞) to −c < 0 (r → +∞).
    let f = |r: f64| m.n(r) - m.n(r + q) - c;
    let mut hi = m.n_inverse(c);
    let mut step = q + m.sigma + 1.0;
    let mut lo = hi - step;
    while f(lo) <= 0.0 {
        hi = lo;
        step *= 2.0;
        lo -= step;
    }
    let mut r = 0.5 * (lo + hi);
    for _ in 0..200 {
        let v = f(r);
        if v == 0.0 {
            break;
        }
        if v > 0.0 {
            lo = r;
        } else {
            hi = r;
        }
        let slope = m.cdf(r) - m.cdf(r + q);
        let newton = r - v / slope;
        r = if slope < 0.0 && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if hi - lo <= 1e-14 * r.abs().max(1.0) {
            break;
        }
    }
    r
}

/// The EOQ-with-backorders approximation (Zheng 1992): `Q` from the EOQB formula and `r`
/// optimal for that `Q`. Returns `(r, Q)`.
///
/// # Errors
/// An argument out of range.
pub fn r_q_eoqb(
    holding_cost: f64,
    stockout_cost: f64,
    fixed_cost: f64,
    demand_mean: f64,
    demand_sd: f64,
    lead_time: f64,
) -> Result<(f64, f64)> {
    let m = Rq::new(
        holding_cost,
        stockout_cost,
        fixed_cost,
        demand_mean,
        demand_sd,
        lead_time,
    )?;
    let (q, _, _) = eoq_backorders(m.k, m.h, m.p, m.lambda)?;
    Ok((optimal_r(&m, q), q))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EX: (f64, f64, f64, f64, f64, f64) = (0.225, 7.5, 8.0, 1300.0, 150.0, 1.0 / 12.0);

    #[test]
    fn textbook_examples() {
        // stockpyl doctests, Snyder & Shen Examples 5.1, 5.2, 5.5, 5.6.
        let (h, p, k, l, s, lt) = EX;
        let g = r_q_cost(126.8, 328.5, h, p, k, l, s, lt).unwrap();
        assert!((g - 78.071_162_509_282_94).abs() < 1e-7, "{g}");
        let (r, q, g) = r_q_eil(h, p, k, l, s, lt, 1e-6).unwrap();
        assert!((r - 213.970_442_135_802_44).abs() < 1e-6);
        assert!((q - 318.590_181_076_872_9).abs() < 1e-6);
        assert!((g - 95.451_140_222_851_96).abs() < 1e-6);
        let (r, q) = r_q_eoqss(h, p, k, l, s, lt).unwrap();
        assert!(
            (r - 190.336_996_571_562_4).abs() < 1e-8 && (q - 304.046_780_026_436_8).abs() < 1e-9
        );
        let (r, q) = r_q_loss_function(h, p, k, l, s, lt, 1e-6).unwrap();
        assert!(
            (r - 126.867_063_447_962_8).abs() < 1e-5 && (q - 328.449_142_198_045_1).abs() < 1e-5
        );
        let r = r_q_optimal_r_for_q(300.0, h, p, l, s, lt).unwrap();
        assert!((r - 129.427_279_926_306_7).abs() < 1e-4, "{r}");
    }

    #[test]
    fn optimal_r_balances_the_cost_at_both_ends() {
        let (h, p, _, l, s, lt) = EX;
        let m = Rq::new(h, p, 1.0, l, s, lt).unwrap();
        let r = optimal_r(&m, 300.0);
        let g = |y: f64| h * (y - m.mu) + (h + p) * m.n(y);
        assert!((g(r) - g(r + 300.0)).abs() < 1e-9);
    }
}
