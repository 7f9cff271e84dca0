//! The specifications of `ARIMA` and `AutoARIMA` (validated from [`ModelParams`] like every
//! other model, see `spec.rs`) and their canonical parameters back.

use super::models::arima::{AutoConfig, Ic, Likelihood, Method, Order};
use super::models::unitroot::SeasonalTest;
use super::spec::{Fields, ModelParams};
use crate::error::{Error, Result};

/// A fixed-order ARIMA (statsforecast's `ARIMA`).
#[derive(Debug, Clone, PartialEq)]
pub struct ArimaSpec {
    /// `(p, d, q)(P, D, Q)_m`.
    pub order: Order,
    /// Estimate a mean (used when `d + D = 0`).
    pub include_mean: bool,
    /// Estimate a drift (used when `d + D <= 1`).
    pub include_drift: bool,
    /// How the coefficients are estimated.
    pub method: Method,
    /// Which likelihood the estimation maximises (exact, or statsforecast 2.1.1's).
    pub likelihood: Likelihood,
    /// Coefficients held fixed, by name (`ar1`, `ma2`, `sar1`, `sma1`, `intercept`, `drift`,
    /// `ex_<j>` for regressor column `j`, 1-based), in the order given.
    pub fixed: Vec<(String, f64)>,
}

/// AutoARIMA (statsforecast's `AutoARIMA`, R's `auto.arima`).
#[derive(Debug, Clone, PartialEq)]
pub struct AutoArimaSpec {
    /// Season length `m` (1: non-seasonal).
    pub period: usize,
    /// Fixed number of differences (None: KPSS tests).
    pub d: Option<usize>,
    /// Fixed number of seasonal differences (None: the seasonal test).
    pub sd: Option<usize>,
    /// Largest `d` the tests may choose.
    pub max_d: usize,
    /// Largest `D` the tests may choose.
    pub max_sd: usize,
    /// Only stationary models (`d = D = 0`).
    pub stationary: bool,
    /// Allow seasonal terms.
    pub seasonal: bool,
    /// The seasonal-differencing test.
    pub seasonal_test: SeasonalTest,
    /// The order search's settings.
    pub search: AutoConfig,
}

const METHODS: [&str; 3] = ["CSS-ML", "ML", "CSS"];
const LIKELIHOODS: [&str; 2] = ["exact", "statsforecast"];

fn likelihood(f: &mut Fields<'_>) -> Result<Likelihood> {
    Ok(match f.choice("likelihood", &LIKELIHOODS)? {
        "statsforecast" => Likelihood::Statsforecast,
        _ => Likelihood::Exact,
    })
}

fn likelihood_name(l: Likelihood) -> &'static str {
    match l {
        Likelihood::Exact => "exact",
        Likelihood::Statsforecast => "statsforecast",
    }
}
const ICS: [&str; 3] = ["aicc", "aic", "bic"];
const SEASONAL_TESTS: [&str; 2] = ["seas", "ocsb"];

fn method(name: &str) -> Method {
    match name {
        "ML" => Method::Ml,
        "CSS" => Method::Css,
        _ => Method::CssMl,
    }
}

fn ic_name(ic: Ic) -> &'static str {
    match ic {
        Ic::Aicc => "aicc",
        Ic::Aic => "aic",
        Ic::Bic => "bic",
    }
}

/// `name=value,name=value` coefficients, checked against the orders.
fn parse_fixed(text: &str, o: &Order) -> Result<Vec<(String, f64)>> {
    let bad = |why: String| Error::param("fixed", why);
    let mut out: Vec<(String, f64)> = Vec::new();
    for part in text.split(',').filter(|p| !p.is_empty()) {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| bad(format!("expected name=value, got {part:?}")))?;
        let value: f64 = value
            .parse()
            .map_err(|_| bad(format!("{name}: {value:?} is not a number")))?;
        if !value.is_finite() {
            return Err(bad(format!("{name} must be finite, got {value}")));
        }
        let index = |prefix: &str| {
            name.strip_prefix(prefix)
                .and_then(|i| i.parse::<usize>().ok())
        };
        let ok = match name {
            "intercept" | "drift" => true,
            _ => [("sar", o.sp), ("sma", o.sq), ("ar", o.p), ("ma", o.q)]
                .iter()
                .find_map(|&(pre, max)| index(pre).map(|i| (1..=max).contains(&i)))
                .or_else(|| index("ex_").map(|i| i >= 1))
                .unwrap_or(false),
        };
        if !ok {
            return Err(bad(format!(
                "{name:?} is not a coefficient of ARIMA({},{},{})({},{},{}): use ar1.., ma1.., \
                 sar1.., sma1.., intercept, drift or a regressor column",
                o.p, o.d, o.q, o.sp, o.sd, o.sq
            )));
        }
        if out.iter().any(|(n, _)| n == name) {
            return Err(bad(format!("{name} is given twice")));
        }
        out.push((name.to_string(), value));
    }
    Ok(out)
}

impl ArimaSpec {
    /// Validate `ARIMA`'s parameters.
    pub(super) fn check(f: &mut Fields<'_>) -> Result<ArimaSpec> {
        let (p, d, q) = (f.int("p", 0)?, f.int("d", 0)?, f.int("q", 0)?);
        let (sp, sd, sq) = (f.int("P", 0)?, f.int("D", 0)?, f.int("Q", 0)?);
        let period = f.int("season_length", 1)?;
        if period == 1 && sp + sd + sq > 0 {
            return Err(Error::param(
                "season_length",
                "a seasonal order needs season_length >= 2",
            ));
        }
        if p.max(q).max(sp).max(sq) > 50 || d.max(sd) > 10 {
            return Err(Error::param(
                "order",
                "orders above 50 (differences above 10) are not supported",
            ));
        }
        let order = Order::seasonal(p, d, q, sp, sd, sq, period);
        let include_mean = f.flag("include_mean", true)?;
        let include_drift = f.flag("include_drift", false)?;
        let method = method(f.choice("method", &METHODS)?);
        let likelihood = likelihood(f)?;
        let fixed = match f.opt_text("fixed") {
            Some(text) => parse_fixed(text, &order)?,
            None => Vec::new(),
        };
        Ok(ArimaSpec {
            order,
            include_mean,
            include_drift,
            method,
            likelihood,
            fixed,
        })
    }

    /// The canonical parameters (`check` gives `self` back).
    pub(super) fn params(&self, p: ModelParams) -> ModelParams {
        let o = &self.order;
        let mut p = p
            .with("p", o.p as f64)
            .with("d", o.d as f64)
            .with("q", o.q as f64)
            .with("P", o.sp as f64)
            .with("D", o.sd as f64)
            .with("Q", o.sq as f64)
            .with("season_length", o.period as f64)
            .with("include_mean", f64::from(u8::from(self.include_mean)))
            .with("include_drift", f64::from(u8::from(self.include_drift)))
            .with_text("method", self.method.name())
            .with_text("likelihood", likelihood_name(self.likelihood));
        if !self.fixed.is_empty() {
            let list: Vec<String> = self
                .fixed
                .iter()
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect();
            p = p.with_text("fixed", &list.join(","));
        }
        p
    }
}

impl AutoArimaSpec {
    /// Validate `AutoARIMA`'s parameters.
    pub(super) fn check(f: &mut Fields<'_>) -> Result<AutoArimaSpec> {
        let period = f.int("season_length", 1)?;
        let d = f.opt_int("d", 0)?;
        let sd = f.opt_int("D", 0)?;
        let defaults = AutoConfig::default();
        let method_name = f.opt_text("method");
        if let Some(m) = method_name {
            if !METHODS.contains(&m) {
                return Err(Error::param(
                    "method",
                    format!("must be one of {METHODS:?}, got {m:?}"),
                ));
            }
        }
        let search = AutoConfig {
            max_p: f.opt_int("max_p", 0)?.unwrap_or(defaults.max_p),
            max_q: f.opt_int("max_q", 0)?.unwrap_or(defaults.max_q),
            max_sp: f.opt_int("max_P", 0)?.unwrap_or(defaults.max_sp),
            max_sq: f.opt_int("max_Q", 0)?.unwrap_or(defaults.max_sq),
            max_order: f.opt_int("max_order", 0)?.unwrap_or(defaults.max_order),
            start_p: f.opt_int("start_p", 0)?.unwrap_or(defaults.start_p),
            start_q: f.opt_int("start_q", 0)?.unwrap_or(defaults.start_q),
            start_sp: f.opt_int("start_P", 0)?.unwrap_or(defaults.start_sp),
            start_sq: f.opt_int("start_Q", 0)?.unwrap_or(defaults.start_sq),
            ic: match f.choice("ic", &ICS)? {
                "aic" => Ic::Aic,
                "bic" => Ic::Bic,
                _ => Ic::Aicc,
            },
            stepwise: f.flag("stepwise", true)?,
            nmodels: f.opt_int("nmodels", 1)?.unwrap_or(defaults.nmodels),
            approximation: f.flag("approximation", false)?,
            truncate: None,
            allow_drift: f.flag("allowdrift", true)?,
            allow_mean: f.flag("allowmean", true)?,
            method: method_name.map(method),
            likelihood: likelihood(f)?,
        };
        f.choice("test", &["kpss"])?;
        let seasonal_test = match f.choice("seasonal_test", &SEASONAL_TESTS)? {
            "ocsb" => SeasonalTest::Ocsb,
            _ => SeasonalTest::Seas,
        };
        Ok(AutoArimaSpec {
            period,
            d,
            sd,
            max_d: f.opt_int("max_d", 0)?.unwrap_or(2),
            max_sd: f.opt_int("max_D", 0)?.unwrap_or(1),
            stationary: f.flag("stationary", false)?,
            seasonal: f.flag("seasonal", true)?,
            seasonal_test,
            search,
        })
    }

    /// The canonical parameters (`check` gives `self` back).
    pub(super) fn params(&self, p: ModelParams) -> ModelParams {
        let s = &self.search;
        let flag = |b: bool| f64::from(u8::from(b));
        let mut p = p
            .with("season_length", self.period as f64)
            .with("max_p", s.max_p as f64)
            .with("max_q", s.max_q as f64)
            .with("max_P", s.max_sp as f64)
            .with("max_Q", s.max_sq as f64)
            .with("max_order", s.max_order as f64)
            .with("start_p", s.start_p as f64)
            .with("start_q", s.start_q as f64)
            .with("start_P", s.start_sp as f64)
            .with("start_Q", s.start_sq as f64)
            .with("max_d", self.max_d as f64)
            .with("max_D", self.max_sd as f64)
            .with("stepwise", flag(s.stepwise))
            .with("nmodels", s.nmodels as f64)
            .with("approximation", flag(s.approximation))
            .with("allowdrift", flag(s.allow_drift))
            .with("allowmean", flag(s.allow_mean))
            .with("stationary", flag(self.stationary))
            .with("seasonal", flag(self.seasonal))
            .with_text("ic", ic_name(s.ic))
            .with_text("likelihood", likelihood_name(s.likelihood))
            .with_text(
                "seasonal_test",
                match self.seasonal_test {
                    SeasonalTest::Ocsb => "ocsb",
                    SeasonalTest::Seas => "seas",
                },
            );
        if let Some(d) = self.d {
            p = p.with("d", d as f64);
        }
        if let Some(sd) = self.sd {
            p = p.with("D", sd as f64);
        }
        if let Some(m) = s.method {
            p = p.with_text("method", m.name());
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use crate::forecast::spec::{ModelParams, ModelSpec};

    #[test]
    fn arima_parameters_validate_and_round_trip() {
        let p = ModelParams::named("ARIMA")
            .with("p", 2.0)
            .with("d", 1.0)
            .with("q", 1.0)
            .with("P", 0.0)
            .with("D", 1.0)
            .with("Q", 1.0)
            .with("season_length", 7.0)
            .with_text("fixed", "ar1=0.5,sma1=-0.25,ex_2=3.0");
        let spec = p.check().unwrap();
        assert_eq!(spec.params().check().unwrap(), spec);
        let ModelSpec::Arima(a) = &spec else { panic!() };
        assert_eq!(a.fixed.len(), 3);
        for bad in ["ar3=1", "sar1=1", "x=1", "ar1=1,ar1=2", "ar1", "ar1=nan"] {
            let e = p.clone().with_text("fixed", bad).check().unwrap_err();
            assert!(e.to_string().contains("fixed"), "{bad}: {e}");
        }
        let nonseasonal = p.clone().with("season_length", 1.0).check();
        assert!(nonseasonal
            .unwrap_err()
            .to_string()
            .contains("season_length"));
        let method = p.with_text("method", "OLS").check();
        assert!(method.unwrap_err().to_string().contains("method"));
    }

    #[test]
    fn auto_arima_parameters_validate_and_round_trip() {
        let p = ModelParams::named("AutoARIMA").with("season_length", 7.0);
        let spec = p.check().unwrap();
        assert_eq!(spec.params().check().unwrap(), spec);
        let custom = p
            .clone()
            .with("d", 1.0)
            .with("max_p", 3.0)
            .with_text("ic", "bic")
            .with_text("seasonal_test", "ocsb")
            .with_text("method", "CSS")
            .with_text("likelihood", "statsforecast");
        let spec = custom.check().unwrap();
        assert_eq!(spec.params().check().unwrap(), spec);
        assert!(p.clone().with_text("ic", "hqic").check().is_err());
        assert!(p.clone().with_text("method", "x").check().is_err());
        assert!(p.with("nmodels", 0.0).check().is_err());
    }
}
