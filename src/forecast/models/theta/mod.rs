//! The theta family (Theta, OptimizedTheta, DynamicTheta, DynamicOptimizedTheta and
//! AutoTheta, which keeps the one with the lowest objective), following statsforecast's
//! `auto_theta`: optional seasonal adjustment (`decompose`), then the state-space theta
//! model(s) (`state_space`) on the adjusted series, re-seasonalised forecasts.

pub mod decompose;
pub mod state_space;

use super::naive;
use super::rms;
use crate::forecast::fitted::{Fallback, Fitted, State};
use decompose::Mode;
pub use state_space::{Kind, ThetaState};

/// Fit `kind` (None: choose among all four) with season length `m`; the seasonal
/// adjustment is multiplicative when `multiplicative` and the data allow it.
///
/// Deliberate differences from statsforecast, which raises instead: fewer than 4
/// observations give `Naive` (`Fallback::TooShort`); a series no model can be fitted on
/// (the objective is not finite, e.g. values near the float range) gives `Naive`
/// (`Fallback::FitFailed`).
pub fn fit(y: &[f64], kind: Option<Kind>, m: usize, multiplicative: bool) -> Fitted {
    if y.len() <= 3 {
        return naive::naive(y).fell_back(Fallback::TooShort);
    }
    let seasonal = decompose::seasonal(y, m, multiplicative);
    let adjusted = match &seasonal {
        Some(s) => s.adjust(y),
        None => y.to_vec(),
    };
    let kinds = kind.map_or(Kind::ALL.to_vec(), |k| vec![k]);
    let mut best: Option<(Kind, state_space::Fit)> = None;
    let mut best_mse = f64::INFINITY;
    for k in kinds {
        let f = state_space::fit(&adjusted, k);
        if f.run.mse < best_mse {
            best_mse = f.run.mse;
            best = Some((k, f));
        }
    }
    let Some((k, f)) = best else {
        return naive::naive(y).fell_back(Fallback::FitFailed);
    };
    let n = y.len();
    let (_, alpha, theta) = f.params;
    let state = ThetaState {
        last: f.run.last,
        n,
        alpha,
        theta,
        dynamic: matches!(k, Kind::Dstm | Kind::Dotm),
        season: seasonal.as_ref().map_or(vec![], |s| {
            (0..s.indices.len())
                .map(|j| s.indices[(n + j) % s.indices.len()])
                .collect()
        }),
        multiplicative: seasonal
            .as_ref()
            .is_some_and(|s| s.mode == Mode::Multiplicative),
    };
    let mut probe = vec![0.0; state.season.len().max(1)];
    state.forecast_into(&mut probe);
    if probe.iter().any(|v| !v.is_finite()) {
        return naive::naive(y).fell_back(Fallback::FitFailed);
    }
    // One-step errors on the original scale, after statsforecast's 3-step burn-in.
    let errors = f.run.errors.iter().enumerate().skip(3).map(|(t, &e)| {
        match seasonal.as_ref().filter(|s| s.mode == Mode::Multiplicative) {
            Some(s) => s.apply(t, e),
            None => e,
        }
    });
    Fitted {
        state: State::Theta(state),
        sigma: rms(errors),
        fallback: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forecast(f: &Fitted, h: usize) -> Vec<f64> {
        let mut out = vec![0.0; h];
        f.forecast_into(&mut out);
        out
    }

    #[test]
    fn degenerate_series() {
        let short = fit(&[1.0, 2.0, 3.0], None, 7, true);
        assert_eq!(short.fallback, Some(Fallback::TooShort));
        assert_eq!(forecast(&short, 2), vec![3.0, 3.0]);
        let zeros = fit(&[0.0; 30], Some(Kind::Stm), 7, true);
        assert_eq!(zeros.fallback, None);
        assert!(forecast(&zeros, 3).iter().all(|v| v.abs() < 1e-9));
        let constant = fit(&[3.0; 40], None, 7, true);
        assert!(forecast(&constant, 3)
            .iter()
            .all(|v| (v - 3.0).abs() < 1e-6));
        let huge = [1e300, 0.0, 1e300, 5.0, 1e300, 2.0, 3.0, 1e300, 1.0, 1.0];
        assert_eq!(
            fit(&huge, None, 7, true).fallback,
            Some(Fallback::FitFailed)
        );
    }

    #[test]
    fn seasonal_series_keeps_its_pattern() {
        let week = [1.0, 5.0, 1.0, 1.0, 1.0, 1.0, 9.0];
        let y: Vec<f64> = week.iter().cycle().take(42).copied().collect();
        // statsforecast: Theta(season_length=7) forecasts 1, 5, 1, ...
        let f = fit(&y, Some(Kind::Stm), 7, true);
        let out = forecast(&f, 9);
        for (o, w) in out.iter().zip(week.iter().cycle()) {
            assert!((o - w).abs() < 1e-6, "{out:?}");
        }
        assert!(f.sigma < 1e-6);
    }
}
