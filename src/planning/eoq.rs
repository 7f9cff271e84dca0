//! Order-quantity rules: the economic order quantity and rounding to supplier constraints.

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
