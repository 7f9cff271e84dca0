//! The planner's output: one entry per item in every column, and why an item gets no
//! order.

use super::item_plan::ItemPlan;
use super::lead_time::DistributionKind;

/// Why an item gets no order within the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum NoOrderReason {
    /// An order is planned (the item has a reorder period).
    Ordered = 0,
    /// The inventory position stays above the reorder point over the whole horizon.
    Covered = 1,
    /// The forecast has no demand and the position is above the reorder point.
    NoDemand = 2,
}

/// The plan, one entry per item in every column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Mean demand over the lead time.
    pub lead_time_demand: Vec<f64>,
    /// Standard deviation of demand over the lead time.
    pub lead_time_sd: Vec<f64>,
    /// Safety stock z·σ_L.
    pub safety_stock: Vec<f64>,
    /// Reorder point: lead-time demand plus safety stock.
    pub reorder_point: Vec<f64>,
    /// EOQ before rounding.
    pub eoq: Vec<f64>,
    /// Units to order at the reorder period (0 if none in the horizon).
    pub order_qty: Vec<f64>,
    /// Reorder point plus the rounded order quantity.
    pub order_up_to: Vec<f64>,
    /// Periods from now until the order is due (0 = now), or -1 if none within the horizon.
    pub reorder_period: Vec<i64>,
    /// First period in which on-hand stock runs out without new receipts, or -1.
    pub stockout_period: Vec<i64>,
    /// On hand divided by mean demand per period (∞ without demand).
    pub days_of_supply: Vec<f64>,
    /// Why no order, where none is due.
    pub reason: Vec<NoOrderReason>,
    /// Expected fill rate of the policy at the planned levels.
    pub expected_fill_rate: Vec<f64>,
    /// Expected cycle service level of the policy at the planned levels.
    pub expected_cycle_service_level: Vec<f64>,
    /// The lead-time demand distribution used.
    pub distribution: Vec<DistributionKind>,
}

impl Plan {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Plan {
            lead_time_demand: Vec::with_capacity(n),
            lead_time_sd: Vec::with_capacity(n),
            safety_stock: Vec::with_capacity(n),
            reorder_point: Vec::with_capacity(n),
            eoq: Vec::with_capacity(n),
            order_qty: Vec::with_capacity(n),
            order_up_to: Vec::with_capacity(n),
            reorder_period: Vec::with_capacity(n),
            stockout_period: Vec::with_capacity(n),
            days_of_supply: Vec::with_capacity(n),
            reason: Vec::with_capacity(n),
            expected_fill_rate: Vec::with_capacity(n),
            expected_cycle_service_level: Vec::with_capacity(n),
            distribution: Vec::with_capacity(n),
        }
    }

    pub(crate) fn push(&mut self, r: ItemPlan) {
        self.lead_time_demand.push(r.mu_l);
        self.lead_time_sd.push(r.sd_l);
        self.safety_stock.push(r.ss);
        self.reorder_point.push(r.rop);
        self.eoq.push(r.eoq);
        self.order_qty.push(r.qty);
        self.order_up_to.push(r.up_to);
        self.reorder_period.push(r.reorder);
        self.stockout_period.push(r.stockout);
        self.days_of_supply.push(r.dos);
        self.reason.push(r.reason);
        self.expected_fill_rate.push(r.fill);
        self.expected_cycle_service_level.push(r.csl);
        self.distribution.push(r.kind);
    }
}
