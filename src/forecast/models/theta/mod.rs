//! The theta family (Theta, OptimizedTheta, DynamicTheta, DynamicOptimizedTheta and
//! AutoTheta, which keeps the one with the lowest objective), following statsforecast's
//! `auto_theta`: optional seasonal adjustment (`decompose`), then the state-space theta
//! model(s) (`state_space`) on the adjusted series, re-seasonalised forecasts.
//!
//! Frozen by a fit ([`ThetaFrozen`]): the model kind AutoTheta chose, the initial level,
//! alpha, theta and the seasonal-adjustment decision (none, additive or multiplicative).
//! Recomputed by a refilter: the seasonal indices (classical decomposition of the new
//! series, in the frozen mode), the regression line of the standard models (A and B from
//! the whole series, as the model defines them) and every state. statsforecast's
//! `forward` re-runs the seasonality test and the decomposition on the new series (so it
//! may switch the adjustment on or off); shelfcast keeps the decision.

pub mod decompose;
pub mod state_space;

use super::naive;
use super::refilter::FittedOut;
use super::rms;
use crate::error::{Error, Result};
use crate::forecast::codec::{Reader, Writer};
use crate::forecast::fitted::{Fallback, Fitted, State};
use crate::forecast::frozen::Frozen;
use decompose::{Mode, Seasonal};
pub use state_space::{Kind, ThetaState};

/// What a theta fit froze for refiltering.
#[derive(Debug, Clone, PartialEq)]
pub struct ThetaFrozen {
    /// The model (AutoTheta's choice).
    pub kind: Kind,
    /// Initial smoothed level.
    pub level0: f64,
    /// Smoothing constant.
    pub alpha: f64,
    /// Theta coefficient.
    pub theta: f64,
    /// The seasonal adjustment, if the series was deseasonalised.
    pub season: Option<Mode>,
}

impl ThetaFrozen {
    /// Append to a persisted blob.
    pub fn encode(&self, w: &mut Writer) {
        let kind = Kind::ALL.iter().position(|k| *k == self.kind).unwrap_or(0);
        w.u8(kind as u8);
        w.f64(self.level0);
        w.f64(self.alpha);
        w.f64(self.theta);
        w.u8(match self.season {
            None => 0,
            Some(Mode::Additive) => 1,
            Some(Mode::Multiplicative) => 2,
        });
    }

    /// Read back what [`ThetaFrozen::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<ThetaFrozen> {
        let k = r.u8()?;
        let kind = *Kind::ALL
            .get(usize::from(k))
            .ok_or_else(|| Error::Decode(format!("unknown theta kind {k}")))?;
        let (level0, alpha, theta) = (r.f64()?, r.f64()?, r.f64()?);
        let season = match r.u8()? {
            0 => None,
            1 => Some(Mode::Additive),
            2 => Some(Mode::Multiplicative),
            s => return Err(Error::Decode(format!("unknown theta season mode {s}"))),
        };
        Ok(ThetaFrozen {
            kind,
            level0,
            alpha,
            theta,
            season,
        })
    }
}

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
    let (level0, alpha, theta) = f.params;
    let frozen = ThetaFrozen {
        kind: k,
        level0,
        alpha,
        theta,
        season: seasonal.as_ref().map(|s| s.mode),
    };
    finish(
        y,
        &adjusted,
        seasonal.as_ref(),
        frozen,
        &f.run,
        FittedOut::none(),
    )
}

/// Re-run a fitted theta model with its frozen parameters over `y` (season length `m`),
/// writing the fitted values into `out`: the seasonal indices are recomputed in the frozen
/// mode (additive when a multiplicative adjustment no longer fits the data, the rule a fit
/// applies), the model is run from the frozen initial level, alpha and theta. A series too
/// short for the model, or on which the run breaks down, gets `Naive` (fallback codes 4
/// and 5).
pub fn refilter(y: &[f64], m: usize, frozen: &ThetaFrozen, out: FittedOut<'_>) -> Fitted {
    if y.len() <= 3 {
        return naive::naive_into(y, out).fell_back(Fallback::TooShort);
    }
    let seasonal = frozen
        .season
        .and_then(|mode| decompose::seasonal_in(y, m, mode));
    let adjusted = match &seasonal {
        Some(s) => s.adjust(y),
        None => y.to_vec(),
    };
    let run = state_space::run(
        &adjusted,
        frozen.kind,
        frozen.level0,
        frozen.alpha,
        frozen.theta,
    );
    if run.mse.is_nan() {
        return naive::naive_into(y, out).fell_back(Fallback::FitFailed);
    }
    let frozen = ThetaFrozen {
        season: seasonal.as_ref().map(|s| s.mode),
        ..frozen.clone()
    };
    finish(y, &adjusted, seasonal.as_ref(), frozen, &run, out)
}

/// The fitted model from a run over the adjusted series: state, sigma (one-step errors on
/// the original scale after statsforecast's 3-step burn-in) and fitted values `μ_t`
/// re-seasonalised (`μ_t·s_t` or `μ_t + s_t`; deliberate difference: statsforecast leaves
/// the additive season out of its fitted values).
fn finish(
    y: &[f64],
    adjusted: &[f64],
    seasonal: Option<&Seasonal>,
    frozen: ThetaFrozen,
    run: &state_space::Run,
    mut out: FittedOut<'_>,
) -> Fitted {
    let n = y.len();
    let state = ThetaState {
        last: run.last,
        n,
        alpha: frozen.alpha,
        theta: frozen.theta,
        dynamic: matches!(frozen.kind, Kind::Dstm | Kind::Dotm),
        season: seasonal.map_or(vec![], |s| {
            (0..s.indices.len())
                .map(|j| s.indices[(n + j) % s.indices.len()])
                .collect()
        }),
        multiplicative: seasonal.is_some_and(|s| s.mode == Mode::Multiplicative),
    };
    let mut probe = vec![0.0; state.season.len().max(1)];
    state.forecast_into(&mut probe);
    if probe.iter().any(|v| !v.is_finite()) {
        return naive::naive_into(y, out).fell_back(Fallback::FitFailed);
    }
    if out.wanted() {
        for (t, (a, e)) in adjusted.iter().zip(&run.errors).enumerate() {
            let mu = a - e;
            out.set(t, seasonal.map_or(mu, |s| s.apply(t, mu)));
        }
    }
    let errors = run.errors.iter().enumerate().skip(3).map(|(t, &e)| {
        match seasonal.filter(|s| s.mode == Mode::Multiplicative) {
            Some(s) => s.apply(t, e),
            None => e,
        }
    });
    Fitted {
        state: State::Theta(state),
        sigma: rms(errors),
        fallback: None,
        frozen: Frozen::Theta(frozen),
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
