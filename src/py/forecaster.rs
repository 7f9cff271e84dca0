//! `_core.DemandForecaster`: the native engine behind `shelfcast.DemandForecaster`. It
//! takes a panel as (values, offsets) arrays, fits with the GIL released, and returns
//! forecasts as a (series × horizon, models) array. Thread-safe: `frozen` with an `RwLock`.

use super::arrays;
use crate::error::Error;
use crate::forecast::exog::Exog;
use crate::forecast::models::arima_model::ArimaState;
use crate::forecast::{self, persist, FittedPanel, ModelParams, ModelSpec};
use crate::panel::Panel;
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

/// A model as Python passes it: name, numeric and text hyperparameters.
type ModelTriple = (String, BTreeMap<String, f64>, BTreeMap<String, String>);

/// Native per-series forecaster.
#[pyclass(name = "DemandForecaster", module = "shelfcast._core", frozen)]
pub struct PyDemandForecaster {
    specs: Vec<ModelSpec>,
    state: RwLock<Option<Arc<FittedPanel>>>,
    progress: AtomicUsize,
}

impl PyDemandForecaster {
    fn fitted(&self) -> PyResult<Arc<FittedPanel>> {
        let guard = self
            .state
            .read()
            .map_err(|_| Error::Decode("model state lock poisoned".into()))?;
        guard
            .clone()
            .ok_or_else(|| Error::NotFitted("DemandForecaster").into())
    }
}

/// The regressors of `rows` rows as a row-major slice and their count (none: empty, 0).
fn exog_rows<'a>(
    x: &'a Option<PyReadonlyArray2<'_, f64>>,
    rows: usize,
    name: &str,
) -> PyResult<(Cow<'a, [f64]>, usize)> {
    match x {
        None => Ok((Cow::Borrowed(&[]), 0)),
        Some(a) => {
            let k = a.shape()[1];
            let values = arrays::matrix(a, Some(rows), None, name)?;
            Ok(if k == 0 {
                (Cow::Borrowed(&[]), 0)
            } else {
                (values, k)
            })
        }
    }
}

fn to_matrix(
    py: Python<'_>,
    cols: Vec<Vec<f64>>,
    rows: usize,
) -> PyResult<Bound<'_, PyArray2<f64>>> {
    let n_cols = cols.len();
    let mut flat = Vec::with_capacity(rows * n_cols);
    for r in 0..rows {
        for c in &cols {
            flat.push(c[r]);
        }
    }
    let a =
        Array2::from_shape_vec((rows, n_cols), flat).map_err(|e| Error::Shape(e.to_string()))?;
    Ok(a.into_pyarray(py))
}

#[pymethods]
impl PyDemandForecaster {
    /// Create an unfitted forecaster.
    ///
    /// Args:
    ///     models: list of (name, numeric parameters, text parameters) triples, e.g.
    ///         ("SeasonalNaive", {"season_length": 7}, {}).
    ///
    /// Raises:
    ///     UnknownModelError: a name is not a known model.
    ///     InvalidParameterError: a hyperparameter is out of range.
    #[new]
    fn new(models: Vec<ModelTriple>) -> PyResult<Self> {
        let specs = models
            .into_iter()
            .map(|(name, num, text)| ModelParams { name, num, text }.check())
            .collect::<Result<Vec<_>, _>>()?;
        if specs.is_empty() {
            return Err(Error::param("models", "at least one model is required").into());
        }
        Ok(PyDemandForecaster {
            specs,
            state: RwLock::new(None),
            progress: AtomicUsize::new(0),
        })
    }

    /// Fit every model on every series (rayon across series, GIL released).
    ///
    /// Args:
    ///     y: float64 values of all series back to back.
    ///     offsets: int64 array of length n_series + 1; series i is y[offsets[i]:offsets[i+1]].
    ///     x: float64 array (len(y), k) of exogenous regressors aligned with y, or None.
    ///         Models without regressor support ignore it.
    ///
    /// Raises:
    ///     ShapeError: the offsets do not partition y, or x has the wrong number of rows.
    ///     InvalidSeriesError: a series is empty or holds a non-finite value (in y, or in x
    ///         for a model that uses the regressors).
    #[pyo3(signature = (y, offsets, x=None))]
    fn fit(
        &self,
        py: Python<'_>,
        y: PyReadonlyArray1<'_, f64>,
        offsets: PyReadonlyArray1<'_, i64>,
        x: Option<PyReadonlyArray2<'_, f64>>,
    ) -> PyResult<()> {
        let values = arrays::slice(&y);
        let offsets = arrays::offsets(&offsets)?;
        let (xv, k) = exog_rows(&x, values.len(), "x")?;
        let (specs, progress) = (&self.specs, &self.progress);
        progress.store(0, Ordering::Relaxed);
        let fitted = py.detach(|| {
            let panel = Panel::new(&values, &offsets)?;
            let x = Exog::new(&xv, k, values.len())?;
            forecast::fit_with_progress(&panel, x, specs, progress)
        })?;
        let mut guard = self
            .state
            .write()
            .map_err(|_| Error::Decode("model state lock poisoned".into()))?;
        *guard = Some(Arc::new(fitted));
        Ok(())
    }

    /// Point forecasts for `h` steps.
    ///
    /// Args:
    ///     h: forecast horizon (>= 1).
    ///     x_future: float64 array (n_series * h, k) of the future regressors (series-major,
    ///         then step) when the models were fitted with k regressors, else None.
    ///
    /// Returns:
    ///     float64 array of shape (n_series * h, n_models), series-major then step.
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    ///     InvalidParameterError: h < 1.
    ///     ShapeError: x_future is missing or has the wrong shape.
    ///     InvalidSeriesError: a future regressor is not finite.
    #[pyo3(signature = (h, x_future=None))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        h: i64,
        x_future: Option<PyReadonlyArray2<'py, f64>>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let fp = self.fitted()?;
        let h =
            usize::try_from(h).map_err(|_| Error::param("h", format!("must be >= 1, got {h}")))?;
        let rows = fp.n_series() * h;
        let (xv, k) = exog_rows(&x_future, rows, "x_future")?;
        let flat = py.detach(|| fp.predict_flat(h, Exog::new(&xv, k, rows)?))?;
        // model-major buffer seen as (rows, models) in Fortran order: no interleaving copy
        let a = Array2::from_shape_vec((self.specs.len(), rows), flat)
            .map_err(|e| Error::Shape(e.to_string()))?
            .reversed_axes();
        Ok(a.into_pyarray(py))
    }

    /// In-sample one-step residual standard deviation per series and model.
    ///
    /// Returns:
    ///     float64 array of shape (n_series, n_models).
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    fn sigmas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let fp = self.fitted()?;
        to_matrix(py, fp.sigmas(), fp.n_series())
    }

    /// Fallback code per series and model (0 = none; `fallback_reasons()` lists the
    /// others), as float64 for uniformity.
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    fn fallbacks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let fp = self.fitted()?;
        let cols = fp
            .fallback_codes()
            .into_iter()
            .map(|v| v.into_iter().map(f64::from).collect())
            .collect();
        to_matrix(py, cols, fp.n_series())
    }

    /// Rolling-origin forecast errors (actual - forecast) of every model, refitting at
    /// `n_windows` cutoffs `step` periods apart, the last window ending at each series' end.
    ///
    /// Args:
    ///     y, offsets: the panel.
    ///     h: horizon of each window; n_windows: windows per series; step: periods between cutoffs.
    ///     models: indices of the models to refit (default: all), in output order.
    ///     x: float64 array (len(y), k) of regressors aligned with y, or None.
    ///
    /// Returns:
    ///     float64 array (n_models, n_series * n_windows * h), one row per model refitted;
    ///     NaN for windows a series is too short for.
    ///
    /// Raises:
    ///     InvalidParameterError: h, n_windows or step < 1.
    ///     ShapeError, InvalidSeriesError: invalid panel.
    #[pyo3(signature = (y, offsets, h, n_windows, step, models=None, x=None))]
    #[allow(clippy::too_many_arguments)]
    fn rolling_errors<'py>(
        &self,
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        h: usize,
        n_windows: usize,
        step: usize,
        models: Option<Vec<usize>>,
        x: Option<PyReadonlyArray2<'py, f64>>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let values = arrays::slice(&y);
        let offsets = arrays::offsets(&offsets)?;
        let (xv, k) = exog_rows(&x, values.len(), "x")?;
        let specs: Vec<ModelSpec> = match models {
            None => self.specs.clone(),
            Some(idx) => idx
                .iter()
                .map(|&m| {
                    self.specs.get(m).cloned().ok_or_else(|| {
                        Error::param("models", format!("must be < {}, got {m}", self.specs.len()))
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        if specs.is_empty() {
            return Ok(Array2::zeros((0, 0)).into_pyarray(py));
        }
        let n_models = specs.len();
        let errors = py.detach(|| -> Result<_, Error> {
            let panel = Panel::new(&values, &offsets)?;
            let x = Exog::new(&xv, k, values.len())?;
            let r = forecast::rolling(&panel, x, &specs, h, n_windows, step)?;
            Ok(r.errors(&panel))
        })?;
        let cols = errors.first().map_or(0, Vec::len);
        let flat: Vec<f64> = errors.into_iter().flatten().collect();
        let a = Array2::from_shape_vec((n_models, cols), flat)
            .map_err(|e| Error::Shape(e.to_string()))?;
        Ok(a.into_pyarray(py))
    }

    /// In-sample one-step-ahead fitted values of every model: each model's filter re-run
    /// with its frozen parameters over the series (GIL released; the state is unchanged).
    ///
    /// Args:
    ///     y, offsets: the training panel (or the history after `updated`).
    ///     x: float64 array (len(y), k) of the regressors aligned with y, or None.
    ///
    /// Returns:
    ///     float64 array (len(y), n_models); NaN where a model has no one-step forecast.
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    ///     ModelFormatError: the state was saved by an older shelfcast (format 2).
    ///     ShapeError, InvalidSeriesError: the panel does not match the fit.
    #[pyo3(signature = (y, offsets, x=None))]
    fn fitted_values<'py>(
        &self,
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        x: Option<PyReadonlyArray2<'py, f64>>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let fp = self.fitted()?;
        let values = arrays::slice(&y);
        let offsets = arrays::offsets(&offsets)?;
        let (xv, k) = exog_rows(&x, values.len(), "x")?;
        let flat = py.detach(|| {
            let panel = Panel::new(&values, &offsets)?;
            fp.fitted_values(&panel, Exog::new(&xv, k, values.len())?)
        })?;
        let a = Array2::from_shape_vec((self.specs.len(), values.len()), flat)
            .map_err(|e| Error::Shape(e.to_string()))?
            .reversed_axes();
        Ok(a.into_pyarray(py))
    }

    /// The online update: a new forecaster whose models are these, re-run with their frozen
    /// parameters over the longer history (nothing re-estimated; GIL released). This one
    /// is not changed.
    ///
    /// Args:
    ///     y, offsets: the full history of every fitted series (training values followed
    ///         by the new ones).
    ///     x: float64 array (len(y), k) of the regressors aligned with y, or None.
    ///     series: one flag per series, True for the series to re-run (default: all); the
    ///         others keep their fitted state.
    ///
    /// Returns:
    ///     The updated forecaster.
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    ///     ModelFormatError: the state was saved by an older shelfcast (format 2).
    ///     ShapeError, InvalidSeriesError: the panel does not match the fit.
    #[pyo3(signature = (y, offsets, x=None, series=None))]
    fn updated(
        &self,
        py: Python<'_>,
        y: PyReadonlyArray1<'_, f64>,
        offsets: PyReadonlyArray1<'_, i64>,
        x: Option<PyReadonlyArray2<'_, f64>>,
        series: Option<Vec<bool>>,
    ) -> PyResult<Self> {
        let fp = self.fitted()?;
        let values = arrays::slice(&y);
        let offsets = arrays::offsets(&offsets)?;
        let (xv, k) = exog_rows(&x, values.len(), "x")?;
        let up = py.detach(|| {
            let panel = Panel::new(&values, &offsets)?;
            fp.refilter(&panel, Exog::new(&xv, k, values.len())?, series.as_deref())
        })?;
        Ok(PyDemandForecaster {
            specs: self.specs.clone(),
            state: RwLock::new(Some(Arc::new(up))),
            progress: AtomicUsize::new(0),
        })
    }

    /// Whether each model uses the exogenous regressors passed to `fit`.
    fn uses_exog(&self) -> Vec<bool> {
        self.specs.iter().map(ModelSpec::uses_exog).collect()
    }

    /// Number of regressors the fitted models use (0 when none does).
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    #[getter]
    fn n_exog(&self) -> PyResult<usize> {
        Ok(self.fitted()?.n_exog())
    }

    /// Whether each model has a model-based forecast distribution (ETS: analytic or
    /// simulated); the others get conformal intervals.
    fn has_distribution(&self) -> Vec<bool> {
        self.specs
            .iter()
            .map(forecast::distribution::has_distribution)
            .collect()
    }

    /// Raw (not clipped) quantiles of model `model_index`'s forecast distribution.
    ///
    /// Args:
    ///     model_index: a model with a distribution; h: horizon (>= 1); probs: quantile
    ///     levels in (0, 1); seed: seed of the simulated distributions; x_future: future
    ///     regressors as in `predict`.
    ///
    /// Returns:
    ///     float64 array of shape (n_series, len(probs) * h), quantile-major then step.
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    ///     InvalidParameterError: bad h or probs, or the model has no distribution.
    ///     ShapeError: x_future is missing or has the wrong shape.
    #[pyo3(signature = (model_index, h, probs, seed, x_future=None))]
    fn model_quantiles<'py>(
        &self,
        py: Python<'py>,
        model_index: usize,
        h: usize,
        probs: Vec<f64>,
        seed: u64,
        x_future: Option<PyReadonlyArray2<'py, f64>>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let fp = self.fitted()?;
        let rows = fp.n_series() * h;
        let (xv, k) = exog_rows(&x_future, rows, "x_future")?;
        let flat = py.detach(|| {
            let xf = Exog::new(&xv, k, rows)?;
            fp.model_quantiles(model_index, h, &probs, seed, xf)
        })?;
        let a = Array2::from_shape_vec((fp.n_series(), probs.len() * h), flat)
            .map_err(|e| Error::Shape(e.to_string()))?;
        Ok(a.into_pyarray(py))
    }

    /// Raw (not clipped) sample paths simulated from model `model_index`.
    ///
    /// Args:
    ///     model_index: a model with a distribution; h: horizon (>= 1); n_paths: paths per
    ///     series (>= 1); seed: random seed; x_future: future regressors as in `predict`.
    ///
    /// Returns:
    ///     float64 array of shape (n_series, n_paths * h), path-major then step.
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    ///     InvalidParameterError: bad h or n_paths, or the model has no distribution.
    ///     ShapeError: x_future is missing or has the wrong shape.
    #[pyo3(signature = (model_index, h, n_paths, seed, x_future=None))]
    fn model_paths<'py>(
        &self,
        py: Python<'py>,
        model_index: usize,
        h: usize,
        n_paths: usize,
        seed: u64,
        x_future: Option<PyReadonlyArray2<'py, f64>>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let fp = self.fitted()?;
        let rows = fp.n_series() * h;
        let (xv, k) = exog_rows(&x_future, rows, "x_future")?;
        let flat = py.detach(|| {
            let xf = Exog::new(&xv, k, rows)?;
            fp.model_paths(model_index, h, n_paths, seed, xf)
        })?;
        let a = Array2::from_shape_vec((fp.n_series(), n_paths * h), flat)
            .map_err(|e| Error::Shape(e.to_string()))?;
        Ok(a.into_pyarray(py))
    }

    /// The ETS model each series uses under model `model_index`, e.g. "AAdN" for
    /// ETS(A,Ad,N) ("" where the series fell back to a model that is not ETS).
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    ///     InvalidParameterError: model `model_index` does not exist or is not ETS.
    fn ets_components(&self, model_index: usize) -> PyResult<Vec<String>> {
        let fp = self.fitted()?;
        let states = fp.ets_states(model_index)?;
        Ok(states
            .iter()
            .map(|s| s.map_or_else(String::new, |e| e.kind.code()))
            .collect())
    }

    /// The smoothing parameters each series uses under ETS model `model_index`.
    ///
    /// Returns:
    ///     float64 array of shape (n_series, 4): alpha, beta, gamma, phi; NaN where the
    ///     model has no such parameter or the series fell back to a model that is not ETS.
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    ///     InvalidParameterError: model `model_index` does not exist or is not ETS.
    fn ets_params<'py>(
        &self,
        py: Python<'py>,
        model_index: usize,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let fp = self.fitted()?;
        let states = fp.ets_states(model_index)?;
        let cols = (0..4)
            .map(|j| {
                states
                    .iter()
                    .map(|s| s.map_or(f64::NAN, |e| e.params()[j]))
                    .collect()
            })
            .collect();
        to_matrix(py, cols, states.len())
    }

    /// The ARIMA model each series uses under model `model_index` (ARIMA or AutoARIMA).
    ///
    /// Returns:
    ///     (orders, coefficients): a float64 array (n_series, 12) with p, d, q, P, D, Q,
    ///     season length, intercept (0/1), drift (0/1), AICc, sigma2 and log-likelihood (NaN
    ///     rows where the series fell back to a model that is not ARIMA), and per series a
    ///     dict of coefficients by name (`ex_<j>` for regressor column j, 1-based; None where
    ///     the series fell back).
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    ///     InvalidParameterError: model `model_index` does not exist or is not ARIMA.
    #[allow(clippy::type_complexity)]
    fn arima_models<'py>(
        &self,
        py: Python<'py>,
        model_index: usize,
    ) -> PyResult<(
        Bound<'py, PyArray2<f64>>,
        Vec<Option<BTreeMap<String, f64>>>,
    )> {
        let fp = self.fitted()?;
        let states = fp.arima_states(model_index)?;
        let row = |s: &ArimaState| {
            let (m, o) = (&s.model, s.order());
            [
                o.p as f64,
                o.d as f64,
                o.q as f64,
                o.sp as f64,
                o.sd as f64,
                o.sq as f64,
                o.period as f64,
                f64::from(u8::from(m.has_intercept)),
                f64::from(u8::from(m.has_drift)),
                m.aicc,
                m.sigma2,
                m.loglik,
            ]
        };
        let cols = (0..12)
            .map(|j| {
                states
                    .iter()
                    .map(|s| s.map_or(f64::NAN, |s| row(s)[j]))
                    .collect()
            })
            .collect();
        let coefs = states
            .iter()
            .map(|s| {
                s.map(|s| {
                    let n_arma = s.model.coef.len() - s.model.n_xreg;
                    s.model
                        .coef_names()
                        .into_iter()
                        .zip(&s.model.coef)
                        .enumerate()
                        .map(|(i, (name, &c))| match i.checked_sub(n_arma) {
                            Some(j) => (format!("ex_{}", s.kept[j] + 1), c),
                            None => (name, c),
                        })
                        .collect()
                })
            })
            .collect();
        Ok((to_matrix(py, cols, states.len())?, coefs))
    }

    /// Series finished by the fit in progress (or the last fit), for progress bars.
    #[getter]
    fn progress(&self) -> usize {
        self.progress.load(Ordering::Relaxed)
    }

    /// Whether `fit` has been called.
    #[getter]
    fn is_fitted(&self) -> bool {
        self.state.read().map(|g| g.is_some()).unwrap_or(false)
    }

    /// The model names, in output-column order.
    #[getter]
    fn model_names(&self) -> Vec<&'static str> {
        self.specs.iter().map(ModelSpec::name).collect()
    }

    /// Serialize the fitted state (versioned binary format, see `forecast::persist`).
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let fp = self.fitted()?;
        let bytes = py.detach(|| persist::encode(&fp));
        Ok(PyBytes::new(py, &bytes))
    }

    /// Rebuild a fitted forecaster from `to_bytes` output.
    ///
    /// Raises:
    ///     ModelFormatError: the bytes are not a valid (or are a newer) shelfcast state.
    #[classmethod]
    fn from_bytes(_cls: &Bound<'_, PyType>, py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        let fp = py.detach(|| persist::decode(data))?;
        Ok(PyDemandForecaster {
            specs: fp.specs.clone(),
            state: RwLock::new(Some(Arc::new(fp))),
            progress: AtomicUsize::new(0),
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let cls = slf.get_type();
        if this.is_fitted() {
            let state = this.to_bytes(py)?;
            let ctor = cls.getattr("from_bytes")?;
            (ctor, (state,)).into_pyobject(py).map(Bound::into_any)
        } else {
            let models: Vec<ModelTriple> = this
                .specs
                .iter()
                .map(|s| {
                    let p = s.params();
                    (p.name, p.num, p.text)
                })
                .collect();
            (cls, (models,)).into_pyobject(py).map(Bound::into_any)
        }
    }

    fn __repr__(&self) -> String {
        let n = self
            .state
            .read()
            .ok()
            .and_then(|g| g.as_ref().map(|f| f.n_series()));
        format!(
            "DemandForecaster(models={:?}, fitted_series={})",
            self.model_names(),
            n.map_or("None".to_string(), |n| n.to_string())
        )
    }
}
