//! AutoARIMA's order search given the differencing orders (statsforecast's `auto_arima_f`,
//! after Hyndman & Khandakar 2008): the stepwise neighbourhood search over `p, q, P, Q`
//! and the constant, or the full grid, scored by AICc (or AIC / BIC), with statsforecast's
//! defaults, special cases and rejection rules:
//! * a constant series gets `(0,0,0)` with the mean fixed; a constant differenced series
//!   gets the `(0,d,0)(0,D,0)` model with the drift fixed at its mean (or none);
//! * `max_p, max_q ≤ n/3`, `max_P, max_Q ≤ n/(3m)`, and `max_p, max_q ≤ m − 1` when
//!   seasonal; starting orders at most 1 (and `P = Q = 0`) below 10 observations;
//! * a drift when `d + D = 1`, a mean when `d + D = 0`;
//! * a candidate scores `inf` when it fails, when an AR or MA root (of a polynomial of
//!   degree two or more, as statsforecast tests them) lies inside the circle of radius
//!   1.01, or when a coefficient's standard error would be NaN (`checkarima`); and (our
//!   addition) when its innovation variance is infinite or negative (no more observations
//!   than coefficients), which statsforecast would select on a very short series;
//! * with `approximation`, candidates are fitted by CSS with statsforecast's offset and
//!   the best ones refitted by CSS-ML in order of their criterion.

use super::candidate::Ctx;
use super::fit::fit_full;
use super::stepwise::{grid, stepwise};
use super::{ArimaError, ArimaModel, Config, Likelihood, Method, Order};

/// The information criterion that ranks candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ic {
    /// Corrected AIC (the default).
    #[default]
    Aicc,
    /// AIC.
    Aic,
    /// BIC.
    Bic,
}

/// Search settings; [`AutoConfig::default`] is statsforecast's `AutoARIMA` defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoConfig {
    /// Largest AR order (5).
    pub max_p: usize,
    /// Largest MA order (5).
    pub max_q: usize,
    /// Largest seasonal AR order (2).
    pub max_sp: usize,
    /// Largest seasonal MA order (2).
    pub max_sq: usize,
    /// Largest `p + q + P + Q` in the grid search (5).
    pub max_order: usize,
    /// Starting AR order (2).
    pub start_p: usize,
    /// Starting MA order (2).
    pub start_q: usize,
    /// Starting seasonal AR order (1).
    pub start_sp: usize,
    /// Starting seasonal MA order (1).
    pub start_sq: usize,
    /// The criterion (AICc).
    pub ic: Ic,
    /// Stepwise search (true) or the full grid.
    pub stepwise: bool,
    /// Most models the stepwise search fits (94).
    pub nmodels: usize,
    /// Fit candidates by CSS and refit the best (false).
    pub approximation: bool,
    /// Keep only the last `truncate` observations for the approximate search (None).
    pub truncate: Option<usize>,
    /// Consider a drift when `d + D = 1` (true).
    pub allow_drift: bool,
    /// Consider a mean when `d + D = 0` (true).
    pub allow_mean: bool,
    /// Estimation method (None: CSS-ML, or CSS while approximating).
    pub method: Option<Method>,
    /// The likelihood the optimiser maximises.
    pub likelihood: Likelihood,
}

impl Default for AutoConfig {
    fn default() -> Self {
        AutoConfig {
            max_p: 5,
            max_q: 5,
            max_sp: 2,
            max_sq: 2,
            max_order: 5,
            start_p: 2,
            start_q: 2,
            start_sp: 1,
            start_sq: 1,
            ic: Ic::Aicc,
            stepwise: true,
            nmodels: 94,
            approximation: false,
            truncate: None,
            allow_drift: true,
            allow_mean: true,
            method: None,
            likelihood: Likelihood::Statsforecast,
        }
    }
}

fn is_constant(v: &[f64]) -> bool {
    v.iter().all(|&x| x == v[0])
}

fn diff(v: &[f64], lag: usize, times: usize) -> Vec<f64> {
    let mut w = v.to_vec();
    for _ in 0..times {
        w = (lag..w.len()).map(|t| w[t] - w[t - lag]).collect();
    }
    w
}

/// AutoARIMA on `y` (finite) with `k` regressors `xreg` (row-major `n × k`) for the given
/// differencing orders `d` and `sd` (`D`) and season length `period`: statsforecast's
/// `auto_arima_f` after its unit-root tests; returns the chosen model (for constant
/// series, statsforecast's fixed-mean model).
pub fn auto_search(
    y: &[f64],
    xreg: &[f64],
    k: usize,
    d: usize,
    sd: usize,
    period: usize,
    cfg: &AutoConfig,
) -> Result<ArimaModel, ArimaError> {
    if y.is_empty() {
        return Err(ArimaError::TooShort { n: 0, needed: 0 });
    }
    let n = y.len();
    if xreg.len() != n.saturating_mul(k) || y.iter().chain(xreg).any(|v| !v.is_finite()) {
        return Err(ArimaError::Invalid(
            "y and xreg must be finite, xreg n x k".into(),
        ));
    }
    let m = period.max(1);
    let likelihood = cfg.likelihood;
    let fixed_fit =
        |order: Order, constant: bool, fixed: Option<Vec<Option<f64>>>, with_x: bool| {
            let mut c = Config::new(order);
            c.method = Method::Css;
            c.include_mean = constant;
            c.include_drift = constant && order.diffs() == 1;
            c.fixed = fixed;
            c.likelihood = likelihood;
            if with_x {
                c.method = cfg.method.unwrap_or(Method::Ml);
                fit_full(y, xreg, k, &c).map(|f| f.model)
            } else {
                fit_full(y, &[], 0, &c).map(|f| f.model)
            }
        };
    if is_constant(y) {
        let mean = y.iter().sum::<f64>() / n as f64;
        let fixed = cfg.allow_mean.then(|| vec![Some(mean)]);
        return fixed_fit(
            Order::seasonal(0, 0, 0, 0, 0, 0, m),
            cfg.allow_mean,
            fixed,
            false,
        );
    }
    let (mut max_p, mut max_q) = (cfg.max_p.min(n / 3), cfg.max_q.min(n / 3));
    let (mut max_sp, mut max_sq) = (cfg.max_sp.min(n / 3 / m), cfg.max_sq.min(n / 3 / m));
    let ic = if n <= 3 { Ic::Aic } else { cfg.ic };
    let sd = if m == 1 { 0 } else { sd };
    if m == 1 {
        max_sp = 0;
        max_sq = 0;
    }
    let dx = diff(&diff(y, m, sd), 1, d);
    if dx.is_empty() {
        return Err(ArimaError::TooShort {
            n,
            needed: d + sd * m,
        });
    }
    if is_constant(&dx) {
        let order = Order::seasonal(0, d, 0, 0, sd, 0, m);
        if k > 0 {
            return fixed_fit(order, true, None, true);
        }
        let mean = dx.iter().sum::<f64>() / dx.len() as f64;
        return if sd > 0 && d == 0 {
            fixed_fit(order, true, Some(vec![Some(mean / m as f64)]), false)
        } else if sd > 0 || d >= 2 {
            fixed_fit(order, false, None, false)
        } else {
            fixed_fit(order, true, Some(vec![Some(mean)]), false)
        };
    }
    if m > 1 {
        if max_p > 0 {
            max_p = max_p.min(m - 1);
        }
        if max_q > 0 {
            max_q = max_q.min(m - 1);
        }
    }
    let approx = cfg.approximation;
    let mut ys = y;
    let mut xs = xreg;
    let mut offset = 0.0;
    if approx {
        if let Some(t) = cfg.truncate {
            if n > t && t > 0 {
                ys = &y[n - t..];
                xs = &xreg[(n - t) * k..];
            }
        }
        let mut c = Config::new(Order::seasonal(0, d, 0, 0, sd, 0, m));
        c.method = Method::Css;
        offset = match fit_full(ys, xs, k, &c) {
            Ok(f) => -2.0 * f.model.loglik - n as f64 * f.css_sigma2.ln(),
            Err(_) => 0.0,
        };
        if !offset.is_finite() {
            offset = 0.0;
        }
    }
    let allow_drift = cfg.allow_drift && d + sd == 1;
    let allow_mean = cfg.allow_mean && d + sd == 0;
    let ctx = Ctx {
        y: ys,
        xreg: xs,
        k,
        d,
        sd,
        m,
        ic,
        offset,
        likelihood,
    };
    let method = cfg
        .method
        .unwrap_or(if approx { Method::Css } else { Method::CssMl });
    let lim = Limits {
        max_p,
        max_q,
        max_sp,
        max_sq,
    };
    let (best, results) = if cfg.stepwise {
        stepwise(&ctx, cfg, lim, allow_drift || allow_mean, n, method)
    } else {
        grid(&ctx, cfg, lim, allow_drift || allow_mean, method)
    };
    let mut best = best;
    if approx && best.model.is_some() {
        let mut order: Vec<usize> = (0..results.len()).collect();
        order.sort_by(|&a, &b| results[a].1.total_cmp(&results[b].1));
        for i in order {
            let (o, ic, c) = results[i];
            if ic.is_nan() {
                continue;
            }
            let refit_method = cfg
                .method
                .filter(|&mm| mm != Method::Css)
                .unwrap_or(Method::CssMl);
            let f = ctx.myarima(o, c, refit_method);
            if f.ic < f64::INFINITY {
                best = f;
                break;
            }
        }
    }
    if best.ic.is_infinite() && method != Method::Css {
        return Err(ArimaError::NoModel);
    }
    best.model.ok_or(ArimaError::NoModel)
}

#[derive(Clone, Copy)]
pub(super) struct Limits {
    pub max_p: usize,
    pub max_q: usize,
    pub max_sp: usize,
    pub max_sq: usize,
}

/// Candidates fitted: orders `[p, q, P, Q]`, criterion, constant.
pub(super) type Tried = Vec<([usize; 4], f64, bool)>;
