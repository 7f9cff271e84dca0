//! Seasonal adjustment before the theta models, as statsforecast's `auto_theta` does it:
//! a 90% one-sided autocorrelation test at lag `m`, then classical decomposition
//! (statsmodels' `seasonal_decompose`: centred moving-average trend, per-position means of
//! the detrended series, normalised).

/// How the seasonal component combines with the deseasonalised series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `y = s + a`.
    Additive,
    /// `y = s · a`.
    Multiplicative,
}

/// The seasonal adjustment of one series.
#[derive(Debug, Clone, PartialEq)]
pub struct Seasonal {
    /// How it applies.
    pub mode: Mode,
    /// The per-position seasonal indices; period `t` (0-based) uses `indices[t % m]`.
    pub indices: Vec<f64>,
}

use super::super::sums::numpy_sum;

/// One-sided 95% standard-normal quantile (scipy's `norm.ppf(0.95)`).
const Z95: f64 = 1.6448536269514722;

fn numpy_mean(x: &[f64]) -> f64 {
    numpy_sum(x) / x.len() as f64
}

/// Whether statsforecast deseasonalises `y` with period `m`: `m >= 4`, at least two
/// seasons, and `|r_m| / sqrt((1 + 2 Σ_{k<m} r_k²) / n) > z_0.95` with `r_k` the sample
/// autocorrelations. A constant series (undefined autocorrelation) is not seasonal.
pub fn is_seasonal(y: &[f64], m: usize) -> bool {
    let n = y.len();
    if m < 4 || n < 2 * m {
        return false;
    }
    let mean = numpy_mean(y);
    let xo: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let acov = |k: usize| -> f64 {
        let s: f64 = xo[k..].iter().zip(&xo).map(|(a, b)| a * b).sum();
        s / n as f64
    };
    let c0 = acov(0);
    let r: Vec<f64> = (1..=m).map(|k| acov(k) / c0).collect();
    let sum_sq = numpy_sum(&r[..m - 1].iter().map(|v| v * v).collect::<Vec<_>>());
    let stat = ((1.0 + 2.0 * sum_sq) / n as f64).sqrt();
    r[m - 1].abs() / stat > Z95
}

/// Classical decomposition's seasonal indices (`y.len() >= 2 m`).
fn indices(y: &[f64], m: usize, mode: Mode) -> Vec<f64> {
    let n = y.len();
    // Centred moving average: m terms for odd m, m + 1 with half weights at the ends.
    let filt: Vec<f64> = if m % 2 == 0 {
        let mut f = vec![1.0 / m as f64; m + 1];
        f[0] = 0.5 / m as f64;
        f[m] = 0.5 / m as f64;
        f
    } else {
        vec![1.0 / m as f64; m]
    };
    let half = m / 2;
    let mut detrended = vec![f64::NAN; n];
    for t in half..n - (filt.len() - 1 - half) {
        let trend: f64 = filt
            .iter()
            .enumerate()
            .map(|(k, w)| y[t - half + k] * w)
            .sum();
        detrended[t] = match mode {
            Mode::Additive => y[t] - trend,
            Mode::Multiplicative => y[t] / trend,
        };
    }
    // pandas' nanmean per position: NaN counted as 0 in the sum, not in the count.
    let mut avg: Vec<f64> = (0..m)
        .map(|i| {
            let col: Vec<f64> = detrended[i..].iter().step_by(m).copied().collect();
            let count = col.iter().filter(|v| !v.is_nan()).count();
            let filled: Vec<f64> = col
                .iter()
                .map(|&v| if v.is_nan() { 0.0 } else { v })
                .collect();
            numpy_sum(&filled) / count as f64
        })
        .collect();
    let mean = numpy_mean(&avg);
    for a in &mut avg {
        match mode {
            Mode::Additive => *a -= mean,
            Mode::Multiplicative => *a /= mean,
        }
    }
    avg
}

/// The seasonal adjustment statsforecast applies, if any: multiplicative when requested
/// and the data are positive with every index >= 0.01, else additive.
pub fn seasonal(y: &[f64], m: usize, multiplicative: bool) -> Option<Seasonal> {
    if !is_seasonal(y, m) {
        return None;
    }
    let mode = if multiplicative {
        Mode::Multiplicative
    } else {
        Mode::Additive
    };
    seasonal_in(y, m, mode)
}

/// The adjustment of `y` in a mode decided before (a refit with the seasonal-adjustment
/// decision frozen): the indices of `y` in `mode`, additive when a multiplicative
/// adjustment does not fit the data (a value <= 0 or an index < 0.01, the rule
/// [`seasonal`] applies); None when `y` is shorter than two seasons.
pub fn seasonal_in(y: &[f64], m: usize, mode: Mode) -> Option<Seasonal> {
    if m < 2 || y.len() < 2 * m {
        return None;
    }
    if mode == Mode::Multiplicative && y.iter().all(|&v| v > 0.0) {
        let idx = indices(y, m, Mode::Multiplicative);
        if idx.iter().all(|&s| s >= 0.01) {
            return Some(Seasonal {
                mode: Mode::Multiplicative,
                indices: idx,
            });
        }
    }
    Some(Seasonal {
        mode: Mode::Additive,
        indices: indices(y, m, Mode::Additive),
    })
}

impl Seasonal {
    /// `y` with the seasonal component removed.
    pub fn adjust(&self, y: &[f64]) -> Vec<f64> {
        let m = self.indices.len();
        y.iter()
            .enumerate()
            .map(|(t, v)| match self.mode {
                Mode::Additive => v - self.indices[t % m],
                Mode::Multiplicative => v / self.indices[t % m],
            })
            .collect()
    }

    /// Put the seasonal component of period `t` back on `v`.
    pub fn apply(&self, t: usize, v: f64) -> f64 {
        let s = self.indices[t % self.indices.len()];
        match self.mode {
            Mode::Additive => v + s,
            Mode::Multiplicative => v * s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_and_removes_weekly_pattern() {
        let week = [1.0, 5.0, 1.0, 1.0, 1.0, 1.0, 9.0];
        let y: Vec<f64> = week.iter().cycle().take(42).copied().collect();
        assert!(is_seasonal(&y, 7));
        assert!(!is_seasonal(&y, 3));
        assert!(!is_seasonal(&[2.0; 30], 7));
        let s = seasonal(&y, 7, true).unwrap();
        assert_eq!(s.mode, Mode::Multiplicative);
        let a = s.adjust(&y);
        assert!(a.iter().all(|v| (v - a[0]).abs() < 1e-12), "{a:?}");
        assert!((s.apply(42, a[0]) - 1.0).abs() < 1e-12);
        let mut z = y.clone();
        z[3] = 0.0;
        assert_eq!(seasonal(&z, 7, true).unwrap().mode, Mode::Additive);
    }
}
