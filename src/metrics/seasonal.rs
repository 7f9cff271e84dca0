//! Classical additive decomposition y = trend + seasonal + remainder with period m, as
//! statsmodels' `seasonal_decompose(model="additive", two_sided=True)`:
//!
//! * trend: centred moving average of order m (a 2×m average for even m), undefined for
//!   the first and last ⌊m/2⌋ periods;
//! * seasonal: the mean detrended value of each phase, centred to sum to 0;
//! * remainder: detrended − seasonal.
//!
//! Seasonal strength (Wang, Smith & Hyndman 2006; FPP3 §4.3) is
//! F_S = max(0, 1 − Var(remainder) / Var(seasonal + remainder)) over the periods where
//! the trend is defined.

/// A decomposition of one series; `trend` and `remainder` are NaN where undefined.
#[derive(Debug, Clone, PartialEq)]
pub struct Decomposition {
    /// Centred moving average.
    pub trend: Vec<f64>,
    /// Seasonal component (periodic with period m).
    pub seasonal: Vec<f64>,
    /// y − trend − seasonal.
    pub remainder: Vec<f64>,
}

/// Centred moving average of order `m` (NaN at both ends).
pub fn moving_average(y: &[f64], m: usize) -> Vec<f64> {
    let n = y.len();
    let half = m / 2;
    let mut trend = vec![f64::NAN; n];
    if m == 0 || n < m + (m + 1) % 2 {
        return trend;
    }
    // weights: 1/m each over m values (odd m); 1/(2m), 1/m ×(m−1), 1/(2m) over m+1 (even m)
    for (t, out) in trend.iter_mut().enumerate().take(n - half).skip(half) {
        let w = &y[t - half..=t + half];
        *out = if m % 2 == 1 {
            w.iter().sum::<f64>() / m as f64
        } else {
            (0.5 * w[0] + w[1..m].iter().sum::<f64>() + 0.5 * w[m]) / m as f64
        };
    }
    trend
}

/// Decompose `y` with period `m >= 2`; `None` when the series is shorter than 2m.
pub fn decompose(y: &[f64], m: usize) -> Option<Decomposition> {
    let n = y.len();
    if m < 2 || n < 2 * m {
        return None;
    }
    let trend = moving_average(y, m);
    let mut sums = vec![0.0; m];
    let mut counts = vec![0usize; m];
    for (t, (&v, &tr)) in y.iter().zip(&trend).enumerate() {
        if tr.is_finite() {
            sums[t % m] += v - tr;
            counts[t % m] += 1;
        }
    }
    let phase: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 })
        .collect();
    let centre = phase.iter().sum::<f64>() / m as f64;
    let seasonal: Vec<f64> = (0..n).map(|t| phase[t % m] - centre).collect();
    let remainder = (0..n).map(|t| y[t] - trend[t] - seasonal[t]).collect();
    Some(Decomposition {
        trend,
        seasonal,
        remainder,
    })
}

fn variance(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = values.clone().count() as f64;
    let mean = values.clone().sum::<f64>() / n;
    values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / n
}

/// Seasonal strength F_S in [0, 1]; NaN when the series is shorter than 2m or m < 2,
/// 0 when the detrended series is constant.
pub fn seasonal_strength(y: &[f64], m: usize) -> f64 {
    let Some(d) = decompose(y, m) else {
        return f64::NAN;
    };
    let valid = || {
        d.remainder
            .iter()
            .zip(&d.seasonal)
            .filter(|(r, _)| r.is_finite())
    };
    let var_r = variance(valid().map(|(r, _)| *r));
    let var_sr = variance(valid().map(|(r, s)| r + s));
    if var_sr <= 0.0 {
        return 0.0;
    }
    (1.0 - var_r / var_sr).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_averages() {
        let y = [1.0, 2.0, 3.0, 4.0, 5.0];
        let t = moving_average(&y, 3);
        assert!(t[0].is_nan() && t[4].is_nan());
        assert_eq!(&t[1..4], &[2.0, 3.0, 4.0]);
        // 2×2 average at t = 1: (0.5·1 + 2 + 0.5·3) / 2
        let t = moving_average(&y, 2);
        assert_eq!(t[1], 2.0);
        assert!(t[4].is_nan());
    }

    #[test]
    fn pure_season_has_strength_one() {
        let y: Vec<f64> = (0..28)
            .map(|t| [5.0, 1.0, 1.0, 1.0, 2.0, 9.0, 0.0][t % 7])
            .collect();
        assert!((seasonal_strength(&y, 7) - 1.0).abs() < 1e-12);
        let d = decompose(&y, 7).unwrap();
        assert!(d.seasonal[..7].iter().sum::<f64>().abs() < 1e-12);
        assert_eq!(seasonal_strength(&[3.0; 20], 7), 0.0);
        assert!(seasonal_strength(&y[..13], 7).is_nan());
        assert!(seasonal_strength(&y, 1).is_nan());
    }
}
