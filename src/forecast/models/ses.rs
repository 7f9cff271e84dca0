//! Simple exponential smoothing with the level started at the first observation:
//! `level_1 = x_0`, `level_{k+1} = alpha x_k + (1 - alpha) level_k`, forecast = last level.
//! This is the recursion statsforecast's `SimpleExponentialSmoothing` and the Croston family use.
//!
//! Fixed-alpha SES estimates nothing: refiltering a longer series is fitting it.

use super::refilter::FittedOut;
use super::rms;
use crate::forecast::fitted::Fitted;

/// An SES level being updated one observation at a time.
#[derive(Debug, Clone, Copy)]
pub struct Ses {
    alpha: f64,
    level: Option<f64>,
}

impl Ses {
    /// A level with smoothing constant `alpha` and no observation yet.
    pub fn new(alpha: f64) -> Self {
        Ses { alpha, level: None }
    }

    /// The one-step forecast (None before the first observation).
    pub fn level(&self) -> Option<f64> {
        self.level
    }

    /// Take in one observation.
    pub fn update(&mut self, x: f64) {
        self.level = Some(match self.level {
            None => x,
            Some(l) => self.alpha * x + (1.0 - self.alpha) * l,
        });
    }
}

/// The SES forecast after all of `x` (None for empty input).
#[allow(dead_code)] // used by the optimised SES family
pub fn forecast(x: &[f64], alpha: f64) -> Option<f64> {
    let mut s = Ses::new(alpha);
    x.iter().for_each(|&v| s.update(v));
    s.level()
}

/// SES with a fixed alpha as a model: flat forecast, sigma from one-step errors.
pub fn fit_fixed(y: &[f64], alpha: f64) -> Fitted {
    fit_fixed_into(y, alpha, FittedOut::none())
}

/// [`fit_fixed`], writing the fitted values: the level before each observation (NaN at
/// t = 0), as statsforecast's.
pub fn fit_fixed_into(y: &[f64], alpha: f64, mut out: FittedOut<'_>) -> Fitted {
    let mut s = Ses::new(alpha);
    let mut errors = Vec::with_capacity(y.len());
    for (t, &v) in y.iter().enumerate() {
        out.set(t, s.level().unwrap_or(f64::NAN));
        if let Some(l) = s.level() {
            errors.push(v - l);
        }
        s.update(v);
    }
    Fitted::constant(s.level().unwrap_or(0.0), rms(errors.into_iter()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recursion() {
        // statsforecast: _ses_forecast([3, 0, 5, 2], 0.1) = 2.837
        assert!((forecast(&[3.0, 0.0, 5.0, 2.0], 0.1).unwrap() - 2.837).abs() < 1e-12);
        assert_eq!(forecast(&[], 0.1), None);
        let f = fit_fixed(&[1.0, 3.0], 0.5);
        assert!(super::super::close(f.sigma, 2.0));
    }
}
