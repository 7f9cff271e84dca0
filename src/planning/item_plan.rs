//! One item's plan: its demand distributions over the lead time and over the lead time plus
//! a review period, the policy's stock levels for the service target, the expected service
//! at those levels, and the projection of its inventory position over the forecast
//! horizon that dates the next order and the first stockout.

use super::eoq::{eoq, OrderRules};
use super::lead_time::{Demand, DistributionChoice, DistributionKind};
use super::normal;
use super::planner::{Items, NoOrderReason, PlannerParams};
use super::policy::Policy;
use super::safety_stock::ServiceType;
use super::service::{
    expected_cycle_service_level, expected_fill_rate, level_for_target, Interval,
};

/// Demand over the first `l` periods of `path`, a fractional last period pro rata; beyond
/// the path's end the periods are filled with `rate`.
pub fn demand_over(path: &[f64], l: f64, rate: f64) -> f64 {
    let l = l.max(0.0);
    let whole = l.floor() as usize;
    let frac = l - whole as f64;
    let inside = whole.min(path.len());
    let mut s: f64 = path[..inside].iter().sum();
    s += (whole - inside) as f64 * rate;
    if frac > 0.0 {
        s += frac * path.get(whole).copied().unwrap_or(rate);
    }
    s
}

/// One item's results.
pub struct ItemPlan {
    pub mu_l: f64,
    pub sd_l: f64,
    pub ss: f64,
    pub rop: f64,
    pub eoq: f64,
    pub qty: f64,
    pub up_to: f64,
    pub reorder: i64,
    pub stockout: i64,
    pub dos: f64,
    pub reason: NoOrderReason,
    pub fill: f64,
    pub csl: f64,
    pub kind: DistributionKind,
}

/// The item's demand over the lead time and over lead time + review.
fn intervals(
    i: usize,
    items: &Items<'_>,
    params: &PlannerParams,
    path: MeanPath<'_>,
    rate: f64,
) -> Interval {
    let (l, review) = (items.lead_time[i], params.review() as f64);
    let (sigma, lt_sd) = (items.sigma[i], items.lead_time_sd[i]);
    let use_paths = params.distribution == DistributionChoice::Auto;
    if let (Some(p), true) = (items.paths, use_paths) {
        let h = items.horizon;
        let block = &p.values[i * p.n_paths * h..(i + 1) * p.n_paths * h];
        let (mut lead, mut protect) =
            (Vec::with_capacity(p.n_paths), Vec::with_capacity(p.n_paths));
        for (j, row) in block.chunks_exact(h).enumerate() {
            // Lead-time variability: path j gets the ((j + ½)/n)-quantile of the lead time
            // (the paths are exchangeable, so this pairing is a valid random pairing).
            let lj = if lt_sd > 0.0 {
                (l + lt_sd * normal::quantile((j as f64 + 0.5) / p.n_paths as f64)).max(0.0)
            } else {
                l
            };
            let row_rate = row.iter().map(|v| v.max(0.0)).sum::<f64>() / h as f64;
            let clean: Vec<f64> = row.iter().map(|v| v.max(0.0)).collect();
            lead.push(demand_over(&clean, lj, row_rate));
            protect.push(demand_over(&clean, lj + review, row_rate));
        }
        return Interval {
            lead: Demand::from_samples(lead),
            protect: Demand::from_samples(protect),
            rate,
            review,
        };
    }
    let moments = |len: f64| {
        (
            path.over(len, rate),
            (len * sigma * sigma + rate * rate * lt_sd * lt_sd).sqrt(),
        )
    };
    let (mu_l, sd_l) = moments(l);
    let (mu_p, sd_p) = moments(l + review);
    // One family for both intervals, chosen on the protection interval's mean.
    let choice = match params.distribution {
        DistributionChoice::Auto if mu_p < params.discrete_below => DistributionChoice::Discrete,
        DistributionChoice::Auto => DistributionChoice::Normal,
        other => other,
    };
    Interval {
        lead: Demand::from_moments(mu_l, sd_l, choice, params.discrete_below),
        protect: Demand::from_moments(mu_p, sd_p, choice, params.discrete_below),
        rate,
        review,
    }
}

/// Item `i`'s forecast mean per period, negative values read as 0: a row of the demand
/// matrix, or one constant rate per item over the horizon.
#[derive(Debug, Clone, Copy)]
enum MeanPath<'a> {
    Row(&'a [f64]),
    Constant(f64, usize),
}

impl<'a> MeanPath<'a> {
    fn of(i: usize, items: &Items<'a>) -> Self {
        let h = items.horizon;
        if items.demand.len() == items.on_hand.len() && h != 1 {
            MeanPath::Constant(items.demand[i].max(0.0), h)
        } else {
            MeanPath::Row(&items.demand[i * h..(i + 1) * h])
        }
    }

    fn len(self) -> usize {
        match self {
            MeanPath::Row(r) => r.len(),
            MeanPath::Constant(_, h) => h,
        }
    }

    fn at(self, t: usize) -> f64 {
        match self {
            MeanPath::Row(r) => r[t].max(0.0),
            MeanPath::Constant(v, _) => v,
        }
    }

    /// Mean per period over the horizon.
    fn rate(self) -> f64 {
        match self {
            MeanPath::Row([]) => 0.0,
            MeanPath::Row(r) => r.iter().map(|v| v.max(0.0)).sum::<f64>() / r.len() as f64,
            MeanPath::Constant(v, _) => v,
        }
    }

    /// Demand over the first `l` periods (see [`demand_over`]).
    fn over(self, l: f64, rate: f64) -> f64 {
        match self {
            MeanPath::Constant(v, _) => v * l.max(0.0),
            MeanPath::Row(r) => {
                let l = l.max(0.0);
                let whole = l.floor() as usize;
                let frac = l - whole as f64;
                let inside = whole.min(r.len());
                let mut s: f64 = r[..inside].iter().map(|v| v.max(0.0)).sum();
                s += (whole - inside) as f64 * rate;
                if frac > 0.0 {
                    s += frac * r.get(whole).map_or(rate, |v| v.max(0.0));
                }
                s
            }
        }
    }
}

/// Mean demand per period below which an item counts as having no demand: smoothing models
/// (TSB, SES) decay towards 0 without reaching it, and a reorder point of 0 must not
/// trigger orders for items that stopped selling.
const NEGLIGIBLE_RATE: f64 = 1e-9;

/// Plan item `i` (inputs already validated). `z` is Φ⁻¹ of the planner's service level,
/// computed once for all items.
pub fn plan_item(i: usize, items: &Items<'_>, params: &PlannerParams, z: f64) -> ItemPlan {
    let path = MeanPath::of(i, items);
    let rate = path.rate();
    let iv = intervals(i, items, params, path, rate);
    let q_eoq = eoq(items.order_cost[i], items.holding_cost[i], rate);
    let rules = OrderRules {
        moq: items.moq[i],
        pack_size: items.pack_size[i],
        max_qty: items.max_qty[i],
    };
    let q = rules.round(q_eoq);
    let target = items.service_level.map_or(params.service_level, |l| l[i]);
    // A normal cycle-service level is μ + zσ with the shared z, and meets it exactly.
    let interval = match params.policy {
        Policy::SQ | Policy::SS => &iv.lead,
        Policy::RS | Policy::BaseStock => &iv.protect,
    };
    let exact_normal = match interval {
        Demand::Normal { mean, sd } if *sd > 0.0 => Some((mean, sd)),
        _ => None,
    }
    .filter(|_| params.service_type == ServiceType::Cycle && target == params.service_level);
    let level = match exact_normal {
        Some((mean, sd)) => mean + sd * z,
        None => level_for_target(params.policy, params.service_type, target, &iv, q),
    };
    let (mu_l, sd_l) = (iv.lead.mean(), iv.lead.sd());
    let (rop, up_to, ss) = match params.policy {
        Policy::SQ | Policy::SS => (level, level + q, level - mu_l),
        Policy::RS | Policy::BaseStock => (level, level, level - iv.protect.mean()),
    };
    let fill = expected_fill_rate(params.policy, &iv, level, q);
    let csl = match exact_normal {
        Some(_) => target,
        None => expected_cycle_service_level(params.policy, &iv, level),
    };
    let (reorder, stockout, qty) = project(i, items, params, path, rate, rop, up_to, q_eoq, &rules);
    let reason = if reorder >= 0 {
        NoOrderReason::Ordered
    } else if rate <= NEGLIGIBLE_RATE {
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
        up_to,
        reorder,
        stockout,
        dos,
        reason,
        fill,
        csl,
        kind: iv.lead.kind(),
    }
}

/// Walk the mean forecast: day t starts with position `ip`; the policy decides whether day
/// t is the reorder day and how much to order. Stock runs out on the first day cumulative
/// demand exceeds on hand (stock on order is not counted: its arrival date is unknown).
#[allow(clippy::too_many_arguments)]
fn project(
    i: usize,
    items: &Items<'_>,
    params: &PlannerParams,
    path: MeanPath<'_>,
    rate: f64,
    rop: f64,
    up_to: f64,
    q_eoq: f64,
    rules: &OrderRules,
) -> (i64, i64, f64) {
    let (mut ip, mut oh) = (items.on_hand[i] + items.on_order[i], items.on_hand[i]);
    let (mut reorder, mut stockout) = (-1i64, if oh < 0.0 { 0 } else { -1i64 });
    let mut qty = 0.0;
    let active = rate > NEGLIGIBLE_RATE || rop > 0.0;
    let review = params.review();
    for t in 0..path.len() {
        let d = path.at(t);
        if reorder < 0 && active {
            let wanted = match params.policy {
                Policy::SQ if ip <= rop => Some(q_eoq.max(rop - ip)),
                Policy::SS if ip <= rop => Some(up_to - ip),
                Policy::RS if t % review == 0 && ip < up_to => Some(up_to - ip),
                Policy::BaseStock if ip < up_to => Some(up_to - ip),
                _ => None,
            };
            if let Some(w) = wanted {
                reorder = t as i64;
                qty = rules.round(w);
            }
        }
        ip -= d;
        oh -= d;
        if stockout < 0 && oh < 0.0 {
            stockout = t as i64;
        }
    }
    (reorder, stockout, qty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demand_over_fractions_and_extrapolation() {
        let path = [1.0, 2.0, 3.0];
        assert_eq!(demand_over(&path, 2.5, 9.0), 4.5);
        assert_eq!(demand_over(&path, 5.0, 2.0), 10.0);
        assert_eq!(demand_over(&path, 0.0, 2.0), 0.0);
    }
}
