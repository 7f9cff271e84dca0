//! Point-forecast accuracy per series. Definitions (each documented in the Python API too):
//!
//! * MAE  = mean |y - ŷ|
//! * MSE  = mean (y - ŷ)²,  RMSE = √MSE
//! * bias = mean (ŷ - y)  (positive = over-forecast)
//! * MASE = MAE / mean_{t>m} |y_t - y_{t-m}| over the training series (Hyndman & Koehler 2006)
//! * RMSSE = √( MSE / mean_{t>m} (y_t - y_{t-m})² ) over the training series (M5, plain scale)
//!
//! A scaled metric whose scale is 0 (a constant training series) is NaN when the error is
//! 0 too and +∞ otherwise, as utilsforecast does; callers are told which series.

use crate::error::{Error, Result};
use crate::panel::Panel;
use crate::parallel;
use rayon::prelude::*;

/// The metrics this module computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Mean absolute error.
    Mae,
    /// Mean squared error.
    Mse,
    /// Root mean squared error.
    Rmse,
    /// Mean signed error ŷ - y.
    Bias,
    /// Mean absolute scaled error.
    Mase,
    /// Root mean squared scaled error.
    Rmsse,
}

impl Metric {
    /// Parse a metric name (lower case).
    pub fn parse(name: &str) -> Result<Metric> {
        Ok(match name {
            "mae" => Metric::Mae,
            "mse" => Metric::Mse,
            "rmse" => Metric::Rmse,
            "bias" => Metric::Bias,
            "mase" => Metric::Mase,
            "rmsse" => Metric::Rmsse,
            other => {
                return Err(Error::param(
                    "metrics",
                    format!("unknown metric `{other}` (known: mae, mse, rmse, bias, mase, rmsse)"),
                ))
            }
        })
    }

    /// Whether the metric needs the training series.
    pub fn needs_train(self) -> bool {
        matches!(self, Metric::Mase | Metric::Rmsse)
    }
}

/// Mean of |y_t - y_{t-m}|^p over the series (NaN when the series is not longer than m).
fn seasonal_scale(train: &[f64], m: usize, squared: bool) -> f64 {
    if train.len() <= m {
        return f64::NAN;
    }
    let n = (train.len() - m) as f64;
    train
        .iter()
        .zip(&train[m..])
        .map(|(a, b)| {
            if squared {
                (b - a) * (b - a)
            } else {
                (b - a).abs()
            }
        })
        .sum::<f64>()
        / n
}

fn scaled(err: f64, scale: f64) -> f64 {
    if scale == 0.0 {
        if err == 0.0 {
            f64::NAN
        } else {
            f64::INFINITY
        }
    } else {
        err / scale
    }
}

/// One metric for one series.
pub fn series_metric(metric: Metric, y: &[f64], yhat: &[f64], train: &[f64], m: usize) -> f64 {
    let n = y.len() as f64;
    let mean = |f: &dyn Fn(f64, f64) -> f64| -> f64 {
        y.iter().zip(yhat).map(|(&a, &b)| f(a, b)).sum::<f64>() / n
    };
    match metric {
        Metric::Mae => mean(&|a, b| (a - b).abs()),
        Metric::Mse => mean(&|a, b| (a - b) * (a - b)),
        Metric::Rmse => mean(&|a, b| (a - b) * (a - b)).sqrt(),
        Metric::Bias => mean(&|a, b| b - a),
        Metric::Mase => scaled(mean(&|a, b| (a - b).abs()), seasonal_scale(train, m, false)),
        Metric::Rmsse => scaled(
            mean(&|a, b| (a - b) * (a - b)),
            seasonal_scale(train, m, true),
        )
        .sqrt(),
    }
}

/// Evaluate `metrics` for every series: `out[k][i]` is metric `k` on series `i`.
/// `actual` and `forecast` share offsets; `train` (same series order) is needed for the
/// scaled metrics; `seasonality` is their m.
pub fn evaluate(
    actual: &Panel<'_>,
    forecast: &[f64],
    train: Option<&Panel<'_>>,
    metrics: &[Metric],
    seasonality: usize,
) -> Result<Vec<Vec<f64>>> {
    let total: usize = (0..actual.len()).map(|i| actual.series(i).len()).sum();
    if forecast.len() != total {
        return Err(Error::Shape(format!(
            "{} forecasts for {total} actual values",
            forecast.len()
        )));
    }
    if seasonality == 0 {
        return Err(Error::param("seasonality", "must be >= 1"));
    }
    let needs_train = metrics.iter().any(|m| m.needs_train());
    if needs_train {
        match train {
            None => {
                return Err(Error::param(
                    "train_df",
                    "is required for scaled metrics (mase, rmsse)",
                ))
            }
            Some(t) if t.len() != actual.len() => {
                return Err(Error::Shape(format!(
                    "{} training series for {} evaluated series",
                    t.len(),
                    actual.len()
                )))
            }
            _ => {}
        }
    }
    actual.require_finite()?;
    let mut start = 0;
    let mut bounds = Vec::with_capacity(actual.len());
    for i in 0..actual.len() {
        let len = actual.series(i).len();
        if len == 0 {
            return Err(Error::InvalidSeries {
                series: i,
                reason: "has no actual values to evaluate".into(),
            });
        }
        bounds.push((start, start + len));
        start += len;
    }
    if let Some(pos) = forecast.iter().position(|v| !v.is_finite()) {
        let series = bounds.iter().position(|&(_, e)| pos < e).unwrap_or(0);
        return Err(Error::InvalidSeries {
            series,
            reason: format!("forecast value {} is not finite", forecast[pos]),
        });
    }
    Ok(parallel::install(|| {
        metrics
            .iter()
            .map(|&metric| {
                bounds
                    .par_iter()
                    .enumerate()
                    .map(|(i, &(s, e))| {
                        let tr = train.map_or(&[][..], |t| t.series(i));
                        series_metric(metric, actual.series(i), &forecast[s..e], tr, seasonality)
                    })
                    .collect()
            })
            .collect()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        let y = [1.0, 2.0, 3.0];
        let f = [2.0, 2.0, 1.0];
        let train = [1.0, 3.0, 2.0, 4.0];
        assert!((series_metric(Metric::Mae, &y, &f, &[], 1) - 1.0).abs() < 1e-15);
        assert!((series_metric(Metric::Mse, &y, &f, &[], 1) - 5.0 / 3.0).abs() < 1e-15);
        assert!((series_metric(Metric::Bias, &y, &f, &[], 1) + 1.0 / 3.0).abs() < 1e-15);
        // scale = mean(|2|, |1|, |2|) = 5/3
        assert!((series_metric(Metric::Mase, &y, &f, &train, 1) - 0.6).abs() < 1e-15);
        // squared scale = (4 + 1 + 4) / 3 = 3
        let rmsse = series_metric(Metric::Rmsse, &y, &f, &train, 1);
        assert!((rmsse - (5.0f64 / 9.0).sqrt()).abs() < 1e-15);
        assert_eq!(
            series_metric(Metric::Mase, &y, &f, &[2.0, 2.0], 1),
            f64::INFINITY
        );
        assert!(series_metric(Metric::Mase, &y, &y, &[2.0, 2.0], 1).is_nan());
    }

    #[test]
    fn panel_evaluation() {
        let a = [1.0, 2.0, 5.0];
        let ap = Panel::new(&a, &[0, 2, 3]).unwrap();
        let f = [1.0, 4.0, 5.0];
        let out = evaluate(&ap, &f, None, &[Metric::Mae, Metric::Rmse], 1).unwrap();
        assert_eq!(out[0], vec![1.0, 0.0]);
        assert!((out[1][0] - 2.0f64.sqrt()).abs() < 1e-15);
        assert!(evaluate(&ap, &f, None, &[Metric::Mase], 1).is_err());
        assert!(evaluate(&ap, &f[..2], None, &[Metric::Mae], 1).is_err());
        assert!(Metric::parse("smape").is_err());
    }
}
