//! Exponential smoothing state-space models (ETS; Hyndman, Koehler, Snyder & Grose 2002,
//! Hyndman et al. 2008) with automatic selection, following statsforecast's `AutoETS`
//! (itself a port of R's `forecast::ets`): the same model space and restrictions, the same
//! starting values, bounds and Nelder–Mead optimiser, and AICc selection, so the same
//! models are chosen. Deliberate differences are listed on [`fit`].
//!
//! Files: `spec` (model space), `init` (starting values), `recursion` (the likelihood
//! loop), `nelder_mead` (optimiser), `select` (estimation and AICc search), `state` (the
//! fitted state: forecasting and persistence), `interval` (forecast distributions:
//! analytic variances or simulation) and `simulate` (sample paths from the fitted model).
//!
//! Frozen by a fit (for [`refilter`]): the selected model (error, trend, season, damping),
//! its smoothing parameters and its estimated initial states ([`EtsInit`]). Recomputed by
//! a refilter: every state after the first observation, the residual variance `σ²` (the
//! same divisor `n − k − 1` with the new `n`) and the RMSE. This is statsforecast's
//! `forward` (`ets_f` with a fitted model: the same parameters and initial states).

mod init;
pub mod interval;
mod nelder_mead;
mod recursion;
mod select;
pub mod simulate;
pub mod spec;
pub mod state;

pub use recursion::Smoothing;
pub use spec::{Comp, EtsSpec, Kind};
pub use state::{EtsInit, EtsState};

use super::naive;
use super::refilter::FittedOut;
use crate::forecast::fitted::{Fallback, Fitted, State};
use crate::forecast::frozen::Frozen;

/// Fit an ETS specification on `y` (non-empty, finite).
///
/// Degenerate series never fail; they get a simpler model, recorded as a [`Fallback`]:
/// * a constant series gets statsforecast's answer, ETS(A,N,N) with alpha 0.9999 at the
///   constant ([`Fallback::Constant`]);
/// * a series no longer than one season, or too short for the seasonal model requested,
///   gets the non-seasonal version ([`Fallback::NonSeasonal`]; statsforecast drops the
///   season silently in the first case and raises in the second);
/// * data with zeros or negative values get additive components where multiplicative ones
///   were requested ([`Fallback::NotPositive`]; statsforecast raises);
/// * a series too short for any ETS model gets `Naive` ([`Fallback::TooShort`];
///   statsforecast raises).
///
/// Other deliberate differences from statsforecast 2.1: damped-trend forecasts use the
/// textbook φ + φ² + … + φʰ (statsforecast 2.1 adds φ twice; fixed upstream later), and a
/// likelihood that is not a number counts as +∞ for the optimiser, not −∞.
pub fn fit(spec: &EtsSpec, y: &[f64]) -> Fitted {
    if y.iter().all(|&v| v == y[0]) {
        return constant(y[0]).fell_back(Fallback::Constant);
    }
    let positive = y.iter().all(|&v| v > 0.0);
    let mut spec = *spec;
    let mut why = None;
    if y.len() <= spec.season_length && spec.season != Some(Comp::N) {
        if spec.wants_season() {
            why = Some(Fallback::NonSeasonal);
        }
        spec = spec.nonseasonal();
    }
    if spec.candidates(positive).is_empty() {
        why = Some(Fallback::NotPositive);
        spec = spec.additive();
    }
    loop {
        if let Some(est) = select::search(&spec, y, positive) {
            return Fitted {
                state: State::Ets(est.state),
                sigma: est.rmse,
                fallback: why,
                frozen: Frozen::Ets(est.init),
            };
        }
        if !spec.wants_season() {
            return naive::naive(y).fell_back(Fallback::TooShort);
        }
        why = Some(Fallback::NonSeasonal);
        spec = spec.nonseasonal();
    }
}

/// Re-run a fitted ETS model (`old`: its kind and smoothing parameters) from its frozen
/// initial states over `y`, writing the one-step forecasts into `out`. The caller keeps
/// the fit's fallback code. Deliberate difference from statsforecast's `forward`, which
/// refits ETS(A,N,N) on a constant new series: the model stays. A run that breaks down (a
/// multiplicative trend turning negative) gives `Naive` (fallback code 5).
pub fn refilter(old: &EtsState, init: &EtsInit, y: &[f64], mut out: FittedOut<'_>) -> Fitted {
    let kind = old.kind;
    let m = init.season.len();
    if (kind.season == Comp::N) != (m == 0) {
        return naive::naive_into(y, out).fell_back(Fallback::FitFailed);
    }
    let mut ring = init.season.clone();
    let mut fitted = if out.wanted() {
        vec![0.0; y.len()]
    } else {
        vec![]
    };
    let pass = recursion::run_into(
        kind,
        &old.smoothing,
        init.level,
        init.slope,
        &mut ring,
        y,
        &mut fitted,
    );
    if pass.lik.is_nan() {
        return naive::naive_into(y, out).fell_back(Fallback::FitFailed);
    }
    out.copy_from(&fitted);
    let nf = y.len() as f64;
    // k = estimated parameters + 1, as the fit's divisor
    let has = |c: Comp| usize::from(c != Comp::N);
    let n_smooth = 1 + has(kind.trend) + has(kind.season) + usize::from(kind.damped);
    let n_states = 1 + has(kind.trend) + m.saturating_sub(1);
    let den = nf - (n_smooth + n_states + 1) as f64 - 1.0;
    let sigma2 = if pass.sse == 0.0 {
        0.0
    } else if den >= 0.0 {
        pass.sse / den
    } else {
        pass.sse / nf
    };
    let shift = y.len() % m.max(1);
    let season = (0..m).map(|i| ring[(shift + i) % m]).collect();
    Fitted {
        state: State::Ets(EtsState {
            kind,
            smoothing: old.smoothing,
            level: pass.level,
            slope: pass.slope,
            season,
            sigma2,
        }),
        sigma: (pass.sse_units / nf).sqrt(),
        fallback: None,
        frozen: Frozen::Ets(init.clone()),
    }
}

/// statsforecast's model for a constant series: ETS(A,N,N), alpha 0.9999, level = value
/// (frozen as the initial level).
fn constant(value: f64) -> Fitted {
    Fitted {
        state: State::Ets(EtsState {
            kind: Kind::new(Comp::A, Comp::N, Comp::N, false),
            smoothing: Smoothing {
                alpha: 0.9999,
                beta: 0.0,
                gamma: 0.0,
                phi: 1.0,
            },
            level: value,
            slope: 0.0,
            season: vec![],
            sigma2: 0.0,
        }),
        sigma: 0.0,
        fallback: None,
        frozen: Frozen::Ets(EtsInit {
            level: value,
            slope: 0.0,
            season: vec![],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ets(model: &str) -> EtsSpec {
        EtsSpec::new(7, model, None).unwrap()
    }

    fn forecast(f: &Fitted, h: usize) -> Vec<f64> {
        let mut out = vec![0.0; h];
        f.forecast_into(&mut out);
        out
    }

    #[test]
    fn degenerate_series_fall_back() {
        let zeros = fit(&ets("ZZZ"), &[0.0; 30]);
        assert_eq!(zeros.fallback, Some(Fallback::Constant));
        assert_eq!(forecast(&zeros, 3), vec![0.0; 3]);
        let one = fit(&ets("MAM"), &[4.0]);
        assert_eq!(forecast(&one, 2), vec![4.0; 2]);

        let short = fit(&ets("ZZZ"), &[1.0, 2.0, 0.0, 3.0]);
        assert_eq!(short.fallback, Some(Fallback::TooShort));
        assert_eq!(forecast(&short, 2), vec![3.0; 2]);

        let y: Vec<f64> = (0..40)
            .map(|t| f64::from(t % 7) + f64::from(t % 3))
            .collect();
        let mult = fit(&ets("MNM"), &y);
        assert_eq!(mult.fallback, Some(Fallback::NotPositive));
        let State::Ets(s) = &mult.state else { panic!() };
        assert_eq!(s.kind.code(), "ANA");

        let seasonal_short = fit(&ets("AAA"), &y[..6]);
        assert_eq!(seasonal_short.fallback, Some(Fallback::TooShort));
        let seasonal_tight = fit(&ets("ANA"), &y[..10]);
        assert_eq!(seasonal_tight.fallback, Some(Fallback::NonSeasonal));
        let State::Ets(s) = &seasonal_tight.state else {
            panic!()
        };
        assert_eq!(s.kind.code(), "ANN");
    }

    #[test]
    fn auto_needs_no_fallback_on_ordinary_data() {
        let y: Vec<f64> = (0..60)
            .map(|t| 10.0 + f64::from(t % 7) + f64::from((t * 31) % 5))
            .collect();
        let f = fit(&ets("ZZZ"), &y);
        assert_eq!(f.fallback, None);
        assert!(forecast(&f, 14).iter().all(|v| v.is_finite()));
    }
}
