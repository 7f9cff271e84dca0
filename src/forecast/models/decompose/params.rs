//! STL's parameters: [`StlParams`] as given (statsmodels' names and defaults), checked once
//! into [`StlValid`] with the derived windows resolved (the linfa params pattern).

use crate::error::{Error, Result};

/// STL's parameters as given, with statsmodels' `STL` names and defaults (`StlParams::new`).
/// `trend`, `low_pass`, `inner_iter` and `outer_iter` left `None` take statsmodels' derived
/// values; [`StlParams::check`] validates and resolves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StlParams {
    /// Period of the seasonal component (`>= 2`).
    pub period: usize,
    /// Seasonal smoother window (odd, `>= 3`; statsmodels' default 7).
    pub seasonal: usize,
    /// Trend smoother window (odd, `>= 3`, `> period`); default the smallest odd integer
    /// `>= 1.5 period / (1 - 1.5 / seasonal)`.
    pub trend: Option<usize>,
    /// Low-pass filter window (odd, `>= 3`, `> period`); default the smallest odd integer
    /// `> period`.
    pub low_pass: Option<usize>,
    /// Degree of the seasonal LOESS (0 or 1; default 1).
    pub seasonal_deg: usize,
    /// Degree of the trend LOESS (0 or 1; default 1).
    pub trend_deg: usize,
    /// Degree of the low-pass LOESS (0 or 1; default 1).
    pub low_pass_deg: usize,
    /// Robustness iterations (bisquare weights on the remainder; default false).
    pub robust: bool,
    /// Seasonal LOESS evaluated every `seasonal_jump` points, interpolated between (`>= 1`).
    pub seasonal_jump: usize,
    /// Trend LOESS step (`>= 1`).
    pub trend_jump: usize,
    /// Low-pass LOESS step (`>= 1`).
    pub low_pass_jump: usize,
    /// Inner loop passes (`>= 1`); default 2 if robust, else 5.
    pub inner_iter: Option<usize>,
    /// Robustness iterations after the first fit; default 15 if robust, else 0.
    pub outer_iter: Option<usize>,
}

/// Checked STL parameters, every window and count resolved. Built by [`StlParams::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StlValid {
    pub(crate) period: usize,
    pub(crate) seasonal: usize,
    pub(crate) trend: usize,
    pub(crate) low_pass: usize,
    pub(crate) seasonal_deg: usize,
    pub(crate) trend_deg: usize,
    pub(crate) low_pass_deg: usize,
    pub(crate) robust: bool,
    pub(crate) seasonal_jump: usize,
    pub(crate) trend_jump: usize,
    pub(crate) low_pass_jump: usize,
    pub(crate) inner_iter: usize,
    pub(crate) outer_iter: usize,
}

impl StlParams {
    /// statsmodels' defaults for `period`: seasonal 7, degrees 1, not robust, jumps 1.
    pub fn new(period: usize) -> StlParams {
        StlParams {
            period,
            seasonal: 7,
            trend: None,
            low_pass: None,
            seasonal_deg: 1,
            trend_deg: 1,
            low_pass_deg: 1,
            robust: false,
            seasonal_jump: 1,
            trend_jump: 1,
            low_pass_jump: 1,
            inner_iter: None,
            outer_iter: None,
        }
    }

    /// Set the seasonal window.
    pub fn seasonal(mut self, window: usize) -> StlParams {
        self.seasonal = window;
        self
    }

    /// Set the seasonal LOESS degree.
    pub fn seasonal_deg(mut self, deg: usize) -> StlParams {
        self.seasonal_deg = deg;
        self
    }

    /// Turn robustness iterations on or off.
    pub fn robust(mut self, robust: bool) -> StlParams {
        self.robust = robust;
        self
    }

    /// Validate, and resolve the derived windows as statsmodels does.
    pub fn check(&self) -> Result<StlValid> {
        let p = self.period;
        if p < 2 {
            return Err(Error::param("period", format!("must be >= 2, got {p}")));
        }
        let odd_at_least_3 = |name: &str, v: usize| -> Result<()> {
            if v < 3 || v % 2 == 0 {
                return Err(Error::param(
                    name,
                    format!("must be an odd integer >= 3, got {v}"),
                ));
            }
            Ok(())
        };
        odd_at_least_3("seasonal", self.seasonal)?;
        let trend = match self.trend {
            Some(t) => t,
            None => {
                let t = (1.5 * p as f64 / (1.0 - 1.5 / self.seasonal as f64)).ceil() as usize;
                t.saturating_add(usize::from(t % 2 == 0))
            }
        };
        let low_pass = self
            .low_pass
            .unwrap_or((p + 1) + usize::from((p + 1) % 2 == 0));
        for (name, v) in [("trend", trend), ("low_pass", low_pass)] {
            odd_at_least_3(name, v)?;
            if v <= p {
                return Err(Error::param(
                    name,
                    format!("must be > period ({p}), got {v}"),
                ));
            }
        }
        for (name, v) in [
            ("seasonal_deg", self.seasonal_deg),
            ("trend_deg", self.trend_deg),
            ("low_pass_deg", self.low_pass_deg),
        ] {
            if v > 1 {
                return Err(Error::param(name, format!("must be 0 or 1, got {v}")));
            }
        }
        for (name, v) in [
            ("seasonal_jump", self.seasonal_jump),
            ("trend_jump", self.trend_jump),
            ("low_pass_jump", self.low_pass_jump),
        ] {
            if v == 0 {
                return Err(Error::param(name, "must be >= 1"));
            }
        }
        let inner_iter = self.inner_iter.unwrap_or(if self.robust { 2 } else { 5 });
        if inner_iter == 0 {
            return Err(Error::param("inner_iter", "must be >= 1"));
        }
        let outer_iter = self.outer_iter.unwrap_or(if self.robust { 15 } else { 0 });
        Ok(StlValid {
            period: p,
            seasonal: self.seasonal,
            trend,
            low_pass,
            seasonal_deg: self.seasonal_deg,
            trend_deg: self.trend_deg,
            low_pass_deg: self.low_pass_deg,
            robust: self.robust,
            seasonal_jump: self.seasonal_jump,
            trend_jump: self.trend_jump,
            low_pass_jump: self.low_pass_jump,
            inner_iter,
            outer_iter,
        })
    }
}

impl StlValid {
    /// The period.
    pub fn period(&self) -> usize {
        self.period
    }
    /// The seasonal window.
    pub fn seasonal(&self) -> usize {
        self.seasonal
    }
    /// The trend window (resolved).
    pub fn trend(&self) -> usize {
        self.trend
    }
    /// The low-pass window (resolved).
    pub fn low_pass(&self) -> usize {
        self.low_pass
    }
    /// The inner loop passes (resolved).
    pub fn inner_iter(&self) -> usize {
        self.inner_iter
    }
    /// The robustness iterations (resolved).
    pub fn outer_iter(&self) -> usize {
        self.outer_iter
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_windows_follow_statsmodels() {
        // statsmodels: STL(y, period=7, seasonal=11).config -> trend 13, low_pass 9;
        // STL(y, period=7).config -> trend 15; period 365, seasonal 15 -> trend 609, low_pass 367.
        let v = StlParams::new(7).seasonal(11).check().unwrap();
        assert_eq!(
            (v.trend(), v.low_pass(), v.inner_iter(), v.outer_iter()),
            (13, 9, 5, 0)
        );
        assert_eq!(StlParams::new(7).check().unwrap().trend(), 15);
        let v = StlParams::new(365).seasonal(15).check().unwrap();
        assert_eq!((v.trend(), v.low_pass()), (609, 367));
        let v = StlParams::new(12).robust(true).check().unwrap();
        assert_eq!((v.low_pass(), v.inner_iter(), v.outer_iter()), (13, 2, 15));
    }

    #[test]
    fn rejects_bad_values() {
        assert!(StlParams::new(1).check().is_err());
        assert!(StlParams::new(7).seasonal(8).check().is_err());
        assert!(StlParams::new(7).seasonal(1).check().is_err());
        assert!(StlParams::new(7).seasonal_deg(2).check().is_err());
        let mut p = StlParams::new(7);
        p.trend = Some(7);
        assert!(p.check().is_err());
        p.trend = None;
        p.low_pass_jump = 0;
        assert!(p.check().is_err());
        p.low_pass_jump = 1;
        p.inner_iter = Some(0);
        assert!(p.check().is_err());
    }
}
