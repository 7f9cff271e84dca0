//! Exogenous regressors of the per-series statistical models (price, promotion, holiday
//! flags...): a row-major matrix with `k` values per observation, laid out like the panel's
//! values, and the per-series least-squares fit that the "regress, then model the
//! residuals" wrapper uses.
//!
//! Columns that are constant within a series, or linear combinations of the columns before
//! them (after centring), carry no information for that series: they get a zero
//! coefficient and are left out of its fit, so a SKU whose price never changed is modelled
//! as if it had no price column.

use super::codec::{Reader, Writer};
use crate::error::{Error, Result};
use crate::metrics::linalg::{cholesky, independent_columns};
use ndarray::Array2;

/// Relative pivot below which a centred column counts as a combination of earlier ones.
const COLLINEAR_TOL: f64 = 1e-9;

/// A borrowed row-major matrix of regressors: row `t` is `values[t * k..(t + 1) * k]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exog<'a> {
    values: &'a [f64],
    k: usize,
}

impl<'a> Exog<'a> {
    /// No regressors.
    pub const NONE: Exog<'static> = Exog { values: &[], k: 0 };

    /// Wrap `values` as `rows` rows of `k` regressors.
    ///
    /// Errors when the length is not `rows * k`.
    pub fn new(values: &'a [f64], k: usize, rows: usize) -> Result<Self> {
        if values.len() != rows.saturating_mul(k) {
            return Err(Error::Shape(format!(
                "{rows} rows of {k} regressors need {} values, got {}",
                rows.saturating_mul(k),
                values.len()
            )));
        }
        Ok(Exog { values, k })
    }

    /// Regressors per row.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Whether there are no regressors.
    pub fn is_empty(&self) -> bool {
        self.k == 0
    }

    /// Rows `start..end` (empty when there are no regressors).
    pub fn rows(&self, start: usize, end: usize) -> Exog<'a> {
        if self.k == 0 {
            return Exog { values: &[], k: 0 };
        }
        Exog {
            values: &self.values[start * self.k..end * self.k],
            k: self.k,
        }
    }

    /// The values, row-major.
    pub fn values(&self) -> &'a [f64] {
        self.values
    }

    /// Number of rows (0 without regressors).
    pub fn n_rows(&self) -> usize {
        self.values.len().checked_div(self.k).unwrap_or(0)
    }

    /// Row `t`.
    pub fn row(&self, t: usize) -> &'a [f64] {
        &self.values[t * self.k..(t + 1) * self.k]
    }

    /// The position (row, column) of the first value that is not finite.
    pub fn first_non_finite(&self) -> Option<(usize, usize)> {
        let p = self.values.iter().position(|v| !v.is_finite())?;
        Some((p / self.k, p % self.k))
    }
}

/// A least-squares fit of a series on its regressors: `y ≈ ȳ + (x − x̄)·β`.
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    /// Column means of the regressors over the training rows.
    pub xbar: Vec<f64>,
    /// Coefficients (0 for columns left out: constant or collinear within the series).
    pub beta: Vec<f64>,
}

impl Regression {
    /// Ordinary least squares of `y` on an intercept and `x` (one row per observation).
    pub fn fit(y: &[f64], x: Exog<'_>) -> Regression {
        let (n, k) = (y.len(), x.k());
        let xbar = column_means(x, n);
        let mut beta = vec![0.0; k];
        if n < 2 || k == 0 {
            return Regression { xbar, beta };
        }
        let ybar = y.iter().sum::<f64>() / n as f64;
        let g = centred_gram(x, n, &xbar);
        let mut xy = vec![0.0; k];
        for (t, yt) in y.iter().enumerate() {
            for ((a, v), m) in xy.iter_mut().zip(x.row(t)).zip(&xbar) {
                *a += (v - m) * (yt - ybar);
            }
        }
        let kept = independent(&g);
        let sub = Array2::from_shape_fn((kept.len(), kept.len()), |(a, b)| g[[kept[a], kept[b]]]);
        let Some(l) = cholesky(&sub) else {
            return Regression { xbar, beta };
        };
        // Solve L Lᵀ b = X'y by forward then back substitution.
        let p = kept.len();
        let mut w: Vec<f64> = kept.iter().map(|&j| xy[j]).collect();
        for i in 0..p {
            let s: f64 = (0..i).map(|j| l[[i, j]] * w[j]).sum();
            w[i] = (w[i] - s) / l[[i, i]];
        }
        for i in (0..p).rev() {
            let s: f64 = (i + 1..p).map(|j| l[[j, i]] * w[j]).sum();
            w[i] = (w[i] - s) / l[[i, i]];
        }
        for (&j, b) in kept.iter().zip(w) {
            beta[j] = b;
        }
        Regression { xbar, beta }
    }

    /// `(x_t − x̄)·β` for each row of `x`, written to `out` (one value per row).
    pub fn effect_into(&self, x: Exog<'_>, out: &mut [f64]) {
        for (t, o) in out.iter_mut().enumerate() {
            *o = if x.is_empty() {
                0.0
            } else {
                x.row(t)
                    .iter()
                    .zip(&self.xbar)
                    .zip(&self.beta)
                    .map(|((v, m), b)| (v - m) * b)
                    .sum()
            };
        }
    }

    /// Append to a persisted blob.
    pub fn encode(&self, w: &mut Writer) {
        w.f64s(&self.xbar);
        w.f64s(&self.beta);
    }

    /// Read back what [`Regression::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<Regression> {
        let xbar = r.f64s()?;
        let beta = r.f64s()?;
        if xbar.len() != beta.len() {
            return Err(Error::Decode("inconsistent regression state".into()));
        }
        Ok(Regression { xbar, beta })
    }
}

/// The regressor columns that carry information for a series of `n` rows: not constant,
/// and not a linear combination of earlier columns after centring (ascending indices).
pub fn informative_columns(x: Exog<'_>, n: usize) -> Vec<usize> {
    if x.is_empty() || n < 2 {
        return Vec::new();
    }
    let xbar = column_means(x, n);
    independent(&centred_gram(x, n, &xbar))
}

/// The columns `cols` of the first `n` rows of `x`, row-major.
pub fn select_columns(x: Exog<'_>, n: usize, cols: &[usize]) -> Vec<f64> {
    let mut out = Vec::with_capacity(n * cols.len());
    for t in 0..n.min(x.n_rows()) {
        let row = x.row(t);
        out.extend(cols.iter().map(|&j| row[j]));
    }
    out
}

fn column_means(x: Exog<'_>, n: usize) -> Vec<f64> {
    let mut xbar = vec![0.0; x.k()];
    for t in 0..n {
        for (m, v) in xbar.iter_mut().zip(x.row(t)) {
            *m += v;
        }
    }
    for m in &mut xbar {
        *m /= n.max(1) as f64;
    }
    xbar
}

fn centred_gram(x: Exog<'_>, n: usize, xbar: &[f64]) -> Array2<f64> {
    let k = x.k();
    let mut g = Array2::<f64>::zeros((k, k));
    let mut c = vec![0.0; k];
    for t in 0..n {
        for (cj, (v, m)) in c.iter_mut().zip(x.row(t).iter().zip(xbar)) {
            *cj = v - m;
        }
        for a in 0..k {
            for b in 0..=a {
                g[[a, b]] += c[a] * c[b];
            }
        }
    }
    for a in 0..k {
        for b in 0..a {
            g[[b, a]] = g[[a, b]];
        }
    }
    g
}

fn independent(g: &Array2<f64>) -> Vec<usize> {
    independent_columns(g, COLLINEAR_TOL)
        .into_iter()
        .filter(|&j| g[[j, j]] > 0.0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_planted_coefficients_and_drops_useless_columns() {
        // y = 5 + 2·a − 3·b; column c is constant, column d = a + b (collinear).
        let n = 40;
        let mut x = Vec::new();
        let mut y = Vec::new();
        for t in 0..n {
            let a = f64::from(t % 7);
            let b = f64::from((t * 3) % 5);
            x.extend_from_slice(&[a, b, 4.0, a + b]);
            y.push(5.0 + 2.0 * a - 3.0 * b);
        }
        let r = Regression::fit(&y, Exog::new(&x, 4, n as usize).unwrap());
        assert!((r.beta[0] - 2.0).abs() < 1e-10, "{:?}", r.beta);
        assert!((r.beta[1] + 3.0).abs() < 1e-10);
        assert_eq!(r.beta[2], 0.0);
        assert_eq!(r.beta[3], 0.0);
        let x4 = Exog::new(&x, 4, n as usize).unwrap();
        assert_eq!(informative_columns(x4, n as usize), vec![0, 1]);
        let sel = select_columns(x4, 2, &[1, 3]);
        assert_eq!(sel, vec![x[1], x[3], x[5], x[7]]);
        let mut eff = vec![0.0; n as usize];
        r.effect_into(Exog::new(&x, 4, n as usize).unwrap(), &mut eff);
        let ybar = y.iter().sum::<f64>() / y.len() as f64;
        for (e, v) in eff.iter().zip(&y) {
            assert!((ybar + e - v).abs() < 1e-9);
        }
        let mut w = Writer::default();
        r.encode(&mut w);
        assert_eq!(Regression::decode(&mut Reader::new(&w.buf)).unwrap(), r);
    }

    #[test]
    fn degenerate_inputs_give_zero_effects() {
        let r = Regression::fit(&[1.0], Exog::new(&[2.0], 1, 1).unwrap());
        assert_eq!(r.beta, vec![0.0]);
        let r = Regression::fit(&[1.0, 2.0], Exog::NONE);
        assert!(r.beta.is_empty());
        assert!(Exog::new(&[1.0, 2.0, 3.0], 2, 2).is_err());
        let x = Exog::new(&[1.0, f64::NAN], 1, 2).unwrap();
        assert_eq!(x.first_non_finite(), Some((1, 0)));
        assert_eq!(x.rows(1, 2).values().len(), 1);
    }
}
