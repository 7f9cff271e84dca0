//! Re-running a fitted model's filter over a series with its frozen parameters: one
//! mechanism for the in-sample fitted values (the filter over the training series writes
//! its one-step forecasts) and for the online update (the filter over the longer series
//! gives the new state), so an update forecasts exactly as a refit with frozen parameters.
//!
//! Every model's fit is "estimate, then filter": the filter functions it calls are the
//! ones [`refilter`] calls with the frozen estimates, so `refilter(spec, &fit(spec, y), y,
//! ..)` is `fit(spec, y)` bit for bit. A series that fell back keeps its fallback model
//! and code (the fallback is a frozen selection).

use super::mstl_model::MstlState;
use super::{
    aggregation, arima_model, decompose, ets, fit_x, intermittent, naive, regressed, ses, ses_opt,
    theta,
};
use crate::forecast::exog::Exog;
use crate::forecast::fitted::{Fitted, State};
use crate::forecast::frozen::Frozen;
use crate::forecast::models::regressed::Regressed;
use crate::forecast::spec::ModelSpec;

/// Where a filter writes its in-sample one-step-ahead forecasts ("fitted values"), one per
/// observation, NaN where the model has none; nothing when not wanted.
#[derive(Debug, Default)]
pub struct FittedOut<'a>(Option<&'a mut [f64]>);

impl<'a> FittedOut<'a> {
    /// Write into `out` (one value per observation), or nowhere.
    pub fn new(out: Option<&'a mut [f64]>) -> Self {
        FittedOut(out)
    }

    /// Nowhere.
    pub fn none() -> Self {
        FittedOut(None)
    }

    /// The same destination, borrowed for a nested call.
    pub fn reborrow(&mut self) -> FittedOut<'_> {
        FittedOut(self.0.as_deref_mut())
    }

    /// Whether fitted values are wanted.
    pub fn wanted(&self) -> bool {
        self.0.is_some()
    }

    /// The fitted value of observation `t`.
    #[inline]
    pub fn set(&mut self, t: usize, v: f64) {
        if let Some(o) = self.0.as_deref_mut() {
            if let Some(slot) = o.get_mut(t) {
                *slot = v;
            }
        }
    }

    /// The same fitted value everywhere.
    pub fn fill(&mut self, v: f64) {
        if let Some(o) = self.0.as_deref_mut() {
            o.fill(v);
        }
    }

    /// Fitted values computed elsewhere (the overlap of the two lengths).
    pub fn copy_from(&mut self, values: &[f64]) {
        if let Some(o) = self.0.as_deref_mut() {
            let n = o.len().min(values.len());
            o[..n].copy_from_slice(&values[..n]);
        }
    }
}

/// Re-run `old` (a fit of `spec`) with its frozen parameters over `y` (non-empty, finite),
/// without regressors; see [`refilter_x`].
pub fn refilter(
    spec: &ModelSpec,
    old: &Fitted,
    y: &[f64],
    fitted_out: Option<&mut [f64]>,
) -> Fitted {
    refilter_x(spec, old, y, Exog::NONE, fitted_out)
}

/// Re-run `old` (a fit of `spec`) with its frozen parameters over `y` (non-empty, finite;
/// typically the training series extended by new observations) and the regressors `x` (one
/// row per value of `y`, as many columns as the fit used; empty for none), writing the
/// one-step forecasts of every observation into `fitted_out` (`y.len()` values, NaN where
/// the model has none). Nothing is re-estimated: what is frozen and what is recomputed is
/// documented on each model. A fit without frozen parameters (read from a format-2 blob,
/// [`Fitted::is_refilterable`] false) is returned unchanged with NaN fitted values: callers
/// check first.
pub fn refilter_x(
    spec: &ModelSpec,
    old: &Fitted,
    y: &[f64],
    x: Exog<'_>,
    fitted_out: Option<&mut [f64]>,
) -> Fitted {
    let mut out = FittedOut::new(fitted_out);
    if !old.is_refilterable() {
        out.fill(f64::NAN);
        return old.clone();
    }
    if let State::Regressed(r) = &old.state {
        return refilter_regressed(spec, r, y, x, out);
    }
    if let State::Mstl(m) = &old.state {
        return refilter_mstl(spec, m, old, y, x, out);
    }
    if let State::Arima(a) = &old.state {
        // a refilter that fails (a non-finite state) keeps the old fit
        let mut out = out;
        return match arima_model::refilter(a, y, x, out.reborrow()) {
            Some(f) => f,
            None => {
                out.fill(f64::NAN);
                old.clone()
            }
        };
    }
    let new = match (&old.frozen, &old.state) {
        (Frozen::Naive, _) => naive::naive_into(y, out),
        (Frozen::HistoricAverage, _) => naive::historic_average_into(y, out),
        (Frozen::SeasonalNaive { season_length }, _) => {
            naive::seasonal_naive_into(y, *season_length, out)
        }
        (Frozen::Zero, _) => intermittent::zero_into(y, out),
        (Frozen::Ses { alpha }, _) => ses_opt::filter(y, *alpha, out),
        (Frozen::Croston { alpha_z, alpha_p }, _) => {
            intermittent::croston_filter(y, *alpha_z, *alpha_p, out)
        }
        (Frozen::Adida { level, alpha }, _) => {
            aggregation::adida_filter(y, *level, Some(*alpha), out)
        }
        (Frozen::Imapa { alphas }, _) => {
            let alphas: Vec<Option<f64>> = alphas.iter().map(|a| Some(*a)).collect();
            aggregation::imapa_filter(y, &alphas, out)
        }
        (Frozen::Theta(t), _) => {
            let m = match spec {
                ModelSpec::Theta { season_length, .. } => *season_length,
                _ => 1,
            };
            theta::refilter(y, m, t, out)
        }
        (Frozen::Ets(init), State::Ets(e)) => ets::refilter(e, init, y, out),
        (Frozen::Spec, _) => spec_into(spec, y, x, out),
        // a state this dispatch cannot re-run (no model builds one today): unchanged
        (Frozen::Ets(_) | Frozen::State | Frozen::Unknown, _) => {
            out.fill(f64::NAN);
            return old.clone();
        }
    };
    Fitted {
        fallback: old.fallback.or(new.fallback),
        ..new
    }
}

/// The models whose fit estimates nothing ([`Frozen::Spec`]): their filter is their fit.
fn spec_into(spec: &ModelSpec, y: &[f64], x: Exog<'_>, mut out: FittedOut<'_>) -> Fitted {
    match *spec {
        ModelSpec::Naive => naive::naive_into(y, out),
        ModelSpec::SeasonalNaive { season_length } => {
            naive::seasonal_naive_into(y, season_length, out)
        }
        ModelSpec::HistoricAverage => naive::historic_average_into(y, out),
        ModelSpec::WindowAverage { window_size } => naive::window_average_into(y, window_size, out),
        ModelSpec::SeasonalWindowAverage {
            season_length,
            window_size,
        } => naive::seasonal_window_average_into(y, season_length, window_size, out),
        ModelSpec::Ses { alpha } => ses::fit_fixed_into(y, alpha, out),
        ModelSpec::CrostonClassic => intermittent::croston_into(y, 1.0, out),
        ModelSpec::CrostonSba => {
            intermittent::croston_into(y, 1.0 - intermittent::CROSTON_ALPHA / 2.0, out)
        }
        ModelSpec::Tsb { alpha_d, alpha_p } => intermittent::tsb_into(y, alpha_d, alpha_p, out),
        // every other model freezes something and never keeps `Frozen::Spec`
        _ => {
            out.fill(f64::NAN);
            fit_x(spec, y, x)
        }
    }
}

/// MSTL: the periods the fit decomposed are kept (a period dropped as too long for the
/// training series stays dropped), the decomposition itself (a deterministic smoother,
/// nothing estimated) is recomputed on the new series, and the trend forecaster is
/// refiltered with its frozen parameters on the new seasonally adjusted series. Fitted
/// values: the trend forecaster's plus the seasonal components.
fn refilter_mstl(
    spec: &ModelSpec,
    m: &MstlState,
    old: &Fitted,
    y: &[f64],
    x: Exog<'_>,
    mut out: FittedOut<'_>,
) -> Fitted {
    let trend_spec = match spec {
        ModelSpec::Mstl { trend, .. } => trend.as_ref(),
        other => other,
    };
    let periods: Vec<usize> = m.cycles.iter().map(Vec::len).collect();
    let decomposition = if periods.is_empty() {
        None
    } else {
        decompose::mstl(y, &periods, None, None).ok()
    };
    let (adjusted, cycles, seasonal) = match &decomposition {
        Some(d) => {
            let n = y.len();
            let cycles = d
                .seasonals
                .iter()
                .map(|(p, s)| s[n - p..].to_vec())
                .collect();
            let mut seasonal = vec![0.0; n];
            for (_, s) in &d.seasonals {
                seasonal.iter_mut().zip(s).for_each(|(a, b)| *a += b);
            }
            (d.deseasonalized(), cycles, seasonal)
        }
        None => (y.to_vec(), Vec::new(), vec![0.0; y.len()]),
    };
    let mut trend_fitted = vec![f64::NAN; if out.wanted() { y.len() } else { 0 }];
    let wanted = out.wanted().then_some(trend_fitted.as_mut_slice());
    let trend = refilter_x(trend_spec, &m.trend, &adjusted, x, wanted);
    if out.wanted() {
        for (t, (f, s)) in trend_fitted.iter().zip(&seasonal).enumerate() {
            out.set(t, f + s);
        }
    }
    Fitted {
        sigma: trend.sigma,
        fallback: old.fallback.or(trend.fallback),
        frozen: Frozen::State,
        state: State::Mstl(Box::new(MstlState { trend, cycles })),
    }
}

/// The regression wrapper: the regression (`x̄`, `β`) is frozen, the inner model is
/// refiltered over `y − (x − x̄)·β`, and the fitted values are the inner model's plus
/// `(x_t − x̄)·β`.
fn refilter_regressed(
    spec: &ModelSpec,
    r: &Regressed,
    y: &[f64],
    x: Exog<'_>,
    mut out: FittedOut<'_>,
) -> Fitted {
    let inner_spec = match spec {
        ModelSpec::WithRegressors(inner) => inner.as_ref(),
        other => other,
    };
    let adjusted = regressed::adjust(&r.reg, y, x);
    let mut inner_fitted = vec![f64::NAN; if out.wanted() { y.len() } else { 0 }];
    let wanted = out.wanted().then_some(inner_fitted.as_mut_slice());
    let inner = refilter_x(inner_spec, &r.inner, &adjusted, Exog::NONE, wanted);
    if out.wanted() {
        let mut effect = vec![0.0; y.len()];
        r.reg.effect_into(x, &mut effect);
        for (t, (f, e)) in inner_fitted.iter().zip(&effect).enumerate() {
            out.set(t, f + e);
        }
    }
    Fitted {
        sigma: inner.sigma,
        fallback: inner.fallback,
        frozen: Frozen::State,
        state: State::Regressed(Box::new(Regressed {
            reg: r.reg.clone(),
            inner,
        })),
    }
}

#[cfg(test)]
#[path = "refilter_tests.rs"]
mod tests;
