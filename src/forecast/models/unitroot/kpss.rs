//! The KPSS level-stationarity test (Kwiatkowski, Phillips, Schmidt & Shin 1992) as
//! statsmodels' `kpss(x, "c", nlags)` computes it, and statsforecast's `ndiffs`, which
//! differences a series until KPSS no longer rejects stationarity.

use super::super::sums::numpy_sum;
use super::is_constant;

/// statsmodels' critical values of the level test (10 %, 5 %, 2.5 %, 1 %).
const CRIT: [f64; 4] = [0.347, 0.463, 0.574, 0.739];
/// Their p-values.
const PVALS: [f64; 4] = [0.10, 0.05, 0.025, 0.01];

/// A KPSS test result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kpss {
    /// `Σ S_t² / (n² σ̂²)` with `S_t` the partial sums of `y - mean(y)` and `σ̂²` the
    /// Bartlett-weighted long-run variance with `nlags` lags.
    pub stat: f64,
    /// statsmodels' p-value: linear interpolation in the critical-value table, clipped to
    /// [0.01, 0.10] outside it (NaN for a NaN statistic).
    pub p_value: f64,
}

/// The lags statsforecast's `ndiffs` uses: `floor(3 sqrt(n) / 13)`.
pub fn ndiffs_nlags(n: usize) -> usize {
    (3.0 * (n as f64).sqrt() / 13.0).floor() as usize
}

/// KPSS level-stationarity test of `y` with `nlags` lags. `None` when `nlags >= n` (where
/// statsmodels raises) or `y` is empty. A constant series gives a NaN statistic.
pub fn kpss(y: &[f64], nlags: usize) -> Option<Kpss> {
    let n = y.len();
    if n == 0 || nlags >= n {
        return None;
    }
    let mean = numpy_sum(y) / n as f64;
    let resid: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let mut cum = 0.0;
    let cum_sq: Vec<f64> = resid
        .iter()
        .map(|r| {
            cum += r;
            cum * cum
        })
        .collect();
    let nf = n as f64;
    let eta = numpy_sum(&cum_sq) / (nf * nf);
    let sq: Vec<f64> = resid.iter().map(|r| r * r).collect();
    let mut s_hat = numpy_sum(&sq);
    for i in 1..=nlags {
        let prod: f64 = resid[i..].iter().zip(&resid).map(|(a, b)| a * b).sum();
        s_hat += 2.0 * prod * (1.0 - i as f64 / (nlags as f64 + 1.0));
    }
    let stat = eta / (s_hat / nf);
    Some(Kpss {
        stat,
        p_value: p_value(stat),
    })
}

/// numpy's `interp(stat, CRIT, PVALS)`.
fn p_value(stat: f64) -> f64 {
    if stat.is_nan() {
        return f64::NAN;
    }
    if stat <= CRIT[0] {
        return PVALS[0];
    }
    if stat >= CRIT[3] {
        return PVALS[3];
    }
    let j = CRIT.iter().rposition(|&c| c <= stat).unwrap_or(0).min(2);
    let slope = (PVALS[j + 1] - PVALS[j]) / (CRIT[j + 1] - CRIT[j]);
    slope * (stat - CRIT[j]) + PVALS[j]
}

/// Whether KPSS rejects level stationarity at `alpha` (statsforecast's `run_tests`; a test
/// that cannot run, or a NaN p-value, does not reject).
fn rejects(x: &[f64], alpha: f64) -> bool {
    kpss(x, ndiffs_nlags(x.len())).is_some_and(|k| k.p_value < alpha)
}

/// Number of first differences statsforecast's `ndiffs(x, alpha, test="kpss",
/// max_d=max_d)` takes: NaN values are removed; `alpha` is clamped to [0.01, 0.1]; 0 for an
/// empty or constant series; then while KPSS rejects and fewer than `max_d` differences
/// were taken, difference again, stopping as soon as the differenced series is constant.
///
/// Quirk kept for agreement: statsforecast drops the first value of each differenced
/// series (`diff(x, 1, 1)[1:]` where `diff` already drops the undefined one), so the
/// `d`-th differenced series has `n - 2d` values.
pub fn ndiffs(y: &[f64], alpha: f64, max_d: usize) -> usize {
    let alpha = alpha.clamp(0.01, 0.1);
    let mut x: Vec<f64> = y.iter().copied().filter(|v| !v.is_nan()).collect();
    if x.is_empty() || is_constant(&x) {
        return 0;
    }
    let mut d = 0;
    let mut dodiff = rejects(&x, alpha);
    while dodiff && d < max_d {
        d += 1;
        x = x.windows(2).skip(1).map(|w| w[1] - w[0]).collect();
        if x.is_empty() || is_constant(&x) {
            return d;
        }
        dodiff = rejects(&x, alpha);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::super::noise;
    use super::*;

    #[test]
    fn stationary_series_passes_random_walk_fails() {
        let e = noise(400, 7);
        let stat = kpss(&e, ndiffs_nlags(400)).unwrap();
        assert!(stat.p_value > 0.05, "{stat:?}");
        let walk: Vec<f64> = e
            .iter()
            .scan(0.0, |s, v| {
                *s += v;
                Some(*s)
            })
            .collect();
        let stat = kpss(&walk, ndiffs_nlags(400)).unwrap();
        assert!(stat.p_value < 0.05 && stat.stat > 0.463, "{stat:?}");
        assert_eq!(ndiffs(&e, 0.05, 2), 0);
        assert_eq!(ndiffs(&walk, 0.05, 2), 1);
        assert_eq!(ndiffs(&walk, 0.05, 0), 0);
    }

    #[test]
    fn reference_values_from_statsmodels() {
        // t = np.arange(50.); y = np.sin(t) + c*t; kpss(y, "c", nlags=L)[:2]; ndiffs(y)
        let series =
            |c: f64| -> Vec<f64> { (0..50).map(|t| (t as f64).sin() + c * t as f64).collect() };
        let y = series(0.02);
        let k = kpss(&y, 1).unwrap();
        assert!((k.stat - 0.3457228058157274).abs() < 1e-12, "{k:?}");
        assert_eq!(k.p_value, 0.1);
        let k = kpss(&y, 4).unwrap();
        assert!((k.stat - 0.6089662327950051).abs() < 1e-12, "{k:?}");
        assert!((k.p_value - 0.021821251564090448).abs() < 1e-12);
        assert_eq!(ndiffs(&y, 0.05, 2), 0);
        let y = series(0.03);
        let k = kpss(&y, 1).unwrap();
        assert!((k.stat - 0.7193741714901427).abs() < 1e-12, "{k:?}");
        assert!((k.p_value - 0.011784166228168844).abs() < 1e-12);
        assert_eq!(ndiffs(&y, 0.05, 2), 1);
    }

    #[test]
    fn interpolation_and_guards() {
        assert_eq!(p_value(0.1), 0.10);
        assert_eq!(p_value(0.347), 0.10);
        assert_eq!(p_value(0.463), 0.05);
        assert!((p_value(0.405) - 0.075).abs() < 1e-15);
        assert_eq!(p_value(2.0), 0.01);
        assert!(p_value(f64::NAN).is_nan());
        assert!(kpss(&[1.0, 2.0], 2).is_none());
        assert!(kpss(&[], 0).is_none());
        assert!(kpss(&[3.0; 5], 1).unwrap().stat.is_nan());
        assert_eq!(ndiffs(&[], 0.05, 2), 0);
        assert_eq!(ndiffs(&[2.0, f64::NAN, 2.0], 0.05, 2), 0);
        // A line differences to a constant at once.
        let line: Vec<f64> = (0..60).map(|t| 2.0 * t as f64).collect();
        assert_eq!(ndiffs(&line, 0.05, 2), 1);
        // A quadratic needs two.
        let quad: Vec<f64> = (0..60).map(|t| (t * t) as f64).collect();
        assert_eq!(ndiffs(&quad, 0.05, 2), 2);
    }
}
