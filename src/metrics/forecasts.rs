//! The forecast columns of one model ([`Forecasts`]) and the validation of an evaluation
//! request: lengths, finiteness, interval order, and that every model supplies what each
//! requested metric needs.

use super::metric::Metric;
use super::segments::Segments;
use crate::error::{Error, Result};

/// Tolerance when matching a requested quantile or level to the ones supplied.
const MATCH_TOL: f64 = 1e-9;
/// The forecast columns of one model, aligned with the actual values.
#[derive(Debug, Clone, Default)]
pub struct Forecasts<'a> {
    /// Model name (for error messages).
    pub name: &'a str,
    /// Point forecasts.
    pub point: Option<&'a [f64]>,
    /// Quantile forecasts as (u in (0, 1), values).
    pub quantiles: Vec<(f64, &'a [f64])>,
    /// Central intervals as (level in (0, 100), lower, upper).
    pub intervals: Vec<(f64, &'a [f64], &'a [f64])>,
}

impl Forecasts<'_> {
    pub(crate) fn quantile(&self, u: f64) -> Option<&[f64]> {
        self.quantiles
            .iter()
            .find(|(q, _)| (q - u).abs() < MATCH_TOL)
            .map(|&(_, v)| v)
    }

    pub(crate) fn interval(&self, level: f64) -> Option<(&[f64], &[f64])> {
        self.intervals
            .iter()
            .find(|(l, _, _)| (l - level).abs() < MATCH_TOL)
            .map(|&(_, lo, hi)| (lo, hi))
    }

    fn columns(&self) -> impl Iterator<Item = (String, &[f64])> {
        let point = self.point.map(|p| (String::new(), p));
        let qs = self.quantiles.iter().map(|(u, v)| (format!(" q{u}"), *v));
        let iv = self
            .intervals
            .iter()
            .flat_map(|(l, lo, hi)| [(format!(" lo-{l}"), *lo), (format!(" hi-{l}"), *hi)]);
        point.into_iter().chain(qs).chain(iv)
    }

    /// Check the model supplies what `metric` needs.
    fn supports(&self, metric: Metric) -> Result<()> {
        let missing = match metric {
            Metric::Pinball(None) | Metric::Spl(_) if self.quantiles.is_empty() => {
                Some("quantile forecasts".to_string())
            }
            Metric::Pinball(Some(u)) if self.quantile(u).is_none() => {
                Some(format!("a forecast of quantile {u}"))
            }
            Metric::Coverage(l) | Metric::Winkler(l) if self.interval(l).is_none() => {
                Some(format!("a {l}% interval"))
            }
            Metric::Mae
            | Metric::Mse
            | Metric::Rmse
            | Metric::Bias
            | Metric::Mape
            | Metric::Smape
            | Metric::Wape
            | Metric::Mase(_)
            | Metric::Rmsse(_)
                if self.point.is_none() =>
            {
                Some("point forecasts".to_string())
            }
            _ => None,
        };
        match missing {
            Some(what) => Err(Error::param(
                "metrics",
                format!("`{metric}` needs {what} from model `{}`", self.name),
            )),
            None => Ok(()),
        }
    }
}

pub(crate) fn validate(
    actual: &Segments<'_>,
    n_values: usize,
    models: &[Forecasts<'_>],
    train: Option<&Segments<'_>>,
    metrics: &[Metric],
    seasonality: usize,
) -> Result<()> {
    if seasonality == 0 {
        return Err(Error::param("seasonality", "must be >= 1, got 0"));
    }
    if metrics.iter().any(|m| m.needs_train()) {
        match train {
            None => {
                return Err(Error::param(
                    "train_df",
                    "is required for the scaled metrics (mase, rmsse, spl and their _m5 forms)",
                ))
            }
            Some(t) if t.len() != actual.len() => {
                return Err(Error::Shape(format!(
                    "{} training windows for {} evaluated groups",
                    t.len(),
                    actual.len()
                )))
            }
            _ => {}
        }
    }
    if let Some(g) = (0..actual.len()).find(|&g| actual.get(g).is_empty()) {
        return Err(Error::InvalidSeries {
            series: g,
            reason: "has no actual values to evaluate".into(),
        });
    }
    if let Some(g) = (0..actual.len()).find(|&g| actual.get(g).iter().any(|v| !v.is_finite())) {
        return Err(Error::InvalidSeries {
            series: g,
            reason: "an actual value is not finite".into(),
        });
    }
    let group_of = |pos: usize| (0..actual.len()).find(|&g| actual.bounds(g).1 > pos);
    for model in models {
        for metric in metrics {
            model.supports(*metric)?;
        }
        for (what, col) in model.columns() {
            if col.len() != n_values {
                return Err(Error::Shape(format!(
                    "model `{}`{what}: {} forecasts for {n_values} actual values",
                    model.name,
                    col.len()
                )));
            }
            if let Some(pos) = col.iter().position(|v| !v.is_finite()) {
                return Err(Error::InvalidSeries {
                    series: group_of(pos).unwrap_or(0),
                    reason: format!(
                        "model `{}`{what}: forecast {} is not finite",
                        model.name, col[pos]
                    ),
                });
            }
        }
        for &(l, lo, hi) in &model.intervals {
            if !(l > 0.0 && l < 100.0) {
                return Err(Error::param(
                    "level",
                    format!("must be in (0, 100), got {l}"),
                ));
            }
            if let Some(pos) = lo.iter().zip(hi).position(|(a, b)| a > b) {
                return Err(Error::InvalidSeries {
                    series: group_of(pos).unwrap_or(0),
                    reason: format!(
                        "model `{}`: the {l}% interval's lower bound {} is above its upper bound {}",
                        model.name, lo[pos], hi[pos]
                    ),
                });
            }
        }
        if let Some(&(u, _)) = model
            .quantiles
            .iter()
            .find(|(u, _)| !(*u > 0.0 && *u < 1.0))
        {
            return Err(Error::param(
                "quantiles",
                format!("must be in (0, 1), got {u}"),
            ));
        }
    }
    Ok(())
}
