//! `_core.ReorderPlanner`: the native planner behind `shelfcast.ReorderPlanner`. Takes
//! per-item columns as float arrays and returns the plan as a dict of numpy arrays.

use super::arrays;
use crate::error::Error;
use crate::planning::lead_time::DistributionChoice;
use crate::planning::policy::Policy;
use crate::planning::safety_stock::ServiceType;
use crate::planning::{self, Items, Paths, PlannerParams};
use numpy::{
    IntoPyArray, PyReadonlyArray1, PyReadonlyArray2, PyReadonlyArray3, PyUntypedArrayMethods,
};
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
    ///     service_level: target in (0, 1): a cycle service level or a fill rate.
    ///     service_type: "cycle" or "fill_rate".
    ///     policy: "sQ", "sS", "RS" or "base_stock".
    ///     review_period: review period of "RS" in periods (>= 1).
    ///     distribution: "normal", "discrete" or "auto".
    ///     discrete_below: with "auto", the mean protection-interval demand below which a
    ///         discrete distribution is used.
    ///
    /// Raises:
    ///     InvalidParameterError: an argument is out of range or unknown.
    #[new]
    #[pyo3(signature = (
        *, service_level, service_type="cycle", policy="sQ", review_period=1,
        distribution="normal", discrete_below=20.0
    ))]
    fn new(
        service_level: f64,
        service_type: &str,
        policy: &str,
        review_period: usize,
        distribution: &str,
        discrete_below: f64,
    ) -> PyResult<Self> {
        let distribution = match distribution {
            "normal" => DistributionChoice::Normal,
            "discrete" => DistributionChoice::Discrete,
            "auto" => DistributionChoice::Auto,
            other => {
                return Err(Error::param(
                    "distribution",
                    format!("must be \"normal\", \"discrete\" or \"auto\", got {other:?}"),
                )
                .into())
            }
        };
        if review_period == 0 {
            return Err(Error::param("review_period", "must be >= 1, got 0").into());
        }
        if !(discrete_below.is_finite() && discrete_below >= 0.0) {
            return Err(Error::param(
                "discrete_below",
                format!("must be finite and >= 0, got {discrete_below}"),
            )
            .into());
        }
        Ok(PyReorderPlanner {
            params: PlannerParams {
                service_type: ServiceType::parse(service_type)?,
                policy: Policy::parse(policy)?,
                review_period,
                distribution,
                discrete_below,
                ..PlannerParams::new(service_level)?
            },
        })
    }

    /// Plan every item.
    ///
    /// Args:
    ///     demand: (n_items, horizon) forecast mean demand per period.
    ///     paths: optional (n_items, n_paths, horizon) sample paths of demand.
    ///     service_levels: optional per-item service targets in (0, 1).
    ///     horizon: with a one-column `demand`, plan over this many periods of that
    ///         constant rate.
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
    #[pyo3(signature = (
        demand, sigma, on_hand, on_order, lead_time, lead_time_sd, holding_cost, order_cost,
        moq, pack_size, max_qty, paths=None, service_levels=None, horizon=None
    ))]
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
        paths: Option<PyReadonlyArray3<'py, f64>>,
        service_levels: Option<PyReadonlyArray1<'py, f64>>,
        horizon: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let horizon_override = horizon;
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
        let flat: std::borrow::Cow<[f64]> = match demand.as_slice() {
            Ok(sl) => std::borrow::Cow::Borrowed(sl),
            Err(_) => std::borrow::Cow::Owned(demand.as_array().iter().copied().collect()),
        };
        // One column with `horizon` > 1: a constant rate per item.
        let horizon = match horizon_override {
            Some(h) if horizon == 1 && h >= 1 => h,
            _ => horizon,
        };
        let sample_paths = match &paths {
            Some(p) => {
                let dims = p.shape();
                if dims[0] != n || dims[2] != horizon {
                    return Err(Error::Shape(format!(
                        "paths has shape {dims:?}, expected ({n}, n_paths, {horizon})"
                    ))
                    .into());
                }
                Some((p.as_array().iter().copied().collect::<Vec<f64>>(), dims[1]))
            }
            None => None,
        };
        if let Some(l) = &service_levels {
            arrays::expect_len("service_levels", l, n)?;
        }
        let levels = service_levels.as_ref().map(arrays::slice);
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
                paths: sample_paths.as_ref().map(|(values, n_paths)| Paths {
                    values,
                    n_paths: *n_paths,
                }),
                service_level: levels.as_deref(),
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
        d.set_item(
            "expected_fill_rate",
            plan.expected_fill_rate.into_pyarray(py),
        )?;
        d.set_item(
            "expected_cycle_service_level",
            plan.expected_cycle_service_level.into_pyarray(py),
        )?;
        let kinds: Vec<u8> = plan.distribution.iter().map(|k| *k as u8).collect();
        d.set_item("distribution", kinds.into_pyarray(py))?;
        Ok(d)
    }

    /// The service target.
    #[getter]
    fn service_level(&self) -> f64 {
        self.params.service_level
    }

    /// "cycle" or "fill_rate".
    #[getter]
    fn service_type(&self) -> &'static str {
        match self.params.service_type {
            ServiceType::Cycle => "cycle",
            ServiceType::FillRate => "fill_rate",
        }
    }

    /// The policy name.
    #[getter]
    fn policy(&self) -> &'static str {
        self.params.policy.name()
    }

    /// The review period of "RS".
    #[getter]
    fn review_period(&self) -> usize {
        self.params.review_period
    }

    /// "normal", "discrete" or "auto".
    #[getter]
    fn distribution(&self) -> &'static str {
        match self.params.distribution {
            DistributionChoice::Normal => "normal",
            DistributionChoice::Discrete => "discrete",
            DistributionChoice::Auto => "auto",
        }
    }

    /// The "auto" threshold.
    #[getter]
    fn discrete_below(&self) -> f64 {
        self.params.discrete_below
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let me = slf.get();
        let kwargs = PyDict::new(py);
        kwargs.set_item("service_level", me.params.service_level)?;
        kwargs.set_item("service_type", me.service_type())?;
        kwargs.set_item("policy", me.policy())?;
        kwargs.set_item("review_period", me.params.review_period)?;
        kwargs.set_item("distribution", me.distribution())?;
        kwargs.set_item("discrete_below", me.params.discrete_below)?;
        let partial = py.import("functools")?.getattr("partial")?;
        let ctor = partial.call((slf.get_type(),), Some(&kwargs))?;
        (ctor, ()).into_pyobject(py).map(Bound::into_any)
    }

    fn __repr__(&self) -> String {
        format!(
            "ReorderPlanner(service_level={}, service_type={:?}, policy={:?}, \
             review_period={}, distribution={:?}, discrete_below={})",
            self.params.service_level,
            self.service_type(),
            self.policy(),
            self.params.review_period,
            self.distribution(),
            self.params.discrete_below
        )
    }
}
