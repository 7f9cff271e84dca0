//! Safety stock for a cycle service level (type 1: probability of no stockout in a
//! replenishment cycle) or a fill rate (type 2: fraction of demand met from stock), with
//! demand and lead-time variability and normal lead-time demand.

use super::args::{non_negative, positive, probability};
use super::normal;
use crate::error::{Error, Result};

/// Which service measure a safety stock targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceType {
    /// Type 1: P(lead-time demand <= reorder point) = service level.
    Cycle,
    /// Type 2: expected shortage per cycle = (1 − fill rate) × order quantity.
    FillRate,
}

impl ServiceType {
    /// Parse `"cycle"` or `"fill_rate"`.
    ///
    /// # Errors
    /// Any other name.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "cycle" => Ok(ServiceType::Cycle),
            "fill_rate" => Ok(ServiceType::FillRate),
            other => Err(Error::param(
                "service_type",
                format!("must be \"cycle\" or \"fill_rate\", got {other:?}"),
            )),
        }
    }
}

/// Mean and sd of demand over a lead time `L` with per-period demand (μ, σ) and lead-time
/// sd `σ_LT`: `μ_L = μL` and `σ_L = sqrt(L σ² + μ² σ_LT²)` (demand independent across
/// periods and of the lead time).
pub fn lead_time_demand(mean: f64, sd: f64, lead_time: f64, lead_time_sd: f64) -> (f64, f64) {
    (
        mean * lead_time,
        (lead_time * sd * sd + mean * mean * lead_time_sd * lead_time_sd).sqrt(),
    )
}

/// The safety factor `z` for normal lead-time demand with sd `sigma_l`: `Φ⁻¹(α)` for a
/// cycle service level, or the `z` with `σ_L·L(z) = (1 − β)·Q` for a fill rate.
pub fn safety_factor(service: ServiceType, level: f64, sigma_l: f64, order_quantity: f64) -> f64 {
    match service {
        ServiceType::Cycle => normal::quantile(level),
        ServiceType::FillRate => normal::loss_inverse((1.0 - level) * order_quantity / sigma_l),
    }
}

/// Safety stock `z·σ_L` over the lead time. A fill rate needs the order quantity `Q` (the
/// expected shortage per cycle is compared with it); pass NaN for a cycle service level.
/// Zero lead-time demand variability gives zero safety stock.
///
/// # Errors
/// An argument out of range, or a fill rate without a positive order quantity.
pub fn safety_stock(
    demand_mean: f64,
    demand_sd: f64,
    lead_time: f64,
    service_level: f64,
    service: ServiceType,
    lead_time_sd: f64,
    order_quantity: f64,
) -> Result<f64> {
    let mean = non_negative("demand_mean", demand_mean)?;
    let sd = non_negative("demand_sd", demand_sd)?;
    let l = non_negative("lead_time", lead_time)?;
    let level = probability("service_level", service_level)?;
    let l_sd = non_negative("lead_time_sd", lead_time_sd)?;
    let q = match service {
        ServiceType::Cycle => f64::NAN,
        ServiceType::FillRate => {
            if order_quantity.is_nan() {
                return Err(Error::param(
                    "order_quantity",
                    "is required for a fill-rate (type 2) service level",
                ));
            }
            positive("order_quantity", order_quantity)?
        }
    };
    let (_, sigma_l) = lead_time_demand(mean, sd, l, l_sd);
    if sigma_l == 0.0 {
        return Ok(0.0);
    }
    Ok(safety_factor(service, level, sigma_l, q) * sigma_l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycle_and_fill_rate() {
        let ss = safety_stock(10.0, 3.0, 4.0, 0.95, ServiceType::Cycle, 0.0, f64::NAN).unwrap();
        assert!((ss - 6.0 * 1.644_853_626_951_472_2).abs() < 1e-12);
        let ss = safety_stock(10.0, 3.0, 4.0, 0.98, ServiceType::FillRate, 1.0, 50.0).unwrap();
        let sigma_l = (4.0f64 * 9.0 + 100.0).sqrt();
        assert!((sigma_l * normal::loss(ss / sigma_l) - 0.02 * 50.0).abs() < 1e-12);
        assert!(safety_stock(10.0, 3.0, 4.0, 0.98, ServiceType::FillRate, 0.0, f64::NAN).is_err());
        assert!(safety_stock(10.0, 3.0, 4.0, 1.0, ServiceType::Cycle, 0.0, f64::NAN).is_err());
        assert!(ServiceType::parse("type3").is_err());
    }
}
