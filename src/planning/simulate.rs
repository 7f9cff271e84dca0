//! Replays actual demand through a replenishment policy, item by item in parallel, and
//! measures what the policy does to service and cost.
//!
//! Each period: (1) orders due arrive; (2) on a review, the inventory position (net stock
//! plus pipeline) is compared with the policy and an order, rounded to the supplier's rules,
//! is placed — it arrives `L` periods later (immediately when `L` = 0); (3) demand is met
//! from stock, the rest lost (`lost_sales`) or backordered; (4) holding cost is charged on
//! the stock left, shortage cost on the units lost in the period or, with backorders, on
//! the units still backordered at its end. A replenishment cycle ends at each receipt (and
//! at the end of the run); the cycle service level is the fraction of cycles without a
//! period of unmet demand.

use super::policy::Policy;
use super::sim_item::{simulate_item, ItemOut};
use crate::error::{Error, Result};
use crate::parallel;
use rayon::prelude::*;

/// Simulation settings shared by all items.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimParams {
    /// The policy every item follows.
    pub policy: Policy,
    /// Unmet demand is lost (true) or backordered (false).
    pub lost_sales: bool,
    /// Seed of the lead-time draws (used only where `lead_time_sd` > 0).
    pub seed: u64,
    /// Record the per-period trace.
    pub trace: bool,
}

/// Per-item inputs as parallel columns; `demand` is item-major `n × periods`.
#[derive(Debug, Clone, Copy)]
pub struct SimItems<'a> {
    pub demand: &'a [f64],
    pub periods: usize,
    /// Per-item seed of the lead-time draws (e.g. a hash of the item id), so an item's
    /// draws do not depend on its position in the batch.
    pub item_seed: &'a [u64],
    pub on_hand: &'a [f64],
    /// Units on order at the start; they arrive after the (mean) lead time.
    pub on_order: &'a [f64],
    /// Mean lead time in periods (rounded to whole periods).
    pub lead_time: &'a [f64],
    /// Lead-time sd in periods: each order draws its own lead time from a normal
    /// distribution, rounded and floored at 0 (orders may cross).
    pub lead_time_sd: &'a [f64],
    /// Reorder point s (sQ, sS).
    pub reorder_point: &'a [f64],
    /// Order quantity Q (sQ).
    pub order_quantity: &'a [f64],
    /// Order-up-to level S (sS, RS, base stock).
    pub order_up_to: &'a [f64],
    /// Review period R in whole periods (RS).
    pub review_period: &'a [f64],
    pub holding_cost: &'a [f64],
    pub order_cost: &'a [f64],
    /// Cost per unit short (lost) or per unit backordered per period.
    pub stockout_cost: &'a [f64],
    pub moq: &'a [f64],
    /// Pack size; 0 means continuous quantities (no rounding).
    pub pack_size: &'a [f64],
    pub max_qty: &'a [f64],
}

/// Per-item results (one entry per item in every column).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimResult {
    pub fill_rate: Vec<f64>,
    pub cycle_service_level: Vec<f64>,
    pub stockout_days: Vec<f64>,
    pub average_on_hand: Vec<f64>,
    pub orders_placed: Vec<f64>,
    pub holding_cost: Vec<f64>,
    pub ordering_cost: Vec<f64>,
    pub shortage_cost: Vec<f64>,
    pub demand: Vec<f64>,
    pub short: Vec<f64>,
    /// Per-period trace (item-major n × periods), when requested.
    pub trace: Option<Trace>,
}

/// The per-period trace, each item-major `n × periods`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Stock on hand at the end of the period.
    pub on_hand: Vec<f64>,
    /// Units backordered at the end of the period.
    pub backorders: Vec<f64>,
    /// Units on order (placed, not received) at the end of the period.
    pub on_order: Vec<f64>,
    /// Units ordered in the period.
    pub ordered: Vec<f64>,
    /// Units received at the start of the period.
    pub received: Vec<f64>,
    /// Demand not met from stock in the period.
    pub short: Vec<f64>,
}

fn check_item(i: usize, it: &SimItems<'_>, policy: Policy) -> Result<()> {
    let bad = |column: &str, reason: String| Error::InvalidItem {
        item: i,
        column: column.to_string(),
        reason,
    };
    let nonneg = [
        ("on_order", it.on_order[i]),
        ("lead_time", it.lead_time[i]),
        ("lead_time_sd", it.lead_time_sd[i]),
        ("holding_cost", it.holding_cost[i]),
        ("order_cost", it.order_cost[i]),
        ("stockout_cost", it.stockout_cost[i]),
        ("moq", it.moq[i]),
        ("pack_size", it.pack_size[i]),
    ];
    for (c, v) in nonneg {
        if !(v.is_finite() && v >= 0.0) {
            return Err(bad(c, format!("must be finite and >= 0, got {v}")));
        }
    }
    if !it.on_hand[i].is_finite() {
        return Err(bad(
            "on_hand",
            format!("must be finite, got {}", it.on_hand[i]),
        ));
    }
    if it.max_qty[i].is_nan() || it.max_qty[i] <= 0.0 || it.max_qty[i] < it.moq[i] {
        return Err(bad(
            "max_qty",
            format!("must be > 0 and >= moq, got {}", it.max_qty[i]),
        ));
    }
    let needs = match policy {
        Policy::SQ => [
            ("reorder_point", true),
            ("order_quantity", true),
            ("order_up_to", false),
        ],
        Policy::SS => [
            ("reorder_point", true),
            ("order_quantity", false),
            ("order_up_to", true),
        ],
        Policy::RS | Policy::BaseStock => [
            ("reorder_point", false),
            ("order_quantity", false),
            ("order_up_to", true),
        ],
    };
    let values = [it.reorder_point[i], it.order_quantity[i], it.order_up_to[i]];
    for ((c, needed), v) in needs.into_iter().zip(values) {
        if needed && !v.is_finite() {
            return Err(bad(
                c,
                format!("must be finite for policy {}, got {v}", policy.name()),
            ));
        }
    }
    if policy == Policy::SQ && it.order_quantity[i] <= 0.0 {
        return Err(bad(
            "order_quantity",
            format!("must be > 0, got {}", it.order_quantity[i]),
        ));
    }
    if policy == Policy::RS {
        let r = it.review_period[i];
        if !(r.is_finite() && r >= 1.0 && r.fract() == 0.0) {
            return Err(bad(
                "review_period",
                format!("must be a whole number of periods >= 1, got {r}"),
            ));
        }
    }
    let row = &it.demand[i * it.periods..(i + 1) * it.periods];
    if let Some(k) = row.iter().position(|d| !(d.is_finite() && *d >= 0.0)) {
        return Err(bad(
            "demand",
            format!("must be finite and >= 0, got {} at period {k}", row[k]),
        ));
    }
    Ok(())
}

/// Simulate every item (rayon across items).
///
/// # Errors
/// Columns disagree in length, or an item has an invalid value (named with item and column).
pub fn simulate(params: &SimParams, items: &SimItems<'_>) -> Result<SimResult> {
    let n = items.on_hand.len();
    let cols = [
        items.item_seed.len(),
        items.on_order.len(),
        items.lead_time.len(),
        items.lead_time_sd.len(),
        items.reorder_point.len(),
        items.order_quantity.len(),
        items.order_up_to.len(),
        items.review_period.len(),
        items.holding_cost.len(),
        items.order_cost.len(),
        items.stockout_cost.len(),
        items.moq.len(),
        items.pack_size.len(),
        items.max_qty.len(),
    ];
    if cols.iter().any(|&c| c != n) || items.demand.len() != n * items.periods {
        return Err(Error::Shape(format!(
            "simulation inputs disagree: {n} items, column lengths {cols:?}, {} demand values \
             for {} periods",
            items.demand.len(),
            items.periods
        )));
    }
    // Validate in parallel; the lowest-index invalid item decides the error.
    let first_bad = parallel::install(|| {
        (0..n)
            .into_par_iter()
            .find_map_first(|i| check_item(i, items, params.policy).err())
    });
    if let Some(e) = first_bad {
        return Err(e);
    }
    let outs: Vec<ItemOut> = parallel::install(|| {
        (0..n)
            .into_par_iter()
            .map(|i| simulate_item(i, items, params))
            .collect()
    });
    let mut r = SimResult::default();
    let mut trace = params.trace.then(Trace::default);
    for o in outs {
        let cols = [
            &mut r.fill_rate,
            &mut r.cycle_service_level,
            &mut r.stockout_days,
            &mut r.average_on_hand,
            &mut r.orders_placed,
            &mut r.holding_cost,
            &mut r.ordering_cost,
            &mut r.shortage_cost,
            &mut r.demand,
            &mut r.short,
        ];
        for (col, v) in cols.into_iter().zip(o.stats) {
            col.push(v);
        }
        if let (Some(tr), Some(rows)) = (trace.as_mut(), o.trace) {
            let dest = [
                &mut tr.on_hand,
                &mut tr.backorders,
                &mut tr.on_order,
                &mut tr.ordered,
                &mut tr.received,
                &mut tr.short,
            ];
            for (col, row) in dest.into_iter().zip(rows) {
                col.extend(row);
            }
        }
    }
    r.trace = trace;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Cols(Vec<Vec<f64>>);

    fn items<'a>(demand: &'a [f64], c: &'a Cols) -> SimItems<'a> {
        let v = &c.0;
        SimItems {
            demand,
            periods: demand.len() / v[0].len(),
            item_seed: &[7],
            on_hand: &v[0],
            on_order: &v[1],
            lead_time: &v[2],
            lead_time_sd: &v[3],
            reorder_point: &v[4],
            order_quantity: &v[5],
            order_up_to: &v[6],
            review_period: &v[7],
            holding_cost: &v[8],
            order_cost: &v[9],
            stockout_cost: &v[10],
            moq: &v[11],
            pack_size: &v[12],
            max_qty: &v[13],
        }
    }

    fn one(on_hand: f64, lead: f64, s: f64, q: f64, big_s: f64) -> Cols {
        Cols(
            [
                on_hand, 0.0, lead, 0.0, s, q, big_s, 1.0, 1.0, 10.0, 5.0, 0.0, 1.0,
            ]
            .iter()
            .map(|&v| vec![v])
            .chain(std::iter::once(vec![f64::INFINITY]))
            .collect(),
        )
    }

    fn params(policy: Policy, lost_sales: bool) -> SimParams {
        SimParams {
            policy,
            lost_sales,
            seed: 1,
            trace: true,
        }
    }

    #[test]
    fn deterministic_s_q_cycle() {
        // 2 units/day, s = 4, Q = 10, lead time 2: orders when the position reaches 4,
        // the order lands as stock hits 0, so nothing is ever short.
        let demand = vec![2.0; 30];
        let c = one(10.0, 2.0, 4.0, 10.0, f64::NAN);
        let r = simulate(&params(Policy::SQ, true), &items(&demand, &c)).unwrap();
        assert_eq!(r.fill_rate[0], 1.0);
        assert_eq!(r.stockout_days[0], 0.0);
        assert_eq!(r.orders_placed[0], 6.0); // days 3, 8, ..., 28
        assert_eq!(r.cycle_service_level[0], 1.0);
        let tr = r.trace.unwrap();
        assert_eq!(tr.ordered[3], 10.0); // position 10 - 6 = 4 <= s at the start of day 3
        assert_eq!(tr.received[5], 10.0);
    }

    #[test]
    fn lost_sales_versus_backorders() {
        let demand = vec![5.0; 10];
        let c = one(12.0, 3.0, -1.0, 1.0, 0.0); // never orders (s below any position)
        let lost = simulate(&params(Policy::SQ, true), &items(&demand, &c)).unwrap();
        assert_eq!(lost.short[0], 38.0);
        assert_eq!(lost.shortage_cost[0], 5.0 * 38.0);
        assert!((lost.fill_rate[0] - 12.0 / 50.0).abs() < 1e-15);
        assert_eq!(lost.cycle_service_level[0], 0.0);
        let back = simulate(&params(Policy::SQ, false), &items(&demand, &c)).unwrap();
        // s = -1: the position -3 after day 3 triggers orders; backorders are charged per
        // unit per period.
        assert!(back.orders_placed[0] > 0.0);
        assert!(back.shortage_cost[0] > 0.0);
    }

    #[test]
    fn order_up_to_policies_and_rounding() {
        let demand = vec![3.0; 14];
        let mut c = one(0.0, 0.0, f64::NAN, f64::NAN, 10.0);
        c.0[7][0] = 7.0; // review every 7 periods
        c.0[12][0] = 4.0; // packs of 4
        let r = simulate(&params(Policy::RS, true), &items(&demand, &c)).unwrap();
        let tr = r.trace.unwrap();
        assert_eq!(tr.ordered[0], 12.0); // up to 10, rounded to 3 packs
        assert_eq!(tr.ordered[7], 12.0); // position 12 - 21 -> lost sales kept it at 0
        assert_eq!(r.orders_placed[0], 2.0);
        let b = simulate(&params(Policy::BaseStock, false), &items(&demand, &c)).unwrap();
        assert_eq!(b.orders_placed[0], 11.0); // skips days whose position is already 10
    }

    #[test]
    fn invalid_rows_name_item_and_column() {
        let demand = vec![1.0; 4];
        let mut c = one(1.0, -1.0, 1.0, 2.0, 3.0);
        let e = simulate(&params(Policy::SQ, true), &items(&demand, &c)).unwrap_err();
        assert!(
            matches!(e, Error::InvalidItem { item: 0, ref column, .. } if column == "lead_time")
        );
        c.0[2][0] = 1.0;
        c.0[7][0] = 0.5;
        let e = simulate(&params(Policy::RS, true), &items(&demand, &c)).unwrap_err();
        assert!(e.to_string().contains("review_period"));
        let bad = vec![1.0, f64::NAN, 1.0, 1.0];
        assert!(simulate(&params(Policy::SQ, true), &items(&bad, &c)).is_err());
    }

    #[test]
    fn random_lead_times_are_reproducible() {
        let demand: Vec<f64> = (0..200).map(|t| f64::from(t % 5)).collect();
        let mut c = one(20.0, 3.0, 10.0, 20.0, f64::NAN);
        c.0[3][0] = 1.5;
        let a = simulate(&params(Policy::SQ, false), &items(&demand, &c)).unwrap();
        let b = simulate(&params(Policy::SQ, false), &items(&demand, &c)).unwrap();
        assert_eq!(a, b);
    }
}
