//! `_core.GlobalForecaster`: the native engine behind the machine-learning models of
//! `shelfcast.DemandForecaster`. Takes the panel as arrays (target, offsets, day numbers,
//! dynamic exogenous matrix, static matrix), builds features, trains and forecasts with
//! the GIL released. Thread-safe: `frozen` with an `RwLock`.

use super::arrays;
use crate::error::Error;
use crate::forecast::ModelParams;
use crate::ml::{
    self, persist, DateFeature, FeatureSpec, LagTransform, MlFitted, MlSpec, PanelData,
    TargetTransform,
};
use crate::panel::Panel;
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

type ModelTriple = (String, BTreeMap<String, f64>, BTreeMap<String, String>);
type TransformTuple = (String, usize, usize, Option<usize>, f64);
/// The feature configuration as the constructor takes it.
type SpecTuple = (
    Vec<usize>,
    Vec<TransformTuple>,
    Vec<String>,
    Vec<(String, Vec<i64>)>,
    Vec<String>,
    Vec<String>,
    Vec<(String, usize)>,
    bool,
);
type DesignArrays<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
);

/// Native global (machine-learning) forecaster.
#[pyclass(name = "GlobalForecaster", module = "shelfcast._core", frozen)]
pub struct PyGlobalForecaster {
    spec: FeatureSpec,
    specs: Vec<MlSpec>,
    state: RwLock<Option<Arc<MlFitted>>>,
    progress: AtomicUsize,
}

fn matrix<'a>(
    a: &'a PyReadonlyArray2<'_, f64>,
    rows: usize,
    cols: usize,
    name: &str,
) -> PyResult<Cow<'a, [f64]>> {
    arrays::matrix(a, Some(rows), Some(cols), name)
}

fn days_slice<'a>(a: &'a PyReadonlyArray1<'_, i64>) -> Cow<'a, [i64]> {
    match a.as_slice() {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(a.as_array().iter().copied().collect()),
    }
}

/// The panel as `feature_matrix`, `fit`, `sigmas` and `fitted_values` take it.
struct PanelArrays<'a, 'py> {
    y: &'a PyReadonlyArray1<'py, f64>,
    offsets: &'a PyReadonlyArray1<'py, i64>,
    days: &'a PyReadonlyArray1<'py, i64>,
    dynamic: &'a PyReadonlyArray2<'py, f64>,
    statics: &'a PyReadonlyArray2<'py, f64>,
}

impl PyGlobalForecaster {
    /// Check the panel's arrays against the feature configuration (copying non-contiguous
    /// ones) and run `f` on them with the GIL released.
    fn with_panel<R: Send>(
        &self,
        py: Python<'_>,
        a: PanelArrays<'_, '_>,
        f: impl FnOnce(&PanelData<'_>) -> Result<R, Error> + Send,
    ) -> PyResult<R> {
        let values = arrays::slice(a.y);
        let offsets = arrays::offsets(a.offsets)?;
        let n_series = offsets.len().saturating_sub(1);
        let dyn_ = matrix(
            a.dynamic,
            values.len(),
            self.spec.dynamic_names.len(),
            "dynamic",
        )?;
        let stat = matrix(a.statics, n_series, self.spec.static_names.len(), "statics")?;
        let days = days_slice(a.days);
        Ok(py.detach(|| {
            let panel = Panel::new(&values, &offsets)?;
            f(&PanelData {
                panel,
                days: &days,
                dynamic: &dyn_,
                statics: &stat,
            })
        })?)
    }

    fn fitted(&self) -> PyResult<Arc<MlFitted>> {
        let guard = self
            .state
            .read()
            .map_err(|_| Error::Decode("model state lock poisoned".into()))?;
        guard
            .clone()
            .ok_or_else(|| Error::NotFitted("GlobalForecaster").into())
    }

    fn spec_tuple(&self) -> SpecTuple {
        let s = &self.spec;
        let transforms = s
            .transforms
            .iter()
            .map(|t| match *t {
                LagTransform::Rolling {
                    lag,
                    window,
                    min_samples,
                    ..
                } => (t.kind(), lag, window, Some(min_samples), 0.0),
                LagTransform::ExpandingMean { lag } => (t.kind(), lag, 0, None, 0.0),
                LagTransform::Ewm { lag, alpha } => (t.kind(), lag, 0, None, alpha),
            })
            .collect();
        (
            s.lags.clone(),
            transforms,
            s.date_features
                .iter()
                .map(|f| f.name().to_string())
                .collect(),
            s.holidays.clone(),
            s.static_names.clone(),
            s.dynamic_names.clone(),
            s.target_transforms
                .iter()
                .map(|t| {
                    let (n, d) = t.parts();
                    (n.to_string(), d)
                })
                .collect(),
            s.dropna,
        )
    }
}

#[pymethods]
impl PyGlobalForecaster {
    /// Create an unfitted global forecaster.
    ///
    /// Args:
    ///     models: (name, numeric parameters, text parameters) triples.
    ///     lags: target lags (>= 1).
    ///     lag_transforms: (kind, lag, window_size, min_samples or None, alpha) tuples.
    ///     date_features: calendar feature names ("dayofweek", "month", ...).
    ///     holidays: (name, sorted day numbers) event sets.
    ///     static_names, dynamic_names: exogenous feature names.
    ///     target_transforms: (name, lag) pairs ("log1p", "standardize", "diff").
    ///     dropna: drop training rows whose target features are missing.
    ///
    /// Raises:
    ///     UnknownModelError: a model name is unknown.
    ///     InvalidParameterError: a hyperparameter or feature setting is invalid.
    #[new]
    #[pyo3(signature = (models, lags, lag_transforms, date_features, holidays, static_names, dynamic_names, target_transforms, dropna))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        models: Vec<ModelTriple>,
        lags: Vec<usize>,
        lag_transforms: Vec<TransformTuple>,
        date_features: Vec<String>,
        holidays: Vec<(String, Vec<i64>)>,
        static_names: Vec<String>,
        dynamic_names: Vec<String>,
        target_transforms: Vec<(String, usize)>,
        dropna: bool,
    ) -> PyResult<Self> {
        let specs = models
            .into_iter()
            .map(|(name, num, text)| MlSpec::check(&ModelParams { name, num, text }))
            .collect::<Result<Vec<_>, _>>()?;
        if specs.is_empty() {
            return Err(Error::param("models", "at least one model is required").into());
        }
        let transforms = lag_transforms
            .into_iter()
            .map(|(k, lag, w, m, a)| LagTransform::new(&k, lag, w, m, a))
            .collect::<Result<Vec<_>, _>>()?;
        let date_features = date_features
            .iter()
            .map(|n| DateFeature::parse(n))
            .collect::<Result<Vec<_>, _>>()?;
        let target_transforms = target_transforms
            .iter()
            .map(|(n, d)| TargetTransform::new(n, *d))
            .collect::<Result<Vec<_>, _>>()?;
        let holidays = holidays
            .into_iter()
            .map(|(n, mut d)| {
                d.sort_unstable();
                d.dedup();
                (n, d)
            })
            .collect();
        let spec = FeatureSpec {
            lags,
            transforms,
            date_features,
            holidays,
            static_names,
            dynamic_names,
            target_transforms,
            dropna,
        }
        .check()?;
        Ok(PyGlobalForecaster {
            spec,
            specs,
            state: RwLock::new(None),
            progress: AtomicUsize::new(0),
        })
    }

    /// The full feature matrix of a panel (every row, NaN where a feature is undefined),
    /// on the transformed target.
    ///
    /// Args:
    ///     y: float64 target, series back to back; offsets: int64 series bounds.
    ///     days: int64 day number (days since 1970-01-01) per row.
    ///     dynamic: float64 (n_rows, n_dynamic); statics: float64 (n_series, n_static).
    ///
    /// Returns:
    ///     (X (n_rows, n_features), transformed target, series index, position in series).
    ///
    /// Raises:
    ///     ShapeError: the arrays do not line up.
    ///     InvalidSeriesError: a target transform cannot be applied to a series.
    fn feature_matrix<'py>(
        &self,
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        days: PyReadonlyArray1<'py, i64>,
        dynamic: PyReadonlyArray2<'py, f64>,
        statics: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<DesignArrays<'py>> {
        let spec = &self.spec;
        let arrays = PanelArrays {
            y: &y,
            offsets: &offsets,
            days: &days,
            dynamic: &dynamic,
            statics: &statics,
        };
        let d = self.with_panel(py, arrays, |data| {
            let tr = spec.transform(&data.panel)?;
            spec.design(data, &tr.z, true)
        })?;
        let n = d.n_rows();
        let x = Array2::from_shape_vec((n, d.n_features), d.x)
            .map_err(|e| Error::Shape(e.to_string()))?;
        Ok((
            x.into_pyarray(py),
            d.y.into_pyarray(py),
            d.series
                .into_iter()
                .map(i64::from)
                .collect::<Vec<_>>()
                .into_pyarray(py),
            d.pos
                .into_iter()
                .map(i64::from)
                .collect::<Vec<_>>()
                .into_pyarray(py),
        ))
    }

    /// Build features and train every model (GIL released).
    ///
    /// Args:
    ///     y, offsets, days, dynamic, statics: as in `feature_matrix`.
    ///
    /// Raises:
    ///     ShapeError: the arrays do not line up.
    ///     InvalidSeriesError: a series is empty, non-finite or cannot be transformed.
    ///     InvalidParameterError: no usable training rows, or a target the objective rejects.
    fn fit(
        &self,
        py: Python<'_>,
        y: PyReadonlyArray1<'_, f64>,
        offsets: PyReadonlyArray1<'_, i64>,
        days: PyReadonlyArray1<'_, i64>,
        dynamic: PyReadonlyArray2<'_, f64>,
        statics: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<()> {
        let (spec, specs, progress) = (&self.spec, &self.specs, &self.progress);
        progress.store(0, Ordering::Relaxed);
        let arrays = PanelArrays {
            y: &y,
            offsets: &offsets,
            days: &days,
            dynamic: &dynamic,
            statics: &statics,
        };
        let fitted = self.with_panel(py, arrays, |data| ml::fit(spec, specs, data, progress))?;
        let mut guard = self
            .state
            .write()
            .map_err(|_| Error::Decode("model state lock poisoned".into()))?;
        *guard = Some(Arc::new(fitted));
        Ok(())
    }

    /// Recursive forecasts for `h` steps.
    ///
    /// Args:
    ///     h: horizon (>= 1).
    ///     days: int64 day numbers of the h future rows of every series (series-major).
    ///     dynamic: float64 (n_series * h, n_dynamic) future exogenous values.
    ///
    /// Returns:
    ///     float64 array (n_series * h, n_models).
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    ///     ShapeError: the future arrays do not have n_series * h rows.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        h: usize,
        days: PyReadonlyArray1<'py, i64>,
        dynamic: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let fp = self.fitted()?;
        let days = days_slice(&days);
        let dyn_ = matrix(
            &dynamic,
            fp.n_series() * h,
            self.spec.dynamic_names.len(),
            "dynamic",
        )?;
        let cols = py.detach(|| fp.predict(h, &days, &dyn_))?;
        let rows = fp.n_series() * h;
        let mut flat = Vec::with_capacity(rows * cols.len());
        for r in 0..rows {
            flat.extend(cols.iter().map(|c| c[r]));
        }
        let a = Array2::from_shape_vec((rows, cols.len()), flat)
            .map_err(|e| Error::Shape(e.to_string()))?;
        Ok(a.into_pyarray(py))
    }

    /// Feature importances per model (rows) and feature (columns), each row summing to 1
    /// (split gain for trees, |coefficient| × feature std for linear models).
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    fn feature_importances<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let fp = self.fitted()?;
        let f = self.spec.n_features();
        let flat: Vec<f64> = fp.models.iter().flat_map(|m| m.importances()).collect();
        let a = Array2::from_shape_vec((fp.models.len(), f), flat)
            .map_err(|e| Error::Shape(e.to_string()))?;
        Ok(a.into_pyarray(py))
    }

    /// In-sample one-step RMS error per series (rows) and model (columns), original scale.
    ///
    /// Args:
    ///     y, offsets, days, dynamic, statics: the training panel, as passed to `fit`.
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    ///     ShapeError: the panel is not the training panel.
    fn sigmas<'py>(
        &self,
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        days: PyReadonlyArray1<'py, i64>,
        dynamic: PyReadonlyArray2<'py, f64>,
        statics: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let fp = self.fitted()?;
        let n = offsets.as_array().len().saturating_sub(1);
        let arrays = PanelArrays {
            y: &y,
            offsets: &offsets,
            days: &days,
            dynamic: &dynamic,
            statics: &statics,
        };
        let sig = self.with_panel(py, arrays, |data| ml::engine::in_sample_sigmas(&fp, data))?;
        let flat: Vec<f64> = (0..n).flat_map(|i| sig.iter().map(move |s| s[i])).collect();
        let a = Array2::from_shape_vec((n, sig.len()), flat)
            .map_err(|e| Error::Shape(e.to_string()))?;
        Ok(a.into_pyarray(py))
    }

    /// In-sample one-step predictions per training row (rows) and model (columns), in the
    /// original scale (teacher forcing on the actual lags, inverted through the target
    /// transforms); NaN for rows a model could not score.
    ///
    /// Args:
    ///     y, offsets, days, dynamic, statics: the training panel (or the history after
    ///         `updated`).
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    ///     ShapeError: the panel is not the training panel.
    fn fitted_values<'py>(
        &self,
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        days: PyReadonlyArray1<'py, i64>,
        dynamic: PyReadonlyArray2<'py, f64>,
        statics: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let fp = self.fitted()?;
        let n_rows = y.as_array().len();
        let arrays = PanelArrays {
            y: &y,
            offsets: &offsets,
            days: &days,
            dynamic: &dynamic,
            statics: &statics,
        };
        let preds = self.with_panel(py, arrays, |data| {
            ml::engine::in_sample_predictions(&fp, data)
        })?;
        let n_models = preds.len();
        let flat: Vec<f64> = preds.into_iter().flatten().collect();
        let a = Array2::from_shape_vec((n_models, n_rows), flat)
            .map_err(|e| Error::Shape(e.to_string()))?
            .reversed_axes();
        Ok(a.into_pyarray(py))
    }

    /// The online update: a new forecaster with these trained models and the history
    /// replaced by `y` (every fitted series, training values followed by new ones), so the
    /// recursive forecasts start after the new last observations (GIL released).
    /// `Standardize`'s per-series mean and scale are frozen, `Differences`' tails are the
    /// new last values. This one is not changed.
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    ///     ShapeError: another number of series.
    ///     InvalidSeriesError: a series got shorter, is not finite or cannot be transformed.
    fn updated(
        &self,
        py: Python<'_>,
        y: PyReadonlyArray1<'_, f64>,
        offsets: PyReadonlyArray1<'_, i64>,
    ) -> PyResult<Self> {
        let fp = self.fitted()?;
        let values = arrays::slice(&y);
        let offsets = arrays::offsets(&offsets)?;
        let up = py.detach(|| {
            let panel = Panel::new(&values, &offsets)?;
            fp.update(&panel)
        })?;
        Ok(PyGlobalForecaster {
            spec: self.spec.clone(),
            specs: self.specs.clone(),
            state: RwLock::new(Some(Arc::new(up))),
            progress: AtomicUsize::new(0),
        })
    }

    /// (coefficients, intercept) of linear model `index`, or None for a tree model.
    ///
    /// Raises:
    ///     NotFittedError: `fit` has not been called.
    ///     InvalidParameterError: `index` is out of range.
    fn linear_coefficients(&self, index: usize) -> PyResult<Option<(Vec<f64>, f64)>> {
        let fp = self.fitted()?;
        match fp.models.get(index) {
            None => Err(Error::param("index", format!("no model {index}")).into()),
            Some(ml::MlModel::Linear(m)) => Ok(Some((m.coef.clone(), m.intercept))),
            Some(_) => Ok(None),
        }
    }

    /// Feature names, in column order.
    #[getter]
    fn feature_names(&self) -> Vec<String> {
        self.spec.names()
    }

    /// Model names, in output order.
    #[getter]
    fn model_names(&self) -> Vec<&'static str> {
        self.specs.iter().map(MlSpec::name).collect()
    }

    /// Units of work finished by the fit in progress (trees; 1 per linear model).
    #[getter]
    fn progress(&self) -> usize {
        self.progress.load(Ordering::Relaxed)
    }

    /// Units of work of a whole fit.
    #[getter]
    fn total_work(&self) -> usize {
        ml::work_units(&self.specs)
    }

    /// Whether `fit` has been called.
    #[getter]
    fn is_fitted(&self) -> bool {
        self.state.read().map(|g| g.is_some()).unwrap_or(false)
    }

    /// Serialize the fitted state (versioned binary format, see `ml::persist`).
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
    ///     ModelFormatError: the bytes are not a valid (or are a newer) state.
    #[classmethod]
    fn from_bytes(_cls: &Bound<'_, PyType>, py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        let fp = py.detach(|| persist::decode(data))?;
        Ok(PyGlobalForecaster {
            spec: fp.spec.clone(),
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
            (cls.getattr("from_bytes")?, (state,))
                .into_pyobject(py)
                .map(Bound::into_any)
        } else {
            let models: Vec<ModelTriple> = this
                .specs
                .iter()
                .map(|s| {
                    let p = s.params();
                    (p.name, p.num, p.text)
                })
                .collect();
            let (a, b, c, d, e, f, g, h) = this.spec_tuple();
            (cls, (models, a, b, c, d, e, f, g, h))
                .into_pyobject(py)
                .map(Bound::into_any)
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "GlobalForecaster(models={:?}, features={:?}, fitted={})",
            self.model_names(),
            self.spec.names(),
            self.is_fitted()
        )
    }
}

/// Whether `name` is a global (machine-learning) model of the native core.
#[pyfunction]
pub fn is_ml_model(name: &str) -> bool {
    ml::spec::is_ml_model(name)
}
