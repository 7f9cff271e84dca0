//! The reorder planner: for each item, the demand distribution over its lead time (normal,
//! discrete for slow movers, or empirical from forecast sample paths), the stock level
//! that meets the service target under the chosen policy, an EOQ order quantity rounded to
//! the supplier's rules, and when the projected inventory position calls for an order.
//! Per-item work lives in `item_plan`.

use super::item_plan::{plan_item, ItemPlan};
use super::lead_time::DistributionChoice;
pub use super::plan_output::{NoOrderReason, Plan};
use super::policy::Policy;
use super::safety_stock::ServiceType;
use crate::error::{Error, Result};
use crate::parallel;
use rayon::prelude::*;

/// Validated planner settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlannerParams {
    /// Target: a cycle service level (probability of no stockout in a replenishment
    /// cycle) or a fill rate (fraction of demand met from stock), per `service_type`.
    pub service_level: f64,
    /// Which service measure `service_level` is.
    pub service_type: ServiceType,
    /// The replenishment policy.
    pub policy: Policy,
    /// Review period in periods for (R, S) (1 for the other policies).
    pub review_period: usize,
    /// How lead-time demand is modelled.
    pub distribution: DistributionChoice,
    /// With `Auto`, a discrete distribution is used below this mean protection-interval
    /// demand (units).
    pub discrete_below: f64,
}

impl PlannerParams {
    /// A cycle-service (s, Q) planner with normal lead-time demand (the original planner).
    ///
    /// # Errors
    /// The service level is not strictly between 0 and 1.
    pub fn new(service_level: f64) -> Result<Self> {
        if !(service_level > 0.0 && service_level < 1.0) {
            return Err(Error::param(
                "service_level",
                format!("must be strictly between 0 and 1, got {service_level}"),
            ));
        }
        Ok(PlannerParams {
            service_level,
            service_type: ServiceType::Cycle,
            policy: Policy::SQ,
            review_period: 1,
            distribution: DistributionChoice::Normal,
            discrete_below: 20.0,
        })
    }

    /// The protection interval beyond the lead time: R for (R, S), else one period.
    pub fn review(&self) -> usize {
        match self.policy {
            Policy::RS => self.review_period.max(1),
            _ => 1,
        }
    }
}

/// Forecast sample paths: item-major `n × n_paths × horizon` values.
#[derive(Debug, Clone, Copy)]
pub struct Paths<'a> {
    pub values: &'a [f64],
    pub n_paths: usize,
}

/// Per-item inputs, as parallel columns (one entry per item).
#[derive(Debug, Clone, Copy)]
pub struct Items<'a> {
    /// Forecast mean demand per period, item-major: `demand[i * horizon + k]`; or one
    /// value per item, the constant mean demand of each of its `horizon` periods.
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
    /// Sample paths of future demand; when present (and the distribution is `Auto`) the
    /// lead-time demand distribution is the empirical one of their sums.
    pub paths: Option<Paths<'a>>,
    /// Per-item service targets overriding the planner's, in (0, 1).
    pub service_level: Option<&'a [f64]>,
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
    if let Some(levels) = items.service_level {
        let v = levels[i];
        if !(v > 0.0 && v < 1.0) {
            return Err(bad(
                "service_level",
                format!("must be strictly between 0 and 1, got {v}"),
            ));
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
    let path = if items.demand.len() == items.on_hand.len() {
        &items.demand[i..=i]
    } else {
        &items.demand[i * items.horizon..(i + 1) * items.horizon]
    };
    if let Some(k) = path.iter().position(|v| !v.is_finite()) {
        return Err(bad("forecast", format!("is not finite at step {}", k + 1)));
    }
    Ok(())
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
    let levels_ok = items.service_level.is_none_or(|l| l.len() == n);
    let constant = items.demand.len() == n;
    if cols.iter().any(|&c| c != n)
        || !(items.demand.len() == n * items.horizon || constant)
        || !levels_ok
    {
        return Err(Error::Shape(format!(
            "planner inputs disagree: {n} items, column lengths {cols:?}, {} forecast values for horizon {}",
            items.demand.len(),
            items.horizon
        )));
    }
    if items.horizon == 0 {
        return Err(Error::param("horizon", "must be >= 1"));
    }
    // Validate in parallel; the lowest-index invalid item decides the error.
    let first_bad = parallel::install(|| {
        (0..n)
            .into_par_iter()
            .find_map_first(|i| check_item(i, items).err())
    });
    if let Some(e) = first_bad {
        return Err(e);
    }
    if let Some(p) = items.paths {
        if p.n_paths == 0 || p.values.len() != n * p.n_paths * items.horizon {
            return Err(Error::Shape(format!(
                "sample paths: {} values for {n} items x {} paths x {} periods",
                p.values.len(),
                p.n_paths,
                items.horizon
            )));
        }
    }
    let z = super::normal::quantile(params.service_level);
    // Items in blocks: each block is planned in parallel into a reused buffer, then
    // appended to the output columns (no item-sized intermediate allocation).
    const BLOCK: usize = 1 << 16;
    let mut p = Plan::with_capacity(n);
    let mut rows: Vec<ItemPlan> = Vec::with_capacity(BLOCK.min(n));
    for start in (0..n).step_by(BLOCK) {
        let end = (start + BLOCK).min(n);
        parallel::install(|| {
            (start..end)
                .into_par_iter()
                .map(|i| plan_item(i, items, params, z))
                .collect_into_vec(&mut rows)
        });
        for r in rows.drain(..) {
            p.push(r);
        }
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
            paths: None,
            service_level: None,
        }
    }

    use crate::planning::lead_time::{DistributionChoice, DistributionKind};

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

    fn with(
        policy: Policy,
        service: ServiceType,
        level: f64,
        dist: DistributionChoice,
    ) -> PlannerParams {
        PlannerParams {
            policy,
            service_type: service,
            distribution: dist,
            review_period: 7,
            ..PlannerParams::new(level).unwrap()
        }
    }

    #[test]
    fn slow_movers_get_whole_unit_levels() {
        // 0.3 units/period with sd 0.8 per period: negative binomial lead-time demand.
        let c = one_item(vec![0.3; 20], 4.0, 5.0, 0.8);
        let p = plan(
            &with(
                Policy::SQ,
                ServiceType::Cycle,
                0.95,
                DistributionChoice::Auto,
            ),
            &items(&c),
        )
        .unwrap();
        assert_eq!(p.distribution[0], DistributionKind::NegativeBinomial);
        assert_eq!(p.reorder_point[0].fract(), 0.0);
        assert!(p.expected_cycle_service_level[0] >= 0.95);
        assert!((p.lead_time_demand[0] - 1.5).abs() < 1e-12);
    }

    #[test]
    fn periodic_review_orders_up_to_s() {
        let c = one_item(vec![10.0; 28], 30.0, 3.0, 3.0);
        let p = plan(
            &with(
                Policy::RS,
                ServiceType::FillRate,
                0.99,
                DistributionChoice::Normal,
            ),
            &items(&c),
        )
        .unwrap();
        // Protection over L + R = 10 periods: mean 100.
        assert!((p.expected_fill_rate[0] - 0.99).abs() < 1e-7);
        assert_eq!(p.reorder_point[0], p.order_up_to[0]);
        assert_eq!(p.reorder_period[0], 0);
        assert_eq!(p.order_qty[0], (p.order_up_to[0] - 30.0).ceil());
    }

    #[test]
    fn sample_paths_give_an_empirical_distribution() {
        let c = one_item(vec![1.0; 4], 2.0, 2.0, 1.0);
        // 4 paths x 4 periods: lead-time (2 periods) sums 0, 2, 4, 6.
        let values: Vec<f64> = [0.0, 1.0, 2.0, 3.0]
            .iter()
            .flat_map(|&v| [v, v, v, v])
            .collect();
        let mut it = items(&c);
        it.paths = Some(Paths {
            values: &values,
            n_paths: 4,
        });
        let p = plan(
            &with(
                Policy::SQ,
                ServiceType::Cycle,
                0.7,
                DistributionChoice::Auto,
            ),
            &it,
        )
        .unwrap();
        assert_eq!(p.distribution[0], DistributionKind::Empirical);
        assert_eq!(p.reorder_point[0], 4.0); // smallest sum with F >= 0.7 (F(4) = 0.75)
        assert!((p.lead_time_demand[0] - 3.0).abs() < 1e-12);
        it.paths = Some(Paths {
            values: &values[..8],
            n_paths: 4,
        });
        assert!(plan(&PlannerParams::new(0.7).unwrap(), &it).is_err());
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
