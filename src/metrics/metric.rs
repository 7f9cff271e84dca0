//! Accuracy metric names: parsing `mae`, `rmsse_m5`, `pinball_q0.9`, `coverage_80`... into
//! [`Metric`] values, and what each metric needs (point, quantile or interval forecasts,
//! a training window for its scale).

use super::scale::Scale;
use crate::error::{Error, Result};

/// One accuracy metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// Mean absolute error.
    Mae,
    /// Mean squared error.
    Mse,
    /// Root mean squared error.
    Rmse,
    /// Mean signed error ŷ − y.
    Bias,
    /// Mean absolute percentage error (percent, zero actuals skipped).
    Mape,
    /// Symmetric MAPE, M4 definition (percent, 0–200).
    Smape,
    /// Weighted absolute percentage error Σ|e| / Σ|y|.
    Wape,
    /// Mean absolute scaled error.
    Mase(Scale),
    /// Root mean squared scaled error.
    Rmsse(Scale),
    /// Pinball loss at one quantile, or (`None`) averaged over the model's quantiles.
    Pinball(Option<f64>),
    /// Scaled pinball loss averaged over the model's quantiles (M5 uncertainty SPL).
    Spl(Scale),
    /// Coverage of the central interval at a level in percent.
    Coverage(f64),
    /// Winkler score of the central interval at a level in percent.
    Winkler(f64),
}

const KNOWN: &str = "mae, mse, rmse, bias, mape, smape, wape, mase, rmsse, mase_m5, \
                     rmsse_m5, pinball, pinball_q<u>, spl, spl_m5, coverage_<level>, \
                     winkler_<level>";

fn parse_number(name: &str, text: &str, lo: f64, hi: f64) -> Result<f64> {
    match text.parse::<f64>() {
        Ok(v) if v > lo && v < hi => Ok(v),
        _ => Err(Error::param(
            "metrics",
            format!("`{name}`: `{text}` must be a number strictly between {lo} and {hi}"),
        )),
    }
}

impl Metric {
    /// Parse a metric name (lower case), e.g. `rmsse_m5`, `pinball_q0.9`, `coverage_80`.
    pub fn parse(name: &str) -> Result<Metric> {
        Ok(match name {
            "mae" => Metric::Mae,
            "mse" => Metric::Mse,
            "rmse" => Metric::Rmse,
            "bias" => Metric::Bias,
            "mape" => Metric::Mape,
            "smape" => Metric::Smape,
            "wape" => Metric::Wape,
            "mase" => Metric::Mase(Scale::Plain),
            "rmsse" => Metric::Rmsse(Scale::Plain),
            "mase_m5" => Metric::Mase(Scale::M5),
            "rmsse_m5" => Metric::Rmsse(Scale::M5),
            "pinball" => Metric::Pinball(None),
            "spl" => Metric::Spl(Scale::Plain),
            "spl_m5" => Metric::Spl(Scale::M5),
            other => {
                if let Some(u) = other.strip_prefix("pinball_q") {
                    Metric::Pinball(Some(parse_number(other, u, 0.0, 1.0)?))
                } else if let Some(l) = other.strip_prefix("coverage_") {
                    Metric::Coverage(parse_number(other, l, 0.0, 100.0)?)
                } else if let Some(l) = other.strip_prefix("winkler_") {
                    Metric::Winkler(parse_number(other, l, 0.0, 100.0)?)
                } else {
                    return Err(Error::param(
                        "metrics",
                        format!("unknown metric `{other}` (known: {KNOWN})"),
                    ));
                }
            }
        })
    }

    /// The naive scale the metric divides by, as (range, squared), if any.
    pub fn scale(self) -> Option<(Scale, bool)> {
        match self {
            Metric::Mase(s) | Metric::Spl(s) => Some((s, false)),
            Metric::Rmsse(s) => Some((s, true)),
            _ => None,
        }
    }

    /// Whether the metric needs the training series.
    pub fn needs_train(self) -> bool {
        self.scale().is_some()
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m5 = |s: &Scale| if *s == Scale::M5 { "_m5" } else { "" };
        match self {
            Metric::Mae => write!(f, "mae"),
            Metric::Mse => write!(f, "mse"),
            Metric::Rmse => write!(f, "rmse"),
            Metric::Bias => write!(f, "bias"),
            Metric::Mape => write!(f, "mape"),
            Metric::Smape => write!(f, "smape"),
            Metric::Wape => write!(f, "wape"),
            Metric::Mase(s) => write!(f, "mase{}", m5(s)),
            Metric::Rmsse(s) => write!(f, "rmsse{}", m5(s)),
            Metric::Pinball(None) => write!(f, "pinball"),
            Metric::Pinball(Some(u)) => write!(f, "pinball_q{u}"),
            Metric::Spl(s) => write!(f, "spl{}", m5(s)),
            Metric::Coverage(l) => write!(f, "coverage_{l}"),
            Metric::Winkler(l) => write!(f, "winkler_{l}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in [
            "mae",
            "rmsse_m5",
            "spl",
            "pinball",
            "pinball_q0.25",
            "coverage_80",
            "winkler_99.5",
        ] {
            assert_eq!(Metric::parse(name).unwrap().to_string(), name);
        }
    }
}
