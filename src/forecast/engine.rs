//! Fit many models on many series in parallel (rayon across series) and forecast from the
//! fitted states. Works on borrowed slices; the caller releases the GIL around it.

use super::distribution;
use super::exog::Exog;
use super::fitted::{Fitted, State};
use super::models;
use super::models::arima_model::ArimaState;
use super::models::ets::EtsState;
use super::spec::ModelSpec;
use crate::error::{Error, Result};
use crate::panel::Panel;
use crate::parallel;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Fitted models for a panel: `fitted[m][i]` is model `m` on series `i`.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedPanel {
    /// The model specifications, in output-column order.
    pub specs: Vec<ModelSpec>,
    /// Per model, per series.
    pub fitted: Vec<Vec<Fitted>>,
}

/// Fit every spec on every series of `panel`. Every series must be non-empty and finite.
pub fn fit(panel: &Panel<'_>, specs: &[ModelSpec]) -> Result<FittedPanel> {
    fit_with_progress(panel, Exog::NONE, specs, &AtomicUsize::new(0))
}

/// Check that `x` has one row per value of `panel` (or no columns) and, when a model uses
/// the regressors, that they are finite (the error names the series and position).
pub fn check_exog(panel: &Panel<'_>, x: Exog<'_>, specs: &[ModelSpec]) -> Result<()> {
    if x.is_empty() {
        return Ok(());
    }
    if x.n_rows() != panel.series_len_total() {
        return Err(Error::Shape(format!(
            "the regressors have {} rows, the panel {} values",
            x.n_rows(),
            panel.series_len_total()
        )));
    }
    if specs.iter().any(ModelSpec::uses_exog) {
        if let Some((row, col)) = x.first_non_finite() {
            let i = (0..panel.len())
                .find(|&i| panel.bounds(i).1 > row)
                .unwrap_or(0);
            return Err(Error::InvalidSeries {
                series: i,
                reason: format!(
                    "regressor {col} at position {} is not finite",
                    row - panel.bounds(i).0
                ),
            });
        }
    }
    Ok(())
}

/// [`fit`] with the exogenous regressors `x` (one row per panel value; [`Exog::NONE`] for
/// none), counting finished series in `progress` (read by a progress bar elsewhere).
pub fn fit_with_progress(
    panel: &Panel<'_>,
    x: Exog<'_>,
    specs: &[ModelSpec],
    progress: &AtomicUsize,
) -> Result<FittedPanel> {
    if specs.is_empty() {
        return Err(Error::param("models", "at least one model is required"));
    }
    panel.require_finite()?;
    check_exog(panel, x, specs)?;
    if let Some(i) = (0..panel.len()).find(|&i| panel.series(i).is_empty()) {
        return Err(Error::InvalidSeries {
            series: i,
            reason: "has no observations".into(),
        });
    }
    let per_series: Vec<Vec<Fitted>> = parallel::install(|| {
        (0..panel.len())
            .into_par_iter()
            .map(|i| {
                let y = panel.series(i);
                let (a, b) = panel.bounds(i);
                let xi = x.rows(a, b);
                let row: Vec<Fitted> = specs.iter().map(|s| models::fit_x(s, y, xi)).collect();
                progress.fetch_add(1, Ordering::Relaxed);
                row
            })
            .collect()
    });
    // Transpose to model-major so each output column is contiguous.
    let mut fitted: Vec<Vec<Fitted>> = specs
        .iter()
        .map(|_| Vec::with_capacity(panel.len()))
        .collect();
    for row in per_series {
        for (m, f) in row.into_iter().enumerate() {
            fitted[m].push(f);
        }
    }
    Ok(FittedPanel {
        specs: specs.to_vec(),
        fitted,
    })
}

impl FittedPanel {
    /// Number of series.
    pub fn n_series(&self) -> usize {
        self.fitted.first().map_or(0, Vec::len)
    }

    /// Point forecasts, model-major: `out[m][i * h + k]` is model `m`, series `i`, step `k + 1`.
    pub fn predict(&self, h: usize) -> Result<Vec<Vec<f64>>> {
        let flat = self.predict_flat(h, Exog::NONE)?;
        let width = self.n_series() * h;
        Ok((0..self.fitted.len())
            .map(|m| flat[m * width..(m + 1) * width].to_vec())
            .collect())
    }

    /// Number of regressors the models were fitted with (0 when none uses any).
    pub fn n_exog(&self) -> usize {
        self.fitted
            .iter()
            .flatten()
            .map(Fitted::n_exog)
            .max()
            .unwrap_or(0)
    }

    /// Check the future regressors `xf` of a horizon `h`: `n_series * h` rows (series-major)
    /// of [`FittedPanel::n_exog`] values, finite.
    fn check_future(&self, h: usize, xf: Exog<'_>) -> Result<()> {
        if h == 0 {
            return Err(Error::param("h", "must be >= 1, got 0"));
        }
        let k = self.n_exog();
        if k == 0 {
            return Ok(());
        }
        let rows = self.n_series() * h;
        if xf.k() != k || xf.n_rows() != rows {
            return Err(Error::Shape(format!(
                "the models were fitted with {k} regressors: the future needs {rows} rows \
                 (series × horizon) of {k}, got {} rows of {}",
                xf.n_rows(),
                xf.k()
            )));
        }
        if let Some((row, col)) = xf.first_non_finite() {
            return Err(Error::InvalidSeries {
                series: row / h,
                reason: format!(
                    "future regressor {col} at step {} is not finite",
                    row % h + 1
                ),
            });
        }
        Ok(())
    }

    /// Point forecasts in one model-major buffer: `out[(m * n + i) * h + k]` is model `m`,
    /// series `i`, step `k + 1` (the columns of [`FittedPanel::predict`] back to back, written
    /// in place, so the forecasts exist once). `xf` holds the future regressors, `h` rows
    /// per series, series-major ([`Exog::NONE`] when the models use none).
    pub fn predict_flat(&self, h: usize, xf: Exog<'_>) -> Result<Vec<f64>> {
        self.check_future(h, xf)?;
        let n = self.n_series();
        let mut out = vec![0.0; self.fitted.len() * n * h];
        if n > 0 {
            parallel::install(|| {
                out.par_chunks_mut(n * h)
                    .zip(self.fitted.par_iter())
                    .for_each(|(col, per_series)| {
                        col.par_chunks_mut(h)
                            .zip(per_series.par_iter())
                            .enumerate()
                            .for_each(|(i, (chunk, f))| {
                                f.forecast_x(chunk, xf.rows(i * h, (i + 1) * h));
                            });
                    });
            });
        }
        Ok(out)
    }

    /// One-step residual standard deviations, model-major.
    pub fn sigmas(&self) -> Vec<Vec<f64>> {
        self.fitted
            .iter()
            .map(|v| v.iter().map(|f| f.sigma).collect())
            .collect()
    }

    /// The ETS state of every series for model `m` (None where a series fell back to a
    /// model that is not ETS).
    ///
    /// Errors when `m` is out of range or model `m` is not an ETS model.
    pub fn ets_states(&self, m: usize) -> Result<Vec<Option<&EtsState>>> {
        match self.specs.get(m) {
            Some(ModelSpec::AutoEts(_)) => Ok(self.fitted[m].iter().map(Fitted::ets).collect()),
            Some(s) => Err(Error::param(
                "model_index",
                format!("model {m} ({}) is not an ETS model", s.name()),
            )),
            None => Err(Error::param(
                "model_index",
                format!("must be < {}, got {m}", self.specs.len()),
            )),
        }
    }

    /// The ARIMA state of every series for model `m` (None where a series fell back to a
    /// model that is not ARIMA).
    ///
    /// Errors when `m` is out of range or model `m` is not ARIMA or AutoARIMA.
    pub fn arima_states(&self, m: usize) -> Result<Vec<Option<&ArimaState>>> {
        match self.specs.get(m) {
            Some(ModelSpec::Arima(_) | ModelSpec::AutoArima(_)) => Ok(self.fitted[m]
                .iter()
                .map(|f| match &f.state {
                    State::Arima(a) => Some(a.as_ref()),
                    _ => None,
                })
                .collect()),
            Some(s) => Err(Error::param(
                "model_index",
                format!("model {m} ({}) is not an ARIMA model", s.name()),
            )),
            None => Err(Error::param(
                "model_index",
                format!("must be < {}, got {m}", self.specs.len()),
            )),
        }
    }

    /// Whether each model has a model-based forecast distribution (see
    /// [`distribution::has_distribution`]).
    pub fn has_distribution(&self) -> Vec<bool> {
        self.specs
            .iter()
            .map(distribution::has_distribution)
            .collect()
    }

    fn distribution_model(&self, m: usize, h: usize) -> Result<&[Fitted]> {
        if h == 0 {
            return Err(Error::param("h", "must be >= 1, got 0"));
        }
        match self.specs.get(m) {
            Some(s) if distribution::has_distribution(s) => Ok(&self.fitted[m]),
            Some(s) => Err(Error::param(
                "model_index",
                format!("model {m} ({}) has no model-based distribution", s.name()),
            )),
            None => Err(Error::param(
                "model_index",
                format!("must be < {}, got {m}", self.specs.len()),
            )),
        }
    }

    /// Raw (unclipped) quantiles of model `m`'s forecast distribution, at
    /// `out[(i * P + q) * h + k]` for series `i`, quantile `q` of the `P` in `probs` (each
    /// in (0, 1)) and step `k + 1`. Simulated distributions use `seed` (per series,
    /// thread-count independent).
    ///
    /// Errors when `h` is 0, a probability is outside (0, 1), or model `m` does not exist or
    /// has no model-based distribution.
    pub fn model_quantiles(
        &self,
        m: usize,
        h: usize,
        probs: &[f64],
        seed: u64,
        xf: Exog<'_>,
    ) -> Result<Vec<f64>> {
        let fitted = self.distribution_model(m, h)?;
        self.check_future(h, xf)?;
        if let Some(p) = probs.iter().find(|p| !(**p > 0.0 && **p < 1.0)) {
            return Err(Error::param(
                "quantiles",
                format!("must be in (0, 1), got {p}"),
            ));
        }
        let width = probs.len() * h;
        let mut out = vec![0.0; fitted.len() * width];
        if width == 0 {
            return Ok(out);
        }
        parallel::install(|| {
            out.par_chunks_mut(width)
                .zip(fitted.par_iter())
                .enumerate()
                .for_each(|(i, (chunk, f))| {
                    let mut g = distribution::normal_for(seed, i);
                    let xi = xf.rows(i * h, (i + 1) * h);
                    distribution::quantiles_into(f, h, probs, &mut g, xi, chunk);
                });
        });
        Ok(out)
    }

    /// Raw (unclipped) sample paths of model `m`: `out[(i * n_paths + p) * h + k]` for
    /// series `i`, path `p`, step `k + 1`, seeded by `seed` per series.
    ///
    /// Errors when `h` or `n_paths` is 0, or model `m` does not exist or has no model-based
    /// distribution.
    pub fn model_paths(
        &self,
        m: usize,
        h: usize,
        n_paths: usize,
        seed: u64,
        xf: Exog<'_>,
    ) -> Result<Vec<f64>> {
        let fitted = self.distribution_model(m, h)?;
        self.check_future(h, xf)?;
        if n_paths == 0 {
            return Err(Error::param("n_paths", "must be >= 1, got 0"));
        }
        let width = n_paths * h;
        let mut out = vec![0.0; fitted.len() * width];
        parallel::install(|| {
            out.par_chunks_mut(width)
                .zip(fitted.par_iter())
                .enumerate()
                .for_each(|(i, (chunk, f))| {
                    let mut g = distribution::normal_for(seed, i);
                    let xi = xf.rows(i * h, (i + 1) * h);
                    distribution::paths_into(f, h, n_paths, &mut g, xi, chunk);
                });
        });
        Ok(out)
    }

    /// Fallback codes (0 = none), model-major.
    pub fn fallback_codes(&self) -> Vec<Vec<u8>> {
        self.fitted
            .iter()
            .map(|v| {
                v.iter()
                    .map(|f| f.fallback.map_or(0, |fb| fb.code()))
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_and_predicts_panel() {
        let v = [1.0, 2.0, 3.0, 0.0, 4.0, 0.0, 0.0, 2.0];
        let o = [0, 3, 8];
        let p = Panel::new(&v, &o).unwrap();
        let specs = [
            ModelSpec::Naive,
            ModelSpec::SeasonalNaive { season_length: 2 },
        ];
        let fp = fit(&p, &specs).unwrap();
        assert_eq!(fp.n_series(), 2);
        let out = fp.predict(3).unwrap();
        assert_eq!(out[0], vec![3.0, 3.0, 3.0, 2.0, 2.0, 2.0]);
        assert_eq!(out[1], vec![2.0, 3.0, 2.0, 0.0, 2.0, 0.0]);
        assert!(fp.predict(0).is_err());
        assert_eq!(fp.predict_flat(3, Exog::NONE).unwrap(), out.concat());
        assert!(fp.predict_flat(0, Exog::NONE).is_err());
    }

    #[test]
    fn model_distributions_only_for_ets() {
        use crate::forecast::models::ets::EtsSpec;
        let v: Vec<f64> = (0..60).map(|t| 10.0 + f64::from(t % 7)).collect();
        let p = Panel::new(&v, &[0, 30, 60]).unwrap();
        let ets = ModelSpec::AutoEts(EtsSpec::new(7, "ANN", None).unwrap());
        let fp = fit(&p, &[ModelSpec::Naive, ets]).unwrap();
        assert_eq!(fp.has_distribution(), vec![false, true]);
        let q = fp
            .model_quantiles(1, 3, &[0.1, 0.5, 0.9], 0, Exog::NONE)
            .unwrap();
        assert_eq!(q.len(), 2 * 3 * 3);
        let point = fp.predict(3).unwrap();
        for i in 0..2 {
            for k in 0..3 {
                let at = |j: usize| q[(i * 3 + j) * 3 + k];
                assert!(at(0) < at(1) && at(1) < at(2));
                assert!((at(1) - point[1][i * 3 + k]).abs() < 1e-9);
            }
        }
        let paths = fp.model_paths(1, 4, 5, 9, Exog::NONE).unwrap();
        assert_eq!(paths.len(), 2 * 5 * 4);
        assert_eq!(paths, fp.model_paths(1, 4, 5, 9, Exog::NONE).unwrap());
        assert!(fp.model_quantiles(0, 3, &[0.5], 0, Exog::NONE).is_err());
        assert!(fp.model_quantiles(2, 3, &[0.5], 0, Exog::NONE).is_err());
        assert!(fp.model_quantiles(1, 0, &[0.5], 0, Exog::NONE).is_err());
        assert!(fp.model_quantiles(1, 3, &[1.0], 0, Exog::NONE).is_err());
        assert!(fp.model_paths(1, 3, 0, 0, Exog::NONE).is_err());
    }

    #[test]
    fn rejects_nan_and_empty() {
        let v = [1.0, f64::NAN];
        let p = Panel::new(&v, &[0, 1, 2]).unwrap();
        assert!(matches!(
            fit(&p, &[ModelSpec::Naive]),
            Err(Error::InvalidSeries { series: 1, .. })
        ));
        let v = [1.0];
        let p = Panel::new(&v, &[0, 0, 1]).unwrap();
        assert!(matches!(
            fit(&p, &[ModelSpec::Naive]),
            Err(Error::InvalidSeries { series: 0, .. })
        ));
        assert!(fit(&p, &[]).is_err());
    }
}
