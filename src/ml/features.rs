//! The feature engine: the design matrix of a global model over a panel, built in
//! parallel across series. Columns, in order: target lags (`lag7`), lag transforms
//! (`rolling_mean_lag7_window_size28`, see `transforms.rs`), calendar features
//! (`dayofweek`, ...), holiday/event indicators (`holiday_<name>`), static features (one
//! value per series) and dynamic exogenous features (one value per row). The same
//! [`FeatureSpec::row`] serves recursive prediction, so training and scoring agree.

use super::calendar::{civil_from_days, DateFeature};
use super::target::{SeriesState, TargetTransform};
use super::transforms::LagTransform;
use crate::error::{Error, Result};
use crate::panel::Panel;
use crate::parallel;
use rayon::prelude::*;

/// A validated feature configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeatureSpec {
    /// Target lags (>= 1).
    pub lags: Vec<usize>,
    /// Statistics of lagged targets.
    pub transforms: Vec<LagTransform>,
    /// Calendar features of `ds`.
    pub date_features: Vec<DateFeature>,
    /// Named sets of event dates (days since epoch, sorted) -> 0/1 indicators.
    pub holidays: Vec<(String, Vec<i64>)>,
    /// Names of the static (per-series) features.
    pub static_names: Vec<String>,
    /// Names of the dynamic (per-row) exogenous features.
    pub dynamic_names: Vec<String>,
    /// Target transforms, applied in order.
    pub target_transforms: Vec<TargetTransform>,
    /// Drop training rows whose target-derived features are NaN (mlforecast's `dropna`).
    pub dropna: bool,
}

/// A panel with its calendar and exogenous data, borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct PanelData<'a> {
    /// The target.
    pub panel: Panel<'a>,
    /// Day number (days since 1970-01-01) of every row.
    pub days: &'a [i64],
    /// Row-major `n_rows × n_dynamic` exogenous values.
    pub dynamic: &'a [f64],
    /// Row-major `n_series × n_static` static values.
    pub statics: &'a [f64],
}

/// The transformed target of a panel and what inverting the transforms needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Transformed {
    /// Transformed values, series back to back (same offsets as the input panel).
    pub z: Vec<f64>,
    /// `states[k][i]`: transform `k`'s state for series `i`.
    pub states: Vec<Vec<SeriesState>>,
}

/// A design matrix for training.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Design {
    /// Row-major `n_rows × n_features`.
    pub x: Vec<f64>,
    /// Transformed target of each row.
    pub y: Vec<f64>,
    /// Number of features (columns).
    pub n_features: usize,
    /// Series index of each row.
    pub series: Vec<u32>,
    /// Position of each row within its series.
    pub pos: Vec<u32>,
}

impl Design {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.y.len()
    }
    /// Row `r`.
    pub fn row(&self, r: usize) -> &[f64] {
        &self.x[r * self.n_features..(r + 1) * self.n_features]
    }
}

impl FeatureSpec {
    /// Check the configuration (non-empty, lags >= 1, unique names).
    pub fn check(self) -> Result<Self> {
        if let Some(&l) = self.lags.iter().find(|&&l| l < 1) {
            return Err(Error::param("lags", format!("lags must be >= 1, got {l}")));
        }
        let names = self.names();
        if names.is_empty() {
            return Err(Error::param(
                "features",
                "a machine-learning model needs at least one feature",
            ));
        }
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(Error::param("features", format!("duplicate feature `{n}`")));
            }
        }
        Ok(self)
    }

    /// Feature names, in column order.
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = self.lags.iter().map(|l| format!("lag{l}")).collect();
        out.extend(self.transforms.iter().map(LagTransform::name));
        out.extend(self.date_features.iter().map(|f| f.name().to_string()));
        out.extend(self.holidays.iter().map(|(n, _)| format!("holiday_{n}")));
        out.extend(self.static_names.iter().cloned());
        out.extend(self.dynamic_names.iter().cloned());
        out
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.lags.len()
            + self.transforms.len()
            + self.date_features.len()
            + self.holidays.len()
            + self.static_names.len()
            + self.dynamic_names.len()
    }

    /// Number of leading columns derived from the target.
    pub fn n_target_features(&self) -> usize {
        self.lags.len() + self.transforms.len()
    }

    /// The periods of history the target features look back (largest lag + window).
    pub fn lookback(&self) -> usize {
        let l = self.lags.iter().copied().max().unwrap_or(0);
        let t = self
            .transforms
            .iter()
            .map(|tr| match *tr {
                LagTransform::Rolling { lag, window, .. } => lag + window,
                _ => usize::MAX, // expanding statistics read the whole history
            })
            .max()
            .unwrap_or(0);
        l.max(t)
    }

    /// Features at time `t` of a series whose (transformed) history is `hist[..t]`.
    pub fn row(
        &self,
        hist: &[f64],
        t: usize,
        day: i64,
        stat: &[f64],
        dynamic: &[f64],
        out: &mut [f64],
    ) {
        let mut c = 0;
        for &l in &self.lags {
            out[c] = if t >= l && t - l < hist.len() {
                hist[t - l]
            } else {
                f64::NAN
            };
            c += 1;
        }
        for tr in &self.transforms {
            out[c] = tr.at(hist, t);
            c += 1;
        }
        self.calendar_and_exog(day, stat, dynamic, &mut out[c..]);
    }

    fn calendar_and_exog(&self, day: i64, stat: &[f64], dynamic: &[f64], out: &mut [f64]) {
        let mut c = 0;
        if !self.date_features.is_empty() {
            let ymd = civil_from_days(day);
            for f in &self.date_features {
                out[c] = f.value_civil(day, ymd);
                c += 1;
            }
        }
        for (_, dates) in &self.holidays {
            out[c] = f64::from(u8::from(dates.binary_search(&day).is_ok()));
            c += 1;
        }
        out[c..c + stat.len()].copy_from_slice(stat);
        c += stat.len();
        out[c..c + dynamic.len()].copy_from_slice(dynamic);
    }

    /// Features of every row of one series (`out` is row-major `z.len() × n_features`).
    pub fn series_block(
        &self,
        z: &[f64],
        days: &[i64],
        stat: &[f64],
        dynamic: &[f64],
        out: &mut [f64],
    ) {
        let f = self.n_features();
        let nd = self.dynamic_names.len();
        for (c, &l) in self.lags.iter().enumerate() {
            for t in 0..z.len() {
                out[t * f + c] = if t >= l { z[t - l] } else { f64::NAN };
            }
        }
        for (k, tr) in self.transforms.iter().enumerate() {
            tr.column(z, &mut out[self.lags.len() + k..], f);
        }
        let c0 = self.n_target_features();
        for t in 0..z.len() {
            let row = &mut out[t * f + c0..(t + 1) * f];
            self.calendar_and_exog(days[t], stat, &dynamic[t * nd..(t + 1) * nd], row);
        }
    }

    fn check_data(&self, data: &PanelData<'_>) -> Result<()> {
        let n = data.panel.series_len_total();
        let (nd, ns) = (self.dynamic_names.len(), self.static_names.len());
        if data.days.len() != n || data.dynamic.len() != n * nd {
            return Err(Error::Shape(format!(
                "{n} rows but {} dates and {} dynamic values ({nd} per row)",
                data.days.len(),
                data.dynamic.len()
            )));
        }
        if data.statics.len() != data.panel.len() * ns {
            return Err(Error::Shape(format!(
                "{} series but {} static values ({ns} per series)",
                data.panel.len(),
                data.statics.len()
            )));
        }
        Ok(())
    }

    /// Apply the target transforms to every series.
    pub fn transform(&self, panel: &Panel<'_>) -> Result<Transformed> {
        let per: Vec<(Vec<f64>, Vec<SeriesState>)> = parallel::install(|| {
            (0..panel.len())
                .into_par_iter()
                .map(|i| {
                    let mut z = panel.series(i).to_vec();
                    let states = self
                        .target_transforms
                        .iter()
                        .map(|t| t.forward(&mut z, i))
                        .collect::<Result<Vec<_>>>()?;
                    Ok((z, states))
                })
                .collect::<Result<Vec<_>>>()
        })?;
        let mut z = Vec::with_capacity(panel.series_len_total());
        let mut states = vec![Vec::with_capacity(panel.len()); self.target_transforms.len()];
        for (zi, si) in per {
            z.extend_from_slice(&zi);
            for (k, s) in si.into_iter().enumerate() {
                states[k].push(s);
            }
        }
        Ok(Transformed { z, states })
    }

    /// The training design matrix. With `keep_all`, every row is kept (the full feature
    /// matrix, NaN included); otherwise rows with a NaN target, and with `dropna` rows
    /// with a NaN target-derived feature, are dropped.
    pub fn design(&self, data: &PanelData<'_>, z: &[f64], keep_all: bool) -> Result<Design> {
        self.check_data(data)?;
        let f = self.n_features();
        let (nd, ns) = (self.dynamic_names.len(), self.static_names.len());
        let panel = data.panel;
        let n_tf = self.n_target_features();
        // Every series writes its rows straight into its own region of one buffer sized
        // for all rows (in parallel), keeps its kept rows at the front of the region, and
        // one pass of in-place moves closes the gaps: one allocation of the matrix and no
        // intermediate per-series copies.
        let n_all = panel.series_len_total();
        let mut x = vec![0.0; n_all * f];
        let mut y = vec![0.0; n_all];
        let mut pos = vec![0u32; n_all];
        let mut regions = Vec::with_capacity(panel.len());
        let (mut rx, mut ry, mut rp) = (x.as_mut_slice(), y.as_mut_slice(), pos.as_mut_slice());
        for i in 0..panel.len() {
            let len = panel.series(i).len();
            let (hx, tx) = rx.split_at_mut(len * f);
            let (hy, ty) = ry.split_at_mut(len);
            let (hp, tp) = rp.split_at_mut(len);
            regions.push((hx, hy, hp));
            (rx, ry, rp) = (tx, ty, tp);
        }
        let kept: Vec<usize> = parallel::install(|| {
            regions
                .into_par_iter()
                .enumerate()
                .map(|(i, (bx, by, bp))| {
                    let (a, b) = panel.bounds(i);
                    let zi = &z[a..b];
                    self.series_block(
                        zi,
                        &data.days[a..b],
                        &data.statics[i * ns..(i + 1) * ns],
                        &data.dynamic[a * nd..b * nd],
                        bx,
                    );
                    let mut k = 0;
                    for t in 0..zi.len() {
                        let keep = keep_all
                            || (zi[t].is_finite()
                                && !(self.dropna
                                    && bx[t * f..t * f + n_tf].iter().any(|v| v.is_nan())));
                        if keep {
                            if k != t {
                                bx.copy_within(t * f..(t + 1) * f, k * f);
                            }
                            by[k] = zi[t];
                            bp[k] = t as u32;
                            k += 1;
                        }
                    }
                    k
                })
                .collect()
        });
        let mut w = 0;
        let mut series = Vec::with_capacity(kept.iter().sum());
        for (i, &k) in kept.iter().enumerate() {
            let a = panel.bounds(i).0;
            if a != w {
                x.copy_within(a * f..(a + k) * f, w * f);
                y.copy_within(a..a + k, w);
                pos.copy_within(a..a + k, w);
            }
            series.extend(std::iter::repeat_n(i as u32, k));
            w += k;
        }
        x.truncate(w * f);
        y.truncate(w);
        pos.truncate(w);
        let out = Design {
            x,
            y,
            n_features: f,
            series,
            pos,
        };
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::transforms::LagTransform;

    fn spec() -> FeatureSpec {
        FeatureSpec {
            lags: vec![1, 3],
            transforms: vec![
                LagTransform::new("rolling_mean", 1, 2, None, 0.0).unwrap(),
                LagTransform::new("expanding_mean", 2, 0, None, 0.0).unwrap(),
            ],
            date_features: vec![DateFeature::DayOfWeek],
            holidays: vec![("xmas".into(), vec![3])],
            static_names: vec!["store".into()],
            dynamic_names: vec!["price".into()],
            target_transforms: vec![],
            dropna: true,
        }
        .check()
        .unwrap()
    }

    #[test]
    fn builds_design_and_row_agrees() {
        let s = spec();
        let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let offsets = [0, 4, 7];
        let days: Vec<i64> = vec![0, 1, 2, 3, 0, 1, 2];
        let dynamic: Vec<f64> = (0..7).map(|r| 10.0 + r as f64).collect();
        let statics = [1.0, 2.0];
        let data = PanelData {
            panel: Panel::new(&y, &offsets).unwrap(),
            days: &days,
            dynamic: &dynamic,
            statics: &statics,
        };
        let all = s.design(&data, &y, true).unwrap();
        assert_eq!(all.n_rows(), 7);
        assert_eq!(s.names()[5], "holiday_xmas");
        // series 0, t = 3: lag1 = 3, lag3 = 1, rolling mean(2) of lag 1 = 2.5, expanding
        // mean of lag 2 = 1.5, dayofweek(day 3 = Sunday) = 6, holiday, store 1, price 13.
        assert_eq!(all.row(3), &[3.0, 1.0, 2.5, 1.5, 6.0, 1.0, 1.0, 13.0]);
        let mut out = vec![0.0; 8];
        s.row(&y[..3], 3, 3, &[1.0], &[13.0], &mut out);
        assert_eq!(out, all.row(3));
        // dropna keeps only rows with lag3 (series 0 has one, series 1 none)
        let d = s.design(&data, &y, false).unwrap();
        assert_eq!(d.n_rows(), 1);
        assert_eq!(d.y, vec![4.0]);
    }

    #[test]
    fn compacted_design_equals_the_rows_kept_from_every_block() {
        // series of different lengths (one too short for any row), NaN targets inside
        let s = spec();
        let lens = [9usize, 2, 12, 5];
        let mut offsets = vec![0];
        for l in lens {
            offsets.push(offsets.last().unwrap() + l);
        }
        let n = offsets[4];
        let y: Vec<f64> = (0..n)
            .map(|r| {
                if r % 7 == 5 {
                    f64::NAN
                } else {
                    (r * 3 % 11) as f64
                }
            })
            .collect();
        let days: Vec<i64> = (0..n as i64).collect();
        let dynamic: Vec<f64> = (0..n).map(|r| r as f64 / 10.0).collect();
        let statics = [1.0, 2.0, 3.0, 4.0];
        let data = PanelData {
            panel: Panel::new(&y, &offsets).unwrap(),
            days: &days,
            dynamic: &dynamic,
            statics: &statics,
        };
        let f = s.n_features();
        for keep_all in [false, true] {
            let d = s.design(&data, &y, keep_all).unwrap();
            let (mut x, mut yy, mut series, mut pos) = (vec![], vec![], vec![], vec![]);
            for i in 0..4 {
                let (a, b) = (offsets[i], offsets[i + 1]);
                let mut block = vec![0.0; (b - a) * f];
                s.series_block(
                    &y[a..b],
                    &days[a..b],
                    &statics[i..=i],
                    &dynamic[a..b],
                    &mut block,
                );
                for t in 0..b - a {
                    let row = &block[t * f..(t + 1) * f];
                    if keep_all || (y[a + t].is_finite() && !row[..4].iter().any(|v| v.is_nan())) {
                        x.extend_from_slice(row);
                        yy.push(y[a + t]);
                        series.push(i as u32);
                        pos.push(t as u32);
                    }
                }
            }
            assert_eq!(d.n_rows(), yy.len());
            assert!(keep_all || (d.n_rows() > 0 && d.n_rows() < n));
            let same = |a: &[f64], b: &[f64]| {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(u, v)| u == v || (u.is_nan() && v.is_nan()))
            };
            assert!(same(&d.x, &x));
            assert!(same(&d.y, &yy));
            assert_eq!((d.series, d.pos), (series, pos));
        }
    }

    #[test]
    fn rejects_bad_shapes_and_duplicates() {
        let s = spec();
        let y = [1.0, 2.0];
        let data = PanelData {
            panel: Panel::new(&y, &[0, 2]).unwrap(),
            days: &[0],
            dynamic: &[0.0, 0.0],
            statics: &[0.0],
        };
        assert!(matches!(s.design(&data, &y, false), Err(Error::Shape(_))));
        let dup = FeatureSpec {
            lags: vec![1, 1],
            ..Default::default()
        };
        assert!(dup.check().is_err());
        assert!(FeatureSpec::default().check().is_err());
    }
}
