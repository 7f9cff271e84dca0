//! Per-series descriptive statistics of sales history, computed in one pass per series:
//! totals, spread, zero share, selling periods, first/last sale, linear trend, seasonal
//! strength (see [`seasonal`](super::seasonal)) and revenue when prices are given.

use super::seasonal::seasonal_strength;
use crate::error::{Error, Result};
use crate::panel::Panel;
use crate::parallel;
use rayon::prelude::*;

/// Summary columns, one entry per series.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Number of periods.
    pub n_periods: Vec<f64>,
    /// Sum of units.
    pub total: Vec<f64>,
    /// Mean units per period.
    pub mean: Vec<f64>,
    /// Sample standard deviation (ddof = 1; NaN for one period), as pandas' `std`.
    pub std: Vec<f64>,
    /// Share of periods with zero units.
    pub zero_share: Vec<f64>,
    /// Periods with positive units.
    pub selling_periods: Vec<f64>,
    /// Position of the first positive sale, or -1.
    pub first_sale: Vec<i64>,
    /// Position of the last positive sale, or -1.
    pub last_sale: Vec<i64>,
    /// OLS slope of units on the period index (units per period; NaN for one period).
    pub trend_slope: Vec<f64>,
    /// slope · (n − 1) / mean: the fitted trend's change over the history relative to the
    /// mean level (NaN when the mean is 0 or there is one period).
    pub trend_growth: Vec<f64>,
    /// Seasonal strength F_S in [0, 1] (NaN when shorter than two seasons or m < 2).
    pub seasonal_strength: Vec<f64>,
    /// Σ units × price (NaN when no prices are given).
    pub revenue: Vec<f64>,
}

struct Row {
    n: f64,
    total: f64,
    mean: f64,
    std: f64,
    zero_share: f64,
    selling: f64,
    first: i64,
    last: i64,
    slope: f64,
    growth: f64,
    strength: f64,
    revenue: f64,
}

/// OLS slope of `y` on 0..n.
pub fn trend_slope(y: &[f64]) -> f64 {
    let n = y.len();
    if n < 2 {
        return f64::NAN;
    }
    let t_mean = (n - 1) as f64 / 2.0;
    let y_mean = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (t, v) in y.iter().enumerate() {
        let dt = t as f64 - t_mean;
        sxy += dt * (v - y_mean);
        sxx += dt * dt;
    }
    sxy / sxx
}

fn summarise(y: &[f64], price: Option<&[f64]>, m: usize) -> Row {
    let n = y.len() as f64;
    let total: f64 = y.iter().sum();
    let mean = total / n;
    let ss: f64 = y.iter().map(|v| (v - mean) * (v - mean)).sum();
    let std = if y.len() > 1 {
        (ss / (n - 1.0)).sqrt()
    } else {
        f64::NAN
    };
    let zeros = y.iter().filter(|&&v| v == 0.0).count() as f64;
    let selling = y.iter().filter(|&&v| v > 0.0).count() as f64;
    let first = y.iter().position(|&v| v > 0.0).map_or(-1, |p| p as i64);
    let last = y.iter().rposition(|&v| v > 0.0).map_or(-1, |p| p as i64);
    let slope = trend_slope(y);
    let growth = if mean != 0.0 && y.len() > 1 {
        slope * (n - 1.0) / mean
    } else {
        f64::NAN
    };
    let revenue = price.map_or(f64::NAN, |p| {
        y.iter()
            .zip(p)
            .map(|(&u, &pr)| if u == 0.0 { 0.0 } else { u * pr })
            .sum()
    });
    Row {
        n,
        total,
        mean,
        std,
        zero_share: zeros / n,
        selling,
        first,
        last,
        slope,
        growth,
        strength: seasonal_strength(y, m),
        revenue,
    }
}

/// Summarise every series of a finite panel (empty series give NaN statistics).
///
/// `price` (aligned with the panel's values) adds revenue; a price may be NaN only on
/// zero-sale periods. `season_length` is the m of the seasonal strength.
pub fn summary(panel: &Panel<'_>, price: Option<&[f64]>, season_length: usize) -> Result<Summary> {
    let mut bounds = Vec::with_capacity(panel.len());
    let mut start = 0;
    for i in 0..panel.len() {
        let len = panel.series(i).len();
        bounds.push((start, start + len));
        start += len;
    }
    if let Some(p) = price {
        if p.len() != start {
            return Err(Error::Shape(format!(
                "{} prices for {start} values",
                p.len()
            )));
        }
        for (i, &(s, e)) in bounds.iter().enumerate() {
            let y = panel.series(i);
            if let Some(pos) = (s..e).position(|k| y[k - s] != 0.0 && !p[k].is_finite()) {
                return Err(Error::InvalidSeries {
                    series: i,
                    reason: format!("price at position {pos} is {} on a sale day", p[s + pos]),
                });
            }
        }
    }
    let rows: Vec<Row> = parallel::install(|| {
        bounds
            .par_iter()
            .enumerate()
            .map(|(i, &(s, e))| summarise(panel.series(i), price.map(|p| &p[s..e]), season_length))
            .collect()
    });
    let mut s = Summary::default();
    for r in rows {
        s.n_periods.push(r.n);
        s.total.push(r.total);
        s.mean.push(r.mean);
        s.std.push(r.std);
        s.zero_share.push(r.zero_share);
        s.selling_periods.push(r.selling);
        s.first_sale.push(r.first);
        s.last_sale.push(r.last);
        s.trend_slope.push(r.slope);
        s.trend_growth.push(r.growth);
        s.seasonal_strength.push(r.strength);
        s.revenue.push(r.revenue);
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarises() {
        let v = [0.0, 2.0, 0.0, 4.0, 5.0];
        let p = Panel::new(&v, &[0, 4, 5]).unwrap();
        let s = summary(&p, None, 1).unwrap();
        assert_eq!(s.total, vec![6.0, 5.0]);
        assert_eq!(s.mean[0], 1.5);
        assert!((s.std[0] - 1.9148542155126762).abs() < 1e-12);
        assert!(s.std[1].is_nan());
        assert_eq!(s.zero_share[0], 0.5);
        assert_eq!(s.first_sale, vec![1, 0]);
        assert_eq!(s.last_sale, vec![3, 0]);
        // slope of [0, 2, 0, 4] on [0, 1, 2, 3]: Σdt·dy = 5, Σdt² = 5
        assert!((s.trend_slope[0] - 1.0).abs() < 1e-12);
        assert!((s.trend_growth[0] - 3.0 / 1.5).abs() < 1e-12);
        assert!(s.trend_slope[1].is_nan() && s.revenue[0].is_nan());
    }

    #[test]
    fn revenue_and_prices() {
        let v = [0.0, 2.0, 3.0];
        let p = Panel::new(&v, &[0, 3]).unwrap();
        let s = summary(&p, Some(&[f64::NAN, 1.5, 2.0]), 1).unwrap();
        assert_eq!(s.revenue, vec![9.0]);
        let e = summary(&p, Some(&[1.0, f64::NAN, 2.0]), 1).unwrap_err();
        assert!(e.to_string().contains("position 1"), "{e}");
        assert!(summary(&p, Some(&[1.0]), 1).is_err());
    }
}
