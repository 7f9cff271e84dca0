//! Target transforms applied per series before the features are built and inverted on the
//! forecasts: `log1p` (global, needs y > −1), per-series standard scaling (mean and
//! population std of the training series; a constant series is only centred), and
//! seasonal differencing `y_t − y_{t−d}` (the first `d` values become NaN and are not
//! trained on). They are applied in the given order and inverted in reverse.

use crate::error::{Error, Result};

/// One target transform.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TargetTransform {
    /// `ln(1 + y)`, inverted with `exp(z) − 1`.
    Log1p,
    /// `(y − mean) / std` per series.
    Standardize,
    /// `y_t − y_{t−d}`.
    Diff(usize),
}

/// What a transform remembers about one series to invert forecasts.
#[derive(Debug, Clone, PartialEq)]
pub enum SeriesState {
    /// Nothing (log1p).
    None,
    /// Mean and scale.
    Scale(f64, f64),
    /// The last `d` values of the transform's input.
    Tail(Vec<f64>),
}

impl TargetTransform {
    /// Parse "log1p", "standardize" or "diff" (with `d >= 1`).
    pub fn new(name: &str, d: usize) -> Result<Self> {
        match name {
            "log1p" => Ok(TargetTransform::Log1p),
            "standardize" => Ok(TargetTransform::Standardize),
            "diff" if d >= 1 => Ok(TargetTransform::Diff(d)),
            "diff" => Err(Error::param("target_transforms", "diff needs a lag >= 1")),
            _ => Err(Error::param(
                "target_transforms",
                format!("unknown target transform `{name}` (log1p, standardize, diff)"),
            )),
        }
    }

    /// The name and lag (0 unless `Diff`).
    pub fn parts(&self) -> (&'static str, usize) {
        match *self {
            TargetTransform::Log1p => ("log1p", 0),
            TargetTransform::Standardize => ("standardize", 0),
            TargetTransform::Diff(d) => ("diff", d),
        }
    }

    /// Transform one series in place and return what inverting needs. `series` is the
    /// series' index, for error messages.
    pub fn forward(&self, y: &mut [f64], series: usize) -> Result<SeriesState> {
        match *self {
            TargetTransform::Log1p => {
                if let Some(p) = y.iter().position(|&v| v <= -1.0) {
                    return Err(Error::InvalidSeries {
                        series,
                        reason: format!("log1p needs y > -1, got {} at position {p}", y[p]),
                    });
                }
                y.iter_mut().for_each(|v| *v = v.ln_1p());
                Ok(SeriesState::None)
            }
            TargetTransform::Standardize => {
                let finite: Vec<f64> = y.iter().copied().filter(|v| v.is_finite()).collect();
                let n = finite.len().max(1) as f64;
                let mean = finite.iter().sum::<f64>() / n;
                let var = finite.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                let scale = if var > 0.0 { var.sqrt() } else { 1.0 };
                y.iter_mut().for_each(|v| *v = (*v - mean) / scale);
                Ok(SeriesState::Scale(mean, scale))
            }
            TargetTransform::Diff(d) => {
                let tail = y[y.len().saturating_sub(d)..].to_vec();
                for t in (0..y.len()).rev() {
                    y[t] = if t >= d { y[t] - y[t - d] } else { f64::NAN };
                }
                Ok(SeriesState::Tail(tail))
            }
        }
    }

    /// Invert one in-sample value `v` at position `t`, where `input` is this transform's
    /// input series (actual values): diff adds back the actual `input[t − d]`.
    pub fn inverse_at(&self, v: f64, t: usize, input: &[f64], state: &SeriesState) -> f64 {
        match (*self, state) {
            (TargetTransform::Log1p, _) => v.exp_m1(),
            (TargetTransform::Standardize, SeriesState::Scale(mean, scale)) => v * scale + mean,
            (TargetTransform::Diff(d), _) if t >= d => v + input[t - d],
            _ => f64::NAN,
        }
    }

    /// Invert forecasts `z` (steps 1..=h after the training end) of one series.
    pub fn inverse(&self, z: &mut [f64], state: &SeriesState) {
        match (*self, state) {
            (TargetTransform::Log1p, _) => z.iter_mut().for_each(|v| *v = v.exp_m1()),
            (TargetTransform::Standardize, SeriesState::Scale(mean, scale)) => {
                z.iter_mut().for_each(|v| *v = *v * scale + mean);
            }
            (TargetTransform::Diff(d), SeriesState::Tail(tail)) => {
                let mut hist = tail.clone();
                for v in z.iter_mut() {
                    let base = if hist.len() >= d {
                        hist[hist.len() - d]
                    } else {
                        f64::NAN
                    };
                    *v += base;
                    hist.push(*v);
                }
            }
            _ => z.iter_mut().for_each(|v| *v = f64::NAN),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let y = [1.0, 4.0, 2.0, 8.0, 5.0, 7.0];
        for tr in [
            TargetTransform::Log1p,
            TargetTransform::Standardize,
            TargetTransform::Diff(2),
        ] {
            // Transform the history + 2 future values; inverting the last 2 must give them back.
            let mut all = y.to_vec();
            let mut hist = y[..4].to_vec();
            let state = tr.forward(&mut hist, 0).unwrap();
            let _ = tr.forward(&mut all, 0).unwrap();
            let mut future = match tr {
                TargetTransform::Standardize => {
                    let SeriesState::Scale(m, s) = state else {
                        panic!()
                    };
                    y[4..].iter().map(|v| (v - m) / s).collect::<Vec<_>>()
                }
                _ => all[4..].to_vec(),
            };
            tr.inverse(&mut future, &state);
            for (a, b) in future.iter().zip(&y[4..]) {
                assert!((a - b).abs() < 1e-12, "{tr:?}: {a} vs {b}");
            }
        }
        assert!(TargetTransform::Log1p.forward(&mut [-1.0], 3).is_err());
        assert!(TargetTransform::new("boxcox", 0).is_err());
    }
}
