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
use super::target::{SeriesState, TargetTransform};
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

/// RMS one-step in-sample error per model and series (`out[m][i]`), in the original scale,
/// over the rows [`in_sample_predictions`] scores; 0 for a series without such a row.
/// `data` must be the training panel (or the history after [`MlFitted::update`]).
pub fn in_sample_sigmas(fitted: &MlFitted, data: &PanelData<'_>) -> Result<Vec<Vec<f64>>> {
    let preds = in_sample_predictions(fitted, data)?;
    let panel = data.panel;
    Ok(preds
        .iter()
        .map(|p| {
            (0..panel.len())
                .map(|i| {
                    let (a, b) = panel.bounds(i);
                    let (mut ss, mut cnt) = (0.0, 0usize);
                    for (y, v) in panel.series(i).iter().zip(&p[a..b]) {
                        if v.is_finite() {
                            ss += (y - v) * (y - v);
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
        .collect())
}

/// In-sample one-step predictions ("fitted values") of every model, `out[m][row]` for
/// every row of `data`'s panel: each training row's prediction from its features built on
/// the actual history (teacher forcing), inverted through the target transforms with the
/// actual values (a difference adds back the actual value `d` periods earlier) and the
/// fit's per-series transform states; NaN for rows the model could not score (lags
/// reaching before the series start when `dropna`, the first `d` rows of a difference).
/// `data` must be the training panel (or the history after [`MlFitted::update`]).
pub fn in_sample_predictions(fitted: &MlFitted, data: &PanelData<'_>) -> Result<Vec<Vec<f64>>> {
    let spec = &fitted.spec;
    let panel = data.panel;
    if panel.len() != fitted.n_series() || panel.series_len_total() != fitted.z.len() {
        return Err(Error::Shape("the panel is not the training panel".into()));
    }
    let frozen = transform_frozen(fitted, &panel)?;
    let design = spec.design(data, &frozen.z, false)?;
    let n_series = panel.len();
    // row range of every series in the design (rows are grouped by series, in order)
    let mut start = vec![0usize; n_series + 1];
    for &s in &design.series {
        start[s as usize + 1] += 1;
    }
    for i in 0..n_series {
        start[i + 1] += start[i];
    }
    let n_values = panel.series_len_total();
    Ok(fitted
        .models
        .iter()
        .map(|m| {
            let per_series: Vec<Vec<f64>> = parallel::install(|| {
                (0..n_series)
                    .into_par_iter()
                    .map(|i| {
                        let mut out = vec![f64::NAN; panel.series(i).len()];
                        let inputs = &frozen.inputs[i];
                        for r in start[i]..start[i + 1] {
                            let t = design.pos[r] as usize;
                            let mut v = m.predict(design.row(r));
                            for (k, tr) in spec.target_transforms.iter().enumerate().rev() {
                                v = tr.inverse_at(v, t, &inputs[k], &fitted.states[k][i]);
                            }
                            out[t] = if v.is_finite() { v } else { f64::NAN };
                        }
                        out
                    })
                    .collect()
            });
            let mut col = Vec::with_capacity(n_values);
            per_series.into_iter().for_each(|v| col.extend(v));
            col
        })
        .collect())
}

/// A panel transformed with the fit's frozen per-series transform states.
struct FrozenTransform {
    /// The transformed target, series back to back.
    z: Vec<f64>,
    /// Per series, the input of every transform stage (`inputs[i][0]` is the series).
    inputs: Vec<Vec<Vec<f64>>>,
    /// `states[k][i]`: the states after this panel (Standardize's kept, Differences' tails
    /// of the new history).
    states: Vec<Vec<SeriesState>>,
}

/// Apply the target transforms to `panel` with `fitted`'s per-series states frozen:
/// `log1p` as always, `Standardize` with the mean and scale of the training series (not
/// those of `panel`), `Differences` on the series itself (their tails are the last values,
/// recomputed).
fn transform_frozen(fitted: &MlFitted, panel: &crate::panel::Panel<'_>) -> Result<FrozenTransform> {
    let trs = &fitted.spec.target_transforms;
    type PerSeries = (Vec<Vec<f64>>, Vec<SeriesState>);
    let per: Vec<PerSeries> = parallel::install(|| {
        (0..panel.len())
            .into_par_iter()
            .map(|i| -> Result<PerSeries> {
                let mut inputs = vec![panel.series(i).to_vec()];
                let mut states = Vec::with_capacity(trs.len());
                for (k, tr) in trs.iter().enumerate() {
                    let mut next = inputs[k].clone();
                    let state = match (tr, &fitted.states[k][i]) {
                        (TargetTransform::Standardize, SeriesState::Scale(mean, scale)) => {
                            next.iter_mut().for_each(|v| *v = (*v - mean) / scale);
                            SeriesState::Scale(*mean, *scale)
                        }
                        _ => tr.forward(&mut next, i)?,
                    };
                    states.push(state);
                    inputs.push(next);
                }
                Ok((inputs, states))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    let mut z = Vec::with_capacity(panel.series_len_total());
    let mut states: Vec<Vec<SeriesState>> =
        trs.iter().map(|_| Vec::with_capacity(per.len())).collect();
    let mut inputs = Vec::with_capacity(per.len());
    for (inp, st) in per {
        z.extend_from_slice(inp.last().map_or(&[][..], Vec::as_slice));
        for (k, s) in st.into_iter().enumerate() {
            states[k].push(s);
        }
        inputs.push(inp);
    }
    Ok(FrozenTransform { z, inputs, states })
}

impl MlFitted {
    /// Number of series.
    pub fn n_series(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The online update: the trained models and their feature configuration kept, the
    /// history replaced by `panel` (every fitted series, each at least as long as before:
    /// normally its training values followed by new observations), so the recursive
    /// forecasts start after the new last observations. The target transforms' per-series
    /// states: `Standardize`'s mean and scale are frozen (the models were trained on that
    /// scale), `Differences`' tails are the new last values, `log1p` has none. The static
    /// features are kept.
    ///
    /// Errors when the panel has another number of series, a series got shorter, or a
    /// value cannot be transformed (`log1p` of a value <= −1; names the series).
    pub fn update(&self, panel: &crate::panel::Panel<'_>) -> Result<MlFitted> {
        if panel.len() != self.n_series() {
            return Err(Error::Shape(format!(
                "the models were fitted on {} series, got {}",
                self.n_series(),
                panel.len()
            )));
        }
        panel.require_finite()?;
        for i in 0..panel.len() {
            let old = self.offsets[i + 1] - self.offsets[i];
            if panel.series(i).len() < old {
                return Err(Error::InvalidSeries {
                    series: i,
                    reason: format!(
                        "has {} observations, fewer than the {old} it was fitted on",
                        panel.series(i).len()
                    ),
                });
            }
        }
        let frozen = transform_frozen(self, panel)?;
        let mut offsets = Vec::with_capacity(panel.len() + 1);
        offsets.push(0);
        for i in 0..panel.len() {
            offsets.push(panel.bounds(i).1);
        }
        Ok(MlFitted {
            offsets,
            z: frozen.z,
            states: frozen.states,
            ..self.clone()
        })
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

    fn weekly(n: usize, s: usize) -> Vec<f64> {
        let pattern = [5.0, 1.0, 2.0, 1.0, 1.5, 3.0, 8.0];
        (0..n)
            .map(|t| {
                pattern[t % 7] * (1.0 + s as f64)
                    + 0.02 * t as f64
                    + ((t * 7919 + s) % 13) as f64 / 5.0
            })
            .collect()
    }

    fn panel_of(n: usize) -> (Vec<f64>, Vec<usize>, Vec<i64>) {
        let mut y = weekly(n, 0);
        y.extend(weekly(n, 1));
        let days = (0..2).flat_map(|_| 0..n as i64).collect();
        (y, vec![0, n, 2 * n], days)
    }

    #[test]
    fn update_keeps_models_and_standardize_states_and_refreshes_differences() {
        let spec = FeatureSpec {
            lags: vec![1, 7],
            target_transforms: vec![TargetTransform::Standardize, TargetTransform::Diff(7)],
            dropna: true,
            ..Default::default()
        }
        .check()
        .unwrap();
        let specs = vec![MlSpec::check(&ModelParams::named("LinearRegression")).unwrap()];
        let (y, offsets, days) = panel_of(100);
        let data = |y: &'static [f64], o: &'static [usize], d: &'static [i64]| PanelData {
            panel: Panel::new(y, o).unwrap(),
            days: d,
            dynamic: &[],
            statics: &[],
        };
        let (y, offsets, days): (&'static [f64], &'static [usize], &'static [i64]) = (
            Box::leak(y.into_boxed_slice()),
            Box::leak(offsets.into_boxed_slice()),
            Box::leak(days.into_boxed_slice()),
        );
        let fitted = fit(&spec, &specs, &data(y, offsets, days), &AtomicUsize::new(0)).unwrap();
        // the same history: nothing changes
        let same = fitted.update(&Panel::new(y, offsets).unwrap()).unwrap();
        assert_eq!(
            crate::ml::persist::encode(&same),
            crate::ml::persist::encode(&fitted)
        );
        let (y2, o2, d2) = panel_of(112);
        let (y2, o2, d2): (&'static [f64], &'static [usize], &'static [i64]) = (
            Box::leak(y2.into_boxed_slice()),
            Box::leak(o2.into_boxed_slice()),
            Box::leak(d2.into_boxed_slice()),
        );
        let up = fitted.update(&Panel::new(y2, o2).unwrap()).unwrap();
        assert_eq!(up.models, fitted.models);
        assert_eq!(up.states[0], fitted.states[0]);
        assert_eq!(up.offsets, vec![0, 112, 224]);
        for i in 0..2 {
            let SeriesState::Scale(mean, scale) = fitted.states[0][i] else {
                panic!()
            };
            let std: Vec<f64> = y2[i * 112..(i + 1) * 112]
                .iter()
                .map(|v| (v - mean) / scale)
                .collect();
            assert_eq!(up.states[1][i], SeriesState::Tail(std[105..].to_vec()));
            let z = &up.z[i * 112..(i + 1) * 112];
            for t in 7..112 {
                assert!((z[t] - (std[t] - std[t - 7])).abs() < 1e-12);
            }
            let old = &fitted.z[i * 100..(i + 1) * 100];
            assert!(z[..100]
                .iter()
                .zip(old)
                .all(|(a, b)| a.to_bits() == b.to_bits()));
        }
        // the first forecast step is the linear model on the new last observations
        let h = 1;
        let out = up.predict(h, &[112, 112], &[]).unwrap();
        let MlModel::Linear(lin) = &up.models[0] else {
            panic!()
        };
        for i in 0..2 {
            let z = &up.z[i * 112..(i + 1) * 112];
            let step = lin.intercept + lin.coef[0] * z[111] + lin.coef[1] * z[105];
            let SeriesState::Scale(mean, scale) = fitted.states[0][i] else {
                panic!()
            };
            let std_prev = (y2[i * 112 + 105] - mean) / scale;
            let want = (step + std_prev) * scale + mean;
            assert!((out[0][i] - want).abs() < 1e-9, "{} vs {want}", out[0][i]);
        }
        // in-sample predictions after the update use the frozen scale
        let preds = in_sample_predictions(&up, &data(y2, o2, d2)).unwrap();
        assert!(preds[0][..14].iter().all(|v| v.is_nan()));
        let t = 50;
        let z = &up.z[..112];
        let SeriesState::Scale(mean, scale) = fitted.states[0][0] else {
            panic!()
        };
        let want = (lin.intercept
            + lin.coef[0] * z[t - 1]
            + lin.coef[1] * z[t - 7]
            + (y2[t - 7] - mean) / scale)
            * scale
            + mean;
        assert!((preds[0][t] - want).abs() < 1e-9);
        assert!(fitted
            .update(&Panel::new(&y2[..50], &[0, 50]).unwrap())
            .is_err());
        let short = [&y[..90], &y[100..200]].concat();
        let short: &'static [f64] = Box::leak(short.into_boxed_slice());
        assert!(fitted
            .update(&Panel::new(short, &[0, 90, 190]).unwrap())
            .is_err());
        assert!(in_sample_predictions(&fitted, &data(y2, o2, d2)).is_err());
    }
}
