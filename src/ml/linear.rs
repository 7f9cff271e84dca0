//! Linear global models. Ordinary least squares is linfa-linear's `LinearRegression`.
//! linfa-linear has no ridge, so `Ridge` solves scikit-learn's problem natively,
//! `min ‖y − Xw − b‖² + α‖w‖²` (intercept not penalised), through the centred normal
//! equations and a Cholesky factorisation. The Poisson/Tweedie GLM (log link) minimises
//! scikit-learn's `1/(2n)·Σ deviance + α/2·‖w‖²` by Fisher scoring (IRLS) natively:
//! linfa-linear's `TweedieRegressor` (L-BFGS) stopped far from the optimum on a noiseless
//! Poisson test (slope 0.49 instead of 1.0). Rows with a missing feature are not trained
//! on; at prediction a missing feature takes its training mean.

use crate::error::{Error, Result};
use linfa::prelude::*;
use linfa::Dataset;
use linfa_linear::LinearRegression;
use ndarray::{Array1, Array2};

/// A fitted linear model: `link⁻¹(b + x·w)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    /// Coefficients.
    pub coef: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
    /// Training mean of every feature (imputes missing values at prediction).
    pub means: Vec<f64>,
    /// Training standard deviation of every feature (for importances).
    pub scales: Vec<f64>,
    /// Log link (GLM) instead of identity.
    pub log_link: bool,
}

/// How to fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LinearKind {
    /// OLS.
    Ols { fit_intercept: bool },
    /// Ridge with penalty `alpha`.
    Ridge { alpha: f64, fit_intercept: bool },
    /// Tweedie GLM (`power` 1: Poisson) with L2 penalty `alpha`.
    Glm {
        power: f64,
        alpha: f64,
        max_iter: usize,
        tol: f64,
    },
}

impl Linear {
    /// Fit on the complete rows of the row-major `n × f` matrix `x` not flagged in `skip`.
    pub fn fit(x: &[f64], y: &[f64], f: usize, skip: &[bool], kind: LinearKind) -> Result<Linear> {
        let rows: Vec<usize> = (0..y.len())
            .filter(|&r| !skip[r] && x[r * f..(r + 1) * f].iter().all(|v| v.is_finite()))
            .collect();
        if rows.len() <= f {
            return Err(Error::param(
                "lags",
                format!(
                    "only {} training rows have every feature ({f} features); use shorter lags or more history",
                    rows.len()
                ),
            ));
        }
        // One contiguous copy of the complete rows (a memcpy per row, no per-element views).
        let mut data = Vec::with_capacity(rows.len() * f);
        for &r in &rows {
            data.extend_from_slice(&x[r * f..(r + 1) * f]);
        }
        let xm = Array2::from_shape_vec((rows.len(), f), data)
            .map_err(|e| Error::param("LinearRegression", e.to_string()))?;
        let ym: Array1<f64> = rows.iter().map(|&r| y[r]).collect();
        let means = xm
            .mean_axis(ndarray::Axis(0))
            .map(|m| m.to_vec())
            .unwrap_or_default();
        let scales = xm.std_axis(ndarray::Axis(0), 0.0).to_vec();
        let (coef, intercept, log_link) = match kind {
            LinearKind::Ols { fit_intercept } => {
                let model = LinearRegression::new()
                    .with_intercept(fit_intercept)
                    .fit(&Dataset::new(xm, ym))
                    .map_err(|e| Error::param("LinearRegression", e.to_string()))?;
                (model.params().to_vec(), model.intercept(), false)
            }
            LinearKind::Ridge {
                alpha,
                fit_intercept,
            } => {
                let (w, b) = ridge(&xm, &ym, alpha, fit_intercept, &means)?;
                (w, b, false)
            }
            LinearKind::Glm {
                power,
                alpha,
                max_iter,
                tol,
            } => {
                if let Some(v) = ym.iter().find(|&&v| v < 0.0) {
                    return Err(Error::param(
                        "PoissonRegressor",
                        format!("needs a non-negative target, got {v}"),
                    ));
                }
                let (w, b) = glm(&xm, &ym, power, alpha, max_iter, tol)?;
                (w, b, true)
            }
        };
        Ok(Linear {
            coef,
            intercept,
            means,
            scales,
            log_link,
        })
    }

    /// The prediction for a raw feature row.
    pub fn predict(&self, x: &[f64]) -> f64 {
        let eta = self.intercept
            + x.iter()
                .zip(&self.coef)
                .zip(&self.means)
                .map(|((&v, w), m)| if v.is_nan() { m * w } else { v * w })
                .sum::<f64>();
        if self.log_link {
            eta.exp()
        } else {
            eta
        }
    }

    /// |coefficient| × feature standard deviation.
    pub fn importances(&self) -> Vec<f64> {
        self.coef
            .iter()
            .zip(&self.scales)
            .map(|(w, s)| (w * s).abs())
            .collect()
    }
}

/// Solve ridge through the centred normal equations.
fn ridge(
    x: &Array2<f64>,
    y: &Array1<f64>,
    alpha: f64,
    intercept: bool,
    means: &[f64],
) -> Result<(Vec<f64>, f64)> {
    let f = x.ncols();
    let ym = if intercept {
        y.mean().unwrap_or(0.0)
    } else {
        0.0
    };
    let mu: Array1<f64> = if intercept {
        Array1::from(means.to_vec())
    } else {
        Array1::zeros(f)
    };
    let xc = x - &mu;
    let yc = y - ym;
    let mut a = xc.t().dot(&xc);
    for j in 0..f {
        a[[j, j]] += alpha;
    }
    let rhs = xc.t().dot(&yc);
    let w = cholesky_solve(a, rhs.to_vec())
        .ok_or_else(|| Error::param("alpha", "the ridge system is singular; use alpha > 0"))?;
    let b = ym - mu.iter().zip(&w).map(|(m, w)| m * w).sum::<f64>();
    Ok((w, b))
}

/// Tweedie GLM with log link by Fisher scoring with step halving; returns (w, b).
fn glm(
    x: &Array2<f64>,
    y: &Array1<f64>,
    power: f64,
    alpha: f64,
    max_iter: usize,
    tol: f64,
) -> Result<(Vec<f64>, f64)> {
    let (n, f) = x.dim();
    let nf = n as f64;
    // theta = [b, w]; start at the log of the mean with zero slopes
    let mut theta = vec![0.0; f + 1];
    theta[0] = y.mean().unwrap_or(1.0).max(1e-10).ln();
    let objective = |th: &[f64]| -> f64 {
        let mut dev = 0.0;
        for (r, &yr) in y.iter().enumerate() {
            let eta = th[0]
                + x.row(r)
                    .iter()
                    .zip(&th[1..])
                    .map(|(a, w)| a * w)
                    .sum::<f64>();
            dev += unit_deviance(yr, eta, power);
        }
        dev / (2.0 * nf) + 0.5 * alpha * th[1..].iter().map(|w| w * w).sum::<f64>()
    };
    let mut current = objective(&theta);
    for _ in 0..max_iter {
        let mut hess = Array2::<f64>::zeros((f + 1, f + 1));
        let mut grad = vec![0.0; f + 1];
        let mut xr = vec![1.0; f + 1];
        for (r, &yr) in y.iter().enumerate() {
            xr[1..].iter_mut().zip(x.row(r)).for_each(|(a, b)| *a = *b);
            let eta: f64 = xr.iter().zip(&theta).map(|(a, w)| a * w).sum();
            let mu2 = ((2.0 - power) * eta).exp(); // mu^(2-p)
            let mu1 = ((1.0 - power) * eta).exp(); // mu^(1-p)
            let gr = (mu2 - yr * mu1) / nf;
            let wr = mu2 / nf;
            for i in 0..=f {
                grad[i] += gr * xr[i];
                for j in 0..=i {
                    hess[[i, j]] += wr * xr[i] * xr[j];
                }
            }
        }
        for i in 0..=f {
            for j in 0..i {
                hess[[j, i]] = hess[[i, j]];
            }
        }
        for i in 1..=f {
            grad[i] += alpha * theta[i];
            hess[[i, i]] += alpha;
        }
        let step = cholesky_solve(hess, grad)
            .ok_or_else(|| Error::param("alpha", "the GLM system is singular; use alpha > 0"))?;
        let mut t = 1.0;
        let mut next = theta.clone();
        loop {
            for i in 0..=f {
                next[i] = theta[i] - t * step[i];
            }
            let obj = objective(&next);
            if obj.is_finite() && obj <= current + 1e-12 * current.abs() {
                current = obj;
                break;
            }
            t *= 0.5;
            if t < 1e-10 {
                return Ok((theta[1..].to_vec(), theta[0]));
            }
        }
        let size = step.iter().map(|s| (t * s).abs()).fold(0.0, f64::max);
        theta.clone_from(&next);
        if size < tol {
            break;
        }
    }
    Ok((theta[1..].to_vec(), theta[0]))
}

/// Tweedie unit deviance of `y` at `mu = exp(eta)` (power 0, 1, 2 or in between/above).
fn unit_deviance(y: f64, eta: f64, p: f64) -> f64 {
    let mu = eta.exp();
    if p == 1.0 {
        let t = if y > 0.0 { y * (y / mu).ln() } else { 0.0 };
        2.0 * (t - y + mu)
    } else if p == 2.0 {
        2.0 * ((mu / y.max(1e-300)).ln() + y / mu - 1.0)
    } else {
        let a = if y > 0.0 {
            y.powf(2.0 - p) / ((1.0 - p) * (2.0 - p))
        } else {
            0.0
        };
        2.0 * (a - y * mu.powf(1.0 - p) / (1.0 - p) + mu.powf(2.0 - p) / (2.0 - p))
    }
}

/// Solve `a·w = b` for symmetric positive definite `a`; `None` when it is not.
fn cholesky_solve(mut a: Array2<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for j in 0..n {
        let mut d = a[[j, j]];
        for k in 0..j {
            d -= a[[j, k]] * a[[j, k]];
        }
        if d <= 1e-300 {
            return None;
        }
        let d = d.sqrt();
        a[[j, j]] = d;
        for i in j + 1..n {
            let mut s = a[[i, j]];
            for k in 0..j {
                s -= a[[i, k]] * a[[j, k]];
            }
            a[[i, j]] = s / d;
        }
    }
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= a[[i, k]] * b[k];
        }
        b[i] = s / a[[i, i]];
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= a[[k, i]] * b[k];
        }
        b[i] = s / a[[i, i]];
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> (Vec<f64>, Vec<f64>) {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..50 {
            let (a, b) = (i as f64, ((i * 7) % 11) as f64);
            x.extend([a, b]);
            y.push(1.0 + 2.0 * a - 0.5 * b + if i % 2 == 0 { 0.1 } else { -0.1 });
        }
        (x, y)
    }

    #[test]
    fn ols_and_ridge_agree_at_zero_penalty() {
        let (x, y) = data();
        let skip = vec![false; y.len()];
        let ols = Linear::fit(
            &x,
            &y,
            2,
            &skip,
            LinearKind::Ols {
                fit_intercept: true,
            },
        )
        .unwrap();
        let r0 = Linear::fit(
            &x,
            &y,
            2,
            &skip,
            LinearKind::Ridge {
                alpha: 0.0,
                fit_intercept: true,
            },
        )
        .unwrap();
        for (a, b) in ols.coef.iter().zip(&r0.coef) {
            assert!((a - b).abs() < 1e-8, "{a} vs {b}");
        }
        assert!((ols.intercept - r0.intercept).abs() < 1e-8);
        assert!((ols.coef[0] - 2.0).abs() < 0.01);
        let r = Linear::fit(
            &x,
            &y,
            2,
            &skip,
            LinearKind::Ridge {
                alpha: 1e6,
                fit_intercept: true,
            },
        )
        .unwrap();
        assert!(r.coef[0].abs() < ols.coef[0].abs());
        assert!(ols.predict(&[f64::NAN, 1.0]).is_finite());
    }

    #[test]
    fn poisson_glm_fits_counts() {
        let x: Vec<f64> = (0..60).map(|i| (i % 6) as f64 / 5.0).collect();
        let y: Vec<f64> = x.iter().map(|v| (0.5 + v).exp()).collect();
        let skip = vec![false; y.len()];
        let kind = LinearKind::Glm {
            power: 1.0,
            alpha: 0.0,
            max_iter: 200,
            tol: 1e-8,
        };
        let m = Linear::fit(&x, &y, 1, &skip, kind).unwrap();
        assert!(
            (m.coef[0] - 1.0).abs() < 1e-3,
            "{:?} {} {}",
            m.coef,
            m.intercept,
            m.predict(&[0.0])
        );
        assert!(m.predict(&[0.0]) > 0.0);
    }
}
