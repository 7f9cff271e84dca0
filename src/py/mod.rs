//! The Python binding layer (feature `python`): the `shelfcast._core` extension module.
//! Bindings only convert types, release the GIL (`py.detach`) and map errors.

mod accuracy;
mod analytics;
mod arrays;
mod elasticity;
mod errors;
mod forecaster;
mod inventory;
mod inventory_analytics;
mod metrics;
mod ml;
mod planner;
mod simulate;

use pyo3::prelude::*;

/// shelfcast's native module.
#[pymodule(gil_used = false)]
pub mod _core {
    use pyo3::prelude::*;

    #[pymodule_export]
    use super::accuracy::PyAccuracy;
    #[pymodule_export]
    use super::analytics::PySalesAnalytics;
    #[pymodule_export]
    use super::elasticity::PyElasticity;
    #[pymodule_export]
    use super::forecaster::PyDemandForecaster;
    #[pymodule_export]
    use super::inventory::{inventory_eoq_all_units, inventory_formula, inventory_wagner_whitin};
    #[pymodule_export]
    use super::inventory_analytics::PyInventoryAnalytics;
    #[pymodule_export]
    use super::metrics::PySalesMetrics;
    #[pymodule_export]
    use super::ml::{is_ml_model, PyGlobalForecaster};
    #[pymodule_export]
    use super::planner::PyReorderPlanner;
    #[pymodule_export]
    use super::simulate::simulate;

    /// Module initialisation: version and thread count.
    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        Ok(())
    }

    /// Number of worker threads in shelfcast's pool (set `SHELFCAST_NUM_THREADS` before
    /// first use to change it).
    #[pyfunction]
    fn num_threads() -> usize {
        crate::parallel::num_threads()
    }

    /// A model (name, numeric and text parameters), validated and encoded as the text
    /// parameter a wrapping model takes (e.g. `WithRegressors`' `model`, `MSTL`'s
    /// `trend_forecaster`).
    ///
    /// Raises:
    ///     UnknownModelError: the name is not a known model.
    ///     InvalidParameterError: a hyperparameter is invalid.
    #[pyfunction]
    fn nested_model(
        name: String,
        num: std::collections::BTreeMap<String, f64>,
        text: std::collections::BTreeMap<String, String>,
    ) -> PyResult<String> {
        let p = crate::forecast::ModelParams { name, num, text };
        p.check()?;
        Ok(p.to_text())
    }

    /// The fallback codes reported by `DemandForecaster.fallbacks()` and their reasons.
    #[pyfunction]
    fn fallback_reasons() -> Vec<(u8, &'static str)> {
        crate::forecast::Fallback::ALL
            .iter()
            .map(|f| (f.code(), f.reason()))
            .collect()
    }
}

#[allow(unused_imports)]
use _core as _;
