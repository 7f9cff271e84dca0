//! Per-series statistical forecasting: model specifications, the models themselves, the
//! parallel engine over a panel, and the fitted state.

pub mod codec;
pub mod distribution;
pub mod engine;
pub mod exog;
pub mod fitted;
pub mod frozen;
pub mod models;
pub mod persist;
pub mod rolling;
pub mod spec;
mod spec_arima;
pub mod update;

pub use engine::{fit, fit_with_progress, FittedPanel};
pub use fitted::{Fallback, Fitted, State};
pub use frozen::Frozen;
pub use rolling::{rolling, Rolling};
pub use spec::{ModelParams, ModelSpec};
