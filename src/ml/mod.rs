//! Global machine-learning models: one model trained across all series on lag, rolling,
//! calendar, price/promotion and static features, scored recursively over the horizon.
//! Pure Rust over slices (no pyo3); rayon across series (features, scoring) and across
//! features or trees (training), always inside `crate::parallel::install`.

pub mod boosting;
pub mod calendar;
pub mod features;
pub mod forest;
pub mod histogram;
pub mod objective;
pub mod rng;
pub mod spec;
pub mod target;
pub mod transforms;
pub mod tree;

pub use calendar::DateFeature;
pub use features::{Design, FeatureSpec, PanelData, Transformed};
pub use target::TargetTransform;
pub use transforms::LagTransform;
