//! The OCSB seasonal unit-root test (Osborn, Chui, Smith & Birchenhall 1988) as R's
//! `forecast::ocsb.test(x, lag.method = "AIC", maxlag = 3)`, which `nsdiffs(test = "ocsb")`
//! runs. With `y = (1-B)(1-B^m) x`, the regression (no intercept) is
//!
//! `y_t = Σ_{k<=p} a_k y_{t-k} + β1 Z4_{t-1} + β2 Z5_{t-m} + e_t`,
//!
//! with `Z4 = λ(B)(1-B^m) x`, `Z5 = λ(B)(1-B) x` and `λ(B) = 1 - Σ α_k B^k` the AR(p) fit of
//! `y` on its own lags (no intercept). The statistic is β2's t value, compared with the
//! smoothed simulated critical value of Osborn et al.; a statistic above it means a
//! seasonal difference is needed.
//!
//! Lag selection follows R exactly, quirk included: models with `p = 1..=maxlag` (all on
//! the same rows, the first `maxlag` dropped) are compared by AIC and the chosen order is
//! the best one's index minus one, so `p` ranges over `0..maxlag`; the final model is then
//! refitted with only `p` rows dropped. pmdarima's `OCSBTest` differs from R (an intercept
//! in the AR fit, lags misaligned below `maxlag`, the selected order minus two), so its
//! decisions agree with these only mostly.

use super::ols::{ols, Ols};

/// An OCSB test result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ocsb {
    /// The t value of the `Z5` coefficient.
    pub stat: f64,
    /// The 5 % critical value for the period.
    pub critical: f64,
    /// The AR order used.
    pub lag: usize,
}

impl Ocsb {
    /// Whether a seasonal difference is needed (`stat > critical`).
    pub fn needs_difference(&self) -> bool {
        self.stat > self.critical
    }
}

/// Osborn et al.'s smoothed 5 % critical value for period `m`.
pub fn ocsb_critical_value(m: usize) -> f64 {
    let l = (m as f64).ln() - 0.7656451;
    -0.2937411 * (-0.2850853 * l + (-0.05983644) * (l * l)).exp() - 1.652202
}

/// OCSB test of `x` at period `m >= 2` with AIC lag selection up to `max_lag` (R's
/// `nsdiffs` uses 3; 0 fits no lags). `None` when the regression cannot be estimated (too
/// short a series, an aliased `Z5`), where R stops with an error.
pub fn ocsb(x: &[f64], m: usize, max_lag: usize) -> Option<Ocsb> {
    if m < 2 || x.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let lag = if max_lag > 0 {
        let mut best: Option<(usize, f64)> = None;
        for p in 1..=max_lag {
            if let Some(fit) = fit(x, m, p, max_lag, false) {
                let aic = fit.aic();
                if !aic.is_nan() && best.is_none_or(|(_, b)| aic < b) {
                    best = Some((p, aic));
                }
            }
        }
        best?.0 - 1
    } else {
        0
    };
    let stat = fit(x, m, lag, lag, false)?.t_value(lag + 1)?;
    Some(Ocsb {
        stat,
        critical: ocsb_critical_value(m),
        lag,
    })
}

/// The final OCSB regression with AR order `lag` on the rows after the first `max_lag`
/// (`lag <= max_lag`); columns: the `lag` lags of `y`, `Z4_{t-1}`, `Z5_{t-m}`.
/// `ar_intercept` adds a constant to the AR fit (pmdarima's variant, for comparisons).
pub(crate) fn fit(
    x: &[f64],
    m: usize,
    lag: usize,
    max_lag: usize,
    ar_intercept: bool,
) -> Option<Ols> {
    let n = x.len();
    if n < m + 2 + max_lag + 1 || lag > max_lag {
        return None;
    }
    let dm: Vec<f64> = (0..n - m).map(|s| x[s + m] - x[s]).collect();
    let dx: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
    let y: Vec<f64> = dm.windows(2).map(|w| w[1] - w[0]).collect();
    let rows = max_lag..y.len();
    let target: Vec<f64> = y[rows.clone()].to_vec();
    let lags_of = |z: &[f64]| -> Vec<Vec<f64>> {
        (1..=lag)
            .map(|k| rows.clone().map(|r| z[r - k]).collect())
            .collect()
    };
    let ylags = lags_of(&y);
    // λ(B): the AR fit of y on its lags (none for lag 0: R's zero column is aliased).
    let (alpha, c): (Vec<f64>, f64) = if lag == 0 && !ar_intercept {
        (Vec::new(), 0.0)
    } else {
        let mut cols = ylags.clone();
        if ar_intercept {
            cols.insert(0, vec![1.0; target.len()]);
        }
        let ar = ols(&cols, &target);
        let mut coef: Vec<f64> = ar.coef.iter().map(|c| c.unwrap_or(0.0)).collect();
        let c = if ar_intercept { coef.remove(0) } else { 0.0 };
        (coef, c)
    };
    let filtered = |z: &[f64]| -> Vec<f64> {
        rows.clone()
            .map(|r| {
                z[r] - c
                    - alpha
                        .iter()
                        .enumerate()
                        .map(|(k, a)| a * z[r - k - 1])
                        .sum::<f64>()
            })
            .collect()
    };
    let mut cols = ylags;
    cols.push(filtered(&dm));
    cols.push(filtered(&dx));
    let fit = ols(&cols, &target);
    (fit.nobs > fit.rank).then_some(fit)
}

#[cfg(test)]
mod tests {
    use super::super::noise;
    use super::*;

    #[test]
    fn critical_values() {
        // pmdarima 2.1.1: OCSBTest._calc_ocsb_crit_val(m) (R's calcOCSBCritVal)
        for (m, want) in [
            (4, -1.8926999246557656),
            (7, -1.8452364865328739),
            (12, -1.8029627911815704),
            (52, -1.7167435323468483),
            (365, -1.666238733037308),
        ] {
            assert!((ocsb_critical_value(m) - want).abs() < 1e-14, "{m}");
        }
    }

    #[test]
    fn seasonal_random_walk_needs_a_difference_white_noise_does_not() {
        let e = noise(300, 3);
        let m = 7;
        let mut walk = e.clone();
        for t in m..walk.len() {
            walk[t] += walk[t - m];
        }
        let w = ocsb(&walk, m, 3).unwrap();
        assert!(w.needs_difference(), "{w:?}");
        let s = ocsb(&e, m, 3).unwrap();
        assert!(!s.needs_difference(), "{s:?}");
        assert!(s.lag < 3);
    }

    #[test]
    fn lag_zero_regression_is_the_two_regressors() {
        // With lag 0, Z4 = Δ_m x lagged once and Z5 = Δx lagged m: check against a direct
        // least-squares fit of the aligned columns.
        let x: Vec<f64> = noise(60, 11)
            .iter()
            .enumerate()
            .map(|(t, v)| v + (t % 5) as f64)
            .collect();
        let m = 5;
        let f = fit(&x, m, 0, 0, false).unwrap();
        let n = x.len();
        let (mut y, mut z4, mut z5) = (vec![], vec![], vec![]);
        for t in m + 1..n {
            y.push((x[t] - x[t - m]) - (x[t - 1] - x[t - 1 - m]));
            z4.push(x[t - 1] - x[t - 1 - m]);
            z5.push(x[t - m] - x[t - m - 1]);
        }
        let g = ols(&[z4, z5], &y);
        assert_eq!(f.nobs, g.nobs);
        assert!((f.t_value(1).unwrap() - g.t_value(1).unwrap()).abs() < 1e-10);
    }

    #[test]
    fn guards() {
        assert!(ocsb(&[1.0, 2.0, 3.0], 7, 3).is_none());
        assert!(ocsb(&noise(50, 1), 1, 3).is_none());
        assert!(ocsb(&[2.0; 40], 4, 3).is_none());
    }
}
