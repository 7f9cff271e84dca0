//! `_core.Elasticity`: log-log price-elasticity regressions (linfa-linear OLS) per item
//! or pooled per group, over sales rows given as (units, price, controls, offsets).

use super::arrays;
use crate::error::Error;
use crate::metrics::elasticity::{self, Design, ElasticityFit};
use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

fn to_dict<'py>(py: Python<'py>, fits: Vec<ElasticityFit>) -> PyResult<Bound<'py, PyDict>> {
    let col = |f: fn(&ElasticityFit) -> f64| fits.iter().map(f).collect::<Vec<f64>>();
    let d = PyDict::new(py);
    d.set_item("elasticity", col(|f| f.elasticity).into_pyarray(py))?;
    d.set_item("se", col(|f| f.se).into_pyarray(py))?;
    d.set_item("intercept", col(|f| f.intercept).into_pyarray(py))?;
    d.set_item("r2", col(|f| f.r2).into_pyarray(py))?;
    let n_obs: Vec<i64> = fits.iter().map(|f| f.n_obs as i64).collect();
    let n_params: Vec<i64> = fits.iter().map(|f| f.n_params as i64).collect();
    d.set_item("n_obs", n_obs.into_pyarray(py))?;
    d.set_item("n_params", n_params.into_pyarray(py))?;
    let status: Vec<&str> = fits.iter().map(|f| f.status.name()).collect();
    d.set_item("status", status)?;
    Ok(d)
}

/// Native price-elasticity regressions.
#[pyclass(name = "Elasticity", module = "shelfcast._core", frozen)]
pub struct PyElasticity;

#[pymethods]
impl PyElasticity {
    /// Fit ln(units) = α + ε ln(price) + controls·β per item, or pooled per group with
    /// item fixed effects, on rows with units > 0 and price > 0 (linfa-linear OLS).
    ///
    /// Args:
    ///     units, price: float64 per row; controls: (rows, k) float64.
    ///     categorical: list of (int64 code per row in 0..levels, levels); each adds a
    ///         dummy per level but level 0.
    ///     offsets: int64 item bounds over the rows.
    ///     groups: int64 group per item (-1: left out) for pooled fits, or None.
    ///     min_obs: the fewest usable rows a fit needs.
    ///
    /// Returns:
    ///     dict of arrays per item (or group): elasticity, se, intercept, r2, n_obs,
    ///     n_params, status (list of str).
    ///
    /// Raises:
    ///     ShapeError: arrays disagree. InvalidSeriesError: a control is not finite.
    #[classmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (units, price, controls, categorical, offsets, groups=None, min_obs=10))]
    fn fit<'py>(
        _cls: &Bound<'py, PyType>,
        py: Python<'py>,
        units: PyReadonlyArray1<'py, f64>,
        price: PyReadonlyArray1<'py, f64>,
        controls: PyReadonlyArray2<'py, f64>,
        categorical: Vec<(PyReadonlyArray1<'py, i64>, usize)>,
        offsets: PyReadonlyArray1<'py, i64>,
        groups: Option<PyReadonlyArray1<'py, i64>>,
        min_obs: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let u = arrays::slice(&units);
        let p = arrays::slice(&price);
        let c = controls.as_array();
        let codes: Vec<(std::borrow::Cow<'_, [i64]>, usize)> = categorical
            .iter()
            .map(|(a, l)| {
                let codes = a.as_slice().map_or_else(
                    |_| std::borrow::Cow::Owned(a.as_array().to_vec()),
                    std::borrow::Cow::Borrowed,
                );
                (codes, *l)
            })
            .collect();
        let offsets = arrays::offsets(&offsets)?;
        let groups: Option<Vec<usize>> = groups.map(|g| {
            g.as_array()
                .iter()
                .map(|&v| usize::try_from(v).unwrap_or(usize::MAX))
                .collect()
        });
        let fits = py.detach(|| -> Result<_, Error> {
            let d = Design {
                units: &u,
                price: &p,
                controls: c,
                categorical: codes.iter().map(|(a, l)| (&a[..], *l)).collect(),
                offsets: &offsets,
            };
            match &groups {
                None => elasticity::fit_items(&d, min_obs),
                Some(g) => {
                    let n = g
                        .iter()
                        .filter(|&&v| v != usize::MAX)
                        .max()
                        .map_or(0, |m| m + 1);
                    elasticity::fit_pooled(&d, g, n, min_obs)
                }
            }
        })?;
        to_dict(py, fits)
    }

    fn __repr__(&self) -> String {
        "Elasticity()".to_string()
    }
}
