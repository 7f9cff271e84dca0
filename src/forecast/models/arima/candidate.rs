//! One AutoARIMA candidate (statsforecast's `myarima`): fit the orders with or without
//! the constant (a drift when `d + D = 1`, else a mean), score it by the criterion
//! (statsforecast's AICc/BIC formulas, the CSS criterion with the approximation offset),
//! and reject it (`inf`) when it fails, when an AR or MA root of a polynomial of degree two
//! or more lies inside the circle of radius 1.01, or when a standard error would be NaN.

use super::fit::{fit_full, Fit};
use super::search::Ic;
use super::transform::roots_outside;
use super::{ArimaModel, Config, Likelihood, Method, Order};

/// One candidate's outcome.
pub(super) struct Candidate {
    /// The criterion (`inf` when rejected).
    pub ic: f64,
    /// The fit, when it succeeded.
    pub model: Option<ArimaModel>,
}

/// What every candidate of one search shares.
pub(super) struct Ctx<'a> {
    /// The series.
    pub y: &'a [f64],
    /// User regressors (row-major `n × k`).
    pub xreg: &'a [f64],
    /// Number of user regressors.
    pub k: usize,
    /// Differences.
    pub d: usize,
    /// Seasonal differences.
    pub sd: usize,
    /// Season length.
    pub m: usize,
    /// The criterion.
    pub ic: Ic,
    /// statsforecast's offset for the CSS criterion (0 without approximation).
    pub offset: f64,
    /// The likelihood the optimiser maximises.
    pub likelihood: Likelihood,
}

impl Ctx<'_> {
    /// statsforecast's `myarima`.
    pub(super) fn myarima(&self, o: [usize; 4], constant: bool, method: Method) -> Candidate {
        let [p, q, sp, sq] = o;
        let order = Order {
            p,
            d: self.d,
            q,
            sp,
            sd: self.sd,
            sq,
            period: self.m,
        };
        let diffs = self.d + self.sd;
        let mut cfg = Config::new(order);
        cfg.method = method;
        cfg.likelihood = self.likelihood;
        cfg.include_mean = constant;
        cfg.include_drift = diffs == 1 && constant;
        #[cfg(test)]
        let (t0, e0) = (
            std::time::Instant::now(),
            super::likelihood::EVALS.load(std::sync::atomic::Ordering::Relaxed),
        );
        let res = fit_full(self.y, self.xreg, self.k, &cfg);
        #[cfg(test)]
        if std::env::var("ARIMA_TRACE_FITS").is_ok() {
            let e = super::likelihood::EVALS.load(std::sync::atomic::Ordering::Relaxed) - e0;
            eprintln!(
                "fit {o:?} c={constant} {:?} ml {} css {} {:?}",
                t0.elapsed(),
                e / 1_000_000,
                e % 1_000_000,
                res.as_ref().map(|f| (f.model.aic, f.model.code))
            );
        }
        let fit = match res {
            Ok(f) => f,
            Err(_) => {
                return Candidate {
                    ic: f64::INFINITY,
                    model: None,
                }
            }
        };
        let Fit {
            mut model,
            var_nan,
            css_sigma2,
        } = fit;
        let nstar = model.nobs as f64;
        let npar = model.npar() as f64;
        if method == Method::Css {
            model.aic = if css_sigma2 <= 0.0 {
                f64::NEG_INFINITY
            } else {
                self.offset + nstar * css_sigma2.ln() + 2.0 * npar
            };
        }
        let mut ic = f64::INFINITY;
        if model.aic.is_nan() {
            model.aic = f64::INFINITY;
            model.bic = f64::INFINITY;
            model.aicc = f64::INFINITY;
        } else {
            model.bic = model.aic + npar * (nstar.ln() - 2.0);
            let den = nstar - npar - 1.0;
            model.aicc = if den != 0.0 {
                model.aic + 2.0 * npar * (npar + 1.0) / den
            } else {
                f64::INFINITY
            };
            ic = match self.ic {
                Ic::Aicc => model.aicc,
                Ic::Aic => model.aic,
                Ic::Bic => model.bic,
            };
        }
        let mut ok = true;
        if p + sp > 0 {
            ok &= roots_ok(&model.phi, -1.0);
        }
        if q + sq > 0 && ic < f64::INFINITY {
            ok &= roots_ok(&model.theta, 1.0);
        }
        // Not in statsforecast: a candidate with at least as many coefficients as
        // observations has an infinite or negative innovation variance (its divisor
        // `nobs - npar + 1` is 0 or less; statsforecast can select it and forecasts with
        // infinite or NaN intervals); here it cannot be selected.
        if !ok || var_nan || !(model.sigma2.is_finite() && model.sigma2 >= 0.0) {
            ic = f64::INFINITY;
        }
        Candidate {
            ic,
            model: Some(model),
        }
    }
}

/// statsforecast's root test: coefficients of magnitude above 1e-8, tested only when the
/// last of them is at lag two or more; `sign` −1 for AR (`1 − φz…`), +1 for MA.
fn roots_ok(poly: &[f64], sign: f64) -> bool {
    match poly.iter().rposition(|v| v.abs() > 1e-8) {
        Some(last) if last > 0 => {
            let a: Vec<f64> = poly[..=last].iter().map(|&v| -sign * v).collect();
            roots_outside(&a, 1.01)
        }
        _ => true,
    }
}
