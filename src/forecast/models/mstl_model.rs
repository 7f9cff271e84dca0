//! The MSTL forecasting model (statsforecast's `MSTL`): decompose the series into a trend,
//! one seasonal component per period and a remainder ([`decompose::mstl`]), fit a
//! non-seasonal trend forecaster on trend + remainder, and forecast
//! `trend forecast + Σ seasonal continuations` (each component's last cycle repeated).
//!
//! The seasonal part is known once the series is decomposed, so the forecast distribution
//! (when the trend forecaster has one) is the trend forecaster's shifted step by step, as
//! statsforecast does. Periods a series is too short for (fewer than two cycles) are left
//! out of its decomposition and recorded as a fallback; statsforecast raises instead.

use super::decompose;
use crate::error::{Error, Result};
use crate::forecast::codec::{Reader, Writer};
use crate::forecast::exog::Exog;
use crate::forecast::fitted::{Fallback, Fitted, State};
use crate::forecast::frozen::Frozen;
use crate::forecast::spec::ModelSpec;

/// A fitted MSTL model: the trend forecaster and the last cycle of every seasonal component.
#[derive(Debug, Clone, PartialEq)]
pub struct MstlState {
    /// The trend forecaster, fitted on the seasonally adjusted series.
    pub trend: Fitted,
    /// Per decomposed period (ascending), its last `period` seasonal values: step `k`
    /// (0-based) of the forecast adds `cycle[k % period]` of each.
    pub cycles: Vec<Vec<f64>>,
}

/// Fit MSTL with `periods` and the trend forecaster `trend` on `y` (finite, non-empty),
/// passing the regressors `x` to the trend forecaster.
pub fn fit(periods: &[usize], trend: &ModelSpec, y: &[f64], x: Exog<'_>) -> Fitted {
    let (adjusted, cycles, dropped) = match decompose::mstl(y, periods, None, None) {
        Ok(d) => {
            let n = y.len();
            let cycles = d
                .seasonals
                .iter()
                .map(|(p, s)| s[n - p..].to_vec())
                .collect();
            (d.deseasonalized(), cycles, !d.dropped.is_empty())
        }
        Err(_) => (y.to_vec(), Vec::new(), true),
    };
    let f = super::fit_x(trend, &adjusted, x);
    let fallback = if dropped {
        Some(Fallback::SeasonDropped)
    } else {
        f.fallback
    };
    Fitted {
        sigma: f.sigma,
        fallback,
        frozen: Frozen::State,
        state: State::Mstl(Box::new(MstlState { trend: f, cycles })),
    }
}

impl MstlState {
    /// Point forecasts with the future regressors `xf` (one row per step).
    pub fn forecast_x(&self, out: &mut [f64], xf: Exog<'_>) {
        self.trend.forecast_x(out, xf);
        self.add_seasonal(out, 1);
    }

    /// Add the seasonal continuation to `values`, laid out as `blocks` consecutive blocks of
    /// the same horizon (quantiles or paths of the trend forecaster).
    pub fn add_seasonal(&self, values: &mut [f64], blocks: usize) {
        let h = values.len() / blocks.max(1);
        for block in values.chunks_mut(h.max(1)) {
            for cycle in &self.cycles {
                for (k, v) in block.iter_mut().enumerate() {
                    *v += cycle[k % cycle.len()];
                }
            }
        }
    }

    /// Append to a persisted blob.
    pub fn encode(&self, w: &mut Writer) {
        self.trend.encode(w);
        w.u32(self.cycles.len() as u32);
        for c in &self.cycles {
            w.f64s(c);
        }
    }

    /// Read back what [`MstlState::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<MstlState> {
        let trend = Fitted::decode(r)?;
        let n = r.u32()? as u64;
        let n = r.count(n, 4)?;
        let cycles = (0..n).map(|_| r.f64s()).collect::<Result<Vec<_>>>()?;
        if cycles.iter().any(Vec::is_empty) {
            return Err(Error::Decode("empty MSTL seasonal cycle".into()));
        }
        Ok(MstlState { trend, cycles })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_pattern_on_a_trend_is_forecast_back() {
        let week = [3.0, -1.0, 0.5, -2.0, 1.0, -0.5, -1.0];
        let y: Vec<f64> = (0..140)
            .map(|t| 20.0 + 0.05 * f64::from(t) + week[t as usize % 7])
            .collect();
        let f = fit(&[7], &ModelSpec::Naive, &y, Exog::NONE);
        assert_eq!(f.fallback, None);
        let mut out = [0.0; 14];
        f.forecast_into(&mut out);
        for (k, o) in out.iter().enumerate() {
            let want = 20.0 + 0.05 * 139.0 + week[(140 + k) % 7];
            assert!((o - want).abs() < 0.2, "step {k}: {o} vs {want}");
        }
        let mut w = Writer::default();
        f.encode(&mut w);
        assert_eq!(Fitted::decode(&mut Reader::new(&w.buf)).unwrap(), f);
    }

    #[test]
    fn too_short_periods_are_dropped() {
        let y: Vec<f64> = (0..20).map(|t| f64::from(t % 3)).collect();
        let f = fit(&[7, 365], &ModelSpec::Naive, &y, Exog::NONE);
        assert_eq!(f.fallback, Some(Fallback::SeasonDropped));
        let State::Mstl(m) = &f.state else { panic!() };
        assert_eq!(m.cycles.len(), 1);
        let g = fit(&[365], &ModelSpec::Naive, &y, Exog::NONE);
        let mut out = [0.0; 2];
        g.forecast_into(&mut out);
        assert_eq!(out, [1.0, 1.0]); // the trend forecaster (Naive) alone
    }
}
