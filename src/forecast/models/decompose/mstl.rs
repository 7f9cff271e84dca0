//! MSTL (Bandara, Hyndman & Bergmeir 2021): STL applied to each seasonal period in turn,
//! shortest first, each on the series less the other components, `iterate` times; the
//! trend of the last STL fit, the remainder what is left. Numbers follow statsforecast's
//! `mstl(x, period)` (R's `forecast::mstl`): seasonal windows `7 + 4k`, seasonal LOESS
//! degree 0, two iterations with several periods and one with a single period.
//!
//! Deliberate differences from statsforecast:
//! * A period `p` with `2p >= n` (fewer than two full periods, R's rule) or `p <= 1` is not
//!   decomposed and is listed in [`Mstl::dropped`]; statsforecast fits STL on it anyway
//!   (statsmodels accepts the short series) or, for a smallest period of 1, skips every
//!   seasonal component.
//! * With no period left the decomposition is trivial: trend `= y`, remainder 0 (statsforecast
//!   and R smooth the trend with Friedman's super smoother there). The seasonally adjusted
//!   series `trend + remainder` is `y` either way.

use super::params::{StlParams, StlValid};
use super::stl::Workspace;
use crate::error::{Error, Result};

/// MSTL's options beyond the periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MstlOptions {
    /// Passes over the periods (default 2, forced to 1 with a single period; `>= 1`).
    pub iterate: Option<usize>,
    /// Seasonal windows paired with the periods in ascending order (one value applies to
    /// all); default `7 + 4k` for the `k`-th decomposed period (11, 15, 19, ...).
    pub s_window: Option<Vec<usize>>,
    /// The other STL parameters (statsforecast's `stl_kwargs`); `period` and `seasonal` are
    /// ignored. Default: statsmodels' with `seasonal_deg` 0.
    pub stl: StlParams,
}

impl Default for MstlOptions {
    fn default() -> Self {
        MstlOptions {
            iterate: None,
            s_window: None,
            stl: StlParams::new(2).seasonal_deg(0),
        }
    }
}

/// An MSTL decomposition: `y = trend + Σ seasonals + remainder`.
#[derive(Debug, Clone, PartialEq)]
pub struct Mstl {
    /// The trend (of the last STL fit).
    pub trend: Vec<f64>,
    /// One seasonal component per decomposed period, periods ascending.
    pub seasonals: Vec<(usize, Vec<f64>)>,
    /// What is left.
    pub remainder: Vec<f64>,
    /// The requested periods that were not decomposed (`p <= 1` or `2p >= n`), ascending.
    pub dropped: Vec<usize>,
}

/// MSTL of `y` with statsforecast's defaults. `iterate` and `s_window` as in
/// [`MstlOptions`]. Errors on an empty or non-finite series or invalid windows.
pub fn mstl(
    y: &[f64],
    periods: &[usize],
    iterate: Option<usize>,
    s_window: Option<&[usize]>,
) -> Result<Mstl> {
    let opts = MstlOptions {
        iterate,
        s_window: s_window.map(<[usize]>::to_vec),
        ..MstlOptions::default()
    };
    mstl_with(y, periods, &opts)
}

/// MSTL of `y` with explicit options.
pub fn mstl_with(y: &[f64], periods: &[usize], opts: &MstlOptions) -> Result<Mstl> {
    let n = y.len();
    if n == 0 {
        return Err(Error::InvalidSeries {
            series: 0,
            reason: "MSTL needs a non-empty series".into(),
        });
    }
    if let Some(t) = y.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidSeries {
            series: 0,
            reason: format!("value {t} is not finite"),
        });
    }
    let mut sorted = periods.to_vec();
    sorted.sort_unstable();
    let windows: Option<Vec<usize>> = match opts.s_window.as_deref() {
        None => None,
        Some([w]) => Some(vec![*w; sorted.len()]),
        Some(ws) if ws.len() == sorted.len() => Some(ws.to_vec()),
        Some(ws) => {
            return Err(Error::param(
                "s_window",
                format!("has {} values for {} periods", ws.len(), sorted.len()),
            ))
        }
    };
    let mut dropped = Vec::new();
    let mut kept: Vec<(usize, Option<usize>)> = Vec::new();
    for (i, &p) in sorted.iter().enumerate() {
        if p <= 1 || p.saturating_mul(2) >= n {
            dropped.push(p);
        } else {
            kept.push((p, windows.as_ref().map(|w| w[i])));
        }
    }
    let mut params: Vec<StlValid> = Vec::with_capacity(kept.len());
    for (k, &(p, w)) in kept.iter().enumerate() {
        let mut sp = opts.stl;
        sp.period = p;
        sp.seasonal = w.unwrap_or(7 + 4 * (k + 1));
        params.push(sp.check()?);
    }
    if params.is_empty() {
        return Ok(Mstl {
            trend: y.to_vec(),
            seasonals: Vec::new(),
            remainder: vec![0.0; n],
            dropped,
        });
    }
    let iterate = match opts.iterate {
        Some(0) => return Err(Error::param("iterate", "must be >= 1")),
        _ if params.len() == 1 => 1,
        Some(it) => it,
        None => 2,
    };
    let mut spaces: Vec<Workspace> = params.iter().map(|p| Workspace::new(n, p)).collect();
    let mut seas = vec![vec![0.0; n]; params.len()];
    let mut deseas = y.to_vec();
    for _ in 0..iterate {
        for (ws, s) in spaces.iter_mut().zip(&mut seas) {
            for (d, v) in deseas.iter_mut().zip(s.iter()) {
                *d += v;
            }
            ws.fit(&deseas);
            s.copy_from_slice(&ws.season);
            for (d, v) in deseas.iter_mut().zip(s.iter()) {
                *d -= v;
            }
        }
    }
    let trend = spaces.last().map(|ws| ws.trend.clone()).unwrap_or_default();
    let remainder = deseas.iter().zip(&trend).map(|(d, t)| d - t).collect();
    Ok(Mstl {
        trend,
        seasonals: kept.iter().map(|k| k.0).zip(seas).collect(),
        remainder,
        dropped,
    })
}

impl Mstl {
    /// The seasonally adjusted series `trend + remainder` (what an MSTL model fits its
    /// trend forecaster on).
    pub fn deseasonalized(&self) -> Vec<f64> {
        self.trend
            .iter()
            .zip(&self.remainder)
            .map(|(t, r)| t + r)
            .collect()
    }

    /// The sum of the seasonal components at each observation (0 without any).
    pub fn seasonal_sum(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.trend.len()];
        for (_, s) in &self.seasonals {
            for (o, v) in out.iter_mut().zip(s) {
                *o += v;
            }
        }
        out
    }

    /// The seasonal-naive continuation of the seasonal components over the next
    /// `out.len()` steps, summed (statsforecast's `_predict_mstl_seas`): step `t` (0-based)
    /// of the period-`p` component repeats its value at `n - p + t mod p`. An MSTL forecast
    /// is the trend forecaster's plus this.
    pub fn seasonal_forecast_into(&self, out: &mut [f64]) {
        out.fill(0.0);
        let n = self.trend.len();
        for (p, s) in &self.seasonals {
            let last = &s[n - p..];
            for (t, o) in out.iter_mut().enumerate() {
                *o += last[t % p];
            }
        }
    }

    /// [`Mstl::seasonal_forecast_into`] over `h` steps.
    pub fn seasonal_forecast(&self, h: usize) -> Vec<f64> {
        let mut out = vec![0.0; h];
        self.seasonal_forecast_into(&mut out);
        out
    }
}

#[cfg(test)]
#[path = "mstl_tests.rs"]
mod tests;
