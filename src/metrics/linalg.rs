//! The small dense algebra the OLS standard errors need: the Gram matrix X'X and one
//! element of its inverse through a Cholesky factorisation. The fits themselves go
//! through linfa-linear (see [`elasticity`](super::elasticity)).

use ndarray::{Array2, ArrayView2};

/// X'X of an (n × p) design.
pub fn gram(x: ArrayView2<'_, f64>) -> Array2<f64> {
    x.t().dot(&x)
}

/// Lower Cholesky factor of a symmetric positive-definite matrix, or `None` when a pivot
/// is not clearly positive (relative to the largest diagonal entry), i.e. the design is
/// rank deficient.
pub fn cholesky(a: &Array2<f64>) -> Option<Array2<f64>> {
    let p = a.nrows();
    let scale = (0..p).map(|i| a[[i, i]].abs()).fold(0.0, f64::max);
    let tol = scale * 1e-12;
    let mut l = Array2::<f64>::zeros((p, p));
    for j in 0..p {
        let d = a[[j, j]] - (0..j).map(|k| l[[j, k]] * l[[j, k]]).sum::<f64>();
        if d.is_nan() || d <= tol {
            return None;
        }
        let d = d.sqrt();
        l[[j, j]] = d;
        for i in j + 1..p {
            let s = a[[i, j]] - (0..j).map(|k| l[[i, k]] * l[[j, k]]).sum::<f64>();
            l[[i, j]] = s / d;
        }
    }
    Some(l)
}

/// Greedy column selection: walk the columns of a Gram matrix in order and keep a column
/// when it is not (numerically) a combination of the columns kept before it, i.e. when
/// its Cholesky pivot exceeds `rel_tol` × its own squared norm. Returns the kept indices.
pub fn independent_columns(g: &Array2<f64>, rel_tol: f64) -> Vec<usize> {
    let mut kept: Vec<usize> = Vec::new();
    let mut rows: Vec<Vec<f64>> = Vec::new(); // rows of L for the kept columns
    for j in 0..g.nrows() {
        let mut row = Vec::with_capacity(kept.len() + 1);
        for (a, &k) in kept.iter().enumerate() {
            let s = g[[j, k]] - (0..a).map(|m| row[m] * rows[a][m]).sum::<f64>();
            row.push(s / rows[a][a]);
        }
        let d = g[[j, j]] - row.iter().map(|v| v * v).sum::<f64>();
        if d.is_finite() && d > rel_tol * g[[j, j]].abs() && d > 0.0 {
            row.push(d.sqrt());
            rows.push(row);
            kept.push(j);
        }
    }
    kept
}

/// (A⁻¹)_{jj} from the Cholesky factor L of A: A⁻¹ = L⁻ᵀ L⁻¹, so (A⁻¹)_{jj} is the
/// squared norm of column j of L⁻¹, the solution w of L w = e_j.
pub fn inverse_diagonal(l: &Array2<f64>, j: usize) -> f64 {
    let p = l.nrows();
    // column j of L⁻¹: forward substitution of L w = e_j
    let mut w = vec![0.0; p];
    for i in 0..p {
        let rhs = if i == j { 1.0 } else { 0.0 };
        let s: f64 = (0..i).map(|k| l[[i, k]] * w[k]).sum();
        w[i] = (rhs - s) / l[[i, i]];
    }
    w.iter().map(|v| v * v).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn inverse_of_a_small_matrix() {
        let a = array![[4.0, 2.0], [2.0, 3.0]];
        // A⁻¹ = 1/8 · [[3, -2], [-2, 4]]
        let l = cholesky(&a).unwrap();
        assert!((inverse_diagonal(&l, 0) - 3.0 / 8.0).abs() < 1e-15);
        assert!((inverse_diagonal(&l, 1) - 0.5).abs() < 1e-15);
        assert!(cholesky(&array![[1.0, 1.0], [1.0, 1.0]]).is_none());
        let x = array![[1.0, 2.0], [1.0, 3.0]];
        assert_eq!(gram(x.view()), array![[2.0, 5.0], [5.0, 13.0]]);
        // columns: 1, t, 2t, t²: the third is twice the second
        let x = array![
            [1.0, 0.0, 0.0, 0.0],
            [1.0, 1.0, 2.0, 1.0],
            [1.0, 2.0, 4.0, 4.0],
            [1.0, 3.0, 6.0, 9.0]
        ];
        assert_eq!(independent_columns(&gram(x.view()), 1e-10), vec![0, 1, 3]);
    }
}
