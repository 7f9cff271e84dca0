//! The two objectives the optimiser minimises, with every buffer allocated once per fit:
//! the CSS objective `½ ln σ̂²_CSS` and the concentrated Gaussian likelihood
//! `½ (ln(Σv²/F ÷ ν) + Σ ln F ÷ ν)` (statsforecast's `arma_css_op` and `armafn`).
//! Free parameters enter in mask order; the regression part is subtracted first.

use super::chandrasekhar::Chandrasekhar;
use super::css::css;
use super::kalman::{Kalman, Sums};
use super::q0::q0;
use super::transform::expand;
use super::{Likelihood, Order};

/// Objective evaluations so far (test diagnostics: ML evaluations count 1e6 each).
#[cfg(test)]
pub static EVALS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Data, coefficient layout and scratch for one fit.
pub struct Problem<'a> {
    /// The series.
    pub y: &'a [f64],
    /// Regression columns, row-major `n × ncx` (intercept, drift, user regressors).
    pub reg: &'a [f64],
    /// Number of regression columns.
    pub ncx: usize,
    /// The orders.
    pub order: Order,
    /// Differencing coefficients.
    pub delta: Vec<f64>,
    /// All coefficients (fixed values in place; free ones overwritten per call).
    pub coef: Vec<f64>,
    /// Free coefficients.
    pub mask: Vec<bool>,
    /// Prior variance of the differencing states.
    pub kappa: f64,
    /// Which likelihood.
    pub likelihood: Likelihood,
    /// The series minus the regression part (for the current coefficients).
    pub x: Vec<f64>,
    /// Expanded AR polynomial for the current coefficients.
    pub phi: Vec<f64>,
    /// Expanded MA polynomial for the current coefficients.
    pub theta: Vec<f64>,
    /// The filter.
    pub kal: Kalman,
    /// The stationary recursions (exact likelihood; differenced series when integrated).
    chandra: Chandrasekhar,
    /// The differenced series minus the regression part.
    dx: Vec<f64>,
    par: Vec<f64>,
    q0: Vec<f64>,
    q0_work: Vec<f64>,
    w: Vec<f64>,
    resid: Vec<f64>,
    /// Whether the next ML evaluation starts from a fresh diffuse covariance.
    fresh: bool,
    /// The `phi`, `theta` that `q0` was computed for (`None`: not computed yet).
    q0_key: Option<Vec<f64>>,
}

impl<'a> Problem<'a> {
    /// Set up for `order` on `y` with regressors `reg` (`ncx` columns) and coefficients
    /// `coef` (free ones marked in `mask`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        y: &'a [f64],
        reg: &'a [f64],
        ncx: usize,
        order: Order,
        coef: Vec<f64>,
        mask: Vec<bool>,
        kappa: f64,
        likelihood: Likelihood,
    ) -> Self {
        let (lp, lq) = order.poly_lens();
        let r = lp.max(lq + 1);
        let delta = order.delta();
        let n = y.len();
        Problem {
            y,
            reg,
            ncx,
            order,
            kal: Kalman::new(r, delta.len()),
            chandra: Chandrasekhar::default(),
            dx: Vec::with_capacity(n),
            delta,
            par: coef.clone(),
            coef,
            mask,
            kappa,
            likelihood,
            x: y.to_vec(),
            phi: vec![0.0; lp],
            theta: vec![0.0; lq],
            q0: vec![0.0; r * r],
            q0_work: Vec::new(),
            w: vec![0.0; n],
            resid: vec![0.0; n],
            fresh: true,
            q0_key: None,
        }
    }

    /// Coefficients with the free ones replaced by `free` (in mask order), into `par`.
    fn load(&mut self, free: &[f64]) {
        self.par.copy_from_slice(&self.coef);
        let mut it = free.iter();
        for (p, &m) in self.par.iter_mut().zip(&self.mask) {
            if m {
                if let Some(&v) = it.next() {
                    *p = v;
                }
            }
        }
    }

    /// `x = y − reg · β` for the regression coefficients of `par`.
    fn regress(&mut self) {
        if self.ncx == 0 {
            return;
        }
        let beta = &self.par[self.order.narma()..];
        for (t, (xt, &yt)) in self.x.iter_mut().zip(self.y).enumerate() {
            let row = &self.reg[t * self.ncx..(t + 1) * self.ncx];
            *xt = yt - row.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>();
        }
    }

    /// The CSS objective at `free` (untransformed coefficients).
    pub fn css_value(&mut self, free: &[f64]) -> f64 {
        #[cfg(test)]
        EVALS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.load(free);
        expand(
            &self.par,
            &self.order,
            false,
            &mut self.phi,
            &mut self.theta,
        );
        self.regress();
        let res = css(
            &self.x,
            &self.order,
            &self.phi,
            &self.theta,
            &mut self.w,
            &mut self.resid,
        );
        if res.is_infinite() {
            return f64::MAX;
        }
        if res <= 0.0 {
            return f64::NEG_INFINITY;
        }
        0.5 * res.ln()
    }

    /// The CSS residuals and variance at the full coefficient vector `coef`.
    pub fn css_residuals(&mut self, coef: &[f64]) -> (f64, Vec<f64>) {
        self.par.copy_from_slice(coef);
        expand(
            &self.par,
            &self.order,
            false,
            &mut self.phi,
            &mut self.theta,
        );
        self.regress();
        let v = css(
            &self.x,
            &self.order,
            &self.phi,
            &self.theta,
            &mut self.w,
            &mut self.resid,
        );
        (v, self.resid.clone())
    }

    /// Start the next ML evaluation from a fresh diffuse covariance (statsforecast's
    /// `make_arima` before each optimisation).
    pub fn reset(&mut self) {
        self.fresh = true;
    }

    /// Reset the filter's initial state for the current `phi`, `theta`: `a = 0`, the ARMA
    /// block of `Pn` = `Q₀`, and (fresh or exact) the diffuse block `κ I`.
    fn init_state(&mut self) {
        let (r, rd) = (self.kal.r, self.kal.rd());
        self.kal.a.fill(0.0);
        let full = self.fresh || self.likelihood == Likelihood::Exact;
        if full {
            self.kal.pn.fill(0.0);
            for i in r..rd {
                self.kal.pn[i * rd + i] = self.kappa;
            }
        }
        self.fresh = false;
        self.ensure_q0();
        for i in 0..r {
            self.kal.pn[i * rd..i * rd + r].copy_from_slice(&self.q0[i * r..(i + 1) * r]);
        }
    }

    /// `Q₀` for the current `phi`, `theta` (kept while only regression coefficients move).
    fn ensure_q0(&mut self) {
        let same = self.q0_key.as_ref().is_some_and(|k| {
            k.len() == self.phi.len() + self.theta.len()
                && k.iter()
                    .zip(self.phi.iter().chain(&self.theta))
                    .all(|(a, b)| a.to_bits() == b.to_bits())
        });
        if !same {
            q0(&self.phi, &self.theta, &mut self.q0, &mut self.q0_work);
            let key = self.q0_key.get_or_insert_with(Vec::new);
            key.clear();
            key.extend(self.phi.iter().chain(&self.theta));
        }
    }

    /// The ML objective at `free` (AR blocks through the PACF transform when `trans`).
    pub fn ml_value(&mut self, free: &[f64], trans: bool) -> f64 {
        #[cfg(test)]
        EVALS.fetch_add(1_000_000, std::sync::atomic::Ordering::Relaxed);
        self.load(free);
        expand(
            &self.par,
            &self.order,
            trans,
            &mut self.phi,
            &mut self.theta,
        );
        if self.likelihood == Likelihood::Exact {
            if !self.delta.is_empty() {
                return self.differenced_value();
            }
            self.regress();
            self.ensure_q0();
            let s = self.chandra.run(&self.x, &self.phi, self.kal.r, &self.q0);
            return concentrated(s);
        }
        self.init_state();
        self.regress();
        let s = self
            .kal
            .run(&self.x, &self.phi, &self.theta, &self.delta, None);
        concentrated(s)
    }

    /// The exact likelihood of an integrated model as the likelihood of the differenced
    /// series: with a diffuse prior on the differencing states, the observations after the
    /// first `d + D·m` carry exactly the information of `∇ᵈ∇ₘᴰ(y − Xβ)`, a stationary ARMA
    /// series (the diffuse filter's innovations become those of the differenced series'
    /// filter as κ → ∞; R's κ = 1e6 approximates that limit). Filtering the differenced
    /// series needs only the `r` ARMA states instead of `r + d + D·m`: the same objective
    /// up to the O(1/κ) approximation, several times cheaper.
    fn differenced_value(&mut self) -> f64 {
        self.regress();
        let nd = self.delta.len();
        self.dx.clear();
        for t in nd..self.x.len() {
            let mut v = self.x[t];
            for (i, d) in self.delta.iter().enumerate() {
                v -= d * self.x[t - 1 - i];
            }
            self.dx.push(v);
        }
        self.ensure_q0();
        let s = self.chandra.run(&self.dx, &self.phi, self.kal.r, &self.q0);
        concentrated(s)
    }

    /// Filter the data with the full (untransformed) coefficients `coef` from a fresh
    /// diffuse start, keeping the standardised residuals; the filter's state is left in
    /// `kal`.
    pub fn final_pass(&mut self, coef: &[f64]) -> (Sums, Vec<f64>) {
        self.par.copy_from_slice(coef);
        expand(
            &self.par,
            &self.order,
            false,
            &mut self.phi,
            &mut self.theta,
        );
        self.fresh = true;
        self.init_state();
        self.regress();
        let mut resid = vec![0.0; self.y.len()];
        let s = self.kal.run(
            &self.x,
            &self.phi,
            &self.theta,
            &self.delta,
            Some(&mut resid),
        );
        (s, resid)
    }
}

/// `½ (ln(ssq/ν) + sumlog/ν)`, statsforecast's conventions for degenerate sums.
fn concentrated(s: Sums) -> f64 {
    if s.nu == 0 {
        return f64::INFINITY;
    }
    let nu = s.nu as f64;
    let s2 = s.ssq / nu;
    if s2 <= 0.0 {
        return f64::NAN;
    }
    0.5 * (s2.ln() + s.sumlog / nu)
}
