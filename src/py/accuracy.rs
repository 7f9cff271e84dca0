//! `_core.Accuracy`: every accuracy metric for several models at once over groups given as
//! (values, offsets), with per-group training windows for the scaled metrics.

use super::arrays;
use crate::error::Error;
use crate::metrics::{self, Forecasts, Metric, Segments};
use numpy::ndarray::Array3;
use numpy::{IntoPyArray, PyArray1, PyArray3, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyType;
use std::borrow::Cow;

type Array<'py> = PyReadonlyArray1<'py, f64>;
type Column<'a> = Cow<'a, [f64]>;
type IndexPair<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>);
/// One model as passed from Python: (name, point, [(u, quantile)], [(level, lo, hi)]).
type ModelArgs<'py> = (
    String,
    Option<Array<'py>>,
    Vec<(f64, Array<'py>)>,
    Vec<(f64, Array<'py>, Array<'py>)>,
);

/// A model's columns borrowed as slices (copied only when not contiguous).
struct Borrowed<'a> {
    name: &'a str,
    point: Option<Cow<'a, [f64]>>,
    quantiles: Vec<(f64, Cow<'a, [f64]>)>,
    intervals: Vec<(f64, Column<'a>, Column<'a>)>,
}

impl<'a> Borrowed<'a> {
    fn new(m: &'a ModelArgs<'_>) -> Self {
        Borrowed {
            name: &m.0,
            point: m.1.as_ref().map(arrays::slice),
            quantiles: m.2.iter().map(|(u, a)| (*u, arrays::slice(a))).collect(),
            intervals: (m.3.iter())
                .map(|(l, lo, hi)| (*l, arrays::slice(lo), arrays::slice(hi)))
                .collect(),
        }
    }

    fn view(&self) -> Forecasts<'_> {
        Forecasts {
            name: self.name,
            point: self.point.as_deref(),
            quantiles: self.quantiles.iter().map(|(u, a)| (*u, &a[..])).collect(),
            intervals: (self.intervals.iter())
                .map(|(l, lo, hi)| (*l, &lo[..], &hi[..]))
                .collect(),
        }
    }
}

fn to_usize(name: &str, a: &PyReadonlyArray1<'_, i64>) -> PyResult<Vec<usize>> {
    a.as_array()
        .iter()
        .map(|&v| {
            usize::try_from(v)
                .map_err(|_| Error::Shape(format!("`{name}` must be non-negative, got {v}")).into())
        })
        .collect()
}

/// Native forecast-accuracy kernels.
#[pyclass(name = "Accuracy", module = "shelfcast._core", frozen)]
pub struct PyAccuracy;

#[pymethods]
impl PyAccuracy {
    /// Score every group, metric and model.
    ///
    /// Args:
    ///     y: float64 actual values, groups back to back.
    ///     offsets: int64 group bounds (length n_groups + 1).
    ///     models: list of (name, point or None, [(u, quantile column)],
    ///         [(level, lo column, hi column)]), every column aligned with y.
    ///     metrics: metric names (see `shelfcast.metrics`).
    ///     train_y: float64 training values; train_starts/train_ends: int64 window of
    ///         train_y per group (needed by mase, rmsse, spl and their _m5 forms).
    ///     seasonality: m of the naive scales (>= 1).
    ///
    /// Returns:
    ///     float64 array of shape (n_groups, n_metrics, n_models).
    ///
    /// Raises:
    ///     InvalidParameterError: unknown metric, seasonality < 1, missing columns or train.
    ///     ShapeError: arrays disagree.
    ///     InvalidSeriesError: a value is not finite or an interval is reversed.
    #[classmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (y, offsets, models, metrics, train_y=None, train_starts=None, train_ends=None, seasonality=1))]
    fn evaluate<'py>(
        _cls: &Bound<'py, PyType>,
        py: Python<'py>,
        y: Array<'py>,
        offsets: PyReadonlyArray1<'py, i64>,
        models: Vec<ModelArgs<'py>>,
        metrics: Vec<String>,
        train_y: Option<Array<'py>>,
        train_starts: Option<PyReadonlyArray1<'py, i64>>,
        train_ends: Option<PyReadonlyArray1<'py, i64>>,
        seasonality: i64,
    ) -> PyResult<Bound<'py, PyArray3<f64>>> {
        let parsed = metrics
            .iter()
            .map(|m| Metric::parse(m))
            .collect::<Result<Vec<_>, _>>()?;
        let seasonality = usize::try_from(seasonality)
            .map_err(|_| Error::param("seasonality", format!("must be >= 1, got {seasonality}")))?;
        let values = arrays::slice(&y);
        let offsets = arrays::offsets(&offsets)?;
        let borrowed: Vec<Borrowed<'_>> = models.iter().map(Borrowed::new).collect();
        let train_values = train_y.as_ref().map(arrays::slice);
        let starts = train_starts
            .as_ref()
            .map(|a| to_usize("train_starts", a))
            .transpose()?;
        let ends = train_ends
            .as_ref()
            .map(|a| to_usize("train_ends", a))
            .transpose()?;
        let n_groups = offsets.len().saturating_sub(1);
        let out = py.detach(|| -> Result<_, Error> {
            let actual = Segments::from_offsets(&values, &offsets)?;
            let train = match (&train_values, &starts, &ends) {
                (Some(v), Some(s), Some(e)) => Some(Segments::new(v, s, e)?),
                (None, None, None) => None,
                _ => {
                    return Err(Error::param(
                        "train_y",
                        "train_y, train_starts and train_ends go together",
                    ))
                }
            };
            let views: Vec<Forecasts<'_>> = borrowed.iter().map(Borrowed::view).collect();
            metrics::evaluate(&actual, &views, train.as_ref(), &parsed, seasonality)
        })?;
        let shape = (n_groups, metrics.len(), models.len());
        let a = Array3::from_shape_vec(shape, out).map_err(|e| Error::Shape(e.to_string()))?;
        Ok(a.into_pyarray(py))
    }

    /// Training window of each evaluated group.
    ///
    /// Args:
    ///     times: int64 time stamps of the training panel, sorted within each series.
    ///     offsets: int64 series bounds of the training panel.
    ///     series: int64 training series of each group.
    ///     cutoffs: int64 cutoff of each group (windows end at the last time <= cutoff),
    ///         or None for whole series.
    ///
    /// Returns:
    ///     (starts, ends) int64 arrays, one entry per group.
    ///
    /// Raises:
    ///     ShapeError: inconsistent arrays or a series index out of range.
    #[classmethod]
    #[pyo3(signature = (times, offsets, series, cutoffs=None))]
    fn train_windows<'py>(
        _cls: &Bound<'py, PyType>,
        py: Python<'py>,
        times: PyReadonlyArray1<'py, i64>,
        offsets: PyReadonlyArray1<'py, i64>,
        series: PyReadonlyArray1<'py, i64>,
        cutoffs: Option<PyReadonlyArray1<'py, i64>>,
    ) -> PyResult<IndexPair<'py>> {
        let t = times.as_array();
        let t = t
            .as_slice()
            .map_or_else(|| Cow::Owned(t.to_vec()), Cow::Borrowed);
        let offsets = to_usize("offsets", &offsets)?;
        let series = to_usize("series", &series)?;
        let c = cutoffs.as_ref().map(|c| c.as_array().to_vec());
        let (s, e) = py.detach(|| metrics::train_windows(&t, &offsets, &series, c.as_deref()))?;
        let cast = |v: Vec<usize>| v.into_iter().map(|x| x as i64).collect::<Vec<_>>();
        Ok((cast(s).into_pyarray(py), cast(e).into_pyarray(py)))
    }

    fn __repr__(&self) -> String {
        "Accuracy()".to_string()
    }
}
