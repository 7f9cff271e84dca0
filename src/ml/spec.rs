//! Validated hyperparameters of the global models (linfa's params pattern: unchecked
//! [`ModelParams`] — name plus numeric/text parameters, as Python passes them — become an
//! [`MlSpec`] through [`MlSpec::check`]; [`MlSpec::params`] gives them back for persistence).

use super::fine_bins::MAX_FINE_BINS;
use super::objective::Objective;
use crate::error::{Error, Result};
use crate::forecast::ModelParams;

/// Gradient-boosting hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub struct BoostingParams {
    /// Boosting rounds (trees).
    pub n_estimators: usize,
    /// Shrinkage of each tree.
    pub learning_rate: f64,
    /// Maximum leaves per tree.
    pub num_leaves: usize,
    /// Maximum depth (0: unlimited).
    pub max_depth: usize,
    /// Minimum rows per leaf.
    pub min_samples_leaf: usize,
    /// L2 regularisation of leaf values.
    pub l2_regularization: f64,
    /// Fraction of features drawn for each tree.
    pub feature_fraction: f64,
    /// Fraction of rows drawn (without replacement) for each tree.
    pub bagging_fraction: f64,
    /// Maximum bins per feature (<= 255).
    pub max_bins: usize,
    /// The loss.
    pub objective: Objective,
    /// Stop when the validation loss has not improved for this many rounds (0: off).
    pub early_stopping_rounds: usize,
    /// Periods at the end of every series held out for early stopping.
    pub validation_size: usize,
    /// Random seed.
    pub seed: u64,
}

/// Random-forest hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestParams {
    /// Trees.
    pub n_estimators: usize,
    /// Maximum depth (0: unlimited).
    pub max_depth: usize,
    /// Minimum rows per leaf.
    pub min_samples_leaf: usize,
    /// Fraction of features tried at each split.
    pub max_features: f64,
    /// Draw a bootstrap sample for each tree (else every tree sees every row).
    pub bootstrap: bool,
    /// Bootstrap sample size as a fraction of the rows.
    pub max_samples: f64,
    /// Maximum bins per feature (<= 65,535; with at most this many distinct values, a
    /// feature's splits are exact).
    pub max_bins: usize,
    /// Random seed.
    pub seed: u64,
}

/// A validated global-model specification.
#[derive(Debug, Clone, PartialEq)]
pub enum MlSpec {
    /// Ordinary least squares (linfa-linear).
    LinearRegression { fit_intercept: bool },
    /// L2-penalised least squares (`alpha·‖w‖²`, intercept not penalised), as scikit-learn's.
    Ridge { alpha: f64, fit_intercept: bool },
    /// Tweedie GLM with log link (power 1 = Poisson), linfa-linear's `TweedieRegressor`.
    Glm {
        power: f64,
        alpha: f64,
        max_iter: usize,
        tol: f64,
    },
    /// Histogram gradient-boosted trees.
    GradientBoosting(BoostingParams),
    /// Random forest of histogram regression trees.
    RandomForest(ForestParams),
}

struct Reader<'a> {
    p: &'a ModelParams,
    used: Vec<&'static str>,
}

impl Reader<'_> {
    fn num(&mut self, key: &'static str, default: f64) -> f64 {
        self.used.push(key);
        self.p.num.get(key).copied().unwrap_or(default)
    }
    fn int(&mut self, key: &'static str, default: usize, min: usize) -> Result<usize> {
        let v = self.num(key, default as f64);
        if !(v.is_finite() && v.fract() == 0.0 && v >= min as f64) {
            return Err(Error::param(
                key,
                format!("must be an integer >= {min}, got {v}"),
            ));
        }
        Ok(v as usize)
    }
    fn range(
        &mut self,
        key: &'static str,
        default: f64,
        lo: f64,
        hi: f64,
        lo_open: bool,
    ) -> Result<f64> {
        let v = self.num(key, default);
        let ok = v.is_finite() && v <= hi && if lo_open { v > lo } else { v >= lo };
        if !ok {
            let l = if lo_open { "(" } else { "[" };
            return Err(Error::param(
                key,
                format!("must be in {l}{lo}, {hi}], got {v}"),
            ));
        }
        Ok(v)
    }
    fn flag(&mut self, key: &'static str, default: bool) -> bool {
        self.num(key, f64::from(u8::from(default))) != 0.0
    }
    fn text(&mut self, key: &'static str, default: &str) -> String {
        self.used.push(key);
        self.p
            .text
            .get(key)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    }
    fn done(self, spec: MlSpec) -> Result<MlSpec> {
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

/// Whether `name` is a global (machine-learning) model.
pub fn is_ml_model(name: &str) -> bool {
    matches!(
        name,
        "LinearRegression"
            | "Ridge"
            | "PoissonRegressor"
            | "TweedieRegressor"
            | "GradientBoosting"
            | "RandomForest"
    )
}

impl MlSpec {
    /// Validate `p` (defaults fill missing parameters).
    pub fn check(p: &ModelParams) -> Result<MlSpec> {
        let mut r = Reader { p, used: vec![] };
        let big = 1e12;
        let spec = match p.name.as_str() {
            "LinearRegression" => MlSpec::LinearRegression {
                fit_intercept: r.flag("fit_intercept", true),
            },
            "Ridge" => MlSpec::Ridge {
                alpha: r.range("alpha", 1.0, 0.0, big, false)?,
                fit_intercept: r.flag("fit_intercept", true),
            },
            "PoissonRegressor" | "TweedieRegressor" => {
                let default_power = if p.name == "PoissonRegressor" {
                    1.0
                } else {
                    1.5
                };
                let power = r.num("power", default_power);
                if !(power == 0.0 || (1.0..=3.0).contains(&power))
                    || (p.name == "PoissonRegressor" && power != 1.0)
                {
                    return Err(Error::param(
                        "power",
                        format!("must be 0 or in [1, 3] (1 for Poisson), got {power}"),
                    ));
                }
                MlSpec::Glm {
                    power,
                    alpha: r.range("alpha", 0.0, 0.0, big, false)?,
                    max_iter: r.int("max_iter", 100, 1)?,
                    tol: r.range("tol", 1e-4, 0.0, 1.0, true)?,
                }
            }
            "GradientBoosting" => {
                let objective = match r.text("objective", "squared_error").as_str() {
                    "squared_error" => Objective::Squared,
                    "poisson" => Objective::Poisson,
                    "tweedie" => Objective::Tweedie(r.range("tweedie_power", 1.5, 1.0, 1.999_999, true)?),
                    "quantile" => Objective::Quantile(r.range("alpha", 0.5, 0.0, 0.999_999, true)?),
                    other => {
                        return Err(Error::param(
                            "objective",
                            format!("unknown objective `{other}` (squared_error, poisson, tweedie, quantile)"),
                        ))
                    }
                };
                // read optional parameters so they are accepted for any objective
                if !matches!(objective, Objective::Tweedie(_))
                    && p.num.contains_key("tweedie_power")
                {
                    return Err(Error::param(
                        "tweedie_power",
                        "only applies to objective='tweedie'",
                    ));
                }
                if !matches!(objective, Objective::Quantile(_)) && p.num.contains_key("alpha") {
                    return Err(Error::param(
                        "alpha",
                        "only applies to objective='quantile'",
                    ));
                }
                let early = r.int("early_stopping_rounds", 0, 0)?;
                let validation_size = r.int("validation_size", 0, 0)?;
                if early > 0 && validation_size == 0 {
                    return Err(Error::param(
                        "validation_size",
                        "must be >= 1 when early_stopping_rounds > 0",
                    ));
                }
                MlSpec::GradientBoosting(BoostingParams {
                    n_estimators: r.int("n_estimators", 100, 1)?,
                    learning_rate: r.range("learning_rate", 0.1, 0.0, 1.0, true)?,
                    num_leaves: r.int("num_leaves", 31, 2)?,
                    max_depth: r.int("max_depth", 0, 0)?,
                    min_samples_leaf: r.int("min_samples_leaf", 20, 1)?,
                    l2_regularization: r.range("l2_regularization", 0.0, 0.0, big, false)?,
                    feature_fraction: r.range("feature_fraction", 1.0, 0.0, 1.0, true)?,
                    bagging_fraction: r.range("bagging_fraction", 1.0, 0.0, 1.0, true)?,
                    max_bins: r.int("max_bins", 255, 2)?.min(255),
                    objective,
                    early_stopping_rounds: early,
                    validation_size,
                    seed: r.int("seed", 0, 0)? as u64,
                })
            }
            "RandomForest" => MlSpec::RandomForest(ForestParams {
                n_estimators: r.int("n_estimators", 100, 1)?,
                max_depth: r.int("max_depth", 0, 0)?,
                min_samples_leaf: r.int("min_samples_leaf", 1, 1)?,
                max_features: r.range("max_features", 1.0, 0.0, 1.0, true)?,
                bootstrap: r.flag("bootstrap", true),
                max_samples: r.range("max_samples", 1.0, 0.0, 1.0, true)?,
                max_bins: r.int("max_bins", MAX_FINE_BINS, 2)?.min(MAX_FINE_BINS),
                seed: r.int("seed", 0, 0)? as u64,
            }),
            other => return Err(Error::UnknownModel(other.to_string())),
        };
        r.done(spec)
    }

    /// The model's name.
    pub fn name(&self) -> &'static str {
        match self {
            MlSpec::LinearRegression { .. } => "LinearRegression",
            MlSpec::Ridge { .. } => "Ridge",
            MlSpec::Glm { power, .. } if *power == 1.0 => "PoissonRegressor",
            MlSpec::Glm { .. } => "TweedieRegressor",
            MlSpec::GradientBoosting(_) => "GradientBoosting",
            MlSpec::RandomForest(_) => "RandomForest",
        }
    }

    /// The canonical parameters (`MlSpec::check(&spec.params())` gives `spec` back).
    pub fn params(&self) -> ModelParams {
        let b = |v: bool| f64::from(u8::from(v));
        let p = ModelParams::named(self.name());
        match self {
            MlSpec::LinearRegression { fit_intercept } => {
                p.with("fit_intercept", b(*fit_intercept))
            }
            MlSpec::Ridge {
                alpha,
                fit_intercept,
            } => p
                .with("alpha", *alpha)
                .with("fit_intercept", b(*fit_intercept)),
            MlSpec::Glm {
                power,
                alpha,
                max_iter,
                tol,
            } => p
                .with("power", *power)
                .with("alpha", *alpha)
                .with("max_iter", *max_iter as f64)
                .with("tol", *tol),
            MlSpec::GradientBoosting(g) => {
                let mut p = p
                    .with("n_estimators", g.n_estimators as f64)
                    .with("learning_rate", g.learning_rate)
                    .with("num_leaves", g.num_leaves as f64)
                    .with("max_depth", g.max_depth as f64)
                    .with("min_samples_leaf", g.min_samples_leaf as f64)
                    .with("l2_regularization", g.l2_regularization)
                    .with("feature_fraction", g.feature_fraction)
                    .with("bagging_fraction", g.bagging_fraction)
                    .with("max_bins", g.max_bins as f64)
                    .with("early_stopping_rounds", g.early_stopping_rounds as f64)
                    .with("validation_size", g.validation_size as f64)
                    .with("seed", g.seed as f64);
                let obj = match g.objective {
                    Objective::Squared => "squared_error",
                    Objective::Poisson => "poisson",
                    Objective::Tweedie(rho) => {
                        p = p.with("tweedie_power", rho);
                        "tweedie"
                    }
                    Objective::Quantile(a) => {
                        p = p.with("alpha", a);
                        "quantile"
                    }
                };
                p.text.insert("objective".into(), obj.into());
                p
            }
            MlSpec::RandomForest(f) => p
                .with("n_estimators", f.n_estimators as f64)
                .with("max_depth", f.max_depth as f64)
                .with("min_samples_leaf", f.min_samples_leaf as f64)
                .with("max_features", f.max_features)
                .with("bootstrap", b(f.bootstrap))
                .with("max_samples", f.max_samples)
                .with("max_bins", f.max_bins as f64)
                .with("seed", f.seed as f64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_and_round_trips() {
        let specs = [
            ModelParams::named("LinearRegression"),
            ModelParams::named("Ridge").with("alpha", 0.5),
            ModelParams::named("PoissonRegressor"),
            ModelParams::named("TweedieRegressor").with("power", 1.3),
            ModelParams::named("GradientBoosting").with("num_leaves", 63.0),
            ModelParams::named("RandomForest").with("max_features", 0.5),
        ];
        for p in specs {
            let s = MlSpec::check(&p).unwrap();
            assert_eq!(MlSpec::check(&s.params()).unwrap(), s);
        }
        let mut q = ModelParams::named("GradientBoosting").with("alpha", 0.9);
        q.text.insert("objective".into(), "quantile".into());
        let s = MlSpec::check(&q).unwrap();
        assert_eq!(MlSpec::check(&s.params()).unwrap(), s);
        assert!(
            MlSpec::check(&ModelParams::named("GradientBoosting").with("learning_rate", 0.0))
                .is_err()
        );
        assert!(MlSpec::check(&ModelParams::named("GradientBoosting").with("alpha", 0.5)).is_err());
        assert!(MlSpec::check(&ModelParams::named("RandomForest").with("depth", 3.0)).is_err());
        assert!(MlSpec::check(
            &ModelParams::named("GradientBoosting").with("early_stopping_rounds", 5.0)
        )
        .is_err());
    }
}
