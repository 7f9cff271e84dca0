//! Quasi-Newton minimiser with forward-difference gradients, following the algorithm of
//! scipy's `minimize(method="BFGS")` (Nocedal & Wright 2006, alg. 6.1), which
//! statsforecast's ARIMA uses with `tol = 1e-8` and `maxiter = 100`, so that both walk the
//! same path and stop at the same point:
//!
//! * the gradient is a forward difference with the absolute step `h = √ε ≈ 1.49e-8` (the
//!   divisor is the representable `(x + h) − x`), reusing the value at `x`;
//! * the inverse Hessian starts at the identity and takes the BFGS update after every step
//!   (`ρ = 1000` when `yᵀs = 0`);
//! * each step's length comes from the Moré–Thuente line search (`linesearch::dcsrch`,
//!   `c1 = 1e-4`, `c2 = 0.9`, steps in `[1e-100, 1e100]`), with the bracketing/zoom strong
//!   Wolfe search as the fallback, the first trial step
//!   `min(1, 2.02 (f_k − f_{k−1}) / ∇f_kᵀp_k)`;
//! * stop when `‖∇f‖∞ ≤ gtol` (status 0), after `maxiter` iterations (status 1), when no
//!   step satisfies the line search or `f` is not finite (status 2, "precision loss"), or
//!   on NaN (status 3).
//!
//! The objective is evaluated at the same points in the same order as scipy's, and the
//! value at the current point is cached the way scipy's `ScalarFunction` caches it (which
//! matters for objectives that keep state between calls, as statsforecast's does).

// Index loops: small dense matrices indexed by row and column.
#![allow(clippy::needless_range_loop)]

use super::dcsrch::dcsrch_search;
use super::linesearch::{wolfe2_search, Probe};

/// Outcome of a minimisation.
#[derive(Debug, Clone)]
pub struct BfgsResult {
    /// The final point.
    pub x: Vec<f64>,
    /// The objective there.
    pub fun: f64,
    /// 0 converged, 1 iteration limit, 2 line search failed (precision loss), 3 NaN.
    pub status: u8,
    /// The final inverse-Hessian approximation, row-major `n × n`.
    pub hess_inv: Vec<f64>,
    /// Iterations run.
    #[allow(dead_code)] // read by the tests
    pub iterations: usize,
}

/// The forward-difference step (scipy's `sqrt(finfo(float).eps)`).
const FD_STEP: f64 = 1.490_116_119_384_765_6e-8;

/// An objective with scipy's one-point cache and forward-difference gradient.
pub(super) struct Cached<'f> {
    f: &'f mut dyn FnMut(&[f64]) -> f64,
    x: Vec<f64>,
    fx: f64,
    valid: bool,
    probe: Vec<f64>,
}

impl<'f> Cached<'f> {
    fn new(f: &'f mut dyn FnMut(&[f64]) -> f64, n: usize) -> Self {
        Cached {
            f,
            x: vec![0.0; n],
            fx: f64::NAN,
            valid: false,
            probe: vec![0.0; n],
        }
    }

    /// The objective at `x` (from the cache when `x` is the last point evaluated).
    pub(super) fn value(&mut self, x: &[f64]) -> f64 {
        if !(self.valid && self.x.iter().zip(x).all(|(a, b)| a == b)) {
            self.x.copy_from_slice(x);
            self.fx = (self.f)(x);
            self.valid = true;
        }
        self.fx
    }

    /// The forward-difference gradient at `x` into `g`.
    pub(super) fn gradient(&mut self, x: &[f64], g: &mut [f64]) {
        let f0 = self.value(x);
        for i in 0..x.len() {
            let mut h = FD_STEP;
            if (x[i] + h) - x[i] == 0.0 {
                let sign = if x[i] >= 0.0 { 1.0 } else { -1.0 };
                h = FD_STEP * sign * x[i].abs().max(1.0);
            }
            self.probe.copy_from_slice(x);
            self.probe[i] = x[i] + h;
            let dx = (x[i] + h) - x[i];
            let fi = (self.f)(&self.probe);
            g[i] = (fi - f0) / dx;
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// One entry of `H g` as numpy's `np.dot(H, g)` computes it for small `n` (OpenBLAS'
/// Haswell `dgemv` kernel: the patterns below reproduce it bit for bit for `n ≤ 3`, found
/// by testing; larger `n` use several vector accumulators and get a plain sum here).
fn gemv_row(row: &[f64], g: &[f64]) -> f64 {
    match (row, g) {
        ([a0], [g0]) => a0 * g0,
        ([a0, a1], [g0, g1]) => a0.mul_add(*g0, a1 * g1),
        ([a0, a1, a2], [g0, g1, g2]) => a2.mul_add(*g2, a0.mul_add(*g0, a1 * g1)),
        _ => dot(row, g),
    }
}

fn inf_norm(v: &[f64]) -> f64 {
    let mut m = 0.0f64;
    for &x in v {
        if x.is_nan() {
            return f64::NAN;
        }
        m = m.max(x.abs());
    }
    m
}

/// Minimise `f` from `x0` (see the module docs); `gtol` bounds the gradient's ∞-norm.
pub fn minimize(
    f: &mut dyn FnMut(&[f64]) -> f64,
    x0: &[f64],
    gtol: f64,
    maxiter: usize,
) -> BfgsResult {
    let n = x0.len();
    let mut obj = Cached::new(f, n);
    let mut xk = x0.to_vec();
    let mut old_fval = obj.value(&xk);
    let mut gfk = vec![0.0; n];
    obj.gradient(&xk, &mut gfk);
    let mut hk = vec![0.0; n * n];
    for i in 0..n {
        hk[i * n + i] = 1.0;
    }
    let mut old_old_fval = old_fval + dot(&gfk, &gfk).sqrt() / 2.0;
    let mut gnorm = inf_norm(&gfk);
    let mut k = 0;
    let mut warn = 0u8;
    let mut pk = vec![0.0; n];
    let mut sk = vec![0.0; n];
    let mut yk = vec![0.0; n];
    let mut gnew = vec![0.0; n];
    let mut tmp = vec![0.0; n * n];
    while gnorm > gtol && k < maxiter {
        for i in 0..n {
            pk[i] = -gemv_row(&hk[i * n..(i + 1) * n], &gfk);
        }
        let mut probe = Probe::new(&mut obj, &xk, &pk, &gfk);
        let found = match dcsrch_search(&mut probe, old_fval, old_old_fval) {
            Some(r) => Some(r),
            None => wolfe2_search(&mut probe, old_fval, old_old_fval),
        };
        let Some(step) = found else {
            warn = 2;
            break;
        };
        let alpha = step.alpha;
        let have_grad = step.grad_at_step;
        if have_grad {
            gnew.copy_from_slice(probe.last_grad());
        }
        drop(probe);
        old_old_fval = step.old_fval;
        old_fval = step.fval;
        for i in 0..n {
            sk[i] = alpha * pk[i];
            xk[i] += sk[i];
        }
        if !have_grad {
            obj.gradient(&xk, &mut gnew);
        }
        for i in 0..n {
            yk[i] = gnew[i] - gfk[i];
        }
        gfk.copy_from_slice(&gnew);
        k += 1;
        gnorm = inf_norm(&gfk);
        if gnorm <= gtol {
            break;
        }
        if alpha * dot(&pk, &pk).sqrt() <= 0.0 {
            break;
        }
        if !old_fval.is_finite() {
            warn = 2;
            break;
        }
        let rhok_inv = dot(&yk, &sk);
        let rhok = if rhok_inv == 0.0 {
            1000.0
        } else {
            1.0 / rhok_inv
        };
        bfgs_update(&mut hk, &mut tmp, &sk, &yk, rhok, n);
    }
    let status = if warn == 2 {
        2
    } else if k >= maxiter {
        1
    } else if gnorm.is_nan() || old_fval.is_nan() || xk.iter().any(|v| v.is_nan()) {
        3
    } else {
        0
    };
    BfgsResult {
        x: xk,
        fun: old_fval,
        status,
        hess_inv: hk,
        iterations: k,
    }
}

/// `H ← A₁ H A₂ + ρ s sᵀ` with `A₁ = I − ρ s yᵀ`, `A₂ = I − ρ y sᵀ`, formed as scipy forms
/// them; the matrix products accumulate with fused multiply-adds in index order, as the
/// OpenBLAS `dgemm` kernels numpy uses do (bit-identical on the checks made).
fn bfgs_update(hk: &mut [f64], tmp: &mut [f64], s: &[f64], y: &[f64], rho: f64, n: usize) {
    let eye = |i: usize, j: usize| if i == j { 1.0 } else { 0.0 };
    // tmp = H A₂
    for i in 0..n {
        for j in 0..n {
            let mut v = 0.0;
            for k in 0..n {
                v = hk[i * n + k].mul_add(eye(k, j) - y[k] * s[j] * rho, v);
            }
            tmp[i * n + j] = v;
        }
    }
    // H = A₁ tmp + ρ s sᵀ
    for i in 0..n {
        for j in 0..n {
            let mut v = 0.0;
            for k in 0..n {
                v = (eye(i, k) - s[i] * y[k] * rho).mul_add(tmp[k * n + j], v);
            }
            hk[i * n + j] = v + rho * s[i] * s[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosenbrock_matches_scipy() {
        // scipy 1.17: minimize(lambda x: (1-x[0])**2 + 100*(x[1]-x[0]**2)**2, [-1.2, 1],
        //     method="BFGS", tol=1e-8) -> x [0.9999955224013599, 0.9999910373765992], nit 33
        let mut f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let r = minimize(&mut f, &[-1.2, 1.0], 1e-8, 400);
        assert_eq!((r.status, r.iterations), (0, 33), "{r:?}");
        assert!((r.x[0] - 0.999_995_522_401_359_9).abs() < 1e-8, "{r:?}");
        assert!((r.x[1] - 0.999_991_037_376_599_2).abs() < 1e-8, "{r:?}");
    }

    #[test]
    fn quadratic_matches_scipy() {
        // minimize(lambda x: (x[0]-3)**2 + 10*(x[1]+1)**2 + x[0]*x[1], [0, 0],
        //     method="BFGS", tol=1e-8) -> x [3.58974359201831, -1.1794871870436834],
        //     fun -3.564102564102564, nit 7, status 2 (precision loss)
        let mut f = |x: &[f64]| (x[0] - 3.0).powi(2) + 10.0 * (x[1] + 1.0).powi(2) + x[0] * x[1];
        let r = minimize(&mut f, &[0.0, 0.0], 1e-8, 100);
        assert_eq!(r.x, vec![3.589_743_592_018_31, -1.179_487_187_043_683_4]);
        assert_eq!((r.status, r.iterations), (2, 7));
    }

    #[test]
    fn nan_objective_stops() {
        let mut f = |_: &[f64]| f64::NAN;
        let r = minimize(&mut f, &[0.0], 1e-8, 100);
        assert_eq!(r.status, 3);
        assert_eq!(r.iterations, 0);
    }
}
