//! `_core.ReorderPlanner`: the native planner behind `shelfcast.ReorderPlanner`. Takes
//! per-item columns as float arrays and returns the plan as a dict of numpy arrays.

use super::arrays;
use crate::planning::{self, Items, PlannerParams};
use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Native reorder planner.
#[pyclass(name = "ReorderPlanner", module = "shelfcast._core", frozen)]
pub struct PyReorderPlanner {
    params: PlannerParams,
}

#[pymethods]
impl PyReorderPlanner {
    /// Args:
    ///     service_level: cycle service level in (0, 1).
    ///
    /// Raises:
    ///     InvalidParameterError: service_level outside (0, 1).
    #[new]
    #[pyo3(signature = (*, service_level))]
    fn new(service_level: f64) -> PyResult<Self> {
        Ok(PyReorderPlanner {
            params: PlannerParams::new(service_level)?,
        })
    }

    /// Plan every item.
    ///
    /// Args:
    ///     demand: (n_items, horizon) forecast mean demand per period.
    ///     sigma, on_hand, on_order, lead_time, lead_time_sd, holding_cost, order_cost,
    ///     moq, pack_size, max_qty: float64 arrays of length n_items.
    ///
    /// Returns:
    ///     dict of numpy arrays, one entry per item in each.
    ///
    /// Raises:
    ///     InvalidItemError: a row is invalid (the message names item index and column).
    ///     ShapeError: the columns disagree in length.
    #[allow(clippy::too_many_arguments)]
    fn plan<'py>(
        &self,
        py: Python<'py>,
        demand: PyReadonlyArray2<'py, f64>,
        sigma: PyReadonlyArray1<'py, f64>,
        on_hand: PyReadonlyArray1<'py, f64>,
        on_order: PyReadonlyArray1<'py, f64>,
        lead_time: PyReadonlyArray1<'py, f64>,
        lead_time_sd: PyReadonlyArray1<'py, f64>,
        holding_cost: PyReadonlyArray1<'py, f64>,
        order_cost: PyReadonlyArray1<'py, f64>,
        moq: PyReadonlyArray1<'py, f64>,
        pack_size: PyReadonlyArray1<'py, f64>,
        max_qty: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let shape = demand.shape();
        let (n, horizon) = (shape[0], shape[1]);
        let cols = [
            ("sigma", &sigma),
            ("on_hand", &on_hand),
            ("on_order", &on_order),
            ("lead_time", &lead_time),
            ("lead_time_sd", &lead_time_sd),
            ("holding_cost", &holding_cost),
            ("order_cost", &order_cost),
            ("moq", &moq),
            ("pack_size", &pack_size),
            ("max_qty", &max_qty),
        ];
        for (name, a) in cols {
            arrays::expect_len(name, a, n)?;
        }
        let flat: Vec<f64> = demand.as_array().iter().copied().collect();
        let s: Vec<_> = cols.iter().map(|(_, a)| arrays::slice(a)).collect();
        let params = self.params;
        let plan = py.detach(|| {
            let items = Items {
                demand: &flat,
                horizon,
                sigma: &s[0],
                on_hand: &s[1],
                on_order: &s[2],
                lead_time: &s[3],
                lead_time_sd: &s[4],
                holding_cost: &s[5],
                order_cost: &s[6],
                moq: &s[7],
                pack_size: &s[8],
                max_qty: &s[9],
            };
            planning::plan(&params, &items)
        })?;
        let d = PyDict::new(py);
        d.set_item("lead_time_demand", plan.lead_time_demand.into_pyarray(py))?;
        d.set_item("lead_time_demand_sd", plan.lead_time_sd.into_pyarray(py))?;
        d.set_item("safety_stock", plan.safety_stock.into_pyarray(py))?;
        d.set_item("reorder_point", plan.reorder_point.into_pyarray(py))?;
        d.set_item("eoq", plan.eoq.into_pyarray(py))?;
        d.set_item("order_qty", plan.order_qty.into_pyarray(py))?;
        d.set_item("order_up_to", plan.order_up_to.into_pyarray(py))?;
        d.set_item("reorder_period", plan.reorder_period.into_pyarray(py))?;
        d.set_item("stockout_period", plan.stockout_period.into_pyarray(py))?;
        d.set_item("days_of_supply", plan.days_of_supply.into_pyarray(py))?;
        let reasons: Vec<u8> = plan.reason.iter().map(|r| *r as u8).collect();
        d.set_item("reason", reasons.into_pyarray(py))?;
        Ok(d)
    }

    /// The cycle service level.
    #[getter]
    fn service_level(&self) -> f64 {
        self.params.service_level
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let kwargs = PyDict::new(py);
        kwargs.set_item("service_level", slf.get().params.service_level)?;
        let partial = py.import("functools")?.getattr("partial")?;
        let ctor = partial.call((slf.get_type(),), Some(&kwargs))?;
        (ctor, ()).into_pyobject(py).map(Bound::into_any)
    }

    fn __repr__(&self) -> String {
        format!(
            "ReorderPlanner(service_level={})",
            self.params.service_level
        )
    }
}
