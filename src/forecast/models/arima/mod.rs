//! ARIMA and regression with ARIMA errors, natively: estimation by exact Gaussian
//! likelihood (Kalman filter), conditional sum of squares, or CSS then ML, point forecasts,
//! forecast variances, simulated paths, refiltering with fixed coefficients, persistence,
//! and the AutoARIMA order search given the differencing orders. Pure Rust (no pyo3).
//!
//! The method follows R's `stats::arima` / `forecast::Arima` / `forecast::auto.arima` as
//! statsforecast 2.1.1 ports them, so the numbers agree with statsforecast's `ARIMA` and
//! `AutoARIMA`:
//! * the model `φ(B)Φ(B^m)(1−B)^d(1−B^m)^D (y_t − x_tᵀβ) = θ(B)Θ(B^m) ε_t` in the
//!   state-space form of `kalman.rs` (Gardner et al. 1980 initial covariance `q0.rs`,
//!   diffuse prior `κ = 1e6` for the differencing states);
//! * the AR parts kept stationary during ML by the PACF transform (`transform.rs`);
//! * CSS (`css.rs`), CSS-ML (CSS estimates start the ML) and ML; the same BFGS optimiser
//!   and line search as scipy's (`bfgs.rs`, `linesearch.rs`) from the same starting
//!   values (zeros, and OLS on the differenced data for the regression coefficients);
//! * `sigma2`, `loglik`, AIC, AICc, BIC counted as statsforecast counts them.
//!
//! Files: `fit` (estimation), `likelihood` (the objectives), `kalman` (the filter), `q0` +
//! `gardner` (initial covariance), `css`, `transform` (polynomials, PACF transform,
//! stationarity tests), `bfgs` + `linesearch` (optimiser), `forecast` (forecasts, paths,
//! fitted values, refiltering), `persist` (encode/decode), `search` + `stepwise`
//! (AutoARIMA), `tests` (unit tests), `oracle` (ignored comparison with statsforecast, see
//! `benchmarks/oracle_arima.py`).
//!
//! # Deliberate differences from statsforecast 2.1.1
//! * **The likelihood of integrated models.** statsforecast's objective reuses the filter's
//!   covariance matrix between calls (`arima_like` writes the last prediction into
//!   `mod["Pn"]` and `upARIMA` only resets its ARMA block), so after the first evaluation
//!   of each optimisation the differencing states start known and equal to zero instead of
//!   diffuse: for `d + D > 0` it maximises a different function than R's. The default
//!   [`Likelihood::Statsforecast`] reproduces that, so fits and searches agree with
//!   statsforecast; [`Likelihood::Exact`] uses the diffuse prior on every evaluation (R's
//!   likelihood). Models with `d + D = 0` are the same either way, and so is everything
//!   after estimation (state, residuals, forecasts use the exact filter in both).
//! * **CSS forecasts.** statsforecast's `method="CSS"` never filters the data, so its
//!   forecasts start from a zero state (flat at the mean); here, as in R, the state comes
//!   from running the filter with the CSS coefficients.
//! * statsforecast's `arCheck` and `maInvert` are no-ops (an `argmax` bug); the effective
//!   behaviour is kept: a non-stationary CSS start fails the fit (statsforecast returns NaN
//!   coefficients, which its search scores `inf`), and non-invertible MA estimates are
//!   left as they are.
//! * Regressors are not rotated by their SVD before optimisation (R and statsforecast do
//!   when there are two or more and none is fixed): BFGS from the identity is invariant
//!   under that orthogonal change of variables, so only finite-difference rounding differs.
//! * OLS starting values solve the normal equations (columns found linearly dependent get
//!   0, where statsmodels' pseudo-inverse spreads the weight).
//! * The filter stops updating covariances once they have converged (`kalman.rs`: every
//!   entry unchanged to the bit but vanishing ones); statsforecast runs the full recursion.
//! * `Q₀` for more than 12 ARMA states with an AR part comes from the ARMA moments
//!   (`q0.rs`), equal to Gardner et al.'s to rounding (statsforecast runs Gardner always).
//! * `fixed` is a per-coefficient vector (statsforecast takes a dict by name); AutoARIMA's
//!   `xreg` rank-deficiency check (an SVD) is not made; in the grid search with
//!   `approximation`, the refit takes candidates in criterion order until one is finite
//!   (statsforecast refits the best and re-searches when it fails).
//! * No missing values (the caller supplies finite series), no Box–Cox, normal errors only,
//!   no coefficient covariance matrix (only statsforecast's NaN check of it, for the
//!   search).

mod bfgs;
mod candidate;
mod chandrasekhar;
mod css;
mod dcsrch;
mod fit;
mod forecast;
mod gardner;
mod kalman;
mod likelihood;
mod linesearch;
mod persist;
mod q0;
mod search;
mod stepwise;
mod transform;

#[cfg(test)]
mod oracle;
#[cfg(test)]
mod tests;

pub use fit::fit;
pub use search::{auto_search, AutoConfig, Ic};

/// The model orders `(p, d, q)(P, D, Q)_period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Order {
    /// AR order.
    pub p: usize,
    /// Differences.
    pub d: usize,
    /// MA order.
    pub q: usize,
    /// Seasonal AR order `P`.
    pub sp: usize,
    /// Seasonal differences `D`.
    pub sd: usize,
    /// Seasonal MA order `Q`.
    pub sq: usize,
    /// Season length `m` (1 for none; seasonal orders need `m > 1` to mean anything).
    pub period: usize,
}

impl Order {
    /// A non-seasonal `(p, d, q)`.
    pub fn new(p: usize, d: usize, q: usize) -> Self {
        Order {
            p,
            d,
            q,
            sp: 0,
            sd: 0,
            sq: 0,
            period: 1,
        }
    }

    /// `(p, d, q)(P, D, Q)_period`.
    pub fn seasonal(
        p: usize,
        d: usize,
        q: usize,
        sp: usize,
        sd: usize,
        sq: usize,
        period: usize,
    ) -> Self {
        Order {
            p,
            d,
            q,
            sp,
            sd,
            sq,
            period,
        }
    }

    /// Number of ARMA coefficients `p + q + P + Q`.
    pub fn narma(&self) -> usize {
        self.p + self.q + self.sp + self.sq
    }

    /// Total differencing `d + D`.
    pub fn diffs(&self) -> usize {
        self.d + self.sd
    }

    /// Length of the differencing polynomial, `d + D·period` (the observations lost).
    pub fn ndelta(&self) -> usize {
        self.d + self.sd * self.period
    }

    /// Lengths of the expanded AR and MA polynomials.
    pub fn poly_lens(&self) -> (usize, usize) {
        (
            self.p + self.period * self.sp,
            self.q + self.period * self.sq,
        )
    }

    /// The state dimension `max(p', q' + 1) + d + D·period`.
    pub fn state_dim(&self) -> usize {
        let (p, q) = self.poly_lens();
        p.max(q + 1) + self.ndelta()
    }

    /// `δ`: `(1 − B)^d (1 − B^m)^D = 1 − δ₁B − δ₂B² − …`.
    pub fn delta(&self) -> Vec<f64> {
        let mut poly = vec![1.0];
        let mut mul = |lag: usize| {
            let mut next = vec![0.0; poly.len() + lag];
            for (i, &c) in poly.iter().enumerate() {
                next[i] += c;
                next[i + lag] -= c;
            }
            poly = next;
        };
        for _ in 0..self.d {
            mul(1);
        }
        for _ in 0..self.sd {
            mul(self.period);
        }
        poly[1..].iter().map(|c| -c).collect()
    }
}

/// How a model is estimated (statsforecast's `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// Conditional sum of squares for starting values, then maximum likelihood (the default).
    #[default]
    CssMl,
    /// Maximum likelihood from zeros (and OLS regression coefficients).
    Ml,
    /// Conditional sum of squares only.
    Css,
}

impl Method {
    /// statsforecast's name.
    pub fn name(self) -> &'static str {
        match self {
            Method::CssMl => "CSS-ML",
            Method::Ml => "ML",
            Method::Css => "CSS",
        }
    }

    fn code(self) -> u8 {
        match self {
            Method::CssMl => 0,
            Method::Ml => 1,
            Method::Css => 2,
        }
    }

    fn from_code(c: u8) -> Option<Self> {
        match c {
            0 => Some(Method::CssMl),
            1 => Some(Method::Ml),
            2 => Some(Method::Css),
            _ => None,
        }
    }
}

/// Which likelihood the optimiser maximises for integrated models (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Likelihood {
    /// statsforecast 2.1.1's: diffuse differencing states on the first evaluation of each
    /// optimisation, then the previous evaluation's last predicted covariance (known states).
    #[default]
    Statsforecast,
    /// The exact diffuse-prior likelihood on every evaluation (R's `stats::arima`).
    Exact,
}

/// What to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The orders.
    pub order: Order,
    /// Estimate a mean (an intercept column), used only when `d + D = 0` (statsforecast's
    /// `include_mean`, default true).
    pub include_mean: bool,
    /// Estimate a linear drift (a column `1, 2, …, n`), used only when `d + D ≤ 1`.
    pub include_drift: bool,
    /// The estimation method.
    pub method: Method,
    /// Coefficients held fixed, one entry per coefficient in [`ArimaModel::coef`] order
    /// (`None` = estimate). Fixing an AR or seasonal AR coefficient turns the stationarity
    /// transform off, as in statsforecast.
    pub fixed: Option<Vec<Option<f64>>>,
    /// Keep the AR parts stationary during ML by the PACF transform (default true).
    pub transform_pars: bool,
    /// Prior variance of the differencing states (default 1e6).
    pub kappa: f64,
    /// The likelihood the optimiser maximises (default statsforecast's).
    pub likelihood: Likelihood,
    /// Optimiser iteration limit (statsforecast: 100).
    pub max_iter: usize,
    /// Optimiser gradient tolerance (statsforecast: 1e-8).
    pub tol: f64,
}

impl Config {
    /// statsforecast's `ARIMA` defaults for `order`: mean included (when undifferenced),
    /// no drift, CSS-ML.
    pub fn new(order: Order) -> Self {
        Config {
            order,
            include_mean: true,
            include_drift: false,
            method: Method::CssMl,
            fixed: None,
            transform_pars: true,
            kappa: 1e6,
            likelihood: Likelihood::Statsforecast,
            max_iter: 100,
            tol: 1e-8,
        }
    }
}

/// Why a model could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArimaError {
    /// An argument is invalid (orders, lengths, fixed values...).
    #[error("invalid ARIMA argument: {0}")]
    Invalid(String),
    /// The series is too short for the model.
    #[error("too few observations: {n} for a model that needs more than {needed}")]
    TooShort {
        /// Observations given.
        n: usize,
        /// The minimum is more than this.
        needed: usize,
    },
    /// The CSS estimates that start ML have a non-stationary (seasonal) AR part.
    #[error("non-stationary {} AR part from CSS", if *.seasonal { "seasonal" } else { "regular" })]
    NonStationary {
        /// Whether it is the seasonal AR part.
        seasonal: bool,
    },
    /// The likelihood (or the CSS variance) is not finite at the estimates.
    #[error("the likelihood is not finite at the estimates")]
    NotFinite,
    /// The order search found no model whose criterion is finite.
    #[error("no suitable ARIMA model found")]
    NoModel,
}

/// A fitted ARIMA model: coefficients, fit statistics and the Kalman state after the last
/// observation (everything needed to forecast).
#[derive(Debug, Clone, PartialEq)]
pub struct ArimaModel {
    /// The orders.
    pub order: Order,
    /// How it was estimated.
    pub method: Method,
    /// Coefficients in statsforecast's order: `ar1..p, ma1..q, sar1..P, sma1..Q`, then
    /// `intercept` (if any), `drift` (if any), then the user regressors.
    pub coef: Vec<f64>,
    /// Which coefficients were estimated (false: fixed).
    pub mask: Vec<bool>,
    /// Whether the coefficients include an intercept.
    pub has_intercept: bool,
    /// Whether the coefficients include a drift.
    pub has_drift: bool,
    /// Number of user regressors.
    pub n_xreg: usize,
    /// Innovation variance as statsforecast reports it: `Σ residuals² / (n* − npar + 1)`
    /// with `n* = n − d − D·m`, `npar` = estimated coefficients + 1.
    pub sigma2: f64,
    /// Gaussian log-likelihood (statsforecast's `loglik`, from the optimiser's value).
    pub loglik: f64,
    /// AIC (NaN for CSS, as statsforecast).
    pub aic: f64,
    /// AICc.
    pub aicc: f64,
    /// BIC.
    pub bic: f64,
    /// Observations used: `n − d − D·m` (statsforecast's `nobs`).
    pub nobs: usize,
    /// Length of the series the state was filtered on.
    pub n: usize,
    /// Optimiser status (0 converged, 1 iteration limit, 2 precision loss, 3 NaN).
    pub code: u8,
    /// `Some(value)` when the series was constant: statsforecast then forecasts the value
    /// with zero variance whatever the model.
    pub flat: Option<f64>,
    /// Expanded AR polynomial `φ` (length `p + m·P`).
    pub phi: Vec<f64>,
    /// Expanded MA polynomial `θ` (length `q + m·Q`).
    pub theta: Vec<f64>,
    /// Differencing coefficients `δ`.
    pub delta: Vec<f64>,
    /// Filtered state after the last observation.
    pub a: Vec<f64>,
    /// Its covariance (row-major, in units of `sigma2`).
    pub p: Vec<f64>,
}

impl ArimaModel {
    /// Coefficient names in [`ArimaModel::coef`] order (statsforecast's: `ar1`, `ma1`,
    /// `sar1`, `sma1`, `intercept`, `drift`, `ex_1`, ...).
    pub fn coef_names(&self) -> Vec<String> {
        let o = &self.order;
        let mut v = Vec::with_capacity(self.coef.len());
        for (pre, k) in [("ar", o.p), ("ma", o.q), ("sar", o.sp), ("sma", o.sq)] {
            v.extend((1..=k).map(|i| format!("{pre}{i}")));
        }
        if self.has_intercept {
            v.push("intercept".into());
        }
        if self.has_drift {
            v.push("drift".into());
        }
        v.extend((1..=self.n_xreg).map(|i| format!("ex_{i}")));
        v
    }

    /// Number of regression columns (intercept, drift, user regressors).
    pub fn n_reg(&self) -> usize {
        usize::from(self.has_intercept) + usize::from(self.has_drift) + self.n_xreg
    }

    /// Number of estimated parameters including the variance (statsforecast's `npar`).
    pub fn npar(&self) -> usize {
        self.mask.iter().filter(|&&m| m).count() + 1
    }
}
