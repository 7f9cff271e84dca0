//! The core's one error type. Pure Rust (no pyo3): the binding layer maps each
//! variant to a Python exception class in exactly one place (`py/errors.rs`).

use thiserror::Error;

/// Everything that can go wrong in the core. Variants carry enough context
/// (series index, parameter name, offending value) for a message that names the culprit.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A hyperparameter or argument is outside its valid range.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter { name: String, reason: String },

    /// A model name the core does not know.
    #[error("unknown model `{0}`")]
    UnknownModel(String),

    /// A series' values are unusable (NaN, infinite, negative where demand is expected...).
    #[error("series {series}: {reason}")]
    InvalidSeries { series: usize, reason: String },

    /// Arrays that must line up do not.
    #[error("shape mismatch: {0}")]
    Shape(String),

    /// An item row (planner input) is invalid.
    #[error("item {item}: column `{column}` {reason}")]
    InvalidItem {
        item: usize,
        column: String,
        reason: String,
    },

    /// A method that needs a fitted model was called before `fit`.
    #[error("this {0} is not fitted yet: call `fit` first")]
    NotFitted(&'static str),

    /// A serialized blob could not be decoded.
    #[error("cannot load model state: {0}")]
    Decode(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn param(name: &str, reason: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name: name.to_string(),
            reason: reason.into(),
        }
    }
}

/// The core's result alias.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_culprit() {
        let e = Error::InvalidSeries {
            series: 3,
            reason: "contains NaN".into(),
        };
        assert_eq!(e.to_string(), "series 3: contains NaN");
        let e = Error::param("season_length", "must be >= 1, got 0");
        assert!(e.to_string().contains("season_length"));
    }

    #[test]
    fn autotraits() {
        fn check<T: Send + Sync + Unpin>() {}
        check::<Error>();
    }
}
