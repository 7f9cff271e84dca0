//! Constant price elasticity from log-log regressions, fitted with **linfa-linear**'s OLS
//! (`LinearRegression`, QR least squares):
//!
//! ln(units_t) = α + ε · ln(price_t) + Σ_k β_k · control_{t,k} + e_t
//!
//! over the periods with units > 0 and price > 0 (the log of a zero sale is undefined).
//! Per item, α is an intercept. Pooled over a group of items, each item gets its own
//! intercept (fixed effects), fitted by the within transformation: every variable is
//! demeaned per item and the regression has no intercept (Frisch–Waugh–Lovell), so ε
//! equals OLS with item dummies. Standard errors are the classical OLS ones,
//! σ̂² (X'X)⁻¹ with σ̂² = RSS / (n − p), where p counts every fitted coefficient
//! (intercept or item effects included). Controls that are constant or collinear with
//! earlier columns on an item's usable periods (say, a weekday it never sells on) are
//! dropped for that fit, as R's `lm` drops aliased coefficients.

use super::linalg::{cholesky, gram, independent_columns, inverse_diagonal};
use crate::error::{Error, Result};
use crate::parallel;
use linfa::traits::Fit;
use linfa::Dataset;
use linfa_linear::LinearRegression;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;

/// Why a fit has no estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitStatus {
    /// Estimated.
    Ok,
    /// Fewer usable periods than `min_obs` or than coefficients + 1.
    TooFewObservations,
    /// The log price does not vary over the usable periods.
    NoPriceVariation,
    /// The design is rank deficient (collinear controls) or the solver failed.
    Singular,
}

impl FitStatus {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            FitStatus::Ok => "ok",
            FitStatus::TooFewObservations => "too_few_observations",
            FitStatus::NoPriceVariation => "no_price_variation",
            FitStatus::Singular => "singular",
        }
    }
}

/// One regression's result (NaN estimates unless `status` is `Ok`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElasticityFit {
    /// ε, the coefficient of ln(price).
    pub elasticity: f64,
    /// Its standard error.
    pub se: f64,
    /// α (per item) or NaN (pooled: one intercept per item).
    pub intercept: f64,
    /// R² of the (within-transformed, when pooled) regression.
    pub r2: f64,
    /// Usable periods.
    pub n_obs: usize,
    /// Fitted coefficients, including the intercept or item effects.
    pub n_params: usize,
    /// Outcome.
    pub status: FitStatus,
}

impl ElasticityFit {
    fn failed(status: FitStatus, n_obs: usize) -> Self {
        ElasticityFit {
            elasticity: f64::NAN,
            se: f64::NAN,
            intercept: f64::NAN,
            r2: f64::NAN,
            n_obs,
            n_params: 0,
            status,
        }
    }
}

/// Sales rows with their controls: item `i` owns rows `offsets[i]..offsets[i + 1]`.
#[derive(Debug, Clone)]
pub struct Design<'a> {
    /// Units per row.
    pub units: &'a [f64],
    /// Unit price per row.
    pub price: &'a [f64],
    /// (rows × k) numeric controls.
    pub controls: ArrayView2<'a, f64>,
    /// Categorical controls as (code per row in 0..levels, levels); each adds one dummy
    /// per level except level 0 (the baseline).
    pub categorical: Vec<(&'a [i64], usize)>,
    /// Item bounds.
    pub offsets: &'a [usize],
}

impl Design<'_> {
    /// Check shapes and that controls are finite on usable rows.
    pub fn validate(&self) -> Result<()> {
        let n = self.units.len();
        if self.price.len() != n || self.controls.nrows() != n {
            return Err(Error::Shape(format!(
                "{n} units, {} prices and {} control rows",
                self.price.len(),
                self.controls.nrows()
            )));
        }
        crate::panel::Panel::new(self.units, self.offsets)?;
        for (k, &(codes, levels)) in self.categorical.iter().enumerate() {
            if codes.len() != n {
                return Err(Error::Shape(format!(
                    "categorical control {k} has {} codes for {n} rows",
                    codes.len()
                )));
            }
            if let Some(row) = codes.iter().position(|&c| c < 0 || c as usize >= levels) {
                return Err(Error::Shape(format!(
                    "categorical control {k}: code {} at row {row} is outside 0..{levels}",
                    codes[row]
                )));
            }
        }
        for (row, c) in self.controls.outer_iter().enumerate() {
            if self.usable(row) && c.iter().any(|v| !v.is_finite()) {
                return Err(Error::InvalidSeries {
                    series: self.offsets.partition_point(|&o| o <= row) - 1,
                    reason: format!("a control is not finite at row {row}"),
                });
            }
        }
        Ok(())
    }

    fn usable(&self, row: usize) -> bool {
        let (u, p) = (self.units[row], self.price[row]);
        u > 0.0 && p > 0.0 && u.is_finite() && p.is_finite()
    }

    fn rows(&self, item: usize) -> Vec<usize> {
        (self.offsets[item]..self.offsets[item + 1])
            .filter(|&r| self.usable(r))
            .collect()
    }

    fn width(&self) -> usize {
        1 + self.controls.ncols()
            + self
                .categorical
                .iter()
                .map(|&(_, l)| l.saturating_sub(1))
                .sum::<usize>()
    }
}

/// (ln y, [ln p, numeric controls..., dummies...]) over `rows`.
fn build(d: &Design<'_>, rows: &[usize]) -> (Array1<f64>, Array2<f64>) {
    let k = d.controls.ncols();
    let mut x = Array2::<f64>::zeros((rows.len(), d.width()));
    let mut y = Array1::<f64>::zeros(rows.len());
    for (i, &r) in rows.iter().enumerate() {
        y[i] = d.units[r].ln();
        x[[i, 0]] = d.price[r].ln();
        for j in 0..k {
            x[[i, 1 + j]] = d.controls[[r, j]];
        }
        let mut base = 1 + k;
        for &(codes, levels) in &d.categorical {
            let c = codes[r] as usize;
            if c > 0 {
                x[[i, base + c - 1]] = 1.0;
            }
            base += levels.saturating_sub(1);
        }
    }
    (y, x)
}

/// OLS through linfa-linear; `absorbed` extra parameters (item effects) are counted in
/// the degrees of freedom. `x` excludes the intercept column.
fn ols(
    y: &Array1<f64>,
    x: &Array2<f64>,
    intercept: bool,
    absorbed: usize,
    min_obs: usize,
) -> ElasticityFit {
    let n = y.len();
    if n < min_obs.max(1 + usize::from(intercept) + absorbed + 1) {
        return ElasticityFit::failed(FitStatus::TooFewObservations, n);
    }
    let lp = x.column(0);
    if lp
        .iter()
        .all(|&v| (v - lp[0]).abs() <= 1e-12 * (1.0 + lp[0].abs()))
    {
        return ElasticityFit::failed(FitStatus::NoPriceVariation, n);
    }
    // keep ln p and the controls that are not aliased with the intercept / earlier columns
    let full = if intercept {
        ndarray::concatenate(Axis(1), &[Array2::ones((n, 1)).view(), x.view()])
            .expect("same number of rows")
    } else {
        x.clone()
    };
    let offset = usize::from(intercept);
    let kept = independent_columns(&gram(full.view()), 1e-10);
    if !kept.contains(&offset) {
        return ElasticityFit::failed(FitStatus::Singular, n);
    }
    let cols: Vec<usize> = kept
        .iter()
        .filter(|&&j| j >= offset)
        .map(|&j| j - offset)
        .collect();
    let x = x.select(Axis(1), &cols);
    let full = full.select(Axis(1), &kept);
    let p = kept.len() + absorbed;
    if n < min_obs.max(p + 1) {
        return ElasticityFit::failed(FitStatus::TooFewObservations, n);
    }
    let Some(l) = cholesky(&gram(full.view())) else {
        return ElasticityFit::failed(FitStatus::Singular, n);
    };
    let data = Dataset::new(x.clone(), y.clone());
    let Ok(model) = LinearRegression::new().with_intercept(intercept).fit(&data) else {
        return ElasticityFit::failed(FitStatus::Singular, n);
    };
    let fitted = x.dot(model.params()) + model.intercept();
    let rss: f64 = (y - &fitted).mapv(|e| e * e).sum();
    let mean = y.mean().unwrap_or(0.0);
    let tss: f64 = y.mapv(|v| (v - mean) * (v - mean)).sum();
    let sigma2 = rss / (n - p) as f64;
    ElasticityFit {
        elasticity: model.params()[0],
        se: (sigma2 * inverse_diagonal(&l, offset)).sqrt(),
        intercept: if intercept {
            model.intercept()
        } else {
            f64::NAN
        },
        r2: if tss > 0.0 { 1.0 - rss / tss } else { f64::NAN },
        n_obs: n,
        n_params: p,
        status: FitStatus::Ok,
    }
}

/// One regression per item (with an intercept).
pub fn fit_items(d: &Design<'_>, min_obs: usize) -> Result<Vec<ElasticityFit>> {
    d.validate()?;
    let n_items = d.offsets.len() - 1;
    Ok(parallel::install(|| {
        (0..n_items)
            .into_par_iter()
            .map(|i| {
                let rows = d.rows(i);
                if rows.is_empty() {
                    return ElasticityFit::failed(FitStatus::TooFewObservations, 0);
                }
                let (y, x) = build(d, &rows);
                ols(&y, &x, true, 0, min_obs)
            })
            .collect()
    }))
}

/// One pooled regression per group with item fixed effects; `group[i]` is item i's group
/// (`usize::MAX`: left out), groups numbered 0..n_groups.
pub fn fit_pooled(
    d: &Design<'_>,
    group: &[usize],
    n_groups: usize,
    min_obs: usize,
) -> Result<Vec<ElasticityFit>> {
    d.validate()?;
    let n_items = d.offsets.len() - 1;
    if group.len() != n_items {
        return Err(Error::Shape(format!(
            "{} group labels for {n_items} items",
            group.len()
        )));
    }
    Ok(parallel::install(|| {
        (0..n_groups)
            .into_par_iter()
            .map(|g| {
                let mut ys = Vec::new();
                let mut xs = Vec::new();
                let mut items = 0;
                for i in (0..n_items).filter(|&i| group[i] == g) {
                    let rows = d.rows(i);
                    if rows.is_empty() {
                        continue;
                    }
                    // constant controls demean to 0 and are dropped as aliased in `ols`
                    let (y, x) = build(d, &rows);
                    items += 1;
                    let ym = y.mean().unwrap_or(0.0);
                    let xm = x.mean_axis(Axis(0)).expect("non-empty");
                    ys.push(y - ym);
                    xs.push(x - &xm);
                }
                if items == 0 {
                    return ElasticityFit::failed(FitStatus::TooFewObservations, 0);
                }
                let y =
                    ndarray::concatenate(Axis(0), &ys.iter().map(|a| a.view()).collect::<Vec<_>>())
                        .expect("1-d arrays");
                let x =
                    ndarray::concatenate(Axis(0), &xs.iter().map(|a| a.view()).collect::<Vec<_>>())
                        .expect("same columns");
                ols(&y, &x, false, items, min_obs)
            })
            .collect()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design_data(eps: f64, n: usize) -> (Vec<f64>, Vec<f64>, Array2<f64>) {
        // deterministic "noise" so the fit is not exact
        let price: Vec<f64> = (0..n)
            .map(|t| 1.0 + 0.5 * ((t * 7 % 11) as f64) / 10.0)
            .collect();
        let promo: Vec<f64> = (0..n).map(|t| ((t % 5) == 0) as u8 as f64).collect();
        let units: Vec<f64> = (0..n)
            .map(|t| {
                (3.0 + eps * price[t].ln() + 0.4 * promo[t] + 0.01 * ((t * 13 % 7) as f64 - 3.0))
                    .exp()
            })
            .collect();
        let controls = Array2::from_shape_vec((n, 1), promo).unwrap();
        (units, price, controls)
    }

    #[test]
    fn recovers_a_known_elasticity() {
        let (u, p, c) = design_data(-2.0, 60);
        let offsets = [0, 60];
        let d = Design {
            units: &u,
            price: &p,
            controls: c.view(),
            categorical: vec![],
            offsets: &offsets,
        };
        let fit = fit_items(&d, 10).unwrap()[0];
        assert_eq!(fit.status, FitStatus::Ok);
        assert!((fit.elasticity + 2.0).abs() < 0.02, "{fit:?}");
        assert!(fit.se > 0.0 && fit.se < 0.05);
        assert_eq!((fit.n_obs, fit.n_params), (60, 3));
        // pooled over two copies with different levels: same slope, item effects absorb α
        let mut u2 = u.clone();
        u2.extend(u.iter().map(|v| v * 3.0));
        let p2: Vec<f64> = p.iter().chain(&p).copied().collect();
        let c2 = ndarray::concatenate(Axis(0), &[c.view(), c.view()]).unwrap();
        let offsets = [0, 60, 120];
        let d = Design {
            units: &u2,
            price: &p2,
            controls: c2.view(),
            categorical: vec![],
            offsets: &offsets,
        };
        let pooled = fit_pooled(&d, &[0, 0], 1, 10).unwrap()[0];
        assert!((pooled.elasticity - fit.elasticity).abs() < 1e-10);
        assert_eq!(pooled.n_params, 4);
    }

    #[test]
    fn flags_unusable_items() {
        let u = [1.0, 2.0, 3.0, 0.0];
        let p = [2.0, 2.0, 2.0, 1.0];
        let c = Array2::<f64>::zeros((4, 0));
        let offsets = [0, 4];
        let d = Design {
            units: &u,
            price: &p,
            controls: c.view(),
            categorical: vec![],
            offsets: &offsets,
        };
        assert_eq!(
            fit_items(&d, 2).unwrap()[0].status,
            FitStatus::NoPriceVariation
        );
        assert_eq!(
            fit_items(&d, 10).unwrap()[0].status,
            FitStatus::TooFewObservations
        );
        let bad = Array2::from_elem((4, 1), f64::NAN);
        let d = Design {
            units: &u,
            price: &p,
            controls: bad.view(),
            categorical: vec![],
            offsets: &offsets,
        };
        assert!(fit_items(&d, 2).is_err());
    }

    #[test]
    fn aliased_controls_are_dropped() {
        let (u, p, promo) = design_data(-1.5, 30);
        // a copy of ln p and a weekday code whose level 2 never occurs
        let lp: Vec<f64> = p.iter().map(|v| 2.0 * v.ln()).collect();
        let c = ndarray::concatenate(
            Axis(1),
            &[
                promo.view(),
                Array2::from_shape_vec((30, 1), lp).unwrap().view(),
            ],
        )
        .unwrap();
        let codes: Vec<i64> = (0..30).map(|t| if t % 2 == 0 { 0 } else { 1 }).collect();
        let offsets = [0, 30];
        let with = Design {
            units: &u,
            price: &p,
            controls: c.view(),
            categorical: vec![(&codes, 3)],
            offsets: &offsets,
        };
        let fit = fit_items(&with, 5).unwrap()[0];
        assert_eq!(fit.status, FitStatus::Ok);
        // intercept, ln p, promo, dummy for level 1 (the ln p copy and level 2 are aliased)
        assert_eq!(fit.n_params, 4);
        let without = Design {
            controls: promo.view(),
            categorical: vec![(&codes, 2)],
            ..with
        };
        let same = fit_items(&without, 5).unwrap()[0];
        assert!((same.elasticity - fit.elasticity).abs() < 1e-9);
        assert!((same.se - fit.se).abs() < 1e-9);
    }
}
