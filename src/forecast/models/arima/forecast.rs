//! Using a fitted model: point forecasts and their variances (the Kalman prediction
//! recursion, statsforecast's `kalman_forecast` / `predict_arima`), simulated future paths
//! (the state equation driven by normal innovations, as statsforecast's `simulate_arima`),
//! in-sample one-step fitted values, and refiltering a (longer) series with the same
//! coefficients (statsforecast's `forward_arima`, R's `Arima(y, model = fit)`).

// Index loops: state vectors are indexed by position in the state.
#![allow(clippy::needless_range_loop)]

use super::fit::{regressors, validate};
use super::likelihood::Problem;
use super::{ArimaError, ArimaModel, Method};
use crate::forecast::models::ets::simulate::Normal;

impl ArimaModel {
    fn r(&self) -> usize {
        self.phi.len().max(self.theta.len() + 1)
    }

    /// `out = T v` for this model's transition matrix.
    fn transition(&self, v: &[f64], out: &mut [f64]) {
        let (r, nd) = (self.r(), self.delta.len());
        for i in 0..r {
            let mut t = if i + 1 < r { v[i + 1] } else { 0.0 };
            if i < self.phi.len() {
                t += self.phi[i] * v[0];
            }
            out[i] = t;
        }
        if nd > 0 {
            let mut t = v[0];
            for (k, &dk) in self.delta.iter().enumerate() {
                t += dk * v[r + k];
            }
            out[r] = t;
            for i in 1..nd {
                out[r + i] = v[r + i - 1];
            }
        }
    }

    fn observe(&self, a: &[f64]) -> f64 {
        let r = self.r();
        a[0] + self
            .delta
            .iter()
            .enumerate()
            .map(|(i, d)| d * a[r + i])
            .sum::<f64>()
    }

    /// The regression part `x_{n+k}ᵀβ` for step `k` (0-based) of a forecast.
    fn reg_effect(&self, k: usize, xreg_future: &[f64]) -> f64 {
        let beta = &self.coef[self.order.narma()..];
        let mut it = beta.iter();
        let mut v = 0.0;
        if self.has_intercept {
            v += it.next().copied().unwrap_or(0.0);
        }
        if self.has_drift {
            v += it.next().copied().unwrap_or(0.0) * (self.n + 1 + k) as f64;
        }
        let nx = self.n_xreg;
        if nx > 0 {
            if let Some(row) = xreg_future.get(k * nx..(k + 1) * nx) {
                v += row.iter().zip(it).map(|(x, b)| x * b).sum::<f64>();
            } else {
                v = f64::NAN;
            }
        }
        v
    }

    /// Point forecasts `mean[k]` and forecast variances `var[k]` (statsforecast's `se²`:
    /// `sigma2 · Z P_k Zᵀ`) for steps `1..=h`, `h = min(mean.len(), var.len())`.
    /// `xreg_future` holds the user regressors for those steps, row-major `h × n_xreg`
    /// (intercept and drift are added here); missing rows give NaN. A model fitted on a
    /// constant series forecasts the constant with zero variance (as statsforecast).
    pub fn forecast(&self, h: usize, xreg_future: &[f64], mean: &mut [f64], var: &mut [f64]) {
        let h = h.min(mean.len()).min(var.len());
        if let Some(c) = self.flat {
            mean[..h].fill(c);
            var[..h].fill(0.0);
            return;
        }
        let rd = self.a.len();
        let mut a = self.a.clone();
        let mut next = vec![0.0; rd];
        let mut p = self.p.clone();
        let mut tp = vec![0.0; rd * rd];
        let mut row = vec![0.0; rd];
        let mut col = vec![0.0; rd];
        let q = self.theta.len();
        for k in 0..h {
            self.transition(&a, &mut next);
            std::mem::swap(&mut a, &mut next);
            mean[k] = self.observe(&a) + self.reg_effect(k, xreg_future);
            // P = T P Tᵀ + V: rows of (T P) are T applied to rows of P (P symmetric).
            for i in 0..rd {
                self.transition(&p[i * rd..(i + 1) * rd], &mut row);
                tp[i * rd..(i + 1) * rd].copy_from_slice(&row);
            }
            for i in 0..rd {
                for j in 0..rd {
                    col[j] = tp[j * rd + i];
                }
                self.transition(&col, &mut p[i * rd..(i + 1) * rd]);
            }
            for i in 0..=q {
                let vi = if i == 0 { 1.0 } else { self.theta[i - 1] };
                for j in 0..=q {
                    let vj = if j == 0 { 1.0 } else { self.theta[j - 1] };
                    p[i * rd + j] += vi * vj;
                }
            }
            let mut f = 0.0;
            let r = self.r();
            let z = |i: usize| {
                if i == 0 {
                    1.0
                } else if i >= r {
                    self.delta[i - r]
                } else {
                    0.0
                }
            };
            for i in 0..rd {
                let zi = z(i);
                if zi == 0.0 {
                    continue;
                }
                for j in 0..rd {
                    f += zi * p[i * rd + j] * z(j);
                }
            }
            var[k] = f * self.sigma2;
        }
    }

    /// `n_paths` simulated paths of `h` steps into `out` (`out[path * h + k]`): from the
    /// state after the last observation, `a ← T a + R ε` with `ε ~ N(0, sigma2)` and
    /// `y = Z a` plus the regression part (statsforecast's `simulate_arima`, normal errors).
    /// A constant-series model repeats the constant.
    pub fn simulate(
        &self,
        h: usize,
        n_paths: usize,
        xreg_future: &[f64],
        g: &mut Normal,
        out: &mut [f64],
    ) {
        let sd = self.sigma2.max(0.0).sqrt();
        let rd = self.a.len();
        let mut a = vec![0.0; rd];
        let mut next = vec![0.0; rd];
        let reg: Vec<f64> = (0..h).map(|k| self.reg_effect(k, xreg_future)).collect();
        for path in out.chunks_mut(h.max(1)).take(n_paths) {
            if let Some(c) = self.flat {
                path.fill(c);
                continue;
            }
            a.copy_from_slice(&self.a);
            for (k, o) in path.iter_mut().enumerate() {
                self.transition(&a, &mut next);
                let e = sd * g.draw();
                next[0] += e;
                for (i, th) in self.theta.iter().enumerate() {
                    next[i + 1] += th * e;
                }
                std::mem::swap(&mut a, &mut next);
                *o = self.observe(&a) + reg[k];
            }
        }
    }

    fn problem<'a>(&self, y: &'a [f64], reg: &'a [f64]) -> Problem<'a> {
        let mask = vec![false; self.coef.len()];
        Problem::new(
            y,
            reg,
            self.n_reg(),
            self.order,
            self.coef.clone(),
            mask,
            1e6,
            super::Likelihood::Exact,
        )
    }

    /// In-sample one-step fitted values `y − residuals` for the series the model was fitted
    /// on (statsforecast's `fitted_arima`): the residuals are the standardised innovations
    /// of the filter (the CSS residuals for a CSS fit), with the same regressors `xreg`.
    pub fn fitted_values(&self, y: &[f64], xreg: &[f64]) -> Result<Vec<f64>, ArimaError> {
        validate(y, xreg, self.n_xreg, &self.order)?;
        let reg = regressors(
            y.len(),
            xreg,
            self.n_xreg,
            self.has_intercept,
            self.has_drift,
            1.0,
        );
        let mut prob = self.problem(y, &reg);
        let resid = if self.method == Method::Css {
            prob.css_residuals(&self.coef).1
        } else {
            prob.final_pass(&self.coef).1
        };
        Ok(y.iter().zip(resid).map(|(v, e)| v - e).collect())
    }

    /// The same coefficients applied to another series `y` (usually the training series
    /// extended by new observations), with its regressors `xreg` (`n × n_xreg`): the filter
    /// is re-run and the state updated, nothing is re-estimated (statsforecast's
    /// `forward_arima`). `sigma2` is kept; the likelihood and criteria are those of the new
    /// data at the fixed coefficients; the drift continues as `1, 2, …, len(y)`.
    pub fn refilter(&self, y: &[f64], xreg: &[f64]) -> Result<ArimaModel, ArimaError> {
        validate(y, xreg, self.n_xreg, &self.order)?;
        let reg = regressors(
            y.len(),
            xreg,
            self.n_xreg,
            self.has_intercept,
            self.has_drift,
            1.0,
        );
        let mut prob = self.problem(y, &reg);
        let nf = (y.len() - self.order.ndelta()) as f64;
        let fun = if self.method == Method::Css {
            0.0 // statsforecast's objective for a CSS fit with every coefficient fixed
        } else {
            prob.ml_value(&[], false)
        };
        let (_, _) = prob.final_pass(&self.coef);
        let value = 2.0 * nf * fun + nf + nf * (2.0 * std::f64::consts::PI).ln();
        let aic = if self.method == Method::Css {
            f64::NAN
        } else {
            value + 2.0
        };
        let mut m = self.clone();
        m.mask = vec![false; self.coef.len()];
        m.loglik = -0.5 * value;
        m.aic = aic;
        m.aicc = aic + 2.0 * (nf / (nf - 2.0) - 1.0);
        m.bic = aic + (nf.ln() - 2.0);
        m.nobs = y.len() - self.order.ndelta();
        m.n = y.len();
        m.code = 0;
        m.flat = y.iter().all(|&v| v == y[0]).then(|| y[0]);
        m.a = prob.kal.a.clone();
        m.p = prob.kal.p.clone();
        if m.a.iter().chain(&m.p).any(|v| !v.is_finite()) {
            return Err(ArimaError::NotFinite);
        }
        Ok(m)
    }
}
