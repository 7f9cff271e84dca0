//! Temporal-aggregation models for intermittent demand: ADIDA (Nikolopoulos et al. 2011)
//! and IMAPA (Petropoulos & Kourentzes 2015), as statsforecast defines them.
//!
//! Both sum the series into non-overlapping buckets of `k` periods, dropping the
//! incomplete bucket at the *start* (the oldest `n mod k` periods), forecast the bucket
//! sums with optimised SES (alpha in [0.1, 0.3]) and divide by `k`. ADIDA uses one level,
//! `k = round(mean inter-demand interval)` with round-half-to-even (Python's `round`);
//! IMAPA averages the forecasts of every level `1..=k`.
//!
//! Sigma (not defined by statsforecast, which has no fitted values for these models by
//! default): the RMS over periods of `y_t - f_t`, where `f_t` is the forecast made at
//! the end of the bucket before `t`'s bucket, per period (for IMAPA: averaged over the
//! levels that have such a forecast). The first bucket of a level has no forecast. These
//! per-period forecasts are the models' fitted values. Deliberate difference:
//! statsforecast's fitted values re-derive the aggregation level from the intervals seen
//! so far at every period; shelfcast's are those of the fitted model (its final level and
//! smoothing constants), the same filter that `refilter` re-runs.
//!
//! Frozen by a fit: the aggregation level (ADIDA) or the highest level (IMAPA) and the SES
//! constant of every level. Refiltering a longer series re-buckets it (the incomplete
//! bucket is again the oldest one) and re-runs SES at those constants.

use super::intermittent::intervals;
use super::refilter::FittedOut;
use super::ses_opt::{self, INTERMITTENT_BOUNDS};
use super::sums::numpy_sum;
use super::{naive, rms};
use crate::forecast::fitted::{Fallback, Fitted};
use crate::forecast::frozen::Frozen;

/// `round(mean inter-demand interval)` (ties to even), or None without non-zero values.
fn aggregation_level(y: &[f64]) -> Option<usize> {
    let iv = intervals(y);
    if iv.is_empty() {
        return None;
    }
    let mean = iv.iter().sum::<f64>() / iv.len() as f64;
    Some(mean.round_ties_even() as usize)
}

/// One aggregation level: the per-period forecast after the whole series, the
/// per-period in-sample forecasts (NaN where none exists yet) and the SES constant.
struct Level {
    forecast: f64,
    fitted: Vec<f64>,
    alpha: f64,
}

/// Bucket sums are left to right for ADIDA (statsforecast's compiled `chunk_forecast`) and
/// numpy's pairwise order for IMAPA (`_chunk_sums`), so non-integer data agree bit for bit.
/// `alpha`: the frozen SES constant, or None to optimise it.
fn level(y: &[f64], k: usize, pairwise: bool, alpha: Option<f64>) -> Level {
    let start = y.len() % k;
    let mut sums: Vec<f64> = y[start..]
        .chunks_exact(k)
        .map(|c| {
            if pairwise {
                numpy_sum(c)
            } else {
                c.iter().fold(0.0, |s, v| s + v)
            }
        })
        .collect();
    if sums.is_empty() {
        // shorter than one bucket (only when refiltering a series shorter than the one
        // fitted): its whole sum, scaled to a bucket, stands in
        sums.push(y.iter().sum::<f64>() * k as f64 / y.len() as f64);
    }
    let alpha = alpha.unwrap_or_else(|| ses_opt::golden_section(&sums, INTERMITTENT_BOUNDS));
    let (f, fitted_sums) = ses_opt::forecast_and_fitted(alpha, &sums);
    let kf = k as f64;
    let mut fitted = vec![f64::NAN; y.len()];
    // Bucket j + 1 (periods start + (j + 1) k ..) is forecast by fitted_sums[j].
    for (j, fs) in fitted_sums.iter().enumerate() {
        let from = start + (j + 1) * k;
        fitted[from..from + k].fill(fs / kf);
    }
    Level {
        forecast: f / kf,
        fitted,
        alpha,
    }
}

fn no_demand(y: &[f64]) -> Fitted {
    // statsforecast forecasts 0 for an all-zero series; that is also the naive forecast.
    naive::naive(y).fell_back(Fallback::NoDemand)
}

fn sigma(y: &[f64], fitted: &[f64]) -> f64 {
    rms(y
        .iter()
        .zip(fitted)
        .filter(|(_, f)| !f.is_nan())
        .map(|(v, f)| v - f))
}

/// ADIDA: optimised SES on the sums of `round(mean interval)` periods, divided back.
pub fn adida(y: &[f64]) -> Fitted {
    let Some(k) = aggregation_level(y) else {
        return no_demand(y);
    };
    adida_filter(y, k, None, FittedOut::none())
}

/// ADIDA at aggregation level `k` with the SES constant `alpha` (None: optimised),
/// writing the fitted values into `out`.
pub fn adida_filter(y: &[f64], k: usize, alpha: Option<f64>, mut out: FittedOut<'_>) -> Fitted {
    let l = level(y, k, false, alpha);
    out.copy_from(&l.fitted);
    Fitted::constant(l.forecast, sigma(y, &l.fitted)).with_frozen(Frozen::Adida {
        level: k,
        alpha: l.alpha,
    })
}

/// IMAPA: the mean of the ADIDA-style forecasts at every level `1..=round(mean interval)`.
pub fn imapa(y: &[f64]) -> Fitted {
    let Some(max_k) = aggregation_level(y) else {
        return no_demand(y);
    };
    imapa_filter(y, &vec![None; max_k], FittedOut::none())
}

/// IMAPA over the levels `1..=alphas.len()` (non-empty), level `k` with the SES constant
/// `alphas[k - 1]` (None: optimised), writing the fitted values into `out`.
pub fn imapa_filter(y: &[f64], alphas: &[Option<f64>], mut out: FittedOut<'_>) -> Fitted {
    let max_k = alphas.len();
    let mut forecasts = Vec::with_capacity(max_k);
    let mut chosen = Vec::with_capacity(max_k);
    let mut fitted_sum = vec![0.0; y.len()];
    let mut fitted_n = vec![0usize; y.len()];
    for (k, alpha) in (1..=max_k).zip(alphas) {
        let l = level(y, k, true, *alpha);
        forecasts.push(l.forecast);
        chosen.push(l.alpha);
        for (t, f) in l.fitted.iter().enumerate() {
            if !f.is_nan() {
                fitted_sum[t] += f;
                fitted_n[t] += 1;
            }
        }
    }
    let fitted: Vec<f64> = fitted_sum
        .iter()
        .zip(&fitted_n)
        .map(|(&s, &n)| if n == 0 { f64::NAN } else { s / n as f64 })
        .collect();
    out.copy_from(&fitted);
    Fitted::constant(numpy_sum(&forecasts) / max_k as f64, sigma(y, &fitted))
        .with_frozen(Frozen::Imapa { alphas: chosen })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::fitted::State;

    fn value(f: &Fitted) -> f64 {
        let State::Cycle(c) = &f.state else {
            panic!("not a cycle")
        };
        c[0]
    }

    #[test]
    fn level_rounds_half_to_even() {
        // nonzero at 1 and 4 -> intervals [2, 3], mean 2.5 -> 2 (Python's round)
        assert_eq!(aggregation_level(&[0.0, 1.0, 0.0, 0.0, 1.0]), Some(2));
        // nonzero at 3 and 6 -> intervals [4, 3], mean 3.5 -> 4
        assert_eq!(
            aggregation_level(&[0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0]),
            Some(4)
        );
        assert_eq!(aggregation_level(&[0.0, 0.0]), None);
    }

    #[test]
    fn match_statsforecast() {
        // Values printed by statsforecast 2.1.1 (ADIDA().forecast, IMAPA().forecast).
        let cases: [(&[f64], f64, f64); 6] = [
            (&[5.0], 5.0, 5.0),
            (&[0.0, 0.0, 3.0], 1.0, 1.0333333333333334),
            (&[3.0, 0.0, 0.0], 1.4700000000013456, 1.4700000000013456),
            (
                &[1.0, -1.0, 0.0, 2.0],
                0.8479999999996604,
                0.8479999999996604,
            ),
            (&[-2.0, 0.0, -1.0], -0.5, -0.8900000000002883),
            (
                &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 5.0],
                0.5,
                0.5511507936507936,
            ),
        ];
        for (y, a, i) in cases {
            assert!((value(&adida(y)) - a).abs() < 1e-12, "ADIDA {y:?}");
            assert!((value(&imapa(y)) - i).abs() < 1e-12, "IMAPA {y:?}");
        }
    }

    #[test]
    fn degenerate() {
        for f in [adida(&[0.0; 4]), imapa(&[0.0; 4]), adida(&[0.0])] {
            assert_eq!(value(&f), 0.0);
            assert_eq!(f.fallback, Some(Fallback::NoDemand));
        }
        let c = adida(&[2.0; 6]);
        assert!((value(&c) - 2.0).abs() < 1e-12);
        assert!(c.sigma < 1e-12 && c.fallback.is_none());
    }

    #[test]
    fn sigma_uses_bucket_forecasts() {
        // k = 2, buckets [1+3, 0+4] -> SES forecast of bucket 2 is 4, per period 2.
        let y = [1.0, 3.0, 0.0, 4.0];
        let l = level(&y, 2, false, None);
        assert!(l.fitted[..2].iter().all(|f| f.is_nan()));
        assert!(l.fitted[2..].iter().all(|f| (f - 2.0).abs() < 1e-12));
        assert!((sigma(&y, &l.fitted) - 2.0).abs() < 1e-12);
    }
}
