//! The Kalman filter for the ARIMA state-space form (Harvey 1989; Durbin & Koopman 2012,
//! ch. 4), specialised to its structure as in R's `ARIMA_Like` (Ripley 2002): the state is
//! the `r = max(p, q + 1)` ARMA states followed by the `nd = d + D·period` lagged values of
//! the undifferenced series,
//!
//! ```text
//! T = [ φ | shift ;  e₁ᵀ δᵀ ; lags ],  Z = (1, 0, …, 0, δ),  R = (1, θ₁, …, θ_{r−1}, 0, …)
//! ```
//!
//! with `δ` the coefficients of the differencing polynomial. `T·v` costs `O(r + nd)`, so a
//! step costs `O((r + nd)²)` with no general matrix products, and nothing is allocated
//! after [`Kalman::new`].
//!
//! Conventions follow statsforecast/R so the numbers agree: no covariance prediction before
//! the first observation (the given `Pn` is its prediction), observations whose prediction
//! variance `F = Z P Zᵀ` is 1e4 or more (the diffuse ones, `κ = 1e6`) do not count in the
//! likelihood sums, and the residuals are the standardised innovations `v / √F`.

/// Sums of one filter pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sums {
    /// `Σ v²/F` over the counted observations.
    pub ssq: f64,
    /// `Σ ln F` over the counted observations.
    pub sumlog: f64,
    /// Observations counted (`F < 1e4`).
    pub nu: usize,
}

/// Filter scratch and state for one model structure (`p`, `q`, `δ`).
#[derive(Debug, Clone)]
pub struct Kalman {
    /// Number of ARMA states.
    pub r: usize,
    /// Number of differencing states.
    pub nd: usize,
    /// State after the last update.
    pub a: Vec<f64>,
    /// Its covariance (row-major `rd × rd`).
    pub p: Vec<f64>,
    /// The predicted covariance: the initial `Pn` on entry, the last prediction on exit.
    pub pn: Vec<f64>,
    anew: Vec<f64>,
    m: Vec<f64>,
    mm: Vec<f64>,
}

impl Kalman {
    /// Scratch for `r` ARMA states and `nd` differencing states.
    pub fn new(r: usize, nd: usize) -> Self {
        let rd = r + nd;
        Kalman {
            r,
            nd,
            a: vec![0.0; rd],
            p: vec![0.0; rd * rd],
            pn: vec![0.0; rd * rd],
            anew: vec![0.0; rd],
            m: vec![0.0; rd],
            mm: vec![0.0; rd * rd],
        }
    }

    /// State dimension.
    pub fn rd(&self) -> usize {
        self.r + self.nd
    }

    /// Filter `y` from the state `a` with predicted covariance `pn` (updated in place: on
    /// return `a`, `p` are the last filtered state and covariance and `pn` the last
    /// prediction). `resid`, when given (length `y.len()`), receives the standardised
    /// innovations.
    pub fn run(
        &mut self,
        y: &[f64],
        phi: &[f64],
        theta: &[f64],
        delta: &[f64],
        mut resid: Option<&mut [f64]>,
    ) -> Sums {
        let (r, nd) = (self.r, self.nd);
        let rd = r + nd;
        let mut s = Sums {
            ssq: 0.0,
            sumlog: 0.0,
            nu: 0,
        };
        for (l, &yl) in y.iter().enumerate() {
            transition(&self.a, &mut self.anew, phi, delta, r, nd);
            if l > 0 {
                self.predict_cov(phi, theta, delta);
            }
            let pn = &self.pn;
            // innovation
            let mut v = yl - self.anew[0];
            for (i, &dl) in delta.iter().enumerate() {
                v -= dl * self.anew[r + i];
            }
            // M = Pn Zᵀ, F = Z M
            for i in 0..rd {
                let row = &pn[i * rd..(i + 1) * rd];
                let mut t = row[0];
                for (j, &dl) in delta.iter().enumerate() {
                    t += row[r + j] * dl;
                }
                self.m[i] = t;
            }
            let mut gain = self.m[0];
            for (i, &dl) in delta.iter().enumerate() {
                gain += dl * self.m[r + i];
            }
            if gain < 1e4 {
                s.nu += 1;
                s.ssq += v * v / gain;
                s.sumlog += gain.ln();
            }
            if let Some(res) = resid.as_deref_mut() {
                res[l] = v / gain.sqrt();
            }
            let k = v / gain;
            for i in 0..rd {
                self.a[i] = self.anew[i] + self.m[i] * k;
            }
            for i in 0..rd {
                let mi = self.m[i] / gain;
                let (prow, pnrow) = (&mut self.p[i * rd..(i + 1) * rd], &pn[i * rd..(i + 1) * rd]);
                for j in 0..rd {
                    prow[j] = pnrow[j] - mi * self.m[j];
                }
            }
        }
        s
    }

    /// `Pn = T P Tᵀ + R Rᵀ`: first `A = T P` by rows (each a combination of rows of `P`),
    /// then row `i` of `Pn` is `T` applied to row `i` of `A`.
    fn predict_cov(&mut self, phi: &[f64], theta: &[f64], delta: &[f64]) {
        let (r, nd) = (self.r, self.nd);
        let rd = r + nd;
        let (p, a) = (&self.p, &mut self.mm);
        for i in 0..r {
            let dst = &mut a[i * rd..(i + 1) * rd];
            let f = if i < phi.len() { phi[i] } else { 0.0 };
            if i + 1 < r {
                let next = &p[(i + 1) * rd..(i + 2) * rd];
                for ((o, &p0), &pn) in dst.iter_mut().zip(&p[..rd]).zip(next) {
                    *o = f * p0 + pn;
                }
            } else {
                for (o, &p0) in dst.iter_mut().zip(&p[..rd]) {
                    *o = f * p0;
                }
            }
        }
        if nd > 0 {
            let (head, tail) = a.split_at_mut(r * rd);
            let _ = head;
            let row = &mut tail[..rd];
            row.copy_from_slice(&p[..rd]);
            for (k, &dk) in delta.iter().enumerate() {
                let src = &p[(r + k) * rd..(r + k + 1) * rd];
                for (o, &v) in row.iter_mut().zip(src) {
                    *o += dk * v;
                }
            }
            for i in 1..nd {
                a[(r + i) * rd..(r + i + 1) * rd].copy_from_slice(&p[(r + i - 1) * rd..(r + i) * rd]);
            }
        }
        for i in 0..rd {
            transition(&a[i * rd..(i + 1) * rd], &mut self.pn[i * rd..(i + 1) * rd], phi, delta, r, nd);
        }
        let q = theta.len().min(r.saturating_sub(1));
        for i in 0..=q {
            let vi = if i == 0 { 1.0 } else { theta[i - 1] };
            for j in 0..=q {
                let vj = if j == 0 { 1.0 } else { theta[j - 1] };
                self.pn[i * rd + j] += vi * vj;
            }
        }
    }
}

/// `out = T v`.
#[inline]
fn transition(v: &[f64], out: &mut [f64], phi: &[f64], delta: &[f64], r: usize, nd: usize) {
    let v0 = v[0];
    for i in 0..r {
        let mut t = if i + 1 < r { v[i + 1] } else { 0.0 };
        if i < phi.len() {
            t += phi[i] * v0;
        }
        out[i] = t;
    }
    if nd > 0 {
        let mut t = v0;
        for (k, &dk) in delta.iter().enumerate() {
            t += dk * v[r + k];
        }
        out[r] = t;
        for i in 1..nd {
            out[r + i] = v[r + i - 1];
        }
    }
}
