//! The per-series models. Each function takes one clean series (finite, non-empty) and
//! returns its [`Fitted`] state. Definitions follow statsforecast's so numbers agree
//! (tests in `tests/test_forecaster_vs_statsforecast.py`); deliberate differences say so.

use super::fitted::{Fallback, Fitted};
use super::spec::ModelSpec;

/// Smoothing constant of the Croston family (Croston 1972; statsforecast's fixed 0.1).
const CROSTON_ALPHA: f64 = 0.1;

/// Fit `spec` on `y` (non-empty, finite).
pub fn fit(spec: &ModelSpec, y: &[f64]) -> Fitted {
    match spec {
        ModelSpec::Naive => naive(y),
        ModelSpec::SeasonalNaive { season_length } => seasonal_naive(y, *season_length),
        ModelSpec::HistoricAverage => historic_average(y),
        ModelSpec::CrostonClassic => croston(y, 1.0),
        ModelSpec::CrostonSba => croston(y, 1.0 - CROSTON_ALPHA / 2.0),
    }
}

/// Root mean square of `errors` (0 for none).
fn rms(errors: impl Iterator<Item = f64>) -> f64 {
    let (mut ss, mut n) = (0.0, 0usize);
    for e in errors {
        ss += e * e;
        n += 1;
    }
    if n == 0 {
        0.0
    } else {
        (ss / n as f64).sqrt()
    }
}

fn naive(y: &[f64]) -> Fitted {
    let sigma = rms(y.windows(2).map(|w| w[1] - w[0]));
    Fitted::constant(y[y.len() - 1], sigma)
}

/// Repeats the last season. Deliberate difference from statsforecast: a series shorter
/// than one season falls back to `Naive` (statsforecast fills the missing positions with NaN).
fn seasonal_naive(y: &[f64], s: usize) -> Fitted {
    if y.len() < s {
        let mut f = naive(y);
        f.fallback = Some(Fallback::ShortForSeason);
        return f;
    }
    let sigma = rms(y.iter().zip(&y[s..]).map(|(a, b)| b - a));
    Fitted {
        cycle: y[y.len() - s..].to_vec(),
        sigma,
        fallback: None,
    }
}

fn historic_average(y: &[f64]) -> Fitted {
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let sigma = rms(y.iter().map(|v| v - mean));
    Fitted::constant(mean, sigma)
}

/// Simple exponential smoothing level started at the first observation:
/// `level_1 = x_0`, `level_{k+1} = alpha x_k + (1 - alpha) level_k`.
#[derive(Debug, Clone, Copy)]
struct Ses {
    level: Option<f64>,
}

impl Ses {
    fn new() -> Self {
        Ses { level: None }
    }
    fn update(&mut self, x: f64) {
        self.level = Some(match self.level {
            None => x,
            Some(l) => CROSTON_ALPHA * x + (1.0 - CROSTON_ALPHA) * l,
        });
    }
}

/// Croston's method: SES on non-zero demand sizes and on the intervals between them
/// (the first interval counts from the start of the series), forecast `factor * z / p`.
/// `factor` is 1 for the classic method and `1 - alpha / 2` for SBA.
fn croston(y: &[f64], factor: f64) -> Fitted {
    let (mut z, mut p) = (Ses::new(), Ses::new());
    let mut since_last = 0.0;
    let mut current: Option<f64> = None; // one-step forecast made after the last observation
    let mut errors_ss = 0.0;
    let mut errors_n = 0usize;
    for &v in y {
        if let Some(f) = current {
            errors_ss += (v - f) * (v - f);
            errors_n += 1;
        }
        since_last += 1.0;
        if v != 0.0 {
            z.update(v);
            p.update(since_last);
            since_last = 0.0;
        }
        if let (Some(zl), Some(pl)) = (z.level, p.level) {
            current = Some(factor * if pl != 0.0 { zl / pl } else { zl });
        }
    }
    let sigma = if errors_n == 0 {
        0.0
    } else {
        (errors_ss / errors_n as f64).sqrt()
    };
    match current {
        Some(mean) => Fitted::constant(mean, sigma),
        None => {
            let mut f = naive(y);
            f.fallback = Some(Fallback::NoDemand);
            f
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn naive_and_seasonal() {
        let y = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(fit(&ModelSpec::Naive, &y).cycle, vec![5.0]);
        let f = fit(&ModelSpec::SeasonalNaive { season_length: 2 }, &y);
        assert_eq!(f.cycle, vec![4.0, 5.0]);
        assert!(close(f.sigma, 2.0));
        let mut out = [0.0; 5];
        f.forecast_into(&mut out);
        assert_eq!(out, [4.0, 5.0, 4.0, 5.0, 4.0]);
        let short = fit(&ModelSpec::SeasonalNaive { season_length: 7 }, &y);
        assert_eq!(short.fallback, Some(Fallback::ShortForSeason));
        assert_eq!(short.cycle, vec![5.0]);
    }

    #[test]
    fn croston_by_hand() {
        // demands 3, 5, 2 at positions 0, 2, 3 -> intervals 1, 2, 1.
        let y = [3.0, 0.0, 5.0, 2.0];
        // SES(0.1) of [3, 5, 2]: 3 -> 3.2 -> 3.08 ; of [1, 2, 1]: 1 -> 1.1 -> 1.09
        let f = fit(&ModelSpec::CrostonClassic, &y);
        assert!(close(f.cycle[0], 3.08 / 1.09), "{}", f.cycle[0]);
        let sba = fit(&ModelSpec::CrostonSba, &y);
        assert!(close(sba.cycle[0], 0.95 * 3.08 / 1.09));
        let none = fit(&ModelSpec::CrostonClassic, &[0.0, 0.0]);
        assert_eq!(none.fallback, Some(Fallback::NoDemand));
        assert_eq!(none.cycle, vec![0.0]);
    }

    #[test]
    fn historic_average_mean() {
        let f = fit(&ModelSpec::HistoricAverage, &[1.0, 2.0, 6.0]);
        assert!(close(f.cycle[0], 3.0));
    }
}
