//! Sales metrics: forecast accuracy per series (point, scaled, quantile and interval
//! scores) and descriptive summaries of sales history.

pub mod accuracy;
pub mod anomaly;
pub mod classify;
pub mod elasticity;
pub mod forecasts;
pub mod inventory;
pub mod linalg;
pub mod metric;
pub mod point;
pub mod quantile;
pub mod scale;
pub mod seasonal;
pub mod segments;
pub mod summary;

pub use accuracy::evaluate;
pub use forecasts::Forecasts;
pub use metric::Metric;
pub use scale::Scale;
pub use segments::{train_windows, Segments};
pub use summary::{summary, Summary};
