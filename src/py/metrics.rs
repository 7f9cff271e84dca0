//! `_core.SalesMetrics`: native accuracy metrics and sales summaries over panels given as
//! (values, offsets) arrays. Results come back as dicts of numpy arrays.

use super::arrays;
use crate::error::Error;
use crate::metrics::{self, Forecasts, Metric, Segments};
use crate::panel::Panel;
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

/// Native sales metrics.
#[pyclass(name = "SalesMetrics", module = "shelfcast._core", frozen)]
pub struct PySalesMetrics;

#[pymethods]
impl PySalesMetrics {
    /// Per-series summary of a panel.
    ///
    /// Args:
    ///     y: float64 values back to back; offsets: int64 series bounds.
    ///     price: float64 unit prices aligned with y (NaN allowed on zero-sale periods),
    ///         or None.
    ///     season_length: m of the seasonal strength (1: none).
    ///
    /// Returns:
    ///     dict of arrays: n_periods, total, mean, std, zero_share, selling_periods,
    ///     first_sale, last_sale (positions, -1 for none), trend_slope, trend_growth,
    ///     seasonal_strength, revenue (NaN without prices).
    ///
    /// Raises:
    ///     ShapeError: the offsets do not partition y, or price has another length.
    ///     InvalidSeriesError: a value is not finite, or a sale has no price.
    #[classmethod]
    #[pyo3(signature = (y, offsets, price=None, season_length=1))]
    fn summary<'py>(
        _cls: &Bound<'py, PyType>,
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        price: Option<PyReadonlyArray1<'py, f64>>,
        season_length: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let values = arrays::slice(&y);
        let offsets = arrays::offsets(&offsets)?;
        let price = price.as_ref().map(arrays::slice);
        let s = py.detach(|| -> Result<_, Error> {
            let p = Panel::new(&values, &offsets)?;
            p.require_finite()?;
            metrics::summary(&p, price.as_deref(), season_length)
        })?;
        let d = PyDict::new(py);
        d.set_item("n_periods", s.n_periods.into_pyarray(py))?;
        d.set_item("total", s.total.into_pyarray(py))?;
        d.set_item("mean", s.mean.into_pyarray(py))?;
        d.set_item("std", s.std.into_pyarray(py))?;
        d.set_item("zero_share", s.zero_share.into_pyarray(py))?;
        d.set_item("selling_periods", s.selling_periods.into_pyarray(py))?;
        d.set_item("first_sale", s.first_sale.into_pyarray(py))?;
        d.set_item("last_sale", s.last_sale.into_pyarray(py))?;
        d.set_item("trend_slope", s.trend_slope.into_pyarray(py))?;
        d.set_item("trend_growth", s.trend_growth.into_pyarray(py))?;
        d.set_item("seasonal_strength", s.seasonal_strength.into_pyarray(py))?;
        d.set_item("revenue", s.revenue.into_pyarray(py))?;
        Ok(d)
    }

    /// Accuracy of one forecast column per series.
    ///
    /// Args:
    ///     y, offsets: the actual values as a panel.
    ///     forecast: forecasts aligned with y.
    ///     metrics: metric names (mae, mse, rmse, bias, mase, rmsse).
    ///     train_y, train_offsets: the training panel (same series order), for scaled metrics.
    ///     seasonality: m of the scaled metrics.
    ///
    /// Returns:
    ///     dict metric name -> float64 array (one value per series).
    ///
    /// Raises:
    ///     InvalidParameterError: unknown metric, seasonality < 1, scaled metric without train.
    ///     ShapeError: arrays disagree.
    #[classmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (y, offsets, forecast, metrics, train_y=None, train_offsets=None, seasonality=1))]
    fn evaluate<'py>(
        _cls: &Bound<'py, PyType>,
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        forecast: PyReadonlyArray1<'py, f64>,
        metrics: Vec<String>,
        train_y: Option<PyReadonlyArray1<'py, f64>>,
        train_offsets: Option<PyReadonlyArray1<'py, i64>>,
        seasonality: i64,
    ) -> PyResult<Bound<'py, PyDict>> {
        if metrics.is_empty() {
            return Err(Error::param("metrics", "must name at least one metric").into());
        }
        let parsed = metrics
            .iter()
            .map(|m| Metric::parse(m))
            .collect::<Result<Vec<_>, _>>()?;
        let seasonality = usize::try_from(seasonality)
            .map_err(|_| Error::param("seasonality", format!("must be >= 1, got {seasonality}")))?;
        let values = arrays::slice(&y);
        let offsets = arrays::offsets(&offsets)?;
        let fc = arrays::slice(&forecast);
        let train_values = train_y.as_ref().map(arrays::slice);
        let train_offsets = train_offsets.as_ref().map(arrays::offsets).transpose()?;
        let out = py.detach(|| -> Result<_, Error> {
            let actual = Segments::from_offsets(&values, &offsets)?;
            let train = match (&train_values, &train_offsets) {
                (Some(v), Some(o)) => Some(Segments::from_offsets(v, o)?),
                (None, None) => None,
                _ => {
                    return Err(Error::param(
                        "train_y",
                        "train_y and train_offsets go together",
                    ))
                }
            };
            let model = Forecasts {
                name: "forecast",
                point: Some(&fc),
                ..Default::default()
            };
            metrics::evaluate(&actual, &[model], train.as_ref(), &parsed, seasonality)
        })?;
        let n_metrics = metrics.len();
        let d = PyDict::new(py);
        for (k, name) in metrics.iter().enumerate() {
            let col: Vec<f64> = out.iter().skip(k).step_by(n_metrics).copied().collect();
            d.set_item(name, col.into_pyarray(py))?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        "SalesMetrics()".to_string()
    }
}
