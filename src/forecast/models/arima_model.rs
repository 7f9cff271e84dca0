//! ARIMA and AutoARIMA as per-series models of the engine: the regressors a series can use,
//! AutoARIMA's differencing tests (statsforecast's `auto_arima_f` before its order search),
//! the fitted state (forecasts, forecast variances, simulated paths, refiltering) and the
//! fallbacks. The estimation itself is `models::arima`.
//!
//! Regressors: of the panel's `k` regressor columns, a series uses those that vary and are
//! not linear combinations of the ones before them on its training rows (a price that never
//! changed for a SKU tells its model nothing, and statsforecast would reject the rank-deficient
//! design); the others get no coefficient for that series. Forecasts take the same columns
//! of each future row.
//!
//! Likelihood: by default the exact Gaussian likelihood with a diffuse prior on the
//! differencing states (R's `stats::arima`). statsforecast 2.1.1 maximises a slightly
//! different function for integrated models (see `models::arima`); `likelihood =
//! "statsforecast"` reproduces it (to get its estimates), at the cost of the full Kalman
//! filter in every evaluation. For `d + D = 0` the two are the same.

use super::arima::{self, ArimaError, ArimaModel, Config, Order};
use super::ets::simulate::Normal;
use super::naive;
use super::refilter::FittedOut;
use super::unitroot::{ndiffs, nsdiffs};
use crate::error::{Error, Result};
use crate::forecast::codec::{Reader, Writer};
use crate::forecast::exog::{informative_columns, select_columns, Exog, Regression};
use crate::forecast::fitted::{Fallback, Fitted, State};
use crate::forecast::frozen::Frozen;
use crate::forecast::spec::{ArimaSpec, AutoArimaSpec};
use crate::planning::normal;

/// KPSS significance level of AutoARIMA's `ndiffs` (statsforecast's default).
const KPSS_ALPHA: f64 = 0.05;

/// A fitted ARIMA model and the regressor columns it uses.
#[derive(Debug, Clone, PartialEq)]
pub struct ArimaState {
    /// The model.
    pub model: ArimaModel,
    /// Indices of the panel's regressor columns the model uses, ascending.
    pub kept: Vec<usize>,
    /// Regressor columns of the panel at fit.
    pub k: usize,
}

/// Fit a fixed-order ARIMA on `y` with the panel's regressors `x` (one row per value).
pub fn fit(spec: &ArimaSpec, y: &[f64], x: Exog<'_>, out: FittedOut<'_>) -> Fitted {
    let kept = informative_columns(x, y.len());
    let xs = select_columns(x, y.len(), &kept);
    let mut cfg = Config::new(spec.order);
    cfg.include_mean = spec.include_mean;
    cfg.include_drift = spec.include_drift;
    cfg.method = spec.method;
    cfg.likelihood = spec.likelihood;
    if !spec.fixed.is_empty() {
        cfg.fixed = Some(fixed_vector(spec, &kept));
    }
    // more observations (after differencing) than estimated coefficients plus the variance
    let n_coef = spec.order.narma()
        + usize::from(spec.include_mean && spec.order.diffs() == 0)
        + usize::from(spec.include_drift && spec.order.diffs() <= 1)
        + kept.len();
    let needed = spec.order.ndelta() + n_coef + 1;
    let fit = if y.len() <= needed {
        Err(ArimaError::TooShort { n: y.len(), needed })
    } else {
        arima::fit(y, &xs, kept.len(), &cfg)
    };
    finish(fit, kept, x.k(), y, &xs, out)
}

/// AutoARIMA on `y` with the panel's regressors `x`: the differencing tests, then the
/// stepwise (or grid) order search.
pub fn fit_auto(spec: &AutoArimaSpec, y: &[f64], x: Exog<'_>, out: FittedOut<'_>) -> Fitted {
    let kept = informative_columns(x, y.len());
    let xs = select_columns(x, y.len(), &kept);
    let k = kept.len();
    let (d, sd, m) = differences(spec, y, &xs, k);
    let fit = arima::auto_search(y, &xs, k, d, sd, m, &spec.search);
    finish(fit, kept, x.k(), y, &xs, out)
}

/// statsforecast's choice of `d` and `D`: the seasonal test on `y` (or its regression
/// residuals), then repeated KPSS tests on the seasonally differenced series, each taken
/// back by one when the differenced regressors would have a constant column.
fn differences(spec: &AutoArimaSpec, y: &[f64], xs: &[f64], k: usize) -> (usize, usize, usize) {
    let m = if spec.seasonal { spec.period.max(1) } else { 1 };
    let xx = if k > 0 {
        let x = Exog::new(xs, k, y.len()).unwrap_or(Exog::NONE);
        let reg = Regression::fit(y, x);
        let mut effect = vec![0.0; y.len()];
        reg.effect_into(x, &mut effect);
        let ybar = y.iter().sum::<f64>() / y.len() as f64;
        y.iter().zip(&effect).map(|(v, e)| v - ybar - e).collect()
    } else {
        y.to_vec()
    };
    let (fixed_d, fixed_sd) = if spec.stationary {
        (Some(0), Some(0))
    } else {
        (spec.d, spec.sd)
    };
    let sd = match (m, fixed_sd) {
        (1, _) => 0,
        (_, Some(v)) => v,
        (_, None) if xx.len() <= 2 * m => 0,
        (_, None) => nsdiffs(&xx, m, spec.max_sd, spec.seasonal_test),
    };
    let dx = diff(&xx, m, sd);
    let d = match fixed_d {
        Some(v) => v,
        None => {
            let mut d = ndiffs(&dx, KPSS_ALPHA, spec.max_d);
            if d > 0 && k > 0 && constant_column(&diff_rows(&diff_rows(xs, k, m, sd), k, 1, d), k) {
                d -= 1;
            }
            d
        }
    };
    (d, sd, m)
}

fn diff(v: &[f64], lag: usize, times: usize) -> Vec<f64> {
    let mut w = v.to_vec();
    for _ in 0..times {
        w = (lag..w.len()).map(|t| w[t] - w[t - lag]).collect();
    }
    w
}

/// Row-major `k`-column matrix differenced `times` times at `lag`.
fn diff_rows(x: &[f64], k: usize, lag: usize, times: usize) -> Vec<f64> {
    let mut w = x.to_vec();
    for _ in 0..times {
        let rows = w.len() / k;
        w = (lag..rows)
            .flat_map(|t| (0..k).map(move |j| (t, j)))
            .map(|(t, j)| w[t * k + j] - w[(t - lag) * k + j])
            .collect();
    }
    w
}

fn constant_column(x: &[f64], k: usize) -> bool {
    let rows = x.len() / k.max(1);
    rows > 0 && (0..k).any(|j| (1..rows).all(|t| x[t * k + j] == x[j]))
}

/// The `fixed` coefficients in the model's coefficient order (None = estimated).
fn fixed_vector(spec: &ArimaSpec, kept: &[usize]) -> Vec<Option<f64>> {
    let o = &spec.order;
    let intercept = spec.include_mean && o.diffs() == 0;
    let drift = spec.include_drift && o.diffs() <= 1;
    let mut names: Vec<String> = Vec::new();
    for (pre, n) in [("ar", o.p), ("ma", o.q), ("sar", o.sp), ("sma", o.sq)] {
        names.extend((1..=n).map(|i| format!("{pre}{i}")));
    }
    if intercept {
        names.push("intercept".into());
    }
    if drift {
        names.push("drift".into());
    }
    names.extend(kept.iter().map(|j| format!("ex_{}", j + 1)));
    names
        .iter()
        .map(|n| spec.fixed.iter().find(|(f, _)| f == n).map(|(_, v)| *v))
        .collect()
}

/// The fitted model, or `Naive` when it could not be fitted.
fn finish(
    fit: std::result::Result<ArimaModel, ArimaError>,
    kept: Vec<usize>,
    k: usize,
    y: &[f64],
    xs: &[f64],
    out: FittedOut<'_>,
) -> Fitted {
    match fit {
        Ok(model) => {
            // a constant series gets statsforecast's fixed-mean model without regressors
            let (kept, xs) = if model.n_xreg == kept.len() {
                (kept, xs)
            } else {
                debug_assert_eq!(model.n_xreg, 0);
                (Vec::new(), &[][..])
            };
            from_model(ArimaState { model, kept, k }, y, xs, out)
        }
        Err(e) => {
            let why = match e {
                ArimaError::TooShort { .. } => Fallback::TooShort,
                _ => Fallback::FitFailed,
            };
            naive::naive_into(y, out).fell_back(why)
        }
    }
}

/// Wrap a model: its in-sample one-step errors give `sigma` (and the fitted values).
fn from_model(state: ArimaState, y: &[f64], xs: &[f64], mut out: FittedOut<'_>) -> Fitted {
    let fitted = state.model.fitted_values(y, xs).unwrap_or_default();
    let sigma = super::rms(
        y.iter()
            .zip(&fitted)
            .map(|(v, f)| v - f)
            .filter(|e| e.is_finite()),
    );
    if fitted.len() == y.len() {
        out.copy_from(&fitted);
    } else {
        out.fill(f64::NAN);
    }
    Fitted {
        state: State::Arima(Box::new(state)),
        sigma,
        fallback: None,
        frozen: Frozen::State,
    }
}

/// Re-run `old` with its coefficients over `y` and the panel's regressors `x`.
pub fn refilter(
    old: &ArimaState,
    y: &[f64],
    x: Exog<'_>,
    mut out: FittedOut<'_>,
) -> Option<Fitted> {
    let xs = select_columns(x, y.len(), &old.kept);
    if xs.len() != y.len() * old.kept.len() {
        out.fill(f64::NAN);
        return None;
    }
    let model = old.model.refilter(y, &xs).ok()?;
    let state = ArimaState {
        model,
        kept: old.kept.clone(),
        k: old.k,
    };
    Some(from_model(state, y, &xs, out))
}

impl ArimaState {
    fn future(&self, xf: Exog<'_>, h: usize) -> Vec<f64> {
        select_columns(xf, h, &self.kept)
    }

    /// Point forecasts with the future regressors `xf` (one row per step).
    pub fn forecast_x(&self, out: &mut [f64], xf: Exog<'_>) {
        let h = out.len();
        let mut var = vec![0.0; h];
        self.model.forecast(h, &self.future(xf, h), out, &mut var);
    }

    /// Normal quantiles `probs` of steps 1..=h: `out[q * h + k]`.
    pub fn quantiles_into(&self, h: usize, probs: &[f64], xf: Exog<'_>, out: &mut [f64]) {
        let (mut mean, mut var) = (vec![0.0; h], vec![0.0; h]);
        self.model
            .forecast(h, &self.future(xf, h), &mut mean, &mut var);
        for (q, &p) in probs.iter().enumerate() {
            let z = normal::quantile(p);
            for k in 0..h {
                out[q * h + k] = mean[k] + z * var[k].max(0.0).sqrt();
            }
        }
    }

    /// `n_paths` simulated paths of `h` steps: `out[p * h + k]`.
    pub fn paths_into(
        &self,
        h: usize,
        n_paths: usize,
        g: &mut Normal,
        xf: Exog<'_>,
        out: &mut [f64],
    ) {
        self.model.simulate(h, n_paths, &self.future(xf, h), g, out);
    }

    /// Append to a persisted blob.
    pub fn encode(&self, w: &mut Writer) {
        w.u32(self.k as u32);
        w.u32(self.kept.len() as u32);
        for &j in &self.kept {
            w.u32(j as u32);
        }
        self.model.encode(w);
    }

    /// Read back what [`ArimaState::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<ArimaState> {
        let k = r.u32()? as usize;
        let n = r.u32()? as u64;
        let n = r.count(n, 4)?;
        let kept = (0..n)
            .map(|_| r.u32().map(|j| j as usize))
            .collect::<Result<Vec<_>>>()?;
        let model = ArimaModel::decode(r)?;
        if kept.iter().any(|&j| j >= k)
            || kept.windows(2).any(|w| w[0] >= w[1])
            || model.n_xreg != kept.len()
        {
            return Err(Error::Decode("inconsistent ARIMA regressors".into()));
        }
        Ok(ArimaState { model, kept, k })
    }

    /// The orders.
    pub fn order(&self) -> Order {
        self.model.order
    }
}

#[cfg(test)]
#[path = "arima_model_tests.rs"]
mod tests;
