//! Argument checks shared by the inventory formulas: each names the argument and the
//! offending value, so a vectorised call can add the element index and report it.

use crate::error::{Error, Result};

/// `v` must be finite and > 0.
pub fn positive(name: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(Error::param(
            name,
            format!("must be finite and > 0, got {v}"),
        ))
    }
}

/// `v` must be finite and >= 0.
pub fn non_negative(name: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(Error::param(
            name,
            format!("must be finite and >= 0, got {v}"),
        ))
    }
}

/// `v` must be finite (any sign).
pub fn finite(name: &str, v: f64) -> Result<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Error::param(name, format!("must be finite, got {v}")))
    }
}

/// `v` must lie strictly between 0 and 1.
pub fn probability(name: &str, v: f64) -> Result<f64> {
    if v > 0.0 && v < 1.0 {
        Ok(v)
    } else {
        Err(Error::param(
            name,
            format!("must be strictly between 0 and 1, got {v}"),
        ))
    }
}

/// An optional argument passed as NaN when absent.
pub fn optional(v: f64) -> Option<f64> {
    if v.is_nan() {
        None
    } else {
        Some(v)
    }
}
