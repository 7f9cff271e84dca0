//! Probabilistic-forecast scores over one evaluation window:
//!
//! * pinball loss at quantile u: mean_t max(u·(y_t − q_t), (u − 1)·(y_t − q_t))
//!   (Koenker; the M5 uncertainty track's numerator; utilsforecast's `quantile_loss`)
//! * interval coverage: share of periods with lo_t ≤ y_t ≤ hi_t (both ends included)
//! * Winkler score of a central 100(1 − α)% interval: mean_t of (hi − lo)
//!   + (2/α)(lo − y) when y < lo, + (2/α)(y − hi) when y > hi (Winkler 1972)

/// Mean pinball loss of quantile forecasts `q` at level `u` in (0, 1).
pub fn pinball(y: &[f64], q: &[f64], u: f64) -> f64 {
    y.iter()
        .zip(q)
        .map(|(&a, &b)| {
            let d = a - b;
            (u * d).max((u - 1.0) * d)
        })
        .sum::<f64>()
        / y.len() as f64
}

/// Share of actuals inside `[lo, hi]`.
pub fn coverage(y: &[f64], lo: &[f64], hi: &[f64]) -> f64 {
    let inside = y
        .iter()
        .zip(lo.iter().zip(hi))
        .filter(|(&a, (&l, &h))| l <= a && a <= h)
        .count();
    inside as f64 / y.len() as f64
}

/// Mean Winkler score of a central interval at `level` percent (0 < level < 100).
pub fn winkler(y: &[f64], lo: &[f64], hi: &[f64], level: f64) -> f64 {
    let alpha = (100.0 - level) / 100.0;
    y.iter()
        .zip(lo.iter().zip(hi))
        .map(|(&a, (&l, &h))| {
            let penalty = if a < l {
                2.0 / alpha * (l - a)
            } else if a > h {
                2.0 / alpha * (a - h)
            } else {
                0.0
            };
            (h - l) + penalty
        })
        .sum::<f64>()
        / y.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        let y = [1.0, 5.0, 3.0];
        let q = [2.0, 2.0, 3.0];
        // u = 0.9: over-forecast 1 costs 0.1, under-forecast 3 costs 2.7
        assert!((pinball(&y, &q, 0.9) - 2.8 / 3.0).abs() < 1e-15);
        assert!((pinball(&y, &q, 0.5) - 2.0 / 3.0).abs() < 1e-15);
        let lo = [1.0, 0.0, 4.0];
        let hi = [2.0, 4.0, 6.0];
        assert_eq!(coverage(&y, &lo, &hi), 1.0 / 3.0);
        // alpha = 0.2: widths 1, 4, 2; penalties 0, 10·1, 10·1
        assert!((winkler(&y, &lo, &hi, 80.0) - 27.0 / 3.0).abs() < 1e-12);
    }
}
