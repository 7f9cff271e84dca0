//! Model specifications: which model, with which hyperparameters, validated on construction
//! (linfa's params pattern: an unchecked spec is turned into a valid one by `check`).

use crate::error::{Error, Result};

/// A validated model specification.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelSpec {
    /// Repeat the last observation.
    Naive,
    /// Repeat the last `season_length` observations.
    SeasonalNaive { season_length: usize },
    /// The mean of the whole history.
    HistoricAverage,
    /// Croston (1972): SES (alpha 0.1) on demand sizes and on inter-demand intervals.
    CrostonClassic,
    /// Syntetos–Boylan approximation: Croston's ratio times (1 - alpha / 2) = 0.95.
    CrostonSba,
}

/// Unvalidated parameters as they arrive from a caller (e.g. Python keyword arguments).
#[derive(Debug, Clone, Default)]
pub struct ModelParams {
    /// Model name, e.g. "SeasonalNaive".
    pub name: String,
    /// Season length where the model takes one.
    pub season_length: Option<i64>,
}

impl ModelParams {
    /// Validate into a [`ModelSpec`].
    pub fn check(&self) -> Result<ModelSpec> {
        match self.name.as_str() {
            "Naive" => Ok(ModelSpec::Naive),
            "HistoricAverage" => Ok(ModelSpec::HistoricAverage),
            "CrostonClassic" => Ok(ModelSpec::CrostonClassic),
            "CrostonSBA" => Ok(ModelSpec::CrostonSba),
            "SeasonalNaive" => {
                let s = self.season_length.ok_or_else(|| {
                    Error::param("season_length", "is required for SeasonalNaive")
                })?;
                if s < 1 {
                    return Err(Error::param(
                        "season_length",
                        format!("must be >= 1, got {s}"),
                    ));
                }
                Ok(ModelSpec::SeasonalNaive {
                    season_length: s as usize,
                })
            }
            other => Err(Error::UnknownModel(other.to_string())),
        }
    }
}

impl ModelSpec {
    /// The model's canonical name (used in persisted state).
    pub fn name(&self) -> &'static str {
        match self {
            ModelSpec::Naive => "Naive",
            ModelSpec::SeasonalNaive { .. } => "SeasonalNaive",
            ModelSpec::HistoricAverage => "HistoricAverage",
            ModelSpec::CrostonClassic => "CrostonClassic",
            ModelSpec::CrostonSba => "CrostonSBA",
        }
    }

    /// The season length, for models that have one.
    pub fn season_length(&self) -> Option<usize> {
        match self {
            ModelSpec::SeasonalNaive { season_length } => Some(*season_length),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, s: Option<i64>) -> ModelParams {
        ModelParams {
            name: name.into(),
            season_length: s,
        }
    }

    #[test]
    fn validates() {
        assert_eq!(
            p("SeasonalNaive", Some(7)).check().unwrap(),
            ModelSpec::SeasonalNaive { season_length: 7 }
        );
        assert!(p("SeasonalNaive", Some(0)).check().is_err());
        assert!(p("SeasonalNaive", None).check().is_err());
        assert_eq!(
            p("Prophet", None).check().unwrap_err(),
            Error::UnknownModel("Prophet".into())
        );
        for name in ["Naive", "HistoricAverage", "CrostonClassic", "CrostonSBA"] {
            assert_eq!(p(name, None).check().unwrap().name(), name);
        }
    }
}
