//! shelfcast's native core: demand forecasting (`forecast`), replenishment planning
//! (`planning`) and sales metrics (`metrics`) over panels of series. The core is pure Rust
//! and never imports pyo3; the `py` module (feature `python`) is the thin binding layer that
//! converts arrays, releases the GIL and maps errors.

pub mod error;
pub mod forecast;
pub mod metrics;
pub mod ml;
pub mod panel;
pub mod parallel;
pub mod planning;

#[cfg(feature = "python")]
mod py;

pub use error::{Error, Result};
