//! Seasonal decompositions: STL ([`stl`]) and MSTL ([`mstl`]), with the seasonal and trend
//! strengths derived from them. Pure Rust; numbers follow statsmodels' `STL` and
//! statsforecast's `mstl` (see each module for the deliberate differences).

mod loess;
mod params;
mod stl;

pub use params::{StlParams, StlValid};
pub use stl::{stl, Stl};
mod mstl;
mod strength;

pub use mstl::{mstl, mstl_with, Mstl, MstlOptions};
pub(crate) use strength::seasonal_strength_one;
