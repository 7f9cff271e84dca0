//! `_core.inventory_formula` and friends: the native side of `shelfcast.inventory`. The
//! Python module broadcasts and flattens the arguments; these functions borrow the float64
//! columns, run the core's element-wise formulas with the GIL released and return arrays.

use super::arrays;
use crate::error::Error;
use crate::planning::formulas;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

/// Evaluate the inventory formula `name` element-wise.
///
/// Args:
///     name: one of the formulas in `planning::formulas::FORMULAS`.
///     args: equal-length float64 columns, one per argument (NaN for an absent option).
///
/// Returns:
///     list of float64 arrays, the formula's outputs in order.
///
/// Raises:
///     InvalidParameterError: an element is out of range (message names argument and index).
///     ShapeError: the columns disagree in length or number.
#[pyfunction]
pub fn inventory_formula<'py>(
    py: Python<'py>,
    name: &str,
    args: Vec<PyReadonlyArray1<'py, f64>>,
) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
    let cols: Vec<_> = args.iter().map(arrays::slice).collect();
    let out = py.detach(|| {
        let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_ref()).collect();
        formulas::evaluate(name, &refs)
    })?;
    Ok(out.into_iter().map(|v| v.into_pyarray(py)).collect())
}

fn rows(a: &PyReadonlyArray2<'_, f64>) -> Vec<f64> {
    match a.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => a.as_array().iter().copied().collect(),
    }
}

/// EOQ with all-units quantity discounts for n items.
///
/// Args:
///     fixed_cost, holding_cost_rate, demand_rate: float64 arrays of length n.
///     breakpoints, unit_costs: (n, m) float64 arrays, one row of m regions per item.
///
/// Returns:
///     (order_quantity, region, cost) arrays of length n (region as float64).
///
/// Raises:
///     InvalidParameterError, ShapeError: invalid or misaligned inputs.
#[pyfunction]
pub fn inventory_eoq_all_units<'py>(
    py: Python<'py>,
    fixed_cost: PyReadonlyArray1<'py, f64>,
    holding_cost_rate: PyReadonlyArray1<'py, f64>,
    demand_rate: PyReadonlyArray1<'py, f64>,
    breakpoints: PyReadonlyArray2<'py, f64>,
    unit_costs: PyReadonlyArray2<'py, f64>,
) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
    let m = breakpoints.as_array().ncols();
    if unit_costs.as_array().dim() != breakpoints.as_array().dim() {
        return Err(Error::Shape("breakpoints and unit_costs differ in shape".into()).into());
    }
    let (k, i, l) = (
        arrays::slice(&fixed_cost),
        arrays::slice(&holding_cost_rate),
        arrays::slice(&demand_rate),
    );
    let (b, c) = (rows(&breakpoints), rows(&unit_costs));
    let out = py.detach(|| formulas::eoq_all_units_batch(&k, &i, &l, &b, &c, m))?;
    Ok(out.into_iter().map(|v| v.into_pyarray(py)).collect())
}

/// Wagner–Whitin lot sizing for n items over T periods.
///
/// Args:
///     demand, fixed_cost, holding_cost: (n, T) float64 arrays.
///
/// Returns:
///     ((n, T) order quantities, (n,) optimal costs).
///
/// Raises:
///     InvalidParameterError, ShapeError: invalid or misaligned inputs.
#[allow(clippy::type_complexity)]
#[pyfunction]
pub fn inventory_wagner_whitin<'py>(
    py: Python<'py>,
    demand: PyReadonlyArray2<'py, f64>,
    fixed_cost: PyReadonlyArray2<'py, f64>,
    holding_cost: PyReadonlyArray2<'py, f64>,
) -> PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<f64>>)> {
    let (n, t) = demand.as_array().dim();
    let (d, k, h) = (rows(&demand), rows(&fixed_cost), rows(&holding_cost));
    let (orders, costs) = py.detach(|| formulas::wagner_whitin_batch(&d, &k, &h, t))?;
    let orders = orders.into_pyarray(py).reshape([n, t])?;
    Ok((orders, costs.into_pyarray(py)))
}
