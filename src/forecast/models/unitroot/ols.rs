//! Small least squares without intercept, as R's `lm` solves it: Householder QR taking the
//! columns in order and setting aside (coefficient "NA") a column whose norm left after the
//! previous ones is below 1e-7 of its own (R's `dqrdc2` tolerance).

/// A least-squares fit `y ≈ X β`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ols {
    /// Coefficient per column, `None` for an aliased column.
    pub coef: Vec<Option<f64>>,
    /// Standard error per column (`None` aliased; NaN with no residual degrees of freedom).
    pub se: Vec<Option<f64>>,
    /// Residual sum of squares.
    pub rss: f64,
    /// Observations.
    pub nobs: usize,
    /// Columns used.
    pub rank: usize,
}

const TOL: f64 = 1e-7;

fn norm(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// Fit `y` on the columns `cols` (each of `y.len()` values).
pub(crate) fn ols(cols: &[Vec<f64>], y: &[f64]) -> Ols {
    let n = y.len();
    let p = cols.len();
    let mut a: Vec<Vec<f64>> = cols.to_vec();
    let mut qty = y.to_vec();
    let mut used: Vec<usize> = Vec::new();
    for j in 0..p {
        let k = used.len();
        let orig = norm(&cols[j]);
        let rest = if k < n { norm(&a[j][k..]) } else { 0.0 };
        if orig == 0.0 || rest < TOL * orig {
            continue;
        }
        // Householder vector for a[j][k..].
        let x0 = a[j][k];
        let alpha = if x0 >= 0.0 { -rest } else { rest };
        let mut v = a[j][k..].to_vec();
        v[0] -= alpha;
        let vv: f64 = v.iter().map(|e| e * e).sum();
        let reflect = |col: &mut [f64]| {
            let s: f64 = v.iter().zip(col.iter()).map(|(a, b)| a * b).sum::<f64>() * 2.0 / vv;
            for (c, e) in col.iter_mut().zip(&v) {
                *c -= s * e;
            }
        };
        if vv > 0.0 {
            for col in a.iter_mut().skip(j + 1) {
                reflect(&mut col[k..]);
            }
            reflect(&mut qty[k..]);
        }
        a[j][k] = alpha;
        used.push(j);
    }
    let rank = used.len();
    // R[i][l] = a[used[l]][i] for l >= i.
    let rr = |i: usize, l: usize| a[used[l]][i];
    let mut beta = vec![0.0; rank];
    for i in (0..rank).rev() {
        let s: f64 = ((i + 1)..rank).map(|l| rr(i, l) * beta[l]).sum();
        beta[i] = (qty[i] - s) / rr(i, i);
    }
    // Inverse of R (upper triangular), column by column: inv[c][i] = R⁻¹[i][c].
    let mut inv = vec![vec![0.0; rank]; rank];
    for (c, col) in inv.iter_mut().enumerate() {
        col[c] = 1.0 / rr(c, c);
        for i in (0..c).rev() {
            let s: f64 = ((i + 1)..=c).map(|l| rr(i, l) * col[l]).sum();
            col[i] = -s / rr(i, i);
        }
    }
    let mut fitted = vec![0.0; n];
    for (b, &j) in beta.iter().zip(&used) {
        for (f, x) in fitted.iter_mut().zip(&cols[j]) {
            *f += b * x;
        }
    }
    let rss: f64 = y.iter().zip(&fitted).map(|(v, f)| (v - f) * (v - f)).sum();
    let sigma2 = if n > rank {
        rss / (n - rank) as f64
    } else {
        f64::NAN
    };
    let mut coef = vec![None; p];
    let mut se = vec![None; p];
    for (i, &j) in used.iter().enumerate() {
        coef[j] = Some(beta[i]);
        let d: f64 = inv[i..].iter().map(|col| col[i] * col[i]).sum();
        se[j] = Some((sigma2 * d).sqrt());
    }
    Ols {
        coef,
        se,
        rss,
        nobs: n,
        rank,
    }
}

impl Ols {
    /// R's `AIC(lm)`: `n (log 2π + 1 + log(RSS / n)) + 2 (rank + 1)`.
    pub(crate) fn aic(&self) -> f64 {
        let n = self.nobs as f64;
        n * ((2.0 * std::f64::consts::PI).ln() + 1.0 + (self.rss / n).ln())
            + 2.0 * (self.rank as f64 + 1.0)
    }

    /// The t value of column `j` (`None` when aliased or not estimable).
    pub(crate) fn t_value(&self, j: usize) -> Option<f64> {
        let (b, s) = (self.coef.get(j).copied()??, self.se.get(j).copied()??);
        let t = b / s;
        t.is_finite().then_some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_fit_and_textbook_regression() {
        // y = 2 a - 3 b exactly.
        let a = vec![1.0, 2.0, 3.0, 4.0, 5.0];
        let b = vec![1.0, 0.0, 1.0, 0.0, 2.0];
        let y: Vec<f64> = a.iter().zip(&b).map(|(a, b)| 2.0 * a - 3.0 * b).collect();
        let f = ols(&[a.clone(), b.clone()], &y);
        assert!((f.coef[0].unwrap() - 2.0).abs() < 1e-12);
        assert!((f.coef[1].unwrap() + 3.0).abs() < 1e-12);
        assert!(f.rss < 1e-20);
        // Through the origin on one column: beta = Σxy/Σx², se = sqrt(s²/Σx²).
        let y = vec![1.0, 3.0, 2.0, 5.0, 4.0];
        let f = ols(std::slice::from_ref(&a), &y);
        let sxx: f64 = a.iter().map(|v| v * v).sum();
        let beta = a.iter().zip(&y).map(|(a, y)| a * y).sum::<f64>() / sxx;
        let rss: f64 = a.iter().zip(&y).map(|(a, y)| (y - beta * a).powi(2)).sum();
        assert!((f.coef[0].unwrap() - beta).abs() < 1e-12);
        assert!((f.se[0].unwrap() - (rss / 4.0 / sxx).sqrt()).abs() < 1e-12);
        assert!((f.rss - rss).abs() < 1e-12);
        let aic = 5.0 * ((2.0 * std::f64::consts::PI).ln() + 1.0 + (rss / 5.0).ln()) + 4.0;
        assert!((f.aic() - aic).abs() < 1e-12);
    }

    #[test]
    fn aliased_columns_are_set_aside() {
        let a = vec![1.0, 2.0, 3.0, 4.0];
        let zero = vec![0.0; 4];
        let twice: Vec<f64> = a.iter().map(|v| 2.0 * v).collect();
        let y = vec![1.0, 2.5, 2.9, 4.2];
        let f = ols(&[zero, a.clone(), twice], &y);
        assert_eq!(f.rank, 1);
        assert!(f.coef[0].is_none() && f.coef[2].is_none());
        assert!(f.t_value(1).is_some() && f.t_value(2).is_none());
        let one = ols(&[a], &y);
        assert!((one.coef[0].unwrap() - f.coef[1].unwrap()).abs() < 1e-12);
    }
}
