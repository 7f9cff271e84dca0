//! The state-space theta models of Fiorucci et al. (2016) as statsforecast computes them
//! (`_lib.theta`: `init_state`, `update`, `calc`, `forecast`), operation for operation.
//!
//! State `(ℓ, ȳ, A, B, μ)` at time `i`: the one-step forecast is
//! `μ_{i+1} = ℓ_i + (1 - 1/θ)(A_i (1-α)^i + B_i (1 - (1-α)^{i+1}) / α)`; then
//! `ℓ_{i+1} = α y + (1-α) ℓ_i`, `ȳ_{i+1} = (i ȳ_i + y) / (i + 1)`. The standard models
//! (STM, OTM) keep the OLS line `A + B t` of the whole series fixed; the dynamic ones (DSTM,
//! DOTM) update it: `B_{i+1} = ((i-1) B_i + 6 (y - ȳ_i) / (i+1)) / (i+2)`,
//! `A_{i+1} = ȳ_{i+1} - B_{i+1} (i+2) / 2`. Forecasting feeds `μ` back in as `y`.
//! STM/DSTM fix θ = 2; OTM/DOTM estimate θ ≥ 1. The fitted parameters are the initial
//! level `ℓ_0` and `α ∈ [0.1, 0.99]` (and θ), minimising statsforecast's objective: the
//! sum of squared one-step errors from `t = 3` on, divided by the mean absolute value.

use super::super::nelder_mead::minimize;
use super::super::sums::eigen_sum;
use crate::error::{Error, Result};
use crate::forecast::codec::{Reader, Writer};

/// statsforecast's missing-value marker and the tolerance it is compared with.
const NA: f64 = -99999.0;
const TOL: f64 = 1e-10;

/// Which theta model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Standard theta model (θ = 2, fixed regression line).
    Stm,
    /// Optimised theta model (θ estimated).
    Otm,
    /// Dynamic standard theta model (θ = 2, line updated online).
    Dstm,
    /// Dynamic optimised theta model.
    Dotm,
}

impl Kind {
    /// The four models, in statsforecast's AutoTheta order.
    pub const ALL: [Kind; 4] = [Kind::Stm, Kind::Otm, Kind::Dstm, Kind::Dotm];

    fn dynamic(self) -> bool {
        matches!(self, Kind::Dstm | Kind::Dotm)
    }

    fn optimizes_theta(self) -> bool {
        matches!(self, Kind::Otm | Kind::Dotm)
    }
}

type Row = [f64; 5];

fn init_state(y: &[f64], dynamic: bool, level0: f64, alpha: f64, theta: f64) -> Row {
    let (an, bn, mu);
    if dynamic {
        (an, bn, mu) = (y[0], 0.0, y[0]);
    } else {
        let n = y.len();
        let nf = n as f64;
        let y_mean = eigen_sum(y) / nf;
        let weighted: Vec<f64> = y
            .iter()
            .enumerate()
            .map(|(i, v)| v * (i + 1) as f64)
            .collect();
        let weighted_avg = eigen_sum(&weighted) / nf;
        bn = (6.0 * (2.0 * weighted_avg - (n + 1) as f64 * y_mean)) / (n * n - 1) as f64;
        an = y_mean - (n + 1) as f64 * bn / 2.0;
        mu = level0 + (1.0 - 1.0 / theta) * (an + bn);
    }
    [alpha * y[0] + (1.0 - alpha) * level0, y[0], an, bn, mu]
}

/// The one-step forecast `μ` from `prev` (time `i - 1`), with `pow_i = (1-α)^i` and
/// `pow_i1 = (1-α)^(i+1)` as `std::pow` gives them.
fn mu(prev: &Row, alpha: f64, theta: f64, pow_i: f64, pow_i1: f64) -> f64 {
    let [level, _, an, bn, _] = *prev;
    level + (1.0 - 1.0 / theta) * (an * pow_i + bn * (1.0 - pow_i1) / alpha)
}

/// The state at time `i` from `prev` (time `i - 1`), its forecast `mu` and observation `y`.
fn advance(prev: &Row, i: usize, dynamic: bool, alpha: f64, mu: f64, y: f64) -> Row {
    let [level, meany, an, bn, _] = *prev;
    let fi = i as f64;
    let new_level = alpha * y + (1.0 - alpha) * level;
    let new_meany = (fi * meany + y) / (fi + 1.0);
    let (new_an, new_bn) = if dynamic {
        let b = ((fi - 1.0) * bn + 6.0 * (y - meany) / (fi + 1.0)) / (fi + 2.0);
        (new_meany - b * (fi + 2.0) / 2.0, b)
    } else {
        (an, bn)
    };
    [new_level, new_meany, new_an, new_bn, mu]
}

/// One forecasting step: the forecast is fed back as the observation.
fn step_ahead(prev: &Row, i: usize, dynamic: bool, alpha: f64, theta: f64) -> Row {
    let fi = i as f64;
    let m = mu(
        prev,
        alpha,
        theta,
        (1.0 - alpha).powf(fi),
        (1.0 - alpha).powf(fi + 1.0),
    );
    advance(prev, i, dynamic, alpha, m, m)
}

/// A run of the model over `y`: objective, one-step errors and the last state.
pub struct Run {
    /// statsforecast's `mse`: `Σ_{t≥3} e_t² / mean|y|` (NaN when the recursion broke).
    pub mse: f64,
    /// One-step errors `e_t = y_t - μ_t`.
    pub errors: Vec<f64>,
    /// The state after the last observation.
    pub last: Row,
}

/// Run the model with parameters (`level0`, `alpha`, `theta`) over `y` (len >= 4).
///
/// statsforecast also forecasts steps 2 and 3 at every point for an accuracy measure it
/// does not use; they cannot change the result and are skipped. The powers `(1-α)^k` are
/// tabulated once (the same `pow` calls, so the same bits).
pub fn run(y: &[f64], kind: Kind, level0: f64, alpha: f64, theta: f64) -> Run {
    let dynamic = kind.dynamic();
    let n = y.len();
    let pows: Vec<f64> = (0..=n).map(|k| (1.0 - alpha).powf(k as f64)).collect();
    let mut state = init_state(y, dynamic, level0, alpha, theta);
    let mut errors = vec![0.0; n];
    errors[0] = y[0] - state[4];
    for i in 1..n {
        let forecast = mu(&state, alpha, theta, pows[i], pows[i + 1]);
        if (forecast - NA).abs() < TOL {
            return Run {
                mse: f64::NAN,
                errors,
                last: state,
            };
        }
        errors[i] = y[i] - forecast;
        state = advance(&state, i, dynamic, alpha, forecast, y[i]);
    }
    let abs: Vec<f64> = y.iter().map(|v| v.abs()).collect();
    let mean_abs = (eigen_sum(&abs) / n as f64).max(TOL);
    let sq: Vec<f64> = errors[3..].iter().map(|e| e * e).collect();
    Run {
        mse: eigen_sum(&sq) / mean_abs,
        errors,
        last: state,
    }
}

/// Fitted parameters and the run at them.
pub struct Fit {
    /// Initial level, alpha, theta.
    pub params: (f64, f64, f64),
    /// The model run at `params`.
    pub run: Run,
}

/// Fit `kind` on `y` (len >= 4) as statsforecast's `thetamodel` does: Nelder–Mead from
/// `(y_0 / 2, 0.5[, 2])` within `[-1e10, 1e10] × [0.1, 0.99] [× [1, 1e10]]`.
pub fn fit(y: &[f64], kind: Kind) -> Fit {
    let mut x0 = vec![y[0] / 2.0, 0.5];
    let mut lower = vec![-1e10, 0.1];
    let mut upper = vec![1e10, 0.99];
    if kind.optimizes_theta() {
        x0.push(2.0);
        lower.push(1.0);
        upper.push(1e10);
    }
    let objective = |p: &[f64]| -> f64 {
        let theta = if kind.optimizes_theta() { p[2] } else { 2.0 };
        let mse = run(y, kind, p[0], p[1], theta).mse;
        // std::max(mse, -1e10) keeps NaN; statsforecast then maps a broken run to -inf
        // (which the minimiser prefers: a quirk kept for identical paths).
        let mse = if mse < -1e10 { -1e10 } else { mse };
        if mse.is_nan() || (mse + 99999.0).abs() < 1e-7 {
            f64::NEG_INFINITY
        } else {
            mse
        }
    };
    let best = minimize(objective, &x0, &lower, &upper).x;
    let theta = if kind.optimizes_theta() { best[2] } else { 2.0 };
    let params = (best[0], best[1], theta);
    Fit {
        params,
        run: run(y, kind, params.0, params.1, params.2),
    }
}

/// What a fitted theta model needs to forecast any horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct ThetaState {
    /// `(ℓ, ȳ, A, B, μ)` after the last observation.
    pub last: [f64; 5],
    /// Number of observations.
    pub n: usize,
    /// Smoothing constant.
    pub alpha: f64,
    /// Theta coefficient.
    pub theta: f64,
    /// Whether the regression line is updated (DSTM, DOTM).
    pub dynamic: bool,
    /// Seasonal indices for periods `n, n+1, ..` (empty: none).
    pub season: Vec<f64>,
    /// Whether the season multiplies (else adds).
    pub multiplicative: bool,
}

impl ThetaState {
    /// Forecasts for steps 1..=out.len().
    pub fn forecast_into(&self, out: &mut [f64]) {
        let mut prev = self.last;
        for (j, o) in out.iter_mut().enumerate() {
            prev = step_ahead(&prev, self.n + j, self.dynamic, self.alpha, self.theta);
            *o = prev[4];
            if !self.season.is_empty() {
                let s = self.season[j % self.season.len()];
                *o = if self.multiplicative { *o * s } else { *o + s };
            }
        }
    }

    /// Append to a persisted blob.
    pub fn encode(&self, w: &mut Writer) {
        w.f64s(&self.last);
        w.u64(self.n as u64);
        w.f64(self.alpha);
        w.f64(self.theta);
        w.u8(u8::from(self.dynamic) | (u8::from(self.multiplicative) << 1));
        w.f64s(&self.season);
    }

    /// Read back what [`ThetaState::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<ThetaState> {
        let last: [f64; 5] = r
            .f64s()?
            .try_into()
            .map_err(|_| Error::Decode("theta state must have 5 values".into()))?;
        let n = usize::try_from(r.u64()?)
            .map_err(|_| Error::Decode("theta series length overflows".into()))?;
        let (alpha, theta, flags) = (r.f64()?, r.f64()?, r.u8()?);
        if flags > 3 {
            return Err(Error::Decode(format!("unknown theta flags {flags}")));
        }
        Ok(ThetaState {
            last,
            n,
            alpha,
            theta,
            dynamic: flags & 1 == 1,
            multiplicative: flags & 2 == 2,
            season: r.f64s()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values printed by statsforecast 2.1.1's `_lib.theta.pegels_resid(y, type, 1.5, 0.3,
    // 2.5, 3)` for y = [3, 1, 4, 1, 5, 9, 2, 6].
    const Y: [f64; 8] = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];

    #[test]
    fn recursion_matches_statsforecast() {
        let r = run(&Y, Kind::Otm, 1.5, 0.3, 2.5);
        assert_eq!(r.mse, 13.097437084859434);
        assert_eq!(r.last[4], 4.977873531428571);
        assert_eq!(r.last[2], 1.4642857142857144);
        let r = run(&Y, Kind::Dotm, 1.5, 0.3, 2.5);
        assert_eq!(r.mse, 17.342948405164087);
        assert_eq!(r.last[4], 4.91585688);
    }

    #[test]
    fn state_round_trips_and_forecasts() {
        let f = fit(&Y, Kind::Stm);
        let s = ThetaState {
            last: f.run.last,
            n: Y.len(),
            alpha: f.params.1,
            theta: f.params.2,
            dynamic: false,
            season: vec![1.0, 2.0],
            multiplicative: true,
        };
        let mut w = Writer::default();
        s.encode(&mut w);
        let mut r = Reader::new(&w.buf);
        assert_eq!(ThetaState::decode(&mut r).unwrap(), s);
        let mut out = [0.0; 4];
        s.forecast_into(&mut out);
        assert!(out.iter().all(|v| v.is_finite()));
        assert!((out[1] / out[0] - 2.0).abs() < 0.5);
    }
}
