//! Replenishment planning: inventory theory (the single-echelon models of Snyder & Shen,
//! *Fundamentals of Supply Chain Theory*: EOQ, newsvendor, (r, Q), (s, S), Wagner–Whitin,
//! loss functions, safety stock), order-quantity rules and the per-item reorder planner.

mod args;
pub mod discrete;
pub mod discrete_table;
pub mod eoq;
pub mod formulas;
mod item_plan;
pub mod lead_time;
pub mod lot_sizing;
pub mod newsvendor;
pub mod normal;
mod plan_output;
pub mod planner;
pub mod policy;
pub mod rq;
pub mod s_s;
pub mod safety_stock;
pub mod service;
mod sim_item;
pub mod simulate;
pub mod special;
pub mod vectorize;

pub use planner::{plan, Items, NoOrderReason, Paths, Plan, PlannerParams};
