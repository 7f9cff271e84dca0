//! The reorder planner: for each item, lead-time demand from its forecast path, a normal
//! safety stock for the chosen cycle service level, an EOQ order quantity rounded to the
//! supplier's rules, and when the projected inventory position reaches the reorder point.

use super::eoq::{eoq, OrderRules};
use super::normal;
use crate::error::{Error, Result};
use crate::parallel;
use rayon::prelude::*;

/// Validated planner settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlannerParams {
    /// Cycle service level: probability of no stockout during a replenishment cycle.
    pub service_level: f64,
}

impl PlannerParams {
    /// Validate: the service level must lie strictly between 0 and 1.
    pub fn new(service_level: f64) -> Result<Self> {
        if !(service_level > 0.0 && service_level < 1.0) {
            return Err(Error::param(
                "service_level",
                format!("must be strictly between 0 and 1, got {service_level}"),
            ));
        }
        Ok(PlannerParams { service_level })
    }
}

/// Per-item inputs, as parallel columns (one entry per item).
#[derive(Debug, Clone, Copy)]
pub struct Items<'a> {
    /// Forecast mean demand per period, item-major: `demand[i * horizon + k]`.
    pub demand: &'a [f64],
    /// Periods in each item's forecast path.
    pub horizon: usize,
    /// Standard deviation of one period's demand (forecast error).
    pub sigma: &'a [f64],
    /// Units on hand now (may be negative for backorders).
    pub on_hand: &'a [f64],
    /// Units ordered and not yet received.
    pub on_order: &'a [f64],
    /// Replenishment lead time in periods (may be fractional).
    pub lead_time: &'a [f64],
    /// Standard deviation of the lead time in periods.
    pub lead_time_sd: &'a [f64],
    /// Cost of holding one unit for one period.
    pub holding_cost: &'a [f64],
    /// Fixed cost of placing one order.
    pub order_cost: &'a [f64],
    /// Minimum order quantity.
    pub moq: &'a [f64],
    /// Pack size (orders are multiples of it).
    pub pack_size: &'a [f64],
    /// Maximum quantity per order (+∞ for none).
    pub max_qty: &'a [f64],
}

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
}

fn check_item(i: usize, items: &Items<'_>) -> Result<()> {
    let bad = |column: &str, reason: String| Error::InvalidItem {
        item: i,
        column: column.to_string(),
        reason,
    };
    let finite = |column: &str, v: f64| {
        if v.is_finite() {
            Ok(())
        } else {
            Err(bad(column, format!("must be finite, got {v}")))
        }
    };
    finite("on_hand", items.on_hand[i])?;
    finite("on_order", items.on_order[i])?;
    let nonneg = [
        ("on_order", items.on_order[i]),
        ("lead_time", items.lead_time[i]),
        ("lead_time_sd", items.lead_time_sd[i]),
        ("order_cost", items.order_cost[i]),
        ("moq", items.moq[i]),
        ("sigma", items.sigma[i]),
    ];
    for (c, v) in nonneg {
        if !(v.is_finite() && v >= 0.0) {
            return Err(bad(c, format!("must be finite and >= 0, got {v}")));
        }
    }
    let h = items.holding_cost[i];
    if !(h.is_finite() && h > 0.0) {
        return Err(bad(
            "holding_cost",
            format!("must be finite and > 0, got {h}"),
        ));
    }
    let p = items.pack_size[i];
    if !(p.is_finite() && p > 0.0) {
        return Err(bad("pack_size", format!("must be finite and > 0, got {p}")));
    }
    let m = items.max_qty[i];
    if m.is_nan() || m < p || m < items.moq[i] {
        return Err(bad(
            "max_qty",
            format!("must be >= pack_size and >= moq, got {m}"),
        ));
    }
    let needed = items.lead_time[i].ceil() as usize;
    if needed > items.horizon {
        return Err(bad(
            "lead_time",
            format!(
                "{} periods exceeds the forecast horizon of {} periods",
                items.lead_time[i], items.horizon
            ),
        ));
    }
    let path = &items.demand[i * items.horizon..(i + 1) * items.horizon];
    if let Some(k) = path.iter().position(|v| !v.is_finite()) {
        return Err(bad("forecast", format!("is not finite at step {}", k + 1)));
    }
    Ok(())
}

/// Demand over the first `l` periods of `path`, counting a fractional last period pro rata.
fn demand_over(path: &[f64], l: f64) -> f64 {
    let whole = l.floor() as usize;
    let frac = l - whole as f64;
    let mut s: f64 = 0.0 + path[..whole].iter().sum::<f64>(); // empty sums are -0.0
    if frac > 0.0 {
        s += frac * path[whole];
    }
    s
}

struct ItemPlan {
    mu_l: f64,
    sd_l: f64,
    ss: f64,
    rop: f64,
    eoq: f64,
    qty: f64,
    up_to: f64,
    reorder: i64,
    stockout: i64,
    dos: f64,
    reason: NoOrderReason,
}

fn plan_item(i: usize, items: &Items<'_>, z: f64) -> ItemPlan {
    let h = items.horizon;
    let path: Vec<f64> = items.demand[i * h..(i + 1) * h]
        .iter()
        .map(|v| v.max(0.0))
        .collect();
    let rate = if h == 0 {
        0.0
    } else {
        path.iter().sum::<f64>() / h as f64
    };
    let l = items.lead_time[i];
    let mu_l = demand_over(&path, l);
    let (sigma, lt_sd) = (items.sigma[i], items.lead_time_sd[i]);
    // Demand and lead-time variability combined (e.g. Silver, Pyke & Thomas 2017, §6.7).
    let sd_l = (l * sigma * sigma + rate * rate * lt_sd * lt_sd).sqrt();
    let ss = z * sd_l;
    let rop = mu_l + ss;
    let q_eoq = eoq(items.order_cost[i], items.holding_cost[i], rate);
    let rules = OrderRules {
        moq: items.moq[i],
        pack_size: items.pack_size[i],
        max_qty: items.max_qty[i],
    };
    let position = items.on_hand[i] + items.on_order[i];
    // Day t starts with position `ip`: order on the first day it is at or below the
    // reorder point. Stock runs out on the first day cumulative demand exceeds on hand.
    let (mut ip, mut oh) = (position, items.on_hand[i]);
    let (mut reorder, mut stockout) = (-1i64, if oh < 0.0 { 0 } else { -1i64 });
    let mut qty = 0.0;
    for (t, &d) in path.iter().enumerate() {
        if reorder < 0 && ip <= rop && (rate > 0.0 || rop > 0.0) {
            reorder = t as i64;
            qty = rules.round(q_eoq.max(rop - ip));
        }
        ip -= d;
        oh -= d;
        if stockout < 0 && oh < 0.0 {
            stockout = t as i64;
        }
    }
    let reason = if reorder >= 0 {
        NoOrderReason::Ordered
    } else if rate == 0.0 {
        NoOrderReason::NoDemand
    } else {
        NoOrderReason::Covered
    };
    let dos = if rate > 0.0 {
        items.on_hand[i].max(0.0) / rate
    } else {
        f64::INFINITY
    };
    ItemPlan {
        mu_l,
        sd_l,
        ss,
        rop,
        eoq: q_eoq,
        qty,
        up_to: rop + rules.round(q_eoq),
        reorder,
        stockout,
        dos,
        reason,
    }
}

/// Plan every item (rayon across items). Errors name the first invalid item and column.
pub fn plan(params: &PlannerParams, items: &Items<'_>) -> Result<Plan> {
    let n = items.on_hand.len();
    let cols = [
        items.sigma.len(),
        items.on_order.len(),
        items.lead_time.len(),
        items.lead_time_sd.len(),
        items.holding_cost.len(),
        items.order_cost.len(),
        items.moq.len(),
        items.pack_size.len(),
        items.max_qty.len(),
    ];
    if cols.iter().any(|&c| c != n) || items.demand.len() != n * items.horizon {
        return Err(Error::Shape(format!(
            "planner inputs disagree: {n} items, column lengths {cols:?}, {} forecast values for horizon {}",
            items.demand.len(),
            items.horizon
        )));
    }
    if items.horizon == 0 {
        return Err(Error::param("horizon", "must be >= 1"));
    }
    (0..n).try_for_each(|i| check_item(i, items))?;
    let z = normal::quantile(params.service_level);
    let rows: Vec<ItemPlan> = parallel::install(|| {
        (0..n)
            .into_par_iter()
            .map(|i| plan_item(i, items, z))
            .collect()
    });
    let mut p = Plan::default();
    for r in rows {
        p.lead_time_demand.push(r.mu_l);
        p.lead_time_sd.push(r.sd_l);
        p.safety_stock.push(r.ss);
        p.reorder_point.push(r.rop);
        p.eoq.push(r.eoq);
        p.order_qty.push(r.qty);
        p.order_up_to.push(r.up_to);
        p.reorder_period.push(r.reorder);
        p.stockout_period.push(r.stockout);
        p.days_of_supply.push(r.dos);
        p.reason.push(r.reason);
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Cols {
        demand: Vec<f64>,
        v: Vec<Vec<f64>>,
    }

    fn one_item(demand: Vec<f64>, on_hand: f64, lead_time: f64, sigma: f64) -> Cols {
        Cols {
            demand,
            v: vec![
                vec![sigma],
                vec![on_hand],
                vec![0.0],
                vec![lead_time],
                vec![0.0],
                vec![0.5],
                vec![50.0],
                vec![0.0],
                vec![1.0],
                vec![f64::INFINITY],
            ],
        }
    }

    fn items(c: &Cols) -> Items<'_> {
        Items {
            demand: &c.demand,
            horizon: c.demand.len() / c.v[1].len(),
            sigma: &c.v[0],
            on_hand: &c.v[1],
            on_order: &c.v[2],
            lead_time: &c.v[3],
            lead_time_sd: &c.v[4],
            holding_cost: &c.v[5],
            order_cost: &c.v[6],
            moq: &c.v[7],
            pack_size: &c.v[8],
            max_qty: &c.v[9],
        }
    }

    #[test]
    fn textbook_reorder_point() {
        // 10 units/period, sigma 3, lead time 4: mu_L = 40, sigma_L = 6, z(0.95) = 1.6449.
        let c = one_item(vec![10.0; 20], 100.0, 4.0, 3.0);
        let p = plan(&PlannerParams::new(0.95).unwrap(), &items(&c)).unwrap();
        assert!((p.lead_time_demand[0] - 40.0).abs() < 1e-12);
        assert!((p.safety_stock[0] - 6.0 * 1.6448536269514722).abs() < 1e-9);
        // EOQ = sqrt(2 * 50 * 10 / 0.5) = 44.72 -> 45 units.
        assert!((p.eoq[0] - 44.721359549995796).abs() < 1e-9);
        // Position 100 falls to <= ROP 49.87 after 6 periods (100 - 60 = 40).
        assert_eq!(p.reorder_period[0], 6);
        assert_eq!(p.order_qty[0], 45.0);
        assert_eq!(p.stockout_period[0], 10);
        assert!((p.days_of_supply[0] - 10.0).abs() < 1e-12);
    }

    #[test]
    fn orders_now_and_covers_deficit() {
        let c = one_item(vec![10.0; 20], 0.0, 4.0, 3.0);
        let p = plan(&PlannerParams::new(0.95).unwrap(), &items(&c)).unwrap();
        assert_eq!(p.reorder_period[0], 0);
        assert_eq!(p.order_qty[0], 50.0); // ROP 49.87 - 0 > EOQ 44.7
    }

    #[test]
    fn no_demand_no_order() {
        let c = one_item(vec![0.0; 10], 5.0, 2.0, 0.0);
        let p = plan(&PlannerParams::new(0.9).unwrap(), &items(&c)).unwrap();
        assert_eq!(p.reorder_period[0], -1);
        assert_eq!(p.reason[0], NoOrderReason::NoDemand);
        assert_eq!(p.order_qty[0], 0.0);
    }

    #[test]
    fn rejects_bad_rows() {
        assert!(PlannerParams::new(1.0).is_err());
        let mut c = one_item(vec![1.0; 5], 5.0, -1.0, 1.0);
        let e = plan(&PlannerParams::new(0.9).unwrap(), &items(&c)).unwrap_err();
        assert!(
            matches!(e, Error::InvalidItem { item: 0, ref column, .. } if column == "lead_time")
        );
        c.v[3][0] = 9.0;
        assert!(plan(&PlannerParams::new(0.9).unwrap(), &items(&c)).is_err());
    }
}
