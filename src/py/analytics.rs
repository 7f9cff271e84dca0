//! `_core.SalesAnalytics`: native per-item classifications over panels given as
//! (values, offsets): ABC/XYZ, Syntetos–Boylan demand classes and anomaly scores.

use super::arrays;
use crate::error::{Error, Result};
use crate::metrics::{anomaly, classify};
use crate::panel::Panel;
use crate::parallel;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};
use rayon::prelude::*;

fn per_series<T: Send>(p: &Panel<'_>, f: impl Fn(&[f64]) -> T + Sync + Send) -> Vec<T> {
    parallel::install(|| {
        (0..p.len())
            .into_par_iter()
            .map(|i| f(p.series(i)))
            .collect()
    })
}

fn check_order(name: &str, lo: f64, hi: f64) -> Result<()> {
    if !(lo.is_finite() && hi.is_finite() && lo >= 0.0 && lo <= hi) {
        return Err(Error::param(
            name,
            format!("thresholds must be finite with 0 <= {lo} <= {hi}"),
        ));
    }
    Ok(())
}

/// (baseline, residual, score) of one series.
type Scored = (Vec<f64>, Vec<f64>, Vec<f64>);

/// Native sales-analytics kernels.
#[pyclass(name = "SalesAnalytics", module = "shelfcast._core", frozen)]
pub struct PySalesAnalytics;

#[pymethods]
impl PySalesAnalytics {
    /// ABC class per item (0 = A, 1 = B, 2 = C).
    ///
    /// Args:
    ///     values: float64 value per item (finite, >= 0).
    ///     a, b: cumulative value shares, 0 <= a <= b <= 1.
    ///
    /// Returns:
    ///     int8 array of classes.
    ///
    /// Raises:
    ///     InvalidParameterError: bad thresholds or a negative / non-finite value.
    #[classmethod]
    fn abc<'py>(
        _cls: &Bound<'py, PyType>,
        py: Python<'py>,
        values: PyReadonlyArray1<'py, f64>,
        a: f64,
        b: f64,
    ) -> PyResult<Bound<'py, PyArray1<i8>>> {
        check_order("a", a, b)?;
        if b > 1.0 {
            return Err(Error::param("b", format!("must be <= 1, got {b}")).into());
        }
        let v = arrays::slice(&values);
        if let Some(pos) = v.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
            return Err(Error::InvalidItem {
                item: pos,
                column: "value".into(),
                reason: format!("must be finite and >= 0, got {}", v[pos]),
            }
            .into());
        }
        let classes = py.detach(|| classify::abc(&v, a, b));
        Ok(classes
            .into_iter()
            .map(|c| c as i8)
            .collect::<Vec<_>>()
            .into_pyarray(py))
    }

    /// Coefficient of variation and XYZ class per series.
    ///
    /// Args:
    ///     y, offsets: the panel; x, z: CV thresholds (0 <= x <= z).
    ///
    /// Returns:
    ///     dict: cv (float64, NaN for a zero mean), class (int8: 0 = X, 1 = Y, 2 = Z).
    ///
    /// Raises:
    ///     InvalidParameterError: bad thresholds. ShapeError, InvalidSeriesError: bad panel.
    #[classmethod]
    fn xyz<'py>(
        _cls: &Bound<'py, PyType>,
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        x: f64,
        z: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        check_order("x", x, z)?;
        let values = arrays::slice(&y);
        let offsets = arrays::offsets(&offsets)?;
        let cvs = py.detach(|| -> Result<Vec<f64>> {
            let p = Panel::new(&values, &offsets)?;
            p.require_finite()?;
            Ok(per_series(&p, classify::cv))
        })?;
        let classes: Vec<i8> = cvs.iter().map(|&c| classify::xyz(c, x, z) as i8).collect();
        let d = PyDict::new(py);
        d.set_item("cv", cvs.into_pyarray(py))?;
        d.set_item("class", classes.into_pyarray(py))?;
        Ok(d)
    }

    /// Syntetos–Boylan ADI, CV² and demand class per series.
    ///
    /// Args:
    ///     y, offsets: the panel; adi_cut, cv2_cut: the cut-offs (1.32 and 0.49).
    ///     from_first_sale: ignore each series' periods before its first non-zero value.
    ///
    /// Returns:
    ///     dict: adi, cv2 (float64, NaN without demand), class (list of str: smooth,
    ///     erratic, intermittent, lumpy, no_demand).
    ///
    /// Raises:
    ///     InvalidParameterError: a cut-off is negative or not finite.
    #[classmethod]
    fn demand_classes<'py>(
        _cls: &Bound<'py, PyType>,
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        adi_cut: f64,
        cv2_cut: f64,
        from_first_sale: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        check_order("adi_cut", 0.0, adi_cut)?;
        check_order("cv2_cut", 0.0, cv2_cut)?;
        let values = arrays::slice(&y);
        let offsets = arrays::offsets(&offsets)?;
        let stats = py.detach(|| -> Result<Vec<(f64, f64)>> {
            let p = Panel::new(&values, &offsets)?;
            p.require_finite()?;
            Ok(per_series(&p, |y| {
                let start = if from_first_sale {
                    y.iter().position(|&v| v != 0.0).unwrap_or(y.len())
                } else {
                    0
                };
                classify::adi_cv2(&y[start..])
            }))
        })?;
        let names: Vec<&str> = (stats.iter())
            .map(|&(a, c)| classify::demand_class(a, c, adi_cut, cv2_cut).name())
            .collect();
        let (adi, cv2): (Vec<f64>, Vec<f64>) = stats.into_iter().unzip();
        let d = PyDict::new(py);
        d.set_item("adi", adi.into_pyarray(py))?;
        d.set_item("cv2", cv2.into_pyarray(py))?;
        d.set_item("class", names)?;
        Ok(d)
    }

    /// Seasonal baseline, residual and anomaly score of every period.
    ///
    /// Args:
    ///     y, offsets: the panel; season_length: m (1: no season); window: odd width of the
    ///     rolling median; method: "robust_z" or "iqr".
    ///
    /// Returns:
    ///     dict of float64 arrays aligned with y: baseline, residual, score.
    ///
    /// Raises:
    ///     InvalidParameterError: unknown method, window < 1 or even.
    #[classmethod]
    fn anomalies<'py>(
        _cls: &Bound<'py, PyType>,
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        season_length: usize,
        window: usize,
        method: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let method = match method {
            "robust_z" => anomaly::Method::RobustZ,
            "iqr" => anomaly::Method::Iqr,
            other => {
                return Err(Error::param(
                    "method",
                    format!("unknown method `{other}` (known: robust_z, iqr)"),
                )
                .into())
            }
        };
        if window == 0 || window % 2 == 0 {
            return Err(
                Error::param("window", format!("must be odd and >= 1, got {window}")).into(),
            );
        }
        let values = arrays::slice(&y);
        let offsets = arrays::offsets(&offsets)?;
        let parts = py.detach(|| -> Result<Vec<Scored>> {
            let p = Panel::new(&values, &offsets)?;
            p.require_finite()?;
            Ok(per_series(&p, |y| {
                let base = anomaly::baseline(y, season_length, window);
                let resid: Vec<f64> = y.iter().zip(&base).map(|(a, b)| a - b).collect();
                let score = anomaly::scores(&resid, method);
                (base, resid, score)
            }))
        })?;
        let (mut base, mut resid, mut score) = (Vec::new(), Vec::new(), Vec::new());
        for (b, r, s) in parts {
            base.extend(b);
            resid.extend(r);
            score.extend(s);
        }
        let d = PyDict::new(py);
        d.set_item("baseline", base.into_pyarray(py))?;
        d.set_item("residual", resid.into_pyarray(py))?;
        d.set_item("score", score.into_pyarray(py))?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        "SalesAnalytics()".to_string()
    }
}
