//! Seasonal differencing as statsforecast's `nsdiffs(x, test="seas", period, max_D)`
//! (R's `forecast::nsdiffs`): the seasonal-strength heuristic `seas_heuristic` (difference
//! when the MSTL seasonal strength exceeds 0.64), or optionally the OCSB test.

use super::super::decompose::seasonal_strength_one;
use super::is_constant;
use super::ocsb::ocsb;

/// statsforecast's (and R's) threshold on the seasonal strength, chosen on M3.
pub const SEASONAL_STRENGTH_THRESHOLD: f64 = 0.64;

/// The seasonal test behind [`nsdiffs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SeasonalTest {
    /// Seasonal strength of the MSTL fit above 0.64 (statsforecast's only test: its
    /// `test="ocsb"` silently runs this one too).
    #[default]
    Seas,
    /// The OCSB test with AIC lag selection up to 3 lags, as R's `nsdiffs(test="ocsb")`.
    Ocsb,
}

/// statsforecast's `seas_heuristic(x, period)`: the seasonal strength of the single-period
/// MSTL fit (STL with seasonal window 11 and degree 0), `max(0, min(1, 1 - Var(R)/Var(R+S)))`.
/// Like statsforecast it runs on any `period < n` (statsmodels accepts fewer than two full
/// periods). NaN when it cannot run (`period < 2`, `period >= n`, non-finite values).
pub fn seas_heuristic(x: &[f64], period: usize) -> f64 {
    seasonal_strength_one(x, period).unwrap_or(f64::NAN)
}

/// Whether the chosen test asks for a seasonal difference (a test that cannot run does
/// not, as statsforecast's `run_tests` catching the error).
fn dodiff(x: &[f64], period: usize, test: SeasonalTest) -> bool {
    match test {
        SeasonalTest::Seas => seas_heuristic(x, period) > SEASONAL_STRENGTH_THRESHOLD,
        SeasonalTest::Ocsb => ocsb(x, period, 3).is_some_and(|o| o.needs_difference()),
    }
}

/// Number of seasonal differences (at most `max_d`) as statsforecast's `nsdiffs(x, test,
/// period=period, max_D=max_d)`: 0 for a constant series, `period <= 1` (where
/// statsforecast raises "Non seasonal data") or `period >= n`; otherwise difference at lag
/// `period` while the test asks for it, stopping when the differenced series is constant,
/// and re-testing only while fewer than `max_d` differences were taken and at least two
/// periods remain.
pub fn nsdiffs(x: &[f64], period: usize, max_d: usize, test: SeasonalTest) -> usize {
    if x.is_empty() || is_constant(x) || period <= 1 || period >= x.len() {
        return 0;
    }
    let mut d = 0;
    let mut x = x.to_vec();
    let mut diff = dodiff(&x, period, test);
    while diff && d < max_d {
        d += 1;
        x = (period..x.len()).map(|t| x[t] - x[t - period]).collect();
        if x.is_empty() || is_constant(&x) {
            return d;
        }
        diff = x.len() >= 2 * period && d < max_d && dodiff(&x, period, test);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::super::noise;
    use super::*;

    #[test]
    fn strong_season_is_differenced_noise_is_not() {
        let week = [1.0, 5.0, 2.0, 2.0, 3.0, 4.0, 9.0];
        let e = noise(140, 5);
        let y: Vec<f64> = e.iter().enumerate().map(|(t, v)| week[t % 7] + v).collect();
        assert!(seas_heuristic(&y, 7) > 0.9);
        assert_eq!(nsdiffs(&y, 7, 1, SeasonalTest::Seas), 1);
        assert!(seas_heuristic(&e, 7) < 0.64);
        assert_eq!(nsdiffs(&e, 7, 1, SeasonalTest::Seas), 0);
        assert_eq!(nsdiffs(&e, 7, 1, SeasonalTest::Ocsb), 0);
        // A pure repeating pattern differences to a constant.
        let pure: Vec<f64> = (0..70).map(|t| week[t % 7]).collect();
        assert_eq!(nsdiffs(&pure, 7, 2, SeasonalTest::Seas), 1);
        assert_eq!(nsdiffs(&y, 7, 0, SeasonalTest::Seas), 0);
    }

    #[test]
    fn reference_values_from_statsforecast() {
        // t = np.arange(60.); y = np.array([1,5,2,2,3,4,9.])[t % 7] + 0.05*t + ((t*37) % 11)/10
        // statsforecast.arima.seas_heuristic(y, 7); seas_heuristic(y[:10], 7) (short: STL
        // on fewer than two periods, as statsmodels allows)
        let week = [1.0, 5.0, 2.0, 2.0, 3.0, 4.0, 9.0];
        let y: Vec<f64> = (0..60)
            .map(|t| week[t % 7] + 0.05 * t as f64 + ((t * 37) % 11) as f64 / 10.0)
            .collect();
        assert!((seas_heuristic(&y, 7) - REF_FULL).abs() < 1e-9);
        assert!((seas_heuristic(&y[..10], 7) - REF_SHORT).abs() < 1e-9);
    }

    const REF_FULL: f64 = 0.9863837776896682;
    const REF_SHORT: f64 = 0.9943689681797172;

    #[test]
    fn guards() {
        assert_eq!(nsdiffs(&[], 7, 1, SeasonalTest::Seas), 0);
        assert_eq!(nsdiffs(&[3.0; 30], 7, 1, SeasonalTest::Seas), 0);
        assert_eq!(nsdiffs(&noise(30, 2), 1, 1, SeasonalTest::Seas), 0);
        assert_eq!(nsdiffs(&noise(6, 2), 7, 1, SeasonalTest::Seas), 0);
        let mut z = noise(30, 2);
        z[4] = f64::NAN;
        assert_eq!(nsdiffs(&z, 7, 1, SeasonalTest::Seas), 0);
        assert_eq!(nsdiffs(&z, 7, 1, SeasonalTest::Ocsb), 0);
        assert!(seas_heuristic(&noise(7, 2), 7).is_nan());
    }
}
