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
//! after [`Kalman::new`]. The operations are done in the order of R's `ARIMA_Like` (which
//! statsforecast's C++ port keeps), so the sums agree with statsforecast's to the last bit
//! in the cases checked; matrices are stored column-major like R's.
//!
//! Conventions: no covariance prediction before the first observation (the given `Pn` is
//! its prediction), observations whose prediction variance `F = Z P Zᵀ` is 1e4 or more (the
//! diffuse ones, `κ = 1e6`) do not count in the likelihood sums, and the residuals are the
//! standardised innovations `v / √F`.
//!
//! Steady state: the predicted covariance of a stable model converges (Riccati
//! recursion). Once a step leaves every entry bit for bit as it was, except entries below
//! 1e-10 (covariances are in units of the innovation variance) that moved by less than
//! [`STEADY_TOL`] relative, the filter keeps the gain and covariances and only moves the
//! state: far less work on long series, and it stops the crawl of vanishing entries
//! through subnormal numbers. The entries that are frozen early only feed each other, far
//! below the last bit of the rest, so the sums are those of the full recursion (checked
//! on the oracle panel: the same likelihood values as statsforecast's evaluation for
//! evaluation, up to its `log`'s last bit). Deliberate difference: statsforecast always
//! runs the full recursion.

// Index loops: the loops mirror R's `ARIMA_Like` index arithmetic, so the order of the floating-point
// operations (which the bit-for-bit agreement relies on) stays explicit.
#![allow(clippy::needless_range_loop)]

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
    /// Its covariance (column-major `rd × rd`).
    pub p: Vec<f64>,
    /// The predicted covariance: the initial `Pn` on entry, the last prediction on exit.
    pub pn: Vec<f64>,
    anew: Vec<f64>,
    m: Vec<f64>,
    mm: Vec<f64>,
    prev: Vec<f64>,
    phi_pad: Vec<f64>,
    v: Vec<f64>,
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
            prev: vec![0.0; rd * rd],
            phi_pad: Vec::with_capacity(r),
            v: Vec::with_capacity(r),
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
        let (r, d) = (self.r, self.nd);
        let rd = r + d;
        let mut s = Sums {
            ssq: 0.0,
            sumlog: 0.0,
            nu: 0,
        };
        let mut steady = false;
        let mut gain = 0.0;
        let mut ln_gain = 0.0;
        for (l, &yl) in y.iter().enumerate() {
            self.predict_state(phi, delta);
            if l > 0 && !steady {
                self.prev.copy_from_slice(&self.pn);
                if d == 0 {
                    self.predict_cov_stationary(phi, theta);
                } else {
                    self.predict_cov(phi, theta, delta);
                }
                // The prediction no longer moves: M, F and P are kept from here on.
                steady = converged(&self.prev, &self.pn);
            }
            let (pn, anew, m) = (&self.pn, &self.anew, &mut self.m);
            let mut resid0 = yl - anew[0];
            for i in 0..d {
                resid0 -= delta[i] * anew[r + i];
            }
            if !steady {
                gain = pn[0];
                m[0] = pn[0];
                for i in 0..d {
                    gain += delta[i] * pn[r + i];
                }
                for i in 0..rd {
                    let mut tmp = pn[i];
                    for j in 0..d {
                        tmp += pn[i + rd * (r + j)] * delta[j];
                    }
                    m[i] = tmp;
                }
                for i in 0..d {
                    gain += delta[i] * m[r + i];
                }
                ln_gain = gain.ln();
            }
            if gain < 1e4 {
                s.nu += 1;
                s.ssq += resid0 * resid0 / gain;
                s.sumlog += ln_gain;
            }
            if let Some(res) = resid.as_deref_mut() {
                res[l] = resid0 / gain.sqrt();
            }
            for ((o, &an), &mi) in self.a.iter_mut().zip(anew).zip(m.iter()) {
                *o = an + mi * resid0 / gain;
            }
            if !steady {
                // P = Pn − m mᵀ / F, with the division taken out of the inner loop
                let inv = 1.0 / gain;
                for ((pc, pnc), &mj) in self
                    .p
                    .chunks_exact_mut(rd)
                    .zip(pn.chunks_exact(rd))
                    .zip(m.iter())
                {
                    let wj = mj * inv;
                    for ((o, &v), &mi) in pc.iter_mut().zip(pnc).zip(m.iter()) {
                        *o = v - mi * wj;
                    }
                }
            }
        }
        s
    }

    /// `anew = T a`.
    fn predict_state(&mut self, phi: &[f64], delta: &[f64]) {
        let (r, d) = (self.r, self.nd);
        let (a, anew) = (&self.a, &mut self.anew);
        let p = phi.len();
        for i in 0..r {
            let mut tmp = if i < r - 1 { a[i + 1] } else { 0.0 };
            if i < p {
                tmp += phi[i] * a[0];
            }
            anew[i] = tmp;
        }
        if d > 0 {
            anew[r + 1..r + d].copy_from_slice(&a[r..r + d - 1]);
            let mut tmp = a[0];
            for i in 0..d {
                tmp += delta[i] * a[r + i];
            }
            anew[r] = tmp;
        }
    }

    /// `Pn = T P Tᵀ + R Rᵀ` without differencing states (R's element formula, evaluated
    /// column by column with zero-padded `φ` so the loops vectorise; each entry gets the
    /// same operations in the same order).
    fn predict_cov_stationary(&mut self, phi: &[f64], theta: &[f64]) {
        let r = self.r;
        pad(&mut self.phi_pad, phi, r);
        pad_ma(&mut self.v, theta, r);
        let (pm, pnew, ph, v) = (&self.p, &mut self.pn, &self.phi_pad, &self.v);
        let p00 = pm[0];
        for j in 0..r {
            let (vj, phj) = (v[j], ph[j]);
            let out = &mut pnew[r * j..r * (j + 1)];
            if j + 1 < r {
                let p0j = pm[j + 1];
                let next = &pm[r * (j + 1) + 1..r * (j + 2)];
                let head = &pm[1..r];
                for i in 0..r - 1 {
                    out[i] = vj * v[i] + ph[i] * phj * p00 + next[i] + ph[i] * p0j + phj * head[i];
                }
                out[r - 1] = vj * v[r - 1] + ph[r - 1] * phj * p00 + ph[r - 1] * p0j;
            } else {
                let head = &pm[1..r];
                for i in 0..r - 1 {
                    out[i] = vj * v[i] + ph[i] * phj * p00 + phj * head[i];
                }
                out[r - 1] = vj * v[r - 1] + ph[r - 1] * phj * p00;
            }
        }
    }

    /// `Pn = T P Tᵀ + R Rᵀ` with differencing states: `mm = T P`, then `Pn = mm Tᵀ`, by
    /// columns with zero-padded `φ` (R's operations per entry, in R's order).
    fn predict_cov(&mut self, phi: &[f64], theta: &[f64], delta: &[f64]) {
        let (r, d) = (self.r, self.nd);
        let rd = r + d;
        let q = theta.len();
        pad(&mut self.phi_pad, phi, r);
        let (pm, mm, pnew, ph) = (&self.p, &mut self.mm, &mut self.pn, &self.phi_pad);
        for j in 0..rd {
            let col = &pm[rd * j..rd * (j + 1)];
            let out = &mut mm[rd * j..rd * (j + 1)];
            let c0 = col[0];
            for i in 0..r - 1 {
                out[i] = ph[i] * c0 + col[i + 1];
            }
            out[r - 1] = ph[r - 1] * c0;
            let mut tmp = c0;
            for k in 0..d {
                tmp += delta[k] * col[r + k];
            }
            out[r] = tmp;
            out[r + 1..rd].copy_from_slice(&col[r..rd - 1]);
        }
        let m0 = &mm[..rd];
        for i in 0..r {
            let out = &mut pnew[rd * i..rd * (i + 1)];
            let f = ph[i];
            if i + 1 < r {
                let next = &mm[rd * (i + 1)..rd * (i + 2)];
                for j in 0..rd {
                    out[j] = f * m0[j] + next[j];
                }
            } else {
                for j in 0..rd {
                    out[j] = f * m0[j];
                }
            }
        }
        {
            let (head, tail) = pnew.split_at_mut(rd * r);
            let _ = head;
            let out = &mut tail[..rd];
            out.copy_from_slice(m0);
            for k in 0..d {
                let src = &mm[rd * (r + k)..rd * (r + k + 1)];
                let dk = delta[k];
                for j in 0..rd {
                    out[j] += dk * src[j];
                }
            }
        }
        for i in 1..d {
            let (src, dst) = (rd * (r + i - 1), rd * (r + i));
            pnew[dst..dst + rd].copy_from_slice(&mm[src..src + rd]);
        }
        // Pn += (1, θ)(1, θ)ᵀ: entry (i, j) gets v_i·v_j, as in R.
        let v = &mut self.v;
        v.clear();
        v.push(1.0);
        v.extend_from_slice(theta);
        for (col, &vj) in pnew.chunks_exact_mut(rd).zip(v.iter()) {
            for (o, &vi) in col.iter_mut().zip(v.iter()) {
                *o += vi * vj;
            }
        }
        let _ = q;
    }
}

/// `out` = `phi` padded with zeros to length `r`.
fn pad(out: &mut Vec<f64>, phi: &[f64], r: usize) {
    out.clear();
    out.extend_from_slice(&phi[..phi.len().min(r)]);
    out.resize(r, 0.0);
}

/// `out` = `(1, θ₁, …)` padded with zeros to length `r`.
fn pad_ma(out: &mut Vec<f64>, theta: &[f64], r: usize) {
    out.clear();
    out.push(1.0);
    out.extend_from_slice(&theta[..theta.len().min(r - 1)]);
    out.resize(r, 0.0);
}

/// Relative change below which a tiny entry of the predicted covariance counts as converged.
pub const STEADY_TOL: f64 = 1e-14;

/// Whether every entry of `new` equals `old`, or is tiny and within [`STEADY_TOL`] of it.
fn converged(old: &[f64], new: &[f64]) -> bool {
    old.iter()
        .zip(new)
        .all(|(&a, &b)| (a - b).abs() <= STEADY_TOL * (1.0 + b.abs()))
}

#[cfg(test)]
#[path = "kalman_tests.rs"]
mod tests;
