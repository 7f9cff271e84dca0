//! Order-quantity rules: the economic order quantity (plain, with backorders, with all-units
//! quantity discounts; Snyder & Shen ch. 3) and rounding to supplier constraints.

use super::args::{non_negative, optional, positive};
use crate::error::{Error, Result};

/// Economic order quantity `sqrt(2 K D / h)` (Harris 1913) for fixed cost per order `K`,
/// demand per period `D` and holding cost per unit per period `h`. Zero demand gives 0;
/// a zero holding cost gives +∞ (no reason to order often), which callers cap.
pub fn eoq(fixed_cost: f64, holding_cost: f64, demand_rate: f64) -> f64 {
    if demand_rate <= 0.0 {
        return 0.0;
    }
    if holding_cost <= 0.0 {
        return f64::INFINITY;
    }
    (2.0 * fixed_cost * demand_rate / holding_cost).sqrt()
}

/// The EOQ problem (Snyder & Shen eq. 3.4–3.5): `(Q*, g*)` with `Q* = sqrt(2Kλ/h)` and
/// `g* = h·Q*`; or, when `order_quantity` is given (not NaN), that `Q` and its cost
/// `g(Q) = Kλ/Q + hQ/2`.
///
/// # Errors
/// `fixed_cost` or `demand_rate` negative, `holding_cost` or `order_quantity` not positive.
pub fn eoq_solve(
    fixed_cost: f64,
    holding_cost: f64,
    demand_rate: f64,
    order_quantity: f64,
) -> Result<(f64, f64)> {
    let k = non_negative("fixed_cost", fixed_cost)?;
    let h = positive("holding_cost", holding_cost)?;
    let lambda = non_negative("demand_rate", demand_rate)?;
    match optional(order_quantity) {
        None => {
            let q = (2.0 * k * lambda / h).sqrt();
            Ok((q, q * h))
        }
        Some(q) => {
            let q = positive("order_quantity", q)?;
            Ok((q, k * lambda / q + h * q / 2.0))
        }
    }
}

/// The EOQ with planned backorders (Snyder & Shen eq. 3.27–3.29): `(Q*, x*, g*)` with
/// `Q* = sqrt(2Kλ(h+p)/(hp))`, stockout fraction `x* = h/(h+p)`, `g* = sqrt(2Kλhp/(h+p))`.
///
/// # Errors
/// A cost or the demand rate out of range.
pub fn eoq_backorders(
    fixed_cost: f64,
    holding_cost: f64,
    stockout_cost: f64,
    demand_rate: f64,
) -> Result<(f64, f64, f64)> {
    let k = non_negative("fixed_cost", fixed_cost)?;
    let h = positive("holding_cost", holding_cost)?;
    let p = positive("stockout_cost", stockout_cost)?;
    let lambda = non_negative("demand_rate", demand_rate)?;
    let q = (2.0 * k * lambda * (h + p) / (h * p)).sqrt();
    Ok((q, h / (h + p), q * h * p / (h + p)))
}

/// The EOQ with all-units quantity discounts (Snyder & Shen §3.5.2): every unit of an
/// order of `Q` in region `j` (`breakpoints[j] <= Q < breakpoints[j + 1]`) costs
/// `unit_costs[j]`, holding costs `i·c_j` per unit per period, and the cost per period is
/// `g_j(Q) = c_j λ + Kλ/Q + i c_j Q/2`. The optimum is the cheapest of each region's EOQ
/// where it falls inside its region and each breakpoint `b_k` (k >= 1) in region `k`.
/// Returns `(Q*, j*, g*)`; ties go to the region EOQs before the breakpoints and to lower
/// regions first.
///
/// # Errors
/// Breakpoints not starting at 0 or not increasing, unit costs not positive, or a length
/// mismatch.
pub fn eoq_all_units(
    fixed_cost: f64,
    holding_cost_rate: f64,
    demand_rate: f64,
    breakpoints: &[f64],
    unit_costs: &[f64],
) -> Result<(f64, usize, f64)> {
    let k = non_negative("fixed_cost", fixed_cost)?;
    let i = positive("holding_cost_rate", holding_cost_rate)?;
    let lambda = non_negative("demand_rate", demand_rate)?;
    if breakpoints.is_empty() || breakpoints[0] != 0.0 {
        return Err(Error::param("breakpoints", "must start with 0"));
    }
    if breakpoints
        .windows(2)
        .any(|w| !(w[1] > w[0] && w[1].is_finite()))
    {
        return Err(Error::param(
            "breakpoints",
            "must be finite and strictly increasing",
        ));
    }
    if unit_costs.len() != breakpoints.len() {
        return Err(Error::param(
            "unit_costs",
            format!(
                "has {} entries, breakpoints has {}",
                unit_costs.len(),
                breakpoints.len()
            ),
        ));
    }
    for &c in unit_costs {
        positive("unit_costs", c)?;
    }
    let g = |q: f64, j: usize| {
        let c = unit_costs[j];
        c * lambda + k * lambda / q + i * c * q / 2.0
    };
    let last = breakpoints.len() - 1;
    let mut best: Option<(f64, usize, f64)> = None;
    let mut consider = |q: f64, j: usize| {
        let cost = g(q, j);
        if best.is_none_or(|(_, _, b)| cost < b) {
            best = Some((q, j, cost));
        }
    };
    for (j, &c) in unit_costs.iter().enumerate() {
        let q = (2.0 * k * lambda / (i * c)).sqrt();
        let inside = q >= breakpoints[j] && (j == last || q < breakpoints[j + 1]);
        if inside && q > 0.0 {
            consider(q, j);
        }
    }
    for (j, &b) in breakpoints.iter().enumerate().skip(1) {
        consider(b, j);
    }
    best.ok_or_else(|| {
        Error::param(
            "breakpoints",
            "no feasible order quantity (zero demand or fixed cost with a single region)",
        )
    })
}

/// Supplier constraints on one order line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrderRules {
    /// Minimum order quantity (units); 0 = none.
    pub moq: f64,
    /// Orders are whole multiples of this many units (>= 1).
    pub pack_size: f64,
    /// Maximum units per order; +∞ = none.
    pub max_qty: f64,
}

impl Default for OrderRules {
    fn default() -> Self {
        OrderRules {
            moq: 0.0,
            pack_size: 1.0,
            max_qty: f64::INFINITY,
        }
    }
}

impl OrderRules {
    /// Round a wanted quantity to a feasible one: at least the MOQ, a whole number of packs
    /// (rounded up), and no more than the largest whole number of packs within `max_qty`.
    /// Non-positive wanted quantities give 0.
    pub fn round(&self, wanted: f64) -> f64 {
        if wanted <= 0.0 || wanted.is_nan() {
            return 0.0;
        }
        let q = wanted.max(self.moq);
        let packs = (q / self.pack_size - 1e-9).ceil().max(1.0);
        let cap_packs = (self.max_qty / self.pack_size + 1e-9).floor();
        packs.min(cap_packs) * self.pack_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eoq_textbook() {
        // Snyder & Shen Example 3.1: K = 8, h = 0.225, lambda = 1300 -> Q* = 304.0
        assert!((eoq(8.0, 0.225, 1300.0) - 304.0467).abs() < 1e-3);
        assert_eq!(eoq(8.0, 0.225, 0.0), 0.0);
    }

    #[test]
    fn eoq_variants_textbook() {
        // stockpyl doctests (Snyder & Shen Examples 3.1 and 3.8).
        let (q, g) = eoq_solve(8.0, 0.225, 1300.0, f64::NAN).unwrap();
        assert!(
            (q - 304.046_780_026_436_8).abs() < 1e-9 && (g - 68.410_525_505_948_29).abs() < 1e-9
        );
        let (q, x, g) = eoq_backorders(8.0, 0.225, 5.0, 1300.0).unwrap();
        assert!((q - 310.812_555_158_964_64).abs() < 1e-9);
        assert!((x - 0.043_062_200_956_937_8).abs() < 1e-12);
        assert!((g - 66.921_363_550_973_25).abs() < 1e-9);
        let (q, j, g) = eoq_all_units(
            200.0,
            0.2,
            1000.0,
            &[0.0, 200.0, 500.0],
            &[500.0, 475.0, 450.0],
        )
        .unwrap();
        assert_eq!((q, j), (500.0, 2));
        assert!((g - 472_900.0).abs() < 1e-6);
        assert!(eoq_solve(8.0, 0.0, 1300.0, f64::NAN).is_err());
        assert!(eoq_all_units(1.0, 0.2, 10.0, &[1.0, 2.0], &[3.0, 2.0]).is_err());
    }

    #[test]
    fn rounding() {
        let r = OrderRules {
            moq: 10.0,
            pack_size: 6.0,
            max_qty: 100.0,
        };
        assert_eq!(r.round(1.0), 12.0);
        assert_eq!(r.round(12.0), 12.0);
        assert_eq!(r.round(13.0), 18.0);
        assert_eq!(r.round(1000.0), 96.0);
        assert_eq!(r.round(0.0), 0.0);
        assert_eq!(OrderRules::default().round(4.2), 5.0);
    }
}
