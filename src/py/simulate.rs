//! `_core.simulate`: the native policy simulator behind `ReorderPlanner.simulate`. Takes the
//! demand matrix and per-item float columns, runs the simulation with the GIL released and
//! returns a dict of numpy arrays (plus the per-period trace when asked).

use super::arrays;
use crate::error::Error;
use crate::planning::policy::Policy;
use crate::planning::simulate::{simulate as run, SimItems, SimParams};
use numpy::{
    IntoPyArray, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Replay demand through a replenishment policy for every item.
///
/// Args:
///     policy: "sQ", "sS", "RS" or "base_stock".
///     lost_sales: unmet demand is lost (True) or backordered (False).
///     seed: seed of the lead-time draws.
///     trace: also return the per-period trace (keys prefixed "trace_", shape (n, T)).
///     demand: (n_items, periods) demand per period.
///     item_seed: uint64 per item, mixed into the lead-time draws.
///     on_hand, on_order, lead_time, lead_time_sd, reorder_point, order_quantity,
///     order_up_to, review_period, holding_cost, order_cost, stockout_cost, moq, pack_size,
///     max_qty: float64 arrays of length n_items.
///
/// Returns:
///     dict of numpy arrays, one entry per item in each.
///
/// Raises:
///     InvalidItemError: a row is invalid (the message names item index and column).
///     InvalidParameterError: unknown policy.
///     ShapeError: the columns disagree in length.
#[pyfunction]
#[pyo3(signature = (
    policy, lost_sales, seed, trace, demand, item_seed, on_hand, on_order, lead_time, lead_time_sd,
    reorder_point, order_quantity, order_up_to, review_period, holding_cost, order_cost,
    stockout_cost, moq, pack_size, max_qty
))]
#[allow(clippy::too_many_arguments)]
pub fn simulate<'py>(
    py: Python<'py>,
    policy: &str,
    lost_sales: bool,
    seed: u64,
    trace: bool,
    demand: PyReadonlyArray2<'py, f64>,
    item_seed: PyReadonlyArray1<'py, u64>,
    on_hand: PyReadonlyArray1<'py, f64>,
    on_order: PyReadonlyArray1<'py, f64>,
    lead_time: PyReadonlyArray1<'py, f64>,
    lead_time_sd: PyReadonlyArray1<'py, f64>,
    reorder_point: PyReadonlyArray1<'py, f64>,
    order_quantity: PyReadonlyArray1<'py, f64>,
    order_up_to: PyReadonlyArray1<'py, f64>,
    review_period: PyReadonlyArray1<'py, f64>,
    holding_cost: PyReadonlyArray1<'py, f64>,
    order_cost: PyReadonlyArray1<'py, f64>,
    stockout_cost: PyReadonlyArray1<'py, f64>,
    moq: PyReadonlyArray1<'py, f64>,
    pack_size: PyReadonlyArray1<'py, f64>,
    max_qty: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let params = SimParams {
        policy: Policy::parse(policy)?,
        lost_sales,
        seed,
        trace,
    };
    let (n, periods) = demand.as_array().dim();
    let cols = [
        ("on_hand", &on_hand),
        ("on_order", &on_order),
        ("lead_time", &lead_time),
        ("lead_time_sd", &lead_time_sd),
        ("reorder_point", &reorder_point),
        ("order_quantity", &order_quantity),
        ("order_up_to", &order_up_to),
        ("review_period", &review_period),
        ("holding_cost", &holding_cost),
        ("order_cost", &order_cost),
        ("stockout_cost", &stockout_cost),
        ("moq", &moq),
        ("pack_size", &pack_size),
        ("max_qty", &max_qty),
    ];
    for (name, a) in cols {
        arrays::expect_len(name, a, n)?;
    }
    let flat: Vec<f64> = match demand.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => demand.as_array().iter().copied().collect(),
    };
    if item_seed.len() != n {
        return Err(Error::Shape(format!(
            "`item_seed` has {} entries, expected {n}",
            item_seed.len()
        ))
        .into());
    }
    let seeds: Vec<u64> = item_seed.as_array().iter().copied().collect();
    let s: Vec<_> = cols.iter().map(|(_, a)| arrays::slice(a)).collect();
    let result = py.detach(|| {
        let items = SimItems {
            demand: &flat,
            periods,
            item_seed: &seeds,
            on_hand: &s[0],
            on_order: &s[1],
            lead_time: &s[2],
            lead_time_sd: &s[3],
            reorder_point: &s[4],
            order_quantity: &s[5],
            order_up_to: &s[6],
            review_period: &s[7],
            holding_cost: &s[8],
            order_cost: &s[9],
            stockout_cost: &s[10],
            moq: &s[11],
            pack_size: &s[12],
            max_qty: &s[13],
        };
        run(&params, &items)
    })?;
    let d = PyDict::new(py);
    let columns = [
        ("fill_rate", result.fill_rate),
        ("cycle_service_level", result.cycle_service_level),
        ("stockout_days", result.stockout_days),
        ("average_on_hand", result.average_on_hand),
        ("orders_placed", result.orders_placed),
        ("holding_cost", result.holding_cost),
        ("ordering_cost", result.ordering_cost),
        ("shortage_cost", result.shortage_cost),
        ("demand", result.demand),
        ("short", result.short),
    ];
    for (name, v) in columns {
        d.set_item(name, v.into_pyarray(py))?;
    }
    if let Some(tr) = result.trace {
        let columns = [
            ("trace_on_hand", tr.on_hand),
            ("trace_backorders", tr.backorders),
            ("trace_on_order", tr.on_order),
            ("trace_ordered", tr.ordered),
            ("trace_received", tr.received),
            ("trace_short", tr.short),
        ];
        for (name, v) in columns {
            d.set_item(name, v.into_pyarray(py).reshape([n, periods])?)?;
        }
    }
    Ok(d)
}
