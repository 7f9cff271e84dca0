//! The periodic-review (s, S) policy: the power approximation of Ehrhardt & Mosier (1984)
//! for normal demand (Snyder & Shen eq. 4.77–4.80).

use super::args::positive;
use crate::error::Result;

/// Power approximation of the (s, S) policy for per-period demand N(μ, σ²):
/// `Q = 1.30 μ^0.494 (K/h)^0.506 (1 + σ²/μ²)^0.116`, `z = sqrt(Q h / (σ p))`,
/// `s = 0.973 μ + σ (0.183/z + 1.063 − 2.192 z)`, `S = s + Q`. Returns `(s, S)`.
///
/// # Errors
/// A cost, the mean or the sd not positive.
pub fn s_s_power_approximation(
    holding_cost: f64,
    stockout_cost: f64,
    fixed_cost: f64,
    demand_mean: f64,
    demand_sd: f64,
) -> Result<(f64, f64)> {
    let h = positive("holding_cost", holding_cost)?;
    let p = positive("stockout_cost", stockout_cost)?;
    let k = positive("fixed_cost", fixed_cost)?;
    let mu = positive("demand_mean", demand_mean)?;
    let sigma = positive("demand_sd", demand_sd)?;
    let q = 1.30 * mu.powf(0.494) * (k / h).powf(0.506) * (1.0 + (sigma / mu).powi(2)).powf(0.116);
    let z = (q / sigma * (h / p)).sqrt();
    let s = 0.973 * mu + sigma * (0.183 / z + 1.063 - 2.192 * z);
    Ok((s, s + q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_example() {
        // stockpyl doctest, Snyder & Shen Example 4.7.
        let (s, big_s) = s_s_power_approximation(0.18, 0.70, 2.5, 50.0, 8.0).unwrap();
        assert!((s - 40.194_616_956_474_07).abs() < 1e-10);
        assert!((big_s - 74.290_170_109_805_79).abs() < 1e-10);
    }
}
