//! Tall-skinny QR (TSQR) reduction of a least-squares problem, in parallel over row chunks.
//!
//! The problem `min_θ ‖A·θ − y‖²` with `A = [X | 1]` (`n × p`, `n` ≫ `p`) is split into
//! row chunks `A_k`, `y_k`. Each chunk is reduced by Householder reflections to
//! `Q_kᵀ·[A_k | y_k] = [R_k c_k; 0 d_k]` with `R_k` upper triangular (`p × p`). Because
//! `Q_k` is orthogonal, `‖A_k·θ − y_k‖² = ‖R_k·θ − c_k‖² + ‖d_k‖²` for every `θ`, and
//! summing over the chunks,
//!
//! ```text
//! ‖A·θ − y‖² = ‖S·θ − c‖² + Σ_k ‖d_k‖²,   S = [R_1; R_2; …],  c = [c_1; c_2; …]
//! ```
//!
//! The last term does not depend on `θ`, so the small stacked problem `min ‖S·θ − c‖²`
//! has exactly the same minimiser as the full one (`SᵀS = AᵀA` and `Sᵀc = Aᵀy`), and the
//! caller hands it to linfa-linear. Unlike the normal equations, nothing is squared: the
//! stacked problem keeps the conditioning of `A`, which is what a QR solve of the full
//! matrix would see too. Chunks are a fixed number of input rows, so the result does not
//! depend on the number of threads; each chunk is copied column-major into a buffer that
//! stays in cache, so the Householder sweeps read contiguous memory once from RAM.
//!
//! The chunk reduction is native rather than linfa-linalg's `qr_into`: that one works on
//! an owned `ndarray` (a copy of every chunk in its layout) and exposes `R` (`into_r`,
//! whose diagonal is made non-negative consistently with its sign-flipped reflections)
//! but not `Qᵀy`; here `y` is simply carried as one more column through the same
//! reflections, and the tests check `SᵀS = AᵀA`, `Sᵀc = Aᵀy` and equality with
//! linfa-linear's direct solve for chunk sizes from 1 row to the whole matrix.
//!
//! The same pass accumulates the count, mean and variance of every feature over the rows
//! used (Chan et al.'s pairwise merge of per-chunk moments).

use crate::parallel;
use rayon::prelude::*;

/// Input rows per chunk (a 2,048 × 12 buffer is about 200 kB).
pub const CHUNK_ROWS: usize = 2048;

/// A least-squares problem reduced to a few rows per chunk.
#[derive(Debug, Clone, PartialEq)]
pub struct Reduced {
    /// Columns of the problem: the features, plus a last column of ones with an intercept.
    pub p: usize,
    /// Stacked triangular factors, row-major `(c.len()) × p`.
    pub s: Vec<f64>,
    /// Stacked `Qᵀy`.
    pub c: Vec<f64>,
    /// Rows used (not skipped, with a finite target and every feature finite).
    pub n: usize,
    /// Mean of every feature over the rows used.
    pub means: Vec<f64>,
    /// Population standard deviation of every feature over the rows used.
    pub scales: Vec<f64>,
}

/// One chunk's reduction and moments.
struct Part {
    s: Vec<f64>,
    c: Vec<f64>,
    n: usize,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

/// Reduce the rows of the row-major `n × f` matrix `x` (target `y`) that are not flagged in
/// `skip` and have every feature finite; `intercept` appends a column of ones.
pub fn reduce(x: &[f64], y: &[f64], f: usize, skip: &[bool], intercept: bool) -> Reduced {
    reduce_chunked(x, y, f, skip, intercept, CHUNK_ROWS)
}

/// [`reduce`] with a given chunk size (at least 1).
pub fn reduce_chunked(
    x: &[f64],
    y: &[f64],
    f: usize,
    skip: &[bool],
    intercept: bool,
    chunk: usize,
) -> Reduced {
    let chunk = chunk.max(1);
    let p = f + usize::from(intercept);
    let parts: Vec<Part> = parallel::install(|| {
        y.par_chunks(chunk)
            .enumerate()
            .map(|(k, yk)| {
                let start = k * chunk;
                reduce_part(x, yk, start, f, &skip[start..start + yk.len()], intercept)
            })
            .collect()
    });
    let mut out = Reduced {
        p,
        s: Vec::new(),
        c: Vec::new(),
        n: 0,
        means: vec![0.0; f],
        scales: vec![0.0; f],
    };
    let mut m2 = vec![0.0; f];
    for part in parts {
        out.s.extend_from_slice(&part.s);
        out.c.extend_from_slice(&part.c);
        if part.n == 0 {
            continue;
        }
        // Chan et al.: merge (n_a, mean_a, M2_a) with (n_b, mean_b, M2_b)
        let (na, nb) = (out.n as f64, part.n as f64);
        let nt = na + nb;
        for (j, (mean, acc)) in out.means.iter_mut().zip(m2.iter_mut()).enumerate() {
            let delta = part.mean[j] - *mean;
            *mean += delta * nb / nt;
            *acc += part.m2[j] + delta * delta * na * nb / nt;
        }
        out.n += part.n;
    }
    if out.n > 0 {
        let n = out.n as f64;
        out.scales = m2.iter().map(|v| (v / n).sqrt()).collect();
    }
    out
}

/// Reduce the chunk of rows `start..start + yk.len()`.
fn reduce_part(
    x: &[f64],
    yk: &[f64],
    start: usize,
    f: usize,
    skip: &[bool],
    intercept: bool,
) -> Part {
    let p = f + usize::from(intercept);
    let ld = yk.len();
    // column-major buffer: the p columns of A, then y
    let mut a = vec![0.0; (p + 1) * ld];
    let mut m = 0;
    for (t, &yt) in yk.iter().enumerate() {
        let row = &x[(start + t) * f..(start + t + 1) * f];
        if skip[t] || !yt.is_finite() || !row.iter().all(|v| v.is_finite()) {
            continue;
        }
        for (j, &v) in row.iter().enumerate() {
            a[j * ld + m] = v;
        }
        if intercept {
            a[f * ld + m] = 1.0;
        }
        a[p * ld + m] = yt;
        m += 1;
    }
    // moments of the features (two passes over each contiguous column)
    let mut mean = vec![0.0; f];
    let mut m2 = vec![0.0; f];
    if m > 0 {
        for j in 0..f {
            let col = &a[j * ld..j * ld + m];
            let mu = col.iter().sum::<f64>() / m as f64;
            mean[j] = mu;
            m2[j] = col.iter().map(|v| (v - mu) * (v - mu)).sum();
        }
    }
    let kept = householder(&mut a, ld, m, p);
    let mut s = vec![0.0; kept * p];
    let mut c = vec![0.0; kept];
    for i in 0..kept {
        for j in i..p {
            s[i * p + j] = a[j * ld + i];
        }
        c[i] = a[p * ld + i];
    }
    Part {
        s,
        c,
        n: m,
        mean,
        m2,
    }
}

/// Householder QR of the first `m` rows of the column-major `a` (leading dimension `ld`,
/// `p` columns followed by the right-hand side), in place: afterwards the top rows hold
/// `R` (upper triangle) and `Qᵀy`. Returns how many top rows carry the reduced problem
/// (`min(m, p)`; the rows below are zero in every column of `A`).
fn householder(a: &mut [f64], ld: usize, m: usize, p: usize) -> usize {
    let kept = m.min(p);
    for j in 0..kept {
        let (head, tail) = a.split_at_mut((j + 1) * ld);
        let v = &mut head[j * ld + j..j * ld + m];
        let norm = norm2(v);
        if norm == 0.0 {
            // the column is already zero below the diagonal: nothing to reflect
            continue;
        }
        // v ← x − α·e₁ with α = −sign(x₀)·‖x‖ (no cancellation); H = I − v·vᵀ / (‖x‖·(‖x‖ + |x₀|))
        let x0 = v[0];
        let alpha = if x0 >= 0.0 { -norm } else { norm };
        v[0] = x0 - alpha;
        let beta = 1.0 / (norm * (norm + x0.abs()));
        for k in 0..(p - j) {
            let col = &mut tail[k * ld + j..k * ld + m];
            let s = beta * dot(v, col);
            if s != 0.0 {
                col.iter_mut().zip(v.iter()).for_each(|(c, h)| *c -= s * h);
            }
        }
        v[0] = alpha;
        v[1..].iter_mut().for_each(|e| *e = 0.0);
    }
    kept
}

/// Which columns of the row-major `m × p` matrix `s` are linearly independent of the
/// columns before them, taken in `order`: a Householder QR in that order that skips (does
/// not reflect on) a column whose remaining part is at most `tol` times its norm. An
/// all-zero column is dependent.
pub fn independent_columns(s: &[f64], m: usize, p: usize, order: &[usize], tol: f64) -> Vec<bool> {
    let q = order.len();
    let mut a = vec![0.0; q * m];
    for (k, &j) in order.iter().enumerate() {
        for i in 0..m {
            a[k * m + i] = s[i * p + j];
        }
    }
    let mut out = vec![false; p];
    let mut r = 0; // next pivot row
    for k in 0..q {
        if r >= m {
            break;
        }
        let (head, tail) = a.split_at_mut((k + 1) * m);
        let col = &mut head[k * m..];
        let full = norm2(col);
        let v = &mut col[r..];
        let norm = norm2(v);
        if full == 0.0 || norm <= tol * full {
            continue;
        }
        out[order[k]] = true;
        let x0 = v[0];
        let alpha = if x0 >= 0.0 { -norm } else { norm };
        v[0] = x0 - alpha;
        let beta = 1.0 / (norm * (norm + x0.abs()));
        for l in 0..(q - k - 1) {
            let c = &mut tail[l * m + r..(l + 1) * m];
            let s = beta * dot(v, c);
            c.iter_mut().zip(v.iter()).for_each(|(c, h)| *c -= s * h);
        }
        r += 1;
    }
    out
}

/// Dot product with four independent accumulators (lets the compiler vectorise it).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Euclidean norm, rescaled when the plain sum of squares over- or underflows.
fn norm2(v: &[f64]) -> f64 {
    let ss = dot(v, v);
    if ss.is_finite() && ss > 1e-290 {
        return ss.sqrt();
    }
    let scale = v.iter().fold(0.0f64, |acc, e| acc.max(e.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return scale;
    }
    scale
        * v.iter()
            .map(|e| (e / scale) * (e / scale))
            .sum::<f64>()
            .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::prelude::*;
    use linfa::Dataset;
    use linfa_linear::LinearRegression;
    use ndarray::{Array1, Array2};

    /// Solve the stacked problem with linfa-linear.
    fn solve(r: &Reduced) -> Option<Vec<f64>> {
        let s = Array2::from_shape_vec((r.c.len(), r.p), r.s.clone()).unwrap();
        let c = Array1::from(r.c.clone());
        LinearRegression::new()
            .with_intercept(false)
            .fit(&Dataset::new(s, c))
            .ok()
            .map(|m| m.params().to_vec())
    }

    /// linfa-linear on the whole matrix, as before the reduction: [w…, b].
    fn direct(x: &[f64], y: &[f64], f: usize) -> Option<Vec<f64>> {
        let rows: Vec<usize> = (0..y.len())
            .filter(|&r| y[r].is_finite() && x[r * f..(r + 1) * f].iter().all(|v| v.is_finite()))
            .collect();
        let mut data = Vec::new();
        for &r in &rows {
            data.extend_from_slice(&x[r * f..(r + 1) * f]);
        }
        let xm = Array2::from_shape_vec((rows.len(), f), data).unwrap();
        let ym: Array1<f64> = rows.iter().map(|&r| y[r]).collect();
        LinearRegression::new()
            .fit(&Dataset::new(xm, ym))
            .ok()
            .map(|m| {
                let mut v = m.params().to_vec();
                v.push(m.intercept());
                v
            })
    }

    /// A deterministic pseudo-random number in [-0.5, 0.5).
    fn noise(i: usize) -> f64 {
        let h = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((h >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    }

    /// Ill-conditioned design: monomials t, t², t³, t⁴ on [1, 2] plus a near-copy of t.
    fn ill(n: usize) -> (Vec<f64>, Vec<f64>, usize) {
        let f = 5;
        let mut x = Vec::with_capacity(n * f);
        let mut y = Vec::with_capacity(n);
        for i in 0..n {
            let t = 1.0 + i as f64 / n as f64;
            let row = [t, t * t, t * t * t, t * t * t * t, t + 1e-4 * noise(7 * i)];
            x.extend_from_slice(&row);
            y.push(3.0 - row[0] + 0.5 * row[1] + 0.25 * row[3] + 2.0 * row[4] + noise(i));
        }
        (x, y, f)
    }

    fn cond(r: &Reduced) -> f64 {
        // crude: ratio of extreme |diagonal| of the first chunk's R
        let d: Vec<f64> = (0..r.p).map(|i| r.s[i * r.p + i].abs()).collect();
        d.iter().cloned().fold(0.0, f64::max) / d.iter().cloned().fold(f64::INFINITY, f64::min)
    }

    fn assert_close(a: &[f64], b: &[f64], rtol: f64) {
        assert_eq!(a.len(), b.len());
        for (u, v) in a.iter().zip(b) {
            assert!((u - v).abs() <= rtol * (1.0 + v.abs()), "{a:?}\nvs\n{b:?}");
        }
    }

    #[test]
    fn equals_the_direct_solve_on_an_ill_conditioned_matrix_for_any_chunking() {
        let (x, y, f) = ill(5000);
        let skip = vec![false; y.len()];
        let want = direct(&x, &y, f).unwrap();
        // chunk sizes giving 1 chunk, a few, many, chunks smaller than p, single rows
        for chunk in [5000, 10_000, 2500, 1999, 700, 64, 7, 3, 1] {
            let r = reduce_chunked(&x, &y, f, &skip, true, chunk);
            assert_eq!(r.n, 5000);
            let kept: usize = (0..5000)
                .step_by(chunk)
                .map(|a| (5000 - a).min(chunk).min(6))
                .sum();
            assert_eq!(r.c.len(), kept);
            let got = solve(&r).unwrap();
            // both are backward-stable QR solves of the same ill-conditioned problem
            assert_close(&got, &want, 1e-6);
        }
        assert!(cond(&reduce_chunked(&x, &y, f, &skip, true, 5000)) > 1e4);
    }

    #[test]
    fn reduction_preserves_the_gram_matrix_and_moments() {
        let (x, y, f) = ill(300);
        let skip: Vec<bool> = (0..300).map(|i| i % 13 == 0).collect();
        for chunk in [1000, 64, 5, 2] {
            let r = reduce_chunked(&x, &y, f, &skip, true, chunk);
            let used: Vec<usize> = (0..300).filter(|&i| !skip[i]).collect();
            assert_eq!(r.n, used.len());
            let a = |i: usize, j: usize| if j < f { x[i * f + j] } else { 1.0 };
            let m = r.c.len();
            for j in 0..r.p {
                for k in 0..r.p {
                    let full: f64 = used.iter().map(|&i| a(i, j) * a(i, k)).sum();
                    let red: f64 = (0..m).map(|i| r.s[i * r.p + j] * r.s[i * r.p + k]).sum();
                    assert!((full - red).abs() < 1e-10 * full.abs().max(1.0), "{j},{k}");
                }
                let full: f64 = used.iter().map(|&i| a(i, j) * y[i]).sum();
                let red: f64 = (0..m).map(|i| r.s[i * r.p + j] * r.c[i]).sum();
                assert!((full - red).abs() < 1e-10 * full.abs().max(1.0));
            }
            for j in 0..f {
                let mu = used.iter().map(|&i| x[i * f + j]).sum::<f64>() / used.len() as f64;
                let var = used
                    .iter()
                    .map(|&i| (x[i * f + j] - mu).powi(2))
                    .sum::<f64>()
                    / used.len() as f64;
                assert!((r.means[j] - mu).abs() < 1e-12);
                assert!((r.scales[j] - var.sqrt()).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn fewer_rows_than_a_chunk_and_skipped_or_missing_rows() {
        let (mut x, mut y, f) = ill(40);
        x[3 * f + 2] = f64::NAN;
        y[10] = f64::INFINITY;
        let skip: Vec<bool> = (0..40).map(|i| i == 20).collect();
        let r = reduce(&x, &y, f, &skip, true);
        assert_eq!(r.n, 37);
        assert_eq!(r.c.len(), 6);
        let mut y2 = y.clone();
        y2[20] = f64::NAN; // the direct reference drops row 20 the same way
        assert_close(&solve(&r).unwrap(), &direct(&x, &y2, f).unwrap(), 1e-7);
        // without an intercept: p = f columns, and R's diagonal is the norm of column 0
        let r0 = reduce(&x, &y, f, &skip, false);
        assert_eq!((r0.p, r0.c.len()), (f, f));
        let keep = |i: usize| !skip[i] && i != 3 && i != 10;
        let n0: f64 = (0..40).filter(|&i| keep(i)).map(|i| x[i * f].powi(2)).sum();
        assert!((r0.s[0].abs() - n0.sqrt()).abs() < 1e-12 * n0);
        // no usable row at all
        let none = reduce(&x, &y, f, &[true; 40], true);
        assert_eq!((none.n, none.c.len()), (0, 0));
    }

    #[test]
    fn zero_and_copied_columns_are_found_dependent() {
        let (x, y, f) = ill(500);
        // an all-zero feature stays exactly zero through every reflection, so linfa
        // reports the reduced problem singular exactly as it does the full one
        let zero: Vec<f64> = x.chunks(f).flat_map(|r| [r[0], 0.0, r[2]]).collect();
        assert!(direct(&zero, &y, 3).is_none());
        // columns: t, copy of t, 4 (constant), t + 1e-4·noise (independent), t², ones
        let a: Vec<f64> = x
            .chunks(f)
            .flat_map(|r| [r[0], r[0], 4.0, r[4], r[1]])
            .collect();
        for chunk in [500, 50, 2] {
            let r = reduce_chunked(&zero, &y, 3, &vec![false; 500], true, chunk);
            assert!(solve(&r).is_none(), "chunk {chunk}");
            assert_eq!(
                independent_columns(&r.s, r.c.len(), 4, &[3, 0, 1, 2], 1e-12),
                vec![true, false, true, true]
            );
            let r = reduce_chunked(&a, &y, 5, &vec![false; 500], true, chunk);
            let m = r.c.len();
            let tol = 16.0 * f64::EPSILON * 500.0;
            assert_eq!(
                independent_columns(&r.s, m, 6, &[5, 0, 1, 2, 3, 4], tol),
                vec![true, false, false, true, true, true]
            );
            // in another order the copy is kept and the original dropped
            assert_eq!(
                independent_columns(&r.s, m, 6, &[1, 0, 2, 3, 4, 5], tol),
                vec![false, true, true, true, true, false]
            );
        }
    }
}
