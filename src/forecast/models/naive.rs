//! The naive family: Naive, SeasonalNaive, HistoricAverage, WindowAverage,
//! SeasonalWindowAverage. Each also reports the RMS of its in-sample one-step errors, and
//! writes its in-sample fitted values when asked (`FittedOut`).
//!
//! None of them estimates anything: refiltering a longer series recomputes everything
//! (last value, last season, means) exactly as a fit on it would, except that a series that
//! fell back (shorter than the season or window at fit time) keeps its fallback model.

use super::refilter::FittedOut;
use super::rms;
use crate::forecast::fitted::{Fallback, Fitted};
use crate::forecast::frozen::Frozen;

/// Repeats the last observation.
pub fn naive(y: &[f64]) -> Fitted {
    naive_into(y, FittedOut::none())
}

/// [`naive`], writing the fitted values `ŷ_t = y_{t−1}` (NaN at t = 0) into `out`.
pub fn naive_into(y: &[f64], mut out: FittedOut<'_>) -> Fitted {
    out.set(0, f64::NAN);
    for t in 1..y.len() {
        out.set(t, y[t - 1]);
    }
    let sigma = rms(y.windows(2).map(|w| w[1] - w[0]));
    Fitted::constant(y[y.len() - 1], sigma).with_frozen(Frozen::Naive)
}

/// Repeats the last season. Deliberate difference from statsforecast: a series shorter
/// than one season falls back to `Naive` (statsforecast fills the missing positions with NaN).
pub fn seasonal_naive(y: &[f64], s: usize) -> Fitted {
    if y.len() < s {
        return naive(y).fell_back(Fallback::ShortForSeason);
    }
    seasonal_naive_into(y, s, FittedOut::none())
}

/// SeasonalNaive's filter: fitted values `ŷ_t = y_{t−s}` (NaN for t < s); a series shorter
/// than one season gets `Naive`'s (without a fallback mark: the caller decides).
pub fn seasonal_naive_into(y: &[f64], s: usize, mut out: FittedOut<'_>) -> Fitted {
    if y.len() < s {
        return naive_into(y, out);
    }
    for t in 0..y.len() {
        out.set(t, if t < s { f64::NAN } else { y[t - s] });
    }
    let sigma = rms(y.iter().zip(&y[s..]).map(|(a, b)| b - a));
    Fitted::cycle(y[y.len() - s..].to_vec(), sigma)
        .with_frozen(Frozen::SeasonalNaive { season_length: s })
}

/// The mean of the whole history.
pub fn historic_average(y: &[f64]) -> Fitted {
    historic_average_into(y, FittedOut::none())
}

/// [`historic_average`], writing the fitted values: the mean of the whole series at every
/// period (statsforecast's definition; it is not a one-step forecast).
pub fn historic_average_into(y: &[f64], mut out: FittedOut<'_>) -> Fitted {
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    out.fill(mean);
    let sigma = rms(y.iter().map(|v| v - mean));
    Fitted::constant(mean, sigma).with_frozen(Frozen::HistoricAverage)
}

/// The mean of the last `w` observations. Deliberate difference from statsforecast: a
/// series shorter than the window averages all its observations (statsforecast: NaN).
pub fn window_average(y: &[f64], w: usize) -> Fitted {
    window_average_into(y, w, FittedOut::none())
}

/// [`window_average`], writing the fitted values: the mean of the `w` observations before
/// each period (NaN for t < w; statsforecast has no fitted values for this model).
pub fn window_average_into(y: &[f64], w: usize, mut out: FittedOut<'_>) -> Fitted {
    if y.len() < w {
        return historic_average_into(y, out).fell_back(Fallback::ShortForWindow);
    }
    let mean = y[y.len() - w..].iter().sum::<f64>() / w as f64;
    // One-step forecasts of the rolling mean, from a running window sum.
    let mut sum: f64 = y[..w].iter().sum();
    let mut errors = Vec::with_capacity(y.len() - w);
    for t in 0..w {
        out.set(t, f64::NAN);
    }
    for t in w..y.len() {
        out.set(t, sum / w as f64);
        errors.push(y[t] - sum / w as f64);
        sum += y[t] - y[t - w];
    }
    Fitted::constant(mean, rms(errors.into_iter()))
}

/// Per season position, the mean over the last `w` seasons. Deliberate difference from
/// statsforecast: a series shorter than `s·w` falls back to SeasonalNaive (or Naive when
/// shorter than one season) instead of NaN.
pub fn seasonal_window_average(y: &[f64], s: usize, w: usize) -> Fitted {
    seasonal_window_average_into(y, s, w, FittedOut::none())
}

/// [`seasonal_window_average`], writing the fitted values: the mean of `y_{t−s}, …,
/// y_{t−w·s}` (NaN for t < s·w; statsforecast has no fitted values for this model).
pub fn seasonal_window_average_into(
    y: &[f64],
    s: usize,
    w: usize,
    mut out: FittedOut<'_>,
) -> Fitted {
    let need = s * w;
    if y.len() < need {
        return seasonal_naive_into(y, s, out).fell_back(if y.len() < s {
            Fallback::ShortForSeason
        } else {
            Fallback::ShortForWindow
        });
    }
    let tail = &y[y.len() - need..];
    let cycle: Vec<f64> = (0..s)
        .map(|j| (0..w).map(|k| tail[k * s + j]).sum::<f64>() / w as f64)
        .collect();
    for t in 0..need {
        out.set(t, f64::NAN);
    }
    let mut errors = Vec::with_capacity(y.len() - need);
    for t in need..y.len() {
        let mean = (1..=w).map(|k| y[t - k * s]).sum::<f64>() / w as f64;
        out.set(t, mean);
        errors.push(y[t] - mean);
    }
    Fitted::cycle(cycle, rms(errors.into_iter()))
}

#[cfg(test)]
mod tests {
    use super::super::close;
    use super::*;
    use crate::forecast::fitted::State;

    fn cycle(f: &Fitted) -> Vec<f64> {
        let State::Cycle(c) = &f.state else {
            panic!("not a cycle")
        };
        c.clone()
    }

    #[test]
    fn naive_and_seasonal() {
        let y = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(cycle(&naive(&y)), vec![5.0]);
        let f = seasonal_naive(&y, 2);
        assert_eq!(cycle(&f), vec![4.0, 5.0]);
        assert!(close(f.sigma, 2.0));
        let mut out = [0.0; 5];
        f.forecast_into(&mut out);
        assert_eq!(out, [4.0, 5.0, 4.0, 5.0, 4.0]);
        let short = seasonal_naive(&y, 7);
        assert_eq!(short.fallback, Some(Fallback::ShortForSeason));
        assert_eq!(cycle(&short), vec![5.0]);
    }

    #[test]
    fn averages() {
        assert!(close(cycle(&historic_average(&[1.0, 2.0, 6.0]))[0], 3.0));
        let w = window_average(&[1.0, 2.0, 6.0, 4.0], 2);
        assert!(close(cycle(&w)[0], 5.0));
        // errors: 6 - 1.5, 4 - 4
        assert!(close(w.sigma, (4.5f64 * 4.5 / 2.0).sqrt()));
        assert_eq!(
            window_average(&[1.0], 3).fallback,
            Some(Fallback::ShortForWindow)
        );
        let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let swa = seasonal_window_average(&y, 2, 2);
        assert_eq!(cycle(&swa), vec![4.0, 5.0]);
        assert!(close(swa.sigma, 3.0));
    }
}
