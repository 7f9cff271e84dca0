//! Replenishment planning: normal-distribution helpers, order-quantity rules and the
//! per-item reorder planner.

pub mod eoq;
pub mod normal;
pub mod planner;

pub use planner::{plan, Items, NoOrderReason, Plan, PlannerParams};
