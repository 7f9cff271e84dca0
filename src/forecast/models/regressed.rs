//! "Regress, then model the residuals": exogenous regressors for the models that have no
//! native support for them (ETS, theta, the Croston family, the naive family...).
//!
//! Per series, ordinary least squares of `y` on an intercept and the regressors gives
//! `y_t = ȳ + (x_t − x̄)·β + η_t`; the inner model is fitted on the adjusted series
//! `η_t + ȳ = y_t − (x_t − x̄)·β` (centring keeps it on the scale of the demand, so
//! intermittent and multiplicative models still see positive, demand-like values), and the
//! forecast is the inner model's forecast of that series plus `(x_{T+k} − x̄)·β` with each
//! step's own future regressors. The two stages are estimated one after the other (not
//! jointly, unlike ARIMA's regression with ARIMA errors), so β is the plain least-squares
//! coefficient, consistent when the regressors are exogenous.

use crate::error::Result;
use crate::forecast::codec::{Reader, Writer};
use crate::forecast::exog::{Exog, Regression};
use crate::forecast::fitted::{Fitted, State};
use crate::forecast::frozen::Frozen;
use crate::forecast::spec::ModelSpec;

/// The fitted wrapper: the regression and the inner model of the adjusted series.
#[derive(Debug, Clone, PartialEq)]
pub struct Regressed {
    /// The per-series least-squares fit.
    pub reg: Regression,
    /// The inner model, fitted on `y − (x − x̄)·β`.
    pub inner: Fitted,
}

/// Fit `inner` on `y` adjusted for the regressors `x` (one row per observation).
pub fn fit(inner: &ModelSpec, y: &[f64], x: Exog<'_>) -> Fitted {
    let reg = Regression::fit(y, x);
    let adjusted = adjust(&reg, y, x);
    let f = super::fit(inner, &adjusted);
    Fitted {
        sigma: f.sigma,
        fallback: f.fallback,
        frozen: Frozen::State,
        state: State::Regressed(Box::new(Regressed { reg, inner: f })),
    }
}

/// `y − (x − x̄)·β`.
pub fn adjust(reg: &Regression, y: &[f64], x: Exog<'_>) -> Vec<f64> {
    let mut effect = vec![0.0; y.len()];
    reg.effect_into(x, &mut effect);
    y.iter().zip(&effect).map(|(v, e)| v - e).collect()
}

impl Regressed {
    /// Forecasts for steps 1..=out.len() with the future regressors `xf` (one row per step).
    pub fn forecast_x(&self, out: &mut [f64], xf: Exog<'_>) {
        self.inner.forecast_into(out);
        self.add_effect(out, 1, xf);
    }

    /// Add each step's regressor effect to `values`, laid out as `blocks` consecutive
    /// blocks of `h = xf.n_rows()` steps (quantiles or paths of the inner model).
    pub fn add_effect(&self, values: &mut [f64], blocks: usize, xf: Exog<'_>) {
        let h = values.len() / blocks.max(1);
        let mut effect = vec![0.0; h];
        if !xf.is_empty() {
            self.reg
                .effect_into(xf.rows(0, h.min(xf.n_rows())), &mut effect);
        }
        for block in values.chunks_mut(h.max(1)) {
            for (v, e) in block.iter_mut().zip(&effect) {
                *v += e;
            }
        }
    }

    /// Append to a persisted blob.
    pub fn encode(&self, w: &mut Writer) {
        self.reg.encode(w);
        self.inner.encode(w);
    }

    /// Read back what [`Regressed::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<Regressed> {
        let reg = Regression::decode(r)?;
        let inner = Fitted::decode(r)?;
        Ok(Regressed { reg, inner })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forecast_responds_to_each_future_step() {
        // y = 10 − 4·(price − 2.5) exactly: the inner model (Naive) sees a flat 10.
        let price: Vec<f64> = (0..30).map(|t| 2.0 + f64::from(t % 2)).collect();
        let y: Vec<f64> = price.iter().map(|p| 10.0 - 4.0 * (p - 2.5)).collect();
        let f = fit(
            &ModelSpec::Naive,
            &y,
            Exog::new(&price, 1, price.len()).unwrap(),
        );
        let future = [2.0, 3.0, 4.0];
        let mut out = [0.0; 3];
        f.forecast_x(&mut out, Exog::new(&future, 1, 3).unwrap());
        for (o, want) in out.iter().zip([12.0, 8.0, 4.0]) {
            assert!((o - want).abs() < 1e-9, "{out:?}");
        }
        let mut w = Writer::default();
        f.encode(&mut w);
        assert_eq!(Fitted::decode(&mut Reader::new(&w.buf)).unwrap(), f);
    }
}
