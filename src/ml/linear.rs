//! Linear global models. Ordinary least squares is solved by linfa-linear's
//! `LinearRegression`, after a parallel tall-skinny QR reduction of the design
//! (`super::tsqr`): every chunk of rows is reduced to its triangular factor and `Qᵀy`,
//! and linfa-linear solves the small stacked problem, which has exactly the same
//! least-squares solution (orthogonal transforms preserve residual norms). `Ridge`
//! (scikit-learn's `min ‖y − Xw − b‖² + α‖w‖²`, intercept not penalised) goes through
//! the same reduction: the stacked rows plus `√α·I` rows for the weights (zero targets)
//! are an exact least-squares form of the penalised objective, also solved by
//! linfa-linear (which has no ridge of its own). The Poisson/Tweedie GLM (log link)
//! minimises scikit-learn's `1/(2n)·Σ deviance + α/2·‖w‖²` by Fisher scoring (IRLS)
//! natively: linfa-linear's `TweedieRegressor` (L-BFGS) stopped far from the optimum on a
//! noiseless Poisson test (slope 0.49 instead of 1.0). Rows with a missing feature are
//! not trained on; at prediction a missing feature takes its training mean.

use super::tsqr;
use crate::error::{Error, Result};
use crate::parallel;
use linfa::prelude::*;
use linfa::Dataset;
use linfa_linear::LinearRegression;
use ndarray::{Array1, Array2};
use rayon::prelude::*;

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
        let (coef, intercept, log_link, means, scales) = match kind {
            LinearKind::Ols { fit_intercept } => {
                let red = tsqr::reduce(x, y, f, skip, fit_intercept);
                enough_rows(red.n, f)?;
                let (w, b) = solve_reduced(&red, 0.0, fit_intercept)
                    .map_err(|e| Error::param("LinearRegression", e))?;
                (w, b, false, red.means, red.scales)
            }
            LinearKind::Ridge {
                alpha,
                fit_intercept,
            } => {
                let red = tsqr::reduce(x, y, f, skip, fit_intercept);
                enough_rows(red.n, f)?;
                let (w, b) = solve_reduced(&red, alpha, fit_intercept)
                    .map_err(|e| Error::param("Ridge", e))?;
                (w, b, false, red.means, red.scales)
            }
            LinearKind::Glm {
                power,
                alpha,
                max_iter,
                tol,
            } => {
                let rows: Vec<usize> = (0..y.len())
                    .filter(|&r| !skip[r] && x[r * f..(r + 1) * f].iter().all(|v| v.is_finite()))
                    .collect();
                enough_rows(rows.len(), f)?;
                // One contiguous copy of the complete rows (a memcpy per row).
                let mut data = Vec::with_capacity(rows.len() * f);
                for &r in &rows {
                    data.extend_from_slice(&x[r * f..(r + 1) * f]);
                }
                let ym: Vec<f64> = rows.iter().map(|&r| y[r]).collect();
                if let Some(v) = ym.iter().find(|&&v| v < 0.0) {
                    return Err(Error::param(
                        "PoissonRegressor",
                        format!("needs a non-negative target, got {v}"),
                    ));
                }
                let xm = ndarray::ArrayView2::from_shape((rows.len(), f), &data)
                    .map_err(|e| Error::param("PoissonRegressor", e.to_string()))?;
                let means = xm
                    .mean_axis(ndarray::Axis(0))
                    .map(|m| m.to_vec())
                    .unwrap_or_default();
                let scales = xm.std_axis(ndarray::Axis(0), 0.0).to_vec();
                let (w, b) = glm(&data, &ym, f, power, alpha, max_iter, tol)?;
                (w, b, true, means, scales)
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

/// An error unless more rows than features are complete.
fn enough_rows(n: usize, f: usize) -> Result<()> {
    if n <= f {
        return Err(Error::param(
            "lags",
            format!(
                "only {n} training rows have every feature ({f} features); use shorter lags or more history"
            ),
        ));
    }
    Ok(())
}

/// Solve the reduced problem `min ‖S·θ − c‖² + α·‖w‖²` with linfa-linear, where `θ` is
/// `[w, b]` with an intercept column (last) and `w` without. For `α > 0` the penalty is
/// written as `f` extra rows `√α·e_j` with target 0, so the whole objective is one least
/// squares problem. A column that is (to rounding) a linear combination of the intercept
/// and the features before it — an all-zero or constant feature, an exact copy — gets a
/// zero weight and the others are solved without it: the fitted values are the least
/// squares ones (a QR solve through such a column would divide by a rounding residual and
/// return weights near 1e13 whose fitted values are off). Returns `(w, b)`.
fn solve_reduced(
    red: &tsqr::Reduced,
    alpha: f64,
    intercept: bool,
) -> std::result::Result<(Vec<f64>, f64), String> {
    let p = red.p;
    let f = p - usize::from(intercept);
    let mut s = red.s.clone();
    let mut c = red.c.clone();
    if alpha > 0.0 {
        let ra = alpha.sqrt();
        for j in 0..f {
            let mut row = vec![0.0; p];
            row[j] = ra;
            s.extend_from_slice(&row);
            c.push(0.0);
        }
    }
    let m = c.len();
    // the intercept first, so that a constant feature (not the intercept) is the one dropped
    let order: Vec<usize> = if intercept {
        std::iter::once(f).chain(0..f).collect()
    } else {
        (0..f).collect()
    };
    let tol = 16.0 * f64::EPSILON * (red.n.max(p) as f64);
    let keep = tsqr::independent_columns(&s, m, p, &order, tol);
    let cols: Vec<usize> = (0..p).filter(|&j| keep[j]).collect();
    let mut theta = vec![0.0; p];
    if !cols.is_empty() {
        let sk = Array2::from_shape_fn((m, cols.len()), |(i, k)| s[i * p + cols[k]]);
        let model = LinearRegression::new()
            .with_intercept(false)
            .fit(&Dataset::new(sk, Array1::from(c)))
            .map_err(|e| e.to_string())?;
        for (k, &j) in cols.iter().enumerate() {
            theta[j] = model.params()[k];
        }
    }
    if !theta.iter().all(|v| v.is_finite()) {
        return Err("the solution is not finite".into());
    }
    let b = if intercept { theta[f] } else { 0.0 };
    theta.truncate(f);
    Ok((theta, b))
}

/// Rows per chunk of the GLM's parallel sums (fixed, so the sums, and the fit, do not
/// depend on the number of threads).
const GLM_CHUNK: usize = 8192;

/// Tweedie GLM with log link by Fisher scoring with step halving on the row-major `n × f`
/// matrix `x`; returns (w, b). The deviance, gradient and Hessian are sums over rows,
/// computed per chunk in parallel and added in chunk order.
fn glm(
    x: &[f64],
    y: &[f64],
    f: usize,
    power: f64,
    alpha: f64,
    max_iter: usize,
    tol: f64,
) -> Result<(Vec<f64>, f64)> {
    let n = y.len();
    let nf = n as f64;
    let q = f + 1;
    // theta = [b, w]; start at the log of the mean with zero slopes
    let mut theta = vec![0.0; q];
    theta[0] = (y.iter().sum::<f64>() / nf).max(1e-10).ln();
    let eta = |th: &[f64], r: usize| -> f64 {
        th[0]
            + x[r * f..(r + 1) * f]
                .iter()
                .zip(&th[1..])
                .map(|(a, w)| a * w)
                .sum::<f64>()
    };
    let objective = |th: &[f64]| -> f64 {
        let parts: Vec<f64> = parallel::install(|| {
            y.par_chunks(GLM_CHUNK)
                .enumerate()
                .map(|(k, yk)| {
                    let r0 = k * GLM_CHUNK;
                    yk.iter()
                        .enumerate()
                        .map(|(t, &yr)| unit_deviance(yr, eta(th, r0 + t), power))
                        .sum()
                })
                .collect()
        });
        let dev: f64 = parts.iter().sum();
        dev / (2.0 * nf) + 0.5 * alpha * th[1..].iter().map(|w| w * w).sum::<f64>()
    };
    let mut current = objective(&theta);
    for _ in 0..max_iter {
        // per chunk: gradient (q) then the Hessian's lower triangle (row-major q × q)
        let parts: Vec<Vec<f64>> = parallel::install(|| {
            y.par_chunks(GLM_CHUNK)
                .enumerate()
                .map(|(k, yk)| {
                    let r0 = k * GLM_CHUNK;
                    let mut acc = vec![0.0; q + q * q];
                    let mut xr = vec![1.0; q];
                    for (t, &yr) in yk.iter().enumerate() {
                        let r = r0 + t;
                        xr[1..].copy_from_slice(&x[r * f..(r + 1) * f]);
                        let e = eta(&theta, r);
                        let mu2 = ((2.0 - power) * e).exp(); // mu^(2-p)
                        let mu1 = ((1.0 - power) * e).exp(); // mu^(1-p)
                        let gr = (mu2 - yr * mu1) / nf;
                        let wr = mu2 / nf;
                        let (grad, hess) = acc.split_at_mut(q);
                        for i in 0..q {
                            grad[i] += gr * xr[i];
                            let wi = wr * xr[i];
                            for (h, xj) in hess[i * q..i * q + i + 1].iter_mut().zip(&xr) {
                                *h += wi * xj;
                            }
                        }
                    }
                    acc
                })
                .collect()
        });
        let mut acc = vec![0.0; q + q * q];
        for part in &parts {
            acc.iter_mut().zip(part).for_each(|(a, b)| *a += b);
        }
        let mut grad = acc[..q].to_vec();
        let mut hess = Array2::<f64>::zeros((q, q));
        for i in 0..q {
            for j in 0..=i {
                hess[[i, j]] = acc[q + i * q + j];
                hess[[j, i]] = acc[q + i * q + j];
            }
        }
        for i in 1..q {
            grad[i] += alpha * theta[i];
            hess[[i, i]] += alpha;
        }
        let step = cholesky_solve(hess, grad)
            .ok_or_else(|| Error::param("alpha", "the GLM system is singular; use alpha > 0"))?;
        let mut t = 1.0;
        let mut next = theta.clone();
        loop {
            for i in 0..q {
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
    fn glm_over_many_chunks_recovers_the_coefficients() {
        // 3 chunks of parallel sums; a noiseless log-linear mean in two features
        let n = 2 * GLM_CHUNK + 1234;
        let x: Vec<f64> = (0..n)
            .flat_map(|i| [(i % 7) as f64 / 6.0, ((i * 13) % 11) as f64 / 10.0])
            .collect();
        let y: Vec<f64> = x
            .chunks(2)
            .map(|r| (0.3 + 0.8 * r[0] - 0.5 * r[1]).exp())
            .collect();
        let skip = vec![false; n];
        for power in [1.0, 1.5] {
            let kind = LinearKind::Glm {
                power,
                alpha: 0.0,
                max_iter: 100,
                tol: 1e-10,
            };
            let m = Linear::fit(&x, &y, 2, &skip, kind).unwrap();
            assert!((m.coef[0] - 0.8).abs() < 1e-6, "{power}: {:?}", m.coef);
            assert!((m.coef[1] + 0.5).abs() < 1e-6, "{power}: {:?}", m.coef);
            assert!((m.intercept - 0.3).abs() < 1e-6, "{power}: {}", m.intercept);
        }
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

    #[test]
    fn dependent_columns_get_zero_weight_and_the_least_squares_fit() {
        // an exact copy of a column and a constant column next to the intercept
        let (x, y) = data();
        let dup: Vec<f64> = x.chunks(2).flat_map(|r| [r[0], r[1], r[0], 4.0]).collect();
        let skip = vec![false; y.len()];
        let ols = LinearKind::Ols {
            fit_intercept: true,
        };
        let full = Linear::fit(&x, &y, 2, &skip, ols).unwrap();
        let ridge0 = LinearKind::Ridge {
            alpha: 0.0,
            fit_intercept: true,
        };
        for kind in [ols, ridge0] {
            let m = Linear::fit(&dup, &y, 4, &skip, kind).unwrap();
            assert_eq!(&m.coef[2..], &[0.0, 0.0]);
            assert!((m.coef[0] - full.coef[0]).abs() < 1e-10);
            assert!((m.coef[1] - full.coef[1]).abs() < 1e-10);
            assert!((m.intercept - full.intercept).abs() < 1e-10);
            assert_eq!(m.scales[3], 0.0);
        }
        // an all-zero feature gets a zero weight (as in scikit-learn)
        let zero: Vec<f64> = x.chunks(2).flat_map(|r| [0.0, r[1]]).collect();
        let m = Linear::fit(&zero, &y, 2, &skip, ols).unwrap();
        let one: Vec<f64> = x.chunks(2).map(|r| r[1]).collect();
        let m1 = Linear::fit(&one, &y, 1, &skip, ols).unwrap();
        assert_eq!(m.coef[0], 0.0);
        assert!((m.coef[1] - m1.coef[0]).abs() < 1e-10);
        assert!((m.intercept - m1.intercept).abs() < 1e-10);
        // with a penalty nothing is dependent and the zero feature's weight is 0 anyway
        let ridge = LinearKind::Ridge {
            alpha: 1.0,
            fit_intercept: true,
        };
        let r = Linear::fit(&zero, &y, 2, &skip, ridge).unwrap();
        assert!(r.coef[0].abs() < 1e-12, "{}", r.coef[0]);
        // too few complete rows is still an error naming the lags
        let err = Linear::fit(&x[..4], &y[..2], 2, &skip[..2], ols).unwrap_err();
        assert!(err.to_string().contains("training rows"), "{err}");
    }

    #[test]
    fn ridge_equals_its_normal_equations() {
        // (XcᵀXc + αI)·w = Xcᵀyc on centred data, b = ȳ − x̄·w (scikit-learn's solution)
        let (x, y) = data();
        let skip = vec![false; y.len()];
        for (alpha, intercept) in [(3.0, true), (250.0, true), (3.0, false)] {
            let kind = LinearKind::Ridge {
                alpha,
                fit_intercept: intercept,
            };
            let m = Linear::fit(&x, &y, 2, &skip, kind).unwrap();
            let n = y.len() as f64;
            let (mx, my) = if intercept {
                (
                    [0, 1].map(|j| x.chunks(2).map(|r| r[j]).sum::<f64>() / n),
                    y.iter().sum::<f64>() / n,
                )
            } else {
                ([0.0, 0.0], 0.0)
            };
            let mut a = Array2::<f64>::zeros((2, 2));
            let mut rhs = vec![0.0; 2];
            for (r, &yr) in x.chunks(2).zip(&y) {
                for i in 0..2 {
                    rhs[i] += (r[i] - mx[i]) * (yr - my);
                    for j in 0..2 {
                        a[[i, j]] += (r[i] - mx[i]) * (r[j] - mx[j]);
                    }
                }
            }
            a[[0, 0]] += alpha;
            a[[1, 1]] += alpha;
            let w = cholesky_solve(a, rhs).unwrap();
            let b = my - mx[0] * w[0] - mx[1] * w[1];
            for (u, v) in m.coef.iter().zip(&w) {
                assert!((u - v).abs() < 1e-10 * (1.0 + v.abs()), "{u} vs {v}");
            }
            assert!((m.intercept - b).abs() < 1e-10 * (1.0 + b.abs()));
        }
    }
}
