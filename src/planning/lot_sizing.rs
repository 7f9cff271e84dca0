//! Dynamic lot sizing: the Wagner–Whitin algorithm (Snyder & Shen Algorithm 3.1) for
//! deterministic, time-varying demand with fixed ordering and linear holding costs.

use super::args::non_negative;
use crate::error::{Error, Result};

/// Optimal order quantities for demands `d_1..d_T` (0-indexed here), fixed cost `K_t` of an
/// order placed in period `t` and holding cost `h_t` per unit carried from `t` to `t + 1`.
/// θ_t = min over s in (t, T+1] of [K_t·1{d_t + … + d_{s−1} > 0} + Σ_{i=t}^{s−1} d_i
/// (h_t + … + h_{i−1}) + θ_s] with θ_{T+1} = 0; ties go to the earliest next order.
/// Returns the order placed in each period and the optimal total cost θ_1.
///
/// # Errors
/// Lengths disagree or a value is negative or not finite.
pub fn wagner_whitin(
    demand: &[f64],
    fixed_cost: &[f64],
    holding_cost: &[f64],
) -> Result<(Vec<f64>, f64)> {
    let t_len = demand.len();
    if fixed_cost.len() != t_len || holding_cost.len() != t_len {
        return Err(Error::Shape(format!(
            "demand has {t_len} periods, fixed_cost {}, holding_cost {}",
            fixed_cost.len(),
            holding_cost.len()
        )));
    }
    for t in 0..t_len {
        non_negative("demand", demand[t])?;
        non_negative("fixed_cost", fixed_cost[t])?;
        non_negative("holding_cost", holding_cost[t])?;
    }
    let mut theta = vec![0.0; t_len + 1];
    let mut next = vec![t_len; t_len];
    for t in (0..t_len).rev() {
        let (mut best, mut best_s) = (f64::INFINITY, t + 1);
        let (mut carried, mut carry_rate, mut total) = (0.0, 0.0, 0.0);
        for (s, &theta_s) in theta.iter().enumerate().skip(t + 1) {
            // Period s − 1 joins the order placed in t.
            let i = s - 1;
            if i > t {
                carry_rate += holding_cost[i - 1];
            }
            carried += demand[i] * carry_rate;
            total += demand[i];
            let setup = if total > 0.0 { fixed_cost[t] } else { 0.0 };
            let cost = setup + carried + theta_s;
            if cost < best {
                (best, best_s) = (cost, s);
            }
        }
        theta[t] = best;
        next[t] = best_s;
    }
    let mut orders = vec![0.0; t_len];
    let mut t = 0;
    while t < t_len {
        orders[t] = demand[t..next[t]].iter().sum();
        t = next[t];
    }
    Ok((orders, theta.first().copied().unwrap_or(0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_example() {
        // Snyder & Shen Example 3.9 (stockpyl doctest): orders 210, 0, 150, 0; cost 1380.
        let (q, c) = wagner_whitin(&[90.0, 120.0, 80.0, 70.0], &[500.0; 4], &[2.0; 4]).unwrap();
        assert_eq!(q, vec![210.0, 0.0, 150.0, 0.0]);
        assert_eq!(c, 1380.0);
        assert_eq!(wagner_whitin(&[], &[], &[]).unwrap(), (vec![], 0.0));
        assert!(wagner_whitin(&[1.0], &[-1.0], &[1.0]).is_err());
    }
}
