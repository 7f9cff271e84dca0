//! Estimation (statsforecast's `arima` and `Arima`): regressors and starting values,
//! CSS / CSS-ML / ML optimisation, the final filter pass that leaves the state for
//! forecasting, and the fit statistics.

use super::bfgs::{minimize, BfgsResult};
use super::likelihood::Problem;
use super::transform::{grad_trans, inv_pars, is_stationary, undo_pars};
use super::{ArimaError, ArimaModel, Config, Method, Order};

/// What a fit returns besides the model: whether statsforecast's `checkarima` would
/// flag it (a NaN standard error), for the order search.
pub(super) struct Fit {
    pub model: ArimaModel,
    pub var_nan: bool,
    /// CSS variance `Σe²/ν` (before statsforecast's `sigma2` correction), for the
    /// approximation's information criterion.
    pub css_sigma2: f64,
}

/// Fit the model of `cfg` to `y` (finite) with `k` user regressors `xreg` (row-major
/// `n × k`, finite; empty when `k = 0`).
///
/// The intercept is added when `cfg.include_mean` and `d + D = 0`, the drift when
/// `cfg.include_drift` and `d + D ≤ 1` (statsforecast drops it, with a warning, otherwise).
pub fn fit(y: &[f64], xreg: &[f64], k: usize, cfg: &Config) -> Result<ArimaModel, ArimaError> {
    fit_full(y, xreg, k, cfg).map(|f| f.model)
}

pub(super) fn validate(y: &[f64], xreg: &[f64], k: usize, o: &Order) -> Result<(), ArimaError> {
    let bad = |s: &str| Err(ArimaError::Invalid(s.to_string()));
    if o.period == 0 {
        return bad("period must be at least 1");
    }
    if o.p > 50 || o.q > 50 || o.sp > 50 || o.sq > 50 || o.d > 10 || o.sd > 10 {
        return bad("orders above 50 (differences above 10) are not supported");
    }
    if o.state_dim() > 2000 {
        return bad("the state dimension (max(p + mP, q + mQ + 1) + d + mD) exceeds 2000");
    }
    if y.iter().any(|v| !v.is_finite()) {
        return bad("the series has non-finite values");
    }
    if xreg.len() != y.len().saturating_mul(k) {
        return Err(ArimaError::Invalid(format!(
            "xreg has {} values, expected {} rows x {k} columns",
            xreg.len(),
            y.len()
        )));
    }
    if xreg.iter().any(|v| !v.is_finite()) {
        return bad("xreg has non-finite values");
    }
    let needed = o.ndelta();
    if y.len() <= needed {
        return Err(ArimaError::TooShort { n: y.len(), needed });
    }
    Ok(())
}

/// Regression columns (row-major): intercept, drift `1..n` (or `start..`), user columns.
pub(super) fn regressors(
    n: usize,
    xreg: &[f64],
    k: usize,
    intercept: bool,
    drift: bool,
    drift_start: f64,
) -> Vec<f64> {
    let ncx = usize::from(intercept) + usize::from(drift) + k;
    let mut reg = Vec::with_capacity(n * ncx);
    for t in 0..n {
        if intercept {
            reg.push(1.0);
        }
        if drift {
            reg.push(drift_start + t as f64);
        }
        reg.extend_from_slice(&xreg[t * k..(t + 1) * k]);
    }
    reg
}

pub(super) fn fit_full(y: &[f64], xreg: &[f64], k: usize, cfg: &Config) -> Result<Fit, ArimaError> {
    let o = cfg.order;
    validate(y, xreg, k, &o)?;
    let intercept = cfg.include_mean && o.diffs() == 0;
    let drift = cfg.include_drift && o.diffs() <= 1;
    let reg = regressors(y.len(), xreg, k, intercept, drift, 1.0);
    let ncx = usize::from(intercept) + usize::from(drift) + k;
    let mut fit = estimate(y, &reg, ncx, cfg)?;
    let m = &mut fit.model;
    m.has_intercept = intercept;
    m.has_drift = drift;
    m.n_xreg = k;
    // statsforecast's Arima: AICc, BIC and sigma2 from the residuals.
    let npar = m.npar() as f64;
    let nstar = m.nobs as f64;
    m.aicc = m.aic + 2.0 * npar * (nstar / (nstar - npar - 1.0) - 1.0);
    m.bic = m.aic + npar * (nstar.ln() - 2.0);
    Ok(fit)
}

/// OLS of the differenced `y` on the differenced regressors (normal equations; dependent
/// columns get 0).
fn ols_start(y: &[f64], reg: &[f64], ncx: usize, o: &Order) -> Vec<f64> {
    let n = y.len();
    let mut cols: Vec<Vec<f64>> = (0..ncx)
        .map(|j| (0..n).map(|t| reg[t * ncx + j]).collect())
        .collect();
    let mut dy = y.to_vec();
    let diff = |v: &mut Vec<f64>, lag: usize| {
        let w: Vec<f64> = (lag..v.len()).map(|t| v[t] - v[t - lag]).collect();
        *v = w;
    };
    for _ in 0..o.d {
        diff(&mut dy, 1);
        cols.iter_mut().for_each(|c| diff(c, 1));
    }
    if o.period > 1 {
        for _ in 0..o.sd {
            diff(&mut dy, o.period);
            cols.iter_mut().for_each(|c| diff(c, o.period));
        }
    }
    let mut a = vec![0.0; ncx * ncx];
    let mut b = vec![0.0; ncx];
    for i in 0..ncx {
        for j in 0..ncx {
            a[i * ncx + j] = cols[i].iter().zip(&cols[j]).map(|(u, v)| u * v).sum();
        }
        b[i] = cols[i].iter().zip(&dy).map(|(u, v)| u * v).sum();
    }
    solve_psd(&mut a, &mut b, ncx);
    b
}

/// Solve the symmetric PSD system by Cholesky, zeroing directions with a negligible pivot.
fn solve_psd(a: &mut [f64], b: &mut [f64], n: usize) {
    let scale = (0..n).map(|i| a[i * n + i]).fold(0.0f64, f64::max);
    let tol = scale * 1e-12;
    let mut dead = vec![false; n];
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d <= tol || !d.is_finite() {
            dead[j] = true;
            for i in j..n {
                a[i * n + j] = 0.0;
            }
            continue;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut v = a[i * n + j];
            for k in 0..j {
                v -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = v / d;
        }
    }
    for i in 0..n {
        if dead[i] {
            b[i] = 0.0;
            continue;
        }
        let mut v = b[i];
        for k in 0..i {
            v -= a[i * n + k] * b[k];
        }
        b[i] = v / a[i * n + i];
    }
    for i in (0..n).rev() {
        if dead[i] {
            b[i] = 0.0;
            continue;
        }
        let mut v = b[i];
        for k in i + 1..n {
            v -= a[k * n + i] * b[k];
        }
        b[i] = v / a[i * n + i];
    }
}

/// A variance whose square root is NaN (statsforecast's `checkarima`).
fn nan_or_negative(v: f64) -> bool {
    v.is_nan() || v < 0.0
}

fn free_values(v: &[f64], mask: &[bool]) -> Vec<f64> {
    v.iter()
        .zip(mask)
        .filter(|(_, &m)| m)
        .map(|(&x, _)| x)
        .collect()
}

fn put_free(v: &mut [f64], mask: &[bool], free: &[f64]) {
    let mut it = free.iter();
    for (x, &m) in v.iter_mut().zip(mask) {
        if m {
            if let Some(&f) = it.next() {
                *x = f;
            }
        }
    }
}

/// statsforecast's `arima`: everything but the AICc/BIC of `Arima`.
fn estimate(y: &[f64], reg: &[f64], ncx: usize, cfg: &Config) -> Result<Fit, ArimaError> {
    let o = cfg.order;
    let narma = o.narma();
    let ncoef = narma + ncx;
    let fixed: Vec<Option<f64>> = match &cfg.fixed {
        None => vec![None; ncoef],
        Some(f) if f.len() == ncoef => f.clone(),
        Some(f) => {
            return Err(ArimaError::Invalid(format!(
                "fixed has {} entries, the model has {ncoef} coefficients",
                f.len()
            )))
        }
    };
    if fixed.iter().flatten().any(|v| !v.is_finite()) {
        return Err(ArimaError::Invalid("fixed values must be finite".into()));
    }
    let mask: Vec<bool> = fixed.iter().map(Option::is_none).collect();
    let no_optim = !mask.iter().any(|&m| m);
    let ar_fixed = (0..o.p)
        .chain(o.p + o.q..o.p + o.q + o.sp)
        .any(|i| !mask[i]);
    let transform = cfg.transform_pars && !no_optim && !ar_fixed;
    let n_used = y.len() - o.ndelta();
    let mut init = vec![0.0; narma];
    if ncx > 0 {
        init.extend(ols_start(y, reg, ncx, &o));
    }
    let coef0: Vec<f64> = fixed.iter().map(|f| f.unwrap_or(f64::NAN)).collect();
    let mut prob = Problem::new(
        y,
        reg,
        ncx,
        o,
        coef0.clone(),
        mask.clone(),
        cfg.kappa,
        cfg.likelihood,
    );
    let mut coef = coef0;
    let run = |prob: &mut Problem<'_>, css: bool, x0: &[f64], trans: bool| -> BfgsResult {
        #[cfg(test)]
        let trace = std::env::var("ARIMA_TRACE").is_ok();
        let mut f = |p: &[f64]| {
            let v = if css {
                prob.css_value(p)
            } else {
                prob.ml_value(p, trans)
            };
            #[cfg(test)]
            if trace {
                eprintln!("{} {:?} {:?}", if css { "css" } else { "ml" }, p, v);
            }
            v
        };
        minimize(&mut f, x0, cfg.tol, cfg.max_iter)
    };
    let nf = n_used as f64;
    let (fun, code, var_nan, resid, css_sigma2);
    if cfg.method == Method::Css {
        // All coefficients fixed: statsforecast reports an objective of 0 (its loglik
        // is then `-n(1 + ln 2π)/2` whatever the data).
        let (f, c, x, h) = if no_optim {
            (0.0, 0, Vec::new(), Vec::new())
        } else {
            let r = run(&mut prob, true, &free_values(&init, &mask), false);
            (r.fun, r.status, r.x, r.hess_inv)
        };
        put_free(&mut coef, &mask, &x);
        let (v, r) = prob.css_residuals(&coef);
        css_sigma2 = v;
        resid = r;
        fun = f;
        code = c;
        let nfree = x.len();
        var_nan = (0..nfree).any(|i| nan_or_negative(h[i * nfree + i] / nf));
        // The state for forecasting (R runs the filter; statsforecast does not).
        let _ = prob.final_pass(&coef);
    } else {
        css_sigma2 = f64::NAN;
        if cfg.method == Method::CssMl && !no_optim {
            let r = run(&mut prob, true, &free_values(&init, &mask), false);
            if r.status != 1 {
                put_free(&mut init, &mask, &r.x);
            }
            if transform {
                if o.p > 0 && !is_stationary(&init[..o.p]) {
                    return Err(ArimaError::NonStationary { seasonal: false });
                }
                let s = o.p + o.q;
                if o.sp > 0 && !is_stationary(&init[s..s + o.sp]) {
                    return Err(ArimaError::NonStationary { seasonal: true });
                }
            }
        }
        if transform {
            inv_pars(&mut init, &o);
        }
        prob.reset();
        let res = if no_optim {
            BfgsResult {
                x: Vec::new(),
                fun: prob.ml_value(&[], false),
                status: 0,
                hess_inv: Vec::new(),
                iterations: 0,
            }
        } else {
            run(&mut prob, false, &free_values(&init, &mask), transform)
        };
        put_free(&mut coef, &mask, &res.x);
        let nfree = res.x.len();
        var_nan = if no_optim {
            false
        } else if transform {
            let ncoef = coef.len();
            let mut a = vec![0.0; ncoef * ncoef];
            grad_trans(&coef, &o, &mut a);
            let idx: Vec<usize> = (0..ncoef).filter(|&i| mask[i]).collect();
            (0..nfree).any(|kk| {
                let mut v = 0.0;
                for (i, &ii) in idx.iter().enumerate() {
                    for (j, &jj) in idx.iter().enumerate() {
                        v += a[ii * ncoef + idx[kk]]
                            * res.hess_inv[i * nfree + j]
                            * a[jj * ncoef + idx[kk]];
                    }
                }
                nan_or_negative(v / nf)
            })
        } else {
            (0..nfree).any(|i| nan_or_negative(res.hess_inv[i * nfree + i] / nf))
        };
        if transform {
            undo_pars(&mut coef, &o);
        }
        let (_, r) = prob.final_pass(&coef);
        resid = r;
        fun = res.fun;
        code = res.status;
    }
    if !fun.is_finite() || coef.iter().any(|v| !v.is_finite()) {
        return Err(ArimaError::NotFinite);
    }
    let value = 2.0 * nf * fun + nf + nf * (2.0 * std::f64::consts::PI).ln();
    let npar = mask.iter().filter(|&&m| m).count() + 1;
    let aic = if cfg.method == Method::Css {
        f64::NAN
    } else {
        value + 2.0 * npar as f64
    };
    let ss: f64 = resid.iter().map(|e| e * e).sum();
    let sigma2 = ss / (nf - npar as f64 + 1.0);
    let flat = y.iter().all(|&v| v == y[0]).then(|| y[0]);
    let model = ArimaModel {
        order: o,
        method: cfg.method,
        coef,
        mask,
        has_intercept: false,
        has_drift: false,
        n_xreg: 0,
        sigma2,
        loglik: -0.5 * value,
        aic,
        aicc: f64::NAN,
        bic: f64::NAN,
        nobs: n_used,
        n: y.len(),
        code,
        flat,
        phi: prob.phi.clone(),
        theta: prob.theta.clone(),
        delta: prob.delta.clone(),
        a: prob.kal.a.clone(),
        p: prob.kal.p.clone(),
    };
    if model.a.iter().chain(&model.p).any(|v| !v.is_finite()) {
        return Err(ArimaError::NotFinite);
    }
    Ok(Fit {
        model,
        var_nan,
        css_sigma2,
    })
}
