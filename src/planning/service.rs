//! Service levels of a policy under daily (periodic) review, and the stock level that meets
//! a target. Reviews happen at the start of a period and an order arrives `L` periods
//! later, so with `D` the demand over the lead time and `D⁺` the demand over the lead time
//! plus one review period `R`:
//!
//! * (s, Q) and (s, S): the cycle service level is P(D <= s) (continuous-review textbook
//!   value; it ignores the undershoot of s at a review). The fill rate is exact for the
//!   periodic (s, nQ) policy, whose position after ordering is uniform on (s, s + Q]:
//!   the shortage per period is E[(D⁺ − y)⁺ − (D − y)⁺] averaged over y, which the
//!   second-order loss functions give in closed form:
//!   `1 − [(N2⁺(s) − N2⁺(s+Q)) − (N2(s) − N2(s+Q))] / (Q·d)` (for (s, S), Q = S − s).
//! * (R, S) and base stock (R = 1): the cycle service level is P(D⁺ <= S) and the fill rate
//!   `1 − [n⁺(S) − n(S)] / (R·d)`, both exact with backorders.
//!
//! `d` is the mean demand per period.

use super::lead_time::Demand;
use super::policy::Policy;
use super::safety_stock::ServiceType;

/// The two demand distributions a policy's service depends on.
#[derive(Debug, Clone)]
pub struct Interval {
    /// Demand over the lead time.
    pub lead: Demand,
    /// Demand over the lead time plus one review period.
    pub protect: Demand,
    /// Mean demand per period.
    pub rate: f64,
    /// Review period R (1 for the continuous-review policies).
    pub review: f64,
}

/// Expected fill rate (fraction of demand met from stock) at stock level `level`
/// (s for (s, Q) / (s, S), S for (R, S) / base stock), with order quantity `q` for (s, Q).
pub fn expected_fill_rate(policy: Policy, iv: &Interval, level: f64, q: f64) -> f64 {
    if iv.rate <= 0.0 {
        return 1.0;
    }
    let short = match policy {
        Policy::SQ | Policy::SS if q > 0.0 => {
            let span = |d: &Demand| d.loss2(level) - d.loss2(level + q);
            (span(&iv.protect) - span(&iv.lead)) / q
        }
        Policy::SQ | Policy::SS => iv.protect.loss(level) - iv.lead.loss(level),
        Policy::RS | Policy::BaseStock => {
            (iv.protect.loss(level) - iv.lead.loss(level)) / iv.review
        }
    };
    (1.0 - short / iv.rate).clamp(0.0, 1.0)
}

/// Expected cycle service level (probability of no stockout in a replenishment cycle).
pub fn expected_cycle_service_level(policy: Policy, iv: &Interval, level: f64) -> f64 {
    match policy {
        Policy::SQ | Policy::SS => iv.lead.cdf(level),
        Policy::RS | Policy::BaseStock => iv.protect.cdf(level),
    }
}

/// The stock level (s, or S for the order-up-to policies) that meets `target`: the
/// α-quantile of the right interval for a cycle service level; for a fill rate the smallest
/// level whose [`expected_fill_rate`] reaches β (an integer for discrete demand).
pub fn level_for_target(
    policy: Policy,
    service: ServiceType,
    target: f64,
    iv: &Interval,
    q: f64,
) -> f64 {
    let (interval, other) = match policy {
        Policy::SQ | Policy::SS => (&iv.lead, &iv.protect),
        Policy::RS | Policy::BaseStock => (&iv.protect, &iv.lead),
    };
    match service {
        ServiceType::Cycle => interval.quantile(target),
        ServiceType::FillRate => {
            if iv.rate <= 0.0 {
                return interval.quantile(0.5).min(0.0);
            }
            let fill = |x: f64| expected_fill_rate(policy, iv, x, q);
            let start = interval.quantile(0.5);
            let scale = other.sd().max(interval.sd()).max(1.0);
            smallest_meeting(fill, target, start, scale, interval.is_integer())
        }
    }
}

/// Smallest x (integer when `integer`) with `f(x) >= target`, for non-decreasing `f`:
/// exponential bracketing from `start`, then bisection.
fn smallest_meeting(
    f: impl Fn(f64) -> f64,
    target: f64,
    start: f64,
    scale: f64,
    integer: bool,
) -> f64 {
    let snap = |x: f64| if integer { x.round() } else { x };
    let (mut lo, mut hi) = (snap(start - scale), snap(start));
    let mut step = scale;
    let mut guard = 0;
    while f(hi) < target && guard < 200 {
        lo = hi;
        hi = snap(hi + step);
        step *= 2.0;
        guard += 1;
    }
    step = scale;
    while f(lo) >= target && guard < 400 {
        hi = lo;
        lo = snap(lo - step);
        step *= 2.0;
        guard += 1;
    }
    // Invariant: f(lo) < target <= f(hi).
    for _ in 0..200 {
        if integer {
            if hi - lo <= 1.0 {
                break;
            }
            let mid = (0.5 * (lo + hi)).floor();
            if f(mid) >= target {
                hi = mid;
            } else {
                lo = mid;
            }
        } else {
            if hi - lo <= 1e-9 * hi.abs().max(1.0) {
                break;
            }
            let mid = 0.5 * (lo + hi);
            if f(mid) >= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::discrete::Discrete;

    fn poisson_interval(mean: f64, lead: f64, review: f64) -> Interval {
        Interval {
            lead: Demand::Discrete(Discrete::Poisson { mean: mean * lead }),
            protect: Demand::Discrete(Discrete::Poisson {
                mean: mean * (lead + review),
            }),
            rate: mean,
            review,
        }
    }

    #[test]
    fn s_q_fill_rate_is_the_uniform_average() {
        // Direct average over y = r+1..r+Q of n⁺(y) − n(y).
        let iv = poisson_interval(3.0, 3.0, 1.0);
        let (r, q) = (10.0, 20.0);
        let direct: f64 = (11..=30)
            .map(|y| iv.protect.loss(f64::from(y)) - iv.lead.loss(f64::from(y)))
            .sum::<f64>()
            / q;
        let fill = expected_fill_rate(Policy::SQ, &iv, r, q);
        assert!((fill - (1.0 - direct / 3.0)).abs() < 1e-12);
        assert!((fill - 0.920_933_594_814_766_8).abs() < 1e-9);
    }

    #[test]
    fn targets_are_met_by_the_smallest_level() {
        let iv = poisson_interval(2.5, 4.0, 7.0);
        for policy in [Policy::SQ, Policy::RS] {
            for beta in [0.8, 0.95, 0.995] {
                let s = level_for_target(policy, ServiceType::FillRate, beta, &iv, 15.0);
                assert_eq!(s.fract(), 0.0);
                assert!(expected_fill_rate(policy, &iv, s, 15.0) >= beta);
                assert!(expected_fill_rate(policy, &iv, s - 1.0, 15.0) < beta);
            }
        }
        let normal = Interval {
            lead: Demand::Normal {
                mean: 40.0,
                sd: 6.0,
            },
            protect: Demand::Normal {
                mean: 50.0,
                sd: 6.7,
            },
            rate: 10.0,
            review: 1.0,
        };
        let s = level_for_target(Policy::SQ, ServiceType::FillRate, 0.98, &normal, 45.0);
        assert!((expected_fill_rate(Policy::SQ, &normal, s, 45.0) - 0.98).abs() < 1e-8);
        let s = level_for_target(Policy::SQ, ServiceType::Cycle, 0.95, &normal, 45.0);
        assert!((expected_cycle_service_level(Policy::SQ, &normal, s) - 0.95).abs() < 1e-12);
    }
}
