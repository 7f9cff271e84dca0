//! What a fitted per-series model keeps: enough to forecast any horizon and to quantify
//! its one-step uncertainty, plus why it fell back to a simpler model, if it did.

/// Why a series could not use the requested model and got a simpler one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Fallback {
    /// Fewer observations than the season length: the seasonal model fell back to `Naive`.
    ShortForSeason = 1,
    /// Never a positive sale: the intermittent model fell back to `Naive` (which forecasts 0).
    NoDemand = 2,
}

impl Fallback {
    /// Stable numeric code (persisted).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Decode a persisted code; 0 means no fallback.
    pub fn from_code(code: u8) -> Option<Option<Fallback>> {
        match code {
            0 => Some(None),
            1 => Some(Some(Fallback::ShortForSeason)),
            2 => Some(Some(Fallback::NoDemand)),
            _ => None,
        }
    }

    /// A human-readable reason.
    pub fn reason(self) -> &'static str {
        match self {
            Fallback::ShortForSeason => "fewer observations than season_length: used Naive",
            Fallback::NoDemand => "no positive demand in the history: used Naive (forecast 0)",
        }
    }
}

/// A fitted model for one series: the forecast repeats `cycle` (length 1 for flat forecasts).
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// Forecast for step k (1-based) is `cycle[(k - 1) % cycle.len()]`.
    pub cycle: Vec<f64>,
    /// Root mean squared in-sample one-step-ahead error (0 when none can be computed).
    pub sigma: f64,
    /// Set when the series fell back to a simpler model.
    pub fallback: Option<Fallback>,
}

impl Fitted {
    /// A flat forecast.
    pub fn constant(value: f64, sigma: f64) -> Self {
        Fitted {
            cycle: vec![value],
            sigma,
            fallback: None,
        }
    }

    /// Write the forecast for steps 1..=out.len() into `out`.
    pub fn forecast_into(&self, out: &mut [f64]) {
        let m = self.cycle.len();
        for (k, o) in out.iter_mut().enumerate() {
            *o = self.cycle[k % m];
        }
    }
}
