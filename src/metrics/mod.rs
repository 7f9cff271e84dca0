//! Sales metrics: forecast accuracy per series and descriptive summaries of sales history.

pub mod accuracy;
pub mod summary;

pub use accuracy::{evaluate, Metric};
pub use summary::{summary, Summary};
