//! `_core.InventoryAnalytics`: per-item inventory KPIs and phantom-stock runs over panels
//! given as (values, offsets) with aligned stock levels.

use super::arrays;
use crate::error::{Error, Result};
use crate::metrics::inventory::{self, Kpis, PhantomRun};
use crate::panel::Panel;
use crate::parallel;
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};
use rayon::prelude::*;

fn bounds(p: &Panel<'_>) -> Vec<(usize, usize)> {
    let mut start = 0;
    (0..p.len())
        .map(|i| {
            let end = start + p.series(i).len();
            let b = (start, end);
            start = end;
            b
        })
        .collect()
}

fn same_len(name: &str, n: usize, expected: usize) -> Result<()> {
    if n != expected {
        return Err(Error::Shape(format!(
            "`{name}` has {n} entries, expected {expected}"
        )));
    }
    Ok(())
}

/// A KPI column getter.
type Field = fn(&Kpis) -> f64;

/// Native inventory analytics.
#[pyclass(name = "InventoryAnalytics", module = "shelfcast._core", frozen)]
pub struct PyInventoryAnalytics;

#[pymethods]
impl PyInventoryAnalytics {
    /// Inventory KPIs per item.
    ///
    /// Args:
    ///     y, offsets: units sold as a panel; on_hand: end-of-period stock aligned with y
    ///     (NaN: unknown); price: unit prices aligned with y, or None; cost: unit cost per
    ///     item (NaN: unknown); recent: periods of the days-of-supply rate.
    ///
    /// Returns:
    ///     dict of float64 arrays, one entry per item (see `crate::metrics::inventory`).
    ///
    /// Raises:
    ///     ShapeError: lengths disagree. InvalidSeriesError: a unit value is not finite.
    #[classmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (y, offsets, on_hand, price, cost, recent=28))]
    fn kpis<'py>(
        _cls: &Bound<'py, PyType>,
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        on_hand: PyReadonlyArray1<'py, f64>,
        price: Option<PyReadonlyArray1<'py, f64>>,
        cost: PyReadonlyArray1<'py, f64>,
        recent: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let values = arrays::slice(&y);
        let offsets = arrays::offsets(&offsets)?;
        let oh = arrays::slice(&on_hand);
        let price = price.as_ref().map(arrays::slice);
        let cost = arrays::slice(&cost);
        let rows = py.detach(|| -> Result<Vec<Kpis>> {
            let p = Panel::new(&values, &offsets)?;
            p.require_finite()?;
            same_len("on_hand", oh.len(), values.len())?;
            same_len("cost", cost.len(), p.len())?;
            if let Some(pr) = &price {
                same_len("price", pr.len(), values.len())?;
            }
            let b = bounds(&p);
            Ok(parallel::install(|| {
                (b.par_iter().enumerate())
                    .map(|(i, &(s, e))| {
                        let pr = price.as_ref().map(|v| &v[s..e]);
                        inventory::kpis(&values[s..e], &oh[s..e], pr, cost[i], recent)
                    })
                    .collect()
            }))
        })?;
        let d = PyDict::new(py);
        let cols: [(&str, Field); 11] = [
            ("periods", |k| k.periods),
            ("units", |k| k.units),
            ("stockout_rate", |k| k.stockout_rate),
            ("lost_units", |k| k.lost_units),
            ("fill_rate", |k| k.fill_rate),
            ("avg_on_hand", |k| k.avg_on_hand),
            ("last_on_hand", |k| k.last_on_hand),
            ("days_of_supply", |k| k.days_of_supply),
            ("turnover", |k| k.turnover),
            ("sell_through", |k| k.sell_through),
            ("gmroi", |k| k.gmroi),
        ];
        for (name, f) in cols {
            d.set_item(
                name,
                rows.iter().map(f).collect::<Vec<_>>().into_pyarray(py),
            )?;
        }
        Ok(d)
    }

    /// The most suspicious run of in-stock periods without a sale, per item.
    ///
    /// Args:
    ///     y, offsets: units sold as a panel; in_stock: bool per period aligned with y;
    ///     trailing_only: consider only the run reaching each series' last period.
    ///
    /// Returns:
    ///     dict: start, length (int64 positions), sell_rate, probability (float64).
    ///
    /// Raises:
    ///     ShapeError: lengths disagree.
    #[classmethod]
    fn phantom<'py>(
        _cls: &Bound<'py, PyType>,
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        in_stock: PyReadonlyArray1<'py, bool>,
        trailing_only: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let values = arrays::slice(&y);
        let offsets = arrays::offsets(&offsets)?;
        let stock: Vec<bool> = in_stock.as_array().to_vec();
        let runs = py.detach(|| -> Result<Vec<PhantomRun>> {
            let p = Panel::new(&values, &offsets)?;
            same_len("in_stock", stock.len(), values.len())?;
            let b = bounds(&p);
            Ok(parallel::install(|| {
                (b.par_iter())
                    .map(|&(s, e)| {
                        inventory::phantom_run(&values[s..e], &stock[s..e], trailing_only)
                    })
                    .collect()
            }))
        })?;
        let d = PyDict::new(py);
        let ints =
            |f: fn(&PhantomRun) -> usize| runs.iter().map(|r| f(r) as i64).collect::<Vec<_>>();
        d.set_item("start", ints(|r| r.start).into_pyarray(py))?;
        d.set_item("length", ints(|r| r.length).into_pyarray(py))?;
        let sell: Vec<f64> = runs.iter().map(|r| r.sell_rate).collect();
        let prob: Vec<f64> = runs.iter().map(|r| r.probability).collect();
        d.set_item("sell_rate", sell.into_pyarray(py))?;
        d.set_item("probability", prob.into_pyarray(py))?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        "InventoryAnalytics()".to_string()
    }
}
