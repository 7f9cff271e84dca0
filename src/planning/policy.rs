//! The replenishment policies the planner plans and the simulator replays.

use crate::error::{Error, Result};

/// An inventory policy. Reviews happen at the start of a period, before its demand;
/// an order placed in period t arrives at the start of period t + L.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// (s, Q): review every period; when the inventory position is at or below `s`, order
    /// the smallest multiple of `Q` that lifts it above `s`.
    SQ,
    /// (s, S): review every period; when the position is at or below `s`, order up to `S`.
    SS,
    /// (R, S): every `R` periods order up to `S`.
    RS,
    /// Base stock: (R, S) with R = 1.
    BaseStock,
}

impl Policy {
    /// Parse `"sQ"`, `"sS"`, `"RS"` or `"base_stock"`.
    ///
    /// # Errors
    /// Any other name.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "sQ" => Ok(Policy::SQ),
            "sS" => Ok(Policy::SS),
            "RS" => Ok(Policy::RS),
            "base_stock" => Ok(Policy::BaseStock),
            other => Err(Error::param(
                "policy",
                format!("must be one of \"sQ\", \"sS\", \"RS\", \"base_stock\", got {other:?}"),
            )),
        }
    }

    /// The policy's name as [`Policy::parse`] accepts it.
    pub fn name(self) -> &'static str {
        match self {
            Policy::SQ => "sQ",
            Policy::SS => "sS",
            Policy::RS => "RS",
            Policy::BaseStock => "base_stock",
        }
    }

    /// Whether the policy orders up to a level (periodic review) rather than from a
    /// reorder point.
    pub fn is_periodic(self) -> bool {
        matches!(self, Policy::RS | Policy::BaseStock)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_names() {
        for p in [Policy::SQ, Policy::SS, Policy::RS, Policy::BaseStock] {
            assert_eq!(Policy::parse(p.name()).unwrap(), p);
        }
        assert!(Policy::parse("Ss").is_err());
        assert!(Policy::RS.is_periodic() && !Policy::SQ.is_periodic());
    }
}
