//! Per-series descriptive statistics of sales history, computed in one pass per series.

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
}

fn summarise(y: &[f64]) -> Row {
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
    Row {
        n,
        total,
        mean,
        std,
        zero_share: zeros / n,
        selling,
        first,
        last,
    }
}

/// Summarise every series of a finite panel (empty series give NaN statistics).
pub fn summary(panel: &Panel<'_>) -> Summary {
    let rows: Vec<Row> = parallel::install(|| {
        (0..panel.len())
            .into_par_iter()
            .map(|i| summarise(panel.series(i)))
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
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarises() {
        let v = [0.0, 2.0, 0.0, 4.0, 5.0];
        let p = Panel::new(&v, &[0, 4, 5]).unwrap();
        let s = summary(&p);
        assert_eq!(s.total, vec![6.0, 5.0]);
        assert_eq!(s.mean[0], 1.5);
        assert!((s.std[0] - 1.9148542155126762).abs() < 1e-12);
        assert!(s.std[1].is_nan());
        assert_eq!(s.zero_share[0], 0.5);
        assert_eq!(s.first_sale, vec![1, 0]);
        assert_eq!(s.last_sale, vec![3, 0]);
    }
}
