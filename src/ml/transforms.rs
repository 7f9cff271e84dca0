//! Lag transforms: statistics of the target shifted by `lag` periods, as mlforecast's
//! `lag_transforms` (coreforecast definitions): rolling mean / std (ddof 1) / min / max over
//! a window with a minimum number of observations, expanding mean and exponentially
//! weighted mean (`s_0 = x_0`, `s_t = α·x_t + (1 − α)·s_{t−1}`). The value at time `t`
//! only uses `y[..=t − lag]`, so the same definition serves training (every `t` of a
//! series) and recursive prediction (the next `t` of a growing history).

use crate::error::{Error, Result};

/// A rolling-window statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollStat {
    /// Arithmetic mean.
    Mean,
    /// Sample standard deviation (ddof 1).
    Std,
    /// Minimum.
    Min,
    /// Maximum.
    Max,
}

impl RollStat {
    fn name(self) -> &'static str {
        match self {
            RollStat::Mean => "mean",
            RollStat::Std => "std",
            RollStat::Min => "min",
            RollStat::Max => "max",
        }
    }
}

/// One lag transform.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LagTransform {
    /// `stat` over `y[t−lag−window+1 ..= t−lag]`, NaN with fewer than `min_samples` values.
    Rolling {
        stat: RollStat,
        lag: usize,
        window: usize,
        min_samples: usize,
    },
    /// Mean of `y[..=t−lag]`.
    ExpandingMean { lag: usize },
    /// Exponentially weighted mean of `y[..=t−lag]`.
    Ewm { lag: usize, alpha: f64 },
}

impl LagTransform {
    /// Validate the transform named `kind` ("rolling_mean", "rolling_std", "rolling_min",
    /// "rolling_max", "expanding_mean", "exponentially_weighted_mean").
    pub fn new(
        kind: &str,
        lag: usize,
        window: usize,
        min_samples: Option<usize>,
        alpha: f64,
    ) -> Result<Self> {
        if lag < 1 {
            return Err(Error::param("lag_transforms", "lags must be >= 1"));
        }
        let stat = match kind {
            "rolling_mean" => Some(RollStat::Mean),
            "rolling_std" => Some(RollStat::Std),
            "rolling_min" => Some(RollStat::Min),
            "rolling_max" => Some(RollStat::Max),
            "expanding_mean" => return Ok(LagTransform::ExpandingMean { lag }),
            "exponentially_weighted_mean" => {
                if !(alpha > 0.0 && alpha <= 1.0) {
                    return Err(Error::param(
                        "lag_transforms",
                        format!("alpha must be in (0, 1], got {alpha}"),
                    ));
                }
                return Ok(LagTransform::Ewm { lag, alpha });
            }
            _ => None,
        };
        let stat = stat.ok_or_else(|| {
            Error::param("lag_transforms", format!("unknown lag transform `{kind}`"))
        })?;
        let min_samples = min_samples.unwrap_or(window);
        if window < 1 || min_samples < 1 || min_samples > window {
            return Err(Error::param(
                "lag_transforms",
                format!("need 1 <= min_samples <= window_size, got window_size={window}, min_samples={min_samples}"),
            ));
        }
        if stat == RollStat::Std && window < 2 {
            return Err(Error::param(
                "lag_transforms",
                "rolling_std needs window_size >= 2",
            ));
        }
        Ok(LagTransform::Rolling {
            stat,
            lag,
            window,
            min_samples,
        })
    }

    /// The kind name (as accepted by [`LagTransform::new`]).
    pub fn kind(&self) -> String {
        match self {
            LagTransform::Rolling { stat, .. } => format!("rolling_{}", stat.name()),
            LagTransform::ExpandingMean { .. } => "expanding_mean".into(),
            LagTransform::Ewm { .. } => "exponentially_weighted_mean".into(),
        }
    }

    /// The shift applied before the statistic.
    pub fn lag(&self) -> usize {
        match *self {
            LagTransform::Rolling { lag, .. }
            | LagTransform::ExpandingMean { lag }
            | LagTransform::Ewm { lag, .. } => lag,
        }
    }

    /// mlforecast's column name, e.g. `rolling_mean_lag7_window_size28`.
    pub fn name(&self) -> String {
        match *self {
            LagTransform::Rolling {
                lag,
                window,
                min_samples,
                ..
            } => {
                let base = format!("{}_lag{lag}_window_size{window}", self.kind());
                if min_samples == window {
                    base
                } else {
                    format!("{base}_min_samples{min_samples}")
                }
            }
            LagTransform::ExpandingMean { lag } => format!("expanding_mean_lag{lag}"),
            LagTransform::Ewm { lag, alpha } => {
                format!("exponentially_weighted_mean_lag{lag}_alpha{alpha}")
            }
        }
    }

    /// The value at time `t` from `y[..t]` (only `y[..=t − lag]` is read).
    pub fn at(&self, y: &[f64], t: usize) -> f64 {
        let lag = self.lag();
        if t < lag || t - lag >= y.len() {
            return f64::NAN;
        }
        let end = t - lag + 1; // exclusive
        match *self {
            LagTransform::Rolling {
                stat,
                window,
                min_samples,
                ..
            } => {
                let w = &y[end.saturating_sub(window)..end];
                if w.len() < min_samples {
                    return f64::NAN;
                }
                rolling(stat, w)
            }
            LagTransform::ExpandingMean { .. } => y[..end].iter().sum::<f64>() / end as f64,
            LagTransform::Ewm { alpha, .. } => {
                let mut s = y[0];
                for &x in &y[1..end] {
                    s = alpha * x + (1.0 - alpha) * s;
                }
                s
            }
        }
    }

    /// Values for every `t` in `0..y.len()` into `out` (stride `stride`, as a column of a
    /// row-major matrix). Equal to calling [`LagTransform::at`] at each `t`.
    pub fn column(&self, y: &[f64], out: &mut [f64], stride: usize) {
        let lag = self.lag();
        match *self {
            LagTransform::Rolling { .. } => {
                for t in 0..y.len() {
                    out[t * stride] = self.at(y, t);
                }
            }
            LagTransform::ExpandingMean { .. } => {
                let mut sum = 0.0;
                for t in 0..y.len() {
                    out[t * stride] = if t < lag {
                        f64::NAN
                    } else {
                        sum += y[t - lag];
                        sum / (t - lag + 1) as f64
                    };
                }
            }
            LagTransform::Ewm { alpha, .. } => {
                let mut s = 0.0;
                for t in 0..y.len() {
                    out[t * stride] = if t < lag {
                        f64::NAN
                    } else {
                        let x = y[t - lag];
                        s = if t == lag {
                            x
                        } else {
                            alpha * x + (1.0 - alpha) * s
                        };
                        s
                    };
                }
            }
        }
    }
}

fn rolling(stat: RollStat, w: &[f64]) -> f64 {
    let n = w.len() as f64;
    match stat {
        RollStat::Mean => w.iter().sum::<f64>() / n,
        RollStat::Std => {
            if w.len() < 2 {
                return f64::NAN;
            }
            let mean = w.iter().sum::<f64>() / n;
            let ss: f64 = w.iter().map(|x| (x - mean) * (x - mean)).sum();
            (ss / (n - 1.0)).sqrt()
        }
        RollStat::Min => w.iter().copied().fold(f64::INFINITY, f64::min),
        RollStat::Max => w.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-12
    }

    #[test]
    fn matches_coreforecast_definitions() {
        let y = [1.0, 2.0, 4.0, 7.0, 11.0];
        let rm = LagTransform::new("rolling_mean", 1, 3, Some(2), 0.0).unwrap();
        // rolling mean (min 2) of the series shifted by 1: NaN, NaN, 1.5, 2.333.., 4.333..
        assert!(rm.at(&y, 1).is_nan());
        assert!(close(rm.at(&y, 2), 1.5));
        assert!(close(rm.at(&y, 4), 13.0 / 3.0));
        let sd = LagTransform::new("rolling_std", 1, 3, None, 0.0).unwrap();
        assert!(close(sd.at(&y, 3), 1.527_525_231_651_946_5));
        let ewm = LagTransform::new("exponentially_weighted_mean", 1, 0, None, 0.3).unwrap();
        assert!(close(ewm.at(&y, 3), 2.11));
        assert_eq!(rm.name(), "rolling_mean_lag1_window_size3_min_samples2");
        assert!(LagTransform::new("rolling_median", 1, 3, None, 0.0).is_err());
        assert!(LagTransform::new("rolling_mean", 0, 3, None, 0.0).is_err());
    }

    #[test]
    fn column_equals_pointwise() {
        let y: Vec<f64> = (0..40).map(|i| ((i * 7) % 11) as f64).collect();
        let ts = [
            LagTransform::new("rolling_mean", 7, 7, None, 0.0).unwrap(),
            LagTransform::new("rolling_std", 1, 5, Some(2), 0.0).unwrap(),
            LagTransform::new("rolling_min", 2, 4, None, 0.0).unwrap(),
            LagTransform::new("rolling_max", 2, 4, None, 0.0).unwrap(),
            LagTransform::new("expanding_mean", 3, 0, None, 0.0).unwrap(),
            LagTransform::new("exponentially_weighted_mean", 1, 0, None, 0.5).unwrap(),
        ];
        for tr in ts {
            let mut col = vec![0.0; y.len()];
            tr.column(&y, &mut col, 1);
            for t in 0..y.len() {
                assert!(close(col[t], tr.at(&y, t)), "{} at {t}", tr.name());
                // prediction reads only the history before t
                assert!(close(col[t], tr.at(&y[..t], t)), "{} at {t}", tr.name());
            }
        }
    }
}
