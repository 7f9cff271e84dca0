//! Simple exponential smoothing with `alpha` chosen by golden-section search on the
//! in-sample SSE, reproducing statsforecast's `_optimized_ses_forecast` bit for bit.
//!
//! statsforecast's recursion (`ses_forecast`, `ses_sse`) starts from `f = x_0` and applies
//! `f = alpha x_{i-1} + (1 - alpha) f` for i = 1..n, so the first update re-smooths `x_0`
//! with itself (equal to `x_0` up to one rounding). The SSE sums `(x_i - f)^2` over
//! i = 1..n-1; the forecast is `f` after the last step (`x_0` itself for one observation).
//!
//! The search (learnt by probing the compiled `golden_section_ses` on thousands of inputs,
//! all matched bit for bit): bracket `[a, b]` = the bounds, inner points
//! `c = b - (b - a) / phi` and `d = a + (b - a) / phi`; while `|b - a| > 1e-12`: if
//! `f(c) < f(d)` keep `[a, d]` (old `c` becomes `d`, a new `c` is evaluated), if
//! `f(c) > f(d)` keep `[c, b]` symmetrically, and on an exact tie stop. Return `(a + b) / 2`.
//! Constant series (every SSE equal) therefore get the bracket's midpoint.

use super::rms;
use crate::forecast::fitted::Fitted;

/// statsforecast's bounds for `SimpleExponentialSmoothingOptimized`.
pub const SES_OPT_BOUNDS: (f64, f64) = (0.01, 0.99);
/// statsforecast's default bounds of `_optimized_ses_forecast` (Croston, ADIDA, IMAPA).
pub const INTERMITTENT_BOUNDS: (f64, f64) = (0.1, 0.3);
/// Width at which the golden-section search stops.
const TOL: f64 = 1e-12;

/// In-sample sum of squared one-step errors of SES with `alpha` (0 below two points).
pub fn sse(alpha: f64, x: &[f64]) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    let complement = 1.0 - alpha;
    let mut f = x[0];
    let mut sse = 0.0;
    for i in 1..x.len() {
        f = alpha * x[i - 1] + complement * f;
        let e = x[i] - f;
        sse += e * e;
    }
    sse
}

/// The one-step forecast after all of `x` (non-empty), and the in-sample one-step
/// forecasts: `fitted[i - 1]` is the forecast of `x_i`, i = 1..n-1.
pub fn forecast_and_fitted(alpha: f64, x: &[f64]) -> (f64, Vec<f64>) {
    let complement = 1.0 - alpha;
    let mut f = x[0];
    let mut fitted = Vec::with_capacity(x.len().saturating_sub(1));
    if x.len() == 1 {
        return (f, fitted);
    }
    for i in 1..=x.len() {
        f = alpha * x[i - 1] + complement * f;
        if i < x.len() {
            fitted.push(f);
        }
    }
    (f, fitted)
}

/// The one-step forecast after all of `x` (non-empty).
pub fn forecast(alpha: f64, x: &[f64]) -> f64 {
    if x.len() == 1 {
        return x[0];
    }
    let complement = 1.0 - alpha;
    x.iter().fold(x[0], |f, &v| alpha * v + complement * f)
}

/// The `alpha` in `[lo, hi]` minimising [`sse`], as statsforecast's `golden_section_ses`.
pub fn golden_section(x: &[f64], (lo, hi): (f64, f64)) -> f64 {
    let phi = (5f64.sqrt() + 1.0) / 2.0;
    let (mut a, mut b) = (lo, hi);
    let mut c = b - (b - a) / phi;
    let mut d = a + (b - a) / phi;
    let (mut fc, mut fd) = (sse(c, x), sse(d, x));
    while (b - a).abs() > TOL {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - (b - a) / phi;
            fc = sse(c, x);
        } else if fc > fd {
            a = c;
            c = d;
            fc = fd;
            d = a + (b - a) / phi;
            fd = sse(d, x);
        } else {
            break;
        }
    }
    (a + b) / 2.0
}

/// The optimised SES forecast after `x` (non-empty) with `alpha` searched in `bounds`,
/// with the in-sample one-step forecasts at that alpha (see [`forecast_and_fitted`]).
pub fn optimized(x: &[f64], bounds: (f64, f64)) -> (f64, Vec<f64>) {
    forecast_and_fitted(golden_section(x, bounds), x)
}

/// statsforecast's `SimpleExponentialSmoothingOptimized` (alias `SESOpt`): alpha searched
/// in [0.01, 0.99]; flat forecast; sigma = RMS of the one-step errors at that alpha.
pub fn fit_optimized(y: &[f64]) -> Fitted {
    let (mean, fitted) = optimized(y, SES_OPT_BOUNDS);
    Fitted::constant(mean, rms(y[1..].iter().zip(&fitted).map(|(v, f)| v - f)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recursion_matches_statsforecast() {
        // statsforecast: ses_sse(0.2, [3, 0, 5, 2, 7, 1]) = 41.48998144,
        // ses_forecast(.., 0.2) = 3.07104.
        let x = [3.0, 0.0, 5.0, 2.0, 7.0, 1.0];
        assert!((sse(0.2, &x) - 41.48998144).abs() < 1e-9);
        let (f, fitted) = forecast_and_fitted(0.2, &x);
        assert!((f - 3.07104).abs() < 1e-12);
        assert_eq!(f, forecast(0.2, &x));
        // statsforecast's fitted values: [nan, 3, 2.4, 2.92, 2.736, 3.5888]
        let want = [3.0, 2.4, 2.92, 2.736, 3.5888];
        assert!(fitted.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12));
        let ss: f64 = x[1..]
            .iter()
            .zip(&fitted)
            .map(|(v, f)| (v - f) * (v - f))
            .sum();
        assert!((ss - sse(0.2, &x)).abs() < 1e-12);
        assert_eq!(forecast(0.7, &[4.0]), 4.0);
    }

    #[test]
    fn golden_section_matches_statsforecast() {
        // Values printed by statsforecast 2.1.1's golden_section_ses.
        let x = [3.0, 0.0, 5.0, 2.0, 7.0, 1.0];
        assert_eq!(golden_section(&x, (0.1, 0.3)), 0.10000000000032039);
        let trend: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(golden_section(&trend, (0.1, 0.3)), 0.29999999999967963);
        assert_eq!(golden_section(&trend, (0.01, 0.99)), 0.9899999999996294);
        let alt = [10.0, 1.0, 10.0, 1.0, 10.0, 1.0, 10.0, 1.0];
        assert_eq!(golden_section(&alt, (0.1, 0.3)), 0.22589087955725445);
        // Ties (constant SSE) stop at once: the midpoint.
        assert_eq!(golden_section(&[5.0], (0.1, 0.3)), 0.2);
        assert_eq!(golden_section(&[1.0, 2.0], (0.01, 0.99)), 0.5);
        assert_eq!(golden_section(&[5.0; 5], (0.1, 0.7)), 0.39999999999999997);
    }

    #[test]
    fn optimized_model() {
        let f = fit_optimized(&[3.0, 3.0, 3.0]);
        assert_eq!(f.sigma, 0.0);
        let f = fit_optimized(&[7.0]);
        assert_eq!(f.sigma, 0.0);
    }
}
