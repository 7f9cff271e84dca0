//! The newsvendor (single-period / base-stock) problem with normal and Poisson demand
//! (Snyder & Shen ch. 4): the critical-fractile base-stock level and its expected cost.

use super::args::{non_negative, optional, positive};
use super::discrete::Discrete;
use super::normal;
use crate::error::{Error, Result};

/// Expected newsvendor cost `h·n̄(S) + p·n(S)` for normal demand N(μ, σ²) (σ may be 0).
pub fn normal_cost(s: f64, h: f64, p: f64, mu: f64, sigma: f64) -> f64 {
    if sigma > 0.0 {
        let z = (s - mu) / sigma;
        sigma * (h * normal::complementary_loss(z) + p * normal::loss(z))
    } else {
        h * (s - mu).max(0.0) + p * (mu - s).max(0.0)
    }
}

/// Newsvendor with normal demand: per-period mean `demand_mean` and sd `demand_sd`, and a
/// lead time of `lead_time` periods, so the protection interval is `L + 1` periods with
/// mean `μ(L+1)` and sd `σ·sqrt(L+1)`. Returns `(S*, g*)` with `S* = μ_L + z_α σ_L`,
/// `α = p/(h+p)`, `g* = (h+p) φ(z_α) σ_L`; or, when `base_stock_level` is given (not NaN),
/// that level and its expected cost `h·n̄(S) + p·n(S)`.
///
/// # Errors
/// A cost not positive, or the mean, sd or lead time negative.
pub fn newsvendor_normal(
    holding_cost: f64,
    stockout_cost: f64,
    demand_mean: f64,
    demand_sd: f64,
    lead_time: f64,
    base_stock_level: f64,
) -> Result<(f64, f64)> {
    let h = positive("holding_cost", holding_cost)?;
    let p = positive("stockout_cost", stockout_cost)?;
    let mean = non_negative("demand_mean", demand_mean)?;
    let sd = non_negative("demand_sd", demand_sd)?;
    let l = non_negative("lead_time", lead_time)?;
    let mu = mean * (l + 1.0);
    let sigma = sd * (l + 1.0).sqrt();
    match optional(base_stock_level) {
        None => {
            let z = normal::quantile(p / (h + p));
            Ok((mu + z * sigma, (h + p) * normal::pdf(z) * sigma))
        }
        Some(s) => Ok((s, normal_cost(s, h, p, mu, sigma))),
    }
}

/// Newsvendor with Poisson demand of mean `demand_mean`: `S*` is the smallest integer with
/// `F(S) >= p/(h+p)`, and the cost is `h·n̄(S) + p·n(S)` with the Poisson loss functions.
/// When `base_stock_level` is given (not NaN) it must be an integer and is evaluated.
///
/// # Errors
/// A cost not positive, a negative mean, or a non-integer base-stock level.
pub fn newsvendor_poisson(
    holding_cost: f64,
    stockout_cost: f64,
    demand_mean: f64,
    base_stock_level: f64,
) -> Result<(f64, f64)> {
    let h = positive("holding_cost", holding_cost)?;
    let p = positive("stockout_cost", stockout_cost)?;
    let mean = non_negative("demand_mean", demand_mean)?;
    let d = Discrete::Poisson { mean };
    let s = match optional(base_stock_level) {
        None => d.quantile(p / (h + p)),
        Some(s) if s.is_finite() && s.fract() == 0.0 => s,
        Some(s) => {
            return Err(Error::param(
                "base_stock_level",
                format!("must be an integer, got {s}"),
            ))
        }
    };
    Ok((s, h * d.complementary_loss(s) + p * d.loss(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_examples() {
        // stockpyl doctests: Example 4.3 and the Poisson example.
        let (s, g) = newsvendor_normal(0.18, 0.70, 50.0, 8.0, 0.0, f64::NAN).unwrap();
        assert!((s - 56.603_955_927_433_89).abs() < 1e-9);
        assert!((g - 1.997_605_193_176_644_5).abs() < 1e-9);
        let (_, g) = newsvendor_normal(0.18, 0.70, 50.0, 8.0, 0.0, 60.0).unwrap();
        assert!((g - 2.156_131_552_870_387).abs() < 1e-9);
        let (s, g) = newsvendor_poisson(0.18, 0.70, 50.0, f64::NAN).unwrap();
        assert_eq!(s, 56.0);
        assert!((g - 1.797_235_211_809_178).abs() < 1e-9);
        assert!(newsvendor_poisson(0.18, 0.70, 50.0, 55.5).is_err());
    }
}
