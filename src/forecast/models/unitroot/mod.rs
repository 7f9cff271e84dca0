//! The differencing tests AutoARIMA needs: KPSS and `ndiffs` for first differences,
//! the seasonal-strength heuristic, OCSB and `nsdiffs` for seasonal ones. Numbers follow
//! statsforecast's `ndiffs` / `nsdiffs` (statsmodels' KPSS, statsforecast's MSTL) and R's
//! `forecast::ocsb.test`.

mod kpss;
mod ocsb;
mod ols;
mod seasonal;

pub use kpss::{kpss, ndiffs, ndiffs_nlags, Kpss};
pub use ocsb::{ocsb, ocsb_critical_value, Ocsb};
pub use seasonal::{nsdiffs, seas_heuristic, SeasonalTest, SEASONAL_STRENGTH_THRESHOLD};

/// statsforecast's `is_constant`: every value equals the first (NaN never does).
pub(crate) fn is_constant(x: &[f64]) -> bool {
    x.first().is_some_and(|&f| x.iter().all(|&v| v == f))
}

#[cfg(test)]
mod oracle;

/// Tests' data: a deterministic pseudo-random walk's increments (uniform on [-0.5, 0.5)).
#[cfg(test)]
fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
        .collect()
}
