//! Rolling-origin forecasts: refit every model at several cutoffs of every series and
//! forecast `h` steps from each. This one routine serves `cross_validation`, the conformal
//! intervals (absolute errors across windows) and the residual-trajectory sample paths.
//!
//! Window `w` of `n_windows` (0 = earliest) of a series of length `n` has its cutoff at
//! `n - h - (n_windows - 1 - w) * step`: the model sees `y[..cutoff]` and forecasts
//! `y[cutoff..cutoff + h]`, so the last window ends at the series end (statsforecast's layout).

use super::engine::check_exog;
use super::exog::Exog;
use super::models;
use super::spec::ModelSpec;
use crate::error::{Error, Result};
use crate::panel::Panel;
use crate::parallel;
use rayon::prelude::*;

/// Forecasts from every window of every series.
#[derive(Debug, Clone, PartialEq)]
pub struct Rolling {
    /// Horizon.
    pub h: usize,
    /// Windows per series.
    pub n_windows: usize,
    /// `valid[i * n_windows + w]`: series `i` is long enough for window `w`.
    pub valid: Vec<bool>,
    /// `cutoff[i * n_windows + w]`: observations the model saw (0 where not valid).
    pub cutoff: Vec<usize>,
    /// Per model: forecasts at `(i * n_windows + w) * h + k` (NaN where not valid).
    pub forecasts: Vec<Vec<f64>>,
}

/// One series' cutoffs (None where too short) and per-model forecasts.
type SeriesWindows = (Vec<Option<usize>>, Vec<Vec<f64>>);

/// The cutoff of window `w` for a series of length `n`, if the series is long enough
/// (the model must see at least one observation).
pub fn cutoff(n: usize, h: usize, n_windows: usize, step: usize, w: usize) -> Option<usize> {
    let back = h + (n_windows - 1 - w) * step;
    (n > back).then(|| n - back)
}

/// Refit `specs` at each window of each series (rayon across series), with the panel's
/// regressors `x` (one row per value; [`Exog::NONE`] for none): each window's model sees
/// the rows before its cutoff and forecasts with the rows after it.
pub fn rolling(
    panel: &Panel<'_>,
    x: Exog<'_>,
    specs: &[ModelSpec],
    h: usize,
    n_windows: usize,
    step: usize,
) -> Result<Rolling> {
    for (name, v) in [("h", h), ("n_windows", n_windows), ("step_size", step)] {
        if v == 0 {
            return Err(Error::param(name, "must be >= 1"));
        }
    }
    if specs.is_empty() {
        return Err(Error::param("models", "at least one model is required"));
    }
    panel.require_finite()?;
    check_exog(panel, x, specs)?;
    let n_series = panel.len();
    let per_series: Vec<SeriesWindows> = parallel::install(|| {
        (0..n_series)
            .into_par_iter()
            .map(|i| {
                let y = panel.series(i);
                let xi = x.rows(panel.bounds(i).0, panel.bounds(i).1);
                let cuts: Vec<Option<usize>> = (0..n_windows)
                    .map(|w| cutoff(y.len(), h, n_windows, step, w))
                    .collect();
                let per_model = specs
                    .iter()
                    .map(|spec| {
                        let mut out = vec![f64::NAN; n_windows * h];
                        for (w, c) in cuts.iter().enumerate() {
                            if let Some(c) = *c {
                                models::fit_x(spec, &y[..c], xi.rows(0, c))
                                    .forecast_x(&mut out[w * h..(w + 1) * h], xi.rows(c, c + h));
                            }
                        }
                        out
                    })
                    .collect();
                (cuts, per_model)
            })
            .collect()
    });
    let mut r = Rolling {
        h,
        n_windows,
        valid: Vec::with_capacity(n_series * n_windows),
        cutoff: Vec::with_capacity(n_series * n_windows),
        forecasts: vec![Vec::with_capacity(n_series * n_windows * h); specs.len()],
    };
    for (cuts, per_model) in per_series {
        for c in cuts {
            r.valid.push(c.is_some());
            r.cutoff.push(c.unwrap_or(0));
        }
        for (m, f) in per_model.into_iter().enumerate() {
            r.forecasts[m].extend(f);
        }
    }
    Ok(r)
}

impl Rolling {
    /// Forecast errors `actual - forecast` per model, laid out like `forecasts`
    /// (NaN where the window is not valid).
    pub fn errors(&self, panel: &Panel<'_>) -> Vec<Vec<f64>> {
        let (h, nw) = (self.h, self.n_windows);
        self.forecasts
            .iter()
            .map(|f| {
                let mut e = vec![f64::NAN; f.len()];
                for i in 0..panel.len() {
                    let y = panel.series(i);
                    for w in 0..nw {
                        let j = i * nw + w;
                        if !self.valid[j] {
                            continue;
                        }
                        let c = self.cutoff[j];
                        for k in 0..h {
                            e[j * h + k] = y[c + k] - f[j * h + k];
                        }
                    }
                }
                e
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_end_at_the_series_end() {
        assert_eq!(cutoff(10, 2, 3, 1, 2), Some(8));
        assert_eq!(cutoff(10, 2, 3, 1, 0), Some(6));
        assert_eq!(cutoff(10, 2, 3, 4, 0), None);
        assert_eq!(cutoff(3, 3, 1, 1, 0), None);
    }

    #[test]
    fn naive_windows() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 9.0];
        let p = Panel::new(&v, &[0, 5, 6]).unwrap();
        let r = rolling(&p, Exog::NONE, &[ModelSpec::Naive], 2, 2, 1).unwrap();
        // series 0 (len 5): cutoffs 2 and 3 -> forecasts 2,2 and 3,3
        assert_eq!(&r.forecasts[0][..4], &[2.0, 2.0, 3.0, 3.0]);
        assert_eq!(r.valid, vec![true, true, false, false]);
        let e = r.errors(&p);
        assert_eq!(&e[0][..4], &[1.0, 2.0, 1.0, 2.0]);
        assert!(e[0][4].is_nan());
        assert!(rolling(&p, Exog::NONE, &[ModelSpec::Naive], 0, 1, 1).is_err());
    }
}
