//! The per-series models. Each takes one clean series (finite, non-empty) and returns its
//! [`Fitted`] state. Definitions follow statsforecast's so numbers agree (tests in
//! `tests/test_forecaster_vs_statsforecast.py`); deliberate differences say so.

mod aggregation;
pub mod arima;
pub mod arima_model;
pub mod decompose;
pub mod ets;
mod intermittent;
pub mod mstl_model;
mod naive;
pub(crate) mod nelder_mead;
pub mod refilter;
pub mod regressed;
pub(crate) mod ses;
pub(crate) mod ses_opt;
pub(crate) mod sums;
pub mod theta;
pub mod unitroot;

use super::exog::Exog;
use super::fitted::Fitted;
use super::spec::ModelSpec;
pub use refilter::{refilter, refilter_x, FittedOut};

/// Fit `spec` on `y` (non-empty, finite) with the exogenous regressors `x` (one row per
/// observation, finite; empty for none). Models without regressor support ignore `x`.
pub fn fit_x(spec: &ModelSpec, y: &[f64], x: Exog<'_>) -> Fitted {
    match *spec {
        ModelSpec::WithRegressors(ref inner) => regressed::fit(inner, y, x),
        ModelSpec::Arima(ref a) => arima_model::fit(a, y, x, refilter::FittedOut::none()),
        ModelSpec::AutoArima(ref a) => arima_model::fit_auto(a, y, x, refilter::FittedOut::none()),
        ModelSpec::Mstl {
            ref periods,
            ref trend,
        } => mstl_model::fit(periods, trend, y, x),
        _ => fit(spec, y),
    }
}

/// Fit `spec` on `y` (non-empty, finite), without regressors.
pub fn fit(spec: &ModelSpec, y: &[f64]) -> Fitted {
    match *spec {
        ModelSpec::Naive => naive::naive(y),
        ModelSpec::SeasonalNaive { season_length } => naive::seasonal_naive(y, season_length),
        ModelSpec::HistoricAverage => naive::historic_average(y),
        ModelSpec::WindowAverage { window_size } => naive::window_average(y, window_size),
        ModelSpec::SeasonalWindowAverage {
            season_length,
            window_size,
        } => naive::seasonal_window_average(y, season_length, window_size),
        ModelSpec::Ses { alpha } => ses::fit_fixed(y, alpha),
        ModelSpec::CrostonClassic => intermittent::croston(y, 1.0),
        ModelSpec::CrostonSba => intermittent::croston(y, 1.0 - intermittent::CROSTON_ALPHA / 2.0),
        ModelSpec::Tsb { alpha_d, alpha_p } => intermittent::tsb(y, alpha_d, alpha_p),
        ModelSpec::SesOptimized => ses_opt::fit_optimized(y),
        ModelSpec::CrostonOptimized => intermittent::croston_optimized(y),
        ModelSpec::Adida => aggregation::adida(y),
        ModelSpec::Imapa => aggregation::imapa(y),
        ModelSpec::Theta {
            kind,
            season_length,
            multiplicative,
        } => theta::fit(y, kind, season_length, multiplicative),
        ModelSpec::AutoEts(ref ets) => ets::fit(ets, y),
        ModelSpec::WithRegressors(_)
        | ModelSpec::Mstl { .. }
        | ModelSpec::Arima(_)
        | ModelSpec::AutoArima(_) => fit_x(spec, y, Exog::NONE),
    }
}

/// Root mean square of `errors` (0 for none).
pub(crate) fn rms(errors: impl Iterator<Item = f64>) -> f64 {
    let (mut ss, mut n) = (0.0, 0usize);
    for e in errors {
        ss += e * e;
        n += 1;
    }
    if n == 0 {
        0.0
    } else {
        (ss / n as f64).sqrt()
    }
}

#[cfg(test)]
pub(crate) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}
