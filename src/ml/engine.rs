//! Train global models on a panel and forecast recursively: step `k` of the horizon is
//! predicted from features built on the history extended with the model's own forecasts
//! of steps `1..k`, that step's calendar and that step's own exogenous row (never the
//! first step's). Series run in parallel; each model keeps its own trajectory.

use super::boosting::Booster;
use super::features::{FeatureSpec, PanelData};
use super::fine_bins::FineBinned;
use super::forest::Forest;
use super::histogram::Binned;
use super::linear::{Linear, LinearKind};
use super::model::MlModel;
use super::spec::MlSpec;
use super::target::SeriesState;
use crate::error::{Error, Result};
use crate::parallel;
use rayon::prelude::*;
use std::sync::atomic::AtomicUsize;

/// Fitted global models plus the state recursive prediction needs.
#[derive(Debug, Clone, PartialEq)]
pub struct MlFitted {
    /// The feature configuration.
    pub spec: FeatureSpec,
    /// Model specifications, in output order.
    pub specs: Vec<MlSpec>,
    /// Fitted models, in output order.
    pub models: Vec<MlModel>,
    /// Series bounds in `z`.
    pub offsets: Vec<usize>,
    /// Transformed training target, series back to back.
    pub z: Vec<f64>,
    /// Row-major `n_series × n_static` static features.
    pub statics: Vec<f64>,
    /// `states[k][i]`: target transform `k`'s state for series `i`.
    pub states: Vec<Vec<SeriesState>>,
}

/// Units of work of [`fit`] for a progress bar (trees, or 1 per linear model).
pub fn work_units(specs: &[MlSpec]) -> usize {
    specs
        .iter()
        .map(|s| match s {
            MlSpec::GradientBoosting(p) => p.n_estimators,
            MlSpec::RandomForest(p) => p.n_estimators,
            _ => 1,
        })
        .sum()
}

/// Fit every model on the panel; `progress` counts finished work units.
pub fn fit(
    spec: &FeatureSpec,
    specs: &[MlSpec],
    data: &PanelData<'_>,
    progress: &AtomicUsize,
) -> Result<MlFitted> {
    if specs.is_empty() {
        return Err(Error::param("models", "at least one model is required"));
    }
    let panel = data.panel;
    panel.require_finite()?;
    if let Some(i) = (0..panel.len()).find(|&i| panel.series(i).is_empty()) {
        return Err(Error::InvalidSeries {
            series: i,
            reason: "has no observations".into(),
        });
    }
    let prof = std::env::var_os("SHELFCAST_PROFILE").is_some();
    let t0 = std::time::Instant::now();
    let tr = spec.transform(&panel)?;
    let design = spec.design(data, &tr.z, false)?;
    let (n, f) = (design.n_rows(), design.n_features);
    if prof {
        eprintln!(
            "features: {n} rows x {f} in {:.3}s",
            t0.elapsed().as_secs_f64()
        );
    }
    if n == 0 {
        return Err(Error::param(
            "lags",
            "no training row has every lag feature: use shorter lags or longer series (or dropna=False)",
        ));
    }
    // binned designs by max_bins, shared by models that bin alike
    let mut binned: Vec<(usize, std::rc::Rc<Binned>)> = Vec::new();
    let mut bins = |max_bins: usize| -> std::rc::Rc<Binned> {
        if let Some((_, b)) = binned.iter().find(|(k, _)| *k == max_bins) {
            return b.clone();
        }
        let b = std::rc::Rc::new(Binned::new(&design.x, n, f, max_bins));
        binned.push((max_bins, b.clone()));
        b
    };
    let no_skip = vec![false; n];
    let mut models = Vec::with_capacity(specs.len());
    for s in specs {
        let m = match s {
            MlSpec::LinearRegression { fit_intercept } => MlModel::Linear(Linear::fit(
                &design.x,
                &design.y,
                f,
                &no_skip,
                LinearKind::Ols {
                    fit_intercept: *fit_intercept,
                },
            )?),
            MlSpec::Ridge {
                alpha,
                fit_intercept,
            } => MlModel::Linear(Linear::fit(
                &design.x,
                &design.y,
                f,
                &no_skip,
                LinearKind::Ridge {
                    alpha: *alpha,
                    fit_intercept: *fit_intercept,
                },
            )?),
            MlSpec::Glm {
                power,
                alpha,
                max_iter,
                tol,
            } => MlModel::Linear(Linear::fit(
                &design.x,
                &design.y,
                f,
                &no_skip,
                LinearKind::Glm {
                    power: *power,
                    alpha: *alpha,
                    max_iter: *max_iter,
                    tol: *tol,
                },
            )?),
            MlSpec::GradientBoosting(p) => {
                let b = bins(p.max_bins);
                let valid: Vec<bool> = if p.early_stopping_rounds > 0 {
                    (0..n)
                        .map(|r| {
                            let i = design.series[r] as usize;
                            let len = data.panel.series(i).len();
                            design.pos[r] as usize + p.validation_size >= len
                        })
                        .collect()
                } else {
                    no_skip.clone()
                };
                MlModel::Boosting(Booster::fit(&b, &design.y, &valid, p, progress)?)
            }
            MlSpec::RandomForest(p) => {
                let fb = FineBinned::new(&design.x, n, f, p.max_bins);
                MlModel::Forest(Forest::fit(&fb, &design.y, &no_skip, p, progress))
            }
        };
        if prof {
            eprintln!(
                "{}: trained at {:.3}s",
                s.name(),
                t0.elapsed().as_secs_f64()
            );
        }
        if !matches!(s, MlSpec::GradientBoosting(_) | MlSpec::RandomForest(_)) {
            progress.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        models.push(m);
    }
    let mut offsets = Vec::with_capacity(panel.len() + 1);
    offsets.push(0);
    for i in 0..panel.len() {
        offsets.push(panel.bounds(i).1);
    }
    Ok(MlFitted {
        spec: spec.clone(),
        specs: specs.to_vec(),
        models,
        offsets,
        z: tr.z,
        statics: data.statics.to_vec(),
        states: tr.states,
    })
}

/// RMS one-step in-sample error per model and series (`out[m][i]`), in the original scale
/// (the fitted value is inverted through the target transforms using the actual history);
/// 0 for a series without a training row. `data` must be the training panel.
pub fn in_sample_sigmas(fitted: &MlFitted, data: &PanelData<'_>) -> Result<Vec<Vec<f64>>> {
    let spec = &fitted.spec;
    let panel = data.panel;
    if panel.len() != fitted.n_series() || panel.series_len_total() != fitted.z.len() {
        return Err(Error::Shape("the panel is not the training panel".into()));
    }
    let tr = spec.transform(&panel)?;
    let design = spec.design(data, &tr.z, false)?;
    Ok(sigmas_of(spec, &fitted.models, &design, &panel, &tr.states))
}

fn sigmas_of(
    spec: &FeatureSpec,
    models: &[MlModel],
    design: &super::features::Design,
    panel: &crate::panel::Panel<'_>,
    states: &[Vec<SeriesState>],
) -> Vec<Vec<f64>> {
    let n_series = panel.len();
    // row range of every series in the design (rows are grouped by series, in order)
    let mut start = vec![0usize; n_series + 1];
    for &s in &design.series {
        start[s as usize + 1] += 1;
    }
    for i in 0..n_series {
        start[i + 1] += start[i];
    }
    models
        .iter()
        .map(|m| {
            parallel::install(|| {
                (0..n_series)
                    .into_par_iter()
                    .map(|i| {
                        let y = panel.series(i);
                        // inputs of every target transform stage, from the actual series
                        let mut inputs = vec![y.to_vec()];
                        for (k, tr) in spec.target_transforms.iter().enumerate() {
                            let mut next = inputs[k].clone();
                            if tr.forward(&mut next, i).is_err() {
                                return 0.0;
                            }
                            inputs.push(next);
                        }
                        let (mut ss, mut cnt) = (0.0, 0usize);
                        for r in start[i]..start[i + 1] {
                            let t = design.pos[r] as usize;
                            let mut v = m.predict(design.row(r));
                            for (k, tr) in spec.target_transforms.iter().enumerate().rev() {
                                v = tr.inverse_at(v, t, &inputs[k], &states[k][i]);
                            }
                            if v.is_finite() {
                                ss += (y[t] - v) * (y[t] - v);
                                cnt += 1;
                            }
                        }
                        if cnt == 0 {
                            0.0
                        } else {
                            (ss / cnt as f64).sqrt()
                        }
                    })
                    .collect()
            })
        })
        .collect()
}

impl MlFitted {
    /// Number of series.
    pub fn n_series(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Recursive forecasts of every model, model-major: `out[m][i * h + k]`. `days` and
    /// `dynamic` (row-major, `n_dynamic` per row) hold the `h` future rows of every series.
    pub fn predict(&self, h: usize, days: &[i64], dynamic: &[f64]) -> Result<Vec<Vec<f64>>> {
        if h == 0 {
            return Err(Error::param("h", "must be >= 1, got 0"));
        }
        let n = self.n_series();
        let nd = self.spec.dynamic_names.len();
        let ns = self.spec.static_names.len();
        if days.len() != n * h || dynamic.len() != n * h * nd {
            return Err(Error::Shape(format!(
                "{n} series × {h} steps need {} future dates and {} dynamic values, got {} and {}",
                n * h,
                n * h * nd,
                days.len(),
                dynamic.len()
            )));
        }
        let f = self.spec.n_features();
        // Step by step across all series (rows built in parallel, then scored together:
        // a forest walks each tree over every series' row while the tree is in cache).
        let chunk = n.div_ceil(4 * parallel::num_threads().max(1)).max(1);
        let mut out = vec![vec![0.0; n * h]; self.models.len()];
        for (m, model) in self.models.iter().enumerate() {
            let mut hists: Vec<Vec<f64>> = (0..n)
                .map(|i| {
                    let z = &self.z[self.offsets[i]..self.offsets[i + 1]];
                    let mut hist = Vec::with_capacity(z.len() + h);
                    hist.extend_from_slice(z);
                    hist
                })
                .collect();
            let mut rows = vec![0.0; n * f];
            let mut preds = vec![0.0; n];
            for k in 0..h {
                parallel::install(|| {
                    rows.par_chunks_mut(f.max(1))
                        .zip(hists.par_iter())
                        .enumerate()
                        .with_min_len(chunk)
                        .for_each(|(i, (row, hist))| {
                            let r = i * h + k;
                            self.spec.row(
                                hist,
                                hist.len(),
                                days[r],
                                &self.statics[i * ns..(i + 1) * ns],
                                &dynamic[r * nd..(r + 1) * nd],
                                row,
                            );
                        });
                    rows.par_chunks(chunk * f.max(1))
                        .zip(preds.par_chunks_mut(chunk))
                        .for_each(|(x, p)| model.predict_rows(x, f, p));
                });
                for (hist, &p) in hists.iter_mut().zip(&preds) {
                    hist.push(p);
                }
            }
            let per_series: Vec<Vec<f64>> = parallel::install(|| {
                hists
                    .into_par_iter()
                    .enumerate()
                    .map(|(i, mut hist)| {
                        let len = self.offsets[i + 1] - self.offsets[i];
                        let mut o = hist.split_off(len);
                        for (t, tr) in self.spec.target_transforms.iter().enumerate().rev() {
                            tr.inverse(&mut o, &self.states[t][i]);
                        }
                        o
                    })
                    .collect()
            });
            for (i, v) in per_series.into_iter().enumerate() {
                out[m][i * h..(i + 1) * h].copy_from_slice(&v);
            }
        }
        // A recursive forecast can run away (a log-link model on raw lags feeds its own
        // growth back): say where, rather than return inf or NaN.
        for (m, v) in out.iter().enumerate() {
            if let Some(p) = v.iter().position(|x| !x.is_finite()) {
                return Err(Error::InvalidSeries {
                    series: p / h,
                    reason: format!(
                        "the {} forecast is {} at step {}: the recursive forecast ran away \
                         through its own lags (a log link on the lags of a large or growing \
                         series); use an identity-link model or shorter lags for it",
                        self.specs[m].name(),
                        v[p],
                        p % h + 1
                    ),
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::ModelParams;
    use crate::ml::calendar::DateFeature;
    use crate::ml::target::TargetTransform;
    use crate::panel::Panel;

    #[test]
    fn recursive_forecast_of_a_weekly_pattern() {
        // two series with a weekly pattern; a price that scales sales on one day
        let pattern = [5.0, 1.0, 1.0, 1.0, 1.0, 3.0, 8.0];
        let mut y = Vec::new();
        let mut days = Vec::new();
        for s in 0..2 {
            for t in 0..140i64 {
                y.push(pattern[t as usize % 7] * (1.0 + s as f64));
                days.push(t);
            }
        }
        let offsets = [0, 140, 280];
        let spec = FeatureSpec {
            lags: vec![7],
            date_features: vec![DateFeature::DayOfWeek],
            target_transforms: vec![TargetTransform::Log1p],
            dropna: true,
            ..Default::default()
        }
        .check()
        .unwrap();
        let data = PanelData {
            panel: Panel::new(&y, &offsets).unwrap(),
            days: &days,
            dynamic: &[],
            statics: &[],
        };
        let specs: Vec<MlSpec> = [
            ModelParams::named("LinearRegression"),
            ModelParams::named("GradientBoosting")
                .with("min_samples_leaf", 5.0)
                .with("n_estimators", 200.0),
            ModelParams::named("RandomForest")
                .with("n_estimators", 5.0)
                .with("bootstrap", 0.0),
        ]
        .iter()
        .map(|p| MlSpec::check(p).unwrap())
        .collect();
        let fitted = fit(&spec, &specs, &data, &AtomicUsize::new(0)).unwrap();
        let h = 14;
        let fdays: Vec<i64> = (0..2).flat_map(|_| 140..140 + h as i64).collect();
        let out = fitted.predict(h, &fdays, &[]).unwrap();
        for (m, preds) in out.iter().enumerate() {
            for s in 0..2 {
                for k in 0..h {
                    let truth = pattern[(140 + k) % 7] * (1.0 + s as f64);
                    let p = preds[s * h + k];
                    assert!(
                        (p - truth).abs() < 0.5,
                        "model {m} series {s} step {k}: {p} vs {truth}"
                    );
                }
            }
        }
        assert!(fitted.predict(h, &fdays[1..], &[]).is_err());
        assert!(fitted.predict(0, &[], &[]).is_err());
    }
}
