//! Global machine-learning models: one model trained across all series on lag, rolling,
//! calendar, price/promotion and static features, scored recursively over the horizon.
//! Pure Rust over slices (no pyo3); rayon across series (features, scoring) and across
//! features or trees (training), always inside `crate::parallel::install`.

pub mod boost_grow;
pub mod boosting;
pub mod calendar;
pub mod engine;
pub mod features;
pub mod fine_bins;
pub mod forest;
pub mod forest_grow;
pub mod histogram;
pub mod linear;
pub mod model;
pub mod objective;
pub mod persist;
pub mod rng;
pub mod spec;
pub mod target;
pub mod transforms;
pub mod tree;
pub mod tsqr;

pub use calendar::DateFeature;
pub use engine::{fit, work_units, MlFitted};
pub use features::{Design, FeatureSpec, PanelData, Transformed};
pub use model::MlModel;
pub use spec::MlSpec;
pub use target::TargetTransform;
pub use transforms::LagTransform;
