//! Forecast accuracy per evaluated group (a series, or a series × cutoff in
//! cross-validation) and per model. The formulas live in [`point`](super::point),
//! [`scale`](super::scale) and [`quantile`](super::quantile), metric names in
//! [`metric`](super::metric), checks in [`forecasts`](super::forecasts); this module runs
//! every group in parallel.
//!
//! Scaled metrics divide by an in-sample naive scale of the group's training window:
//! MASE = MAE / s₁, RMSSE = √(MSE / s₂), SPL = mean-over-quantiles pinball / s₁, where
//! s_p is [`naive_scale`] with the plain or the M5 range. A zero scale gives NaN when the
//! error is 0 too and +∞ otherwise (see [`ratio`]).

use super::forecasts::{validate, Forecasts};
use super::metric::Metric;
use super::point::{self, ratio};
use super::quantile;
use super::scale::{naive_scale, Scale};
use super::segments::Segments;
use crate::error::Result;
use crate::parallel;
use rayon::prelude::*;

/// The four naive scales of one training window, computed only when some metric needs them.
struct Scales([f64; 4]);

impl Scales {
    fn slot(scale: Scale, squared: bool) -> usize {
        (scale == Scale::M5) as usize * 2 + squared as usize
    }

    fn new(train: &[f64], m: usize, metrics: &[Metric]) -> Self {
        let mut s = [f64::NAN; 4];
        for metric in metrics {
            if let Some((kind, sq)) = metric.scale() {
                s[Self::slot(kind, sq)] = naive_scale(train, m, sq, kind);
            }
        }
        Scales(s)
    }

    fn get(&self, scale: Scale, squared: bool) -> f64 {
        self.0[Self::slot(scale, squared)]
    }
}

fn score(
    metric: Metric,
    y: &[f64],
    model: &Forecasts<'_>,
    (s, e): (usize, usize),
    sc: &Scales,
) -> f64 {
    let point = || &model.point.unwrap_or(&[])[s..e];
    let mean_pinball = || {
        model
            .quantiles
            .iter()
            .map(|&(u, q)| quantile::pinball(y, &q[s..e], u))
            .sum::<f64>()
            / model.quantiles.len() as f64
    };
    match metric {
        Metric::Mae => point::mae(y, point()),
        Metric::Mse => point::mse(y, point()),
        Metric::Rmse => point::mse(y, point()).sqrt(),
        Metric::Bias => point::bias(y, point()),
        Metric::Mape => point::mape(y, point()),
        Metric::Smape => point::smape(y, point()),
        Metric::Wape => point::wape(y, point()),
        Metric::Mase(k) => ratio(point::mae(y, point()), sc.get(k, false)),
        Metric::Rmsse(k) => ratio(point::mse(y, point()), sc.get(k, true)).sqrt(),
        Metric::Pinball(None) => mean_pinball(),
        Metric::Pinball(Some(u)) => {
            quantile::pinball(y, &model.quantile(u).unwrap_or(&[])[s..e], u)
        }
        Metric::Spl(k) => ratio(mean_pinball(), sc.get(k, false)),
        Metric::Coverage(l) => {
            let (lo, hi) = model.interval(l).unwrap_or((&[], &[]));
            quantile::coverage(y, &lo[s..e], &hi[s..e])
        }
        Metric::Winkler(l) => {
            let (lo, hi) = model.interval(l).unwrap_or((&[], &[]));
            quantile::winkler(y, &lo[s..e], &hi[s..e], l)
        }
    }
}

/// Score every group, metric and model.
///
/// `actual` partitions the actual values into groups (see [`Segments::from_offsets`]);
/// every forecast column is aligned with those values. `train` holds one training window
/// per group (needed by the scaled metrics); `seasonality` is their m.
///
/// Returns a row-major `(groups, metrics, models)` array.
pub fn evaluate(
    actual: &Segments<'_>,
    models: &[Forecasts<'_>],
    train: Option<&Segments<'_>>,
    metrics: &[Metric],
    seasonality: usize,
) -> Result<Vec<f64>> {
    let n_values = if actual.is_empty() {
        0
    } else {
        actual.bounds(actual.len() - 1).1
    };
    validate(actual, n_values, models, train, metrics, seasonality)?;
    let row = metrics.len() * models.len();
    let mut out = vec![0.0; actual.len() * row];
    if row == 0 {
        return Ok(out);
    }
    parallel::install(|| {
        out.par_chunks_mut(row).enumerate().for_each(|(g, cell)| {
            let bounds = actual.bounds(g);
            let y = actual.get(g);
            let sc = Scales::new(train.map_or(&[][..], |t| t.get(g)), seasonality, metrics);
            for (k, &metric) in metrics.iter().enumerate() {
                for (j, model) in models.iter().enumerate() {
                    cell[k * models.len() + j] = score(metric, y, model, bounds, &sc);
                }
            }
        })
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn approx(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn parses_names() {
        assert_eq!(Metric::parse("rmsse_m5").unwrap(), Metric::Rmsse(Scale::M5));
        assert_eq!(
            Metric::parse("pinball_q0.9").unwrap(),
            Metric::Pinball(Some(0.9))
        );
        assert_eq!(
            Metric::parse("coverage_80").unwrap(),
            Metric::Coverage(80.0)
        );
        assert_eq!(
            Metric::parse("winkler_95.5").unwrap(),
            Metric::Winkler(95.5)
        );
        for bad in [
            "pinball_q1",
            "coverage_0",
            "coverage_x",
            "winkler_100",
            "mad",
        ] {
            let e = Metric::parse(bad).unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn scores_groups_and_models() {
        // two groups: [1, 2, 3] and [4]
        let y = [1.0, 2.0, 3.0, 4.0];
        let actual = Segments::from_offsets(&y, &[0, 3, 4]).unwrap();
        let a = [2.0, 2.0, 1.0, 4.0];
        let b = [1.0, 2.0, 3.0, 6.0];
        let lo = [0.0, 0.0, 0.0, 5.0];
        let hi = [2.0, 2.0, 2.0, 7.0];
        let models = [
            Forecasts {
                name: "a",
                point: Some(&a),
                ..Default::default()
            },
            Forecasts {
                name: "b",
                point: Some(&b),
                quantiles: vec![(0.1, &lo), (0.9, &hi)],
                intervals: vec![(80.0, &lo, &hi)],
            },
        ];
        let tv = [1.0, 3.0, 2.0, 4.0, 0.0, 0.0, 5.0];
        let train = Segments::new(&tv, &[0, 4], &[4, 7]).unwrap();
        let metrics = [
            Metric::Mae,
            Metric::Mase(Scale::Plain),
            Metric::Rmsse(Scale::M5),
        ];
        let out = evaluate(&actual, &models, Some(&train), &metrics, 1).unwrap();
        assert_eq!(out.len(), 2 * 3 * 2);
        // group 0, model a: MAE 1, scale 5/3 -> MASE 0.6; squared scale 3 -> √(5/9)
        assert!(approx(out[0], 1.0));
        assert!(approx(out[2], 0.6));
        assert!(approx(out[4], (5.0f64 / 9.0).sqrt()));
        // group 0, model b is perfect
        assert_eq!(out[1], 0.0);
        // group 1 (y = 4): model b error 2; M5 squared scale over [5] alone is undefined
        assert!(approx(out[6 + 1], 2.0));
        assert!(out[6 + 5].is_nan());
        // quantile metrics need quantiles: model a has none
        let err = evaluate(&actual, &models, None, &[Metric::Pinball(None)], 1).unwrap_err();
        assert!(err.to_string().contains("`a`"));
        let only_b = &models[1..];
        let m = [
            Metric::Coverage(80.0),
            Metric::Winkler(80.0),
            Metric::Pinball(Some(0.9)),
        ];
        let out = evaluate(&actual, only_b, None, &m, 1).unwrap();
        assert!(approx(out[0], 2.0 / 3.0));
        // widths 2, 2, 2; y = 3 above hi = 2 by 1: penalty 10
        assert!(approx(out[1], 16.0 / 3.0));
        assert!(approx(out[2], 1.0 / 3.0));
        assert!(approx(out[3], 0.0));
    }

    #[test]
    fn rejects_bad_input() {
        let y = [1.0, 2.0];
        let actual = Segments::from_offsets(&y, &[0, 2]).unwrap();
        let f = [1.0, f64::NAN];
        let m = [Forecasts {
            name: "x",
            point: Some(&f),
            ..Default::default()
        }];
        let e = evaluate(&actual, &m, None, &[Metric::Mae], 1).unwrap_err();
        assert!(e.to_string().contains("`x`"), "{e}");
        let f = [1.0];
        let m = [Forecasts {
            name: "x",
            point: Some(&f),
            ..Default::default()
        }];
        assert!(matches!(
            evaluate(&actual, &m, None, &[Metric::Mae], 1),
            Err(Error::Shape(_))
        ));
        let f = [1.0, 2.0];
        let m = [Forecasts {
            name: "x",
            point: Some(&f),
            ..Default::default()
        }];
        assert!(evaluate(&actual, &m, None, &[Metric::Mase(Scale::Plain)], 1).is_err());
        assert!(evaluate(&actual, &m, None, &[Metric::Mae], 0).is_err());
        let lo = [2.0, 2.0];
        let hi = [1.0, 3.0];
        let m = [Forecasts {
            name: "x",
            intervals: vec![(80.0, &lo, &hi)],
            ..Default::default()
        }];
        let e = evaluate(&actual, &m, None, &[Metric::Coverage(80.0)], 1).unwrap_err();
        assert!(e.to_string().contains("lower bound"), "{e}");
    }
}
