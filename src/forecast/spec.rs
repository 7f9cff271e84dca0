//! Model specifications: which model, with which hyperparameters, validated on
//! construction (linfa's params pattern: unchecked [`ModelParams`] become a valid
//! [`ModelSpec`] through `check`). `ModelSpec::params` gives the canonical parameters
//! back, which is what the persisted format stores.

use super::models::ets::EtsSpec;
use super::models::theta::Kind as ThetaKind;
pub use super::spec_arima::{ArimaSpec, AutoArimaSpec};
use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// A validated model specification.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelSpec {
    /// Repeat the last observation.
    Naive,
    /// Repeat the last `season_length` observations.
    SeasonalNaive { season_length: usize },
    /// The mean of the whole history.
    HistoricAverage,
    /// The mean of the last `window_size` observations.
    WindowAverage { window_size: usize },
    /// Per season position, the mean over the last `window_size` seasons.
    SeasonalWindowAverage {
        season_length: usize,
        window_size: usize,
    },
    /// Simple exponential smoothing with a fixed `alpha`, level started at the first value.
    Ses { alpha: f64 },
    /// Croston (1972): SES (alpha 0.1) on demand sizes and on inter-demand intervals.
    CrostonClassic,
    /// Syntetos–Boylan approximation: Croston's ratio times (1 - alpha / 2) = 0.95.
    CrostonSba,
    /// Teunter–Syntetos–Babai: SES on the demand probability and on demand sizes.
    Tsb { alpha_d: f64, alpha_p: f64 },
    /// SES with alpha in [0.01, 0.99] minimising the in-sample SSE (golden section).
    SesOptimized,
    /// Croston with the sizes' and intervals' alphas each optimised in [0.1, 0.3].
    CrostonOptimized,
    /// Aggregate–disaggregate: optimised SES on buckets of round(mean interval) periods.
    Adida,
    /// Mean of the ADIDA-style forecasts over levels 1..=round(mean interval).
    Imapa,
    /// A state-space theta model (`kind`; None: AutoTheta picks the best of the four) on
    /// the series deseasonalised at `season_length` when a seasonality test says so.
    Theta {
        kind: Option<ThetaKind>,
        season_length: usize,
        multiplicative: bool,
    },
    /// Exponential smoothing state-space models, selected by AICc (statsforecast's
    /// `AutoETS`; `Holt` and `HoltWinters` are fixed model strings of it).
    AutoEts(EtsSpec),
    /// "Regress, then model the residuals": least squares of the series on its exogenous
    /// regressors, the inner model on what the regressors leave (see
    /// `models::regressed`). For models without native regressor support.
    WithRegressors(Box<ModelSpec>),
    /// A fixed-order ARIMA, a regression with ARIMA errors when the panel has regressors
    /// (statsforecast's `ARIMA`, see `models::arima_model`).
    Arima(ArimaSpec),
    /// AutoARIMA: differencing tests, then the stepwise order search (statsforecast's
    /// `AutoARIMA`).
    AutoArima(Box<AutoArimaSpec>),
    /// Multiple seasonal decomposition by LOESS, then `trend` (a non-seasonal model) on the
    /// seasonally adjusted series (statsforecast's `MSTL`, see `models::mstl_model`).
    Mstl {
        /// Seasonal periods, ascending, each >= 2.
        periods: Vec<usize>,
        /// The trend forecaster.
        trend: Box<ModelSpec>,
    },
}

/// Theta model names, by kind (None: AutoTheta).
const THETA_NAMES: [(Option<ThetaKind>, &str); 5] = [
    (Some(ThetaKind::Stm), "Theta"),
    (Some(ThetaKind::Otm), "OptimizedTheta"),
    (Some(ThetaKind::Dstm), "DynamicTheta"),
    (Some(ThetaKind::Dotm), "DynamicOptimizedTheta"),
    (None, "AutoTheta"),
];

/// Unvalidated parameters as they arrive from a caller (e.g. Python keyword arguments).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelParams {
    /// Model name, e.g. "SeasonalNaive".
    pub name: String,
    /// Numeric hyperparameters by name.
    pub num: BTreeMap<String, f64>,
    /// Text hyperparameters by name (e.g. an ETS model string).
    pub text: BTreeMap<String, String>,
}

/// Reads parameters off a [`ModelParams`], rejecting unknown names.
pub(super) struct Fields<'a> {
    p: &'a ModelParams,
    used: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    fn new(p: &'a ModelParams) -> Self {
        Fields { p, used: vec![] }
    }

    pub(super) fn int(&mut self, key: &'static str, min: i64) -> Result<usize> {
        self.used.push(key);
        let v = *self
            .p
            .num
            .get(key)
            .ok_or_else(|| Error::param(key, format!("is required for {}", self.p.name)))?;
        if !(v.is_finite() && v.fract() == 0.0 && v >= min as f64) {
            return Err(Error::param(
                key,
                format!("must be an integer >= {min}, got {v}"),
            ));
        }
        Ok(v as usize)
    }

    fn unit(&mut self, key: &'static str) -> Result<f64> {
        self.used.push(key);
        let v = *self
            .p
            .num
            .get(key)
            .ok_or_else(|| Error::param(key, format!("is required for {}", self.p.name)))?;
        if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
            return Err(Error::param(key, format!("must be in [0, 1], got {v}")));
        }
        Ok(v)
    }

    /// A text parameter from `options`, `options[0]` when absent.
    pub(super) fn choice(
        &mut self,
        key: &'static str,
        options: &[&'static str],
    ) -> Result<&'static str> {
        self.used.push(key);
        match self.p.text.get(key) {
            None => Ok(options[0]),
            Some(v) => {
                options.iter().find(|o| **o == v).copied().ok_or_else(|| {
                    Error::param(key, format!("must be one of {options:?}, got {v:?}"))
                })
            }
        }
    }

    pub(super) fn text_or(&mut self, key: &'static str, default: &'a str) -> &'a str {
        self.used.push(key);
        self.p.text.get(key).map_or(default, String::as_str)
    }

    /// A comma-separated list of periods (each >= 2), sorted and deduplicated.
    fn periods(&mut self, key: &'static str) -> Result<Vec<usize>> {
        self.used.push(key);
        let text = self
            .p
            .text
            .get(key)
            .ok_or_else(|| Error::param(key, format!("is required for {}", self.p.name)))?;
        let mut out = Vec::new();
        for part in text.split(',') {
            match part.trim().parse::<usize>() {
                Ok(p) if p >= 2 => out.push(p),
                _ => {
                    return Err(Error::param(
                        key,
                        format!("must be periods >= 2 separated by commas, got {text:?}"),
                    ))
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// A nested model, encoded by [`ModelParams::to_text`].
    fn model(&mut self, key: &'static str) -> Result<ModelSpec> {
        self.used.push(key);
        let text = self
            .p
            .text
            .get(key)
            .ok_or_else(|| Error::param(key, format!("is required for {}", self.p.name)))?;
        ModelParams::from_text(text)
            .and_then(|p| p.check())
            .map_err(|e| Error::param(key, e.to_string()))
    }

    /// An integer >= `min`, None when absent.
    pub(super) fn opt_int(&mut self, key: &'static str, min: i64) -> Result<Option<usize>> {
        if self.p.num.contains_key(key) {
            self.int(key, min).map(Some)
        } else {
            self.used.push(key);
            Ok(None)
        }
    }

    /// A bool (0 or 1), `default` when absent.
    pub(super) fn flag(&mut self, key: &'static str, default: bool) -> Result<bool> {
        Ok(self.opt_bool(key)?.unwrap_or(default))
    }

    /// A text parameter, None when absent.
    pub(super) fn opt_text(&mut self, key: &'static str) -> Option<&'a str> {
        self.used.push(key);
        self.p.text.get(key).map(String::as_str)
    }

    pub(super) fn opt_bool(&mut self, key: &'static str) -> Result<Option<bool>> {
        self.used.push(key);
        match self.p.num.get(key) {
            None => Ok(None),
            Some(0.0) => Ok(Some(false)),
            Some(1.0) => Ok(Some(true)),
            Some(v) => Err(Error::param(
                key,
                format!("must be 0 or 1 (a bool), got {v}"),
            )),
        }
    }

    fn done(self, spec: ModelSpec) -> Result<ModelSpec> {
        let unknown = self
            .p
            .num
            .keys()
            .chain(self.p.text.keys())
            .find(|k| !self.used.contains(&k.as_str()));
        match unknown {
            Some(k) => Err(Error::param(
                k,
                format!("is not a parameter of {}", self.p.name),
            )),
            None => Ok(spec),
        }
    }
}

/// Seasonal decomposition types (the first is the default).
const DECOMPOSITIONS: [&str; 2] = ["multiplicative", "additive"];

impl ModelParams {
    /// Parameters with only a name.
    pub fn named(name: &str) -> Self {
        ModelParams {
            name: name.to_string(),
            ..Default::default()
        }
    }

    /// Add a text parameter.
    pub fn with_text(mut self, key: &str, v: &str) -> Self {
        self.text.insert(key.to_string(), v.to_string());
        self
    }

    /// Add a numeric parameter.
    pub fn with(mut self, key: &str, v: f64) -> Self {
        self.num.insert(key.to_string(), v);
        self
    }

    /// Validate into a [`ModelSpec`].
    pub fn check(&self) -> Result<ModelSpec> {
        let mut f = Fields::new(self);
        let spec = match self.name.as_str() {
            "Naive" => ModelSpec::Naive,
            "HistoricAverage" => ModelSpec::HistoricAverage,
            "CrostonClassic" => ModelSpec::CrostonClassic,
            "CrostonSBA" => ModelSpec::CrostonSba,
            "SimpleExponentialSmoothingOptimized" => ModelSpec::SesOptimized,
            "CrostonOptimized" => ModelSpec::CrostonOptimized,
            "ADIDA" => ModelSpec::Adida,
            "IMAPA" => ModelSpec::Imapa,
            "SeasonalNaive" => ModelSpec::SeasonalNaive {
                season_length: f.int("season_length", 1)?,
            },
            "WindowAverage" => ModelSpec::WindowAverage {
                window_size: f.int("window_size", 1)?,
            },
            "SeasonalWindowAverage" => ModelSpec::SeasonalWindowAverage {
                season_length: f.int("season_length", 1)?,
                window_size: f.int("window_size", 1)?,
            },
            "SimpleExponentialSmoothing" => ModelSpec::Ses {
                alpha: f.unit("alpha")?,
            },
            "TSB" => ModelSpec::Tsb {
                alpha_d: f.unit("alpha_d")?,
                alpha_p: f.unit("alpha_p")?,
            },
            name if THETA_NAMES.iter().any(|(_, n)| *n == name) => ModelSpec::Theta {
                kind: THETA_NAMES
                    .iter()
                    .find(|(_, n)| *n == name)
                    .and_then(|(k, _)| *k),
                season_length: f.int("season_length", 1)?,
                multiplicative: f.choice("decomposition_type", &DECOMPOSITIONS)?
                    == "multiplicative",
            },
            "AutoETS" => {
                let m = f.int("season_length", 1)?;
                let model = f.text_or("model", "ZZZ");
                ModelSpec::AutoEts(EtsSpec::new(m, model, f.opt_bool("damped")?)?)
            }
            "ARIMA" => ModelSpec::Arima(ArimaSpec::check(&mut f)?),
            "AutoARIMA" => ModelSpec::AutoArima(Box::new(AutoArimaSpec::check(&mut f)?)),
            "MSTL" => {
                let periods = f.periods("season_length")?;
                let trend = f.model("trend_forecaster")?;
                if matches!(trend, ModelSpec::Mstl { .. }) {
                    return Err(Error::param(
                        "trend_forecaster",
                        "must be a non-seasonal model, not MSTL",
                    ));
                }
                ModelSpec::Mstl {
                    periods,
                    trend: Box::new(trend),
                }
            }
            "WithRegressors" => {
                let inner = f.model("model")?;
                if !inner.accepts_regression_wrapper() {
                    return Err(Error::param(
                        "model",
                        format!(
                            "{} cannot be wrapped: it is a regression model already",
                            inner.name()
                        ),
                    ));
                }
                ModelSpec::WithRegressors(Box::new(inner))
            }
            other => return Err(Error::UnknownModel(other.to_string())),
        };
        f.done(spec)
    }

    /// A one-line text form of these parameters (for nesting a model in another's text
    /// parameters): `Name;n:key=value;t:key=value`, with `%`, `;`, `=` and `:`
    /// percent-encoded in keys and values, numbers in Rust's round-trip form.
    pub fn to_text(&self) -> String {
        let mut s = escape(&self.name);
        for (k, v) in &self.num {
            s.push_str(&format!(";n:{}={v:?}", escape(k)));
        }
        for (k, v) in &self.text {
            s.push_str(&format!(";t:{}={}", escape(k), escape(v)));
        }
        s
    }

    /// Parse what [`ModelParams::to_text`] wrote.
    pub fn from_text(text: &str) -> Result<ModelParams> {
        let bad = || Error::param("model", format!("malformed nested model {text:?}"));
        let mut parts = text.split(';');
        let mut p = ModelParams::named(&unescape(parts.next().ok_or_else(bad)?).ok_or_else(bad)?);
        for part in parts {
            let (kind, rest) = part.split_once(':').ok_or_else(bad)?;
            let (k, v) = rest.split_once('=').ok_or_else(bad)?;
            let (k, v) = (unescape(k).ok_or_else(bad)?, unescape(v).ok_or_else(bad)?);
            match kind {
                "n" => {
                    p.num.insert(k, v.parse::<f64>().map_err(|_| bad())?);
                }
                "t" => {
                    p.text.insert(k, v);
                }
                _ => return Err(bad()),
            }
        }
        Ok(p)
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' | ';' | '=' | ':' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            let hex: String = chars.by_ref().take(2).collect();
            out.push(char::from(u8::from_str_radix(&hex, 16).ok()?));
        } else {
            out.push(c);
        }
    }
    Some(out)
}

impl ModelSpec {
    /// The model's canonical name.
    pub fn name(&self) -> &'static str {
        match self {
            ModelSpec::Naive => "Naive",
            ModelSpec::SeasonalNaive { .. } => "SeasonalNaive",
            ModelSpec::HistoricAverage => "HistoricAverage",
            ModelSpec::WindowAverage { .. } => "WindowAverage",
            ModelSpec::SeasonalWindowAverage { .. } => "SeasonalWindowAverage",
            ModelSpec::Ses { .. } => "SimpleExponentialSmoothing",
            ModelSpec::CrostonClassic => "CrostonClassic",
            ModelSpec::CrostonSba => "CrostonSBA",
            ModelSpec::Tsb { .. } => "TSB",
            ModelSpec::SesOptimized => "SimpleExponentialSmoothingOptimized",
            ModelSpec::CrostonOptimized => "CrostonOptimized",
            ModelSpec::Adida => "ADIDA",
            ModelSpec::Imapa => "IMAPA",
            ModelSpec::Theta { kind, .. } => THETA_NAMES
                .iter()
                .find(|(k, _)| k == kind)
                .map_or("AutoTheta", |(_, n)| n),
            ModelSpec::AutoEts(_) => "AutoETS",
            ModelSpec::WithRegressors(_) => "WithRegressors",
            ModelSpec::Mstl { .. } => "MSTL",
            ModelSpec::Arima(_) => "ARIMA",
            ModelSpec::AutoArima(_) => "AutoARIMA",
        }
    }

    /// Whether the model uses the exogenous regressors of the panel.
    pub fn uses_exog(&self) -> bool {
        match self {
            ModelSpec::WithRegressors(_) | ModelSpec::Arima(_) | ModelSpec::AutoArima(_) => true,
            ModelSpec::Mstl { trend, .. } => trend.uses_exog(),
            _ => false,
        }
    }

    /// Whether the regression wrapper may wrap this model (not a regression model itself).
    pub fn accepts_regression_wrapper(&self) -> bool {
        !self.uses_exog()
    }

    /// The canonical parameters (`params().check()` gives `self` back).
    pub fn params(&self) -> ModelParams {
        let p = ModelParams::named(self.name());
        match *self {
            ModelSpec::SeasonalNaive { season_length } => {
                p.with("season_length", season_length as f64)
            }
            ModelSpec::WindowAverage { window_size } => p.with("window_size", window_size as f64),
            ModelSpec::SeasonalWindowAverage {
                season_length,
                window_size,
            } => p
                .with("season_length", season_length as f64)
                .with("window_size", window_size as f64),
            ModelSpec::Ses { alpha } => p.with("alpha", alpha),
            ModelSpec::Tsb { alpha_d, alpha_p } => {
                p.with("alpha_d", alpha_d).with("alpha_p", alpha_p)
            }
            ModelSpec::Theta {
                season_length,
                multiplicative,
                ..
            } => p.with("season_length", season_length as f64).with_text(
                "decomposition_type",
                DECOMPOSITIONS[usize::from(!multiplicative)],
            ),
            ModelSpec::AutoEts(ref e) => {
                let mut p = p.with("season_length", e.season_length as f64);
                p.text.insert("model".into(), e.model());
                match e.damped {
                    Some(d) => p.with("damped", f64::from(u8::from(d))),
                    None => p,
                }
            }
            ModelSpec::WithRegressors(ref inner) => p.with_text("model", &inner.params().to_text()),
            ModelSpec::Arima(ref a) => a.params(p),
            ModelSpec::AutoArima(ref a) => a.params(p),
            ModelSpec::Mstl {
                ref periods,
                ref trend,
            } => {
                let list: Vec<String> = periods.iter().map(usize::to_string).collect();
                p.with_text("season_length", &list.join(","))
                    .with_text("trend_forecaster", &trend.params().to_text())
            }
            _ => p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates() {
        let sn = ModelParams::named("SeasonalNaive").with("season_length", 7.0);
        assert_eq!(
            sn.check().unwrap(),
            ModelSpec::SeasonalNaive { season_length: 7 }
        );
        assert!(ModelParams::named("SeasonalNaive")
            .with("season_length", 0.0)
            .check()
            .is_err());
        assert!(ModelParams::named("SeasonalNaive")
            .with("season_length", 2.5)
            .check()
            .is_err());
        assert!(ModelParams::named("SeasonalNaive").check().is_err());
        assert_eq!(
            ModelParams::named("Prophet").check().unwrap_err(),
            Error::UnknownModel("Prophet".into())
        );
        let theta = ModelParams::named("OptimizedTheta").with("season_length", 12.0);
        assert_eq!(
            theta.check().unwrap(),
            ModelSpec::Theta {
                kind: Some(ThetaKind::Otm),
                season_length: 12,
                multiplicative: true
            }
        );
        let bad = theta.with_text("decomposition_type", "mul").check();
        assert!(bad.unwrap_err().to_string().contains("decomposition_type"));
        let extra = ModelParams::named("Naive").with("alpha", 0.1).check();
        assert!(extra.unwrap_err().to_string().contains("alpha"));
        assert!(ModelParams::named("TSB")
            .with("alpha_d", 0.1)
            .with("alpha_p", 1.5)
            .check()
            .is_err());
        let ets = ModelParams::named("AutoETS").with("season_length", 7.0);
        assert_eq!(
            ets.check().unwrap(),
            ModelSpec::AutoEts(EtsSpec::new(7, "ZZZ", None).unwrap())
        );
        assert!(ets.clone().with("damped", 0.5).check().is_err());
        let mut bad = ets;
        bad.text.insert("model".into(), "AAM".into());
        assert!(bad.check().unwrap_err().to_string().contains("AAM"));
    }

    #[test]
    fn nested_models() {
        let inner = ModelParams::named("AutoETS")
            .with("season_length", 7.0)
            .with_text("model", "Z;Z=N%");
        let text = inner.to_text();
        assert_eq!(ModelParams::from_text(&text).unwrap(), inner);
        let wrapped = ModelParams::named("WithRegressors")
            .with_text("model", &ModelParams::named("CrostonSBA").to_text());
        assert_eq!(
            wrapped.check().unwrap(),
            ModelSpec::WithRegressors(Box::new(ModelSpec::CrostonSba))
        );
        let twice = ModelParams::named("WithRegressors").with_text("model", &wrapped.to_text());
        assert!(twice
            .check()
            .unwrap_err()
            .to_string()
            .contains("cannot be wrapped"));
        for bad in ["Naive;x", "Naive;q:a=1", "Naive;n:a=x", "Naive;n:a=%G1"] {
            assert!(ModelParams::from_text(bad).is_err(), "{bad}");
        }
        let missing = ModelParams::named("WithRegressors").check();
        assert!(missing.unwrap_err().to_string().contains("model"));
    }

    #[test]
    fn params_round_trip() {
        let specs = [
            ModelSpec::Naive,
            ModelSpec::SeasonalNaive { season_length: 7 },
            ModelSpec::HistoricAverage,
            ModelSpec::WindowAverage { window_size: 3 },
            ModelSpec::SeasonalWindowAverage {
                season_length: 7,
                window_size: 2,
            },
            ModelSpec::Ses { alpha: 0.3 },
            ModelSpec::CrostonClassic,
            ModelSpec::CrostonSba,
            ModelSpec::Tsb {
                alpha_d: 0.2,
                alpha_p: 0.1,
            },
            ModelSpec::SesOptimized,
            ModelSpec::CrostonOptimized,
            ModelSpec::Adida,
            ModelSpec::Imapa,
            ModelSpec::Theta {
                kind: Some(ThetaKind::Dotm),
                season_length: 7,
                multiplicative: false,
            },
            ModelSpec::Theta {
                kind: None,
                season_length: 1,
                multiplicative: true,
            },
            ModelSpec::AutoEts(EtsSpec::new(7, "ZZZ", None).unwrap()),
            ModelSpec::AutoEts(EtsSpec::new(12, "MAM", Some(true)).unwrap()),
            ModelSpec::AutoEts(EtsSpec::new(1, "AZN", Some(false)).unwrap()),
            ModelSpec::WithRegressors(Box::new(ModelSpec::AutoEts(
                EtsSpec::new(7, "ZZN", None).unwrap(),
            ))),
            ModelSpec::Mstl {
                periods: vec![7, 365],
                trend: Box::new(ModelSpec::AutoEts(EtsSpec::new(1, "ZZN", None).unwrap())),
            },
            ModelSpec::WithRegressors(Box::new(ModelSpec::Tsb {
                alpha_d: 0.1,
                alpha_p: 1.0 / 3.0,
            })),
        ];
        for s in specs {
            assert_eq!(s.params().check().unwrap(), s);
        }
    }
}
