//! Seasonal and trend strength of an MSTL fit (Wang, Smith & Hyndman 2006, as tsfeatures and
//! statsforecast's `seas_heuristic` compute them): `F_S = 1 - Var(R) / Var(R + S)` per
//! seasonal component and `F_T = 1 - Var(R) / Var(T + R)`, clipped to [0, 1], with sample
//! variances (ddof 1) summed in numpy's order.

use super::super::sums::numpy_sum;
use super::mstl::Mstl;
use super::params::StlParams;
use super::stl::Workspace;

/// numpy's `np.var(x, ddof=1)` (pairwise sums; NaN for fewer than two values).
pub(crate) fn var_ddof1(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 2 {
        return f64::NAN;
    }
    let mean = numpy_sum(x) / n as f64;
    let sq: Vec<f64> = x.iter().map(|v| (v - mean) * (v - mean)).collect();
    numpy_sum(&sq) / (n - 1) as f64
}

/// Python's `max(0, min(1, q))`: NaN becomes 1 (as in statsforecast), then clipped.
pub(crate) fn clip01(q: f64) -> f64 {
    let m = if q < 1.0 { q } else { 1.0 };
    if m > 0.0 {
        m
    } else {
        0.0
    }
}

/// `1 - Var(remainder) / Var(remainder + component)`, clipped.
fn strength(remainder: &[f64], var_r: f64, component: &[f64]) -> f64 {
    let sum: Vec<f64> = remainder
        .iter()
        .zip(component)
        .map(|(r, c)| r + c)
        .collect();
    clip01(1.0 - var_r / var_ddof1(&sum))
}

impl Mstl {
    /// Seasonal strength of each decomposed period, periods ascending (empty without
    /// any). With one period this is statsforecast's `seas_heuristic(x, period)`.
    pub fn seasonal_strength(&self) -> Vec<(usize, f64)> {
        let var_r = var_ddof1(&self.remainder);
        self.seasonals
            .iter()
            .map(|(p, s)| (*p, strength(&self.remainder, var_r, s)))
            .collect()
    }

    /// Trend strength, `None` when no period was decomposed (the trend is then the series
    /// itself and the measure meaningless).
    pub fn trend_strength(&self) -> Option<f64> {
        if self.seasonals.is_empty() {
            return None;
        }
        let var_r = var_ddof1(&self.remainder);
        Some(strength(&self.remainder, var_r, &self.trend))
    }
}

/// The seasonal strength of the single-period MSTL fit of `x` (STL, seasonal window 11,
/// degree 0), as statsforecast's `seas_heuristic`: runs for any `2 <= period < n` (fewer
/// than two full periods included, as statsmodels allows). `None` when it cannot run.
pub(crate) fn seasonal_strength_one(x: &[f64], period: usize) -> Option<f64> {
    let n = x.len();
    if period < 2 || period >= n || x.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let p = StlParams::new(period)
        .seasonal(11)
        .seasonal_deg(0)
        .check()
        .ok()?;
    let mut ws = Workspace::new(n, &p);
    ws.fit(x);
    let remainder: Vec<f64> = x
        .iter()
        .zip(&ws.season)
        .zip(&ws.trend)
        .map(|((v, s), t)| (v - s) - t)
        .collect();
    Some(strength(&remainder, var_ddof1(&remainder), &ws.season))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variance_and_clipping() {
        assert!((var_ddof1(&[1.0, 2.0, 3.0, 4.0]) - 5.0 / 3.0).abs() < 1e-15);
        assert!(var_ddof1(&[1.0]).is_nan());
        assert_eq!(clip01(f64::NAN), 1.0);
        assert_eq!(clip01(-3.0), 0.0);
        assert_eq!(clip01(0.25), 0.25);
        assert_eq!(clip01(f64::NEG_INFINITY), 0.0);
    }
}
